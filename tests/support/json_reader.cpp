#include "tests/support/json_reader.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>

namespace cradle::test {

namespace {

const char* kind_name(Json::Kind kind) {
    switch (kind) {
        case Json::Kind::null:
            return "null";
        case Json::Kind::boolean:
            return "a boolean";
        case Json::Kind::number:
            return "a number";
        case Json::Kind::string:
            return "a string";
        case Json::Kind::array:
            return "an array";
        case Json::Kind::object:
            return "an object";
    }
    return "unknown";
}

void require(const Json& value, Json::Kind wanted) {
    if (value.kind != wanted) {
        throw std::runtime_error(std::string("JSON: expected ") + kind_name(wanted) + ", found " +
                                 kind_name(value.kind));
    }
}

// Nesting deeper than any output under test; the limit keeps a runaway input from
// exhausting the stack.
constexpr int kMaxDepth = 256;

class Parser {
  public:
    explicit Parser(std::string_view text) : text_(text) {}

    Json document() {
        Json parsed = value(0);
        skip_space();
        if (at_ != text_.size()) fail("text after the JSON value");
        return parsed;
    }

  private:
    [[noreturn]] void fail(const std::string& why) const {
        // A little of the text from the fault on, to find it in a long output.
        std::string near(text_.substr(at_ < text_.size() ? at_ : text_.size(), 40));
        throw std::runtime_error("JSON: " + why + " at offset " + std::to_string(at_) +
                                 (near.empty() ? " (end of text)" : " near \"" + near + "\""));
    }

    void skip_space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                      text_[at_] == '\n' || text_[at_] == '\r')) {
            ++at_;
        }
    }
    bool take(char wanted) {
        skip_space();
        if (at_ < text_.size() && text_[at_] == wanted) {
            ++at_;
            return true;
        }
        return false;
    }
    void expect(char wanted) {
        if (!take(wanted)) fail(std::string("expected '") + wanted + "'");
    }
    bool take_word(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }

    Json value(int depth) {
        if (depth > kMaxDepth) fail("nesting too deep");
        skip_space();
        if (at_ >= text_.size()) fail("unexpected end");
        Json parsed;
        const char first = text_[at_];
        if (first == '{') {
            ++at_;
            parsed.kind = Json::Kind::object;
            if (take('}')) return parsed;
            do {
                skip_space();
                std::string key = string();
                expect(':');
                if (parsed.members.count(key) != 0) fail("member \"" + key + "\" twice");
                parsed.members.emplace(std::move(key), value(depth + 1));
            } while (take(','));
            expect('}');
        } else if (first == '[') {
            ++at_;
            parsed.kind = Json::Kind::array;
            if (take(']')) return parsed;
            do {
                parsed.items.push_back(value(depth + 1));
            } while (take(','));
            expect(']');
        } else if (first == '"') {
            parsed.kind = Json::Kind::string;
            parsed.text = string();
        } else if (take_word("true")) {
            parsed.kind = Json::Kind::boolean;
            parsed.flag = true;
        } else if (take_word("false")) {
            parsed.kind = Json::Kind::boolean;
        } else if (take_word("null")) {
            parsed.kind = Json::Kind::null;
        } else {
            parsed.kind = Json::Kind::number;
            parsed.number = number();
        }
        return parsed;
    }

    // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? as JSON has it; read independently of
    // the locale.
    double number() {
        const std::size_t start = at_;
        auto digits = [&] {
            const std::size_t from = at_;
            while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
            return at_ - from;
        };
        if (at_ < text_.size() && text_[at_] == '-') ++at_;
        const std::size_t whole_start = at_;
        const std::size_t whole = digits();
        if (whole == 0) {
            at_ = start;
            fail("unexpected character");
        }
        if (whole > 1 && text_[whole_start] == '0') {
            at_ = whole_start;
            fail("number with a leading zero");
        }
        if (at_ < text_.size() && text_[at_] == '.') {
            ++at_;
            if (digits() == 0) fail("no digits after the decimal point");
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
            if (digits() == 0) fail("no digits in the exponent");
        }
        double parsed = 0;
        const char* begin = text_.data() + start;
        const char* end = text_.data() + at_;
        auto [stopped, error] = std::from_chars(begin, end, parsed);
        if (error != std::errc() || stopped != end) {
            at_ = start;
            fail("number out of range");
        }
        return parsed;
    }

    unsigned hex4() {
        if (at_ + 4 > text_.size()) fail("short \\u escape");
        unsigned code = 0;
        const char* begin = text_.data() + at_;
        auto [stopped, error] = std::from_chars(begin, begin + 4, code, 16);
        if (error != std::errc() || stopped != begin + 4)
            fail("\\u escape without four hex digits");
        at_ += 4;
        return code;
    }

    static void append_utf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
    }

    // A \u escape (the "\u" already read): one code unit of the BMP, or a surrogate pair for a
    // code point beyond it.
    unsigned escaped_code_point() {
        const std::size_t escape_start = at_ - 2;
        const unsigned code = hex4();
        if (code >= 0xDC00 && code <= 0xDFFF) {
            at_ = escape_start;
            fail("low surrogate without a high one");
        }
        if (code < 0xD800 || code > 0xDBFF) return code;
        const unsigned low = take_word("\\u") ? hex4() : 0;
        if (low < 0xDC00 || low > 0xDFFF) {
            at_ = escape_start;
            fail("high surrogate without a low one");
        }
        return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }

    std::string string() {
        if (at_ >= text_.size() || text_[at_] != '"') fail("expected a string");
        ++at_;
        std::string out;
        for (;;) {
            if (at_ >= text_.size()) fail("unfinished string");
            const char c = text_[at_];
            if (c == '"') {
                ++at_;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
            ++at_;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_ >= text_.size()) fail("unfinished escape");
            const char escape = text_[at_++];
            switch (escape) {
                case '"':
                case '\\':
                case '/':
                    out += escape;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u':
                    append_utf8(out, escaped_code_point());
                    break;
                default:
                    --at_;
                    fail(std::string("unknown escape \\") + escape);
            }
        }
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

}  // namespace

const Json& Json::operator[](const std::string& key) const {
    if (kind != Kind::object) {
        throw std::runtime_error(std::string("JSON: asked for member \"") + key + "\" of " +
                                 kind_name(kind));
    }
    auto found = members.find(key);
    if (found == members.end()) throw std::runtime_error("JSON: no member \"" + key + "\"");
    return found->second;
}

const Json& Json::operator[](std::size_t index) const {
    require(*this, Kind::array);
    if (index >= items.size()) {
        throw std::runtime_error("JSON: no element " + std::to_string(index) + " of " +
                                 std::to_string(items.size()));
    }
    return items[index];
}

const std::string& Json::str() const {
    require(*this, Kind::string);
    return text;
}

double Json::num() const {
    require(*this, Kind::number);
    return number;
}

std::int64_t Json::integer() const {
    require(*this, Kind::number);
    // 2^63 is exact as a double; anything from it on does not fit.
    if (std::trunc(number) != number || number < -9223372036854775808.0 ||
        number >= 9223372036854775808.0) {
        throw std::runtime_error("JSON: " + std::to_string(number) + " is not a whole number");
    }
    return static_cast<std::int64_t>(number);
}

bool Json::boolean() const {
    require(*this, Kind::boolean);
    return flag;
}

const std::vector<Json>& Json::array() const {
    require(*this, Kind::array);
    return items;
}

bool Json::has(const std::string& key) const {
    require(*this, Kind::object);
    return members.count(key) == 1;
}

std::size_t Json::size() const {
    if (kind == Kind::array) return items.size();
    require(*this, Kind::object);
    return members.size();
}

Json JsonReader::parse(std::string_view text) {
    return Parser(text).document();
}

}  // namespace cradle::test
