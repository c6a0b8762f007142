// SPDX-License-Identifier: Apache-2.0
// The JSON the tests read back (reports, cradlectl --json) is read strictly: a document that
// RFC 8259 refuses, or an object naming a member twice, fails the test that reads it, and a
// field of the wrong kind is not turned into the kind asked for.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "tests/support/json.hpp"

namespace cradle::test {
namespace {

TEST(JsonReading, ReadsADocumentFieldByField) {
    const Json document = parse_json(
        " {\"name\": \"\\u5f20\\u4f1f \\ud83d\\udcf7\", \"count\": 4, \"ratio\": -0.5e1,"
        " \"on\": true, \"none\": null, \"list\": [1, {\"name\": 2}]}\n");
    EXPECT_EQ(document.at("name"), "张伟 \xF0\x9F\x93\xB7");
    EXPECT_EQ(whole_number(document.at("count")), 4);
    EXPECT_DOUBLE_EQ(number(document.at("ratio")), -5);
    EXPECT_EQ(document.at("on"), true);
    EXPECT_TRUE(document.at("none").is_null());
    ASSERT_EQ(elements(document.at("list")).size(), 2u);
    EXPECT_EQ(whole_number(document.at("list").at(1).at("name")), 2);
    EXPECT_THROW(document.at("missing"), Json::out_of_range);
    EXPECT_THROW(document.at("list").at(2), Json::out_of_range);
}

TEST(JsonReading, RefusesAMemberTwiceInOneObject) {
    EXPECT_THROW(parse_json(R"({"a": 1, "a": 2})"), std::runtime_error);
    EXPECT_THROW(parse_json(R"({"a": 1, "b": {"c": 1, "c": 1}})"), std::runtime_error);
    EXPECT_THROW(parse_json(R"([{"a": {}, "b": 1, "a": []}])"), std::runtime_error);
    // The same name in different objects is no repetition.
    EXPECT_NO_THROW(parse_json(R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]})"));
}

TEST(JsonReading, RefusesWhatJsonDoesNotAllow) {
    for (const std::string text :
         {"", "{", R"({"a": 1,})", "[1, 2,]", "{} {}", "01", "1.", "+1", "NaN", "'text'", "{a: 1}",
          "// note\n{}", "\"tab\t\"", "\"\\x41\"", "\"\\ud800\"", "\"\xFF\"", "tru",
          "{\"a\": \"raw\x01control\"}", R"({"a": 1} {})"}) {
        SCOPED_TRACE(text);
        EXPECT_THROW(parse_json(text), std::exception);
    }
    // Escaped control characters, negative and fractional numbers and the literals are JSON.
    EXPECT_NO_THROW(parse_json(R"({"a": [1, -2, 3.5, "x\n\u0001"], "b": null, "c": true})"));
}

TEST(JsonReading, TypedReadsRefuseAValueOfAnotherKind) {
    EXPECT_EQ(whole_number(parse_json("4.0")), 4);
    EXPECT_EQ(whole_number(parse_json("-9223372036854775808")), INT64_MIN);
    EXPECT_EQ(whole_number(parse_json("9223372036854775807")), INT64_MAX);
    for (const char* text :
         {"4.5", "true", "\"4\"", "null", "[4]", "9223372036854775808", "9.3e18"}) {
        SCOPED_TRACE(text);
        EXPECT_THROW(whole_number(parse_json(text)), std::exception);
    }
    EXPECT_DOUBLE_EQ(number(parse_json("7")), 7);
    EXPECT_THROW(number(parse_json("true")), std::exception);
    EXPECT_THROW(number(parse_json("\"7\"")), std::exception);
    EXPECT_TRUE(elements(parse_json("[]")).empty());
    EXPECT_THROW(elements(parse_json("\"text\"")), std::exception);
    EXPECT_THROW(elements(parse_json("{}")), std::exception);
    EXPECT_THROW(parse_json("1").get<bool>(), std::exception);
    EXPECT_THROW(parse_json("true").get<std::string>(), std::exception);
    // Compared as JSON, a value of another kind is unequal.
    EXPECT_NE(parse_json("\"4\""), 4);
    EXPECT_NE(parse_json("1"), true);
}

}  // namespace
}  // namespace cradle::test
