#include "reports/report_texts.hpp"

#include "reports/translation.hpp"

#include <cstdio>

namespace cradle::reports::texts {
namespace {

// The marker xgettext looks for; the catalog names the domain.
std::string tr(const char* english) {
    return translate(english);
}

// Fills the one %s of a translated pattern (the pattern comes from our own catalog).
std::string fill(const std::string& pattern, const std::string& value) {
    std::string filled = pattern;
    std::size_t at = filled.find("%s");
    if (at != std::string::npos) {
        filled.replace(at, 2, value);
    }
    return filled;
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

std::string health() {
    return tr("Health");
}

std::string readiness() {
    return tr("Readiness");
}

std::string reasons() {
    return tr("Reasons");
}

std::string bay() {
    return tr("Bay");
}

std::string docked_at() {
    return tr("Docked at");
}

std::string recordings() {
    return tr("Recordings");
}

std::string bytes() {
    return tr("Bytes");
}

std::string wiped() {
    return tr("Wiped");
}

std::string clock_correction() {
    return tr("Clock correction");
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

std::string ready_for_duty() {
    return tr("ready for duty");
}

std::string not_ready() {
    return tr("not ready");
}

std::string needs_custodian() {
    return tr("needs custodian");
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

std::string fault() {
    return tr("fault");
}

std::string low_battery() {
    return tr("low battery");
}

std::string low_storage() {
    return tr("low storage");
}

std::string clock_not_trusted() {
    return tr("clock not trusted");
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
