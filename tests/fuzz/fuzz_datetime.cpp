// SPDX-License-Identifier: Apache-2.0
// The DateTime string (property 0x5011 and ObjectInfo dates). The first input byte picks the
// camera's zone (whole half hours within +-14 h); the rest is the text.
#include "fuzz_entry.hpp"
#include "hw/ptp/datasets.hpp"

#include <string>
#include <string_view>

using namespace cradle::hw::ptp;
using cradle::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::int64_t local_offset_s = (static_cast<std::int64_t>(data[0] % 57) - 28) * 1800;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    std::int64_t unix_s = 0;
    try {
        unix_s = parse_ptp_datetime(text, local_offset_s);
    } catch (const PtpFormatError&) {
        return 0;
    }
    // 1970-01-01 minus 14 h .. 2199-12-31 23:59:59 plus 14 h.
    require(unix_s >= -14 * 3600 && unix_s <= 7258118399 + 14 * 3600,
            "a DateTime outside 1970..2199 was accepted");
    const std::string formatted = format_ptp_datetime(unix_s, local_offset_s);
    require(formatted.size() == 15, "a formatted DateTime is not YYYYMMDDThhmmss");
    // In the camera's own zone the text comes back as it was (less the tenths); with another
    // zone's suffix the camera-local form may fall just outside 1970..2199.
    const bool camera_local = text.size() == 15 || text.size() == 17;
    if (camera_local) {
        require(formatted == text.substr(0, 15), "a camera-local DateTime does not format back");
    }
    try {
        require(parse_ptp_datetime(formatted, local_offset_s) == unix_s,
                "a DateTime does not survive formatting");
    } catch (const PtpFormatError&) {
        require(!camera_local && (formatted.starts_with("1969") || formatted.starts_with("2200")),
                "a formatted DateTime does not parse");
    }
    return 0;
}
