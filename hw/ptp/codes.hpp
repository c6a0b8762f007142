// SPDX-License-Identifier: Apache-2.0
// PTP (ISO 15740) and MTP codes used by the cradle. Reference: docs/hardware.md and the PTP
// quick reference of the design material.
#pragma once

#include <cstdint>

namespace cradle::hw::ptp {

enum class ContainerType : std::uint16_t { command = 1, data = 2, response = 3, event = 4 };

namespace op {
inline constexpr std::uint16_t get_device_info = 0x1001;
inline constexpr std::uint16_t open_session = 0x1002;
inline constexpr std::uint16_t close_session = 0x1003;
inline constexpr std::uint16_t get_storage_ids = 0x1004;
inline constexpr std::uint16_t get_storage_info = 0x1005;
inline constexpr std::uint16_t get_num_objects = 0x1006;
inline constexpr std::uint16_t get_object_handles = 0x1007;
inline constexpr std::uint16_t get_object_info = 0x1008;
inline constexpr std::uint16_t get_object = 0x1009;
inline constexpr std::uint16_t delete_object = 0x100B;
inline constexpr std::uint16_t get_device_prop_desc = 0x1014;
inline constexpr std::uint16_t get_device_prop_value = 0x1015;
inline constexpr std::uint16_t set_device_prop_value = 0x1016;
inline constexpr std::uint16_t get_partial_object = 0x101B;
inline constexpr std::uint16_t mtp_get_object_prop_value = 0x9803;
inline constexpr std::uint16_t android_get_partial_object_64 = 0x95C1;
}  // namespace op

namespace rc {
inline constexpr std::uint16_t ok = 0x2001;
inline constexpr std::uint16_t general_error = 0x2002;
inline constexpr std::uint16_t session_not_open = 0x2003;
inline constexpr std::uint16_t invalid_transaction_id = 0x2004;
inline constexpr std::uint16_t operation_not_supported = 0x2005;
inline constexpr std::uint16_t parameter_not_supported = 0x2006;
inline constexpr std::uint16_t incomplete_transfer = 0x2007;
inline constexpr std::uint16_t invalid_storage_id = 0x2008;
inline constexpr std::uint16_t invalid_object_handle = 0x2009;
inline constexpr std::uint16_t device_prop_not_supported = 0x200A;
inline constexpr std::uint16_t store_full = 0x200C;
inline constexpr std::uint16_t object_write_protected = 0x200D;
inline constexpr std::uint16_t store_read_only = 0x200E;
inline constexpr std::uint16_t access_denied = 0x200F;
inline constexpr std::uint16_t partial_deletion = 0x2012;
inline constexpr std::uint16_t store_not_available = 0x2013;
inline constexpr std::uint16_t device_busy = 0x2019;
inline constexpr std::uint16_t invalid_parent_object = 0x201A;
inline constexpr std::uint16_t invalid_device_prop_value = 0x201C;
inline constexpr std::uint16_t invalid_parameter = 0x201D;
inline constexpr std::uint16_t session_already_open = 0x201E;
inline constexpr std::uint16_t transaction_cancelled = 0x201F;
}  // namespace rc

namespace event {
inline constexpr std::uint16_t object_added = 0x4002;
inline constexpr std::uint16_t object_removed = 0x4003;
inline constexpr std::uint16_t store_added = 0x4004;
inline constexpr std::uint16_t store_removed = 0x4005;
inline constexpr std::uint16_t device_prop_changed = 0x4006;
inline constexpr std::uint16_t object_info_changed = 0x4007;
inline constexpr std::uint16_t device_info_changed = 0x4008;
inline constexpr std::uint16_t store_full = 0x400A;
inline constexpr std::uint16_t device_reset = 0x400B;
inline constexpr std::uint16_t storage_info_changed = 0x400C;
}  // namespace event

namespace prop {
inline constexpr std::uint16_t battery_level = 0x5001;
inline constexpr std::uint16_t date_time = 0x5011;
// The camera's owner as the camera records it; body cameras keep the wearer's officer ID here.
inline constexpr std::uint16_t artist = 0x501E;
}  // namespace prop

namespace mtp_prop {
inline constexpr std::uint16_t object_size = 0xDC04;
}  // namespace mtp_prop

namespace datatype {
inline constexpr std::uint16_t uint8 = 0x0002;
inline constexpr std::uint16_t uint16 = 0x0004;
inline constexpr std::uint16_t uint32 = 0x0006;
inline constexpr std::uint16_t uint64 = 0x0008;
inline constexpr std::uint16_t string = 0xFFFF;
inline constexpr std::uint16_t array_flag = 0x4000;
}  // namespace datatype

namespace format {
inline constexpr std::uint16_t undefined = 0x3000;
inline constexpr std::uint16_t association = 0x3001;
inline constexpr std::uint16_t wav = 0x3008;
inline constexpr std::uint16_t avi = 0x300A;
inline constexpr std::uint16_t mpeg = 0x300B;
inline constexpr std::uint16_t jpeg = 0x3801;
inline constexpr std::uint16_t mp4 = 0xB982;
inline constexpr std::uint16_t three_gp = 0xB984;
}  // namespace format

// Class requests on the interface (USB Still Image Capture Device class).
namespace class_request {
inline constexpr std::uint8_t cancel = 0x64;
inline constexpr std::uint8_t get_extended_event_data = 0x65;
inline constexpr std::uint8_t device_reset = 0x66;
inline constexpr std::uint8_t get_device_status = 0x67;
}  // namespace class_request

inline constexpr std::uint32_t kHeaderSize = 12;
inline constexpr std::uint32_t kUnknownLength = 0xFFFFFFFF;  // data phase: read to a short packet
inline constexpr std::uint32_t kNoTransaction = 0xFFFFFFFF;  // events not tied to a transaction
inline constexpr std::size_t kMaxParams = 5;

const char* response_name(std::uint16_t code) noexcept;
const char* operation_name(std::uint16_t code) noexcept;

}  // namespace cradle::hw::ptp
