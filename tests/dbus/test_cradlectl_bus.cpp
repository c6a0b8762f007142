// SPDX-License-Identifier: Apache-2.0
// cradlectl over D-Bus: the real cradled on an emulated two-bay cradle, on a private bus, and
// the real cradlectl binary asking it. JSON output is parsed and checked against what the
// daemon has (and against the offline read of the same state directory).
#include "tests/dbus/cradlectl_rig.hpp"
#include "tests/unit/state_dir_builder.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace cradle::test {
namespace {

TEST_F(CradlectlOverBus, StatusWatchShowsABayOffloadingThenItsOutcome) {
    // 2 MB at 1 MB/s: two seconds of copying, sampled about once a second.
    const Result result = watch_daemon_until_idle(1'000'000, "watch");
    ASSERT_EQ(result.exit_status, 0) << result.out << result.err;
    const std::vector<std::string> lines = lines_of(result.out);
    EXPECT_EQ(result.out.find('\x1b'), std::string::npos) << "no terminal, no escapes";

    // Bay 1 copying, part-way, with a bar, rate and time left.
    std::size_t moving = lines.size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.starts_with("bay 1  offloading") && line.find("CAM-1") != std::string::npos &&
            line.find("[#") != std::string::npos && line.find("MB/s") != std::string::npos &&
            line.find("ETA ") != std::string::npos && line.find("/2.0 MB") != std::string::npos) {
            moving = i;
            break;
        }
    }
    ASSERT_LT(moving, lines.size()) << "no line of bay 1 part-way through its offload:\n"
                                    << result.out;
    // Then done, with the outcome and the dock's counts, as the last line of bay 1.
    std::string last_of_bay_1;
    std::size_t done_at = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].starts_with("bay 1 ")) {
            last_of_bay_1 = lines[i];
            done_at = i;
        }
    }
    EXPECT_GT(done_at, moving);
    EXPECT_TRUE(last_of_bay_1.starts_with("bay 1  done")) << result.out;
    EXPECT_NE(last_of_bay_1.find("[####################] 100%  2.0/2.0 MB"), std::string::npos)
        << last_of_bay_1;
    EXPECT_NE(last_of_bay_1.find("ready for duty (archived 4, wiped 4, left 0)"), std::string::npos)
        << last_of_bay_1;
    EXPECT_NE(line_with(lines, "needs custodian: unregistered device").find("bay 2  done"),
              std::string::npos)
        << result.out;
    // One "done" line per dock: the one with its counts.
    for (const char* bay : {"bay 1  done", "bay 2  done"}) {
        EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                                [&](const std::string& line) { return line.starts_with(bay); }),
                  1)
            << result.out;
    }
}

TEST_F(CradlectlOverBus, StatusWatchJsonIsOneEventPerLine) {
    const Result result = watch_daemon_until_idle(4'000'000, "watch", /*json=*/true);
    ASSERT_EQ(result.exit_status, 0) << result.out << result.err;
    bool offloading = false;
    std::map<std::int64_t, Json> finished;
    for (const std::string& line : lines_of(result.out)) {
        const Json event = parse_json(line);
        if (event.at("event").get<std::string>() == "bay") {
            // The first event of the phase may come before the offload is planned.
            if (event.at("phase").get<std::string>() == "offloading" &&
                whole_number(event.at("bay")) == 1 && whole_number(event.at("bytes_total")) != 0) {
                offloading = true;
                EXPECT_EQ(event.at("serial"), "CAM-1");
                EXPECT_EQ(whole_number(event.at("bytes_total")), 2'000'000);
                EXPECT_EQ(whole_number(event.at("recordings_total")), 4);
                EXPECT_EQ(event.at("light"), "working");
            }
        } else {
            ASSERT_EQ(event.at("event"), "dock_finished") << line;
            finished[whole_number(event.at("bay"))] = event;
        }
    }
    EXPECT_TRUE(offloading) << result.out;
    ASSERT_EQ(finished.size(), 2u) << result.out;
    EXPECT_EQ(finished[1].at("serial"), "CAM-1");
    EXPECT_EQ(finished[1].at("outcome"), "ready for duty");
    EXPECT_EQ(finished[1].at("light"), "ready");
    EXPECT_EQ(whole_number(finished[1].at("archived")), 4);
    EXPECT_EQ(whole_number(finished[1].at("wiped")), 4);
    EXPECT_EQ(whole_number(finished[1].at("left")), 0);
    EXPECT_EQ(finished[2].at("serial"), "CAM-2");
    EXPECT_TRUE(finished[2].at("outcome").get<std::string>().starts_with(
        "needs custodian: unregistered device"))
        << finished[2].at("outcome").get<std::string>();
}

TEST_F(CradlectlOverBus, StatusShowsEveryBayAsTheDaemonHasIt) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result json = cradlectl({"status", "--json"});
    ASSERT_EQ(json.exit_status, 0) << json.err;
    const Json status = parse_json(json.out);
    EXPECT_FALSE(status.at("version").get<std::string>().empty());
    EXPECT_EQ(fs::path(status.at("state_dir").get<std::string>()), state_dir());
    EXPECT_TRUE(status.at("clock_synchronised").is_boolean());
    EXPECT_EQ(whole_number(status.at("bay_count")), 2);
    ASSERT_EQ(elements(status.at("bays")).size(), 2u);
    const Json& bay1 = status.at("bays").at(0);
    EXPECT_EQ(whole_number(bay1.at("bay")), 1);
    EXPECT_EQ(bay1.at("phase"), "done");
    EXPECT_EQ(bay1.at("light"), "ready");
    EXPECT_EQ(bay1.at("serial"), "CAM-1");
    EXPECT_EQ(bay1.at("outcome"), "ready for duty");
    EXPECT_EQ(whole_number(bay1.at("recordings_done")), 4);
    EXPECT_EQ(whole_number(bay1.at("recordings_total")), 4);
    EXPECT_EQ(whole_number(bay1.at("bytes_done")), static_cast<std::int64_t>(kCam1Bytes));
    EXPECT_EQ(whole_number(bay1.at("bytes_total")), static_cast<std::int64_t>(kCam1Bytes));
    EXPECT_FALSE(bay1.at("docked_since").is_null());
    EXPECT_TRUE(bay1.at("rate_bytes_per_s").is_number());
    const Json& bay2 = status.at("bays").at(1);
    EXPECT_EQ(bay2.at("light"), "needs custodian");
    EXPECT_EQ(bay2.at("serial"), "CAM-2");

    const Result text = cradlectl({"status"});
    ASSERT_EQ(text.exit_status, 0) << text.err;
    EXPECT_NE(text.out.find("state directory  " + state_dir().string()), std::string::npos)
        << text.out;
    EXPECT_NE(line_with(lines_of(text.out), "bay 1  done").find("CAM-1"), std::string::npos)
        << text.out;
}

TEST_F(CradlectlOverBus, DevicesAgreeWithTheCatalog) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result bus = cradlectl({"devices", "--json"});
    ASSERT_EQ(bus.exit_status, 0) << bus.err;
    const Json devices = parse_json(bus.out);
    ASSERT_EQ(elements(devices).size(), 2u) << bus.out;
    EXPECT_EQ(devices.at(0).at("serial"), "CAM-1");
    EXPECT_TRUE(devices.at(0).at("registered").get<bool>());
    EXPECT_EQ(devices.at(0).at("custodian"), "Custodian A");
    EXPECT_EQ(devices.at(0).at("officer"), "Officer B");
    EXPECT_EQ(devices.at(0).at("head"), "Head C");
    EXPECT_FALSE(devices.at(0).at("last_seen").is_null());
    EXPECT_EQ(devices.at(1).at("serial"), "CAM-2");
    EXPECT_FALSE(devices.at(1).at("registered").get<bool>());
    EXPECT_TRUE(devices.at(1).at("custodian").is_null());
    // The same view as reading the state directory directly.
    const Result direct = offline({"devices", "--json"});
    ASSERT_EQ(direct.exit_status, 0) << direct.err;
    EXPECT_EQ(bus.out, direct.out);

    const Result one = cradlectl({"device", "CAM-1", "--json"});
    ASSERT_EQ(one.exit_status, 0) << one.err;
    const Json device = parse_json(one.out);
    EXPECT_EQ(device.at("serial"), "CAM-1");
    EXPECT_EQ(device.at("officer"), "Officer B");
    EXPECT_EQ(device.at("last_outcome"), "ready for duty");

    const Result table = cradlectl({"devices"});
    ASSERT_EQ(table.exit_status, 0) << table.err;
    EXPECT_TRUE(table.out.starts_with("SERIAL")) << table.out;
    EXPECT_NE(line_with(lines_of(table.out), "CAM-1").find("Officer B"), std::string::npos);
}

TEST_F(CradlectlOverBus, RecordingsAreFilteredBySerialTimeAndLimit) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result all = cradlectl({"recordings", "--json"});
    ASSERT_EQ(all.exit_status, 0) << all.err;
    const Json recordings = parse_json(all.out);
    ASSERT_EQ(elements(recordings).size(), 6u) << all.out;
    std::set<std::int64_t> ids;
    for (const Json& recording : elements(recordings)) {
        ids.insert(whole_number(recording.at("id")));
        EXPECT_EQ(recording.at("state"), "wiped");
        EXPECT_EQ(recording.at("sha256").get<std::string>().size(), 64u);
        EXPECT_FALSE(recording.at("archive_path").is_null());
        EXPECT_FALSE(recording.at("archived").is_null());
        EXPECT_FALSE(recording.at("wiped").is_null());
    }
    // The same recordings as the catalog holds.
    const Json direct = parse_json(offline({"recordings", "--json"}).out);
    std::set<std::int64_t> direct_ids;
    for (const Json& recording : elements(direct))
        direct_ids.insert(whole_number(recording.at("id")));
    EXPECT_EQ(ids, direct_ids);

    const Json mine = parse_json(cradlectl({"recordings", "--serial", "CAM-1", "--json"}).out);
    ASSERT_EQ(elements(mine).size(), 4u);
    std::vector<std::string> captured;
    for (const Json& recording : elements(mine)) {
        EXPECT_EQ(recording.at("device_serial"), "CAM-1");
        captured.push_back(recording.at("captured").get<std::string>());
    }
    std::sort(captured.begin(), captured.end());

    const Json newest =
        parse_json(cradlectl({"recordings", "--serial", "CAM-1", "--limit", "2", "--json"}).out);
    ASSERT_EQ(elements(newest).size(), 2u);
    for (const Json& recording : elements(newest)) {
        EXPECT_GE(recording.at("captured").get<std::string>(), captured[2])
            << "the newest are kept";
    }

    const Result window =
        cradlectl({"recordings", "--from", captured[1], "--to", captured[1], "--json"});
    ASSERT_EQ(window.exit_status, 0) << window.err;
    const Json in_window = parse_json(window.out);
    ASSERT_GE(elements(in_window).size(), 1u);
    for (const Json& recording : elements(in_window)) {
        EXPECT_EQ(recording.at("captured").get<std::string>(), captured[1]);
    }

    const Result bad_date = cradlectl({"recordings", "--from", "yesterday"});
    EXPECT_EQ(bad_date.exit_status, 2);
    EXPECT_NE(bad_date.err.find("--from yesterday: not a date"), std::string::npos) << bad_date.err;
}

TEST_F(CradlectlOverBus, VerifyReportsTheArchiveAndFindsAChangedFile) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result clean = cradlectl({"verify", "--json"});
    ASSERT_EQ(clean.exit_status, 0) << clean.out << clean.err;
    const Json report = parse_json(clean.out);
    EXPECT_TRUE(report.at("ok").get<bool>());
    EXPECT_EQ(whole_number(report.at("files_checked")), 6);
    EXPECT_TRUE(elements(report.at("problems")).empty());
    EXPECT_NE(cradlectl({"verify"}).out.find("verify: ok (6 archive files checked)"),
              std::string::npos);

    const Json listed = parse_json(cradlectl({"recordings", "--json"}).out);
    const fs::path file =
        state_dir() / "archive" / listed.at(0).at("archive_path").get<std::string>();
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    {
        std::fstream changed(file, std::ios::in | std::ios::out | std::ios::binary);
        changed.seekp(100);
        changed.put('X');
    }
    const Result broken = cradlectl({"verify", "--json"});
    EXPECT_EQ(broken.exit_status, 1) << broken.out << broken.err;
    const Json problems = parse_json(broken.out);
    EXPECT_FALSE(problems.at("ok").get<bool>());
    ASSERT_FALSE(elements(problems.at("problems")).empty());
    EXPECT_NE(broken.out.find(listed.at(0).at("archive_path").get<std::string>()),
              std::string::npos)
        << broken.out;
}

std::vector<AuditRow> audit_events_of(const fs::path& state, const std::string& event) {
    std::vector<AuditRow> rows;
    for (auto& row : Catalog::open_read_only(state / "catalog.sqlite").audit_rows()) {
        if (row.event == event) rows.push_back(std::move(row));
    }
    return rows;
}

// A recording leaves the archive only through the daemon, on record with its reason, and as a
// byte-exact copy checked against the catalog's SHA-256.
TEST_F(CradlectlOverBus, ExportRecordingCopiesTheArchivedFileOnRecord) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Json listed = parse_json(cradlectl({"recordings", "--json"}).out);
    const std::string id = std::to_string(whole_number(listed.at(0).at("id")));
    const fs::path archived =
        state_dir() / "archive" / listed.at(0).at("archive_path").get<std::string>();
    const fs::path copy = state_dir().parent_path() / "case-17.mp4";
    const Result exported =
        cradlectl({"export", "recording", id, "-o", copy.string(), "--reason", "case 2026-17"});
    ASSERT_EQ(exported.exit_status, 0) << exported.out << exported.err;
    EXPECT_EQ(file_text(copy), file_text(archived));
    EXPECT_NE(exported.out.find("sha256 " + listed.at(0).at("sha256").get<std::string>() +
                                " (matches the catalog)"),
              std::string::npos)
        << exported.out;
    EXPECT_EQ(fs::status(copy).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    const std::vector<AuditRow> exports = audit_events_of(state_dir(), "access.export");
    ASSERT_EQ(exports.size(), 1u);
    EXPECT_NE(exports[0].detail.find("OpenRecording of recording " + id + " for 'case 2026-17'"),
              std::string::npos)
        << exports[0].detail;

    // A copy that does not match the catalog is not kept: the archived file changed.
    fs::permissions(archived, fs::perms::owner_write, fs::perm_options::add);
    {
        std::fstream changed(archived, std::ios::in | std::ios::out | std::ios::binary);
        changed.seekp(10);
        changed.put('X');
    }
    const fs::path second = state_dir().parent_path() / "case-18.mp4";
    const Result mismatch =
        cradlectl({"export", "recording", id, "-o", second.string(), "--reason", "case 18"});
    EXPECT_EQ(mismatch.exit_status, 1) << mismatch.out << mismatch.err;
    EXPECT_NE(mismatch.err.find("differs from the catalog"), std::string::npos) << mismatch.err;
    EXPECT_FALSE(fs::exists(second));
    for (const auto& entry : fs::directory_iterator(state_dir().parent_path())) {
        EXPECT_EQ(entry.path().filename().string().find("case-18"), std::string::npos)
            << entry.path();
    }

    // Arguments first: no reason, no file, an unknown or unarchived id.
    EXPECT_EQ(cradlectl({"export", "recording", id, "-o", second.string()}).exit_status, 2);
    EXPECT_EQ(cradlectl({"export", "recording", id, "--reason", "x"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"export", "recording", "0", "-o", "f", "--reason", "x"}).exit_status, 2);
    const Result unknown =
        cradlectl({"export", "recording", "999999", "-o", second.string(), "--reason", "x"});
    EXPECT_EQ(unknown.exit_status, 2) << unknown.err;
    EXPECT_NE(unknown.err.find("no recording 999999"), std::string::npos) << unknown.err;
    EXPECT_EQ(cradlectl({"--state-dir", state_dir().string(), "export", "recording", id, "-o",
                         second.string(), "--reason", "x"})
                  .exit_status,
              2);
}

// A recording marked confidential over the bus: its facts are withheld offline (nobody is
// asked who reads there) and from a caller without read-confidential; the mark is on record.
TEST_F(CradlectlOverBus, MarkConfidentialWithholdsARecordingOffline) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Json listed = parse_json(cradlectl({"recordings", "--json"}).out);
    const std::string id = std::to_string(whole_number(listed.at(0).at("id")));
    const std::string sha = listed.at(0).at("sha256").get<std::string>();
    const Result marked =
        cradlectl({"mark", "recording", id, "--confidential", "--reason", "informant"});
    ASSERT_EQ(marked.exit_status, 0) << marked.out << marked.err;
    EXPECT_EQ(marked.out, "recording " + id + " marked confidential\n");
    EXPECT_EQ(cradlectl({"mark", "recording", id, "--confidential", "--reason", "again"}).out,
              "recording " + id + " was already confidential: nothing changed\n");
    EXPECT_EQ(cradlectl({"mark", "recording", id, "--reason", "x"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"mark", "camera", "CAM-1", "--confidential", "--reason", "x"}).exit_status,
              2);

    const Result offline = this->offline({"recordings"});
    ASSERT_EQ(offline.exit_status, 0) << offline.err;
    EXPECT_NE(offline.out.find("1 confidential recording withheld"), std::string::npos)
        << offline.out;
    EXPECT_EQ(offline.out.find(sha), std::string::npos) << offline.out;
    const Json offline_json = parse_json(this->offline({"recordings", "--json"}).out);
    std::size_t withheld = 0;
    for (const Json& row : elements(offline_json)) {
        if (row.at("state").get<std::string>() != "confidential") continue;
        ++withheld;
        EXPECT_TRUE(row.at("sha256").is_null()) << row.dump();
    }
    EXPECT_EQ(withheld, 1u);
    // Root holds every right: over the bus it sees the facts.
    EXPECT_NE(cradlectl({"recordings"}).out.find(sha), std::string::npos);
    // Today's dock report likewise: named over the bus, "(confidential)" offline.
    const std::string name = listed.at(0).at("name").get<std::string>();
    const Result report = cradlectl({"report", "dock", "--format", "csv"});
    ASSERT_EQ(report.exit_status, 0) << report.err;
    EXPECT_NE(report.out.find(name), std::string::npos) << report.out;
    const Result offline_report = this->offline({"report", "dock", "--format", "csv"});
    ASSERT_EQ(offline_report.exit_status, 0) << offline_report.err;
    EXPECT_EQ(offline_report.out.find(name), std::string::npos) << offline_report.out;
    EXPECT_NE(offline_report.out.find("(confidential)"), std::string::npos) << offline_report.out;

    const Result unmarked =
        cradlectl({"unmark", "recording", id, "--confidential", "--reason", "cleared"});
    EXPECT_EQ(unmarked.out, "recording " + id + " no longer marked confidential\n");
    EXPECT_NE(this->offline({"recordings"}).out.find(sha), std::string::npos);
    EXPECT_EQ(audit_events_of(state_dir(), "recording.marked_confidential").size(), 1u);
    EXPECT_EQ(audit_events_of(state_dir(), "recording.unmarked_confidential").size(), 1u);
}

TEST_F(CradlectlOverBus, IdentityOverTheBusIsTheKeyThatSignsTheStateDirectory) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result live = cradlectl({"identity", "--json"});
    ASSERT_EQ(live.exit_status, 0) << live.out << live.err;
    const Result offline_identity = offline({"identity", "--json"});
    ASSERT_EQ(offline_identity.exit_status, 0) << offline_identity.out << offline_identity.err;
    EXPECT_EQ(parse_json(live.out), parse_json(offline_identity.out));
    const std::string pem = parse_json(live.out).at("public_key_pem").get<std::string>();
    EXPECT_EQ(pem, file_text(state_dir() / "identity" / "signing.pub"));
    const Result verified = offline({"verify"});
    EXPECT_EQ(verified.exit_status, 0) << verified.out << verified.err;
    EXPECT_NE(verified.out.find(parse_json(live.out).at("fingerprint").get<std::string>()),
              std::string::npos)
        << verified.out;
}

// The anchors the daemon writes to its log (the system journal under systemd) at its start, at
// each dock's end and at its stop vouch for the log's head: cutting its newest entry is named.
TEST_F(CradlectlOverBus, TheDaemonsAnchorsShowTheAuditLogCutShort) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    daemon_->signal(SIGTERM);
    ASSERT_EQ(daemon_->wait(), 0);
    daemon_.reset();
    const fs::path log = dir_.path() / "daemon.log";
    const std::string said = file_text(log);
    EXPECT_NE(said.find("audit anchor (start): cradled-anchor v1 "), std::string::npos) << said;
    // The dock that ends just before the stop may leave its anchor to the stop's (the loop ends
    // before it is written); the first of the two docks has its own.
    EXPECT_NE(said.find("audit anchor (dock end, bay "), std::string::npos) << said;
    EXPECT_NE(said.find("audit anchor (stop): cradled-anchor v1 "), std::string::npos) << said;

    const Result verified = offline({"verify", "--anchor", log.string()});
    EXPECT_EQ(verified.exit_status, 0) << verified.out << verified.err;
    EXPECT_NE(verified.out.find("anchor(s) checked: nothing removed or changed up to entry"),
              std::string::npos)
        << verified.out;

    ASSERT_EQ(tamper_with_catalog(state_dir(),
                                  "DROP TRIGGER audit_no_delete; DELETE FROM audit "
                                  "WHERE seq = (SELECT max(seq) FROM audit)"),
              "");
    const Result cut = offline({"verify", "--anchor", log.string()});
    EXPECT_EQ(cut.exit_status, 1) << cut.out << cut.err;
    EXPECT_NE(cut.out.find("were removed (the log was cut short)"), std::string::npos) << cut.out;
}

// A rotation: the old key signs the entry naming the new one, which signs the rest, records
// and anchors included; an auditor holding only the first key still verifies everything.
TEST_F(CradlectlOverBus, ARotatedKeySignsWhatFollowsAndTheFirstKeyStillVerifiesAll) {
    if (::geteuid() != 0) GTEST_SKIP() << "rotating the key needs root";
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const std::string first_pem = file_text(state_dir() / "identity" / "signing.pub");
    EXPECT_EQ(cradlectl({"identity", "rotate"}).exit_status, 2) << "needs --reason";
    const Result rotated = cradlectl({"identity", "rotate", "--reason", "yearly rotation"});
    ASSERT_EQ(rotated.exit_status, 0) << rotated.out << rotated.err;
    const Json now = parse_json(cradlectl({"identity", "--json"}).out);
    EXPECT_NE(now.at("public_key_pem").get<std::string>(), first_pem);
    EXPECT_NE(rotated.out.find(now.at("fingerprint").get<std::string>()), std::string::npos)
        << rotated.out;
    daemon_->signal(SIGTERM);
    ASSERT_EQ(daemon_->wait(), 0);
    daemon_.reset();
    EXPECT_EQ(file_text(state_dir() / "identity" / "signing.pub"),
              now.at("public_key_pem").get<std::string>());
    EXPECT_FALSE(fs::exists(state_dir() / "identity" / "signing.key.next"));

    const fs::path first = dir_.path() / "first.pub";
    std::ofstream(first) << first_pem;
    const Result verified = offline({"verify", "--public-key", first.string(), "--anchor",
                                     (dir_.path() / "daemon.log").string()});
    EXPECT_EQ(verified.exit_status, 0) << verified.out << verified.err;
    EXPECT_NE(verified.out.find(", then (rotated) " + now.at("fingerprint").get<std::string>()),
              std::string::npos)
        << verified.out;
    const Json history = parse_json(offline({"verify", "--json"}).out);
    EXPECT_EQ(elements(history.at("signing_keys")).size(), 2u);

    // The daemon starts again with the new key.
    start_daemon();
    const Result status = cradlectl({"status", "--watch", "--wait", "--until-idle"});
    EXPECT_EQ(status.exit_status, 0) << status.out << status.err;
}

// The daemon never signs with a key other than the one its log names: a key that went missing
// stops the start (exit status 2, naming the file), and its return lets the daemon start.
TEST_F(CradlectlOverBus, AMissingSigningKeyStopsTheDaemonNamingTheFile) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    daemon_->signal(SIGTERM);
    ASSERT_EQ(daemon_->wait(), 0);
    daemon_.reset();
    const fs::path key = state_dir() / "identity" / "signing.key";
    fs::rename(key, dir_.path() / "kept.key");
    start_daemon();
    EXPECT_EQ(daemon_->wait(), 2);
    daemon_.reset();
    const std::string said = file_text(dir_.path() / "daemon.log");
    EXPECT_NE(said.find(key.string() + " is missing"), std::string::npos) << said;
    EXPECT_FALSE(fs::exists(key)) << "no new key was made in its place";

    fs::rename(dir_.path() / "kept.key", key);
    start_daemon();
    const Result status = cradlectl({"status", "--watch", "--wait", "--until-idle"});
    EXPECT_EQ(status.exit_status, 0) << status.out << status.err;
}

// I6: the real daemon refuses a catalog behind the archive (exit status 2, one line naming
// rebuild-catalog) instead of creating a fresh one, and rebuild-catalog restores it.
TEST_F(CradlectlOverBus, MissingCatalogStopsTheDaemonAndRebuildCatalogRestoresIt) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    // A confidential recording stays so in the rebuilt catalog (the audit log names the mark).
    const Json listed = parse_json(cradlectl({"recordings", "--json"}).out);
    const std::string id = std::to_string(whole_number(listed.at(1).at("id")));
    ASSERT_EQ(
        cradlectl({"mark", "recording", id, "--confidential", "--reason", "informant"}).exit_status,
        0);
    daemon_->signal(SIGTERM);
    ASSERT_EQ(daemon_->wait(), 0);
    daemon_.reset();
    fs::remove(state_dir() / "catalog.sqlite");

    start_daemon();
    EXPECT_EQ(daemon_->wait(), 2);
    daemon_.reset();
    const std::string said = file_text(dir_.path() / "daemon.log");
    EXPECT_NE(said.find("the catalog is behind the archive"), std::string::npos) << said;
    EXPECT_NE(said.find("cradlectl rebuild-catalog --state-dir " + state_dir().string()),
              std::string::npos)
        << said;
    EXPECT_FALSE(fs::exists(state_dir() / "catalog.sqlite"));

    EXPECT_EQ(cradlectl({"rebuild-catalog"}).exit_status, 2) << "needs --state-dir";
    const Result rebuilt = offline({"rebuild-catalog"});
    EXPECT_EQ(rebuilt.exit_status, 0) << rebuilt.out << rebuilt.err;
    EXPECT_NE(rebuilt.out.find("2 device(s), 6 recording(s) (6 wiped)"), std::string::npos)
        << rebuilt.out;
    EXPECT_NE(rebuilt.out.find("[[register]]"), std::string::npos) << rebuilt.out;
    const Result verified = offline({"verify"});
    EXPECT_EQ(verified.exit_status, 0) << verified.out << verified.err;
    EXPECT_NE(offline({"recordings"}).out.find("1 confidential recording withheld"),
              std::string::npos);
    const Result again = offline({"rebuild-catalog"});
    EXPECT_EQ(again.exit_status, 2);
    EXPECT_NE(again.err.find("Move it aside first"), std::string::npos) << again.err;

    // The daemon starts on the rebuilt catalog.
    start_daemon();
    const Result status = cradlectl({"status", "--watch", "--wait", "--until-idle"});
    EXPECT_EQ(status.exit_status, 0) << status.out << status.err;
}

TEST_F(CradlectlOverBus, RegisterAndAssignChangeTheRegister) {
    if (::geteuid() != 0) GTEST_SKIP() << "changes need root or the custodian group";
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result registered = cradlectl({"register", "NEW-9", "--custodian", "Custodian X",
                                         "--officer", "pool", "--head", "Head Z"});
    ASSERT_EQ(registered.exit_status, 0) << registered.err;
    Json device = parse_json(cradlectl({"device", "NEW-9", "--json"}).out);
    EXPECT_TRUE(device.at("registered").get<bool>());
    EXPECT_EQ(device.at("custodian"), "Custodian X");
    EXPECT_EQ(device.at("officer"), "pool");
    EXPECT_EQ(device.at("head"), "Head Z");
    EXPECT_TRUE(device.at("last_seen").is_null()) << "never docked";

    const Result assigned = cradlectl({"assign", "NEW-9", "Officer Q"});
    ASSERT_EQ(assigned.exit_status, 0) << assigned.err;
    EXPECT_EQ(assigned.out, "assigned NEW-9 to Officer Q\n");
    device = parse_json(cradlectl({"device", "NEW-9", "--json"}).out);
    EXPECT_EQ(device.at("officer"), "Officer Q");
    EXPECT_EQ(device.at("custodian"), "Custodian X");

    // A camera seen but not registered cannot be assigned before it is registered.
    const Result unregistered = cradlectl({"assign", "CAM-2", "Officer Q"});
    EXPECT_EQ(unregistered.exit_status, 2) << unregistered.err;
    // Registering it makes the register whole.
    EXPECT_EQ(cradlectl({"register", "CAM-2", "--custodian", "C", "--officer", "O", "--head", "H"})
                  .exit_status,
              0);
    EXPECT_TRUE(
        parse_json(cradlectl({"device", "CAM-2", "--json"}).out).at("registered").get<bool>());
}

TEST_F(CradlectlOverBus, ImportExportRetireAndHistoryKeepTheRegister) {
    if (::geteuid() != 0) GTEST_SKIP() << "changes need root or the custodian group";
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const fs::path import_file = dir_.path() / "devices.csv";
    std::ofstream(import_file, std::ios::binary)
        << "serial,custodian,officer,head\r\n"
           "CAM-2,张伟,\"李娜, 二组\",王队长\r\n"
           "NEW-1,\"Custodian \"\"Q\"\"\",pool,\"Head, North\"\r\n"
           "CAM-1,Custodian A,Officer B,Head C\r\n";
    const Result imported = cradlectl({"import", "devices", import_file.string()});
    ASSERT_EQ(imported.exit_status, 0) << imported.err;
    EXPECT_EQ(imported.out, "import: 2 devices registered or changed, 1 unchanged\n");
    Json cam2 = parse_json(cradlectl({"device", "CAM-2", "--json"}).out);
    EXPECT_TRUE(cam2.at("registered").get<bool>());
    EXPECT_EQ(cam2.at("custodian"), "张伟");
    EXPECT_EQ(cam2.at("officer"), "李娜, 二组");
    EXPECT_EQ(cam2.at("head"), "王队长");
    Json new1 = parse_json(cradlectl({"device", "NEW-1", "--json"}).out);
    EXPECT_EQ(new1.at("custodian"), "Custodian \"Q\"");
    EXPECT_EQ(new1.at("head"), "Head, North");

    // A file with a bad line changes nothing, not even its good lines.
    const fs::path bad_file = dir_.path() / "bad.csv";
    std::ofstream(bad_file, std::ios::binary) << "serial,custodian,officer,head\n"
                                                 "NEW-2,C,O,H\n"
                                                 "NEW-3,C,O\n"
                                                 "CAM-2,,O,H\n";
    const Result refused = cradlectl({"import", "devices", bad_file.string()});
    EXPECT_EQ(refused.exit_status, 2);
    EXPECT_NE(refused.err.find("line 3: 3 fields"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("line 4: custodian is empty"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("nothing applied"), std::string::npos) << refused.err;
    EXPECT_EQ(cradlectl({"device", "NEW-2"}).exit_status, 5);
    EXPECT_EQ(
        parse_json(cradlectl({"device", "CAM-2", "--json"}).out).at("custodian").get<std::string>(),
        "张伟");

    // Retire: a reason is required; the entry stays.
    EXPECT_EQ(cradlectl({"retire", "NEW-1"}).exit_status, 2);
    const Result retired = cradlectl({"retire", "NEW-1", "--reason", "丢失 (lost)"});
    ASSERT_EQ(retired.exit_status, 0) << retired.err;
    EXPECT_EQ(cradlectl({"retire", "NOPE-1", "--reason", "x"}).exit_status, 5);
    Json retired_device = parse_json(cradlectl({"device", "NEW-1", "--json"}).out);
    EXPECT_TRUE(retired_device.at("retired").get<bool>());
    EXPECT_EQ(retired_device.at("custodian"), "Custodian \"Q\"") << "the entry stays";
    EXPECT_FALSE(
        parse_json(cradlectl({"device", "CAM-2", "--json"}).out).at("retired").get<bool>());
    const Result devices = cradlectl({"devices", "--json"});
    EXPECT_EQ(offline({"devices", "--json"}).out, devices.out);
    EXPECT_NE(cradlectl({"devices"}).out.find("retired"), std::string::npos);

    // The history over the bus and offline agree, entry by entry.
    const Result history = cradlectl({"history", "NEW-1", "--json"});
    ASSERT_EQ(history.exit_status, 0) << history.err;
    Json entries = parse_json(history.out);
    ASSERT_EQ(elements(entries).size(), 2u) << history.out;
    EXPECT_EQ(entries.at(0).at("action"), "registered");
    EXPECT_EQ(entries.at(1).at("action"), "retired");
    EXPECT_EQ(entries.at(1).at("reason"), "丢失 (lost)");
    EXPECT_EQ(entries.at(1).at("changed_by").get<std::string>().rfind("uid 0", 0), 0u)
        << history.out;
    EXPECT_EQ(offline({"history", "NEW-1", "--json"}).out, history.out);
    Json cam2_history = parse_json(cradlectl({"history", "CAM-2", "--json"}).out);
    ASSERT_EQ(elements(cam2_history).size(), 1u);
    EXPECT_EQ(cam2_history.at(0).at("previous_custodian"), "");
    const Result text_history = cradlectl({"history"});
    EXPECT_NE(text_history.out.find("retired"), std::string::npos) << text_history.out;
    EXPECT_NE(text_history.out.find("configuration"), std::string::npos) << text_history.out;
    EXPECT_EQ(
        elements(
            parse_json(
                cradlectl({"history", "--from", "2000-01-01", "--to", "2000-01-02", "--json"}).out))
            .size(),
        0u);

    // Export over the bus and offline write the same file; importing it back changes nothing.
    const fs::path exported = dir_.path() / "export.csv";
    const Result export_run = cradlectl({"export", "devices", "-o", exported.string()});
    ASSERT_EQ(export_run.exit_status, 0) << export_run.err;
    const std::string csv = file_text(exported);
    EXPECT_EQ(csv.rfind("serial,custodian,officer,head,model,firmware,registered,retired,"
                        "retired_at,last_seen\r\n",
                        0),
              0u)
        << csv;
    EXPECT_NE(csv.find("CAM-2,张伟,\"李娜, 二组\",王队长,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("NEW-1,\"Custodian \"\"Q\"\"\",pool,\"Head, North\",,,yes,yes,"),
              std::string::npos)
        << csv;
    EXPECT_EQ(offline({"export", "devices"}).out, csv);
    const Result reimported = cradlectl({"import", "devices", exported.string()});
    ASSERT_EQ(reimported.exit_status, 0) << reimported.err;
    EXPECT_EQ(reimported.out, "import: 0 devices registered or changed, 3 unchanged\n");
    EXPECT_EQ(elements(parse_json(cradlectl({"history", "--json"}).out)).size(), 4u)
        << "CAM-1 from the configuration, CAM-2, NEW-1 registered and retired";

    // Changes need the daemon.
    EXPECT_EQ(offline({"retire", "NEW-1", "--reason", "x"}).exit_status, 2);
    EXPECT_EQ(offline({"import", "devices", exported.string()}).exit_status, 2);
    EXPECT_EQ(cradlectl({"import", "officers", exported.string()}).exit_status, 2);
}

TEST_F(CradlectlOverBus, ExitStatusThreeWhenCradledIsNotRunning) {
    // The bus is there, the daemon is not.
    const Result status = cradlectl({"status"});
    EXPECT_EQ(status.exit_status, 3);
    EXPECT_NE(status.err.find("cradled is not running on the bus"), std::string::npos)
        << status.err;
    EXPECT_EQ(cradlectl({"devices", "--json"}).exit_status, 3);
    EXPECT_EQ(cradlectl({"status", "--watch"}).exit_status, 3);
    EXPECT_EQ(cradlectl({"verify"}).exit_status, 3);

    // The system bus, named by DBUS_SYSTEM_BUS_ADDRESS as every client reads it.
    auto options = cradlectl_options({"status"}, "system", false);
    options.environment.push_back("DBUS_SYSTEM_BUS_ADDRESS=" + bus_.address());
    const Result system = run(options);
    EXPECT_EQ(system.exit_status, 3);
    EXPECT_NE(system.err.find("cradled is not running on the system bus: is the service started? "
                              "systemctl status cradled"),
              std::string::npos)
        << system.err;

    // No bus at all.
    auto nowhere = cradlectl_options(
        {"--bus", "unix:path=" + (dir_.path() / "no-such-socket").string(), "status"}, "nowhere",
        false);
    const Result unreachable = run(nowhere);
    EXPECT_EQ(unreachable.exit_status, 3);
    EXPECT_NE(unreachable.err.find("cannot connect to the bus"), std::string::npos)
        << unreachable.err;
}

TEST_F(CradlectlOverBus, ExitStatusFourForACallerWithoutTheRight) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const auto options = as_unprivileged(cradlectl_options(
        {"register", "NEW-1", "--custodian", "C", "--officer", "O", "--head", "H"}, "denied"));
    const Result denied = run(options);
    EXPECT_EQ(denied.exit_status, 4) << denied.out << denied.err;
    EXPECT_NE(denied.err.find("permission denied"), std::string::npos) << denied.err;
    EXPECT_NE(denied.err.find("cradle-custodian"), std::string::npos) << denied.err;

    const auto assign =
        as_unprivileged(cradlectl_options({"assign", "CAM-1", "Officer Z"}, "denied-assign"));
    EXPECT_EQ(run(assign).exit_status, 4);

    const auto rotate = as_unprivileged(
        cradlectl_options({"identity", "rotate", "--reason", "mine now"}, "denied-rotate"));
    EXPECT_EQ(run(rotate).exit_status, 4);

    // Nor may it read the recordings or take one out; both refusals are on record.
    const fs::path copy = state_dir().parent_path() / "taken.mp4";
    const Result listing =
        run(as_unprivileged(cradlectl_options({"recordings"}, "denied-recordings")));
    EXPECT_EQ(listing.exit_status, 4) << listing.out << listing.err;
    EXPECT_NE(listing.err.find("org.cradled.read"), std::string::npos) << listing.err;
    const Result taken = run(as_unprivileged(cradlectl_options(
        {"export", "recording", "1", "-o", copy.string(), "--reason", "mine"}, "denied-export")));
    EXPECT_EQ(taken.exit_status, 4) << taken.out << taken.err;
    EXPECT_NE(taken.err.find("org.cradled.export"), std::string::npos) << taken.err;
    EXPECT_FALSE(fs::exists(copy));
    const std::vector<AuditRow> refused = audit_events_of(state_dir(), "access.refused");
    const auto names = [&refused](const std::string& text) {
        return std::any_of(refused.begin(), refused.end(), [&](const AuditRow& row) {
            return row.detail.find(text) != std::string::npos;
        });
    };
    EXPECT_TRUE(names("ListRecordingsPage refused to uid 65534")) << refused.size();
    EXPECT_TRUE(names("OpenRecording of recording 1 for 'mine' refused to uid 65534"));

    // The bays stay in view of everyone.
    const auto reading = as_unprivileged(cradlectl_options({"status", "--json"}, "reader"));
    const Result read = run(reading);
    EXPECT_EQ(read.exit_status, 0) << read.err;
    // And the register did not change.
    EXPECT_EQ(cradlectl({"device", "NEW-1"}).exit_status, 5);
    EXPECT_EQ(
        parse_json(cradlectl({"device", "CAM-1", "--json"}).out).at("officer").get<std::string>(),
        "Officer B");
}

TEST_F(CradlectlOverBus, ExitStatusFiveForAnUnknownDevice) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result device = cradlectl({"device", "NOPE-1"});
    EXPECT_EQ(device.exit_status, 5);
    EXPECT_NE(device.err.find("NOPE-1"), std::string::npos) << device.err;
    EXPECT_EQ(cradlectl({"recordings", "--serial", "NOPE-1"}).exit_status, 5);
    if (::geteuid() == 0) {
        EXPECT_EQ(cradlectl({"assign", "NOPE-1", "Officer Q"}).exit_status, 5);
    }
    // Offline, the same.
    EXPECT_EQ(offline({"device", "NOPE-1"}).exit_status, 5);
    EXPECT_EQ(offline({"recordings", "--serial", "NOPE-1"}).exit_status, 5);
}

TEST_F(CradlectlOverBus, WatchEndsWhenCradledLeavesTheBus) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    auto options = cradlectl_options({"status", "--watch"}, "watch");
    options.out_file.clear();  // a pipe: its first line says the watch is following the bays
    Child watch(options);
    ASSERT_TRUE(watch.read_line().starts_with("bay 1  done"));
    daemon_->signal(SIGTERM);
    EXPECT_EQ(daemon_->wait(), 0);
    daemon_.reset();
    EXPECT_EQ(watch.wait(), 3);
    EXPECT_NE(file_text(options.err_file).find("cradled left the bus"), std::string::npos)
        << file_text(options.err_file);
}

TEST_F(CradlectlOverBus, WatchEndsOnInterrupt) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    auto options = cradlectl_options({"status", "--watch"}, "watch");
    options.out_file.clear();
    Child watch(options);
    ASSERT_TRUE(watch.read_line().starts_with("bay 1  done"));
    watch.signal(SIGINT);
    EXPECT_EQ(watch.wait(), 0);
}

TEST_F(CradlectlOverBus, UsageErrorsExitTwo) {
    EXPECT_EQ(cradlectl({"frobnicate"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"device"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"register", "X", "--custodian", "C"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"devices", "--watch"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"status", "--until-idle"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"recordings", "--limit", "0"}).exit_status, 2);
    const Result offline_change = offline({"assign", "X", "Y"});
    EXPECT_EQ(offline_change.exit_status, 2);
    EXPECT_NE(offline_change.err.find("only the running daemon"), std::string::npos);
}

}  // namespace
}  // namespace cradle::test
