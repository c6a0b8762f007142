// cairo and pango stay in this file: the rest of the project sees a Report in, bytes out.
#include "reports/pdf.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "reports/cell_text.hpp"
#include "reports/report_texts.hpp"
#include "reports/utf8.hpp"

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
using Font = std::unique_ptr<PangoFontDescription, FontRelease>;

// A4 in points, 15 mm margins.
constexpr double page_width = 595.276;
constexpr double page_height = 841.890;
constexpr double margin = 42.5;
constexpr double footer_height = 24;
constexpr double body_width = page_width - 2 * margin;
constexpr double body_bottom = page_height - margin - footer_height;
constexpr double cell_padding = 3;
// A cell taller than this is cut with an ellipsis: one row never needs more than a page.
constexpr double max_cell_height = (body_bottom - margin) / 2;

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

// Sets out a report on pages. It runs twice: once without drawing, to count the pages for
// "page N of M", then drawing; both runs break pages at the same places.
class PageSetter {
  public:
    PageSetter(cairo_t* cr, const Fonts& fonts, bool drawing, int page_count)
        : cr_(cr), fonts_(fonts), drawing_(drawing), page_count_(page_count) {}

    int set(const Report& report) {
        page_ = 1;
        y_ = margin;
        put_block(report.title, *fonts_.title, 4);
        put_block(report.subtitle, *fonts_.subtitle, 2);
        put_block(texts::generated_at(cell_text(time_utc(report.generated_at_utc))),
                  *fonts_.subtitle, 14);
        for (const Section& section : report.sections) {
            set_section(section);
        }
        finish_page();
        return page_;
    }

  private:
    Layout layout(const std::string& text, const PangoFontDescription& font, double width,
                  PangoAlignment alignment = PANGO_ALIGN_LEFT) {
        Layout made(pango_cairo_create_layout(cr_));
        pango_layout_set_font_description(made.get(), &font);
        if (width > 0) {
            pango_layout_set_width(made.get(), static_cast<int>(width * PANGO_SCALE));
            pango_layout_set_wrap(made.get(), PANGO_WRAP_WORD_CHAR);
            pango_layout_set_height(made.get(), static_cast<int>(max_cell_height * PANGO_SCALE));
            pango_layout_set_ellipsize(made.get(), PANGO_ELLIPSIZE_END);
        }
        pango_layout_set_alignment(made.get(), alignment);
        std::string valid = valid_utf8(text);
        pango_layout_set_text(made.get(), valid.data(), static_cast<int>(valid.size()));
        return made;
    }

    static double height_of(PangoLayout* laid) {
        PangoRectangle logical;
        pango_layout_get_extents(laid, nullptr, &logical);
        return static_cast<double>(logical.height) / PANGO_SCALE;
    }
    static double width_of(PangoLayout* laid) {
        PangoRectangle logical;
        pango_layout_get_extents(laid, nullptr, &logical);
        return static_cast<double>(logical.width) / PANGO_SCALE;
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
        Layout laid = layout(text, font, body_width);
        double height = height_of(laid.get());
        if (y_ + height > body_bottom && y_ > margin) {
            new_page();
        }
        draw(laid.get(), margin, y_);
        y_ += height + gap_after;
    }

    void finish_page() {
        if (!drawing_) {
            return;
        }
        Layout footer = layout(texts::page_of(page_, page_count_), *fonts_.footer, body_width,
                               PANGO_ALIGN_CENTER);
        draw(footer.get(), margin, page_height - margin - height_of(footer.get()));
        cairo_show_page(cr_);
    }

    void new_page() {
        finish_page();
        ++page_;
        y_ = margin;
    }

    // Widths that share the page: each column gets its natural width up to a common cap, the
    // cap chosen so the columns fill the body exactly when they do not all fit.
    std::vector<double> column_widths(const Table& table) {
        std::size_t count = table.columns.size();
        std::vector<double> natural(count, 0);
        for (std::size_t c = 0; c < count; ++c) {
            Layout laid = layout(table.columns[c].heading, *fonts_.header_cell, 0);
            natural[c] = width_of(laid.get());
        }
        for (const auto& row : table.rows) {
            for (std::size_t c = 0; c < count && c < row.size(); ++c) {
                Layout laid = layout(cell_text(row[c]), *fonts_.cell, 0);
                natural[c] = std::max(natural[c], width_of(laid.get()));
            }
        }
        for (double& width : natural) {
            width += 2 * cell_padding + 1;
        }
        double total = 0;
        for (double width : natural) {
            total += width;
        }
        if (total <= body_width) {
            return natural;
        }
        double low = 0;
        double high = body_width;
        for (int step = 0; step < 40; ++step) {
            double cap = (low + high) / 2;
            double sum = 0;
            for (double width : natural) {
                sum += std::min(width, cap);
            }
            (sum > body_width ? high : low) = cap;
        }
        std::vector<double> widths;
        for (double width : natural) {
            widths.push_back(std::min(width, low));
        }
        return widths;
    }

    struct LaidRow {
        std::vector<Layout> cells;
        std::vector<bool> right_aligned;
        double height = 0;
    };

    LaidRow lay_row(const std::vector<std::string>& texts, const std::vector<bool>& numeric,
                    const PangoFontDescription& font, const std::vector<double>& widths) {
        LaidRow row;
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const std::string& text = c < texts.size() ? texts[c] : std::string();
            bool right = c < numeric.size() && numeric[c];
            row.cells.push_back(layout(text, font, widths[c] - 2 * cell_padding,
                                       right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT));
            row.right_aligned.push_back(right);
            row.height = std::max(row.height, height_of(row.cells.back().get()));
        }
        row.height += 2 * cell_padding;
        return row;
    }

    void draw_row(const LaidRow& row, const std::vector<double>& widths, bool header) {
        if (drawing_) {
            double full = 0;
            for (double width : widths) {
                full += width;
            }
            if (header) {
                cairo_set_source_rgb(cr_, 0.88, 0.88, 0.88);
                cairo_rectangle(cr_, margin, y_, full, row.height);
                cairo_fill(cr_);
            }
            cairo_set_source_rgb(cr_, 0.6, 0.6, 0.6);
            cairo_set_line_width(cr_, 0.5);
            cairo_move_to(cr_, margin, y_ + row.height);
            cairo_line_to(cr_, margin + full, y_ + row.height);
            cairo_stroke(cr_);
            cairo_set_source_rgb(cr_, 0, 0, 0);
        }
        double x = margin;
        for (std::size_t c = 0; c < row.cells.size(); ++c) {
            draw(row.cells[c].get(), x + cell_padding, y_ + cell_padding);
            x += widths[c];
        }
        y_ += row.height;
    }

    void set_section(const Section& section) {
        const Table& table = section.table;
        std::vector<double> widths = column_widths(table);
        std::vector<std::string> headings;
        for (const Column& column : table.columns) {
            headings.push_back(column.heading);
        }
        LaidRow header = lay_row(headings, {}, *fonts_.header_cell, widths);

        Layout heading = layout(section.heading, *fonts_.heading, body_width);
        Layout note = layout(section.note.value_or(""), *fonts_.note, body_width);
        double heading_height = height_of(heading.get()) + 4;
        double note_height = section.note ? height_of(note.get()) + 4 : 0;
        // A heading is never left alone at the foot of a page: it goes with the table's
        // header and its first row (or the "no entries" line).
        double keep_together = heading_height + note_height + header.height + 30;
        if (y_ + keep_together > body_bottom && y_ > margin) {
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
        draw_row(header, widths, true);

        for (const auto& cells : table.rows) {
            std::vector<std::string> shown;
            std::vector<bool> numeric;
            for (const Cell& cell : cells) {
                shown.push_back(cell_text(cell));
                numeric.push_back(is_number(cell));
            }
            LaidRow row = lay_row(shown, numeric, *fonts_.cell, widths);
            if (y_ + row.height > body_bottom) {
                new_page();
                Layout again = layout(section.heading + " " + texts::continued(),
                                      *fonts_.header_cell, body_width);
                draw(again.get(), margin, y_);
                y_ += height_of(again.get()) + 3;
                header = lay_row(headings, {}, *fonts_.header_cell, widths);
                draw_row(header, widths, true);
            }
            draw_row(row, widths, false);
        }
        y_ += 16;
    }

    cairo_t* cr_;
    const Fonts& fonts_;
    bool drawing_;
    int page_count_;
    int page_ = 1;
    double y_ = margin;
};

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
        cairo_pdf_surface_create_for_stream(append_to_string, &bytes, page_width, page_height));
    check(cairo_surface_status(surface.get()));
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                   valid_utf8(report.title).c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "cradled");
    Context cr(cairo_create(surface.get()));
    check(cairo_status(cr.get()));

    Fonts fonts;
    int pages = PageSetter(cr.get(), fonts, false, 0).set(report);
    PageSetter(cr.get(), fonts, true, pages).set(report);

    cr.reset();
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()));
    return bytes;
}

}  // namespace cradle::reports
