// SPDX-License-Identifier: Apache-2.0
// The archive on the local disk and the copy-then-verify half of the copy-then-wipe protocol
// (docs/architecture.md, "The life of a recording", steps 1-5). The wipe half, and the catalog
// transaction between them, belong to the bay session.
//
// Layout under the state directory:
//   staging/<recording id>.part, <recording id>.record.part    while a copy is in progress
//   archive/YYYY/MM/DD/<device id>/<recording id>.<ext>         archived, read-only
//   archive/YYYY/MM/DD/<device id>/<recording id>.<ext>.record  its metadata record
//                                                  (archive_record.hpp), read-only
//   archive/audit.journal                          the audit log's journal (audit_journal.hpp)
//   quarantine/...                                 what start-up recovery could not account for
// Every path is generated here from catalog ids and the archival date (UTC); nothing a device
// says ever becomes part of a path.
#pragma once

#include "common/fs.hpp"
#include "core/archive/archive_record.hpp"
#include "hw/camera_driver.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cradle {

class ArchiveError : public std::runtime_error {
  public:
    enum class Kind {
        no_space,       // not enough free space for the recording (checked before copying)
        io,             // a file-system operation failed (errno in the message)
        size_mismatch,  // the device delivered a different number of bytes than it declared
        verify_failed,  // the re-read of the stored file did not reproduce the streamed hash
        cancelled,      // the service is stopping (CopyOptions::cancel)
    };
    ArchiveError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

  private:
    Kind kind_;
};

const char* to_string(ArchiveError::Kind kind) noexcept;

struct CopyOptions {
    std::size_t chunk_bytes = 1 << 20;
    // Deadline given to each single device read.
    std::chrono::milliseconds device_timeout{10'000};
    // Free space that must remain after the copy.
    std::uint64_t reserve_bytes = 64ull << 20;
    // Each time this much more is written, the write-back of the copy so far is started, so
    // that the disk writes while the device reads and the final fsync has little left (0: only
    // the fsync writes).
    std::uint64_t writeback_bytes = 8ull << 20;
    // When set and true, the copy stops at the next chunk (the service is stopping): a large
    // recording on a slow link must not hold up a clean stop. The recording stays on the camera.
    const std::atomic<bool>* cancel = nullptr;
    // When set, every chunk written to staging is added to it (live progress for the bay's
    // status; the caller resets it before each attempt).
    std::atomic<std::uint64_t>* progress = nullptr;
};

struct ArchivedCopy {
    std::string relative_path;  // relative to archive_root()
    std::string sha256_hex;
    std::uint64_t size = 0;
    std::string record_sha256_hex;  // of the metadata record beside it
};

class ArchiveStore {
  public:
    ArchiveStore(FileSystem& fs, std::filesystem::path state_dir);

    const std::filesystem::path& archive_root() const { return archive_root_; }
    const std::filesystem::path& staging_dir() const { return staging_dir_; }

    // The key that signs every record written from now on (version 2); null: unsigned. Safe
    // while copies run (a key rotation): each record is signed with the key set when it is made.
    void set_signer(std::shared_ptr<const SigningKey> key) { signer_.store(std::move(key)); }

    // Start-up recovery: removes every leftover in staging. Returns the names removed.
    std::vector<std::string> clean_staging();

    // Where a recording is archived. ext is the lower-case extension taken from the device's
    // name only if it is on a short allow-list (mp4, mov, avi, jpg, wav, ...), else "bin".
    static std::string relative_path(std::int64_t device_id, std::int64_t recording_id,
                                     std::string_view device_name, std::int64_t archived_unix_s);

    // Steps 1-5, with the metadata record (archive_record.hpp) made from `identity`, the
    // recording and the copy, written beside the file in the same durable step: O_EXCL staging
    // file, streamed copy with SHA-256 while reading (device reads overlapped with disk writes),
    // fsync, size check, drop cache and re-read, record staged and fsynced, both renamed into the
    // archive, fsync the directory, read-only. Throws hw::DeviceError for device failures and
    // ArchiveError for archive failures; in both cases the staging files are removed (best
    // effort, and clean_staging() catches the rest) and this attempt leaves nothing in the
    // archive: a failure after the renames (a directory fsync) unlinks this attempt's two files
    // again, best effort (the recording is still on its camera), and what survives a crash there
    // is an uncommitted pair that start-up recovery adopts or quarantines. A file already at the
    // final path is taken to be such a leftover of an earlier attempt for the same recording in
    // this run and is replaced. Throws std::invalid_argument for a negative id, an archival time
    // outside 1970-9999, or a chunk size of 0 or above 256 MiB.
    ArchivedCopy store(hw::CameraDriver& camera, const hw::RecordingInfo& info,
                       std::int64_t device_id, std::int64_t recording_id,
                       std::int64_t archived_unix_s, const CopyOptions& options,
                       const RecordIdentity& identity = {});

    // These three take a path relative to archive_root() and throw std::invalid_argument for
    // one that is absolute or contains "..", and ArchiveError(io) for file-system failures.
    // SHA-256 of an archived file, read from the disk (cache dropped first).
    std::string rehash(const std::string& relative_path);
    bool exists(const std::string& relative_path);
    // Reads an archived file's metadata record (bounded); nullopt with `error` set when it is
    // missing or not a valid record. record_sha256 gets the SHA-256 of its bytes.
    std::optional<ArchiveRecord> read_record(const std::string& relative_path,
                                             std::string& record_sha256, std::string& error);
    // Writes the record of an archived file that has none (archived by an earlier version):
    // staged, fsynced, renamed beside the file, directory fsynced. Returns its SHA-256. Throws
    // ArchiveError(io) when a record is there already or the file system fails.
    std::string write_record(const ArchiveRecord& record);
    // Makes a file's directory entry durable (recovery, before it commits an adopted file).
    void make_entry_durable(const std::string& relative_path);
    // Start-up recovery of a file the catalog does not account for: moves it to
    // <state>/quarantine/ under the same relative path (a free name is chosen if one is taken),
    // durably (both directories fsynced). Returns the path relative to the state directory.
    // Nothing archived is ever deleted: this is how recovery puts a file aside (I6).
    std::string quarantine(const std::string& relative_path);
    const std::filesystem::path& quarantine_dir() const { return quarantine_dir_; }

  private:
    // The absolute path of an archive file; rejects paths that could leave the archive.
    std::filesystem::path resolve(const std::string& relative_path) const;
    // Fsyncs the parents of dir up to the state directory, as far as not done before.
    void make_parents_durable(const std::filesystem::path& dir);

    FileSystem& fs_;
    std::filesystem::path archive_root_;
    std::filesystem::path staging_dir_;
    std::filesystem::path quarantine_dir_;
    std::atomic<std::shared_ptr<const SigningKey>> signer_;
    // Archive directories whose entries are durable; copies run on several threads at once.
    std::mutex durable_mutex_;
    std::set<std::filesystem::path> durable_dirs_;
};

}  // namespace cradle
