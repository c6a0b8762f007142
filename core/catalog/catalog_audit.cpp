// SPDX-License-Identifier: Apache-2.0
// The audit log: append-only, each row chained to the previous one by SHA-256; the sink that
// hands committed rows to the archive's journal; and the peek at a catalog file's last row.
#include "core/catalog/catalog_internal.hpp"

#include "core/catalog/audit_signatures.hpp"

#include "common/ed25519.hpp"
#include "common/sha256.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cradle {

using namespace catalog_detail;
using sqlite::Query;
using sqlite::Transaction;

namespace {

constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

void append_length_prefixed(Sha256& sha, std::string_view field) {
    std::array<unsigned char, 8> length{};
    std::uint64_t size = field.size();
    for (int i = 7; i >= 0; --i) {
        length[static_cast<std::size_t>(i)] = static_cast<unsigned char>(size & 0xff);
        size >>= 8;
    }
    sha.update(std::as_bytes(std::span(length)));
    sha.update(field);
}

}  // namespace

void Catalog::audit(const AuditEvent& event, std::int64_t now) {
    std::string doing = "appending audit event " + sanitize_text(event.event, kMaxEventBytes);
    Transaction transaction(db(), doing);
    append_audit(event, now, doing);
    transaction.commit();
}

void Catalog::append_audit(const AuditEvent& event, std::int64_t now, const std::string& doing) {
    AuditRow row;
    row.seq = 1;
    row.prev_hash_hex = std::string(kGenesisHash);
    {
        Query last(db(), "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", doing);
        if (last.step()) {
            row.seq = last.integer(0) + 1;
            row.prev_hash_hex = last.text(1);
        }
    }
    row.at = now;
    row.event = sanitize_text(event.event, kMaxEventBytes);
    row.bay = event.bay;
    row.device_serial = sanitize_text(event.device_serial, kMaxIdentityBytes);
    row.recording_id = event.recording_id;
    row.detail = sanitize_text(event.detail, kMaxDetailBytes);
    row.hash_hex = audit_hash(row);
    if (state_->signer) {
        row.key_id = state_->signer->public_key().key_id();
        row.signature_hex = state_->signer->sign_hex(audit_signature_message(row.hash_hex));
    }
    Query(db(),
          "INSERT INTO audit (seq, at, event, bay, device_serial, recording_id, detail, "
          "prev_hash, hash, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          doing)
        .bind(row.seq, row.at, row.event, row.bay, row.device_serial, row.recording_id, row.detail,
              row.prev_hash_hex, row.hash_hex, row.key_id, row.signature_hex)
        .run();
    if (state_->audit_sink) {
        // Rows of a transaction that rolled back without the rollback hook seeing it (never
        // expected) are superseded by the row that now takes their seq.
        auto& pending = state_->pending_audit;
        while (!pending.empty() && pending.back().seq >= row.seq) pending.pop_back();
        pending.push_back(std::move(row));
    }
}

std::vector<AuditRow> Catalog::audit_rows() const {
    Query query(db(),
                "SELECT seq, at, event, bay, device_serial, recording_id, detail, prev_hash, "
                "hash, key_id, signature FROM audit ORDER BY seq",
                "reading the audit log");
    std::vector<AuditRow> rows;
    while (query.step()) rows.push_back(read_audit(query));
    return rows;
}

std::int64_t Catalog::latest_audit_at(const std::string& event_prefix) const {
    Query query(db(), "SELECT coalesce(max(at), 0) FROM audit WHERE substr(event, 1, ?) = ?",
                "reading the audit log");
    query.bind(static_cast<std::int64_t>(event_prefix.size()), event_prefix);
    return query.step() ? query.integer(0) : 0;
}

std::optional<AuditRow> Catalog::last_audit_row() const {
    Query query(db(),
                "SELECT seq, at, event, bay, device_serial, recording_id, detail, prev_hash, "
                "hash, key_id, signature FROM audit ORDER BY seq DESC LIMIT 1",
                "reading the audit log");
    if (!query.step()) return std::nullopt;
    return read_audit(query);
}

std::vector<AuditRow> Catalog::audit_rows_after(std::int64_t seq, std::size_t limit) const {
    Query query(db(),
                "SELECT seq, at, event, bay, device_serial, recording_id, detail, prev_hash, "
                "hash, key_id, signature FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                "reading the audit log");
    query.bind(seq, static_cast<std::int64_t>(limit));
    std::vector<AuditRow> rows;
    while (query.step()) rows.push_back(read_audit(query));
    return rows;
}

std::string Catalog::audit_hash(const AuditRow& row) {
    // Every field length-prefixed, so no two different rows encode to the same bytes.
    Sha256 sha;
    append_length_prefixed(sha, "cradled audit v1");
    append_length_prefixed(sha, row.prev_hash_hex);
    append_length_prefixed(sha, std::to_string(row.seq));
    append_length_prefixed(sha, std::to_string(row.at));
    append_length_prefixed(sha, row.event);
    append_length_prefixed(sha, std::to_string(row.bay));
    append_length_prefixed(sha, row.device_serial);
    append_length_prefixed(sha, std::to_string(row.recording_id));
    append_length_prefixed(sha, row.detail);
    return sha.hex_digest();
}

namespace {

// SQLite calls this after each commit in WAL mode, once the commit is durable
// (synchronous=FULL), so the sink never sees a row that could still be lost. Setting a WAL
// hook replaces SQLite's automatic checkpoint, which is therefore done here as SQLite does it.
int audit_after_commit(void* context, sqlite3* db, const char* name, int wal_pages) {
    auto& state = *static_cast<State*>(context);
    if (!state.pending_audit.empty() && state.audit_sink) {
        std::vector<AuditRow> rows = std::move(state.pending_audit);
        state.pending_audit.clear();
        try {
            state.audit_sink(rows);
        } catch (...) {
            // The sink reports its own failures; the journal is caught up at the next start.
        }
    }
    constexpr int kAutoCheckpointPages = 1000;
    if (wal_pages >= kAutoCheckpointPages) {
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    return SQLITE_OK;
}

void audit_rolled_back(void* context) {
    static_cast<State*>(context)->pending_audit.clear();
}

}  // namespace

void Catalog::set_signer(std::shared_ptr<const SigningKey> key) {
    state_->signer = std::move(key);
}

std::optional<PublicKey> Catalog::signing_key_of_log() const {
    Query query(db(),
                "SELECT seq, at, event, bay, device_serial, recording_id, detail, prev_hash, "
                "hash, key_id, signature FROM audit WHERE event IN ('identity.key_created', "
                "'identity.key_rotated') ORDER BY seq DESC LIMIT 1",
                "reading the audit log's signing key");
    if (!query.step()) return std::nullopt;
    return key_named_in(read_audit(query));
}

void Catalog::rotate_signing_key(std::shared_ptr<const SigningKey> next, const std::string& reason,
                                 std::int64_t now) {
    const std::string doing = "rotating the audit log's signing key";
    if (!state_->signer || !next) db().fail(doing, "no signing key to rotate from or to");
    std::optional<PublicKey> logged = signing_key_of_log();
    if (!logged || *logged != state_->signer->public_key()) {
        db().fail(doing, "the audit log does not name the key in use");
    }
    Transaction transaction(db(), doing);
    append_audit(AuditEvent{std::string(kKeyRotatedEvent), 0, "", 0,
                            key_rotated_detail(next->public_key(), reason)},
                 now, doing);
    transaction.commit();
    state_->signer = std::move(next);
}

void Catalog::set_audit_sink(std::function<void(const std::vector<AuditRow>&)> sink) {
    state_->pending_audit.clear();
    state_->audit_sink = std::move(sink);
    sqlite3* handle = db().handle();
    if (!state_->audit_sink) {
        sqlite3_wal_hook(handle, nullptr, nullptr);
        sqlite3_wal_autocheckpoint(handle, 1000);
        sqlite3_rollback_hook(handle, nullptr, nullptr);
        return;
    }
    sqlite3_wal_hook(handle, audit_after_commit, state_.get());
    sqlite3_rollback_hook(handle, audit_rolled_back, state_.get());
}

Catalog::AuditPeek Catalog::peek_audit(const std::filesystem::path& file, std::int64_t seq,
                                       const char* vfs) {
    const std::string name = file.string();
    const std::string doing = "reading the end of the audit log";
    // Read-write without create: a catalog left by a crash may need its WAL recovered, and a
    // missing file must stay missing.
    sqlite::Connection db(name, name, SQLITE_OPEN_READWRITE, vfs);
    AuditPeek peek;
    {
        Query table(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit'",
                    doing, sqlite::Prepare::once);
        if (!table.step()) return peek;
    }
    {
        Query last(db, "SELECT max(seq) FROM audit", doing, sqlite::Prepare::once);
        if (last.step() && !last.is_null(0)) peek.last_seq = last.integer(0);
    }
    if (seq > 0) {
        Query at(db, "SELECT hash FROM audit WHERE seq = ?", doing, sqlite::Prepare::once);
        at.bind(seq);
        if (at.step()) peek.hash_at_seq = at.text(0);
    }
    return peek;
}

}  // namespace cradle
