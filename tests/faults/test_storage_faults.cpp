// SPDX-License-Identifier: Apache-2.0
// I1/I3 against the archive's storage and the catalog: EIO and ENOSPC at every file-system
// operation (once, and from then on), a byte flipped on its way to the disk, and SQLite I/O
// errors at every write of the catalog. Nothing is lost, and a clean second run archives all.
#include "tests/faults/rig.hpp"
#include "tests/support/faulty_fs.hpp"
#include "tests/support/sqlite_fault_vfs.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

namespace cradle::test {
namespace {

int file_system_operations_of_a_clean_run() {
    Rig rig(1, 3, 128 << 10);
    PosixFileSystem posix;
    FaultyFileSystem counting(posix);
    rig.run(&counting);
    return counting.operations();
}

void sweep(int error, FaultyFileSystem::Mode mode) {
    const int total = file_system_operations_of_a_clean_run();
    ASSERT_GT(total, 10);
    for (int op = 1; op <= total; ++op) {
        SCOPED_TRACE("errno " + std::to_string(error) + " at file-system operation " +
                     std::to_string(op) + " of " + std::to_string(total) +
                     (mode == FaultyFileSystem::Mode::forever ? " and after" : " once"));
        Rig rig(1, 3, 128 << 10);
        PosixFileSystem posix;
        FaultyFileSystem faulty(posix);
        faulty.fail_at(op, error, mode);
        try {
            rig.run(&faulty);
        } catch (const std::exception&) {
            // A daemon that cannot even recover its state directory refuses to start: fine.
        }
        ASSERT_EQ(join_problems(rig.loss_problems()), "");
        rig.run_clean();
        ASSERT_EQ(join_problems(rig.invariant_problems()), "");
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
}

TEST(StorageFaults, EioOnceAtEveryFileSystemOperation) {
    sweep(EIO, FaultyFileSystem::Mode::once);
}

TEST(StorageFaults, EioForeverFromEveryFileSystemOperation) {
    sweep(EIO, FaultyFileSystem::Mode::forever);
}

TEST(StorageFaults, EnospcOnceAtEveryFileSystemOperation) {
    sweep(ENOSPC, FaultyFileSystem::Mode::once);
}

TEST(StorageFaults, EnospcForeverFromEveryFileSystemOperation) {
    sweep(ENOSPC, FaultyFileSystem::Mode::forever);
}

TEST(StorageFaults, FlippedByteOnTheWayToDiskIsCaughtByTheReReadAndCopiedAgain) {
    Rig rig(1, 2, 128 << 10);
    PosixFileSystem posix;
    FaultyFileSystem faulty(posix);
    // The first chunk of a recording (the audit journal's lines are shorter).
    faulty.flip_byte_at_write(1, 4096);
    auto reports = rig.run(&faulty);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].archived, 2u) << reports[0].outcome;
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    // The re-read caught the flip (the verify step, not some other failure of the copy), and
    // the recording was copied again: one warning saying both, and no other failed copy.
    std::vector<std::string> failed_copies;
    for (const auto& line : rig.log_lines()) {
        if (line.find("copy attempt") != std::string::npos) failed_copies.push_back(line);
    }
    ASSERT_EQ(failed_copies.size(), 1u) << join_problems(failed_copies);
    EXPECT_NE(failed_copies[0].find("copy attempt 1 failed (verify failed): re-read of the stored "
                                    "copy"),
              std::string::npos)
        << failed_copies[0];
    EXPECT_TRUE(failed_copies[0].ends_with("; copying again")) << failed_copies[0];
}

int sqlite_writes_of_a_clean_run() {
    SqliteFaultVfs::install();
    SqliteFaultVfs::fail_at(0);
    Rig rig(1, 2, 64 << 10);
    int before = SqliteFaultVfs::calls();
    rig.run(nullptr, kFaultVfsName);
    return SqliteFaultVfs::calls() - before;
}

TEST(StorageFaults, SqliteIoErrorAtEveryCatalogWrite) {
    const int total = sqlite_writes_of_a_clean_run();
    ASSERT_GT(total, 10);
    for (int nth = 1; nth <= total; ++nth) {
        SCOPED_TRACE("SQLite I/O error at catalog write " + std::to_string(nth) + " of " +
                     std::to_string(total));
        Rig rig(1, 2, 64 << 10);
        SqliteFaultVfs::fail_at(nth);
        try {
            rig.run(nullptr, kFaultVfsName);
        } catch (const std::exception&) {
            // Refusing to start on a catalog that cannot be written is fine.
        }
        SqliteFaultVfs::fail_at(0);
        ASSERT_EQ(join_problems(rig.loss_problems()), "");
        rig.run_clean();
        ASSERT_EQ(join_problems(rig.invariant_problems()), "");
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
}

}  // namespace
}  // namespace cradle::test
