// SPDX-License-Identifier: Apache-2.0
#include "hw/ptp/datasets.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace cradle::hw::ptp {

namespace {

// Bounds on the u16 arrays of DeviceInfo; StorageInfo and ObjectInfo have none.
std::vector<std::uint16_t> read_codes(DataReader& reader, std::string_view what) {
    return reader.u16_array(kMaxCodesInDeviceInfo, what);
}

bool contains(const std::vector<std::uint16_t>& codes, std::uint16_t code) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// ---- calendar arithmetic (proleptic Gregorian, years >= 1) ----

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr int kFirstYear = 1970;
constexpr int kLastYear = 2199;
constexpr std::int64_t kMaxZoneOffsetS = 14 * 3600;

bool is_leap_year(std::int64_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(std::int64_t year, int month) {
    static constexpr std::array<int, 12> lengths{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : lengths[month - 1];
}

// Leap days in the years 1 .. year-1.
std::int64_t leap_days_before(std::int64_t year) {
    const std::int64_t y = year - 1;
    return y / 4 - y / 100 + y / 400;
}

std::int64_t days_before_year(std::int64_t year) {
    return 365 * (year - kFirstYear) + leap_days_before(year) - leap_days_before(kFirstYear);
}

// Days since 1970-01-01 of a valid date.
std::int64_t days_from_civil(std::int64_t year, int month, int day) {
    std::int64_t days = days_before_year(year);
    for (int m = 1; m < month; ++m) days += days_in_month(year, m);
    return days + day - 1;
}

struct CivilDate {
    std::int64_t year;
    int month;
    int day;
};

CivilDate civil_from_days(std::int64_t days) {
    // An estimate from the mean year length, corrected by at most a step either way.
    std::int64_t year = kFirstYear + (days * 400) / (365 * 400 + 97);
    while (days_before_year(year) > days) --year;
    while (days_before_year(year + 1) <= days) ++year;
    std::int64_t day_of_year = days - days_before_year(year);
    int month = 1;
    while (day_of_year >= days_in_month(year, month)) {
        day_of_year -= days_in_month(year, month);
        ++month;
    }
    return {year, month, static_cast<int>(day_of_year) + 1};
}

[[noreturn]] void datetime_error(std::string_view text, std::string_view problem) {
    std::string shown;
    // The text came from a device: show it bounded and printable.
    for (const char c : text.substr(0, 40)) {
        const auto byte = static_cast<unsigned char>(c);
        shown.push_back(byte >= 0x20 && byte < 0x7F ? c : '?');
    }
    throw PtpFormatError("DateTime \"" + shown + "\": " + std::string(problem));
}

// The decimal number in text[pos, pos + digits), or -1 if any of them is not a digit.
int read_digits(std::string_view text, std::size_t pos, std::size_t digits) {
    int value = 0;
    for (std::size_t i = pos; i < pos + digits; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

}  // namespace

bool DeviceInfo::supports_operation(std::uint16_t code) const {
    return contains(operations_supported, code);
}

bool DeviceInfo::supports_property(std::uint16_t code) const {
    return contains(device_properties_supported, code);
}

DeviceInfo parse_device_info(std::span<const std::byte> data) {
    DataReader reader(data);
    DeviceInfo info;
    info.standard_version = reader.u16("DeviceInfo.StandardVersion");
    info.vendor_extension_id = reader.u32("DeviceInfo.VendorExtensionID");
    info.vendor_extension_version = reader.u16("DeviceInfo.VendorExtensionVersion");
    info.vendor_extension_desc = reader.string("DeviceInfo.VendorExtensionDesc");
    info.functional_mode = reader.u16("DeviceInfo.FunctionalMode");
    info.operations_supported = read_codes(reader, "DeviceInfo.OperationsSupported");
    info.events_supported = read_codes(reader, "DeviceInfo.EventsSupported");
    info.device_properties_supported = read_codes(reader, "DeviceInfo.DevicePropertiesSupported");
    info.capture_formats = read_codes(reader, "DeviceInfo.CaptureFormats");
    info.image_formats = read_codes(reader, "DeviceInfo.ImageFormats");
    info.manufacturer = reader.string("DeviceInfo.Manufacturer");
    info.model = reader.string("DeviceInfo.Model");
    info.device_version = reader.string("DeviceInfo.DeviceVersion");
    info.serial_number = reader.string("DeviceInfo.SerialNumber");
    return info;
}

StorageInfo parse_storage_info(std::span<const std::byte> data) {
    DataReader reader(data);
    StorageInfo info;
    info.storage_type = reader.u16("StorageInfo.StorageType");
    info.filesystem_type = reader.u16("StorageInfo.FilesystemType");
    info.access_capability = reader.u16("StorageInfo.AccessCapability");
    info.max_capacity = reader.u64("StorageInfo.MaxCapacity");
    info.free_space_bytes = reader.u64("StorageInfo.FreeSpaceInBytes");
    info.free_space_images = reader.u32("StorageInfo.FreeSpaceInImages");
    info.description = reader.string("StorageInfo.StorageDescription");
    info.volume_label = reader.string("StorageInfo.VolumeLabel");
    return info;
}

ObjectInfo parse_object_info(std::span<const std::byte> data) {
    DataReader reader(data);
    ObjectInfo info;
    info.storage_id = reader.u32("ObjectInfo.StorageID");
    info.object_format = reader.u16("ObjectInfo.ObjectFormat");
    info.protection_status = reader.u16("ObjectInfo.ProtectionStatus");
    info.compressed_size = reader.u32("ObjectInfo.ObjectCompressedSize");
    info.thumb_format = reader.u16("ObjectInfo.ThumbFormat");
    info.thumb_compressed_size = reader.u32("ObjectInfo.ThumbCompressedSize");
    info.thumb_pix_width = reader.u32("ObjectInfo.ThumbPixWidth");
    info.thumb_pix_height = reader.u32("ObjectInfo.ThumbPixHeight");
    info.image_pix_width = reader.u32("ObjectInfo.ImagePixWidth");
    info.image_pix_height = reader.u32("ObjectInfo.ImagePixHeight");
    info.image_bit_depth = reader.u32("ObjectInfo.ImageBitDepth");
    info.parent_object = reader.u32("ObjectInfo.ParentObject");
    info.association_type = reader.u16("ObjectInfo.AssociationType");
    info.association_desc = reader.u32("ObjectInfo.AssociationDesc");
    info.sequence_number = reader.u32("ObjectInfo.SequenceNumber");
    info.filename = reader.string("ObjectInfo.Filename");
    info.capture_date = reader.string("ObjectInfo.CaptureDate");
    info.modification_date = reader.string("ObjectInfo.ModificationDate");
    info.keywords = reader.string("ObjectInfo.Keywords");
    return info;
}

std::vector<std::byte> encode_device_info(const DeviceInfo& info) {
    DataWriter writer;
    writer.u16(info.standard_version);
    writer.u32(info.vendor_extension_id);
    writer.u16(info.vendor_extension_version);
    writer.string(info.vendor_extension_desc);
    writer.u16(info.functional_mode);
    writer.u16_array(info.operations_supported);
    writer.u16_array(info.events_supported);
    writer.u16_array(info.device_properties_supported);
    writer.u16_array(info.capture_formats);
    writer.u16_array(info.image_formats);
    writer.string(info.manufacturer);
    writer.string(info.model);
    writer.string(info.device_version);
    writer.string(info.serial_number);
    return writer.take();
}

std::vector<std::byte> encode_storage_info(const StorageInfo& info) {
    DataWriter writer;
    writer.u16(info.storage_type);
    writer.u16(info.filesystem_type);
    writer.u16(info.access_capability);
    writer.u64(info.max_capacity);
    writer.u64(info.free_space_bytes);
    writer.u32(info.free_space_images);
    writer.string(info.description);
    writer.string(info.volume_label);
    return writer.take();
}

std::vector<std::byte> encode_object_info(const ObjectInfo& info) {
    DataWriter writer;
    writer.u32(info.storage_id);
    writer.u16(info.object_format);
    writer.u16(info.protection_status);
    writer.u32(info.compressed_size);
    writer.u16(info.thumb_format);
    writer.u32(info.thumb_compressed_size);
    writer.u32(info.thumb_pix_width);
    writer.u32(info.thumb_pix_height);
    writer.u32(info.image_pix_width);
    writer.u32(info.image_pix_height);
    writer.u32(info.image_bit_depth);
    writer.u32(info.parent_object);
    writer.u16(info.association_type);
    writer.u32(info.association_desc);
    writer.u32(info.sequence_number);
    writer.string(info.filename);
    writer.string(info.capture_date);
    writer.string(info.modification_date);
    writer.string(info.keywords);
    return writer.take();
}

PropValue parse_prop_value(std::uint16_t data_type, std::span<const std::byte> data) {
    DataReader reader(data);
    switch (data_type) {
        case datatype::uint8:
            return PropValue{std::uint64_t{reader.u8("property value (UINT8)")}};
        case datatype::uint16:
            return PropValue{std::uint64_t{reader.u16("property value (UINT16)")}};
        case datatype::uint32:
            return PropValue{std::uint64_t{reader.u32("property value (UINT32)")}};
        case datatype::uint64:
            return PropValue{reader.u64("property value (UINT64)")};
        case datatype::string:
            return PropValue{reader.string("property value (string)")};
    }
    char code[8];
    std::snprintf(code, sizeof code, "0x%04X", static_cast<unsigned>(data_type));
    throw PtpFormatError(std::string("property value: data type ") + code + " is not read");
}

std::vector<std::byte> encode_prop_value(std::uint16_t data_type, const PropValue& value) {
    DataWriter writer;
    if (data_type == datatype::string) {
        const auto* text = std::get_if<std::string>(&value);
        if (text == nullptr) throw std::invalid_argument("string property given an integer");
        writer.string(*text);
        return writer.take();
    }
    const auto* number = std::get_if<std::uint64_t>(&value);
    if (number == nullptr) throw std::invalid_argument("integer property given a string");
    const auto fits = [&](std::uint64_t max) {
        if (*number > max) throw std::invalid_argument("property value out of its type's range");
    };
    switch (data_type) {
        case datatype::uint8:
            fits(std::numeric_limits<std::uint8_t>::max());
            writer.u8(static_cast<std::uint8_t>(*number));
            break;
        case datatype::uint16:
            fits(std::numeric_limits<std::uint16_t>::max());
            writer.u16(static_cast<std::uint16_t>(*number));
            break;
        case datatype::uint32:
            fits(std::numeric_limits<std::uint32_t>::max());
            writer.u32(static_cast<std::uint32_t>(*number));
            break;
        case datatype::uint64:
            writer.u64(*number);
            break;
        default:
            throw std::invalid_argument("property data type not written by the cradle");
    }
    return writer.take();
}

std::int64_t parse_ptp_datetime(std::string_view text, std::int64_t local_offset_s) {
    // The camera's zone comes from the device table, not from the device.
    if (local_offset_s < -kMaxZoneOffsetS || local_offset_s > kMaxZoneOffsetS) {
        throw std::invalid_argument("a camera's zone offset lies within 14 hours of UTC");
    }
    constexpr std::size_t base_length = 15;  // YYYYMMDDThhmmss
    if (text.size() < base_length) datetime_error(text, "too short");
    const int year = read_digits(text, 0, 4);
    const int month = read_digits(text, 4, 2);
    const int day = read_digits(text, 6, 2);
    const int hour = read_digits(text, 9, 2);
    const int minute = read_digits(text, 11, 2);
    const int second = read_digits(text, 13, 2);
    if (year < 0 || month < 0 || day < 0 || text[8] != 'T' || hour < 0 || minute < 0 ||
        second < 0) {
        datetime_error(text, "not of the form YYYYMMDDThhmmss");
    }
    if (year < kFirstYear || year > kLastYear) datetime_error(text, "year out of 1970..2199");
    if (month < 1 || month > 12) datetime_error(text, "no such month");
    if (day < 1 || day > days_in_month(year, month)) datetime_error(text, "no such day");
    if (hour > 23 || minute > 59 || second > 59) datetime_error(text, "no such time of day");

    std::size_t pos = base_length;
    // Tenths of a second: accepted and dropped, the cradle keeps whole seconds.
    if (pos < text.size() && text[pos] == '.') {
        if (pos + 2 > text.size() || read_digits(text, pos + 1, 1) < 0) {
            datetime_error(text, "a '.' without a tenth digit");
        }
        pos += 2;
    }
    std::int64_t offset_s = local_offset_s;
    if (pos < text.size()) {
        if (text[pos] == 'Z') {
            offset_s = 0;
            pos += 1;
        } else if (text[pos] == '+' || text[pos] == '-') {
            if (pos + 5 > text.size()) datetime_error(text, "zone offset not of the form +hhmm");
            const int zone_hours = read_digits(text, pos + 1, 2);
            const int zone_minutes = read_digits(text, pos + 3, 2);
            if (zone_hours < 0 || zone_minutes < 0) {
                datetime_error(text, "zone offset not of the form +hhmm");
            }
            const std::int64_t magnitude = zone_hours * 3600 + zone_minutes * 60;
            if (zone_minutes > 59 || magnitude > kMaxZoneOffsetS) {
                datetime_error(text, "zone offset beyond 14 hours");
            }
            offset_s = text[pos] == '-' ? -magnitude : magnitude;
            pos += 5;
        }
        if (pos != text.size()) datetime_error(text, "unexpected characters after the time");
    }
    const std::int64_t local_s =
        days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
    return local_s - offset_s;
}

std::string format_ptp_datetime(std::int64_t unix_s, std::int64_t local_offset_s) {
    // Years 1..9999 keep the four-digit form; nothing a camera clock needs lies outside.
    constexpr std::int64_t limit_s = 400LL * 366 * 25 * kSecondsPerDay;
    if (unix_s < -limit_s / 2 || unix_s > limit_s / 2 || local_offset_s < -limit_s / 2 ||
        local_offset_s > limit_s / 2) {
        throw std::invalid_argument("time outside what a PTP DateTime can carry");
    }
    const std::int64_t local_s = unix_s + local_offset_s;
    std::int64_t days = local_s / kSecondsPerDay;
    std::int64_t second_of_day = local_s % kSecondsPerDay;
    if (second_of_day < 0) {
        second_of_day += kSecondsPerDay;
        --days;
    }
    const CivilDate date = civil_from_days(days);
    if (date.year < 1 || date.year > 9999) {
        throw std::invalid_argument("time outside what a PTP DateTime can carry");
    }
    char text[80];
    std::snprintf(text, sizeof text, "%04d%02d%02dT%02d%02d%02d", static_cast<int>(date.year),
                  date.month, date.day, static_cast<int>(second_of_day / 3600),
                  static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
    return text;
}

}  // namespace cradle::hw::ptp
