// SPDX-License-Identifier: Apache-2.0
// cradle-emulate: runs a program with emulated body cameras attached as USB devices.
//
//   cradle-emulate [--cameras N] [--storage DIR] [--recordings K] [--megabytes M] -- COMMAND...
//
// The cameras (footage as in the demonstration cradle) sit in ports 1-1.1 .. 1-1.N of an
// emulated hub. COMMAND runs with umockdev's preload library and UMOCKDEV_DIR, so libusb (the
// daemon's, or any third-party PTP tool's) finds them; this process answers their USB traffic
// until COMMAND exits, and exits with its status. Camera storage goes to DIR (kept, so that a
// second run sees what the first left on the cameras), else to a temporary directory.
#include "sim/umockdev/emulated_usb_cameras.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

extern char** environ;

namespace {

namespace usb = cradle::hw::sim::usb;

constexpr const char* kUsage =
    "usage: cradle-emulate [--cameras N] [--storage DIR] [--recordings K] [--megabytes M] -- "
    "COMMAND [ARG...]\n"
    "Runs COMMAND with N emulated cameras (1..7, default 4) attached as USB devices.\n";

struct Options {
    int cameras = 4;
    int recordings = 10;
    std::uint64_t megabytes = 100;
    std::optional<std::filesystem::path> storage;
    std::vector<std::string> command;
};

std::optional<long> parse_number(const char* text, long low, long high) {
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < low || value > high)
        return std::nullopt;
    return value;
}

// Returns the options, or an error message.
std::variant<Options, std::string> parse(int argc, char** argv) {
    Options options;
    int i = 1;
    for (; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (i + 1 >= argc) return "missing value or command after " + arg;
        const char* value = argv[++i];
        if (arg == "--cameras") {
            auto n = parse_number(value, 1, usb::EmulatedUsbBus::kHubPorts);
            if (!n) return std::string("--cameras takes 1..7");
            options.cameras = static_cast<int>(*n);
        } else if (arg == "--recordings") {
            auto n = parse_number(value, 0, 10000);
            if (!n) return std::string("--recordings takes 0..10000");
            options.recordings = static_cast<int>(*n);
        } else if (arg == "--megabytes") {
            auto n = parse_number(value, 0, 1 << 20);
            if (!n) return std::string("--megabytes takes 0..1048576");
            options.megabytes = static_cast<std::uint64_t>(*n);
        } else if (arg == "--storage") {
            options.storage = value;
        } else {
            return "unknown option " + arg;
        }
    }
    for (; i < argc; ++i) options.command.emplace_back(argv[i]);
    if (options.command.empty()) return std::string("no command to run");
    return options;
}

// The child's environment: ours (UMOCKDEV_DIR included, set by the test bed) with umockdev's
// preload library in front. Built before fork, as the child may only exec.
std::vector<std::string> child_environment() {
    std::vector<std::string> env;
    std::string preload = "libumockdev-preload.so.0";
    std::string asan = "verify_asan_link_order=0";
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string text = *entry;
        if (text.rfind("LD_PRELOAD=", 0) == 0) {
            if (text.size() > 11) preload += ":" + text.substr(11);
        } else if (text.rfind("ASAN_OPTIONS=", 0) == 0) {
            if (text.size() > 13) asan = text.substr(13) + ":" + asan;
        } else {
            env.push_back(std::move(text));
        }
    }
    env.push_back("LD_PRELOAD=" + preload);
    // A sanitizer-built program would otherwise refuse to start behind the preload library.
    env.push_back("ASAN_OPTIONS=" + asan);
    return env;
}

volatile sig_atomic_t child_pid = 0;

void forward_signal(int signal) {
    if (child_pid > 0) kill(child_pid, signal);
}

int run(const Options& options, const std::filesystem::path& storage) {
    usb::EmulatedUsbCameras cameras(
        usb::demo_camera_specs(options.cameras, options.recordings, options.megabytes << 20),
        storage);
    for (std::size_t i = 0; i < cameras.size(); ++i) {
        std::cerr << "cradle-emulate: " << usb::EmulatedUsbCameras::port_name(i) << "  "
                  << cameras.spec(i).serial << "  "
                  << cameras.bus().device_node(static_cast<int>(i) + 1) << "\n";
    }

    std::vector<std::string> env = child_environment();
    std::vector<char*> envp;
    for (auto& entry : env) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<std::string> command = options.command;
    std::vector<char*> args;
    for (auto& arg : command) args.push_back(arg.data());
    args.push_back(nullptr);

    const pid_t pid = fork();
    if (pid < 0) {
        std::cerr << "cradle-emulate: fork: " << std::strerror(errno) << "\n";
        return 1;
    }
    if (pid == 0) {
        execvpe(args[0], args.data(), envp.data());
        const char message[] = "cradle-emulate: cannot run the command\n";
        if (write(STDERR_FILENO, message, sizeof message - 1) < 0) _exit(127);
        _exit(127);
    }
    child_pid = pid;
    struct sigaction action {};
    action.sa_handler = forward_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGHUP, &action, nullptr);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            std::cerr << "cradle-emulate: waitpid: " << std::strerror(errno) << "\n";
            return 1;
        }
    }
    child_pid = 0;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        std::cerr << "cradle-emulate: " << *error << "\n" << kUsage;
        return 2;
    }
    const auto& options = std::get<Options>(parsed);

    std::filesystem::path storage;
    bool temporary = false;
    if (options.storage) {
        storage = *options.storage;
    } else {
        std::string pattern = (std::filesystem::temp_directory_path() / "cradle-emulate.XXXXXX");
        if (mkdtemp(pattern.data()) == nullptr) {
            std::cerr << "cradle-emulate: cannot create a temporary directory: "
                      << std::strerror(errno) << "\n";
            return 1;
        }
        storage = pattern;
        temporary = true;
    }

    int status = 1;
    try {
        std::filesystem::create_directories(storage);
        status = run(options, storage);
    } catch (const std::exception& error) {
        std::cerr << "cradle-emulate: " << error.what() << "\n";
    }
    if (temporary) {
        std::error_code ignored;
        std::filesystem::remove_all(storage, ignored);
    }
    return status;
}
