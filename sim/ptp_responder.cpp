// SPDX-License-Identifier: Apache-2.0
#include "sim/ptp_responder.hpp"

#include "hw/ptp/datasets.hpp"

#include <algorithm>
#include <functional>
#include <string_view>
#include <utility>

namespace cradle::hw::sim {

namespace ptp = hw::ptp;

namespace {

constexpr std::uint32_t kStorageId = 0x00010001;
constexpr std::uint32_t kAllStorages = 0xFFFFFFFF;
constexpr std::uint32_t kRootOnly = 0xFFFFFFFF;
// GetPartialObject pieces the device serves at most (hosts ask ~1 MiB).
constexpr std::uint32_t kMaxPartialBytes = 16u << 20;
// A listing the device builds in memory; larger claims are served as a synthetic stream.
constexpr std::size_t kMaxListed = 1 << 16;
constexpr std::size_t kMaxPendingEvents = 64;
// Property values are all the host ever sends.
constexpr std::uint32_t kMaxDataOutBytes = 64 * 1024;
// MTP's vendor extension, so that MTP tools recognise the device.
constexpr std::uint32_t kMtpVendorExtension = 6;

const std::vector<std::uint16_t> kOperations = {
    ptp::op::get_device_info,
    ptp::op::open_session,
    ptp::op::close_session,
    ptp::op::get_storage_ids,
    ptp::op::get_storage_info,
    ptp::op::get_num_objects,
    ptp::op::get_object_handles,
    ptp::op::get_object_info,
    ptp::op::get_object,
    ptp::op::delete_object,
    ptp::op::get_device_prop_value,
    ptp::op::set_device_prop_value,
    ptp::op::get_partial_object,
    ptp::op::android_get_partial_object_64,
};

std::uint16_t format_of(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return ptp::format::undefined;
    std::string extension;
    for (char c : name.substr(dot + 1)) {
        extension += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    if (extension == "MP4") return ptp::format::mp4;
    if (extension == "WAV") return ptp::format::wav;
    if (extension == "AVI") return ptp::format::avi;
    if (extension == "JPG" || extension == "JPEG") return ptp::format::jpeg;
    if (extension == "3GP") return ptp::format::three_gp;
    return ptp::format::undefined;
}

void put_u32(std::span<std::byte> out, std::uint32_t value) {
    for (std::size_t i = 0; i < 4; ++i) out[i] = static_cast<std::byte>(value >> (8 * i));
}

}  // namespace

// One container on its way to the host: bytes held in memory, then (for objects and very
// long handle lists) bytes produced on demand so nothing large is held.
struct PtpResponder::Outgoing {
    std::vector<std::byte> head;
    std::uint64_t produced_bytes = 0;
    // Fills `out` with the payload from `offset`; device reads end by `deadline` (the host's
    // transfer timeout), so a hung camera holds its link no longer than the host waits.
    std::function<void(std::uint64_t offset, std::span<std::byte> out, Deadline deadline)> produce;
    std::uint64_t sent = 0;
    bool is_data = false;
    std::uint64_t total() const { return head.size() + produced_bytes; }
};

struct PtpResponder::State {
    bool session_open = false;
    int commands = 0;
    int busy_left = 0;
    bool stale_sent = false;
    std::uint32_t last_transaction_id = 0;
    std::vector<std::uint32_t> cancelled;

    // A command waiting for its data phase from the host.
    struct DataOut {
        std::uint16_t operation = 0;
        std::uint32_t transaction_id = 0;
        std::vector<std::uint32_t> params;
        std::uint64_t expected = 0;  // header + payload
        std::vector<std::byte> bytes;
    };
    std::optional<DataOut> data_out;

    std::deque<Outgoing> out;
    bool zlp_pending = false;
    bool bulk_in_halted = false;
    std::uint64_t data_bytes_sent = 0;
    bool data_stall_done = false;
    bool data_stall_next = false;
    std::deque<std::vector<std::byte>> events;

    bool listed = false;
    std::vector<RecordingInfo> listing;
};

PtpResponder::PtpResponder(std::shared_ptr<SimCamera> camera, PtpFaults faults,
                           std::size_t max_packet_size)
    : camera_(std::move(camera)),
      faults_(faults),
      max_packet_size_(max_packet_size == 0 ? 512 : max_packet_size),
      state_(std::make_unique<State>()) {
    state_->busy_left = faults_.busy_responses;
}

PtpResponder::~PtpResponder() = default;

std::string PtpResponder::artist_value() const {
    return faults_.artist.value_or(camera_->spec().officer_id);
}

void PtpResponder::check_plugged() const {
    if (!camera_->plugged()) {
        throw DeviceError(DeviceError::Kind::gone,
                          "camera " + camera_->spec().serial + " is unplugged");
    }
}

void PtpResponder::respond(std::uint16_t code, std::uint32_t transaction_id,
                           std::vector<std::uint32_t> params) {
    Outgoing response;
    response.head =
        ptp::encode_params_container(ptp::ContainerType::response, code, transaction_id, params);
    state_->out.push_back(std::move(response));
}

void PtpResponder::send_data(std::uint16_t operation, std::uint32_t transaction_id,
                             std::vector<std::byte> payload) {
    Outgoing data;
    data.is_data = true;
    data.head = ptp::encode_data_header(operation, transaction_id, payload.size());
    if (faults_.unknown_data_length) {
        put_u32(data.head, ptp::kUnknownLength);
    } else if (faults_.lie_data_length) {
        put_u32(data.head, static_cast<std::uint32_t>(ptp::kHeaderSize + payload.size() / 2));
    }
    data.head.insert(data.head.end(), payload.begin(), payload.end());
    state_->out.push_back(std::move(data));
}

void PtpResponder::refresh_listing(Deadline deadline) {
    state_->listing = camera_->list_recordings(kMaxListed, deadline);
    state_->listed = true;
}

void PtpResponder::bulk_out(std::span<const std::byte> data, Deadline deadline) {
    std::lock_guard lock(mutex_);
    check_plugged();
    State& state = *state_;
    if (state.data_out) {
        auto& pending = *state.data_out;
        pending.bytes.insert(pending.bytes.end(), data.begin(), data.end());
        if (pending.expected == ptp::kHeaderSize && pending.bytes.size() >= ptp::kHeaderSize) {
            ptp::ContainerHeader header;
            try {
                header = ptp::parse_header(pending.bytes);
            } catch (const ptp::PtpFormatError&) {
                state.data_out.reset();  // not a data phase: the transaction is dropped
                return;
            }
            if (header.type != ptp::ContainerType::data ||
                header.transaction_id != pending.transaction_id ||
                header.length == ptp::kUnknownLength || header.length > kMaxDataOutBytes) {
                state.data_out.reset();
                return;
            }
            pending.expected = header.length;
        }
        if (pending.bytes.size() < pending.expected) return;
        State::DataOut complete = std::move(pending);
        state.data_out.reset();
        const auto payload = std::span<const std::byte>(complete.bytes).subspan(ptp::kHeaderSize);
        serve(complete.operation, complete.transaction_id, complete.params, payload, deadline);
        return;
    }
    ptp::ParamsContainer command;
    try {
        command = ptp::parse_params_container(data);
    } catch (const ptp::PtpFormatError&) {
        return;  // not a command: a device ignores it
    }
    if (command.header.type != ptp::ContainerType::command) return;
    handle_command(command.header.code, command.header.transaction_id, command.params, {},
                   deadline);
}

void PtpResponder::handle_command(std::uint16_t operation, std::uint32_t transaction_id,
                                  const std::vector<std::uint32_t>& params,
                                  std::span<const std::byte>, Deadline deadline) {
    State& state = *state_;
    ++state.commands;
    state.last_transaction_id = transaction_id;
    if (faults_.stall_bulk_in_at_op &&
        (state.commands == *faults_.stall_bulk_in_at_op ||
         (faults_.stall_bulk_in_for_good && state.commands > *faults_.stall_bulk_in_at_op))) {
        state.bulk_in_halted = true;
        return;
    }
    if (state.busy_left > 0) {
        --state.busy_left;
        respond(ptp::rc::device_busy, transaction_id);
        return;
    }
    if (faults_.stale_response_first && !state.stale_sent && transaction_id >= 2) {
        state.stale_sent = true;
        respond(ptp::rc::ok, transaction_id - 1);
    }
    if (operation == ptp::op::set_device_prop_value) {
        State::DataOut pending;
        pending.operation = operation;
        pending.transaction_id = transaction_id;
        pending.params = params;
        pending.expected = ptp::kHeaderSize;
        state.data_out = std::move(pending);
        return;
    }
    serve(operation, transaction_id, params, {}, deadline);
}

void PtpResponder::serve(std::uint16_t operation, std::uint32_t transaction_id,
                         const std::vector<std::uint32_t>& params,
                         std::span<const std::byte> data_out, Deadline deadline) {
    State& state = *state_;
    const auto param = [&](std::size_t index) -> std::uint32_t {
        return index < params.size() ? params[index] : 0;
    };
    if (operation != ptp::op::get_device_info && operation != ptp::op::open_session &&
        !state.session_open) {
        respond(ptp::rc::session_not_open, transaction_id);
        return;
    }
    const auto find_listed = [&](std::uint32_t handle) -> const RecordingInfo* {
        if (!state.listed) refresh_listing(deadline);
        for (const auto& recording : state.listing) {
            if (recording.handle == handle) return &recording;
        }
        return nullptr;
    };

    try {
        switch (operation) {
            case ptp::op::get_device_info: {
                const DeviceIdentity identity = camera_->identify(deadline);
                ptp::DeviceInfo info;
                info.vendor_extension_id = kMtpVendorExtension;
                info.vendor_extension_version = 100;
                info.vendor_extension_desc = "microsoft.com: 1.0";
                info.operations_supported = kOperations;
                if (!faults_.no_object_size) {
                    info.operations_supported.push_back(ptp::op::mtp_get_object_prop_value);
                }
                info.events_supported = {ptp::event::object_added, ptp::event::object_removed,
                                         ptp::event::store_full, ptp::event::device_info_changed,
                                         ptp::event::device_prop_changed};
                info.device_properties_supported = {ptp::prop::battery_level, ptp::prop::date_time};
                // Artist is listed only by a camera that holds an officer ID, as on a camera
                // whose owner field was never set.
                if (!artist_value().empty() || faults_.artist_truncated || faults_.artist_refused) {
                    info.device_properties_supported.push_back(ptp::prop::artist);
                }
                info.capture_formats = {ptp::format::mp4};
                info.image_formats = {ptp::format::mp4, ptp::format::wav, ptp::format::jpeg,
                                      ptp::format::undefined};
                info.manufacturer = identity.manufacturer;
                info.model = identity.model;
                info.device_version = identity.firmware;
                info.serial_number = identity.serial;
                send_data(operation, transaction_id, ptp::encode_device_info(info));
                respond(ptp::rc::ok, transaction_id);
                return;
            }
            case ptp::op::open_session:
                if (param(0) == 0) {
                    respond(ptp::rc::invalid_parameter, transaction_id);
                } else if (state.session_open) {
                    respond(ptp::rc::session_already_open, transaction_id, {param(0)});
                } else {
                    state.session_open = true;
                    state.listed = false;
                    respond(ptp::rc::ok, transaction_id);
                }
                return;
            case ptp::op::close_session:
                state.session_open = false;
                respond(ptp::rc::ok, transaction_id);
                return;
            case ptp::op::get_storage_ids: {
                ptp::DataWriter writer;
                const std::uint32_t ids[] = {kStorageId};
                writer.u32_array(ids);
                send_data(operation, transaction_id, writer.take());
                respond(ptp::rc::ok, transaction_id);
                return;
            }
            case ptp::op::get_storage_info: {
                if (param(0) != kStorageId) {
                    respond(ptp::rc::invalid_storage_id, transaction_id);
                    return;
                }
                const DeviceHealth health = camera_->peek_health(deadline);
                ptp::StorageInfo info;
                info.storage_type = 0x0003;     // fixed RAM
                info.filesystem_type = 0x0002;  // generic hierarchical
                info.access_capability = 0x0000;
                info.max_capacity = health.storage_total_bytes;
                info.free_space_bytes = health.storage_free_bytes;
                info.free_space_images = 0xFFFFFFFF;
                info.description = "Internal storage";
                info.volume_label = camera_->spec().serial;
                send_data(operation, transaction_id, ptp::encode_storage_info(info));
                respond(ptp::rc::ok, transaction_id);
                return;
            }
            case ptp::op::get_num_objects:
            case ptp::op::get_object_handles: {
                const std::uint32_t storage = param(0);
                const std::uint32_t format = param(1);
                const std::uint32_t parent = param(2);
                if (storage != kAllStorages && storage != kStorageId) {
                    respond(ptp::rc::invalid_storage_id, transaction_id);
                    return;
                }
                // No folders here: every object sits at the root, and no object is a parent.
                if (parent != 0 && parent != kRootOnly) {
                    respond(ptp::rc::invalid_parent_object, transaction_id);
                    return;
                }
                std::optional<std::uint64_t> claimed;
                if (faults_.claim_handles) claimed = *faults_.claim_handles;
                const auto& camera_faults = camera_->spec().faults;
                if (camera_faults.claim_count && *camera_faults.claim_count > kMaxListed) {
                    claimed = std::min<std::uint64_t>(*camera_faults.claim_count, 0xFFFFFFFFu);
                    try {
                        camera_->list_recordings(kMaxListed, deadline);  // counts the operation
                    } catch (const DeviceError& error) {
                        if (error.kind() != DeviceError::Kind::protocol) throw;
                    }
                }
                if (!claimed) refresh_listing(deadline);
                std::vector<std::uint32_t> handles;
                if (!claimed) {
                    for (const auto& recording : state.listing) {
                        if (format == 0 || format_of(recording.name) == format) {
                            handles.push_back(recording.handle);
                        }
                    }
                }
                const std::uint64_t count = claimed ? *claimed : handles.size();
                if (operation == ptp::op::get_num_objects) {
                    respond(ptp::rc::ok, transaction_id, {static_cast<std::uint32_t>(count)});
                    return;
                }
                if (!claimed) {
                    ptp::DataWriter writer;
                    writer.u32_array(handles);
                    send_data(operation, transaction_id, writer.take());
                    respond(ptp::rc::ok, transaction_id);
                    return;
                }
                // A hostile count: the list is produced as the host reads it, never held.
                Outgoing data;
                data.is_data = true;
                data.head = ptp::encode_data_header(operation, transaction_id, 4 + 4 * count);
                const std::size_t count_at = data.head.size();
                data.head.resize(count_at + 4);
                put_u32(std::span(data.head).subspan(count_at), static_cast<std::uint32_t>(count));
                data.produced_bytes = 4 * count;
                data.produce = [](std::uint64_t offset, std::span<std::byte> out, Deadline) {
                    for (std::size_t i = 0; i < out.size(); ++i) {
                        const std::uint64_t at = offset + i;
                        const auto handle = static_cast<std::uint32_t>(at / 4 + 1);
                        out[i] = static_cast<std::byte>(handle >> (8 * (at % 4)));
                    }
                };
                state.out.push_back(std::move(data));
                respond(ptp::rc::ok, transaction_id);
                return;
            }
            case ptp::op::get_object_info: {
                const RecordingInfo* recording = find_listed(param(0));
                if (!recording) {
                    respond(ptp::rc::invalid_object_handle, transaction_id);
                    return;
                }
                ptp::ObjectInfo info;
                info.storage_id = kStorageId;
                info.object_format = format_of(recording->name);
                info.compressed_size = recording->size >= 0xFFFFFFFFu || faults_.size_4gib_minus_1
                                           ? 0xFFFFFFFFu
                                           : static_cast<std::uint32_t>(recording->size);
                info.parent_object = 0;
                info.filename = faults_.traversal_names
                                    ? "../../etc/passwd-" + std::to_string(recording->handle)
                                    : recording->name;
                info.capture_date = faults_.bad_datetime
                                        ? "2026-13-45 25:61"
                                        : ptp::format_ptp_datetime(recording->captured_unix_s, 0);
                info.modification_date = info.capture_date;
                send_data(operation, transaction_id, ptp::encode_object_info(info));
                respond(ptp::rc::ok, transaction_id);
                return;
            }
            case ptp::op::mtp_get_object_prop_value: {
                if (faults_.no_object_size) {
                    respond(ptp::rc::operation_not_supported, transaction_id);
                    return;
                }
                const RecordingInfo* recording = find_listed(param(0));
                if (!recording) {
                    respond(ptp::rc::invalid_object_handle, transaction_id);
                } else if (param(1) != ptp::mtp_prop::object_size) {
                    respond(ptp::rc::parameter_not_supported, transaction_id);
                } else {
                    send_data(operation, transaction_id,
                              ptp::encode_prop_value(ptp::datatype::uint64,
                                                     ptp::PropValue(recording->size)));
                    respond(ptp::rc::ok, transaction_id);
                }
                return;
            }
            case ptp::op::get_object: {
                const RecordingInfo* recording = find_listed(param(0));
                if (!recording) {
                    respond(ptp::rc::invalid_object_handle, transaction_id);
                    return;
                }
                // The object is read from storage as the host takes it.
                const std::uint32_t handle = recording->handle;
                Outgoing data;
                data.is_data = true;
                data.head = ptp::encode_data_header(operation, transaction_id, recording->size);
                if (faults_.unknown_data_length) put_u32(data.head, ptp::kUnknownLength);
                data.produced_bytes = recording->size;
                data.produce = [camera = camera_, handle](std::uint64_t offset,
                                                          std::span<std::byte> out,
                                                          Deadline deadline) {
                    std::size_t done = 0;
                    while (done < out.size()) {
                        const std::size_t got =
                            camera->read(handle, offset + done, out.subspan(done), deadline);
                        if (got == 0) break;
                        done += got;
                    }
                    // Shorter than it said: the rest reads as zeros, as a lying device's would.
                    std::fill(out.begin() + static_cast<std::ptrdiff_t>(done), out.end(),
                              std::byte{0});
                };
                state.out.push_back(std::move(data));
                respond(ptp::rc::ok, transaction_id);
                return;
            }
            case ptp::op::get_partial_object:
            case ptp::op::android_get_partial_object_64: {
                const bool wide = operation == ptp::op::android_get_partial_object_64;
                const std::uint64_t offset =
                    wide ? (static_cast<std::uint64_t>(param(2)) << 32 | param(1)) : param(1);
                const std::uint32_t asked = std::min(wide ? param(3) : param(2), kMaxPartialBytes);
                std::vector<std::byte> bytes(asked);
                const std::size_t got = camera_->read(param(0), offset, bytes, deadline);
                bytes.resize(got);
                send_data(operation, transaction_id, std::move(bytes));
                respond(ptp::rc::ok, transaction_id, {static_cast<std::uint32_t>(got)});
                return;
            }
            case ptp::op::delete_object: {
                const std::uint32_t handle = param(0);
                camera_->remove(handle, deadline);
                std::erase_if(state.listing,
                              [&](const RecordingInfo& r) { return r.handle == handle; });
                if (state.events.size() < kMaxPendingEvents) {
                    const std::uint32_t event_params[] = {handle};
                    state.events.push_back(ptp::encode_params_container(
                        ptp::ContainerType::event, ptp::event::object_removed, ptp::kNoTransaction,
                        event_params));
                }
                respond(ptp::rc::ok, transaction_id);
                return;
            }
            case ptp::op::get_device_prop_value: {
                if (param(0) == ptp::prop::battery_level) {
                    const DeviceHealth health = camera_->health(deadline);
                    const int level = faults_.battery_level.value_or(health.battery_percent);
                    send_data(
                        operation, transaction_id,
                        ptp::encode_prop_value(
                            ptp::datatype::uint8,
                            ptp::PropValue(static_cast<std::uint64_t>(std::clamp(level, 0, 255)))));
                } else if (param(0) == ptp::prop::artist && !faults_.artist_refused &&
                           (!artist_value().empty() || faults_.artist_truncated)) {
                    auto value = ptp::encode_prop_value(ptp::datatype::string,
                                                        ptp::PropValue(artist_value()));
                    if (faults_.artist_truncated) value.resize(value.size() / 2);
                    send_data(operation, transaction_id, std::move(value));
                } else if (param(0) == ptp::prop::date_time) {
                    const auto now = camera_->clock(deadline);
                    const std::int64_t unix_s =
                        std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
                    const std::string text = faults_.bad_datetime
                                                 ? std::string("2026-13-45 25:61")
                                                 : ptp::format_ptp_datetime(unix_s, 0);
                    send_data(operation, transaction_id,
                              ptp::encode_prop_value(ptp::datatype::string, ptp::PropValue(text)));
                } else {
                    respond(ptp::rc::device_prop_not_supported, transaction_id);
                    return;
                }
                respond(ptp::rc::ok, transaction_id);
                return;
            }
            case ptp::op::set_device_prop_value: {
                if (param(0) == ptp::prop::battery_level) {
                    respond(ptp::rc::access_denied, transaction_id);
                    return;
                }
                if (param(0) == ptp::prop::artist) {
                    respond(ptp::rc::access_denied, transaction_id);
                    return;
                }
                if (param(0) != ptp::prop::date_time) {
                    respond(ptp::rc::device_prop_not_supported, transaction_id);
                    return;
                }
                std::int64_t unix_s = 0;
                try {
                    const auto value = ptp::parse_prop_value(ptp::datatype::string, data_out);
                    unix_s = ptp::parse_ptp_datetime(std::get<std::string>(value), 0);
                } catch (const ptp::PtpFormatError&) {
                    respond(ptp::rc::invalid_device_prop_value, transaction_id);
                    return;
                }
                camera_->set_clock(
                    std::chrono::system_clock::time_point(std::chrono::seconds(unix_s)), deadline);
                respond(ptp::rc::ok, transaction_id);
                return;
            }
            default:
                respond(ptp::rc::operation_not_supported, transaction_id);
                return;
        }
    } catch (const DeviceError& error) {
        switch (error.kind()) {
            case DeviceError::Kind::gone:
                throw;
            case DeviceError::Kind::timeout:
                return;  // a hung camera answers nothing
            case DeviceError::Kind::refused:
                respond(ptp::rc::object_write_protected, transaction_id);
                return;
            case DeviceError::Kind::io:
            case DeviceError::Kind::protocol:
                respond(ptp::rc::general_error, transaction_id);
                return;
        }
    }
}

std::optional<std::vector<std::byte>> PtpResponder::bulk_in(std::size_t max_bytes,
                                                            Deadline deadline) {
    std::lock_guard lock(mutex_);
    check_plugged();
    State& state = *state_;
    if (state.bulk_in_halted) throw ptp::EndpointStall(ptp::Endpoint::bulk_in);
    if (state.zlp_pending) {
        state.zlp_pending = false;
        return std::vector<std::byte>{};
    }
    if (state.out.empty()) return std::nullopt;
    Outgoing& front = state.out.front();
    std::uint64_t count = std::min<std::uint64_t>(max_bytes, front.total() - front.sent);
    if (faults_.split_header && front.is_data && front.sent == 0) {
        count = std::min<std::uint64_t>(count, ptp::kHeaderSize);
    }
    if (faults_.stall_bulk_in_at_data_byte && !state.data_stall_done && front.is_data) {
        if (state.data_stall_next) {
            state.data_stall_done = true;
            state.bulk_in_halted = true;
            throw ptp::EndpointStall(ptp::Endpoint::bulk_in);
        }
        // The transfer that reaches the point carries the whole packets before it; the next
        // one stalls, in the middle of the container.
        const std::uint64_t at = *faults_.stall_bulk_in_at_data_byte;
        if (state.data_bytes_sent + count > at) {
            const std::uint64_t before = at - std::min(at, state.data_bytes_sent);
            const std::uint64_t part = before / max_packet_size_ * max_packet_size_;
            if (part > ptp::kHeaderSize) {
                count = part;
                state.data_stall_next = true;
            }
        }
    }
    if (front.is_data) state.data_bytes_sent += count;
    std::vector<std::byte> transfer(static_cast<std::size_t>(count));
    std::size_t filled = 0;
    if (front.sent < front.head.size()) {
        const std::size_t from_head = static_cast<std::size_t>(
            std::min<std::uint64_t>(count, front.head.size() - front.sent));
        std::copy_n(front.head.begin() + static_cast<std::ptrdiff_t>(front.sent), from_head,
                    transfer.begin());
        filled = from_head;
    }
    if (filled < transfer.size()) {
        const std::uint64_t produced_offset = front.sent + filled - front.head.size();
        try {
            front.produce(produced_offset, std::span(transfer).subspan(filled), deadline);
        } catch (const DeviceError& error) {
            if (error.kind() == DeviceError::Kind::gone) throw;
            // The device gives up on the data phase.
            state.out.clear();
            state.bulk_in_halted = true;
            throw ptp::EndpointStall(ptp::Endpoint::bulk_in);
        }
    }
    front.sent += count;
    if (front.sent == front.total()) {
        state.out.pop_front();
        if (count > 0 && count % max_packet_size_ == 0) state.zlp_pending = true;
    }
    return transfer;
}

std::optional<std::vector<std::byte>> PtpResponder::interrupt_in(std::size_t max_bytes) {
    std::lock_guard lock(mutex_);
    check_plugged();
    State& state = *state_;
    std::vector<std::byte> event;
    if (faults_.endless_events) {
        const std::uint32_t params[] = {ptp::prop::battery_level};
        event =
            ptp::encode_params_container(ptp::ContainerType::event, ptp::event::device_prop_changed,
                                         ptp::kNoTransaction, params);
    } else {
        if (state.events.empty()) return std::nullopt;
        event = std::move(state.events.front());
        state.events.pop_front();
    }
    if (event.size() > max_bytes) event.resize(max_bytes);
    return event;
}

bool PtpResponder::halted(ptp::Endpoint endpoint) const {
    std::lock_guard lock(mutex_);
    return endpoint == ptp::Endpoint::bulk_in && state_->bulk_in_halted;
}

void PtpResponder::clear_halt(ptp::Endpoint endpoint) {
    std::lock_guard lock(mutex_);
    check_plugged();
    if (endpoint != ptp::Endpoint::bulk_in) return;
    // The stalled transaction is over: nothing of it is sent any more.
    state_->bulk_in_halted = false;
    state_->out.clear();
    state_->zlp_pending = false;
}

void PtpResponder::cancel(std::uint32_t transaction_id) {
    std::lock_guard lock(mutex_);
    check_plugged();
    state_->cancelled.push_back(transaction_id);
    state_->out.clear();
    state_->zlp_pending = false;
    state_->data_out.reset();
}

void PtpResponder::reset() {
    std::lock_guard lock(mutex_);
    check_plugged();
    auto fresh = std::make_unique<State>();
    fresh->commands = state_->commands;
    fresh->cancelled = std::move(state_->cancelled);
    state_ = std::move(fresh);
}

std::vector<std::uint16_t> PtpResponder::status() const {
    std::lock_guard lock(mutex_);
    check_plugged();
    if (state_->bulk_in_halted) {
        constexpr std::uint16_t kBulkInEndpointAddress = 0x81;
        return {ptp::rc::transaction_cancelled, kBulkInEndpointAddress};
    }
    return {ptp::rc::ok};
}

std::uint32_t PtpResponder::last_transaction_id() const {
    std::lock_guard lock(mutex_);
    return state_->last_transaction_id;
}

int PtpResponder::commands() const {
    std::lock_guard lock(mutex_);
    return state_->commands;
}

std::vector<std::uint32_t> PtpResponder::cancelled() const {
    std::lock_guard lock(mutex_);
    return state_->cancelled;
}

SimPtpTransport::SimPtpTransport(std::shared_ptr<PtpResponder> responder)
    : responder_(std::move(responder)) {}

void SimPtpTransport::bulk_out(std::span<const std::byte> data, Deadline deadline) {
    responder_->bulk_out(data, deadline);
}

std::size_t SimPtpTransport::bulk_in(std::span<std::byte> buffer, Deadline deadline) {
    const auto transfer = responder_->bulk_in(buffer.size(), deadline);
    // The device answers inside bulk_out: when it has nothing now, nothing will come.
    if (!transfer) {
        throw DeviceError(DeviceError::Kind::timeout,
                          "camera " + responder_->camera().spec().serial +
                              " sent nothing on bulk-in before the deadline");
    }
    std::copy(transfer->begin(), transfer->end(), buffer.begin());
    return transfer->size();
}

std::size_t SimPtpTransport::interrupt_in(std::span<std::byte> buffer, Deadline) {
    const auto transfer = responder_->interrupt_in(buffer.size());
    if (!transfer) return 0;
    std::copy(transfer->begin(), transfer->end(), buffer.begin());
    return transfer->size();
}

std::size_t SimPtpTransport::max_packet_size() const {
    return responder_->max_packet_size();
}

void SimPtpTransport::clear_halt(ptp::Endpoint endpoint, Deadline) {
    responder_->clear_halt(endpoint);
}

void SimPtpTransport::cancel_transaction(std::uint32_t transaction_id, Deadline) {
    responder_->cancel(transaction_id);
}

void SimPtpTransport::reset_device(Deadline) {
    responder_->reset();
}

std::vector<std::uint16_t> SimPtpTransport::device_status(Deadline) {
    return responder_->status();
}

}  // namespace cradle::hw::sim
