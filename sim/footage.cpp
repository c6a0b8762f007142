// SPDX-License-Identifier: Apache-2.0
#include "sim/footage.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace cradle::hw::sim {
namespace {

constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ull;

// The splitmix64 finaliser: a bijective mix good enough to serve as a counter-based generator,
// which is what makes footage_bytes random-access.
constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

class SplitMix64 {
  public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() { return mix(state_ += kGolden); }
    // Uniform enough in [low, high] for footage planning; the modulo bias is irrelevant here.
    std::uint64_t between(std::uint64_t low, std::uint64_t high) {
        return low + next() % (high - low + 1);
    }

  private:
    std::uint64_t state_;
};

std::uint64_t content_key_of(std::uint64_t seed, std::uint64_t index) {
    return mix(mix(seed ^ 0x6a09e667f3bcc908ull) ^ ((index + 1) * kGolden));
}

// The start of the previous day's shift, as the camera's own clock saw it.
std::int64_t shift_start_unix_s() {
    using namespace std::chrono;
    const sys_seconds start = sys_days{year{2026} / November / 25} + hours{7} + minutes{30};
    return start.time_since_epoch().count();
}

std::string model_prefix(const std::string& model) {
    std::string prefix;
    for (char c : model) {
        if (!std::isalpha(static_cast<unsigned char>(c)) || prefix.size() == 4) break;
        prefix.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return prefix.empty() ? "CAM" : prefix;
}

std::string serial_suffix(const std::string& serial) {
    std::string digits;
    for (char c : serial) {
        if (std::isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
    }
    if (digits.size() > 4) digits.erase(0, digits.size() - 4);
    return std::string(4 - digits.size(), '0') + digits;
}

std::string recording_name(const std::string& camera_tag, std::int64_t captured_unix_s,
                           int sequence) {
    using namespace std::chrono;
    const sys_seconds when{seconds{captured_unix_s}};
    const sys_days day = floor<days>(when);
    const year_month_day date{day};
    const hh_mm_ss time{when - day};
    char text[96];
    std::snprintf(text, sizeof text, "%s_%04d%02u%02u_%02d%02d%02d_%04d.MP4", camera_tag.c_str(),
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()), sequence);
    return text;
}

// Sizes vary within about +-50% of the mean and add up to total exactly.
std::vector<std::uint64_t> recording_sizes(std::uint64_t total, int count, SplitMix64& random) {
    std::vector<std::uint64_t> weights(static_cast<std::size_t>(count));
    std::uint64_t weight_sum = 0;
    for (auto& weight : weights) {
        weight = random.between(512, 1535);  // 0.5 .. 1.5 of the mean, in 1/1024ths
        weight_sum += weight;
    }
    std::vector<std::uint64_t> sizes;
    sizes.reserve(weights.size());
    std::uint64_t assigned = 0;
    for (auto weight : weights) {
        // total * weight / weight_sum without overflow: weight_sum stays far below 2^53.
        const std::uint64_t size =
            total / weight_sum * weight + total % weight_sum * weight / weight_sum;
        sizes.push_back(size);
        assigned += size;
    }
    if (!sizes.empty()) sizes.back() += total - assigned;
    return sizes;
}

void append_hostile_recordings(const CameraSpec& spec, const std::string& camera_tag,
                               std::int64_t after_unix_s, SplitMix64& random,
                               std::vector<PlannedRecording>& footage) {
    using namespace std::string_literals;
    const std::vector<std::string> names = {
        "../../etc/passwd"s,
        camera_tag + "_20261125\0_hidden.MP4"s,
        std::string(4092, 'A') + ".MP4",
        "\xff\xfe\xc3\x28_not_utf8_\xe2\x82.MP4"s,
    };
    std::int64_t captured = after_unix_s;
    for (const auto& name : names) {
        const std::uint64_t index = footage.size();
        captured += static_cast<std::int64_t>(random.between(60, 600));
        footage.push_back({name, 4096 + random.between(0, 60 * 1024), captured,
                           content_key_of(spec.seed ^ spec.content_salt, index)});
    }
}

// An `ftyp` box then the header of an `mdat` box spanning the rest, as an MP4 file starts.
struct Mp4Header {
    std::array<std::byte, 44> bytes{};
    std::size_t length = 0;

    void put(std::string_view text) {
        for (char c : text) bytes[length++] = static_cast<std::byte>(c);
    }
    void put_be(std::uint64_t value, int width) {
        for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
            bytes[length++] = static_cast<std::byte>((value >> shift) & 0xff);
        }
    }
};

Mp4Header mp4_header(std::uint64_t file_size) {
    Mp4Header header;
    header.put_be(28, 4);
    header.put("ftypisom");
    header.put_be(0x200, 4);
    header.put("isomiso2mp41");
    const std::uint64_t mdat_size = file_size > 28 ? file_size - 28 : 0;
    if (mdat_size <= 0xffffffffull) {
        header.put_be(mdat_size, 4);
        header.put("mdat");
    } else {
        header.put_be(1, 4);  // the real size follows as a 64-bit "largesize"
        header.put("mdat");
        header.put_be(mdat_size, 8);
    }
    return header;
}

void store_little_endian(std::uint64_t word, std::byte* out) {
    if constexpr (std::endian::native != std::endian::little) {
        word = ((word & 0x00000000ffffffffull) << 32) | (word >> 32);
        word = ((word & 0x0000ffff0000ffffull) << 16) | ((word >> 16) & 0x0000ffff0000ffffull);
        word = ((word & 0x00ff00ff00ff00ffull) << 8) | ((word >> 8) & 0x00ff00ff00ff00ffull);
    }
    std::memcpy(out, &word, sizeof word);
}

std::uint64_t content_word(std::uint64_t key, std::uint64_t word_index) {
    return mix(key + (word_index + 1) * kGolden);
}

}  // namespace

std::vector<PlannedRecording> plan_footage(const CameraSpec& spec) {
    if (spec.recordings < 0) {
        throw std::invalid_argument("camera " + spec.serial + ": negative recording count");
    }
    SplitMix64 random(mix(spec.seed));
    const std::string camera_tag = model_prefix(spec.model) + serial_suffix(spec.serial);
    const auto sizes = recording_sizes(spec.total_bytes, spec.recordings, random);

    std::vector<PlannedRecording> footage;
    footage.reserve(sizes.size() + (spec.faults.hostile_names ? 4 : 0));
    std::int64_t captured = shift_start_unix_s() + spec.clock_offset_s +
                            static_cast<std::int64_t>(random.between(0, 599));
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (i > 0) captured += static_cast<std::int64_t>(random.between(20 * 60, 60 * 60));
        footage.push_back({recording_name(camera_tag, captured, static_cast<int>(i + 1)), sizes[i],
                           captured, content_key_of(spec.seed ^ spec.content_salt, i)});
    }
    if (spec.faults.hostile_names) {
        append_hostile_recordings(spec, camera_tag, captured, random, footage);
    }
    return footage;
}

void footage_bytes(const PlannedRecording& recording, std::uint64_t offset,
                   std::span<std::byte> out) {
    if (offset >= recording.size) return;
    const std::size_t count =
        static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), recording.size - offset));
    std::byte* const begin = out.data();
    std::byte* const end = begin + count;
    std::byte* cursor = begin;

    std::uint64_t word_index = offset / 8;
    std::size_t skip = static_cast<std::size_t>(offset % 8);
    if (skip != 0) {
        std::byte word[8];
        store_little_endian(content_word(recording.content_key, word_index++), word);
        const std::size_t take = std::min<std::size_t>(8 - skip, count);
        std::memcpy(cursor, word + skip, take);
        cursor += take;
    }
    while (end - cursor >= 8) {
        store_little_endian(content_word(recording.content_key, word_index++), cursor);
        cursor += 8;
    }
    if (cursor != end) {
        std::byte word[8];
        store_little_endian(content_word(recording.content_key, word_index), word);
        std::memcpy(cursor, word, static_cast<std::size_t>(end - cursor));
    }

    const Mp4Header header = mp4_header(recording.size);
    for (std::uint64_t position = offset; position < header.length && position < offset + count;
         ++position) {
        out[static_cast<std::size_t>(position - offset)] = header.bytes[position];
    }
}

}  // namespace cradle::hw::sim
