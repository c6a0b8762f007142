// SPDX-License-Identifier: Apache-2.0
// PTP datasets, device property values and the DateTime string: round trips, truncation at
// every byte, the bounds on what a device may claim, and strict DateTime validation.
#include "hw/ptp/datasets.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace cradle::hw::ptp {
namespace {

DeviceInfo sample_device_info() {
    DeviceInfo info;
    info.standard_version = 100;
    info.vendor_extension_id = 6;
    info.vendor_extension_version = 100;
    info.vendor_extension_desc = "microsoft.com: 1.0";
    info.functional_mode = 0;
    info.operations_supported = {op::get_device_info, op::open_session, op::get_object,
                                 op::get_partial_object};
    info.events_supported = {event::object_added, event::store_full};
    info.device_properties_supported = {prop::battery_level, prop::date_time};
    info.capture_formats = {};
    info.image_formats = {format::mp4, format::jpeg};
    info.manufacturer = "Körper Kamera GmbH";
    info.model = "BK-7";
    info.device_version = "2.1.0";
    info.serial_number = "SN0000123";
    return info;
}

StorageInfo sample_storage_info() {
    StorageInfo info;
    info.storage_type = 3;
    info.filesystem_type = 2;
    info.access_capability = 0;
    info.max_capacity = 128ull << 30;
    info.free_space_bytes = 77ull << 30;
    info.free_space_images = 0xFFFFFFFF;
    info.description = "Internal storage";
    info.volume_label = "";
    return info;
}

ObjectInfo sample_object_info() {
    ObjectInfo info;
    info.storage_id = 0x00010001;
    info.object_format = format::mp4;
    info.protection_status = 0;
    info.compressed_size = 0xFFFFFFFF;
    info.thumb_format = format::jpeg;
    info.thumb_compressed_size = 1234;
    info.thumb_pix_width = 160;
    info.thumb_pix_height = 120;
    info.image_pix_width = 1920;
    info.image_pix_height = 1080;
    info.image_bit_depth = 24;
    info.parent_object = 5;
    info.association_type = 0;
    info.association_desc = 0;
    info.sequence_number = 9;
    info.filename = "VID_20260315_101500.MP4";
    info.capture_date = "20260315T101500";
    info.modification_date = "20260315T103000.0+0100";
    info.keywords = "officer 4711";
    return info;
}

void expect_equal(const DeviceInfo& a, const DeviceInfo& b) {
    EXPECT_EQ(a.standard_version, b.standard_version);
    EXPECT_EQ(a.vendor_extension_id, b.vendor_extension_id);
    EXPECT_EQ(a.vendor_extension_version, b.vendor_extension_version);
    EXPECT_EQ(a.vendor_extension_desc, b.vendor_extension_desc);
    EXPECT_EQ(a.functional_mode, b.functional_mode);
    EXPECT_EQ(a.operations_supported, b.operations_supported);
    EXPECT_EQ(a.events_supported, b.events_supported);
    EXPECT_EQ(a.device_properties_supported, b.device_properties_supported);
    EXPECT_EQ(a.capture_formats, b.capture_formats);
    EXPECT_EQ(a.image_formats, b.image_formats);
    EXPECT_EQ(a.manufacturer, b.manufacturer);
    EXPECT_EQ(a.model, b.model);
    EXPECT_EQ(a.device_version, b.device_version);
    EXPECT_EQ(a.serial_number, b.serial_number);
}

void expect_equal(const StorageInfo& a, const StorageInfo& b) {
    EXPECT_EQ(a.storage_type, b.storage_type);
    EXPECT_EQ(a.filesystem_type, b.filesystem_type);
    EXPECT_EQ(a.access_capability, b.access_capability);
    EXPECT_EQ(a.max_capacity, b.max_capacity);
    EXPECT_EQ(a.free_space_bytes, b.free_space_bytes);
    EXPECT_EQ(a.free_space_images, b.free_space_images);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.volume_label, b.volume_label);
}

void expect_equal(const ObjectInfo& a, const ObjectInfo& b) {
    EXPECT_EQ(a.storage_id, b.storage_id);
    EXPECT_EQ(a.object_format, b.object_format);
    EXPECT_EQ(a.protection_status, b.protection_status);
    EXPECT_EQ(a.compressed_size, b.compressed_size);
    EXPECT_EQ(a.thumb_format, b.thumb_format);
    EXPECT_EQ(a.thumb_compressed_size, b.thumb_compressed_size);
    EXPECT_EQ(a.thumb_pix_width, b.thumb_pix_width);
    EXPECT_EQ(a.thumb_pix_height, b.thumb_pix_height);
    EXPECT_EQ(a.image_pix_width, b.image_pix_width);
    EXPECT_EQ(a.image_pix_height, b.image_pix_height);
    EXPECT_EQ(a.image_bit_depth, b.image_bit_depth);
    EXPECT_EQ(a.parent_object, b.parent_object);
    EXPECT_EQ(a.association_type, b.association_type);
    EXPECT_EQ(a.association_desc, b.association_desc);
    EXPECT_EQ(a.sequence_number, b.sequence_number);
    EXPECT_EQ(a.filename, b.filename);
    EXPECT_EQ(a.capture_date, b.capture_date);
    EXPECT_EQ(a.modification_date, b.modification_date);
    EXPECT_EQ(a.keywords, b.keywords);
}

// Every proper prefix of a valid dataset is truncated somewhere: parsing it must throw
// PtpFormatError (and never read out of bounds: the sanitizer build checks that).
void expect_every_prefix_rejected(const std::vector<std::byte>& valid,
                                  const std::function<void(std::span<const std::byte>)>& parse) {
    for (std::size_t size = 0; size < valid.size(); ++size) {
        // A copy of exactly `size` bytes, so that reading past it is an out-of-bounds access.
        const std::vector<std::byte> prefix(valid.begin(), valid.begin() + size);
        EXPECT_THROW(parse(prefix), PtpFormatError) << "prefix of " << size << " bytes";
    }
    EXPECT_NO_THROW(parse(valid));
}

// ---- DeviceInfo ----

TEST(PtpDeviceInfo, RoundTrips) {
    const DeviceInfo info = sample_device_info();
    expect_equal(parse_device_info(encode_device_info(info)), info);
    expect_equal(parse_device_info(encode_device_info(DeviceInfo{})), DeviceInfo{});
}

TEST(PtpDeviceInfo, SupportQueries) {
    const DeviceInfo info = sample_device_info();
    EXPECT_TRUE(info.supports_operation(op::get_partial_object));
    EXPECT_FALSE(info.supports_operation(op::android_get_partial_object_64));
    EXPECT_TRUE(info.supports_property(prop::date_time));
    EXPECT_FALSE(info.supports_property(0x5003));
}

TEST(PtpDeviceInfo, TruncationAtEveryByteThrows) {
    expect_every_prefix_rejected(encode_device_info(sample_device_info()),
                                 [](auto data) { parse_device_info(data); });
}

TEST(PtpDeviceInfo, TrailingBytesIgnored) {
    auto data = encode_device_info(sample_device_info());
    data.insert(data.end(), 7, std::byte{0x5A});
    expect_equal(parse_device_info(data), sample_device_info());
}

TEST(PtpDeviceInfo, CodeListAboveLimitThrows) {
    DeviceInfo info = sample_device_info();
    info.operations_supported.assign(kMaxCodesInDeviceInfo, op::get_object);
    EXPECT_EQ(parse_device_info(encode_device_info(info)).operations_supported.size(),
              kMaxCodesInDeviceInfo);
    info.operations_supported.push_back(op::get_object);
    EXPECT_THROW(parse_device_info(encode_device_info(info)), PtpFormatError);
}

TEST(PtpDeviceInfo, HugeCountThrows) {
    DataWriter writer;
    writer.u16(100);
    writer.u32(0);
    writer.u16(0);
    writer.string("");
    writer.u16(0);
    writer.u32(0xFFFFFFFF);  // OperationsSupported count
    writer.u16(op::get_object);
    EXPECT_THROW(parse_device_info(writer.data()), PtpFormatError);
}

// ---- StorageInfo ----

TEST(PtpStorageInfo, RoundTrips) {
    const StorageInfo info = sample_storage_info();
    expect_equal(parse_storage_info(encode_storage_info(info)), info);
}

TEST(PtpStorageInfo, TruncationAtEveryByteThrows) {
    expect_every_prefix_rejected(encode_storage_info(sample_storage_info()),
                                 [](auto data) { parse_storage_info(data); });
}

TEST(PtpStorageInfo, FieldLayoutMatchesTheStandard) {
    const auto data = encode_storage_info(sample_storage_info());
    // 3 x u16, 2 x u64, u32, then the description's count at offset 26.
    ASSERT_GT(data.size(), 26u);
    EXPECT_EQ(data[26], std::byte{17});       // "Internal storage" + NUL
    EXPECT_EQ(data[6 + 4], std::byte{0x20});  // MaxCapacity = 128 GiB: byte 4 is 0x20
}

// ---- ObjectInfo ----

TEST(PtpObjectInfo, RoundTrips) {
    const ObjectInfo info = sample_object_info();
    expect_equal(parse_object_info(encode_object_info(info)), info);
}

TEST(PtpObjectInfo, TruncationAtEveryByteThrows) {
    expect_every_prefix_rejected(encode_object_info(sample_object_info()),
                                 [](auto data) { parse_object_info(data); });
}

TEST(PtpObjectInfo, HostileFilenameIsReturnedAsText) {
    // The codec does not judge names; it only decodes them. The daemon validates paths.
    ObjectInfo info = sample_object_info();
    info.filename = "../../etc/passwd";
    EXPECT_EQ(parse_object_info(encode_object_info(info)).filename, "../../etc/passwd");
}

TEST(PtpObjectInfo, FilenameCountBeyondDataThrows) {
    auto data = encode_object_info(sample_object_info());
    const std::size_t filename_offset = 52;
    ASSERT_EQ(data[filename_offset], std::byte{24});
    data[filename_offset] = std::byte{255};
    data.resize(filename_offset + 1 + 2 * 100);
    EXPECT_THROW(parse_object_info(data), PtpFormatError);
}

// ---- property values ----

TEST(PtpPropValue, IntegersRoundTrip) {
    const std::pair<std::uint16_t, std::uint64_t> cases[] = {
        {datatype::uint8, 0x7F},
        {datatype::uint16, 0xBEEF},
        {datatype::uint32, 0xDEADBEEF},
        {datatype::uint64, 0xFEEDFACECAFEBEEFull},
    };
    for (const auto& [type, value] : cases) {
        const auto data = encode_prop_value(type, PropValue{value});
        EXPECT_EQ(std::get<std::uint64_t>(parse_prop_value(type, data)), value) << type;
        expect_every_prefix_rejected(data, [type](auto d) { parse_prop_value(type, d); });
    }
}

TEST(PtpPropValue, StringRoundTrips) {
    const auto data =
        encode_prop_value(datatype::string, PropValue{std::string("20260101T000000")});
    EXPECT_EQ(std::get<std::string>(parse_prop_value(datatype::string, data)), "20260101T000000");
    expect_every_prefix_rejected(data, [](auto d) { parse_prop_value(datatype::string, d); });
}

TEST(PtpPropValue, UnreadTypesThrow) {
    const std::vector<std::byte> data(16, std::byte{1});
    for (const std::uint16_t type :
         {std::uint16_t{0x0000}, std::uint16_t{0x0001}, std::uint16_t{0x0003},
          std::uint16_t{0x000A}, std::uint16_t(datatype::array_flag | datatype::uint8)}) {
        EXPECT_THROW(parse_prop_value(type, data), PtpFormatError) << type;
    }
}

TEST(PtpPropValue, EncoderRefusesMismatchAndOverflow) {
    EXPECT_THROW(encode_prop_value(datatype::uint8, PropValue{std::uint64_t{256}}),
                 std::invalid_argument);
    EXPECT_THROW(encode_prop_value(datatype::uint16, PropValue{std::uint64_t{0x10000}}),
                 std::invalid_argument);
    EXPECT_THROW(encode_prop_value(datatype::string, PropValue{std::uint64_t{1}}),
                 std::invalid_argument);
    EXPECT_THROW(encode_prop_value(datatype::uint32, PropValue{std::string("x")}),
                 std::invalid_argument);
    EXPECT_THROW(encode_prop_value(0x000A, PropValue{std::uint64_t{1}}), std::invalid_argument);
}

// ---- DateTime ----

constexpr std::int64_t kHour = 3600;
// 2026-03-15 10:15:00 UTC.
constexpr std::int64_t kSample = 1773569700;

TEST(PtpDateTime, WithoutZoneIsCameraLocalTime) {
    EXPECT_EQ(parse_ptp_datetime("20260315T101500", 0), kSample);
    EXPECT_EQ(parse_ptp_datetime("20260315T111500", 1 * kHour), kSample);
    EXPECT_EQ(parse_ptp_datetime("20260315T051500", -5 * kHour), kSample);
}

TEST(PtpDateTime, ZoneSuffixOverridesLocalOffset) {
    EXPECT_EQ(parse_ptp_datetime("20260315T101500Z", 3 * kHour), kSample);
    EXPECT_EQ(parse_ptp_datetime("20260315T121500+0200", 0), kSample);
    EXPECT_EQ(parse_ptp_datetime("20260315T043000-0545", 7 * kHour), kSample);
    EXPECT_EQ(parse_ptp_datetime("20260316T001500+1400", 0), kSample);
    EXPECT_EQ(parse_ptp_datetime("20260314T201500-1400", 0), kSample);
}

TEST(PtpDateTime, TenthsAreAcceptedAndDropped) {
    EXPECT_EQ(parse_ptp_datetime("20260315T101500.9", 0), kSample);
    EXPECT_EQ(parse_ptp_datetime("20260315T101500.0Z", 0), kSample);
    EXPECT_EQ(parse_ptp_datetime("20260315T111500.5+0100", 0), kSample);
}

TEST(PtpDateTime, CalendarEdges) {
    EXPECT_EQ(parse_ptp_datetime("19700101T000000", 0), 0);
    EXPECT_EQ(parse_ptp_datetime("20000229T000000", 0), 951782400);  // leap: divisible by 400
    EXPECT_EQ(parse_ptp_datetime("20240229T120000Z", 0), 1709208000);
    EXPECT_EQ(parse_ptp_datetime("20381231T235959", 0), 2177452799);
    EXPECT_EQ(parse_ptp_datetime("21991231T235959", 0), 7258118399);
    EXPECT_EQ(parse_ptp_datetime("19700101T000000+0100", 0), -kHour);
}

TEST(PtpDateTime, InvalidTextThrows) {
    const char* invalid[] = {
        "",
        "2026",
        "20261301T000000",        // month 13
        "20260001T000000",        // month 0
        "20260230T120000",        // 30 February
        "21000229T000000",        // 2100 is not a leap year
        "20250229T000000",        // nor is 2025
        "20260431T000000",        // 31 April
        "20260100T000000",        // day 0
        "20260315T241500",        // hour 24
        "20260315T106000",        // minute 60
        "20260315T101560",        // second 60
        "2026031XT101500",        // letters
        "20260315 101500",        // no T
        "20260315t101500",        // lower-case t
        "20260315T10150",         // too short
        "20260315T1015000",       // too long
        "20260315T101500.",       // dot without tenths
        "20260315T101500.12",     // hundredths
        "20260315T101500+1500",   // offset beyond 14 h
        "20260315T101500+1401",   // ditto
        "20260315T101500-1500",   // ditto, west
        "20260315T101500-0060",   // minute 60 in the offset
        "20260315T101500+01",     // short offset
        "20260315T101500+01000",  // long offset
        "20260315T101500ZZ",      // two zones
        "20260315T101500z",       // lower-case z
        "20260315T101500 ",       // trailing space
        "+0260315T101500",        // sign in the year
        "19691231T235959",        // before 1970
        "22000101T000000",        // after 2199
        "-1700101T000000",
    };
    for (const char* text : invalid) {
        EXPECT_THROW(parse_ptp_datetime(text, 0), PtpFormatError) << '"' << text << '"';
    }
    using namespace std::string_literals;
    EXPECT_THROW(parse_ptp_datetime("20260315T101500\0"s, 0), PtpFormatError);
}

TEST(PtpDateTime, CameraZoneBeyond14HoursIsAConfigurationError) {
    EXPECT_NO_THROW(parse_ptp_datetime("20260315T101500", 14 * kHour));
    EXPECT_THROW(parse_ptp_datetime("20260315T101500", 14 * kHour + 1), std::invalid_argument);
    EXPECT_THROW(parse_ptp_datetime("20260315T101500Z", -15 * kHour), std::invalid_argument);
}

TEST(PtpDateTime, FormatsLocalTime) {
    EXPECT_EQ(format_ptp_datetime(kSample, 0), "20260315T101500");
    EXPECT_EQ(format_ptp_datetime(kSample, 2 * kHour), "20260315T121500");
    EXPECT_EQ(format_ptp_datetime(kSample, -11 * kHour), "20260314T231500");
    EXPECT_EQ(format_ptp_datetime(0, 0), "19700101T000000");
    EXPECT_EQ(format_ptp_datetime(-1, 0), "19691231T235959");
    EXPECT_EQ(format_ptp_datetime(951782400, 0), "20000229T000000");
}

TEST(PtpDateTime, FormatAndParseAgreeOverTheWholeRange) {
    // Every ~13 days from 1970 to 2199, at a varying time of day, in three zones.
    for (std::int64_t t = 0; t < 7258118399; t += 1'123'457) {
        for (const std::int64_t zone : {std::int64_t{0}, 9 * kHour + 1800, -8 * kHour}) {
            const std::string text = format_ptp_datetime(t + 14 * kHour, zone);
            ASSERT_EQ(parse_ptp_datetime(text, zone), t + 14 * kHour) << text;
        }
    }
}

}  // namespace
}  // namespace cradle::hw::ptp
