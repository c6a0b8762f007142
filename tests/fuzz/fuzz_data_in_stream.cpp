// SPDX-License-Identifier: Apache-2.0
// The data phase of a GetObject read across calls (PtpSession::begin_data_in, read_data_in),
// as a camera that lies about lengths or never stops sending would drive it. The first input
// byte picks the bound and the size of the caller's reads; then each transfer the camera sends
// is one length byte (in units of 8 bytes; 0xFF stalls the endpoint) and that many bytes.
#include "fuzz_entry.hpp"
#include "hw/ptp/session.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

using namespace cradle::hw;
using namespace cradle::hw::ptp;
using cradle::fuzz::require;

namespace {

class FuzzedTransport final : public PtpTransport {
  public:
    explicit FuzzedTransport(std::span<const std::byte> script) : script_(script) {}

    void bulk_out(std::span<const std::byte>, Deadline) override {}
    std::size_t bulk_in(std::span<std::byte> buffer, Deadline) override {
        if (script_.empty()) throw DeviceError(DeviceError::Kind::timeout, "script exhausted");
        const auto control = std::to_integer<std::size_t>(script_.front());
        script_ = script_.subspan(1);
        if (control == 0xFF) throw EndpointStall(Endpoint::bulk_in);
        const std::size_t count = std::min({control * 8, script_.size(), buffer.size()});
        std::copy_n(script_.begin(), count, buffer.begin());
        script_ = script_.subspan(count);
        return count;
    }
    std::size_t interrupt_in(std::span<std::byte>, Deadline) override { return 0; }
    std::size_t max_packet_size() const override { return 64; }
    void clear_halt(Endpoint, Deadline) override {}
    void cancel_transaction(std::uint32_t, Deadline) override { script_ = {}; }
    void reset_device(Deadline) override {}
    std::vector<std::uint16_t> device_status(Deadline) override { return {rc::ok}; }

  private:
    std::span<const std::byte> script_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint64_t max_bytes = 64u * (data[0] & 0x1F);
    const std::size_t read_size = 1 + (data[0] >> 5) * 37;
    FuzzedTransport transport(cradle::fuzz::bytes_of(data + 1, size - 1));
    PtpSession session(transport);
    std::vector<std::byte> buffer(1024);
    std::vector<std::byte> out(read_size);
    const Deadline deadline = SteadyClock::now() + std::chrono::seconds(10);
    std::uint64_t handed_out = 0;
    const std::uint32_t handle = 1;
    try {
        session.begin_data_in(op::get_object, {&handle, 1}, max_bytes, buffer, deadline);
        for (;;) {
            const std::size_t got = session.read_data_in(out, deadline);
            require(got <= out.size(), "a read beyond the caller's buffer");
            if (got == 0) break;
            handed_out += got;
            require(handed_out <= max_bytes, "more data handed out than the bound");
        }
        require(!session.data_in_open(), "a data phase still open after its end");
    } catch (const DeviceError&) {
        require(!session.data_in_open(), "a data phase still open after a failure");
    }
    require(handed_out <= max_bytes, "more data handed out than the bound");
    return 0;
}
