// SPDX-License-Identifier: Apache-2.0
// Port power: the sysfs `disable` file of the hub port when the kernel has one, else the hub
// class request; a power cycle is off, wait, on; failures are logged, never thrown.
#include "hw/bay/port_power.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <vector>

namespace cradle::hw::bay {
namespace {

namespace fs = std::filesystem;
using test::file_text;
using namespace std::chrono_literals;

class RecordingHubSwitch : public HubPortSwitch {
  public:
    void set_port_power(const usb::PortPath& port, bool on) override {
        if (fail) throw std::runtime_error("hub refused");
        calls.push_back(usb::format_port_path(port) + (on ? " on" : " off"));
    }
    std::vector<std::string> calls;
    bool fail = false;
};

class PortPowerTest : public ::testing::Test {
  protected:
    fs::path add_port_switch(const std::string& interface_dir, const std::string& port_dir) {
        const fs::path dir = sysfs.path() / interface_dir / port_dir;
        fs::create_directories(dir);
        std::ofstream(dir / "disable") << "0\n";
        return dir / "disable";
    }
    PortPower power(const std::string& port) {
        return PortPower(sysfs.path(), *usb::parse_port_path(port), 2, &hub, log_sink());
    }
    LogSink log_sink() {
        return [this](LogLevel, int bay, const std::string& message) {
            log.push_back(std::to_string(bay) + ": " + message);
        };
    }
    test::TempDir sysfs;
    RecordingHubSwitch hub;
    std::vector<std::string> log;
};

TEST_F(PortPowerTest, OffWritesOneToTheHubPortsDisableFile) {
    const auto disable = add_port_switch("1-1/1-1:1.0", "1-1-port3");
    auto port = power("1-1.3");
    EXPECT_TRUE(port.set(false));
    EXPECT_EQ(file_text(disable), "1\n");
    EXPECT_TRUE(port.set(true));
    EXPECT_EQ(file_text(disable), "0\n");
    EXPECT_TRUE(hub.calls.empty());
}

TEST_F(PortPowerTest, RootHubPortIsFoundUnderTheRootHub) {
    const auto disable = add_port_switch("usb1/1-0:1.0", "usb1-port2");
    EXPECT_EQ(power("1-2").disable_file(), disable);
}

TEST_F(PortPowerTest, AnotherPortsSwitchIsNotTaken) {
    add_port_switch("1-1/1-1:1.0", "1-1-port4");
    EXPECT_EQ(power("1-1.3").disable_file(), std::nullopt);
}

TEST_F(PortPowerTest, WithoutASysfsSwitchTheHubRequestIsUsed) {
    fs::create_directories(sysfs.path() / "1-1" / "1-1:1.0");
    auto port = power("1-1.3");
    EXPECT_TRUE(port.set(false));
    EXPECT_TRUE(port.set(true));
    EXPECT_EQ(hub.calls, (std::vector<std::string>{"1-1.3 off", "1-1.3 on"}));
}

TEST_F(PortPowerTest, HubThatRefusesIsLoggedNotThrown) {
    hub.fail = true;
    EXPECT_FALSE(power("1-1.3").set(false));
    ASSERT_EQ(log.size(), 1u);
    EXPECT_NE(log[0].find("2: cannot switch port 1-1.3 power off through the hub: hub refused"),
              std::string::npos)
        << log[0];
}

TEST_F(PortPowerTest, NoSwitchAtAllIsLogged) {
    PortPower port(sysfs.path(), *usb::parse_port_path("1-1.3"), 2, nullptr, log_sink());
    EXPECT_FALSE(port.set(false));
    EXPECT_EQ(log.size(), 1u);
}

TEST_F(PortPowerTest, PowerCycleIsOffThenWaitThenOn) {
    const auto disable = add_port_switch("1-1/1-1:1.0", "1-1-port3");
    std::vector<std::string> seen;
    auto port = power("1-1.3");
    EXPECT_TRUE(port.power_cycle(1500ms, [&](std::chrono::milliseconds wait) {
        seen.push_back("wait " + std::to_string(wait.count()) +
                       " with disable=" + file_text(disable));
    }));
    EXPECT_EQ(seen, (std::vector<std::string>{"wait 1500 with disable=1\n"}));
    EXPECT_EQ(file_text(disable), "0\n");
}

TEST_F(PortPowerTest, PowerCycleStopsWhenThePortCannotBeSwitchedOff) {
    hub.fail = true;
    bool waited = false;
    EXPECT_FALSE(power("1-1.3").power_cycle(1ms, [&](auto) { waited = true; }));
    EXPECT_FALSE(waited);
}

}  // namespace
}  // namespace cradle::hw::bay
