// SPDX-License-Identifier: Apache-2.0
// The catalog's life: opening (creating and migrating, or read-only), closing, SQLite's own
// checks, and the read snapshot the reports' queries read through. The queries of each table
// family are in catalog_<family>.cpp.
#include "core/catalog/catalog_internal.hpp"
#include "core/catalog/schema.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace cradle {

using namespace catalog_detail;
using sqlite::Query;

catalog_detail::State::~State() {
    if (audit_sink) {
        sqlite3_wal_hook(connection.handle(), nullptr, nullptr);
        sqlite3_rollback_hook(connection.handle(), nullptr, nullptr);
    }
}

namespace {

// The catalog names every camera, officer and custodian: readable by the service and its group,
// never by every local user. SQLite makes a new database file 0644 (less the umask) and gives
// its -wal and -shm files the database file's mode, so the file is made here first, 0640; a
// catalog of an earlier version made readable by others loses that.
const std::filesystem::path& with_private_file(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd >= 0) {
        ::close(fd);
        return file;
    }
    struct stat status {};
    if (::stat(file.c_str(), &status) == 0 && (status.st_mode & 0007) != 0 &&
        status.st_uid == ::geteuid()) {
        ::chmod(file.c_str(), status.st_mode & 0770);
    }
    return file;
}

}  // namespace

Catalog::Catalog(const std::filesystem::path& file, const char* vfs)
    : state_(std::make_unique<State>(with_private_file(file).string(), file.string(),
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs)) {
    sqlite::Connection& connection = state_->connection;
    // WAL with synchronous=FULL: a commit is durable when COMMIT returns (I3), and readers such
    // as cradlectl never block the daemon.
    std::string mode;
    {
        Query journal(connection, "PRAGMA journal_mode = WAL", "switching to WAL journaling",
                      sqlite::Prepare::once);
        if (journal.step()) mode = journal.text(0);
    }
    if (mode != "wal") {
        connection.fail("switching to WAL journaling",
                        "SQLite kept journal mode '" + sanitize_text(mode, 32) + "'");
    }
    connection.exec("PRAGMA synchronous = FULL", "setting synchronous=FULL");
    connection.exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
    schema::migrate(connection);
}

Catalog Catalog::open_read_only(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        throw CatalogError("no catalog at " + file.string());
    }
    const std::string name = file.string();
    // While a writer has the catalog open, or after it crashed, the -wal file exists and a
    // read-only connection shares its -shm index. Without a -wal file the main file holds every
    // committed transaction; opening it as immutable then keeps SQLite from creating -wal and
    // -shm files, which (owned by whoever ran cradlectl) could later lock out the daemon.
    std::error_code wal_ec;
    bool writer_present = std::filesystem::exists(name + "-wal", wal_ec);
    Catalog catalog;
    catalog.state_ = writer_present
                         ? std::make_unique<State>(name, name, SQLITE_OPEN_READONLY, nullptr)
                         : std::make_unique<State>(name, sqlite::immutable_uri(file),
                                                   SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
    sqlite::Connection& connection = catalog.state_->connection;
    if (!schema::has_schema_version_table(connection)) {
        throw CatalogError("catalog " + name + " is not a cradled catalog (no schema_version)");
    }
    int version = schema::read_schema_version(connection);
    schema::refuse_newer(name, version);
    if (version < kSchemaVersion) {
        throw CatalogError("catalog " + name + " has schema version " + std::to_string(version) +
                           " and needs migrating to version " + std::to_string(kSchemaVersion) +
                           " by the daemon before it can be read");
    }
    return catalog;
}

Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;
Catalog::~Catalog() = default;

sqlite::Connection& Catalog::db() const {
    return state_->connection;
}

int Catalog::schema_version() const {
    return schema::read_schema_version(db());
}

sqlite::ReadSnapshot Catalog::read_snapshot(std::string doing) const {
    return sqlite::ReadSnapshot(db(), std::move(doing));
}

std::vector<std::string> Catalog::check_integrity() const {
    std::vector<std::string> problems;
    {
        Query query(db(), "PRAGMA integrity_check", "checking the database's integrity",
                    sqlite::Prepare::once);
        while (query.step()) {
            std::string line = query.text(0);
            if (line != "ok") problems.push_back("catalog integrity: " + sanitize_text(line, 512));
        }
    }
    {
        Query query(db(), "PRAGMA foreign_key_check", "checking the catalog's foreign keys",
                    sqlite::Prepare::once);
        while (query.step()) {
            problems.push_back("catalog foreign key: row " + std::to_string(query.integer(1)) +
                               " of " + sanitize_text(query.text(0), 64) + " refers to a missing " +
                               sanitize_text(query.text(2), 64) + " row");
        }
    }
    return problems;
}

}  // namespace cradle
