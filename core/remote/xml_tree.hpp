// SPDX-License-Identifier: Apache-2.0
// The object store's answers are small XML documents (ListPartsResult, Error, Retention, ...).
// They are read with expat into a tree of elements and their text, bounded in depth and size:
// the store is trusted no more than a camera.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::remote {

class XmlError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct XmlElement {
    std::string name;  // the local name, without a namespace prefix
    std::string text;  // the element's own character data
    std::vector<XmlElement> children;

    // The first child of that name, or nullptr.
    const XmlElement* child(std::string_view child_name) const;
    // The text of the first child of that name, or "" when there is none.
    std::string child_text(std::string_view child_name) const;
    // Every child of that name.
    std::vector<const XmlElement*> children_named(std::string_view child_name) const;
};

// Parses a whole document; throws XmlError when it is not well-formed, nests deeper than
// 16 levels, or holds more than 100,000 elements.
XmlElement parse_xml(std::string_view document);

// Escapes &, <, >, " and ' for element text.
std::string xml_escape(std::string_view text);

}  // namespace cradle::remote
