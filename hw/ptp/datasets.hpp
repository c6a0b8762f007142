// SPDX-License-Identifier: Apache-2.0
// PTP datasets (DeviceInfo, StorageInfo, ObjectInfo), device property values and the DateTime
// string: parsed from what a camera sends (bounded, validated) and encoded for the emulated
// camera. Pure functions, fuzzed (tests/fuzz).
#pragma once

#include "hw/ptp/container.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace cradle::hw::ptp {

// Bounds on what a device may claim in a dataset.
inline constexpr std::size_t kMaxCodesInDeviceInfo = 1024;  // per u16 array
inline constexpr std::size_t kMaxStorageIds = 64;

struct DeviceInfo {
    std::uint16_t standard_version = 100;
    std::uint32_t vendor_extension_id = 0;
    std::uint16_t vendor_extension_version = 0;
    std::string vendor_extension_desc;
    std::uint16_t functional_mode = 0;
    std::vector<std::uint16_t> operations_supported;
    std::vector<std::uint16_t> events_supported;
    std::vector<std::uint16_t> device_properties_supported;
    std::vector<std::uint16_t> capture_formats;
    std::vector<std::uint16_t> image_formats;
    std::string manufacturer;
    std::string model;
    std::string device_version;
    std::string serial_number;

    bool supports_operation(std::uint16_t code) const;
    bool supports_property(std::uint16_t code) const;
};

struct StorageInfo {
    std::uint16_t storage_type = 0;
    std::uint16_t filesystem_type = 0;
    std::uint16_t access_capability = 0;
    std::uint64_t max_capacity = 0;
    std::uint64_t free_space_bytes = 0;
    std::uint32_t free_space_images = 0;
    std::string description;
    std::string volume_label;
};

struct ObjectInfo {
    std::uint32_t storage_id = 0;
    std::uint16_t object_format = 0;
    std::uint16_t protection_status = 0;
    std::uint32_t compressed_size = 0;  // 0xFFFFFFFF: 4 GiB or more (ask ObjectSize)
    std::uint16_t thumb_format = 0;
    std::uint32_t thumb_compressed_size = 0;
    std::uint32_t thumb_pix_width = 0;
    std::uint32_t thumb_pix_height = 0;
    std::uint32_t image_pix_width = 0;
    std::uint32_t image_pix_height = 0;
    std::uint32_t image_bit_depth = 0;
    std::uint32_t parent_object = 0;
    std::uint16_t association_type = 0;
    std::uint32_t association_desc = 0;
    std::uint32_t sequence_number = 0;
    std::string filename;
    std::string capture_date;
    std::string modification_date;
    std::string keywords;
};

// Each parser reads the whole dataset and throws PtpFormatError on truncation or a broken
// bound; trailing bytes are ignored (vendors append fields).
DeviceInfo parse_device_info(std::span<const std::byte> data);
StorageInfo parse_storage_info(std::span<const std::byte> data);
ObjectInfo parse_object_info(std::span<const std::byte> data);
std::vector<std::byte> encode_device_info(const DeviceInfo& info);
std::vector<std::byte> encode_storage_info(const StorageInfo& info);
std::vector<std::byte> encode_object_info(const ObjectInfo& info);

// A device property value of the given PTP data type (uint8..uint64 as an integer, string as
// UTF-8). Throws PtpFormatError for truncated data or a type the cradle does not read.
using PropValue = std::variant<std::uint64_t, std::string>;
PropValue parse_prop_value(std::uint16_t data_type, std::span<const std::byte> data);
std::vector<std::byte> encode_prop_value(std::uint16_t data_type, const PropValue& value);

// DateTime (property 0x5011): "YYYYMMDDThhmmss[.s][Z|+hhmm|-hhmm]". Returns Unix seconds (UTC).
// A value without a zone suffix is the camera's local time; local_offset_s (east of UTC) says
// which zone that is. Throws PtpFormatError for anything else, including impossible dates and
// years outside 1970..2199 (and std::invalid_argument for a local_offset_s beyond 14 hours).
std::int64_t parse_ptp_datetime(std::string_view text, std::int64_t local_offset_s);
// Formats Unix seconds as a camera's local time "YYYYMMDDThhmmss" (no suffix: the form every
// camera accepts).
std::string format_ptp_datetime(std::int64_t unix_s, std::int64_t local_offset_s);

}  // namespace cradle::hw::ptp
