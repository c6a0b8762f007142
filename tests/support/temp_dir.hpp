// SPDX-License-Identifier: Apache-2.0
// A fresh directory under $TMPDIR for one test, removed (read-only files included) at the end.
#pragma once

#include <filesystem>

namespace cradle::test {

class TempDir {
  public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace cradle::test
