// SPDX-License-Identifier: Apache-2.0
#include "tests/support/shell_command.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace cradle::test {

ShellResult run_shell(const std::string& command) {
    ShellResult result;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
    char buffer[4096];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        result.output.append(buffer, got);
    const int status = ::pclose(pipe);
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string built_program(const std::string& name) {
    const char* bin_dir = std::getenv("CRADLED_BIN_DIR");
    if (bin_dir == nullptr) throw std::runtime_error("CRADLED_BIN_DIR is not set");
    return "'" + std::string(bin_dir) + "/" + name + "'";
}

}  // namespace cradle::test
