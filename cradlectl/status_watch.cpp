// `cradlectl status --watch`: the bays as they change, driven by the daemon's signals. On a
// terminal the lines are redrawn in place; otherwise (a pipe, a file, a test) each change is
// one more line, so that the output reads as a log of the docks.
#include "cradlectl/bay_line.hpp"
#include "cradlectl/bus_client.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/text_output.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <optional>
#include <string>

namespace cradle::ctl {
namespace {

std::size_t terminal_columns() {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

class LiveView : public BayWatcher {
  public:
    LiveView(std::ostream& out, bool terminal, bool json, bool until_idle)
        : out_(out), terminal_(terminal && !json), json_(json), until_idle_(until_idle) {}

    void bay_changed(const BayInfo& bay) override {
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

    void dock_finished(const DockFinished& dock) override {
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

    bool done() const override { return until_idle_ && idle(); }

    // Every bay is empty, or done with its dock's end seen; and some bay has had a camera
    // during the watch. A cradle that shows only empty bays may just be starting (its docked
    // cameras not reported yet), so "idle" then means: after the next docks.
    bool idle() const {
        if (bays_.empty() || !camera_seen_) return false;
        for (const auto& [number, entry] : bays_) {
            if (!entry.seen) return false;
            if (entry.info.phase == "empty") continue;
            if (entry.info.phase == "done" && !entry.awaiting_finish) continue;
            return false;
        }
        return true;
    }

  private:
    struct Bay {
        BayInfo info;
        std::optional<DockFinished> last_dock;
        bool seen = false;
        bool awaiting_finish = false;
        std::string printed;  // the bay's last line written
    };

    void show(Bay& entry) {
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

    void print_if_changed(Bay& entry, const std::string& line) {
        if (line == entry.printed) return;
        entry.printed = line;
        out_ << line << std::endl;
    }

    // Moves up over the lines drawn last time and draws every seen bay again.
    void redraw() {
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

    std::ostream& out_;
    bool terminal_;
    bool json_;
    bool until_idle_;
    std::map<std::uint32_t, Bay> bays_;
    std::size_t lines_drawn_ = 0;
    std::string drawn_;  // the lines on the screen, to skip a redraw that changes nothing
    bool camera_seen_ = false;
};

}  // namespace

int watch_status(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    if (invocation.wait && !bus.wait_for_service()) return kExitOk;
    const bool terminal = &out == &std::cout && ::isatty(STDOUT_FILENO) == 1;
    LiveView view(out, terminal, invocation.json, invocation.until_idle);
    switch (bus.watch(view)) {
        case WatchEnd::done:
        case WatchEnd::interrupted:
            return kExitOk;
        case WatchEnd::service_left:
            // The daemon may end its run as the last bay finishes (--exit-when-idle).
            if (invocation.until_idle && view.idle()) return kExitOk;
            throw BusClientError(BusFailure::unreachable, "cradled left " + bus.bus_description());
    }
    return kExitOk;
}

}  // namespace cradle::ctl
