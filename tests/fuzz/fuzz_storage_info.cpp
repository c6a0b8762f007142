// SPDX-License-Identifier: Apache-2.0
// StorageInfo: the free space the cradle reports and checks before offloading.
#include "fuzz_entry.hpp"
#include "hw/ptp/datasets.hpp"

using namespace cradle::hw::ptp;
using cradle::fuzz::kMaxDecodedStringBytes;
using cradle::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const StorageInfo info = parse_storage_info(cradle::fuzz::bytes_of(data, size));
        require(size >= 27, "a StorageInfo shorter than its fixed fields was accepted");
        require(info.description.size() <= kMaxDecodedStringBytes &&
                    info.volume_label.size() <= kMaxDecodedStringBytes,
                "a string beyond 255 units");
        const auto encoded = encode_storage_info(info);
        require(encode_storage_info(parse_storage_info(encoded)) == encoded,
                "StorageInfo does not survive a second round trip");
    } catch (const PtpFormatError&) {
    }
    return 0;
}
