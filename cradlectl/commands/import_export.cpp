// SPDX-License-Identifier: Apache-2.0
// import and export of the register (devices) and the officers' roster (officers), as CSV, and
// the export of a recording's file. An import is checked whole before anything is applied;
// the running daemon applies it.
#include "common/atomic_file.hpp"
#include "common/sha256.hpp"
#include "cradlectl/command_files.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/officer_csv.hpp"
#include "cradlectl/register_csv.hpp"
#include "cradlectl/text_output.hpp"

#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace cradle::ctl {
namespace {

bool officers_named(const Invocation& invocation) {
    return invocation.operands.front() == "officers";
}

// One register change per new or changed row; rows the register already holds as they are
// are left alone.
int import_devices(const std::string& file, DataSource& source, std::ostream& out) {
    const DeviceImport import = read_device_import(read_import_file(file));
    if (!import.problems.empty()) return refuse_import(file, import.problems);
    std::map<std::string, DeviceRow> current;
    for (DeviceRow& device : source.devices()) current[device.serial] = std::move(device);
    std::size_t changed = 0;
    std::size_t unchanged = 0;
    for (const DeviceImportRow& row : import.rows) {
        auto found = current.find(row.serial);
        if (found != current.end() && found->second.registered &&
            found->second.custodian == row.custodian && found->second.officer == row.officer &&
            found->second.head == row.head) {
            ++unchanged;
            continue;
        }
        try {
            source.register_device(row.serial, row.custodian, row.officer, row.head);
        } catch (const BusClientError&) {
            std::cerr << "cradlectl: " << printable(file) << ": line " << row.line << " ("
                      << printable(row.serial) << ") was not applied; " << changed
                      << " earlier changed rows were\n";
            throw;
        }
        ++changed;
    }
    out << "import: " << changed << (changed == 1 ? " device" : " devices")
        << " registered or changed, " << unchanged << " unchanged\n";
    return kExitOk;
}

// One import of the whole roster: the daemon applies all or none.
int import_officers(const std::string& file, DataSource& source, std::ostream& out) {
    const OfficerImport import = read_officer_import(read_import_file(file));
    if (!import.problems.empty()) return refuse_import(file, import.problems);
    std::vector<reports::OfficerFacts> officers;
    officers.reserve(import.rows.size());
    for (const OfficerImportRow& row : import.rows) {
        officers.push_back(reports::OfficerFacts{row.badge, row.name, row.team});
    }
    const std::uint32_t changed = source.import_officers(officers);
    const std::size_t unchanged = officers.size() - changed;
    out << "import: " << changed << (changed == 1 ? " officer" : " officers")
        << " added or changed, " << unchanged << " unchanged\n";
    return kExitOk;
}

}  // namespace

int import_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const std::string& file = invocation.operands.at(1);
    return officers_named(invocation) ? import_officers(file, source, out)
                                      : import_devices(file, source, out);
}

// Copies an archived recording out through the descriptor the daemon hands over: into a
// temporary file beside the target, which takes the target's name only once its size and
// SHA-256 match the catalog's. A copy that does not match is removed and the command fails.
int export_recording(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const std::int64_t id = std::stoll(invocation.operands.at(1));
    const OpenedRecording opened = source.open_recording(id, *invocation.reason);
    AtomicFile copy(*invocation.output, 0600);
    Sha256 hash;
    std::uint64_t copied = 0;
    std::vector<char> buffer(1 << 20);
    for (;;) {
        const ssize_t got = ::read(opened.file.get(), buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            throw std::system_error(errno, std::generic_category(),
                                    "reading recording " + std::to_string(id));
        }
        if (got == 0) break;
        const std::string_view chunk(buffer.data(), static_cast<std::size_t>(got));
        hash.update(chunk);
        copy.write(chunk);
        copied += static_cast<std::uint64_t>(got);
    }
    const std::string digest = hash.hex_digest();
    if (copied != opened.size || digest != opened.sha256_hex) {
        std::cerr << "cradlectl: recording " << id << ": the copy (" << copied << " bytes, SHA-256 "
                  << digest << ") differs from the catalog (" << opened.size << " bytes, SHA-256 "
                  << opened.sha256_hex << "); nothing was written: run cradlectl verify\n";
        return kExitProblems;
    }
    copy.commit();
    out << "exported recording " << id << " (" << printable(opened.name) << ", " << copied
        << " bytes) to " << printable(*invocation.output) << "\nsha256 " << digest
        << " (matches the catalog)\n";
    return kExitOk;
}

int export_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    if (invocation.operands.front() == "recording")
        return export_recording(invocation, source, out);
    const std::string text = officers_named(invocation) ? officer_export(source.officers())
                                                        : device_export(source.devices());
    write_output(invocation.output, out, text);
    return kExitOk;
}

}  // namespace cradle::ctl
