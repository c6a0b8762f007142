// SPDX-License-Identifier: Apache-2.0
// The daemon's configuration: /etc/cradled/cradled.toml (etc/cradled.toml in the source).
// Every value is validated; errors name the file, the key and the problem.
#pragma once

#include "core/archive/archive_store.hpp"
#include "hw/usb/usb_spec.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class ClockTrust {
    ntp,     // set camera clocks only while the kernel reports the system clock synchronised
    always,  // the cradle's clock is trusted (e.g. a GPS or RTC the site vouches for)
    never,   // never set camera clocks; only measure and record the drift
};

struct RegisterEntry {
    std::string serial;
    std::string custodian;
    std::string officer;  // "pool" when not assigned to one officer
    std::string head;
};

// [usb]: where the USB backend's two tables are. Both are read by load_usb_cradle_spec.
struct UsbConfig {
    // Which USB devices are cameras and which driver serves them (etc/devices.toml).
    std::filesystem::path device_table = "/etc/cradled/devices.toml";
    // Which port is which bay, with its lights and power switch (etc/bays.toml).
    std::filesystem::path bay_map = "/etc/cradled/bays.toml";
};

// [sim]: where the emulated cradle is described, and where its cameras keep their storage.
struct SimConfig {
    std::filesystem::path cradle_file;
    // Empty: <state_dir>/sim-cameras, following --state-dir.
    std::filesystem::path storage_dir;
};

// When a camera may be wiped: once its recordings are verified in the local archive, or only
// once they are also confirmed in the central archive.
enum class WipeAfter { local, remote };

// The retention floor of the rules (Art. 16, R-16): recordings are kept a year at least, and no
// configuration can ask for less.
inline constexpr int min_retention_days = 365;

// [remote]: the central archive, an S3 object store with Object Lock (Ceph RGW, MinIO, ...)
// that every cradle of the county replicates to. Absent: no replication, as a single cradle.
struct RemoteConfig {
    std::string endpoint;  // "https://host[:port]" or "http://host[:port]", no path
    std::string bucket;
    std::string region = "default";
    // This cradle's name in the bucket: its objects are under cradles/<cradle_id>/.
    std::string cradle_id;
    // access_key and secret_key (TOML), readable by root and the service only. A systemd
    // credential named "cradled-remote" ($CREDENTIALS_DIRECTORY) takes precedence.
    std::filesystem::path credentials_file = "/etc/cradled/remote-credentials";
    WipeAfter wipe_after = WipeAfter::local;
    // COMPLIANCE retention of each object: the later of its capture and its archival, plus
    // retention_days (at least 365).
    int retention_days = min_retention_days;
    std::uint64_t max_bytes_per_second = 0;  // 0: no cap
    // A failed upload is tried again after this long, doubling with each further failure up
    // to 64 times this.
    int retry_seconds = 10;
    // The remote audit: every audit_hours, audit_sample recordings confirmed in the central
    // archive are read back and compared with the catalog (0: no audit).
    int audit_sample = 4;
    int audit_hours = 24;
    // Uploads only between these local times of day (minutes after midnight); a window that
    // ends before it starts spans midnight. Absent: at any time.
    std::optional<std::pair<int, int>> window;
    std::filesystem::path ca_file;  // empty: the system's certificate authorities
};

struct Config {
    std::filesystem::path state_dir = "/var/lib/cradled";
    std::string backend = "usb";  // "usb" or "sim"
    int workers = 4;              // threads for blocking work (device I/O, hashing, fsync)

    CopyOptions copy;  // chunk size, per-read device timeout, reserve

    std::chrono::milliseconds device_timeout{10'000};  // deadline of each device operation
    std::size_t max_recordings = 100'000;              // per device; more faults the bay
    std::uint64_t max_recording_bytes = 64ull << 30;   // per recording; more faults the bay
    int copy_attempts = 2;                             // per recording, before needs-custodian

    int battery_min_percent = 80;
    // How fast a camera charges in a bay, for the time to reach battery_min_percent when the
    // dock was too short to measure it.
    int charge_percent_per_hour = 35;
    // A charging camera that is not ready only for its battery has its health read again this
    // often while it stays in its bay, until it is ready.
    std::chrono::seconds battery_recheck{300};
    ClockTrust clock_trust = ClockTrust::ntp;
    std::chrono::seconds clock_max_drift{2};  // larger drift is corrected (and always logged)
    // Free space a camera must have after the wipe to be ready for a shift (Art. 7).
    std::uint64_t storage_min_free_bytes = 4096ull << 20;

    std::vector<RegisterEntry> register_entries;

    // [dbus]: the groups of the three roles (docs/access.md). With polkit on the bus, polkit
    // decides every right (its shipped rules grant them by the default names); these decide
    // only on a bus without polkit, with the same grants.
    std::string custodian_group = "cradle-custodian";
    std::string auditor_group = "cradle-auditor";
    std::string admin_group = "cradle-admin";

    // backend = "sim": the emulated cradle of the demonstration and the tests, which
    // cradled-demo reads (sim/cradle_file.hpp).
    std::optional<SimConfig> sim;

    // backend = "usb": the paths of the device table and the bay map (defaults: devices.toml
    // and bays.toml next to the configuration file). They are read when the USB cradle is made.
    UsbConfig usb;

    std::optional<RemoteConfig> remote;
};

// Loads and validates a configuration file. Relative paths in it are relative to the file's
// directory.
Config load_config(const std::filesystem::path& file);
// The same from text (tests); base_dir resolves relative paths.
Config parse_config(std::string_view text, const std::filesystem::path& base_dir,
                    const std::string& source_name = "<config>");

// The device table: [[device]] entries (vid/pid as hex strings, interface_class, driver,
// quirks). Errors name the file, line and key like those of the configuration.
std::vector<hw::usb::DeviceRule> load_device_table(const std::filesystem::path& file);
std::vector<hw::usb::DeviceRule> parse_device_table(std::string_view text,
                                                    const std::string& source_name);
// The bay map: [[bay]] entries (number, port, hub_port, led_red/led_green/led_amber), returned
// in bay order; the bays must be numbered 1..N without gaps, ports and LEDs used once.
std::vector<hw::usb::BaySpec> load_bay_map(const std::filesystem::path& file);
std::vector<hw::usb::BaySpec> parse_bay_map(std::string_view text, const std::string& source_name);
// Both tables of `usb`, as the USB cradle takes them (sysfs paths at their defaults).
hw::usb::UsbCradleSpec load_usb_cradle_spec(const UsbConfig& usb);

}  // namespace cradle
