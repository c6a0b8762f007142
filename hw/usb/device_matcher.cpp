// SPDX-License-Identifier: Apache-2.0
#include "hw/usb/device_matcher.hpp"

#include <algorithm>

namespace cradle::hw::usb {
namespace {

bool matches(const DeviceRule& rule, const DeviceDescription& device) {
    if (rule.vendor_id && *rule.vendor_id != device.vendor_id) return false;
    if (rule.product_id && *rule.product_id != device.product_id) return false;
    if (rule.interface_class &&
        std::find(device.interface_classes.begin(), device.interface_classes.end(),
                  *rule.interface_class) == device.interface_classes.end())
        return false;
    // An entry naming nothing would match every device; the loader refuses it, and so does this.
    return rule.vendor_id || rule.interface_class;
}

int specificity(const DeviceRule& rule) {
    return (rule.vendor_id ? 4 : 0) + (rule.product_id ? 2 : 0) + (rule.interface_class ? 1 : 0);
}

}  // namespace

const DeviceRule* match_device(const std::vector<DeviceRule>& rules,
                               const DeviceDescription& device) {
    const DeviceRule* best = nullptr;
    for (const DeviceRule& rule : rules) {
        if (!matches(rule, device)) continue;
        if (best == nullptr || specificity(rule) > specificity(*best)) best = &rule;
    }
    return best;
}

const BaySpec* bay_at_port(const std::vector<BaySpec>& bays, std::string_view port) {
    for (const BaySpec& bay : bays)
        if (bay.port == port) return &bay;
    return nullptr;
}

}  // namespace cradle::hw::usb
