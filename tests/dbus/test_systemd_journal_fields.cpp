// SPDX-License-Identifier: Apache-2.0
// What a log message becomes in the journal: the fields IT filters on.
#include "service/systemd/journal_fields.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cradle {
namespace {

using Fields = std::vector<std::string>;

TEST(JournalFields, MessageAboutOneRecordingCarriesBaySerialAndRecording) {
    const Fields fields =
        journal_fields(LogLevel::warning, LogFields{3, "BWC-0003", 17}, "copy failed, retrying");
    EXPECT_EQ(fields, (Fields{"MESSAGE=bay 3 BWC-0003 recording 17: copy failed, retrying",
                              "PRIORITY=4", "SYSLOG_IDENTIFIER=cradled", "BAY=3",
                              "DEVICE_SERIAL=BWC-0003", "RECORDING_ID=17"}));
}

TEST(JournalFields, OnlyTheFieldsThatAreSetAreSent) {
    EXPECT_EQ(journal_fields(LogLevel::info, {}, "ready"),
              (Fields{"MESSAGE=ready", "PRIORITY=6", "SYSLOG_IDENTIFIER=cradled"}));
    EXPECT_EQ(journal_fields(LogLevel::info, LogFields{2, {}, 0}, "camera removed"),
              (Fields{"MESSAGE=bay 2: camera removed", "PRIORITY=6", "SYSLOG_IDENTIFIER=cradled",
                      "BAY=2"}));
}

TEST(JournalFields, LevelsAreSyslogPriorities) {
    EXPECT_EQ(journal_priority(LogLevel::error), 3);
    EXPECT_EQ(journal_priority(LogLevel::warning), 4);
    EXPECT_EQ(journal_priority(LogLevel::notice), 5);
    EXPECT_EQ(journal_priority(LogLevel::info), 6);
    EXPECT_EQ(journal_priority(LogLevel::debug), 7);
}

TEST(JournalFields, MultiLineMessageStaysOneField) {
    const Fields fields = journal_fields(LogLevel::error, {}, "first\nsecond");
    ASSERT_FALSE(fields.empty());
    EXPECT_EQ(fields.front(), "MESSAGE=first\nsecond");
}

}  // namespace
}  // namespace cradle
