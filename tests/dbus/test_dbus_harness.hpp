// SPDX-License-Identifier: Apache-2.0
// The service on a private bus, and a client of it, for the D-Bus server tests: a real
// CradleService on an emulated cradle runs on a thread of its own with the D-Bus server as its
// front-end; the test talks to it with sd-bus like any other caller on the bus. Waits are on
// the bus (sd_bus_wait) with a deadline, never sleeps.
#pragma once

#include "common/fs.hpp"
#include "core/config/config.hpp"
#include "engine/cradle_service.hpp"
#include "service/dbus/dbus_server.hpp"
#include "sim/sim_cradle.hpp"
#include "tests/support/private_bus.hpp"
#include "tests/support/temp_dir.hpp"

#include <systemd/sd-bus.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cradle::test {

inline constexpr const char* kService = "org.cradled.Cradle1";
inline constexpr const char* kRoot = "/org/cradled/Cradle1";
inline constexpr const char* kManager = "org.cradled.Cradle1.Manager";
inline constexpr const char* kBay = "org.cradled.Cradle1.Bay";
inline constexpr const char* kDevice = "org.cradled.Cradle1.Device";

class ServiceOnBus {
  public:
    // An emulated cradle with `bays` empty bays; the register of the configuration holds
    // REG-1 and REG-2 (never docked yet). With `bus_policy`, the private bus applies a system
    // bus's default policy and that policy file (see PrivateBus).
    explicit ServiceOnBus(int bays = 2, const std::filesystem::path& bus_policy = {});
    ~ServiceOnBus();
    ServiceOnBus(const ServiceOnBus&) = delete;
    ServiceOnBus& operator=(const ServiceOnBus&) = delete;

    // A camera of `recordings` small recordings, not docked. Registered under
    // "Custodian A"/"Officer <serial>"/"Team head" in the configuration when `registered`.
    hw::sim::CameraSpec camera(const std::string& serial, int recordings = 3,
                               bool registered = true);
    // Runs the service with the D-Bus server on `address` (empty: the private bus). Returns
    // "" once the server serves, else the text of its BusError.
    std::string start(const std::string& address = "");
    void plug(int bay, const hw::sim::CameraSpec& camera);
    void unplug(int bay);
    // Waits until the service logged a line containing `text`; returns whether it did.
    bool wait_for_log(const std::string& text,
                      std::chrono::milliseconds deadline = std::chrono::seconds(15));

    PrivateBus bus;
    TempDir temp;
    std::filesystem::path state;
    Config config;
    hw::sim::CradleSpec spec;

  private:
    std::mutex log_mutex_;
    std::condition_variable log_changed_;
    std::vector<std::string> log_lines_;
    std::unique_ptr<hw::sim::SimCradle> cradle_;
    PosixFileSystem fs_;
    std::unique_ptr<CradleService> service_;
    std::thread thread_;
};

struct BayChangedSignal {
    std::uint32_t bay = 0;
    std::string phase;
    std::string light;
};
struct DockFinishedSignal {
    std::uint32_t bay = 0;
    std::string serial, light, outcome;
    std::uint32_t archived = 0, wiped = 0, left = 0;
};
struct PropertiesChangedSignal {
    std::string path;
    std::string interface;
    std::map<std::string, std::string> text;  // string and boolean values ("true"/"false")
    std::map<std::string, double> numbers;    // numeric values
    std::vector<std::string> invalidated;
};
struct InterfacesAddedSignal {
    std::string path;
    std::vector<std::string> interfaces;
};

// A client connection to the bus that records the service's signals as they arrive.
class BusClient {
  public:
    explicit BusClient(const std::string& address);
    ~BusClient();
    BusClient(const BusClient&) = delete;
    BusClient& operator=(const BusClient&) = delete;
    sd_bus* get() const { return bus_; }

    // Dispatches incoming messages until `done` holds or the deadline passes; returns done().
    bool wait_until(const std::function<bool()>& done,
                    std::chrono::milliseconds deadline = std::chrono::seconds(15));

    std::vector<BayChangedSignal> bay_changed;
    std::vector<DockFinishedSignal> dock_finished;
    std::vector<std::string> device_changed;
    std::vector<PropertiesChangedSignal> properties_changed;
    std::vector<InterfacesAddedSignal> interfaces_added;

  private:
    static int on_signal(sd_bus_message* message, void* userdata, sd_bus_error* error);
    void record(sd_bus_message* message);
    sd_bus* bus_ = nullptr;
    sd_bus_slot* match_ = nullptr;
};

// Result of a call: the reply (owned) or the error.
struct CallResult {
    CallResult() = default;
    CallResult(CallResult&& other) noexcept;
    CallResult& operator=(CallResult&&) = delete;
    ~CallResult();
    bool ok() const { return reply != nullptr; }
    sd_bus_message* reply = nullptr;
    std::string error_name;
    std::string error_message;
};

// Calls a Manager method on the service with arguments appended by sd_bus_message_appendv.
CallResult call_manager(sd_bus* bus, const char* method, const char* signature, ...);
// ImportOfficers with `count` officers, badges B-1, B-2, ... (too many for call_manager's list).
CallResult import_numbered_officers(sd_bus* bus, std::size_t count);
// Reads a property as text ("s", "b") or as a number ("u", "t", "x", "d"); fails the test on
// error.
std::string get_text(sd_bus* bus, const std::string& path, const char* interface,
                     const char* property);
double get_number(sd_bus* bus, const std::string& path, const char* interface,
                  const char* property);
// The error name of a failed property read ("" when it succeeded).
std::string get_property_error(sd_bus* bus, const std::string& path, const char* interface,
                               const char* property);

// A device's register entry as GetDevice gives it (the caller needs org.cradled.read); empty
// fields, and a failed expectation, when the call fails.
struct RegisterEntryOnBus {
    std::string custodian;
    std::string officer;
    std::string head;
};
RegisterEntryOnBus register_entry_of(sd_bus* bus, const std::string& serial);

std::string device_object(const std::string& serial);
std::string bay_object(int bay);

}  // namespace cradle::test
