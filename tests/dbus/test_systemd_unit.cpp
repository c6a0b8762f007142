// SPDX-License-Identifier: Apache-2.0
// The packaged unit, sysusers and tmpfiles files as systemd reads them: the unit verifies, its
// exposure stays at or below 2.0, and the users and directories are those the service expects.
#include "tests/support/file_text.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace cradle::test {
namespace {

const std::filesystem::path kSource = CRADLED_SOURCE_DIR;

struct CommandResult {
    int status = -1;
    std::string output;  // standard output and standard error
};

CommandResult run(const std::string& command) {
    const test::ShellResult result = test::run_shell(command + " 2>&1");
    return {result.exit_status, result.output};
}

std::string quoted(const std::filesystem::path& path) {
    return "'" + path.string() + "'";
}

// Field `index` after the line prefix `line_start` (a passwd or group line), or "".
std::string field_of(const std::string& text, const std::string& line_start, int index) {
    auto at = text.find(line_start);
    if (at == std::string::npos) return {};
    at += line_start.size();
    for (int i = 0; i < index; ++i) {
        at = text.find(':', at);
        if (at == std::string::npos) return {};
        ++at;
    }
    return text.substr(at, text.find_first_of(":\n", at) - at);
}

bool have_systemd_analyze() {
    return run("command -v systemd-analyze").status == 0;
}

// The unit as packaged, with ExecStart= at the binary just built (verify checks that it exists).
std::filesystem::path unit_for_built_binary(const TempDir& temp) {
    std::string unit = file_text(kSource / "systemd/cradled.service");
    const std::string packaged = "ExecStart=/usr/sbin/cradled";
    const auto at = unit.find(packaged);
    if (at == std::string::npos) return {};
    const char* bin_dir = std::getenv("CRADLED_BIN_DIR");
    const auto binary =
        std::filesystem::absolute(std::string(bin_dir ? bin_dir : "build/bin") + "/cradled");
    unit.replace(at, packaged.size(), "ExecStart=" + binary.string());
    const auto path = temp.path() / "cradled.service";
    std::ofstream(path) << unit;
    return path;
}

TEST(SystemdUnit, ExposureIsAtMostTwo) {
    if (!have_systemd_analyze()) GTEST_SKIP() << "systemd-analyze is not installed";
    TempDir temp;
    const auto unit = unit_for_built_binary(temp);
    ASSERT_FALSE(unit.empty()) << "the unit has no ExecStart=/usr/sbin/cradled";
    const auto result = run("systemd-analyze security --offline=yes " + quoted(unit));
    const std::string marker = "Overall exposure level for cradled.service: ";
    const auto at = result.output.find(marker);
    ASSERT_NE(at, std::string::npos) << result.output;
    const double exposure = std::strtod(result.output.c_str() + at + marker.size(), nullptr);
    std::printf("systemd-analyze security: exposure %.1f\n", exposure);
    EXPECT_GT(exposure, 0.0) << result.output;
    EXPECT_LE(exposure, 2.0) << result.output;
}

// The overall exposure systemd-analyze gives the unit (under `root`, which holds the unit and
// its drop-ins in etc/systemd/system), or a negative value with the output in `output`.
double exposure_under_root(const std::filesystem::path& root, std::string& output) {
    const auto result =
        run("systemd-analyze security --offline=yes --root=" + quoted(root) + " cradled.service");
    output = result.output;
    const std::string marker = "Overall exposure level for cradled.service: ";
    const auto at = result.output.find(marker);
    return at == std::string::npos
               ? -1.0
               : std::strtod(result.output.c_str() + at + marker.size(), nullptr);
}

// With the central archive: the drop-in cradlectl writes allows IP to the store's address
// alone, hands over the keys as a credential, and keeps the exposure at or below 2.0.
TEST(SystemdUnit, TheCentralArchivesDropInAllowsTheStoreAloneAndStaysAtMostTwo) {
    if (!have_systemd_analyze()) GTEST_SKIP() << "systemd-analyze is not installed";
    TempDir temp;
    const auto units = temp.path() / "etc/systemd/system";
    std::filesystem::create_directories(units / "cradled.service.d");
    std::filesystem::copy_file(kSource / "systemd/cradled.service", units / "cradled.service");
    std::ofstream(temp.path() / "cradled.toml")
        << "[remote]\nendpoint = \"https://192.0.2.10:7480\"\nbucket = \"county\"\n"
           "cradle_id = \"station-1\"\ncredentials = \"/etc/cradled/remote-credentials\"\n";
    const char* bin_dir = std::getenv("CRADLED_BIN_DIR");
    const auto dropin =
        run(std::string(bin_dir ? bin_dir : "build/bin") + "/cradlectl remote unit-dropin " +
            "--config " + quoted(temp.path() / "cradled.toml"));
    ASSERT_EQ(dropin.status, 0) << dropin.output;
    EXPECT_NE(dropin.output.find("\nIPAddressAllow=192.0.2.10\n"), std::string::npos)
        << dropin.output;
    EXPECT_NE(
        dropin.output.find("\nLoadCredential=cradled-remote:/etc/cradled/remote-credentials\n"),
        std::string::npos)
        << dropin.output;
    std::string output;
    const double before = exposure_under_root(temp.path(), output);
    ASSERT_GT(before, 0.0) << output;
    std::ofstream(units / "cradled.service.d/central-archive.conf") << dropin.output;
    const double after = exposure_under_root(temp.path(), output);
    std::printf("systemd-analyze security: exposure %.1f, with the central archive %.1f\n", before,
                after);
    EXPECT_GT(after, before) << "the drop-in was not read:\n" << output;
    EXPECT_LE(after, 2.0) << output;
    EXPECT_NE(output.find("IP address allow list with non-localhost entries"), std::string::npos)
        << output;
}

TEST(SystemdUnit, VerifiesCleanly) {
    if (!have_systemd_analyze()) GTEST_SKIP() << "systemd-analyze is not installed";
    TempDir temp;
    const auto unit = unit_for_built_binary(temp);
    ASSERT_FALSE(unit.empty());
    const auto result = run("systemd-analyze verify --man=no " + quoted(unit));
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_EQ(result.output.find("cradled.service:"), std::string::npos) << result.output;
}

TEST(SystemdUnit, IsHardenedAsDocumented) {
    const std::string unit = "\n" + file_text(kSource / "systemd/cradled.service");
    for (const char* line :
         {"Type=notify", "NotifyAccess=main", "User=cradled", "Group=cradled",
          "StateDirectory=cradled", "StateDirectoryMode=0750", "ConfigurationDirectory=cradled",
          "ProtectSystem=strict", "DevicePolicy=closed", "DeviceAllow=char-usb_device rw",
          "CapabilityBoundingSet=", "NoNewPrivileges=yes",
          "RestrictAddressFamilies=AF_UNIX AF_NETLINK", "IPAddressDeny=any",
          "SystemCallFilter=@system-service", "UMask=0027"}) {
        EXPECT_NE(unit.find("\n" + std::string(line) + "\n"), std::string::npos) << line;
    }
    EXPECT_NE(unit.find("\nWatchdogSec="), std::string::npos);
}

TEST(SystemdUnit, SysusersMakesTheServiceUserAndTheCustodianGroup) {
    if (run("command -v systemd-sysusers").status != 0)
        GTEST_SKIP() << "systemd-sysusers is not installed";
    TempDir root;
    std::filesystem::create_directories(root.path() / "etc");
    const auto result = run("systemd-sysusers --root=" + quoted(root.path()) + " " +
                            quoted(kSource / "systemd/cradled.sysusers"));
    ASSERT_EQ(result.status, 0) << result.output;
    const std::string users = file_text(root.path() / "etc/passwd");
    EXPECT_NE(users.find("cradled:x:"), std::string::npos) << users;
    EXPECT_NE(users.find(":/var/lib/cradled:"), std::string::npos) << users;
    const std::string groups = file_text(root.path() / "etc/group");
    EXPECT_NE(("\n" + groups).find("\ncradle-custodian:x:"), std::string::npos) << groups;
    // The user's primary group is the group cradled (the owner of the devices udev hands over).
    const std::string user_gid = field_of("\n" + users, "\ncradled:x:", 1);
    const std::string group_gid = field_of("\n" + groups, "\ncradled:x:", 0);
    EXPECT_FALSE(group_gid.empty()) << groups;
    EXPECT_EQ(user_gid, group_gid) << users << groups;
}

TEST(SystemdUnit, TmpfilesMakesTheStateDirectory) {
    if (run("command -v systemd-tmpfiles").status != 0 ||
        run("command -v systemd-sysusers").status != 0)
        GTEST_SKIP() << "systemd-tmpfiles is not installed";
    if (::geteuid() != 0) GTEST_SKIP() << "giving the directory to cradled needs root";
    TempDir root;
    std::filesystem::create_directories(root.path() / "etc");
    ASSERT_EQ(run("systemd-sysusers --root=" + quoted(root.path()) + " " +
                  quoted(kSource / "systemd/cradled.sysusers"))
                  .status,
              0);
    const auto result = run("systemd-tmpfiles --create --root=" + quoted(root.path()) + " " +
                            quoted(kSource / "systemd/cradled.tmpfiles"));
    ASSERT_EQ(result.status, 0) << result.output;
    const auto state = root.path() / "var/lib/cradled";
    ASSERT_TRUE(std::filesystem::is_directory(state)) << result.output;
    const auto permissions = std::filesystem::status(state).permissions();
    EXPECT_EQ(permissions, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                               std::filesystem::perms::group_exec);
}

}  // namespace
}  // namespace cradle::test
