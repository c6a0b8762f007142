// SPDX-License-Identifier: Apache-2.0
#include "core/archive/archive_path.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cradle {
namespace {

TEST(ArchivePath, AcceptsTheGeneratedLayout) {
    EXPECT_TRUE(is_archive_relative_path("2026/11/26/000003/00000021.mp4"));
    EXPECT_TRUE(is_archive_relative_path("a"));
}

TEST(ArchivePath, RefusesAnythingThatCouldLeaveTheArchiveOrAliasAFile) {
    for (std::string path :
         {"", "/etc/passwd", "../x", "2026/../../x", "2026/./x", "2026//x", "2026/x/", ".", ".."}) {
        EXPECT_FALSE(is_archive_relative_path(path)) << path;
    }
    EXPECT_FALSE(is_archive_relative_path(std::string("2026/x\0y", 8)));
}

}  // namespace
}  // namespace cradle
