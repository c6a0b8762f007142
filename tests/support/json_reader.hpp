// A small strict JSON reader for the tests that check JSON output (reports, cradlectl --json)
// field by field. Every typed read checks the kind of the value, so an assertion on a field of
// the wrong kind fails instead of comparing against a default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::test {

struct Json {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool flag = false;                    // a boolean's value
    double number = 0;                    // a number's value
    std::string text;                     // a string's value, UTF-8
    std::vector<Json> items;              // an array's elements
    std::map<std::string, Json> members;  // an object's members

    // These throw std::runtime_error when the value is not of the kind asked for, or the
    // member or element is missing.
    const Json& operator[](const std::string& key) const;
    const Json& operator[](std::size_t index) const;
    const std::string& str() const;
    double num() const;
    std::int64_t integer() const;
    bool boolean() const;
    const std::vector<Json>& array() const;
    bool has(const std::string& key) const;  // of an object
    std::size_t size() const;                // elements of an array, members of an object

    bool is_null() const { return kind == Kind::null; }
};

class JsonReader {
  public:
    // The one JSON value that `text` holds (white space around it allowed). Throws
    // std::runtime_error naming the offset of the first fault on malformed input.
    static Json parse(std::string_view text);
};

}  // namespace cradle::test
