// SPDX-License-Identifier: Apache-2.0
// The register and the officers' roster held to the signed audit log. Their tables are not
// signed: whoever can write the catalog file can change a custodian, a history row or an
// officer's name. But every change of them is written with an audit entry that carries its
// contents (register_entries.hpp), so replaying those entries in order says what each row must
// be. Used by `cradlectl verify` (state_verifier.hpp).
#pragma once

#include "core/catalog/catalog.hpp"

#include <string>
#include <vector>

namespace cradle {

// The rows held to the log, read in one snapshot with it (a change committed in between would
// be in one and not in the other).
struct RegisterTables {
    std::vector<DeviceRow> devices;
    std::vector<DeviceHistoryRow> history;
    std::vector<OfficerRow> officers;
};

// Appends one problem per difference, naming the table, the device's serial or the officer's ID,
// the column, what the row holds and what the log says (with the entry's seq):
//  - each devices row's registered, custodian, officer, head, retired and retired_at are what
//    the latest device.registered and device.retired entries of its serial make them; a device
//    no entry names is unregistered, with no names; a device the log registers has its row;
//  - each device_history row is one register entry's: same serial and time, the action the log
//    implies, the names, who and why of its detail, the names before it as the log had them;
//    none is missing and none is extra;
//  - each officers row is what the latest officer.added or officer.changed entry of its ID makes
//    it (name, team, time, the ID as first added), none lacks its entry and none is missing.
// A catalog.rebuilt entry starts the register and the roster afresh: rebuild-catalog restores
// neither (they are not in the archive), and the changes after it are entered again.
// Register entries of a catalog before schema 3 have no history rows: an entry may lack its row
// when it is unsigned (before the log's first key) and no register entry before it has a row.
void check_register_against_audit(const std::vector<AuditRow>& audit, const RegisterTables& tables,
                                  std::vector<std::string>& problems);

}  // namespace cradle
