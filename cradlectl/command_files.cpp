#include "cradlectl/command_files.hpp"

#include "cradlectl/commands.hpp"
#include "cradlectl/output_file.hpp"
#include "cradlectl/text_output.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>

namespace cradle::ctl {
namespace {

// Larger than any register or roster IT keeps (10,000 devices are well under 2 MiB), small
// enough that a wrong file named by mistake is refused rather than read whole.
constexpr std::uintmax_t kMaxImportBytes = 16u << 20;

}  // namespace

std::string read_import_file(const std::string& name) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(name, ec);
    if (ec) throw std::runtime_error("cannot read " + name + ": " + ec.message());
    if (size > kMaxImportBytes) {
        throw std::runtime_error(name + " is larger than an import file may be (" +
                                 std::to_string(kMaxImportBytes >> 20) + " MiB)");
    }
    std::ifstream file(name, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file && !file.eof()) throw std::runtime_error("cannot read " + name);
    return text;
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
