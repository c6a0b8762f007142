// SPDX-License-Identifier: Apache-2.0
// Who may read and change what over D-Bus (docs/access.md): each right a polkit action, asked
// of polkit (here a stand-in on the private bus), or on a bus without polkit the roles' groups.
// Root holds every right. Reads and refusals are on record; changes are audited with the
// caller's uid and signalled.
#include "tests/dbus/polkit_stand_in.hpp"
#include "tests/dbus/test_dbus_harness.hpp"

#include "core/catalog/catalog.hpp"
#include "protocol/dbus_handles.hpp"
#include "protocol/dbus_report_facts.hpp"
#include "service/dbus/dbus_caller.hpp"
#include "tests/support/another_user.hpp"
#include "tests/support/file_text.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>

namespace cradle::test {
namespace {

constexpr uid_t kNobody = kUnprivilegedUid;
constexpr gid_t kNogroup = kUnprivilegedGid;

struct Answer {
    bool ran = false;
    std::string error_name;  // "" when the call succeeded
    std::string error_message;
};

// Makes `call` from a child process that dropped to uid/gid/groups, and returns its answer.
Answer call_as(const std::string& address, uid_t uid, gid_t gid, std::vector<gid_t> groups,
               const std::function<CallResult(sd_bus*)>& call) {
    int fds[2];
    if (::pipe(fds) != 0) return {};
    pid_t child = ::fork();
    if (child == 0) {
        ::close(fds[0]);
        std::string text = "setup failed\n";
        if (::setgroups(groups.size(), groups.data()) == 0 && ::setgid(gid) == 0 &&
            ::setuid(uid) == 0) {
            try {
                BusClient client(address);
                CallResult result = call(client.get());
                text = result.error_name + "\n" + result.error_message;
            } catch (const std::exception& e) {
                text = std::string("connect failed\n") + e.what();
            }
        }
        ssize_t ignored = ::write(fds[1], text.data(), text.size());
        (void)ignored;
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string text;
    char buffer[1024];
    for (;;) {
        ssize_t got = ::read(fds[0], buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        text.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(fds[0]);
    int status = 0;
    if (child > 0) ::waitpid(child, &status, 0);
    Answer answer;
    std::size_t newline = text.find('\n');
    answer.ran = child > 0 && newline != std::string::npos;
    if (answer.ran) {
        answer.error_name = text.substr(0, newline);
        answer.error_message = text.substr(newline + 1);
    }
    return answer;
}

CallResult register_new(sd_bus* bus) {
    return call_manager(bus, "RegisterDevice", "ssss", "NEW-1", "Custodian C", "Officer 9",
                        "Head X");
}

std::string group_name(gid_t gid) {
    group* entry = ::getgrgid(gid);
    return entry ? entry->gr_name : "";
}

std::vector<AuditRow> audit_of(const ServiceOnBus& service, const std::string& serial) {
    Catalog catalog = Catalog::open_read_only(service.state / "catalog.sqlite");
    std::vector<AuditRow> rows;
    for (const auto& row : catalog.audit_rows()) {
        if (row.device_serial == serial) rows.push_back(row);
    }
    return rows;
}

std::vector<AuditRow> audit_events(const ServiceOnBus& service, const std::string& event) {
    Catalog catalog = Catalog::open_read_only(service.state / "catalog.sqlite");
    std::vector<AuditRow> rows;
    for (const auto& row : catalog.audit_rows()) {
        if (row.event == event) rows.push_back(row);
    }
    return rows;
}

bool mentions(const std::vector<AuditRow>& rows, const std::string& text) {
    return std::any_of(rows.begin(), rows.end(), [&](const AuditRow& row) {
        return row.detail.find(text) != std::string::npos;
    });
}

TEST(DbusAuthorization, WithoutARoleACallerMayNeitherReadNorChange) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    ServiceOnBus service(1);
    ASSERT_EQ(service.start(), "");
    const std::string& address = service.bus.address();

    for (const char* method : {"ListDevices", "ListOfficers"}) {
        Answer read = call_as(address, kNobody, kNogroup, {},
                              [method](sd_bus* bus) { return call_manager(bus, method, ""); });
        ASSERT_TRUE(read.ran);
        EXPECT_EQ(read.error_name, "org.freedesktop.DBus.Error.AccessDenied") << method;
        EXPECT_NE(read.error_message.find("org.cradled.read"), std::string::npos)
            << read.error_message;
        EXPECT_NE(read.error_message.find("cradle-auditor"), std::string::npos)
            << read.error_message;
    }
    Answer recordings = call_as(address, kNobody, kNogroup, {}, [](sd_bus* bus) {
        return call_manager(bus, "ListRecordings", "sxxu", "REG-1", std::int64_t{0},
                            std::int64_t{0}, std::uint32_t{0});
    });
    EXPECT_EQ(recordings.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    Answer verify = call_as(address, kNobody, kNogroup, {},
                            [](sd_bus* bus) { return call_manager(bus, "Verify", ""); });
    EXPECT_EQ(verify.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(verify.error_message.find("org.cradled.audit"), std::string::npos)
        << verify.error_message;

    Answer change = call_as(address, kNobody, kNogroup, {}, register_new);
    ASSERT_TRUE(change.ran);
    EXPECT_EQ(change.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(change.error_message.find("cradle-custodian"), std::string::npos)
        << change.error_message;

    Answer assign = call_as(address, kNobody, kNogroup, {}, [](sd_bus* bus) {
        return call_manager(bus, "AssignDevice", "ss", "REG-1", "Officer 9");
    });
    ASSERT_TRUE(assign.ran);
    EXPECT_EQ(assign.error_name, "org.freedesktop.DBus.Error.AccessDenied");

    // Nothing changed, nothing was read, and every refusal is on record (five at most per
    // caller and minute are recorded one by one; this was six).
    BusClient client(address);
    EXPECT_EQ(call_manager(client.get(), "GetDevice", "s", "NEW-1").error_name,
              "org.cradled.Cradle1.Error.NoSuchDevice");
    EXPECT_EQ(register_entry_of(client.get(), "REG-1").officer, "pool");
    const std::vector<AuditRow> refused = audit_events(service, "access.refused");
    EXPECT_EQ(refused.size(), 5u);
    EXPECT_TRUE(mentions(refused, "ListDevices refused to uid 65534"));
    EXPECT_TRUE(mentions(refused, "Verify refused to uid 65534"));
    EXPECT_FALSE(mentions(audit_events(service, "access.read"), "uid 65534"));
}

TEST(DbusAuthorization, WithoutARoleACallerMayNeitherReadTheHistoryNorRetire) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    ServiceOnBus service(1);
    ASSERT_EQ(service.start(), "");
    const std::string& address = service.bus.address();

    Answer history = call_as(address, kNobody, kNogroup, {}, [](sd_bus* bus) {
        return call_manager(bus, "GetDeviceHistory", "sxx", "REG-1", std::int64_t{0},
                            std::int64_t{0});
    });
    ASSERT_TRUE(history.ran);
    EXPECT_EQ(history.error_name, "org.freedesktop.DBus.Error.AccessDenied");

    Answer retire = call_as(address, kNobody, kNogroup, {}, [](sd_bus* bus) {
        return call_manager(bus, "RetireDevice", "ss", "REG-1", "lost");
    });
    ASSERT_TRUE(retire.ran);
    EXPECT_EQ(retire.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(retire.error_message.find("cradle-custodian"), std::string::npos)
        << retire.error_message;

    BusClient client(address);
    EXPECT_EQ(get_text(client.get(), device_object("REG-1"), kDevice, "Retired"), "false");
}

TEST(DbusAuthorization, AnAuditorReadsAndVerifiesButChangesNothing) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    const gid_t auditors = 100;  // any group other than the caller's primary one
    ServiceOnBus service(1);
    service.config.auditor_group = group_name(auditors);
    ASSERT_FALSE(service.config.auditor_group.empty());
    ASSERT_EQ(service.start(), "");
    const std::string& address = service.bus.address();
    Answer history = call_as(address, kNobody, kNogroup, {auditors}, [](sd_bus* bus) {
        return call_manager(bus, "GetDeviceHistory", "sxx", "REG-1", std::int64_t{0},
                            std::int64_t{0});
    });
    EXPECT_EQ(history.error_name, "") << history.error_message;
    Answer verify = call_as(address, kNobody, kNogroup, {auditors},
                            [](sd_bus* bus) { return call_manager(bus, "Verify", ""); });
    EXPECT_EQ(verify.error_name, "") << verify.error_message;
    Answer change = call_as(address, kNobody, kNogroup, {auditors}, register_new);
    EXPECT_EQ(change.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    Answer rotate = call_as(address, kNobody, kNogroup, {auditors}, [](sd_bus* bus) {
        return call_manager(bus, "RotateSigningKey", "s", "test");
    });
    EXPECT_EQ(rotate.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(rotate.error_message.find("org.cradled.administer"), std::string::npos)
        << rotate.error_message;
    // Each read is on record before it is answered, naming the caller, the role's right and
    // what was asked.
    const std::vector<AuditRow> reads = audit_events(service, "access.read");
    EXPECT_TRUE(mentions(reads, "GetDeviceHistory of serial 'REG-1' by uid 65534"));
    EXPECT_TRUE(mentions(reads, "with org.cradled.read"));
    EXPECT_TRUE(mentions(audit_events(service, "access.audit"),
                         "Verify by uid 65534 (nobody) with org.cradled.audit"));
}

TEST(DbusAuthorization, TheCustodianGroupAsPrimaryGroupIsAllowed) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    ServiceOnBus service(1);
    service.config.custodian_group = group_name(kNogroup);
    ASSERT_FALSE(service.config.custodian_group.empty());
    ASSERT_EQ(service.start(), "");
    Answer change = call_as(service.bus.address(), kNobody, kNogroup, {}, register_new);
    ASSERT_TRUE(change.ran);
    EXPECT_EQ(change.error_name, "") << change.error_message;
    std::vector<AuditRow> audit = audit_of(service, "NEW-1");
    ASSERT_FALSE(audit.empty());
    EXPECT_NE(audit.back().detail.find("uid 65534"), std::string::npos) << audit.back().detail;
}

TEST(DbusAuthorization, TheCustodianGroupAsSupplementaryGroupIsAllowed) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    // Any group other than the caller's primary one will do; gid 100 exists on Debian.
    const gid_t custodians = 100;
    ServiceOnBus service(1);
    service.config.custodian_group = group_name(custodians);
    ASSERT_FALSE(service.config.custodian_group.empty());
    ASSERT_EQ(service.start(), "");
    Answer without = call_as(service.bus.address(), kNobody, kNogroup, {}, register_new);
    ASSERT_TRUE(without.ran);
    EXPECT_EQ(without.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(without.error_message.find(service.config.custodian_group), std::string::npos);
    Answer with = call_as(service.bus.address(), kNobody, kNogroup, {custodians}, register_new);
    ASSERT_TRUE(with.ran);
    EXPECT_EQ(with.error_name, "") << with.error_message;
}

// Up to 300 calls of ListBays one after the other, until one is refused; then 50 more at once,
// without waiting for each answer: within the second after the refusal only as many as the
// rate gives back are answered (20 a second), the rest are dropped and time out after half a
// second. error_message: "answered refused" and, when one was refused, its text and "dropped N"
// of the 50.
CallResult call_often(sd_bus* bus) {
    int answered = 0;
    std::string refusal;
    for (int i = 0; i < 300 && refusal.empty(); ++i) {
        CallResult result = call_manager(bus, "ListBays", "");
        if (result.ok()) {
            ++answered;
        } else if (result.error_name == "org.freedesktop.DBus.Error.LimitsExceeded") {
            refusal = result.error_message;
        }
    }
    CallResult counts;
    counts.error_message = std::to_string(answered) + (refusal.empty() ? " 0" : " 1");
    if (refusal.empty()) return counts;
    struct Tally {
        int done = 0;
        int dropped = 0;
    } tally;
    sd_bus_set_method_call_timeout(bus, 500'000);
    std::vector<dbus::SlotPtr> calls;
    for (int i = 0; i < 50; ++i) {
        sd_bus_slot* slot = nullptr;
        sd_bus_call_method_async(
            bus, &slot, "org.cradled.Cradle1", "/org/cradled/Cradle1",
            "org.cradled.Cradle1.Manager", "ListBays",
            [](sd_bus_message* reply, void* userdata, sd_bus_error*) {
                auto* counted = static_cast<Tally*>(userdata);
                ++counted->done;
                const sd_bus_error* error = sd_bus_message_get_error(reply);
                // sd-bus answers a call whose reply did not come in time with NoReply.
                if (error != nullptr && error->name != nullptr &&
                    std::string(error->name) == SD_BUS_ERROR_NO_REPLY) {
                    ++counted->dropped;
                }
                return 0;
            },
            &tally, "");
        calls.emplace_back(slot);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (tally.done < 50 && std::chrono::steady_clock::now() < deadline) {
        if (sd_bus_process(bus, nullptr) > 0) continue;
        sd_bus_wait(bus, 100'000);
    }
    counts.error_message += "\n" + refusal + "\ndropped " + std::to_string(tally.dropped);
    return counts;
}

// Each user's calls are limited in rate: beyond a burst of 100 a call is refused at once with
// "try again", and the calls it sends on within the second are not answered at all; a
// custodian's share is ten times larger, and root's has no limit (the caller guard,
// docs/access.md).
TEST(DbusCallerGuard, EachUserHasARateACustodianMoreAndRootNone) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    const gid_t custodians = 100;
    ServiceOnBus service(1);
    service.config.custodian_group = group_name(custodians);
    ASSERT_EQ(service.start(), "");
    const std::string address = service.bus.address();
    Answer custodian = call_as(address, kNobody, kNogroup, {custodians}, call_often);
    EXPECT_EQ(custodian.error_message, "300 0");
    Answer other = call_as(address, kNobody, kNogroup, {}, call_often);
    const int answered = std::stoi(other.error_message);
    EXPECT_GE(answered, 100) << other.error_message;
    EXPECT_LT(answered, 300) << other.error_message;
    EXPECT_NE(other.error_message.find(" 1\nuid 65534 calls more often than 20 times a second; "
                                       "try again shortly\ndropped "),
              std::string::npos)
        << other.error_message;
    // However slow this machine, most of the 50 sent at once find no call left in the rate.
    const std::size_t dropped_at = other.error_message.rfind("dropped ");
    ASSERT_NE(dropped_at, std::string::npos) << other.error_message;
    EXPECT_GE(std::stoi(other.error_message.substr(dropped_at + 8)), 25) << other.error_message;
    BusClient root(address);
    EXPECT_EQ(call_often(root.get()).error_message, "300 0");
}

TEST(DbusAuthorization, MembershipDecidesForAnyCaller) {
    // Runs as whoever runs the tests: allowed through a group the caller is in, denied through
    // one it is not in (root is always allowed).
    ServiceOnBus allowed(1);
    allowed.config.custodian_group = group_name(::getegid());
    ASSERT_EQ(allowed.start(), "");
    BusClient client(allowed.bus.address());
    CallResult registered = register_new(client.get());
    EXPECT_TRUE(registered.ok()) << registered.error_name << " " << registered.error_message;

    ServiceOnBus other(1);
    other.config.custodian_group = "no-such-group-for-cradled";
    ASSERT_EQ(other.start(), "");
    BusClient other_client(other.bus.address());
    CallResult result = register_new(other_client.get());
    if (::geteuid() == 0) {
        EXPECT_TRUE(result.ok()) << result.error_message;
    } else {
        EXPECT_EQ(result.error_name, "org.freedesktop.DBus.Error.AccessDenied");
        EXPECT_NE(result.error_message.find("no-such-group-for-cradled"), std::string::npos);
    }
}

CallResult import_one_officer(sd_bus* bus) {
    return call_manager(bus, "ImportOfficers", "a(sss)", 1, "0457", "Zhang Wei", "Team one");
}

std::size_t roster_size(const ServiceOnBus& service) {
    return Catalog::open_read_only(service.state / "catalog.sqlite").officers().size();
}

TEST(DbusAuthorization, ACustodianMayListOfficersButOthersMayNotImportThem) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    const gid_t custodians = 100;
    ServiceOnBus service(1);
    service.config.custodian_group = group_name(custodians);
    ASSERT_EQ(service.start(), "");
    const std::string& address = service.bus.address();
    Answer list = call_as(address, kNobody, kNogroup, {custodians},
                          [](sd_bus* bus) { return call_manager(bus, "ListOfficers", ""); });
    ASSERT_TRUE(list.ran);
    EXPECT_EQ(list.error_name, "") << list.error_message;
    Answer facts = call_as(address, kNobody, kNogroup, {custodians}, [](sd_bus* bus) {
        return call_manager(bus, "GetAssignmentsFacts", "xx", std::int64_t{0}, std::int64_t{60});
    });
    ASSERT_TRUE(facts.ran);
    EXPECT_EQ(facts.error_name, "") << facts.error_message;
    Answer import = call_as(address, kNobody, kNogroup, {}, import_one_officer);
    ASSERT_TRUE(import.ran);
    EXPECT_EQ(import.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(import.error_message.find(service.config.custodian_group), std::string::npos)
        << import.error_message;
    EXPECT_EQ(roster_size(service), 0u);
    // A refused caller's arguments are not read at all: too many entries are refused as any
    // other call of theirs, not measured against the limit.
    Answer flood = call_as(address, kNobody, kNogroup, {},
                           [](sd_bus* bus) { return import_numbered_officers(bus, 100'001); });
    ASSERT_TRUE(flood.ran);
    EXPECT_EQ(flood.error_name, "org.freedesktop.DBus.Error.AccessDenied") << flood.error_message;
}

TEST(DbusAuthorization, ImportOfficersNeedsTheCustodianGroup) {
    // As whoever runs the tests: allowed through a group the caller is in, denied through one
    // it is not in (root is always allowed).
    ServiceOnBus allowed(1);
    allowed.config.custodian_group = group_name(::getegid());
    ASSERT_EQ(allowed.start(), "");
    BusClient client(allowed.bus.address());
    CallResult imported = import_one_officer(client.get());
    EXPECT_TRUE(imported.ok()) << imported.error_name << " " << imported.error_message;
    EXPECT_EQ(roster_size(allowed), 1u);

    ServiceOnBus other(1);
    other.config.custodian_group = "no-such-group-for-cradled";
    ASSERT_EQ(other.start(), "");
    BusClient other_client(other.bus.address());
    CallResult result = import_one_officer(other_client.get());
    if (::geteuid() == 0) {
        EXPECT_TRUE(result.ok()) << result.error_message;
    } else {
        EXPECT_EQ(result.error_name, "org.freedesktop.DBus.Error.AccessDenied");
        EXPECT_NE(result.error_message.find("no-such-group-for-cradled"), std::string::npos);
        EXPECT_EQ(roster_size(other), 0u);
        // A refused caller learns nothing of its arguments: a bad entry is refused the same.
        CallResult bad =
            call_manager(other_client.get(), "ImportOfficers", "a(sss)", 1, "", "", "");
        EXPECT_EQ(bad.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    }
}

// With polkit on the bus, polkit alone decides: the groups of cradled.toml no longer count.
TEST(DbusPolkit, PolkitDecidesEachRightOnEveryCall) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    ServiceOnBus service(1);
    service.config.custodian_group = group_name(kNogroup);  // would allow everything
    service.config.admin_group = group_name(kNogroup);
    PolkitStandIn polkit(service.bus.address());
    polkit.grant(kNobody, "org.cradled.read");
    ASSERT_EQ(service.start(), "");
    const std::string& address = service.bus.address();

    for (int i = 0; i < 2; ++i) {
        Answer read = call_as(address, kNobody, kNogroup, {},
                              [](sd_bus* bus) { return call_manager(bus, "ListDevices", ""); });
        EXPECT_EQ(read.error_name, "") << read.error_message;
    }
    Answer change = call_as(address, kNobody, kNogroup, {}, register_new);
    EXPECT_EQ(change.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(change.error_message.find("org.cradled.register is not granted to uid 65534"),
              std::string::npos)
        << change.error_message;
    Answer verify = call_as(address, kNobody, kNogroup, {},
                            [](sd_bus* bus) { return call_manager(bus, "Verify", ""); });
    EXPECT_EQ(verify.error_name, "org.freedesktop.DBus.Error.AccessDenied");

    // Asked each time, nothing cached, about the caller's own connection.
    const std::vector<PolkitStandIn::Question> questions = polkit.questions();
    ASSERT_EQ(questions.size(), 4u);
    std::vector<std::string> actions;
    for (const auto& question : questions) {
        actions.push_back(question.action);
        EXPECT_EQ(question.subject_kind, "system-bus-name");
        EXPECT_EQ(question.uid, kNobody);
        EXPECT_EQ(question.flags, 0u) << "the call did not allow interactive authorization";
    }
    EXPECT_EQ(actions, (std::vector<std::string>{"org.cradled.read", "org.cradled.read",
                                                 "org.cradled.register", "org.cradled.audit"}));
    EXPECT_EQ(audit_events(service, "access.read").size(), 2u);
    EXPECT_EQ(audit_of(service, "NEW-1").size(), 0u);
}

TEST(DbusPolkit, RootIsNotAskedAndAChallengeIsARefusal) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    ServiceOnBus service(1);
    PolkitStandIn polkit(service.bus.address());
    polkit.challenge(kNobody, "org.cradled.read");
    ASSERT_EQ(service.start(), "");
    const std::string& address = service.bus.address();
    if (::geteuid() == 0) {
        BusClient client(address);
        CallResult listed = call_manager(client.get(), "ListDevices", "");
        EXPECT_TRUE(listed.ok()) << listed.error_message;
        EXPECT_TRUE(polkit.questions().empty());
        EXPECT_TRUE(mentions(audit_events(service, "access.read"), "ListDevices by uid 0"));
    }
    // The caller allows a password prompt: polkit is told so, and still it is a refusal until
    // polkit grants the right.
    Answer read = call_as(address, kNobody, kNogroup, {}, [](sd_bus* bus) {
        sd_bus_set_allow_interactive_authorization(bus, 1);
        return call_manager(bus, "ListDevices", "");
    });
    EXPECT_EQ(read.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(read.error_message.find("after authentication"), std::string::npos)
        << read.error_message;
    const std::vector<PolkitStandIn::Question> questions = polkit.questions();
    ASSERT_EQ(questions.size(), 1u);
    EXPECT_EQ(questions.front().flags, 1u);
}

// The shipped polkit files and the service's own grants (used where no polkit answers) say
// the same: every right is an action of the policy, owned by the service user so that it may
// ask about others, and the rules file grants each role what dbus::groups_granting does.
TEST(DbusPolkit, TheShippedPolicyAndRulesMatchTheServicesGrants) {
    const std::filesystem::path dbus_dir = std::filesystem::path(CRADLED_SOURCE_DIR) / "dbus";
    const std::string policy = file_text(dbus_dir / "org.cradled.policy");
    const std::string rules = file_text(dbus_dir / "50-cradled.rules");
    const dbus::RoleGroups groups{"cradle-custodian", "cradle-auditor", "cradle-admin"};
    // The grants of the rules file: "group": ["action", ...].
    std::map<std::string, std::set<std::string>> granted;
    const std::regex entry(R"re("(cradle-[a-z]+)": \[([^\]]*)\])re");
    for (std::sregex_iterator it(rules.begin(), rules.end(), entry), end; it != end; ++it) {
        const std::string list = (*it)[2];
        const std::regex quoted(R"re("([a-z.-]+)")re");
        for (std::sregex_iterator a(list.begin(), list.end(), quoted); a != end; ++a) {
            granted[(*it)[1]].insert((*a)[1]);
        }
    }
    ASSERT_EQ(granted.size(), 3u) << rules;
    std::size_t actions = 0;
    for (dbus::Right right :
         {dbus::Right::read, dbus::Right::register_devices, dbus::Right::export_recordings,
          dbus::Right::read_confidential, dbus::Right::audit, dbus::Right::administer}) {
        const std::string action = dbus::action_id(right);
        const std::size_t at = policy.find("<action id=\"" + action + "\">");
        ASSERT_NE(at, std::string::npos) << action;
        const std::string body = policy.substr(at, policy.find("</action>", at) - at);
        EXPECT_NE(body.find("<annotate key=\"org.freedesktop.policykit.owner\">unix-user:cradled"
                            "</annotate>"),
                  std::string::npos)
            << action;
        EXPECT_NE(body.find("<allow_any>no</allow_any>"), std::string::npos) << action;
        const std::vector<std::string> expected = dbus::groups_granting(right, groups);
        for (const auto& [group, rights] : granted) {
            const bool grants = rights.count(action) != 0;
            const bool should = std::count(expected.begin(), expected.end(), group) != 0;
            EXPECT_EQ(grants, should) << group << " " << action;
        }
        ++actions;
    }
    std::size_t in_policy = 0;
    for (std::size_t at = policy.find("<action id="); at != std::string::npos;
         at = policy.find("<action id=", at + 1)) {
        ++in_policy;
    }
    EXPECT_EQ(in_policy, actions);
}

// The bus policy file as installed: on a bus that otherwise behaves as the system bus, only
// root (or the service user) may own the name, and anyone may call the service, which makes
// its own check.
TEST(DbusPolicy, AnyoneMayCallTheServiceButNotOwnItsName) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    const std::filesystem::path policy =
        std::filesystem::path(CRADLED_SOURCE_DIR) / "dbus" / "org.cradled.Cradle1.conf";
    {
        PrivateBus bus(policy);
        Answer own = call_as(bus.address(), kNobody, kNogroup, {}, [](sd_bus* client) {
            CallResult result;
            int r = sd_bus_request_name(client, kService, 0);
            if (r < 0) result.error_name = std::strerror(-r);
            return result;
        });
        ASSERT_TRUE(own.ran);
        EXPECT_EQ(own.error_name, std::strerror(EACCES));
    }
    ServiceOnBus service(1, policy);
    ASSERT_EQ(service.start(), "") << "root may own the name";
    const std::string& address = service.bus.address();
    Answer list = call_as(address, kNobody, kNogroup, {},
                          [](sd_bus* client) { return call_manager(client, "ListBays", ""); });
    ASSERT_TRUE(list.ran);
    EXPECT_EQ(list.error_name, "") << list.error_message;
    Answer managed = call_as(address, kNobody, kNogroup, {}, [](sd_bus* client) {
        CallResult result;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        if (sd_bus_call_method(client, kService, kRoot, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", &error, &result.reply, "") < 0) {
            result.error_name = error.name ? error.name : "failed";
        }
        sd_bus_error_free(&error);
        return result;
    });
    ASSERT_TRUE(managed.ran);
    EXPECT_EQ(managed.error_name, "");
    Answer property = call_as(address, kNobody, kNogroup, {}, [](sd_bus* client) {
        CallResult result;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        if (sd_bus_call_method(client, kService, kRoot, "org.freedesktop.DBus.Properties", "Get",
                               &error, &result.reply, "ss", kManager, "Version") < 0) {
            result.error_name = error.name ? error.name : "failed";
        }
        sd_bus_error_free(&error);
        return result;
    });
    ASSERT_TRUE(property.ran);
    EXPECT_EQ(property.error_name, "");
    // The change reaches the service, which refuses it naming the group.
    Answer change = call_as(address, kNobody, kNogroup, {}, register_new);
    ASSERT_TRUE(change.ran);
    EXPECT_EQ(change.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(change.error_message.find("cradle-custodian"), std::string::npos)
        << change.error_message;
}

// The tests below change the register as the test's own user, made a custodian.
class DbusRegister : public ::testing::Test {
  protected:
    void SetUp() override {
        service.config.custodian_group = group_name(::getegid());
        unregistered = service.camera("UNREG-1", 1, /*registered=*/false);
        ASSERT_EQ(service.start(), "");
        client = std::make_unique<BusClient>(service.bus.address());
    }
    ServiceOnBus service{1};
    hw::sim::CameraSpec unregistered;
    std::unique_ptr<BusClient> client;
};

TEST_F(DbusRegister, RegisterAndAssignAreSignalledAndAudited) {
    sd_bus* bus = client->get();
    CallResult registered = register_new(bus);
    ASSERT_TRUE(registered.ok()) << registered.error_name << " " << registered.error_message;
    std::string path = device_object("NEW-1");
    // A new device object appears.
    ASSERT_TRUE(client->wait_until([&] {
        return std::count(client->device_changed.begin(), client->device_changed.end(), "NEW-1") ==
                   1 &&
               std::any_of(client->interfaces_added.begin(), client->interfaces_added.end(),
                           [&](const InterfacesAddedSignal& added) {
                               return added.path == path &&
                                      std::count(added.interfaces.begin(), added.interfaces.end(),
                                                 kDevice);
                           });
    }));
    EXPECT_EQ(get_text(bus, path, kDevice, "Registered"), "true");
    const RegisterEntryOnBus entry = register_entry_of(bus, "NEW-1");
    EXPECT_EQ(entry.custodian, "Custodian C");
    EXPECT_EQ(entry.officer, "Officer 9");
    EXPECT_EQ(entry.head, "Head X");
    EXPECT_EQ(get_number(bus, path, kDevice, "LastSeen"), 0);

    CallResult assigned = call_manager(bus, "AssignDevice", "ss", "NEW-1", "pool");
    ASSERT_TRUE(assigned.ok()) << assigned.error_name << " " << assigned.error_message;
    ASSERT_TRUE(client->wait_until([&] {
        return std::count(client->device_changed.begin(), client->device_changed.end(), "NEW-1") ==
                   2 &&
               std::any_of(client->properties_changed.begin(), client->properties_changed.end(),
                           [&](const PropertiesChangedSignal& change) {
                               return change.path == path && change.interface == kDevice &&
                                      std::count(change.invalidated.begin(),
                                                 change.invalidated.end(), "Registered");
                           });
    }));
    EXPECT_EQ(register_entry_of(bus, "NEW-1").officer, "pool");
    EXPECT_EQ(register_entry_of(bus, "NEW-1").custodian, "Custodian C");

    std::vector<AuditRow> audit = audit_of(service, "NEW-1");
    ASSERT_EQ(audit.size(), 2u);
    std::string caller = "uid " + std::to_string(::geteuid());
    for (const auto& row : audit) {
        EXPECT_NE(row.detail.find(caller), std::string::npos) << row.detail;
    }
}

TEST_F(DbusRegister, AssignNeedsAKnownRegisteredDevice) {
    sd_bus* bus = client->get();
    CallResult unknown = call_manager(bus, "AssignDevice", "ss", "NOPE-9", "Officer 9");
    EXPECT_EQ(unknown.error_name, "org.cradled.Cradle1.Error.NoSuchDevice");

    // A camera the register does not know docks: its device object appears, unregistered.
    service.plug(1, unregistered);
    std::string path = device_object("UNREG-1");
    ASSERT_TRUE(client->wait_until([&] {
        return !client->dock_finished.empty() &&
               std::any_of(client->interfaces_added.begin(), client->interfaces_added.end(),
                           [&](const InterfacesAddedSignal& added) { return added.path == path; });
    }));
    EXPECT_EQ(client->dock_finished[0].light, "needs custodian");
    EXPECT_EQ(get_text(bus, path, kDevice, "Registered"), "false");
    EXPECT_EQ(get_text(bus, path, kDevice, "LastOutcome"), client->dock_finished[0].outcome);

    CallResult unregistered_device = call_manager(bus, "AssignDevice", "ss", "UNREG-1", "O");
    EXPECT_EQ(unregistered_device.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_NE(unregistered_device.error_message.find("not registered"), std::string::npos);

    // Registering it is what a custodian does next.
    CallResult registered =
        call_manager(bus, "RegisterDevice", "ssss", "UNREG-1", "Custodian A", "pool", "Head");
    EXPECT_TRUE(registered.ok()) << registered.error_message;
    EXPECT_EQ(get_text(bus, path, kDevice, "Registered"), "true");
}

TEST_F(DbusRegister, EveryArgumentIsValidated) {
    sd_bus* bus = client->get();
    const char* names[] = {"serial", "custodian", "officer", "head"};
    std::string too_long(129, 'x');
    for (int bad = 0; bad < 4; ++bad) {
        for (const char* value : {"", too_long.c_str(), "a\tb"}) {
            const char* args[4] = {"NEW-2", "Custodian", "Officer", "Head"};
            args[bad] = value;
            CallResult result =
                call_manager(bus, "RegisterDevice", "ssss", args[0], args[1], args[2], args[3]);
            EXPECT_EQ(result.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
            EXPECT_EQ(result.error_message.rfind(std::string(names[bad]) + ":", 0), 0u)
                << result.error_message;
        }
    }
    CallResult empty_officer = call_manager(bus, "AssignDevice", "ss", "REG-1", "");
    EXPECT_EQ(empty_officer.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_EQ(empty_officer.error_message.rfind("officer:", 0), 0u);
    EXPECT_EQ(call_manager(bus, "GetDevice", "s", "NEW-2").error_name,
              "org.cradled.Cradle1.Error.NoSuchDevice");
}

// One entry of GetDeviceHistory's reply.
struct HistoryEntry {
    std::int64_t at = 0;
    std::string serial, action, custodian, officer, head, previous_custodian, previous_officer,
        previous_head, changed_by, reason;
};

std::vector<HistoryEntry> read_history(const CallResult& result) {
    std::vector<HistoryEntry> entries;
    if (!result.ok()) {
        ADD_FAILURE() << result.error_name << " " << result.error_message;
        return entries;
    }
    EXPECT_GE(sd_bus_message_enter_container(result.reply, 'a', "(xssssssssss)"), 0);
    for (;;) {
        HistoryEntry entry;
        const char* text[10] = {};
        int r = sd_bus_message_read(result.reply, "(xssssssssss)", &entry.at, &text[0], &text[1],
                                    &text[2], &text[3], &text[4], &text[5], &text[6], &text[7],
                                    &text[8], &text[9]);
        if (r <= 0) {
            EXPECT_EQ(r, 0);
            break;
        }
        std::string* fields[10] = {&entry.serial,
                                   &entry.action,
                                   &entry.custodian,
                                   &entry.officer,
                                   &entry.head,
                                   &entry.previous_custodian,
                                   &entry.previous_officer,
                                   &entry.previous_head,
                                   &entry.changed_by,
                                   &entry.reason};
        for (int i = 0; i < 10; ++i) *fields[i] = text[i];
        entries.push_back(entry);
    }
    return entries;
}

CallResult history_of(sd_bus* bus, const char* serial, std::int64_t from = 0, std::int64_t to = 0) {
    return call_manager(bus, "GetDeviceHistory", "sxx", serial, from, to);
}

TEST_F(DbusRegister, RetireIsSignalledAuditedAndInTheHistory) {
    sd_bus* bus = client->get();
    ASSERT_TRUE(register_new(bus).ok());
    ASSERT_TRUE(call_manager(bus, "AssignDevice", "ss", "NEW-1", "李娜").ok());
    std::string path = device_object("NEW-1");
    EXPECT_EQ(get_text(bus, path, kDevice, "Retired"), "false");

    CallResult retired =
        call_manager(bus, "RetireDevice", "ss", "NEW-1", "屏幕损坏, screen broken");
    ASSERT_TRUE(retired.ok()) << retired.error_name << " " << retired.error_message;
    ASSERT_TRUE(client->wait_until([&] {
        return std::count(client->device_changed.begin(), client->device_changed.end(), "NEW-1") ==
                   3 &&
               std::any_of(client->properties_changed.begin(), client->properties_changed.end(),
                           [&](const PropertiesChangedSignal& change) {
                               return change.path == path &&
                                      std::count(change.invalidated.begin(),
                                                 change.invalidated.end(), "Retired");
                           });
    }));
    EXPECT_EQ(get_text(bus, path, kDevice, "Retired"), "true");
    EXPECT_EQ(register_entry_of(bus, "NEW-1").custodian, "Custodian C") << "the entry stays";

    std::vector<HistoryEntry> history = read_history(history_of(bus, "NEW-1"));
    ASSERT_EQ(history.size(), 3u);
    EXPECT_EQ(history[0].action, "registered");
    EXPECT_EQ(history[1].action, "reassigned");
    EXPECT_EQ(history[1].officer, "李娜");
    EXPECT_EQ(history[1].previous_officer, "Officer 9");
    EXPECT_EQ(history[2].action, "retired");
    EXPECT_EQ(history[2].reason, "屏幕损坏, screen broken");
    const std::string caller = "uid " + std::to_string(::geteuid());
    for (const auto& entry : history) {
        EXPECT_EQ(entry.serial, "NEW-1");
        EXPECT_EQ(entry.changed_by.rfind(caller, 0), 0u) << entry.changed_by;
        EXPECT_GT(entry.at, 0);
    }
    std::vector<AuditRow> audit = audit_of(service, "NEW-1");
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_EQ(audit[2].event, "device.retired");

    // The configuration's entries are in the history too, made by "configuration"; "" is all.
    std::vector<HistoryEntry> configured = read_history(history_of(bus, "REG-1"));
    ASSERT_EQ(configured.size(), 1u);
    EXPECT_EQ(configured[0].changed_by, "configuration");
    EXPECT_EQ(read_history(history_of(bus, "")).size(), 5u);  // REG-1, REG-2 and NEW-1's three
    // A window after the changes is empty.
    EXPECT_TRUE(read_history(history_of(bus, "", history[2].at + 1000, 0)).empty());

    // Registering it again puts it back in service.
    ASSERT_TRUE(register_new(bus).ok());
    EXPECT_EQ(get_text(bus, path, kDevice, "Retired"), "false");
    EXPECT_EQ(read_history(history_of(bus, "NEW-1")).back().action, "reinstated");
}

TEST_F(DbusRegister, RetireAndHistoryRefuseBadArguments) {
    sd_bus* bus = client->get();
    EXPECT_EQ(call_manager(bus, "RetireDevice", "ss", "NOPE-9", "lost").error_name,
              "org.cradled.Cradle1.Error.NoSuchDevice");
    CallResult no_reason = call_manager(bus, "RetireDevice", "ss", "REG-1", "");
    EXPECT_EQ(no_reason.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_EQ(no_reason.error_message.rfind("reason:", 0), 0u) << no_reason.error_message;
    CallResult control = call_manager(bus, "RetireDevice", "ss", "REG-1", "a\x1b[2Jb");
    EXPECT_EQ(control.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_EQ(get_text(bus, device_object("REG-1"), kDevice, "Retired"), "false");

    EXPECT_EQ(history_of(bus, "NOPE-9").error_name, "org.cradled.Cradle1.Error.NoSuchDevice");
    EXPECT_EQ(history_of(bus, "", -1, 0).error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    CallResult reversed = history_of(bus, "", 200, 100);
    EXPECT_EQ(reversed.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_EQ(reversed.error_message.rfind("from:", 0), 0u) << reversed.error_message;
}

}  // namespace
}  // namespace cradle::test

namespace cradle::test {
namespace {

// "id:state" of each row of a ListRecordings reply, comma-separated, for a child to report.
std::string listed_ids_and_states(sd_bus_message* reply) {
    std::string listed;
    if (sd_bus_message_enter_container(reply, 'a', "(xsstsssxxx)") < 0) return "unreadable";
    std::int64_t id = 0;
    const char *serial = nullptr, *name = nullptr, *state = nullptr, *sha = nullptr,
               *path = nullptr;
    std::uint64_t size = 0;
    std::int64_t captured = 0, archived = 0, wiped = 0;
    while (sd_bus_message_read(reply, "(xsstsssxxx)", &id, &serial, &name, &size, &state, &sha,
                               &path, &captured, &archived, &wiped) > 0) {
        if (!listed.empty()) listed += ",";
        listed += std::to_string(id) + ":" + state;
        if (std::string(state) == "confidential" &&
            (*serial != '\0' || *name != '\0' || size != 0 || *sha != '\0' || *path != '\0' ||
             captured != 0)) {
            listed += "(leaked)";
        }
    }
    return listed;
}

CallResult list_recordings(sd_bus* bus) {
    CallResult result = call_manager(bus, "ListRecordings", "sxxu", "", std::int64_t{0},
                                     std::int64_t{0}, std::uint32_t{0});
    if (result.ok()) result.error_message = listed_ids_and_states(result.reply);
    return result;
}

// The same, read with ListRecordingsPage two at a time.
CallResult list_recording_pages(sd_bus* bus) {
    std::string listed;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
        CallResult result = call_manager(bus, "ListRecordingsPage", "sxxsu", "", std::int64_t{0},
                                         std::int64_t{0}, cursor.c_str(), std::uint32_t{2});
        if (!result.ok()) return result;
        const std::string rows = listed_ids_and_states(result.reply);
        listed += (listed.empty() || rows.empty() ? "" : ",") + rows;
        const char* next = nullptr;
        if (sd_bus_message_exit_container(result.reply) < 0 ||
            sd_bus_message_read(result.reply, "s", &next) < 0) {
            result.error_message = "unreadable";
            return result;
        }
        cursor = next;
        if (cursor.empty()) {
            result.error_message = listed;
            return result;
        }
    }
    CallResult endless;
    endless.error_name = "endless pages";
    return endless;
}

// "id:name" of each recording of a GetDockDayFacts reply covering every time there is.
CallResult dock_day_recordings(sd_bus* bus) {
    CallResult result = call_manager(bus, "GetDockDayFacts", "sxx", "2026-12-07", std::int64_t{0},
                                     std::int64_t{4'000'000'000});
    if (!result.ok()) return result;
    reports::DockDayInput facts;
    if (dbus::read_dock_day_facts(result.reply, facts) < 0) {
        result.error_message = "unreadable";
        return result;
    }
    for (const auto& recording : facts.recordings) {
        if (!result.error_message.empty()) result.error_message += ",";
        result.error_message += std::to_string(recording.id) + ":" + recording.name;
        if (recording.id == 0 && (!recording.serial.empty() || recording.size != 0 ||
                                  recording.captured_at != 0 || !recording.officer.empty())) {
            result.error_message += "(leaked)";
        }
    }
    return result;
}

CallResult mark(sd_bus* bus, const char* kind, const std::string& target, bool confidential) {
    return call_manager(bus, "SetConfidential", "ssbs", kind, target.c_str(),
                        static_cast<int>(confidential), "informant's identity");
}

// R-19: a confidential recording's facts reach only a caller with read-confidential, on
// record; anyone else sees that it exists and nothing more, and cannot take it out or mark.
TEST(DbusConfidential, MarkedRecordingsAreWithheldWithoutTheRight) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    ServiceOnBus service(1);
    const hw::sim::CameraSpec camera = service.camera("CAM-1", 3);
    PolkitStandIn polkit(service.bus.address());
    polkit.grant(kNobody, "org.cradled.read");
    polkit.grant(kNobody, "org.cradled.export");
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    service.plug(1, camera);
    ASSERT_TRUE(client.wait_until([&] { return !client.dock_finished.empty(); }));
    CallResult all = list_recordings(client.get());
    ASSERT_TRUE(all.ok()) << all.error_message;
    EXPECT_EQ(all.error_message, "1:wiped,2:wiped,3:wiped");

    CallResult marked = mark(client.get(), "recording", "2", true);
    ASSERT_TRUE(marked.ok()) << marked.error_name << " " << marked.error_message;
    int changed = 0;
    ASSERT_GE(sd_bus_message_read(marked.reply, "b", &changed), 0);
    EXPECT_EQ(changed, 1);
    CallResult again = mark(client.get(), "recording", "2", true);
    ASSERT_TRUE(again.ok());
    ASSERT_GE(sd_bus_message_read(again.reply, "b", &changed), 0);
    EXPECT_EQ(changed, 0);
    EXPECT_EQ(
        call_manager(client.get(), "SetConfidential", "ssbs", "recording", "99", 1, "x").error_name,
        "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_EQ(
        call_manager(client.get(), "SetConfidential", "ssbs", "camera", "CAM-1", 1, "x").error_name,
        "org.freedesktop.DBus.Error.InvalidArgs");

    // Without read-confidential: counted, facts withheld; not a refusal.
    const std::string address = service.bus.address();
    Answer withheld = call_as(address, kNobody, kNogroup, {}, list_recordings);
    EXPECT_EQ(withheld.error_name, "");
    EXPECT_EQ(withheld.error_message, "1:wiped,0:confidential,3:wiped");
    Answer withheld_pages = call_as(address, kNobody, kNogroup, {}, list_recording_pages);
    EXPECT_EQ(withheld_pages.error_name, "");
    EXPECT_EQ(withheld_pages.error_message, "1:wiped,0:confidential,3:wiped");
    Answer take = call_as(address, kNobody, kNogroup, {}, [](sd_bus* bus) {
        return call_manager(bus, "OpenRecording", "xs", std::int64_t{2}, "curious");
    });
    EXPECT_EQ(take.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    EXPECT_NE(take.error_message.find("org.cradled.read-confidential"), std::string::npos)
        << take.error_message;
    Answer plain = call_as(address, kNobody, kNogroup, {}, [](sd_bus* bus) {
        return call_manager(bus, "OpenRecording", "xs", std::int64_t{1}, "case 1");
    });
    EXPECT_EQ(plain.error_name, "") << plain.error_message;
    Answer unmark = call_as(address, kNobody, kNogroup, {},
                            [](sd_bus* bus) { return mark(bus, "recording", "2", false); });
    EXPECT_EQ(unmark.error_name, "org.freedesktop.DBus.Error.AccessDenied");
    // The dock report's facts withhold it the same way.
    CallResult report = dock_day_recordings(client.get());
    ASSERT_TRUE(report.ok()) << report.error_name;
    const std::string full = report.error_message;
    EXPECT_NE(full.find("2:"), std::string::npos) << full;
    Answer report_withheld = call_as(address, kNobody, kNogroup, {}, dock_day_recordings);
    EXPECT_EQ(report_withheld.error_name, "");
    EXPECT_EQ(report_withheld.error_message.find("2:"), std::string::npos)
        << report_withheld.error_message;
    EXPECT_NE(report_withheld.error_message.find("0:(confidential)"), std::string::npos)
        << report_withheld.error_message;
    EXPECT_EQ(report_withheld.error_message.find("leaked"), std::string::npos);

    // With it: the facts, on record naming the recording.
    polkit.grant(kNobody, "org.cradled.read-confidential");
    Answer shown = call_as(address, kNobody, kNogroup, {}, list_recordings);
    EXPECT_EQ(shown.error_message, "1:wiped,2:wiped,3:wiped");

    // A device's mark covers every recording of it.
    ASSERT_TRUE(mark(client.get(), "device", "CAM-1", true).ok());
    Catalog catalog = Catalog::open_read_only(service.state / "catalog.sqlite");
    EXPECT_EQ(catalog.confidential_marks().devices.size(), 1u);

    const std::vector<AuditRow> refused = audit_events(service, "access.refused");
    EXPECT_TRUE(mentions(refused,
                         "OpenRecording of recording 2 for 'curious' (a confidential "
                         "recording) refused to uid 65534"));
    EXPECT_TRUE(mentions(refused, "SetConfidential refused to uid 65534"));
    EXPECT_FALSE(mentions(audit_events(service, "access.export"), "recording 2"));
    EXPECT_TRUE(mentions(audit_events(service, "access.export"),
                         "OpenRecording of recording 1 for 'case 1' by uid 65534"));
    // Root's report and the granted list, each on record naming the recording shown.
    const std::vector<AuditRow> confidential_reads =
        audit_events(service, "access.read-confidential");
    ASSERT_EQ(confidential_reads.size(), 2u);
    EXPECT_NE(confidential_reads[0].detail.find(
                  "GetDockDayFacts showed confidential recordings 2 to uid 0"),
              std::string::npos)
        << confidential_reads[0].detail;
    EXPECT_NE(confidential_reads[1].detail.find(
                  "ListRecordings showed confidential recordings 2 to uid 65534"),
              std::string::npos)
        << confidential_reads[1].detail;
    EXPECT_TRUE(mentions(audit_events(service, "recording.marked_confidential"),
                         "reason=informant's identity"));
    // The refused questions about read-confidential were asked of polkit each time.
    std::size_t asked = 0;
    for (const auto& question : polkit.questions()) {
        if (question.action == "org.cradled.read-confidential") ++asked;
    }
    // withheld list, its first page (the second holds none), refused open, refused unmark,
    // withheld report, shown list
    EXPECT_EQ(asked, 6u);
}

}  // namespace
}  // namespace cradle::test
