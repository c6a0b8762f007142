// SPDX-License-Identifier: Apache-2.0
// Report benchmark: the facts of the assignment report (a 30-day period) and of the dock report
// (one day) read from a register of --devices cameras, each docked once a day for --days days
// (a health check, a clock sync, a readiness verdict and --recordings recordings per dock),
// then the reports built and rendered. The baselines, measured in the same run: SELECT count(*)
// FROM dock_sessions on the same file, a scan that grows with the years of history, where the
// reports should grow only with the number of cameras; and the same assignment facts on a
// catalog of the same cameras with one month of history.
//
// Usage: bench_reports [--dir DIR] [--devices N] [--days D] [--recordings K] [--rounds R]
//                      [--no-pdf]
// The catalog is built once in DIR (default build/bench-reports) and kept for later runs with
// the same sizes; the default sizes take about 4 GB. Each timing is the median of R rounds
// (default 5), each with a freshly opened read-only catalog, as cradlectl --state-dir opens it
// (the page cache is warm: the catalog was just read or written).
// A second baseline is the assignment facts of the same cameras with 31 days of history (a
// second, smaller catalog). The last two lines are count_ratio=<assignment facts / count(*)> and
// ratio=<assignment facts with D days of history / with 31 days>: about 1 when the reports are
// read by index, whatever the years behind them.

#include "core/catalog/catalog.hpp"
#include "core/catalog/report_queries.hpp"
#include "reports/builders.hpp"
#include "reports/csv.hpp"
#include "reports/json.hpp"
#include "reports/pdf.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kDaySeconds = 86400;
constexpr std::int64_t kFirstDay = 1743465600;  // 2025-04-01T00:00:00Z
constexpr double kGoalSeconds = 1.0;
constexpr int kMonthOfHistory = 31;

struct BenchOptions {
    fs::path dir = "build/bench-reports";
    int devices = 10000;
    int days = 365;
    int recordings = 3;
    int rounds = 5;
    bool pdf = true;
};

BenchOptions parse_options(int argc, char** argv) {
    BenchOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--no-pdf") {
            options.pdf = false;
            continue;
        }
        if (i + 1 >= argc) throw std::invalid_argument("missing value after " + flag);
        const std::string value = argv[++i];
        if (flag == "--dir") {
            options.dir = value;
        } else if (flag == "--devices") {
            options.devices = std::stoi(value);
        } else if (flag == "--days") {
            options.days = std::stoi(value);
        } else if (flag == "--recordings") {
            options.recordings = std::stoi(value);
        } else if (flag == "--rounds") {
            options.rounds = std::stoi(value);
        } else {
            throw std::invalid_argument("unknown option " + flag);
        }
    }
    if (options.devices < 1 || options.days < 31 || options.recordings < 0 || options.rounds < 1) {
        throw std::invalid_argument(
            "need --devices >= 1, --days >= 31, --recordings >= 0, --rounds >= 1");
    }
    return options;
}

// ---- Bulk load: straight into the catalog's tables, for speed; not a product path ----------

struct DatabaseCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};

class BulkDb {
  public:
    // A reader opens the file as cradlectl does when no daemon has it open: immutable.
    explicit BulkDb(const fs::path& file, bool reader = false) {
        sqlite3* raw = nullptr;
        const std::string name = reader ? "file:" + file.string() + "?immutable=1" : file.string();
        int rc = sqlite3_open_v2(
            name.c_str(), &raw,
            reader ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READWRITE, nullptr);
        db_.reset(raw);
        if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + file.string());
    }
    void exec(const std::string& sql) {
        char* error = nullptr;
        if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            std::string message = error != nullptr ? error : "failed";
            sqlite3_free(error);
            throw std::runtime_error(sql.substr(0, 60) + ": " + message);
        }
    }
    std::vector<std::string> column(const std::string& sql) {
        Insert query(*this, sql);
        std::vector<std::string> values;
        while (sqlite3_step(query.stmt.get()) == SQLITE_ROW) {
            values.emplace_back(
                reinterpret_cast<const char*>(sqlite3_column_text(query.stmt.get(), 0)));
        }
        return values;
    }

    // One prepared statement, bound and run once per row.
    struct Insert {
        Insert(BulkDb& db, const std::string& sql) : db_(db.db_.get()) {
            sqlite3_stmt* raw = nullptr;
            if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
                throw std::runtime_error(sql.substr(0, 60) + ": " + sqlite3_errmsg(db_));
            }
            stmt.reset(raw);
        }
        template <typename... Values>
        void run(const Values&... values) {
            sqlite3_reset(stmt.get());
            int index = 0;
            (bind(++index, values), ...);
            if (sqlite3_step(stmt.get()) != SQLITE_DONE) {
                throw std::runtime_error(std::string("insert: ") + sqlite3_errmsg(db_));
            }
        }

      private:
        void bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt.get(), index, value); }
        void bind(int index, int value) { sqlite3_bind_int64(stmt.get(), index, value); }
        void bind(int index, const std::string& value) {
            sqlite3_bind_text(stmt.get(), index, value.data(), static_cast<int>(value.size()),
                              SQLITE_TRANSIENT);
        }
        void bind(int index, const char* value) { bind(index, std::string(value)); }

        sqlite3* db_;

      public:
        std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt;
    };

  private:
    std::unique_ptr<sqlite3, DatabaseCloser> db_;
};

std::string badge_of(int officer) {
    char text[16];
    std::snprintf(text, sizeof text, "P%05d", officer);
    return text;
}
std::string officer_name_of(int officer) {
    return "Officer " + std::to_string(officer);
}

// Builds the register and its history through the product's Catalog (schema, roster), then
// loads the docks in bulk with the secondary indexes dropped and recreated at the end.
// Long on purpose: the catalog's rows in the order the product writes them, each family
// in one loop; split, the order of the inserts would no longer read.
void build_catalog(const fs::path& file, const BenchOptions& options) {
    fs::remove(file);
    fs::remove(file.string() + "-wal");
    fs::remove(file.string() + "-shm");
    const int officers = std::max(options.devices, 1);
    {
        cradle::Catalog catalog(file);
        std::vector<cradle::OfficerRow> roster;
        for (int i = 0; i < officers; ++i) {
            roster.push_back(
                {badge_of(i), officer_name_of(i), "Team " + std::to_string(i / 50), 0});
        }
        catalog.upsert_officers(roster, kFirstDay - kDaySeconds, "configuration");
    }
    BulkDb db(file);
    db.exec(
        "PRAGMA journal_mode = DELETE; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
        "PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY; "
        "PRAGMA locking_mode = EXCLUSIVE; PRAGMA foreign_keys = OFF");
    const std::vector<std::string> indexes = db.column(
        "SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND "
        "tbl_name IN ('recordings', 'dock_sessions', 'health_checks', 'clock_syncs', "
        "'readiness', 'device_history')");
    for (const std::string& name :
         db.column("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND "
                   "tbl_name IN ('recordings', 'dock_sessions', 'health_checks', 'clock_syncs', "
                   "'readiness', 'device_history')")) {
        db.exec("DROP INDEX " + name);
    }

    db.exec("BEGIN");
    // One camera in a hundred is seen but never registered.
    auto registered = [](int device) { return device % 100 != 99; };
    std::vector<int> officer_of(static_cast<std::size_t>(options.devices));
    {
        BulkDb::Insert device(db,
                              "INSERT INTO devices (id, serial, manufacturer, model, firmware, "
                              "registered, custodian, officer, head, first_seen, last_seen) "
                              "VALUES (?, ?, 'Maker', 'BC-1', '1.0', ?, ?, ?, ?, ?, ?)");
        BulkDb::Insert history(db,
                               "INSERT INTO device_history (serial, at, action, custodian, "
                               "officer, head, previous_custodian, previous_officer, "
                               "previous_head, changed_by, reason) VALUES (?, ?, 'registered', "
                               "?, ?, ?, '', '', '', 'configuration', '')");
        const std::int64_t last_dock = kFirstDay + (options.days - 1) * kDaySeconds + 17 * 3600;
        for (int i = 0; i < options.devices; ++i) {
            char serial[16];
            std::snprintf(serial, sizeof serial, "BWC-%05d", i);
            officer_of[static_cast<std::size_t>(i)] = i;
            const std::string custodian = "Custodian " + std::to_string(i / 50);
            const std::string head = "Head " + std::to_string(i / 500);
            const bool known = registered(i);
            device.run(std::int64_t{i + 1}, serial, known ? 1 : 0, known ? custodian : "",
                       known ? officer_name_of(i) : "", known ? head : "", kFirstDay, last_dock);
            if (known) {
                history.run(serial, kFirstDay - kDaySeconds, custodian, officer_name_of(i), head);
            }
        }
    }
    BulkDb::Insert dock(db,
                        "INSERT INTO dock_sessions (id, device_id, bay, started_at, ended_at, "
                        "outcome) VALUES (?, ?, ?, ?, ?, ?)");
    BulkDb::Insert health(db,
                          "INSERT INTO health_checks (dock_session_id, at, battery_percent, "
                          "charging, faults, storage_total_bytes, storage_free_bytes) "
                          "VALUES (?, ?, ?, 1, ?, 68719476736, ?)");
    BulkDb::Insert clock(db,
                         "INSERT INTO clock_syncs (dock_session_id, at, drift_ms, corrected, "
                         "note) VALUES (?, ?, ?, ?, ?)");
    BulkDb::Insert readiness(db,
                             "INSERT INTO readiness (device_id, dock_session_id, at, ready, "
                             "verdict) VALUES (?, ?, ?, ?, ?)");
    BulkDb::Insert recording(
        db,
        "INSERT INTO recordings (id, device_id, handle, name, size, captured_unix_s, state, "
        "sha256, archive_path, archived_at, wiped_at, officer, camera_officer_id, "
        "attribution_disagrees) VALUES (?, ?, ?, CAST(? AS BLOB), 104857600, ?, 'wiped', "
        "'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', ?, ?, ?, ?, ?, ?)");
    BulkDb::Insert reassigned(db,
                              "INSERT INTO device_history (serial, at, action, custodian, "
                              "officer, head, previous_custodian, previous_officer, "
                              "previous_head, changed_by, reason) VALUES (?, ?, 'reassigned', "
                              "?, ?, ?, ?, ?, ?, 'uid 1000 (custodian)', 'rota')");
    std::int64_t dock_id = 0;
    std::int64_t recording_id = 0;
    const auto started = Clock::now();
    for (int day = 0; day < options.days; ++day) {
        const std::int64_t midnight = kFirstDay + day * kDaySeconds;
        for (int i = 0; i < options.devices; ++i) {
            const auto index = static_cast<std::size_t>(i);
            char serial[16];
            std::snprintf(serial, sizeof serial, "BWC-%05d", i);
            // Each registered camera changes hands every 90 days, at 06:00.
            if (registered(i) && (day + i) % 90 == 89) {
                const int before = officer_of[index];
                const int after = (before + 7) % std::max(options.devices, 1);
                const std::string custodian = "Custodian " + std::to_string(i / 50);
                const std::string head = "Head " + std::to_string(i / 500);
                reassigned.run(serial, midnight + 6 * 3600, custodian, officer_name_of(after), head,
                               custodian, officer_name_of(before), head);
                officer_of[index] = after;
            }
            const std::int64_t start = midnight + 17 * 3600 + (i % 3600);
            const std::int64_t end = start + 1800;
            const int battery = 40 + (day * 7 + i) % 61;
            const bool ready = battery >= 80;
            const std::string outcome =
                ready ? "ready for duty"
                      : "not ready: battery " + std::to_string(battery) + "% < 80%";
            const std::int64_t device_id = i + 1;
            ++dock_id;
            dock.run(dock_id, device_id, 1 + i % 8, start, end, outcome);
            health.run(dock_id, start + 20, battery, (day + i) % 97 == 0 ? "lens" : "",
                       std::int64_t{34359738368} - (day % 7) * 1048576);
            clock.run(dock_id, start + 25, std::int64_t{(i % 5000) - 2500}, 1,
                      "corrected; now +0 ms");
            readiness.run(device_id, dock_id, end, ready ? 1 : 0, outcome);
            const std::string officer = registered(i) ? officer_name_of(officer_of[index]) : "";
            for (int k = 0; k < options.recordings; ++k) {
                ++recording_id;
                // One recording in a thousand carries another officer's ID.
                const bool disagrees = registered(i) && recording_id % 1000 == 0;
                const std::string badge =
                    badge_of(disagrees ? (officer_of[index] + 1) % std::max(options.devices, 1)
                                       : officer_of[index]);
                recording.run(
                    recording_id, device_id, std::int64_t{day * 16 + k},
                    "VID_" + std::to_string(day * 16 + k) + ".MP4", midnight + 8 * 3600 + k * 3600,
                    "archive/" + std::to_string(recording_id) + ".mp4", start + 60 + k * 30,
                    start + 70 + k * 30, officer, badge, disagrees ? 1 : 0);
            }
        }
        if (day % 30 == 29) {
            db.exec("COMMIT; BEGIN");
            const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
            std::fprintf(stderr, "  %d of %d days loaded (%.0f s)\n", day + 1, options.days,
                         seconds);
        }
    }
    // The devices' current officers, as their history ends.
    {
        BulkDb::Insert current(db,
                               "UPDATE devices SET officer = ? WHERE id = ? AND registered = 1");
        for (int i = 0; i < options.devices; ++i) {
            current.run(officer_name_of(officer_of[static_cast<std::size_t>(i)]),
                        std::int64_t{i + 1});
        }
    }
    db.exec("COMMIT");
    std::fprintf(stderr, "  recreating %zu indexes...\n", indexes.size());
    for (const std::string& sql : indexes) db.exec(sql);
    db.exec("PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL");
}

// ---- Timing ---------------------------------------------------------------------------------

double median_of(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

double time_once(const std::function<void()>& work) {
    const auto start = Clock::now();
    work();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::int64_t count_docks(const fs::path& file) {
    BulkDb db(file, true);
    auto values = db.column("SELECT count(*) FROM dock_sessions");
    return values.empty() ? 0 : std::stoll(values[0]);
}

void print_line(const char* what, double seconds, double baseline, bool judged) {
    std::printf(
        "%-52s %8.3f s  %7.2fx baseline%s\n", what, seconds, seconds / baseline,
        judged ? (seconds < kGoalSeconds ? "  goal < 1 s: met" : "  goal < 1 s: NOT met") : "");
}

// The catalog of these sizes in options.dir, built on first use.
fs::path catalog_of(const BenchOptions& options) {
    const fs::path file = options.dir / ("reports-" + std::to_string(options.devices) + "x" +
                                         std::to_string(options.days) + "x" +
                                         std::to_string(options.recordings) + ".sqlite");
    const fs::path complete = file.string() + ".complete";
    if (!fs::exists(complete) || !fs::exists(file)) {
        fs::remove(complete);
        std::fprintf(stderr, "building %s (first run only)...\n", file.c_str());
        const double seconds = time_once([&] { build_catalog(file, options); });
        std::ofstream(complete) << "built in " << seconds << " s\n";
        std::fprintf(stderr, "  built in %.0f s\n", seconds);
    }
    return file;
}

// The last 30 days of a catalog of `days` days.
cradle::reports::Period last_month_of(int days) {
    const std::int64_t last_midnight = kFirstDay + (days - 1) * kDaySeconds;
    return {last_midnight - 29 * kDaySeconds, last_midnight + kDaySeconds};
}

// Long on purpose: the benchmark's steps in the order it prints them (the baselines,
// then each report), so that each printed ratio reads beside its run.
int run(const BenchOptions& options) {
    fs::create_directories(options.dir);
    const fs::path file = catalog_of(options);
    // The same cameras with one month of history: a report that reads by index costs the same
    // on both; one that scans grows with the years.
    BenchOptions month_options = options;
    month_options.days = kMonthOfHistory;
    const fs::path month_file = catalog_of(month_options);

    const std::int64_t last_midnight = kFirstDay + (options.days - 1) * kDaySeconds;
    const cradle::reports::Period month = last_month_of(options.days);
    const cradle::reports::Period day{last_midnight, last_midnight + kDaySeconds};
    const std::int64_t generated_at = last_midnight + kDaySeconds + 3600;

    std::vector<double> baseline, assignments, dock_day, build_assignments, build_dock, csv, json,
        pdf;
    std::int64_t docks = 0;
    std::size_t devices_shown = 0, docks_shown = 0, recordings_shown = 0, changes_shown = 0,
                disagreements_shown = 0, csv_bytes = 0, json_bytes = 0, pdf_bytes = 0;
    std::vector<double> month_history;
    for (int round = 0; round < options.rounds; ++round) {
        baseline.push_back(time_once([&] { docks = count_docks(file); }));
        month_history.push_back(time_once([&] {
            cradle::Catalog catalog = cradle::Catalog::open_read_only(month_file);
            cradle::read_assignments_input(catalog, last_month_of(kMonthOfHistory), "bench");
        }));
        cradle::reports::AssignmentsInput assignments_input;
        assignments.push_back(time_once([&] {
            cradle::Catalog catalog = cradle::Catalog::open_read_only(file);
            assignments_input = cradle::read_assignments_input(catalog, month, "bench");
        }));
        cradle::reports::DockDayInput day_input;
        dock_day.push_back(time_once([&] {
            cradle::Catalog catalog = cradle::Catalog::open_read_only(file);
            day_input = cradle::read_dock_day_input(catalog, "last day", day, "bench");
        }));
        cradle::reports::Report assignments_report;
        cradle::reports::Report dock_report;
        build_assignments.push_back(time_once([&] {
            assignments_report =
                cradle::reports::build_assignments_report(assignments_input, generated_at);
        }));
        build_dock.push_back(time_once(
            [&] { dock_report = cradle::reports::build_dock_report(day_input, generated_at); }));
        csv.push_back(
            time_once([&] { csv_bytes = cradle::reports::render_csv(assignments_report).size(); }));
        json.push_back(time_once(
            [&] { json_bytes = cradle::reports::render_json(assignments_report).size(); }));
        // The PDF of every camera is hundreds of pages: once is enough to know its cost.
        if (options.pdf && round == 0) {
            pdf.push_back(time_once(
                [&] { pdf_bytes = cradle::reports::render_pdf(assignments_report).size(); }));
        }
        devices_shown = assignments_input.devices.size();
        changes_shown = assignments_input.changes.size();
        disagreements_shown = assignments_input.disagreements.size();
        docks_shown = day_input.docks.size();
        recordings_shown = day_input.recordings.size();
    }

    const double base = median_of(baseline);
    std::printf("catalog: %s, %.2f GB; %d devices, %d days, %lld docks, %d recordings per dock\n",
                file.c_str(), static_cast<double>(fs::file_size(file)) / 1e9, options.devices,
                options.days, static_cast<long long>(docks), options.recordings);
    std::printf("assignment report, last 30 days: %zu devices, %zu changes, %zu disagreements\n",
                devices_shown, changes_shown, disagreements_shown);
    std::printf("dock report, last day: %zu docks, %zu recordings\n", docks_shown,
                recordings_shown);
    std::printf("median of %d round(s); baseline: SELECT count(*) FROM dock_sessions\n",
                options.rounds);
    print_line("baseline: count(*) over dock_sessions", base, base, false);
    const double assignments_facts = median_of(assignments);
    const double dock_facts = median_of(dock_day);
    print_line("assignment facts (open + read_assignments_input)", assignments_facts, base, true);
    print_line("dock-day facts (open + read_dock_day_input)", dock_facts, base, true);
    print_line("build assignment report", median_of(build_assignments), base, false);
    print_line("build dock report", median_of(build_dock), base, false);
    std::printf("%-52s %8.3f s  (%zu bytes)\n", "render assignment report as CSV", median_of(csv),
                csv_bytes);
    std::printf("%-52s %8.3f s  (%zu bytes)\n", "render assignment report as JSON", median_of(json),
                json_bytes);
    const double csv_total = assignments_facts + median_of(build_assignments) + median_of(csv);
    const double json_total = assignments_facts + median_of(build_assignments) + median_of(json);
    print_line("assignment report as CSV, facts to bytes", csv_total, base, true);
    print_line("assignment report as JSON, facts to bytes", json_total, base, true);
    if (!pdf.empty()) {
        std::printf("%-52s %8.3f s  (%zu bytes, one round)\n", "render assignment report as PDF",
                    pdf[0], pdf_bytes);
    }
    const double month_of_history = median_of(month_history);
    print_line("assignment facts, same cameras, 31 days of history", month_of_history, base, true);
    std::printf("count_ratio=%.3f\n", assignments_facts / base);
    std::printf("ratio=%.3f\n", assignments_facts / month_of_history);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_options(argc, argv));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_reports: %s\n", error.what());
        return 1;
    }
}
