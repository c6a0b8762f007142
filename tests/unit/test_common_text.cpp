// SPDX-License-Identifier: Apache-2.0
// The text helpers every layer shares: badge keys and blank values, the CSV formula guard, JSON
// strings and numbers, and the UTF-8 pieces the PTP codec and the configuration use.
#include "common/csv.hpp"
#include "common/json.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace cradle {
namespace {

TEST(BadgeKey, IgnoresSurroundingWhiteSpaceAndAsciiCase) {
    EXPECT_EQ(badge_key(" A0388\t"), "a0388");
    EXPECT_EQ(badge_key("Ä-7"), "Ä-7") << "letters beyond ASCII are not folded (nor by NOCASE)";
    EXPECT_EQ(badge_key(" \r\n"), "");
}

TEST(BlankText, EachPredicateMeansWhatItsNameSays) {
    EXPECT_TRUE(is_blank_text(""));
    EXPECT_TRUE(is_blank_text(" \t\r\n"));
    EXPECT_FALSE(is_blank_text(" x "));
    EXPECT_TRUE(is_empty_or_spaces("   "));
    EXPECT_FALSE(is_empty_or_spaces(" \t")) << "a tab is a control character, not a space";
}

TEST(CsvFormulaGuard, GuardsWhatASpreadsheetWouldRunAndReadsBackWhatWasGuarded) {
    EXPECT_EQ(guard_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
    EXPECT_EQ(guard_formula("-545 ms"), "'-545 ms");
    EXPECT_EQ(guard_formula("BWC-1"), "BWC-1");
    EXPECT_EQ(guard_formula(""), "");
    for (const std::string value :
         {"=1+1", "+1", "-", "@x", "\tx", "\rx", "plain", "'quoted", ""}) {
        EXPECT_EQ(unguard_formula(guard_formula(value)), value) << value;
    }
    EXPECT_EQ(unguard_formula("'"), "'");
}

TEST(CsvRecord, QuotesOnlyWhatMustBeQuoted) {
    EXPECT_EQ(csv_record({"a", "b,c", "say \"hi\"", ""}), "a,\"b,c\",\"say \"\"hi\"\"\",\r\n");
}

TEST(JsonWriting, EscapesStringsAndWritesNumbersShortest) {
    EXPECT_EQ(json_string("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
    EXPECT_EQ(json_number(1.5), "1.5");
    EXPECT_EQ(json_number(std::numeric_limits<double>::quiet_NaN()), "null");
}

TEST(Utf8, ControlCharactersAreC0DelAndC1) {
    EXPECT_TRUE(has_control_characters("a\x1b[31m"));
    EXPECT_TRUE(has_control_characters("a\x7f"));
    EXPECT_TRUE(has_control_characters("a\xC2\x85"));
    EXPECT_FALSE(has_control_characters("张伟 é"));
    EXPECT_FALSE(has_control_characters("\xff\x85")) << "bytes of no character are not controls";
}

TEST(Utf8, AnIllFormedSequenceIsReplacedByItsLongestValidStart) {
    EXPECT_EQ(ill_formed_utf8_length("\xE4\xB8"
                                     "A"),
              2u);
    EXPECT_EQ(ill_formed_utf8_length("\xFF"), 1u);
    EXPECT_EQ(ill_formed_utf8_length("\xE0\x80\x80"), 1u) << "an overlong form starts nothing";
    EXPECT_EQ(ill_formed_utf8_length("A"), 0u);
    char32_t cp = 0;
    EXPECT_EQ(decode_utf8("\xF0\x9F\x98\x80", cp), 4u);
    EXPECT_EQ(cp, U'\U0001F600');
    EXPECT_EQ(decode_utf8("\xED\xA0\x80", cp), 0u) << "a surrogate is no character";
}

}  // namespace
}  // namespace cradle
