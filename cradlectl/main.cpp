// cradlectl: the command-line client for custodians and IT.
//
// Offline mode (--state-dir DIR) reads the daemon's state directory directly and read-only;
// it is safe while the daemon runs. The D-Bus mode, talking to the running daemon, comes later.
#include "cradlectl/commands.hpp"
#include "daemon/catalog.hpp"

#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace cradle::ctl;

constexpr std::string_view kUsage =
    R"(usage: cradlectl --state-dir DIR COMMAND [--json]

Commands:
  status       counts of devices and recordings, open dock sessions, last audit entry
  devices      the device register: custodian, officer and responsible head of each camera
  recordings   every recording: state, SHA-256, archive path and times (UTC)
  verify       re-hash the archive and check it against the catalog and the audit log;
               exit status 0 when all is well, 1 when problems were found (a copy in
               progress shows as a staging leftover: verify an idle cradle)

       cradlectl bays learn --bays N [-o FILE] ...
  bays learn   write the bay map: plug a camera into each bay in turn (for IT, with the
               service stopped; `cradlectl bays --help` for its options)

Options:
  --state-dir DIR  read the daemon's state directory (e.g. /var/lib/cradled) directly
  --json           machine-readable output
  -h, --help       show this help

Exit status 2 means bad arguments or a state directory that cannot be read.
)";

struct Arguments {
    std::optional<std::string> state_dir;
    std::optional<std::string> command;
    bool json = false;
    bool help = false;
};

int usage_error(const std::string& message) {
    std::cerr << "cradlectl: " << message << "\n\n" << kUsage;
    return kExitUsage;
}

// Returns an error message, or nothing when the arguments parsed.
std::optional<std::string> parse(int argc, char** argv, Arguments& arguments) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            arguments.help = true;
        } else if (arg == "--json") {
            arguments.json = true;
        } else if (arg == "--state-dir" || arg.starts_with("--state-dir=")) {
            std::string value;
            if (arg == "--state-dir") {
                if (i + 1 >= argc) return "--state-dir needs a directory";
                value = argv[++i];
            } else {
                value = std::string(arg.substr(std::string_view("--state-dir=").size()));
            }
            if (value.empty()) return "--state-dir needs a directory";
            if (arguments.state_dir) return "--state-dir given twice";
            arguments.state_dir = value;
        } else if (arg.starts_with("-")) {
            return "unknown option " + std::string(arg);
        } else if (arguments.command) {
            return "unexpected argument " + std::string(arg);
        } else {
            arguments.command = std::string(arg);
        }
    }
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    // `bays` has its own arguments and needs no state directory.
    if (argc >= 2 && std::string_view(argv[1]) == "bays") {
        const int status = bays_command(argc - 2, argv + 2, std::cout);
        std::cout.flush();
        return std::cout ? status : kExitUsage;
    }
    Arguments arguments;
    if (auto error = parse(argc, argv, arguments)) return usage_error(*error);
    if (arguments.help) {
        std::cout << kUsage;
        return kExitOk;
    }
    if (!arguments.command) return usage_error("no command given");

    using Command = int (*)(const OfflineOptions&, std::ostream&);
    Command command = nullptr;
    if (*arguments.command == "status") command = show_status;
    if (*arguments.command == "devices") command = show_devices;
    if (*arguments.command == "recordings") command = show_recordings;
    if (*arguments.command == "verify") command = verify;
    if (command == nullptr) return usage_error("unknown command " + *arguments.command);

    if (!arguments.state_dir) {
        std::cerr << "cradlectl: the D-Bus mode is not available yet; use --state-dir DIR\n";
        return kExitUsage;
    }

    OfflineOptions options{*arguments.state_dir, arguments.json};
    int status = kExitUsage;
    try {
        status = command(options, std::cout);
    } catch (const cradle::CatalogError& error) {
        std::cerr << "cradlectl: " << error.what() << '\n';
        return kExitUsage;
    } catch (const std::exception& error) {
        std::cerr << "cradlectl: " << *arguments.command << ": " << error.what() << '\n';
        return kExitUsage;
    }
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "cradlectl: cannot write the output\n";
        return kExitUsage;
    }
    return status;
}
