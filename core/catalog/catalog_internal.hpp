// SPDX-License-Identifier: Apache-2.0
// What the files of the Catalog class share and nobody else sees: the connection and the audit
// rows waiting for their commit, the bounds on what is stored, and the readers of rows.
#pragma once

#include "core/catalog/catalog.hpp"
#include "core/catalog/sqlite.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cradle {

namespace catalog_detail {

// One open catalog: its connection (and the statements it keeps), and what the audit sink needs
// between a write and its commit.
struct State {
    State(std::string file, const std::string& filename, int flags, const char* vfs)
        : connection(std::move(file), filename, flags, vfs) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    // Turns the commit and rollback hooks off before the connection closes: they reach this.
    ~State();

    sqlite::Connection connection;
    // Audit rows appended by the transaction in progress, for the audit sink after its commit.
    std::vector<AuditRow> pending_audit;
    std::function<void(const std::vector<AuditRow>&)> audit_sink;
    // Signs each appended audit row (null: unsigned).
    std::shared_ptr<const SigningKey> signer;
};

// Bounds on what the catalog stores, whoever asks: a device can lie about anything.
constexpr std::size_t kMaxIdentityBytes = 128;
constexpr std::size_t kMaxEventBytes = 64;
constexpr std::size_t kMaxDetailBytes = 1024;
constexpr std::size_t kMaxOutcomeBytes = 512;
constexpr std::size_t kMaxRecordingNameBytes = 4096;
constexpr std::size_t kMaxArchivePathBytes = 4096;

std::optional<RecordingState> parse_state(std::string_view text);
bool is_sha256_hex(std::string_view text);

// Rows of the queries that select them, in the columns' order of the queries of devices, recordings
// and the audit log.
DeviceRow read_device(const sqlite::Query& query);
RecordingRow read_recording(const sqlite::Query& query);
AuditRow read_audit(const sqlite::Query& query);

// Surrounding ASCII spaces dropped. (Two spellings of one officer, a badge or a name, compare
// by common/text.hpp's badge_key.)
std::string trimmed(std::string_view text);

}  // namespace catalog_detail

}  // namespace cradle
