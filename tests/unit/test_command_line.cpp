// SPDX-License-Identifier: Apache-2.0
// The programs' command lines: the words split into options and the rest (common/), and the
// real cradled's usage, usage errors and exit statuses.
#include "common/command_line.hpp"

#include "tests/support/file_text.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace cradle {
namespace {

const OptionNames kNames{{"--config", "-o", "--from"}, {"--json", "-h"}};

CommandLine read(const std::vector<std::string>& words) {
    auto read = read_command_line(words, kNames);
    if (auto* error = std::get_if<std::string>(&read)) throw std::runtime_error(*error);
    return std::get<CommandLine>(read);
}

std::string refusal(const std::vector<std::string>& words) {
    auto read = read_command_line(words, kNames);
    if (auto* error = std::get_if<std::string>(&read)) return *error;
    return "(accepted)";
}

TEST(CommandLine, OptionsComeInTheOrderGivenWithEachOccurrence) {
    const CommandLine line = read({"--from", "a", "list", "--json", "--from=b", "-o", "x"});
    ASSERT_EQ(line.options.size(), 4u);
    EXPECT_EQ(line.options[0].name, "--from");
    EXPECT_EQ(line.options[0].value, "a");
    EXPECT_EQ(line.options[1].name, "--json");
    EXPECT_EQ(line.options[1].value, "");
    EXPECT_EQ(line.options[2].name, "--from");
    EXPECT_EQ(line.options[2].value, "b");
    EXPECT_EQ(line.options[3].name, "-o");
    EXPECT_EQ(line.options[3].value, "x");
    EXPECT_EQ(line.words, std::vector<std::string>{"list"});
}

TEST(CommandLine, AValueIsTakenWhateverItLooksLike) {
    const CommandLine line = read({"--from", "-1", "--config", "--json"});
    ASSERT_EQ(line.options.size(), 2u);
    EXPECT_EQ(line.options[0].value, "-1");
    EXPECT_EQ(line.options[1].name, "--config");
    EXPECT_EQ(line.options[1].value, "--json");
}

TEST(CommandLine, WordsAfterTheDoubleDashAreNotOptions) {
    const CommandLine line = read({"show", "--", "--json", "-h"});
    EXPECT_TRUE(line.options.empty());
    EXPECT_EQ(line.words, (std::vector<std::string>{"show", "--json", "-h"}));
}

TEST(CommandLine, UsageErrorsNameTheOption) {
    EXPECT_EQ(refusal({"list", "--config"}), "--config needs a value");
    EXPECT_EQ(refusal({"--colour", "red"}), "unknown option --colour");
    EXPECT_EQ(refusal({"--colour=red"}), "unknown option --colour");
    EXPECT_EQ(refusal({"--json=yes"}), "--json takes no value");
}

// The built cradled with the given arguments: its exit status and standard output, and its
// standard error in `err`.
test::ShellResult cradled(const std::string& arguments, std::string* err) {
    const test::TempDir dir;  // its own: the tests of this file may run side by side
    const std::string err_file = (dir.path() / "stderr").string();
    test::ShellResult run =
        test::run_shell(test::built_program("cradled") + " " + arguments + " 2>'" + err_file + "'");
    *err = test::file_text(err_file);
    return run;
}

TEST(CradledCommandLine, HelpGoesToStandardOutputWithStatusZero) {
    std::string err;
    for (const char* help : {"--help", "-h"}) {
        const test::ShellResult run = cradled(help, &err);
        EXPECT_EQ(run.exit_status, 0) << help;
        EXPECT_EQ(run.output.rfind("usage: cradled [--config FILE]", 0), 0u) << run.output;
        EXPECT_NE(run.output.find("--print-udev-rules"), std::string::npos);
        EXPECT_EQ(err, "");
    }
}

TEST(CradledCommandLine, VersionIsPrinted) {
    std::string err;
    const test::ShellResult run = cradled("--version", &err);
    EXPECT_EQ(run.exit_status, 0);
    EXPECT_EQ(run.output.rfind("cradled ", 0), 0u) << run.output;
}

TEST(CradledCommandLine, UsageErrorsStopWithStatusTwoAndTheUsage) {
    const std::pair<const char*, const char*> cases[] = {
        {"--colour red", "cradled: unknown option --colour\n"},
        {"--config", "cradled: --config needs a value\n"},
        {"--exit-when-idle=yes", "cradled: --exit-when-idle takes no value\n"},
        {"extra", "cradled: unexpected argument 'extra'\n"},
    };
    for (const auto& [arguments, message] : cases) {
        std::string err;
        const test::ShellResult run = cradled(arguments, &err);
        EXPECT_EQ(run.exit_status, 2) << arguments;
        EXPECT_EQ(run.output, "") << arguments;
        EXPECT_EQ(err.rfind(message, 0), 0u) << arguments << ": " << err;
        EXPECT_NE(err.find("usage: cradled"), std::string::npos) << err;
    }
}

TEST(CradledCommandLine, TheLastOfAnOptionGivenTwiceCounts) {
    std::string err;
    const test::ShellResult run =
        cradled("--config /nonexistent/first.toml --config=/nonexistent/second.toml", &err);
    EXPECT_EQ(run.exit_status, 2);
    EXPECT_NE(err.find("second.toml"), std::string::npos) << err;
    EXPECT_EQ(err.find("first.toml"), std::string::npos) << err;
}

// The central archive is configured but its keys cannot be read: the service must not start
// (and wipe cameras after the local copy alone), and says which file to fix.
TEST(CradledCommandLine, ACentralArchiveWithoutItsKeysStopsTheStart) {
    const test::TempDir dir;
    const auto config = dir.path() / "cradled.toml";
    FILE* out = std::fopen(config.c_str(), "w");
    ASSERT_NE(out, nullptr);
    std::fputs(
        "[daemon]\nstate_dir = \"state\"\n[remote]\nendpoint = \"http://127.0.0.1:1\"\n"
        "bucket = \"county\"\ncradle_id = \"c1\"\nwipe_after = \"remote\"\n"
        "credentials = \"no-such-keys\"\n",
        out);
    std::fclose(out);
    std::string err;
    const test::ShellResult run = cradled("--config " + config.string(), &err);
    EXPECT_EQ(run.exit_status, 2);
    EXPECT_NE(err.find("configuration"), std::string::npos) << err;
    EXPECT_NE(err.find((dir.path() / "no-such-keys").string()), std::string::npos) << err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "state")) << "the service began its work";
}

}  // namespace
}  // namespace cradle
