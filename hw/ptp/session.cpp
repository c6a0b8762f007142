// SPDX-License-Identifier: Apache-2.0
#include "hw/ptp/session.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <utility>

namespace cradle::hw::ptp {
namespace {

using namespace std::chrono_literals;

// A response or event container: the header and at most five parameters.
constexpr std::size_t kMaxParamsContainerBytes = kHeaderSize + 4 * kMaxParams;
// Responses of older transactions (a device answering late after a cancel) that are skipped
// before the right one; more than this is a device that lost track.
constexpr int kMaxStaleContainers = 4;
constexpr std::uint64_t kMaxStaleDataBytes = 16u << 20;
// Zero-length packets tolerated before a container starts (one may trail a data phase).
constexpr int kMaxEmptyTransfers = 4;
constexpr std::size_t kOwnBufferBytes = 64 * 1024;
constexpr std::size_t kEventBufferBytes = 1024;
constexpr auto kFirstBusyBackoff = 5ms;
constexpr auto kMaxBusyBackoff = 200ms;
// Cancel, clear halt and device status run after a failure, possibly past the caller's
// deadline; they get this much more and no longer.
constexpr auto kCleanupGrace = 500ms;
constexpr int kMaxStatusPolls = 10;

std::string hex(std::uint32_t value, int digits) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%0*X", digits, value);
    return text;
}

std::string describe_operation(std::uint16_t operation) {
    return std::string(operation_name(operation)) + " (" + hex(operation, 4) + ")";
}

DeviceError protocol_error(std::uint16_t operation, const std::string& what) {
    return DeviceError(DeviceError::Kind::protocol,
                       "PTP " + describe_operation(operation) + ": " + what);
}

const char* container_type_name(ContainerType type) {
    switch (type) {
        case ContainerType::command:
            return "command";
        case ContainerType::data:
            return "data";
        case ContainerType::response:
            return "response";
        case ContainerType::event:
            return "event";
    }
    return "unknown";
}

const char* endpoint_name(Endpoint endpoint) {
    switch (endpoint) {
        case Endpoint::bulk_in:
            return "bulk-in";
        case Endpoint::bulk_out:
            return "bulk-out";
        case Endpoint::interrupt_in:
            return "interrupt-in";
    }
    return "unknown";
}

DeviceError::Kind kind_of_response(std::uint16_t response) {
    switch (response) {
        case rc::object_write_protected:
        case rc::store_read_only:
        case rc::access_denied:
            return DeviceError::Kind::refused;
        default:
            return DeviceError::Kind::io;
    }
}

// Transaction ids only grow (with a wrap), so an id a little behind the current one is a
// transaction the device still answers late.
bool is_older(std::uint32_t id, std::uint32_t current) {
    return id != current && current - id < 0x80000000u;
}

ContainerHeader parse_header_checked(std::span<const std::byte> bytes, std::uint16_t operation) {
    try {
        return parse_header(bytes);
    } catch (const PtpFormatError& error) {
        throw protocol_error(operation, error.what());
    }
}

// The part of a caller's buffer that holds whole packets: a bulk-in transfer into anything
// else could overflow on a real link.
std::span<std::byte> whole_packets(std::span<std::byte> buffer, std::size_t packet) {
    if (packet == 0) packet = 512;
    const std::size_t usable = buffer.size() - buffer.size() % packet;
    if (usable < kMaxParamsContainerBytes) {
        throw std::invalid_argument("PTP bulk-in buffer of " + std::to_string(buffer.size()) +
                                    " bytes holds no whole packet of " + std::to_string(packet));
    }
    return buffer.first(usable);
}

}  // namespace

PtpResponseError::PtpResponseError(std::uint16_t operation, std::uint16_t response)
    : DeviceError(kind_of_response(response), "camera answered " + describe_operation(operation) +
                                                  " with " + response_name(response) + " (" +
                                                  hex(response, 4) + ")"),
      operation_(operation),
      response_(response) {}

struct PtpSession::DataIn {
    std::uint64_t max_bytes = 0;
    std::span<std::byte> buffer;
    const std::function<void(std::span<const std::byte>)>* sink = nullptr;
    std::uint64_t delivered = 0;
};

namespace {

// Reads transfers until one starts a container (at least a whole header), skipping the
// zero-length packet that may trail a data phase. Returns the bytes in `buffer`.
std::size_t read_container_start(PtpTransport& transport, std::span<std::byte> buffer,
                                 Deadline deadline, std::uint16_t operation) {
    std::size_t have = 0;
    int empty = 0;
    while (have < kHeaderSize) {
        const std::size_t got = transport.bulk_in(buffer.subspan(have), deadline);
        if (got == 0) {
            if (have == 0 && ++empty <= kMaxEmptyTransfers) continue;
            throw protocol_error(operation, have == 0 ? "camera sent only empty transfers"
                                                      : "container header cut short after " +
                                                            std::to_string(have) + " bytes");
        }
        have += got;
    }
    return have;
}

// Reads and drops `count` bytes of a container already started.
void skip_bytes(PtpTransport& transport, std::span<std::byte> buffer, std::uint64_t count,
                Deadline deadline, std::uint16_t operation) {
    const std::size_t packet = std::max<std::size_t>(transport.max_packet_size(), 1);
    while (count > 0) {
        const std::uint64_t rounded = (count + packet - 1) / packet * packet;
        const auto ask = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), rounded));
        const std::size_t got = transport.bulk_in(buffer.first(ask), deadline);
        if (got == 0 || got > count) {
            throw protocol_error(operation,
                                 "a stale data container does not end where it "
                                 "declares");
        }
        count -= got;
    }
}

// The response container that ends a transaction, already read whole into `bytes`.
Response parse_response(std::uint16_t operation, std::uint32_t transaction_id,
                        std::span<const std::byte> bytes, const ContainerHeader& header) {
    if (header.type != ContainerType::response) {
        throw protocol_error(operation, std::string("expected a response, camera sent a ") +
                                            container_type_name(header.type) + " container");
    }
    if (header.transaction_id != transaction_id) {
        throw protocol_error(operation,
                             "response of transaction " + std::to_string(header.transaction_id) +
                                 " during transaction " + std::to_string(transaction_id));
    }
    if (header.length != bytes.size() || bytes.size() > kMaxParamsContainerBytes) {
        throw protocol_error(operation, "response container declares " +
                                            std::to_string(header.length) + " bytes but " +
                                            std::to_string(bytes.size()) + " arrived");
    }
    ParamsContainer parsed = parse_params_container(bytes);
    return {parsed.header.code, std::move(parsed.params)};
}

}  // namespace

std::uint32_t PtpSession::next_transaction_id() {
    // 0 belongs to OpenSession and 0xFFFFFFFF to events outside any transaction.
    transaction_id_ = transaction_id_ >= 0xFFFFFFFEu ? 1 : transaction_id_ + 1;
    return transaction_id_;
}

void PtpSession::open(Deadline deadline) {
    const std::array<std::uint32_t, 1> session_id{1};
    try {
        transact(op::open_session, session_id, deadline, {}, nullptr);
    } catch (const PtpResponseError& error) {
        if (error.response() != rc::session_already_open) throw;
    }
    transaction_id_ = 0;
    open_ = true;
}

void PtpSession::close(Deadline deadline) noexcept {
    if (!open_) return;
    open_ = false;
    try {
        transact(op::close_session, {}, deadline, {}, nullptr);
    } catch (...) {
        // The camera may already be gone; nothing depends on a clean close.
    }
}

Response PtpSession::command(std::uint16_t operation, std::span<const std::uint32_t> params,
                             Deadline deadline, std::span<const std::byte> data_out) {
    return transact(operation, params, deadline, data_out, nullptr);
}

std::vector<std::byte> PtpSession::command_in(std::uint16_t operation,
                                              std::span<const std::uint32_t> params,
                                              std::size_t max_bytes, Deadline deadline,
                                              Response* response) {
    if (buffer_.empty()) buffer_.resize(kOwnBufferBytes);
    std::vector<std::byte> data;
    const std::function<void(std::span<const std::byte>)> sink =
        [&data](std::span<const std::byte> piece) {
            data.insert(data.end(), piece.begin(), piece.end());
        };
    Response answer = command_in_streamed(operation, params, max_bytes, buffer_, sink, deadline);
    if (response) *response = std::move(answer);
    return data;
}

Response PtpSession::command_in_streamed(
    std::uint16_t operation, std::span<const std::uint32_t> params, std::uint64_t max_bytes,
    std::span<std::byte> buffer, const std::function<void(std::span<const std::byte>)>& sink,
    Deadline deadline) {
    DataIn data_in;
    data_in.max_bytes = max_bytes;
    data_in.buffer = whole_packets(buffer, transport_.max_packet_size());
    data_in.sink = &sink;
    return transact(operation, params, deadline, {}, &data_in);
}

Response PtpSession::transact(std::uint16_t operation, std::span<const std::uint32_t> params,
                              Deadline deadline, std::span<const std::byte> data_out,
                              DataIn* data_in) {
    if (stream_) cancel_data_in();
    auto backoff = std::chrono::duration_cast<SteadyClock::duration>(kFirstBusyBackoff);
    int stalls = 0;
    while (true) {
        const std::uint32_t transaction_id =
            operation == op::open_session ? 0 : next_transaction_id();
        Response response;
        try {
            response =
                transact_once(operation, transaction_id, params, deadline, data_out, data_in);
        } catch (const EndpointStall& stall) {
            clear_stall(stall.endpoint(), deadline);
            // A stall is the device's way of ending a transaction it could not complete; once
            // the halt is cleared the whole transaction is tried once more, with a new id. Not
            // when data already went to the caller: it would arrive twice.
            const bool data_seen = data_in && data_in->delivered > 0;
            if (++stalls == 1 && !data_seen) continue;
            throw PtpStallError("PTP " + describe_operation(operation) + ": camera stalled the " +
                                endpoint_name(stall.endpoint()) + " endpoint" +
                                (data_seen ? " in the middle of its data phase"
                                           : " again after the halt was cleared") +
                                " (halt cleared)");
        } catch (const DeviceError& error) {
            if (error.kind() != DeviceError::Kind::gone) abandon(transaction_id);
            throw;
        } catch (const PtpFormatError& error) {
            abandon(transaction_id);
            throw protocol_error(operation, error.what());
        } catch (...) {
            abandon(transaction_id);  // the caller's sink gave up on the data
            throw;
        }

        if (response.code == rc::ok) return response;
        // The camera lost the session (it was reset or rebooted): the next use opens it again.
        if (response.code == rc::session_not_open) open_ = false;
        const bool data_seen = data_in && data_in->delivered > 0;
        if (response.code != rc::device_busy || data_seen) {
            throw PtpResponseError(operation, response.code);
        }
        if (SteadyClock::now() + backoff >= deadline) {
            throw DeviceError(DeviceError::Kind::io, "PTP " + describe_operation(operation) +
                                                         ": camera stayed busy (DeviceBusy) "
                                                         "until the deadline");
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2,
                           std::chrono::duration_cast<SteadyClock::duration>(kMaxBusyBackoff));
    }
}

void PtpSession::clear_stall(Endpoint endpoint, Deadline deadline) {
    const Deadline grace = std::max(deadline, SteadyClock::now() + kCleanupGrace);
    try {
        transport_.clear_halt(endpoint, grace);
        transport_.device_status(grace);
    } catch (const DeviceError& error) {
        if (error.kind() == DeviceError::Kind::gone) throw;
    }
}

std::size_t PtpSession::start_transaction(std::uint16_t operation, std::uint32_t transaction_id,
                                          std::span<const std::uint32_t> params, Deadline deadline,
                                          std::span<const std::byte> data_out,
                                          std::span<std::byte> buffer, ContainerHeader& header) {
    transport_.bulk_out(
        encode_params_container(ContainerType::command, operation, transaction_id, params),
        deadline);
    if (!data_out.empty()) {
        std::vector<std::byte> container =
            encode_data_header(operation, transaction_id, data_out.size());
        container.insert(container.end(), data_out.begin(), data_out.end());
        transport_.bulk_out(container, deadline);
    }

    std::size_t got = 0;
    for (int stale = 0;; ++stale) {
        got = read_container_start(transport_, buffer, deadline, operation);
        header = parse_header_checked(buffer.first(got), operation);
        if (header.transaction_id == transaction_id) break;
        if (is_older(header.transaction_id, transaction_id) && stale < kMaxStaleContainers) {
            if (header.type == ContainerType::response && got <= kMaxParamsContainerBytes) {
                continue;
            }
            // The data of a transaction given up on (a device late to honour a cancel) is
            // read past, as long as it is no longer than a data phase the cradle asks for.
            if (header.type == ContainerType::data && header.length != kUnknownLength &&
                header.length - kHeaderSize <= kMaxStaleDataBytes && got <= header.length) {
                skip_bytes(transport_, buffer, header.length - got, deadline, operation);
                continue;
            }
        }
        throw protocol_error(
            operation, std::string("camera sent a ") + container_type_name(header.type) +
                           " container of transaction " + std::to_string(header.transaction_id) +
                           " during transaction " + std::to_string(transaction_id));
    }
    return got;
}

Response PtpSession::transact_once(std::uint16_t operation, std::uint32_t transaction_id,
                                   std::span<const std::uint32_t> params, Deadline deadline,
                                   std::span<const std::byte> data_out, DataIn* data_in) {
    if (!data_in && buffer_.empty()) buffer_.resize(kOwnBufferBytes);
    const std::span<std::byte> buffer =
        data_in ? data_in->buffer : whole_packets(buffer_, transport_.max_packet_size());
    ContainerHeader header;
    std::size_t got =
        start_transaction(operation, transaction_id, params, deadline, data_out, buffer, header);

    if (header.type == ContainerType::data) {
        if (!data_in) {
            throw protocol_error(operation,
                                 "camera sent a data phase to an operation that has "
                                 "none");
        }
        if (header.code != operation) {
            throw protocol_error(
                operation, "camera sent data of operation " + describe_operation(header.code));
        }
        DataIn& in = *data_in;
        const std::size_t packet = std::max<std::size_t>(transport_.max_packet_size(), 1);
        const auto deliver = [&](std::span<const std::byte> piece) {
            if (piece.empty()) return;
            in.delivered += piece.size();
            (*in.sink)(piece);
        };
        if (header.length != kUnknownLength) {
            const std::uint64_t payload = header.length - kHeaderSize;
            if (payload > in.max_bytes) {
                throw protocol_error(operation, "camera announces " + std::to_string(payload) +
                                                    " bytes of data, more than the " +
                                                    std::to_string(in.max_bytes) + " expected");
            }
            if (got - kHeaderSize > payload) {
                throw protocol_error(operation, "camera sent " + std::to_string(got - kHeaderSize) +
                                                    " bytes in a data container that declares " +
                                                    std::to_string(payload));
            }
            deliver(buffer.subspan(kHeaderSize, got - kHeaderSize));
            std::uint64_t received = got - kHeaderSize;
            while (received < payload) {
                // Asking for no more than the rest (in whole packets) keeps a device that ends
                // the container without a zero-length packet from running into the response.
                const std::uint64_t rest = payload - received;
                const std::uint64_t rounded = (rest + packet - 1) / packet * packet;
                const std::size_t ask =
                    static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), rounded));
                const std::size_t n = transport_.bulk_in(buffer.first(ask), deadline);
                if (n == 0) {
                    throw protocol_error(
                        operation, "data phase ended after " + std::to_string(received) +
                                       " of the " + std::to_string(payload) + " bytes declared");
                }
                if (n > rest) {
                    throw protocol_error(operation, "camera sent more data than the " +
                                                        std::to_string(payload) +
                                                        " bytes its data container declares");
                }
                received += n;
                deliver(buffer.first(n));
            }
        } else {
            // Unknown length: the data ends with a short packet, which may be the header's own
            // transfer when there is no data at all.
            const auto deliver_bounded = [&](std::span<const std::byte> piece) {
                if (in.delivered + piece.size() > in.max_bytes) {
                    throw protocol_error(
                        operation, "camera sent more than the " + std::to_string(in.max_bytes) +
                                       " bytes expected in a data phase of unknown length");
                }
                deliver(piece);
            };
            deliver_bounded(buffer.subspan(kHeaderSize, got - kHeaderSize));
            std::size_t last = got;
            while (last == buffer.size()) {
                last = transport_.bulk_in(buffer, deadline);
                deliver_bounded(buffer.first(last));
            }
        }
        got = read_container_start(transport_, buffer, deadline, operation);
        header = parse_header_checked(buffer.first(got), operation);
    }
    return parse_response(operation, transaction_id, buffer.first(got), header);
}

void PtpSession::abandon(std::uint32_t transaction_id) noexcept {
    const Deadline grace = SteadyClock::now() + kCleanupGrace;
    try {
        transport_.cancel_transaction(transaction_id, grace);
        // The device reports busy until it has wound the transaction down.
        for (int poll = 0; poll < kMaxStatusPolls && SteadyClock::now() < grace; ++poll) {
            const auto status = transport_.device_status(grace);
            if (status.empty() || status.front() != rc::device_busy) break;
            std::this_thread::sleep_for(5ms);
        }
    } catch (...) {
        // Best effort: the caller reports the failure that led here.
    }
}

void PtpSession::begin_data_in(std::uint16_t operation, std::span<const std::uint32_t> params,
                               std::uint64_t max_bytes, std::span<std::byte> buffer,
                               Deadline deadline) {
    if (stream_) cancel_data_in();
    // Nothing has gone to the caller yet: a stall is cleared and the command sent once more,
    // as for any other transaction.
    for (int stalls = 0;;) {
        try {
            start_data_in(operation, params, max_bytes, buffer, deadline);
            return;
        } catch (const EndpointStall& stall) {
            clear_stall(stall.endpoint(), deadline);
            if (++stalls == 1) continue;
            throw PtpStallError("PTP " + describe_operation(operation) + ": camera stalled the " +
                                endpoint_name(stall.endpoint()) +
                                " endpoint again after the halt was cleared (halt cleared)");
        }
    }
}

void PtpSession::start_data_in(std::uint16_t operation, std::span<const std::uint32_t> params,
                               std::uint64_t max_bytes, std::span<std::byte> buffer,
                               Deadline deadline) {
    DataStream stream;
    stream.operation = operation;
    stream.max_bytes = max_bytes;
    stream.buffer = whole_packets(buffer, transport_.max_packet_size());
    stream.transaction_id = next_transaction_id();
    const std::uint32_t transaction_id = stream.transaction_id;
    try {
        ContainerHeader header;
        const std::size_t got = start_transaction(operation, transaction_id, params, deadline, {},
                                                  stream.buffer, header);
        if (header.type != ContainerType::data) {
            // An answer without data: a refusal, or an empty object.
            const Response response =
                parse_response(operation, transaction_id, stream.buffer.first(got), header);
            if (response.code == rc::session_not_open) open_ = false;
            if (response.code != rc::ok) throw PtpResponseError(operation, response.code);
            stream.data_done = true;
            stream_ = stream;
            return;
        }
        if (header.code != operation) {
            throw protocol_error(
                operation, "camera sent data of operation " + describe_operation(header.code));
        }
        const std::uint64_t first = got - kHeaderSize;
        stream.length_known = header.length != kUnknownLength;
        if (stream.length_known) {
            stream.payload = header.length - kHeaderSize;
            if (stream.payload > max_bytes) {
                throw protocol_error(operation, "camera announces " +
                                                    std::to_string(stream.payload) +
                                                    " bytes of data, more than the " +
                                                    std::to_string(max_bytes) + " expected");
            }
            if (first > stream.payload) {
                throw protocol_error(operation, "camera sent " + std::to_string(first) +
                                                    " bytes in a data container that declares " +
                                                    std::to_string(stream.payload));
            }
            stream.data_done = first == stream.payload;
        } else {
            if (first > max_bytes) {
                throw protocol_error(operation, "camera sent more than the " +
                                                    std::to_string(max_bytes) +
                                                    " bytes expected in a data phase of unknown "
                                                    "length");
            }
            // A short packet ends the data, which may be the header's own transfer.
            stream.data_done = got < stream.buffer.size();
        }
        stream.received = first;
        stream.pending_at = kHeaderSize;
        stream.pending_end = got;
    } catch (const PtpResponseError&) {
        throw;  // the transaction is complete
    } catch (const EndpointStall&) {
        throw;  // begin_data_in clears it
    } catch (const DeviceError& error) {
        if (error.kind() != DeviceError::Kind::gone) abandon(transaction_id);
        throw;
    } catch (const PtpFormatError& error) {
        abandon(transaction_id);
        throw protocol_error(operation, error.what());
    }
    stream_ = stream;
}

std::size_t PtpSession::read_data_in(std::span<std::byte> out, Deadline deadline) {
    if (!stream_) throw std::logic_error("PTP: no data phase is open");
    DataStream& stream = *stream_;
    const std::uint16_t operation = stream.operation;
    const std::uint32_t transaction_id = stream.transaction_id;
    try {
        while (stream.pending_at == stream.pending_end) {
            if (stream.data_done) {
                const std::size_t got =
                    read_container_start(transport_, stream.buffer, deadline, operation);
                const ContainerHeader header =
                    parse_header_checked(stream.buffer.first(got), operation);
                const Response response =
                    parse_response(operation, transaction_id, stream.buffer.first(got), header);
                stream_.reset();
                if (response.code == rc::session_not_open) open_ = false;
                if (response.code != rc::ok) throw PtpResponseError(operation, response.code);
                return 0;
            }
            const std::size_t packet = std::max<std::size_t>(transport_.max_packet_size(), 1);
            std::size_t n = 0;
            if (stream.length_known) {
                // No more than the rest (in whole packets), so that a device that ends the
                // container without a zero-length packet does not run into the response.
                const std::uint64_t rest = stream.payload - stream.received;
                const std::uint64_t rounded = (rest + packet - 1) / packet * packet;
                const auto ask = static_cast<std::size_t>(
                    std::min<std::uint64_t>(stream.buffer.size(), rounded));
                n = transport_.bulk_in(stream.buffer.first(ask), deadline);
                if (n == 0) {
                    throw protocol_error(
                        operation, "data phase ended after " + std::to_string(stream.received) +
                                       " of the " + std::to_string(stream.payload) +
                                       " bytes declared");
                }
                if (n > rest) {
                    throw protocol_error(operation, "camera sent more data than the " +
                                                        std::to_string(stream.payload) +
                                                        " bytes its data container declares");
                }
                stream.data_done = stream.received + n == stream.payload;
            } else {
                n = transport_.bulk_in(stream.buffer, deadline);
                if (n > stream.max_bytes - stream.received) {
                    throw protocol_error(operation, "camera sent more than the " +
                                                        std::to_string(stream.max_bytes) +
                                                        " bytes expected in a data phase of "
                                                        "unknown length");
                }
                stream.data_done = n < stream.buffer.size();
            }
            stream.received += n;
            stream.pending_at = 0;
            stream.pending_end = n;
        }
        const std::size_t take = std::min(out.size(), stream.pending_end - stream.pending_at);
        std::copy_n(stream.buffer.begin() + static_cast<std::ptrdiff_t>(stream.pending_at), take,
                    out.begin());
        stream.pending_at += take;
        return take;
    } catch (const PtpResponseError&) {
        throw;  // the transaction is complete
    } catch (const EndpointStall& stall) {
        stream_.reset();
        clear_stall(stall.endpoint(), deadline);
        throw PtpStallError("PTP " + describe_operation(operation) + ": camera stalled the " +
                            endpoint_name(stall.endpoint()) +
                            " endpoint in the middle of its data phase "
                            "(halt cleared)");
    } catch (const DeviceError& error) {
        stream_.reset();
        if (error.kind() != DeviceError::Kind::gone) abandon(transaction_id);
        throw;
    } catch (const PtpFormatError& error) {
        stream_.reset();
        abandon(transaction_id);
        throw protocol_error(operation, error.what());
    }
}

void PtpSession::cancel_data_in() noexcept {
    if (!stream_) return;
    const std::uint32_t transaction_id = stream_->transaction_id;
    stream_.reset();
    abandon(transaction_id);
}

std::vector<Event> PtpSession::poll_events(std::size_t max_events, Deadline deadline) {
    std::vector<Event> events;
    std::array<std::byte, kEventBufferBytes> buffer{};
    const auto event_error = [](const std::string& what) {
        return DeviceError(DeviceError::Kind::protocol, "PTP event: " + what);
    };
    while (events.size() < max_events) {
        // After the first event, only what is already pending.
        const Deadline wait =
            events.empty() ? deadline : std::min(deadline, SteadyClock::now() + 1ms);
        std::size_t got = transport_.interrupt_in(buffer, wait);
        if (got == 0) break;
        while (got < kHeaderSize) {
            const std::size_t n = transport_.interrupt_in(std::span(buffer).subspan(got), deadline);
            if (n == 0) throw event_error("container cut short after " + std::to_string(got));
            got += n;
        }
        ContainerHeader header;
        try {
            header = parse_header(std::span(buffer).first(got));
        } catch (const PtpFormatError& error) {
            throw event_error(error.what());
        }
        if (header.type != ContainerType::event) {
            throw event_error(std::string("a ") + container_type_name(header.type) +
                              " container on the interrupt endpoint");
        }
        if (header.length > kMaxParamsContainerBytes) {
            throw event_error("container of " + std::to_string(header.length) +
                              " bytes, more than an event holds");
        }
        while (got < header.length) {
            const std::size_t n = transport_.interrupt_in(
                std::span(buffer).subspan(got, header.length - got), deadline);
            if (n == 0) throw event_error("container cut short after " + std::to_string(got));
            got += n;
        }
        if (got != header.length) {
            throw event_error(std::to_string(got) + " bytes in a container that declares " +
                              std::to_string(header.length));
        }
        try {
            ParamsContainer parsed = parse_params_container(std::span(buffer).first(got));
            events.push_back(
                {parsed.header.code, parsed.header.transaction_id, std::move(parsed.params)});
        } catch (const PtpFormatError& error) {
            throw event_error(error.what());
        }
    }
    return events;
}

}  // namespace cradle::hw::ptp
