// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/sqlite.hpp"

#include <cctype>
#include <cstring>
#include <utility>

namespace cradle::sqlite {

namespace {

constexpr int kBusyTimeoutMs = 5000;

struct SqliteFree {
    void operator()(char* text) const noexcept { sqlite3_free(text); }
};

}  // namespace

std::string immutable_uri(const std::filesystem::path& file) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string uri = "file:";
    for (char c : std::filesystem::absolute(file).string()) {
        auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || std::strchr("/-._~", c) != nullptr) {
            uri += c;
        } else {
            uri += '%';
            uri += kHex[byte >> 4];
            uri += kHex[byte & 0xf];
        }
    }
    return uri + "?immutable=1";
}

// ---- Connection ----------------------------------------------------------------------------

Connection::Connection(std::string file, const std::string& filename, int flags, const char* vfs)
    : file_(std::move(file)) {
    int rc = sqlite3_open_v2(filename.c_str(), &db_, flags, vfs);
    if (rc != SQLITE_OK) {
        // SQLite hands back a handle (for its message) even when the open fails.
        struct Closer {
            sqlite3* db;
            ~Closer() { sqlite3_close_v2(db); }
        } closer{std::exchange(db_, nullptr)};
        fail_with(closer.db, "opening", rc);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

Connection::~Connection() {
    statements_.clear();
    sqlite3_close_v2(db_);
}

void Connection::exec(const char* sql, std::string_view doing) {
    char* raw_error = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &raw_error);
    std::unique_ptr<char, SqliteFree> error(raw_error);
    if (rc != SQLITE_OK) {
        std::string message = "catalog " + file_ + ": " + std::string(doing) + ": ";
        message += error ? error.get() : sqlite3_errstr(rc);
        message += " (SQLite code " + std::to_string(rc) + ")";
        throw CatalogError(message);
    }
}

void Connection::fail(std::string_view doing, int rc) const {
    fail_with(db_, doing, rc);
}

void Connection::fail_with(sqlite3* db, std::string_view doing, int rc) const {
    std::string message = "catalog " + file_ + ": " + std::string(doing) + ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    message += " (SQLite code " + std::to_string(rc) + ")";
    throw CatalogError(message);
}

void Connection::fail(std::string_view doing, std::string_view problem) const {
    throw CatalogError("catalog " + file_ + ": " + std::string(doing) + ": " +
                       std::string(problem));
}

// ---- Query ---------------------------------------------------------------------------------

Query::Query(Connection& connection, std::string_view sql, std::string doing, Prepare how)
    : connection_(connection), doing_(std::move(doing)) {
    if (how == Prepare::kept) {
        auto& kept = connection_.statements_;
        auto found = kept.find(sql);
        // A statement still in use (a caller further up is iterating it) gets a private copy.
        if (found != kept.end() && !sqlite3_stmt_busy(found->second.get())) {
            stmt_ = found->second.get();
            return;
        }
        Connection::StatementPtr prepared = prepare(sql, true);
        stmt_ = prepared.get();
        if (!kept.contains(sql)) {
            kept.emplace(sql, std::move(prepared));
        } else {
            owned_ = std::move(prepared);
        }
        return;
    }
    owned_ = prepare(sql, false);
    stmt_ = owned_.get();
    if (how == Prepare::read_only && sqlite3_stmt_readonly(stmt_) == 0) {
        connection_.fail(doing_, "a statement that writes was given to a read-only snapshot");
    }
}

Query::~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Query::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    connection_.fail(doing_, rc);
}

std::string Query::text(int column) const {
    const unsigned char* data = sqlite3_column_text(stmt_, column);
    int length = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
}

std::string Query::blob(int column) const {
    const void* data = sqlite3_column_blob(stmt_, column);
    int length = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr) return {};
    return std::string(static_cast<const char*>(data), static_cast<std::size_t>(length));
}

Connection::StatementPtr Query::prepare(std::string_view sql, bool persistent) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(connection_.db_, sql.data(), static_cast<int>(sql.size()),
                                persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
    Connection::StatementPtr prepared(raw);
    if (rc != SQLITE_OK) connection_.fail(doing_, rc);
    return prepared;
}

void Query::check_bind(int rc) {
    if (rc != SQLITE_OK) connection_.fail(doing_, rc);
}

void Query::bind_one(int index, std::int64_t value) {
    check_bind(sqlite3_bind_int64(stmt_, index, value));
}

void Query::bind_one(int index, int value) {
    check_bind(sqlite3_bind_int(stmt_, index, value));
}

void Query::bind_one(int index, std::string_view value) {
    check_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8));
}

void Query::bind_one(int index, Blob value) {
    // A zero-length blob must still be a blob, not NULL: bind a non-null pointer.
    static const char kEmpty = 0;
    const char* data = value.bytes.empty() ? &kEmpty : value.bytes.data();
    check_bind(sqlite3_bind_blob64(stmt_, index, data, value.bytes.size(), SQLITE_TRANSIENT));
}

void Query::bind_one(int index, std::nullptr_t) {
    check_bind(sqlite3_bind_null(stmt_, index));
}

void Query::bind_one(int index, const std::optional<std::int64_t>& value) {
    if (value) {
        bind_one(index, *value);
    } else {
        bind_one(index, nullptr);
    }
}

// ---- Transactions --------------------------------------------------------------------------

Transaction::Transaction(Connection& connection, std::string doing)
    : connection_(connection), doing_(std::move(doing)) {
    connection_.exec("BEGIN IMMEDIATE", doing_);
}

Transaction::~Transaction() {
    // After a failed COMMIT SQLite may already have rolled back on its own.
    if (!committed_ && sqlite3_get_autocommit(connection_.handle()) == 0) {
        sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    connection_.exec("COMMIT", doing_);
    committed_ = true;
}

ReadSnapshot::ReadSnapshot(Connection& connection, std::string doing)
    : connection_(connection), doing_(std::move(doing)) {
    Query(connection_, "BEGIN", doing_, Prepare::once).run();
}

ReadSnapshot::~ReadSnapshot() {
    if (sqlite3_get_autocommit(connection_.handle()) == 0) {
        sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

}  // namespace cradle::sqlite
