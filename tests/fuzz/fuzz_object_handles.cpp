// SPDX-License-Identifier: Apache-2.0
// The u32 arrays a camera answers GetObjectHandles and GetStorageIDs with: the first input
// byte picks the bound the caller sets, the rest is the array as sent.
#include "fuzz_entry.hpp"
#include "hw/ptp/datasets.hpp"

using namespace cradle::hw::ptp;
using cradle::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t max_count = data[0] % 2 == 0 ? kMaxStorageIds : 100'000;
    const auto input = cradle::fuzz::bytes_of(data + 1, size - 1);
    try {
        DataReader reader(input);
        const auto handles = reader.u32_array(max_count, "ObjectHandles");
        require(handles.size() <= max_count, "an array beyond its bound");
        require(reader.offset() == 4 + 4 * handles.size(), "an array read more than it holds");
    } catch (const PtpFormatError&) {
    }
    try {
        DataReader reader(input);
        const auto codes = reader.u16_array(kMaxCodesInDeviceInfo, "codes");
        require(reader.offset() == 4 + 2 * codes.size(), "an array read more than it holds");
    } catch (const PtpFormatError&) {
    }
    return 0;
}
