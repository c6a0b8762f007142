// SPDX-License-Identifier: Apache-2.0
// sd-bus calls of cradlectl. Every handle has an owner; every error of the bus or the service
// becomes a BusClientError whose kind decides cradlectl's exit status.
#include "cradlectl/bus_client.hpp"

#include "protocol/dbus_handles.hpp"
#include "protocol/dbus_names.hpp"
#include "protocol/dbus_report_facts.hpp"
#include "protocol/dbus_signature.hpp"

#include <fcntl.h>
#include <poll.h>
#include <systemd/sd-bus.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <functional>
#include <map>
#include <string_view>
#include <thread>

namespace cradle::ctl {
namespace {

constexpr const char* kPropertiesInterface = "org.freedesktop.DBus.Properties";

// Verify reads the whole archive before it answers: allow it a day rather than sd-bus's 25 s.
constexpr std::uint64_t kVerifyTimeoutUs = 24ull * 3600 * 1000 * 1000;
constexpr std::uint64_t kDefaultTimeoutUs = 0;  // sd-bus's default
// A year of a large register's facts is read in well under a second; a busy cradle's disk may
// make it slower, and a report is worth the wait.
constexpr std::uint64_t kReportTimeoutUs = 300ull * 1000 * 1000;

// The contract's names and signatures, generated from dbus/org.cradled.Cradle1.xml.
namespace manager_api = protocol::cradle1::Manager;
namespace bay_api = protocol::cradle1::Bay;
namespace device_api = protocol::cradle1::Device;
constexpr auto kBayType = dbus::element_of(manager_api::ListBays::arg::bays);
constexpr auto kDeviceType = dbus::element_of(manager_api::ListDevices::arg::devices);
constexpr auto kRecordingType = dbus::element_of(manager_api::ListRecordings::arg::recordings);
constexpr auto kHistoryType = dbus::element_of(manager_api::GetDeviceHistory::arg::history);

using dbus::BusPtr;
using dbus::MessagePtr;
using dbus::SlotPtr;

struct MallocReleaser {
    void operator()(char* text) const { std::free(text); }
};
using MallocText = std::unique_ptr<char, MallocReleaser>;

std::string errno_text(int negative_errno) {
    return std::strerror(-negative_errno);
}

[[noreturn]] void fail_reading(const char* what, int r) {
    throw BusClientError(BusFailure::failed,
                         std::string("unexpected reply to ") + what + ": " + errno_text(r));
}

void check_read(int r, const char* what) {
    if (r < 0) fail_reading(what, r);
}

std::string copy_text(const char* text) {
    return text != nullptr ? text : "";
}

// The rows cradlectl asks for in one page of a list: the most the daemon gives.
constexpr std::uint32_t kPageRows = 1000;

// The cursor that ends a page's reply: "" after the last page.
std::string read_next_cursor(sd_bus_message* reply, const char* what) {
    const char* cursor = nullptr;
    check_read(sd_bus_message_read(reply, "s", &cursor), what);
    return copy_text(cursor);
}

// A variant of a basic type, as properties carry them.
struct Variant {
    char type = 0;
    std::string text;
    std::int64_t signed_number = 0;
    std::uint64_t unsigned_number = 0;
    double real = 0;

    std::int64_t as_int64() const {
        if (type == 'd') return static_cast<std::int64_t>(real);
        return signed_number;
    }
    std::uint64_t as_uint64() const {
        if (type == 'd') return real < 0 ? 0 : static_cast<std::uint64_t>(real);
        return unsigned_number;
    }
    void set_unsigned(std::uint64_t number) {
        unsigned_number = number;
        signed_number = static_cast<std::int64_t>(number);
    }
    void set_signed(std::int64_t number) {
        signed_number = number;
        unsigned_number = number < 0 ? 0 : static_cast<std::uint64_t>(number);
    }
    double as_double() const {
        if (type == 'd') return real;
        if (type == 'x' || type == 'i' || type == 'n') return static_cast<double>(signed_number);
        return static_cast<double>(unsigned_number);
    }
};

// One value of a basic type; `Value` is what sd-bus writes for `type`.
template <typename Value>
Value read_basic(sd_bus_message* message, char type, const char* what) {
    Value value{};
    check_read(sd_bus_message_read_basic(message, type, &value), what);
    return value;
}

Variant read_variant(sd_bus_message* message, const char* what) {
    char kind = 0;
    const char* contents = nullptr;
    check_read(sd_bus_message_peek_type(message, &kind, &contents), what);
    Variant value;
    if (kind != 'v' || contents == nullptr || std::strlen(contents) != 1) {
        check_read(sd_bus_message_skip(message, "v"), what);
        return value;
    }
    value.type = contents[0];
    check_read(sd_bus_message_enter_container(message, 'v', contents), what);
    switch (value.type) {
        case 's':
        case 'o':
        case 'g':
            value.text = copy_text(read_basic<const char*>(message, value.type, what));
            break;
        case 'b':  // sd-bus reads a boolean as an int
            value.set_unsigned(read_basic<int>(message, 'b', what) != 0 ? 1 : 0);
            break;
        case 'y':
            value.set_unsigned(read_basic<std::uint8_t>(message, 'y', what));
            break;
        case 'q':
            value.set_unsigned(read_basic<std::uint16_t>(message, 'q', what));
            break;
        case 'u':
            value.set_unsigned(read_basic<std::uint32_t>(message, 'u', what));
            break;
        case 't':
            value.set_unsigned(read_basic<std::uint64_t>(message, 't', what));
            break;
        case 'n':
            value.set_signed(read_basic<std::int16_t>(message, 'n', what));
            break;
        case 'i':
            value.set_signed(read_basic<std::int32_t>(message, 'i', what));
            break;
        case 'x':
            value.set_signed(read_basic<std::int64_t>(message, 'x', what));
            break;
        case 'd':
            value.real = read_basic<double>(message, 'd', what);
            break;
        default:
            check_read(sd_bus_message_skip(message, contents), what);
            value.type = 0;
            break;
    }
    check_read(sd_bus_message_exit_container(message), what);
    return value;
}

// Reads an a{sv} of properties, calling `apply` for each.
void read_properties(sd_bus_message* message, const char* what,
                     const std::function<void(const std::string&, const Variant&)>& apply) {
    check_read(sd_bus_message_enter_container(message, 'a', "{sv}"), what);
    for (;;) {
        int r = sd_bus_message_enter_container(message, 'e', "sv");
        check_read(r, what);
        if (r == 0) break;
        const char* name = nullptr;
        check_read(sd_bus_message_read_basic(message, 's', &name), what);
        const std::string property = copy_text(name);
        const Variant value = read_variant(message, what);
        check_read(sd_bus_message_exit_container(message), what);
        apply(property, value);
    }
    check_read(sd_bus_message_exit_container(message), what);
}

void apply_bay_property(BayInfo& bay, const std::string& name, const Variant& value) {
    if (name == bay_api::Number::name) bay.bay = static_cast<std::uint32_t>(value.as_uint64());
    if (name == bay_api::Phase::name) bay.phase = value.text;
    if (name == bay_api::Light::name) bay.light = value.text;
    if (name == bay_api::DeviceSerial::name) bay.serial = value.text;
    if (name == bay_api::DeviceModel::name) bay.model = value.text;
    if (name == bay_api::Outcome::name) bay.outcome = value.text;
    if (name == bay_api::DockedSince::name) bay.docked_since = value.as_int64();
    if (name == bay_api::RecordingsTotal::name)
        bay.recordings_total = static_cast<std::uint32_t>(value.as_uint64());
    if (name == bay_api::RecordingsDone::name)
        bay.recordings_done = static_cast<std::uint32_t>(value.as_uint64());
    if (name == bay_api::BytesTotal::name) bay.bytes_total = value.as_uint64();
    if (name == bay_api::BytesDone::name) bay.bytes_done = value.as_uint64();
    if (name == bay_api::Rate::name) bay.rate_bytes_per_s = value.as_double();
    if (name == bay_api::EtaSeconds::name) bay.eta_s = value.as_int64();
}

// Blocks SIGINT and SIGTERM while a watch runs, so that they are only taken inside ppoll():
// no signal can slip in between the check of the flag and the wait.
volatile std::sig_atomic_t interrupt_received = 0;

extern "C" void note_interrupt(int) {
    interrupt_received = 1;
}

class InterruptCatcher {
  public:
    InterruptCatcher() {
        interrupt_received = 0;
        sigset_t blocked;
        sigemptyset(&blocked);
        sigaddset(&blocked, SIGINT);
        sigaddset(&blocked, SIGTERM);
        sigprocmask(SIG_BLOCK, &blocked, &previous_mask_);
        wait_mask_ = previous_mask_;
        sigdelset(&wait_mask_, SIGINT);
        sigdelset(&wait_mask_, SIGTERM);
        struct sigaction action {};
        action.sa_handler = note_interrupt;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previous_int_);
        sigaction(SIGTERM, &action, &previous_term_);
    }
    InterruptCatcher(const InterruptCatcher&) = delete;
    InterruptCatcher& operator=(const InterruptCatcher&) = delete;
    ~InterruptCatcher() {
        // Unblocked first, while the handler is still ours: a signal that waited is only noted.
        sigprocmask(SIG_SETMASK, &previous_mask_, nullptr);
        sigaction(SIGINT, &previous_int_, nullptr);
        sigaction(SIGTERM, &previous_term_, nullptr);
    }
    const sigset_t* wait_mask() const { return &wait_mask_; }
    bool interrupted() const { return interrupt_received != 0; }

  private:
    sigset_t previous_mask_{};
    sigset_t wait_mask_{};
    struct sigaction previous_int_ {};
    struct sigaction previous_term_ {};
};

}  // namespace

struct BusClient::Impl {
    BusPtr bus;
    std::string description;
    bool on_system_bus = false;

    [[noreturn]] void throw_unreachable(const std::string& why) const {
        throw BusClientError(BusFailure::unreachable, why);
    }

    std::string not_running_text() const {
        std::string text = "cradled is not running on " + description;
        if (on_system_bus) text += ": is the service started? systemctl status cradled";
        return text;
    }

    [[noreturn]] void throw_call_error(dbus::BusErrorText& error, int r, const char* member) const {
        const std::string name = error.name();
        std::string text = error.message();
        if (text.empty()) text = errno_text(r);
        if (name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
            name == "org.freedesktop.DBus.Error.NameHasNoOwner") {
            throw_unreachable(not_running_text());
        }
        if (name == "org.freedesktop.DBus.Error.NoReply" ||
            name == "org.freedesktop.DBus.Error.Timeout" ||
            name == "org.freedesktop.DBus.Error.TimedOut") {
            throw_unreachable("cradled did not answer " + std::string(member) + " on " +
                              description + ": " + text);
        }
        if (name == "org.freedesktop.DBus.Error.Disconnected" || name.empty() ||
            name == "System.Error.ECONNRESET" || name == "System.Error.ENOTCONN") {
            throw_unreachable("the connection to " + description + " was lost: " + text);
        }
        if (name == "org.freedesktop.DBus.Error.AccessDenied") {
            throw BusClientError(BusFailure::access_denied, text);
        }
        if (name == dbus::kErrorNoSuchDevice) {
            throw BusClientError(BusFailure::no_such_device, text);
        }
        if (name == "org.freedesktop.DBus.Error.InvalidArgs") {
            throw BusClientError(BusFailure::invalid_args, text);
        }
        if (name == "org.freedesktop.DBus.Error.UnknownMethod" ||
            name == "org.freedesktop.DBus.Error.UnknownObject" ||
            name == "org.freedesktop.DBus.Error.UnknownInterface") {
            throw BusClientError(BusFailure::failed, "this cradled does not offer " +
                                                         std::string(member) +
                                                         " (an older version?): " + text);
        }
        throw BusClientError(BusFailure::failed, text + " (" + name + ")");
    }

    MessagePtr new_call(const char* destination, const char* path, const char* interface,
                        const char* member) const {
        sd_bus_message* raw = nullptr;
        const int r =
            sd_bus_message_new_method_call(bus.get(), &raw, destination, path, interface, member);
        if (r < 0) {
            throw BusClientError(BusFailure::failed, std::string("cannot make a call of ") +
                                                         member + ": " + errno_text(r));
        }
        return MessagePtr(raw);
    }

    // A call the service refuses as busy (LimitsExceeded saying "try again": other callers'
    // lists and reports are being read) is sent again after a pause that doubles,
    // kBusyRetries times at most: together about 6 s. A LimitsExceeded for a reply too large
    // is final.
    static constexpr int kBusyRetries = 5;
    static constexpr std::chrono::milliseconds kFirstBusyPause{200};

    MessagePtr call(sd_bus_message* request, const char* member,
                    std::uint64_t timeout_us = kDefaultTimeoutUs) const {
        std::chrono::milliseconds pause = kFirstBusyPause;
        MessagePtr attempt(sd_bus_message_ref(request));
        for (int retry = 0;; ++retry) {
            dbus::BusErrorText error;
            sd_bus_message* reply = nullptr;
            const int r = sd_bus_call(bus.get(), attempt.get(), timeout_us, error.get(), &reply);
            if (r >= 0) return MessagePtr(reply);
            const std::string name = error.name();
            const std::string text = error.message();
            const bool busy =
                name == SD_BUS_ERROR_LIMITS_EXCEEDED && text.find("try again") != std::string::npos;
            if (!busy) throw_call_error(error, r, member);
            if (retry == kBusyRetries) {
                throw BusClientError(
                    BusFailure::failed,
                    text + " (still busy after " + std::to_string(kBusyRetries) + " more tries)");
            }
            std::this_thread::sleep_for(pause);
            pause *= 2;
            attempt = copy_of(request);
        }
    }

    // A new message with the same destination, member and arguments as `sent` (a message is
    // sent once).
    MessagePtr copy_of(sd_bus_message* sent) const {
        MessagePtr copy =
            new_call(sd_bus_message_get_destination(sent), sd_bus_message_get_path(sent),
                     sd_bus_message_get_interface(sent), sd_bus_message_get_member(sent));
        int r = sd_bus_message_rewind(sent, true);
        if (r >= 0) r = sd_bus_message_copy(copy.get(), sent, true);
        if (r >= 0) {
            r = sd_bus_message_set_allow_interactive_authorization(
                copy.get(), sd_bus_message_get_allow_interactive_authorization(sent));
        }
        if (r < 0)
            throw BusClientError(BusFailure::failed, "cannot repeat a call: " + errno_text(r));
        return copy;
    }

    MessagePtr call_manager(const char* member,
                            std::uint64_t timeout_us = kDefaultTimeoutUs) const {
        MessagePtr request =
            new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface, member);
        return call(request.get(), member, timeout_us);
    }

    void append(sd_bus_message* message, const char* types, auto... values) const {
        const int r = sd_bus_message_append(message, types, values...);
        if (r < 0) {
            throw BusClientError(BusFailure::failed, "cannot build a call: " + errno_text(r));
        }
    }

    SlotPtr add_match(const std::string& rule, sd_bus_message_handler_t handler, void* data) const {
        sd_bus_slot* slot = nullptr;
        const int r = sd_bus_add_match(bus.get(), &slot, rule.c_str(), handler, data);
        if (r < 0)
            throw_unreachable("cannot follow the signals on " + description + ": " + errno_text(r));
        return SlotPtr(slot);
    }

    // One round of the wait: processes what there is, else waits for the bus or a signal.
    // Returns false when SIGINT or SIGTERM arrived.
    bool process_or_wait(const InterruptCatcher& catcher,
                         const std::exception_ptr& callback_error) {
        if (catcher.interrupted()) return false;
        const int r = sd_bus_process(bus.get(), nullptr);
        if (callback_error) std::rethrow_exception(callback_error);
        if (r < 0)
            throw_unreachable("the connection to " + description + " was lost: " + errno_text(r));
        if (r > 0) return true;
        const int fd = sd_bus_get_fd(bus.get());
        const int events = sd_bus_get_events(bus.get());
        if (fd < 0 || events < 0) {
            throw_unreachable("the connection to " + description + " was lost");
        }
        std::uint64_t until_us = UINT64_MAX;
        sd_bus_get_timeout(bus.get(), &until_us);
        timespec relative{};
        timespec* timeout = nullptr;
        if (until_us != UINT64_MAX) {
            timespec now{};
            clock_gettime(CLOCK_MONOTONIC, &now);
            const std::uint64_t now_us = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 +
                                         static_cast<std::uint64_t>(now.tv_nsec) / 1000;
            const std::uint64_t left_us = until_us > now_us ? until_us - now_us : 0;
            relative.tv_sec = static_cast<time_t>(left_us / 1'000'000);
            relative.tv_nsec = static_cast<long>(left_us % 1'000'000) * 1000;
            timeout = &relative;
        }
        pollfd watched{fd, static_cast<short>(events), 0};
        if (::ppoll(&watched, 1, timeout, catcher.wait_mask()) < 0) {
            if (errno == EINTR) return !catcher.interrupted();
            throw_unreachable("cannot wait for " + description + ": " + std::strerror(errno));
        }
        return true;
    }

    std::string name_owner_rule() const {
        return std::string(
                   "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/"
                   "DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                   "arg0='") +
               dbus::kBusName + "'";
    }
};

BusClient::BusClient(const std::string& address) : impl_(std::make_unique<Impl>()) {
    sd_bus* raw = nullptr;
    int r = 0;
    if (address.empty()) {
        bus_description_ = "the system bus";
        impl_->on_system_bus = true;
        r = sd_bus_open_system(&raw);
        if (r < 0) {
            impl_->description = bus_description_;
            throw BusClientError(
                BusFailure::unreachable,
                "cannot connect to the system bus: " + errno_text(r) + " (is dbus running?)");
        }
    } else {
        bus_description_ = "the bus " + address;
        r = sd_bus_new(&raw);
        if (r >= 0) {
            BusPtr owned(raw);
            r = sd_bus_set_address(raw, address.c_str());
            if (r >= 0) r = sd_bus_set_bus_client(raw, 1);
            if (r >= 0) r = sd_bus_start(raw);
            if (r < 0) {
                throw BusClientError(
                    BusFailure::unreachable,
                    "cannot connect to " + bus_description_ + ": " + errno_text(r));
            }
            raw = owned.release();
        } else {
            throw BusClientError(BusFailure::unreachable,
                                 "cannot connect to " + bus_description_ + ": " + errno_text(r));
        }
    }
    impl_->bus.reset(raw);
    impl_->description = bus_description_;
}

BusClient::~BusClient() = default;

ServiceInfo BusClient::service_info() {
    MessagePtr request =
        impl_->new_call(dbus::kBusName, dbus::kRootPath, kPropertiesInterface, "GetAll");
    impl_->append(request.get(), "s", dbus::kManagerInterface);
    MessagePtr reply = impl_->call(request.get(), "GetAll");
    ServiceInfo info;
    read_properties(reply.get(), "GetAll", [&info](const std::string& name, const Variant& value) {
        if (name == manager_api::Version::name) info.version = value.text;
        if (name == manager_api::BayCount::name)
            info.bay_count = static_cast<std::uint32_t>(value.as_uint64());
        if (name == manager_api::StateDirectory::name) info.state_directory = value.text;
        if (name == manager_api::SigningKey::name) info.signing_key = value.text;
        if (name == manager_api::SigningKeyFingerprint::name) {
            info.signing_key_fingerprint = value.text;
        }
        if (name == manager_api::ClockSynchronised::name)
            info.clock_synchronised = value.as_uint64() != 0;
    });
    return info;
}

namespace {

std::vector<BayInfo> read_bays(sd_bus_message* reply) {
    constexpr const char* what = "ListBays";
    std::vector<BayInfo> bays;
    check_read(sd_bus_message_enter_container(reply, 'a', kBayType), what);
    for (;;) {
        std::uint32_t number = 0;
        const char *phase = nullptr, *light = nullptr, *serial = nullptr, *model = nullptr,
                   *outcome = nullptr;
        BayInfo bay;
        const int r = sd_bus_message_read(reply, kBayType, &number, &phase, &light, &serial, &model,
                                          &outcome, &bay.docked_since, &bay.recordings_done,
                                          &bay.recordings_total, &bay.bytes_done, &bay.bytes_total,
                                          &bay.rate_bytes_per_s, &bay.eta_s);
        check_read(r, what);
        if (r == 0) break;
        bay.bay = number;
        bay.phase = copy_text(phase);
        bay.light = copy_text(light);
        bay.serial = copy_text(serial);
        bay.model = copy_text(model);
        bay.outcome = copy_text(outcome);
        bays.push_back(std::move(bay));
    }
    check_read(sd_bus_message_exit_container(reply), what);
    return bays;
}

// Reads one device (kDeviceType); returns false at the end of an array.
bool read_device(sd_bus_message* message, DeviceRow& device, const char* what) {
    const char *serial = nullptr, *manufacturer = nullptr, *model = nullptr, *firmware = nullptr,
               *custodian = nullptr, *officer = nullptr, *head = nullptr;
    int registered = 0;
    const int r = sd_bus_message_read(message, kDeviceType, &serial, &manufacturer, &model,
                                      &firmware, &registered, &custodian, &officer, &head,
                                      &device.first_seen, &device.last_seen);
    check_read(r, what);
    if (r == 0) return false;
    device.serial = copy_text(serial);
    device.manufacturer = copy_text(manufacturer);
    device.model = copy_text(model);
    device.firmware = copy_text(firmware);
    device.registered = registered != 0;
    device.custodian = copy_text(custodian);
    device.officer = copy_text(officer);
    device.head = copy_text(head);
    return true;
}

}  // namespace

std::vector<BayInfo> BusClient::list_bays() {
    MessagePtr reply = impl_->call_manager(manager_api::ListBays::name);
    return read_bays(reply.get());
}

std::vector<DeviceRow> BusClient::list_devices() {
    using ListDevicesPage = manager_api::ListDevicesPage;
    constexpr const char* what = ListDevicesPage::name;
    std::vector<DeviceRow> devices;
    std::string cursor;
    do {
        MessagePtr request =
            impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface, what);
        impl_->append(request.get(), ListDevicesPage::in, cursor.c_str(), kPageRows);
        MessagePtr reply = impl_->call(request.get(), what);
        check_read(sd_bus_message_enter_container(reply.get(), 'a', kDeviceType), what);
        for (;;) {
            DeviceRow device;
            if (!read_device(reply.get(), device, what)) break;
            devices.push_back(std::move(device));
        }
        check_read(sd_bus_message_exit_container(reply.get()), what);
        cursor = read_next_cursor(reply.get(), what);
    } while (!cursor.empty());
    return devices;
}

DeviceRow BusClient::get_device(const std::string& serial) {
    using GetDevice = manager_api::GetDevice;
    MessagePtr request =
        impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface, GetDevice::name);
    impl_->append(request.get(), GetDevice::in, serial.c_str());
    MessagePtr reply = impl_->call(request.get(), GetDevice::name);
    DeviceRow device;
    if (!read_device(reply.get(), device, GetDevice::name)) fail_reading(GetDevice::name, -EBADMSG);
    return device;
}

std::string BusClient::device_last_outcome(const std::string& serial) {
    char* raw_path = nullptr;
    const int r = sd_bus_path_encode(dbus::kDevicePathPrefix, serial.c_str(), &raw_path);
    if (r < 0) {
        throw BusClientError(BusFailure::failed,
                             "cannot name the device's object: " + errno_text(r));
    }
    MallocText path(raw_path);
    MessagePtr request = impl_->new_call(dbus::kBusName, path.get(), kPropertiesInterface, "Get");
    impl_->append(request.get(), "ss", dbus::kDeviceInterface, device_api::LastOutcome::name);
    MessagePtr reply = impl_->call(request.get(), "Get");
    return read_variant(reply.get(), "Get").text;
}

std::vector<RecordingInfo> BusClient::list_recordings(const std::string& serial,
                                                      std::int64_t captured_from,
                                                      std::int64_t captured_to,
                                                      std::uint32_t limit) {
    // The newest `limit` in one reply; every recording a page at a time.
    using ListRecordings = manager_api::ListRecordings;
    using ListRecordingsPage = manager_api::ListRecordingsPage;
    const char* what = limit != 0 ? ListRecordings::name : ListRecordingsPage::name;
    std::vector<RecordingInfo> recordings;
    std::string cursor;
    do {
        MessagePtr request =
            impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface, what);
        if (limit != 0) {
            impl_->append(request.get(), ListRecordings::in, serial.c_str(), captured_from,
                          captured_to, limit);
        } else {
            impl_->append(request.get(), ListRecordingsPage::in, serial.c_str(), captured_from,
                          captured_to, cursor.c_str(), kPageRows);
        }
        MessagePtr reply = impl_->call(request.get(), what);
        check_read(sd_bus_message_enter_container(reply.get(), 'a', kRecordingType), what);
        for (;;) {
            RecordingInfo recording;
            const char *device = nullptr, *name = nullptr, *state = nullptr, *sha256 = nullptr,
                       *archive_path = nullptr;
            const int r = sd_bus_message_read(reply.get(), kRecordingType, &recording.id, &device,
                                              &name, &recording.size, &state, &sha256,
                                              &archive_path, &recording.captured,
                                              &recording.archived_at, &recording.wiped_at);
            check_read(r, what);
            if (r == 0) break;
            recording.serial = copy_text(device);
            recording.name = copy_text(name);
            recording.state = copy_text(state);
            recording.sha256 = copy_text(sha256);
            recording.archive_path = copy_text(archive_path);
            recordings.push_back(std::move(recording));
        }
        check_read(sd_bus_message_exit_container(reply.get()), what);
        cursor = limit != 0 ? "" : read_next_cursor(reply.get(), what);
    } while (!cursor.empty());
    return recordings;
}

RemoteVerifyReport BusClient::verify() {
    using Verify = manager_api::Verify;
    MessagePtr reply = impl_->call_manager(Verify::name, kVerifyTimeoutUs);
    RemoteVerifyReport report;
    int ok = 0;
    check_read(sd_bus_message_read(reply.get(), Verify::arg::ok, &ok), Verify::name);
    check_read(sd_bus_message_read(reply.get(), Verify::arg::files_checked, &report.files_checked),
               Verify::name);
    report.ok = ok != 0;
    static_assert(dbus::same_signature(Verify::arg::problems, "as"), "read as a string list");
    char** problems = nullptr;
    check_read(sd_bus_message_read_strv(reply.get(), &problems), Verify::name);
    if (problems != nullptr) {
        for (char** problem = problems; *problem != nullptr; ++problem) {
            report.problems.emplace_back(*problem);
            std::free(*problem);
        }
        std::free(problems);
    }
    return report;
}

void BusClient::register_device(const std::string& serial, const std::string& custodian,
                                const std::string& officer, const std::string& head) {
    using RegisterDevice = manager_api::RegisterDevice;
    MessagePtr request = impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface,
                                         RegisterDevice::name);
    impl_->append(request.get(), RegisterDevice::in, serial.c_str(), custodian.c_str(),
                  officer.c_str(), head.c_str());
    impl_->call(request.get(), RegisterDevice::name);
}

void BusClient::assign_device(const std::string& serial, const std::string& officer) {
    using AssignDevice = manager_api::AssignDevice;
    MessagePtr request = impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface,
                                         AssignDevice::name);
    impl_->append(request.get(), AssignDevice::in, serial.c_str(), officer.c_str());
    impl_->call(request.get(), AssignDevice::name);
}

void BusClient::retire_device(const std::string& serial, const std::string& reason) {
    using RetireDevice = manager_api::RetireDevice;
    MessagePtr request = impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface,
                                         RetireDevice::name);
    impl_->append(request.get(), RetireDevice::in, serial.c_str(), reason.c_str());
    impl_->call(request.get(), RetireDevice::name);
}

OpenedRecording BusClient::open_recording(std::int64_t id, const std::string& reason) {
    using OpenRecording = manager_api::OpenRecording;
    MessagePtr request = impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface,
                                         OpenRecording::name);
    impl_->append(request.get(), OpenRecording::in, id, reason.c_str());
    MessagePtr reply = impl_->call(request.get(), OpenRecording::name);
    int fd = -1;
    const char* sha256 = nullptr;
    const char* name = nullptr;
    OpenedRecording opened;
    check_read(
        sd_bus_message_read(reply.get(), OpenRecording::out, &fd, &sha256, &opened.size, &name),
        OpenRecording::name);
    // The message owns its descriptor: keep a duplicate.
    opened.file = Fd(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
    if (!opened.file) {
        throw BusClientError(BusFailure::failed,
                             std::string(OpenRecording::name) +
                                 ": the file could not be kept: " + std::strerror(errno));
    }
    opened.sha256_hex = copy_text(sha256);
    opened.name = copy_text(name);
    return opened;
}

bool BusClient::set_confidential(const std::string& kind, const std::string& target,
                                 bool confidential, const std::string& reason) {
    using SetConfidential = manager_api::SetConfidential;
    MessagePtr request = impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface,
                                         SetConfidential::name);
    impl_->append(request.get(), SetConfidential::in, kind.c_str(), target.c_str(),
                  static_cast<int>(confidential), reason.c_str());
    MessagePtr reply = impl_->call(request.get(), SetConfidential::name);
    int changed = 0;
    check_read(sd_bus_message_read(reply.get(), SetConfidential::out, &changed),
               SetConfidential::name);
    return changed != 0;
}

std::string BusClient::rotate_signing_key(const std::string& reason) {
    using RotateSigningKey = manager_api::RotateSigningKey;
    MessagePtr request = impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface,
                                         RotateSigningKey::name);
    impl_->append(request.get(), RotateSigningKey::in, reason.c_str());
    MessagePtr reply = impl_->call(request.get(), RotateSigningKey::name);
    const char* fingerprint = nullptr;
    check_read(sd_bus_message_read(reply.get(), RotateSigningKey::out, &fingerprint),
               RotateSigningKey::name);
    return copy_text(fingerprint);
}

std::vector<DeviceHistoryRow> BusClient::device_history(const std::string& serial,
                                                        std::int64_t from, std::int64_t to) {
    using GetDeviceHistoryPage = manager_api::GetDeviceHistoryPage;
    constexpr const char* what = GetDeviceHistoryPage::name;
    std::vector<DeviceHistoryRow> history;
    std::string cursor;
    do {
        MessagePtr request =
            impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface, what);
        impl_->append(request.get(), GetDeviceHistoryPage::in, serial.c_str(), from, to,
                      cursor.c_str(), kPageRows);
        MessagePtr reply = impl_->call(request.get(), what);
        check_read(sd_bus_message_enter_container(reply.get(), 'a', kHistoryType), what);
        for (;;) {
            DeviceHistoryRow row;
            const char* text[10] = {};
            const int r = sd_bus_message_read(reply.get(), kHistoryType, &row.at, &text[0],
                                              &text[1], &text[2], &text[3], &text[4], &text[5],
                                              &text[6], &text[7], &text[8], &text[9]);
            check_read(r, what);
            if (r == 0) break;
            std::string* fields[10] = {&row.serial,
                                       &row.action,
                                       &row.custodian,
                                       &row.officer,
                                       &row.head,
                                       &row.previous_custodian,
                                       &row.previous_officer,
                                       &row.previous_head,
                                       &row.changed_by,
                                       &row.reason};
            for (int i = 0; i < 10; ++i) *fields[i] = copy_text(text[i]);
            history.push_back(std::move(row));
        }
        check_read(sd_bus_message_exit_container(reply.get()), what);
        cursor = read_next_cursor(reply.get(), what);
    } while (!cursor.empty());
    return history;
}

reports::AssignmentsInput BusClient::assignments_facts(reports::Period period) {
    using GetAssignmentsFacts = manager_api::GetAssignmentsFacts;
    constexpr const char* what = GetAssignmentsFacts::name;
    MessagePtr request =
        impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface, what);
    impl_->append(request.get(), GetAssignmentsFacts::in, period.from, period.to);
    MessagePtr reply = impl_->call(request.get(), what, kReportTimeoutUs);
    reports::AssignmentsInput facts;
    check_read(dbus::read_assignments_facts(reply.get(), facts), what);
    facts.period = period;
    return facts;
}

reports::DockDayInput BusClient::dock_day_facts(const std::string& date, reports::Period day) {
    using GetDockDayFacts = manager_api::GetDockDayFacts;
    constexpr const char* what = GetDockDayFacts::name;
    MessagePtr request =
        impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface, what);
    impl_->append(request.get(), GetDockDayFacts::in, date.c_str(), day.from, day.to);
    MessagePtr reply = impl_->call(request.get(), what, kReportTimeoutUs);
    reports::DockDayInput facts;
    check_read(dbus::read_dock_day_facts(reply.get(), facts), what);
    facts.date = date;
    facts.period = day;
    return facts;
}

std::vector<OfficerRow> BusClient::list_officers() {
    using ListOfficersPage = manager_api::ListOfficersPage;
    constexpr const char* what = ListOfficersPage::name;
    std::vector<OfficerRow> officers;
    std::string cursor;
    do {
        MessagePtr request =
            impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface, what);
        impl_->append(request.get(), ListOfficersPage::in, cursor.c_str(), kPageRows);
        MessagePtr reply = impl_->call(request.get(), what);
        check_read(sd_bus_message_enter_container(reply.get(), 'a', dbus::kOfficerListType), what);
        for (;;) {
            OfficerRow officer;
            const char *badge = nullptr, *name = nullptr, *team = nullptr;
            const int r = sd_bus_message_read(reply.get(), dbus::kOfficerListType, &badge, &name,
                                              &team, &officer.updated_at);
            check_read(r, what);
            if (r == 0) break;
            officer.badge = copy_text(badge);
            officer.name = copy_text(name);
            officer.team = copy_text(team);
            officers.push_back(std::move(officer));
        }
        check_read(sd_bus_message_exit_container(reply.get()), what);
        cursor = read_next_cursor(reply.get(), what);
    } while (!cursor.empty());
    return officers;
}

std::uint32_t BusClient::import_officers(const std::vector<reports::OfficerFacts>& officers) {
    using ImportOfficers = manager_api::ImportOfficers;
    constexpr const char* what = ImportOfficers::name;
    MessagePtr request =
        impl_->new_call(dbus::kBusName, dbus::kRootPath, dbus::kManagerInterface, what);
    const int r = dbus::append_officers(request.get(), officers);
    if (r < 0) throw BusClientError(BusFailure::failed, "cannot build a call: " + errno_text(r));
    MessagePtr reply = impl_->call(request.get(), what);
    std::uint32_t changed = 0;
    check_read(sd_bus_message_read(reply.get(), ImportOfficers::out, &changed), what);
    return changed;
}

namespace {

// The state a watch keeps between sd-bus's callbacks.
struct WatchState {
    BayWatcher* watcher = nullptr;
    std::map<std::uint32_t, BayInfo> bays;
    std::uint64_t snapshot_cookie = 0;  // the service's signals before this are older news
    bool service_present = false;
    bool service_left = false;
    std::exception_ptr error;

    bool stale(sd_bus_message* message) const {
        std::uint64_t cookie = 0;
        return sd_bus_message_get_cookie(message, &cookie) >= 0 && cookie < snapshot_cookie;
    }
};

int on_name_owner_changed(sd_bus_message* message, void* data, sd_bus_error*) {
    auto& state = *static_cast<WatchState*>(data);
    const char *name = nullptr, *old_owner = nullptr, *new_owner = nullptr;
    if (sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner) < 0) return 0;
    const bool present = new_owner != nullptr && *new_owner != '\0';
    if (present) {
        state.service_present = true;
    } else if (state.service_present) {
        state.service_left = true;
    }
    return 0;
}

int on_properties_changed(sd_bus_message* message, void* data, sd_bus_error*) {
    auto& state = *static_cast<WatchState*>(data);
    if (state.stale(message)) return 0;
    try {
        const char* path = sd_bus_message_get_path(message);
        char* raw_number = nullptr;
        if (path == nullptr || sd_bus_path_decode(path, dbus::kBayPathPrefix, &raw_number) <= 0)
            return 0;
        MallocText number_text(raw_number);
        std::uint32_t number = 0;
        const std::string_view digits(number_text.get());
        const auto [end, error] =
            std::from_chars(digits.data(), digits.data() + digits.size(), number);
        if (error != std::errc{} || end != digits.data() + digits.size() || number == 0) return 0;

        const char* interface = nullptr;
        check_read(sd_bus_message_read_basic(message, 's', &interface), "PropertiesChanged");
        if (interface == nullptr || std::strcmp(interface, dbus::kBayInterface) != 0) return 0;
        BayInfo& bay = state.bays[number];
        bay.bay = number;
        read_properties(message, "PropertiesChanged",
                        [&bay](const std::string& name, const Variant& value) {
                            apply_bay_property(bay, name, value);
                        });
        state.watcher->bay_changed(bay);
    } catch (...) {
        state.error = std::current_exception();
    }
    return 0;
}

int on_manager_signal(sd_bus_message* message, void* data, sd_bus_error*) {
    auto& state = *static_cast<WatchState*>(data);
    if (state.stale(message)) return 0;
    try {
        const char* member = sd_bus_message_get_member(message);
        if (member == nullptr) return 0;
        using BayChanged = manager_api::BayChanged;
        using DockFinishedSignal = manager_api::DockFinished;
        if (std::strcmp(member, BayChanged::name) == 0) {
            std::uint32_t number = 0;
            const char *phase = nullptr, *light = nullptr;
            check_read(sd_bus_message_read(message, BayChanged::signature, &number, &phase, &light),
                       member);
            if (number == 0) return 0;
            BayInfo& bay = state.bays[number];
            bay.bay = number;
            bay.phase = copy_text(phase);
            bay.light = copy_text(light);
            state.watcher->bay_changed(bay);
        } else if (std::strcmp(member, DockFinishedSignal::name) == 0) {
            DockFinished dock;
            const char *serial = nullptr, *light = nullptr, *outcome = nullptr;
            check_read(
                sd_bus_message_read(message, DockFinishedSignal::signature, &dock.bay, &serial,
                                    &light, &outcome, &dock.archived, &dock.wiped, &dock.left),
                member);
            dock.serial = copy_text(serial);
            dock.light = copy_text(light);
            dock.outcome = copy_text(outcome);
            state.watcher->dock_finished(dock);
        }
    } catch (...) {
        state.error = std::current_exception();
    }
    return 0;
}

}  // namespace

bool BusClient::wait_for_service() {
    InterruptCatcher catcher;
    WatchState state;
    SlotPtr owner_slot = impl_->add_match(impl_->name_owner_rule(), on_name_owner_changed, &state);
    MessagePtr request = impl_->new_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "NameHasOwner");
    impl_->append(request.get(), "s", dbus::kBusName);
    MessagePtr reply = impl_->call(request.get(), "NameHasOwner");
    int has_owner = 0;
    check_read(sd_bus_message_read(reply.get(), "b", &has_owner), "NameHasOwner");
    if (has_owner != 0) return true;
    while (!state.service_present) {
        if (!impl_->process_or_wait(catcher, state.error)) return false;
    }
    return true;
}

WatchEnd BusClient::watch(BayWatcher& watcher) {
    InterruptCatcher catcher;
    WatchState state;
    state.watcher = &watcher;
    state.service_present = true;  // ListBays below fails when it is not
    // Subscribed before the first ListBays, so that no change falls between the two.
    SlotPtr owner_slot = impl_->add_match(impl_->name_owner_rule(), on_name_owner_changed, &state);
    SlotPtr properties_slot = impl_->add_match(
        std::string("type='signal',sender='") + dbus::kBusName + "',path_namespace='" +
            dbus::kBayPathPrefix +
            "',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'",
        on_properties_changed, &state);
    SlotPtr manager_slot =
        impl_->add_match(std::string("type='signal',sender='") + dbus::kBusName + "',path='" +
                             dbus::kRootPath + "',interface='" + dbus::kManagerInterface + "'",
                         on_manager_signal, &state);

    MessagePtr reply = impl_->call_manager(manager_api::ListBays::name);
    sd_bus_message_get_cookie(reply.get(), &state.snapshot_cookie);
    for (BayInfo& bay : read_bays(reply.get())) {
        const std::uint32_t number = bay.bay;
        state.bays[number] = std::move(bay);
        watcher.bay_changed(state.bays[number]);
    }
    for (;;) {
        if (state.service_left) return WatchEnd::service_left;
        if (watcher.done()) return WatchEnd::done;
        if (!impl_->process_or_wait(catcher, state.error)) return WatchEnd::interrupted;
    }
}

}  // namespace cradle::ctl
