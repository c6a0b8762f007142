// SPDX-License-Identifier: Apache-2.0
// Loading and validating cradled.toml, the device table and the bay map (with the TOML reader of
// toml_reader.hpp: every mistake gets a message that points at its place).
#include "core/config/config.hpp"

#include "common/text.hpp"
#include "common/utf8.hpp"

#include "core/config/toml_reader.hpp"
#include "hw/port_path.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <iomanip>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace cradle {
namespace {

namespace fs = std::filesystem;
using namespace config_file;

constexpr std::size_t max_register_serial_bytes = 64;
constexpr std::size_t max_person_bytes = 128;
constexpr std::uint64_t bytes_per_mib = 1ull << 20;
constexpr std::uint64_t bytes_per_gib = 1ull << 30;

std::string person(const TableReader& entry, std::string_view key) {
    std::string value = entry.required_string(key);
    if (is_empty_or_spaces(value)) entry.fail_at(key, "must not be empty");
    if (value.size() > max_person_bytes)
        entry.fail_at(key, "longer than " + std::to_string(max_person_bytes) + " bytes");
    if (std::string problem = text_value_problem(value); !problem.empty()) {
        entry.fail_at(key, problem);
    }
    return value;
}

std::vector<RegisterEntry> read_register(const TableReader& root) {
    std::vector<RegisterEntry> entries;
    std::map<std::string, std::pair<std::string, std::size_t>> seen;  // serial -> path, line
    const auto tables = root.array_of_tables("register");
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const TableReader entry(*tables[i], root.element_path("register", i), root.source(),
                                {"serial", "custodian", "officer", "head"});
        RegisterEntry value;
        value.serial = entry.required_string("serial");
        if (value.serial.empty()) entry.fail_at("serial", "must not be empty");
        if (value.serial.size() > max_register_serial_bytes)
            entry.fail_at("serial",
                          "longer than " + std::to_string(max_register_serial_bytes) + " bytes");
        const bool printable = std::all_of(value.serial.begin(), value.serial.end(),
                                           [](char c) { return c >= 0x20 && c <= 0x7E; });
        if (!printable) entry.fail_at("serial", "must be printable ASCII");
        if (value.serial.front() == ' ' || value.serial.back() == ' ')
            entry.fail_at("serial", "must not begin or end with a space");
        const std::size_t line = entry.find("serial")->source().begin.line;
        const auto [previous, inserted] =
            seen.try_emplace(value.serial, entry.key_path("serial"), line);
        if (!inserted)
            entry.fail_at("serial", "duplicate serial " + TableReader::quoted(value.serial) +
                                        ", already given at line " +
                                        std::to_string(previous->second.second) + " (" +
                                        previous->second.first + ")");
        value.custodian = person(entry, "custodian");
        value.officer = person(entry, "officer");
        value.head = person(entry, "head");
        entries.push_back(std::move(value));
    }
    return entries;
}

// ---- the USB backend's device table and bay map ----

constexpr std::size_t max_device_rules = 1024;
constexpr std::size_t max_device_name_bytes = 64;
constexpr std::size_t max_led_name_bytes = 64;
constexpr int max_bays = 64;

// "0x04b0": one to four hex digits after 0x, as lsusb prints them.
std::uint16_t usb_id(const TableReader& entry, std::string_view key) {
    const toml::node* node = entry.find(key);
    const std::string problem = "must be a hex string of 1..4 digits like \"0x04b0\"";
    if (node->as_string() == nullptr)
        entry.fail_at(key, problem + ", got " + describe(node->type()));
    const std::string& text = node->as_string()->get();
    if (text.size() < 3 || text.size() > 6 ||
        (text.compare(0, 2, "0x") != 0 && text.compare(0, 2, "0X") != 0))
        entry.fail_at(key, TableReader::quoted(text) + " " + problem);
    unsigned value = 0;
    for (std::size_t i = 2; i < text.size(); ++i) {
        const char c = text[i];
        unsigned digit = 0;
        if (c >= '0' && c <= '9')
            digit = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            digit = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            digit = static_cast<unsigned>(c - 'A' + 10);
        else
            entry.fail_at(key, TableReader::quoted(text) + " " + problem);
        value = value * 16 + digit;
    }
    return static_cast<std::uint16_t>(value);
}

hw::ptp::PtpQuirks read_quirks(const TableReader& quirks) {
    hw::ptp::PtpQuirks value;
    value.partial_object_bytes = static_cast<std::uint32_t>(
        quirks.integer("partial_object_bytes", 512, 64ll << 20, value.partial_object_bytes));
    value.partial_object_64 = quirks.boolean("partial_object_64", value.partial_object_64);
    // Time zones span UTC-12 to UTC+14.
    value.local_offset_s = quirks.integer("local_offset_s", -12 * 3600, 14 * 3600, 0);
    value.max_objects = static_cast<std::size_t>(
        quirks.integer("max_objects", 1, 10'000'000, static_cast<std::int64_t>(value.max_objects)));
    return value;
}

std::string hex4(std::uint16_t value) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%04x", value);
    return text;
}

std::vector<hw::usb::DeviceRule> read_device_table(const toml::table& document,
                                                   const std::string& source) {
    const TableReader root(document, "", source, {"device"});
    const auto tables = root.array_of_tables("device");
    if (tables.size() > max_device_rules)
        root.fail_at("device", "more than " + std::to_string(max_device_rules) + " entries");
    std::vector<hw::usb::DeviceRule> rules;
    // What an entry matches -> its line, to find two entries for the same devices.
    std::map<std::tuple<int, int, int>, std::size_t> seen;
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const TableReader entry(*tables[i], root.element_path("device", i), source,
                                {"name", "vid", "pid", "interface_class", "driver", "quirks"});
        hw::usb::DeviceRule rule;
        if (entry.find("vid") != nullptr) rule.vendor_id = usb_id(entry, "vid");
        if (entry.find("pid") != nullptr) {
            if (!rule.vendor_id) entry.fail_at("pid", "a pid needs the vid it belongs to");
            rule.product_id = usb_id(entry, "pid");
        }
        if (const auto klass = entry.optional_integer("interface_class", 0, 255))
            rule.interface_class = static_cast<std::uint8_t>(*klass);
        if (!rule.vendor_id && !rule.interface_class)
            entry.fail(tables[i]->source(), entry.path(),
                       "names no device: give vid (and pid), interface_class, or both");
        if (const auto name = entry.optional_string("name")) {
            if (is_empty_or_spaces(*name) || name->size() > max_device_name_bytes ||
                has_control_characters(*name))
                entry.fail_at("name", "must be 1.." + std::to_string(max_device_name_bytes) +
                                          " bytes without control characters");
            rule.name = *name;
        } else {
            rule.name = rule.vendor_id ? hex4(*rule.vendor_id) +
                                             (rule.product_id ? ":" + hex4(*rule.product_id) : "")
                                       : "interface class " + std::to_string(*rule.interface_class);
        }
        const auto driver = entry.optional_choice("driver", {"ptp", "ignore"});
        if (!driver) entry.fail_missing("driver");
        rule.driver = *driver == 0 ? hw::usb::DriverKind::ptp : hw::usb::DriverKind::ignore;
        if (const toml::table* quirks = entry.optional_table("quirks")) {
            if (rule.driver != hw::usb::DriverKind::ptp)
                entry.fail_at("quirks", "quirks only apply to driver \"ptp\"");
            const TableReader reader(
                *quirks, entry.key_path("quirks"), source,
                {"partial_object_bytes", "partial_object_64", "local_offset_s", "max_objects"});
            rule.quirks = read_quirks(reader);
        }
        const std::tuple<int, int, int> key{rule.vendor_id ? *rule.vendor_id : -1,
                                            rule.product_id ? *rule.product_id : -1,
                                            rule.interface_class ? *rule.interface_class : -1};
        const std::size_t line = tables[i]->source().begin.line;
        if (const auto [previous, inserted] = seen.try_emplace(key, line); !inserted)
            entry.fail(tables[i]->source(), entry.path(),
                       "matches the same devices as the entry at line " +
                           std::to_string(previous->second));
        rules.push_back(std::move(rule));
    }
    return rules;
}

std::string port_path(const TableReader& bay, std::string_view key) {
    const std::string value = bay.required_string(key);
    if (!hw::usb::parse_port_path(value))
        bay.fail_at(key, TableReader::quoted(value) +
                             " is not a USB port path like \"1-1.3\" (bus, dash, ports joined "
                             "by dots, as in /sys/bus/usb/devices)");
    return value;
}

std::string led_name(const TableReader& bay, std::string_view key) {
    const auto value = bay.optional_string(key);
    if (!value) return {};
    // A name under /sys/class/leds: one path component.
    if (value->empty() || value->size() > max_led_name_bytes || *value == "." || *value == ".." ||
        value->find('/') != std::string::npos || has_control_characters(*value))
        bay.fail_at(key, "must be the name of an LED in /sys/class/leds (1.." +
                             std::to_string(max_led_name_bytes) +
                             " bytes, no '/' and no control characters)");
    return *value;
}

std::vector<hw::usb::BaySpec> read_bay_map(const toml::table& document, const std::string& source) {
    const TableReader root(document, "", source, {"bay"});
    const auto tables = root.array_of_tables("bay");
    if (tables.size() > static_cast<std::size_t>(max_bays))
        root.fail_at("bay", "more than " + std::to_string(max_bays) + " bays");
    std::map<int, hw::usb::BaySpec> bays;
    std::map<int, std::size_t> number_lines;
    std::map<std::string, std::pair<int, std::size_t>> port_users;  // port -> bay, line
    std::map<std::string, std::pair<int, std::size_t>> led_users;   // LED -> bay, line
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const TableReader entry(
            *tables[i], root.element_path("bay", i), source,
            {"number", "port", "hub_port", "led_red", "led_green", "led_amber"});
        hw::usb::BaySpec bay;
        const auto number = entry.optional_integer("number", 1, max_bays);
        if (!number) entry.fail_missing("number");
        bay.number = static_cast<int>(*number);
        const std::size_t number_line = entry.find("number")->source().begin.line;
        if (const auto [previous, inserted] = number_lines.try_emplace(bay.number, number_line);
            !inserted)
            entry.fail_at("number", "bay " + std::to_string(bay.number) +
                                        " is already mapped at line " +
                                        std::to_string(previous->second));
        bay.port = port_path(entry, "port");
        const std::size_t port_line = entry.find("port")->source().begin.line;
        if (const auto [previous, inserted] =
                port_users.try_emplace(bay.port, bay.number, port_line);
            !inserted)
            entry.fail_at("port", "port " + bay.port + " is already bay " +
                                      std::to_string(previous->second.first) + " (line " +
                                      std::to_string(previous->second.second) + ")");
        bay.hub_port = entry.find("hub_port") != nullptr ? port_path(entry, "hub_port") : bay.port;
        bay.led_red = led_name(entry, "led_red");
        bay.led_green = led_name(entry, "led_green");
        bay.led_amber = led_name(entry, "led_amber");
        for (const std::string_view key : {"led_red", "led_green", "led_amber"}) {
            const auto name = entry.optional_string(key);
            if (!name) continue;
            const std::size_t line = entry.find(key)->source().begin.line;
            if (const auto [previous, inserted] = led_users.try_emplace(*name, bay.number, line);
                !inserted)
                entry.fail_at(key, "LED " + TableReader::quoted(*name) +
                                       " is already used by bay " +
                                       std::to_string(previous->second.first) + " (line " +
                                       std::to_string(previous->second.second) + ")");
        }
        bays.emplace(bay.number, std::move(bay));
    }
    std::vector<hw::usb::BaySpec> ordered;
    for (auto& [number, bay] : bays) {
        const int expected = static_cast<int>(ordered.size()) + 1;
        if (number != expected)
            root.fail(document.source(), "bay",
                      "bay " + std::to_string(expected) + " is missing: bays are numbered 1.." +
                          std::to_string(bays.size()) + " without gaps");
        ordered.push_back(std::move(bay));
    }
    return ordered;
}

// "22:00" -> minutes after midnight.
std::optional<int> time_of_day(std::string_view text) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    for (const std::size_t i : {0u, 1u, 3u, 4u}) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
    }
    const int hours = (text[0] - '0') * 10 + (text[1] - '0');
    const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
    if (hours > 23 || minutes > 59) return std::nullopt;
    return hours * 60 + minutes;
}

// A bucket name as S3 and RGW accept it: 3..63 of [a-z0-9.-], starting and ending with a letter
// or digit, no "..".
bool valid_bucket_name(std::string_view name) {
    const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    return name.size() >= 3 && name.size() <= 63 && alnum(name.front()) && alnum(name.back()) &&
           name.find("..") == std::string_view::npos &&
           std::all_of(name.begin(), name.end(),
                       [&](char c) { return alnum(c) || c == '.' || c == '-'; });
}

// "http(s)://host[:port]": what the client prefixes to "/bucket/key".
bool valid_endpoint(std::string_view url) {
    std::string_view rest;
    if (url.starts_with("https://")) {
        rest = url.substr(8);
    } else if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else {
        return false;
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    return !rest.empty() && rest.size() <= 255 && std::all_of(rest.begin(), rest.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    });
}

RemoteConfig read_remote(const TableReader& remote, const fs::path& base_dir) {
    RemoteConfig value;
    value.endpoint = remote.required_string("endpoint");
    if (!valid_endpoint(value.endpoint))
        remote.fail_at("endpoint", TableReader::quoted(value.endpoint) +
                                       " is not an address like \"https://rgw.example.org\" or "
                                       "\"http://10.0.0.5:7480\" (scheme, host, optional port, "
                                       "no path)");
    if (value.endpoint.back() == '/') value.endpoint.pop_back();
    value.bucket = remote.required_string("bucket");
    if (!valid_bucket_name(value.bucket))
        remote.fail_at("bucket", TableReader::quoted(value.bucket) +
                                     " is not a bucket name (3..63 lower-case letters, digits, "
                                     "'.' or '-', starting and ending with a letter or digit)");
    if (const auto region = remote.optional_string("region")) {
        if (region->empty() || region->size() > 64 ||
            !std::all_of(region->begin(), region->end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            }))
            remote.fail_at("region", "must be 1..64 lower-case letters, digits, '-' or '_'");
        value.region = *region;
    }
    value.cradle_id = remote.required_string("cradle_id");
    const bool id_ok = !value.cradle_id.empty() && value.cradle_id.size() <= 64 &&
                       value.cradle_id != "." && value.cradle_id != ".." &&
                       std::all_of(value.cradle_id.begin(), value.cradle_id.end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                  (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
                       });
    if (!id_ok)
        remote.fail_at("cradle_id",
                       "must be 1..64 letters, digits, '.', '-' or '_' (it names "
                       "this cradle's folder in the bucket)");
    for (const std::string_view key : {"credentials", "ca_file"}) {
        const auto path = remote.optional_string(key);
        if (!path) continue;
        if (path->empty() || path->find('\0') != std::string::npos)
            remote.fail_at(key, "must be a file path");
        (key == "credentials" ? value.credentials_file : value.ca_file) = resolve(base_dir, *path);
    }
    if (const auto wipe = remote.optional_choice("wipe_after", {"local", "remote"}))
        value.wipe_after = *wipe == 0 ? WipeAfter::local : WipeAfter::remote;
    if (const auto days = remote.optional_integer("retention_days", 1, 36'500)) {
        if (*days < min_retention_days)
            remote.fail_at("retention_days", std::to_string(*days) +
                                                 " is below the retention the rules require: "
                                                 "recordings are kept at least 365 days (Art. "
                                                 "16)");
        value.retention_days = static_cast<int>(*days);
    }
    value.max_bytes_per_second =
        static_cast<std::uint64_t>(remote.integer("max_kib_per_second", 0, 10'000'000, 0)) << 10;
    value.retry_seconds = static_cast<int>(remote.integer("retry_seconds", 1, 3600, 10));
    value.audit_sample = static_cast<int>(remote.integer("audit_sample", 0, 1000, 4));
    value.audit_hours = static_cast<int>(remote.integer("audit_hours", 1, 720, 24));
    if (const auto window = remote.optional_string("window")) {
        const auto dash = window->find('-');
        const auto from = time_of_day(std::string_view(*window).substr(0, dash));
        const auto to = dash == std::string::npos
                            ? std::nullopt
                            : time_of_day(std::string_view(*window).substr(dash + 1));
        if (!from || !to || *from == *to)
            remote.fail_at("window", TableReader::quoted(*window) +
                                         " is not a time window like \"22:00-06:00\" (local "
                                         "time, HH:MM-HH:MM, start and end differ)");
        value.window = std::pair(*from, *to);
    }
    return value;
}

}  // namespace

Config parse_config(std::string_view text, const std::filesystem::path& base_dir,
                    const std::string& source_name) {
    const toml::table document = parse_toml(text, source_name);
    const TableReader root(
        document, "", source_name,
        {"daemon", "archive", "device", "readiness", "register", "sim", "usb", "dbus", "remote"});
    const toml::table empty;
    const auto section = [&](std::string_view key,
                             std::initializer_list<std::string_view> known_keys) {
        const toml::table* table = root.optional_table(key);
        return TableReader(table != nullptr ? *table : empty, std::string(key), source_name,
                           known_keys);
    };

    Config config;

    const TableReader daemon = section("daemon", {"state_dir", "backend", "workers"});
    if (const auto state_dir = daemon.optional_string("state_dir")) {
        if (state_dir->empty()) daemon.fail_at("state_dir", "must not be empty");
        if (state_dir->find('\0') != std::string::npos)
            daemon.fail_at("state_dir", "contains a NUL character");
        config.state_dir = resolve(base_dir, *state_dir);
    }
    if (const auto backend = daemon.optional_choice("backend", {"usb", "sim"}))
        config.backend = *backend == 0 ? "usb" : "sim";
    config.workers = static_cast<int>(daemon.integer("workers", 1, 64, config.workers));

    const TableReader archive = section("archive", {"chunk_kib", "reserve_mib"});
    config.copy.chunk_bytes =
        static_cast<std::size_t>(archive.integer("chunk_kib", 64, 16384, 1024)) << 10;
    config.copy.reserve_bytes =
        static_cast<std::uint64_t>(archive.integer("reserve_mib", 0, 1 << 20, 512)) * bytes_per_mib;

    const TableReader device =
        section("device", {"timeout_ms", "max_recordings", "max_recording_gib", "copy_attempts"});
    config.device_timeout = std::chrono::milliseconds(
        device.integer("timeout_ms", 100, 600'000, config.device_timeout.count()));
    config.copy.device_timeout = config.device_timeout;
    config.max_recordings = static_cast<std::size_t>(device.integer(
        "max_recordings", 1, 10'000'000, static_cast<std::int64_t>(config.max_recordings)));
    config.max_recording_bytes =
        static_cast<std::uint64_t>(device.integer("max_recording_gib", 1, 1024, 64)) *
        bytes_per_gib;
    config.copy_attempts =
        static_cast<int>(device.integer("copy_attempts", 1, 10, config.copy_attempts));

    const TableReader readiness =
        section("readiness", {"battery_min_percent", "charge_percent_per_hour", "battery_recheck_s",
                              "clock_trust", "clock_max_drift_s", "storage_min_free_mib"});
    config.battery_min_percent = static_cast<int>(
        readiness.integer("battery_min_percent", 0, 100, config.battery_min_percent));
    config.charge_percent_per_hour = static_cast<int>(
        readiness.integer("charge_percent_per_hour", 1, 1000, config.charge_percent_per_hour));
    config.battery_recheck = std::chrono::seconds(
        readiness.integer("battery_recheck_s", 1, 3600, config.battery_recheck.count()));
    if (const auto trust = readiness.optional_choice("clock_trust", {"ntp", "always", "never"}))
        config.clock_trust = *trust == 0   ? ClockTrust::ntp
                             : *trust == 1 ? ClockTrust::always
                                           : ClockTrust::never;
    config.clock_max_drift = std::chrono::seconds(
        readiness.integer("clock_max_drift_s", 0, 86'400, config.clock_max_drift.count()));
    config.storage_min_free_bytes =
        static_cast<std::uint64_t>(readiness.integer(
            "storage_min_free_mib", 0, 1 << 20,
            static_cast<std::int64_t>(config.storage_min_free_bytes / bytes_per_mib))) *
        bytes_per_mib;

    config.register_entries = read_register(root);

    const TableReader dbus = section("dbus", {"custodian_group", "auditor_group", "admin_group"});
    for (auto [key, field] : {std::pair{"custodian_group", &Config::custodian_group},
                              std::pair{"auditor_group", &Config::auditor_group},
                              std::pair{"admin_group", &Config::admin_group}}) {
        const auto group = dbus.optional_string(key);
        if (!group) continue;
        // A POSIX portable group name, as useradd and systemd-sysusers accept it.
        const bool valid =
            !group->empty() && group->size() <= 32 &&
            (std::islower(static_cast<unsigned char>((*group)[0])) || (*group)[0] == '_') &&
            std::all_of(group->begin(), group->end(), [](char c) {
                return std::islower(static_cast<unsigned char>(c)) ||
                       std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
            });
        if (!valid) {
            dbus.fail_at(key,
                         "must be a group name: a lower-case letter or '_', then lower-case "
                         "letters, digits, '_' or '-', at most 32 characters");
        }
        config.*field = *group;
    }

    const TableReader usb = section("usb", {"device_table", "bay_map"});
    for (const std::string_view key : {"device_table", "bay_map"}) {
        const auto value = usb.optional_string(key);
        if (value && (value->empty() || value->find('\0') != std::string::npos))
            usb.fail_at(key, "must be a file path");
        const fs::path path = resolve(base_dir, value                   ? *value
                                                : key == "device_table" ? "devices.toml"
                                                                        : "bays.toml");
        (key == "device_table" ? config.usb.device_table : config.usb.bay_map) = path;
    }

    if (const toml::table* remote = root.optional_table("remote")) {
        config.remote = read_remote(
            TableReader(*remote, "remote", source_name,
                        {"endpoint", "bucket", "region", "cradle_id", "credentials", "ca_file",
                         "wipe_after", "retention_days", "max_kib_per_second", "window",
                         "retry_seconds", "audit_sample", "audit_hours"}),
            base_dir);
    }

    const toml::table* sim = root.optional_table("sim");
    if (config.backend == "sim") {
        if (sim == nullptr) daemon.fail_at("backend", "the \"sim\" backend needs a [sim] table");
        const TableReader reader(*sim, "sim", source_name, {"cradle", "storage_dir"});
        const std::string cradle = reader.required_string("cradle");
        if (cradle.empty() || cradle.find('\0') != std::string::npos)
            reader.fail_at("cradle", "must be a file path");
        SimConfig& section = config.sim.emplace();
        section.cradle_file = resolve(base_dir, cradle);
        if (const auto storage_dir = reader.optional_string("storage_dir")) {
            if (storage_dir->empty() || storage_dir->find('\0') != std::string::npos)
                reader.fail_at("storage_dir", "must be a directory path");
            section.storage_dir = resolve(base_dir, *storage_dir);
        }
    } else if (sim != nullptr) {
        root.fail(sim->source(), "sim", "[sim] only applies with daemon.backend = \"sim\"");
    }
    return config;
}

Config load_config(const std::filesystem::path& file) {
    const std::string text = read_config_file(file);
    std::error_code error;
    fs::path absolute = fs::absolute(file, error);
    if (error) absolute = file;
    return parse_config(text, absolute.parent_path(), file.string());
}

std::vector<hw::usb::DeviceRule> parse_device_table(std::string_view text,
                                                    const std::string& source_name) {
    return read_device_table(parse_toml(text, source_name), source_name);
}

std::vector<hw::usb::DeviceRule> load_device_table(const std::filesystem::path& file) {
    return parse_device_table(read_config_file(file), file.string());
}

std::vector<hw::usb::BaySpec> parse_bay_map(std::string_view text, const std::string& source_name) {
    return read_bay_map(parse_toml(text, source_name), source_name);
}

std::vector<hw::usb::BaySpec> load_bay_map(const std::filesystem::path& file) {
    return parse_bay_map(read_config_file(file), file.string());
}

hw::usb::UsbCradleSpec load_usb_cradle_spec(const UsbConfig& usb) {
    hw::usb::UsbCradleSpec spec;
    spec.devices = load_device_table(usb.device_table);
    spec.bays = load_bay_map(usb.bay_map);
    return spec;
}

}  // namespace cradle
