// SPDX-License-Identifier: Apache-2.0
#include "reports/translation.hpp"

#include <libintl.h>

#include <clocale>
#include <cstdlib>
#include <string_view>

namespace cradle::reports {
namespace {

constexpr const char* text_domain = "cradled";

// The first of LC_ALL, LC_MESSAGES, LANG that is set, as POSIX orders them.
std::string_view message_locale_from_environment() {
    for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* value = std::getenv(name);
        if (value != nullptr && *value != '\0') {
            return value;
        }
    }
    return {};
}

// "C" and "POSIX" ask for the untranslated texts (scripts rely on it); C.UTF-8 names a
// character set, not a language.
bool asks_for_untranslated(std::string_view locale) {
    return locale == "C" || locale == "POSIX";
}

bool names_a_language(std::string_view locale) {
    return !locale.empty() && !asks_for_untranslated(locale) && !locale.starts_with("C.");
}

}  // namespace

std::filesystem::path installed_catalog_dir() {
    return CRADLED_INSTALLED_LOCALE_DIR;
}

void use_language_from_environment(const std::filesystem::path& catalog_dir) {
    std::string_view wanted = message_locale_from_environment();
    const char* locale = std::setlocale(LC_MESSAGES, "");
    if (!asks_for_untranslated(wanted) && (locale == nullptr || !names_a_language(locale))) {
        // gettext ignores LANGUAGE under the C locale, and the reader's locale may simply not
        // be generated on this machine. C.UTF-8 is always there and, unlike C, lets LANGUAGE
        // choose the catalog; the locale's own language goes into LANGUAGE when none is set.
        std::setlocale(LC_MESSAGES, "C.UTF-8");
        const char* language = std::getenv("LANGUAGE");
        if ((language == nullptr || *language == '\0') && names_a_language(wanted)) {
            std::string name(wanted.substr(0, wanted.find_first_of(".@")));
            setenv("LANGUAGE", name.c_str(), 1);
        }
    }
    bindtextdomain(text_domain, catalog_dir.c_str());
    // PDF, CSV and JSON are UTF-8 whatever the terminal's character set.
    bind_textdomain_codeset(text_domain, "UTF-8");
    // Setting the domain again drops the texts gettext cached for the previous language.
    textdomain(textdomain(nullptr));
}

std::string translate(const char* english) {
    return dgettext(text_domain, english);
}

}  // namespace cradle::reports
