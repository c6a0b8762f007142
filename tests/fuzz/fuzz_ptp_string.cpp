// SPDX-License-Identifier: Apache-2.0
// The PTP string (u8 count, UCS-2LE units) decoded to UTF-8: names, serials, dates.
#include "fuzz_entry.hpp"
#include "hw/ptp/container.hpp"

#include <string>

using namespace cradle::hw::ptp;
using cradle::fuzz::require;

namespace {

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool is_valid_utf8(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        std::uint32_t code_point = 0;
        if (lead < 0x80) {
            length = 1;
            code_point = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2;
            code_point = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            code_point = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            code_point = lead & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto byte = static_cast<unsigned char>(text[i + k]);
            if ((byte & 0xC0) != 0x80) return false;
            code_point = (code_point << 6) | (byte & 0x3F);
        }
        const std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code_point < minimum[length] || code_point > 0x10FFFF ||
            (code_point >= 0xD800 && code_point <= 0xDFFF)) {
            return false;
        }
        i += length;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = cradle::fuzz::bytes_of(data, size);
    try {
        DataReader reader(input);
        const std::string text = reader.string("string");
        require(reader.offset() == 1 + 2 * std::size_t{data[0]},
                "a string did not consume exactly its declared units");
        require(text.size() <= cradle::fuzz::kMaxDecodedStringBytes, "a string beyond 255 units");
        require(text.find('\0') == std::string::npos, "a decoded string holds a NUL");
        require(is_valid_utf8(text), "a decoded string is not valid UTF-8");

        // Writing the text back and reading it again gives the same text, unless the writer had
        // to cut it at 254 units.
        DataWriter writer;
        writer.string(text);
        const auto encoded = writer.take();
        DataReader again(encoded);
        const std::string reread = again.string("string");
        require(again.remaining() == 0, "a written string is not read whole");
        require(reread == text || (encoded[0] >= std::byte{254} && text.starts_with(reread)),
                "a string does not survive a round trip");
    } catch (const PtpFormatError&) {
    }
    // The writer's side: any bytes as "UTF-8" give a readable string of at most 255 units.
    DataWriter writer;
    writer.string(std::string_view(reinterpret_cast<const char*>(data), size));
    const auto encoded = writer.take();
    DataReader reader(encoded);
    const std::string text = reader.string("string");
    require(reader.remaining() == 0 && is_valid_utf8(text), "the writer made a broken string");
    return 0;
}
