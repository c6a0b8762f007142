// SPDX-License-Identifier: Apache-2.0
// The PTP driver end to end in-process: PtpCamera over SimPtpTransport over PtpResponder over
// SimCamera. The driver must keep the CameraDriver contract exactly as the emulated camera
// keeps it directly, and turn every fault of the link or of a hostile device into a precise
// DeviceError with bounded cost.
#include "common/utf8.hpp"
#include "hw/ptp/ptp_camera.hpp"
#include "sim/footage.hpp"
#include "sim/ptp_responder.hpp"
#include "sim/sim_camera.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/read_all.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <array>

namespace cradle::hw::sim {
namespace {

using namespace std::chrono_literals;
using test::file_text;
using test::read_all;
using Kind = DeviceError::Kind;
using ptp::PtpCamera;
using ptp::PtpQuirks;

Deadline soon() {
    return SteadyClock::now() + 10s;
}

CameraSpec small_camera() {
    CameraSpec spec;
    spec.serial = "LC-0042";
    spec.recordings = 5;
    spec.total_bytes = 3ull << 20;
    spec.seed = 11;
    spec.battery_percent = 57;
    spec.storage_total_bytes = 8ull << 30;
    return spec;
}

struct Rig {
    test::TempDir storage;
    std::filesystem::path dir;
    std::shared_ptr<SimCamera> sim;
    std::shared_ptr<PtpResponder> responder;
    std::unique_ptr<PtpCamera> camera;
};

std::unique_ptr<Rig> make_rig(const CameraSpec& spec, PtpFaults faults = {},
                              PtpQuirks quirks = {}) {
    auto rig = std::make_unique<Rig>();
    provision_camera(spec, rig->storage.path());
    rig->dir = camera_dir(rig->storage.path(), spec.serial);
    rig->sim = std::make_shared<SimCamera>(spec, rig->dir);
    rig->responder = std::make_shared<PtpResponder>(rig->sim, faults);
    rig->camera =
        std::make_unique<PtpCamera>(std::make_unique<SimPtpTransport>(rig->responder), quirks);
    return rig;
}

template <typename Operation>
DeviceError error_of(Operation&& operation) {
    try {
        operation();
    } catch (const DeviceError& error) {
        return error;
    }
    ADD_FAILURE() << "no DeviceError thrown";
    return DeviceError(Kind::io, "none");
}

bool contains(const DeviceError& error, const std::string& text) {
    return std::string(error.what()).find(text) != std::string::npos;
}

// A camera that reports every object as 4 GiB or more and cannot tell ObjectSize.
PtpFaults without_object_size() {
    PtpFaults faults;
    faults.size_4gib_minus_1 = true;
    faults.no_object_size = true;
    return faults;
}

TEST(PtpCamera, KeepsTheContractOfTheCameraUsedDirectly) {
    PtpQuirks quirks;
    quirks.partial_object_bytes = 96 * 1024;  // several pieces per read
    const auto rig = make_rig(small_camera(), {}, quirks);
    SimCamera direct(small_camera(), rig->dir);

    const DeviceIdentity want_id = direct.identify(soon());
    const DeviceIdentity got_id = rig->camera->identify(soon());
    EXPECT_EQ(got_id.manufacturer, want_id.manufacturer);
    EXPECT_EQ(got_id.model, want_id.model);
    EXPECT_EQ(got_id.serial, want_id.serial);
    EXPECT_EQ(got_id.firmware, want_id.firmware);

    const DeviceHealth want_health = direct.health(soon());
    const DeviceHealth got_health = rig->camera->health(soon());
    EXPECT_EQ(got_health.battery_percent, 57);
    EXPECT_EQ(got_health.battery_percent, want_health.battery_percent);
    EXPECT_EQ(got_health.storage_total_bytes, want_health.storage_total_bytes);
    EXPECT_EQ(got_health.storage_free_bytes, want_health.storage_free_bytes);
    EXPECT_TRUE(got_health.charging);

    const auto want_list = direct.list_recordings(100, soon());
    const auto got_list = rig->camera->list_recordings(100, soon());
    ASSERT_EQ(got_list.size(), want_list.size());
    ASSERT_EQ(got_list.size(), 5u);
    for (std::size_t i = 0; i < got_list.size(); ++i) {
        EXPECT_EQ(got_list[i].handle, want_list[i].handle);
        EXPECT_EQ(got_list[i].name, want_list[i].name);
        EXPECT_EQ(got_list[i].size, want_list[i].size);
        EXPECT_EQ(got_list[i].captured_unix_s, want_list[i].captured_unix_s);
    }

    const auto stored = stored_recordings(rig->dir);
    for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{4093}}) {
        const std::string content = read_all(*rig->camera, stored[0].handle, chunk);
        EXPECT_EQ(content, file_text(stored[0].file)) << "chunk " << chunk;
    }
    EXPECT_EQ(read_all(*rig->camera, stored[4].handle, 1 << 20), file_text(stored[4].file));

    rig->camera->remove(stored[1].handle, soon());
    const auto after = stored_recordings(rig->dir);
    ASSERT_EQ(after.size(), 4u);
    for (const auto& recording : after) EXPECT_NE(recording.handle, stored[1].handle);
    EXPECT_EQ(rig->camera->list_recordings(100, soon()).size(), 4u);
}

TEST(PtpCamera, ChargingCameraReportsARisingBatteryLevel) {
    CameraSpec spec = small_camera();
    spec.charge_percent_per_health_read = 20;
    const auto rig = make_rig(spec);
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 57);
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 77);
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 97);
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 100);
}

TEST(PtpCamera, ClockRoundTripsThroughDateTime) {
    const auto rig = make_rig(small_camera());
    rig->camera->identify(soon());
    const auto target = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                        std::chrono::hours(5);
    rig->camera->set_clock(target, soon());
    const auto direct = rig->sim->clock(soon());
    EXPECT_LE(std::chrono::abs(direct - target), 2s);
    const auto through_ptp = rig->camera->clock(soon());
    EXPECT_LE(std::chrono::abs(through_ptp - target), 2s);
}

TEST(PtpCamera, CameraInAnotherZoneKeepsItsClockInLocalTime) {
    PtpQuirks quirks;
    quirks.local_offset_s = 3600;
    const auto rig = make_rig(small_camera(), {}, quirks);
    const auto target = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    rig->camera->set_clock(target, soon());
    // The camera holds local time: one hour ahead of UTC in its own reading.
    EXPECT_LE(std::chrono::abs(rig->sim->clock(soon()) - (target + 1h)), 2s);
    EXPECT_LE(std::chrono::abs(rig->camera->clock(soon()) - target), 2s);
}

TEST(PtpCamera, DeviceBusyIsRetried) {
    PtpFaults faults;
    faults.busy_responses = 3;
    const auto rig = make_rig(small_camera(), faults);
    EXPECT_EQ(rig->camera->identify(soon()).serial, "LC-0042");
    EXPECT_EQ(rig->responder->commands(), 5);  // 3 busy, GetDeviceInfo, OpenSession
}

TEST(PtpCamera, SingleStallIsClearedAndTheOperationTriedOnceMore) {
    PtpFaults faults;
    faults.stall_bulk_in_at_op = 3;  // GetDeviceInfo, OpenSession, then BatteryLevel
    const auto rig = make_rig(small_camera(), faults);
    rig->camera->identify(soon());
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 57);
    EXPECT_FALSE(rig->responder->halted(ptp::Endpoint::bulk_in));
    EXPECT_EQ(rig->camera->list_recordings(100, soon()).size(), 5u);
}

TEST(PtpCamera, StallInTheMiddleOfAPieceReadsThePieceAgainFromItsOffset) {
    PtpFaults faults;
    faults.stall_bulk_in_at_data_byte = 200'000;
    PtpQuirks quirks;
    quirks.partial_object_bytes = 96 * 1024;
    const auto rig = make_rig(small_camera(), faults, quirks);
    const auto listing = rig->camera->list_recordings(100, soon());
    const auto stored = stored_recordings(rig->dir);
    EXPECT_EQ(read_all(*rig->camera, listing[0].handle, 96 * 1024), file_text(stored[0].file));
    EXPECT_FALSE(rig->responder->halted(ptp::Endpoint::bulk_in));
}

TEST(PtpCamera, StallInTheMiddleOfAnObjectOfUnknownSizeFailsAndTheNextReadFromZeroSucceeds) {
    PtpFaults faults = without_object_size();
    faults.stall_bulk_in_at_data_byte = 200'000;
    PtpQuirks quirks;
    quirks.partial_object_bytes = 96 * 1024;  // bulk-in transfers of about 100 KiB
    const auto rig = make_rig(small_camera(), faults, quirks);
    const auto listing = rig->camera->list_recordings(100, soon());
    const auto stored = stored_recordings(rig->dir);
    const DeviceError error =
        error_of([&] { read_all(*rig->camera, listing[0].handle, 64 * 1024); });
    EXPECT_EQ(error.kind(), Kind::io);
    EXPECT_TRUE(contains(error, "in the middle of its data phase")) << error.what();
    EXPECT_EQ(read_all(*rig->camera, listing[0].handle, 64 * 1024), file_text(stored[0].file));
}

TEST(PtpCamera, StallThatComesBackAfterTheHaltIsClearedIsAnIoError) {
    PtpFaults faults;
    faults.stall_bulk_in_at_op = 3;
    faults.stall_bulk_in_for_good = true;
    const auto rig = make_rig(small_camera(), faults);
    rig->camera->identify(soon());
    const DeviceError error = error_of([&] { rig->camera->health(soon()); });
    EXPECT_EQ(error.kind(), Kind::io);
    EXPECT_TRUE(contains(error, "stalled the bulk-in endpoint again after the halt was cleared"))
        << error.what();
    EXPECT_EQ(rig->responder->commands(), 4);  // BatteryLevel twice, nothing after
}

TEST(PtpCamera, HungCameraTimesOutAtTheDeadlineAndTheTransactionIsCancelled) {
    CameraSpec spec = small_camera();
    spec.faults.hang_at_op = 2;  // identify answers, health hangs
    const auto rig = make_rig(spec);
    rig->camera->identify(soon());
    const auto start = SteadyClock::now();
    const DeviceError error = error_of([&] { rig->camera->health(start + 100ms); });
    EXPECT_EQ(error.kind(), Kind::timeout);
    EXPECT_LT(SteadyClock::now() - start, 2s);
    EXPECT_FALSE(rig->responder->cancelled().empty());
}

TEST(PtpCamera, CameraThatLostItsSessionIsReopenedOnTheNextCall) {
    const auto rig = make_rig(small_camera());
    rig->camera->identify(soon());
    rig->responder->reset();
    const DeviceError error = error_of([&] { rig->camera->health(soon()); });
    EXPECT_EQ(error.kind(), Kind::io);
    EXPECT_TRUE(contains(error, "SessionNotOpen")) << error.what();
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 57);
}

TEST(PtpCamera, UnpluggedCameraIsGone) {
    const auto rig = make_rig(small_camera());
    rig->camera->identify(soon());
    rig->sim->unplug();
    EXPECT_EQ(error_of([&] { rig->camera->list_recordings(100, soon()); }).kind(), Kind::gone);
}

TEST(PtpCamera, YankMidReadIsGone) {
    CameraSpec spec = small_camera();
    spec.faults.yank_at_byte = 100'000;
    const auto rig = make_rig(spec);
    const auto listing = rig->camera->list_recordings(100, soon());
    std::vector<std::byte> buffer(1 << 20);
    EXPECT_EQ(rig->camera->read(listing[0].handle, 0, buffer, soon()), 100'000u);
    EXPECT_EQ(
        error_of([&] { rig->camera->read(listing[0].handle, 100'000, buffer, soon()); }).kind(),
        Kind::gone);
}

TEST(PtpCamera, RefusedDeleteIsARefusal) {
    CameraSpec spec = small_camera();
    spec.faults.refuse_delete = true;
    const auto rig = make_rig(spec);
    const auto listing = rig->camera->list_recordings(100, soon());
    EXPECT_EQ(error_of([&] { rig->camera->remove(listing[0].handle, soon()); }).kind(),
              Kind::refused);
    EXPECT_EQ(stored_recordings(rig->dir).size(), 5u);
}

TEST(PtpCamera, StaleResponseIsSkipped) {
    PtpFaults faults;
    faults.stale_response_first = true;
    const auto rig = make_rig(small_camera(), faults);
    rig->camera->identify(soon());
    EXPECT_EQ(rig->camera->list_recordings(100, soon()).size(), 5u);
}

TEST(PtpCamera, HeaderSentApartFromItsDataIsReassembled) {
    PtpFaults faults;
    faults.split_header = true;
    const auto rig = make_rig(small_camera(), faults);
    const auto listing = rig->camera->list_recordings(100, soon());
    const auto stored = stored_recordings(rig->dir);
    EXPECT_EQ(read_all(*rig->camera, listing[2].handle, 1 << 20), file_text(stored[2].file));
}

TEST(PtpCamera, UnknownDataLengthsAreReadToTheShortPacket) {
    PtpFaults faults;
    faults.unknown_data_length = true;
    const auto rig = make_rig(small_camera(), faults);
    EXPECT_EQ(rig->camera->identify(soon()).serial, "LC-0042");
    const auto listing = rig->camera->list_recordings(100, soon());
    ASSERT_EQ(listing.size(), 5u);
    const auto stored = stored_recordings(rig->dir);
    for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{1012}, std::size_t{500}}) {
        EXPECT_EQ(read_all(*rig->camera, listing[1].handle, chunk), file_text(stored[1].file))
            << "chunk " << chunk;
    }
}

TEST(PtpCamera, ReadsEndingOnPacketBoundariesConsumeTheZeroLengthPacket) {
    const auto rig = make_rig(small_camera());
    const auto listing = rig->camera->list_recordings(100, soon());
    const auto stored = stored_recordings(rig->dir);
    // 12 + 1012 = 1024 bytes: every data container is a whole number of 512-byte packets.
    EXPECT_EQ(read_all(*rig->camera, listing[0].handle, 1012), file_text(stored[0].file));
    EXPECT_EQ(rig->camera->list_recordings(100, soon()).size(), 5u);
}

TEST(PtpCamera, TransactionIdsWrapOnTheWire) {
    const auto rig = make_rig(small_camera());
    SimPtpTransport link(rig->responder);
    ptp::PtpSession session(link);
    session.open(soon());
    session.set_last_transaction_id(0xFFFFFFFD);
    std::vector<std::uint32_t> seen;
    for (int i = 0; i < 3; ++i) {
        const auto ids = session.command_in(ptp::op::get_storage_ids, {}, 1024, soon());
        EXPECT_EQ(ids.size(), 8u);
        seen.push_back(rig->responder->last_transaction_id());
    }
    EXPECT_EQ(seen, (std::vector<std::uint32_t>{0xFFFFFFFE, 1, 2}));
}

TEST(PtpCamera, GetObjectStreamsAWholeRecordingForOtherPtpClients) {
    const auto rig = make_rig(small_camera());
    SimPtpTransport link(rig->responder);
    ptp::PtpSession session(link);
    session.open(soon());
    const auto stored = stored_recordings(rig->dir);
    const std::array<std::uint32_t, 3> all{0xFFFFFFFF, 0, 0xFFFFFFFF};
    EXPECT_EQ(session.command_in(ptp::op::get_object_handles, all, 1024, soon()).size(),
              4u + 4 * stored.size());
    std::string content;
    std::vector<std::byte> buffer(64 * 1024);
    const std::array<std::uint32_t, 1> handle{stored[3].handle};
    session.command_in_streamed(
        ptp::op::get_object, handle, stored[3].size, buffer,
        [&](std::span<const std::byte> piece) {
            content.append(reinterpret_cast<const char*>(piece.data()), piece.size());
        },
        soon());
    EXPECT_EQ(content, file_text(stored[3].file));
}

TEST(PtpCamera, OffsetsBeyond4GiBUseGetPartialObject64) {
    const auto rig = make_rig(small_camera());
    const auto listing = rig->camera->list_recordings(100, soon());
    std::vector<std::byte> buffer(4096);
    // The emulated recordings are small: the camera answers that nothing is there.
    EXPECT_EQ(rig->camera->read(listing[0].handle, 5ull << 30, buffer, soon()), 0u);
}

TEST(PtpCamera, OffsetsBeyond4GiBWithoutGetPartialObject64AreAProtocolError) {
    PtpQuirks quirks;
    quirks.partial_object_64 = false;
    const auto rig = make_rig(small_camera(), {}, quirks);
    const auto listing = rig->camera->list_recordings(100, soon());
    std::vector<std::byte> buffer(4096);
    const int before = rig->responder->commands();
    const DeviceError error =
        error_of([&] { rig->camera->read(listing[0].handle, 5ull << 30, buffer, soon()); });
    EXPECT_EQ(error.kind(), Kind::protocol);
    EXPECT_TRUE(contains(error, "reaches beyond 4 GiB")) << error.what();
    EXPECT_EQ(rig->responder->commands(), before);
}

TEST(PtpHostileCamera, BatteryLevelAbove100IsAProtocolError) {
    PtpFaults faults;
    faults.battery_level = 150;
    const auto rig = make_rig(small_camera(), faults);
    const DeviceError error = error_of([&] { rig->camera->health(soon()); });
    EXPECT_EQ(error.kind(), Kind::protocol);
    EXPECT_TRUE(contains(error, "battery level of 150%, outside 0..100")) << error.what();
}

// DeviceInfo as the camera sends it, read with a bare session (as any PTP client would).
ptp::DeviceInfo device_info_of(Rig& rig) {
    SimPtpTransport link(rig.responder);
    ptp::PtpSession session(link);
    const auto data = session.command_in(ptp::op::get_device_info, {}, 64 * 1024, soon());
    return ptp::parse_device_info(data);
}

TEST(PtpCamera, OfficerIdIsReadFromTheArtistProperty) {
    CameraSpec spec = small_camera();
    spec.officer_id = "PO-1041";
    const auto rig = make_rig(spec);
    EXPECT_TRUE(device_info_of(*rig).supports_property(ptp::prop::artist));
    EXPECT_EQ(rig->camera->identify(soon()).officer_id, "PO-1041");
}

TEST(PtpCamera, OfficerIdInChineseIsKept) {
    CameraSpec spec = small_camera();
    spec.officer_id = "\u5F20\u4F1F-0451";
    const auto rig = make_rig(spec);
    EXPECT_EQ(rig->camera->identify(soon()).officer_id, "\u5F20\u4F1F-0451");
}

TEST(PtpCamera, CameraWithoutAnOfficerIdDoesNotListArtistAndReportsNone) {
    const auto rig = make_rig(small_camera());
    EXPECT_FALSE(device_info_of(*rig).supports_property(ptp::prop::artist));
    const int before = rig->responder->commands();
    const DeviceIdentity identity = rig->camera->identify(soon());
    EXPECT_EQ(identity.officer_id, "");
    EXPECT_EQ(identity.serial, "LC-0042");
    // GetDeviceInfo and OpenSession, and no property read the camera did not offer.
    EXPECT_EQ(rig->responder->commands() - before, 2);
}

TEST(PtpCamera, OfficerIdIsTrimmed) {
    PtpFaults faults;
    faults.artist = "  PO-7  ";
    const auto rig = make_rig(small_camera(), faults);
    EXPECT_EQ(rig->camera->identify(soon()).officer_id, "PO-7");
}

TEST(PtpHostileCamera, OfficerIdsThatAreNotPrintableTextReadAsNone) {
    const std::string overlong(ptp::kMaxOfficerIdBytes + 1, '7');
    for (const std::string& hostile :
         {std::string("PO-\x01"
                      "1041"),
          std::string("PO-1041\n"), std::string("   "), overlong, std::string("PO-\xC2\x85"),
          std::string("PO-\xEF\xBF\xBD")}) {
        PtpFaults faults;
        faults.artist = hostile;
        const auto rig = make_rig(small_camera(), faults);
        const DeviceIdentity identity = rig->camera->identify(soon());
        EXPECT_EQ(identity.officer_id, "") << "Artist " << testing::PrintToString(hostile);
        EXPECT_EQ(identity.serial, "LC-0042");
    }
    PtpFaults longest;
    longest.artist = std::string(ptp::kMaxOfficerIdBytes, '7');
    EXPECT_EQ(make_rig(small_camera(), longest)->camera->identify(soon()).officer_id,
              *longest.artist);
}

TEST(PtpHostileCamera, ArtistThatDoesNotParseReadsAsNoneAndTheSessionGoesOn) {
    CameraSpec spec = small_camera();
    spec.officer_id = "PO-1041";
    PtpFaults faults;
    faults.artist_truncated = true;
    const auto rig = make_rig(spec, faults);
    EXPECT_EQ(rig->camera->identify(soon()).officer_id, "");
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 57);
    EXPECT_EQ(rig->camera->list_recordings(100, soon()).size(), 5u);
}

TEST(PtpHostileCamera, ListedArtistThatIsRefusedReadsAsNone) {
    CameraSpec spec = small_camera();
    spec.officer_id = "PO-1041";
    PtpFaults faults;
    faults.artist_refused = true;
    const auto rig = make_rig(spec, faults);
    EXPECT_TRUE(device_info_of(*rig).supports_property(ptp::prop::artist));
    EXPECT_EQ(rig->camera->identify(soon()).officer_id, "");
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 57);
}

TEST(PtpCamera, ObjectHandlesHonourStorageAndParentAsAPtpClientExpects) {
    const auto rig = make_rig(small_camera());
    SimPtpTransport link(rig->responder);
    ptp::PtpSession session(link);
    session.open(soon());
    const auto storage_ids = session.command_in(ptp::op::get_storage_ids, {}, 1024, soon());
    ASSERT_EQ(storage_ids.size(), 8u);
    EXPECT_EQ(std::to_integer<int>(storage_ids[4]), 0x01);
    EXPECT_EQ(std::to_integer<int>(storage_ids[6]), 0x01);

    // Root only, in the one storage: every object (the camera has no folders).
    const std::array<std::uint32_t, 3> root{0x00010001, 0, 0xFFFFFFFF};
    EXPECT_EQ(session.command_in(ptp::op::get_object_handles, root, 1024, soon()).size(),
              4u + 4 * 5);
    // Objects are no folders: asking for the children of one is an error.
    const std::array<std::uint32_t, 3> under_object{0xFFFFFFFF, 0, 1};
    try {
        session.command_in(ptp::op::get_object_handles, under_object, 1024, soon());
        ADD_FAILURE() << "no error";
    } catch (const ptp::PtpResponseError& error) {
        EXPECT_EQ(error.response(), ptp::rc::invalid_parent_object);
    }
    const std::array<std::uint32_t, 3> other_storage{0x00020001, 0, 0};
    try {
        session.command_in(ptp::op::get_object_handles, other_storage, 1024, soon());
        ADD_FAILURE() << "no error";
    } catch (const ptp::PtpResponseError& error) {
        EXPECT_EQ(error.response(), ptp::rc::invalid_storage_id);
    }
    // Unknown operations are answered, not ignored.
    try {
        session.command(0x9999, {}, soon());
        ADD_FAILURE() << "no error";
    } catch (const ptp::PtpResponseError& error) {
        EXPECT_EQ(error.response(), ptp::rc::operation_not_supported);
    }
}

TEST(PtpCamera, DeletedObjectsAreAnnouncedAndDrainedBeforeTheNextListing) {
    const auto rig = make_rig(small_camera());
    const auto listing = rig->camera->list_recordings(100, soon());
    rig->camera->remove(listing[0].handle, soon());
    rig->camera->remove(listing[1].handle, soon());
    EXPECT_EQ(rig->camera->list_recordings(100, soon()).size(), 3u);
    EXPECT_FALSE(rig->responder->interrupt_in(64).has_value()) << "events left pending";
}

TEST(PtpResponder, AContainerEndingOnAPacketBoundaryIsFollowedByAZeroLengthPacket) {
    const auto rig = make_rig(small_camera());
    SimPtpTransport link(rig->responder);
    ptp::PtpSession session(link);
    session.open(soon());
    const std::array<std::uint32_t, 3> all{0xFFFFFFFF, 0, 0};
    session.command_in(ptp::op::get_object_handles, all, 1024, soon());  // transaction 1

    const std::uint32_t command[] = {1, 0, 500};  // handle 1, offset 0, 500 bytes: 512 in all
    PtpResponder& device = *rig->responder;
    device.bulk_out(ptp::encode_params_container(ptp::ContainerType::command,
                                                 ptp::op::get_partial_object, 2, command));
    const auto data = device.bulk_in(4096);
    ASSERT_TRUE(data.has_value());
    EXPECT_EQ(data->size(), 512u);
    const auto zero_length = device.bulk_in(4096);
    ASSERT_TRUE(zero_length.has_value());
    EXPECT_TRUE(zero_length->empty());
    const auto response = device.bulk_in(4096);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->size(), 16u);
    EXPECT_FALSE(device.bulk_in(4096).has_value());

    // A container that does not end on a boundary has none.
    const std::uint32_t shorter[] = {1, 0, 400};
    device.bulk_out(ptp::encode_params_container(ptp::ContainerType::command,
                                                 ptp::op::get_partial_object, 3, shorter));
    EXPECT_EQ(device.bulk_in(4096)->size(), 412u);
    EXPECT_EQ(device.bulk_in(4096)->size(), 16u);
}

TEST(PtpHostileCamera, LyingDataLengthIsAProtocolError) {
    PtpFaults faults;
    faults.lie_data_length = true;
    const auto rig = make_rig(small_camera(), faults);
    const DeviceError error = error_of([&] { rig->camera->identify(soon()); });
    EXPECT_EQ(error.kind(), Kind::protocol);
    EXPECT_TRUE(contains(error, "in a data container that declares")) << error.what();
}

TEST(PtpHostileCamera, AMillionHandlesFailBeforeAnyObjectInfo) {
    PtpFaults faults;
    faults.claim_handles = 1'000'000;
    const auto rig = make_rig(small_camera(), faults);
    rig->camera->identify(soon());
    const int before = rig->responder->commands();
    const auto start = SteadyClock::now();
    const DeviceError error = error_of([&] { rig->camera->list_recordings(100'000, soon()); });
    EXPECT_EQ(error.kind(), Kind::protocol);
    EXPECT_TRUE(contains(error, "camera lists 1000000 objects, more than the limit 100000"))
        << error.what();
    EXPECT_EQ(rig->responder->commands(), before + 1) << "only GetObjectHandles";
    EXPECT_LT(SteadyClock::now() - start, 2s);
    // The session survives: the cancelled transaction left nothing behind.
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 57);
}

TEST(PtpHostileCamera, ClaimedCountOfTheEmulatedCameraIsBoundedTheSameWay) {
    CameraSpec spec = small_camera();
    spec.faults.claim_count = 1'000'000;
    const auto rig = make_rig(spec);
    const DeviceError error = error_of([&] { rig->camera->list_recordings(5000, soon()); });
    EXPECT_EQ(error.kind(), Kind::protocol);
    EXPECT_TRUE(contains(error, "camera lists 1000000 objects, more than the limit 5000"))
        << error.what();
}

TEST(PtpHostileCamera, QuirkLimitBoundsTheListing) {
    PtpQuirks quirks;
    quirks.max_objects = 3;
    const auto rig = make_rig(small_camera(), {}, quirks);
    const DeviceError error = error_of([&] { rig->camera->list_recordings(100, soon()); });
    EXPECT_TRUE(contains(error, "camera lists 5 objects, more than the limit 3")) << error.what();
}

TEST(PtpHostileCamera, TraversalNamesAreJustNames) {
    PtpFaults faults;
    faults.traversal_names = true;
    const auto rig = make_rig(small_camera(), faults);
    const auto listing = rig->camera->list_recordings(100, soon());
    ASSERT_EQ(listing.size(), 5u);
    EXPECT_EQ(listing[0].name, "../../etc/passwd-" + std::to_string(listing[0].handle));
}

// A PTP string is at most 254 UTF-16 units and a terminating NUL. The emulated camera keeps
// hostile names byte for byte; what crosses PTP is what a PTP string can carry: cut at a NUL,
// cut at 254 units, and each malformed UTF-8 sequence one U+FFFD. The driver hands on valid
// UTF-8 with no NUL in it.
TEST(PtpHostileCamera, HostileNamesOfTheEmulatedCameraArriveAsPtpStrings) {
    CameraSpec spec = small_camera();
    spec.faults.hostile_names = true;
    const auto rig = make_rig(spec);
    const auto listing = rig->camera->list_recordings(100, soon());
    const auto planned = plan_footage(spec);
    ASSERT_EQ(listing.size(), planned.size());
    ASSERT_GT(planned.size(), 4u);
    // The hostile recordings are the last four, in the emulator's order.
    const std::size_t first = planned.size() - 4;
    const std::string& with_nul = planned[first + 1].name;
    ASSERT_NE(with_nul.find('\0'), std::string::npos);
    ASSERT_GT(planned[first + 2].name.size(), 254u);

    const std::string replacement = "\xEF\xBF\xBD";      // U+FFFD in UTF-8
    EXPECT_EQ(listing[first].name, "../../etc/passwd");  // a name, not a path: kept as sent
    EXPECT_EQ(listing[first + 1].name, with_nul.substr(0, with_nul.find('\0')));
    EXPECT_EQ(listing[first + 2].name, std::string(254, 'A'));  // ".MP4" did not fit
    // "\xff\xfe\xc3\x28_not_utf8_\xe2\x82.MP4": two bad lead bytes, a lead byte whose next
    // byte is no continuation ('(' survives), and a sequence cut short by '.'.
    EXPECT_EQ(listing[first + 3].name,
              replacement + replacement + replacement + "(_not_utf8_" + replacement + ".MP4");
    for (const auto& recording : listing) {
        SCOPED_TRACE(recording.name);
        EXPECT_EQ(recording.name.find('\0'), std::string::npos);
        EXPECT_EQ(valid_utf8(recording.name), recording.name);
    }
}

TEST(PtpHostileCamera, UnparseableDateTimeIsAProtocolErrorNamingTheValue) {
    PtpFaults faults;
    faults.bad_datetime = true;
    const auto rig = make_rig(small_camera(), faults);
    const DeviceError error = error_of([&] { rig->camera->clock(soon()); });
    EXPECT_EQ(error.kind(), Kind::protocol);
    EXPECT_TRUE(contains(error, "camera DateTime \"2026-13-45 25:61\" does not parse"))
        << error.what();
    // A capture date that does not parse costs the recording its capture time, nothing more.
    const auto listing = rig->camera->list_recordings(100, soon());
    ASSERT_EQ(listing.size(), 5u);
    EXPECT_EQ(listing[0].captured_unix_s, 0);
}

TEST(PtpHostileCamera, SizeOf4GiBMinus1AsksObjectSize) {
    PtpFaults faults;
    faults.size_4gib_minus_1 = true;
    const auto rig = make_rig(small_camera(), faults);
    const auto listing = rig->camera->list_recordings(100, soon());
    const auto stored = stored_recordings(rig->dir);
    ASSERT_EQ(listing.size(), stored.size());
    for (std::size_t i = 0; i < listing.size(); ++i) EXPECT_EQ(listing[i].size, stored[i].size);
}

TEST(PtpCamera, ObjectWithoutObjectSizeIsListedWithTheStorageAsItsBoundAndReadToItsEnd) {
    const auto rig = make_rig(small_camera(), without_object_size());
    const auto listing = rig->camera->list_recordings(100, soon());
    const auto stored = stored_recordings(rig->dir);
    ASSERT_EQ(listing.size(), stored.size());
    for (std::size_t i = 0; i < listing.size(); ++i) {
        EXPECT_FALSE(listing[i].size_known);
        EXPECT_EQ(listing[i].size, 8ull << 30);  // the storage's MaxCapacity
        EXPECT_EQ(read_all(*rig->camera, listing[i].handle, 100'000), file_text(stored[i].file));
    }
    // Once ended, the end reads as the end.
    std::vector<std::byte> buffer(16);
    const auto end = stored.back().size;
    EXPECT_EQ(rig->camera->read(listing.back().handle, end, buffer, soon()), 0u);
}

TEST(PtpCamera, ObjectOfUnknownSizeIsOneGetObjectAcrossReads) {
    const auto rig = make_rig(small_camera(), without_object_size());
    const auto listing = rig->camera->list_recordings(100, soon());
    const int before = rig->responder->commands();
    read_all(*rig->camera, listing[0].handle, 64 * 1024);
    EXPECT_EQ(rig->responder->commands(), before + 1);
}

TEST(PtpCamera, ObjectOfUnknownSizeReadAtAnotherOffsetFailsAndRestartsFromZero) {
    const auto rig = make_rig(small_camera(), without_object_size());
    const auto listing = rig->camera->list_recordings(100, soon());
    const auto stored = stored_recordings(rig->dir);
    std::vector<std::byte> buffer(4096);
    ASSERT_EQ(rig->camera->read(listing[0].handle, 0, buffer, soon()), 4096u);
    // A retry of the same piece, a skip ahead: neither may deliver bytes of another offset.
    for (const std::uint64_t offset : {std::uint64_t{0} + 100, std::uint64_t{8192}}) {
        const DeviceError error =
            error_of([&] { rig->camera->read(listing[0].handle, offset, buffer, soon()); });
        EXPECT_EQ(error.kind(), Kind::io);
        EXPECT_TRUE(contains(error, "cannot be read at offset " + std::to_string(offset)))
            << error.what();
    }
    // Another call in between cancels the data phase; reading from 0 starts again.
    EXPECT_EQ(rig->camera->health(soon()).battery_percent, 57);
    EXPECT_EQ(read_all(*rig->camera, listing[0].handle, 10'000), file_text(stored[0].file));
}

TEST(PtpHostileCamera, ObjectOfUnknownSizeLargerThanItsStorageIsAProtocolErrorAtTheBound) {
    for (const bool unknown_data_length : {false, true}) {
        SCOPED_TRACE(unknown_data_length ? "data length 0xFFFFFFFF" : "data length declared");
        CameraSpec spec = small_camera();
        spec.storage_total_bytes = 256 * 1024;  // each recording is larger
        PtpFaults faults = without_object_size();
        faults.unknown_data_length = unknown_data_length;
        const auto rig = make_rig(spec, faults);
        const auto listing = rig->camera->list_recordings(100, soon());
        ASSERT_EQ(listing[0].size, 256u * 1024);
        std::vector<std::byte> buffer(10'000);
        std::uint64_t handed_out = 0;
        const DeviceError error = error_of([&] {
            for (;;) {
                const std::size_t got =
                    rig->camera->read(listing[0].handle, handed_out, buffer, soon());
                if (got == 0) break;
                handed_out += got;
            }
        });
        EXPECT_EQ(error.kind(), Kind::protocol);
        EXPECT_TRUE(contains(error, "more than the 262144")) << error.what();
        EXPECT_LE(handed_out, 256u * 1024);
        EXPECT_FALSE(rig->responder->cancelled().empty());
    }
}

TEST(PtpCamera, YankInTheMiddleOfAnObjectOfUnknownSizeIsGone) {
    CameraSpec spec = small_camera();
    spec.faults.yank_at_byte = 100'000;
    const auto rig = make_rig(spec, without_object_size());
    const auto listing = rig->camera->list_recordings(100, soon());
    const DeviceError error =
        error_of([&] { read_all(*rig->camera, listing[0].handle, 64 * 1024); });
    EXPECT_EQ(error.kind(), Kind::gone);
}

TEST(PtpHostileCamera, EndlessEventsDoNotStallTheListing) {
    PtpFaults faults;
    faults.endless_events = true;
    const auto rig = make_rig(small_camera(), faults);
    const auto start = SteadyClock::now();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(rig->camera->list_recordings(100, soon()).size(), 5u);
    EXPECT_LT(SteadyClock::now() - start, 2s);
}

}  // namespace
}  // namespace cradle::hw::sim
