// SPDX-License-Identifier: Apache-2.0
// The audit log journalled into the archive (invariant I6): archive/audit.journal holds one line
// per audit row, appended and fsynced after the row's catalog transaction has committed, so a
// crash leaves the journal at most behind the catalog, never ahead of it. At start the daemon
// appends what the catalog holds beyond the journal; a journal ahead of the catalog means the
// catalog is missing or older than the archive (catalog_guard.hpp).
//
// Line format: tab-separated, ending in "\n":
//   v1 seq at event bay device_serial recording_id detail prev_hash hash
//   v2 seq at event bay device_serial recording_id detail prev_hash hash key_id signature
// v2 is a signed entry (schema 7, audit_signatures.hpp); v1 one written before the key.
// Text fields are percent-escaped ('%', tab, line breaks and other control bytes as %XX), so a
// line is always one line; the hash is Catalog::audit_hash of the row, which the reader checks.
#pragma once

#include "common/fs.hpp"
#include "core/catalog/catalog.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cradle {

inline constexpr std::string_view kAuditJournalName = "audit.journal";

std::string format_journal_line(const AuditRow& row);
// One line without its "\n"; nullopt with `error` set when it is not a well-formed v1/v2 line
// (the hash is not checked here: verify_journal_chain does).
std::optional<AuditRow> parse_journal_line(std::string_view line, std::string& error);

struct JournalContents {
    bool exists = false;
    std::vector<AuditRow> rows;         // the well-formed lines, in file order
    std::vector<std::string> problems;  // "audit.journal line N: ..." for malformed lines
    std::uint64_t complete_bytes = 0;   // up to and including the last "\n"
    bool torn_tail = false;             // bytes after the last "\n" (a write cut short)
    std::int64_t last_seq() const { return rows.empty() ? 0 : rows.back().seq; }
};

// Reads a journal file (absent: exists = false). Throws std::system_error when it cannot be
// read. Lines longer than a row can be are malformed.
JournalContents read_journal(const std::filesystem::path& file);

// The chain of journal rows: consecutive seq from 1, each linking to the previous one's hash,
// each hash recomputing. Appends one problem per break; returns how many rows from the start
// are intact.
std::size_t check_journal_chain(const std::vector<AuditRow>& rows,
                                std::vector<std::string>& problems);

class AuditJournal {
  public:
    AuditJournal(FileSystem& fs, std::filesystem::path archive_root);

    const std::filesystem::path& file() const { return file_; }

    // Start-up: brings the journal up to the catalog's audit log (a state directory of an older
    // version gets its journal written here). Throws CatalogBehindArchive when the journal holds
    // an entry the catalog does not hold alike, std::system_error when it cannot be written.
    void catch_up(const std::vector<AuditRow>& catalog_rows);

    // After a commit. Never throws: returns the error text when the rows could not be written
    // (the journal then stays behind until the next start catches it up, and nothing more is
    // appended in this run, so that it never holds a gap).
    std::optional<std::string> append(const std::vector<AuditRow>& rows) noexcept;

  private:
    void write_lines(const std::string& text);

    FileSystem& fs_;
    std::filesystem::path archive_root_;
    std::filesystem::path file_;
    std::int64_t last_seq_ = 0;
    bool broken_ = false;
    bool entry_durable_ = false;
};

}  // namespace cradle
