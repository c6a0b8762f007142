// SPDX-License-Identifier: Apache-2.0
// What happened during one dock of one camera, as the bay session saw it. The daemon logs it,
// and `cradled --exit-when-idle` prints it per bay.
#pragma once

#include "hw/cradle.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cradle {

struct DockReport {
    int bay = 0;
    std::string serial;  // sanitised
    std::string model;
    std::string firmware;
    bool identified = false;
    bool registered = false;
    std::string custodian;
    std::string officer;
    std::string camera_officer_id;     // as the camera reports it (sanitised); "" when none
    std::int64_t dock_session_id = 0;  // the catalog's dock row; 0 before identification

    bool health_checked = false;      // the first health check answered
    bool battery_read = false;        // battery_percent comes from the camera
    bool storage_read = false;        // storage_free_after_bytes comes from the camera
    int battery_at_dock_percent = 0;  // at the first health check
    int battery_percent = 0;          // at the last health check
    bool charging = false;            // as the camera said at the last health check
    // Seconds to reach [readiness] battery_min_percent on charge; -1 when it is reached, or the
    // camera is not charging.
    std::int64_t charge_eta_s = -1;
    std::vector<std::string> faults;
    std::uint64_t storage_free_after_bytes = 0;

    bool clock_measured = false;
    std::int64_t clock_drift_ms = 0;        // measured before any correction
    std::int64_t clock_drift_after_ms = 0;  // read back after a correction
    bool clock_corrected = false;
    std::string clock_note;

    std::size_t recordings_found = 0;
    std::size_t archived = 0;          // copied and verified in this dock
    std::size_t already_archived = 0;  // verified in an earlier dock, still on the camera
    std::uint64_t archived_bytes = 0;
    std::size_t wiped = 0;
    std::size_t left_on_camera = 0;
    // Deleted, and still listed by the camera afterwards: not wiped (I1), a custodian's matter.
    std::size_t delete_not_effective = 0;
    // Listed before the wipe, not deleted by the cradle, and gone after it (a camera that
    // renumbered its objects under a delete): a custodian's matter.
    std::size_t vanished = 0;
    // Serial of a camera docked in another bay at the same time: this one is neither offloaded
    // nor wiped (their recordings could not be told apart by the catalog).
    int duplicate_serial_bay = 0;

    // Steps that failed while the dock went on (health, clock: I7), as "clock sync failed
    // (protocol: ...)": each one makes the camera not ready.
    std::vector<std::string> step_failures;

    bool device_timed_out = false;  // the camera stopped answering (the bay may power-cycle it)

    hw::BayLight light = hw::BayLight::off;
    std::string outcome;  // "ready for duty", "not ready: ...", "needs custodian: ...", ...
    // Not ready only for its battery, and charging: while the camera stays in its bay, the
    // service reads its health again every [readiness] battery_recheck_s (see ChargeWatch).
    bool awaiting_charge = false;
};

// What the dock leaves on the camera: the recordings it found there less those it wiped.
inline std::size_t still_on_camera(const DockReport& report) {
    return report.recordings_found >= report.wiped ? report.recordings_found - report.wiped : 0;
}

}  // namespace cradle
