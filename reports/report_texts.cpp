// SPDX-License-Identifier: Apache-2.0
#include "reports/report_texts.hpp"

#include "reports/translation.hpp"

#include <cstdio>
#include <initializer_list>

namespace cradle::reports::texts {
namespace {

// The marker xgettext looks for; the catalog names the domain.
std::string tr(const char* english) {
    return translate(english);
}

// A text whose English is ambiguous (the status "registered", the action "registered") is
// told apart by a context, as gettext's pgettext does: the catalog key is "context\004text".
std::string trc(const char* context, const char* english) {
    std::string key = std::string(context) + '\004' + english;
    std::string translated = translate(key.c_str());
    return translated == key ? english : translated;
}

// Fills the %s of a translated pattern in order (the pattern comes from our own catalog, and
// msgfmt --check keeps the count of %s the same in every language).
std::string fill(const std::string& pattern, std::initializer_list<std::string> values) {
    std::string filled;
    std::size_t from = 0;
    for (const std::string& value : values) {
        std::size_t at = pattern.find("%s", from);
        if (at == std::string::npos) {
            break;
        }
        filled += pattern.substr(from, at - from) + value;
        from = at + 2;
    }
    return filled + pattern.substr(from);
}

std::string fill(const std::string& pattern, const std::string& value) {
    return fill(pattern, {value});
}

}  // namespace

std::string device_assignments() {
    return tr("Device assignments");
}

std::string dock_report() {
    return tr("Dock report");
}

std::string devices() {
    return tr("Devices");
}

std::string unregistered_devices_seen() {
    return tr("Unregistered devices seen");
}

std::string changes_in_period() {
    return tr("Changes in the period");
}

std::string offloads() {
    return tr("Offloads");
}

std::string period(const std::string& from, const std::string& to) {
    // TRANSLATORS: the period a report covers; %s is "from – to".
    return fill(tr("Period: %s"), from + " – " + to);
}

std::string cradle(const std::string& name) {
    return fill(tr("Cradle: %s"), name);
}

std::string generated_at(const std::string& when) {
    return fill(tr("Generated %s"), when);
}

std::string attribution_disagreements() {
    return tr("Attribution disagreements");
}

std::string docks() {
    return tr("Docks");
}

std::string recordings_of_the_day() {
    return tr("Recordings archived or wiped");
}

std::string day(const std::string& date) {
    // TRANSLATORS: the local date a dock report covers.
    return fill(tr("Date: %s"), date);
}

std::string devices_note() {
    return tr(
        "Every camera of the register and every camera seen at a dock: its entry, its "
        "latest dock and its latest readiness, as they stand when the report is generated "
        "(not at the end of the period). Readiness reasons are printed as the cradle "
        "recorded them, in English.");
}

std::string unregistered_note() {
    return tr(
        "Cameras docked without a register entry. Their footage was archived in full; "
        "register each one with its custodian.");
}

std::string changes_note() {
    return tr(
        "Every change of the register in the period, with who made it. The change column "
        "lists what changed, before → after.");
}

std::string attribution_note() {
    return tr(
        "Recordings captured in the period whose camera reported another officer than the "
        "one assigned to it at the time. Check who wore the camera.");
}

std::string docks_note() {
    return tr(
        "Every dock that started on this day: the camera's health, its clock drift before "
        "the correction, what was archived and wiped, and the readiness verdict.");
}

std::string recordings_note() {
    return tr(
        "Every recording archived or wiped on this day, with the officer it is attributed "
        "to.");
}

std::string serial() {
    return tr("Serial");
}

std::string model() {
    return tr("Model");
}

std::string firmware() {
    return tr("Firmware");
}

std::string custodian() {
    return tr("Custodian");
}

std::string officer() {
    return tr("Officer");
}

std::string responsible_head() {
    return tr("Responsible head");
}

std::string last_dock() {
    return tr("Last dock");
}

std::string last_offload() {
    return tr("Last offload");
}

std::string readiness() {
    return tr("Readiness");
}

std::string bay() {
    return tr("Bay");
}

std::string docked_at() {
    return tr("Docked at");
}

std::string first_seen() {
    return tr("First seen");
}

std::string last_seen() {
    return tr("Last seen");
}

std::string when() {
    return tr("When");
}

std::string change() {
    return tr("Change");
}

std::string changed_by() {
    return tr("Changed by");
}

std::string status() {
    return tr("Status");
}

std::string battery_percent() {
    return tr("Battery %");
}

std::string faults() {
    return tr("Faults");
}

std::string action() {
    return tr("Action");
}

std::string reason() {
    return tr("Reason");
}

std::string recording() {
    return tr("Recording");
}

std::string captured() {
    return tr("Captured");
}

std::string officer_at_capture() {
    return tr("Officer at capture");
}

std::string camera_officer_id() {
    return tr("Camera's officer ID");
}

std::string charging() {
    return tr("Charging");
}

std::string clock_drift() {
    return tr("Clock drift");
}

std::string clock_corrected() {
    return tr("Clock corrected");
}

std::string recordings_archived() {
    return tr("Recordings archived");
}

std::string bytes_archived() {
    return tr("Bytes archived");
}

std::string recordings_wiped() {
    return tr("Recordings wiped");
}

std::string size_bytes() {
    return tr("Size (bytes)");
}

std::string disagrees() {
    return tr("Disagrees");
}

std::string archived_at() {
    return tr("Archived at");
}

std::string wiped_at() {
    return tr("Wiped at");
}

std::string ready_for_duty() {
    return tr("ready for duty");
}

std::string not_ready() {
    return tr("not ready");
}

std::string needs_custodian() {
    return tr("needs custodian");
}

std::string docked_being_checked() {
    return tr("docked: being checked");
}

std::string interrupted() {
    return tr("interrupted (the dock was cut short; dock the camera again)");
}

std::string unregistered() {
    return tr("unregistered");
}

std::string pool() {
    return tr("pool");
}

std::string yes() {
    return tr("yes");
}

std::string no() {
    return tr("no");
}

std::string low_battery() {
    return tr("low battery");
}

std::string registered() {
    return trc("device status", "registered");
}

std::string retired() {
    return trc("device status", "retired");
}

std::string not_ready_because(const std::string& reasons) {
    // TRANSLATORS: %s are the reasons as the cradle recorded them (in English).
    return fill(tr("not ready: %s"), reasons);
}

std::string needs_custodian_because(const std::string& reason) {
    // TRANSLATORS: %s is the reason as the cradle recorded it (in English).
    return fill(tr("needs custodian: %s"), reason);
}

std::string change_action(const std::string& action) {
    if (action == "registered") {
        return trc("register change", "registered");
    }
    if (action == "reassigned") {
        return trc("register change", "reassigned");
    }
    if (action == "changed") {
        return trc("register change", "changed");
    }
    if (action == "retired") {
        return trc("register change", "retired");
    }
    if (action == "reinstated") {
        return trc("register change", "reinstated");
    }
    return action;
}

std::string labelled(const std::string& label, const std::string& value) {
    // TRANSLATORS: a field and its value, e.g. "Officer: Anna Schmidt".
    return fill(tr("%s: %s"), {label, value});
}

std::string page_of(int page, int pages) {
    std::string pattern = tr("page %d of %d");
    // The catalog may order the numbers differently only through %1$d/%2$d, which
    // snprintf understands; the count of %d is checked by msgfmt --check.
    char buffer[128];
    std::snprintf(buffer, sizeof buffer, pattern.c_str(), page, pages);
    return buffer;
}

std::string continued() {
    return tr("(continued)");
}

std::string no_entries() {
    return tr("No entries.");
}

}  // namespace cradle::reports::texts
