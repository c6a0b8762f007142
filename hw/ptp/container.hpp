// SPDX-License-Identifier: Apache-2.0
// PTP containers and the little-endian data encoding, both directions: the host side parses
// what a camera sends (untrusted: every read is bounded and checked) and the emulated camera
// encodes it. Everything here is pure: no I/O.
#pragma once

#include "hw/ptp/codes.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::hw::ptp {

// Malformed or out-of-bounds data from a device. The driver reports it as
// DeviceError(protocol) with this message.
class PtpFormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ContainerHeader {
    std::uint32_t length = 0;  // header + payload, or kUnknownLength (data phase only)
    ContainerType type = ContainerType::command;
    std::uint16_t code = 0;
    std::uint32_t transaction_id = 0;
};

// Parses the 12-byte header at the start of `bytes`. Throws PtpFormatError if fewer than 12
// bytes, an unknown container type, or a length below 12 (other than kUnknownLength for data).
ContainerHeader parse_header(std::span<const std::byte> bytes);

// A command, response or event container: header and 0..5 u32 parameters.
struct ParamsContainer {
    ContainerHeader header;
    std::vector<std::uint32_t> params;
};

// Encodes a command, response or event container (params.size() <= 5, else invalid_argument).
std::vector<std::byte> encode_params_container(ContainerType type, std::uint16_t code,
                                               std::uint32_t transaction_id,
                                               std::span<const std::uint32_t> params);
// Parses a whole command, response or event container: the header's length must equal
// bytes.size(), the payload must be a multiple of 4 bytes and at most 5 parameters.
ParamsContainer parse_params_container(std::span<const std::byte> bytes);

// The 12-byte header of a data container with this payload size (kUnknownLength as length
// when header + payload does not fit in 32 bits).
std::vector<std::byte> encode_data_header(std::uint16_t code, std::uint32_t transaction_id,
                                          std::uint64_t payload_size);

// Reads a dataset. Every read checks the bounds and throws PtpFormatError naming `what` was
// being read when the data ends early or breaks a limit.
class DataReader {
  public:
    explicit DataReader(std::span<const std::byte> data) : data_(data) {}
    std::uint8_t u8(std::string_view what);
    std::uint16_t u16(std::string_view what);
    std::uint32_t u32(std::string_view what);
    std::uint64_t u64(std::string_view what);
    // A PTP string (u8 count of UCS-2 units including the NUL, then the units) as UTF-8.
    // Unpaired surrogates become U+FFFD; a missing terminating NUL is tolerated; embedded NULs
    // end the text. At most 255 units by construction.
    std::string string(std::string_view what);
    // u32 count then elements; a count above max_count, or beyond the data left, throws.
    std::vector<std::uint16_t> u16_array(std::size_t max_count, std::string_view what);
    std::vector<std::uint32_t> u32_array(std::size_t max_count, std::string_view what);
    void skip(std::size_t bytes, std::string_view what);
    std::size_t remaining() const { return data_.size() - offset_; }
    std::size_t offset() const { return offset_; }

  private:
    std::span<const std::byte> take(std::size_t bytes, std::string_view what);
    std::span<const std::byte> data_;
    std::size_t offset_ = 0;
};

// Writes a dataset (the emulated camera's side, and the host's SetDevicePropValue).
class DataWriter {
  public:
    void u8(std::uint8_t value);
    void u16(std::uint16_t value);
    void u32(std::uint32_t value);
    void u64(std::uint64_t value);
    // UTF-8 in, PTP string out; longer than 254 UCS-2 units is truncated. Invalid UTF-8
    // sequences are written as U+FFFD.
    void string(std::string_view utf8);
    // Writes raw UCS-2 units as given (the emulated camera uses this to send hostile strings).
    void raw_string_units(std::span<const std::uint16_t> units, std::uint8_t declared_count);
    void u16_array(std::span<const std::uint16_t> values);
    void u32_array(std::span<const std::uint32_t> values);
    void bytes(std::span<const std::byte> raw);
    const std::vector<std::byte>& data() const { return data_; }
    std::vector<std::byte> take() { return std::move(data_); }

  private:
    std::vector<std::byte> data_;
};

}  // namespace cradle::hw::ptp
