// SPDX-License-Identifier: Apache-2.0
// The commands of cradlectl, one file each under commands/. Each asks its data source (the
// running daemon over D-Bus, or a state directory offline: data_source.hpp), writes what it
// shows to `out` and returns the process exit status; what the source fails with is thrown
// and said by the caller, in the conventions of its mode (main.cpp).
#pragma once

#include "cradlectl/arguments.hpp"

#include <ostream>

namespace cradle::ctl {

class DataSource;

// The exit statuses, as cradlectl(1) documents them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;      // verify found problems; the daemon failed a request
inline constexpr int kExitUsage = 2;         // bad arguments, or the state cannot be opened
inline constexpr int kExitUnreachable = 3;   // no bus, cradled not on it, or not answering
inline constexpr int kExitDenied = 4;        // the caller lacks the right the command needs
inline constexpr int kExitNoSuchDevice = 5;  // no device with that serial

using Command = int (*)(const Invocation& invocation, DataSource& source, std::ostream& out);

// status [--watch]: the live bays over the bus, a summary of the catalog offline.
int status_command(const Invocation& invocation, DataSource& source, std::ostream& out);
int devices_command(const Invocation& invocation, DataSource& source, std::ostream& out);
int device_command(const Invocation& invocation, DataSource& source, std::ostream& out);
int recordings_command(const Invocation& invocation, DataSource& source, std::ostream& out);
// Exit status 1 when problems were found.
int verify_command(const Invocation& invocation, DataSource& source, std::ostream& out);
// identity: the audit log's signing key (PEM) and its fingerprint. Exit 1 when there is none.
int identity_command(const Invocation& invocation, DataSource& source, std::ostream& out);
int history_command(const Invocation& invocation, DataSource& source, std::ostream& out);
// register, assign, retire: the register's changes, one device at a time.
int register_command(const Invocation& invocation, DataSource& source, std::ostream& out);
int assign_command(const Invocation& invocation, DataSource& source, std::ostream& out);
int retire_command(const Invocation& invocation, DataSource& source, std::ostream& out);
// import devices|officers FILE: checks every line first and applies nothing when any is wrong
// (exit 2, each problem naming its line on stderr). Devices: one register change per new or
// changed row; officers: one import, which the daemon applies all or none.
int import_command(const Invocation& invocation, DataSource& source, std::ostream& out);
// export devices|officers [-o FILE]: the register or the roster as CSV.
int export_command(const Invocation& invocation, DataSource& source, std::ostream& out);
// mark and unmark (confidentiality).
int mark_command(const Invocation& invocation, DataSource& source, std::ostream& out);
// report assignments|dock: builds the report in the reader's language and time zone from the
// source's facts, and writes it to -o FILE (whole or not at all) or to `out`. Usage errors,
// and an -o FILE that cannot be written, are said on stderr (exit 2).
int report_command(const Invocation& invocation, DataSource& source, std::ostream& out);
// rebuild-catalog: builds the catalog of invocation.state_dir from the archive alone
// (catalog_rebuild.hpp). It writes the catalog the sources read, so it asks none of them.
// Refuses (exit 2) when a catalog exists; exit 1 when files disagreed with their records or
// the journal.
int rebuild_catalog_command(const Invocation& invocation, DataSource& source, std::ostream& out);

// `cradlectl remote ...` (argv after "remote"): the central archive (remote_command.cpp).
// Exit status 1 when verify found problems or the store failed.
int remote_command(int argc, char** argv, std::ostream& out);

// The command of that name; nullptr for none.
Command find_command(const std::string& name);

// `cradlectl bays ...` (argv after "bays"): learns the bay map over USB; needs no state
// directory. Exit status 1 when a bay got no camera.
int bays_command(int argc, char** argv, std::ostream& out);

}  // namespace cradle::ctl
