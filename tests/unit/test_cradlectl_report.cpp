// SPDX-License-Identifier: Apache-2.0
// cradlectl report's command line (the report, its period in local days, the format and where
// it goes) and the officers' roster as CSV, without a bus or a catalog.
#include "cradlectl/arguments.hpp"
#include "cradlectl/officer_csv.hpp"
#include "cradlectl/report_request.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <variant>
#include <vector>

namespace cradle::ctl {
namespace {

// Local days in these tests are Berlin's: 2026-03-29 is the day clocks go forward (23 hours).
class ReportRequestTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const char* tz = std::getenv("TZ");
        if (tz != nullptr) saved_tz_ = tz;
        had_tz_ = tz != nullptr;
        ::setenv("TZ", "Europe/Berlin", 1);
        ::tzset();
    }
    void TearDown() override {
        if (had_tz_) {
            ::setenv("TZ", saved_tz_.c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }

    static Invocation parsed(std::vector<std::string> words) {
        words.insert(words.begin(), "cradlectl");
        std::vector<char*> argv;
        for (std::string& word : words) argv.push_back(word.data());
        auto result = parse_invocation(static_cast<int>(argv.size()), argv.data());
        if (auto* error = std::get_if<std::string>(&result)) {
            ADD_FAILURE() << "usage error: " << *error;
            return {};
        }
        return std::get<Invocation>(result);
    }

    // The request, or "" with the error in `error`.
    static std::variant<ReportRequest, std::string> request(const std::vector<std::string>& words,
                                                            bool terminal = false) {
        return report_request(parsed(words), "2026-03-29", terminal);
    }

    static std::string error_of(const std::vector<std::string>& words, bool terminal = false) {
        auto result = request(words, terminal);
        if (auto* error = std::get_if<std::string>(&result)) return *error;
        return "";
    }

    bool had_tz_ = false;
    std::string saved_tz_;
};

// 2026-03-01 00:00 CET is 2026-02-28 23:00 UTC; 2026-03-30 00:00 CEST is 2026-03-29 22:00 UTC.
constexpr std::int64_t kMarchFirstBerlin = 1'772'319'600;
constexpr std::int64_t kMarch30Berlin = 1'774'821'600;
constexpr std::int64_t kMarch29Berlin = 1'774'738'800;

TEST_F(ReportRequestTest, AssignmentsDefaultToTheFirstOfTheMonthUntilTheEndOfToday) {
    auto result = request({"report", "assignments"});
    ASSERT_TRUE(std::holds_alternative<ReportRequest>(result)) << std::get<std::string>(result);
    const ReportRequest& report = std::get<ReportRequest>(result);
    EXPECT_EQ(report.kind, ReportKind::assignments);
    EXPECT_EQ(report.period.from, kMarchFirstBerlin);
    EXPECT_EQ(report.period.to, kMarch30Berlin);
    EXPECT_EQ(report.format, ReportFormat::csv);
    EXPECT_FALSE(report.output.has_value());
}

TEST_F(ReportRequestTest, FromAndToAreWholeLocalDaysInclusive) {
    auto result = request({"report", "assignments", "--from", "2026-03-29", "--to", "2026-03-29"});
    ASSERT_TRUE(std::holds_alternative<ReportRequest>(result)) << std::get<std::string>(result);
    const reports::Period period = std::get<ReportRequest>(result).period;
    EXPECT_EQ(period.from, kMarch29Berlin);
    EXPECT_EQ(period.to, kMarch30Berlin);
    EXPECT_EQ(period.to - period.from, 23 * 3600) << "the day the clocks go forward";
}

TEST_F(ReportRequestTest, NoPeriodStartsBefore1970) {
    // In Berlin, 1970-01-01 00:00 local is 1969-12-31 23:00 UTC: a negative time, which the
    // daemon refuses. The period starts at 0, as offline reading does.
    auto from = request({"report", "assignments", "--from", "1970-01-01", "--to", "1970-01-02"});
    ASSERT_TRUE(std::holds_alternative<ReportRequest>(from)) << std::get<std::string>(from);
    EXPECT_EQ(std::get<ReportRequest>(from).period.from, 0);
    EXPECT_EQ(std::get<ReportRequest>(from).period.to, 2 * 86400 - 3600);
    auto day = request({"report", "dock", "--date", "1970-01-01"});
    ASSERT_TRUE(std::holds_alternative<ReportRequest>(day)) << std::get<std::string>(day);
    EXPECT_EQ(std::get<ReportRequest>(day).period.from, 0);
    EXPECT_EQ(std::get<ReportRequest>(day).period.to, 86400 - 3600);
}

TEST_F(ReportRequestTest, DockIsOneLocalDayTodayByDefault) {
    auto today = request({"report", "dock"});
    ASSERT_TRUE(std::holds_alternative<ReportRequest>(today)) << std::get<std::string>(today);
    EXPECT_EQ(std::get<ReportRequest>(today).kind, ReportKind::dock);
    EXPECT_EQ(std::get<ReportRequest>(today).date, "2026-03-29");
    EXPECT_EQ(std::get<ReportRequest>(today).period.from, kMarch29Berlin);
    EXPECT_EQ(std::get<ReportRequest>(today).period.to, kMarch30Berlin);

    auto other = request({"report", "dock", "--date", "2026-03-01"});
    ASSERT_TRUE(std::holds_alternative<ReportRequest>(other)) << std::get<std::string>(other);
    EXPECT_EQ(std::get<ReportRequest>(other).date, "2026-03-01");
    EXPECT_EQ(std::get<ReportRequest>(other).period.from, kMarchFirstBerlin);
    EXPECT_EQ(std::get<ReportRequest>(other).period.to - kMarchFirstBerlin, 24 * 3600);
}

TEST_F(ReportRequestTest, ClearErrorsForWhatIsNotAReportRequest) {
    EXPECT_NE(error_of({"report", "weekly"}).find("report weekly: unknown"), std::string::npos);
    EXPECT_NE(error_of({"report", "dock", "--date", "2026-02-30"})
                  .find("--date 2026-02-30: not a "
                        "date"),
              std::string::npos);
    EXPECT_NE(error_of({"report", "assignments", "--from", "yesterday"}).find("--from yesterday"),
              std::string::npos);
    EXPECT_NE(error_of({"report", "assignments", "--from", "2026-03-10", "--to", "2026-03-09"})
                  .find("is after --to"),
              std::string::npos);
    EXPECT_NE(error_of({"report", "assignments", "--date", "2026-03-10"}).find("not --date"),
              std::string::npos);
    EXPECT_NE(error_of({"report", "dock", "--from", "2026-03-10"}).find("--date DAY"),
              std::string::npos);
    EXPECT_NE(error_of({"report", "dock", "--format", "xlsx"}).find("--format xlsx: unknown"),
              std::string::npos);
}

TEST_F(ReportRequestTest, APdfIsNeverWrittenToATerminal) {
    const std::string error = error_of({"report", "dock", "--format", "pdf"}, /*terminal=*/true);
    EXPECT_NE(error.find("use -o FILE"), std::string::npos) << error;
    EXPECT_NE(error_of({"report", "dock", "-o", "-", "--format", "pdf"}, true), "");
    // Into a file, or into a pipe, it is.
    EXPECT_EQ(error_of({"report", "dock", "-o", "day.pdf"}, true), "");
    EXPECT_EQ(error_of({"report", "dock", "--format", "pdf"}, false), "");
    // Text formats may go to a terminal.
    EXPECT_EQ(error_of({"report", "dock", "--format", "json"}, true), "");
}

TEST(ReportFormatChoice, FormatBeatsTheExtensionWhichBeatsCsv) {
    auto format = [](std::optional<std::string> given, std::optional<std::string> output) {
        auto chosen = choose_report_format(given, output);
        if (auto* error = std::get_if<std::string>(&chosen)) return "error: " + *error;
        return std::string(to_string(std::get<ReportFormat>(chosen)));
    };
    EXPECT_EQ(format(std::nullopt, std::nullopt), "csv");
    EXPECT_EQ(format(std::nullopt, "report.pdf"), "pdf");
    EXPECT_EQ(format(std::nullopt, "REPORT.PDF"), "pdf");
    EXPECT_EQ(format(std::nullopt, "out/report.json"), "json");
    EXPECT_EQ(format(std::nullopt, "report.txt"), "csv");
    EXPECT_EQ(format(std::nullopt, ".pdf"), "csv") << "a name that is only an extension";
    EXPECT_EQ(format("json", "report.pdf"), "json");
    EXPECT_EQ(format("PDF", std::nullopt), "pdf");
    EXPECT_EQ(format("xml", "report.csv").rfind("error: --format xml", 0), 0u);
}

TEST(ReportInvocation, FromAndToOfAReportStayAsGivenForTheReportToRead) {
    std::vector<std::string> words = {"cradlectl",  "report", "assignments", "--from",
                                      "2026-03-01", "--to",   "2026-03-31"};
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    auto parsed = parse_invocation(static_cast<int>(argv.size()), argv.data());
    ASSERT_TRUE(std::holds_alternative<Invocation>(parsed)) << std::get<std::string>(parsed);
    const Invocation& invocation = std::get<Invocation>(parsed);
    EXPECT_EQ(invocation.from_text, "2026-03-01");
    EXPECT_EQ(invocation.to_text, "2026-03-31");
    EXPECT_EQ(invocation.filter.captured_from, 0) << "not read as a UTC time";
}

TEST(ReportInvocation, OfficersAreImportedAndExportedAndOtherListsAreNot) {
    auto parse = [](std::vector<std::string> words) {
        words.insert(words.begin(), "cradlectl");
        std::vector<char*> argv;
        for (std::string& word : words) argv.push_back(word.data());
        return parse_invocation(static_cast<int>(argv.size()), argv.data());
    };
    EXPECT_TRUE(std::holds_alternative<Invocation>(parse({"import", "officers", "roster.csv"})));
    EXPECT_TRUE(std::holds_alternative<Invocation>(parse({"export", "officers", "-o", "r.csv"})));
    EXPECT_TRUE(
        std::holds_alternative<Invocation>(parse({"--state-dir", "/x", "export", "officers"})));
    auto people = parse({"import", "people", "x.csv"});
    ASSERT_TRUE(std::holds_alternative<std::string>(people));
    EXPECT_NE(std::get<std::string>(people).find("import officers"), std::string::npos);
    EXPECT_TRUE(std::holds_alternative<std::string>(
        parse({"--state-dir", "/x", "import", "officers", "roster.csv"})));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse({"report"})));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse({"report", "dock", "--json"})));
    EXPECT_TRUE(std::holds_alternative<std::string>(parse({"devices", "--format", "csv"})));
    // Recordings keep their UTC times.
    auto recordings = parse({"recordings", "--from", "bad"});
    EXPECT_TRUE(std::holds_alternative<std::string>(recordings));
}

std::string all_problems(const OfficerImport& import) {
    std::string text;
    for (const auto& problem : import.problems) text += problem + "\n";
    return text;
}

TEST(OfficerImport, ReadsBadgesNamesAndTeamsInAnyColumnOrder) {
    const OfficerImport import = read_officer_import(
        "\xEF\xBB\xBFTeam, Name ,BADGE\r\n一组,李娜,A-1001\r\n\"Patrol, east\",Chen Jie,A-1002\r\n"
        ",Zhao Min,A-1003\r\n");
    ASSERT_TRUE(import.problems.empty()) << all_problems(import);
    ASSERT_EQ(import.rows.size(), 3u);
    EXPECT_EQ(import.rows[0].badge, "A-1001");
    EXPECT_EQ(import.rows[0].name, "李娜");
    EXPECT_EQ(import.rows[0].team, "一组");
    EXPECT_EQ(import.rows[1].team, "Patrol, east");
    EXPECT_EQ(import.rows[2].team, "") << "a team may be left empty";
    EXPECT_EQ(import.rows[2].line, 4u);
}

TEST(OfficerImport, EveryProblemIsNamedAndNothingIsKept) {
    const OfficerImport import = read_officer_import(
        "badge,name,team\n"
        "A-1,Li Na,one\n"
        ",No Badge,one\n"
        "A-2,,one\n"
        "A-1,Again,two\n"
        "A-3,Tab\there,one\n"
        "A-4,Short\n");
    EXPECT_TRUE(import.rows.empty());
    ASSERT_EQ(import.problems.size(), 5u) << all_problems(import);
    EXPECT_EQ(import.problems[0].rfind("line 3: badge is empty", 0), 0u) << all_problems(import);
    EXPECT_EQ(import.problems[1].rfind("line 4: name is empty", 0), 0u);
    EXPECT_EQ(import.problems[2].rfind("line 5: badge A-1 is already on line 2", 0), 0u);
    EXPECT_EQ(import.problems[3].rfind("line 6: name contains control", 0), 0u);
    EXPECT_EQ(import.problems[4].rfind("line 7: 2 fields", 0), 0u);
}

TEST(OfficerImport, BadgesAreComparedAsTheRosterComparesThem) {
    // The roster ignores case and surrounding spaces: these are one badge twice, which the
    // daemon would otherwise store as one officer, the later line winning unseen.
    const OfficerImport import = read_officer_import(
        "badge,name,team\n"
        "B-7,Officer B,one\n"
        "b-7,Officer C,one\n"
        "\" B-7 \",Officer D,one\n"
        "\"   \",Nobody,one\n"
        "B-9,\"  \",one\n");
    EXPECT_TRUE(import.rows.empty());
    ASSERT_EQ(import.problems.size(), 4u) << all_problems(import);
    EXPECT_EQ(import.problems[0].rfind("line 3: badge b-7 is already on line 2", 0), 0u)
        << all_problems(import);
    EXPECT_EQ(import.problems[1].rfind("line 4: badge  B-7  is already on line 2", 0), 0u)
        << all_problems(import);
    EXPECT_EQ(import.problems[2].rfind("line 5: badge is blank", 0), 0u) << all_problems(import);
    EXPECT_EQ(import.problems[3].rfind("line 6: name is blank", 0), 0u) << all_problems(import);
    // A team of spaces is an empty team, not a problem.
    EXPECT_TRUE(read_officer_import("badge,name,team\nB-7,Officer B,\"  \"\n").problems.empty());
}

TEST(OfficerExport, GuardsAFormulaLikeNameAndImportsItBackUnchanged) {
    OfficerRow officer;
    officer.badge = "A-1";
    officer.name = "=HYPERLINK(\"http://example.invalid\")";
    officer.team = "+one";
    const std::string text = officer_export({officer});
    EXPECT_NE(text.find("A-1,\"'=HYPERLINK(\"\"http://example.invalid\"\")\",'+one,"),
              std::string::npos)
        << text;
    const OfficerImport import = read_officer_import(text);
    ASSERT_TRUE(import.problems.empty()) << all_problems(import);
    ASSERT_EQ(import.rows.size(), 1u);
    EXPECT_EQ(import.rows[0].name, officer.name);
    EXPECT_EQ(import.rows[0].team, "+one");
}

TEST(OfficerImport, TheHeaderIsRequired) {
    EXPECT_EQ(read_officer_import("").problems.size(), 1u);
    const OfficerImport headless = read_officer_import("A-1,Li Na,one\n");
    ASSERT_EQ(headless.problems.size(), 3u) << all_problems(headless);
    EXPECT_NE(headless.problems[0].find("no column \"badge\""), std::string::npos);
}

TEST(OfficerExport, ReadsBackAsTheSameRoster) {
    std::vector<OfficerRow> roster = {{"A-1", "李娜", "一组, 东", 1'774'738'800},
                                      {"A-2", "Chen \"CJ\" Jie", "", 0}};
    const std::string csv = officer_export(roster);
    EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "badge,name,team,updated_at");
    EXPECT_NE(csv.find("2026-03-28T23:00:00Z"), std::string::npos) << csv;
    const OfficerImport back = read_officer_import(csv);
    ASSERT_TRUE(back.problems.empty()) << all_problems(back);
    ASSERT_EQ(back.rows.size(), 2u);
    for (std::size_t i = 0; i < roster.size(); ++i) {
        EXPECT_EQ(back.rows[i].badge, roster[i].badge);
        EXPECT_EQ(back.rows[i].name, roster[i].name);
        EXPECT_EQ(back.rows[i].team, roster[i].team);
    }
}

}  // namespace
}  // namespace cradle::ctl
