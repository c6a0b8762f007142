// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/arguments.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <string_view>
#include <tuple>

namespace cradle::ctl {
namespace {

struct CommandRule {
    std::string_view name;
    std::size_t operands;  // exactly this many
    std::initializer_list<std::string_view> options;
    std::string_view operand_names;     // for the message when they are missing
    std::size_t optional_operands = 0;  // this many more may follow
};

const CommandRule* find_rule(std::string_view command) {
    static const CommandRule rules[] = {
        {"status", 0, {"--json", "--watch", "--until-idle", "--wait"}, ""},
        {"devices", 0, {"--json"}, ""},
        {"device", 1, {"--json"}, "SERIAL"},
        {"recordings", 0, {"--json", "--serial", "--from", "--to", "--limit"}, ""},
        {"verify", 0, {"--json", "--public-key", "--anchor"}, ""},
        {"identity", 0, {"--json", "--reason"}, "", 1},
        {"rebuild-catalog", 0, {}, ""},
        {"register", 1, {"--custodian", "--officer", "--head"}, "SERIAL"},
        {"assign", 2, {}, "SERIAL OFFICER"},
        {"retire", 1, {"--reason"}, "SERIAL"},
        {"history", 0, {"--json", "--from", "--to"}, "", 1},
        {"import", 2, {}, "devices|officers FILE.csv"},
        {"export", 1, {"-o", "--output", "--reason"}, "devices|officers|recording ID", 1},
        {"mark", 2, {"--confidential", "--reason"}, "recording ID|device SERIAL"},
        {"unmark", 2, {"--confidential", "--reason"}, "recording ID|device SERIAL"},
        {"report",
         1,
         {"--from", "--to", "--date", "--format", "-o", "--output"},
         "assignments|dock"},
    };
    for (const CommandRule& rule : rules) {
        if (rule.name == command) return &rule;
    }
    return nullptr;
}

bool digits_only(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <typename Number>
bool parse_number(std::string_view text, Number& value) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::optional<std::int64_t> parse_time_argument(const std::string& text, bool end_of_day) {
    if (text.size() > 1 && text[0] == '@') {
        std::int64_t seconds = 0;
        if (!parse_number(std::string_view(text).substr(1), seconds) || seconds < 0) {
            return std::nullopt;
        }
        return seconds;
    }
    // YYYY-MM-DD, then optionally [T ]HH:MM[:SS][Z].
    std::string_view rest = text;
    auto field = [&rest](std::size_t width, char separator, int& value) {
        if (rest.size() < width || !digits_only(rest.substr(0, width))) return false;
        parse_number(rest.substr(0, width), value);
        rest.remove_prefix(width);
        if (separator == 0) return true;
        if (rest.empty() || rest.front() != separator) return false;
        rest.remove_prefix(1);
        return true;
    };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!field(4, '-', year) || !field(2, '-', month) || !field(2, 0, day)) return std::nullopt;
    bool has_time = false;
    if (!rest.empty()) {
        if (rest.front() != 'T' && rest.front() != ' ') return std::nullopt;
        rest.remove_prefix(1);
        if (!field(2, ':', hour) || !field(2, 0, minute)) return std::nullopt;
        if (!rest.empty() && rest.front() == ':') {
            rest.remove_prefix(1);
            if (!field(2, 0, second)) return std::nullopt;
        }
        if (rest == "Z") rest.remove_prefix(1);
        if (!rest.empty()) return std::nullopt;
        has_time = true;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 ||
        year < 1970) {
        return std::nullopt;
    }
    std::tm parts{};
    parts.tm_year = year - 1900;
    parts.tm_mon = month - 1;
    parts.tm_mday = day;
    parts.tm_hour = hour;
    parts.tm_min = minute;
    parts.tm_sec = second;
    const std::time_t seconds = timegm(&parts);
    // timegm normalises 2024-02-31 into March: such a date is a mistake, not a date.
    if (seconds < 0 || parts.tm_mday != day || parts.tm_mon != month - 1) return std::nullopt;
    std::int64_t result = seconds;
    if (!has_time && end_of_day) result += 86'399;
    return result;
}

// A list of checks, each with its message, in the order their messages take precedence; kept in
// one function (some 80 lines) so that this order reads from top to bottom.
std::optional<std::string> check_invocation(Invocation& invocation,
                                            const std::vector<std::string>& options_given,
                                            bool bus_given) {
    if (invocation.command.empty()) return std::string("no command given");

    const CommandRule* rule = find_rule(invocation.command);
    if (rule == nullptr) return "unknown command " + invocation.command;
    for (const std::string& option : options_given) {
        if (option == "--bus" || option == "--state-dir") continue;
        if (std::find(rule->options.begin(), rule->options.end(), option) == rule->options.end()) {
            return invocation.command + " takes no " + option;
        }
    }
    if (invocation.operands.size() < rule->operands) {
        return invocation.command + " needs " + std::string(rule->operand_names);
    }
    if (invocation.operands.size() > rule->operands + rule->optional_operands) {
        return "unexpected argument " +
               invocation.operands[rule->operands + rule->optional_operands];
    }
    for (const std::string& operand : invocation.operands) {
        if (operand.empty()) return invocation.command + ": an empty argument";
    }
    // A report's --from and --to are local days, checked with the report (report_request.hpp).
    if (invocation.command != "report") {
        for (const auto& [option, text, target] :
             {std::tuple{"--from", &invocation.from_text, &invocation.filter.captured_from},
              std::tuple{"--to", &invocation.to_text, &invocation.filter.captured_to}}) {
            if (!*text) continue;
            const auto time = parse_time_argument(**text, std::string_view(option) == "--to");
            if (!time) {
                return std::string(option) + " " + **text +
                       ": not a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]Z or @UNIX-SECONDS)";
            }
            *target = *time;
        }
    }
    if (bus_given && invocation.state_dir) {
        return "--bus and --state-dir do not go together: one talks to the daemon, the other "
               "reads its state directory";
    }
    if ((invocation.until_idle || invocation.wait) && !invocation.watch) {
        return std::string(invocation.until_idle ? "--until-idle" : "--wait") +
               " goes with status --watch";
    }
    if (invocation.filter.captured_from != 0 && invocation.filter.captured_to != 0 &&
        invocation.filter.captured_from > invocation.filter.captured_to) {
        return std::string("--from is after --to");
    }
    if (invocation.command == "register") {
        for (const auto& [option, value] :
             {std::pair{"--custodian", &invocation.custodian},
              std::pair{"--officer", &invocation.officer}, std::pair{"--head", &invocation.head}}) {
            if (!*value) return std::string("register needs ") + option;
            if (value->has_value() && (*value)->empty()) {
                return std::string(option) + " must not be empty";
            }
        }
    }
    if (invocation.anchor && invocation.anchor->empty()) {
        return std::string("--anchor needs a file of anchor lines (\"-\": standard input)");
    }
    if (invocation.public_key && invocation.public_key->empty()) {
        return std::string("--public-key needs a PEM file (cradlectl identity prints one)");
    }
    if (invocation.command == "identity") {
        const bool rotate = !invocation.operands.empty();
        if (rotate && invocation.operands.front() != "rotate") {
            return "identity " + invocation.operands.front() +
                   ": unknown; identity or identity rotate";
        }
        if (rotate && (!invocation.reason || invocation.reason->empty())) {
            return std::string("identity rotate needs --reason TEXT (why the key is replaced)");
        }
        if (!rotate && invocation.reason) return std::string("identity takes no --reason");
        if (rotate && invocation.state_dir) {
            return std::string(
                "identity rotate is done by the running daemon: leave out --state-dir");
        }
    }
    if (invocation.command == "retire" && (!invocation.reason || invocation.reason->empty())) {
        return std::string("retire needs --reason TEXT (why the camera leaves service)");
    }
    if (invocation.command == "mark" || invocation.command == "unmark") {
        const std::string& kind = invocation.operands.front();
        std::int64_t id = 0;
        if (kind != "recording" && kind != "device") {
            return invocation.command + " " + kind + ": unknown; " + invocation.command +
                   " recording ID or " + invocation.command + " device SERIAL";
        }
        if (kind == "recording" && (!digits_only(invocation.operands[1]) ||
                                    !parse_number(invocation.operands[1], id) || id <= 0)) {
            return invocation.command +
                   " recording needs the recording's id (from cradlectl "
                   "recordings)";
        }
        if (!invocation.confidential) {
            return invocation.command + " needs --confidential (the one mark there is)";
        }
        if (!invocation.reason || invocation.reason->empty()) {
            return invocation.command + " needs --reason TEXT: it goes on record with the mark";
        }
        if (invocation.state_dir) {
            return invocation.command +
                   " is done by the running daemon, which puts it on record: leave out "
                   "--state-dir";
        }
    }
    if (invocation.command == "export" && invocation.operands.front() == "recording") {
        std::int64_t id = 0;
        if (invocation.operands.size() != 2 || !digits_only(invocation.operands[1]) ||
            !parse_number(invocation.operands[1], id) || id <= 0) {
            return std::string(
                "export recording needs the recording's id (from cradlectl "
                "recordings)");
        }
        if (!invocation.output || invocation.output->empty() || *invocation.output == "-") {
            return std::string(
                "export recording needs -o FILE: a recording is not written to "
                "standard output");
        }
        if (!invocation.reason || invocation.reason->empty()) {
            return std::string(
                "export recording needs --reason TEXT (a case number, a "
                "request): it goes on record with the export");
        }
        if (invocation.state_dir) {
            return std::string(
                "export recording is done by the running daemon, which puts it "
                "on record: leave out --state-dir");
        }
    } else if ((invocation.command == "import" || invocation.command == "export") &&
               invocation.operands.front() != "devices" &&
               invocation.operands.front() != "officers") {
        return invocation.command + " " + invocation.operands.front() + ": unknown; " +
               invocation.command + " devices, " + invocation.command + " officers" +
               (invocation.command == "export" ? " or export recording ID" : "");
    } else if (invocation.command == "export" && invocation.operands.size() > 1) {
        return "export " + invocation.operands.front() + " takes no " + invocation.operands[1];
    } else if (invocation.command == "export" && invocation.reason) {
        return std::string("export devices and export officers take no --reason");
    }
    if (invocation.state_dir) {
        if (invocation.command == "retire" || invocation.command == "import") {
            return invocation.command +
                   " changes the register, which only the running daemon does: leave out "
                   "--state-dir";
        }
        if (invocation.command == "register" || invocation.command == "assign") {
            return invocation.command +
                   " changes the register, which only the running daemon does: leave out "
                   "--state-dir";
        }
        if (invocation.watch)
            return std::string("status --watch needs the running daemon: leave out --state-dir");
    } else if (invocation.public_key || invocation.anchor) {
        return std::string(invocation.public_key ? "verify --public-key" : "verify --anchor") +
               " checks a state directory (or a copy of one) with what you hold: give "
               "--state-dir DIR";
    } else if (invocation.command == "rebuild-catalog") {
        return std::string(
            "rebuild-catalog works on the state directory, with cradled stopped: give "
            "--state-dir DIR (e.g. /var/lib/cradled)");
    }
    return std::nullopt;
}

}  // namespace cradle::ctl
