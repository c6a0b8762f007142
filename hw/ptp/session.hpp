// The PTP transaction engine over one PtpTransport: command -> optional data phase -> response,
// with transaction ids (and their wrap), stale responses skipped, a header split from its data,
// zero-length packets, DeviceBusy retried until the deadline, stalls cleared, Cancel on a
// timeout, and a deadline on every operation.
#pragma once

#include "hw/ptp/container.hpp"
#include "hw/ptp/transport.hpp"

#include <cstdint>
#include <functional>
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

    // Reads pending events from the interrupt endpoint: at most max_events, waiting no longer
    // than `deadline` for the first one. A device that sends events without end is bounded.
    std::vector<Event> poll_events(std::size_t max_events, Deadline deadline);

    std::uint32_t last_transaction_id() const { return transaction_id_; }
    // The next transaction uses the id after `id` (tests reach the wrap without four billion
    // transactions).
    void set_last_transaction_id(std::uint32_t id) { transaction_id_ = id; }

  private:
    struct DataIn;
    std::uint32_t next_transaction_id();
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
};

}  // namespace cradle::hw::ptp
