// SPDX-License-Identifier: Apache-2.0
#include "sim/cradle_file.hpp"

#include "core/config/toml_reader.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>

namespace cradle::hw::sim {
namespace {

using namespace cradle::config_file;

constexpr std::size_t max_camera_serial_bytes = 32;
constexpr std::size_t max_camera_text_bytes = 64;
constexpr std::size_t max_cameras = 256;
constexpr std::size_t max_reported_faults = 32;
constexpr std::int64_t max_int64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t max_int = std::numeric_limits<int>::max();
constexpr std::uint64_t bytes_per_mib = 1ull << 20;
constexpr std::uint64_t bytes_per_gib = 1ull << 30;

std::string camera_text(const TableReader& camera, std::string_view key,
                        std::string default_value) {
    auto value = camera.optional_string(key);
    if (!value) return default_value;
    if (value->size() > max_camera_text_bytes)
        camera.fail_at(key, "longer than " + std::to_string(max_camera_text_bytes) + " bytes");
    if (has_control_characters(*value)) camera.fail_at(key, "contains control characters");
    return *value;
}

FaultPlan read_faults(const TableReader& faults) {
    FaultPlan plan;
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

CameraSpec read_camera(const TableReader& camera, int bays) {
    CameraSpec spec;
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

}  // namespace

CradleSpec load_cradle_file(const std::filesystem::path& file) {
    const std::string source = file.string();
    const toml::table document = parse_toml(read_config_file(file), source);
    const TableReader root(document, "", source, {"bays", "ptp", "camera"});

    CradleSpec cradle;
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
        CameraSpec spec = read_camera(camera, cradle.bays);

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
CradleSpec load_sim_cradle(const SimConfig& sim, const std::filesystem::path& state_dir) {
    CradleSpec cradle = load_cradle_file(sim.cradle_file);
    cradle.storage_dir = sim.storage_dir.empty() ? state_dir / "sim-cameras" : sim.storage_dir;
    return cradle;
}

}  // namespace cradle::hw::sim
