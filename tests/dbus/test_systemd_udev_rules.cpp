// SPDX-License-Identifier: Apache-2.0
// The udev rules follow the device table and the bay map, and the packaged rules are those of
// the shipped tables.
#include "core/config/config.hpp"
#include "service/systemd/udev_rules.hpp"
#include "tests/support/file_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cradle {
namespace {

using test::file_text;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(UdevRules, ShippedRulesAreThoseOfTheShippedTables) {
    const std::filesystem::path source = CRADLED_SOURCE_DIR;
    const auto devices = load_device_table(source / "etc/devices.toml");
    const auto bays = load_bay_map(source / "etc/bays.toml");
    const std::string shipped = file_text(source / "systemd/72-cradled.rules");
    ASSERT_FALSE(shipped.empty());
    EXPECT_EQ(shipped, make_udev_rules(devices, bays))
        << "regenerate systemd/72-cradled.rules with cradled --config etc/cradled.toml "
           "--print-udev-rules";
}

TEST(UdevRules, ClassEntryMatchesTheInterfacesThatUsbIdLists) {
    const auto devices = parse_device_table(
        "[[device]]\nname = \"PTP\"\ninterface_class = 6\ndriver = \"ptp\"\n", "devices.toml");
    const std::string rules = make_udev_rules(devices, {});
    EXPECT_TRUE(contains(rules, "IMPORT{builtin}=\"usb_id\"")) << rules;
    EXPECT_TRUE(contains(rules,
                         "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", "
                         "ENV{ID_USB_INTERFACES}==\"*:06????:*\", GROUP=\"cradled\", "
                         "MODE=\"0660\", TAG-=\"uaccess\""))
        << rules;
    EXPECT_FALSE(contains(rules, "TAG+=")) << rules;
}

// Officers keep nothing: only the service's group opens a camera. systemd's own rules tag PTP
// cameras "uaccess" in 70-uaccess.rules and give the console's user an ACL in
// 73-seat-late.rules for every device so tagged; the shipped file sorts between the two and
// takes the tag away from every camera it names.
TEST(UdevRules, NoCameraIsLeftToTheConsolesUser) {
    const std::filesystem::path source = CRADLED_SOURCE_DIR;
    const std::string name = "72-cradled.rules";
    EXPECT_TRUE(std::filesystem::exists(source / "systemd" / name));
    EXPECT_GT(name, std::string("70-uaccess.rules"));
    EXPECT_GT(name, std::string("71-seat.rules"));
    EXPECT_LT(name, std::string("73-seat-late.rules"));
    const std::string shipped = file_text(source / "systemd" / name);
    std::size_t cameras = 0;
    for (std::size_t at = shipped.find("GROUP=\"cradled\""); at != std::string::npos;
         at = shipped.find("GROUP=\"cradled\"", at + 1)) {
        const std::string line = shipped.substr(at, shipped.find('\n', at) - at);
        EXPECT_TRUE(contains(line, "TAG-=\"uaccess\"")) << line;
        ++cameras;
    }
    EXPECT_GT(cameras, 0u);
    // What the file works against, as this machine's systemd ships it.
    const std::filesystem::path rules_dir = "/usr/lib/udev/rules.d";
    if (!std::filesystem::exists(rules_dir / "73-seat-late.rules")) {
        GTEST_SKIP() << "systemd's seat rules are not installed here";
    }
    EXPECT_TRUE(contains(file_text(rules_dir / "70-uaccess.rules"),
                         "ENV{ID_USB_INTERFACES}==\"*:060101:*\", TAG+=\"uaccess\""));
    EXPECT_TRUE(contains(file_text(rules_dir / "73-seat-late.rules"), "RUN{builtin}+=\"uaccess\""));
}

TEST(UdevRules, VendorAndProductEntryMatchesItsIdsInLowerCaseHex) {
    const auto devices = parse_device_table(
        "[[device]]\nname = \"Vendor BC-200\"\nvid = \"0xABCD\"\npid = \"0x0102\"\n"
        "driver = \"ptp\"\n",
        "devices.toml");
    const std::string rules = make_udev_rules(devices, {});
    EXPECT_TRUE(contains(rules, "# Vendor BC-200\n")) << rules;
    EXPECT_TRUE(contains(rules,
                         "ATTR{idVendor}==\"abcd\", ATTR{idProduct}==\"0102\", "
                         "GROUP=\"cradled\", MODE=\"0660\""))
        << rules;
}

TEST(UdevRules, IgnoredEntryGrantsNothing) {
    const auto devices = parse_device_table(
        "[[device]]\nname = \"Cradle hub\"\nvid = \"0x1111\"\ndriver = \"ignore\"\n",
        "devices.toml");
    const std::string rules = make_udev_rules(devices, {});
    EXPECT_FALSE(contains(rules, "1111")) << rules;
    EXPECT_FALSE(contains(rules, "MODE=")) << rules;
    EXPECT_TRUE(contains(rules, "# Cradle hub: ignored")) << rules;
}

TEST(UdevRules, BayGivesItsHubNodePortSwitchAndLights) {
    const auto bays = parse_bay_map(
        "[[bay]]\nnumber = 1\nport = \"1-1.3\"\nled_red = \"cradle:red:bay1\"\n"
        "led_green = \"cradle:green:bay1\"\n"
        "[[bay]]\nnumber = 2\nport = \"2-4\"\n",
        "bays.toml");
    const std::string rules = make_udev_rules({}, bays);
    EXPECT_TRUE(contains(rules, "KERNEL==\"1-1\", GROUP=\"cradled\", MODE=\"0660\"")) << rules;
    EXPECT_TRUE(contains(rules,
                         "DRIVER==\"hub\", KERNEL==\"1-1:*\", "
                         "TEST==\"/sys%p/1-1-port3/disable\""))
        << rules;
    // A port of the root hub: the hub is "usbB", its interfaces "B-0:C.I".
    EXPECT_TRUE(contains(rules, "KERNEL==\"usb2\", GROUP=\"cradled\"")) << rules;
    EXPECT_TRUE(contains(rules, "KERNEL==\"2-0:*\", TEST==\"/sys%p/usb2-port4/disable\"")) << rules;
    EXPECT_TRUE(contains(rules,
                         "SUBSYSTEM==\"leds\", KERNEL==\"cradle:red:bay1\", "
                         "RUN+=\"/bin/chgrp cradled /sys%p/brightness /sys%p/trigger\""))
        << rules;
    EXPECT_TRUE(contains(rules, "KERNEL==\"cradle:green:bay1\"")) << rules;
}

TEST(UdevRules, HubSwitchingSeveralBaysIsGrantedOnce) {
    const auto bays = parse_bay_map(
        "[[bay]]\nnumber = 1\nport = \"1-1.1\"\n[[bay]]\nnumber = 2\nport = \"1-1.2\"\n",
        "bays.toml");
    const std::string rules = make_udev_rules({}, bays);
    const std::string hub_node = "KERNEL==\"1-1\", GROUP";
    const auto first = rules.find(hub_node);
    ASSERT_NE(first, std::string::npos) << rules;
    EXPECT_EQ(rules.find(hub_node, first + 1), std::string::npos) << rules;
    EXPECT_TRUE(contains(rules, "/sys%p/1-1-port1/disable")) << rules;
    EXPECT_TRUE(contains(rules, "/sys%p/1-1-port2/disable")) << rules;
}

TEST(UdevRules, LedNameThatARuleCannotNameIsRefused) {
    hw::usb::BaySpec bay;
    bay.number = 1;
    bay.port = "1-1";
    bay.led_red = "red\", RUN+=\"/bin/sh";
    EXPECT_THROW(make_udev_rules({}, {bay}), UdevRulesError);
    bay.led_red = "bay *";
    EXPECT_THROW(make_udev_rules({}, {bay}), UdevRulesError);
}

}  // namespace
}  // namespace cradle
