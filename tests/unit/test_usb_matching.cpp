// SPDX-License-Identifier: Apache-2.0
// The device table decides which devices are cameras and which driver and quirks serve them;
// the bay map decides which port is which bay.
#include "hw/usb/device_matcher.hpp"

#include <gtest/gtest.h>

namespace cradle::hw::usb {
namespace {

DeviceRule by_class(std::string name) {
    DeviceRule rule;
    rule.name = std::move(name);
    rule.interface_class = 6;
    return rule;
}

DeviceRule by_id(std::string name, std::uint16_t vid, std::optional<std::uint16_t> pid) {
    DeviceRule rule;
    rule.name = std::move(name);
    rule.vendor_id = vid;
    rule.product_id = pid;
    return rule;
}

const DeviceDescription still_image_camera{0x1234, 0x0001, {6}};

TEST(DeviceMatching, StillImageInterfaceMatchesTheClassEntry) {
    const std::vector<DeviceRule> rules{by_class("any PTP camera")};
    const DeviceRule* rule = match_device(rules, still_image_camera);
    ASSERT_NE(rule, nullptr);
    EXPECT_EQ(rule->name, "any PTP camera");
}

TEST(DeviceMatching, DeviceWithoutAMatchingEntryIsUnknown) {
    const std::vector<DeviceRule> rules{by_class("any PTP camera"), by_id("X", 0x1234, 0x9999)};
    EXPECT_EQ(match_device(rules, DeviceDescription{0x1234, 0x0001, {8}}), nullptr);
    EXPECT_EQ(match_device({}, still_image_camera), nullptr);
}

TEST(DeviceMatching, ProductEntryWinsOverTheClassEntryWhateverTheOrder) {
    std::vector<DeviceRule> rules{by_class("generic"), by_id("BC-200", 0x1234, 0x0001)};
    rules[1].quirks.partial_object_bytes = 4096;
    const DeviceRule* rule = match_device(rules, still_image_camera);
    ASSERT_NE(rule, nullptr);
    EXPECT_EQ(rule->name, "BC-200");
    EXPECT_EQ(rule->quirks.partial_object_bytes, 4096u);
}

TEST(DeviceMatching, ProductEntryWinsOverTheVendorEntry) {
    const std::vector<DeviceRule> rules{by_id("vendor", 0x1234, std::nullopt),
                                        by_id("product", 0x1234, 0x0001)};
    EXPECT_EQ(match_device(rules, still_image_camera)->name, "product");
    EXPECT_EQ(match_device(rules, DeviceDescription{0x1234, 0x0002, {}})->name, "vendor");
}

TEST(DeviceMatching, EntryNamingIdAndClassNeedsBoth) {
    DeviceRule rule = by_id("ptp only", 0x1234, 0x0001);
    rule.interface_class = 6;
    const std::vector<DeviceRule> rules{rule};
    EXPECT_NE(match_device(rules, still_image_camera), nullptr);
    EXPECT_EQ(match_device(rules, DeviceDescription{0x1234, 0x0001, {8}}), nullptr);
}

TEST(DeviceMatching, AmongEquallySpecificEntriesTheFirstWins) {
    const std::vector<DeviceRule> rules{by_class("first"), by_class("second")};
    EXPECT_EQ(match_device(rules, still_image_camera)->name, "first");
}

TEST(DeviceMatching, IgnoreEntryMatchesLikeAnyOther) {
    DeviceRule hub_controller = by_id("cradle controller", 0x1234, 0x0001);
    hub_controller.driver = DriverKind::ignore;
    const std::vector<DeviceRule> rules{by_class("generic"), hub_controller};
    EXPECT_EQ(match_device(rules, still_image_camera)->driver, DriverKind::ignore);
}

TEST(DeviceMatching, EntryNamingNothingMatchesNothing) {
    const std::vector<DeviceRule> rules{DeviceRule{}};
    EXPECT_EQ(match_device(rules, still_image_camera), nullptr);
}

TEST(BayMap, PortFindsItsBay) {
    const std::vector<BaySpec> bays{{1, "1-1.1", "", "", "", ""}, {2, "1-1.2", "", "", "", ""}};
    ASSERT_NE(bay_at_port(bays, "1-1.2"), nullptr);
    EXPECT_EQ(bay_at_port(bays, "1-1.2")->number, 2);
}

TEST(BayMap, PortOutsideTheMapHasNoBay) {
    const std::vector<BaySpec> bays{{1, "1-1.1", "", "", "", ""}};
    EXPECT_EQ(bay_at_port(bays, "1-1.10"), nullptr);
    EXPECT_EQ(bay_at_port(bays, "1-1"), nullptr);
}

}  // namespace
}  // namespace cradle::hw::usb
