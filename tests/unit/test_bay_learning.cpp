// SPDX-License-Identifier: Apache-2.0
// Bay learning: the camera that appears after a bay's prompt is that bay's; cameras already
// mapped do not count; Enter takes a camera plugged in before the prompt; ambiguity asks again;
// no camera in time fails; the written map loads.
#include "core/config/config.hpp"
#include "cradlectl/bay_learning.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <sstream>

namespace cradle::ctl {
namespace {

using Wake = LearnEnvironment::Wake;

// Each wait() applies the next step: the ports present afterwards and what woke the prompt.
class ScriptedEnvironment : public LearnEnvironment {
  public:
    struct Step {
        Wake wake;
        std::vector<std::string> ports;
    };
    ScriptedEnvironment(std::vector<std::string> initial, std::deque<Step> steps)
        : ports_(std::move(initial)), steps_(std::move(steps)) {}

    std::vector<std::string> camera_ports() override { return ports_; }
    Wake wait(std::chrono::milliseconds) override {
        if (steps_.empty()) return Wake::timeout;
        Step step = std::move(steps_.front());
        steps_.pop_front();
        ports_ = std::move(step.ports);
        return step.wake;
    }

  private:
    std::vector<std::string> ports_;
    std::deque<Step> steps_;
};

std::vector<std::string> ports_of(const std::vector<hw::usb::BaySpec>& bays) {
    std::vector<std::string> ports;
    for (const auto& bay : bays) ports.push_back(bay.port);
    return ports;
}

TEST(BayLearning, EachBayIsWhereACameraAppearedAfterItsPrompt) {
    // One camera moved from bay to bay: it leaves, then arrives on the next port.
    ScriptedEnvironment usb({}, {{Wake::device_change, {"1-1.1"}},
                                 {Wake::device_change, {}},
                                 {Wake::device_change, {"1-1.2"}},
                                 {Wake::device_change, {"1-1.2", "1-1.3"}}});
    std::ostringstream prompts;
    const auto bays = learn_bays({3, std::chrono::seconds(5), ""}, usb, prompts);
    EXPECT_EQ(ports_of(bays), (std::vector<std::string>{"1-1.1", "1-1.2", "1-1.3"}));
    EXPECT_EQ(bays[2].number, 3);
    EXPECT_EQ(bays[2].hub_port, "1-1.3");
    EXPECT_NE(prompts.str().find("plug a camera into bay 3"), std::string::npos);
    EXPECT_NE(prompts.str().find("Bay 2 is port 1-1.2."), std::string::npos);
}

TEST(BayLearning, EnterTakesTheOneCameraPluggedInBeforeThePrompt) {
    ScriptedEnvironment usb({"2-4"}, {{Wake::line, {"2-4"}}});
    std::ostringstream prompts;
    EXPECT_EQ(ports_of(learn_bays({1, std::chrono::seconds(5), ""}, usb, prompts)),
              (std::vector<std::string>{"2-4"}));
}

TEST(BayLearning, EnterWithSeveralUnmappedCamerasAsksAgain) {
    ScriptedEnvironment usb({"1-1", "1-2"}, {{Wake::line, {"1-1", "1-2"}}, {Wake::line, {"1-2"}}});
    std::ostringstream prompts;
    EXPECT_EQ(ports_of(learn_bays({1, std::chrono::seconds(5), ""}, usb, prompts)),
              (std::vector<std::string>{"1-2"}));
    EXPECT_NE(prompts.str().find("several unmapped ports (1-1, 1-2)"), std::string::npos)
        << prompts.str();
}

TEST(BayLearning, EnterWithNoCameraAsksAgain) {
    ScriptedEnvironment usb({}, {{Wake::line, {}}, {Wake::device_change, {"1-3"}}});
    std::ostringstream prompts;
    EXPECT_EQ(ports_of(learn_bays({1, std::chrono::seconds(5), ""}, usb, prompts)),
              (std::vector<std::string>{"1-3"}));
    EXPECT_NE(prompts.str().find("No camera found"), std::string::npos);
}

TEST(BayLearning, TwoCamerasAppearingAtOnceAreNotGuessedBetween) {
    ScriptedEnvironment usb({}, {{Wake::device_change, {"1-1", "1-2"}},
                                 {Wake::device_change, {"1-2"}},
                                 {Wake::line, {"1-2"}}});
    std::ostringstream prompts;
    EXPECT_EQ(ports_of(learn_bays({1, std::chrono::seconds(5), ""}, usb, prompts)),
              (std::vector<std::string>{"1-2"}));
    EXPECT_NE(prompts.str().find("More than one camera appeared"), std::string::npos);
}

TEST(BayLearning, MappedPortIsNeverTakenForTheNextBay) {
    ScriptedEnvironment usb({}, {{Wake::device_change, {"1-1"}}, {Wake::line, {"1-1"}}});
    std::ostringstream prompts;
    EXPECT_THROW(learn_bays({2, std::chrono::seconds(5), ""}, usb, prompts), LearnError);
}

TEST(BayLearning, NoCameraInTimeFails) {
    ScriptedEnvironment usb({"1-1"}, {});
    std::ostringstream prompts;
    try {
        learn_bays({1, std::chrono::seconds(7), ""}, usb, prompts);
        FAIL() << "no error";
    } catch (const LearnError& e) {
        EXPECT_EQ(std::string(e.what()), "no camera appeared in bay 1 within 7 s");
    }
}

TEST(BayLearning, TimeoutNamesTheCamerasThatWereInBeforeThePrompt) {
    ScriptedEnvironment usb({"1-1.1", "1-1.2"}, {{Wake::end_of_input, {"1-1.1", "1-1.2"}}});
    std::ostringstream prompts;
    try {
        learn_bays({1, std::chrono::seconds(3), ""}, usb, prompts);
        FAIL() << "no error";
    } catch (const LearnError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "no camera appeared in bay 1 within 3 s (cameras on unmapped ports 1-1.1, "
                  "1-1.2 were in before the prompt; leave only the one in bay 1)");
    }
}

TEST(BayLearning, EndOfInputStillWaitsForTheCamera) {
    ScriptedEnvironment usb({}, {{Wake::end_of_input, {}}, {Wake::device_change, {"3-2"}}});
    std::ostringstream prompts;
    EXPECT_EQ(ports_of(learn_bays({1, std::chrono::seconds(5), ""}, usb, prompts)),
              (std::vector<std::string>{"3-2"}));
}

TEST(BayLearning, LedPatternNamesEachBaysLights) {
    ScriptedEnvironment usb(
        {}, {{Wake::device_change, {"1-1"}}, {Wake::device_change, {"1-1", "1-2"}}});
    std::ostringstream prompts;
    const auto bays =
        learn_bays({2, std::chrono::seconds(5), "cradle:{color}:bay{bay}"}, usb, prompts);
    EXPECT_EQ(bays[1].led_red, "cradle:red:bay2");
    EXPECT_EQ(bays[1].led_green, "cradle:green:bay2");
    EXPECT_EQ(bays[1].led_amber, "cradle:amber:bay2");
}

TEST(BayLearning, WrittenMapLoadsAsItWasLearned) {
    std::vector<hw::usb::BaySpec> bays{{1, "1-1.1", "1-1.1", "r1", "g1", "a1"},
                                       {2, "1-1.2", "1-1", "", "", ""}};
    const auto loaded = parse_bay_map(format_bay_map(bays), "learned.toml");
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[0].port, "1-1.1");
    EXPECT_EQ(loaded[0].hub_port, "1-1.1");
    EXPECT_EQ(loaded[0].led_amber, "a1");
    EXPECT_EQ(loaded[1].hub_port, "1-1");
    EXPECT_EQ(loaded[1].led_red, "");
}

}  // namespace
}  // namespace cradle::ctl
