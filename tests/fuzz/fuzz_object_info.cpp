// SPDX-License-Identifier: Apache-2.0
// ObjectInfo: a recording's name, size and dates, as listed before offloading.
#include "fuzz_entry.hpp"
#include "hw/ptp/datasets.hpp"

using namespace cradle::hw::ptp;
using cradle::fuzz::kMaxDecodedStringBytes;
using cradle::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const ObjectInfo info = parse_object_info(cradle::fuzz::bytes_of(data, size));
        require(size >= 56, "an ObjectInfo shorter than its fixed fields was accepted");
        for (const auto* text :
             {&info.filename, &info.capture_date, &info.modification_date, &info.keywords}) {
            require(text->size() <= kMaxDecodedStringBytes, "a string beyond 255 units");
        }
        const auto encoded = encode_object_info(info);
        require(encode_object_info(parse_object_info(encoded)) == encoded,
                "ObjectInfo does not survive a second round trip");
    } catch (const PtpFormatError&) {
    }
    return 0;
}
