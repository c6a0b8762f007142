// SPDX-License-Identifier: Apache-2.0
// Runs a command line with /bin/sh for a test that checks a program's output and exit status.
#pragma once

#include <string>

namespace cradle::test {

struct ShellResult {
    int exit_status = -1;  // -1 when the command did not exit normally
    std::string output;    // its standard output ("2>&1" in the command adds standard error)
};

// Throws std::runtime_error when the shell cannot be started.
ShellResult run_shell(const std::string& command);

// A program built with the tests, quoted for the shell (from CRADLED_BIN_DIR, which ctest
// sets); throws when CRADLED_BIN_DIR is not set.
std::string built_program(const std::string& name);

}  // namespace cradle::test
