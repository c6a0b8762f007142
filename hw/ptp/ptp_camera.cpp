// SPDX-License-Identifier: Apache-2.0
#include "hw/ptp/ptp_camera.hpp"

#include "common/utf8.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <string_view>
#include <utility>

namespace cradle::hw::ptp {
namespace {

using namespace std::chrono_literals;

// Datasets are a few hundred bytes (four strings of at most 255 UCS-2 units and some
// integers); vendors append fields, which this leaves room for.
constexpr std::size_t kMaxDatasetBytes = 64 * 1024;
constexpr std::size_t kMaxPropValueBytes = 1024;
constexpr std::size_t kStorageIdsBytes = 4 + 4 * kMaxStorageIds;
constexpr std::uint32_t kAllStorages = 0xFFFFFFFF;
constexpr std::uint32_t kAllFormats = 0;
constexpr std::uint32_t kAnyParent = 0;
constexpr std::uint32_t kUnknownSize = 0xFFFFFFFF;
constexpr std::uint64_t kFourGiB = 1ull << 32;
// How long a listing waits for the first pending event; events are advisory.
constexpr auto kEventWait = 5ms;
constexpr auto kCloseGrace = 200ms;

DeviceError protocol_error(const std::string& what) {
    return DeviceError(DeviceError::Kind::protocol, what);
}

// Device text in a message: printable ASCII as is, other bytes escaped, and not too long to
// read in a log line.
std::string sanitized(std::string_view text) {
    constexpr std::size_t kMaxShown = 64;
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\x%02X", c);
            out += escape;
        }
    }
    if (text.size() > kMaxShown) out += "...";
    return out;
}

// Every parser of device data reports PtpFormatError; the driver's callers see DeviceError.
template <typename Call>
auto device_data(Call&& call) -> decltype(call()) {
    try {
        return call();
    } catch (const PtpFormatError& error) {
        throw protocol_error(std::string("camera sent malformed data: ") + error.what());
    }
}

std::uint64_t integer_value(const PropValue& value, std::string_view what) {
    const auto* number = std::get_if<std::uint64_t>(&value);
    if (!number) throw protocol_error("camera sent a string for " + std::string(what));
    return *number;
}

std::string string_value(const PropValue& value, std::string_view what) {
    const auto* text = std::get_if<std::string>(&value);
    if (!text) throw protocol_error("camera sent a number for " + std::string(what));
    return *text;
}

// An officer ID as the register would hold it: trimmed printable text. Anything else is not an
// ID the cradle can vouch for, so it reads as none.
std::string officer_id_or_none(std::string_view text) {
    const auto first = text.find_first_not_of(' ');
    if (first == std::string_view::npos) return {};
    text = text.substr(first, text.find_last_not_of(' ') - first + 1);
    if (text.size() > kMaxOfficerIdBytes) return {};
    // The PTP string reader yields valid UTF-8, with U+FFFD (EF BF BD) for broken UTF-16.
    if (text.find("\xEF\xBF\xBD") != std::string_view::npos) return {};
    if (has_control_characters(text)) return {};
    return std::string(text);
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    return b > std::numeric_limits<std::uint64_t>::max() - a
               ? std::numeric_limits<std::uint64_t>::max()
               : a + b;
}

}  // namespace

PtpCamera::PtpCamera(std::unique_ptr<PtpTransport> transport, PtpQuirks quirks)
    : transport_(std::move(transport)), session_(*transport_), quirks_(quirks) {
    if (quirks_.partial_object_bytes == 0) quirks_.partial_object_bytes = 1 << 20;
}

PtpCamera::~PtpCamera() {
    session_.close(SteadyClock::now() + kCloseGrace);
}

DeviceInfo PtpCamera::fetch_device_info(Deadline deadline) {
    const auto data = session_.command_in(op::get_device_info, {}, kMaxDatasetBytes, deadline);
    return device_data([&] { return parse_device_info(data); });
}

void PtpCamera::ensure_open(Deadline deadline) {
    if (!device_info_) device_info_ = fetch_device_info(deadline);
    if (!session_.is_open()) session_.open(deadline);
}

DeviceIdentity PtpCamera::identify(Deadline deadline) {
    // DeviceInfo is read afresh: a camera may report another firmware after an update.
    device_info_ = fetch_device_info(deadline);
    ensure_open(deadline);
    DeviceIdentity identity;
    identity.manufacturer = device_info_->manufacturer;
    identity.model = device_info_->model;
    identity.serial = device_info_->serial_number;
    identity.firmware = device_info_->device_version;
    identity.officer_id = fetch_officer_id(deadline);
    return identity;
}

std::string PtpCamera::fetch_officer_id(Deadline deadline) {
    if (!device_info_->supports_property(prop::artist)) return {};
    const std::array<std::uint32_t, 1> params{prop::artist};
    try {
        const auto data =
            session_.command_in(op::get_device_prop_value, params, kMaxPropValueBytes, deadline);
        const PropValue value = parse_prop_value(datatype::string, data);
        return officer_id_or_none(std::get<std::string>(value));
    } catch (const PtpFormatError&) {
        return {};
    } catch (const DeviceError& error) {
        // A refusal or a malformed answer costs the ID, not the dock; a camera that is gone or
        // silent fails here as it would at the next step.
        if (error.kind() == DeviceError::Kind::gone || error.kind() == DeviceError::Kind::timeout) {
            throw;
        }
        return {};
    }
}

DeviceHealth PtpCamera::health(Deadline deadline) {
    ensure_open(deadline);
    DeviceHealth health;
    // PTP has no charging state; a camera in a cradle bay is on its charger.
    health.charging = true;
    // A camera that does not report its battery reads as empty: nobody can vouch that it is
    // charged for duty.
    if (device_info_->supports_property(prop::battery_level)) {
        const std::array<std::uint32_t, 1> params{prop::battery_level};
        const auto data =
            session_.command_in(op::get_device_prop_value, params, kMaxPropValueBytes, deadline);
        const std::uint64_t level = integer_value(
            device_data([&] { return parse_prop_value(datatype::uint8, data); }), "BatteryLevel");
        if (level > 100) {
            throw protocol_error("camera reports a battery level of " + std::to_string(level) +
                                 "%, outside 0..100");
        }
        health.battery_percent = static_cast<int>(level);
    }

    const auto id_data = session_.command_in(op::get_storage_ids, {}, kStorageIdsBytes, deadline);
    const auto storage_ids = device_data([&] {
        DataReader reader(id_data);
        return reader.u32_array(kMaxStorageIds, "StorageIDs");
    });
    for (const std::uint32_t storage_id : storage_ids) {
        // A storage id with a zero low half names a slot with no medium in it.
        if ((storage_id & 0xFFFF) == 0) continue;
        const std::array<std::uint32_t, 1> params{storage_id};
        const auto data =
            session_.command_in(op::get_storage_info, params, kMaxDatasetBytes, deadline);
        const StorageInfo info = device_data([&] { return parse_storage_info(data); });
        health.storage_total_bytes = saturating_add(health.storage_total_bytes, info.max_capacity);
        health.storage_free_bytes =
            saturating_add(health.storage_free_bytes, info.free_space_bytes);
    }
    return health;
}

std::chrono::system_clock::time_point PtpCamera::clock(Deadline deadline) {
    ensure_open(deadline);
    const std::array<std::uint32_t, 1> params{prop::date_time};
    const auto data =
        session_.command_in(op::get_device_prop_value, params, kMaxPropValueBytes, deadline);
    const std::string text = string_value(
        device_data([&] { return parse_prop_value(datatype::string, data); }), "DateTime");
    std::int64_t unix_s = 0;
    try {
        unix_s = parse_ptp_datetime(text, quirks_.local_offset_s);
    } catch (const PtpFormatError& error) {
        throw protocol_error("camera DateTime \"" + sanitized(text) +
                             "\" does not parse: " + error.what());
    }
    return std::chrono::system_clock::time_point(std::chrono::seconds(unix_s));
}

void PtpCamera::set_clock(std::chrono::system_clock::time_point now, Deadline deadline) {
    ensure_open(deadline);
    const auto unix_s = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::vector<std::byte> value = encode_prop_value(
        datatype::string, PropValue(format_ptp_datetime(unix_s, quirks_.local_offset_s)));
    const std::array<std::uint32_t, 1> params{prop::date_time};
    session_.command(op::set_device_prop_value, params, deadline, value);
}

void PtpCamera::drain_events(Deadline deadline) {
    const Deadline wait = std::min(deadline, SteadyClock::now() + kEventWait);
    // Nothing the cradle does depends on an event: the listing that follows is the truth.
    (void)session_.poll_events(quirks_.max_events_per_listing, wait);
}

std::vector<std::uint32_t> PtpCamera::object_handles(std::size_t limit, Deadline deadline) {
    // The count is checked as soon as it arrives, so a camera claiming millions of objects
    // costs four bytes, not millions of handles.
    std::vector<std::byte> raw;
    std::uint64_t expected = 4;
    std::uint32_t count = 0;
    const std::function<void(std::span<const std::byte>)> sink =
        [&](std::span<const std::byte> piece) {
            while (!piece.empty()) {
                if (raw.size() < 4) {
                    const std::size_t take = std::min<std::size_t>(4 - raw.size(), piece.size());
                    raw.insert(raw.end(), piece.begin(), piece.begin() + take);
                    piece = piece.subspan(take);
                    if (raw.size() < 4) return;
                    // Little-endian on the wire.
                    count = static_cast<std::uint32_t>(raw[0]) |
                            static_cast<std::uint32_t>(raw[1]) << 8 |
                            static_cast<std::uint32_t>(raw[2]) << 16 |
                            static_cast<std::uint32_t>(raw[3]) << 24;
                    if (count > limit) {
                        throw protocol_error("camera lists " + std::to_string(count) +
                                             " objects, more than the limit " +
                                             std::to_string(limit));
                    }
                    expected = 4 + 4ull * count;
                    raw.reserve(static_cast<std::size_t>(expected));
                    continue;
                }
                if (raw.size() + piece.size() > expected) {
                    throw protocol_error("camera sent more object handles than the " +
                                         std::to_string(count) + " it announced");
                }
                raw.insert(raw.end(), piece.begin(), piece.end());
                return;
            }
        };
    const std::array<std::uint32_t, 3> params{kAllStorages, kAllFormats, kAnyParent};
    if (transfer_buffer_.empty()) transfer_buffer_.resize(quirks_.partial_object_bytes + 4096);
    session_.command_in_streamed(op::get_object_handles, params, 4 + 4ull * 0xFFFFFFFFull,
                                 transfer_buffer_, sink, deadline);
    if (raw.size() != expected) {
        throw protocol_error("object handle list cut short: " + std::to_string(raw.size()) +
                             " of " + std::to_string(expected) + " bytes");
    }
    return device_data([&] {
        DataReader reader(raw);
        return reader.u32_array(limit, "ObjectHandles");
    });
}

PtpCamera::ObjectSize PtpCamera::object_size(std::uint32_t handle, const ObjectInfo& info,
                                             std::map<std::uint32_t, std::uint64_t>& capacities,
                                             Deadline deadline) {
    if (info.compressed_size != kUnknownSize) return {info.compressed_size, true};
    if (device_info_->supports_operation(op::mtp_get_object_prop_value)) {
        const std::array<std::uint32_t, 2> params{handle, mtp_prop::object_size};
        try {
            const auto data = session_.command_in(op::mtp_get_object_prop_value, params,
                                                  kMaxPropValueBytes, deadline);
            return {
                integer_value(device_data([&] { return parse_prop_value(datatype::uint64, data); }),
                              "ObjectSize"),
                true};
        } catch (const PtpResponseError&) {
            // Listed but refused: the size is as unknown as without the operation.
        }
    }
    // No object is larger than the storage that holds it.
    auto capacity = capacities.find(info.storage_id);
    if (capacity == capacities.end()) {
        const std::array<std::uint32_t, 1> params{info.storage_id};
        const auto data =
            session_.command_in(op::get_storage_info, params, kMaxDatasetBytes, deadline);
        const StorageInfo storage = device_data([&] { return parse_storage_info(data); });
        capacity = capacities.emplace(info.storage_id, storage.max_capacity).first;
    }
    return {capacity->second, false};
}

std::vector<RecordingInfo> PtpCamera::list_recordings(std::size_t max_count, Deadline deadline) {
    ensure_open(deadline);
    drain_events(deadline);
    const std::size_t limit = std::min(max_count, quirks_.max_objects);
    const std::vector<std::uint32_t> handles = object_handles(limit, deadline);

    std::vector<RecordingInfo> recordings;
    std::map<std::uint32_t, ObjectSize> sizes;
    std::map<std::uint32_t, std::uint64_t> capacities;
    for (const std::uint32_t handle : handles) {
        const std::array<std::uint32_t, 1> params{handle};
        const auto data =
            session_.command_in(op::get_object_info, params, kMaxDatasetBytes, deadline);
        const ObjectInfo info = device_data([&] { return parse_object_info(data); });
        if (info.object_format == format::association) continue;  // a folder
        RecordingInfo recording;
        recording.handle = handle;
        recording.name = info.filename;
        const ObjectSize size = object_size(handle, info, capacities, deadline);
        recording.size = size.size;
        recording.size_known = size.known;
        // ObjectCompressedSize 0xFFFFFFFF says "4 GiB or more".
        if (!size.known) recording.size_at_least = kUnknownSize;
        // A capture time that does not parse is not worth failing the offload over: the
        // recording is archived all the same, with capture time 0 (unknown).
        for (const std::string* date : {&info.capture_date, &info.modification_date}) {
            if (date->empty()) continue;
            try {
                recording.captured_unix_s = parse_ptp_datetime(*date, quirks_.local_offset_s);
                break;
            } catch (const PtpFormatError&) {
            }
        }
        sizes[handle] = size;
        recordings.push_back(std::move(recording));
    }
    sizes_ = std::move(sizes);
    return recordings;
}

std::size_t PtpCamera::read(std::uint32_t handle, std::uint64_t offset, std::span<std::byte> out,
                            Deadline deadline) {
    ensure_open(deadline);
    if (out.empty()) return 0;
    if (const auto listed = sizes_.find(handle); listed != sizes_.end() && !listed->second.known) {
        return read_streamed(handle, listed->second.size, offset, out, deadline);
    }
    const std::uint32_t want = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(out.size(), quirks_.partial_object_bytes));
    std::size_t received = 0;
    const std::function<void(std::span<const std::byte>)> sink =
        [&](std::span<const std::byte> piece) {
            if (received + piece.size() > want) {
                throw protocol_error("camera sent more of recording " + std::to_string(handle) +
                                     " than the " + std::to_string(want) + " bytes asked for");
            }
            std::memcpy(out.data() + received, piece.data(), piece.size());
            received += piece.size();
        };
    if (transfer_buffer_.empty()) transfer_buffer_.resize(quirks_.partial_object_bytes + 4096);

    const auto transact = [&]() -> Response {
        if (offset < kFourGiB) {
            const std::array<std::uint32_t, 3> params{handle, static_cast<std::uint32_t>(offset),
                                                      want};
            return session_.command_in_streamed(op::get_partial_object, params, want,
                                                transfer_buffer_, sink, deadline);
        }
        if (quirks_.partial_object_64 &&
            device_info_->supports_operation(op::android_get_partial_object_64)) {
            const std::array<std::uint32_t, 4> params{handle, static_cast<std::uint32_t>(offset),
                                                      static_cast<std::uint32_t>(offset >> 32),
                                                      want};
            return session_.command_in_streamed(op::android_get_partial_object_64, params, want,
                                                transfer_buffer_, sink, deadline);
        }
        throw protocol_error("recording " + std::to_string(handle) +
                             " reaches beyond 4 GiB and the camera cannot read there "
                             "(no GetPartialObject64)");
    };
    Response response;
    try {
        response = transact();
    } catch (const PtpStallError&) {
        // A stall in the middle of the piece (the engine tried once more already when nothing
        // had arrived): the piece is read again from its offset, once.
        if (received == 0) throw;
        received = 0;
        response = transact();
    }
    if (response.params.empty() || response.params.front() != received) {
        throw protocol_error("camera says it sent " +
                             (response.params.empty()
                                  ? std::string("nothing")
                                  : std::to_string(response.params.front()) + " bytes") +
                             " of recording " + std::to_string(handle) + " but " +
                             std::to_string(received) + " arrived");
    }
    return received;
}

std::size_t PtpCamera::read_streamed(std::uint32_t handle, std::uint64_t bound,
                                     std::uint64_t offset, std::span<std::byte> out,
                                     Deadline deadline) {
    const bool here =
        object_stream_ && object_stream_->handle == handle && object_stream_->position == offset;
    if (here && object_stream_->ended) return 0;
    if (!here || !session_.data_in_open()) {
        object_stream_.reset();
        session_.cancel_data_in();
        // GetObject can only start at the beginning: anything else would hand out bytes of
        // another offset than asked for.
        if (offset != 0) {
            throw DeviceError(DeviceError::Kind::io,
                              "recording " + std::to_string(handle) +
                                  " has no known size and is read in one GetObject from its "
                                  "start; it cannot be read at offset " +
                                  std::to_string(offset));
        }
        if (transfer_buffer_.empty()) transfer_buffer_.resize(quirks_.partial_object_bytes + 4096);
        const std::array<std::uint32_t, 1> params{handle};
        session_.begin_data_in(op::get_object, params, bound, transfer_buffer_, deadline);
        object_stream_ = ObjectStream{handle, 0, false};
    }
    std::size_t got = 0;
    try {
        got = session_.read_data_in(out, deadline);
    } catch (...) {
        object_stream_.reset();
        throw;
    }
    object_stream_->position += got;
    object_stream_->ended = got == 0;
    return got;
}

void PtpCamera::remove(std::uint32_t handle, Deadline deadline) {
    ensure_open(deadline);
    const std::array<std::uint32_t, 2> params{handle, kAllFormats};
    session_.command(op::delete_object, params, deadline);
    sizes_.erase(handle);
}

}  // namespace cradle::hw::ptp
