// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/bay_learning.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace cradle::ctl {
namespace {

std::string led_name(const std::string& pattern, int bay, const char* color) {
    if (pattern.empty()) return {};
    std::string name;
    for (std::size_t i = 0; i < pattern.size();) {
        if (pattern.compare(i, 5, "{bay}") == 0) {
            name += std::to_string(bay);
            i += 5;
        } else if (pattern.compare(i, 7, "{color}") == 0) {
            name += color;
            i += 7;
        } else {
            name += pattern[i++];
        }
    }
    return name;
}

std::string listed(const std::vector<std::string>& ports) {
    std::string text;
    for (const auto& port : ports) text += (text.empty() ? "" : ", ") + port;
    return text;
}

}  // namespace

std::vector<hw::usb::BaySpec> learn_bays(const LearnOptions& options, LearnEnvironment& environment,
                                         std::ostream& prompts) {
    std::vector<hw::usb::BaySpec> bays;
    std::set<std::string> assigned;
    const auto unassigned = [&](const std::vector<std::string>& ports) {
        std::vector<std::string> out;
        for (const auto& port : ports)
            if (!assigned.contains(port)) out.push_back(port);
        return out;
    };

    for (int bay = 1; bay <= options.bays; ++bay) {
        prompts << "Bay " << bay << " of " << options.bays << ": plug a camera into bay " << bay
                << " (it is found by itself; or press Enter once it is in).\n"
                << std::flush;
        const auto before = environment.camera_ports();
        const std::set<std::string> seen_before(before.begin(), before.end());
        const auto give_up_at = std::chrono::steady_clock::now() + options.timeout_per_bay;
        std::string port;
        while (port.empty()) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(
                give_up_at - std::chrono::steady_clock::now());
            const auto wake =
                left.count() > 0 ? environment.wait(left) : LearnEnvironment::Wake::timeout;
            const auto candidates = unassigned(environment.camera_ports());
            std::vector<std::string> arrived;
            for (const auto& candidate : candidates)
                if (!seen_before.contains(candidate)) arrived.push_back(candidate);

            if (arrived.size() == 1) {
                port = arrived.front();
            } else if (arrived.size() > 1) {
                prompts << "  More than one camera appeared (" << listed(arrived)
                        << "); leave only the one in bay " << bay << " and press Enter.\n"
                        << std::flush;
            } else if (wake == LearnEnvironment::Wake::timeout) {
                std::string why = "no camera appeared in bay " + std::to_string(bay) + " within " +
                                  std::to_string(options.timeout_per_bay.count() / 1000) + " s";
                if (candidates.size() > 1)
                    why += " (cameras on unmapped ports " + listed(candidates) +
                           " were in before the prompt; leave only the one in bay " +
                           std::to_string(bay) + ")";
                throw LearnError(why);
            } else if (wake != LearnEnvironment::Wake::device_change) {
                // Enter (or the end of the input): the camera may have been in before the
                // prompt.
                if (candidates.size() == 1) {
                    port = candidates.front();
                } else if (wake == LearnEnvironment::Wake::line && candidates.empty()) {
                    prompts << "  No camera found on a port that is not mapped yet; plug one "
                               "into bay "
                            << bay << " and press Enter.\n"
                            << std::flush;
                } else if (wake == LearnEnvironment::Wake::line) {
                    prompts << "  Cameras on several unmapped ports (" << listed(candidates)
                            << "); leave only the one in bay " << bay << " and press Enter.\n"
                            << std::flush;
                }
            }
        }
        prompts << "  Bay " << bay << " is port " << port << ".\n" << std::flush;
        assigned.insert(port);
        hw::usb::BaySpec spec;
        spec.number = bay;
        spec.port = port;
        spec.hub_port = port;
        spec.led_red = led_name(options.led_pattern, bay, "red");
        spec.led_green = led_name(options.led_pattern, bay, "green");
        spec.led_amber = led_name(options.led_pattern, bay, "amber");
        bays.push_back(std::move(spec));
    }
    return bays;
}

std::string format_bay_map(const std::vector<hw::usb::BaySpec>& bays) {
    // Values are port paths and LED names the loader accepts: no quotes or backslashes to
    // escape (LED names with them are refused by the loader and by bays learn alike).
    std::ostringstream out;
    out << "# cradled — bay map, written by `cradlectl bays learn`.\n"
           "# Each bay's port is where a camera appeared when IT plugged it into that bay.\n";
    for (const auto& bay : bays) {
        out << "\n[[bay]]\nnumber = " << bay.number << "\nport = \"" << bay.port << "\"\n";
        if (!bay.hub_port.empty() && bay.hub_port != bay.port)
            out << "hub_port = \"" << bay.hub_port << "\"\n";
        if (!bay.led_red.empty()) out << "led_red = \"" << bay.led_red << "\"\n";
        if (!bay.led_green.empty()) out << "led_green = \"" << bay.led_green << "\"\n";
        if (!bay.led_amber.empty()) out << "led_amber = \"" << bay.led_amber << "\"\n";
    }
    return out.str();
}

}  // namespace cradle::ctl
