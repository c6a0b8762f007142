// SPDX-License-Identifier: Apache-2.0
// The service's command line and start: configuration, backend, engine and adapters. cradled
// runs it with the USB backend; cradled-demo (tools/) adds the emulated cradle.
#include "cradled/daemon.hpp"

#include "common/command_line.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "core/catalog/catalog_guard.hpp"
#include "core/catalog/signing_identity.hpp"
#include "core/config/config.hpp"
#include "core/config/remote_credentials.hpp"
#include "engine/cradle_service.hpp"
#include "hw/usb/usb_cradle.hpp"
#include "service/dbus/dbus_server.hpp"
#include "service/systemd/systemd_notify.hpp"
#include "service/systemd/udev_rules.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: %s [--config FILE] [--state-dir DIR] [--backend usb|sim] [--bus ADDRESS]\n"
    "               [--exit-when-idle] [--print-udev-rules]\n"
    "\n"
    "  --config FILE     configuration (default /etc/cradled/cradled.toml)\n"
    "  --state-dir DIR   catalog, archive and staging (overrides daemon.state_dir)\n"
    "  --backend NAME    usb: cameras on USB (the production default); sim: the emulated\n"
    "                    cradle of the configuration (demo, tests; cradled-demo only)\n"
    "  --bus ADDRESS     where to serve the D-Bus API: \"system\" (the default), \"none\", or a\n"
    "                    D-Bus address such as unix:path=/run/cradled-test/bus\n"
    "  --exit-when-idle  stop once every docked camera has been handled, and print a summary\n"
    "  --print-udev-rules  print the udev rules for the configured device table and bay map\n"
    "  --version         print the version\n";

struct Arguments {
    std::string config = "/etc/cradled/cradled.toml";
    std::optional<std::string> state_dir;
    std::optional<std::string> backend;
    std::string bus = "system";
    bool exit_when_idle = false;
    bool print_udev_rules = false;
};

void print_usage(std::FILE* to, const char* program) {
    std::fprintf(to, kUsage, program);
}

// Returns the exit status to stop with, or nothing to go on. Given twice, the last one counts.
std::optional<int> parse_arguments(int argc, char** argv, const char* program, Arguments& args) {
    cradle::OptionNames names;
    names.with_value = {"--config", "--state-dir", "--backend", "--bus"};
    names.flags = {"-h", "--help", "--version", "--exit-when-idle", "--print-udev-rules"};
    auto read = cradle::read_command_line(std::vector<std::string>(argv + 1, argv + argc), names);
    if (const auto* line = std::get_if<cradle::CommandLine>(&read); line && !line->words.empty()) {
        read = "unexpected argument '" + line->words.front() + "'";
    }
    if (const auto* error = std::get_if<std::string>(&read)) {
        std::fprintf(stderr, "%s: %s\n", program, error->c_str());
        print_usage(stderr, program);
        return 2;
    }
    for (const cradle::GivenOption& option : std::get<cradle::CommandLine>(read).options) {
        const std::string& name = option.name;
        if (name == "--help" || name == "-h") {
            print_usage(stdout, program);
            return 0;
        }
        if (name == "--version") {
            std::printf("%s %s\n", program, CRADLED_VERSION);
            return 0;
        }
        if (name == "--exit-when-idle") args.exit_when_idle = true;
        if (name == "--print-udev-rules") args.print_udev_rules = true;
        if (name == "--bus") args.bus = option.value;
        if (name == "--config") args.config = option.value;
        if (name == "--state-dir") args.state_dir = option.value;
        if (name == "--backend") args.backend = option.value;
    }
    return std::nullopt;
}

std::string megabytes(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return text;
}

void print_summary(std::vector<cradle::DockReport> reports) {
    std::stable_sort(reports.begin(), reports.end(),
                     [](const auto& a, const auto& b) { return a.bay < b.bay; });
    std::cout << "\nSummary of this run\n";
    for (const auto& r : reports) {
        std::cout << "bay " << r.bay << ": " << (r.serial.empty() ? "(unidentified)" : r.serial);
        if (r.identified) {
            std::cout << " " << r.model << " firmware " << r.firmware << ", "
                      << (r.registered ? "custodian " + r.custodian + ", officer " + r.officer
                                       : std::string("NOT REGISTERED"));
        }
        std::cout << "\n";
        if (r.health_checked) {
            std::cout << "  checked:  battery " << r.battery_percent << "%, "
                      << (r.faults.empty() ? std::string("no faults")
                                           : std::to_string(r.faults.size()) + " fault(s)")
                      << "\n";
        }
        if (r.clock_measured) {
            char drift[32];
            std::snprintf(drift, sizeof drift, "%+.1f s",
                          static_cast<double>(r.clock_drift_ms) / 1e3);
            std::cout << "  clock:    drift " << drift << ", " << r.clock_note << "\n";
        }
        std::cout << "  archived: " << r.archived << " of " << r.recordings_found
                  << " recording(s) copied and verified (" << megabytes(r.archived_bytes) << ")";
        if (r.already_archived) std::cout << ", " << r.already_archived << " archived earlier";
        std::cout << "\n  wiped:    " << r.wiped << " recording(s); " << r.left_on_camera
                  << " left on the camera\n";
        std::cout << "  light:    " << cradle::hw::to_string(r.light) << " — " << r.outcome << "\n";
    }
}

// What to do about a USB failure at start, for the operator who reads it.
const char* usb_hint(int code) {
    switch (code) {
        case LIBUSB_ERROR_ACCESS:
            return "  Permission denied on /dev/bus/usb: run the service as its packaged user "
                   "with the packaged udev rule (or as root to try it out), and check that the "
                   "unit's DeviceAllow= lists char-usb_device.\n";
        case LIBUSB_ERROR_OTHER:
        case LIBUSB_ERROR_NOT_FOUND:
            return "  No USB device file system (/dev/bus/usb) is visible: on a container or a "
                   "sandbox, pass the host's USB devices through; to try the service without "
                   "USB, run cradled-demo on the emulated cradle.\n";
        case LIBUSB_ERROR_NOT_SUPPORTED:
            return "  This system's libusb cannot report hotplug events (it needs udev or "
                   "netlink support).\n";
        default:
            return "";
    }
}

// The production cradle from the configuration's device table and bay map; nothing (after
// saying why) when the bay map maps no bay.
std::unique_ptr<cradle::hw::Cradle> make_usb_cradle(const cradle::Config& config,
                                                    const cradle::Log& log) {
    cradle::hw::usb::UsbCradleSpec spec = cradle::load_usb_cradle_spec(config.usb);
    if (spec.bays.empty()) {
        std::fprintf(stderr,
                     "cradled: the bay map %s maps no bay. Write it with\n"
                     "  cradlectl bays learn --bays N -o %s\n"
                     "(docs/hardware.md, \"Bay learning\").\n",
                     config.usb.bay_map.c_str(), config.usb.bay_map.c_str());
        return nullptr;
    }
    std::error_code error;
    if (!std::filesystem::exists("/dev/bus/usb", error)) {
        // Not fatal: the cradle may be set up before its USB is (and libusb starts anyway).
        log.warning({},
                    "/dev/bus/usb does not exist, so no camera can be seen: on a "
                    "container or a sandbox, pass the host's USB devices through");
    }
    cradle::hw::usb::UsbCradleOptions options;
    options.camera_factory = cradle::hw::usb::ptp_camera_factory();
    options.log = [log](cradle::hw::bay::LogLevel level, int bay, const std::string& message) {
        const cradle::LogLevel daemon_level =
            level == cradle::hw::bay::LogLevel::error     ? cradle::LogLevel::error
            : level == cradle::hw::bay::LogLevel::warning ? cradle::LogLevel::warning
                                                          : cradle::LogLevel::info;
        log(daemon_level, cradle::LogFields{bay, {}, 0}, message);
    };
    return std::make_unique<cradle::hw::usb::UsbCradle>(std::move(spec), std::move(options));
}

}  // namespace

namespace cradle {

int run_cradled(int argc, char** argv, const char* program,
                const std::map<std::string, CradleFactory>& extra_backends) {
    Arguments args;
    if (auto status = parse_arguments(argc, argv, program, args)) return *status;
    std::filesystem::path state_dir_for_message = "/var/lib/cradled";
    try {
        cradle::Config config = cradle::load_config(args.config);
        if (args.state_dir) config.state_dir = std::filesystem::absolute(*args.state_dir);
        if (args.backend) config.backend = *args.backend;
        state_dir_for_message = config.state_dir;
        if (args.print_udev_rules) {
            const auto tables = cradle::load_usb_cradle_spec(config.usb);
            std::fputs(cradle::make_udev_rules(tables.devices, tables.bays).c_str(), stdout);
            return 0;
        }

        // The central archive's keys are read before anything else starts: a cradle that cannot
        // reach its central archive must not take cameras (the service reads them again).
        if (config.remote) (void)cradle::load_remote_credentials(*config.remote);

        const cradle::Log log = cradle::make_service_log();
        std::unique_ptr<cradle::hw::Cradle> cradle;
        if (const auto extra = extra_backends.find(config.backend); extra != extra_backends.end()) {
            cradle = extra->second(config, args.config);
            if (!cradle) return 2;
        } else if (config.backend == "usb") {
            cradle = make_usb_cradle(config, log);
            if (!cradle) return 2;
        } else if (config.backend == "sim") {
            std::fprintf(stderr,
                         "%s: the emulated cradle (backend \"sim\") is for demonstration and "
                         "tests: run it with cradled-demo, which takes the same arguments\n",
                         program);
            return 2;
        } else {
            std::fprintf(stderr, "%s: unknown backend '%s' (usb or sim)\n", program,
                         config.backend.c_str());
            return 2;
        }

        cradle::PosixFileSystem fs;
        cradle::CradleService service(config, *cradle, fs, log);
        cradle::RunOptions options;
        options.exit_when_idle = args.exit_when_idle;
        options.handle_signals = true;
        options.on_ready = [&args](cradle::ServiceApi& api) {
            std::vector<std::unique_ptr<cradle::Frontend>> frontends;
            if (args.bus != "none") {
                cradle::BusOptions bus;
                if (args.bus != "system") bus.address = args.bus;
                try {
                    frontends.push_back(cradle::start_dbus_server(api, bus));
                } catch (const cradle::BusError& e) {
                    // Offloading goes on without the bus: footage first.
                    api.log().error({}, std::string("D-Bus API not available: ") + e.what());
                }
            }
            // Last: READY=1 only once everything is in place.
            frontends.push_back(cradle::start_systemd_notify(api));
            return frontends;
        };
        service.run(options);
        if (args.exit_when_idle) print_summary(service.reports());
        return 0;
    } catch (const cradle::CatalogBehindArchive& e) {
        // One line for IT; exit status 2 keeps systemd from restarting the service
        // (RestartPreventExitStatus=2): a restart could not help.
        std::fprintf(stderr, "%s: %s\n", program,
                     catalog_behind_archive_message(e.reason(), state_dir_for_message).c_str());
        return 2;
    } catch (const cradle::IdentityError& e) {
        // The signing key and the audit log disagree: a restart could not help either.
        std::fprintf(stderr, "%s: signing key: %s\n", program, e.what());
        return 2;
    } catch (const cradle::hw::usb::UsbError& e) {
        std::fprintf(stderr, "%s: USB: %s\n%s", program, e.what(), usb_hint(e.code()));
        return 1;
    } catch (const cradle::ConfigError& e) {
        std::fprintf(stderr, "%s: configuration: %s\n", program, e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
}

}  // namespace cradle
