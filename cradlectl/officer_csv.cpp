#include "cradlectl/officer_csv.hpp"

#include "cradlectl/register_csv.hpp"
#include "cradlectl/text_output.hpp"

#include <map>
#include <stdexcept>

namespace cradle::ctl {

OfficerImport read_officer_import(std::string_view text) {
    OfficerImport result;
    std::vector<CsvRecord> records;
    try {
        records = parse_csv(text);
    } catch (const std::runtime_error& e) {
        result.problems.push_back(e.what());
        return result;
    }
    if (records.empty()) {
        result.problems.push_back(
            "line 1: the file is empty (it needs the header badge,name,team)");
        return result;
    }
    const CsvRecord& header = records.front();
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        column.emplace(column_name(header.fields[i]), i);
    }
    for (const char* name : {"badge", "name", "team"}) {
        if (!column.contains(name)) {
            result.problems.push_back("line " + std::to_string(header.line) +
                                      ": the header has no column \"" + name +
                                      "\" (it must name badge,name,team)");
        }
    }
    if (!result.problems.empty()) return result;

    std::map<std::string, std::size_t> first_line_of;
    for (std::size_t r = 1; r < records.size(); ++r) {
        const CsvRecord& record = records[r];
        const std::string where = "line " + std::to_string(record.line) + ": ";
        if (record.fields.size() != header.fields.size()) {
            result.problems.push_back(where + std::to_string(record.fields.size()) +
                                      " fields where the header has " +
                                      std::to_string(header.fields.size()));
            continue;
        }
        OfficerImportRow row;
        row.line = record.line;
        row.badge = record.fields[column["badge"]];
        row.name = record.fields[column["name"]];
        row.team = record.fields[column["team"]];
        bool valid = true;
        for (const auto& [name, value] :
             {std::pair{"badge", &row.badge}, std::pair{"name", &row.name},
              std::pair{"team", &row.team}}) {
            if (value->empty() && std::string_view(name) == "team") continue;
            std::string problem = entry_field_problem(*value);
            if (!problem.empty()) {
                result.problems.push_back(where + name + " " + problem);
                valid = false;
            }
        }
        if (!valid) continue;
        auto [previous, inserted] = first_line_of.emplace(row.badge, record.line);
        if (!inserted) {
            result.problems.push_back(where + "badge " + printable(row.badge) +
                                      " is already on line " + std::to_string(previous->second));
            continue;
        }
        result.rows.push_back(std::move(row));
    }
    if (!result.problems.empty()) result.rows.clear();
    return result;
}

std::string officer_export(const std::vector<OfficerRow>& officers) {
    std::vector<std::string> header(std::begin(kOfficerExportColumns),
                                    std::end(kOfficerExportColumns));
    std::string out = csv_record(header);
    for (const OfficerRow& officer : officers) {
        out +=
            csv_record({officer.badge, officer.name, officer.team,
                        officer.updated_at == 0 ? std::string() : utc_iso8601(officer.updated_at)});
    }
    return out;
}

}  // namespace cradle::ctl
