// SPDX-License-Identifier: Apache-2.0
// report assignments|dock: the facts come from the data source (the daemon over D-Bus, or the
// state directory's catalog offline); either way this client builds the report, so its
// language and time zone are the reader's.
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/output_file.hpp"
#include "cradlectl/report_request.hpp"
#include "reports/builders.hpp"
#include "reports/csv.hpp"
#include "reports/json.hpp"
#include "reports/local_time.hpp"
#include "reports/pdf.hpp"

#include <unistd.h>

#include <ctime>
#include <iostream>
#include <string>

namespace cradle::ctl {
namespace {

std::string render(const reports::Report& report, ReportFormat format) {
    switch (format) {
        case ReportFormat::pdf:
            return reports::render_pdf(report);
        case ReportFormat::json:
            return reports::render_json(report);
        case ReportFormat::csv:
            break;
    }
    return reports::render_csv(report);
}

reports::Report build(const ReportRequest& request, DataSource& source) {
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    if (request.kind == ReportKind::assignments) {
        return reports::build_assignments_report(source.assignments_facts(request.period), now);
    }
    return reports::build_dock_report(source.dock_day_facts(request.date, request.period), now);
}

}  // namespace

int report_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    auto parsed = report_request(invocation, reports::local_date_today(),
                                 out.rdbuf() == std::cout.rdbuf() && ::isatty(STDOUT_FILENO) == 1);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        std::cerr << "cradlectl: " << *error << "\n(cradlectl --help shows the report options)\n";
        return kExitUsage;
    }
    const ReportRequest& request = std::get<ReportRequest>(parsed);
    try {
        // Opened before the facts are read, so that an unwritable place is said at once.
        std::optional<OutputFile> file;
        if (request.output) file.emplace(*request.output);
        const std::string bytes = render(build(request, source), request.format);
        if (file) {
            file->commit(bytes);
        } else {
            out << bytes;
        }
    } catch (const OutputError& error) {
        std::cerr << "cradlectl: " << error.what() << '\n';
        return kExitUsage;
    }
    return kExitOk;
}

}  // namespace cradle::ctl
