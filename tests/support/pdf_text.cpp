// SPDX-License-Identifier: Apache-2.0
#include "tests/support/pdf_text.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "tests/support/temp_dir.hpp"

namespace cradle::test {

bool pdftotext_installed() {
    return std::system("command -v pdftotext >/dev/null 2>&1") == 0;
}

std::string pdf_text(const std::string& pdf) {
    TempDir dir;
    const std::filesystem::path pdf_file = dir.path() / "report.pdf";
    const std::filesystem::path text_file = dir.path() / "report.txt";
    std::ofstream(pdf_file, std::ios::binary) << pdf;
    const std::string command =
        "pdftotext -raw -enc UTF-8 '" + pdf_file.string() + "' '" + text_file.string() + "'";
    if (std::system(command.c_str()) != 0) {
        throw std::runtime_error("pdftotext (poppler-utils) failed or is not installed");
    }
    std::ifstream in(text_file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string squeezed;
    for (char c : text) {
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f') squeezed += c;
    }
    return squeezed;
}

}  // namespace cradle::test
