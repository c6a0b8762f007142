// SPDX-License-Identifier: Apache-2.0
// Runs the built cradlectl binary on state directories made by the tests.
#include "tests/support/json.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/state_dir_builder.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace cradle {
namespace {

using test::StateDirBuilder;
using test::TempDir;

struct CommandResult {
    int exit_status = -1;
    std::string output;  // stdout and stderr, interleaved
};

CommandResult cradlectl(const std::string& arguments) {
    const test::ShellResult run =
        test::run_shell(test::built_program("cradlectl") + " " + arguments + " 2>&1");
    return {run.exit_status, run.output};
}

std::string state_arg(const std::filesystem::path& dir) {
    return "--state-dir '" + dir.string() + "'";
}

class CradlectlTest : public ::testing::Test {
  protected:
    CradlectlTest() : builder_(dir_.path()) {
        clip_ = builder_.add_recording("SN-1", "VID_0001.MP4", std::string(5000, 'v'));
        builder_.add_recording("SN-1", "clip \"two\"\x1b[2J\xff.mp4", "second", /*wiped=*/true);
        builder_.catalog().register_device("SN-1", "Custodian A", "Officer 17", "Head of Unit",
                                           1714557600);
        builder_.catalog().begin_dock(builder_.catalog().find_device("SN-1")->id, 2, 1714557600);
    }

    TempDir dir_;
    StateDirBuilder builder_;
    test::BuiltRecording clip_;
};

TEST_F(CradlectlTest, VerifyExitsZeroOnACleanStateAndOneAfterAByteFlip) {
    CommandResult clean = cradlectl(state_arg(dir_.path()) + " verify");
    EXPECT_EQ(clean.exit_status, 0) << clean.output;
    EXPECT_NE(clean.output.find("verify: ok"), std::string::npos) << clean.output;

    test::flip_byte(clip_.file, 100);
    CommandResult broken = cradlectl(state_arg(dir_.path()) + " verify");
    EXPECT_EQ(broken.exit_status, 1) << broken.output;
    EXPECT_NE(broken.output.find("archive/" + clip_.relative_path), std::string::npos)
        << broken.output;
    EXPECT_NE(broken.output.find("verify: 1 problem"), std::string::npos) << broken.output;
}

TEST_F(CradlectlTest, VerifyWorksWhileTheDaemonHoldsTheCatalogAndAfterItClosed) {
    EXPECT_EQ(cradlectl(state_arg(dir_.path()) + " verify").exit_status, 0);
    builder_.close_catalog();
    EXPECT_EQ(cradlectl(state_arg(dir_.path()) + " verify").exit_status, 0);
}

TEST_F(CradlectlTest, IdentityPrintsTheKeyThatVerifyChecksWithThePublicKeyAlone) {
    CommandResult identity = cradlectl(state_arg(dir_.path()) + " identity");
    ASSERT_EQ(identity.exit_status, 0) << identity.output;
    const PublicKey key = read_public_key(public_key_file(dir_.path()));
    EXPECT_NE(identity.output.find("fingerprint: " + key.fingerprint()), std::string::npos)
        << identity.output;
    // An auditor's copy: the state directory without the private key, and the printed PEM.
    TempDir auditor;
    std::filesystem::copy(dir_.path(), auditor.path() / "copy",
                          std::filesystem::copy_options::recursive);
    std::filesystem::remove(signing_key_file(auditor.path() / "copy"));
    const std::filesystem::path pem = auditor.path() / "cradle.pub";
    std::ofstream(pem) << identity.output.substr(identity.output.find("-----BEGIN"));
    const std::string verify =
        state_arg(auditor.path() / "copy") + " verify --public-key '" + pem.string() + "'";
    CommandResult good = cradlectl(verify);
    EXPECT_EQ(good.exit_status, 0) << good.output;
    EXPECT_NE(good.output.find("audit log signed by key " + key.fingerprint() + " (the key given)"),
              std::string::npos)
        << good.output;

    // Another key (a forger's) is not the key given.
    std::ofstream(pem, std::ios::trunc) << SigningKey::generate().public_key().pem();
    CommandResult other = cradlectl(verify);
    EXPECT_EQ(other.exit_status, 1) << other.output;
    EXPECT_NE(other.output.find("is not the key given"), std::string::npos) << other.output;

    std::ofstream(pem, std::ios::trunc) << "not a key";
    CommandResult garbled = cradlectl(verify);
    EXPECT_EQ(garbled.exit_status, 2) << garbled.output;
    EXPECT_NE(garbled.output.find("not a PEM public key"), std::string::npos) << garbled.output;
    CommandResult bus = cradlectl("verify --public-key '" + pem.string() + "'");
    EXPECT_EQ(bus.exit_status, 2) << bus.output;
    EXPECT_NE(bus.output.find("give --state-dir"), std::string::npos) << bus.output;
}

TEST_F(CradlectlTest, JsonOutputParses) {
    for (const char* command : {"status", "devices", "recordings", "verify", "identity"}) {
        CommandResult run = cradlectl(state_arg(dir_.path()) + " " + command + " --json");
        EXPECT_EQ(run.exit_status, 0) << command << ": " << run.output;
        EXPECT_NO_THROW(test::parse_json(run.output)) << command << ":\n" << run.output;
    }
    CommandResult status = cradlectl("--json " + state_arg(dir_.path()) + " status");
    EXPECT_NE(status.output.find(R"("archived": 1)"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find(R"("wiped": 1)"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find(R"("open_dock_sessions": 1)"), std::string::npos) << status.output;
}

TEST_F(CradlectlTest, TextOutputShowsSanitisedNamesAndTheRegister) {
    CommandResult recordings = cradlectl(state_arg(dir_.path()) + " recordings");
    EXPECT_EQ(recordings.exit_status, 0) << recordings.output;
    EXPECT_NE(recordings.output.find("VID_0001.MP4"), std::string::npos) << recordings.output;
    EXPECT_NE(recordings.output.find(clip_.relative_path), std::string::npos);
    EXPECT_NE(recordings.output.find("2024-05-01T10:00:00Z"), std::string::npos);
    EXPECT_EQ(recordings.output.find('\x1b'), std::string::npos)
        << "an escape reached the terminal";
    EXPECT_NE(recordings.output.find("clip \"two\"?[2J?.mp4"), std::string::npos)
        << recordings.output;

    CommandResult devices = cradlectl(state_arg(dir_.path()) + " devices");
    EXPECT_EQ(devices.exit_status, 0) << devices.output;
    EXPECT_NE(devices.output.find("Officer 17"), std::string::npos) << devices.output;
    EXPECT_NE(devices.output.find("Custodian A"), std::string::npos) << devices.output;

    CommandResult status = cradlectl(state_arg(dir_.path()) + " status");
    EXPECT_EQ(status.exit_status, 0) << status.output;
    EXPECT_NE(status.output.find("1 archived"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find("device.registered"), std::string::npos) << status.output;
}

TEST_F(CradlectlTest, OutputStaysPrintableAndValidJsonWhenTheCatalogWasEditedByHand) {
    ASSERT_EQ(test::tamper_with_catalog(dir_.path(),
                                        "UPDATE devices SET model = 'X' || char(27) || '[2J' || "
                                        "CAST(x'ff0a' AS TEXT) || 'Y', custodian = 'a\"b\\c'"),
              "");
    for (const char* command : {"devices", "devices --json", "status --json"}) {
        CommandResult run = cradlectl(state_arg(dir_.path()) + " " + command);
        EXPECT_EQ(run.exit_status, 0) << command << ": " << run.output;
        EXPECT_EQ(run.output.find('\x1b'), std::string::npos) << command << ": " << run.output;
        EXPECT_EQ(run.output.find('\xff'), std::string::npos) << command << ": " << run.output;
    }
    CommandResult json = cradlectl(state_arg(dir_.path()) + " devices --json");
    EXPECT_NO_THROW(test::parse_json(json.output)) << json.output;
    EXPECT_NE(json.output.find(R"("model": "X?[2J??Y")"), std::string::npos) << json.output;
    EXPECT_NE(json.output.find(R"("custodian": "a\"b\\c")"), std::string::npos) << json.output;
}

TEST_F(CradlectlTest, UsageErrorsExitTwo) {
    CommandResult unknown = cradlectl(state_arg(dir_.path()) + " frobnicate");
    EXPECT_EQ(unknown.exit_status, 2);
    EXPECT_NE(unknown.output.find("usage:"), std::string::npos) << unknown.output;

    CommandResult no_command = cradlectl(state_arg(dir_.path()));
    EXPECT_EQ(no_command.exit_status, 2);

    CommandResult bad_option = cradlectl(state_arg(dir_.path()) + " status --frobnicate");
    EXPECT_EQ(bad_option.exit_status, 2);

    // Without --state-dir cradlectl asks the daemon; with none on the bus it says so (exit 3).
    CommandResult no_daemon = cradlectl("--bus unix:path=/nonexistent/cradled-bus status");
    EXPECT_EQ(no_daemon.exit_status, 3);
    EXPECT_NE(no_daemon.output.find("cannot connect to the bus"), std::string::npos)
        << no_daemon.output;

    TempDir empty;
    CommandResult missing = cradlectl(state_arg(empty.path()) + " verify");
    EXPECT_EQ(missing.exit_status, 2);
    EXPECT_NE(missing.output.find("no catalog at"), std::string::npos) << missing.output;

    CommandResult help = cradlectl("--help");
    EXPECT_EQ(help.exit_status, 0);
    EXPECT_NE(help.output.find("verify"), std::string::npos);
}

}  // namespace
}  // namespace cradle
