// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/officer_csv.hpp"

#include "cradlectl/register_csv.hpp"
#include "cradlectl/text_output.hpp"

namespace cradle::ctl {

OfficerImport read_officer_import(std::string_view text) {
    ImportTable table = read_import_table(text, {{"badge", "name"}, {"team"}, "", "", true});
    OfficerImport result;
    result.problems = std::move(table.problems);
    for (ImportTable::Record& record : table.records) {
        result.rows.push_back({record.line, std::move(record.fields[0]),
                               std::move(record.fields[1]), std::move(record.fields[2])});
    }
    return result;
}

std::string officer_export(const std::vector<OfficerRow>& officers) {
    std::vector<std::string> header(std::begin(kOfficerExportColumns),
                                    std::end(kOfficerExportColumns));
    std::string out = export_record(header);
    for (const OfficerRow& officer : officers) {
        out += export_record(
            {officer.badge, officer.name, officer.team,
             officer.updated_at == 0 ? std::string() : utc_iso8601(officer.updated_at)});
    }
    return out;
}

}  // namespace cradle::ctl
