// SPDX-License-Identifier: Apache-2.0
#include "core/archive/archive_store.hpp"

#include "core/archive/archive_path.hpp"
#include "core/archive/camera_reader.hpp"

#include "common/sha256.hpp"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

namespace cradle {

namespace {

// Alignment and size granularity of the copy buffers: whole pages, which the kernel copies
// fastest and which O_DIRECT would accept.
constexpr std::size_t kBlockAlignment = 4096;
// Chunks larger than this would only cost memory: the disks and links involved saturate far
// below it.
constexpr std::size_t kMaxChunkBytes = 256u << 20;

constexpr std::array<std::string_view, 12> kAllowedExtensions = {
    "mp4", "mov", "avi", "mkv", "jpg", "jpeg", "png", "wav", "m4a", "aac", "txt", "gps"};

std::string zero_padded(std::int64_t value, int width) {
    char text[32];
    std::snprintf(text, sizeof text, "%0*lld", width, static_cast<long long>(value));
    return text;
}

std::string extension_for(std::string_view device_name) {
    std::size_t dot = device_name.rfind('.');
    if (dot == std::string_view::npos) {
        return "bin";
    }
    std::string suffix(device_name.substr(dot + 1));
    std::transform(suffix.begin(), suffix.end(), suffix.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    for (std::string_view allowed : kAllowedExtensions) {
        if (suffix == allowed) {
            return suffix;
        }
    }
    return "bin";
}

bool is_no_space(const std::error_code& code) {
    return code == std::errc::no_space_on_device || code.value() == EDQUOT;
}

// Two buffers, allocated once per copy, page-aligned.
class BufferPair {
  public:
    explicit BufferPair(std::size_t chunk_bytes)
        : size_((chunk_bytes + kBlockAlignment - 1) / kBlockAlignment * kBlockAlignment),
          memory_(static_cast<std::byte*>(
              ::operator new (2 * size_, std::align_val_t{kBlockAlignment}))) {}
    std::byte* first() const { return memory_.get(); }
    std::byte* second() const { return memory_.get() + size_; }
    std::size_t size() const { return size_; }

  private:
    struct Free {
        void operator()(std::byte* memory) const noexcept {
            ::operator delete (memory, std::align_val_t{kBlockAlignment});
        }
    };
    std::size_t size_;
    std::unique_ptr<std::byte, Free> memory_;
};

// Hands the two buffers back and forth between a producer thread that fills them and the
// calling thread that drains them, so that the slower side sets the pace of the whole copy.
class Handover {
  public:
    struct Filled {
        std::byte* data;
        std::size_t size;
    };

    explicit Handover(const BufferPair& buffers) : empty_{buffers.first(), buffers.second()} {}

    // Producer side. nullptr once the consumer has given up.
    std::byte* wait_empty() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return cancelled_ || !empty_.empty(); });
        if (cancelled_) {
            return nullptr;
        }
        std::byte* buffer = empty_.back();
        empty_.pop_back();
        return buffer;
    }
    void put_filled(std::byte* buffer, std::size_t size) {
        std::lock_guard lock(mutex_);
        filled_.push_back({buffer, size});
        changed_.notify_all();
    }
    void finish(std::exception_ptr error) {
        std::lock_guard lock(mutex_);
        finished_ = true;
        error_ = std::move(error);
        changed_.notify_all();
    }

    // Consumer side. The next filled buffer in order; nullopt at the end; rethrows the
    // producer's exception as soon as it is known (what is still queued is of no use then).
    std::optional<Filled> wait_filled() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return finished_ || !filled_.empty(); });
        if (error_) {
            std::rethrow_exception(error_);
        }
        if (filled_.empty()) {
            return std::nullopt;
        }
        Filled next = filled_.front();
        filled_.pop_front();
        return next;
    }
    void put_empty(std::byte* buffer) {
        std::lock_guard lock(mutex_);
        empty_.push_back(buffer);
        changed_.notify_all();
    }
    void cancel() {
        std::lock_guard lock(mutex_);
        cancelled_ = true;
        changed_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::byte*> empty_;
    std::deque<Filled> filled_;
    bool finished_ = false;
    bool cancelled_ = false;
    std::exception_ptr error_;
};

// Runs fill (returns the bytes it put in the buffer, 0 at the end) on one thread and drain on
// the calling thread, overlapped. An exception on either side stops both: the producer stops
// at its next handover (a device read in progress ends by its own deadline) and the exception
// reaches the caller.
template <typename Fill, typename Drain>
void pipeline(const BufferPair& buffers, Fill fill, Drain drain) {
    Handover handover(buffers);
    std::jthread producer([&handover, &fill, size = buffers.size()] {
        try {
            for (;;) {
                std::byte* buffer = handover.wait_empty();
                if (buffer == nullptr) {
                    break;
                }
                std::size_t got = fill(std::span<std::byte>(buffer, size));
                if (got == 0) {
                    break;
                }
                handover.put_filled(buffer, got);
            }
            handover.finish(nullptr);
        } catch (...) {
            handover.finish(std::current_exception());
        }
    });
    // Declared after the thread so that it runs first on the way out: the producer is told to
    // stop before the jthread joins it.
    struct CancelOnExit {
        Handover& handover;
        ~CancelOnExit() { handover.cancel(); }
    } cancel_on_exit{handover};

    while (std::optional<Handover::Filled> chunk = handover.wait_filled()) {
        drain(std::span<const std::byte>(chunk->data, chunk->size));
        handover.put_empty(chunk->data);
    }
}

// SHA-256 of a whole file as the disk holds it: the reads overlap the hashing.
std::string hash_from_disk(FileSystem& fs, const Fd& fd, const BufferPair& buffers,
                           std::uint64_t* size_out = nullptr) {
    Sha256 sha;
    std::uint64_t size = 0;
    pipeline(
        buffers, [&](std::span<std::byte> out) { return fs.read(fd, out); },
        [&](std::span<const std::byte> data) {
            sha.update(data);
            size += data.size();
        });
    if (size_out != nullptr) {
        *size_out = size;
    }
    return sha.hex_digest();
}

}  // namespace

const char* to_string(ArchiveError::Kind kind) noexcept {
    switch (kind) {
        case ArchiveError::Kind::no_space:
            return "no space";
        case ArchiveError::Kind::io:
            return "archive I/O error";
        case ArchiveError::Kind::size_mismatch:
            return "size mismatch";
        case ArchiveError::Kind::verify_failed:
            return "verify failed";
        case ArchiveError::Kind::cancelled:
            return "cancelled";
    }
    return "unknown";
}

ArchiveStore::ArchiveStore(FileSystem& fs, std::filesystem::path state_dir)
    : fs_(fs),
      archive_root_(state_dir / "archive"),
      staging_dir_(state_dir / "staging"),
      quarantine_dir_(state_dir / "quarantine") {}

// Proof that removing these loses nothing: staging holds only copies that never reached the
// archive (a copy is renamed out of staging before its catalog row says archived), so every
// recording whose staging file is removed is still on its camera.
std::vector<std::string> ArchiveStore::clean_staging() {
    try {
        std::vector<std::string> names = fs_.list(staging_dir_);
        for (const auto& name : names) {
            fs_.unlink(staging_dir_ / name);
        }
        if (!names.empty()) {
            fs_.fsync_directory(staging_dir_);
        }
        return names;
    } catch (const std::system_error& error) {
        throw ArchiveError(ArchiveError::Kind::io, error.what());
    }
}

std::string ArchiveStore::relative_path(std::int64_t device_id, std::int64_t recording_id,
                                        std::string_view device_name,
                                        std::int64_t archived_unix_s) {
    if (device_id < 0 || recording_id < 0) {
        throw std::invalid_argument("archive path: negative device or recording id");
    }
    // 1970-01-01 up to 9999-12-31: four-digit years, and no overflow in the date arithmetic.
    constexpr std::int64_t kLastSecondOf9999 = 253'402'300'799;
    if (archived_unix_s < 0 || archived_unix_s > kLastSecondOf9999) {
        throw std::invalid_argument("archive path: archival time " +
                                    std::to_string(archived_unix_s) + " is out of range");
    }
    using namespace std::chrono;
    const year_month_day date{floor<days>(sys_seconds{seconds{archived_unix_s}})};
    const int year = static_cast<int>(date.year());
    return zero_padded(year, 4) + "/" + zero_padded(static_cast<unsigned>(date.month()), 2) + "/" +
           zero_padded(static_cast<unsigned>(date.day()), 2) + "/" + zero_padded(device_id, 6) +
           "/" + zero_padded(recording_id, 8) + "." + extension_for(device_name);
}

ArchivedCopy ArchiveStore::store(hw::CameraDriver& camera, const hw::RecordingInfo& info,
                                 std::int64_t device_id, std::int64_t recording_id,
                                 std::int64_t archived_unix_s, const CopyOptions& options,
                                 const RecordIdentity& identity) {
    if (options.chunk_bytes == 0 || options.chunk_bytes > kMaxChunkBytes) {
        throw std::invalid_argument("copy chunk size must be between 1 byte and 256 MiB");
    }
    const std::filesystem::path state_dir = staging_dir_.parent_path();
    const std::string relative = relative_path(device_id, recording_id, info.name, archived_unix_s);
    const std::filesystem::path staging_path =
        staging_dir_ / (zero_padded(recording_id, 8) + ".part");
    const std::filesystem::path record_staging_path =
        staging_dir_ / (zero_padded(recording_id, 8) + ".record.part");
    const std::filesystem::path final_path = archive_root_ / relative;
    const std::filesystem::path final_record_path = archive_root_ / record_path_of(relative);
    const std::filesystem::path final_dir = final_path.parent_path();
    const std::uint64_t declared = info.size;

    // Where the bytes may be when something fails, so that the clean-up removes them.
    enum class Stage { before_staging, staged, renaming, placed };
    Stage stage = Stage::before_staging;
    bool record_staged = false;

    try {
        fs_.make_directories(staging_dir_);
        const std::uint64_t available = fs_.available_bytes(state_dir);
        if (available < options.reserve_bytes || available - options.reserve_bytes < declared) {
            throw ArchiveError(ArchiveError::Kind::no_space,
                               "recording declares " + std::to_string(declared) + " bytes; " +
                                   std::to_string(available) + " bytes are free and " +
                                   std::to_string(options.reserve_bytes) + " must stay free");
        }

        // 1. A fresh staging file. One left by a crashed copy of the same recording is garbage.
        const int create_flags = O_CREAT | O_EXCL | O_WRONLY;
        Fd out;
        try {
            out = fs_.open(staging_path, create_flags, 0640);
        } catch (const std::system_error& error) {
            if (error.code() != std::errc::file_exists) {
                throw;
            }
            fs_.unlink(staging_path);
            out = fs_.open(staging_path, create_flags, 0640);
        }
        stage = Stage::staged;

        // 2. Device reads on a second thread, overlapped with hashing and writing here. The
        // device is asked for one byte more than it declared, so that a longer recording is
        // noticed without reading all of it.
        const BufferPair buffers(options.chunk_bytes);
        // A recording of unknown size is read up to its bound only: nothing beyond it is ever
        // written, and one more byte is asked for below.
        const std::uint64_t read_limit = info.size_known ? declared + 1 : declared;
        CameraReader reader(camera, info, read_limit, options,
                            "copy stopped: the service is stopping");
        std::uint64_t received = 0;
        Sha256 streamed;
        pipeline(
            buffers, [&](std::span<std::byte> buffer) { return reader.next(buffer); },
            [&](std::span<const std::byte> data) {
                streamed.update(data);
                fs_.write_all(out, data);
                const std::uint64_t before = received;
                received += data.size();
                if (options.progress != nullptr) {
                    options.progress->fetch_add(data.size(), std::memory_order_relaxed);
                }
                // Dropping the cache of a file with dirty pages starts their write-back and
                // waits for none of it: the disk writes while the device delivers the next
                // chunks, the fsync below finds little left to do, and the copy does not fill
                // the page cache.
                if (options.writeback_bytes != 0 &&
                    received / options.writeback_bytes != before / options.writeback_bytes) {
                    fs_.drop_cache(out);
                }
            });
        const std::string sha256_hex = streamed.hex_digest();
        if (!info.size_known && received == declared) {
            std::byte beyond{};
            if (camera.read(info.handle, received, std::span(&beyond, 1),
                            hw::SteadyClock::now() + options.device_timeout) > 0) {
                ++received;
            }
        }

        // 4 (size half). Checked before the fsync: a wrong size is never worth a disk flush.
        // A recording of unknown size declares the most it can hold; it is what was received.
        if (received > declared) {
            throw ArchiveError(ArchiveError::Kind::size_mismatch,
                               "device delivered more than the " + std::to_string(declared) +
                                   " bytes it declared");
        }
        if (info.size_known && received < declared) {
            throw ArchiveError(ArchiveError::Kind::size_mismatch,
                               "device delivered " + std::to_string(received) + " of the " +
                                   std::to_string(declared) + " bytes it declared");
        }

        // 3. Read-only before the fsync, so that one flush makes both the bytes and the mode
        // durable; the open descriptor keeps its write access. A failed fsync is not retried:
        // the kernel may have dropped the dirty pages, the file is discarded and the caller
        // copies again.
        fs_.make_read_only(out);
        fs_.fsync(out);
        // 4 (hash half). The pages are clean now, so dropping them works and the re-read below
        // comes from the disk, not from the memory the bytes were written from.
        fs_.drop_cache(out);
        out = Fd();
        std::uint64_t reread_size = 0;
        std::string reread_hex;
        {
            Fd in = fs_.open(staging_path, O_RDONLY);
            reread_hex = hash_from_disk(fs_, in, buffers, &reread_size);
            // The verified bytes need not stay cached: an offload would otherwise push
            // everything else out of the page cache.
            fs_.drop_cache(in);
        }
        if (reread_size != received || reread_hex != sha256_hex) {
            throw ArchiveError(ArchiveError::Kind::verify_failed,
                               "re-read of the stored copy (" + std::to_string(reread_size) +
                                   " bytes, sha256 " + reread_hex +
                                   ") does not reproduce the streamed copy (" +
                                   std::to_string(received) + " bytes, sha256 " + sha256_hex + ")");
        }

        // The metadata record (I6), staged and made durable before anything is renamed.
        ArchiveRecord record;
        record.recording_id = recording_id;
        record.device_id = device_id;
        record.identity = identity;
        record.ptp_handle = info.handle;
        record.raw_name = info.name;
        record.captured_unix_s = info.captured_unix_s;
        record.size = received;
        record.archived_at = archived_unix_s;
        record.archive_path = relative;
        record.sha256_hex = sha256_hex;
        const std::string record_text = format_record(record, signer_.load().get());
        const std::string record_sha256 = Sha256::hex_of(record_text);
        {
            Fd record_out;
            try {
                record_out = fs_.open(record_staging_path, create_flags, 0640);
            } catch (const std::system_error& error) {
                if (error.code() != std::errc::file_exists) {
                    throw;
                }
                fs_.unlink(record_staging_path);
                record_out = fs_.open(record_staging_path, create_flags, 0640);
            }
            record_staged = true;
            fs_.write_all(record_out,
                          std::as_bytes(std::span(record_text.data(), record_text.size())));
            fs_.make_read_only(record_out);
            fs_.fsync(record_out);
        }

        // 5. Into the archive: the record first, then the recording, then one directory fsync
        // makes both entries durable. The order means that a crash of the process between the
        // renames leaves a record without its recording (the recording is still on its camera:
        // recovery quarantines the record), never a recording without its record; after a power
        // loss before the directory fsync either entry may have survived alone, and recovery
        // quarantines the lone one. Both together, uncommitted, are adopted when the catalog
        // still holds the recording's `copying` row and the file re-hashes to the record, else
        // quarantined. The catalog commit comes only after the directory fsync.
        // A file already at a final path is the uncommitted leftover of an interrupted attempt
        // for this same recording in this run (start-up recovery moved any older one to
        // quarantine): rename replaces it atomically.
        fs_.make_directories(final_dir);
        stage = Stage::renaming;
        fs_.rename(record_staging_path, final_record_path);
        fs_.rename(staging_path, final_path);
        stage = Stage::placed;
        fs_.fsync_directory(final_dir);
        make_parents_durable(final_dir);
        fs_.fsync_directory(staging_dir_);
        return ArchivedCopy{relative, sha256_hex, received, record_sha256};
    } catch (...) {
        // Best effort: whatever is left, start-up recovery handles (clean_staging; a pair in the
        // archive that the catalog never committed is adopted or quarantined).
        // Proof that these removals lose nothing: they remove only this attempt's own copy,
        // which the catalog has not committed (the commit follows this function's return), so
        // the recording is still on its camera.
        auto remove_quietly = [&](const std::filesystem::path& path) {
            try {
                fs_.unlink(path);
            } catch (const std::exception&) {
            }
        };
        if (stage == Stage::staged || stage == Stage::renaming) {
            remove_quietly(staging_path);
            if (record_staged) remove_quietly(record_staging_path);
        }
        if (stage == Stage::renaming || stage == Stage::placed) {
            // Only this attempt's copy (or an uncommitted one of this run) can be there.
            remove_quietly(final_path);
            remove_quietly(final_record_path);
        }
        try {
            throw;
        } catch (const std::system_error& error) {
            if (is_no_space(error.code())) {
                throw ArchiveError(ArchiveError::Kind::no_space, error.what());
            }
            throw ArchiveError(ArchiveError::Kind::io, error.what());
        }
    }
}

// make_directories may just have created any directory of the chain, and a lost entry loses
// everything below it. Each directory's entry is made durable once per process: directories of
// the archive are never removed while the daemon runs.
void ArchiveStore::make_parents_durable(const std::filesystem::path& dir) {
    const std::filesystem::path state_dir = staging_dir_.parent_path();
    std::vector<std::filesystem::path> made_durable;
    {
        std::lock_guard lock(durable_mutex_);
        for (std::filesystem::path entry = dir;
             entry != state_dir && entry.has_relative_path() && !durable_dirs_.contains(entry);
             entry = entry.parent_path()) {
            made_durable.push_back(entry);
        }
    }
    for (const auto& entry : made_durable) {
        fs_.fsync_directory(entry.parent_path());
    }
    std::lock_guard lock(durable_mutex_);
    durable_dirs_.insert(made_durable.begin(), made_durable.end());
}

std::filesystem::path ArchiveStore::resolve(const std::string& relative_path) const {
    if (!is_archive_relative_path(relative_path)) {
        throw std::invalid_argument("not a path inside the archive: " + relative_path);
    }
    const std::filesystem::path relative(relative_path);
    return archive_root_ / relative;
}

std::string ArchiveStore::rehash(const std::string& relative_path) {
    const std::filesystem::path path = resolve(relative_path);
    try {
        Fd in = fs_.open(path, O_RDONLY);
        fs_.drop_cache(in);
        const BufferPair buffers(1 << 20);
        std::string hex = hash_from_disk(fs_, in, buffers);
        fs_.drop_cache(in);
        return hex;
    } catch (const std::system_error& error) {
        throw ArchiveError(ArchiveError::Kind::io, error.what());
    }
}

bool ArchiveStore::exists(const std::string& relative_path) {
    const std::filesystem::path path = resolve(relative_path);
    try {
        // O_PATH: existence needs no read permission and opens nothing for I/O.
        fs_.open(path, O_PATH);
        return true;
    } catch (const std::system_error& error) {
        if (error.code() == std::errc::no_such_file_or_directory ||
            error.code() == std::errc::not_a_directory) {
            return false;
        }
        throw ArchiveError(ArchiveError::Kind::io, error.what());
    }
}

std::optional<ArchiveRecord> ArchiveStore::read_record(const std::string& relative_path,
                                                       std::string& record_sha256,
                                                       std::string& error) {
    const std::filesystem::path path = resolve(record_path_of(relative_path));
    std::string text;
    try {
        Fd in = fs_.open(path, O_RDONLY | O_NOFOLLOW);
        std::array<std::byte, 4096> block{};
        for (;;) {
            const std::size_t got = fs_.read(in, block);
            if (got == 0) break;
            if (text.size() + got > ArchiveRecord::kMaxBytes) {
                error = "the record is larger than a record can be";
                return std::nullopt;
            }
            text.append(reinterpret_cast<const char*>(block.data()), got);
        }
    } catch (const std::system_error& e) {
        error = e.code() == std::errc::no_such_file_or_directory ? std::string("it has no record")
                                                                 : std::string(e.what());
        return std::nullopt;
    }
    record_sha256 = Sha256::hex_of(text);
    std::string parse_error;
    auto record = parse_record(text, parse_error);
    if (!record) error = "its record " + parse_error;
    return record;
}

std::string ArchiveStore::write_record(const ArchiveRecord& record) {
    const std::filesystem::path final_path = resolve(record_path_of(record.archive_path));
    const std::filesystem::path staging_path =
        staging_dir_ / (zero_padded(record.recording_id, 8) + ".record.part");
    const std::string text = format_record(record, signer_.load().get());
    try {
        fs_.make_directories(staging_dir_);
        {
            // O_EXCL: a leftover is garbage of an interrupted attempt and start-up recovery
            // cleaned staging before this runs.
            Fd out = fs_.open(staging_path, O_CREAT | O_EXCL | O_WRONLY, 0640);
            fs_.write_all(out, std::as_bytes(std::span(text.data(), text.size())));
            fs_.make_read_only(out);
            fs_.fsync(out);
        }
        // Never over an existing record: the caller found none, and recovery runs alone.
        bool taken = true;
        try {
            fs_.open(final_path, O_PATH | O_NOFOLLOW);
        } catch (const std::system_error& error) {
            if (error.code() != std::errc::no_such_file_or_directory) throw;
            taken = false;
        }
        if (taken) {
            // Proof: the staged copy is this function's own, never renamed anywhere.
            fs_.unlink(staging_path);
            throw ArchiveError(ArchiveError::Kind::io,
                               "a record exists already: " + final_path.string());
        }
        fs_.rename(staging_path, final_path);
        fs_.fsync_directory(final_path.parent_path());
        fs_.fsync_directory(staging_dir_);
        return Sha256::hex_of(text);
    } catch (const std::system_error& error) {
        throw ArchiveError(ArchiveError::Kind::io, error.what());
    }
}

void ArchiveStore::make_entry_durable(const std::string& relative_path) {
    const std::filesystem::path path = resolve(relative_path);
    try {
        fs_.fsync_directory(path.parent_path());
        make_parents_durable(path.parent_path());
    } catch (const std::system_error& error) {
        throw ArchiveError(ArchiveError::Kind::io, error.what());
    }
}

// A move, never a deletion: rename within the state directory's file system keeps the bytes,
// and a name already taken in quarantine is never replaced (a free name is chosen first;
// recovery is the only caller and runs alone, before any copy). The destination directory is
// fsynced before the source directory, so a crash leaves the file in one place or both
// entries (the rename is atomic; at worst the old entry reappears and recovery moves it again).
std::string ArchiveStore::quarantine(const std::string& relative_path) {
    const std::filesystem::path from = resolve(relative_path);
    const std::filesystem::path state_dir = staging_dir_.parent_path();
    try {
        std::filesystem::path to = quarantine_dir_ / std::filesystem::path(relative_path);
        auto taken = [&](const std::filesystem::path& candidate) {
            try {
                fs_.open(candidate, O_PATH | O_NOFOLLOW);
                return true;
            } catch (const std::system_error& error) {
                if (error.code() == std::errc::no_such_file_or_directory) return false;
                throw;
            }
        };
        const std::filesystem::path base = to;
        for (int n = 1; taken(to); ++n) {
            to = base;
            to += "." + std::to_string(n);
        }
        fs_.make_directories(to.parent_path());
        fs_.rename(from, to);
        fs_.fsync_directory(to.parent_path());
        for (std::filesystem::path dir = to.parent_path();
             dir != state_dir && dir.has_relative_path(); dir = dir.parent_path()) {
            fs_.fsync_directory(dir.parent_path());
        }
        fs_.fsync_directory(from.parent_path());
        return to.lexically_relative(state_dir).generic_string();
    } catch (const std::system_error& error) {
        throw ArchiveError(ArchiveError::Kind::io, error.what());
    }
}

}  // namespace cradle
