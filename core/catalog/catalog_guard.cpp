// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/catalog_guard.hpp"

#include "core/catalog/audit_journal.hpp"
#include "core/catalog/catalog.hpp"

#include <charconv>
#include <string_view>
#include <system_error>

namespace cradle {

namespace {

namespace fs = std::filesystem;

// Whether the archive holds anything but its journal.
bool archive_holds_files(const fs::path& archive) {
    std::error_code ec;
    if (!fs::exists(archive, ec)) return false;
    for (auto it = fs::recursive_directory_iterator(archive, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code type_ec;
        if (it->is_directory(type_ec)) continue;
        if (it->path().parent_path() == archive &&
            it->path().filename() == std::string(kAuditJournalName)) {
            continue;
        }
        return true;
    }
    // An archive that cannot be listed cannot be shown to be empty.
    return static_cast<bool>(ec);
}

// Whether a catalog error is SQLite saying the file is not a database or is corrupt
// (SQLITE_NOTADB, SQLITE_CORRUPT and its extended codes), from the "(SQLite code N)" of the
// message.
bool is_damaged_database(std::string_view message) {
    constexpr std::string_view kCode = "(SQLite code ";
    const std::size_t at = message.rfind(kCode);
    if (at == std::string_view::npos) return false;
    int code = 0;
    const char* first = message.data() + at + kCode.size();
    auto [end, ec] = std::from_chars(first, message.data() + message.size(), code);
    if (ec != std::errc() || end == first) return false;
    const int primary = code & 0xff;
    return primary == 26 || primary == 11;
}

}  // namespace

CatalogBehindArchive::CatalogBehindArchive(const std::string& reason)
    : std::runtime_error(reason), reason_(reason) {}

std::string catalog_behind_archive_message(const std::string& reason, const fs::path& state_dir) {
    return "the catalog is behind the archive (" + reason +
           "): refusing to start rather than create a catalog over the archive; IT: run "
           "'cradlectl rebuild-catalog --state-dir " +
           state_dir.string() + "' (docs: operations, \"Catalog behind the archive\")";
}

void require_catalog_not_behind_archive(const fs::path& state_dir, const char* vfs) {
    const fs::path archive = state_dir / "archive";
    const fs::path catalog_file = state_dir / "catalog.sqlite";
    const JournalContents journal = read_journal(archive / std::string(kAuditJournalName));
    const std::int64_t journal_seq = journal.last_seq();
    const bool archive_used = journal_seq > 0 || archive_holds_files(archive);

    std::error_code ec;
    const bool exists = fs::exists(catalog_file, ec);
    if (ec) throw std::system_error(ec, "checking " + catalog_file.string());
    if (!exists) {
        if (archive_used) throw CatalogBehindArchive("the catalog is missing");
        return;  // a first start
    }
    const auto size = fs::file_size(catalog_file, ec);
    if (!ec && size == 0) {
        if (archive_used) throw CatalogBehindArchive("the catalog file is empty");
        return;
    }
    Catalog::AuditPeek peek;
    try {
        peek = Catalog::peek_audit(catalog_file, journal_seq, vfs);
    } catch (const CatalogError& error) {
        // A file that is not a database, or a damaged one, cannot index the archive; any other
        // failure (an I/O error, a lock) may pass, and is reported as it is.
        if (!archive_used || !is_damaged_database(error.what())) throw;
        throw CatalogBehindArchive(std::string("the catalog cannot be read: ") + error.what());
    }
    if (peek.last_seq == 0 && archive_used) {
        throw CatalogBehindArchive("the catalog holds no audit log");
    }
    if (peek.last_seq < journal_seq) {
        throw CatalogBehindArchive(
            "the catalog's audit log ends at entry " + std::to_string(peek.last_seq) +
            ", the archive's journal at entry " + std::to_string(journal_seq));
    }
    if (journal_seq > 0 && peek.hash_at_seq != journal.rows.back().hash_hex) {
        throw CatalogBehindArchive("the catalog's audit entry " + std::to_string(journal_seq) +
                                   " differs from the archive's journal");
    }
}

}  // namespace cradle
