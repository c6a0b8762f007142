// SPDX-License-Identifier: Apache-2.0
#include "common/sha256.hpp"
#include "core/archive/archive_store.hpp"
#include "core/archive/camera_reader.hpp"
#include "tests/support/faulty_fs.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cradle {
namespace {

namespace fs = std::filesystem;
using test::file_text;
using Kind = ArchiveError::Kind;

constexpr std::int64_t kDeviceId = 42;
constexpr std::int64_t kRecordingId = 7;
constexpr std::int64_t kArchivedAt = 1'709'683'199;  // 2024-03-05 23:59:59 UTC
constexpr std::size_t kChunk = 64 << 10;

std::string pattern(std::size_t size, unsigned seed = 1) {
    std::string text(size, '\0');
    std::uint32_t state = seed;
    for (auto& c : text) {
        state = state * 1'664'525u + 1'013'904'223u;
        c = static_cast<char>(state >> 24);
    }
    return text;
}

// Serves one recording from memory, and misbehaves on request.
class FakeCamera final : public hw::CameraDriver {
  public:
    explicit FakeCamera(std::string content) : content_(std::move(content)) {}

    std::optional<int> throw_at_read;  // 1-based
    hw::DeviceError::Kind throw_kind = hw::DeviceError::Kind::io;
    std::string extra;         // delivered after the declared bytes
    std::size_t withheld = 0;  // bytes at the end that are never delivered
    std::size_t max_per_read = std::numeric_limits<std::size_t>::max();

    hw::DeviceIdentity identify(hw::Deadline) override { throw std::logic_error("unused"); }
    hw::DeviceHealth health(hw::Deadline) override { throw std::logic_error("unused"); }
    std::chrono::system_clock::time_point clock(hw::Deadline) override {
        throw std::logic_error("unused");
    }
    void set_clock(std::chrono::system_clock::time_point, hw::Deadline) override {
        throw std::logic_error("unused");
    }
    std::vector<hw::RecordingInfo> list_recordings(std::size_t, hw::Deadline) override {
        throw std::logic_error("unused");
    }
    void remove(std::uint32_t, hw::Deadline) override { throw std::logic_error("unused"); }

    std::size_t read(std::uint32_t handle, std::uint64_t offset, std::span<std::byte> out,
                     hw::Deadline deadline) override {
        int number = 0;
        {
            std::lock_guard lock(mutex_);
            number = ++reads_;
            furthest_end_asked_ = std::max(furthest_end_asked_, offset + out.size());
            read_count_changed_.notify_all();
        }
        EXPECT_EQ(handle, 5u);
        EXPECT_GT(deadline, hw::SteadyClock::now());
        if (throw_at_read && number == *throw_at_read) {
            throw hw::DeviceError(throw_kind, "injected device failure");
        }
        const std::string served = content_.substr(0, content_.size() - withheld) + extra;
        if (offset >= served.size()) {
            return 0;
        }
        std::size_t n = std::min({out.size(), served.size() - offset, max_per_read});
        std::memcpy(out.data(), served.data() + offset, n);
        return n;
    }

    hw::RecordingInfo info(std::string name = "VID_0001.MP4") const {
        return hw::RecordingInfo{5, std::move(name), content_.size(), 1'700'000'000};
    }
    int reads() const {
        std::lock_guard lock(mutex_);
        return reads_;
    }
    std::uint64_t furthest_end_asked() const {
        std::lock_guard lock(mutex_);
        return furthest_end_asked_;
    }
    // False if fewer than n reads were made by the deadline (a guard against hanging).
    bool wait_for_reads(int n, std::chrono::seconds limit) {
        std::unique_lock lock(mutex_);
        return read_count_changed_.wait_for(lock, limit, [&] { return reads_ >= n; });
    }

  private:
    std::string content_;
    mutable std::mutex mutex_;
    std::condition_variable read_count_changed_;
    int reads_ = 0;
    std::uint64_t furthest_end_asked_ = 0;
};

// Records the name of every operation, so that a fault can be aimed at a given kind of step.
class OperationLog final : public FileSystem {
  public:
    explicit OperationLog(FileSystem& inner) : inner_(inner) {}
    std::vector<std::string> names;
    std::function<void()> on_write;

    Fd open(const fs::path& path, int flags, unsigned mode) override {
        note("open");
        return inner_.open(path, flags, mode);
    }
    void write_all(const Fd& fd, std::span<const std::byte> data) override {
        note("write");
        if (on_write) {
            on_write();
        }
        inner_.write_all(fd, data);
    }
    std::size_t read(const Fd& fd, std::span<std::byte> out) override {
        note("read");
        return inner_.read(fd, out);
    }
    void fsync(const Fd& fd) override {
        note("fsync");
        inner_.fsync(fd);
    }
    void drop_cache(const Fd& fd) override {
        note("drop_cache");
        inner_.drop_cache(fd);
    }
    void make_read_only(const Fd& fd) override {
        note("make_read_only");
        inner_.make_read_only(fd);
    }
    void rename(const fs::path& from, const fs::path& to) override {
        note("rename");
        inner_.rename(from, to);
    }
    void unlink(const fs::path& path) override {
        note("unlink");
        inner_.unlink(path);
    }
    void make_directories(const fs::path& path) override {
        note("make_directories");
        inner_.make_directories(path);
    }
    void fsync_directory(const fs::path& path) override {
        note("fsync_directory");
        inner_.fsync_directory(path);
    }
    std::uint64_t available_bytes(const fs::path& path) override {
        note("available_bytes");
        return inner_.available_bytes(path);
    }
    std::vector<std::string> list(const fs::path& dir) override {
        note("list");
        return inner_.list(dir);
    }

  private:
    void note(const char* name) {
        std::lock_guard lock(mutex_);
        names.emplace_back(name);
    }
    FileSystem& inner_;
    std::mutex mutex_;
};

// 1-based number of the nth (1-based) operation called `name`.
int nth(const std::vector<std::string>& names, const std::string& name, int n) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name && --n == 0) {
            return static_cast<int>(i) + 1;
        }
    }
    ADD_FAILURE() << "no operation " << name << " #" << n;
    return 0;
}

// Regular files under dir, relative to it.
std::vector<std::string> files_under(const fs::path& dir) {
    std::vector<std::string> files;
    if (!fs::exists(dir)) {
        return files;
    }
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_directory()) {
            files.push_back(fs::relative(entry.path(), dir).string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

CopyOptions small_chunks() {
    CopyOptions options;
    options.chunk_bytes = kChunk;
    options.reserve_bytes = 0;
    options.writeback_bytes = 2 * kChunk;
    return options;
}

class ArchiveStoreTest : public ::testing::Test {
  protected:
    fs::path state() const { return temp_.path() / "state"; }
    fs::path archive() const { return state() / "archive"; }
    fs::path staging() const { return state() / "staging"; }

    void expect_nothing_stored() {
        EXPECT_EQ(files_under(staging()), std::vector<std::string>{});
        EXPECT_EQ(files_under(archive()), std::vector<std::string>{});
    }

    test::TempDir temp_;
    PosixFileSystem posix_;
};

template <typename Operation>
std::optional<ArchiveError::Kind> archive_error_of(Operation operation) {
    try {
        operation();
    } catch (const ArchiveError& error) {
        return error.kind();
    }
    return std::nullopt;
}

TEST_F(ArchiveStoreTest, StoresTheBytesReadOnlyWithTheirSha256UnderTheGeneratedPath) {
    const std::string content = pattern(3 * kChunk + kChunk / 2);
    FakeCamera camera(content);
    ArchiveStore store(posix_, state());
    const RecordIdentity identity{"SN-1", "Maker", "BC-1", "1.0", "A17", 3, std::string(64, 'c')};
    ArchivedCopy copy = store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt,
                                    small_chunks(), identity);

    EXPECT_EQ(copy.relative_path, "2024/03/05/000042/00000007.mp4");
    EXPECT_EQ(copy.size, content.size());
    EXPECT_EQ(copy.sha256_hex, Sha256::hex_of(content));
    const fs::path file = archive() / copy.relative_path;
    EXPECT_EQ(file_text(file), content);
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0440u);
    EXPECT_EQ(files_under(staging()), std::vector<std::string>{});
    // The recording and its metadata record (I6), nothing else.
    EXPECT_EQ(files_under(archive()),
              (std::vector<std::string>{copy.relative_path, copy.relative_path + ".record"}));
    EXPECT_EQ(files_under(temp_.path()),
              (std::vector<std::string>{"state/archive/" + copy.relative_path,
                                        "state/archive/" + copy.relative_path + ".record"}));
    const std::string record_text = file_text(archive() / (copy.relative_path + ".record"));
    EXPECT_EQ(copy.record_sha256_hex, Sha256::hex_of(record_text));
    std::string error;
    auto record = parse_record(record_text, error);
    ASSERT_TRUE(record) << error;
    EXPECT_EQ(record->sha256_hex, copy.sha256_hex);
    EXPECT_EQ(record->recording_id, kRecordingId);
    EXPECT_EQ(record->device_id, kDeviceId);
    EXPECT_EQ(record->archived_at, kArchivedAt);
    EXPECT_EQ(record->archive_path, copy.relative_path);
    EXPECT_EQ(record->raw_name, camera.info().name);
    EXPECT_EQ(record->size, content.size());
    EXPECT_EQ(record->identity.device_serial, "SN-1");
    EXPECT_EQ(record->identity.camera_officer_id, "A17");
    EXPECT_EQ(record->identity.dock_session_id, 3);
    EXPECT_EQ(record->identity.previous_record_sha256, std::string(64, 'c'));
    ASSERT_EQ(::stat((archive() / (copy.relative_path + ".record")).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0440u);
    EXPECT_EQ(store.rehash(copy.relative_path), copy.sha256_hex);
    EXPECT_TRUE(store.exists(copy.relative_path));
}

TEST_F(ArchiveStoreTest, EmptyRecordingIsArchivedAsAnEmptyFile) {
    FakeCamera camera("");
    ArchiveStore store(posix_, state());
    ArchivedCopy copy =
        store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    EXPECT_EQ(copy.size, 0u);
    EXPECT_EQ(copy.sha256_hex, Sha256::hex_of(""));
    EXPECT_EQ(file_text(archive() / copy.relative_path), "");
}

TEST_F(ArchiveStoreTest, ShortDeviceReadsAreJoinedInOrder) {
    const std::string content = pattern(2 * kChunk + 17, 3);
    FakeCamera camera(content);
    camera.max_per_read = 1000;
    ArchiveStore store(posix_, state());
    ArchivedCopy copy =
        store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    EXPECT_EQ(file_text(archive() / copy.relative_path), content);
    EXPECT_EQ(copy.sha256_hex, Sha256::hex_of(content));
}

TEST_F(ArchiveStoreTest, DeviceReadsOverlapDiskWrites) {
    const std::string content = pattern(4 * kChunk);
    FakeCamera camera(content);
    OperationLog log(posix_);
    bool second_read_during_first_write = false;
    bool first = true;
    log.on_write = [&] {
        if (std::exchange(first, false)) {
            // A copy that waited for each write before reading on would never get here in time.
            second_read_during_first_write = camera.wait_for_reads(2, std::chrono::seconds(10));
        }
    };
    ArchiveStore store(log, state());
    store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    EXPECT_TRUE(second_read_during_first_write);
}

TEST_F(ArchiveStoreTest, WriteBackStartsWhileTheCopyIsStillStreaming) {
    const std::string content = pattern(5 * kChunk);
    FakeCamera camera(content);
    OperationLog log(posix_);
    ArchiveStore store(log, state());
    store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    // One write-back per two chunks written, all before the fsync, then the drop before the
    // re-read and the one after it.
    const auto fsync_at = std::find(log.names.begin(), log.names.end(), "fsync");
    EXPECT_EQ(std::count(log.names.begin(), fsync_at, "drop_cache"), 2);
    EXPECT_EQ(std::count(fsync_at, log.names.end(), "drop_cache"), 2);
    // Five chunks, and the metadata record.
    EXPECT_EQ(std::count(log.names.begin(), log.names.end(), "write"), 6);
}

TEST_F(ArchiveStoreTest, NewDirectoriesAreMadeDurableOnceAndTheFileEntryEveryTime) {
    FakeCamera camera(pattern(1000));
    OperationLog log(posix_);
    ArchiveStore store(log, state());
    auto directory_fsyncs_of_a_store = [&](std::int64_t device_id, std::int64_t recording_id) {
        log.names.clear();
        store.store(camera, camera.info(), device_id, recording_id, kArchivedAt, small_chunks());
        return std::count(log.names.begin(), log.names.end(), "fsync_directory");
    };
    // The file's directory and staging, plus the parents of the five new directories
    // (device, day, month, year, archive) up to the state directory.
    EXPECT_EQ(directory_fsyncs_of_a_store(kDeviceId, 1), 2 + 5);
    EXPECT_EQ(directory_fsyncs_of_a_store(kDeviceId, 2), 2);
    // Another device: only its own directory is new.
    EXPECT_EQ(directory_fsyncs_of_a_store(kDeviceId + 1, 3), 2 + 1);
}

TEST_F(ArchiveStoreTest, StagingLeftoverOfACrashedCopyIsReplaced) {
    const std::string content = pattern(kChunk + 5);
    fs::create_directories(staging());
    std::ofstream(staging() / "00000007.part") << "stale bytes of a crashed copy";
    FakeCamera camera(content);
    ArchiveStore store(posix_, state());
    ArchivedCopy copy =
        store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    EXPECT_EQ(file_text(archive() / copy.relative_path), content);
    EXPECT_EQ(files_under(staging()), std::vector<std::string>{});
}

TEST_F(ArchiveStoreTest, UncommittedArchiveFileOfAnEarlierAttemptIsReplaced) {
    const std::string content = pattern(kChunk + 5);
    const fs::path leftover = archive() / "2024/03/05/000042/00000007.mp4";
    fs::create_directories(leftover.parent_path());
    std::ofstream(leftover) << "an earlier attempt";
    fs::permissions(leftover, fs::perms::owner_read | fs::perms::group_read);
    FakeCamera camera(content);
    ArchiveStore store(posix_, state());
    ArchivedCopy copy =
        store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    EXPECT_EQ(file_text(leftover), content);
    EXPECT_EQ(files_under(archive()),
              (std::vector<std::string>{copy.relative_path, copy.relative_path + ".record"}));
}

TEST_F(ArchiveStoreTest, DeviceDeliveringMoreThanDeclaredIsASizeMismatchAndIsNotReadOn) {
    const std::string content = pattern(2 * kChunk + 3);
    FakeCamera camera(content);
    camera.extra = pattern(10 * kChunk, 9);
    ArchiveStore store(posix_, state());
    try {
        store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
        FAIL() << "a longer recording was archived";
    } catch (const ArchiveError& error) {
        EXPECT_EQ(error.kind(), Kind::size_mismatch);
        EXPECT_NE(
            std::string(error.what())
                .find("more than the " + std::to_string(content.size()) + " bytes it declared"),
            std::string::npos)
            << error.what();
    }
    EXPECT_EQ(camera.furthest_end_asked(), content.size() + 1);
    expect_nothing_stored();
}

TEST_F(ArchiveStoreTest, DeviceDeliveringFewerThanDeclaredIsASizeMismatch) {
    FakeCamera camera(pattern(2 * kChunk + 3));
    camera.withheld = 100;
    ArchiveStore store(posix_, state());
    EXPECT_EQ(archive_error_of([&] {
                  store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt,
                              small_chunks());
              }),
              Kind::size_mismatch);
    expect_nothing_stored();
}

TEST_F(ArchiveStoreTest, RecordingOfUnknownSizeIsWhatArrivedUpToItsEnd) {
    const std::string content = pattern(2 * kChunk + 3);
    FakeCamera camera(content);
    hw::RecordingInfo info = camera.info();
    info.size_known = false;
    info.size = 100 * kChunk;  // the most it can hold
    ArchiveStore store(posix_, state());
    const ArchivedCopy copy =
        store.store(camera, info, kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    EXPECT_EQ(copy.size, content.size());
    EXPECT_EQ(copy.sha256_hex, Sha256::hex_of(content));
    EXPECT_EQ(file_text(archive() / copy.relative_path), content);
    EXPECT_EQ(store.rehash(copy.relative_path), copy.sha256_hex);
}

TEST_F(ArchiveStoreTest, RecordingOfUnknownSizeBeyondItsBoundIsASizeMismatch) {
    FakeCamera camera(pattern(2 * kChunk + 3));
    camera.extra = pattern(10 * kChunk, 9);
    hw::RecordingInfo info = camera.info();
    info.size_known = false;
    info.size = 3 * kChunk;
    ArchiveStore store(posix_, state());
    EXPECT_EQ(archive_error_of([&] {
                  store.store(camera, info, kDeviceId, kRecordingId, kArchivedAt, small_chunks());
              }),
              Kind::size_mismatch);
    EXPECT_EQ(camera.furthest_end_asked(), 3 * kChunk + 1);
    expect_nothing_stored();
}

TEST_F(ArchiveStoreTest, DeviceErrorMidStreamStaysADeviceErrorAndLeavesNothing) {
    for (int failing_read : {1, 2, 3}) {
        SCOPED_TRACE("device fails at read " + std::to_string(failing_read));
        FakeCamera camera(pattern(4 * kChunk));
        camera.throw_at_read = failing_read;
        camera.throw_kind = hw::DeviceError::Kind::gone;
        ArchiveStore store(posix_, state());
        try {
            store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt,
                        small_chunks());
            FAIL() << "the copy succeeded";
        } catch (const hw::DeviceError& error) {
            EXPECT_EQ(error.kind(), hw::DeviceError::Kind::gone);
        }
        EXPECT_EQ(camera.reads(), failing_read) << "the copy went on reading after the failure";
        expect_nothing_stored();
    }
}

TEST_F(ArchiveStoreTest, NotEnoughFreeSpaceIsRefusedBeforeAnythingIsRead) {
    FakeCamera camera(pattern(kChunk));
    ArchiveStore store(posix_, state());
    fs::create_directories(state());
    CopyOptions huge_reserve = small_chunks();
    // Far beyond any disk: a reserve just above today's free space would race with whatever
    // else frees space on the machine meanwhile.
    huge_reserve.reserve_bytes = std::numeric_limits<std::uint64_t>::max() / 2;
    EXPECT_EQ(archive_error_of([&] {
                  store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt,
                              huge_reserve);
              }),
              Kind::no_space);

    // A declared size near 2^64 must not wrap around the free-space arithmetic.
    hw::RecordingInfo lying = camera.info();
    lying.size = std::numeric_limits<std::uint64_t>::max() - 10;
    CopyOptions some_reserve = small_chunks();
    some_reserve.reserve_bytes = 1 << 20;
    EXPECT_EQ(archive_error_of([&] {
                  store.store(camera, lying, kDeviceId, kRecordingId, kArchivedAt, some_reserve);
              }),
              Kind::no_space);
    EXPECT_EQ(camera.reads(), 0);
    expect_nothing_stored();
}

TEST(ArchiveStoreRelativePath, TakesTheExtensionFromTheAllowListCaseInsensitively) {
    auto ext_of = [](std::string_view name) {
        std::string path = ArchiveStore::relative_path(1, 2, name, 0);
        return path.substr(path.rfind('.') + 1);
    };
    EXPECT_EQ(ext_of("VID_0001.MP4"), "mp4");
    EXPECT_EQ(ext_of("clip.MoV"), "mov");
    EXPECT_EQ(ext_of("photo.JpEg"), "jpeg");
    EXPECT_EQ(ext_of("a.b.c.wav"), "wav");
    EXPECT_EQ(ext_of("track.gps"), "gps");
    EXPECT_EQ(ext_of("noextension"), "bin");
    EXPECT_EQ(ext_of("tool.exe"), "bin");
    EXPECT_EQ(ext_of("trailing.mp4."), "bin");
    EXPECT_EQ(ext_of(""), "bin");
    EXPECT_EQ(ext_of(".mp4"), "mp4");
    EXPECT_EQ(ext_of(std::string_view("a.mp4\0.sh", 9)), "bin");
    EXPECT_EQ(ext_of(std::string_view("a.sh\0.mp4", 9)), "mp4");
    EXPECT_EQ(ext_of("x.m\xc3\xa4"), "bin");
}

TEST(ArchiveStoreRelativePath, LaysOutDateDeviceAndRecordingFromTheIdsOnly) {
    EXPECT_EQ(ArchiveStore::relative_path(42, 7, "VID.mp4", 1'709'683'199),
              "2024/03/05/000042/00000007.mp4");
    EXPECT_EQ(ArchiveStore::relative_path(0, 0, "x.jpg", 0), "1970/01/01/000000/00000000.jpg");
    EXPECT_EQ(ArchiveStore::relative_path(1, 1, "x.jpg", 1'709'164'800),
              "2024/02/29/000001/00000001.jpg");
    EXPECT_EQ(ArchiveStore::relative_path(1'234'567, 123'456'789, "x", 253'402'300'799),
              "9999/12/31/1234567/123456789.bin");
    EXPECT_THROW(ArchiveStore::relative_path(1, 1, "x", -1), std::invalid_argument);
    EXPECT_THROW(ArchiveStore::relative_path(1, 1, "x", 253'402'300'800), std::invalid_argument);
    EXPECT_THROW(ArchiveStore::relative_path(-1, 1, "x", 0), std::invalid_argument);
    EXPECT_THROW(ArchiveStore::relative_path(1, -1, "x", 0), std::invalid_argument);
}

TEST(ArchiveStoreRelativePath, HostileDeviceNamesNeverShapeThePath) {
    const std::vector<std::string> hostile = {
        "../../etc/passwd", "/etc/passwd",          "video.mp4/../../x",      "..",
        "a/b/c.mp4/",       std::string(4096, '.'), std::string("\0\0\0", 3), "a\nb.mp4\r",
        "C:\\x.mp4\\..\\y"};
    for (const auto& name : hostile) {
        EXPECT_EQ(ArchiveStore::relative_path(42, 7, name, 1'709'683'199),
                  "2024/03/05/000042/00000007.bin")
            << "name " << name;
    }
}

TEST_F(ArchiveStoreTest, HostileNameIsArchivedInsideTheArchiveAsBin) {
    const std::string content = pattern(1000);
    FakeCamera camera(content);
    ArchiveStore store(posix_, state());
    ArchivedCopy copy = store.store(camera, camera.info("../../etc/passwd"), kDeviceId,
                                    kRecordingId, kArchivedAt, small_chunks());
    EXPECT_EQ(copy.relative_path, "2024/03/05/000042/00000007.bin");
    EXPECT_EQ(files_under(temp_.path()),
              (std::vector<std::string>{"state/archive/2024/03/05/000042/00000007.bin",
                                        "state/archive/2024/03/05/000042/00000007.bin.record"}));
}

TEST_F(ArchiveStoreTest, RecoveryHelpersRejectPathsLeavingTheArchive) {
    ArchiveStore store(posix_, state());
    for (const std::string bad : {"../x", "/etc/passwd", "2024/../../x", "", "a/../../../b"}) {
        EXPECT_THROW(store.rehash(bad), std::invalid_argument) << bad;
        EXPECT_THROW(store.exists(bad), std::invalid_argument) << bad;
        EXPECT_THROW(store.quarantine(bad), std::invalid_argument) << bad;
    }
}

TEST_F(ArchiveStoreTest, QuarantineMovesAReadOnlyArchiveFileAndNeverReplacesOne) {
    FakeCamera camera(pattern(1000));
    ArchiveStore store(posix_, state());
    ArchivedCopy copy =
        store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    const std::string first = store.quarantine(copy.relative_path);
    EXPECT_EQ(first, "quarantine/" + copy.relative_path);
    EXPECT_FALSE(store.exists(copy.relative_path));
    EXPECT_EQ(file_text(state() / first), pattern(1000));
    // The same name again: a free name is chosen, the first file stays.
    FakeCamera again(pattern(500));
    store.store(again, again.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    const std::string second = store.quarantine(copy.relative_path);
    EXPECT_EQ(second, first + ".1");
    EXPECT_EQ(file_text(state() / first), pattern(1000));
    EXPECT_EQ(file_text(state() / second), pattern(500));
    EXPECT_EQ(files_under(archive()), std::vector<std::string>{copy.relative_path + ".record"});
}

TEST_F(ArchiveStoreTest, CleanStagingRemovesEveryLeftoverAndNamesIt) {
    ArchiveStore store(posix_, state());
    EXPECT_EQ(store.clean_staging(), std::vector<std::string>{});
    fs::create_directories(staging());
    std::ofstream(staging() / "00000001.part") << "a";
    std::ofstream(staging() / "00000002.part") << "b";
    std::vector<std::string> removed = store.clean_staging();
    std::sort(removed.begin(), removed.end());
    EXPECT_EQ(removed, (std::vector<std::string>{"00000001.part", "00000002.part"}));
    EXPECT_EQ(files_under(staging()), std::vector<std::string>{});
}

// The operations a normal store of `content` takes, by name, in order.
std::vector<std::string> operations_of_a_normal_store(const fs::path& state,
                                                      const std::string& content) {
    PosixFileSystem posix;
    OperationLog log(posix);
    test::FaultyFileSystem faulty(log);
    FakeCamera camera(content);
    ArchiveStore store(faulty, state);
    store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt, small_chunks());
    EXPECT_EQ(static_cast<std::size_t>(faulty.operations()), log.names.size());
    return log.names;
}

TEST_F(ArchiveStoreTest, EioAtEveryOperationFailsTheCopyAndLeavesNothing) {
    const std::string content = pattern(3 * kChunk + 11);
    const std::vector<std::string> operations =
        operations_of_a_normal_store(temp_.path() / "measure", content);
    ASSERT_GT(operations.size(), 10u);
    for (std::size_t op = 1; op <= operations.size(); ++op) {
        SCOPED_TRACE("EIO at operation " + std::to_string(op) + " (" + operations[op - 1] + ")");
        test::TempDir dir;
        test::FaultyFileSystem faulty(posix_);
        faulty.fail_at(static_cast<int>(op), EIO);
        FakeCamera camera(content);
        ArchiveStore store(faulty, dir.path());
        EXPECT_EQ(archive_error_of([&] {
                      store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt,
                                  small_chunks());
                  }),
                  Kind::io);
        EXPECT_EQ(files_under(dir.path() / "staging"), std::vector<std::string>{});
        EXPECT_EQ(files_under(dir.path() / "archive"), std::vector<std::string>{});
    }
}

TEST_F(ArchiveStoreTest, EnospcAtAWriteIsNoSpaceAndLeavesNothing) {
    const std::string content = pattern(3 * kChunk + 11);
    const std::vector<std::string> operations =
        operations_of_a_normal_store(temp_.path() / "measure", content);
    test::FaultyFileSystem faulty(posix_);
    faulty.fail_at(nth(operations, "write", 2), ENOSPC);
    FakeCamera camera(content);
    ArchiveStore store(faulty, state());
    EXPECT_EQ(archive_error_of([&] {
                  store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt,
                              small_chunks());
              }),
              Kind::no_space);
    expect_nothing_stored();
}

TEST_F(ArchiveStoreTest, FailedFsyncIsNeverRetriedAndTheCopyIsDiscarded) {
    const std::string content = pattern(3 * kChunk + 11);
    const std::vector<std::string> operations =
        operations_of_a_normal_store(temp_.path() / "measure", content);
    const int fsync_op = nth(operations, "fsync", 1);

    OperationLog log(posix_);
    test::FaultyFileSystem faulty(log);
    faulty.fail_at(fsync_op, EIO);
    FakeCamera camera(content);
    ArchiveStore store(faulty, state());
    EXPECT_EQ(archive_error_of([&] {
                  store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt,
                              small_chunks());
              }),
              Kind::io);
    // The failed fsync never reached the log; everything after it is the clean-up.
    const std::vector<std::string> after(log.names.begin() + (fsync_op - 1), log.names.end());
    EXPECT_EQ(after, std::vector<std::string>{"unlink"});
    expect_nothing_stored();
}

TEST_F(ArchiveStoreTest, ByteFlippedOnItsWayToTheDiskFailsVerification) {
    const std::string content = pattern(3 * kChunk + 11);
    test::FaultyFileSystem faulty(posix_);
    faulty.flip_byte_at_write(2);
    FakeCamera camera(content);
    ArchiveStore store(faulty, state());
    EXPECT_EQ(archive_error_of([&] {
                  store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt,
                              small_chunks());
              }),
              Kind::verify_failed);
    expect_nothing_stored();
}

TEST_F(ArchiveStoreTest, FailureAfterTheRenameTakesTheFileOutOfTheArchiveAgain) {
    const std::string content = pattern(kChunk);
    const std::vector<std::string> operations =
        operations_of_a_normal_store(temp_.path() / "measure", content);
    test::FaultyFileSystem faulty(posix_);
    faulty.fail_at(nth(operations, "rename", 1) + 1, EIO);  // the directory fsync
    FakeCamera camera(content);
    ArchiveStore store(faulty, state());
    EXPECT_EQ(archive_error_of([&] {
                  store.store(camera, camera.info(), kDeviceId, kRecordingId, kArchivedAt,
                              small_chunks());
              }),
              Kind::io);
    expect_nothing_stored();
}

// The read shared by the copy and the proof: never past its limit nor the recording's end, and
// stopped by the cancel flag before the next device read.
TEST(CameraReader, ReadsUpToItsLimitOrTheEndAndStopsWhenCancelled) {
    FakeCamera camera(pattern(1000));
    const hw::RecordingInfo info = camera.info();
    CopyOptions options;
    std::vector<std::byte> buffer(256);
    CameraReader bounded(camera, info, 600, options, "stopped here");
    EXPECT_EQ(bounded.next(buffer), 256u);
    EXPECT_EQ(bounded.next(buffer), 256u);
    EXPECT_EQ(bounded.next(buffer), 88u);
    EXPECT_EQ(bounded.next(buffer), 0u);
    EXPECT_EQ(bounded.offset(), 600u);
    EXPECT_EQ(camera.furthest_end_asked(), 600u);
    EXPECT_EQ(camera.reads(), 3);

    CameraReader whole(camera, info, 2000, options, "stopped here");
    std::uint64_t total = 0;
    while (const std::size_t got = whole.next(buffer)) total += got;
    EXPECT_EQ(total, 1000u);
    EXPECT_EQ(whole.offset(), 1000u);

    const int reads_before = camera.reads();
    std::atomic<bool> cancel{true};
    options.cancel = &cancel;
    CameraReader cancelled(camera, info, 600, options, "stopped here");
    try {
        cancelled.next(buffer);
        ADD_FAILURE() << "read although cancelled";
    } catch (const ArchiveError& error) {
        EXPECT_EQ(error.kind(), Kind::cancelled);
        EXPECT_STREQ(error.what(), "stopped here");
    }
    EXPECT_EQ(camera.reads(), reads_before);
}

}  // namespace
}  // namespace cradle
