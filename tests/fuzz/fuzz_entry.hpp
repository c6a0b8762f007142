// SPDX-License-Identifier: Apache-2.0
// What every fuzz target shares: the libFuzzer entry point (also called by the corpus replay)
// and the checks a target makes beyond "no crash".
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace cradle::fuzz {

inline std::span<const std::byte> bytes_of(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const std::byte*>(data), size};
}

// A broken property of the codec is a finding like a crash: report it and abort, so that the
// fuzzer keeps the input and the replay test fails.
inline void require(bool holds, const char* property) {
    if (!holds) {
        std::fprintf(stderr, "codec property broken: %s\n", property);
        std::abort();
    }
}

// The longest UTF-8 a PTP string can decode to: 255 units, at most 3 bytes per unit (a
// surrogate pair is 2 units for 4 bytes).
inline constexpr std::size_t kMaxDecodedStringBytes = 255 * 3;

}  // namespace cradle::fuzz
