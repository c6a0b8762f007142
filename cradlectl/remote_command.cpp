// SPDX-License-Identifier: Apache-2.0
// `cradlectl remote ...`: the central archive. `status` reads this cradle's backlog from its
// catalog (read-only, safe while the service runs); `recordings` and `verify` read the bucket
// itself, from any machine whose configuration has a [remote] section and read credentials.
#include "common/command_line.hpp"
#include "common/json.hpp"
#include "common/time_format.hpp"
#include "core/catalog/catalog.hpp"
#include "core/catalog/signing_identity.hpp"
#include "core/config/config.hpp"
#include "core/config/remote_credentials.hpp"
#include "core/remote/remote_listing.hpp"
#include "cradlectl/arguments.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/text_output.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>

namespace cradle::ctl {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRemoteUsage =
    R"(usage: cradlectl remote status [--config FILE] [--state-dir DIR] [--json]
       cradlectl remote recordings [--config FILE] [--cradle ID] [--serial SERIAL]
                                   [--from DATE] [--to DATE] [--json]
       cradlectl remote verify [--config FILE] [--cradle ID] [--sample N]
                               [--public-key FILE]
       cradlectl remote anchors [--config FILE] [--cradle ID]
       cradlectl remote unit-dropin [--config FILE]

  status       this cradle's backlog for the central archive: recordings waiting, the
               oldest of them, the last confirmation, the latest error (from the catalog)
  recordings   every cradle's recordings in the bucket, with the custody facts of their
               records (one request per record)
  verify       read recordings back from the bucket and compare their size and SHA-256
               with their records (and, with --public-key, each record's signature);
               exit status 1 when one differs
  anchors      the anchors of a cradle's audit log stored in the bucket (default: this
               cradle's), one line each, for cradlectl verify --anchor FILE
  unit-dropin  print the systemd drop-in that lets the service reach the central archive
               (its addresses only) and hands it the credentials file; write it to
               /etc/systemd/system/cradled.service.d/central-archive.conf

Options:
  --config FILE    the configuration with the [remote] section (default
                   /etc/cradled/cradled.toml); its credentials file needs read rights only
  --state-dir DIR  the cradle's state directory (default: the configuration's)
  --cradle ID      only this cradle's objects
  --serial SERIAL  only this camera's recordings
  --from, --to     capture times, as DATE in cradlectl --help
  --sample N       verify N recordings picked at random (default: all)
  --public-key FILE  the cradle's public keys (PEM, one or more: each key it has had, as
                   cradlectl identity prints them): every record must carry a signature
                   one of them verifies
  --json           machine-readable output
)";

struct RemoteInvocation {
    std::string subcommand;
    fs::path config_file = "/etc/cradled/cradled.toml";
    std::optional<fs::path> state_dir;
    remote::RemoteFilter filter;
    std::size_t sample = 0;  // 0: all
    std::optional<fs::path> public_keys;
    bool json = false;
    bool help = false;
};

int remote_usage_error(const std::string& message) {
    std::cerr << "cradlectl: remote: " << message << "\n\n" << kRemoteUsage;
    return kExitUsage;
}

std::variant<RemoteInvocation, std::string> parse_remote(int argc, char** argv) {
    OptionNames names;
    names.with_value = {"--config", "--state-dir", "--cradle", "--serial",
                        "--from",   "--to",        "--sample", "--public-key"};
    names.flags = {"--json", "-h", "--help"};
    auto read = read_command_line(std::vector<std::string>(argv, argv + argc), names);
    if (auto* error = std::get_if<std::string>(&read)) return std::move(*error);
    const CommandLine& line = std::get<CommandLine>(read);
    RemoteInvocation invocation;
    std::map<std::string, std::string> given;  // given twice, the last one counts
    for (const GivenOption& option : line.options) {
        if (option.name == "-h" || option.name == "--help") {
            invocation.help = true;
            return invocation;
        }
        given[option.name] = option.value;
    }
    if (line.words.empty()) return std::string("no subcommand given");
    invocation.subcommand = line.words.front();
    if (line.words.size() > 1) return "unexpected argument " + line.words[1];
    static const std::map<std::string, std::vector<std::string>> kTakes = {
        {"status", {"--config", "--state-dir", "--json"}},
        {"recordings", {"--config", "--cradle", "--serial", "--from", "--to", "--json"}},
        {"verify", {"--config", "--cradle", "--sample", "--public-key"}},
        {"anchors", {"--config", "--cradle"}},
        {"unit-dropin", {"--config"}},
    };
    const auto takes = kTakes.find(invocation.subcommand);
    if (takes == kTakes.end()) return "unknown subcommand " + invocation.subcommand;
    for (const auto& [name, value] : given) {
        if (std::find(takes->second.begin(), takes->second.end(), name) == takes->second.end()) {
            return "remote " + invocation.subcommand + " does not take " + name;
        }
    }
    for (const GivenOption& option : line.options) {
        if (option.name == "--json") invocation.json = true;
    }
    if (given.contains("--config")) invocation.config_file = given["--config"];
    if (given.contains("--state-dir")) invocation.state_dir = given["--state-dir"];
    if (given.contains("--cradle")) invocation.filter.cradle_id = given["--cradle"];
    if (given.contains("--public-key")) {
        if (given["--public-key"].empty()) return std::string("--public-key needs a PEM file");
        invocation.public_keys = given["--public-key"];
    }
    if (given.contains("--serial")) invocation.filter.serial = given["--serial"];
    for (const char* name : {"--from", "--to"}) {
        if (!given.contains(name)) continue;
        const bool to = std::string_view(name) == "--to";
        const auto time = parse_time_argument(given[name], to);
        if (!time) return std::string(name) + " " + given[name] + " is not a DATE";
        (to ? invocation.filter.captured_to : invocation.filter.captured_from) = *time;
    }
    if (given.contains("--sample")) {
        const std::string& text = given["--sample"];
        const auto [end, error] =
            std::from_chars(text.data(), text.data() + text.size(), invocation.sample);
        if (error != std::errc{} || end != text.data() + text.size() || invocation.sample == 0) {
            return "--sample must be a whole number above 0";
        }
    }
    const auto& cradle = invocation.filter.cradle_id;
    if (given.contains("--cradle") && (cradle.empty() || cradle.find('/') != std::string::npos ||
                                       cradle == "." || cradle == "..")) {
        return std::string("--cradle must be a cradle's id, as its [remote] cradle_id");
    }
    return invocation;
}

std::string time_or_never(std::int64_t at) {
    return at == 0 ? "never" : utc_iso8601(at);
}

// The host of an endpoint "scheme://host[:port]" ("[v6]" without its brackets).
std::string endpoint_host(const std::string& endpoint) {
    auto host = endpoint.substr(endpoint.find("://") + 3);
    if (host.starts_with("[")) return host.substr(1, host.find(']') - 1);
    return host.substr(0, host.find(':'));
}

// The addresses `host` resolves to now (a literal address: itself).
std::vector<std::string> addresses_of(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int error = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); error != 0) {
        throw std::runtime_error("cannot resolve " + host + ": " + ::gai_strerror(error));
    }
    std::vector<std::string> addresses;
    for (const addrinfo* at = found; at != nullptr; at = at->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        const void* raw = at->ai_family == AF_INET6
                              ? static_cast<const void*>(
                                    &reinterpret_cast<const sockaddr_in6*>(at->ai_addr)->sin6_addr)
                              : &reinterpret_cast<const sockaddr_in*>(at->ai_addr)->sin_addr;
        if (::inet_ntop(at->ai_family, raw, text, sizeof text) == nullptr) continue;
        if (std::find(addresses.begin(), addresses.end(), text) == addresses.end()) {
            addresses.emplace_back(text);
        }
    }
    ::freeaddrinfo(found);
    return addresses;
}

// The name servers of /etc/resolv.conf: a store named by a host name is looked up through
// them, so the service must reach them too.
std::vector<std::string> name_servers() {
    std::vector<std::string> servers;
    std::ifstream in("/etc/resolv.conf");
    std::string word;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        if (words >> word && word == "nameserver" && words >> word) servers.push_back(word);
    }
    return servers;
}

int remote_unit_dropin(const RemoteConfig& remote, std::ostream& out) {
    const std::string host = endpoint_host(remote.endpoint);
    const auto addresses = addresses_of(host);
    in6_addr scratch{};
    const bool literal = ::inet_pton(AF_INET, host.c_str(), &scratch) == 1 ||
                         ::inet_pton(AF_INET6, host.c_str(), &scratch) == 1;
    const auto joined = [](const std::vector<std::string>& words) {
        std::string line;
        for (const auto& word : words) line += (line.empty() ? "" : " ") + word;
        return line;
    };
    out << "# The service reaches the central archive " << remote.endpoint
        << " and no other address.\n"
           "# Written by cradlectl remote unit-dropin; write it again when the store's "
           "addresses change.\n"
           "[Service]\n"
           "RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6\n"
        << "# The store (" << host << ")\nIPAddressAllow=" << joined(addresses) << "\n";
    if (!literal) {
        if (const auto servers = name_servers(); !servers.empty()) {
            out << "# The name servers that resolve " << host
                << "\nIPAddressAllow=" << joined(servers) << "\n";
        }
    }
    out << "# The keys, read by systemd as root and handed to the service alone\n"
        << "LoadCredential=" << remote_credential_name << ":" << remote.credentials_file.string()
        << "\n";
    return kExitOk;
}

int remote_status(const RemoteInvocation& invocation, const Config& config, std::ostream& out) {
    const fs::path state = invocation.state_dir ? *invocation.state_dir : config.state_dir;
    Catalog catalog = Catalog::open_read_only(state / "catalog.sqlite");
    const ReplicationSummary summary = catalog.replication_summary();
    const std::int64_t journal = catalog.journal_replicated_through();
    const std::int64_t audited = catalog.latest_audit_at("remote.audit");
    const bool audit_failed =
        audited != 0 && catalog.latest_audit_at("remote.audit_failed") == audited;
    const RemoteConfig& remote = *config.remote;
    if (invocation.json) {
        out << "{\"endpoint\":" << json_string(remote.endpoint)
            << ",\"bucket\":" << json_string(remote.bucket)
            << ",\"cradle\":" << json_string(remote.cradle_id) << ",\"wipe_after\":"
            << json_string(remote.wipe_after == WipeAfter::remote ? "remote" : "local")
            << ",\"waiting\":" << summary.waiting
            << ",\"oldest_waiting_since\":" << summary.oldest_waiting_since
            << ",\"failing\":" << summary.failing << ",\"replicated\":" << summary.replicated
            << ",\"last_replicated_at\":" << summary.last_replicated_at
            << ",\"last_error\":" << json_string(summary.last_error)
            << ",\"journal_replicated_through\":" << journal
            << ",\"last_remote_audit_at\":" << audited
            << ",\"last_remote_audit_failed\":" << (audit_failed ? "true" : "false") << "}\n";
        return kExitOk;
    }
    out << "central archive: bucket " << remote.bucket << " at " << remote.endpoint
        << ", this cradle as " << remote.cradle_id << ", cameras wiped after the "
        << (remote.wipe_after == WipeAfter::remote ? "central" : "local") << " copy\n";
    out << "waiting:     " << summary.waiting << " recording(s)";
    if (summary.waiting > 0) {
        out << ", the oldest archived " << utc_iso8601(summary.oldest_waiting_since);
    }
    out << "\nfailing:     " << summary.failing << "\n";
    out << "replicated:  " << summary.replicated << ", the last at "
        << time_or_never(summary.last_replicated_at) << "\n";
    out << "journal:     audit entries up to " << journal << " in the central archive\n";
    out << "audit:       " << time_or_never(audited)
        << (audit_failed
                ? ", PROBLEMS found (the service's log and the audit entry remote.audit_failed "
                  "name them)"
                : (audited != 0 ? ", all as archived" : ""))
        << "\n";
    if (!summary.last_error.empty()) out << "last error:  " << summary.last_error << "\n";
    return kExitOk;
}

void recording_json(const remote::RemoteRecording& recording, std::ostream& out) {
    const ArchiveRecord& r = recording.record;
    out << "{\"cradle\":" << json_string(recording.cradle_id)
        << ",\"key\":" << json_string(recording.object_key)
        << ",\"stored\":" << (recording.stored ? "true" : "false")
        << ",\"stored_size\":" << recording.stored_size;
    if (!recording.problem.empty()) {
        out << ",\"problem\":" << json_string(recording.problem) << "}";
        return;
    }
    out << ",\"recording_id\":" << r.recording_id
        << ",\"serial\":" << json_string(r.identity.device_serial)
        << ",\"model\":" << json_string(r.identity.device_model)
        << ",\"officer_id\":" << json_string(r.identity.camera_officer_id)
        << ",\"captured_at\":" << json_string(utc_iso8601(r.captured_unix_s))
        << ",\"archived_at\":" << json_string(utc_iso8601(r.archived_at)) << ",\"size\":" << r.size
        << ",\"sha256\":" << json_string(r.sha256_hex) << "}";
}

int remote_recordings(const RemoteInvocation& invocation, remote::S3Client& client,
                      std::ostream& out) {
    const auto recordings = remote::list_remote_recordings(client, invocation.filter);
    if (invocation.json) {
        out << "[";
        for (std::size_t i = 0; i < recordings.size(); ++i) {
            if (i > 0) out << ",";
            out << "\n  ";
            recording_json(recordings[i], out);
        }
        out << (recordings.empty() ? "]\n" : "\n]\n");
        return kExitOk;
    }
    for (const auto& recording : recordings) {
        const ArchiveRecord& r = recording.record;
        out << recording.cradle_id << "  ";
        if (!recording.problem.empty()) {
            out << recording.object_key << ": " << recording.problem << "\n";
            continue;
        }
        out << utc_iso8601(r.captured_unix_s) << "  " << r.identity.device_serial << "  officer "
            << (r.identity.camera_officer_id.empty() ? "-" : r.identity.camera_officer_id) << "  "
            << r.size << " bytes  sha256 " << r.sha256_hex << "  "
            << (recording.stored ? recording.object_key : recording.object_key + " (missing)")
            << "\n";
    }
    out << recordings.size() << " recording(s)\n";
    return kExitOk;
}

int remote_verify(const RemoteInvocation& invocation, remote::S3Client& client, std::ostream& out) {
    const std::vector<PublicKey> keys = invocation.public_keys
                                            ? read_public_keys(*invocation.public_keys)
                                            : std::vector<PublicKey>{};
    auto recordings = remote::list_remote_recordings(client, invocation.filter);
    if (invocation.sample > 0 && invocation.sample < recordings.size()) {
        std::mt19937_64 random(std::random_device{}());
        std::shuffle(recordings.begin(), recordings.end(), random);
        recordings.resize(invocation.sample);
    }
    std::size_t problems = 0;
    for (const auto& recording : recordings) {
        for (const auto& problem : remote::verify_remote_recording(client, recording, keys)) {
            out << "PROBLEM " << problem << "\n";
            ++problems;
        }
    }
    out << recordings.size() << " recording(s) read back and re-hashed against their records"
        << (keys.empty() ? ""
                         : ", their records' signatures checked with " +
                               std::to_string(keys.size()) + " key(s)")
        << ", " << problems << " problem(s)\n";
    return problems == 0 ? kExitOk : kExitProblems;
}

}  // namespace

int remote_command(int argc, char** argv, std::ostream& out) {
    auto parsed = parse_remote(argc, argv);
    if (const auto* error = std::get_if<std::string>(&parsed)) return remote_usage_error(*error);
    const RemoteInvocation& invocation = std::get<RemoteInvocation>(parsed);
    if (invocation.help) {
        out << kRemoteUsage;
        return kExitOk;
    }
    try {
        const Config config = load_config(invocation.config_file);
        if (!config.remote) {
            std::cerr << "cradlectl: remote: " << invocation.config_file.string()
                      << " has no [remote] section: this cradle replicates to no central "
                         "archive (docs/central-archive.md)\n";
            return kExitUsage;
        }
        if (invocation.subcommand == "status") return remote_status(invocation, config, out);
        if (invocation.subcommand == "unit-dropin") return remote_unit_dropin(*config.remote, out);
        remote::S3Client client(remote_s3_options(*config.remote),
                                load_remote_credentials(*config.remote));
        if (invocation.subcommand == "recordings") {
            return remote_recordings(invocation, client, out);
        }
        if (invocation.subcommand == "anchors") {
            const std::string& cradle = invocation.filter.cradle_id.empty()
                                            ? config.remote->cradle_id
                                            : invocation.filter.cradle_id;
            std::vector<std::string> problems;
            for (const AuditAnchor& anchor :
                 remote::read_remote_anchors(client, cradle, problems)) {
                out << format_anchor(anchor) << '\n';
            }
            for (const std::string& problem : problems) {
                std::cerr << "cradlectl: remote anchors: " << printable(problem) << '\n';
            }
            return problems.empty() ? kExitOk : kExitProblems;
        }
        return remote_verify(invocation, client, out);
    } catch (const ConfigError& e) {
        std::cerr << "cradlectl: remote: configuration: " << e.what() << '\n';
        return kExitUsage;
    } catch (const CatalogError& e) {
        std::cerr << "cradlectl: remote: " << e.what() << '\n';
        return kExitUsage;
    } catch (const remote::S3Error& e) {
        std::cerr << "cradlectl: remote: the central archive: " << e.what() << '\n';
        return kExitProblems;
    } catch (const std::runtime_error& e) {
        std::cerr << "cradlectl: remote: " << e.what() << '\n';
        return kExitProblems;
    }
}

}  // namespace cradle::ctl
