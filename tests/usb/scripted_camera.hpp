// SPDX-License-Identifier: Apache-2.0
// A minimal PTP device for the usbfs emulation tests: answers GetDeviceInfo from a fixed
// dataset and records the class requests, so that the emulated USB layer can be tested with
// plain libusb, independently of the full emulated camera.
#pragma once

#include "hw/ptp/codes.hpp"
#include "hw/ptp/container.hpp"
#include "sim/umockdev/usb_function.hpp"

#include <deque>
#include <mutex>

namespace cradle::test {

class ScriptedCamera final : public hw::sim::usb::UsbPtpFunction {
  public:
    void bulk_out(std::span<const std::byte> data) override {
        std::lock_guard lock(mutex_);
        auto command = hw::ptp::parse_params_container(data);
        ++commands_;
        if (command.header.code == hw::ptp::op::get_device_info) {
            hw::ptp::DataWriter info;
            info.u16(100);
            info.u32(0);
            info.u16(0);
            info.string("");
            info.u16(0);
            const std::uint16_t ops[] = {hw::ptp::op::get_device_info};
            info.u16_array(ops);
            for (int i = 0; i < 4; ++i) info.u16_array({});
            info.string("Lingchuan Optics");
            info.string("LC-BWC7");
            info.string("2.4.1");
            info.string("BWC-0001");
            auto header = hw::ptp::encode_data_header(
                command.header.code, command.header.transaction_id, info.data().size());
            header.insert(header.end(), info.data().begin(), info.data().end());
            bulk_in_.push_back(std::move(header));
        }
        bulk_in_.push_back(hw::ptp::encode_params_container(
            hw::ptp::ContainerType::response, hw::ptp::rc::ok, command.header.transaction_id, {}));
    }
    std::optional<std::vector<std::byte>> bulk_in(std::size_t max_bytes) override {
        std::lock_guard lock(mutex_);
        if (bulk_in_.empty()) return std::nullopt;
        auto& front = bulk_in_.front();
        if (front.size() <= max_bytes) {
            auto out = std::move(front);
            bulk_in_.pop_front();
            return out;
        }
        std::vector<std::byte> out(front.begin(), front.begin() + max_bytes);
        front.erase(front.begin(), front.begin() + max_bytes);
        return out;
    }
    std::optional<std::vector<std::byte>> interrupt_in(std::size_t max_bytes) override {
        std::lock_guard lock(mutex_);
        if (events_.empty()) return std::nullopt;
        auto out = std::move(events_.front());
        events_.pop_front();
        if (out.size() > max_bytes) out.resize(max_bytes);
        return out;
    }
    bool halted(hw::ptp::Endpoint endpoint) const override {
        std::lock_guard lock(mutex_);
        return endpoint == hw::ptp::Endpoint::bulk_in && bulk_in_halted_;
    }
    void clear_halt(hw::ptp::Endpoint endpoint) override {
        std::lock_guard lock(mutex_);
        if (endpoint == hw::ptp::Endpoint::bulk_in) bulk_in_halted_ = false;
        ++clear_halts_;
    }
    void cancel(std::uint32_t transaction_id) override {
        std::lock_guard lock(mutex_);
        cancelled_.push_back(transaction_id);
    }
    void reset() override {
        std::lock_guard lock(mutex_);
        bulk_in_.clear();
        ++resets_;
    }
    std::vector<std::uint16_t> status() const override {
        std::lock_guard lock(mutex_);
        if (bulk_in_halted_) return {hw::ptp::rc::ok, 0x81};
        return {hw::ptp::rc::ok};
    }

    void stall_bulk_in() {
        std::lock_guard lock(mutex_);
        bulk_in_halted_ = true;
    }
    void queue_event(std::vector<std::byte> event) {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(event));
    }
    int commands() const {
        std::lock_guard lock(mutex_);
        return commands_;
    }
    int clear_halts() const {
        std::lock_guard lock(mutex_);
        return clear_halts_;
    }
    int resets() const {
        std::lock_guard lock(mutex_);
        return resets_;
    }
    std::vector<std::uint32_t> cancelled() const {
        std::lock_guard lock(mutex_);
        return cancelled_;
    }

  private:
    mutable std::mutex mutex_;
    std::deque<std::vector<std::byte>> bulk_in_;
    std::deque<std::vector<std::byte>> events_;
    bool bulk_in_halted_ = false;
    int commands_ = 0;
    int clear_halts_ = 0;
    int resets_ = 0;
    std::vector<std::uint32_t> cancelled_;
};

}  // namespace cradle::test
