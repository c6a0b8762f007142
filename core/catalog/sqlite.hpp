// SPDX-License-Identifier: Apache-2.0
// The one SQLite wrapper of the catalog: a connection that owns its database handle and its
// prepared statements, one execution of a statement (bind, step, read columns), write and read
// transactions, and errors that name the catalog file and what was being done.
#pragma once

#include "core/catalog/catalog_error.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cradle::sqlite {

// Marks a parameter to be bound as a BLOB (raw bytes) rather than as text.
struct Blob {
    std::string_view bytes;
};

// "file:<path>?immutable=1", the path percent-encoded as URI filenames require.
std::string immutable_uri(const std::filesystem::path& file);

// One open database. `file` names the catalog in messages; the statements it keeps live as long
// as the connection, keyed by their SQL text.
class Connection {
  public:
    // `filename` is what SQLite opens (maybe a URI); vfs names an SQLite VFS (nullptr: default).
    Connection(std::string file, const std::string& filename, int flags, const char* vfs);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    sqlite3* handle() const { return db_; }
    const std::string& file() const { return file_; }

    // Runs one or more statements that return no rows.
    void exec(const char* sql, std::string_view doing);

    // "catalog <file>: <doing>: <SQLite's message> (SQLite code <rc>)".
    [[noreturn]] void fail(std::string_view doing, int rc) const;
    // "catalog <file>: <doing>: <problem>".
    [[noreturn]] void fail(std::string_view doing, std::string_view problem) const;

    std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
    int changes() const { return sqlite3_changes(db_); }

  private:
    friend class Query;

    [[noreturn]] void fail_with(sqlite3* db, std::string_view doing, int rc) const;

    struct StatementFinalizer {
        void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
    };
    using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

    std::string file_;
    sqlite3* db_ = nullptr;
    // Declared after db_ so that the statements are finalized before the database closes (a
    // connection with live statements would stay open).
    std::unordered_map<std::string_view, StatementPtr> statements_;
};

// How a Query's statement is prepared.
enum class Prepare {
    // Kept by the connection for its life; the SQL must be a string literal (the key's
    // characters must live as long as the program).
    kept,
    // Prepared for this Query alone.
    once,
    // Prepared for this Query alone, and refused unless it only reads.
    read_only,
};

// One execution of a statement: binds, steps, reads columns; resets the statement when done so
// a kept statement never holds a read transaction open. A Query may be bound and stepped again:
// bind() starts it over.
class Query {
  public:
    Query(Connection& connection, std::string_view sql, std::string doing,
          Prepare prepare = Prepare::kept);
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    ~Query();

    // Starts the statement over and binds the values to its parameters, in order.
    template <typename... Values>
    Query& bind(const Values&... values) {
        sqlite3_reset(stmt_);
        int index = 0;
        (bind_one(++index, values), ...);
        return *this;
    }

    // True while there is a row to read.
    bool step();
    void run() {
        while (step()) {
        }
    }

    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    std::string text(int column) const;
    std::string blob(int column) const;

    const std::string& doing() const { return doing_; }

  private:
    Connection::StatementPtr prepare(std::string_view sql, bool persistent);
    void check_bind(int rc);
    void bind_one(int index, std::int64_t value);
    void bind_one(int index, int value);
    void bind_one(int index, std::string_view value);
    void bind_one(int index, const std::string& value) { bind_one(index, std::string_view(value)); }
    void bind_one(int index, const char* value) { bind_one(index, std::string_view(value)); }
    void bind_one(int index, Blob value);
    void bind_one(int index, std::nullptr_t);
    void bind_one(int index, const std::optional<std::int64_t>& value);

    Connection& connection_;
    std::string doing_;
    sqlite3_stmt* stmt_ = nullptr;
    Connection::StatementPtr owned_;
};

// BEGIN IMMEDIATE (take the write lock up front, so a busy database fails at the start and not
// half-way); rolls back unless committed.
class Transaction {
  public:
    Transaction(Connection& connection, std::string doing);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

  private:
    Connection& connection_;
    std::string doing_;
    bool committed_ = false;
};

// A deferred read transaction: every query made through it sees the same committed state,
// while a writer goes on writing (WAL). It only reads: a statement that would write is refused.
class ReadSnapshot {
  public:
    ReadSnapshot(Connection& connection, std::string doing);
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;
    ~ReadSnapshot();

    // A statement of this snapshot, prepared for the caller alone; errors name `doing`.
    Query query(std::string_view sql) {
        return Query(connection_, sql, doing_, Prepare::read_only);
    }
    const std::string& doing() const { return doing_; }

  private:
    Connection& connection_;
    std::string doing_;
};

}  // namespace cradle::sqlite
