// SPDX-License-Identifier: Apache-2.0
// The emulated camera: deterministic footage, storage that outlives the object, and every
// fault hook doing what the fault tests of the daemon rely on.
#include "common/sha256.hpp"
#include "sim/footage.hpp"
#include "sim/sim_camera.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/read_all.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <fstream>
#include <future>
#include <thread>

namespace cradle::hw::sim {
namespace {

using namespace std::chrono_literals;
using test::file_text;
using test::read_all;
using Kind = DeviceError::Kind;

Deadline soon() {
    return SteadyClock::now() + 10s;
}

CameraSpec small_camera(const std::string& serial = "LC-0001", std::uint64_t seed = 7) {
    CameraSpec spec;
    spec.serial = serial;
    spec.recordings = 6;
    spec.total_bytes = 3ull << 20;
    spec.seed = seed;
    spec.officer_id = "PC-4711";
    spec.battery_percent = 42;
    return spec;
}

struct Provisioned {
    test::TempDir storage;
    std::filesystem::path dir;
};

std::unique_ptr<Provisioned> provision(const CameraSpec& spec) {
    auto provisioned = std::make_unique<Provisioned>();
    provision_camera(spec, provisioned->storage.path());
    provisioned->dir = camera_dir(provisioned->storage.path(), spec.serial);
    return provisioned;
}

std::string sha_of_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    Sha256 sha;
    std::vector<char> buffer(1 << 16);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
        sha.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
    }
    return sha.hex_digest();
}

std::string footage_sha(const std::filesystem::path& dir) {
    Sha256 sha;
    for (const auto& recording : stored_recordings(dir)) {
        sha.update(recording.name);
        sha.update(sha_of_file(recording.file));
    }
    return sha.hex_digest();
}

// <tag>_YYYYMMDD_HHMMSS_NNNN.MP4
bool looks_like_camera_file(const std::string& name, const std::string& tag) {
    const std::string shape = tag + "_dddddddd_dddddd_dddd.MP4";
    if (name.size() != shape.size()) return false;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const bool digit_expected = i >= tag.size() && shape[i] == 'd';
        if (digit_expected ? !std::isdigit(static_cast<unsigned char>(name[i]))
                           : name[i] != shape[i]) {
            return false;
        }
    }
    return true;
}

template <typename Operation>
Kind error_kind_of(Operation&& operation) {
    try {
        operation();
    } catch (const DeviceError& error) {
        return error.kind();
    }
    ADD_FAILURE() << "no DeviceError thrown";
    return Kind::protocol;
}

TEST(Footage, SameSeedGivesSameNamesSizesAndBytes) {
    const auto first = provision(small_camera());
    const auto second = provision(small_camera());
    const auto a = stored_recordings(first->dir);
    const auto b = stored_recordings(second->dir);
    ASSERT_EQ(a.size(), 6u);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].handle, b[i].handle);
        EXPECT_EQ(a[i].name, b[i].name);
        EXPECT_EQ(a[i].size, b[i].size);
        EXPECT_EQ(a[i].captured_unix_s, b[i].captured_unix_s);
    }
    EXPECT_EQ(footage_sha(first->dir), footage_sha(second->dir));
}

TEST(Footage, DifferentSeedsGiveDifferentFootage) {
    const auto first = provision(small_camera("LC-0001", 1));
    const auto second = provision(small_camera("LC-0001", 2));
    const auto a = stored_recordings(first->dir);
    const auto b = stored_recordings(second->dir);
    ASSERT_EQ(a.size(), b.size());
    bool sizes_differ = false;
    for (std::size_t i = 0; i < a.size(); ++i) sizes_differ |= a[i].size != b[i].size;
    EXPECT_TRUE(sizes_differ);
    EXPECT_NE(footage_sha(first->dir), footage_sha(second->dir));
}

TEST(Footage, SizesVaryAroundTheMeanAndAddUpToTheTotal) {
    CameraSpec spec = small_camera();
    spec.recordings = 40;
    spec.total_bytes = 400'000'000;
    const auto footage = plan_footage(spec);
    ASSERT_EQ(footage.size(), 40u);
    std::uint64_t sum = 0;
    std::uint64_t smallest = UINT64_MAX;
    std::uint64_t largest = 0;
    for (const auto& recording : footage) {
        sum += recording.size;
        smallest = std::min(smallest, recording.size);
        largest = std::max(largest, recording.size);
    }
    EXPECT_NEAR(static_cast<double>(sum), 400e6, 400e6 * 0.01);
    const double mean = 400e6 / 40;
    EXPECT_GE(static_cast<double>(smallest), 0.4 * mean);
    EXPECT_LE(static_cast<double>(largest), 1.6 * mean);
    EXPECT_GT(static_cast<double>(largest - smallest), 0.3 * mean);  // they do vary
}

TEST(Footage, NamesCarryCameraCaptureTimeAndSequence) {
    CameraSpec spec = small_camera("SN-77001");
    spec.recordings = 12;
    const auto footage = plan_footage(spec);
    for (std::size_t i = 0; i < footage.size(); ++i) {
        const std::string& name = footage[i].name;
        ASSERT_TRUE(looks_like_camera_file(name, "LC7001")) << name;
        EXPECT_EQ(std::stoi(name.substr(23, 4)), static_cast<int>(i + 1));
        if (i > 0) {
            const auto step = footage[i].captured_unix_s - footage[i - 1].captured_unix_s;
            EXPECT_GE(step, 20 * 60);
            EXPECT_LE(step, 60 * 60);
        }
    }
    // 2026-11-25 07:30 UTC, not the current time: runs are reproducible.
    EXPECT_EQ(footage.front().name.substr(7, 8), "20261125");
    EXPECT_GE(footage.front().captured_unix_s, 1795591800);
    EXPECT_LT(footage.front().captured_unix_s, 1795591800 + 600);
}

TEST(Footage, CameraClockOffsetShowsInCaptureTimes) {
    CameraSpec drifted = small_camera();
    drifted.clock_offset_s = -3600;
    const auto on_time = plan_footage(small_camera());
    const auto late = plan_footage(drifted);
    EXPECT_EQ(late.front().captured_unix_s, on_time.front().captured_unix_s - 3600);
    EXPECT_NE(late.front().name, on_time.front().name);
}

TEST(Footage, StartsWithAnMp4FtypBox) {
    const auto provisioned = provision(small_camera());
    for (const auto& recording : stored_recordings(provisioned->dir)) {
        const std::string head = file_text(recording.file).substr(0, 36);
        EXPECT_EQ(head.substr(0, 12), std::string("\0\0\0\x1c"
                                                  "ftypisom",
                                                  12));
        EXPECT_EQ(head.substr(32, 4), "mdat");
    }
}

TEST(Footage, AnyRangeCanBeProducedAlone) {
    CameraSpec spec = small_camera();
    spec.recordings = 1;
    spec.total_bytes = 10'000;
    const auto recording = plan_footage(spec).front();
    std::vector<std::byte> whole(10'000);
    footage_bytes(recording, 0, whole);
    for (std::uint64_t offset : {0ull, 5ull, 13ull, 40ull, 8000ull, 9999ull}) {
        std::vector<std::byte> part(37, std::byte{0x5a});
        footage_bytes(recording, offset, part);
        const std::size_t valid = std::min<std::size_t>(part.size(), 10'000 - offset);
        for (std::size_t i = 0; i < valid; ++i) {
            ASSERT_EQ(part[i], whole[offset + i]) << "offset " << offset << " + " << i;
        }
        for (std::size_t i = valid; i < part.size(); ++i) EXPECT_EQ(part[i], std::byte{0x5a});
    }
}

TEST(Footage, NegativeRecordingCountIsRejected) {
    CameraSpec spec = small_camera();
    spec.recordings = -1;
    EXPECT_THROW(plan_footage(spec), std::invalid_argument);
}

TEST(Storage, SerialThatCannotNameADirectoryIsRejected) {
    for (const std::string& serial :
         std::vector<std::string>{"", ".", "..", "a/b", std::string("a\0b", 3)}) {
        EXPECT_THROW(camera_dir("/storage", serial), std::invalid_argument);
    }
}

TEST(Storage, SurvivesANewCameraObject) {
    const auto provisioned = provision(small_camera());
    const auto before = stored_recordings(provisioned->dir);
    const auto corrected = std::chrono::system_clock::now() + 2h;
    {
        SimCamera camera(small_camera(), provisioned->dir);
        camera.remove(before[1].handle, soon());
        camera.set_clock(corrected, soon());
    }
    SimCamera restarted(small_camera(), provisioned->dir);
    const auto listing = restarted.list_recordings(100, soon());
    ASSERT_EQ(listing.size(), before.size() - 1);
    for (const auto& info : listing) EXPECT_NE(info.handle, before[1].handle);
    EXPECT_FALSE(std::filesystem::exists(before[1].file));
    EXPECT_EQ(stored_recordings(provisioned->dir).size(), before.size() - 1);
    const auto drift = restarted.clock(soon()) - std::chrono::system_clock::now() - 2h;
    EXPECT_LT(std::chrono::abs(drift), 2s);
}

TEST(Storage, ProvisioningLeavesExistingStorageAlone) {
    const auto provisioned = provision(small_camera());
    {
        SimCamera camera(small_camera(), provisioned->dir);
        camera.remove(1, soon());
    }
    provision_camera(small_camera(), provisioned->storage.path());
    const auto stored = stored_recordings(provisioned->dir);
    ASSERT_EQ(stored.size(), 5u);
    EXPECT_EQ(stored.front().handle, 2u);
}

TEST(Storage, HandlesStartAtOneAndStayStable) {
    const auto provisioned = provision(small_camera());
    SimCamera camera(small_camera(), provisioned->dir);
    const auto listing = camera.list_recordings(100, soon());
    for (std::size_t i = 0; i < listing.size(); ++i) EXPECT_EQ(listing[i].handle, i + 1);
    camera.remove(3, soon());
    const auto after = camera.list_recordings(100, soon());
    ASSERT_EQ(after.size(), listing.size() - 1);
    EXPECT_EQ(after[2].handle, 4u);
    EXPECT_EQ(after[2].name, listing[3].name);
}

TEST(Storage, HostileNamesRoundTripByteExact) {
    using namespace std::string_literals;
    CameraSpec spec = small_camera();
    spec.faults.hostile_names = true;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    const auto listing = camera.list_recordings(100, soon());
    ASSERT_EQ(listing.size(), 10u);
    std::vector<std::string> hostile;
    for (std::size_t i = 6; i < listing.size(); ++i) hostile.push_back(listing[i].name);
    EXPECT_EQ(hostile[0], "../../etc/passwd");
    EXPECT_NE(hostile[1].find('\0'), std::string::npos);
    EXPECT_EQ(hostile[1], "LC0001_20261125\0_hidden.MP4"s);
    EXPECT_EQ(hostile[2].size(), 4096u);
    EXPECT_EQ(static_cast<unsigned char>(hostile[3][0]), 0xff);
    EXPECT_EQ(static_cast<unsigned char>(hostile[3][1]), 0xfe);

    const auto planned = plan_footage(spec);
    const auto stored = stored_recordings(provisioned->dir);
    for (std::size_t i = 0; i < planned.size(); ++i) {
        EXPECT_EQ(listing[i].name, planned[i].name);
        EXPECT_EQ(stored[i].name, planned[i].name);
    }
    // Hostile recordings are small and readable like any other.
    const std::string content = read_all(camera, listing[6].handle);
    EXPECT_EQ(content.size(), listing[6].size);
    EXPECT_LT(content.size(), 128u * 1024);
}

TEST(SimCamera, IdentifiesAndReportsHealthFromSpecAndStorage) {
    CameraSpec spec = small_camera();
    spec.faults.reported_faults = {"lens-heater", "battery-aged"};
    spec.storage_total_bytes = 64ull << 20;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    const auto identity = camera.identify(soon());
    EXPECT_EQ(identity.serial, "LC-0001");
    EXPECT_EQ(identity.model, "LC-BWC7");
    EXPECT_EQ(identity.manufacturer, "Lingchuan Optics");
    EXPECT_EQ(identity.firmware, "2.4.1");
    EXPECT_EQ(identity.officer_id, "PC-4711");

    const auto health = camera.health(soon());
    EXPECT_EQ(health.battery_percent, 42);
    EXPECT_TRUE(health.charging);
    EXPECT_EQ(health.faults, spec.faults.reported_faults);
    EXPECT_EQ(health.storage_total_bytes, 64ull << 20);
    EXPECT_EQ(health.storage_free_bytes, (64ull << 20) - (3ull << 20));

    const auto first = camera.list_recordings(100, soon()).front();
    camera.remove(first.handle, soon());
    EXPECT_EQ(camera.health(soon()).storage_free_bytes, (64ull << 20) - (3ull << 20) + first.size);
}

TEST(SimCamera, ChargesByTheGivenStepAtEachHealthReadUpToFull) {
    CameraSpec spec = small_camera();
    spec.battery_percent = 88;
    spec.charge_percent_per_health_read = 5;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    EXPECT_EQ(camera.health(soon()).battery_percent, 88);
    EXPECT_EQ(camera.health(soon()).battery_percent, 93);
    EXPECT_EQ(camera.health(soon()).battery_percent, 98);
    EXPECT_EQ(camera.health(soon()).battery_percent, 100);
    EXPECT_EQ(camera.health(soon()).battery_percent, 100);
}

TEST(SimCamera, ChargeOutlivesTheCameraObject) {
    CameraSpec spec = small_camera();
    spec.battery_percent = 40;
    spec.charge_percent_per_health_read = 10;
    const auto provisioned = provision(spec);
    {
        SimCamera camera(spec, provisioned->dir);
        camera.health(soon());
        camera.health(soon());
    }
    SimCamera again(spec, provisioned->dir);
    EXPECT_EQ(again.health(soon()).battery_percent, 60);
}

TEST(SimCamera, WithoutAChargeStepTheBatteryStaysWhereItIs) {
    const auto provisioned = provision(small_camera());
    SimCamera camera(small_camera(), provisioned->dir);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(camera.health(soon()).battery_percent, 42);
}

TEST(Faults, CameraThatIsNotChargingSaysSoAndDoesNotCharge) {
    CameraSpec spec = small_camera();
    spec.charge_percent_per_health_read = 5;
    spec.faults.not_charging = true;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    for (int i = 0; i < 3; ++i) {
        const auto health = camera.health(soon());
        EXPECT_FALSE(health.charging);
        EXPECT_EQ(health.battery_percent, 42);
    }
}

TEST(SimCamera, ClockRunsWithTheProvisionedOffset) {
    CameraSpec spec = small_camera();
    spec.clock_offset_s = -90;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    const auto drift = camera.clock(soon()) - std::chrono::system_clock::now();
    EXPECT_LT(std::chrono::abs(drift + 90s), 2s);
}

TEST(SimCamera, ReadDeliversTheStoredBytes) {
    const auto provisioned = provision(small_camera());
    SimCamera camera(small_camera(), provisioned->dir);
    const auto stored = stored_recordings(provisioned->dir);
    for (const auto& recording : stored) {
        EXPECT_EQ(read_all(camera, recording.handle, 100'003), file_text(recording.file));
    }
    std::vector<std::byte> buffer(16);
    EXPECT_EQ(camera.read(1, stored[0].size, buffer, soon()), 0u);
    EXPECT_EQ(camera.read(1, stored[0].size + 1000, buffer, soon()), 0u);
    EXPECT_EQ(error_kind_of([&] { camera.read(999, 0, buffer, soon()); }), Kind::io);
}

TEST(SimCamera, ListingLargerThanMaxCountIsAProtocolError) {
    const auto provisioned = provision(small_camera());
    SimCamera camera(small_camera(), provisioned->dir);
    EXPECT_EQ(camera.list_recordings(6, soon()).size(), 6u);
    EXPECT_EQ(error_kind_of([&] { camera.list_recordings(5, soon()); }), Kind::protocol);
}

TEST(SimCamera, RemovingAnUnknownHandleIsAnIoError) {
    const auto provisioned = provision(small_camera());
    SimCamera camera(small_camera(), provisioned->dir);
    EXPECT_EQ(error_kind_of([&] { camera.remove(77, soon()); }), Kind::io);
}

TEST(SimCamera, EveryOperationRespectsAPastDeadline) {
    const auto provisioned = provision(small_camera());
    SimCamera camera(small_camera(), provisioned->dir);
    const Deadline past = SteadyClock::now() - 1ms;
    std::vector<std::byte> buffer(16);
    EXPECT_EQ(error_kind_of([&] { camera.identify(past); }), Kind::timeout);
    EXPECT_EQ(error_kind_of([&] { camera.health(past); }), Kind::timeout);
    EXPECT_EQ(error_kind_of([&] { camera.clock(past); }), Kind::timeout);
    EXPECT_EQ(error_kind_of([&] { camera.set_clock({}, past); }), Kind::timeout);
    EXPECT_EQ(error_kind_of([&] { camera.list_recordings(10, past); }), Kind::timeout);
    EXPECT_EQ(error_kind_of([&] { camera.read(1, 0, buffer, past); }), Kind::timeout);
    EXPECT_EQ(error_kind_of([&] { camera.remove(1, past); }), Kind::timeout);
    EXPECT_EQ(stored_recordings(provisioned->dir).size(), 6u);
}

TEST(SimCamera, UnpluggedCameraIsGoneWithoutCallingTheYankHook) {
    const auto provisioned = provision(small_camera());
    SimCamera camera(small_camera(), provisioned->dir);
    int hooks = 0;
    camera.on_yank([&] { ++hooks; });
    camera.unplug();
    EXPECT_FALSE(camera.plugged());
    EXPECT_EQ(error_kind_of([&] { camera.identify(soon()); }), Kind::gone);
    EXPECT_EQ(hooks, 0);
}

TEST(Faults, YankAtByteDeliversExactlyThatManyBytesThenGone) {
    CameraSpec spec = small_camera();
    spec.faults.yank_at_byte = 1'000'003;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    int hooks = 0;
    camera.on_yank([&] { ++hooks; });
    const auto listing = camera.list_recordings(100, soon());

    std::uint64_t delivered = 0;
    std::vector<std::byte> buffer(1 << 16);
    Kind failure{};
    bool failed = false;
    for (const auto& info : listing) {
        try {
            for (std::uint64_t offset = 0;;) {
                const std::size_t got = camera.read(info.handle, offset, buffer, soon());
                if (got == 0) break;
                offset += got;
                delivered += got;
            }
        } catch (const DeviceError& error) {
            failure = error.kind();
            failed = true;
            break;
        }
    }
    ASSERT_TRUE(failed);
    EXPECT_EQ(failure, Kind::gone);
    EXPECT_EQ(delivered, 1'000'003u);
    EXPECT_EQ(camera.bytes_delivered(), 1'000'003u);
    EXPECT_FALSE(camera.plugged());
    EXPECT_EQ(hooks, 1);
    EXPECT_EQ(error_kind_of([&] { camera.identify(soon()); }), Kind::gone);
    EXPECT_EQ(hooks, 1);
}

TEST(Faults, YankAtOpUnplugsAtTheStartOfThatOperation) {
    CameraSpec spec = small_camera();
    spec.faults.yank_at_op = 3;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    int hooks = 0;
    camera.on_yank([&] { ++hooks; });
    camera.identify(soon());
    camera.health(soon());
    EXPECT_EQ(error_kind_of([&] { camera.list_recordings(100, soon()); }), Kind::gone);
    EXPECT_EQ(hooks, 1);
    EXPECT_EQ(camera.operations(), 3);
    EXPECT_EQ(error_kind_of([&] { camera.identify(soon()); }), Kind::gone);
    EXPECT_EQ(hooks, 1);
}

TEST(Faults, HangingCameraTimesOutAtTheDeadline) {
    CameraSpec spec = small_camera();
    spec.faults.hang_at_op = 2;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    camera.identify(soon());
    const auto start = SteadyClock::now();
    EXPECT_EQ(error_kind_of([&] { camera.health(start + 50ms); }), Kind::timeout);
    EXPECT_GE(SteadyClock::now() - start, 50ms);
    EXPECT_TRUE(camera.plugged());
    // It keeps not answering.
    EXPECT_EQ(error_kind_of([&] { camera.identify(SteadyClock::now() + 1ms); }), Kind::timeout);
}

TEST(Faults, HangingCameraIsWokenByUnplugAndGone) {
    CameraSpec spec = small_camera();
    spec.faults.hang_at_op = 1;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    const auto start = SteadyClock::now();
    auto hanging = std::async(std::launch::async, [&] {
        return error_kind_of([&] { camera.identify(SteadyClock::now() + 60s); });
    });
    while (camera.operations() < 1) std::this_thread::yield();
    camera.unplug();
    EXPECT_EQ(hanging.get(), Kind::gone);
    EXPECT_LT(SteadyClock::now() - start, 30s);
}

TEST(Faults, LieSizeChangesOnlyTheDeclaredSize) {
    CameraSpec spec = small_camera();
    spec.faults.lie_size_index = 1;
    spec.faults.lie_size_delta = 4096;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    const auto stored = stored_recordings(provisioned->dir);
    const auto listing = camera.list_recordings(100, soon());
    EXPECT_EQ(listing[0].size, stored[0].size);
    EXPECT_EQ(listing[1].size, stored[1].size + 4096);
    EXPECT_EQ(listing[2].size, stored[2].size);
    EXPECT_EQ(read_all(camera, listing[1].handle).size(), stored[1].size);

    CameraSpec shrinking = small_camera();
    shrinking.faults.lie_size_index = 0;
    shrinking.faults.lie_size_delta = -100;
    SimCamera liar(shrinking, provisioned->dir);
    EXPECT_EQ(liar.list_recordings(100, soon())[0].size, stored[0].size - 100);
}

TEST(Faults, FlipCorruptsOneDeliveredByteOnEveryRead) {
    CameraSpec spec = small_camera();
    spec.faults.flip_index = 2;
    spec.faults.flip_offset = 70'000;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    const auto stored = stored_recordings(provisioned->dir);
    const std::string original = file_text(stored[2].file);
    for (std::size_t chunk : {std::size_t{1} << 16, std::size_t{1} << 20}) {
        std::string delivered = read_all(camera, stored[2].handle, chunk);
        ASSERT_EQ(delivered.size(), original.size());
        EXPECT_EQ(static_cast<unsigned char>(delivered[70'000]),
                  static_cast<unsigned char>(~original[70'000]));
        delivered[70'000] = original[70'000];
        EXPECT_EQ(delivered, original);
    }
    EXPECT_EQ(file_text(stored[2].file), original);  // the stored bytes are intact
    EXPECT_EQ(read_all(camera, stored[1].handle), file_text(stored[1].file));
}

TEST(Faults, ClaimCountBeyondMaxCountFailsWithoutBuildingTheListing) {
    CameraSpec spec = small_camera();
    spec.faults.claim_count = 4'000'000'000ull;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    EXPECT_EQ(error_kind_of([&] { camera.list_recordings(100'000, soon()); }), Kind::protocol);
}

TEST(Faults, ClaimCountWithinMaxCountListsPhantomsThatCannotBeRead) {
    CameraSpec spec = small_camera();
    spec.faults.claim_count = 25;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    const auto listing = camera.list_recordings(100, soon());
    ASSERT_EQ(listing.size(), 25u);
    std::vector<std::byte> buffer(16);
    EXPECT_EQ(camera.read(listing[0].handle, 0, buffer, soon()), 16u);
    EXPECT_EQ(error_kind_of([&] { camera.read(listing[20].handle, 0, buffer, soon()); }), Kind::io);
}

TEST(Faults, RefusedDeleteKeepsTheRecording) {
    CameraSpec spec = small_camera();
    spec.faults.refuse_delete = true;
    const auto provisioned = provision(spec);
    {
        SimCamera camera(spec, provisioned->dir);
        EXPECT_EQ(error_kind_of([&] { camera.remove(1, soon()); }), Kind::refused);
    }
    const auto stored = stored_recordings(provisioned->dir);
    ASSERT_EQ(stored.size(), 6u);
    EXPECT_TRUE(std::filesystem::exists(stored[0].file));
}

TEST(Faults, ThrottlePacesDelivery) {
    CameraSpec spec = small_camera();
    spec.recordings = 1;
    spec.faults.throttle_bytes_per_s = 20'000'000;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    std::vector<std::byte> buffer(2'000'000);
    const auto stored = stored_recordings(provisioned->dir);
    const auto largest = std::max_element(
        stored.begin(), stored.end(), [](const auto& a, const auto& b) { return a.size < b.size; });
    ASSERT_GE(largest->size, buffer.size());
    const auto start = SteadyClock::now();
    EXPECT_EQ(camera.read(largest->handle, 0, buffer, soon()), buffer.size());
    EXPECT_GE(SteadyClock::now() - start, 80ms);
}

TEST(Faults, ThrottledReadThatCannotFinishByTheDeadlineTimesOut) {
    CameraSpec spec = small_camera();
    spec.faults.throttle_bytes_per_s = 1'000'000;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    std::vector<std::byte> buffer(400'000);
    const auto start = SteadyClock::now();
    EXPECT_EQ(error_kind_of([&] { camera.read(1, 0, buffer, start + 30ms); }), Kind::timeout);
    EXPECT_LT(SteadyClock::now() - start, 390ms);
    EXPECT_EQ(camera.bytes_delivered(), 0u);
}

TEST(Faults, ThrottledReadIsInterruptedByUnplug) {
    CameraSpec spec = small_camera();
    spec.faults.throttle_bytes_per_s = 10'000;
    const auto provisioned = provision(spec);
    SimCamera camera(spec, provisioned->dir);
    std::vector<std::byte> buffer(400'000);  // 40 s at this rate
    const auto start = SteadyClock::now();
    auto reading = std::async(std::launch::async, [&] {
        return error_kind_of([&] { camera.read(1, 0, buffer, SteadyClock::now() + 60s); });
    });
    while (camera.operations() < 1) std::this_thread::yield();
    camera.unplug();
    EXPECT_EQ(reading.get(), Kind::gone);
    EXPECT_LT(SteadyClock::now() - start, 30s);
}

}  // namespace
}  // namespace cradle::hw::sim
