// SPDX-License-Identifier: Apache-2.0
// cradlectl: the command-line client for custodians and IT.
//
// By default it talks to the running daemon over D-Bus (the system bus, or --bus ADDRESS).
// With --state-dir DIR it reads the daemon's state directory directly and read-only, for
// recovery when the daemon cannot run; that is safe while the daemon runs too.
#include "core/catalog/catalog.hpp"
#include "cradlectl/arguments.hpp"
#include "cradlectl/bus_client.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/output_file.hpp"
#include "cradlectl/text_output.hpp"
#include "reports/translation.hpp"

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <variant>

#ifndef CRADLED_VERSION
#define CRADLED_VERSION "unknown"
#endif

namespace {

using namespace cradle::ctl;

constexpr std::string_view kUsage =
    R"(usage: cradlectl [--bus ADDRESS | --state-dir DIR] COMMAND [OPTIONS]

Commands (the running daemon, over D-Bus):
  status [--json]          every bay: phase, camera, progress, rate, time left, outcome
  status --watch [--until-idle] [--wait] [--json]
                           the same, live: redrawn on a terminal, one line per change
                           otherwise; ends on Ctrl-C, when cradled stops, or with
                           --until-idle once every bay is empty or done (after a dock);
                           --wait: wait for cradled to come onto the bus
  devices [--json]         the device register and every camera the cradle has seen
  device SERIAL [--json]   one device's entry and the outcome of its last dock
  recordings [--serial SERIAL] [--from DATE] [--to DATE] [--limit N] [--json]
                           recordings in the catalog: state, SHA-256, archive path, times
  verify [--json]          re-hash the archive against the catalog and the audit log, and
                           list what start-up recovery put into quarantine; exit status 1
                           when problems were found
  verify --public-key FILE (with --state-dir) also check that the audit log is signed from
                           its start by that key (what `identity` printed at install)
  identity [--json]        the public key that signs the audit log, and its fingerprint
  identity rotate --reason TEXT
                           replace the signing key: the current key signs an entry naming
                           the new one, which signs everything after it (root)

Commands (offline only, --state-dir DIR, with cradled stopped):
  rebuild-catalog          build the catalog from the archive alone (each file re-hashed
                           against its record, the audit log from the archive's journal),
                           when cradled says the catalog is behind the archive; refuses if a
                           catalog exists (move it aside first); changes nothing in the
                           archive; exit status 1 when files disagreed with their records
  register SERIAL --custodian NAME --officer NAME --head NAME
                           register a camera or replace its entry (the custodian role)
  assign SERIAL OFFICER    assign a registered camera to an officer ("pool" for none)
  retire SERIAL --reason TEXT
                           take a camera out of service (the custodian role); `register`
                           puts it back
  history [SERIAL] [--from DATE] [--to DATE] [--json]
                           the register's changes: when, what, who, what it was before
  import devices FILE.csv  register or change every camera listed (columns serial,custodian,
                           officer,head; UTF-8, RFC 4180); nothing is applied when a line is
                           wrong (the custodian role)
  export devices [-o FILE] the register as CSV: those columns and model, firmware,
                           registered, retired, retired_at, last_seen
  import officers FILE.csv add or update the officers' roster (columns badge,name,team; the
                           badge is the ID a camera reports); nothing is applied when a line
                           is wrong (the custodian role)
  export officers [-o FILE]
                           the roster as CSV: badge, name, team, updated_at
  export recording ID -o FILE --reason TEXT
                           copy an archived recording out, checked against its SHA-256;
                           on record with the reason (custodians, IT)
  mark recording ID|device SERIAL --confidential --reason TEXT
  unmark recording ID|device SERIAL --confidential --reason TEXT
                           mark a recording, or every recording of a device, confidential
                           (or take the mark back): their facts are then withheld from
                           whoever lacks org.cradled.read-confidential (IT)
  report assignments [--from DAY] [--to DAY] [--format pdf|csv|json] [-o FILE]
                           the Article 6 device-assignment report: each device's custodian,
                           officer, head, last dock, readiness; unregistered cameras; the
                           register's changes; attribution disagreements (default period:
                           the first of this month to today)
  report dock [--date DAY] [--format pdf|csv|json] [-o FILE]
                           what each camera offloaded and wiped on one day (default today),
                           with readiness and clock corrections

       cradlectl bays learn --bays N [-o FILE] ...
  bays learn   write the bay map: plug a camera into each bay in turn (for IT, with the
               service stopped; `cradlectl bays --help` for its options)

       cradlectl remote status|recordings|verify [--config FILE] ...
  remote       the central archive: this cradle's backlog, every cradle's recordings in
               the bucket, and a re-hash of them against their records
               (`cradlectl remote --help` for its options)

Options:
  --bus ADDRESS    the D-Bus address of the daemon's bus (default: the system bus;
                   DBUS_SYSTEM_BUS_ADDRESS is honoured)
  --state-dir DIR  offline: read the state directory (e.g. /var/lib/cradled) directly;
                   status, devices, device, recordings, verify, identity, history,
                   export, report and rebuild-catalog only
  --json           machine-readable output (field names: cradlectl(1))
  DATE             2024-05-01, 2024-05-01T10:00:00Z or @UNIX-SECONDS, in UTC
  DAY              a local date, 2026-03-29 (a report's --from and --to are whole days)
  --format F       pdf, csv or json; default: the -o FILE's extension, else csv (a PDF is
                   never written to a terminal); the language follows the locale
                   (LANGUAGE=zh_CN for Chinese), times in the reader's time zone (TZ)
  -h, --help       show this help
  --version        print the version

Exit status: 0 success; 1 verify found problems, or the daemon could not do it; 2 usage
error, unreadable state directory or unwritable -o FILE; 3 cradled not reachable;
4 permission denied; 5 no such device.
)";

int usage_error(const std::string& message) {
    std::cerr << "cradlectl: " << message << "\n\n" << kUsage;
    return kExitUsage;
}

int exit_status_of(const BusClientError& error) {
    switch (error.failure()) {
        case BusFailure::unreachable:
            return kExitUnreachable;
        case BusFailure::access_denied:
            return kExitDenied;
        case BusFailure::no_such_device:
            return kExitNoSuchDevice;
        case BusFailure::invalid_args:
            return kExitUsage;
        case BusFailure::failed:
            return kExitProblems;
    }
    return kExitProblems;
}

// Offline, what the state directory's source fails with: no such device (5); a catalog that
// cannot be read, or anything else (2), but a report that cannot be built (1, as over the bus);
// a change, which only the daemon makes (a usage error).
int run_offline(const Invocation& invocation) {
    const Command command = find_command(invocation.command);
    if (command == nullptr) return usage_error(invocation.command + " needs the running daemon");
    const auto source = make_state_dir_source(*invocation.state_dir);
    try {
        return command(invocation, *source, std::cout);
    } catch (const NeedsDaemon& error) {
        return usage_error(error.what());
    } catch (const NoSuchDevice& error) {
        std::cerr << "cradlectl: " << error.what() << '\n';
        return kExitNoSuchDevice;
    } catch (const cradle::CatalogError& error) {
        std::cerr << "cradlectl: " << error.what() << '\n';
        return kExitUsage;
    } catch (const std::exception& error) {
        std::cerr << "cradlectl: " << invocation.command << ": " << error.what() << '\n';
        return invocation.command == "report" ? kExitProblems : kExitUsage;
    }
}

// Over the bus, what the daemon or the bus fails with, by BusFailure (exit_status_of).
int run_on_bus(const Invocation& invocation) {
    const Command command = find_command(invocation.command);
    if (command == nullptr) return usage_error("unknown command " + invocation.command);
    const auto source = make_bus_source(invocation.bus_address);
    try {
        return command(invocation, *source, std::cout);
    } catch (const BusClientError& error) {
        std::cout.flush();
        std::string text = error.what();
        if (error.failure() == BusFailure::access_denied) {
            text = "permission denied: " + text;
            if (text.find("group") == std::string::npos) {
                text +=
                    " (the rights are polkit actions that the groups cradle-custodian, "
                    "cradle-auditor and cradle-admin hold; see docs/access.md)";
            }
        }
        std::cerr << "cradlectl: " << printable(text) << '\n';
        return exit_status_of(error);
    } catch (const OutputError& error) {
        std::cerr << "cradlectl: " << printable(error.what()) << '\n';
        return kExitUsage;
    } catch (const std::exception& error) {
        std::cerr << "cradlectl: " << invocation.command << ": " << error.what() << '\n';
        return kExitProblems;
    }
}

}  // namespace

int main(int argc, char** argv) {
    // `bays` has its own arguments and needs neither the daemon nor a state directory.
    if (argc >= 2 && std::string_view(argv[1]) == "bays") {
        const int status = bays_command(argc - 2, argv + 2, std::cout);
        std::cout.flush();
        return std::cout ? status : kExitUsage;
    }
    if (argc >= 2 && std::string_view(argv[1]) == "remote") {
        const int status = remote_command(argc - 2, argv + 2, std::cout);
        std::cout.flush();
        return std::cout ? status : kExitUsage;
    }
    // The reports' texts follow the reader's locale. CRADLED_LOCALE_DIR points at message
    // catalogs other than the installed ones (a build tree's).
    const char* catalogs = std::getenv("CRADLED_LOCALE_DIR");
    if (catalogs != nullptr && *catalogs != '\0') {
        cradle::reports::use_language_from_environment(catalogs);
    } else {
        cradle::reports::use_language_from_environment();
    }
    auto parsed = parse_invocation(argc, argv);
    if (auto* error = std::get_if<std::string>(&parsed)) return usage_error(*error);
    const Invocation& invocation = std::get<Invocation>(parsed);
    if (invocation.help) {
        std::cout << kUsage;
        return kExitOk;
    }
    if (invocation.version) {
        std::cout << "cradlectl " CRADLED_VERSION "\n";
        return kExitOk;
    }
    const int status = invocation.state_dir ? run_offline(invocation) : run_on_bus(invocation);
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "cradlectl: cannot write the output\n";
        return kExitUsage;
    }
    return status;
}
