// SPDX-License-Identifier: Apache-2.0
// The service's side of systemd: readiness and watchdog notifications, and the journal.
#pragma once

#include "common/log.hpp"
#include "engine/service_api.hpp"

#include <memory>

namespace cradle {

// Tells systemd READY=1 (with a STATUS= line) and, when the unit has WatchdogSec=, sends
// WATCHDOG=1 from the event loop at half the interval, so that a stuck loop is restarted.
// Sends STOPPING=1 when destroyed. Does nothing when not started by systemd (no
// NOTIFY_SOCKET).
std::unique_ptr<Frontend> start_systemd_notify(ServiceApi& service);

// The daemon's log: straight to the journal with the fields BAY=, DEVICE_SERIAL= and
// RECORDING_ID= (and a PRIORITY=) when standard error is connected to the journal
// (JOURNAL_STREAM), else the default one line per message on standard error.
Log make_service_log();

}  // namespace cradle
