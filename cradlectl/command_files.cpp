// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/command_files.hpp"

#include "common/read_file.hpp"

#include "cradlectl/commands.hpp"
#include "cradlectl/output_file.hpp"
#include "cradlectl/text_output.hpp"

#include <cstddef>
#include <iostream>
#include <stdexcept>

namespace cradle::ctl {
namespace {

// Larger than any register or roster IT keeps (10,000 devices are well under 2 MiB), small
// enough that a wrong file named by mistake is refused rather than read whole.
constexpr std::size_t kMaxImportBytes = 16u << 20;

}  // namespace

std::string read_import_file(const std::string& name) {
    try {
        return read_whole_file(name, kMaxImportBytes);
    } catch (const ReadFileError& error) {
        if (error.kind() == ReadFileError::Kind::too_large) {
            throw std::runtime_error(name + " is larger than an import file may be (" +
                                     std::to_string(kMaxImportBytes >> 20) + " MiB)");
        }
        throw std::runtime_error(error.what());
    }
}

void write_output(const std::optional<std::string>& output, std::ostream& out,
                  const std::string& text) {
    if (!output || output->empty() || *output == "-") {
        out << text;
        return;
    }
    OutputFile file(*output);
    file.commit(text);
}

int refuse_import(const std::string& name, const std::vector<std::string>& problems) {
    for (const std::string& problem : problems) {
        std::cerr << "cradlectl: " << printable(name) << ": " << printable(problem) << '\n';
    }
    std::cerr << "cradlectl: import: nothing applied (" << problems.size()
              << (problems.size() == 1 ? " problem" : " problems")
              << "); correct the file and import it again\n";
    return kExitUsage;
}

}  // namespace cradle::ctl
