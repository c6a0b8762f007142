// SPDX-License-Identifier: Apache-2.0
// Reading JSON in the tests that check JSON output (reports, cradlectl --json) field by field,
// with nlohmann-json.
//
// Read members and elements with at(), never operator[]: at() throws for a missing member or
// element, where operator[] on a mutable value adds a null one. Compare a field as JSON,
// EXPECT_EQ(row.at("wiped"), true): a value of another kind ("4" for 4, 1 for true) is unequal.
// When a field's value is needed as C++, get<std::string>() and get<bool>() throw for a value of
// another kind; numbers and arrays go through the reads below, which do the same.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cradle::test {

using Json = nlohmann::json;

// The one JSON value that `text` holds. Throws for anything RFC 8259 refuses (nlohmann-json's
// parser is strict: no comments, no trailing commas, valid UTF-8 only) and for an object that
// names a member twice, which the library alone would accept, keeping the last.
Json parse_json(std::string_view text);

// A whole number that fits in 64 bits, written as 4 or 4.0. Throws for any other value, where
// get<std::int64_t>() would turn 4.5 into 4 and true into 1.
std::int64_t whole_number(const Json& value);

// Any number. Throws for any other value, where get<double>() would turn true into 1.
double number(const Json& value);

// The elements of an array. Throws for any other value, where a range-for would visit a string
// or a number as an array of one.
const Json::array_t& elements(const Json& value);

}  // namespace cradle::test
