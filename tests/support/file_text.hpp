// SPDX-License-Identifier: Apache-2.0
// The whole of a file as one string, for a test that checks what was written to it: "" when
// the file cannot be opened. Unbounded, unlike common/read_file.hpp: a test reads its own files.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace cradle::test {

inline std::string file_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace cradle::test
