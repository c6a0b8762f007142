// SPDX-License-Identifier: Apache-2.0
// Command, response and event containers: what a camera answers each transaction with and
// what it sends on the interrupt endpoint.
#include "fuzz_entry.hpp"
#include "hw/ptp/container.hpp"

#include <algorithm>

using namespace cradle::hw::ptp;
using cradle::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = cradle::fuzz::bytes_of(data, size);
    try {
        const ParamsContainer container = parse_params_container(input);
        require(container.params.size() <= kMaxParams, "more than 5 parameters accepted");
        require(container.header.type != ContainerType::data, "a data container accepted");
        // Whatever parses is exactly what the encoder writes for the same fields.
        const auto encoded =
            encode_params_container(container.header.type, container.header.code,
                                    container.header.transaction_id, container.params);
        require(std::equal(encoded.begin(), encoded.end(), input.begin(), input.end()),
                "a parsed container does not encode back to its bytes");
    } catch (const PtpFormatError&) {
    }
    return 0;
}
