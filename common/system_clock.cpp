// SPDX-License-Identifier: Apache-2.0
#include "common/system_clock.hpp"

#include <sys/timex.h>

namespace cradle {

bool system_clock_synchronised() {
    struct timex tx {};
    // A failed call (-1: a sandbox that refuses it) says nothing, so the clock is not trusted.
    const int state = ::ntp_adjtime(&tx);
    return state >= 0 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

}  // namespace cradle
