// SPDX-License-Identifier: Apache-2.0
#include "hw/ptp/container.hpp"

#include "common/utf8.hpp"

#include <limits>

namespace cradle::hw::ptp {

namespace {

constexpr char32_t kReplacement = 0xFFFD;
// 255 units at most in a PTP string, one of them the terminating NUL.
constexpr std::size_t kMaxStringTextUnits = 254;

[[noreturn]] void format_error(std::string_view what, std::string_view problem) {
    std::string message(what);
    message += ": ";
    message += problem;
    throw PtpFormatError(message);
}

template <typename Unsigned>
Unsigned load_le(std::span<const std::byte> bytes) {
    Unsigned value = 0;
    for (std::size_t i = 0; i < sizeof(Unsigned); ++i) {
        value |= static_cast<Unsigned>(std::to_integer<std::uint8_t>(bytes[i])) << (8 * i);
    }
    return value;
}

template <typename Unsigned>
void store_le(std::vector<std::byte>& out, Unsigned value) {
    for (std::size_t i = 0; i < sizeof(Unsigned); ++i) {
        out.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xFF));
    }
}

void append_utf8(std::string& out, char32_t code_point) {
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

bool is_high_surrogate(std::uint16_t unit) {
    return unit >= 0xD800 && unit <= 0xDBFF;
}
bool is_low_surrogate(std::uint16_t unit) {
    return unit >= 0xDC00 && unit <= 0xDFFF;
}

// Decodes one code point from UTF-8 at `pos`, advancing it. A malformed sequence yields one
// U+FFFD for its longest valid prefix, so that the following text survives.
char32_t next_code_point(std::string_view text, std::size_t& pos) {
    char32_t code_point = 0;
    const std::size_t length = decode_utf8(text.substr(pos), code_point);
    if (length != 0) {
        pos += length;
        return code_point;
    }
    pos += ill_formed_utf8_length(text.substr(pos));
    return kReplacement;
}

}  // namespace

ContainerHeader parse_header(std::span<const std::byte> bytes) {
    if (bytes.size() < kHeaderSize) {
        format_error("container header",
                     "only " + std::to_string(bytes.size()) + " bytes, a header has 12");
    }
    ContainerHeader header;
    header.length = load_le<std::uint32_t>(bytes.subspan(0, 4));
    const auto type = load_le<std::uint16_t>(bytes.subspan(4, 2));
    if (type < static_cast<std::uint16_t>(ContainerType::command) ||
        type > static_cast<std::uint16_t>(ContainerType::event)) {
        format_error("container header", "unknown container type " + std::to_string(type));
    }
    header.type = static_cast<ContainerType>(type);
    header.code = load_le<std::uint16_t>(bytes.subspan(6, 2));
    header.transaction_id = load_le<std::uint32_t>(bytes.subspan(8, 4));
    const bool unknown_data_length =
        header.type == ContainerType::data && header.length == kUnknownLength;
    if (header.length < kHeaderSize && !unknown_data_length) {
        format_error("container header",
                     "length " + std::to_string(header.length) + " is shorter than the header");
    }
    return header;
}

std::vector<std::byte> encode_params_container(ContainerType type, std::uint16_t code,
                                               std::uint32_t transaction_id,
                                               std::span<const std::uint32_t> params) {
    if (params.size() > kMaxParams) {
        throw std::invalid_argument("a PTP container holds at most 5 parameters");
    }
    if (type == ContainerType::data) {
        throw std::invalid_argument("a data container carries a payload, not parameters");
    }
    std::vector<std::byte> out;
    out.reserve(kHeaderSize + 4 * params.size());
    store_le(out, static_cast<std::uint32_t>(kHeaderSize + 4 * params.size()));
    store_le(out, static_cast<std::uint16_t>(type));
    store_le(out, code);
    store_le(out, transaction_id);
    for (const std::uint32_t param : params) store_le(out, param);
    return out;
}

ParamsContainer parse_params_container(std::span<const std::byte> bytes) {
    ParamsContainer container;
    container.header = parse_header(bytes);
    if (container.header.type == ContainerType::data) {
        format_error("container", "a data container where parameters were expected");
    }
    if (container.header.length != bytes.size()) {
        format_error("container", "length field says " + std::to_string(container.header.length) +
                                      " bytes, " + std::to_string(bytes.size()) + " arrived");
    }
    const std::size_t payload = bytes.size() - kHeaderSize;
    if (payload % 4 != 0) {
        format_error("container",
                     "payload of " + std::to_string(payload) + " bytes is not whole parameters");
    }
    if (payload / 4 > kMaxParams) {
        format_error("container", std::to_string(payload / 4) + " parameters, at most 5 allowed");
    }
    container.params.reserve(payload / 4);
    for (std::size_t at = kHeaderSize; at < bytes.size(); at += 4) {
        container.params.push_back(load_le<std::uint32_t>(bytes.subspan(at, 4)));
    }
    return container;
}

std::vector<std::byte> encode_data_header(std::uint16_t code, std::uint32_t transaction_id,
                                          std::uint64_t payload_size) {
    constexpr std::uint64_t max_length = std::numeric_limits<std::uint32_t>::max();
    const std::uint64_t length =
        payload_size > max_length - kHeaderSize ? kUnknownLength : kHeaderSize + payload_size;
    std::vector<std::byte> out;
    out.reserve(kHeaderSize);
    store_le(out, static_cast<std::uint32_t>(length));
    store_le(out, static_cast<std::uint16_t>(ContainerType::data));
    store_le(out, code);
    store_le(out, transaction_id);
    return out;
}

// ---- DataReader ----

std::span<const std::byte> DataReader::take(std::size_t bytes, std::string_view what) {
    if (bytes > remaining()) {
        format_error(what, "data ends early (needs " + std::to_string(bytes) + " bytes at offset " +
                               std::to_string(offset_) + ", " + std::to_string(remaining()) +
                               " left)");
    }
    const auto taken = data_.subspan(offset_, bytes);
    offset_ += bytes;
    return taken;
}

std::uint8_t DataReader::u8(std::string_view what) {
    return load_le<std::uint8_t>(take(1, what));
}
std::uint16_t DataReader::u16(std::string_view what) {
    return load_le<std::uint16_t>(take(2, what));
}
std::uint32_t DataReader::u32(std::string_view what) {
    return load_le<std::uint32_t>(take(4, what));
}
std::uint64_t DataReader::u64(std::string_view what) {
    return load_le<std::uint64_t>(take(8, what));
}

std::string DataReader::string(std::string_view what) {
    const std::size_t unit_count = u8(what);
    const auto units = take(2 * unit_count, what);
    std::string text;
    for (std::size_t i = 0; i < unit_count; ++i) {
        const auto unit = load_le<std::uint16_t>(units.subspan(2 * i, 2));
        if (unit == 0) break;
        if (is_high_surrogate(unit) && i + 1 < unit_count) {
            const auto next = load_le<std::uint16_t>(units.subspan(2 * (i + 1), 2));
            if (is_low_surrogate(next)) {
                append_utf8(
                    text, 0x10000 + ((char32_t{unit} - 0xD800) << 10) + (char32_t{next} - 0xDC00));
                ++i;
                continue;
            }
        }
        append_utf8(text, is_high_surrogate(unit) || is_low_surrogate(unit) ? kReplacement
                                                                            : char32_t{unit});
    }
    return text;
}

std::vector<std::uint16_t> DataReader::u16_array(std::size_t max_count, std::string_view what) {
    const std::uint32_t count = u32(what);
    if (count > max_count) {
        format_error(what, std::to_string(count) + " elements, at most " +
                               std::to_string(max_count) + " allowed");
    }
    // Checked before allocating: a lying count must not reserve memory the data cannot fill.
    if (count > remaining() / 2) {
        format_error(what, std::to_string(count) + " elements claimed, " +
                               std::to_string(remaining()) + " bytes left");
    }
    const auto bytes = take(2 * std::size_t{count}, what);
    std::vector<std::uint16_t> values(count);
    for (std::size_t i = 0; i < count; ++i) {
        values[i] = load_le<std::uint16_t>(bytes.subspan(2 * i, 2));
    }
    return values;
}

std::vector<std::uint32_t> DataReader::u32_array(std::size_t max_count, std::string_view what) {
    const std::uint32_t count = u32(what);
    if (count > max_count) {
        format_error(what, std::to_string(count) + " elements, at most " +
                               std::to_string(max_count) + " allowed");
    }
    if (count > remaining() / 4) {
        format_error(what, std::to_string(count) + " elements claimed, " +
                               std::to_string(remaining()) + " bytes left");
    }
    const auto bytes = take(4 * std::size_t{count}, what);
    std::vector<std::uint32_t> values(count);
    for (std::size_t i = 0; i < count; ++i) {
        values[i] = load_le<std::uint32_t>(bytes.subspan(4 * i, 4));
    }
    return values;
}

void DataReader::skip(std::size_t bytes, std::string_view what) {
    take(bytes, what);
}

// ---- DataWriter ----

void DataWriter::u8(std::uint8_t value) {
    store_le(data_, value);
}
void DataWriter::u16(std::uint16_t value) {
    store_le(data_, value);
}
void DataWriter::u32(std::uint32_t value) {
    store_le(data_, value);
}
void DataWriter::u64(std::uint64_t value) {
    store_le(data_, value);
}

void DataWriter::string(std::string_view utf8) {
    std::vector<std::uint16_t> units;
    std::size_t pos = 0;
    while (pos < utf8.size()) {
        const char32_t code_point = next_code_point(utf8, pos);
        // A NUL ends a PTP string: the text stops where a reader would stop.
        if (code_point == 0) break;
        if (code_point < 0x10000) {
            if (units.size() + 1 > kMaxStringTextUnits) break;
            units.push_back(static_cast<std::uint16_t>(code_point));
        } else {
            // A pair is never split: half of one would read back as U+FFFD.
            if (units.size() + 2 > kMaxStringTextUnits) break;
            const char32_t offset = code_point - 0x10000;
            units.push_back(static_cast<std::uint16_t>(0xD800 + (offset >> 10)));
            units.push_back(static_cast<std::uint16_t>(0xDC00 + (offset & 0x3FF)));
        }
    }
    if (units.empty()) {
        u8(0);
        return;
    }
    units.push_back(0);
    raw_string_units(units, static_cast<std::uint8_t>(units.size()));
}

void DataWriter::raw_string_units(std::span<const std::uint16_t> units,
                                  std::uint8_t declared_count) {
    u8(declared_count);
    for (const std::uint16_t unit : units) u16(unit);
}

void DataWriter::u16_array(std::span<const std::uint16_t> values) {
    u32(static_cast<std::uint32_t>(values.size()));
    for (const std::uint16_t value : values) u16(value);
}

void DataWriter::u32_array(std::span<const std::uint32_t> values) {
    u32(static_cast<std::uint32_t>(values.size()));
    for (const std::uint32_t value : values) u32(value);
}

void DataWriter::bytes(std::span<const std::byte> raw) {
    data_.insert(data_.end(), raw.begin(), raw.end());
}

}  // namespace cradle::hw::ptp
