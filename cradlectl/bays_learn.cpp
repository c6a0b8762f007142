// SPDX-License-Identifier: Apache-2.0
// `cradlectl bays learn`: writes the bay map by asking IT to plug a camera into each bay in
// turn. It talks to USB itself (libusb hotplug), not to the service; run it while the service
// is stopped, so that nothing else claims the cameras.
#include "common/atomic_file.hpp"
#include "common/fs.hpp"
#include "core/config/config.hpp"
#include "cradlectl/bay_learning.hpp"
#include "cradlectl/command_line.hpp"
#include "cradlectl/commands.hpp"
#include "hw/usb/device_description.hpp"
#include "hw/usb/usb_context.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace cradle::ctl {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBaysUsage =
    R"(usage: cradlectl bays learn --bays N [--config FILE] [-o FILE] [--timeout S] [--leds PATTERN]

Walks through bays 1..N: for each, plug a camera into that bay; the port it appears on becomes
the bay's port. A camera is found by itself (USB hotplug), or press Enter once it is in.
Prompts go to standard error; the bay map (TOML) to FILE, or standard output.
Stop the service first, so that it does not claim the cameras.

Options:
  --bays N         number of bays, 1..64 (required)
  --config FILE    the service's configuration, for its device table
                   (default /etc/cradled/cradled.toml)
  -o FILE          write the bay map to FILE (replaced whole, only when every bay is learned)
  --timeout S      seconds to wait for each bay's camera (default 300)
  --leds PATTERN   LED names of each bay, {bay} and {color} (red, green, amber) replaced,
                   e.g. "cradle:{color}:bay{bay}"
)";

// Hotplug wakes the prompt through a pipe, so that one poll() waits for Enter and devices.
class UsbLearnEnvironment final : public LearnEnvironment {
  public:
    explicit UsbLearnEnvironment(std::vector<hw::usb::DeviceRule> rules)
        : rules_(std::move(rules)), context_(hw::usb::LibusbContext::create()) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
            throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        wake_read_ = Fd(fds[0]);
        wake_write_ = Fd(fds[1]);
        usb_ = std::make_unique<hw::usb::UsbContext>(context_);
        usb_->start([fd = wake_write_.get()](hw::usb::HotplugEvent, const hw::usb::DeviceRef&) {
            const char byte = 1;
            // A full pipe already holds a wake-up; nothing is lost by dropping this one.
            [[maybe_unused]] const ssize_t ignored = ::write(fd, &byte, 1);
        });
    }
    ~UsbLearnEnvironment() override { usb_->stop(); }

    std::vector<std::string> camera_ports() override {
        std::vector<std::string> ports;
        const hw::usb::DeviceList devices(context_->get());
        for (std::size_t i = 0; i < devices.size(); ++i) {
            try {
                const auto described = hw::usb::describe_device(devices[i]);
                if (described.is_hub) continue;
                const auto* rule = hw::usb::match_device(rules_, described.description);
                if (rule == nullptr || rule->driver != hw::usb::DriverKind::ptp) continue;
                ports.push_back(hw::usb::format_port_path(hw::usb::port_path_of(devices[i])));
            } catch (const hw::usb::UsbError&) {
                // A device that vanished while being looked at is no camera in a bay.
            }
        }
        return ports;
    }

    Wake wait(std::chrono::milliseconds timeout) override {
        pollfd fds[2] = {{wake_read_.get(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        const nfds_t count = input_ended_ ? 1 : 2;
        const int ready =
            ::poll(fds, count, static_cast<int>(std::min<long long>(timeout.count(), 1 << 30)));
        if (ready < 0 && errno != EINTR)
            throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        if (ready <= 0) return ready == 0 ? Wake::timeout : Wake::device_change;
        if (fds[0].revents != 0) {
            char drained[64];
            while (::read(wake_read_.get(), drained, sizeof drained) > 0) {
            }
            return Wake::device_change;
        }
        // One line, byte by byte, so that lines typed ahead stay for the next bays.
        for (;;) {
            char c = 0;
            const ssize_t n = ::read(STDIN_FILENO, &c, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                input_ended_ = true;
                return Wake::end_of_input;
            }
            if (c == '\n') return Wake::line;
        }
    }

  private:
    std::vector<hw::usb::DeviceRule> rules_;
    std::shared_ptr<hw::usb::LibusbContext> context_;
    Fd wake_read_;
    Fd wake_write_;
    std::unique_ptr<hw::usb::UsbContext> usb_;
    bool input_ended_ = false;
};

int bays_usage_error(const std::string& message) {
    std::cerr << "cradlectl: bays: " << message << "\n\n" << kBaysUsage;
    return kExitUsage;
}

}  // namespace

int bays_command(int argc, char** argv, std::ostream& out) {
    auto parsed = parse_bays_invocation(argc, argv);
    if (const auto* error = std::get_if<std::string>(&parsed)) return bays_usage_error(*error);
    const BaysInvocation& invocation = std::get<BaysInvocation>(parsed);
    if (invocation.help) {
        out << kBaysUsage;
        return kExitOk;
    }
    const LearnOptions& options = invocation.options;
    const fs::path& config_file = invocation.config_file;
    const std::optional<fs::path>& output = invocation.output;

    try {
        const Config config = load_config(config_file);
        const auto rules = load_device_table(config.usb.device_table);
        UsbLearnEnvironment environment(rules);
        const auto bays = learn_bays(options, environment, std::cerr);
        const std::string text = format_bay_map(bays);
        // What was written must load: the LED pattern could make names the service refuses.
        parse_bay_map(text, "the learned bay map");
        if (output) {
            // Replaced whole: a half-written bay map must never be left for the service to read.
            write_file_atomically(*output, text);
            std::cerr << "Bay map of " << bays.size() << " bay(s) written to " << output->string()
                      << ".\n";
        } else {
            out << text;
        }
        return kExitOk;
    } catch (const LearnError& e) {
        std::cerr << "cradlectl: bays learn: " << e.what() << "; nothing written\n";
        return kExitProblems;
    } catch (const hw::usb::UsbError& e) {
        std::cerr << "cradlectl: bays learn: USB: " << e.what()
                  << (e.code() == LIBUSB_ERROR_ACCESS
                          ? "\n  Permission denied on /dev/bus/usb: run it as root or as the "
                            "service's user.\n"
                          : "\n");
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "cradlectl: bays learn: " << e.what() << '\n';
        return kExitUsage;
    }
}

}  // namespace cradle::ctl
