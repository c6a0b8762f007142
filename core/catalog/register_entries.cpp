// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/register_entries.hpp"

#include "core/catalog/catalog_internal.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <initializer_list>

namespace cradle {

using catalog_detail::kMaxDetailBytes;

namespace {

// The log bounds every detail (Catalog::append_audit); a detail made again must be bounded alike
// to compare equal.
std::string as_logged(const std::string& detail) {
    return sanitize_text(detail, kMaxDetailBytes);
}

std::string joined(std::initializer_list<std::string_view> parts) {
    std::string text;
    for (std::string_view part : parts) text += part;
    return text;
}

// The text from `from` up to the first `separator` after it, or to the end when there is none;
// `from` is moved past the separator (to npos at the end).
std::string field_until(std::string_view detail, std::size_t& from, std::string_view separator) {
    const std::size_t end = detail.find(separator, from);
    std::string field(
        detail.substr(from, end == std::string_view::npos ? std::string_view::npos : end - from));
    from = end == std::string_view::npos ? end : end + separator.size();
    return field;
}

}  // namespace

std::string registration_names(std::string_view custodian, std::string_view officer,
                               std::string_view head) {
    return as_logged(joined({"custodian=", custodian, "; officer=", officer, "; head=", head}));
}

std::string registration_detail(std::string_view custodian, std::string_view officer,
                                std::string_view head, std::string_view changed_by, bool reinstated,
                                std::string_view reason) {
    std::string detail = joined(
        {"custodian=", custodian, "; officer=", officer, "; head=", head, "; by=", changed_by});
    if (reinstated) detail += "; reinstated";
    if (!reason.empty()) detail += joined({"; reason=", reason});
    return as_logged(detail);
}

std::string retirement_detail(std::string_view changed_by, std::string_view reason) {
    return as_logged(joined({"by=", changed_by, "; reason=", reason}));
}

std::string officer_names(std::string_view badge, std::string_view name, std::string_view team) {
    return as_logged(joined({"badge=", badge, "; name=", name, "; team=", team}));
}

std::string officer_detail(std::string_view badge, std::string_view name, std::string_view team,
                           const std::optional<OfficerBefore>& before,
                           std::string_view changed_by) {
    std::string detail = joined({"badge=", badge, "; name=", name, "; team=", team});
    if (before) detail += joined({"; was name=", before->name, ", team=", before->team});
    detail += joined({"; by=", changed_by});
    return as_logged(detail);
}

bool officer_detail_shows(std::string_view detail, std::string_view badge, std::string_view name,
                          std::string_view team) {
    constexpr std::string_view kBadge = "badge=";
    if (!detail.starts_with(kBadge) || detail.size() < kBadge.size() + badge.size()) return false;
    if (ascii_lower(detail.substr(kBadge.size(), badge.size())) != ascii_lower(badge)) {
        return false;
    }
    const std::string_view rest = detail.substr(kBadge.size() + badge.size());
    const std::string names = joined({"; name=", name, "; team=", team});
    if (!rest.starts_with(names)) return false;
    const std::string_view after = rest.substr(names.size());
    return after.starts_with("; was name=") || after.starts_with("; by=");
}

std::optional<RegistrationFields> read_registration_detail(std::string_view detail) {
    constexpr std::string_view kCustodian = "custodian=";
    if (!detail.starts_with(kCustodian)) return std::nullopt;
    RegistrationFields fields;
    std::size_t at = kCustodian.size();
    fields.custodian = field_until(detail, at, "; officer=");
    if (at == std::string_view::npos) return std::nullopt;
    fields.officer = field_until(detail, at, "; head=");
    if (at == std::string_view::npos) return std::nullopt;
    fields.head = field_until(detail, at, "; by=");
    if (at == std::string_view::npos) return fields;  // version 1 named nobody
    std::string_view by = detail.substr(at);
    const std::size_t reason = by.find("; reason=");
    if (reason != std::string_view::npos) {
        fields.reason = std::string(by.substr(reason + 9));
        by = by.substr(0, reason);
    }
    constexpr std::string_view kReinstated = "; reinstated";
    if (by.ends_with(kReinstated)) {
        fields.reinstated = true;
        by.remove_suffix(kReinstated.size());
    }
    fields.changed_by = std::string(by);
    return fields;
}

std::optional<RetirementFields> read_retirement_detail(std::string_view detail) {
    constexpr std::string_view kBy = "by=";
    if (!detail.starts_with(kBy)) return std::nullopt;
    RetirementFields fields;
    std::size_t at = kBy.size();
    fields.changed_by = field_until(detail, at, "; reason=");
    if (at != std::string_view::npos) fields.reason = std::string(detail.substr(at));
    return fields;
}

std::optional<OfficerFields> read_officer_detail(std::string_view detail) {
    constexpr std::string_view kBadge = "badge=";
    if (!detail.starts_with(kBadge)) return std::nullopt;
    OfficerFields fields;
    std::size_t at = kBadge.size();
    fields.badge = field_until(detail, at, "; name=");
    if (at == std::string_view::npos) return std::nullopt;
    fields.name = field_until(detail, at, "; team=");
    if (at == std::string_view::npos) return std::nullopt;
    const std::string_view rest = detail.substr(at);
    const std::size_t end = std::min(rest.find("; was name="), rest.find("; by="));
    fields.team = std::string(rest.substr(0, end));
    return fields;
}

}  // namespace cradle
