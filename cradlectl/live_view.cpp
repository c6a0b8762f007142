// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/live_view.hpp"

#include "cradlectl/bay_line.hpp"
#include "cradlectl/text_output.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace cradle::ctl {
namespace {

std::size_t terminal_columns() {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

}  // namespace

void LiveView::bay_changed(const BayInfo& bay) {
    Bay& entry = bays_[bay.bay];
    const bool first_sight = !entry.seen;
    if (bay.phase == "empty" || bay.phase == "identifying") entry.last_dock.reset();
    if (bay.phase == "done" && entry.info.phase != "done") {
        // A dock seen ending here is settled once its DockFinished has come too, so that
        // the last line shows what it archived; one already done when the watch began
        // will get none.
        entry.awaiting_finish =
            !first_sight && !(entry.last_dock && entry.last_dock->serial == bay.serial);
    }
    if (bay.phase != "done") entry.awaiting_finish = false;
    entry.info = bay;
    entry.seen = true;
    if (bay.phase != "empty") camera_seen_ = true;
    show(entry);
}

void LiveView::dock_finished(const DockFinished& dock) {
    Bay& entry = bays_[dock.bay];
    entry.info.bay = dock.bay;
    entry.last_dock = dock;
    entry.awaiting_finish = false;
    if (json_) {
        JsonObject object;
        object.add("event", "dock_finished")
            .add("bay", static_cast<std::uint64_t>(dock.bay))
            .add("serial", dock.serial)
            .add("light", dock.light)
            .add("outcome", dock.outcome)
            .add("archived", static_cast<std::uint64_t>(dock.archived))
            .add("wiped", static_cast<std::uint64_t>(dock.wiped))
            .add("left", static_cast<std::uint64_t>(dock.left));
        out_ << object.str() << std::endl;
        return;
    }
    if (entry.seen) show(entry);
}

bool LiveView::idle() const {
    if (bays_.empty() || !camera_seen_) return false;
    for (const auto& [number, entry] : bays_) {
        if (!entry.seen) return false;
        if (entry.info.phase == "empty") continue;
        if (entry.info.phase == "done" && !entry.awaiting_finish) continue;
        return false;
    }
    return true;
}

void LiveView::show(Bay& entry) {
    if (json_) {
        std::string line = bay_json(entry.info);
        line.insert(1, "\"event\": \"bay\", ");
        print_if_changed(entry, line);
    } else if (!terminal_) {
        // One line per change, and one "done" line per dock: the one with what it archived,
        // which comes with the dock's DockFinished.
        if (entry.awaiting_finish) return;
        print_if_changed(entry, bay_line(entry.info, entry.last_dock));
    } else {
        redraw();
    }
}

void LiveView::print_if_changed(Bay& entry, const std::string& line) {
    if (line == entry.printed) return;
    entry.printed = line;
    out_ << line << std::endl;
}

void LiveView::redraw() {
    const std::size_t columns = terminal_columns();
    std::string lines_text;
    std::size_t lines = 0;
    for (const auto& [number, entry] : bays_) {
        if (!entry.seen) continue;
        lines_text += "\r\x1b[2K" +
                      fit_to_columns(bay_line(entry.info, entry.last_dock),
                                     columns > 1 ? columns - 1 : columns) +
                      "\n";
        ++lines;
    }
    if (lines_text == drawn_) return;
    std::string frame;
    if (lines_drawn_ > 0) frame += "\x1b[" + std::to_string(lines_drawn_) + "A";
    out_ << frame << lines_text << std::flush;
    drawn_ = std::move(lines_text);
    lines_drawn_ = lines;
}

}  // namespace cradle::ctl
