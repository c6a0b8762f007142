// Loading and validating cradled.toml and the emulated cradle's file. A configuration file is
// written by hand, so every mistake gets a message that points at its place:
// "<file>:<line>:<column>: <key path>: <problem>". Unknown keys are errors, so that a typo
// cannot silently leave a default in force.
#include "daemon/config.hpp"

#include "hw/usb/port_path.hpp"

#include <toml++/toml.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

// A configuration file is a few kilobytes; anything this large is not one, and reading it
// whole could exhaust memory.
constexpr std::size_t max_config_file_bytes = 16u << 20;

constexpr std::size_t max_register_serial_bytes = 64;
constexpr std::size_t max_person_bytes = 128;
constexpr std::size_t max_camera_serial_bytes = 32;
constexpr std::size_t max_camera_text_bytes = 64;
constexpr std::size_t max_cameras = 256;
constexpr std::size_t max_reported_faults = 32;
constexpr std::int64_t max_int64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t max_int = std::numeric_limits<int>::max();
constexpr std::uint64_t bytes_per_mib = 1ull << 20;
constexpr std::uint64_t bytes_per_gib = 1ull << 30;

class OpenFile {
  public:
    explicit OpenFile(int fd) : fd_(fd) {}
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    ~OpenFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

[[noreturn]] void fail_to_read(const fs::path& file, std::string_view reason) {
    throw ConfigError("cannot read " + file.string() + ": " + std::string(reason));
}

std::string read_config_file(const fs::path& file) {
    // O_NONBLOCK: a FIFO put where the file should be must not hang the daemon's start.
    OpenFile in(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (in.get() < 0) fail_to_read(file, std::strerror(errno));
    struct stat st {};
    if (::fstat(in.get(), &st) != 0) fail_to_read(file, std::strerror(errno));
    if (!S_ISREG(st.st_mode)) fail_to_read(file, "not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > max_config_file_bytes)
        fail_to_read(file, "larger than 16 MiB");

    std::string text;
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(in.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_to_read(file, std::strerror(errno));
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > max_config_file_bytes) fail_to_read(file, "larger than 16 MiB");
    }
    return text;
}

fs::path resolve(const fs::path& base_dir, const std::string& value) {
    const fs::path path(value);
    if (path.is_absolute()) return path.lexically_normal();
    return (base_dir / path).lexically_normal();
}

const char* describe(toml::node_type type) {
    switch (type) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// Bytes that would make a name unreadable in a log line or a report: C0 controls, DEL, and
// the C1 controls (U+0080..U+009F, encoded as 0xC2 0x80..0x9F).
bool has_control_characters(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7F) return true;
        if (byte == 0xC2 && i + 1 < text.size()) {
            const auto next = static_cast<unsigned char>(text[i + 1]);
            if (next >= 0x80 && next <= 0x9F) return true;
        }
    }
    return false;
}

bool is_blank(std::string_view text) {
    return text.find_first_not_of(' ') == std::string_view::npos;
}

// One TOML table of a configuration file, read key by key. Knows its key path (for messages)
// and the keys it may hold; any other key is reported as soon as the reader is made.
class TableReader {
  public:
    TableReader(const toml::table& table, std::string path, const std::string& source,
                std::initializer_list<std::string_view> known_keys)
        : table_(table), path_(std::move(path)), source_(source), known_(known_keys) {
        for (auto&& [key, node] : table_) {
            (void)node;
            if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
            std::string problem = "unknown key";
            if (const auto suggestion = nearest_known(key.str()))
                problem += " (did you mean '" + *suggestion + "'?)";
            fail(key.source(), key_path(key.str()), problem);
        }
    }

    const std::string& path() const { return path_; }
    const std::string& source() const { return source_; }
    const toml::table& table() const { return table_; }

    std::string key_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    const toml::node* find(std::string_view key) const { return table_.get(key); }

    [[noreturn]] void fail(const toml::source_region& where, std::string_view key_path,
                           std::string_view problem) const {
        std::ostringstream message;
        message << source_ << ':' << where.begin.line << ':' << where.begin.column << ": "
                << key_path << ": " << problem;
        throw ConfigError(message.str());
    }
    [[noreturn]] void fail_at(std::string_view key, std::string_view problem) const {
        const toml::node* node = find(key);
        fail(node != nullptr ? node->source() : table_.source(), key_path(key), problem);
    }
    [[noreturn]] void fail_missing(std::string_view key) const {
        fail(table_.source(), key_path(key), "missing (required)");
    }

    const toml::node* expect(std::string_view key, toml::node_type type,
                             std::string_view expected) const {
        const toml::node* node = find(key);
        if (node == nullptr) return nullptr;
        if (node->type() != type)
            fail_at(key, "expected " + std::string(expected) + ", got " + describe(node->type()));
        return node;
    }

    std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) const {
        const toml::node* node = expect(key, toml::node_type::integer, "an integer");
        if (node == nullptr) return std::nullopt;
        const std::int64_t value = node->as_integer()->get();
        if (value < min || value > max)
            fail_at(key, std::to_string(value) + " is out of range (" + std::to_string(min) + ".." +
                             std::to_string(max) + ")");
        return value;
    }
    std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max,
                         std::int64_t default_value) const {
        return optional_integer(key, min, max).value_or(default_value);
    }

    // Integers and floating-point numbers alike (sizes given in MiB or GiB).
    std::optional<double> optional_number(std::string_view key, double min, double max) const {
        const toml::node* node = find(key);
        if (node == nullptr) return std::nullopt;
        double value = 0;
        if (const auto* integer = node->as_integer())
            value = static_cast<double>(integer->get());
        else if (const auto* floating = node->as_floating_point())
            value = floating->get();
        else
            fail_at(key, std::string("expected a number, got ") + describe(node->type()));
        // Written so that NaN fails it too.
        if (!(value >= min && value <= max)) {
            std::ostringstream problem;
            problem << std::setprecision(12) << value << " is out of range (" << min << ".." << max
                    << ")";
            fail_at(key, problem.str());
        }
        return value;
    }

    std::optional<std::string> optional_string(std::string_view key) const {
        const toml::node* node = expect(key, toml::node_type::string, "a string");
        if (node == nullptr) return std::nullopt;
        return node->as_string()->get();
    }
    std::string required_string(std::string_view key) const {
        auto value = optional_string(key);
        if (!value) fail_missing(key);
        return *value;
    }

    bool boolean(std::string_view key, bool default_value) const {
        const toml::node* node = expect(key, toml::node_type::boolean, "a boolean");
        return node == nullptr ? default_value : node->as_boolean()->get();
    }

    // A string that must be one of `choices`; returns its index.
    std::optional<std::size_t> optional_choice(
        std::string_view key, std::initializer_list<std::string_view> choices) const {
        const auto value = optional_string(key);
        if (!value) return std::nullopt;
        std::size_t index = 0;
        std::string listed;
        for (const std::string_view choice : choices) {
            if (*value == choice) return index;
            listed += (index == 0 ? "\"" : ", \"") + std::string(choice) + "\"";
            ++index;
        }
        fail_at(key, quoted(*value) + " is not one of " + listed);
    }

    const toml::table* optional_table(std::string_view key) const {
        const toml::node* node = expect(key, toml::node_type::table, "a table");
        return node != nullptr ? node->as_table() : nullptr;
    }

    // [[key]] tables; an empty list when the key is absent.
    std::vector<const toml::table*> array_of_tables(std::string_view key) const {
        std::vector<const toml::table*> tables;
        const toml::node* node = find(key);
        if (node == nullptr) return tables;
        const std::string expected = "an array of tables ([[" + std::string(key) + "]])";
        const toml::array* array = node->as_array();
        if (array == nullptr)
            fail_at(key, "expected " + expected + ", got " + describe(node->type()));
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& element = *array->get(i);
            if (!element.is_table())
                fail(element.source(), element_path(key, i),
                     "expected " + expected + ", got " + describe(element.type()));
            tables.push_back(element.as_table());
        }
        return tables;
    }

    std::string element_path(std::string_view key, std::size_t index) const {
        return key_path(key) + "[" + std::to_string(index) + "]";
    }

    // In double quotes, escaped as in TOML, so that an invisible character shows.
    static std::string quoted(std::string_view text) {
        std::string out = "\"";
        for (const char c : text) {
            const auto byte = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else if (byte < 0x20 || byte == 0x7F) {
                char escape[8];
                std::snprintf(escape, sizeof escape, "\\u%04X", byte);
                out += escape;
            } else {
                out += c;
            }
        }
        return out + "\"";
    }

  private:
    std::optional<std::string> nearest_known(std::string_view key) const {
        std::optional<std::string> best;
        std::size_t best_distance = 3;  // further than two edits is not a typo
        for (const std::string_view known : known_) {
            const std::size_t distance = edit_distance(key, known);
            if (distance < best_distance) {
                best_distance = distance;
                best = std::string(known);
            }
        }
        return best;
    }

    const toml::table& table_;
    std::string path_;
    const std::string& source_;
    std::vector<std::string_view> known_;
};

toml::table parse_toml(std::string_view text, const std::string& source_name) {
    try {
        return toml::parse(text, std::string_view(source_name));
    } catch (const toml::parse_error& error) {
        std::ostringstream message;
        message << source_name << ':' << error.source().begin.line << ':'
                << error.source().begin.column << ": " << error.description();
        throw ConfigError(message.str());
    }
}

std::string person(const TableReader& entry, std::string_view key) {
    std::string value = entry.required_string(key);
    if (is_blank(value)) entry.fail_at(key, "must not be empty");
    if (value.size() > max_person_bytes)
        entry.fail_at(key, "longer than " + std::to_string(max_person_bytes) + " bytes");
    if (has_control_characters(value)) entry.fail_at(key, "contains control characters");
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

std::string camera_text(const TableReader& camera, std::string_view key,
                        std::string default_value) {
    auto value = camera.optional_string(key);
    if (!value) return default_value;
    if (value->size() > max_camera_text_bytes)
        camera.fail_at(key, "longer than " + std::to_string(max_camera_text_bytes) + " bytes");
    if (has_control_characters(*value)) camera.fail_at(key, "contains control characters");
    return *value;
}

hw::sim::FaultPlan read_faults(const TableReader& faults) {
    hw::sim::FaultPlan plan;
    if (auto v = faults.optional_integer("yank_at_byte", 0, max_int64))
        plan.yank_at_byte = static_cast<std::uint64_t>(*v);
    if (auto v = faults.optional_integer("yank_at_op", 1, max_int))
        plan.yank_at_op = static_cast<int>(*v);
    if (auto v = faults.optional_integer("hang_at_op", 1, max_int))
        plan.hang_at_op = static_cast<int>(*v);
    plan.throttle_bytes_per_s =
        static_cast<std::uint64_t>(faults.integer("throttle_bytes_per_s", 0, max_int64, 0));
    if (auto v = faults.optional_integer("lie_size_index", 0, max_int))
        plan.lie_size_index = static_cast<int>(*v);
    plan.lie_size_delta =
        faults.integer("lie_size_delta", std::numeric_limits<std::int64_t>::min(), max_int64, 0);
    if (auto v = faults.optional_integer("flip_index", 0, max_int))
        plan.flip_index = static_cast<int>(*v);
    plan.flip_offset = static_cast<std::uint64_t>(faults.integer("flip_offset", 0, max_int64, 0));
    plan.hostile_names = faults.boolean("hostile_names", false);
    if (auto v = faults.optional_integer("claim_count", 0, max_int64))
        plan.claim_count = static_cast<std::uint64_t>(*v);
    if (const toml::node* node = faults.find("reported_faults")) {
        const toml::array* array = node->as_array();
        if (array == nullptr)
            faults.fail_at("reported_faults", std::string("expected an array of strings, got ") +
                                                  describe(node->type()));
        if (array->size() > max_reported_faults)
            faults.fail_at("reported_faults",
                           "more than " + std::to_string(max_reported_faults) + " faults");
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& element = *array->get(i);
            const std::string path = faults.element_path("reported_faults", i);
            const auto* text = element.as_string();
            if (text == nullptr)
                faults.fail(element.source(), path,
                            std::string("expected a string, got ") + describe(element.type()));
            const std::string& fault = text->get();
            if (fault.empty() || fault.size() > max_camera_text_bytes ||
                has_control_characters(fault))
                faults.fail(element.source(), path,
                            "must be 1.." + std::to_string(max_camera_text_bytes) +
                                " bytes without control characters");
            plan.reported_faults.push_back(fault);
        }
    }
    plan.refuse_delete = faults.boolean("refuse_delete", false);
    plan.not_charging = faults.boolean("not_charging", false);
    return plan;
}

bool is_camera_serial_character(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

hw::sim::CameraSpec read_camera(const TableReader& camera, int bays) {
    hw::sim::CameraSpec spec;
    spec.serial = camera.required_string("serial");
    // The serial names the directory of the camera's emulated storage.
    if (spec.serial.empty() || spec.serial.size() > max_camera_serial_bytes ||
        !std::all_of(spec.serial.begin(), spec.serial.end(), is_camera_serial_character) ||
        spec.serial == "." || spec.serial == "..")
        camera.fail_at("serial", "must be 1.." + std::to_string(max_camera_serial_bytes) +
                                     " characters of A-Z a-z 0-9 . _ - (and not \".\" or \"..\")");
    spec.manufacturer = camera_text(camera, "manufacturer", spec.manufacturer);
    spec.model = camera_text(camera, "model", spec.model);
    spec.firmware = camera_text(camera, "firmware", spec.firmware);
    spec.officer_id = camera_text(camera, "officer_id", spec.officer_id);
    spec.bay = static_cast<int>(camera.integer("bay", 0, bays, spec.bay));
    spec.recordings = static_cast<int>(camera.integer("recordings", 0, 100'000, spec.recordings));

    const auto total_mb = camera.optional_number("total_mb", 0, 1 << 20);
    const auto total_bytes = camera.optional_integer("total_bytes", 0, 1ll << 40);
    if (total_mb && total_bytes)
        camera.fail_at("total_bytes", "give either total_mb or total_bytes, not both");
    if (total_mb)
        spec.total_bytes = static_cast<std::uint64_t>(std::llround(*total_mb * bytes_per_mib));
    if (total_bytes) spec.total_bytes = static_cast<std::uint64_t>(*total_bytes);

    spec.seed = static_cast<std::uint64_t>(camera.integer("seed", 0, max_int64, 1));
    spec.battery_percent =
        static_cast<int>(camera.integer("battery_percent", 0, 100, spec.battery_percent));
    spec.charge_percent_per_health_read = static_cast<int>(camera.integer(
        "charge_percent_per_health_read", 0, 100, spec.charge_percent_per_health_read));
    constexpr std::int64_t ten_years_s = 10ll * 366 * 86400;
    spec.clock_offset_s = camera.integer("clock_offset_s", -ten_years_s, ten_years_s, 0);

    const auto storage_gib = camera.optional_number("storage_total_gib", 0.01, 1024);
    const auto storage_bytes = camera.optional_integer("storage_total_bytes", 1, 1ll << 40);
    if (storage_gib && storage_bytes)
        camera.fail_at("storage_total_bytes",
                       "give either storage_total_gib or storage_total_bytes, not both");
    if (storage_gib)
        spec.storage_total_bytes =
            static_cast<std::uint64_t>(std::llround(*storage_gib * bytes_per_gib));
    if (storage_bytes) spec.storage_total_bytes = static_cast<std::uint64_t>(*storage_bytes);
    if (spec.total_bytes > spec.storage_total_bytes) {
        const std::string_view key = total_mb ? "total_mb" : total_bytes ? "total_bytes" : "serial";
        camera.fail_at(key, "the footage (" + std::to_string(spec.total_bytes) +
                                " bytes) does not fit the storage (" +
                                std::to_string(spec.storage_total_bytes) + " bytes)");
    }

    if (const toml::table* faults = camera.optional_table("faults")) {
        const TableReader reader(
            *faults, camera.key_path("faults"), camera.source(),
            {"yank_at_byte", "yank_at_op", "hang_at_op", "throttle_bytes_per_s", "lie_size_index",
             "lie_size_delta", "flip_index", "flip_offset", "hostile_names", "claim_count",
             "reported_faults", "refuse_delete", "not_charging"});
        spec.faults = read_faults(reader);
    }
    return spec;
}

hw::sim::CradleSpec read_cradle_file(const fs::path& file) {
    const std::string source = file.string();
    const toml::table document = parse_toml(read_config_file(file), source);
    const TableReader root(document, "", source, {"bays", "ptp", "camera"});

    hw::sim::CradleSpec cradle;
    cradle.bays = static_cast<int>(root.integer("bays", 1, 64, cradle.bays));
    cradle.over_ptp = root.boolean("ptp", cradle.over_ptp);

    const auto tables = root.array_of_tables("camera");
    if (tables.size() > max_cameras)
        root.fail_at("camera", "more than " + std::to_string(max_cameras) + " cameras");
    std::map<std::string, std::size_t> serial_lines;
    std::map<int, std::pair<std::string, std::size_t>> bay_holders;  // bay -> path, line
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const TableReader camera(
            *tables[i], root.element_path("camera", i), source,
            {"serial", "manufacturer", "model", "firmware", "officer_id", "bay", "recordings",
             "total_mb", "total_bytes", "seed", "battery_percent", "charge_percent_per_health_read",
             "clock_offset_s", "storage_total_gib", "storage_total_bytes", "faults"});
        hw::sim::CameraSpec spec = read_camera(camera, cradle.bays);

        const std::size_t serial_line = camera.find("serial")->source().begin.line;
        if (const auto [previous, inserted] = serial_lines.try_emplace(spec.serial, serial_line);
            !inserted)
            camera.fail_at("serial", "duplicate serial " + TableReader::quoted(spec.serial) +
                                         ", already given at line " +
                                         std::to_string(previous->second));
        if (spec.bay != 0) {
            const std::size_t bay_line = camera.find("bay")->source().begin.line;
            const auto [holder, inserted] =
                bay_holders.try_emplace(spec.bay, camera.path(), bay_line);
            if (!inserted)
                camera.fail_at("bay", "bay " + std::to_string(spec.bay) + " already holds " +
                                          holder->second.first + " (line " +
                                          std::to_string(holder->second.second) + ")");
        }
        cradle.cameras.push_back(std::move(spec));
    }
    return cradle;
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
            if (is_blank(*name) || name->size() > max_device_name_bytes ||
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

}  // namespace

Config parse_config(std::string_view text, const std::filesystem::path& base_dir,
                    const std::string& source_name) {
    const toml::table document = parse_toml(text, source_name);
    const TableReader root(
        document, "", source_name,
        {"daemon", "archive", "device", "readiness", "register", "sim", "usb", "dbus"});
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

    const TableReader dbus = section("dbus", {"custodian_group"});
    if (const auto group = dbus.optional_string("custodian_group")) {
        // A POSIX portable group name, as useradd and systemd-sysusers accept it.
        const bool valid =
            !group->empty() && group->size() <= 32 &&
            (std::islower(static_cast<unsigned char>((*group)[0])) || (*group)[0] == '_') &&
            std::all_of(group->begin(), group->end(), [](char c) {
                return std::islower(static_cast<unsigned char>(c)) ||
                       std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
            });
        if (!valid) {
            dbus.fail_at("custodian_group",
                         "must be a group name: a lower-case letter or '_', then lower-case "
                         "letters, digits, '_' or '-', at most 32 characters");
        }
        config.custodian_group = *group;
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

    const toml::table* sim = root.optional_table("sim");
    if (config.backend == "sim") {
        if (sim == nullptr) daemon.fail_at("backend", "the \"sim\" backend needs a [sim] table");
        const TableReader reader(*sim, "sim", source_name, {"cradle", "storage_dir"});
        const std::string cradle = reader.required_string("cradle");
        if (cradle.empty() || cradle.find('\0') != std::string::npos)
            reader.fail_at("cradle", "must be a file path");
        config.sim = read_cradle_file(resolve(base_dir, cradle));
        if (const auto storage_dir = reader.optional_string("storage_dir")) {
            if (storage_dir->empty() || storage_dir->find('\0') != std::string::npos)
                reader.fail_at("storage_dir", "must be a directory path");
            config.sim->storage_dir = resolve(base_dir, *storage_dir);
        } else {
            config.sim->storage_dir = config.state_dir / "sim-cameras";
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
