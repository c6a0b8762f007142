// SPDX-License-Identifier: Apache-2.0
// `cradlectl status --watch`: the bays as they change, driven by the daemon's signals. On a
// terminal the lines are redrawn in place; otherwise (a pipe, a file, a test) each change is
// one more line, so that the output reads as a log of the docks.
#pragma once

#include "cradlectl/bus_client.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>

namespace cradle::ctl {

class LiveView : public BayWatcher {
  public:
    // terminal: `out` is a terminal (lines redrawn in place); json: one JSON object per change.
    LiveView(std::ostream& out, bool terminal, bool json, bool until_idle)
        : out_(out), terminal_(terminal && !json), json_(json), until_idle_(until_idle) {}

    void bay_changed(const BayInfo& bay) override;
    void dock_finished(const DockFinished& dock) override;
    bool done() const override { return until_idle_ && idle(); }

    // Every bay is empty, or done with its dock's end seen; and some bay has had a camera
    // during the watch. A cradle that shows only empty bays may just be starting (its docked
    // cameras not reported yet), so "idle" then means: after the next docks.
    bool idle() const;

  private:
    struct Bay {
        BayInfo info;
        std::optional<DockFinished> last_dock;
        bool seen = false;
        bool awaiting_finish = false;
        std::string printed;  // the bay's last line written
    };

    void show(Bay& entry);
    void print_if_changed(Bay& entry, const std::string& line);
    // Moves up over the lines drawn last time and draws every seen bay again.
    void redraw();

    std::ostream& out_;
    bool terminal_;
    bool json_;
    bool until_idle_;
    std::map<std::uint32_t, Bay> bays_;
    std::size_t lines_drawn_ = 0;
    std::string drawn_;  // the lines on the screen, to skip a redraw that changes nothing
    bool camera_seen_ = false;
};

}  // namespace cradle::ctl
