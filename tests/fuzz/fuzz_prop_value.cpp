// SPDX-License-Identifier: Apache-2.0
// Device property values (BatteryLevel, DateTime, ...): the first two bytes of the input pick
// the PTP data type, the rest is the value as the camera sends it.
#include "fuzz_entry.hpp"
#include "hw/ptp/datasets.hpp"

using namespace cradle::hw::ptp;
using cradle::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const auto data_type = static_cast<std::uint16_t>(data[0] | (data[1] << 8));
    try {
        const PropValue value =
            parse_prop_value(data_type, cradle::fuzz::bytes_of(data + 2, size - 2));
        const auto encoded = encode_prop_value(data_type, value);
        require(parse_prop_value(data_type, encoded) == value || data_type == datatype::string,
                "an integer property value does not survive a round trip");
        require(encode_prop_value(data_type, parse_prop_value(data_type, encoded)) == encoded,
                "a property value does not survive a second round trip");
    } catch (const PtpFormatError&) {
    }
    return 0;
}
