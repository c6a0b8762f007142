// SPDX-License-Identifier: Apache-2.0
// The PTP container codec and the little-endian data encoding: round trips, every bound on
// what a device sends, and the UCS-2 string conversion both ways.
#include "hw/ptp/container.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace cradle::hw::ptp {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (const int value : values) out.push_back(static_cast<std::byte>(value));
    return out;
}

// ---- names ----

TEST(PtpCodes, NamesKnownAndUnknownCodes) {
    EXPECT_STREQ(response_name(rc::device_busy), "DeviceBusy");
    EXPECT_STREQ(response_name(rc::ok), "OK");
    EXPECT_STREQ(response_name(0x2FFF), "unknown response");
    EXPECT_STREQ(operation_name(op::get_partial_object), "GetPartialObject");
    EXPECT_STREQ(operation_name(op::get_device_info), "GetDeviceInfo");
    EXPECT_STREQ(operation_name(0x1FFF), "unknown operation");
}

// ---- header ----

TEST(PtpHeader, ParsesLittleEndianFields) {
    const auto bytes = bytes_of({0x10, 0, 0, 0, 0x03, 0, 0x01, 0x20, 0x78, 0x56, 0x34, 0x12});
    const ContainerHeader header = parse_header(bytes);
    EXPECT_EQ(header.length, 16u);
    EXPECT_EQ(header.type, ContainerType::response);
    EXPECT_EQ(header.code, rc::ok);
    EXPECT_EQ(header.transaction_id, 0x12345678u);
}

TEST(PtpHeader, RejectsFewerThanTwelveBytes) {
    const auto full = encode_params_container(ContainerType::command, op::open_session, 0, {});
    for (std::size_t size = 0; size < kHeaderSize; ++size) {
        EXPECT_THROW(parse_header(std::span(full).first(size)), PtpFormatError) << size;
    }
}

TEST(PtpHeader, RejectsUnknownContainerTypes) {
    for (const int type : {0, 5, 0xFFFF}) {
        auto bytes = bytes_of({12, 0, 0, 0, type & 0xFF, type >> 8, 0x01, 0x10, 0, 0, 0, 0});
        EXPECT_THROW(parse_header(bytes), PtpFormatError) << type;
    }
}

TEST(PtpHeader, RejectsLengthShorterThanHeader) {
    const auto bytes = bytes_of({11, 0, 0, 0, 3, 0, 0x01, 0x20, 1, 0, 0, 0});
    EXPECT_THROW(parse_header(bytes), PtpFormatError);
}

TEST(PtpHeader, UnknownLengthOnlyForDataPhase) {
    const auto data = bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0x09, 0x10, 7, 0, 0, 0});
    EXPECT_EQ(parse_header(data).length, kUnknownLength);
    // For other containers 0xFFFFFFFF is a plain (absurd) length; the whole-container parser
    // refuses it because it never matches what arrived.
    const auto response = bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 3, 0, 0x01, 0x20, 7, 0, 0, 0});
    EXPECT_THROW(parse_params_container(response), PtpFormatError);
}

// ---- params containers ----

TEST(PtpParamsContainer, RoundTripsZeroToFiveParameters) {
    for (std::size_t count = 0; count <= kMaxParams; ++count) {
        std::vector<std::uint32_t> params;
        for (std::size_t i = 0; i < count; ++i) params.push_back(0xA0000000u + i);
        const auto bytes = encode_params_container(ContainerType::response, rc::ok, 42, params);
        EXPECT_EQ(bytes.size(), kHeaderSize + 4 * count);
        const ParamsContainer parsed = parse_params_container(bytes);
        EXPECT_EQ(parsed.header.length, bytes.size());
        EXPECT_EQ(parsed.header.type, ContainerType::response);
        EXPECT_EQ(parsed.header.code, rc::ok);
        EXPECT_EQ(parsed.header.transaction_id, 42u);
        EXPECT_EQ(parsed.params, params);
    }
}

TEST(PtpParamsContainer, EncodesEventsAndCommands) {
    const std::vector<std::uint32_t> handle{7};
    const auto event = parse_params_container(
        encode_params_container(ContainerType::event, event::object_added, kNoTransaction, handle));
    EXPECT_EQ(event.header.type, ContainerType::event);
    EXPECT_EQ(event.header.transaction_id, kNoTransaction);
    EXPECT_EQ(event.params, handle);
}

TEST(PtpParamsContainer, EncoderRefusesSixParametersAndDataType) {
    const std::vector<std::uint32_t> six(6, 1);
    EXPECT_THROW(encode_params_container(ContainerType::command, op::get_object, 1, six),
                 std::invalid_argument);
    EXPECT_THROW(encode_params_container(ContainerType::data, op::get_object, 1, {}),
                 std::invalid_argument);
}

TEST(PtpParamsContainer, RejectsLengthMismatch) {
    auto bytes = encode_params_container(ContainerType::response, rc::ok, 1,
                                         std::vector<std::uint32_t>{1, 2});
    bytes.push_back(std::byte{0});  // one byte more than the length field says
    EXPECT_THROW(parse_params_container(bytes), PtpFormatError);
    bytes.pop_back();
    bytes.pop_back();  // one byte less
    EXPECT_THROW(parse_params_container(bytes), PtpFormatError);
}

TEST(PtpParamsContainer, RejectsPartialParameterAndSixParameters) {
    auto partial = bytes_of({14, 0, 0, 0, 3, 0, 0x01, 0x20, 1, 0, 0, 0, 0xAA, 0xBB});
    EXPECT_THROW(parse_params_container(partial), PtpFormatError);
    std::vector<std::byte> six = bytes_of({36, 0, 0, 0, 3, 0, 0x01, 0x20, 1, 0, 0, 0});
    six.resize(36);
    EXPECT_THROW(parse_params_container(six), PtpFormatError);
}

TEST(PtpParamsContainer, RejectsDataContainer) {
    const auto bytes = bytes_of({12, 0, 0, 0, 2, 0, 0x09, 0x10, 1, 0, 0, 0});
    EXPECT_THROW(parse_params_container(bytes), PtpFormatError);
}

TEST(PtpParamsContainer, TruncationAtEveryOffsetThrows) {
    const auto bytes = encode_params_container(ContainerType::response, rc::ok, 3,
                                               std::vector<std::uint32_t>{1, 2, 3, 4, 5});
    for (std::size_t size = 0; size < bytes.size(); ++size) {
        EXPECT_THROW(parse_params_container(std::span(bytes).first(size)), PtpFormatError) << size;
    }
}

// ---- data header ----

TEST(PtpDataHeader, CarriesHeaderPlusPayloadLength) {
    const auto header = parse_header(encode_data_header(op::get_object, 9, 1000));
    EXPECT_EQ(header.type, ContainerType::data);
    EXPECT_EQ(header.length, 1012u);
    EXPECT_EQ(header.code, op::get_object);
    EXPECT_EQ(header.transaction_id, 9u);
}

TEST(PtpDataHeader, UnknownLengthWhenPayloadDoesNotFit) {
    const std::uint64_t largest_fitting = 0xFFFFFFFFull - kHeaderSize - 1;
    EXPECT_EQ(parse_header(encode_data_header(1, 1, largest_fitting)).length, 0xFFFFFFFEu);
    EXPECT_EQ(parse_header(encode_data_header(1, 1, largest_fitting + 2)).length, kUnknownLength);
    EXPECT_EQ(parse_header(encode_data_header(1, 1, 5ull << 32)).length, kUnknownLength);
}

// ---- DataReader / DataWriter ----

TEST(PtpData, IntegersRoundTripLittleEndian) {
    DataWriter writer;
    writer.u8(0xAB);
    writer.u16(0x1234);
    writer.u32(0xDEADBEEF);
    writer.u64(0x0102030405060708ull);
    const auto data = writer.take();
    ASSERT_EQ(data.size(), 15u);
    EXPECT_EQ(data[1], std::byte{0x34});
    EXPECT_EQ(data[3], std::byte{0xEF});
    EXPECT_EQ(data[7], std::byte{0x08});
    DataReader reader(data);
    EXPECT_EQ(reader.u8("a"), 0xAB);
    EXPECT_EQ(reader.u16("b"), 0x1234);
    EXPECT_EQ(reader.u32("c"), 0xDEADBEEFu);
    EXPECT_EQ(reader.u64("d"), 0x0102030405060708ull);
    EXPECT_EQ(reader.remaining(), 0u);
    EXPECT_EQ(reader.offset(), 15u);
}

TEST(PtpData, ReadPastEndNamesWhatWasRead) {
    const auto data = bytes_of({1, 2, 3});
    DataReader reader(data);
    try {
        reader.u32("StorageType");
        FAIL() << "no PtpFormatError";
    } catch (const PtpFormatError& error) {
        EXPECT_NE(std::string(error.what()).find("StorageType"), std::string::npos) << error.what();
    }
    // A failed read consumes nothing.
    EXPECT_EQ(reader.remaining(), 3u);
    EXPECT_THROW(reader.skip(4, "padding"), PtpFormatError);
    reader.skip(3, "padding");
    EXPECT_EQ(reader.remaining(), 0u);
}

TEST(PtpData, ArraysRoundTrip) {
    const std::vector<std::uint16_t> codes{0x1001, 0x1002, 0xFFFF};
    const std::vector<std::uint32_t> handles{1, 0xFFFFFFFF, 77};
    DataWriter writer;
    writer.u16_array(codes);
    writer.u32_array(handles);
    writer.u32_array({});
    const auto data = writer.take();
    DataReader reader(data);
    EXPECT_EQ(reader.u16_array(3, "codes"), codes);
    EXPECT_EQ(reader.u32_array(3, "handles"), handles);
    EXPECT_TRUE(reader.u32_array(0, "empty").empty());
    EXPECT_EQ(reader.remaining(), 0u);
}

TEST(PtpData, ArrayCountAboveLimitThrows) {
    DataWriter writer;
    writer.u32_array(std::vector<std::uint32_t>(10, 1));
    const auto data = writer.take();
    DataReader reader(data);
    EXPECT_THROW(reader.u32_array(9, "handles"), PtpFormatError);
}

TEST(PtpData, HugeArrayCountThrowsBeforeAllocating) {
    // 0xFFFFFFFF elements claimed, a few bytes sent: the limit allows it, the data does not.
    for (const std::uint32_t count : {0xFFFFFFFFu, 0x40000000u, 3u}) {
        DataWriter writer;
        writer.u32(count);
        writer.u32(1);
        const auto data = writer.take();
        DataReader reader(data);
        EXPECT_THROW(reader.u32_array(std::numeric_limits<std::size_t>::max(), "handles"),
                     PtpFormatError)
            << count;
        DataReader reader16(data);
        EXPECT_THROW(reader16.u16_array(std::numeric_limits<std::size_t>::max(), "codes"),
                     PtpFormatError)
            << count;
    }
}

// ---- strings ----

std::string round_trip(std::string_view utf8) {
    DataWriter writer;
    writer.string(utf8);
    const auto data = writer.take();
    DataReader reader(data);
    std::string text = reader.string("text");
    EXPECT_EQ(reader.remaining(), 0u);
    return text;
}

std::string read_units(std::span<const std::uint16_t> units, std::uint8_t declared) {
    DataWriter writer;
    writer.raw_string_units(units, declared);
    const auto data = writer.take();
    DataReader reader(data);
    return reader.string("text");
}

TEST(PtpString, EmptyIsOneZeroByte) {
    DataWriter writer;
    writer.string("");
    EXPECT_EQ(writer.data(), bytes_of({0}));
    EXPECT_EQ(round_trip(""), "");
}

TEST(PtpString, EncodesUnitsAndTerminatingNul) {
    DataWriter writer;
    writer.string("Ab");
    EXPECT_EQ(writer.data(), bytes_of({3, 'A', 0, 'b', 0, 0, 0}));
}

TEST(PtpString, RoundTripsAsciiAndBmpAndBeyond) {
    EXPECT_EQ(round_trip("CAM-0042"), "CAM-0042");
    EXPECT_EQ(round_trip("Übung 東京"), "Übung 東京");
    EXPECT_EQ(round_trip("clip 🎥 \U0010FFFF"), "clip 🎥 \U0010FFFF");
}

TEST(PtpString, BeyondBmpIsWrittenAsSurrogatePair) {
    DataWriter writer;
    writer.string("\U0001F3A5");
    EXPECT_EQ(writer.data(), bytes_of({3, 0x3C, 0xD8, 0xA5, 0xDF, 0, 0}));
}

TEST(PtpString, UnpairedSurrogatesReadAsReplacement) {
    const std::uint16_t lone_high[] = {'a', 0xD83C, 'b', 0};
    EXPECT_EQ(read_units(lone_high, 4), "a\uFFFDb");
    const std::uint16_t lone_low[] = {0xDFA5, 'x', 0};
    EXPECT_EQ(read_units(lone_low, 3), "\uFFFDx");
    const std::uint16_t high_at_end[] = {'z', 0xD83C};
    EXPECT_EQ(read_units(high_at_end, 2), "z\uFFFD");
    const std::uint16_t swapped[] = {0xDFA5, 0xD83C, 0};
    EXPECT_EQ(read_units(swapped, 3), "\uFFFD\uFFFD");
}

TEST(PtpString, MissingNulToleratedAndEmbeddedNulEndsText) {
    const std::uint16_t no_nul[] = {'a', 'b'};
    EXPECT_EQ(read_units(no_nul, 2), "ab");
    const std::uint16_t embedded[] = {'a', 0, 'b', 0};
    EXPECT_EQ(read_units(embedded, 4), "a");
    // The units after an embedded NUL are still consumed: the next field starts after them.
    DataWriter writer;
    writer.raw_string_units(embedded, 4);
    writer.u16(0xBEEF);
    const auto data = writer.take();
    DataReader reader(data);
    EXPECT_EQ(reader.string("text"), "a");
    EXPECT_EQ(reader.u16("next"), 0xBEEF);
}

TEST(PtpString, NulInUtf8InputEndsTheString) {
    using namespace std::string_literals;
    EXPECT_EQ(round_trip("ab\0cd"s), "ab");
}

TEST(PtpString, DeclaredCountBeyondDataThrows) {
    const std::uint16_t two[] = {'a', 0};
    DataWriter writer;
    writer.raw_string_units(two, 200);
    const auto data = writer.take();
    DataReader reader(data);
    EXPECT_THROW(reader.string("Filename"), PtpFormatError);
    EXPECT_THROW(DataReader(std::span<const std::byte>{}).string("Filename"), PtpFormatError);
}

TEST(PtpString, FullLengthOf255UnitsReads) {
    std::vector<std::uint16_t> units(255, 'x');
    EXPECT_EQ(read_units(units, 255), std::string(255, 'x'));
    units.back() = 0;
    EXPECT_EQ(read_units(units, 255), std::string(254, 'x'));
}

TEST(PtpString, LongTextTruncatedTo254Units) {
    const std::string long_text(400, 'y');
    DataWriter writer;
    writer.string(long_text);
    EXPECT_EQ(writer.data().size(), 1u + 2 * 255);
    EXPECT_EQ(writer.data()[0], std::byte{255});
    EXPECT_EQ(round_trip(long_text), std::string(254, 'y'));
}

TEST(PtpString, TruncationNeverSplitsASurrogatePair) {
    // 253 units, then a pair that would need units 254 and 255: it is left out whole.
    const std::string text = std::string(253, 'q') + "\U0001F3A5";
    EXPECT_EQ(round_trip(text), std::string(253, 'q'));
    const std::string fits = std::string(252, 'q') + "\U0001F3A5";
    EXPECT_EQ(round_trip(fits), fits);
}

TEST(PtpString, InvalidUtf8WrittenAsReplacement) {
    EXPECT_EQ(round_trip("a\xFF"
                         "b"),
              "a\uFFFDb");
    EXPECT_EQ(round_trip("\xC3"), "\uFFFD");                      // truncated two-byte sequence
    EXPECT_EQ(round_trip("\xC0\xAF"), "\uFFFD\uFFFD");            // overlong '/'
    EXPECT_EQ(round_trip("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");  // UTF-8 encoded surrogate
    EXPECT_EQ(round_trip("\xF4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // above U+10FFFF
    EXPECT_EQ(round_trip("\xE6\x9D"
                         "x"),
              "\uFFFDx");  // a truncated sequence does not swallow the next character
}

}  // namespace
}  // namespace cradle::hw::ptp
