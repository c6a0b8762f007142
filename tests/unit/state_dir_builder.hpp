// SPDX-License-Identifier: Apache-2.0
// Builds a small, consistent state directory (catalog, archive files, empty staging) for the
// tests of the state verifier and of cradlectl, laid out as the archive store lays it out.
#pragma once

#include "common/sha256.hpp"
#include "core/catalog/catalog.hpp"
#include "core/catalog/signing_identity.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle::test {

struct BuiltRecording {
    std::int64_t id = 0;
    std::string relative_path;  // relative to <state>/archive
    std::filesystem::path file;
    std::string content;
};

class StateDirBuilder {
  public:
    explicit StateDirBuilder(std::filesystem::path state_dir) : state_dir_(std::move(state_dir)) {
        std::filesystem::create_directories(state_dir_ / "archive");
        std::filesystem::create_directories(state_dir_ / "staging");
        catalog_.emplace(state_dir_ / "catalog.sqlite");
        // As the daemon does at its first start: every entry is signed with the state's key.
        adopt_signing_key(*catalog_, state_dir_, 1714550000);
    }

    Catalog& catalog() { return *catalog_; }
    // The daemon may be running or not; tests check both.
    void close_catalog() { catalog_.reset(); }

    // A recording copied, verified, made read-only and marked archived (and wiped if asked).
    BuiltRecording add_recording(const std::string& serial, const std::string& name,
                                 const std::string& content, bool wiped = false) {
        constexpr std::int64_t kArchivedAt = 1714557600;  // 2024-05-01T10:00:00Z
        DeviceRow device = catalog_->upsert_device(serial, "Maker", "BC-1", "1.0", kArchivedAt);
        RecordingKey key{device.id, next_handle_++, name, content.size(), kArchivedAt - 3600};
        RecordingRow row = catalog_->begin_recording(key);

        BuiltRecording built;
        built.id = row.id;
        built.relative_path =
            "2024/05/01/" + std::to_string(device.id) + "/" + std::to_string(row.id) + ".mp4";
        built.file = state_dir_ / "archive" / built.relative_path;
        built.content = content;
        std::filesystem::create_directories(built.file.parent_path());
        {
            std::ofstream out(built.file, std::ios::binary);
            out << content;
            if (!out) throw std::runtime_error("cannot write " + built.file.string());
        }
        ::chmod(built.file.c_str(), 0444);

        catalog_->mark_archived(row.id, Sha256::hex_of(content), built.relative_path, kArchivedAt,
                                {"recording.archived", 1, serial, row.id, ""});
        if (wiped) {
            catalog_->mark_wiped(row.id, kArchivedAt + 60,
                                 {"recording.wiped", 1, serial, row.id, ""});
        }
        return built;
    }

  private:
    std::filesystem::path state_dir_;
    std::optional<Catalog> catalog_;
    std::uint32_t next_handle_ = 1;
};

// Overwrites one byte of a read-only file in place, keeping it read-only.
inline void flip_byte(const std::filesystem::path& file, std::size_t offset) {
    ::chmod(file.c_str(), 0644);
    std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(offset));
    char byte = 0;
    io.get(byte);
    io.seekp(static_cast<std::streamoff>(offset));
    io.put(static_cast<char>(byte ^ 0x5a));
    io.close();
    ::chmod(file.c_str(), 0444);
}

// Runs SQL on the catalog behind the daemon's back, as someone with file access could.
// Returns SQLite's error message, empty on success.
inline std::string tamper_with_catalog(const std::filesystem::path& state_dir,
                                       const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((state_dir / "catalog.sqlite").c_str(), &db, SQLITE_OPEN_READWRITE,
                        nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return "cannot open the catalog";
    }
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : (rc == SQLITE_OK ? "" : "failed");
    sqlite3_free(error);
    sqlite3_close(db);
    return message;
}

}  // namespace cradle::test
