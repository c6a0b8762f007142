// SPDX-License-Identifier: Apache-2.0
// An emulated body camera: the device side of the camera driver interface, with deterministic
// footage and fault hooks. Its storage is a directory (<storage_dir>/<serial>/) that outlives
// the process, as a real camera's storage outlives a daemon restart:
//   device.toml        identity, battery, clock offset as `key = value` lines (a small subset
//                      of TOML, read by hand); rewritten atomically on set_clock and when
//                      the battery charges
//   index.tsv          one line per recording: handle, hex-encoded name, size, capture time;
//                      rewritten atomically when a recording is deleted
//   objects/<handle>   the recording's bytes
// Names are kept hex-encoded in the index so that hostile names (NUL bytes, "../", invalid
// UTF-8, 4 KiB long) can be stored and served as the device would report them. Handles start
// at 1 and never change. A camera is provisioned in a side directory that is renamed into
// place when complete, so an interrupted provisioning never leaves half a camera behind.
#pragma once

#include "hw/camera_driver.hpp"
#include "sim/footage.hpp"
#include "sim/spec.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cradle::hw::sim {

// Creates the camera's storage with deterministic footage from spec.seed (see footage.hpp) if
// it does not exist yet. Existing storage is left alone: it holds what is still on the camera.
// Throws std::invalid_argument for a serial that cannot name a directory, std::system_error
// when the storage cannot be written.
void provision_camera(const CameraSpec& spec, const std::filesystem::path& storage_dir);

// The directory that holds a camera's storage. Throws std::invalid_argument for an empty
// serial, ".", "..", or one holding '/' or NUL.
std::filesystem::path camera_dir(const std::filesystem::path& storage_dir,
                                 const std::string& serial);
// The directory of this camera's storage: its storage_name, else its serial.
std::filesystem::path camera_dir(const std::filesystem::path& storage_dir, const CameraSpec& spec);

// What an emulated camera's storage holds now (tests and the checker read this).
struct StoredRecording {
    std::uint32_t handle = 0;
    std::string name;
    std::uint64_t size = 0;  // true size on storage
    std::int64_t captured_unix_s = 0;
    std::filesystem::path file;  // the object's bytes
};
// Throws std::runtime_error when the index is missing or malformed.
std::vector<StoredRecording> stored_recordings(const std::filesystem::path& camera_dir);

class SimCamera final : public CameraDriver {
  public:
    // dir = camera_dir(storage_dir, spec), provisioned. Identity comes from spec; battery,
    // clock offset and recordings from the storage. Throws std::runtime_error when the storage
    // is missing or malformed.
    SimCamera(CameraSpec spec, std::filesystem::path dir);
    SimCamera(const SimCamera&) = delete;
    SimCamera& operator=(const SimCamera&) = delete;

    DeviceIdentity identify(Deadline deadline) override;
    // Each read is one step of charging (CameraSpec::charge_percent_per_health_read).
    DeviceHealth health(Deadline deadline) override;
    // health() without the charging step: PTP's StorageInfo reads the storage this way, so that
    // over PTP only a BatteryLevel read counts as a health read. An operation like health().
    DeviceHealth peek_health(Deadline deadline);
    std::chrono::system_clock::time_point clock(Deadline deadline) override;
    void set_clock(std::chrono::system_clock::time_point now, Deadline deadline) override;
    std::vector<RecordingInfo> list_recordings(std::size_t max_count, Deadline deadline) override;
    std::size_t read(std::uint32_t handle, std::uint64_t offset, std::span<std::byte> out,
                     Deadline deadline) override;
    void remove(std::uint32_t handle, Deadline deadline) override;

    // The camera is unplugged: operations in progress and later ones fail with "gone".
    void unplug();
    bool plugged() const { return plugged_.load(); }
    // Called (once, from the operation's thread) when a yank fault unplugs the camera, so the
    // emulated cradle can report the detach. Setting a hook waits for a running one to return,
    // so on_yank({}) guarantees the old hook is no longer called.
    void on_yank(std::function<void()> hook);

    const CameraSpec& spec() const { return spec_; }
    int operations() const { return ops_.load(); }
    std::uint64_t bytes_delivered() const { return bytes_.load(); }

  private:
    void begin_op(Deadline deadline);  // counts the op, fires op faults, checks plugged
    DeviceHealth read_health(Deadline deadline, bool charge);
    [[noreturn]] void hang_until(Deadline deadline);
    [[noreturn]] void yank();
    // The bytes of a stored object (mutex_ held).
    std::size_t read_stored(std::uint32_t handle, std::uint64_t offset, std::span<std::byte> out);

    CameraSpec spec_;
    std::filesystem::path dir_;
    std::atomic<bool> plugged_{true};
    std::atomic<int> ops_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::mutex mutex_;  // guards the storage state below and pairs with unplugged_cv_
    std::condition_variable unplugged_cv_;
    std::vector<StoredRecording> recordings_;  // listing order
    std::vector<PlannedRecording> planned_;    // by handle - 1, with generated_footage
    int battery_percent_ = 0;
    std::int64_t clock_offset_s_ = 0;

    // The hook runs without any lock held (it takes the cradle's lock); on_yank waits on
    // hook_done_cv_ for a running hook instead.
    std::mutex hook_mutex_;
    std::condition_variable hook_done_cv_;
    std::function<void()> yank_hook_;
    bool yank_reported_ = false;
    bool hook_running_ = false;
    std::thread::id hook_thread_;
};

}  // namespace cradle::hw::sim
