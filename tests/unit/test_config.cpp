// SPDX-License-Identifier: Apache-2.0
// The configuration files: the shipped ones load with the values they promise, defaults hold,
// and every mistake is reported with the file, the line and the key path.
#include "core/config/config.hpp"
#include "core/config/remote_credentials.hpp"
#include "sim/cradle_file.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <numeric>
#include <string>

namespace cradle {
namespace {

namespace fs = std::filesystem;

const fs::path source_dir = CRADLED_SOURCE_DIR;

class ScratchDir {
  public:
    ScratchDir() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern =
            std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/cradled-config-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ~ScratchDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

    fs::path write(const std::string& name, const std::string& text) const {
        const fs::path file = path_ / name;
        fs::create_directories(file.parent_path());
        std::ofstream(file) << text;
        return file;
    }

  private:
    fs::path path_;
};

// The emulated cradle of a configuration's [sim] section, read as cradled-demo reads it.
hw::sim::CradleSpec sim_cradle(const Config& config) {
    return hw::sim::load_sim_cradle(*config.sim, config.state_dir);
}

// The message of the ConfigError that parsing `text` (and reading the emulated cradle it names)
// throws; a test failure if none.
std::string error_of(const std::string& text, const fs::path& base_dir = "/etc/cradled") {
    try {
        const Config config = parse_config(text, base_dir, "site.toml");
        if (config.sim) sim_cradle(config);
    } catch (const ConfigError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return {};
}

std::string load_error_of(const fs::path& file) {
    try {
        const Config config = load_config(file);
        if (config.sim) sim_cradle(config);
    } catch (const ConfigError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no ConfigError for " << file;
    return {};
}

const std::string sim_header = "[daemon]\nbackend = \"sim\"\n[sim]\ncradle = \"cradle.toml\"\n";

// ---- the shipped files ----

TEST(ShippedConfig, ProductionFileStatesTheBuiltInDefaults) {
    const Config shipped = load_config(source_dir / "etc/cradled.toml");
    const Config defaults = parse_config("", "/etc/cradled");
    EXPECT_EQ(shipped.state_dir, "/var/lib/cradled");
    EXPECT_EQ(shipped.backend, "usb");
    EXPECT_EQ(shipped.workers, defaults.workers);
    EXPECT_EQ(shipped.copy.chunk_bytes, defaults.copy.chunk_bytes);
    EXPECT_EQ(shipped.copy.reserve_bytes, defaults.copy.reserve_bytes);
    EXPECT_EQ(shipped.copy.device_timeout, defaults.copy.device_timeout);
    EXPECT_EQ(shipped.device_timeout, defaults.device_timeout);
    EXPECT_EQ(shipped.max_recordings, defaults.max_recordings);
    EXPECT_EQ(shipped.max_recording_bytes, defaults.max_recording_bytes);
    EXPECT_EQ(shipped.copy_attempts, defaults.copy_attempts);
    EXPECT_EQ(shipped.battery_min_percent, defaults.battery_min_percent);
    EXPECT_EQ(shipped.charge_percent_per_hour, defaults.charge_percent_per_hour);
    EXPECT_EQ(shipped.battery_recheck, defaults.battery_recheck);
    EXPECT_EQ(shipped.clock_trust, ClockTrust::ntp);
    EXPECT_EQ(shipped.clock_max_drift, defaults.clock_max_drift);
    EXPECT_EQ(shipped.storage_min_free_bytes, defaults.storage_min_free_bytes);
    EXPECT_TRUE(shipped.register_entries.empty());
    EXPECT_FALSE(shipped.sim.has_value());
    EXPECT_EQ(shipped.custodian_group, defaults.custodian_group);
    EXPECT_EQ(defaults.custodian_group, "cradle-custodian");
    EXPECT_EQ(shipped.auditor_group, "cradle-auditor");
    EXPECT_EQ(shipped.admin_group, "cradle-admin");
    EXPECT_EQ(defaults.auditor_group, "cradle-auditor");
    EXPECT_EQ(defaults.admin_group, "cradle-admin");
}

TEST(ShippedConfig, DemoRegistersThreeOfFourEmulatedCameras) {
    const Config demo = load_config(source_dir / "etc/demo/cradled.toml");
    EXPECT_EQ(demo.backend, "sim");
    EXPECT_EQ(demo.clock_trust, ClockTrust::always);
    EXPECT_EQ(demo.battery_min_percent, 80);
    ASSERT_EQ(demo.register_entries.size(), 3u);
    EXPECT_EQ(demo.register_entries[0].serial, "BWC-0001");
    EXPECT_EQ(demo.register_entries[1].serial, "BWC-0002");
    EXPECT_EQ(demo.register_entries[2].serial, "BWC-0003");
    EXPECT_EQ(demo.register_entries[2].officer, "pool");
    for (const RegisterEntry& entry : demo.register_entries) {
        EXPECT_FALSE(entry.custodian.empty());
        EXPECT_FALSE(entry.head.empty());
    }

    ASSERT_TRUE(demo.sim.has_value());
    const hw::sim::CradleSpec cradle = sim_cradle(demo);
    EXPECT_EQ(cradle.bays, 4);
    EXPECT_EQ(cradle.storage_dir, demo.state_dir / "sim-cameras");
    ASSERT_EQ(cradle.cameras.size(), 4u);

    const auto& normal = cradle.cameras[0];
    EXPECT_EQ(normal.serial, "BWC-0001");
    EXPECT_EQ(normal.bay, 1);
    EXPECT_EQ(normal.recordings, 10);
    EXPECT_EQ(normal.total_bytes, 100ull << 20);
    EXPECT_EQ(normal.battery_percent, 95);
    EXPECT_EQ(normal.clock_offset_s, 0);

    const auto& low_battery = cradle.cameras[1];
    EXPECT_EQ(low_battery.serial, "BWC-0002");
    EXPECT_EQ(low_battery.bay, 2);
    EXPECT_LT(low_battery.battery_percent, demo.battery_min_percent);

    const auto& clock_off = cradle.cameras[2];
    EXPECT_EQ(clock_off.serial, "BWC-0003");
    EXPECT_EQ(clock_off.bay, 3);
    EXPECT_EQ(clock_off.clock_offset_s, 420);

    const auto& unregistered = cradle.cameras[3];
    EXPECT_EQ(unregistered.serial, "BWC-0099");
    EXPECT_EQ(unregistered.bay, 4);
    EXPECT_EQ(unregistered.recordings, 8);
    for (const RegisterEntry& entry : demo.register_entries)
        EXPECT_NE(entry.serial, unregistered.serial);

    const std::uint64_t footage = std::accumulate(
        cradle.cameras.begin(), cradle.cameras.end(), std::uint64_t{0},
        [](std::uint64_t sum, const auto& camera) { return sum + camera.total_bytes; });
    EXPECT_GE(footage, 200ull << 20);
    EXPECT_LE(footage, 600ull << 20);
    for (const auto& camera : cradle.cameras) EXPECT_FALSE(camera.faults.yank_at_op.has_value());
}

// ---- defaults and values ----

TEST(ConfigValues, EmptyFileGivesTheDocumentedDefaults) {
    const Config config = parse_config("", "/etc/cradled");
    EXPECT_EQ(config.state_dir, "/var/lib/cradled");
    EXPECT_EQ(config.backend, "usb");
    EXPECT_EQ(config.workers, 4);
    EXPECT_EQ(config.copy.chunk_bytes, 1u << 20);
    EXPECT_EQ(config.copy.reserve_bytes, 512ull << 20);
    EXPECT_EQ(config.copy.device_timeout, std::chrono::milliseconds(10'000));
    EXPECT_EQ(config.device_timeout, std::chrono::milliseconds(10'000));
    EXPECT_EQ(config.max_recordings, 100'000u);
    EXPECT_EQ(config.max_recording_bytes, 64ull << 30);
    EXPECT_EQ(config.copy_attempts, 2);
    EXPECT_EQ(config.battery_min_percent, 80);
    EXPECT_EQ(config.charge_percent_per_hour, 35);
    EXPECT_EQ(config.battery_recheck, std::chrono::seconds(300));
    EXPECT_EQ(config.clock_trust, ClockTrust::ntp);
    EXPECT_EQ(config.clock_max_drift, std::chrono::seconds(2));
    EXPECT_TRUE(config.register_entries.empty());
    EXPECT_FALSE(config.sim.has_value());
}

TEST(ConfigValues, EveryKeyReachesItsField) {
    const Config config = parse_config(R"(
[daemon]
state_dir = "/srv/footage"
workers = 2
[archive]
chunk_kib = 64
reserve_mib = 0
[device]
timeout_ms = 2500
max_recordings = 7
max_recording_gib = 3
copy_attempts = 5
[readiness]
battery_min_percent = 0
charge_percent_per_hour = 1000
battery_recheck_s = 3600
clock_trust = "never"
clock_max_drift_s = 86400
[[register]]
serial = "SN 42"
custodian = "Custodian 李"
officer = "pool"
head = "Team head"
)",
                                       "/etc/cradled");
    EXPECT_EQ(config.state_dir, "/srv/footage");
    EXPECT_EQ(config.workers, 2);
    EXPECT_EQ(config.copy.chunk_bytes, 64u << 10);
    EXPECT_EQ(config.copy.reserve_bytes, 0u);
    EXPECT_EQ(config.device_timeout, std::chrono::milliseconds(2500));
    EXPECT_EQ(config.copy.device_timeout, std::chrono::milliseconds(2500));
    EXPECT_EQ(config.max_recordings, 7u);
    EXPECT_EQ(config.max_recording_bytes, 3ull << 30);
    EXPECT_EQ(config.copy_attempts, 5);
    EXPECT_EQ(config.battery_min_percent, 0);
    EXPECT_EQ(config.charge_percent_per_hour, 1000);
    EXPECT_EQ(config.battery_recheck, std::chrono::seconds(3600));
    EXPECT_EQ(config.clock_trust, ClockTrust::never);
    EXPECT_EQ(config.clock_max_drift, std::chrono::seconds(86400));
    ASSERT_EQ(config.register_entries.size(), 1u);
    EXPECT_EQ(config.register_entries[0].serial, "SN 42");
    EXPECT_EQ(config.register_entries[0].custodian, "Custodian 李");
}

// ---- paths ----

TEST(ConfigPaths, RelativeStateDirIsRelativeToTheConfigFile) {
    const Config config = parse_config("[daemon]\nstate_dir = \"../state\"\n", "/opt/site/etc");
    EXPECT_EQ(config.state_dir, "/opt/site/state");
}

TEST(ConfigPaths, LoadResolvesAgainstTheFilesOwnDirectory) {
    ScratchDir dir;
    const fs::path file = dir.write("conf/cradled.toml", "[daemon]\nstate_dir = \"state\"\n");
    const Config config = load_config(file);
    EXPECT_EQ(config.state_dir, (dir.path() / "conf/state").lexically_normal());
    EXPECT_TRUE(config.state_dir.is_absolute());
}

TEST(ConfigPaths, SimCradleAndStorageAreRelativeToTheConfigFile) {
    ScratchDir dir;
    dir.write("etc/cradles/one.toml", "bays = 2\n[[camera]]\nserial = \"C1\"\nbay = 2\n");
    const fs::path file = dir.write("etc/cradled.toml", R"([daemon]
backend = "sim"
state_dir = "/var/lib/cradled"
[sim]
cradle = "cradles/one.toml"
storage_dir = "../cameras"
)");
    const Config config = load_config(file);
    ASSERT_TRUE(config.sim.has_value());
    EXPECT_EQ(sim_cradle(config).bays, 2);
    ASSERT_EQ(sim_cradle(config).cameras.size(), 1u);
    EXPECT_EQ(sim_cradle(config).cameras[0].bay, 2);
    EXPECT_EQ(sim_cradle(config).storage_dir, (dir.path() / "cameras").lexically_normal());
}

// ---- the emulated cradle file ----

TEST(CradleFile, EveryCameraAndFaultFieldIsRead) {
    ScratchDir dir;
    dir.write("cradle.toml", R"(bays = 8
[[camera]]
serial = "Cam_7.x-1"
manufacturer = "Acme"
model = "M1"
firmware = "9.9"
officer_id = "PO-7"
bay = 8
recordings = 3
total_bytes = 3000
seed = 77
battery_percent = 12
charge_percent_per_health_read = 5
clock_offset_s = -90
storage_total_bytes = 1048576
[camera.faults]
yank_at_byte = 1500
yank_at_op = 4
hang_at_op = 6
throttle_bytes_per_s = 1000000
lie_size_index = 1
lie_size_delta = -5
flip_index = 2
flip_offset = 10
hostile_names = true
claim_count = 1000000
reported_faults = ["lens cracked", "storage worn"]
refuse_delete = true
not_charging = true
[[camera]]
serial = "Spare"
total_mb = 1.5
storage_total_gib = 0.5
)");
    const Config config = parse_config(sim_header, dir.path());
    ASSERT_TRUE(config.sim.has_value());
    EXPECT_EQ(sim_cradle(config).bays, 8);
    ASSERT_EQ(sim_cradle(config).cameras.size(), 2u);
    const hw::sim::CradleSpec cradle = sim_cradle(config);
    const hw::sim::CameraSpec& camera = cradle.cameras[0];
    EXPECT_EQ(camera.serial, "Cam_7.x-1");
    EXPECT_EQ(camera.manufacturer, "Acme");
    EXPECT_EQ(camera.model, "M1");
    EXPECT_EQ(camera.firmware, "9.9");
    EXPECT_EQ(camera.officer_id, "PO-7");
    EXPECT_EQ(camera.bay, 8);
    EXPECT_EQ(camera.recordings, 3);
    EXPECT_EQ(camera.total_bytes, 3000u);
    EXPECT_EQ(camera.seed, 77u);
    EXPECT_EQ(camera.battery_percent, 12);
    EXPECT_EQ(camera.charge_percent_per_health_read, 5);
    EXPECT_EQ(camera.clock_offset_s, -90);
    EXPECT_EQ(camera.storage_total_bytes, 1u << 20);
    const hw::sim::FaultPlan& faults = camera.faults;
    EXPECT_EQ(faults.yank_at_byte, 1500u);
    EXPECT_EQ(faults.yank_at_op, 4);
    EXPECT_EQ(faults.hang_at_op, 6);
    EXPECT_EQ(faults.throttle_bytes_per_s, 1'000'000u);
    EXPECT_EQ(faults.lie_size_index, 1);
    EXPECT_EQ(faults.lie_size_delta, -5);
    EXPECT_EQ(faults.flip_index, 2);
    EXPECT_EQ(faults.flip_offset, 10u);
    EXPECT_TRUE(faults.hostile_names);
    EXPECT_EQ(faults.claim_count, 1'000'000u);
    EXPECT_EQ(faults.reported_faults, (std::vector<std::string>{"lens cracked", "storage worn"}));
    EXPECT_TRUE(faults.refuse_delete);
    EXPECT_TRUE(faults.not_charging);

    const hw::sim::CameraSpec& spare = cradle.cameras[1];
    EXPECT_EQ(spare.bay, 0);
    EXPECT_EQ(spare.total_bytes, 1536u << 10);
    EXPECT_EQ(spare.storage_total_bytes, 512u << 20);
    EXPECT_FALSE(spare.faults.yank_at_op.has_value());
    EXPECT_FALSE(spare.faults.refuse_delete);
    EXPECT_EQ(spare.charge_percent_per_health_read, 0);
    EXPECT_FALSE(spare.faults.not_charging);
}

TEST(CradleFile, ChargeStepIsRangeChecked) {
    ScratchDir dir;
    dir.write("cradle.toml", "[[camera]]\nserial = \"C1\"\ncharge_percent_per_health_read = 101\n");
    const std::string error = error_of(sim_header, dir.path());
    EXPECT_NE(error.find("camera[0].charge_percent_per_health_read: 101 is out of range (0..100)"),
              std::string::npos)
        << error;
}

TEST(CradleFile, TwoCamerasInOneBayNameBothCameras) {
    ScratchDir dir;
    dir.write("cradle.toml",
              "bays = 4\n"
              "[[camera]]\nserial = \"A\"\nbay = 2\n"
              "[[camera]]\nserial = \"B\"\nbay = 2\n");
    const std::string message = error_of(sim_header, dir.path());
    EXPECT_NE(message.find("cradle.toml:7:7: camera[1].bay: bay 2 already holds "),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("camera[1].bay"), std::string::npos) << message;
    EXPECT_NE(message.find("camera[0] (line 4)"), std::string::npos) << message;
}

TEST(CradleFile, UndockedCamerasMayShareBayZero) {
    ScratchDir dir;
    dir.write("cradle.toml", "[[camera]]\nserial = \"A\"\n[[camera]]\nserial = \"B\"\nbay = 0\n");
    const Config config = parse_config(sim_header, dir.path());
    ASSERT_TRUE(config.sim.has_value());
    EXPECT_EQ(sim_cradle(config).cameras.size(), 2u);
}

TEST(CradleFile, PtpDrivesTheCamerasThroughThePtpDriver) {
    ScratchDir dir;
    dir.write("cradle.toml", "ptp = true\n[[camera]]\nserial = \"A\"\n");
    const Config config = parse_config(sim_header, dir.path());
    ASSERT_TRUE(config.sim.has_value());
    EXPECT_TRUE(sim_cradle(config).over_ptp);

    dir.write("cradle.toml", "[[camera]]\nserial = \"A\"\n");
    EXPECT_FALSE(sim_cradle(parse_config(sim_header, dir.path())).over_ptp);

    dir.write("cradle.toml", "ptp = 1\n");
    const std::string message = error_of(sim_header, dir.path());
    EXPECT_NE(message.find("cradle.toml:1:7: ptp:"), std::string::npos) << message;
}

TEST(CradleFile, BayBeyondTheCradleIsOutOfRange) {
    ScratchDir dir;
    dir.write("cradle.toml", "bays = 2\n[[camera]]\nserial = \"A\"\nbay = 3\n");
    const std::string message = error_of(sim_header, dir.path());
    EXPECT_NE(message.find("cradle.toml:4:7: camera[0].bay: 3 is out of range (0..2)"),
              std::string::npos)
        << message;
}

TEST(CradleFile, CameraSerialThatIsNoSafeDirectoryNameIsRefused) {
    for (const std::string serial :
         {"../x", "a/b", "..", "", "with space", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"}) {
        ScratchDir dir;
        dir.write("cradle.toml", "[[camera]]\nserial = \"" + serial + "\"\n");
        const std::string message = error_of(sim_header, dir.path());
        EXPECT_NE(message.find("cradle.toml:2:10: camera[0].serial: must be"), std::string::npos)
            << serial << ": " << message;
    }
}

TEST(CradleFile, DuplicateCameraSerialIsRefused) {
    ScratchDir dir;
    dir.write("cradle.toml", "[[camera]]\nserial = \"A\"\n[[camera]]\nserial = \"A\"\n");
    const std::string message = error_of(sim_header, dir.path());
    EXPECT_NE(message.find("cradle.toml:4:10: camera[1].serial: duplicate serial \"A\", already "
                           "given at line 2"),
              std::string::npos)
        << message;
}

TEST(CradleFile, FootageMustFitTheStorage) {
    ScratchDir dir;
    dir.write("cradle.toml",
              "[[camera]]\nserial = \"A\"\ntotal_mb = 2048\nstorage_total_gib = 1\n");
    const std::string message = error_of(sim_header, dir.path());
    EXPECT_NE(message.find("cradle.toml:3:12: camera[0].total_mb: the footage"), std::string::npos)
        << message;
}

TEST(CradleFile, SizeInMebibytesIsRangeChecked) {
    ScratchDir dir;
    dir.write("cradle.toml", "[[camera]]\nserial = \"A\"\ntotal_mb = -0.5\n");
    const std::string message = error_of(sim_header, dir.path());
    EXPECT_NE(
        message.find("cradle.toml:3:12: camera[0].total_mb: -0.5 is out of range (0..1048576)"),
        std::string::npos)
        << message;
}

TEST(CradleFile, SizeGivenTwoWaysIsRefused) {
    ScratchDir dir;
    dir.write("cradle.toml", "[[camera]]\nserial = \"A\"\ntotal_mb = 1\ntotal_bytes = 5\n");
    const std::string message = error_of(sim_header, dir.path());
    EXPECT_NE(message.find("cradle.toml:4:15: camera[0].total_bytes: give either"),
              std::string::npos)
        << message;
}

TEST(CradleFile, UnknownFaultKeyIsNamedWithItsPath) {
    ScratchDir dir;
    dir.write("cradle.toml", "[[camera]]\nserial = \"A\"\n[camera.faults]\nyank_at_opp = 3\n");
    const std::string message = error_of(sim_header, dir.path());
    EXPECT_NE(message.find("cradle.toml:4:1: camera[0].faults.yank_at_opp: unknown key (did you "
                           "mean 'yank_at_op'?)"),
              std::string::npos)
        << message;
}

TEST(CradleFile, MissingCradleFileIsNamed) {
    ScratchDir dir;
    const std::string message = error_of(sim_header, dir.path());
    EXPECT_NE(message.find("cannot read " + (dir.path() / "cradle.toml").string() + ": No such"),
              std::string::npos)
        << message;
}

// ---- errors in cradled.toml ----

TEST(ConfigErrors, UnknownKeyNamesFileLineKeyAndSuggestion) {
    const std::string message = error_of("[device]\ntimeout_ms = 100\ntimout_ms = 5\n");
    EXPECT_EQ(message, "site.toml:3:1: device.timout_ms: unknown key (did you mean 'timeout_ms'?)");
}

TEST(ConfigErrors, UnknownTableIsNamed) {
    const std::string message = error_of("\n[archve]\nchunk_kib = 64\n");
    EXPECT_NE(message.find("site.toml:2:2: archve: unknown key (did you mean 'archive'?)"),
              std::string::npos)
        << message;
}

TEST(ConfigErrors, UnrelatedUnknownKeyGetsNoSuggestion) {
    const std::string message = error_of("[daemon]\ncolour = \"blue\"\n");
    EXPECT_EQ(message, "site.toml:2:1: daemon.colour: unknown key");
}

TEST(ConfigErrors, WrongTypeIsNamed) {
    const std::string message = error_of("[daemon]\nworkers = \"four\"\n");
    EXPECT_EQ(message, "site.toml:2:11: daemon.workers: expected an integer, got a string");
}

TEST(ConfigErrors, FloatWhereAnIntegerIsExpectedIsRefused) {
    const std::string message = error_of("[device]\ntimeout_ms = 1.5e3\n");
    EXPECT_NE(message.find("site.toml:2:14: device.timeout_ms: expected an integer, got a "
                           "floating-point number"),
              std::string::npos)
        << message;
}

TEST(ConfigErrors, SectionThatIsNotATableIsRefused) {
    const std::string message = error_of("readiness = 5\n");
    EXPECT_NE(message.find("site.toml:1:13: readiness: expected a table, got an integer"),
              std::string::npos)
        << message;
}

TEST(ConfigErrors, OutOfRangeNamesTheLimits) {
    EXPECT_EQ(error_of("[archive]\n\nchunk_kib = 32\n"),
              "site.toml:3:13: archive.chunk_kib: 32 is out of range (64..16384)");
    EXPECT_EQ(error_of("[readiness]\nbattery_min_percent = 101\n"),
              "site.toml:2:23: readiness.battery_min_percent: 101 is out of range (0..100)");
    EXPECT_EQ(error_of("[daemon]\nworkers = 0\n"),
              "site.toml:2:11: daemon.workers: 0 is out of range (1..64)");
}

TEST(ConfigErrors, BadEnumValueListsTheChoices) {
    EXPECT_EQ(error_of("[readiness]\nclock_trust = \"gps\"\n"),
              "site.toml:2:15: readiness.clock_trust: \"gps\" is not one of \"ntp\", \"always\", "
              "\"never\"");
    EXPECT_EQ(error_of("[daemon]\nbackend = \"USB\"\n"),
              "site.toml:2:11: daemon.backend: \"USB\" is not one of \"usb\", \"sim\"");
    // An invisible character in a value is shown, not printed raw.
    EXPECT_EQ(error_of("[daemon]\nbackend = \"usb\\u0007\"\n"),
              "site.toml:2:11: daemon.backend: \"usb\\u0007\" is not one of \"usb\", \"sim\"");
}

TEST(ConfigErrors, SyntaxErrorGivesTheParsersPosition) {
    const std::string message = error_of("[daemon]\nworkers = 4\nbackend = \n");
    EXPECT_EQ(message.rfind("site.toml:3:", 0), 0u) << message;
    EXPECT_GT(message.size(), std::string("site.toml:3:1: ").size()) << message;
}

TEST(ConfigErrors, DuplicateRegisterSerialNamesBothLines) {
    const std::string entry = "custodian = \"C\"\nofficer = \"O\"\nhead = \"H\"\n";
    const std::string message = error_of("[[register]]\nserial = \"BWC-1\"\n" + entry +
                                         "[[register]]\nserial = \"BWC-1\"\n" + entry);
    EXPECT_EQ(message,
              "site.toml:7:10: register[1].serial: duplicate serial \"BWC-1\", already given at "
              "line 2 (register[0].serial)");
}

TEST(ConfigErrors, RegisterEntryNeedsEveryRole) {
    const std::string message =
        error_of("\n[[register]]\nserial = \"A\"\ncustodian = \"C\"\nofficer = \"O\"\n");
    EXPECT_EQ(message, "site.toml:2:1: register[0].head: missing (required)");
}

TEST(ConfigErrors, RegisterTextsAreChecked) {
    EXPECT_NE(
        error_of("[[register]]\nserial = \"\"\n").find("register[0].serial: must not be empty"),
        std::string::npos);
    EXPECT_NE(error_of("[[register]]\nserial = \"A\\u0007\"\n")
                  .find("site.toml:2:10: register[0].serial: must be printable ASCII"),
              std::string::npos);
    EXPECT_NE(error_of("[[register]]\nserial = \"A\"\ncustodian = \"  \"\n")
                  .find("site.toml:3:13: register[0].custodian: must not be empty"),
              std::string::npos);
    EXPECT_NE(error_of("[[register]]\nserial = \"A\"\ncustodian = \"\\u200b\"\n")
                  .find("site.toml:3:13: register[0].custodian: contains an invisible character "
                        "(U+200B)"),
              std::string::npos);
    EXPECT_NE(error_of("[[register]]\nserial = \"A\"\ncustodian = \"\\u3000\"\n")
                  .find("site.toml:3:13: register[0].custodian: is blank"),
              std::string::npos);
    EXPECT_NE(
        error_of("[[register]]\nserial = \"A\"\ncustodian = \"C\"\nofficer = \"x\\ny\"\n")
            .find("site.toml:4:11: register[0].officer: contains control or formatting characters"),
        std::string::npos);
    EXPECT_NE(error_of("[[register]]\nserial = \"" + std::string(65, 'S') + "\"\n")
                  .find("register[0].serial: longer than 64 bytes"),
              std::string::npos);
}

TEST(ConfigErrors, RegisterMustBeAnArrayOfTables) {
    const std::string message = error_of("[register]\nserial = \"A\"\n");
    EXPECT_NE(message.find("site.toml:1:1: register: expected an array of tables ([[register]])"),
              std::string::npos)
        << message;
}

TEST(ConfigErrors, SimBackendNeedsASimTable) {
    EXPECT_EQ(error_of("[daemon]\nbackend = \"sim\"\n"),
              "site.toml:2:11: daemon.backend: the \"sim\" backend needs a [sim] table");
}

TEST(ConfigErrors, SimTableWithTheUsbBackendIsRefused) {
    EXPECT_EQ(error_of("[daemon]\nbackend = \"usb\"\n\n[sim]\ncradle = \"cradle.toml\"\n"),
              "site.toml:4:1: sim: [sim] only applies with daemon.backend = \"sim\"");
}

TEST(ConfigErrors, SimTableNeedsACradleFile) {
    EXPECT_EQ(error_of("[daemon]\nbackend = \"sim\"\n[sim]\n"),
              "site.toml:3:1: sim.cradle: missing (required)");
}

TEST(ConfigErrors, MissingFileGivesTheSystemsReason) {
    ScratchDir dir;
    const fs::path file = dir.path() / "absent.toml";
    EXPECT_EQ(load_error_of(file), "cannot read " + file.string() + ": No such file or directory");
}

TEST(ConfigErrors, DirectoryInsteadOfAFileIsRefused) {
    ScratchDir dir;
    EXPECT_EQ(load_error_of(dir.path()),
              "cannot read " + dir.path().string() + ": not a regular file");
}

TEST(ConfigErrors, LoadNamesTheFileAsGiven) {
    ScratchDir dir;
    const fs::path file = dir.write("cradled.toml", "[daemon]\nworkers = 65\n");
    EXPECT_EQ(load_error_of(file),
              file.string() + ":2:11: daemon.workers: 65 is out of range (1..64)");
}

// ---- the USB backend: [usb], the device table and the bay map ----

std::string device_table_error(const std::string& text) {
    try {
        parse_device_table(text, "devices.toml");
    } catch (const ConfigError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return {};
}

std::string bay_map_error(const std::string& text) {
    try {
        parse_bay_map(text, "bays.toml");
    } catch (const ConfigError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return {};
}

TEST(ShippedConfig, ProductionFileNamesTheShippedUsbTables) {
    const Config shipped = load_config(source_dir / "etc/cradled.toml");
    EXPECT_EQ(shipped.usb.device_table, source_dir / "etc/devices.toml");
    EXPECT_EQ(shipped.usb.bay_map, source_dir / "etc/bays.toml");
    const hw::usb::UsbCradleSpec spec = load_usb_cradle_spec(shipped.usb);
    ASSERT_EQ(spec.devices.size(), 1u);
    EXPECT_EQ(spec.devices[0].interface_class, 6);
    EXPECT_FALSE(spec.devices[0].vendor_id.has_value());
    EXPECT_EQ(spec.devices[0].driver, hw::usb::DriverKind::ptp);
    // Every site maps its own ports; the shipped map only explains how.
    EXPECT_TRUE(spec.bays.empty());
}

TEST(UsbConfig, TablesDefaultToTheirNamesNextToTheConfigFile) {
    const Config config = parse_config("", "/opt/site/etc");
    EXPECT_EQ(config.usb.device_table, "/opt/site/etc/devices.toml");
    EXPECT_EQ(config.usb.bay_map, "/opt/site/etc/bays.toml");
}

TEST(UsbConfig, RelativeTablePathsAreRelativeToTheConfigFile) {
    const Config config = parse_config(
        "[usb]\ndevice_table = \"../share/devices.toml\"\nbay_map = \"/var/lib/b.toml\"\n",
        "/opt/site/etc");
    EXPECT_EQ(config.usb.device_table, "/opt/site/share/devices.toml");
    EXPECT_EQ(config.usb.bay_map, "/var/lib/b.toml");
}

TEST(UsbConfig, ParsingDoesNotReadTheTables) {
    // The sim backend and the tests of other sections need no USB tables.
    EXPECT_NO_THROW(parse_config("[daemon]\nbackend = \"usb\"\n", "/nonexistent"));
}

TEST(UsbConfig, EmptyPathAndUnknownKeyAreRefused) {
    EXPECT_EQ(error_of("[usb]\nbay_map = \"\"\n"),
              "site.toml:2:11: usb.bay_map: must be a file path");
    EXPECT_EQ(error_of("[usb]\nbaymap = \"x\"\n"),
              "site.toml:2:1: usb.baymap: unknown key (did you mean 'bay_map'?)");
}

TEST(UsbConfig, MissingTableFileNamesIt) {
    ScratchDir dir;
    UsbConfig usb;
    usb.device_table = dir.write("devices.toml", "");
    usb.bay_map = dir.path() / "bays.toml";
    try {
        load_usb_cradle_spec(usb);
        FAIL() << "no error";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()),
                  "cannot read " + usb.bay_map.string() + ": No such file or directory");
    }
}

TEST(DeviceTable, EveryKeyReachesItsField) {
    const auto rules = parse_device_table(R"(
[[device]]
name = "Vendor BC-200"
vid = "0x04B0"
pid = "0x0a1f"
interface_class = 6
driver = "ptp"
[device.quirks]
partial_object_bytes = 524288
partial_object_64 = false
local_offset_s = 28800
max_objects = 5000

[[device]]
vid = "0x1d6b"
driver = "ignore"

[[device]]
interface_class = 6
driver = "ptp"
)",
                                          "devices.toml");
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[0].name, "Vendor BC-200");
    EXPECT_EQ(rules[0].vendor_id, 0x04b0);
    EXPECT_EQ(rules[0].product_id, 0x0a1f);
    EXPECT_EQ(rules[0].interface_class, 6);
    EXPECT_EQ(rules[0].driver, hw::usb::DriverKind::ptp);
    EXPECT_EQ(rules[0].quirks.partial_object_bytes, 524288u);
    EXPECT_FALSE(rules[0].quirks.partial_object_64);
    EXPECT_EQ(rules[0].quirks.local_offset_s, 28800);
    EXPECT_EQ(rules[0].quirks.max_objects, 5000u);
    EXPECT_EQ(rules[1].name, "0x1d6b");
    EXPECT_FALSE(rules[1].product_id.has_value());
    EXPECT_EQ(rules[1].driver, hw::usb::DriverKind::ignore);
    EXPECT_EQ(rules[2].name, "interface class 6");
    EXPECT_EQ(rules[2].quirks.partial_object_bytes, hw::ptp::PtpQuirks{}.partial_object_bytes);
}

TEST(DeviceTable, UsbIdsMustBeHexStrings) {
    EXPECT_EQ(device_table_error("[[device]]\nvid = 1234\ndriver = \"ptp\"\n"),
              "devices.toml:2:7: device[0].vid: must be a hex string of 1..4 digits like "
              "\"0x04b0\", got an integer");
    for (const char* bad : {"\"1234\"", "\"0x\"", "\"0x12345\"", "\"0xg1\"", "\"0x-1\""}) {
        const std::string message =
            device_table_error(std::string("[[device]]\nvid = ") + bad + "\ndriver = \"ptp\"\n");
        EXPECT_NE(message.find("device[0].vid: "), std::string::npos) << message;
    }
}

TEST(ConfigValues, StorageMinFreeIsInMibAndRangeChecked) {
    EXPECT_EQ(parse_config("", "/etc/cradled").storage_min_free_bytes, 4096ull << 20);
    EXPECT_EQ(parse_config("[readiness]\nstorage_min_free_mib = 0\n", "/etc/cradled")
                  .storage_min_free_bytes,
              0u);
    EXPECT_EQ(parse_config("[readiness]\nstorage_min_free_mib = 20000\n", "/etc/cradled")
                  .storage_min_free_bytes,
              20000ull << 20);
    const std::string error = error_of("[readiness]\nstorage_min_free_mib = -1\n");
    EXPECT_NE(error.find("readiness.storage_min_free_mib"), std::string::npos) << error;
}

TEST(ConfigValues, ChargeRateAndRecheckIntervalAreRangeChecked) {
    EXPECT_EQ(error_of("[readiness]\ncharge_percent_per_hour = 0\n"),
              "site.toml:2:27: readiness.charge_percent_per_hour: 0 is out of range (1..1000)");
    EXPECT_EQ(error_of("[readiness]\ncharge_percent_per_hour = 1001\n"),
              "site.toml:2:27: readiness.charge_percent_per_hour: 1001 is out of range (1..1000)");
    EXPECT_EQ(error_of("[readiness]\nbattery_recheck_s = 0\n"),
              "site.toml:2:21: readiness.battery_recheck_s: 0 is out of range (1..3600)");
    EXPECT_EQ(error_of("[readiness]\nbattery_recheck_s = 3601\n"),
              "site.toml:2:21: readiness.battery_recheck_s: 3601 is out of range (1..3600)");
    EXPECT_EQ(parse_config("[readiness]\nbattery_recheck_s = 1\n", "/etc/cradled").battery_recheck,
              std::chrono::seconds(1));
    const std::string typo = error_of("[readiness]\ncharge_percent_per_hours = 30\n");
    EXPECT_NE(typo.find("charge_percent_per_hours"), std::string::npos) << typo;
}

TEST(DbusSection, TheRolesGroupsAreReadAndChecked) {
    const Config config = parse_config(
        "[dbus]\ncustodian_group = \"evidence_staff\"\nauditor_group = \"inspectors\"\n"
        "admin_group = \"_it\"\n",
        "/etc/cradled");
    EXPECT_EQ(config.custodian_group, "evidence_staff");
    EXPECT_EQ(config.auditor_group, "inspectors");
    EXPECT_EQ(config.admin_group, "_it");
    for (const char* key : {"custodian_group", "auditor_group", "admin_group"}) {
        for (const char* bad : {"\"\"", "\"Staff\"", "\"1staff\"", "\"staff room\"",
                                "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "\"staff;rm\""}) {
            const std::string error = error_of(std::string("[dbus]\n") + key + " = " + bad + "\n");
            EXPECT_NE(error.find("site.toml:2"), std::string::npos) << error;
            EXPECT_NE(error.find(std::string("dbus.") + key), std::string::npos) << error;
        }
    }
    EXPECT_NE(error_of("[dbus]\ngroup = \"x\"\n").find("dbus.group"), std::string::npos);
}

TEST(DeviceTable, ProductWithoutVendorIsRefused) {
    EXPECT_EQ(
        device_table_error("[[device]]\npid = \"0x1\"\ninterface_class = 6\ndriver = \"ptp\"\n"),
        "devices.toml:2:7: device[0].pid: a pid needs the vid it belongs to");
}

TEST(DeviceTable, EntryNamingNoDeviceIsRefused) {
    EXPECT_EQ(device_table_error("[[device]]\nname = \"all\"\ndriver = \"ptp\"\n"),
              "devices.toml:1:1: device[0]: names no device: give vid (and pid), "
              "interface_class, or both");
}

TEST(DeviceTable, DriverIsRequiredAndChecked) {
    EXPECT_EQ(device_table_error("[[device]]\ninterface_class = 6\n"),
              "devices.toml:1:1: device[0].driver: missing (required)");
    EXPECT_EQ(device_table_error("[[device]]\ninterface_class = 6\ndriver = \"mtp\"\n"),
              "devices.toml:3:10: device[0].driver: \"mtp\" is not one of \"ptp\", \"ignore\"");
}

TEST(DeviceTable, QuirksAreRangeCheckedAndOnlyForPtp) {
    EXPECT_EQ(device_table_error("[[device]]\ninterface_class = 6\ndriver = \"ptp\"\n"
                                 "[device.quirks]\npartial_object_bytes = 0\n"),
              "devices.toml:5:24: device[0].quirks.partial_object_bytes: 0 is out of range "
              "(512..67108864)");
    EXPECT_EQ(device_table_error("[[device]]\nvid = \"0x1\"\ndriver = \"ignore\"\n"
                                 "[device.quirks]\nmax_objects = 5\n"),
              "devices.toml:4:1: device[0].quirks: quirks only apply to driver \"ptp\"");
    EXPECT_NE(device_table_error("[[device]]\ninterface_class = 6\ndriver = \"ptp\"\n"
                                 "[device.quirks]\nmax_object = 5\n")
                  .find("unknown key (did you mean 'max_objects'?)"),
              std::string::npos);
}

TEST(DeviceTable, TwoEntriesForTheSameDevicesAreRefused) {
    EXPECT_EQ(device_table_error("[[device]]\nvid = \"0x04b0\"\ndriver = \"ptp\"\n"
                                 "[[device]]\nvid = \"0x4B0\"\ndriver = \"ignore\"\n"),
              "devices.toml:4:1: device[1]: matches the same devices as the entry at line 1");
}

TEST(DeviceTable, InterfaceClassIsAByte) {
    EXPECT_EQ(device_table_error("[[device]]\ninterface_class = 256\ndriver = \"ptp\"\n"),
              "devices.toml:2:19: device[0].interface_class: 256 is out of range (0..255)");
}

TEST(BayMap, EveryKeyReachesItsFieldInBayOrder) {
    const auto bays = parse_bay_map(R"(
[[bay]]
number = 2
port = "1-1.2"
hub_port = "1-1"
led_red = "cradle:red:bay2"
led_green = "cradle:green:bay2"
led_amber = "cradle:amber:bay2"

[[bay]]
number = 1
port = "1-1.1"
)",
                                    "bays.toml");
    ASSERT_EQ(bays.size(), 2u);
    EXPECT_EQ(bays[0].number, 1);
    EXPECT_EQ(bays[0].port, "1-1.1");
    EXPECT_EQ(bays[0].hub_port, "1-1.1");
    EXPECT_EQ(bays[0].led_red, "");
    EXPECT_EQ(bays[1].number, 2);
    EXPECT_EQ(bays[1].hub_port, "1-1");
    EXPECT_EQ(bays[1].led_red, "cradle:red:bay2");
    EXPECT_EQ(bays[1].led_green, "cradle:green:bay2");
    EXPECT_EQ(bays[1].led_amber, "cradle:amber:bay2");
}

TEST(BayMap, PortMustBeAUsbPortPath) {
    EXPECT_EQ(bay_map_error("[[bay]]\nnumber = 1\nport = \"1-1:1.0\"\n"),
              "bays.toml:3:8: bay[0].port: \"1-1:1.0\" is not a USB port path like \"1-1.3\" "
              "(bus, dash, ports joined by dots, as in /sys/bus/usb/devices)");
    EXPECT_NE(bay_map_error("[[bay]]\nnumber = 1\nport = \"1-1\"\nhub_port = \"usb1\"\n")
                  .find("bays.toml:4:12: bay[0].hub_port: "),
              std::string::npos);
    EXPECT_EQ(bay_map_error("[[bay]]\nnumber = 1\n"),
              "bays.toml:1:1: bay[0].port: missing (required)");
}

TEST(BayMap, DuplicateBayNamesBothLines) {
    EXPECT_EQ(bay_map_error("[[bay]]\nnumber = 1\nport = \"1-1\"\n"
                            "[[bay]]\nnumber = 1\nport = \"1-2\"\n"),
              "bays.toml:5:10: bay[1].number: bay 1 is already mapped at line 2");
}

TEST(BayMap, DuplicatePortNamesTheBayThatHasIt) {
    EXPECT_EQ(bay_map_error("[[bay]]\nnumber = 1\nport = \"1-1.4\"\n"
                            "[[bay]]\nnumber = 2\nport = \"1-1.4\"\n"),
              "bays.toml:6:8: bay[1].port: port 1-1.4 is already bay 1 (line 3)");
}

TEST(BayMap, LedUsedTwiceIsRefused) {
    EXPECT_EQ(bay_map_error("[[bay]]\nnumber = 1\nport = \"1-1\"\nled_red = \"red1\"\n"
                            "[[bay]]\nnumber = 2\nport = \"1-2\"\nled_green = \"red1\"\n"),
              "bays.toml:8:13: bay[1].led_green: LED \"red1\" is already used by bay 1 (line 4)");
}

TEST(BayMap, LedNameMustBeOneLedClassEntry) {
    for (const char* bad : {"\"\"", "\"../../etc/passwd\"", "\"..\"", "\"a/b\"", "\"a\\u0001\""}) {
        const std::string message = bay_map_error(
            std::string("[[bay]]\nnumber = 1\nport = \"1-1\"\nled_amber = ") + bad + "\n");
        EXPECT_NE(message.find("bay[0].led_amber: must be the name of an LED"), std::string::npos)
            << message;
    }
}

TEST(BayMap, GapInTheNumberingIsRefused) {
    EXPECT_EQ(bay_map_error("[[bay]]\nnumber = 1\nport = \"1-1\"\n"
                            "[[bay]]\nnumber = 3\nport = \"1-3\"\n"),
              "bays.toml:1:1: bay: bay 2 is missing: bays are numbered 1..2 without gaps");
}

TEST(BayMap, BayNumberIsRangeChecked) {
    EXPECT_EQ(bay_map_error("[[bay]]\nnumber = 0\nport = \"1-1\"\n"),
              "bays.toml:2:10: bay[0].number: 0 is out of range (1..64)");
}

TEST(BayMap, SyntaxErrorNamesTheFile) {
    ScratchDir dir;
    const auto file = dir.write("bays.toml", "[[bay]\n");
    try {
        load_bay_map(file);
        FAIL() << "no error";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()).rfind(file.string() + ":1:", 0), 0u) << error.what();
    }
}

// ---- [remote]: the central archive ----

const std::string remote_minimal =
    "[remote]\nendpoint = \"https://rgw.county.example\"\nbucket = \"bodycam-archive\"\n"
    "cradle_id = \"station-12.cradle-1\"\n";

TEST(RemoteConfig, AbsentMeansNoReplication) {
    EXPECT_FALSE(parse_config("", "/etc/cradled").remote.has_value());
}

TEST(RemoteConfig, EveryKeyReachesItsFieldAndDefaultsHold) {
    const auto minimal = parse_config(remote_minimal, "/etc/cradled").remote;
    ASSERT_TRUE(minimal.has_value());
    EXPECT_EQ(minimal->endpoint, "https://rgw.county.example");
    EXPECT_EQ(minimal->bucket, "bodycam-archive");
    EXPECT_EQ(minimal->cradle_id, "station-12.cradle-1");
    EXPECT_EQ(minimal->region, "default");
    EXPECT_EQ(minimal->credentials_file, "/etc/cradled/remote-credentials");
    EXPECT_EQ(minimal->wipe_after, WipeAfter::local);
    EXPECT_EQ(minimal->retention_days, 365);
    EXPECT_EQ(minimal->max_bytes_per_second, 0u);
    EXPECT_FALSE(minimal->window.has_value());
    EXPECT_EQ(minimal->retry_seconds, 10);
    EXPECT_EQ(minimal->audit_sample, 4);
    EXPECT_EQ(minimal->audit_hours, 24);

    const auto full = parse_config(remote_minimal +
                                       "region = \"county-1\"\ncredentials = \"keys/remote\"\n"
                                       "ca_file = \"/etc/ssl/county.pem\"\n"
                                       "wipe_after = \"remote\"\nretention_days = 400\n"
                                       "max_kib_per_second = 2048\nwindow = \"22:00-06:30\"\n"
                                       "retry_seconds = 30\naudit_sample = 0\naudit_hours = 6\n",
                                   "/etc/cradled")
                          .remote;
    ASSERT_TRUE(full.has_value());
    EXPECT_EQ(full->region, "county-1");
    EXPECT_EQ(full->credentials_file, "/etc/cradled/keys/remote");
    EXPECT_EQ(full->ca_file, "/etc/ssl/county.pem");
    EXPECT_EQ(full->wipe_after, WipeAfter::remote);
    EXPECT_EQ(full->retention_days, 400);
    EXPECT_EQ(full->max_bytes_per_second, 2048u * 1024);
    ASSERT_TRUE(full->window.has_value());
    EXPECT_EQ(full->window->first, 22 * 60);
    EXPECT_EQ(full->window->second, 6 * 60 + 30);
    EXPECT_EQ(full->retry_seconds, 30);
    EXPECT_EQ(full->audit_sample, 0);
    EXPECT_EQ(full->audit_hours, 6);
}

TEST(RemoteConfig, ARetentionBelowAYearIsRefusedNamingTheArticle) {
    EXPECT_EQ(error_of(remote_minimal + "retention_days = 364\n"),
              "site.toml:5:18: remote.retention_days: 364 is below the retention the rules "
              "require: recordings are kept at least 365 days (Art. 16)");
}

TEST(RemoteConfig, RequiredKeysAreNamed) {
    EXPECT_EQ(error_of("[remote]\nbucket = \"b-1\"\ncradle_id = \"c\"\n"),
              "site.toml:1:1: remote.endpoint: missing (required)");
    EXPECT_EQ(error_of("[remote]\nendpoint = \"http://h\"\nbucket = \"b-1\"\n"),
              "site.toml:1:1: remote.cradle_id: missing (required)");
}

TEST(RemoteConfig, ValuesThatCouldMisdirectTheUploadsAreRefused) {
    const auto with = [](const std::string& key, const std::string& value) {
        std::string text = remote_minimal;
        const auto at = text.find(key + " = ");
        if (at != std::string::npos) text.erase(at, text.find('\n', at) - at + 1);
        return error_of(text + key + " = " + value + "\n");
    };
    for (const auto* endpoint : {"\"ftp://h\"", "\"https://h/path\"", "\"https://\"",
                                 "\"https://user@h\"", "\"h:80\"", "\"https://h?x\""}) {
        EXPECT_NE(with("endpoint", endpoint).find("remote.endpoint: "), std::string::npos)
            << endpoint;
    }
    for (const auto* bucket :
         {"\"ab\"", "\"Upper\"", "\"a..b\"", "\"-ab\"", "\"a_b\"", "\"a/b\""}) {
        EXPECT_NE(with("bucket", bucket).find("is not a bucket name"), std::string::npos) << bucket;
    }
    for (const auto* id : {"\"\"", "\"..\"", "\"a/b\"", "\"a b\"", "\"\\u00e9\""}) {
        EXPECT_NE(with("cradle_id", id).find("remote.cradle_id: must be 1..64"), std::string::npos)
            << id;
    }
    EXPECT_NE(with("wipe_after", "\"never\"").find("is not one of \"local\", \"remote\""),
              std::string::npos);
    for (const auto& [key, value] : {std::pair{"retry_seconds", "0"},
                                     {"retry_seconds", "3601"},
                                     {"audit_sample", "-1"},
                                     {"audit_hours", "0"},
                                     {"audit_hours", "721"}}) {
        EXPECT_NE(with(key, value).find(std::string("remote.") + key), std::string::npos)
            << key << " = " << value;
    }
    for (const auto* window :
         {"\"22:00\"", "\"24:00-06:00\"", "\"22:00-22:00\"", "\"2200-0600\"", "\"22:00-06:60\""}) {
        EXPECT_NE(with("window", window).find("is not a time window"), std::string::npos) << window;
    }
}

// The credentials: from a file only its owner can read, or the systemd credential.
class RemoteCredentials : public ::testing::Test {
  protected:
    void SetUp() override { ::unsetenv("CREDENTIALS_DIRECTORY"); }
    void TearDown() override { ::unsetenv("CREDENTIALS_DIRECTORY"); }

    RemoteConfig remote_with(const fs::path& file) {
        RemoteConfig remote;
        remote.credentials_file = file;
        return remote;
    }
    std::string error_of_loading(const fs::path& file) {
        try {
            load_remote_credentials(remote_with(file));
        } catch (const ConfigError& error) {
            return error.what();
        }
        ADD_FAILURE() << "no ConfigError for " << file;
        return {};
    }

    ScratchDir dir_;
    const std::string secret_ = "s3cr3t/K3y+value";
};

TEST_F(RemoteCredentials, AnOwnerOnlyFileGivesBothKeys) {
    const auto file =
        dir_.write("remote", "access_key = \"AK1\"\nsecret_key = \"" + secret_ + "\"\n");
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
    const auto keys = load_remote_credentials(remote_with(file));
    EXPECT_EQ(keys.access_key, "AK1");
    EXPECT_EQ(keys.secret_key, secret_);
}

TEST_F(RemoteCredentials, AFileOthersMayReadIsRefusedWithTheFix) {
    const auto file =
        dir_.write("remote", "access_key = \"AK1\"\nsecret_key = \"" + secret_ + "\"\n");
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    EXPECT_EQ(error_of_loading(file),
              file.string() +
                  ": the central archive's credentials file may be read by others "
                  "(mode 0640); it must be readable by its owner only: chmod 600 " +
                  file.string());
}

TEST_F(RemoteCredentials, AMissingFileIsNamed) {
    const auto message = error_of_loading(dir_.path() / "absent");
    EXPECT_NE(message.find("absent: the central archive's credentials file cannot be read"),
              std::string::npos)
        << message;
}

TEST_F(RemoteCredentials, NoErrorRepeatsASecret) {
    for (const std::string& text :
         {"access_key = \"AK1\"\nsecret_key = \"" + secret_ + " x\"\n",  // a space: refused
          "access_key = \"AK1\"\nsecret_key = \"" + secret_ + "\n",      // not TOML
          "access_key = \"AK1:" + secret_ + "\"\nsecret_key = \"x\"\n",  // ':' in the access key
          "access_key = \"AK1\"\nsecret = \"" + secret_ + "\"\n"}) {     // an unknown key
        const auto file = dir_.write("remote", text);
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
        const auto message = error_of_loading(file);
        EXPECT_FALSE(message.empty());
        EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << message;
    }
}

TEST_F(RemoteCredentials, TheSystemdCredentialTakesPrecedence) {
    const auto file = dir_.write("remote", "access_key = \"FILE\"\nsecret_key = \"f\"\n");
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
    // systemd hands credentials over read-only, as it chooses; the mode is not checked there.
    dir_.write("credentials/cradled-remote", "access_key = \"SYSTEMD\"\nsecret_key = \"s\"\n");
    ::setenv("CREDENTIALS_DIRECTORY", (dir_.path() / "credentials").c_str(), 1);
    EXPECT_EQ(load_remote_credentials(remote_with(file)).access_key, "SYSTEMD");
    ::setenv("CREDENTIALS_DIRECTORY", (dir_.path() / "elsewhere").c_str(), 1);
    EXPECT_EQ(load_remote_credentials(remote_with(file)).access_key, "FILE");
}

}  // namespace
}  // namespace cradle
