// The JSON of a report, parsed back, gives the model: stable keys, rows keyed by column,
// numbers and flags as JSON values, times as UTC ISO 8601 plus the local rendering, and text
// with quotes, backslashes, control characters and Chinese intact.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "reports/json.hpp"
#include "reports/translation.hpp"

namespace cradle::reports {
namespace {

// A JSON reader written for the test (objects, arrays, strings with \uXXXX of the BMP,
// numbers, true/false/null); it throws on anything malformed.
struct Json;
using Object = std::map<std::string, Json>;
using Array = std::vector<Json>;
struct Json {
    std::variant<std::nullptr_t, bool, double, std::string, Array, Object> value;
    const Json& operator[](const std::string& key) const { return std::get<Object>(value).at(key); }
    const Json& operator[](std::size_t index) const { return std::get<Array>(value).at(index); }
    const std::string& str() const { return std::get<std::string>(value); }
    double num() const { return std::get<double>(value); }
    bool has(const std::string& key) const { return std::get<Object>(value).count(key) == 1; }
    std::size_t size() const {
        if (const auto* array = std::get_if<Array>(&value)) {
            return array->size();
        }
        return std::get<Object>(value).size();
    }
};

class JsonReader {
  public:
    explicit JsonReader(const std::string& text) : text_(text) {}
    Json document() {
        Json parsed = value();
        space();
        if (at_ != text_.size()) {
            throw std::runtime_error("trailing text");
        }
        return parsed;
    }

  private:
    void space() {
        while (at_ < text_.size() && std::string(" \t\r\n").find(text_[at_]) != std::string::npos) {
            ++at_;
        }
    }
    char next() {
        if (at_ >= text_.size()) {
            throw std::runtime_error("unexpected end");
        }
        return text_[at_++];
    }
    void expect(char wanted) {
        space();
        if (next() != wanted) {
            throw std::runtime_error(std::string("expected ") + wanted);
        }
    }
    bool literal(const std::string& word) {
        if (text_.compare(at_, word.size(), word) == 0) {
            at_ += word.size();
            return true;
        }
        return false;
    }
    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            char c = next();
            if (c == '"') {
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                throw std::runtime_error("raw control character in a string");
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            char escape = next();
            switch (escape) {
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'u': {
                    unsigned code = std::stoul(text_.substr(at_, 4), nullptr, 16);
                    at_ += 4;
                    if (code < 0x80) {
                        out += static_cast<char>(code);
                    } else if (code < 0x800) {
                        out += static_cast<char>(0xC0 | (code >> 6));
                        out += static_cast<char>(0x80 | (code & 0x3F));
                    } else {
                        out += static_cast<char>(0xE0 | (code >> 12));
                        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                        out += static_cast<char>(0x80 | (code & 0x3F));
                    }
                    break;
                }
                default:
                    out += escape;
            }
        }
    }
    Json value() {
        space();
        if (at_ >= text_.size()) {
            throw std::runtime_error("unexpected end");
        }
        char c = text_[at_];
        if (c == '{') {
            ++at_;
            Object object;
            space();
            if (text_[at_] == '}') {
                ++at_;
                return Json{object};
            }
            for (;;) {
                std::string key = string();
                expect(':');
                object[key] = value();
                space();
                char after = next();
                if (after == '}') {
                    return Json{object};
                }
                if (after != ',') {
                    throw std::runtime_error("expected , or }");
                }
            }
        }
        if (c == '[') {
            ++at_;
            Array array;
            space();
            if (text_[at_] == ']') {
                ++at_;
                return Json{array};
            }
            for (;;) {
                array.push_back(value());
                space();
                char after = next();
                if (after == ']') {
                    return Json{array};
                }
                if (after != ',') {
                    throw std::runtime_error("expected , or ]");
                }
            }
        }
        if (c == '"') {
            return Json{string()};
        }
        if (literal("true")) {
            return Json{true};
        }
        if (literal("false")) {
            return Json{false};
        }
        if (literal("null")) {
            return Json{nullptr};
        }
        std::size_t used = 0;
        double number = std::stod(text_.substr(at_, 40), &used);
        at_ += used;
        return Json{number};
    }

    const std::string& text_;
    std::size_t at_ = 0;
};

Json parse(const std::string& text) {
    return JsonReader(text).document();
}

constexpr std::int64_t noon_utc = 1'774'785'600;  // 2026-03-29 12:00:00 UTC

class ReportJson : public ::testing::Test {
  protected:
    void SetUp() override {
        setenv("TZ", "Europe/Berlin", 1);
        setenv("LC_ALL", "C", 1);
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    }
};

TEST_F(ReportJson, ParsesBackIntoTheModel) {
    Report report;
    report.key = "assignments";
    report.title = "设备分配";
    report.subtitle = "cradle \"east\"\\west";
    report.generated_at_utc = noon_utc;
    Section devices;
    devices.key = "devices";
    devices.heading = "设备";
    devices.note = "note\twith\ttabs\nand a bell \a";
    devices.table.columns = {{"serial", "序列号"},
                             {"officer", "Officer"},
                             {"docked", "Docked"},
                             {"battery", "%"},
                             {"wiped", "Wiped"}};
    devices.table.rows = {
        {text("BWC-0001"), text("张伟, \"交警\""), time_utc(noon_utc), number(87.5, 1), flag(true)},
        {text("BWC-0002"), text("line\r\nbreak"), empty(), number(-3), flag(false)},
    };
    Section empty_section;
    empty_section.key = "changes";
    empty_section.heading = "Changes";
    report.sections = {devices, empty_section};

    Json json = parse(render_json(report));
    EXPECT_EQ(json["report"].str(), "assignments");
    EXPECT_EQ(json["title"].str(), "设备分配");
    EXPECT_EQ(json["subtitle"].str(), "cradle \"east\"\\west");
    EXPECT_EQ(json["generated_at"]["utc"].str(), "2026-03-29T12:00:00Z");
    EXPECT_EQ(json["generated_at"]["local"].str(), "2026-03-29 14:00:00 CEST");
    ASSERT_EQ(json["sections"].size(), 2u);

    const Json& first = json["sections"][0];
    EXPECT_EQ(first["section"].str(), "devices");
    EXPECT_EQ(first["heading"].str(), "设备");
    EXPECT_EQ(first["note"].str(), "note\twith\ttabs\nand a bell \a");
    ASSERT_EQ(first["columns"].size(), 5u);
    EXPECT_EQ(first["columns"][0]["key"].str(), "serial");
    EXPECT_EQ(first["columns"][0]["heading"].str(), "序列号");
    ASSERT_EQ(first["rows"].size(), 2u);
    const Json& row = first["rows"][0];
    EXPECT_EQ(row["serial"].str(), "BWC-0001");
    EXPECT_EQ(row["officer"].str(), "张伟, \"交警\"");
    EXPECT_EQ(row["docked"]["utc"].str(), "2026-03-29T12:00:00Z");
    EXPECT_EQ(row["docked"]["local"].str(), "2026-03-29 14:00:00 CEST");
    EXPECT_DOUBLE_EQ(row["battery"].num(), 87.5);
    EXPECT_EQ(std::get<bool>(row["wiped"].value), true);
    const Json& second = first["rows"][1];
    EXPECT_EQ(second["officer"].str(), "line\r\nbreak");
    EXPECT_EQ(second["docked"].str(), "");
    EXPECT_DOUBLE_EQ(second["battery"].num(), -3);
    EXPECT_EQ(std::get<bool>(second["wiped"].value), false);

    const Json& last = json["sections"][1];
    EXPECT_FALSE(last.has("note"));
    EXPECT_EQ(last["rows"].size(), 0u);
    EXPECT_EQ(last["columns"].size(), 0u);
}

TEST_F(ReportJson, NumberThatIsNotFiniteIsNull) {
    Report report;
    Section section;
    section.key = "s";
    section.table.columns = {{"ratio", "Ratio"}};
    section.table.rows = {{number(std::numeric_limits<double>::quiet_NaN())}};
    report.sections = {section};
    Json json = parse(render_json(report));
    EXPECT_TRUE(
        std::holds_alternative<std::nullptr_t>(json["sections"][0]["rows"][0]["ratio"].value));
}

TEST_F(ReportJson, StringsEscapeWhatJsonRequires) {
    EXPECT_EQ(json_string("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(json_string("\x01"), R"("\u0001")");
    EXPECT_EQ(json_string("东城"), "\"东城\"");
}

}  // namespace
}  // namespace cradle::reports
