// SPDX-License-Identifier: Apache-2.0
// The PTP transaction engine over one PtpTransport: command -> optional data phase -> response,
// with transaction ids (and their wrap), stale responses skipped, a header split from its data,
// zero-length packets, DeviceBusy retried until the deadline, a stalled endpoint cleared and
// the transaction tried once more, Cancel on a timeout, and a deadline on every operation.
#pragma once

#include "hw/ptp/container.hpp"
#include "hw/ptp/transport.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cradle::hw::ptp {

// The camera answered a transaction with a response other than OK.
class PtpResponseError : public DeviceError {
  public:
    PtpResponseError(std::uint16_t operation, std::uint16_t response);
    std::uint16_t operation() const noexcept { return operation_; }
    std::uint16_t response() const noexcept { return response_; }

  private:
    std::uint16_t operation_;
    std::uint16_t response_;
};

// The camera stalled an endpoint and the engine did not try again: it stalled once more after
// the halt was cleared, or in the middle of a data phase part of which the caller already has.
// The halt is cleared and the session stays usable; a caller that can start its read again
// (GetPartialObject at the same offset) may do so.
class PtpStallError : public DeviceError {
  public:
    explicit PtpStallError(const std::string& what) : DeviceError(Kind::io, what) {}
};

struct Response {
    std::uint16_t code = 0;
    std::vector<std::uint32_t> params;
};

struct Event {
    std::uint16_t code = 0;
    std::uint32_t transaction_id = 0;
    std::vector<std::uint32_t> params;
};

class PtpSession {
  public:
    explicit PtpSession(PtpTransport& transport) : transport_(transport) {}

    // OpenSession with session id 1; SessionAlreadyOpen counts as open.
    void open(Deadline deadline);
    // CloseSession, best effort.
    void close(Deadline deadline) noexcept;
    // False again once the camera answers SessionNotOpen (it was reset).
    bool is_open() const { return open_; }

    // A transaction without a data phase, or with data sent to the camera.
    Response command(std::uint16_t operation, std::span<const std::uint32_t> params,
                     Deadline deadline, std::span<const std::byte> data_out = {});
    // A transaction with a data phase from the camera, collected whole. More than max_bytes of
    // data is a protocol error (the rest is drained or the transaction cancelled).
    std::vector<std::byte> command_in(std::uint16_t operation,
                                      std::span<const std::uint32_t> params, std::size_t max_bytes,
                                      Deadline deadline, Response* response = nullptr);
    // A transaction with a data phase from the camera, delivered piecewise to `sink` (bytes of
    // the payload, in order) into the caller's `buffer`, never more than max_bytes in all.
    Response command_in_streamed(std::uint16_t operation, std::span<const std::uint32_t> params,
                                 std::uint64_t max_bytes, std::span<std::byte> buffer,
                                 const std::function<void(std::span<const std::byte>)>& sink,
                                 Deadline deadline);

    // A transaction whose data phase from the camera the caller reads piece by piece, across
    // as many calls as it likes (GetObject of an object whose size the camera does not tell).
    // begin_data_in sends the command and reads up to the start of the data into `buffer`,
    // which must stay valid until the data phase ends. Any other transaction (or a new
    // begin_data_in) first cancels a data phase still open. Failures are those of command_in.
    void begin_data_in(std::uint16_t operation, std::span<const std::uint32_t> params,
                       std::uint64_t max_bytes, std::span<std::byte> buffer, Deadline deadline);
    // Up to out.size() bytes of the payload, in order. 0 once the data phase has ended and the
    // camera answered OK; any other answer throws PtpResponseError, a data container that ends
    // before its declared length or more than max_bytes of data in all is a protocol error.
    // After any failure the data phase is closed (and cancelled on the device).
    std::size_t read_data_in(std::span<std::byte> out, Deadline deadline);
    // True from begin_data_in until read_data_in returned 0 or failed, or the data phase was
    // cancelled.
    bool data_in_open() const { return stream_.has_value(); }
    // Cancels an open data phase (class request Cancel), best effort.
    void cancel_data_in() noexcept;

    // Reads pending events from the interrupt endpoint: at most max_events, waiting no longer
    // than `deadline` for the first one. A device that sends events without end is bounded.
    std::vector<Event> poll_events(std::size_t max_events, Deadline deadline);

    std::uint32_t last_transaction_id() const { return transaction_id_; }
    // The next transaction uses the id after `id` (tests reach the wrap without four billion
    // transactions).
    void set_last_transaction_id(std::uint32_t id) { transaction_id_ = id; }

  private:
    struct DataIn;
    // The state of a data phase read across calls (begin_data_in).
    struct DataStream {
        std::uint16_t operation = 0;
        std::uint32_t transaction_id = 0;
        std::span<std::byte> buffer;
        std::uint64_t max_bytes = 0;
        bool length_known = false;
        std::uint64_t payload = 0;   // declared payload length, when length_known
        std::uint64_t received = 0;  // payload bytes read from the device so far
        std::size_t pending_at = 0;  // payload bytes in `buffer` not yet handed out
        std::size_t pending_end = 0;
        bool data_done = false;  // the data phase is over; the response comes next
    };
    std::uint32_t next_transaction_id();
    // Sends the command (and data out) and reads the start of the first container of this
    // transaction into `buffer`, skipping stale ones. Returns the bytes read.
    std::size_t start_transaction(std::uint16_t operation, std::uint32_t transaction_id,
                                  std::span<const std::uint32_t> params, Deadline deadline,
                                  std::span<const std::byte> data_out, std::span<std::byte> buffer,
                                  ContainerHeader& header);
    // One attempt of begin_data_in; an EndpointStall escapes as it is.
    void start_data_in(std::uint16_t operation, std::span<const std::uint32_t> params,
                       std::uint64_t max_bytes, std::span<std::byte> buffer, Deadline deadline);
    // Clears a stalled endpoint and reads the device status (which ends the stall condition
    // on devices that keep it until asked). Only "gone" escapes.
    void clear_stall(Endpoint endpoint, Deadline deadline);
    Response transact(std::uint16_t operation, std::span<const std::uint32_t> params,
                      Deadline deadline, std::span<const std::byte> data_out, DataIn* data_in);
    Response transact_once(std::uint16_t operation, std::uint32_t transaction_id,
                           std::span<const std::uint32_t> params, Deadline deadline,
                           std::span<const std::byte> data_out, DataIn* data_in);
    void abandon(std::uint32_t transaction_id) noexcept;

    PtpTransport& transport_;
    std::uint32_t transaction_id_ = 0;
    bool open_ = false;
    std::vector<std::byte> buffer_;  // bulk-in transfers of transactions without a caller buffer
    std::optional<DataStream> stream_;
};

}  // namespace cradle::hw::ptp
