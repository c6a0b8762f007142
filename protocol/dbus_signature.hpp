// SPDX-License-Identifier: Apache-2.0
// Signatures composed from the contract's (protocol/cradle1_contract.hpp, generated from
// dbus/org.cradled.Cradle1.xml): the element of an array argument, such as the recording's
// "(xsstsssxxx)" within ListRecordings's "a(xsstsssxxx)", taken from the XML's own text rather
// than typed again.
#pragma once

#include <cstddef>

namespace cradle::dbus {

// A signature held by value, usable wherever sd-bus wants a `const char*`.
template <std::size_t N>
struct Signature {
    char text[N] = {};
    constexpr operator const char*() const { return text; }
    constexpr const char* c_str() const { return text; }
};

// The element type of an array signature ("a(...)" gives "(...)"). An argument that is not one
// array (of a basic type or of a struct) fails to compile.
template <std::size_t N>
consteval Signature<N - 1> element_of(const char (&array)[N]) {
    if (N < 3 || array[0] != 'a') throw "not an array signature";
    // A struct element must end where the signature ends; a basic one is one letter.
    int depth = 0;
    for (std::size_t i = 1; i + 1 < N; ++i) {
        if (array[i] == '(') ++depth;
        if (array[i] == ')') --depth;
        if (depth == 0 && i + 2 < N) throw "more than one array";
    }
    Signature<N - 1> element;
    for (std::size_t i = 1; i < N; ++i) element.text[i - 1] = array[i];
    return element;
}

// Whether two signatures are the same text, for static_assert where two arguments of the XML
// are documented as the same fields.
constexpr bool same_signature(const char* a, const char* b) {
    for (; *a != '\0' && *a == *b; ++a, ++b) {
    }
    return *a == *b;
}

}  // namespace cradle::dbus
