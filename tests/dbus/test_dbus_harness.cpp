// SPDX-License-Identifier: Apache-2.0
#include "tests/dbus/test_dbus_harness.hpp"

#include "tests/faults/rig.hpp"

#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>

namespace cradle::test {
namespace {

constexpr std::uint64_t kCallTimeoutUsec = 30'000'000;

// Reads a variant's value at the read position of `message` as text or as a number.
// Returns false when it is of another type.
bool read_variant(sd_bus_message* message, std::string& text, double& number, bool& is_number) {
    char type = 0;
    const char* contents = nullptr;
    if (sd_bus_message_peek_type(message, &type, &contents) <= 0 || type != 'v') return false;
    if (sd_bus_message_enter_container(message, 'v', contents) < 0) return false;
    is_number = true;
    int r = -1;
    switch (contents[0]) {
        case 's': {
            const char* value = nullptr;
            r = sd_bus_message_read(message, "s", &value);
            text = value ? value : "";
            is_number = false;
            break;
        }
        case 'b': {
            int value = 0;
            r = sd_bus_message_read(message, "b", &value);
            text = value ? "true" : "false";
            is_number = false;
            break;
        }
        case 'u': {
            std::uint32_t value = 0;
            r = sd_bus_message_read(message, "u", &value);
            number = value;
            break;
        }
        case 't': {
            std::uint64_t value = 0;
            r = sd_bus_message_read(message, "t", &value);
            number = static_cast<double>(value);
            break;
        }
        case 'x': {
            std::int64_t value = 0;
            r = sd_bus_message_read(message, "x", &value);
            number = static_cast<double>(value);
            break;
        }
        case 'd': {
            r = sd_bus_message_read(message, "d", &number);
            break;
        }
        default:
            r = sd_bus_message_skip(message, contents);
            is_number = false;
            break;
    }
    return r >= 0 && sd_bus_message_exit_container(message) >= 0;
}

sd_bus* connect(const std::string& address) {
    sd_bus* bus = nullptr;
    if (sd_bus_new(&bus) < 0) throw std::runtime_error("sd_bus_new");
    if (sd_bus_set_address(bus, address.c_str()) < 0 || sd_bus_set_bus_client(bus, 1) < 0 ||
        sd_bus_start(bus) < 0) {
        sd_bus_unref(bus);
        throw std::runtime_error("cannot connect to " + address);
    }
    return bus;
}

PrivateBus make_bus(const std::filesystem::path& policy) {
    if (policy.empty()) return PrivateBus();
    return PrivateBus(policy);
}

}  // namespace

ServiceOnBus::ServiceOnBus(int bays, const std::filesystem::path& bus_policy)
    : bus(make_bus(bus_policy)) {
    state = temp.path() / "state";
    spec.bays = bays;
    spec.storage_dir = temp.path() / "cameras";
    config = emulated_cradle_config(state, 2, std::chrono::milliseconds(5000));
    config.register_entries.push_back(RegisterEntry{"REG-1", "Custodian A", "pool", "Team head"});
    config.register_entries.push_back(
        RegisterEntry{"REG-2", "Custodian B", "Officer Two", "Team head"});
}

ServiceOnBus::~ServiceOnBus() {
    if (service_) service_->stop();
    if (thread_.joinable()) thread_.join();
    service_.reset();
    cradle_.reset();
}

hw::sim::CameraSpec ServiceOnBus::camera(const std::string& serial, int recordings,
                                         bool registered) {
    hw::sim::CameraSpec camera =
        small_camera(serial, recordings, static_cast<std::uint64_t>(recordings) * (32 << 10),
                     std::hash<std::string>{}(serial));
    if (registered) {
        config.register_entries.push_back(
            RegisterEntry{serial, "Custodian A", "Officer " + serial, "Team head"});
    }
    return camera;
}

std::string ServiceOnBus::start(const std::string& address) {
    cradle_ = std::make_unique<hw::sim::SimCradle>(spec);
    Log log([this](LogLevel, const LogFields& fields, const std::string& message) {
        std::string line = format_log_line(fields, message);
        std::fprintf(stderr, "cradled: %s\n", line.c_str());
        std::lock_guard lock(log_mutex_);
        log_lines_.push_back(std::move(line));
        log_changed_.notify_all();
    });
    service_ = std::make_unique<CradleService>(config, *cradle_, fs_, log);
    auto started = std::make_shared<std::promise<std::string>>();
    std::future<std::string> result = started->get_future();
    std::string bus_address = address.empty() ? bus.address() : address;
    thread_ = std::thread([this, started, bus_address] {
        bool told = false;
        RunOptions options;
        options.on_ready = [&](ServiceApi& api) {
            std::vector<std::unique_ptr<Frontend>> frontends;
            try {
                frontends.push_back(start_dbus_server(api, BusOptions{bus_address}));
                started->set_value("");
            } catch (const BusError& e) {
                started->set_value(e.what());
            }
            told = true;
            return frontends;
        };
        try {
            service_->run(options);
        } catch (const std::exception& e) {
            if (!told) started->set_value(std::string("the service did not start: ") + e.what());
        }
    });
    if (result.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        return "the service did not get ready";
    }
    std::string error = result.get();
    if (!error.empty()) return error;
    // An answer means the loop runs, so the cradle reports what is plugged from now on.
    BusClient client(bus_address);
    CallResult bays = call_manager(client.get(), "ListBays", "");
    return bays.ok() ? "" : "ListBays failed: " + bays.error_message;
}

void ServiceOnBus::plug(int bay, const hw::sim::CameraSpec& camera) {
    cradle_->plug(bay, camera);
}

void ServiceOnBus::unplug(int bay) {
    cradle_->unplug(bay);
}

bool ServiceOnBus::wait_for_log(const std::string& text, std::chrono::milliseconds deadline) {
    std::unique_lock lock(log_mutex_);
    return log_changed_.wait_for(lock, deadline, [&] {
        for (const auto& line : log_lines_) {
            if (line.find(text) != std::string::npos) return true;
        }
        return false;
    });
}

BusClient::BusClient(const std::string& address) {
    bus_ = connect(address);
    int r = sd_bus_add_match(bus_, &match_, "type='signal',path_namespace='/org/cradled/Cradle1'",
                             &BusClient::on_signal, this);
    if (r < 0) {
        sd_bus_flush_close_unref(bus_);
        throw std::runtime_error("AddMatch failed");
    }
}

BusClient::~BusClient() {
    sd_bus_slot_unref(match_);
    sd_bus_flush_close_unref(bus_);
}

bool BusClient::wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
        int r = sd_bus_process(bus_, nullptr);
        if (r < 0) return false;
        if (r > 0) continue;
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return done();
        sd_bus_wait(bus_, static_cast<std::uint64_t>(left.count()));
    }
    return true;
}

int BusClient::on_signal(sd_bus_message* message, void* userdata, sd_bus_error*) {
    static_cast<BusClient*>(userdata)->record(message);
    return 0;
}

void BusClient::record(sd_bus_message* message) {
    auto text = [](const char* value) { return std::string(value ? value : ""); };
    std::string interface = text(sd_bus_message_get_interface(message));
    std::string member = text(sd_bus_message_get_member(message));
    std::string path = text(sd_bus_message_get_path(message));
    if (interface == kManager && member == "BayChanged") {
        BayChangedSignal s;
        const char* phase = nullptr;
        const char* light = nullptr;
        if (sd_bus_message_read(message, "uss", &s.bay, &phase, &light) >= 0) {
            s.phase = phase;
            s.light = light;
            bay_changed.push_back(s);
        }
    } else if (interface == kManager && member == "DockFinished") {
        DockFinishedSignal s;
        const char* serial = nullptr;
        const char* light = nullptr;
        const char* outcome = nullptr;
        if (sd_bus_message_read(message, "usssuuu", &s.bay, &serial, &light, &outcome, &s.archived,
                                &s.wiped, &s.left) >= 0) {
            s.serial = serial;
            s.light = light;
            s.outcome = outcome;
            dock_finished.push_back(s);
        }
    } else if (interface == kManager && member == "DeviceChanged") {
        const char* serial = nullptr;
        if (sd_bus_message_read(message, "s", &serial) >= 0) device_changed.push_back(serial);
    } else if (interface == "org.freedesktop.DBus.Properties" && member == "PropertiesChanged") {
        PropertiesChangedSignal s;
        s.path = path;
        const char* changed_interface = nullptr;
        if (sd_bus_message_read(message, "s", &changed_interface) < 0) return;
        s.interface = changed_interface;
        if (sd_bus_message_enter_container(message, 'a', "{sv}") < 0) return;
        while (sd_bus_message_enter_container(message, 'e', "sv") > 0) {
            const char* name = nullptr;
            if (sd_bus_message_read(message, "s", &name) < 0) return;
            std::string text;
            double number = 0;
            bool is_number = false;
            if (!read_variant(message, text, number, is_number)) return;
            if (is_number) {
                s.numbers[name] = number;
            } else {
                s.text[name] = text;
            }
            sd_bus_message_exit_container(message);
        }
        sd_bus_message_exit_container(message);
        char** invalidated = nullptr;
        if (sd_bus_message_read_strv(message, &invalidated) >= 0 && invalidated) {
            for (char** name = invalidated; *name; ++name) {
                s.invalidated.push_back(*name);
                free(*name);
            }
            free(invalidated);
        }
        properties_changed.push_back(s);
    } else if (interface == "org.freedesktop.DBus.ObjectManager" && member == "InterfacesAdded") {
        InterfacesAddedSignal s;
        const char* object = nullptr;
        if (sd_bus_message_read(message, "o", &object) < 0) return;
        s.path = object;
        if (sd_bus_message_enter_container(message, 'a', "{sa{sv}}") < 0) return;
        while (sd_bus_message_enter_container(message, 'e', "sa{sv}") > 0) {
            const char* name = nullptr;
            if (sd_bus_message_read(message, "s", &name) < 0) return;
            s.interfaces.push_back(name);
            sd_bus_message_skip(message, "a{sv}");
            sd_bus_message_exit_container(message);
        }
        interfaces_added.push_back(s);
    }
}

CallResult::CallResult(CallResult&& other) noexcept
    : reply(other.reply),
      error_name(std::move(other.error_name)),
      error_message(std::move(other.error_message)) {
    other.reply = nullptr;
}

CallResult::~CallResult() {
    sd_bus_message_unref(reply);
}

namespace {

using MessageRef = std::unique_ptr<sd_bus_message, decltype(&sd_bus_message_unref)>;

// Calls a Manager method with the arguments `append` puts into the call (a negative errno when
// it cannot); the reply or the error is in the result.
CallResult call_manager_with(sd_bus* bus, const char* method,
                             const std::function<int(sd_bus_message*)>& append) {
    CallResult result;
    sd_bus_message* created = nullptr;
    if (sd_bus_message_new_method_call(bus, &created, kService, kRoot, kManager, method) < 0) {
        result.error_name = "client: cannot make the call";
        return result;
    }
    MessageRef call(created, &sd_bus_message_unref);
    if (append(call.get()) < 0) {
        result.error_name = "client: cannot append the arguments";
        return result;
    }
    sd_bus_error error = SD_BUS_ERROR_NULL;
    if (sd_bus_call(bus, call.get(), kCallTimeoutUsec, &error, &result.reply) < 0) {
        result.error_name = error.name ? error.name : "client: no reply";
        result.error_message = error.message ? error.message : "";
    }
    sd_bus_error_free(&error);
    return result;
}

}  // namespace

CallResult call_manager(sd_bus* bus, const char* method, const char* signature, ...) {
    va_list args;
    va_start(args, signature);
    CallResult result = call_manager_with(bus, method, [&](sd_bus_message* call) {
        return signature && *signature ? sd_bus_message_appendv(call, signature, args) : 0;
    });
    va_end(args);
    return result;
}

CallResult import_numbered_officers(sd_bus* bus, std::size_t count) {
    return call_manager_with(bus, "ImportOfficers", [count](sd_bus_message* call) {
        int r = sd_bus_message_open_container(call, 'a', "(sss)");
        for (std::size_t i = 1; r >= 0 && i <= count; ++i) {
            const std::string badge = "B-" + std::to_string(i);
            r = sd_bus_message_append(call, "(sss)", badge.c_str(), "Officer", "");
        }
        return r < 0 ? r : sd_bus_message_close_container(call);
    });
}

namespace {

CallResult get_property(sd_bus* bus, const std::string& path, const char* interface,
                        const char* property) {
    CallResult result;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(bus, kService, path.c_str(), "org.freedesktop.DBus.Properties",
                               "Get", &error, &result.reply, "ss", interface, property);
    if (r < 0) {
        result.error_name = error.name ? error.name : "client: no reply";
        result.error_message = error.message ? error.message : "";
    }
    sd_bus_error_free(&error);
    return result;
}

}  // namespace

std::string get_text(sd_bus* bus, const std::string& path, const char* interface,
                     const char* property) {
    CallResult result = get_property(bus, path, interface, property);
    EXPECT_TRUE(result.ok()) << path << " " << property << ": " << result.error_name << " "
                             << result.error_message;
    if (!result.ok()) return {};
    std::string text;
    double number = 0;
    bool is_number = false;
    EXPECT_TRUE(read_variant(result.reply, text, number, is_number)) << property;
    EXPECT_FALSE(is_number) << property;
    return text;
}

RegisterEntryOnBus register_entry_of(sd_bus* bus, const std::string& serial) {
    RegisterEntryOnBus entry;
    CallResult result = call_manager(bus, "GetDevice", "s", serial.c_str());
    EXPECT_TRUE(result.ok()) << serial << ": " << result.error_name << " " << result.error_message;
    if (!result.ok()) return entry;
    const char* text[7] = {};
    int registered = 0;
    std::int64_t first_seen = 0;
    std::int64_t last_seen = 0;
    const int r =
        sd_bus_message_read(result.reply, "(ssssbsssxx)", &text[0], &text[1], &text[2], &text[3],
                            &registered, &text[4], &text[5], &text[6], &first_seen, &last_seen);
    EXPECT_GE(r, 0) << serial;
    if (r < 0) return entry;
    entry.custodian = text[4];
    entry.officer = text[5];
    entry.head = text[6];
    return entry;
}

double get_number(sd_bus* bus, const std::string& path, const char* interface,
                  const char* property) {
    CallResult result = get_property(bus, path, interface, property);
    EXPECT_TRUE(result.ok()) << path << " " << property << ": " << result.error_name << " "
                             << result.error_message;
    if (!result.ok()) return -1e300;
    std::string text;
    double number = 0;
    bool is_number = false;
    EXPECT_TRUE(read_variant(result.reply, text, number, is_number)) << property;
    EXPECT_TRUE(is_number) << property;
    return number;
}

std::string get_property_error(sd_bus* bus, const std::string& path, const char* interface,
                               const char* property) {
    return get_property(bus, path, interface, property).error_name;
}

std::string device_object(const std::string& serial) {
    char* raw = nullptr;
    if (sd_bus_path_encode("/org/cradled/Cradle1/device", serial.c_str(), &raw) < 0) return {};
    std::string path = raw;
    free(raw);
    return path;
}

std::string bay_object(int bay) {
    return "/org/cradled/Cradle1/bay/" + std::to_string(bay);
}

}  // namespace cradle::test
