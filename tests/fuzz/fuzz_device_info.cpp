// SPDX-License-Identifier: Apache-2.0
// DeviceInfo, the first dataset a camera sends (before any session).
#include "fuzz_entry.hpp"
#include "hw/ptp/datasets.hpp"

using namespace cradle::hw::ptp;
using cradle::fuzz::kMaxDecodedStringBytes;
using cradle::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const DeviceInfo info = parse_device_info(cradle::fuzz::bytes_of(data, size));
        for (const auto* codes :
             {&info.operations_supported, &info.events_supported, &info.device_properties_supported,
              &info.capture_formats, &info.image_formats}) {
            require(codes->size() <= kMaxCodesInDeviceInfo, "a code list beyond its bound");
        }
        for (const auto* text : {&info.vendor_extension_desc, &info.manufacturer, &info.model,
                                 &info.device_version, &info.serial_number}) {
            require(text->size() <= kMaxDecodedStringBytes, "a string beyond 255 units");
        }
        // Re-encoding what was parsed is stable: encode(parse(encode(x))) == encode(x).
        const auto encoded = encode_device_info(info);
        require(encode_device_info(parse_device_info(encoded)) == encoded,
                "DeviceInfo does not survive a second round trip");
    } catch (const PtpFormatError&) {
    }
    return 0;
}
