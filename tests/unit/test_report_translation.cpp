// SPDX-License-Identifier: Apache-2.0
// The reports' fixed texts follow the reader's locale: Chinese under zh_CN (LANGUAGE or the
// locale variables, installed or not), English under C or an untranslated language.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "reports/cell_text.hpp"
#include "reports/report_texts.hpp"
#include "reports/translation.hpp"

namespace cradle::reports {
namespace {

class ReportTranslation : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
            unsetenv(name);
        }
    }
    void TearDown() override {
        SetUp();
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    }
    static void use(const char* variable, const char* value) {
        setenv(variable, value, 1);
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    }
};

TEST_F(ReportTranslation, LanguageZhCnGivesChineseTexts) {
    use("LANGUAGE", "zh_CN");
    EXPECT_EQ(texts::device_assignments(), "设备分配");
    EXPECT_EQ(texts::custodian(), "保管人");
    EXPECT_EQ(texts::ready_for_duty(), "可以执勤");
    EXPECT_EQ(texts::not_ready(), "未就绪");
    EXPECT_EQ(texts::needs_custodian(), "需保管人处理");
    EXPECT_EQ(texts::unregistered(), "未登记");
    EXPECT_EQ(texts::page_of(2, 5), "第 2 页，共 5 页");
    EXPECT_EQ(cell_text(flag(true)), "是");
}

TEST_F(ReportTranslation, LangOfAnUninstalledChineseLocaleGivesChineseTexts) {
    use("LANG", "zh_CN.UTF-8");
    EXPECT_EQ(texts::devices(), "设备");
}

TEST_F(ReportTranslation, CLocaleGivesEnglishEvenWithLanguageSet) {
    setenv("LANGUAGE", "zh_CN", 1);
    use("LC_ALL", "C");
    EXPECT_EQ(texts::device_assignments(), "Device assignments");
    EXPECT_EQ(texts::page_of(2, 5), "page 2 of 5");
}

TEST_F(ReportTranslation, NoLocaleSetGivesEnglish) {
    use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    EXPECT_EQ(texts::ready_for_duty(), "ready for duty");
    EXPECT_EQ(cell_text(flag(false)), "no");
}

TEST_F(ReportTranslation, UntranslatedLanguageFallsBackToEnglish) {
    use("LANGUAGE", "fr_FR");
    EXPECT_EQ(texts::not_ready(), "not ready");
}

TEST_F(ReportTranslation, SwitchingLanguageWhileRunningTakesEffect) {
    use("LANGUAGE", "zh_CN");
    EXPECT_EQ(texts::officer(), "使用民警");
    use("LC_ALL", "C");
    EXPECT_EQ(texts::officer(), "Officer");
}

TEST_F(ReportTranslation, MissingCatalogDirectoryGivesEnglish) {
    setenv("LANGUAGE", "zh_CN", 1);
    use_language_from_environment("/nonexistent/locale");
    EXPECT_EQ(texts::custodian(), "Custodian");
}

}  // namespace
}  // namespace cradle::reports
