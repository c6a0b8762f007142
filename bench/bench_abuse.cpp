// SPDX-License-Identifier: Apache-2.0
// Abuse benchmark: what local users flooding the D-Bus API cost the bays and root's `status`.
// The service runs on an emulated cradle with its API on a private dbus-daemon (the system
// bus's limits), and docks two cameras, in rounds of three runs:
//   quiet     nothing else runs;
//   elsewhere 8 unprivileged clients (uid 65534) flood the bus daemon itself, as fast as they
//             can, with calls of the same shapes as below: the machine is as busy (on a small
//             cradle the flooders and the bus daemon take CPU the docks then lack), but nothing
//             reaches the service;
//   flooded   the same 8 clients flood the service: 3 read bays, properties and introspection
//             and read the replies, 2 ask for lists and report facts they have no right to, 1
//             imports rosters of 10,000 officers it has no right to import, 2 send introspection
//             calls and never read the replies.
// Meanwhile root asks ListBays (what `cradlectl status` reads) every 100 ms and times each
// answer. Each round prints its dock times; the last lines are status_max_ms=<the slowest
// ListBays of the flooded runs>, machine_slowdown=<elsewhere / quiet> (what the busy machine
// costs) and abuse_slowdown=<flooded / elsewhere> (what the flood costs through the API, the
// goal being under 1.10), each the median over the rounds.
//
// Usage: bench_abuse [--bytes SIZE] [--recordings N] [--rounds N]
//   SIZE per camera (default 512M), N recordings per camera (default 8), 3 rounds by default.
#include "bench/bench_args.hpp"
#include "tests/dbus/test_dbus_harness.hpp"
#include "tests/faults/rig.hpp"

#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using cradle::test::BusClient;
using cradle::test::call_manager;
using cradle::test::CallResult;
using cradle::test::ServiceOnBus;
using Clock = std::chrono::steady_clock;

struct Options {
    std::uint64_t bytes = 512ull << 20;
    int recordings = 8;
    int rounds = 3;
};

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument("missing value after " + flag);
        const std::string value = argv[++i];
        if (flag == "--bytes") {
            options.bytes = bench::parse_size(value);
        } else if (flag == "--recordings") {
            options.recordings = std::stoi(value);
        } else if (flag == "--rounds") {
            options.rounds = std::stoi(value);
        } else {
            throw std::invalid_argument("unknown option " + flag);
        }
    }
    if (options.recordings < 1 || options.rounds < 1 || options.bytes == 0) {
        throw std::invalid_argument("--bytes, --recordings and --rounds must be positive");
    }
    return options;
}

// A call whose reply is not waited for: sent with a cookie, so that a reply is expected.
void send_call(sd_bus* bus, const char* path, const char* interface, const char* member) {
    sd_bus_message* raw = nullptr;
    if (sd_bus_message_new_method_call(bus, &raw, "org.cradled.Cradle1", path, interface, member) <
        0) {
        return;
    }
    std::uint64_t cookie = 0;
    sd_bus_send(bus, raw, &cookie);
    sd_bus_message_unref(raw);
}

enum class Target { service, bus_daemon };

// One call of a flooder's loop to the bus daemon, of the shape `kind` sends the service.
void flood_bus_daemon(sd_bus* bus, int kind, const std::string& roster) {
    constexpr const char* kBus = "org.freedesktop.DBus";
    constexpr const char* kPath = "/org/freedesktop/DBus";
    switch (kind) {
        case 0:
        case 1:
        case 2:
            sd_bus_call_method(bus, kBus, kPath, kBus, "ListNames", nullptr, nullptr, "");
            sd_bus_call_method(bus, kBus, kPath, "org.freedesktop.DBus.Introspectable",
                               "Introspect", nullptr, nullptr, "");
            sd_bus_call_method(bus, kBus, kPath, "org.freedesktop.DBus.Properties", "GetAll",
                               nullptr, nullptr, "s", kBus);
            break;
        case 3:
        case 4:
            sd_bus_call_method(bus, kBus, kPath, kBus, "GetConnectionCredentials", nullptr, nullptr,
                               "s", kBus);
            break;
        case 5:
            // As large as the roster the service is sent; refused (no such name).
            sd_bus_call_method(bus, kBus, kPath, kBus, "GetNameOwner", nullptr, nullptr, "s",
                               roster.c_str());
            break;
        default:
            for (int i = 0; i < 100; ++i) {
                sd_bus_message* raw = nullptr;
                if (sd_bus_message_new_method_call(bus, &raw, kBus, kPath,
                                                   "org.freedesktop.DBus.Introspectable",
                                                   "Introspect") < 0) {
                    return;
                }
                std::uint64_t cookie = 0;
                sd_bus_send(bus, raw, &cookie);
                sd_bus_message_unref(raw);
            }
            sd_bus_flush(bus);
            break;
    }
}

// One flooding client, in a child process forked before the service's threads start, until it
// is killed. Until the service owns its name, its calls fail at once.
[[noreturn]] void flood(const std::string& address, int kind, Target target) {
    if (::geteuid() == 0) {
        const gid_t groups[] = {65534};
        if (::setgroups(1, groups) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) {
            ::_exit(2);
        }
    }
    try {
        BusClient client(address);
        sd_bus* bus = client.get();
        sd_bus_set_method_call_timeout(bus, 2'000'000);
        const std::string roster(300'000, 'B');
        while (target == Target::bus_daemon) flood_bus_daemon(bus, kind, roster);
        for (;;) {
            switch (kind) {
                case 0:
                case 1:
                case 2:
                    call_manager(bus, "ListBays", "");
                    sd_bus_call_method(bus, "org.cradled.Cradle1", "/org/cradled/Cradle1",
                                       "org.freedesktop.DBus.Introspectable", "Introspect", nullptr,
                                       nullptr, "");
                    sd_bus_call_method(bus, "org.cradled.Cradle1", "/org/cradled/Cradle1",
                                       "org.freedesktop.DBus.Properties", "GetAll", nullptr,
                                       nullptr, "s", "org.cradled.Cradle1.Manager");
                    break;
                case 3:
                case 4:
                    call_manager(bus, "ListRecordingsPage", "sxxsu", "", std::int64_t{0},
                                 std::int64_t{0}, "", 1000u);
                    call_manager(bus, "GetAssignmentsFacts", "xx", std::int64_t{0},
                                 std::int64_t{4'000'000'000});
                    break;
                case 5:
                    cradle::test::import_numbered_officers(bus, 10'000);
                    break;
                default:
                    for (int i = 0; i < 100; ++i) {
                        send_call(bus, "/org/cradled/Cradle1",
                                  "org.freedesktop.DBus.Introspectable", "Introspect");
                    }
                    sd_bus_flush(bus);
                    break;
            }
        }
    } catch (...) {
        ::_exit(1);
    }
}

struct Round {
    double dock_s = 0;
    double status_max_ms = 0;
    double service_cpu_s = 0;  // this process's threads: the service's and root's client
};

double cpu_seconds_of_this_process() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

Round dock(const Options& options, int round, std::optional<Target> flood_target) {
    ServiceOnBus service(2);
    std::vector<cradle::hw::sim::CameraSpec> cameras;
    for (int bay = 1; bay <= 2; ++bay) {
        const std::string serial = "BENCH-" + std::to_string(round) + "-" + std::to_string(bay);
        cameras.push_back(cradle::test::small_camera(serial, options.recordings, options.bytes,
                                                     static_cast<std::uint64_t>(bay)));
    }
    std::vector<pid_t> flooders;
    if (flood_target) {
        for (int kind = 0; kind < 8; ++kind) {
            const pid_t child = ::fork();
            if (child == 0) flood(service.bus.address(), kind, *flood_target);
            if (child > 0) flooders.push_back(child);
        }
    }
    if (!service.start().empty()) throw std::runtime_error("the service did not start");
    BusClient root(service.bus.address());
    const Clock::time_point start = Clock::now();
    const double cpu_at_start = cpu_seconds_of_this_process();
    for (int bay = 1; bay <= 2; ++bay)
        service.plug(bay, cameras[static_cast<std::size_t>(bay - 1)]);
    Round result;
    while (root.dock_finished.size() < 2) {
        const Clock::time_point asked = Clock::now();
        CallResult bays = call_manager(root.get(), "ListBays", "");
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - asked).count();
        if (!bays.ok()) {
            std::cerr << "ListBays failed: " << bays.error_name << " " << bays.error_message
                      << "\n";
            result.status_max_ms = std::max(result.status_max_ms, 1e9);
        }
        result.status_max_ms = std::max(result.status_max_ms, ms);
        root.wait_until([&] { return root.dock_finished.size() >= 2; },
                        std::chrono::milliseconds(100));
        if (Clock::now() - start > std::chrono::minutes(30)) {
            throw std::runtime_error("the docks did not finish in 30 minutes");
        }
    }
    result.dock_s = std::chrono::duration<double>(Clock::now() - start).count();
    result.service_cpu_s = cpu_seconds_of_this_process() - cpu_at_start;
    for (pid_t child : flooders) ::kill(child, SIGKILL);
    for (pid_t child : flooders) ::waitpid(child, nullptr, 0);
    return result;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options options = parse_options(argc, argv);
        if (::geteuid() != 0) {
            throw std::runtime_error(
                "run it as root: the flooders are uid 65534, and root asks for the bays");
        }
        std::vector<double> machine;
        std::vector<double> abuse;
        double status_max_ms = 0;
        for (int round = 1; round <= options.rounds; ++round) {
            const Round quiet = dock(options, round * 3, std::nullopt);
            const Round elsewhere = dock(options, round * 3 + 1, Target::bus_daemon);
            const Round flooded = dock(options, round * 3 + 2, Target::service);
            std::printf(
                "round %d: quiet %.2f s, elsewhere %.2f s, flooded %.2f s; the service's CPU "
                "%.2f s, %.2f s, %.2f s; status at most %.1f ms quiet, %.1f ms flooded\n",
                round, quiet.dock_s, elsewhere.dock_s, flooded.dock_s, quiet.service_cpu_s,
                elsewhere.service_cpu_s, flooded.service_cpu_s, quiet.status_max_ms,
                flooded.status_max_ms);
            std::fflush(stdout);
            machine.push_back(elsewhere.dock_s / quiet.dock_s);
            abuse.push_back(flooded.dock_s / elsewhere.dock_s);
            status_max_ms = std::max(status_max_ms, flooded.status_max_ms);
        }
        std::printf("status_max_ms=%.1f\n", status_max_ms);
        std::printf("machine_slowdown=%.3f\n", median(machine));
        std::printf("abuse_slowdown=%.3f\n", median(abuse));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_abuse: %s\n", e.what());
        return 1;
    }
}
