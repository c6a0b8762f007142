// SPDX-License-Identifier: Apache-2.0
// A recording of 4 GiB and more from a PTP camera that cannot tell its size (ObjectInfo says
// 0xFFFFFFFF, no MTP ObjectSize, the data container's length is 0xFFFFFFFF), as long
// recordings on exFAT cameras are: the driver lists it with an unknown size bounded by its
// storage, reads it with one GetObject to the end of the data phase, and the archive keeps what
// arrived, verified. The camera generates the bytes on every read, so nothing of 4 GiB is
// stored on its side; the archive writes the whole copy to disk and reads it back.
#include "common/fs.hpp"
#include "common/sha256.hpp"
#include "core/archive/archive_store.hpp"
#include "hw/ptp/ptp_camera.hpp"
#include "sim/footage.hpp"
#include "sim/ptp_responder.hpp"
#include "sim/sim_camera.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <vector>

namespace cradle::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kRecordingBytes = (4ull << 30) + (1ull << 20);

std::string sha256_of_generated(const hw::sim::PlannedRecording& recording) {
    Sha256 hash;
    std::vector<std::byte> buffer(4u << 20);
    for (std::uint64_t offset = 0; offset < recording.size;) {
        const auto count = static_cast<std::size_t>(
            std::min<std::uint64_t>(buffer.size(), recording.size - offset));
        hw::sim::footage_bytes(recording, offset, std::span(buffer).first(count));
        hash.update(std::span<const std::byte>(buffer).first(count));
        offset += count;
    }
    return hash.hex_digest();
}

TEST(LargeRecordingOverPtp, FourGiBAndOneMiBWithoutObjectSizeIsArchivedWholeAndVerified) {
    TempDir temp;
    hw::sim::CameraSpec spec;
    spec.serial = "LC-4096";
    spec.recordings = 1;
    spec.total_bytes = kRecordingBytes;
    spec.storage_total_bytes = 6ull << 30;
    spec.generated_footage = true;
    spec.seed = 4096;
    hw::sim::provision_camera(spec, temp.path() / "cameras");
    auto sim = std::make_shared<hw::sim::SimCamera>(
        spec, hw::sim::camera_dir(temp.path() / "cameras", spec.serial));
    hw::sim::PtpFaults faults;
    faults.no_object_size = true;
    auto responder = std::make_shared<hw::sim::PtpResponder>(sim, faults);
    hw::ptp::PtpCamera camera(std::make_unique<hw::sim::SimPtpTransport>(responder));

    const auto listing = camera.list_recordings(10, hw::SteadyClock::now() + 10s);
    ASSERT_EQ(listing.size(), 1u);
    EXPECT_FALSE(listing[0].size_known);
    EXPECT_EQ(listing[0].size, spec.storage_total_bytes);
    EXPECT_EQ(listing[0].size_at_least, 0xFFFFFFFFu) << "PTP's 0xFFFFFFFF: 4 GiB or more";

    const auto start = std::chrono::steady_clock::now();
    PosixFileSystem fs;
    ArchiveStore store(fs, temp.path() / "state");
    CopyOptions options;
    options.reserve_bytes = 0;
    options.device_timeout = 60s;
    const ArchivedCopy copy = store.store(camera, listing[0], 1, 1, 1'764'000'000, options);
    const auto copied = std::chrono::steady_clock::now();

    EXPECT_EQ(copy.size, kRecordingBytes);
    EXPECT_EQ(std::filesystem::file_size(store.archive_root() / copy.relative_path),
              kRecordingBytes);
    EXPECT_EQ(copy.sha256_hex, sha256_of_generated(hw::sim::plan_footage(spec)[0]));
    std::cout << "copy and verify of " << kRecordingBytes
              << " bytes over PTP: " << std::chrono::duration<double>(copied - start).count()
              << " s\n";
}

}  // namespace
}  // namespace cradle::test
