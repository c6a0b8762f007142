// SPDX-License-Identifier: Apache-2.0
// The device side of PTP for an emulated camera: answers the host's containers from a
// SimCamera's storage, with the SimCamera's fault hooks plus PTP-level faults. Used in-process
// (SimPtpTransport) and behind emulated USB devices (umockdev, cradle-emulate).
//
// Thread-safe: one mutex guards the state, as the umockdev ioctl handler runs on its own thread.
#pragma once

#include "hw/ptp/transport.hpp"
#include "sim/sim_camera.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace cradle::hw::sim {

class PtpResponder {
  public:
    PtpResponder(std::shared_ptr<SimCamera> camera, PtpFaults faults = {},
                 std::size_t max_packet_size = 512);
    ~PtpResponder();

    // Host -> device: one bulk-out transfer (a command container, or data for the current
    // transaction). Throws DeviceError gone when the camera is unplugged.
    // The camera's own operations run inside this call and end by `deadline` (a hung camera
    // answers nothing).
    void bulk_out(std::span<const std::byte> data, Deadline deadline = default_deadline());
    // Device -> host: the next bulk-in transfer, at most max_bytes (a short packet ends it).
    // nullopt when the device has nothing to send (the host times out). A transfer that ends
    // a container with a whole number of packets is followed by a zero-length transfer.
    // Throws ptp::EndpointStall while bulk-in is halted.
    std::optional<std::vector<std::byte>> bulk_in(std::size_t max_bytes,
                                                  Deadline deadline = default_deadline());
    std::optional<std::vector<std::byte>> interrupt_in(std::size_t max_bytes);

    bool halted(ptp::Endpoint endpoint) const;
    void clear_halt(ptp::Endpoint endpoint);
    void cancel(std::uint32_t transaction_id);
    void reset();
    std::vector<std::uint16_t> status() const;

    std::size_t max_packet_size() const { return max_packet_size_; }
    SimCamera& camera() { return *camera_; }
    // Tests: the transaction id of the last command, and how many commands came.
    std::uint32_t last_transaction_id() const;
    int commands() const;
    // Tests: cancel requests received.
    std::vector<std::uint32_t> cancelled() const;

    static Deadline default_deadline() { return SteadyClock::now() + std::chrono::seconds(30); }

  private:
    struct State;
    struct Outgoing;
    void handle_command(std::uint16_t operation, std::uint32_t transaction_id,
                        const std::vector<std::uint32_t>& params,
                        std::span<const std::byte> data_out, Deadline deadline);
    void serve(std::uint16_t operation, std::uint32_t transaction_id,
               const std::vector<std::uint32_t>& params, std::span<const std::byte> data_out,
               Deadline deadline);
    void refresh_listing(Deadline deadline);
    void send_data(std::uint16_t operation, std::uint32_t transaction_id,
                   std::vector<std::byte> payload);
    void respond(std::uint16_t code, std::uint32_t transaction_id,
                 std::vector<std::uint32_t> params = {});
    void check_plugged() const;
    // What the camera reports as Artist: its officer ID, or the hostile value of its faults.
    std::string artist_value() const;

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
