// Renders a sample device-assignment report, with Chinese and English names, as PDF, CSV and
// JSON, so the output can be looked at: report-sample DIR writes DIR/sample.{pdf,csv,json}.
// Not installed; the texts come from the build tree's catalogs.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "reports/csv.hpp"
#include "reports/json.hpp"
#include "reports/pdf.hpp"
#include "reports/report.hpp"
#include "reports/report_texts.hpp"
#include "reports/translation.hpp"

namespace {

using namespace cradle::reports;

Report sample_report() {
    const std::int64_t generated = 1'774'740'000;  // 2026-03-28 23:20 UTC
    Report report;
    report.key = "assignments";
    report.title = texts::device_assignments();
    report.subtitle =
        texts::period("2026-03-01", "2026-03-31") + " · " + texts::cradle("cradle-01 东城分局");
    report.generated_at_utc = generated;

    const char* officers[] = {"张伟",       "Anna Schmidt",    "李娜", "Tom O'Brien",
                              "王芳, 交警", "Jean \"JJ\" Roe", "刘洋", "Maria Garcia"};
    const char* custodians[] = {"陈静", "Peter Miller"};
    Section devices;
    devices.key = "devices";
    devices.heading = texts::devices();
    devices.note = "每台设备的保管人、使用民警和备勤状态 / custodian, officer and readiness";
    devices.table.columns = {{"serial", texts::serial()},
                             {"model", texts::model()},
                             {"custodian", texts::custodian()},
                             {"officer", texts::officer()},
                             {"head", texts::responsible_head()},
                             {"last_dock", texts::last_dock()},
                             {"battery_percent", "%"},
                             {"readiness", texts::readiness()}};
    for (int i = 0; i < 70; ++i) {
        char serial[32];
        std::snprintf(serial, sizeof serial, "BWC-%04d", i + 1);
        bool low_battery = i % 9 == 4;
        devices.table.rows.push_back(
            {text(serial), text(i % 3 == 0 ? "BX-9" : "DSJ-Y8 执法记录仪"), text(custodians[i % 2]),
             text(i % 10 == 7 ? texts::pool() : officers[i % 8]), text("赵队长 (team head)"),
             time_utc(generated - 3600 * (i % 30)), number(low_battery ? 12 : 95 - i % 7),
             text(low_battery ? texts::not_ready() + ": " + texts::low_battery()
                              : texts::ready_for_duty())});
    }
    report.sections.push_back(devices);

    Section unregistered;
    unregistered.key = "unregistered";
    unregistered.heading = texts::unregistered_devices_seen();
    unregistered.table.columns = {{"serial", texts::serial()},
                                  {"first_seen", texts::first_seen()},
                                  {"status", texts::readiness()}};
    unregistered.table.rows.push_back(
        {text("UNK-7781"), time_utc(generated - 7200), text(texts::needs_custodian())});
    report.sections.push_back(unregistered);

    Section changes;
    changes.key = "changes";
    changes.heading = texts::changes_in_period();
    changes.table.columns = {{"when", texts::when()},
                             {"serial", texts::serial()},
                             {"change", texts::change()},
                             {"changed_by", texts::changed_by()},
                             {"wiped", texts::wiped()}};
    changes.table.rows.push_back({time_utc(generated - 86'400), text("BWC-0003"),
                                  text("张伟 → 李娜 (reassigned after a long shift,\nsee note)"),
                                  text("陈静"), flag(false)});
    report.sections.push_back(changes);
    return report;
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: report-sample DIR\n");
        return 2;
    }
    try {
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
        std::filesystem::path dir = argv[1];
        std::filesystem::create_directories(dir);
        Report report = sample_report();
        write_file(dir / "sample.pdf", render_pdf(report));
        write_file(dir / "sample.csv", render_csv(report));
        write_file(dir / "sample.json", render_json(report));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "report-sample: %s\n", error.what());
        return 1;
    }
    return 0;
}
