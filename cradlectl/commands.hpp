// The commands of cradlectl. Offline ones read the state directory directly; the others talk
// to the running daemon over D-Bus. Each writes its report to `out` and returns the process
// exit status; failures of the bus or the daemon are thrown as BusClientError.
#pragma once

#include "cradlectl/arguments.hpp"

#include <filesystem>
#include <optional>
#include <ostream>
#include <stdexcept>

namespace cradle::ctl {

// The exit statuses, as cradlectl(1) documents them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;      // verify found problems; the daemon failed a request
inline constexpr int kExitUsage = 2;         // bad arguments, or the state cannot be opened
inline constexpr int kExitUnreachable = 3;   // no bus, cradled not on it, or not answering
inline constexpr int kExitDenied = 4;        // the caller may not change the register
inline constexpr int kExitNoSuchDevice = 5;  // no device with that serial

// Offline: no device with the serial asked for in the catalog.
class NoSuchDevice : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct OfflineOptions {
    std::filesystem::path state_dir;
    bool json = false;
    RecordingFilter filter;             // recordings
    std::string serial;                 // device, history ("" for all)
    std::optional<std::string> output;  // export -o FILE
};

int show_status(const OfflineOptions& options, std::ostream& out);
int show_devices(const OfflineOptions& options, std::ostream& out);
int show_device(const OfflineOptions& options, std::ostream& out);
int show_recordings(const OfflineOptions& options, std::ostream& out);
int verify(const OfflineOptions& options, std::ostream& out);
int show_history(const OfflineOptions& options, std::ostream& out);
int export_devices(const OfflineOptions& options, std::ostream& out);
int export_officers(const OfflineOptions& options, std::ostream& out);
// rebuild-catalog: builds the catalog from the archive alone (catalog_rebuild.hpp); refuses
// (exit 2) when a catalog exists; exit 1 when files disagreed with their records or the journal.
int rebuild_catalog_command(const OfflineOptions& options, std::ostream& out);

// Over D-Bus, to the daemon on invocation.bus_address.
int bus_status(const Invocation& invocation, std::ostream& out);
int bus_devices(const Invocation& invocation, std::ostream& out);
int bus_device(const Invocation& invocation, std::ostream& out);
int bus_recordings(const Invocation& invocation, std::ostream& out);
int bus_verify(const Invocation& invocation, std::ostream& out);
int bus_register(const Invocation& invocation, std::ostream& out);
int bus_assign(const Invocation& invocation, std::ostream& out);
int bus_retire(const Invocation& invocation, std::ostream& out);
int bus_history(const Invocation& invocation, std::ostream& out);
int bus_export(const Invocation& invocation, std::ostream& out);
// import devices FILE: checks every line first and applies nothing when any is wrong (exit 2,
// each problem naming its line on stderr); then one RegisterDevice per new or changed row.
int bus_import(const Invocation& invocation, std::ostream& out);
// import officers FILE: the same, in one ImportOfficers call (the daemon applies all or none).
int bus_import_officers(const Invocation& invocation, std::ostream& out);
int bus_export_officers(const Invocation& invocation, std::ostream& out);
// status --watch: a live view, redrawn in place on a terminal, one line per change otherwise.
int watch_status(const Invocation& invocation, std::ostream& out);

// report assignments|dock: over the bus, or offline with invocation.state_dir. Builds the report
// in the reader's language and time zone, and writes it to -o FILE (whole or not at all) or to
// `out`. Usage errors, and an -o FILE that cannot be written, are said on stderr (exit 2).
int report_command(const Invocation& invocation, std::ostream& out);

// `cradlectl bays ...` (argv after "bays"): learns the bay map over USB; needs no state
// directory. Exit status 1 when a bay got no camera.
int bays_command(int argc, char** argv, std::ostream& out);

}  // namespace cradle::ctl
