// SPDX-License-Identifier: Apache-2.0
// Bay lights over a fake LED class tree: each state sets the right LEDs steady or blinking,
// values end with a newline and replace what was there, and a missing LED is logged, not fatal.
#include "hw/bay/bay_lights.hpp"
#include "hw/bay/sysfs_attribute.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

namespace cradle::hw::bay {
namespace {

namespace fs = std::filesystem;
using test::file_text;

class FakeLeds {
  public:
    // Each LED starts with a long stale value, so that a write without O_TRUNC would show.
    void add(const std::string& name, int max_brightness = 255) {
        const fs::path dir = dir_.path() / name;
        fs::create_directories(dir);
        for (const char* attribute : {"brightness", "trigger", "delay_on", "delay_off"})
            std::ofstream(dir / attribute) << "stale-value-that-is-long\n";
        std::ofstream(dir / "max_brightness") << max_brightness << "\n";
    }
    std::string operator()(const std::string& led, const char* attribute) const {
        return file_text(dir_.path() / led / attribute);
    }
    const fs::path& path() const { return dir_.path(); }

  private:
    test::TempDir dir_;
};

struct LogRecord {
    std::vector<std::string> lines;
    LogSink sink() {
        return [this](LogLevel, int bay, const std::string& message) {
            lines.push_back(std::to_string(bay) + ": " + message);
        };
    }
};

class BayLightsTest : public ::testing::Test {
  protected:
    BayLightsTest() {
        leds.add("bay1:red");
        leds.add("bay1:green", 1);
        leds.add("bay1:amber");
    }
    BayLights lights() {
        return BayLights(leds.path(), 1, {"bay1:red", "bay1:green", "bay1:amber"}, log.sink());
    }
    FakeLeds leds;
    LogRecord log;
};

TEST_F(BayLightsTest, ReadyIsGreenSteadyAtItsMaximumBrightness) {
    lights().show(BayLight::ready);
    EXPECT_EQ(leds("bay1:green", "trigger"), "none\n");
    EXPECT_EQ(leds("bay1:green", "brightness"), "1\n");
    EXPECT_EQ(leds("bay1:red", "brightness"), "0\n");
    EXPECT_EQ(leds("bay1:amber", "brightness"), "0\n");
    EXPECT_TRUE(log.lines.empty());
}

TEST_F(BayLightsTest, NeedsCustodianIsRedSteady) {
    lights().show(BayLight::needs_custodian);
    EXPECT_EQ(leds("bay1:red", "trigger"), "none\n");
    EXPECT_EQ(leds("bay1:red", "brightness"), "255\n");
    EXPECT_EQ(leds("bay1:green", "brightness"), "0\n");
}

TEST_F(BayLightsTest, WorkingBlinksAmberByTheTimerTrigger) {
    lights().show(BayLight::working);
    EXPECT_EQ(leds("bay1:amber", "trigger"), "timer\n");
    EXPECT_EQ(leds("bay1:amber", "delay_on"), "500\n");
    EXPECT_EQ(leds("bay1:amber", "delay_off"), "500\n");
    EXPECT_EQ(leds("bay1:red", "trigger"), "none\n");
    EXPECT_EQ(leds("bay1:green", "trigger"), "none\n");
}

TEST_F(BayLightsTest, BlinkDelaysAlreadyRightAreNotWritten) {
    // The kernel's own default, owned by root and out of the service's reach: left alone.
    const fs::path delays = leds.path() / "bay1:amber";
    // (Without a newline: a write would add one.)
    std::ofstream(delays / "delay_on") << "500";
    // A file that cannot be written: any write attempt would be logged.
    fs::remove(delays / "delay_off");
    fs::create_directory(delays / "delay_off");
    lights().show(BayLight::working);
    EXPECT_EQ(leds("bay1:amber", "trigger"), "timer\n");
    EXPECT_EQ(leds("bay1:amber", "delay_on"), "500");
    ASSERT_EQ(log.lines.size(), 1u) << "only the unwritable delay_off is reported";
    EXPECT_NE(log.lines[0].find("delay_off"), std::string::npos) << log.lines[0];
}

TEST_F(BayLightsTest, NotReadyBlinksGreen) {
    lights().show(BayLight::not_ready);
    EXPECT_EQ(leds("bay1:green", "trigger"), "timer\n");
    EXPECT_EQ(leds("bay1:amber", "trigger"), "none\n");
}

TEST_F(BayLightsTest, OffStopsABlinkAndDarkensEveryLed) {
    auto bay = lights();
    bay.show(BayLight::working);
    bay.show(BayLight::off);
    for (const char* led : {"bay1:red", "bay1:green", "bay1:amber"}) {
        EXPECT_EQ(leds(led, "trigger"), "none\n") << led;
        EXPECT_EQ(leds(led, "brightness"), "0\n") << led;
    }
}

TEST_F(BayLightsTest, WithoutAnAmberLedAmberIsRedAndGreenTogether) {
    BayLights bay(leds.path(), 1, {"bay1:red", "bay1:green", ""}, log.sink());
    bay.show(BayLight::working);
    EXPECT_EQ(leds("bay1:red", "trigger"), "timer\n");
    EXPECT_EQ(leds("bay1:green", "trigger"), "timer\n");
    EXPECT_EQ(leds("bay1:amber", "trigger"), "stale-value-that-is-long\n");
}

TEST_F(BayLightsTest, MissingLedIsLoggedAndTheOthersAreStillSet) {
    BayLights bay(leds.path(), 3, {"bay3:red", "bay1:green", ""}, log.sink());
    bay.show(BayLight::ready);
    EXPECT_EQ(leds("bay1:green", "brightness"), "1\n");
    ASSERT_FALSE(log.lines.empty());
    EXPECT_NE(log.lines.front().find("3: cannot set light bay3:red"), std::string::npos)
        << log.lines.front();
}

TEST_F(BayLightsTest, UnreadableMaximumFallsBackToOne) {
    fs::remove(leds.path() / "bay1:red" / "max_brightness");
    lights().show(BayLight::needs_custodian);
    EXPECT_EQ(leds("bay1:red", "brightness"), "1\n");
}

TEST(SysfsAttribute, WriteReplacesTheValueAndEndsItWithANewline) {
    test::TempDir dir;
    const fs::path file = dir.path() / "value";
    std::ofstream(file) << "a much longer old value\n";
    EXPECT_EQ(write_attribute(file, "1"), "");
    EXPECT_EQ(file_text(file), "1\n");
    EXPECT_EQ(read_attribute(file), "1");
}

TEST(SysfsAttribute, WriteNeverCreatesAFile) {
    test::TempDir dir;
    EXPECT_NE(write_attribute(dir.path() / "absent", "1").find("No such file"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir.path() / "absent"));
}

}  // namespace
}  // namespace cradle::hw::bay
