// SPDX-License-Identifier: Apache-2.0
#include "tests/dbus/polkit_stand_in.hpp"

#include <cstring>

namespace cradle::test {
namespace {

int check_callback(sd_bus_message* message, void* userdata, sd_bus_error*) {
    return static_cast<PolkitStandIn*>(userdata)->check_authorization(message);
}

const sd_bus_vtable kAuthorityVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", check_callback,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

}  // namespace

PolkitStandIn::PolkitStandIn(const std::string& address)
    : service_(std::make_unique<StandInService>(
          address, "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
          "org.freedesktop.PolicyKit1.Authority", kAuthorityVtable, this)) {}

PolkitStandIn::~PolkitStandIn() = default;

void PolkitStandIn::grant(uid_t uid, const std::string& action) {
    std::lock_guard lock(mutex_);
    grants_[uid].insert(action);
}

void PolkitStandIn::challenge(uid_t uid, const std::string& action) {
    std::lock_guard lock(mutex_);
    challenges_[uid].insert(action);
}

std::vector<PolkitStandIn::Question> PolkitStandIn::questions() const {
    std::lock_guard lock(mutex_);
    return questions_;
}

int PolkitStandIn::check_authorization(sd_bus_message* message) {
    Question question;
    const char* kind = nullptr;
    int r = sd_bus_message_enter_container(message, 'r', "sa{sv}");
    if (r >= 0) r = sd_bus_message_read(message, "s", &kind);
    if (r >= 0) r = sd_bus_message_enter_container(message, 'a', "{sv}");
    while (r >= 0 && (r = sd_bus_message_enter_container(message, 'e', "sv")) > 0) {
        const char* key = nullptr;
        r = sd_bus_message_read(message, "s", &key);
        if (r >= 0 && std::strcmp(key, "name") == 0) {
            const char* name = nullptr;
            r = sd_bus_message_read(message, "v", "s", &name);
            if (r >= 0) question.bus_name = name;
        } else if (r >= 0) {
            r = sd_bus_message_skip(message, "v");
        }
        if (r >= 0) r = sd_bus_message_exit_container(message);
    }
    if (r >= 0) r = sd_bus_message_exit_container(message);
    if (r >= 0) r = sd_bus_message_exit_container(message);
    const char* action = nullptr;
    if (r >= 0) r = sd_bus_message_read(message, "s", &action);
    if (r >= 0) r = sd_bus_message_skip(message, "a{ss}");
    const char* cancellation = nullptr;
    if (r >= 0) r = sd_bus_message_read(message, "us", &question.flags, &cancellation);
    if (r < 0) return r;
    question.subject_kind = kind;
    question.action = action;
    sd_bus_message* reply = nullptr;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    r = sd_bus_call_method(sd_bus_message_get_bus(message), "org.freedesktop.DBus",
                           "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixUser",
                           &error, &reply, "s", question.bus_name.c_str());
    sd_bus_error_free(&error);
    if (r >= 0) {
        std::uint32_t uid = 0;
        if (sd_bus_message_read(reply, "u", &uid) >= 0) question.uid = uid;
    }
    sd_bus_message_unref(reply);
    bool authorized = false;
    bool challenge = false;
    {
        std::lock_guard lock(mutex_);
        questions_.push_back(question);
        if (question.subject_kind == "system-bus-name") {
            authorized = grants_[question.uid].count(question.action) != 0;
            challenge = !authorized && challenges_[question.uid].count(question.action) != 0;
        }
    }
    return sd_bus_reply_method_return(message, "(bba{ss})", static_cast<int>(authorized),
                                      static_cast<int>(challenge), 0);
}

}  // namespace cradle::test
