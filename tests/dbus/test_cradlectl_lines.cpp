// SPDX-License-Identifier: Apache-2.0
// cradlectl's pieces that need no bus: the bay lines of status and its live view, and the
// command line (dates, options that go with a command).
#include "cradlectl/arguments.hpp"
#include "cradlectl/bay_line.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace cradle::ctl {
namespace {

BayInfo offloading_bay() {
    BayInfo bay;
    bay.bay = 2;
    bay.phase = "offloading";
    bay.light = "working";
    bay.serial = "BWC-0002";
    bay.bytes_total = 100'000'000;
    bay.bytes_done = 45'000'000;
    bay.rate_bytes_per_s = 39'800'000;
    bay.eta_s = 2;
    return bay;
}

TEST(BayLine, OffloadingShowsBarPercentMegabytesRateAndTimeLeft) {
    EXPECT_EQ(bay_line(offloading_bay()),
              "bay 2  offloading      BWC-0002    [#########-----------]  45%  45.0/100.0 MB  "
              "39.8 MB/s  ETA 0:02");
}

TEST(BayLine, NoTimeLeftBeforeThereIsARate) {
    BayInfo bay = offloading_bay();
    bay.rate_bytes_per_s = 0;
    bay.eta_s = 0;
    EXPECT_TRUE(bay_line(bay).ends_with("0.0 MB/s  ETA -")) << bay_line(bay);
}

TEST(BayLine, NoBarBeforeTheOffloadIsPlanned) {
    BayInfo bay = offloading_bay();
    bay.bytes_total = 0;
    bay.bytes_done = 0;
    EXPECT_EQ(bay_line(bay), "bay 2  offloading      BWC-0002");
}

TEST(BayLine, EmptyBayIsOneWord) {
    BayInfo bay;
    bay.bay = 3;
    bay.phase = "empty";
    EXPECT_EQ(bay_line(bay), "bay 3  empty");
}

TEST(BayLine, DoneShowsTheOutcomeAndTheDockCountsOfThisCamera) {
    BayInfo bay = offloading_bay();
    bay.phase = "done";
    bay.bytes_done = bay.bytes_total;
    bay.outcome = "not ready: battery 35% (needs 80%)";
    DockFinished dock{2, "BWC-0002", "not ready", bay.outcome, 10, 10, 0};
    EXPECT_EQ(bay_line(bay, dock),
              "bay 2  done            BWC-0002    [####################] 100%  100.0/100.0 MB  "
              "not ready: battery 35% (needs 80%) (archived 10, wiped 10, left 0)");
    // Counts of another camera's dock are not this one's.
    dock.serial = "BWC-0001";
    EXPECT_TRUE(bay_line(bay, dock).ends_with("(needs 80%)")) << bay_line(bay, dock);
}

TEST(BayLine, ADockWithNothingToCopyIsCompleteOnceDone) {
    BayInfo bay = offloading_bay();
    bay.phase = "done";
    bay.bytes_total = 0;
    bay.bytes_done = 0;
    bay.outcome = "ready for duty";
    EXPECT_NE(bay_line(bay).find("[####################] 100%  0.0/0.0 MB  ready for duty"),
              std::string::npos)
        << bay_line(bay);
}

TEST(BayLine, ControlCharactersFromACameraAreNotPrinted) {
    BayInfo bay = offloading_bay();
    bay.serial = "X\x1b[2JY";
    EXPECT_EQ(bay_line(bay).find('\x1b'), std::string::npos);
}

TEST(BayJson, NamesEveryFieldAndNullsWhatIsUnknown) {
    BayInfo bay;
    bay.bay = 1;
    bay.phase = "empty";
    bay.light = "off";
    EXPECT_EQ(bay_json(bay),
              R"({"bay": 1, "phase": "empty", "light": "off", "serial": null, "model": null, )"
              R"("outcome": null, "docked_since": null, "recordings_done": 0, )"
              R"("recordings_total": 0, "bytes_done": 0, "bytes_total": 0, )"
              R"("rate_bytes_per_s": 0, "eta_s": null})");
}

TEST(ProgressBar, FillsInProportionAndNeverOverflows) {
    EXPECT_EQ(progress_bar(0, 10, 4), "[----]");
    EXPECT_EQ(progress_bar(5, 10, 4), "[##--]");
    EXPECT_EQ(progress_bar(10, 10, 4), "[####]");
    EXPECT_EQ(progress_bar(20, 10, 4), "[####]");
    EXPECT_EQ(progress_bar(5, 0, 4), "[----]");
}

TEST(DurationText, MinutesSecondsAndHours) {
    EXPECT_EQ(duration_text(-1), "-");
    EXPECT_EQ(duration_text(0), "0:00");
    EXPECT_EQ(duration_text(75), "1:15");
    EXPECT_EQ(duration_text(3723), "1:02:03");
}

TEST(FitToColumns, CutsAtCodePoints) {
    EXPECT_EQ(fit_to_columns("abcdef", 3), "abc");
    EXPECT_EQ(fit_to_columns("ab", 3), "ab");
    EXPECT_EQ(fit_to_columns("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xc3\xa9");
}

TEST(TimeArgument, DaysTimesAndUnixSeconds) {
    EXPECT_EQ(parse_time_argument("2024-05-01", false), 1714521600);
    EXPECT_EQ(parse_time_argument("2024-05-01", true), 1714521600 + 86399);
    EXPECT_EQ(parse_time_argument("2024-05-01T10:00:00Z", true), 1714557600);
    EXPECT_EQ(parse_time_argument("2024-05-01T10:00", false), 1714557600);
    EXPECT_EQ(parse_time_argument("2024-05-01 10:00:30", false), 1714557630);
    EXPECT_EQ(parse_time_argument("@1714557600", false), 1714557600);
}

TEST(TimeArgument, RefusesWhatIsNotADate) {
    for (const char* text : {"", "yesterday", "2024-5-1", "2024-02-30", "2024-13-01",
                             "2024-05-01T25:00", "2024-05-01T10:00+02", "@", "@-5", "@12x"}) {
        EXPECT_FALSE(parse_time_argument(text, false).has_value()) << text;
    }
}

std::variant<Invocation, std::string> parse(std::vector<std::string> words) {
    words.insert(words.begin(), "cradlectl");
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    return parse_invocation(static_cast<int>(argv.size()), argv.data());
}

TEST(Invocation, OptionsBeforeOrAfterTheCommand) {
    const auto parsed = parse(
        {"--json", "recordings", "--serial=BWC-1", "--limit", "5", "--bus", "unix:path=/run/x"});
    ASSERT_TRUE(std::holds_alternative<Invocation>(parsed)) << std::get<std::string>(parsed);
    const Invocation& invocation = std::get<Invocation>(parsed);
    EXPECT_EQ(invocation.command, "recordings");
    EXPECT_TRUE(invocation.json);
    EXPECT_EQ(invocation.filter.serial, "BWC-1");
    EXPECT_EQ(invocation.filter.limit, 5u);
    EXPECT_EQ(invocation.bus_address, "unix:path=/run/x");
}

TEST(Invocation, SystemNamesTheSystemBus) {
    const auto parsed = parse({"--bus", "system", "status"});
    ASSERT_TRUE(std::holds_alternative<Invocation>(parsed));
    EXPECT_EQ(std::get<Invocation>(parsed).bus_address, "");
}

TEST(Invocation, RefusesWhatACommandDoesNotTake) {
    const std::vector<std::vector<std::string>> mistakes = {
        {},
        {"frobnicate"},
        {"devices", "--watch"},
        {"status", "--until-idle"},
        {"status", "--wait"},
        {"device"},
        {"device", "A", "B"},
        {"register", "A", "--custodian", "C", "--officer", "O"},
        {"register", "A", "--custodian", "", "--officer", "O", "--head", "H"},
        {"assign", "A"},
        {"recordings", "--limit", "0"},
        {"recordings", "--limit", "-1"},
        {"recordings", "--from", "2024-05-02", "--to", "2024-05-01"},
        {"--state-dir", "/x", "register", "A", "--custodian", "C", "--officer", "O", "--head", "H"},
        {"--state-dir", "/x", "status", "--watch"},
        {"--state-dir", "/x", "--bus", "unix:path=/y", "status"},
        {"status", "--json", "--json"},
        {"status", "--json=yes"},
        {"status", "--bus"},
    };
    for (const auto& words : mistakes) {
        std::string joined;
        for (const auto& word : words) joined += word + " ";
        EXPECT_TRUE(std::holds_alternative<std::string>(parse(words))) << joined;
    }
}

}  // namespace
}  // namespace cradle::ctl
