// SPDX-License-Identifier: Apache-2.0
// cairo and pango stay in this file: the rest of the project sees a Report in, bytes out.
#include "reports/pdf.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "common/utf8.hpp"
#include "reports/cell_text.hpp"
#include "reports/report_texts.hpp"

namespace cradle::reports {
namespace {

struct SurfaceRelease {
    void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct ContextRelease {
    void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct ObjectRelease {
    void operator()(void* object) const { g_object_unref(object); }
};
struct FontRelease {
    void operator()(PangoFontDescription* font) const { pango_font_description_free(font); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceRelease>;
using Context = std::unique_ptr<cairo_t, ContextRelease>;
using Layout = std::unique_ptr<PangoLayout, ObjectRelease>;
using TextContext = std::unique_ptr<PangoContext, ObjectRelease>;
using Font = std::unique_ptr<PangoFontDescription, FontRelease>;

// A4 in points, 15 mm margins. A report with a table too wide for a portrait page is set in
// landscape, every page of it: one orientation per printout.
constexpr double a4_short = 595.276;
constexpr double a4_long = 841.890;
constexpr double margin = 42.5;
constexpr double footer_height = 24;
constexpr double cell_padding = 3;
constexpr double column_rule = 1;  // space between a column's padding and the next column

struct PageGeometry {
    double width = a4_short;
    double height = a4_long;
    double body_width() const { return width - 2 * margin; }
    double body_bottom() const { return height - margin - footer_height; }
    // A cell taller than this is cut with an ellipsis: one row never needs more than a page.
    double max_cell_height() const { return (body_bottom() - margin) / 2; }
};
constexpr PageGeometry portrait{a4_short, a4_long};
constexpr PageGeometry landscape{a4_long, a4_short};

// The first installed family wins; fontconfig substitutes further for any glyph missing.
constexpr const char* font_families = "Noto Sans CJK SC,WenQuanYi Micro Hei,sans-serif";

Font make_font(double size, PangoWeight weight, PangoStyle style = PANGO_STYLE_NORMAL) {
    Font font(pango_font_description_new());
    pango_font_description_set_family(font.get(), font_families);
    pango_font_description_set_absolute_size(font.get(), size * PANGO_SCALE);
    pango_font_description_set_weight(font.get(), weight);
    pango_font_description_set_style(font.get(), style);
    return font;
}

struct Fonts {
    Font title = make_font(17, PANGO_WEIGHT_BOLD);
    Font subtitle = make_font(10, PANGO_WEIGHT_NORMAL);
    Font heading = make_font(12.5, PANGO_WEIGHT_BOLD);
    Font note = make_font(8.5, PANGO_WEIGHT_NORMAL, PANGO_STYLE_ITALIC);
    Font header_cell = make_font(8.5, PANGO_WEIGHT_BOLD);
    Font cell = make_font(8.5, PANGO_WEIGHT_NORMAL);
    Font footer = make_font(8, PANGO_WEIGHT_NORMAL);
};

bool is_number(const Cell& cell) {
    return std::holds_alternative<NumberCell>(cell);
}

PangoRectangle extents_of(PangoLayout* laid) {
    PangoRectangle logical;
    pango_layout_get_extents(laid, nullptr, &logical);
    return logical;
}

double height_of(PangoLayout* laid) {
    return static_cast<double>(extents_of(laid).height) / PANGO_SCALE;
}

// Lays out text. A width > 0 wraps the text in it (words first, characters when a word is
// wider) and cuts it with an ellipsis beyond `max_height`.
Layout lay_out(PangoContext* context, const std::string& text, const PangoFontDescription& font,
               double width, double max_height, PangoAlignment alignment = PANGO_ALIGN_LEFT) {
    Layout made(pango_layout_new(context));
    pango_layout_set_font_description(made.get(), &font);
    if (width > 0) {
        pango_layout_set_width(made.get(), static_cast<int>(width * PANGO_SCALE));
        pango_layout_set_wrap(made.get(), PANGO_WRAP_WORD_CHAR);
        pango_layout_set_height(made.get(), static_cast<int>(max_height * PANGO_SCALE));
        pango_layout_set_ellipsize(made.get(), PANGO_ELLIPSIZE_END);
    }
    pango_layout_set_alignment(made.get(), alignment);
    std::string valid = valid_utf8(text);
    pango_layout_set_text(made.get(), valid.data(), static_cast<int>(valid.size()));
    return made;
}

// What a text needs, from one layout of it unwrapped: its width on one line, its height, and
// the width of its widest unbreakable part (a serial, a word, one Chinese character), below
// which it could only be broken inside a word.
struct TextMeasure {
    double natural_width = 0;
    double natural_height = 0;
    double min_width = 0;
};

TextMeasure measure(PangoLayout* laid) {
    PangoRectangle logical = extents_of(laid);
    TextMeasure measured{static_cast<double>(logical.width) / PANGO_SCALE,
                         static_cast<double>(logical.height) / PANGO_SCALE, 0};
    const char* text = pango_layout_get_text(laid);
    int attr_count = 0;
    const PangoLogAttr* attrs = pango_layout_get_log_attrs_readonly(laid, &attr_count);
    // Break opportunities and hard line ends split the text into pieces that cannot be broken;
    // each piece's width is the distance between the x positions of its ends.
    int piece_start = 0;
    const char* at = text;
    int x_start = 0;
    int widest = 0;
    for (int offset = 0; offset < attr_count; ++offset) {
        bool ends_piece = offset == attr_count - 1 || (offset > 0 && attrs[offset].is_line_break);
        if (ends_piece && offset > piece_start) {
            PangoRectangle position;
            pango_layout_index_to_pos(laid, static_cast<int>(at - text), &position);
            int x_end = offset == attr_count - 1 ? logical.width : position.x;
            // A hard line break restarts at the left edge: only pieces on one line compare.
            if (x_end >= x_start) {
                widest = std::max(widest, x_end - x_start);
            }
            x_start = position.x;
            piece_start = offset;
        }
        if (*at != '\0') {
            at = g_utf8_next_char(at);
        }
    }
    measured.min_width =
        std::min(static_cast<double>(widest) / PANGO_SCALE, measured.natural_width);
    return measured;
}

// Measures each distinct text once: a register repeats its custodians, heads, models and
// verdicts on every row.
class TextMeasures {
  public:
    TextMeasures(PangoContext* context, const PangoFontDescription& font)
        : context_(context), font_(font) {}
    const TextMeasure& of(const std::string& text) {
        auto found = known_.find(text);
        if (found != known_.end()) {
            return found->second;
        }
        Layout laid = lay_out(context_, text, font_, 0, 0);
        return known_.emplace(text, measure(laid.get())).first->second;
    }

  private:
    PangoContext* context_;
    const PangoFontDescription& font_;
    std::unordered_map<std::string, TextMeasure> known_;
};

// A table ready to be set on pages: the text of every cell, the column widths and every row's
// height, computed once before the pages are counted and drawn.
struct MeasuredTable {
    std::vector<std::string> headings;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::vector<bool>> numeric;
    std::vector<double> natural_widths;  // padding included
    std::vector<double> min_widths;
    std::vector<double> widths;
    double header_height = 0;
    std::vector<double> row_heights;
};

MeasuredTable measure_texts(const Table& table, TextMeasures& header_measures,
                            TextMeasures& cell_measures) {
    MeasuredTable measured;
    std::size_t count = table.columns.size();
    measured.natural_widths.assign(count, 0);
    measured.min_widths.assign(count, 0);
    auto widen = [&](std::size_t column, const TextMeasure& text) {
        measured.natural_widths[column] =
            std::max(measured.natural_widths[column], text.natural_width);
        measured.min_widths[column] = std::max(measured.min_widths[column], text.min_width);
    };
    for (std::size_t c = 0; c < count; ++c) {
        measured.headings.push_back(table.columns[c].heading);
        widen(c, header_measures.of(measured.headings.back()));
    }
    measured.rows.reserve(table.rows.size());
    for (const auto& cells : table.rows) {
        std::vector<std::string> shown(count);
        std::vector<bool> numeric(count, false);
        for (std::size_t c = 0; c < count && c < cells.size(); ++c) {
            shown[c] = cell_text(cells[c]);
            numeric[c] = is_number(cells[c]);
            widen(c, cell_measures.of(shown[c]));
        }
        measured.rows.push_back(std::move(shown));
        measured.numeric.push_back(std::move(numeric));
    }
    for (std::size_t c = 0; c < count; ++c) {
        measured.natural_widths[c] += 2 * cell_padding + column_rule;
        measured.min_widths[c] += 2 * cell_padding + column_rule;
    }
    return measured;
}

// Widths that share the body: each column gets its natural width up to a common cap, the cap
// chosen so the columns fill the body exactly when they do not all fit; no column goes below
// its widest word (a serial is never split) unless even those do not fit, when all shrink
// alike. One long word (a file name) may claim at most a quarter of the body.
std::vector<double> column_widths(const MeasuredTable& table, double body_width) {
    std::size_t count = table.natural_widths.size();
    std::vector<double> floor(count);
    double floor_sum = 0;
    double natural_sum = 0;
    for (std::size_t c = 0; c < count; ++c) {
        floor[c] = std::min(table.min_widths[c], body_width / 4);
        floor_sum += floor[c];
        natural_sum += table.natural_widths[c];
    }
    if (natural_sum <= body_width) {
        return table.natural_widths;
    }
    std::vector<double> widths(count);
    if (floor_sum >= body_width) {
        for (std::size_t c = 0; c < count; ++c) {
            widths[c] = floor[c] * body_width / floor_sum;
        }
        return widths;
    }
    auto width_at = [&](std::size_t c, double cap) {
        return std::max(floor[c], std::min(table.natural_widths[c], cap));
    };
    double low = 0;
    double high = body_width;
    for (int step = 0; step < 40; ++step) {
        double cap = (low + high) / 2;
        double sum = 0;
        for (std::size_t c = 0; c < count; ++c) {
            sum += width_at(c, cap);
        }
        (sum > body_width ? high : low) = cap;
    }
    for (std::size_t c = 0; c < count; ++c) {
        widths[c] = width_at(c, low);
    }
    return widths;
}

// The height of a row at the chosen widths: a text that fits on its natural line keeps the
// height already measured; only a wrapped one is laid out again at its column's width.
double row_height(PangoContext* context, const std::vector<std::string>& texts,
                  const std::vector<double>& widths, TextMeasures& measures,
                  const PangoFontDescription& font, const PageGeometry& page) {
    double height = 0;
    for (std::size_t c = 0; c < widths.size() && c < texts.size(); ++c) {
        const TextMeasure& text = measures.of(texts[c]);
        double inner = widths[c] - 2 * cell_padding;
        double cell_height = text.natural_height;
        if (text.natural_width > inner - column_rule + 0.01 ||
            cell_height > page.max_cell_height()) {
            Layout wrapped = lay_out(context, texts[c], font, inner, page.max_cell_height());
            cell_height = height_of(wrapped.get());
        }
        height = std::max(height, cell_height);
    }
    return height + 2 * cell_padding;
}

// Sets out a report on pages. It runs twice: once without drawing, to count the pages for
// "page N of M", then drawing; both runs break pages at the same places. The tables are
// measured beforehand, so the counting run lays out no table cell and the drawing run each
// cell once.
class PageSetter {
  public:
    PageSetter(cairo_t* cr, PangoContext* context, const Fonts& fonts, const PageGeometry& page,
               const std::vector<MeasuredTable>& tables, bool drawing, int page_count)
        : cr_(cr),
          context_(context),
          fonts_(fonts),
          page_(page),
          tables_(tables),
          drawing_(drawing),
          page_count_(page_count) {}

    int set(const Report& report) {
        page_number_ = 1;
        y_ = margin;
        put_block(report.title, *fonts_.title, 4);
        put_block(report.subtitle, *fonts_.subtitle, 2);
        put_block(texts::generated_at(cell_text(time_utc(report.generated_at_utc))),
                  *fonts_.subtitle, 14);
        for (std::size_t s = 0; s < report.sections.size(); ++s) {
            set_section(report.sections[s], tables_[s]);
        }
        finish_page();
        return page_number_;
    }

  private:
    Layout layout(const std::string& text, const PangoFontDescription& font, double width,
                  PangoAlignment alignment = PANGO_ALIGN_LEFT) {
        return lay_out(context_, text, font, width, page_.max_cell_height(), alignment);
    }

    void draw(PangoLayout* laid, double x, double y) {
        if (!drawing_) {
            return;
        }
        cairo_move_to(cr_, x, y);
        pango_cairo_show_layout(cr_, laid);
    }

    void put_block(const std::string& text, const PangoFontDescription& font, double gap_after) {
        if (text.empty()) {
            return;
        }
        Layout laid = layout(text, font, page_.body_width());
        double height = height_of(laid.get());
        if (y_ + height > page_.body_bottom() && y_ > margin) {
            new_page();
        }
        draw(laid.get(), margin, y_);
        y_ += height + gap_after;
    }

    void finish_page() {
        if (!drawing_) {
            return;
        }
        Layout footer = layout(texts::page_of(page_number_, page_count_), *fonts_.footer,
                               page_.body_width(), PANGO_ALIGN_CENTER);
        draw(footer.get(), margin, page_.height - margin - height_of(footer.get()));
        cairo_show_page(cr_);
    }

    void new_page() {
        finish_page();
        ++page_number_;
        y_ = margin;
        drawn_cells_.clear();
    }

    // A cell's layout for drawing. Within a page a repeated text (a custodian, a verdict) in
    // a column of the same width is laid out once and drawn again.
    PangoLayout* cell_layout(const std::string& text, double width, bool right, bool header) {
        char shape[64];
        std::snprintf(shape, sizeof shape, "%c%c%.3f\x1f", header ? 'h' : 'c', right ? 'r' : 'l',
                      width);
        std::string key = shape + text;
        auto found = drawn_cells_.find(key);
        if (found == drawn_cells_.end()) {
            found = drawn_cells_
                        .emplace(key, layout(text, header ? *fonts_.header_cell : *fonts_.cell,
                                             width - 2 * cell_padding,
                                             right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT))
                        .first;
        }
        return found->second.get();
    }

    void draw_row(const std::vector<std::string>& texts, const std::vector<bool>& numeric,
                  const std::vector<double>& widths, double height, bool header) {
        if (drawing_) {
            double full = 0;
            for (double width : widths) {
                full += width;
            }
            if (header) {
                cairo_set_source_rgb(cr_, 0.88, 0.88, 0.88);
                cairo_rectangle(cr_, margin, y_, full, height);
                cairo_fill(cr_);
            }
            cairo_set_source_rgb(cr_, 0.6, 0.6, 0.6);
            cairo_set_line_width(cr_, 0.5);
            cairo_move_to(cr_, margin, y_ + height);
            cairo_line_to(cr_, margin + full, y_ + height);
            cairo_stroke(cr_);
            cairo_set_source_rgb(cr_, 0, 0, 0);
            double x = margin;
            for (std::size_t c = 0; c < widths.size() && c < texts.size(); ++c) {
                bool right = c < numeric.size() && numeric[c];
                draw(cell_layout(texts[c], widths[c], right, header), x + cell_padding,
                     y_ + cell_padding);
                x += widths[c];
            }
        }
        y_ += height;
    }

    void draw_header(const MeasuredTable& table) {
        draw_row(table.headings, {}, table.widths, table.header_height, true);
    }

    void set_section(const Section& section, const MeasuredTable& table) {
        Layout heading = layout(section.heading, *fonts_.heading, page_.body_width());
        Layout note = layout(section.note.value_or(""), *fonts_.note, page_.body_width());
        double heading_height = height_of(heading.get()) + 4;
        double note_height = section.note ? height_of(note.get()) + 4 : 0;
        // A heading is never left alone at the foot of a page: it goes with the table's
        // header and its first row (or the "no entries" line).
        double first_row = table.row_heights.empty() ? 30 : table.row_heights.front();
        double keep_together = heading_height + note_height + table.header_height + first_row;
        if (y_ + keep_together > page_.body_bottom() && y_ > margin) {
            new_page();
        }
        draw(heading.get(), margin, y_);
        y_ += heading_height;
        if (section.note) {
            draw(note.get(), margin, y_);
            y_ += note_height;
        }
        if (table.rows.empty()) {
            put_block(texts::no_entries(), *fonts_.cell, 16);
            return;
        }
        draw_header(table);
        for (std::size_t r = 0; r < table.rows.size(); ++r) {
            double height = table.row_heights[r];
            if (y_ + height > page_.body_bottom()) {
                new_page();
                Layout again = layout(section.heading + " " + texts::continued(),
                                      *fonts_.header_cell, page_.body_width());
                draw(again.get(), margin, y_);
                y_ += height_of(again.get()) + 3;
                draw_header(table);
            }
            draw_row(table.rows[r], table.numeric[r], table.widths, height, false);
        }
        y_ += 16;
    }

    cairo_t* cr_;
    PangoContext* context_;
    const Fonts& fonts_;
    const PageGeometry& page_;
    const std::vector<MeasuredTable>& tables_;
    bool drawing_;
    int page_count_;
    int page_number_ = 1;
    double y_ = margin;
    std::unordered_map<std::string, Layout> drawn_cells_;
};

// A column narrower than this turns a date, a name or a verdict into a stack of short lines.
constexpr double comfortable_column = 80;

// Measures every table once; picks landscape when a table's columns cannot each have a
// comfortable width (or their natural one, if less) across a portrait page; then sets each
// table's widths and row heights for that page.
PageGeometry measure_tables(PangoContext* context, const Fonts& fonts, const Report& report,
                            std::vector<MeasuredTable>& tables) {
    TextMeasures header_measures(context, *fonts.header_cell);
    TextMeasures cell_measures(context, *fonts.cell);
    PageGeometry page = portrait;
    for (const Section& section : report.sections) {
        tables.push_back(measure_texts(section.table, header_measures, cell_measures));
        double comfortable = 0;
        for (double width : tables.back().natural_widths) {
            comfortable += std::min(width, comfortable_column);
        }
        if (comfortable > portrait.body_width()) {
            page = landscape;
        }
    }
    for (MeasuredTable& table : tables) {
        table.widths = column_widths(table, page.body_width());
        table.header_height = row_height(context, table.headings, table.widths, header_measures,
                                         *fonts.header_cell, page);
        table.row_heights.reserve(table.rows.size());
        for (const auto& row : table.rows) {
            table.row_heights.push_back(
                row_height(context, row, table.widths, cell_measures, *fonts.cell, page));
        }
    }
    return page;
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

void check(cairo_status_t status) {
    if (status != CAIRO_STATUS_SUCCESS) {
        throw std::runtime_error(std::string("PDF report: ") + cairo_status_to_string(status));
    }
}

}  // namespace

std::string render_pdf(const Report& report) {
    std::string bytes;
    Surface surface(
        cairo_pdf_surface_create_for_stream(append_to_string, &bytes, a4_short, a4_long));
    check(cairo_surface_status(surface.get()));
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                   valid_utf8(report.title).c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "cradled");
    Context cr(cairo_create(surface.get()));
    check(cairo_status(cr.get()));

    // One Pango context for every layout: a context per layout (pango_cairo_create_layout)
    // costs more than laying out a short cell. The drawing never scales or rotates, so the
    // context made from the cairo context stays valid.
    TextContext context(pango_cairo_create_context(cr.get()));
    Fonts fonts;
    std::vector<MeasuredTable> tables;
    PageGeometry page = measure_tables(context.get(), fonts, report, tables);
    // Nothing is drawn yet, so the first page can still take the chosen size.
    cairo_pdf_surface_set_size(surface.get(), page.width, page.height);
    int pages = PageSetter(cr.get(), context.get(), fonts, page, tables, false, 0).set(report);
    PageSetter(cr.get(), context.get(), fonts, page, tables, true, pages).set(report);

    context.reset();
    cr.reset();
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()));
    return bytes;
}

}  // namespace cradle::reports
