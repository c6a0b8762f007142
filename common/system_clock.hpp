// SPDX-License-Identifier: Apache-2.0
// The cradle's own clock, as the kernel reports it.
#pragma once

namespace cradle {

// Whether the system clock is synchronised (NTP, as the kernel reports it). A kernel or sandbox
// that refuses the question gets "no": the clock is not trusted then.
bool system_clock_synchronised();

}  // namespace cradle
