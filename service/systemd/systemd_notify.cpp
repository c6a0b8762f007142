// SPDX-License-Identifier: Apache-2.0
// systemd's notify protocol (sd_notify) and native journal protocol (sd_journal_sendv).
#include "service/systemd/systemd_notify.hpp"

#include "service/systemd/journal_fields.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
// CODE_FILE= and friends would name the build tree's source files: of no use to IT.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace cradle {
namespace {

// Pings the watchdog from the service's loop: if the loop stops turning, the pings stop and
// systemd restarts the service (WatchdogSec= of the unit).
class SystemdNotifier final : public Frontend {
  public:
    SystemdNotifier(ServiceApi& service, std::chrono::microseconds watchdog_interval)
        : timer_(service.io()), interval_(watchdog_interval / 2) {
        const int bays = service.status().bay_count();
        const std::string ready = "READY=1\nSTATUS=Recovery done; serving " + std::to_string(bays) +
                                  " bay(s), archive in " + service.config().state_dir.string();
        notify(service, ready);
        // systemctl status shows the last dock's outcome. Captures nothing that the notifier
        // owns: the listener stays with the service.
        service.on_dock_end([&service](const DockReport& report) {
            std::string line = "STATUS=Last dock: bay " + std::to_string(report.bay) + " " +
                               (report.serial.empty() ? "(unidentified)" : report.serial) + ": " +
                               report.outcome;
            for (char& c : line) {
                if (c == '\n' || c == '\r') c = ' ';
            }
            notify(service, line);
        });
        if (interval_.count() > 0) {
            notify(service, "WATCHDOG=1");
            schedule_ping(service);
        }
    }

    ~SystemdNotifier() override {
        timer_.cancel();
        // The loop has stopped; what is left (workers finishing their chunk, closing the
        // catalog) is covered by TimeoutStopSec=.
        sd_notify(0, "STOPPING=1\nSTATUS=Stopping: unfinished copies resume at the next start");
    }

  private:
    void schedule_ping(ServiceApi& service) {
        timer_.expires_after(interval_);
        // A cancelled wait never touches `this`: the notifier may be gone by then.
        timer_.async_wait([this, &service](const boost::system::error_code& ec) {
            if (ec) return;
            notify(service, "WATCHDOG=1");
            schedule_ping(service);
        });
    }

    static void notify(ServiceApi& service, const std::string& state) {
        const int result = sd_notify(0, state.c_str());
        if (result < 0) {
            service.log().warning({}, "cannot notify systemd (" +
                                          state.substr(0, state.find('\n')) +
                                          "): " + std::strerror(-result));
        }
    }

    boost::asio::steady_timer timer_;
    std::chrono::microseconds interval_;
};

// Whether standard error is the journal's stream for this service (systemd sets JOURNAL_STREAM
// to its device and inode), rather than a terminal or a file it was redirected to.
bool stderr_is_journal_stream() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    unsigned long long device = 0;
    unsigned long long inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat info {};
    if (::fstat(STDERR_FILENO, &info) != 0) return false;
    return static_cast<unsigned long long>(info.st_dev) == device &&
           static_cast<unsigned long long>(info.st_ino) == inode;
}

void send_to_journal(LogLevel level, const LogFields& fields, const std::string& message) {
    const std::vector<std::string> entries = journal_fields(level, fields, message);
    std::vector<iovec> vector;
    vector.reserve(entries.size());
    for (const auto& entry : entries) {
        vector.push_back(iovec{const_cast<char*>(entry.data()), entry.size()});
    }
    if (sd_journal_sendv(vector.data(), static_cast<int>(vector.size())) < 0) {
        // The journal refused the entry (its socket is full, the entry too large): the line
        // still reaches standard error, which systemd also collects, with its priority.
        std::fprintf(stderr, "<%d>%s\n", journal_priority(level),
                     format_log_line(fields, message).c_str());
    }
}

}  // namespace

std::unique_ptr<Frontend> start_systemd_notify(ServiceApi& service) {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    if (socket == nullptr || *socket == '\0') return nullptr;
    std::uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) <= 0) watchdog_usec = 0;
    return std::make_unique<SystemdNotifier>(
        service, std::chrono::microseconds(static_cast<std::int64_t>(watchdog_usec)));
}

Log make_service_log() {
    if (!stderr_is_journal_stream()) return Log();
    return Log(send_to_journal);
}

}  // namespace cradle
