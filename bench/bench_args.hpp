// SPDX-License-Identifier: Apache-2.0
// What the benchmarks' command lines share: a size with a binary suffix.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace bench {

// "64M" -> 64 MiB: a number with no suffix, or K, M or G (binary, either case).
inline std::uint64_t parse_size(const std::string& text) {
    std::size_t used = 0;
    const unsigned long long number = std::stoull(text, &used);
    const std::string suffix = text.substr(used);
    const int shift = suffix.empty()                   ? 0
                      : suffix == "K" || suffix == "k" ? 10
                      : suffix == "M" || suffix == "m" ? 20
                      : suffix == "G" || suffix == "g" ? 30
                                                       : -1;
    if (shift < 0) {
        throw std::invalid_argument("size \"" + text + "\": use a K, M or G suffix");
    }
    return static_cast<std::uint64_t>(number) << shift;
}

}  // namespace bench
