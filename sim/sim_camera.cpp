// SPDX-License-Identifier: Apache-2.0
#include "sim/sim_camera.hpp"

#include "sim/footage.hpp"

#include "common/atomic_file.hpp"
#include "common/fs.hpp"
#include "common/read_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <optional>
#include <system_error>
#include <utility>

namespace cradle::hw::sim {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDeviceFile = "device.toml";
constexpr const char* kIndexFile = "index.tsv";
constexpr const char* kObjectsDir = "objects";

[[noreturn]] void throw_errno(const std::string& what, const fs::path& path) {
    throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

// The index has a line of tens of bytes per recording: this allows millions of recordings.
constexpr std::size_t kMaxStorageFileBytes = std::size_t{256} << 20;

std::string read_storage_file(const fs::path& path) {
    try {
        return read_whole_file(path, kMaxStorageFileBytes);
    } catch (const ReadFileError& error) {
        throw std::runtime_error(std::string("emulated camera storage: ") + error.what());
    }
}

std::string hex_encode(const std::string& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        hex.push_back(kHex[c >> 4]);
        hex.push_back(kHex[c & 0xf]);
    }
    return hex;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> hex_decode(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string bytes;
    bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int high = hex_digit(hex[i]);
        const int low = hex_digit(hex[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes.push_back(static_cast<char>(high * 16 + low));
    }
    return bytes;
}

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::vector<std::string_view> split(std::string_view line, char separator) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = line.find(separator, start);
        fields.push_back(line.substr(start, end - start));
        if (end == std::string_view::npos) return fields;
        start = end + 1;
    }
}

fs::path object_file(const fs::path& dir, std::uint32_t handle) {
    return dir / kObjectsDir / std::to_string(handle);
}

std::string format_index(const std::vector<StoredRecording>& recordings) {
    std::string text = "# handle\tname (hex)\tsize\tcaptured (unix s, camera clock)\n";
    for (const auto& recording : recordings) {
        text += std::to_string(recording.handle) + '\t' + hex_encode(recording.name) + '\t' +
                std::to_string(recording.size) + '\t' + std::to_string(recording.captured_unix_s) +
                '\n';
    }
    return text;
}

std::vector<StoredRecording> parse_index(const fs::path& dir) {
    const fs::path path = dir / kIndexFile;
    const std::string text = read_storage_file(path);
    std::vector<StoredRecording> recordings;
    std::size_t line_number = 0;
    for (std::string_view line : split(text, '\n')) {
        ++line_number;
        if (line.empty() || line.front() == '#') continue;
        const auto malformed = [&](const std::string& why) {
            return std::runtime_error("emulated camera storage: " + path.string() + ":" +
                                      std::to_string(line_number) + ": " + why);
        };
        const auto fields = split(line, '\t');
        if (fields.size() != 4) throw malformed("expected 4 tab-separated fields");
        const auto handle = parse_number<std::uint32_t>(fields[0]);
        const auto name = hex_decode(fields[1]);
        const auto size = parse_number<std::uint64_t>(fields[2]);
        const auto captured = parse_number<std::int64_t>(fields[3]);
        if (!handle || *handle == 0) throw malformed("bad handle");
        if (!name) throw malformed("bad hex name");
        if (!size) throw malformed("bad size");
        if (!captured) throw malformed("bad capture time");
        recordings.push_back({*handle, *name, *size, *captured, object_file(dir, *handle)});
    }
    return recordings;
}

// TOML basic-string quoting for the few strings of the device file.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", c);
            out += escape;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + '"';
}

struct DeviceState {
    int battery_percent = 0;
    std::int64_t clock_offset_s = 0;
};

std::string format_device_file(const CameraSpec& spec, const DeviceState& state) {
    return "# Emulated camera " + spec.serial + "\n" +             //
           "serial = " + quoted(spec.serial) + "\n" +              //
           "manufacturer = " + quoted(spec.manufacturer) + "\n" +  //
           "model = " + quoted(spec.model) + "\n" +                //
           "firmware = " + quoted(spec.firmware) + "\n" +          //
           "officer_id = " + quoted(spec.officer_id) + "\n" +      //
           "battery_percent = " + std::to_string(state.battery_percent) + "\n" +
           "clock_offset_s = " + std::to_string(state.clock_offset_s) + "\n";
}

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

// Only the mutable state is read back; identity always comes from the spec.
DeviceState parse_device_file(const fs::path& dir) {
    const fs::path path = dir / kDeviceFile;
    const std::string text = read_storage_file(path);
    std::optional<int> battery;
    std::optional<std::int64_t> clock_offset;
    std::size_t line_number = 0;
    for (std::string_view line : split(text, '\n')) {
        ++line_number;
        line = trimmed(line);
        if (line.empty() || line.front() == '#') continue;
        const auto malformed = [&](const std::string& why) {
            return std::runtime_error("emulated camera storage: " + path.string() + ":" +
                                      std::to_string(line_number) + ": " + why);
        };
        const auto equals = line.find('=');
        if (equals == std::string_view::npos) throw malformed("expected key = value");
        const std::string_view key = trimmed(line.substr(0, equals));
        const std::string_view value = trimmed(line.substr(equals + 1));
        if (key == "battery_percent") {
            battery = parse_number<int>(value);
            if (!battery || *battery < 0 || *battery > 100) throw malformed("bad battery_percent");
        } else if (key == "clock_offset_s") {
            clock_offset = parse_number<std::int64_t>(value);
            if (!clock_offset) throw malformed("bad clock_offset_s");
        }
    }
    if (!battery || !clock_offset) {
        throw std::runtime_error("emulated camera storage: " + path.string() +
                                 ": battery_percent and clock_offset_s are required");
    }
    return {*battery, *clock_offset};
}

void write_footage_object(FileSystem& files, const PlannedRecording& recording,
                          const fs::path& path, std::vector<std::byte>& buffer) {
    Fd fd = files.open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    for (std::uint64_t offset = 0; offset < recording.size;) {
        const std::size_t count = static_cast<std::size_t>(
            std::min<std::uint64_t>(buffer.size(), recording.size - offset));
        footage_bytes(recording, offset, std::span(buffer).first(count));
        files.write_all(fd, std::span(buffer).first(count));
        offset += count;
    }
    // No fsync per object: provisioning gigabytes must stay fast, and the storage only has to
    // survive the daemon, not the machine. The index and device file are synced.
    if (!fd.close_checked()) throw_errno("cannot close", path);
}

DeviceError gone_error(const std::string& serial) {
    return DeviceError(DeviceError::Kind::gone, "camera " + serial + " is unplugged");
}

DeviceError timeout_error(const std::string& serial) {
    return DeviceError(DeviceError::Kind::timeout, "camera " + serial + " did not answer in time");
}

}  // namespace

fs::path camera_dir(const fs::path& storage_dir, const std::string& serial) {
    if (serial.empty() || serial == "." || serial == ".." ||
        serial.find_first_of(std::string("/\0", 2)) != std::string::npos) {
        throw std::invalid_argument("camera serial \"" + serial +
                                    "\" cannot name a storage directory");
    }
    return storage_dir / serial;
}

fs::path camera_dir(const fs::path& storage_dir, const CameraSpec& spec) {
    return camera_dir(storage_dir, spec.storage_name.empty() ? spec.serial : spec.storage_name);
}

void provision_camera(const CameraSpec& spec, const fs::path& storage_dir) {
    const fs::path dir = camera_dir(storage_dir, spec);
    if (fs::exists(dir / kDeviceFile)) return;

    static std::atomic<unsigned> provisioning_counter{0};
    fs::create_directories(storage_dir);
    const fs::path staging =
        storage_dir / (spec.serial + ".provisioning-" + std::to_string(::getpid()) + "-" +
                       std::to_string(provisioning_counter.fetch_add(1)));
    fs::remove_all(staging);
    fs::create_directories(staging / kObjectsDir);

    const auto footage = plan_footage(spec);
    std::vector<StoredRecording> index;
    index.reserve(footage.size());
    PosixFileSystem files;
    std::vector<std::byte> buffer(std::size_t{4} << 20);
    for (std::size_t i = 0; i < footage.size(); ++i) {
        const auto handle = static_cast<std::uint32_t>(i + 1);
        if (spec.generated_footage) {
            Fd fd = files.open(object_file(staging, handle), O_WRONLY | O_CREAT | O_EXCL, 0644);
            if (::ftruncate(fd.get(), static_cast<off_t>(footage[i].size)) != 0) {
                throw std::system_error(errno, std::generic_category(),
                                        "cannot size " + object_file(staging, handle).string());
            }
            if (!fd.close_checked()) throw_errno("cannot close", object_file(staging, handle));
        } else {
            write_footage_object(files, footage[i], object_file(staging, handle), buffer);
        }
        index.push_back({handle, footage[i].name, footage[i].size, footage[i].captured_unix_s,
                         object_file(dir, handle)});
    }
    files.fsync_directory(staging / kObjectsDir);
    write_file_atomically(staging / kIndexFile, format_index(index), 0644);
    write_file_atomically(staging / kDeviceFile,
                          format_device_file(spec, {spec.battery_percent, spec.clock_offset_s}),
                          0644);

    // A directory without a device file is an interrupted provisioning from an older layout or
    // a crash between the checks: nothing in it counts as stored on the camera.
    if (fs::exists(dir) && !fs::exists(dir / kDeviceFile)) fs::remove_all(dir);
    if (::rename(staging.c_str(), dir.c_str()) != 0) {
        const int error = errno;
        fs::remove_all(staging);
        if (fs::exists(dir / kDeviceFile)) return;  // provisioned concurrently by someone else
        throw std::system_error(error, std::generic_category(),
                                "cannot move provisioned camera storage to " + dir.string());
    }
    files.fsync_directory(storage_dir);
}

std::vector<StoredRecording> stored_recordings(const fs::path& camera_dir) {
    return parse_index(camera_dir);
}

SimCamera::SimCamera(CameraSpec spec, fs::path dir)
    : spec_(std::move(spec)), dir_(std::move(dir)), recordings_(parse_index(dir_)) {
    if (spec_.generated_footage) planned_ = plan_footage(spec_);
    const DeviceState state = parse_device_file(dir_);
    battery_percent_ = state.battery_percent;
    clock_offset_s_ = state.clock_offset_s;
}

void SimCamera::unplug() {
    {
        std::lock_guard lock(mutex_);
        plugged_ = false;
    }
    unplugged_cv_.notify_all();
}

void SimCamera::on_yank(std::function<void()> hook) {
    std::unique_lock lock(hook_mutex_);
    // A hook replacing itself from inside its own call must not wait for itself.
    if (hook_thread_ != std::this_thread::get_id()) {
        hook_done_cv_.wait(lock, [this] { return !hook_running_; });
    }
    yank_hook_ = std::move(hook);
}

void SimCamera::yank() {
    unplug();
    std::function<void()> hook;
    {
        std::lock_guard lock(hook_mutex_);
        if (!std::exchange(yank_reported_, true) && yank_hook_) {
            hook = yank_hook_;
            hook_running_ = true;
            hook_thread_ = std::this_thread::get_id();
        }
    }
    if (hook) {
        // The hook reports a detach; whatever goes wrong there must not replace "gone".
        try {
            hook();
        } catch (...) {
        }
        {
            std::lock_guard lock(hook_mutex_);
            hook_running_ = false;
            hook_thread_ = {};
        }
        hook_done_cv_.notify_all();
    }
    throw gone_error(spec_.serial);
}

void SimCamera::hang_until(Deadline deadline) {
    std::unique_lock lock(mutex_);
    unplugged_cv_.wait_until(lock, deadline, [this] { return !plugged_.load(); });
    if (!plugged_) throw gone_error(spec_.serial);
    throw timeout_error(spec_.serial);
}

void SimCamera::begin_op(Deadline deadline) {
    const int op = ++ops_;
    if (!plugged_) throw gone_error(spec_.serial);
    const FaultPlan& faults = spec_.faults;
    if (faults.yank_at_op && op >= *faults.yank_at_op) yank();
    // A zero byte limit is honoured by read itself, so that the first read (not identify) fails.
    if (faults.yank_at_byte && *faults.yank_at_byte > 0 && bytes_ >= *faults.yank_at_byte) {
        yank();
    }
    if (faults.hang_at_op && op >= *faults.hang_at_op) hang_until(deadline);
    if (SteadyClock::now() >= deadline) throw timeout_error(spec_.serial);
}

DeviceIdentity SimCamera::identify(Deadline deadline) {
    begin_op(deadline);
    return {spec_.manufacturer, spec_.model, spec_.serial, spec_.firmware, spec_.officer_id};
}

DeviceHealth SimCamera::health(Deadline deadline) {
    return read_health(deadline, /*charge=*/true);
}

DeviceHealth SimCamera::peek_health(Deadline deadline) {
    return read_health(deadline, /*charge=*/false);
}

DeviceHealth SimCamera::read_health(Deadline deadline, bool charge) {
    begin_op(deadline);
    std::lock_guard lock(mutex_);
    std::uint64_t used = 0;
    for (const auto& recording : recordings_) used += recording.size;
    DeviceHealth health;
    health.battery_percent = battery_percent_;
    health.charging = !spec_.faults.not_charging;
    health.faults = spec_.faults.reported_faults;
    health.storage_total_bytes = spec_.storage_total_bytes;
    health.storage_free_bytes =
        used < spec_.storage_total_bytes ? spec_.storage_total_bytes - used : 0;
    // The charge is counted in health reads, not in time, so that tests see the same levels
    // however fast they run.
    if (charge && health.charging && spec_.charge_percent_per_health_read > 0 &&
        battery_percent_ < 100) {
        battery_percent_ = std::min(100, battery_percent_ + spec_.charge_percent_per_health_read);
        // The storage carries the level to the next dock, as a real battery keeps its charge.
        // A failed write loses only that: the camera goes on reporting the level it has.
        try {
            write_file_atomically(dir_ / kDeviceFile,
                                  format_device_file(spec_, {battery_percent_, clock_offset_s_}),
                                  0644);
        } catch (const std::system_error&) {
        }
    }
    return health;
}

std::chrono::system_clock::time_point SimCamera::clock(Deadline deadline) {
    begin_op(deadline);
    std::lock_guard lock(mutex_);
    // A camera clock ticks in whole seconds.
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                    std::chrono::seconds(clock_offset_s_));
}

void SimCamera::set_clock(std::chrono::system_clock::time_point now, Deadline deadline) {
    begin_op(deadline);
    std::lock_guard lock(mutex_);
    if (spec_.faults.ignore_clock_set) return;
    const auto offset =
        std::chrono::round<std::chrono::seconds>(now - std::chrono::system_clock::now()).count();
    try {
        write_file_atomically(dir_ / kDeviceFile,
                              format_device_file(spec_, {battery_percent_, offset}), 0644);
    } catch (const std::system_error& error) {
        throw DeviceError(DeviceError::Kind::io,
                          "camera " + spec_.serial + ": cannot set the clock: " + error.what());
    }
    clock_offset_s_ = offset;
}

std::vector<RecordingInfo> SimCamera::list_recordings(std::size_t max_count, Deadline deadline) {
    begin_op(deadline);
    std::lock_guard lock(mutex_);
    const FaultPlan& faults = spec_.faults;
    const std::uint64_t claimed = faults.claim_count.value_or(recordings_.size());
    if (claimed > max_count) {
        throw DeviceError(DeviceError::Kind::protocol, "camera " + spec_.serial + " claims " +
                                                           std::to_string(claimed) +
                                                           " recordings, more than the " +
                                                           std::to_string(max_count) + " allowed");
    }
    std::vector<RecordingInfo> listing;
    listing.reserve(static_cast<std::size_t>(claimed));
    std::uint32_t phantom_handle = 0;
    for (const auto& recording : recordings_)
        phantom_handle = std::max(phantom_handle, recording.handle);
    for (std::size_t i = 0; i < claimed; ++i) {
        RecordingInfo info;
        if (i < recordings_.size()) {
            const auto& recording = recordings_[i];
            info = {recording.handle, recording.name, recording.size, recording.captured_unix_s};
        } else {
            // Claimed but not stored: reading or deleting it fails as for any unknown handle.
            info = {++phantom_handle, "PHANTOM_" + std::to_string(i + 1) + ".MP4", 1 << 20, 0};
        }
        // By handle (handles start at 1 and never change), so that the same recording lies
        // in every listing, also after others were deleted.
        if (faults.lie_size_index && *faults.lie_size_index >= 0 &&
            static_cast<std::uint64_t>(*faults.lie_size_index) + 1 == info.handle) {
            const std::int64_t delta = faults.lie_size_delta;
            const std::uint64_t magnitude = delta < 0 ? 0 - static_cast<std::uint64_t>(delta)
                                                      : static_cast<std::uint64_t>(delta);
            info.size = delta >= 0 ? info.size + magnitude
                                   : (magnitude > info.size ? 0 : info.size - magnitude);
        }
        listing.push_back(std::move(info));
    }
    return listing;
}

std::size_t SimCamera::read_stored(std::uint32_t handle, std::uint64_t offset,
                                   std::span<std::byte> out) {
    const fs::path path = object_file(dir_, handle);
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        throw DeviceError(
            DeviceError::Kind::io,
            "camera " + spec_.serial + ": storage error on recording " + std::to_string(handle));
    }
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t got = ::pread(fd.get(), out.data() + done, out.size() - done,
                                    static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            throw DeviceError(DeviceError::Kind::io, "camera " + spec_.serial +
                                                         ": storage error on recording " +
                                                         std::to_string(handle));
        }
        done += static_cast<std::size_t>(got);
    }

    return done;
}

std::size_t SimCamera::read(std::uint32_t handle, std::uint64_t offset, std::span<std::byte> out,
                            Deadline deadline) {
    begin_op(deadline);
    const FaultPlan& faults = spec_.faults;
    if (faults.yank_at_byte && bytes_ >= *faults.yank_at_byte) yank();

    std::unique_lock lock(mutex_);
    const auto found = std::find_if(recordings_.begin(), recordings_.end(),
                                    [&](const StoredRecording& r) { return r.handle == handle; });
    if (found == recordings_.end()) {
        throw DeviceError(DeviceError::Kind::io,
                          "camera " + spec_.serial + " has no recording " + std::to_string(handle));
    }
    const std::size_t position = static_cast<std::size_t>(found - recordings_.begin());
    if (offset >= found->size) return 0;
    std::uint64_t count = std::min<std::uint64_t>(out.size(), found->size - offset);
    if (faults.yank_at_byte) count = std::min<std::uint64_t>(count, *faults.yank_at_byte - bytes_);

    std::size_t done = 0;
    if (spec_.generated_footage && handle >= 1 && handle <= planned_.size()) {
        footage_bytes(planned_[handle - 1], offset, out.first(static_cast<std::size_t>(count)));
        done = static_cast<std::size_t>(count);
    } else {
        done = read_stored(handle, offset, out.first(static_cast<std::size_t>(count)));
    }

    if (faults.flip_index && *faults.flip_index >= 0 &&
        static_cast<std::size_t>(*faults.flip_index) == position && faults.flip_offset >= offset &&
        faults.flip_offset < offset + done) {
        auto& byte = out[static_cast<std::size_t>(faults.flip_offset - offset)];
        byte = ~byte;
    }

    if (faults.throttle_bytes_per_s > 0) {
        // The emulated link carries done bytes at the configured rate; unplugging interrupts it.
        const std::chrono::duration<double> transfer(
            static_cast<double>(done) / static_cast<double>(faults.throttle_bytes_per_s));
        const auto now = SteadyClock::now();
        const bool in_time = transfer < deadline - now;
        const auto until =
            in_time ? now + std::chrono::duration_cast<SteadyClock::duration>(transfer) : deadline;
        unplugged_cv_.wait_until(lock, until, [this] { return !plugged_.load(); });
        if (!plugged_) throw gone_error(spec_.serial);
        if (!in_time) throw timeout_error(spec_.serial);
    }
    bytes_ += done;
    return done;
}

void SimCamera::remove(std::uint32_t handle, Deadline deadline) {
    begin_op(deadline);
    if (spec_.faults.refuse_delete) {
        throw DeviceError(
            DeviceError::Kind::refused,
            "camera " + spec_.serial + " refuses to delete recording " + std::to_string(handle));
    }
    if (spec_.faults.ignore_delete) return;
    std::lock_guard lock(mutex_);
    auto remaining = recordings_;
    const auto found = std::find_if(remaining.begin(), remaining.end(),
                                    [&](const StoredRecording& r) { return r.handle == handle; });
    if (found == remaining.end()) {
        throw DeviceError(DeviceError::Kind::io,
                          "camera " + spec_.serial + " has no recording " + std::to_string(handle));
    }
    remaining.erase(found);
    // The index is the truth: once it is renamed into place the recording is gone, and a crash
    // before that leaves it whole. An orphaned object file afterwards is harmless.
    try {
        write_file_atomically(dir_ / kIndexFile, format_index(remaining), 0644);
    } catch (const std::system_error& error) {
        throw DeviceError(DeviceError::Kind::io,
                          "camera " + spec_.serial + ": cannot delete: " + error.what());
    }
    recordings_ = std::move(remaining);
    ::unlink(object_file(dir_, handle).c_str());
}

}  // namespace cradle::hw::sim
