// SPDX-License-Identifier: Apache-2.0
#include "tests/support/json.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle::test {

Json parse_json(std::string_view text) {
    // The member names seen so far in each object still open, innermost last.
    std::vector<std::set<std::string>> open_objects;
    auto refuse_a_member_twice = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
        switch (event) {
            case Json::parse_event_t::object_start:
                open_objects.emplace_back();
                break;
            case Json::parse_event_t::key:
                if (!open_objects.back().insert(parsed.get<std::string>()).second) {
                    throw std::runtime_error("JSON: member \"" + parsed.get<std::string>() +
                                             "\" twice in one object");
                }
                break;
            case Json::parse_event_t::object_end:
                open_objects.pop_back();
                break;
            default:
                break;
        }
        return true;
    };
    return Json::parse(text, refuse_a_member_twice);
}

std::int64_t whole_number(const Json& value) {
    if (value.is_number_integer() && !value.is_number_unsigned()) {
        return value.get<std::int64_t>();
    }
    if (value.is_number_unsigned()) {
        const auto unsigned_value = value.get<std::uint64_t>();
        if (unsigned_value <=
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return static_cast<std::int64_t>(unsigned_value);
        }
    } else if (value.is_number_float()) {
        const double real = value.get<double>();
        // 2^63 is exact as a double; anything from it on does not fit.
        if (std::trunc(real) == real && real >= -9223372036854775808.0 &&
            real < 9223372036854775808.0) {
            return static_cast<std::int64_t>(real);
        }
    }
    throw std::runtime_error("JSON: " + value.dump() + " is not a whole number");
}

double number(const Json& value) {
    if (!value.is_number()) throw std::runtime_error("JSON: " + value.dump() + " is not a number");
    return value.get<double>();
}

const Json::array_t& elements(const Json& value) {
    return value.get_ref<const Json::array_t&>();
}

}  // namespace cradle::test
