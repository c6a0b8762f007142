// SPDX-License-Identifier: Apache-2.0
// Runs a fuzz target's entry point over every file of the given directories (or the given
// files), as an ordinary test: a crash, a sanitizer report or a broken codec property fails it.
// Without libFuzzer this is how the committed corpus is checked in every build.
#include "fuzz_entry.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " CORPUS_DIR|FILE...\n";
        return 2;
    }
    try {
        std::vector<fs::path> inputs;
        for (int i = 1; i < argc; ++i) {
            const fs::path path = argv[i];
            if (fs::is_directory(path)) {
                for (const auto& entry : fs::directory_iterator(path)) {
                    if (entry.is_regular_file()) inputs.push_back(entry.path());
                }
            } else {
                inputs.push_back(path);
            }
        }
        // An empty corpus would make the test pass while checking nothing.
        if (inputs.empty()) {
            std::cerr << "no inputs found\n";
            return 1;
        }
        std::sort(inputs.begin(), inputs.end());
        for (const fs::path& input : inputs) {
            const std::vector<std::uint8_t> data = read_file(input);
            // Print first: if the target crashes, the log names the input that did it.
            std::cout << input.filename().string() << " (" << data.size() << " bytes)\n"
                      << std::flush;
            try {
                LLVMFuzzerTestOneInput(data.data(), data.size());
            } catch (const std::exception& error) {
                // Targets catch PtpFormatError only: anything else escaping is a finding.
                std::cerr << input << ": exception escaped the parser: " << error.what() << '\n';
                return 1;
            }
        }
        std::cout << "replayed " << inputs.size() << " inputs\n";
    } catch (const std::exception& error) {
        std::cerr << "replay failed: " << error.what() << '\n';
        return 1;
    }
    return 0;
}
