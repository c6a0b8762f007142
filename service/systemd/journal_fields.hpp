// SPDX-License-Identifier: Apache-2.0
// What one log message becomes in the journal: the fields of systemd's native protocol, so that
// IT can follow one bay, one camera or one recording (journalctl -u cradled BAY=3). Pure, so
// that the mapping is tested without a journal.
#pragma once

#include "common/log.hpp"

#include <string>
#include <vector>

namespace cradle {

// syslog(3) priority of a level: error 3, warning 4, notice 5, info 6, debug 7.
int journal_priority(LogLevel level) noexcept;

// "MESSAGE=<the log line>", "PRIORITY=<n>", "SYSLOG_IDENTIFIER=cradled", then BAY=,
// DEVICE_SERIAL= and RECORDING_ID= for the fields that are set. MESSAGE carries the same
// "bay 3 BWC-0003 recording 17: ..." line as standard error, so a plain journalctl reads well.
std::vector<std::string> journal_fields(LogLevel level, const LogFields& fields,
                                        const std::string& message);

}  // namespace cradle
