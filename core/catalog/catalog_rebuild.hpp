// SPDX-License-Identifier: Apache-2.0
// Rebuilding the catalog from the archive alone (invariant I6): `cradlectl rebuild-catalog`.
// Every metadata record is read and validated, every archived file re-hashed against its
// record; the devices and recordings rows are made from the records, the audit log restored
// from the archive's journal (its chain verified), and whether a recording was wiped is taken
// from the journal's recording.wiped entries. Nothing in the archive is deleted, moved or
// written: a file that disagrees is named and left where it is (start-up recovery then puts it
// into quarantine). The register and the officers' roster are not in the archive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cradle {

struct RebuildReport {
    // Set when nothing was done (a catalog exists already, there is no archive): why.
    std::string refused;
    // One line per disagreement between the archive's files, records and journal.
    std::vector<std::string> disagreements;
    std::size_t devices = 0;
    std::size_t recordings = 0;
    std::size_t wiped = 0;
    std::size_t audit_entries = 0;
    bool written = false;  // the new catalog is in place
};

// Builds <state_dir>/catalog.sqlite (written as a temporary file, then renamed into place).
// Refuses when a catalog (or its -wal/-shm files) exists. `now` is the time of the
// catalog.rebuilt audit entry. Throws CatalogError or std::system_error when the catalog cannot
// be written.
RebuildReport rebuild_catalog(const std::filesystem::path& state_dir, std::int64_t now);

}  // namespace cradle
