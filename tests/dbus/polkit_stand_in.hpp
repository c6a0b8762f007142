// SPDX-License-Identifier: Apache-2.0
// A stand-in for polkitd on a private bus: it owns org.freedesktop.PolicyKit1 and answers
// org.freedesktop.PolicyKit1.Authority.CheckAuthorization from a table of grants (uid ->
// actions), finding the subject's uid from the bus as polkitd does. Every question is kept,
// so a test can see what the service asked, and how often. It serves on a thread of its own.
#pragma once

#include <sys/types.h>

#include "tests/dbus/stand_in_service.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace cradle::test {

class PolkitStandIn {
  public:
    // Connects to `address` and takes the name; throws std::runtime_error when it cannot.
    explicit PolkitStandIn(const std::string& address);
    ~PolkitStandIn();
    PolkitStandIn(const PolkitStandIn&) = delete;
    PolkitStandIn& operator=(const PolkitStandIn&) = delete;

    // `uid` holds `action` from now on.
    void grant(uid_t uid, const std::string& action);
    // `uid` would hold `action` after authenticating: the answer says "challenge".
    void challenge(uid_t uid, const std::string& action);

    struct Question {
        std::string subject_kind;  // "system-bus-name"
        std::string bus_name;
        uid_t uid = static_cast<uid_t>(-1);  // of the bus name, as the bus says
        std::string action;
        std::uint32_t flags = 0;
    };
    std::vector<Question> questions() const;

    // Called by the method handler on the stand-in's thread.
    int check_authorization(sd_bus_message* message);

  private:
    mutable std::mutex mutex_;
    std::map<uid_t, std::set<std::string>> grants_;
    std::map<uid_t, std::set<std::string>> challenges_;
    std::vector<Question> questions_;
    // Last: stopped first, before what its handler uses goes.
    std::unique_ptr<StandInService> service_;
};

}  // namespace cradle::test
