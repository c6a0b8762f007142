// SPDX-License-Identifier: Apache-2.0
// The 12-byte container header, as the transaction engine reads it from every bulk-in and
// interrupt-in transfer.
#include "fuzz_entry.hpp"
#include "hw/ptp/container.hpp"

using namespace cradle::hw::ptp;
using cradle::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const ContainerHeader header = parse_header(cradle::fuzz::bytes_of(data, size));
        require(size >= kHeaderSize, "a header was parsed from fewer than 12 bytes");
        require(header.type >= ContainerType::command && header.type <= ContainerType::event,
                "an unknown container type was accepted");
        require(header.length >= kHeaderSize ||
                    (header.type == ContainerType::data && header.length == kUnknownLength),
                "a length below the header size was accepted");
        if (header.type == ContainerType::data && header.length != kUnknownLength) {
            const auto again = parse_header(
                encode_data_header(header.code, header.transaction_id, header.length - 12));
            require(again.length == header.length && again.code == header.code &&
                        again.transaction_id == header.transaction_id,
                    "a data header does not survive encoding");
        }
    } catch (const PtpFormatError&) {
    }
    return 0;
}
