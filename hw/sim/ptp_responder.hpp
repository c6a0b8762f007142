// The device side of PTP for an emulated camera: answers the host's containers from a
// SimCamera's storage, with the SimCamera's fault hooks plus PTP-level faults. Used in-process
// (SimPtpTransport) and behind emulated USB devices (umockdev, cradle-emulate).
//
// Thread-safe: one mutex guards the state, as the umockdev ioctl handler runs on its own thread.
#pragma once

#include "hw/ptp/transport.hpp"
#include "hw/sim/sim_camera.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace cradle::hw::sim {

// Faults of the PTP link and of a hostile PTP device.
struct PtpFaults {
    int busy_responses = 0;                      // answer DeviceBusy this many times first
    std::optional<int> stall_bulk_in_at_op;      // stall bulk-in at the data phase of operation k
    bool lie_data_length = false;                // data containers declare a wrong length
    bool unknown_data_length = false;            // data containers declare 0xFFFFFFFF
    std::optional<std::uint32_t> claim_handles;  // GetObjectHandles returns this many handles
    bool traversal_names = false;                // ObjectInfo filenames like "../../etc/passwd"
    bool bad_datetime = false;                   // DateTime values that do not parse
    bool size_4gib_minus_1 = false;              // ObjectInfo claims 0xFFFFFFFF bytes
    bool endless_events = false;                 // the interrupt endpoint never runs dry
    bool stale_response_first = false;           // a response of an old transaction comes first
};

class PtpResponder {
  public:
    PtpResponder(std::shared_ptr<SimCamera> camera, PtpFaults faults = {},
                 std::size_t max_packet_size = 512);

    // Host -> device: one bulk-out transfer (a command container, or data for the current
    // transaction). Throws DeviceError gone when the camera is unplugged.
    void bulk_out(std::span<const std::byte> data);
    // Device -> host: the next bulk-in transfer, at most max_bytes (a short packet ends it).
    // nullopt when the device has nothing to send (the host times out).
    std::optional<std::vector<std::byte>> bulk_in(std::size_t max_bytes);
    std::optional<std::vector<std::byte>> interrupt_in(std::size_t max_bytes);

    bool halted(ptp::Endpoint endpoint) const;
    void clear_halt(ptp::Endpoint endpoint);
    void cancel(std::uint32_t transaction_id);
    void reset();
    std::vector<std::uint16_t> status() const;

    std::size_t max_packet_size() const { return max_packet_size_; }
    SimCamera& camera() { return *camera_; }

  private:
    struct State;
    std::shared_ptr<SimCamera> camera_;
    PtpFaults faults_;
    std::size_t max_packet_size_;
    mutable std::mutex mutex_;
    std::unique_ptr<State> state_;
};

// A PtpTransport straight to a PtpResponder, for tests and the in-process emulated cradle.
class SimPtpTransport final : public ptp::PtpTransport {
  public:
    explicit SimPtpTransport(std::shared_ptr<PtpResponder> responder);
    void bulk_out(std::span<const std::byte> data, Deadline deadline) override;
    std::size_t bulk_in(std::span<std::byte> buffer, Deadline deadline) override;
    std::size_t interrupt_in(std::span<std::byte> buffer, Deadline deadline) override;
    std::size_t max_packet_size() const override;
    void clear_halt(ptp::Endpoint endpoint, Deadline deadline) override;
    void cancel_transaction(std::uint32_t transaction_id, Deadline deadline) override;
    void reset_device(Deadline deadline) override;
    std::vector<std::uint16_t> device_status(Deadline deadline) override;

  private:
    std::shared_ptr<PtpResponder> responder_;
};

}  // namespace cradle::hw::sim
