// SPDX-License-Identifier: Apache-2.0
#include "sim/umockdev/usbfs_device.hpp"

#include "hw/ptp/codes.hpp"
#include "sim/umockdev/usb_descriptors.hpp"

#include <linux/usb/ch9.h>
#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>
#include <umockdev.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace cradle::hw::sim::usb {
namespace {

// What the emulated kernel offers: one URB per transfer of any size, zero-length packets on
// request, and reaping of completed URBs after a disconnect.
constexpr std::uint32_t kCapabilities = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                                        USBDEVFS_CAP_BULK_SCATTER_GATHER |
                                        USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
// Larger URBs than this are refused as the kernel refuses what it cannot allocate.
constexpr int kMaxUrbBytes = 64 << 20;
constexpr int kUsbSpeedHigh = 3;

// An owned reference to a block of the client's memory.
class ClientMemory {
  public:
    ClientMemory() = default;
    explicit ClientMemory(UMockdevIoctlData* data) : data_(data) {}
    ClientMemory(ClientMemory&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
    ClientMemory& operator=(ClientMemory&& other) noexcept {
        std::swap(data_, other.data_);
        return *this;
    }
    ~ClientMemory() {
        if (data_ != nullptr) g_object_unref(data_);
    }
    UMockdevIoctlData* get() const { return data_; }
    explicit operator bool() const { return data_ != nullptr; }
    std::size_t size() const { return data_ ? static_cast<std::size_t>(data_->data_len) : 0; }
    std::uint8_t* bytes() const { return data_ ? data_->data : nullptr; }

  private:
    UMockdevIoctlData* data_ = nullptr;
};

// Resolves the pointer at `offset` of `parent` to `length` bytes of client memory.
ClientMemory resolve(UMockdevIoctlData* parent, std::size_t offset, std::size_t length) {
    GError* error = nullptr;
    UMockdevIoctlData* data = umockdev_ioctl_data_resolve(parent, offset, length, &error);
    if (error != nullptr) {
        g_error_free(error);
        if (data != nullptr) g_object_unref(data);
        return ClientMemory{};
    }
    return ClientMemory{data};
}

template <typename T>
T read_as(const ClientMemory& memory) {
    T value{};
    std::memcpy(&value, memory.bytes(), std::min(sizeof(T), memory.size()));
    return value;
}

template <typename T>
void write_as(const ClientMemory& memory, const T& value) {
    std::memcpy(memory.bytes(), &value, std::min(sizeof(T), memory.size()));
}

std::optional<ptp::Endpoint> endpoint_of(unsigned address) {
    switch (address) {
        case kBulkInAddress:
            return ptp::Endpoint::bulk_in;
        case kBulkOutAddress:
            return ptp::Endpoint::bulk_out;
        case kInterruptInAddress:
            return ptp::Endpoint::interrupt_in;
        default:
            return std::nullopt;
    }
}

struct Urb {
    std::uint64_t id = 0;
    ClientMemory urb;  // the client's struct usbdevfs_urb
    unsigned char type = 0;
    unsigned char endpoint = 0;
    int buffer_length = 0;
    // Bulk-out data, or the setup packet and data stage of a control URB, copied at submission
    // (the client's memory can only be read while its ioctl is being answered).
    std::vector<std::byte> out;
    bool attempted = false;  // bulk-out or control: handed to the device already
    int status = 0;
    // Bytes for the host, written at in_offset of the buffer on reaping (8 for control: after
    // the setup packet).
    std::vector<std::byte> in;
    std::size_t in_offset = 0;
    int actual_length = 0;
};

struct ClientUrbs {
    std::deque<Urb> in_flight;
    std::deque<Urb> completed;
};

struct ControlResult {
    bool stall = false;
    std::vector<std::byte> in;  // data stage towards the host
    int out_length = 0;         // bytes taken from the host
};

// What the device thread takes from a URB to work on it without the lock.
struct UrbWork {
    UMockdevIoctlClient* client = nullptr;
    std::uint64_t id = 0;
    unsigned char type = 0;
    unsigned char endpoint = 0;
    int buffer_length = 0;
    std::vector<std::byte> out;
};

std::vector<std::byte> as_bytes(const std::vector<std::uint8_t>& raw) {
    std::vector<std::byte> out(raw.size());
    std::memcpy(out.data(), raw.data(), raw.size());
    return out;
}

// A pending IN URB waits this long before the device is asked again (the host side polls
// anyway; this only bounds how late an event or a slow answer is noticed).
constexpr auto kInRetry = std::chrono::milliseconds(2);

}  // namespace

// The device thread: every call into the function happens here, so that a device that blocks
// (a hung camera) holds up neither umockdev's worker thread nor the other devices.
struct UsbfsDevice::State {
    std::shared_ptr<UsbPtpFunction> function;
    UsbIdentity identity;
    std::uint8_t devnum = 0;
    std::function<void()> on_gone;
    std::function<void(int port, bool on)> on_port_power;  // set only for a hub

    mutable std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    bool gone = false;
    std::map<UMockdevIoctlClient*, ClientUrbs> clients;
    std::deque<std::function<void(bool& went_away)>> jobs;  // synchronous ioctls
    UMockdevIoctlClient* claimed_by = nullptr;
    std::uint64_t next_id = 1;
    std::uint64_t submitted = 0;
    std::uint64_t stalled = 0;
    gulong ioctl_signal = 0;
    gulong vanished_signal = 0;
    std::thread thread;

    // With the mutex held.
    void go_away() {
        gone = true;
        for (auto& [client, urbs] : clients) {
            for (auto& urb : urbs.in_flight) {
                urb.status = -ENODEV;
                urbs.completed.push_back(std::move(urb));
            }
            urbs.in_flight.clear();
        }
    }

    Urb* find_in_flight(UMockdevIoctlClient* client, std::uint64_t id) {
        auto found = clients.find(client);
        if (found == clients.end()) return nullptr;
        for (auto& urb : found->second.in_flight)
            if (urb.id == id) return &urb;
        return nullptr;
    }

    void finish(UMockdevIoctlClient* client, std::uint64_t id, int status,
                std::vector<std::byte> in, std::size_t in_offset, int actual_length) {
        auto found = clients.find(client);
        if (found == clients.end()) return;  // the client closed the device meanwhile
        auto& urbs = found->second;
        for (auto it = urbs.in_flight.begin(); it != urbs.in_flight.end(); ++it) {
            if (it->id != id) continue;
            if (status == -EPIPE) ++stalled;
            it->status = status;
            it->in = std::move(in);
            it->in_offset = in_offset;
            it->actual_length = actual_length;
            urbs.completed.push_back(std::move(*it));
            urbs.in_flight.erase(it);
            return;
        }
        // Discarded meanwhile: the host no longer waits for it.
    }

    // Runs one device call without the lock, turning the function's errors into a URB status:
    // -ENODEV when the device went away (went_away is set), -EPIPE for a stall, -ETIMEDOUT
    // when the device did not answer, -EPROTO for other failures.
    template <typename Call>
    static int guarded(Call&& call, bool& went_away) {
        try {
            call();
            return 0;
        } catch (const ptp::EndpointStall&) {
            return -EPIPE;
        } catch (const DeviceError& error) {
            switch (error.kind()) {
                case DeviceError::Kind::gone:
                    went_away = true;
                    return -ENODEV;
                case DeviceError::Kind::timeout:
                    return -ETIMEDOUT;
                default:
                    return -EPROTO;
            }
        } catch (const std::exception&) {
            return -EPROTO;
        }
    }

    // The next bulk-out or control URB not yet handed to the device, oldest first.
    std::optional<UrbWork> take_outgoing() {
        for (auto& [client, urbs] : clients) {
            for (auto& urb : urbs.in_flight) {
                const bool outgoing = urb.type == USBDEVFS_URB_TYPE_CONTROL ||
                                      endpoint_of(urb.endpoint) == ptp::Endpoint::bulk_out;
                if (!outgoing || urb.attempted) continue;
                urb.attempted = true;
                return UrbWork{client, urb.id, urb.type, urb.endpoint, urb.buffer_length, urb.out};
            }
        }
        return std::nullopt;
    }

    // The oldest pending URB of each IN endpoint of each client.
    std::vector<UrbWork> incoming_heads() const {
        std::vector<UrbWork> heads;
        for (const auto& [client, urbs] : clients) {
            bool bulk_seen = false;
            bool interrupt_seen = false;
            for (const auto& urb : urbs.in_flight) {
                const auto endpoint = endpoint_of(urb.endpoint);
                bool& seen = endpoint == ptp::Endpoint::bulk_in ? bulk_seen : interrupt_seen;
                if (urb.type == USBDEVFS_URB_TYPE_CONTROL || endpoint == ptp::Endpoint::bulk_out ||
                    seen)
                    continue;
                seen = true;
                heads.push_back(
                    UrbWork{client, urb.id, urb.type, urb.endpoint, urb.buffer_length, {}});
            }
        }
        return heads;
    }

    void perform_outgoing(const UrbWork& work, bool& went_away,
                          std::unique_lock<std::mutex>& lock) {
        lock.unlock();
        int status = 0;
        std::vector<std::byte> in;
        int actual = 0;
        std::size_t in_offset = 0;
        if (work.type == USBDEVFS_URB_TYPE_CONTROL) {
            usb_ctrlrequest setup{};
            std::memcpy(&setup, work.out.data(), sizeof setup);
            auto data = std::span<const std::byte>(work.out).subspan(sizeof setup);
            ControlResult result = control(setup, data, went_away);
            status = went_away ? -ENODEV : (result.stall ? -EPIPE : 0);
            in = std::move(result.in);
            if (in.size() > data.size()) in.resize(data.size());
            in_offset = sizeof setup;
            actual =
                setup.bRequestType & USB_DIR_IN ? static_cast<int>(in.size()) : result.out_length;
        } else if (function->halted(ptp::Endpoint::bulk_out)) {
            status = -EPIPE;
        } else {
            status = guarded([&] { function->bulk_out(work.out); }, went_away);
            if (status == 0) actual = work.buffer_length;
        }
        lock.lock();
        // A device that never took the data leaves the URB pending until the host gives up.
        if (status == -ETIMEDOUT) return;
        finish(work.client, work.id, status, std::move(in), in_offset, actual);
    }

    // Returns true when a URB completed.
    bool perform_incoming(const UrbWork& work, bool& went_away,
                          std::unique_lock<std::mutex>& lock) {
        lock.unlock();
        const auto endpoint = *endpoint_of(work.endpoint);
        const auto length = static_cast<std::size_t>(work.buffer_length);
        std::optional<std::vector<std::byte>> answer;
        int status = 0;
        if (function->halted(endpoint)) {
            status = -EPIPE;
        } else {
            status = guarded(
                [&] {
                    answer = endpoint == ptp::Endpoint::bulk_in ? function->bulk_in(length)
                                                                : function->interrupt_in(length);
                },
                went_away);
            if (status == 0 && !answer && function->halted(endpoint)) status = -EPIPE;
        }
        lock.lock();
        if ((status == 0 && !answer) || status == -ETIMEDOUT) return false;
        std::vector<std::byte> in;
        if (answer) {
            if (answer->size() > length) answer->resize(length);
            in = std::move(*answer);
        }
        const int actual = static_cast<int>(in.size());
        finish(work.client, work.id, status, std::move(in), 0, actual);
        return true;
    }

    void report_gone(std::unique_lock<std::mutex>& lock) {
        const bool first = !gone;
        go_away();
        if (!first || !on_gone) return;
        lock.unlock();
        on_gone();
        lock.lock();
    }

    void run() {
        std::unique_lock lock(mutex);
        while (!stopping) {
            bool went_away = false;
            if (!jobs.empty()) {
                auto job = std::move(jobs.front());
                jobs.pop_front();
                lock.unlock();
                job(went_away);
                lock.lock();
            } else if (auto work = take_outgoing()) {
                perform_outgoing(*work, went_away, lock);
            } else {
                auto heads = incoming_heads();
                bool progress = false;
                for (const auto& head : heads) {
                    if (went_away || stopping) break;
                    if (find_in_flight(head.client, head.id) == nullptr) continue;
                    progress = perform_incoming(head, went_away, lock) || progress;
                }
                if (!went_away && !progress) {
                    if (heads.empty())
                        wake.wait(lock);
                    else
                        wake.wait_for(lock, kInRetry);
                }
            }
            if (went_away) report_gone(lock);
        }
    }

    ControlResult control(const usb_ctrlrequest& setup, std::span<const std::byte> out_data,
                          bool& went_away) {
        ControlResult result;
        const auto type = setup.bRequestType;
        const auto request = setup.bRequest;
        const std::uint16_t value = setup.wValue;
        const std::uint16_t index = setup.wIndex;
        const std::uint16_t length = setup.wLength;
        auto answer = [&](std::vector<std::byte> bytes) {
            if (bytes.size() > length) bytes.resize(length);
            result.in = std::move(bytes);
        };

        // USB 2.0, 11.24.2: a hub port's feature; PORT_POWER is feature 8, the port is wIndex.
        constexpr std::uint16_t port_power_feature = 8;
        if (on_port_power && type == (USB_DIR_OUT | USB_TYPE_CLASS | USB_RECIP_OTHER) &&
            (request == USB_REQ_SET_FEATURE || request == USB_REQ_CLEAR_FEATURE)) {
            if (value != port_power_feature) {
                result.stall = true;
                return result;
            }
            on_port_power(index & 0xFF, request == USB_REQ_SET_FEATURE);
        } else if (type == (USB_DIR_IN | USB_TYPE_STANDARD | USB_RECIP_DEVICE) &&
                   request == USB_REQ_GET_DESCRIPTOR) {
            const auto kind = static_cast<std::uint8_t>(value >> 8);
            const auto number = static_cast<std::uint8_t>(value & 0xFF);
            if (kind == USB_DT_DEVICE) {
                answer(as_bytes(camera_device_descriptor(identity)));
            } else if (kind == USB_DT_CONFIG && number == 0) {
                answer(as_bytes(camera_config_descriptor(identity)));
            } else if (auto text =
                           kind == USB_DT_STRING ? camera_string(identity, number) : std::nullopt) {
                answer(as_bytes(*text));
            } else {
                result.stall = true;
            }
        } else if ((type & USB_DIR_IN) && request == USB_REQ_GET_STATUS &&
                   (type & USB_TYPE_MASK) == USB_TYPE_STANDARD) {
            std::uint8_t halted_bit = 0;
            if ((type & USB_RECIP_MASK) == USB_RECIP_ENDPOINT) {
                auto endpoint = endpoint_of(index & 0xFF);
                if (!endpoint) {
                    result.stall = true;
                    return result;
                }
                halted_bit = function->halted(*endpoint) ? 1 : 0;
            }
            answer({std::byte{halted_bit}, std::byte{0}});
        } else if (type == (USB_DIR_OUT | USB_TYPE_STANDARD | USB_RECIP_ENDPOINT) &&
                   request == USB_REQ_CLEAR_FEATURE && value == USB_ENDPOINT_HALT) {
            auto endpoint = endpoint_of(index & 0xFF);
            if (!endpoint) {
                result.stall = true;
                return result;
            }
            guarded([&] { function->clear_halt(*endpoint); }, went_away);
        } else if ((type & USB_TYPE_MASK) == USB_TYPE_STANDARD && !(type & USB_DIR_IN) &&
                   (request == USB_REQ_SET_CONFIGURATION || request == USB_REQ_SET_INTERFACE ||
                    request == USB_REQ_SET_FEATURE || request == USB_REQ_CLEAR_FEATURE)) {
            // Nothing to change on an emulated device with one configuration.
        } else if (type == (USB_DIR_OUT | USB_TYPE_CLASS | USB_RECIP_INTERFACE) &&
                   request == ptp::class_request::cancel) {
            if (out_data.size() < 6) {
                result.stall = true;
                return result;
            }
            std::uint32_t transaction_id = 0;
            for (int i = 0; i < 4; ++i)
                transaction_id |= std::to_integer<std::uint32_t>(out_data[2 + i]) << (8 * i);
            result.out_length = static_cast<int>(out_data.size());
            guarded([&] { function->cancel(transaction_id); }, went_away);
        } else if (type == (USB_DIR_OUT | USB_TYPE_CLASS | USB_RECIP_INTERFACE) &&
                   request == ptp::class_request::device_reset) {
            guarded([&] { function->reset(); }, went_away);
        } else if (type == (USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE) &&
                   request == ptp::class_request::get_device_status) {
            // u16 length, u16 code, then each halted endpoint as a u32.
            std::vector<std::uint16_t> status;
            guarded([&] { status = function->status(); }, went_away);
            if (status.empty()) status.push_back(ptp::rc::ok);
            std::vector<std::byte> bytes;
            auto put = [&](std::uint32_t v, int size) {
                for (int i = 0; i < size; ++i) bytes.push_back(std::byte((v >> (8 * i)) & 0xFF));
            };
            put(static_cast<std::uint32_t>(4 + 4 * (status.size() - 1)), 2);
            put(status[0], 2);
            for (std::size_t i = 1; i < status.size(); ++i) put(status[i], 4);
            answer(std::move(bytes));
        } else {
            result.stall = true;
        }
        if (!result.stall && !(type & USB_DIR_IN))
            result.out_length = static_cast<int>(out_data.size());
        return result;
    }
};

namespace {

using State = UsbfsDevice::State;

void complete(UMockdevIoctlClient* client, long result, int error = 0) {
    umockdev_ioctl_client_complete(client, result, error);
}

// SUBMITURB: the URB joins the queue of the device thread. Data towards the device is copied
// now, while the client's memory can be read.
void submit_urb(State& state, UMockdevIoctlClient* client, ClientMemory memory) {
    const auto urb = read_as<usbdevfs_urb>(memory);
    if (urb.buffer_length < 0 || urb.buffer_length > kMaxUrbBytes) {
        complete(client, -1, urb.buffer_length < 0 ? EINVAL : ENOMEM);
        return;
    }
    const bool control = urb.type == USBDEVFS_URB_TYPE_CONTROL && (urb.endpoint & 0x7F) == 0;
    const auto endpoint = endpoint_of(urb.endpoint);
    const bool valid =
        control ||
        (urb.type == USBDEVFS_URB_TYPE_BULK && endpoint &&
         *endpoint != ptp::Endpoint::interrupt_in) ||
        (urb.type == USBDEVFS_URB_TYPE_INTERRUPT && endpoint == ptp::Endpoint::interrupt_in);
    if (!valid) {
        complete(client, -1, urb.type == USBDEVFS_URB_TYPE_ISO ? EINVAL : ENOENT);
        return;
    }
    if (control && urb.buffer_length < static_cast<int>(sizeof(usb_ctrlrequest))) {
        complete(client, -1, EINVAL);
        return;
    }
    if (state.gone) {
        complete(client, -1, ENODEV);
        return;
    }
    Urb entry;
    entry.id = state.next_id++;
    entry.type = urb.type;
    entry.endpoint = urb.endpoint;
    entry.buffer_length = urb.buffer_length;
    if ((control || endpoint == ptp::Endpoint::bulk_out) && urb.buffer_length > 0) {
        ClientMemory buffer =
            resolve(memory.get(), offsetof(usbdevfs_urb, buffer), urb.buffer_length);
        if (!buffer) {
            complete(client, -1, EFAULT);
            return;
        }
        std::size_t length = buffer.size();
        if (control) {
            // The setup packet, then as much of the data stage as it announces and fits.
            usb_ctrlrequest setup{};
            std::memcpy(&setup, buffer.bytes(), sizeof setup);
            length = std::min(buffer.size(), sizeof setup + setup.wLength);
            if (setup.bRequestType & USB_DIR_IN) {
                entry.out.assign(reinterpret_cast<const std::byte*>(buffer.bytes()),
                                 reinterpret_cast<const std::byte*>(buffer.bytes()) + sizeof setup);
                entry.out.resize(length);  // room for the answer, zeroed
                length = 0;
            }
        }
        if (length > 0)
            entry.out.assign(reinterpret_cast<const std::byte*>(buffer.bytes()),
                             reinterpret_cast<const std::byte*>(buffer.bytes()) + length);
    }
    ++state.submitted;
    entry.urb = std::move(memory);
    state.clients[client].in_flight.push_back(std::move(entry));
    complete(client, 0);
    state.wake.notify_all();
}

// Writes the outcome into the client's URB (and its buffer) and hands it to the reaper.
void reap_urb(State& state, UMockdevIoctlClient* client, UMockdevIoctlData* arg) {
    auto found = state.clients.find(client);
    if (found == state.clients.end() || found->second.completed.empty()) {
        // A blocking reap would wait; the emulation has no wake-up for it, and libusb only
        // reaps without delay, so both report that nothing is ready yet.
        complete(client, -1, state.gone ? ENODEV : EAGAIN);
        return;
    }
    Urb urb = std::move(found->second.completed.front());
    found->second.completed.pop_front();

    if (!urb.in.empty()) {
        ClientMemory buffer =
            resolve(urb.urb.get(), offsetof(usbdevfs_urb, buffer), urb.in_offset + urb.in.size());
        if (buffer && buffer.size() >= urb.in_offset + urb.in.size())
            std::memcpy(buffer.bytes() + urb.in_offset, urb.in.data(), urb.in.size());
    }
    // Only the result fields change; the buffer pointer stays as umockdev resolved it.
    const int error_count = 0;
    std::memcpy(urb.urb.bytes() + offsetof(usbdevfs_urb, status), &urb.status, sizeof urb.status);
    std::memcpy(urb.urb.bytes() + offsetof(usbdevfs_urb, actual_length), &urb.actual_length,
                sizeof urb.actual_length);
    std::memcpy(urb.urb.bytes() + offsetof(usbdevfs_urb, error_count), &error_count,
                sizeof error_count);

    ClientMemory slot = resolve(arg, 0, sizeof(void*));
    if (!slot) {
        complete(client, -1, EFAULT);
        return;
    }
    umockdev_ioctl_data_set_ptr(slot.get(), 0, urb.urb.get());
    complete(client, 0);
}

void discard_urb(State& state, UMockdevIoctlClient* client, UMockdevIoctlData* arg) {
    gulong address = 0;
    std::memcpy(&address, arg->data, std::min<std::size_t>(sizeof address, arg->data_len));
    auto& urbs = state.clients[client];
    for (auto it = urbs.in_flight.begin(); it != urbs.in_flight.end(); ++it) {
        if (it->urb.get()->client_addr != address) continue;
        it->status = -ENOENT;
        urbs.completed.push_back(std::move(*it));
        urbs.in_flight.erase(it);
        complete(client, 0);
        return;
    }
    complete(client, -1, EINVAL);
}

// A synchronous ioctl that needs the device: the device thread answers it in turn. The client
// and its memory stay referenced until then.
void queue_job(State& state, UMockdevIoctlClient* client, ClientMemory memory,
               std::function<void(State&, UMockdevIoctlClient*, ClientMemory&, bool&)> work) {
    g_object_ref(client);
    auto shared_memory = std::make_shared<ClientMemory>(std::move(memory));
    state.jobs.push_back([&state, client, shared_memory, work](bool& went_away) {
        work(state, client, *shared_memory, went_away);
        g_object_unref(client);
    });
    state.wake.notify_all();
}

void control_job(State& state, UMockdevIoctlClient* client, ClientMemory& memory, bool& went_away) {
    const auto transfer = read_as<usbdevfs_ctrltransfer>(memory);
    // Resolved before the job was queued, as a child of memory.
    ClientMemory data;
    if (transfer.wLength > 0)
        data = resolve(memory.get(), offsetof(usbdevfs_ctrltransfer, data), transfer.wLength);
    usb_ctrlrequest setup{};
    setup.bRequestType = transfer.bRequestType;
    setup.bRequest = transfer.bRequest;
    setup.wValue = transfer.wValue;
    setup.wIndex = transfer.wIndex;
    setup.wLength = transfer.wLength;
    std::span<const std::byte> out_data;
    if (!(setup.bRequestType & USB_DIR_IN))
        out_data = {reinterpret_cast<const std::byte*>(data.bytes()), data.size()};
    ControlResult result = state.control(setup, out_data, went_away);
    if (went_away) return complete(client, -1, ENODEV);
    if (result.stall) {
        std::lock_guard lock(state.mutex);
        ++state.stalled;
        return complete(client, -1, EPIPE);
    }
    if (setup.bRequestType & USB_DIR_IN) {
        if (!result.in.empty() && data.size() >= result.in.size())
            std::memcpy(data.bytes(), result.in.data(), result.in.size());
        return complete(client, static_cast<long>(result.in.size()));
    }
    complete(client, result.out_length);
}

// Long on purpose: one case per usbfs ioctl the emulated device answers, in one switch, so
// that the whole of the kernel interface it stands in for reads in one place.
void handle(State& state, UMockdevIoctlClient* client) {
    const unsigned long request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(client);
    const std::size_t size = _IOC_SIZE(request);
    ClientMemory memory;
    if (size > 0) {
        memory = resolve(arg, 0, size);
        if (!memory) {
            complete(client, -1, EFAULT);
            return;
        }
    }

    if (request == USBDEVFS_REAPURB || request == USBDEVFS_REAPURBNDELAY) {
        reap_urb(state, client, arg);
        return;
    }
    if (request == USBDEVFS_DISCARDURB) {
        discard_urb(state, client, arg);
        return;
    }
    if (request == USBDEVFS_GET_CAPABILITIES) {
        write_as(memory, kCapabilities);
        complete(client, 0);
        return;
    }
    if (state.gone) {
        complete(client, -1, ENODEV);
        return;
    }

    switch (request) {
        case USBDEVFS_SUBMITURB:
            submit_urb(state, client, std::move(memory));
            return;
        case USBDEVFS_CLAIMINTERFACE:
        case USBDEVFS_DISCONNECT_CLAIM: {
            const auto interface = read_as<unsigned int>(memory);
            if (interface != 0) return complete(client, -1, ENOENT);
            if (state.claimed_by != nullptr && state.claimed_by != client)
                return complete(client, -1, EBUSY);
            state.claimed_by = client;
            return complete(client, 0);
        }
        case USBDEVFS_RELEASEINTERFACE: {
            const auto interface = read_as<unsigned int>(memory);
            if (interface != 0 || state.claimed_by != client) return complete(client, -1, EINVAL);
            state.claimed_by = nullptr;
            return complete(client, 0);
        }
        case USBDEVFS_SETINTERFACE: {
            const auto setting = read_as<usbdevfs_setinterface>(memory);
            return setting.interface == 0 && setting.altsetting == 0 ? complete(client, 0)
                                                                     : complete(client, -1, EINVAL);
        }
        case USBDEVFS_SETCONFIGURATION:
        case USBDEVFS_RESETEP:
        case USBDEVFS_DROP_PRIVILEGES:
            return complete(client, 0);
        case USBDEVFS_GETDRIVER:
            return complete(client, -1, ENODATA);  // no kernel driver holds the interface
        case USBDEVFS_IOCTL: {
            const auto command = read_as<usbdevfs_ioctl>(memory);
            if (command.ioctl_code == static_cast<int>(USBDEVFS_DISCONNECT))
                return complete(client, -1, ENODATA);
            if (command.ioctl_code == static_cast<int>(USBDEVFS_CONNECT))
                return complete(client, 0);
            return complete(client, -1, ENOTTY);
        }
        case USBDEVFS_CONNECTINFO: {
            usbdevfs_connectinfo info{};
            info.devnum = state.devnum;
            info.slow = 0;
            write_as(memory, info);
            return complete(client, 0);
        }
        case USBDEVFS_GET_SPEED:
            return complete(client, kUsbSpeedHigh);
        case USBDEVFS_CLEAR_HALT: {
            const auto endpoint = endpoint_of(read_as<unsigned int>(memory));
            if (!endpoint) return complete(client, -1, ENOENT);
            return queue_job(state, client, std::move(memory),
                             [endpoint](State& state, UMockdevIoctlClient* client, ClientMemory&,
                                        bool& went_away) {
                                 const int status = State::guarded(
                                     [&] { state.function->clear_halt(*endpoint); }, went_away);
                                 status == 0 ? complete(client, 0) : complete(client, -1, -status);
                             });
        }
        case USBDEVFS_RESET:
            // A port reset ends whatever the device was doing.
            return queue_job(
                state, client, std::move(memory),
                [](State& state, UMockdevIoctlClient* client, ClientMemory&, bool& went_away) {
                    const int status = State::guarded([&] { state.function->reset(); }, went_away);
                    status == 0 ? complete(client, 0) : complete(client, -1, -status);
                });
        case USBDEVFS_CONTROL: {
            const auto transfer = read_as<usbdevfs_ctrltransfer>(memory);
            if (transfer.wLength > 0) {
                ClientMemory data =
                    resolve(memory.get(), offsetof(usbdevfs_ctrltransfer, data), transfer.wLength);
                if (!data) return complete(client, -1, EFAULT);
            }
            return queue_job(state, client, std::move(memory), control_job);
        }
        default:
            return complete(client, -1, ENOTTY);
    }
}

gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer user_data) {
    auto& state = *static_cast<State*>(user_data);
    std::lock_guard lock(state.mutex);
    handle(state, client);
    return TRUE;
}

void on_client_vanished(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer user_data) {
    auto& state = *static_cast<State*>(user_data);
    std::lock_guard lock(state.mutex);
    state.clients.erase(client);
    if (state.claimed_by == client) state.claimed_by = nullptr;
}

}  // namespace

UsbfsDevice::UsbfsDevice(std::shared_ptr<UsbPtpFunction> function, UsbIdentity identity,
                         std::uint8_t devnum, std::function<void()> on_gone,
                         std::function<void(int port, bool on)> on_port_power)
    : handler_(umockdev_ioctl_base_new()), state_(std::make_unique<State>()) {
    state_->on_port_power = std::move(on_port_power);
    state_->function = std::move(function);
    state_->identity = std::move(identity);
    state_->devnum = devnum;
    state_->on_gone = std::move(on_gone);
    state_->ioctl_signal =
        g_signal_connect(handler_, "handle-ioctl", G_CALLBACK(&on_ioctl), state_.get());
    state_->vanished_signal = g_signal_connect(handler_, "client-vanished",
                                               G_CALLBACK(&on_client_vanished), state_.get());
    state_->thread = std::thread([state = state_.get()] { state->run(); });
}

UsbfsDevice::~UsbfsDevice() {
    {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
    }
    state_->wake.notify_all();
    state_->thread.join();
    g_signal_handler_disconnect(handler_, state_->ioctl_signal);
    g_signal_handler_disconnect(handler_, state_->vanished_signal);
    g_object_unref(handler_);
}

void UsbfsDevice::unplug() {
    std::lock_guard lock(state_->mutex);
    state_->go_away();
}

bool UsbfsDevice::plugged() const {
    std::lock_guard lock(state_->mutex);
    return !state_->gone;
}

std::uint64_t UsbfsDevice::urbs_submitted() const {
    std::lock_guard lock(state_->mutex);
    return state_->submitted;
}

std::uint64_t UsbfsDevice::stalls() const {
    std::lock_guard lock(state_->mutex);
    return state_->stalled;
}

}  // namespace cradle::hw::sim::usb
