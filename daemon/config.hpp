// The daemon's configuration: /etc/cradled/cradled.toml (etc/cradled.toml in the source).
// Every value is validated; errors name the file, the key and the problem.
#pragma once

#include "daemon/archive_store.hpp"
#include "hw/sim/spec.hpp"

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
    ClockTrust clock_trust = ClockTrust::ntp;
    std::chrono::seconds clock_max_drift{2};  // larger drift is corrected (and always logged)

    std::vector<RegisterEntry> register_entries;

    // backend = "sim": the emulated cradle.
    std::optional<hw::sim::CradleSpec> sim;
};

// Loads and validates a configuration file. Relative paths in it are relative to the file's
// directory.
Config load_config(const std::filesystem::path& file);
// The same from text (tests); base_dir resolves relative paths.
Config parse_config(std::string_view text, const std::filesystem::path& base_dir,
                    const std::string& source_name = "<config>");

}  // namespace cradle
