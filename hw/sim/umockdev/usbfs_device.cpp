#include "hw/sim/umockdev/usbfs_device.hpp"

#include "hw/ptp/codes.hpp"
#include "hw/sim/umockdev/usb_descriptors.hpp"

#include <linux/usb/ch9.h>
#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>
#include <umockdev.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
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
    ClientMemory urb;  // the client's struct usbdevfs_urb
    unsigned char type = 0;
    unsigned char endpoint = 0;
    int buffer_length = 0;
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

std::vector<std::byte> as_bytes(const std::vector<std::uint8_t>& raw) {
    std::vector<std::byte> out(raw.size());
    std::memcpy(out.data(), raw.data(), raw.size());
    return out;
}

}  // namespace

struct UsbfsDevice::State {
    std::shared_ptr<UsbPtpFunction> function;
    UsbIdentity identity;
    std::uint8_t devnum = 0;
    std::function<void()> on_gone;

    mutable std::mutex mutex;
    bool gone = false;
    std::map<UMockdevIoctlClient*, ClientUrbs> clients;
    UMockdevIoctlClient* claimed_by = nullptr;
    std::uint64_t submitted = 0;
    std::uint64_t stalled = 0;
    gulong ioctl_signal = 0;
    gulong vanished_signal = 0;

    // All called with the mutex held. They return true when the function reported that the
    // device went away.
    void fail_all_in_flight(int status) {
        for (auto& [client, urbs] : clients) {
            for (auto& urb : urbs.in_flight) {
                urb.status = status;
                urbs.completed.push_back(std::move(urb));
            }
            urbs.in_flight.clear();
        }
    }

    void go_away() {
        gone = true;
        fail_all_in_flight(-ENODEV);
    }

    // Runs one device call, turning the function's errors into a URB status.
    template <typename Call>
    int guarded(Call&& call, bool& went_away) {
        try {
            call();
            return 0;
        } catch (const DeviceError& error) {
            if (error.kind() == DeviceError::Kind::gone) {
                went_away = true;
                return -ENODEV;
            }
            return -EPROTO;
        } catch (const std::exception&) {
            return -EPROTO;
        }
    }

    // Completes the in-flight IN URBs that the device can answer now, in order per endpoint.
    void fill_in_urbs(ClientUrbs& urbs, bool& went_away) {
        for (auto it = urbs.in_flight.begin(); it != urbs.in_flight.end() && !went_away;) {
            auto endpoint = endpoint_of(it->endpoint);
            std::optional<std::vector<std::byte>> answer;
            int status = 0;
            if (function->halted(*endpoint)) {
                status = -EPIPE;
            } else {
                status = guarded(
                    [&] {
                        answer =
                            *endpoint == ptp::Endpoint::bulk_in
                                ? function->bulk_in(static_cast<std::size_t>(it->buffer_length))
                                : function->interrupt_in(
                                      static_cast<std::size_t>(it->buffer_length));
                    },
                    went_away);
                if (status == 0 && !answer && function->halted(*endpoint)) status = -EPIPE;
            }
            if (status == 0 && !answer) {
                // Nothing yet: later URBs of this endpoint wait behind this one.
                const auto address = it->endpoint;
                ++it;
                while (it != urbs.in_flight.end() && it->endpoint == address) ++it;
                continue;
            }
            if (status == -EPIPE) ++stalled;
            it->status = status;
            if (answer) {
                answer->resize(
                    std::min(answer->size(), static_cast<std::size_t>(it->buffer_length)));
                it->actual_length = static_cast<int>(answer->size());
                it->in = std::move(*answer);
            }
            urbs.completed.push_back(std::move(*it));
            it = urbs.in_flight.erase(it);
        }
        if (went_away) go_away();
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

        if (type == (USB_DIR_IN | USB_TYPE_STANDARD | USB_RECIP_DEVICE) &&
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

// SUBMITURB: bulk-out and control URBs are answered at once; IN URBs wait for the device.
void submit_urb(State& state, UMockdevIoctlClient* client, ClientMemory memory, bool& went_away) {
    const auto urb = read_as<usbdevfs_urb>(memory);
    Urb entry;
    entry.type = urb.type;
    entry.endpoint = urb.endpoint;
    entry.buffer_length = urb.buffer_length;
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
    if (state.gone) {
        complete(client, -1, ENODEV);
        return;
    }
    ++state.submitted;
    auto& urbs = state.clients[client];
    const std::size_t buffer_at = offsetof(usbdevfs_urb, buffer);

    if (control) {
        if (urb.buffer_length < 8) {
            complete(client, -1, EINVAL);
            return;
        }
        ClientMemory buffer = resolve(memory.get(), buffer_at, urb.buffer_length);
        if (!buffer) {
            complete(client, -1, EFAULT);
            return;
        }
        usb_ctrlrequest setup{};
        std::memcpy(&setup, buffer.bytes(), sizeof setup);
        const std::size_t data_length =
            std::min<std::size_t>(setup.wLength, buffer.size() - sizeof setup);
        std::span<const std::byte> out_data;
        if (!(setup.bRequestType & USB_DIR_IN))
            out_data = {reinterpret_cast<const std::byte*>(buffer.bytes()) + sizeof setup,
                        data_length};
        ControlResult result = state.control(setup, out_data, went_away);
        if (result.stall) ++state.stalled;
        entry.status = went_away ? -ENODEV : (result.stall ? -EPIPE : 0);
        entry.in = std::move(result.in);
        if (entry.in.size() > data_length) entry.in.resize(data_length);
        entry.in_offset = sizeof setup;
        entry.actual_length =
            setup.bRequestType & USB_DIR_IN ? static_cast<int>(entry.in.size()) : result.out_length;
        entry.urb = std::move(memory);
        urbs.completed.push_back(std::move(entry));
        complete(client, 0);
        return;
    }

    if (*endpoint == ptp::Endpoint::bulk_out) {
        ClientMemory buffer;
        if (urb.buffer_length > 0) {
            buffer = resolve(memory.get(), buffer_at, urb.buffer_length);
            if (!buffer) {
                complete(client, -1, EFAULT);
                return;
            }
        }
        if (state.function->halted(ptp::Endpoint::bulk_out)) {
            entry.status = -EPIPE;
            ++state.stalled;
        } else {
            std::span<const std::byte> data{reinterpret_cast<const std::byte*>(buffer.bytes()),
                                            buffer.size()};
            entry.status = state.guarded([&] { state.function->bulk_out(data); }, went_away);
            if (entry.status == 0) entry.actual_length = urb.buffer_length;
        }
        entry.urb = std::move(memory);
        urbs.completed.push_back(std::move(entry));
        complete(client, 0);
        if (went_away) state.go_away();
        return;
    }

    entry.urb = std::move(memory);
    urbs.in_flight.push_back(std::move(entry));
    complete(client, 0);
    state.fill_in_urbs(urbs, went_away);
}

// Writes the outcome into the client's URB (and its buffer) and hands it to the reaper.
void reap_urb(State& state, UMockdevIoctlClient* client, UMockdevIoctlData* arg, bool wait) {
    auto found = state.clients.find(client);
    if (found == state.clients.end() || found->second.completed.empty()) {
        // A blocking reap would wait; the emulation has no wake-up for it, and libusb only
        // reaps without delay, so both report that nothing is ready yet.
        (void)wait;
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
    auto fields = read_as<usbdevfs_urb>(urb.urb);
    fields.status = urb.status;
    fields.actual_length = urb.actual_length;
    fields.error_count = 0;
    // Only the result fields change; the buffer pointer stays as umockdev resolved it.
    std::memcpy(urb.urb.bytes() + offsetof(usbdevfs_urb, status), &fields.status,
                sizeof fields.status);
    std::memcpy(urb.urb.bytes() + offsetof(usbdevfs_urb, actual_length), &fields.actual_length,
                sizeof fields.actual_length);
    std::memcpy(urb.urb.bytes() + offsetof(usbdevfs_urb, error_count), &fields.error_count,
                sizeof fields.error_count);

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

void handle(State& state, UMockdevIoctlClient* client, bool& went_away) {
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
        state.fill_in_urbs(state.clients[client], went_away);
        reap_urb(state, client, arg, request == USBDEVFS_REAPURB);
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
            submit_urb(state, client, std::move(memory), went_away);
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
            const int status =
                state.guarded([&] { state.function->clear_halt(*endpoint); }, went_away);
            if (went_away) state.go_away();
            return status == 0 ? complete(client, 0) : complete(client, -1, -status);
        }
        case USBDEVFS_RESET: {
            // A port reset ends whatever the device was doing.
            const int status = state.guarded([&] { state.function->reset(); }, went_away);
            if (went_away) state.go_away();
            return status == 0 ? complete(client, 0) : complete(client, -1, -status);
        }
        case USBDEVFS_CONTROL: {
            const auto transfer = read_as<usbdevfs_ctrltransfer>(memory);
            ClientMemory data;
            if (transfer.wLength > 0) {
                data =
                    resolve(memory.get(), offsetof(usbdevfs_ctrltransfer, data), transfer.wLength);
                if (!data) return complete(client, -1, EFAULT);
            }
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
            if (went_away) {
                state.go_away();
                return complete(client, -1, ENODEV);
            }
            if (result.stall) {
                ++state.stalled;
                return complete(client, -1, EPIPE);
            }
            if (setup.bRequestType & USB_DIR_IN) {
                if (!result.in.empty())
                    std::memcpy(data.bytes(), result.in.data(), result.in.size());
                return complete(client, static_cast<long>(result.in.size()));
            }
            return complete(client, result.out_length);
        }
        default:
            return complete(client, -1, ENOTTY);
    }
}

gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer user_data) {
    auto& state = *static_cast<State*>(user_data);
    bool went_away = false;
    std::function<void()> on_gone;
    {
        std::lock_guard lock(state.mutex);
        const bool was_gone = state.gone;
        handle(state, client, went_away);
        if (went_away && !was_gone) on_gone = state.on_gone;
    }
    if (on_gone) on_gone();
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
                         std::uint8_t devnum, std::function<void()> on_gone)
    : handler_(umockdev_ioctl_base_new()), state_(std::make_unique<State>()) {
    state_->function = std::move(function);
    state_->identity = std::move(identity);
    state_->devnum = devnum;
    state_->on_gone = std::move(on_gone);
    state_->ioctl_signal =
        g_signal_connect(handler_, "handle-ioctl", G_CALLBACK(&on_ioctl), state_.get());
    state_->vanished_signal = g_signal_connect(handler_, "client-vanished",
                                               G_CALLBACK(&on_client_vanished), state_.get());
}

UsbfsDevice::~UsbfsDevice() {
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
