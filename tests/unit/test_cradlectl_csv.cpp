// SPDX-License-Identifier: Apache-2.0
// The device register as CSV: what `cradlectl import devices` accepts and refuses, and what
// `cradlectl export devices` writes.
#include "cradlectl/register_csv.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace cradle::ctl {
namespace {

std::string all_problems(const DeviceImport& import) {
    std::string text;
    for (const auto& problem : import.problems) text += problem + "\n";
    return text;
}

TEST(CsvParsing, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
    auto records = parse_csv("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x,\r\n\nlast,,\"\"");
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].line, 1u);
    EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b, c", "say \"hi\""}));
    EXPECT_EQ(records[1].line, 2u);
    EXPECT_EQ(records[1].fields, (std::vector<std::string>{"two\nlines", "x", ""}));
    EXPECT_EQ(records[2].line, 5u) << "the blank line is skipped but counted";
    EXPECT_EQ(records[2].fields, (std::vector<std::string>{"last", "", ""}));
}

TEST(CsvParsing, AByteOrderMarkIsSkipped) {
    auto records = parse_csv("\xEF\xBB\xBFserial,custodian\n");
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].fields[0], "serial");
}

TEST(CsvParsing, MalformedQuotingNamesItsLine) {
    try {
        parse_csv("a,b\nc,\"d\"e\n");
        FAIL() << "text after a closing quote was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("line 2:", 0), 0u) << e.what();
    }
    EXPECT_THROW(parse_csv("a,b\nc,d\"e\n"), std::runtime_error);
    try {
        parse_csv("a\n\"open\nnever closed");
        FAIL() << "an unclosed quote was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("line 2:", 0), 0u) << e.what();
    }
}

TEST(CsvWriting, QuotesOnlyWhatMustBeQuoted) {
    EXPECT_EQ(csv_record({"plain", "张伟"}), "plain,张伟\r\n");
    EXPECT_EQ(csv_record({"a, b", "say \"hi\""}), "\"a, b\",\"say \"\"hi\"\"\"\r\n");
    EXPECT_EQ(csv_record({"two\nlines"}), "\"two\nlines\"\r\n");
    EXPECT_EQ(csv_record({"a", "", "b,c"}), "a,,\"b,c\"\r\n");
    // Whatever is written reads back the same.
    std::vector<std::string> fields = {"x", "\"", ",", "\r\n", " lead", "王队长, 一组"};
    auto records = parse_csv(csv_record(fields));
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].fields, fields);
}

TEST(DeviceImport, ReadsChineseNamesAndQuotedCommas) {
    auto import = read_device_import(
        "Serial, Custodian ,officer,HEAD\r\n"
        "BWC-1,张伟,\"李娜, 二组\",王队长\r\n"
        "BWC-2,\"Custodian \"\"Q\"\"\",pool,\"Head, North\"\r\n");
    ASSERT_TRUE(import.problems.empty()) << all_problems(import);
    ASSERT_EQ(import.rows.size(), 2u);
    EXPECT_EQ(import.rows[0].line, 2u);
    EXPECT_EQ(import.rows[0].serial, "BWC-1");
    EXPECT_EQ(import.rows[0].custodian, "张伟");
    EXPECT_EQ(import.rows[0].officer, "李娜, 二组");
    EXPECT_EQ(import.rows[0].head, "王队长");
    EXPECT_EQ(import.rows[1].custodian, "Custodian \"Q\"");
    EXPECT_EQ(import.rows[1].head, "Head, North");
}

TEST(DeviceImport, EveryBadLineIsNamedAndNoRowIsKept) {
    const std::string long_name(129, 'x');
    auto import = read_device_import(
        "serial,custodian,officer,head\n"
        "BWC-1,C,O,H\n"
        "BWC-2,C,O\n"
        "BWC-3,,O,H\n"
        "BWC-1,C,O,H\n"
        "BWC-4,C,\"tab\there\",H\n"
        "BWC-5,C,O," +
        long_name + "\n");
    EXPECT_TRUE(import.rows.empty()) << "an import is applied whole or not at all";
    const std::string problems = all_problems(import);
    ASSERT_EQ(import.problems.size(), 5u) << problems;
    EXPECT_EQ(import.problems[0].rfind("line 3: 3 fields", 0), 0u) << problems;
    EXPECT_EQ(import.problems[1].rfind("line 4: custodian is empty", 0), 0u) << problems;
    EXPECT_EQ(import.problems[2].rfind("line 5: serial BWC-1 is already on line 2", 0), 0u)
        << problems;
    EXPECT_EQ(import.problems[3].rfind("line 6: officer", 0), 0u) << problems;
    EXPECT_EQ(import.problems[4].rfind("line 7: head is longer", 0), 0u) << problems;
}

TEST(DeviceImport, SerialsAreCaseSensitiveAndBlankFieldsAreRefused) {
    // Serials are the cameras' own, compared exactly: two serials differing in case are two
    // cameras.
    auto cased = read_device_import("serial,custodian,officer,head\nBWC-1,C,O,H\nbwc-1,C,O,H\n");
    EXPECT_TRUE(cased.problems.empty()) << all_problems(cased);
    EXPECT_EQ(cased.rows.size(), 2u);
    auto blank = read_device_import("serial,custodian,officer,head\n\"  \",C,O,H\nBWC-2,C, ,H\n");
    const std::string problems = all_problems(blank);
    ASSERT_EQ(blank.problems.size(), 2u) << problems;
    EXPECT_EQ(blank.problems[0].rfind("line 2: serial is blank", 0), 0u) << problems;
    EXPECT_EQ(blank.problems[1].rfind("line 3: officer is blank", 0), 0u) << problems;
    // Invisible characters make one value look like another: refused, named by code point.
    auto invisible = read_device_import(
        "serial,custodian,officer,head\n\xEF\xBB\xBF"
        "BWC-3,C,O,H\n"
        "BWC-4,\xE2\x80\x8B,O,H\nBWC-5,C,\xE3\x80\x80,H\n");
    const std::string said = all_problems(invisible);
    ASSERT_EQ(invisible.problems.size(), 3u) << said;
    EXPECT_EQ(
        invisible.problems[0].rfind("line 2: serial contains an invisible character (U+FEFF)", 0),
        0u)
        << said;
    EXPECT_EQ(invisible.problems[1].rfind("line 3: custodian contains an invisible character "
                                          "(U+200B)",
                                          0),
              0u)
        << said;
    EXPECT_EQ(invisible.problems[2].rfind("line 4: officer is blank", 0), 0u) << said;
}

TEST(DeviceImport, AHeaderIsRequired) {
    auto no_header = read_device_import("BWC-1,C,O,H\n");
    ASSERT_FALSE(no_header.problems.empty());
    EXPECT_EQ(no_header.problems[0].rfind("line 1: the header has no column", 0), 0u);
    EXPECT_FALSE(read_device_import("").problems.empty());
    EXPECT_FALSE(read_device_import("serial,custodian,officer,head\nBWC-1,\"C\n").problems.empty());
    EXPECT_FALSE(
        read_device_import("serial,custodian,officer,head\nBWC-1,C,O,\xff\n").problems.empty())
        << "text that is not UTF-8 is refused";
}

TEST(DeviceExport, IsReadBackByImportSkippingDevicesOnlySeen) {
    DeviceRow registered;
    registered.serial = "BWC-1";
    registered.custodian = "张伟";
    registered.officer = "李娜, 二组";
    registered.head = "王队长";
    registered.model = "BC-1";
    registered.firmware = "1.0";
    registered.registered = true;
    registered.retired = true;
    registered.retired_at = 1714557600;
    registered.last_seen = 1714557500;
    DeviceRow seen;
    seen.serial = "BWC-9";
    seen.model = "BC-1";
    const std::string text = device_export({registered, seen});
    EXPECT_EQ(text,
              "serial,custodian,officer,head,model,firmware,registered,retired,retired_at,"
              "last_seen\r\n"
              "BWC-1,张伟,\"李娜, 二组\",王队长,BC-1,1.0,yes,yes,2024-05-01T10:00:00Z,"
              "2024-05-01T09:58:20Z\r\n"
              "BWC-9,,,,BC-1,,no,no,,\r\n");
    auto import = read_device_import(text);
    ASSERT_TRUE(import.problems.empty()) << all_problems(import);
    ASSERT_EQ(import.rows.size(), 1u);
    EXPECT_EQ(import.rows[0].officer, "李娜, 二组");
}

// A spreadsheet runs a cell that starts with =, +, - or @: an officer's name typed as a formula
// must reach the custodian's spreadsheet as text, guarded as the reports guard theirs, and an
// import of the export must still register what the register holds.
TEST(DeviceExport, GuardsAFormulaLikeCellAndImportsItBackUnchanged) {
    DeviceRow device;
    device.serial = "BWC-1";
    device.custodian = "-";
    device.officer = "=HYPERLINK(\"http://example.invalid\",\"open\")";
    device.head = "@head";
    device.registered = true;
    const std::string text = device_export({device});
    EXPECT_NE(
        text.find("BWC-1,'-,\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"open\"\")\",'@head,"),
        std::string::npos)
        << text;
    const DeviceImport import = read_device_import(text);
    ASSERT_TRUE(import.problems.empty()) << all_problems(import);
    ASSERT_EQ(import.rows.size(), 1u);
    EXPECT_EQ(import.rows[0].custodian, "-");
    EXPECT_EQ(import.rows[0].officer, device.officer);
    EXPECT_EQ(import.rows[0].head, "@head");
}

TEST(DeviceImport, AFieldWrittenWithTheGuardReadsWithoutIt) {
    const DeviceImport import =
        read_device_import("serial,custodian,officer,head\nBWC-1,'+C,O,H\nBWC-2,'C,O,H\n");
    ASSERT_TRUE(import.problems.empty()) << all_problems(import);
    ASSERT_EQ(import.rows.size(), 2u);
    EXPECT_EQ(import.rows[0].custodian, "+C");
    EXPECT_EQ(import.rows[1].custodian, "'C") << "an apostrophe that guards nothing is kept";
}

}  // namespace
}  // namespace cradle::ctl
