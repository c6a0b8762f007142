// SPDX-License-Identifier: Apache-2.0
// The language of a report's fixed texts: gettext, text domain "cradled", chosen by the
// reader's locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); English when no catalog matches.
#pragma once

#include <filesystem>
#include <string>

namespace cradle::reports {

// Where the installed message catalogs are (<dir>/zh_CN/LC_MESSAGES/cradled.mo).
std::filesystem::path installed_catalog_dir();

// Takes the message language from the environment and reads the catalogs from `catalog_dir`.
// Call once at start, and again after the environment changed. A language whose locale is not
// installed on the machine (only C.UTF-8 is, on a minimal system) is still honoured: the texts
// come from the catalog, not from the locale.
void use_language_from_environment(
    const std::filesystem::path& catalog_dir = installed_catalog_dir());

// The translation of a fixed text, in UTF-8; the text itself when there is none.
std::string translate(const char* english);

}  // namespace cradle::reports
