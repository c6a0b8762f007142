// SPDX-License-Identifier: Apache-2.0
// An SQLite VFS shim over the default VFS that fails I/O (xWrite, xSync, xTruncate) at call N
// with SQLITE_IOERR, once or from then on. Registered under kFaultVfsName; pass that name to
// Catalog's constructor.
#pragma once

namespace cradle::test {

inline constexpr const char* kFaultVfsName = "cradled-fault";

struct SqliteFaultVfs {
    // Registers the VFS (idempotent).
    static void install();
    // Arms the fault: the `nth` write-side call from now on fails (and with forever=true all
    // later ones too). nth = 0 disarms.
    static void fail_at(int nth, bool forever = false);
    static int calls();
};

}  // namespace cradle::test
