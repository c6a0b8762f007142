// SPDX-License-Identifier: Apache-2.0
#include "core/remote/xml_tree.hpp"

#include <expat.h>

#include <memory>

namespace cradle::remote {

namespace {

constexpr std::size_t kMaxDepth = 16;
constexpr std::size_t kMaxElements = 100'000;

struct ParseState {
    XmlElement root;
    std::vector<XmlElement*> open;  // the elements being read, innermost last
    std::size_t elements = 0;
    std::string failure;
    XML_Parser parser = nullptr;
};

std::string local_name(const XML_Char* name) {
    // With namespace processing on, expat reports "URI NAME"; keep NAME.
    std::string_view full(name);
    const auto space = full.rfind(' ');
    return std::string(space == std::string_view::npos ? full : full.substr(space + 1));
}

void on_start(void* data, const XML_Char* name, const XML_Char** /*attributes*/) {
    auto& state = *static_cast<ParseState*>(data);
    if (state.open.size() >= kMaxDepth || ++state.elements > kMaxElements) {
        state.failure = state.open.size() >= kMaxDepth ? "nested too deeply" : "too many elements";
        XML_StopParser(state.parser, XML_FALSE);
        return;
    }
    if (state.open.empty()) {
        state.root.name = local_name(name);
        state.open.push_back(&state.root);
        return;
    }
    auto& children = state.open.back()->children;
    children.push_back(XmlElement{local_name(name), {}, {}});
    state.open.push_back(&children.back());
}

void on_end(void* data, const XML_Char* /*name*/) {
    auto& state = *static_cast<ParseState*>(data);
    if (!state.open.empty()) state.open.pop_back();
}

void on_text(void* data, const XML_Char* text, int length) {
    auto& state = *static_cast<ParseState*>(data);
    if (!state.open.empty()) state.open.back()->text.append(text, static_cast<std::size_t>(length));
}

struct FreeParser {
    void operator()(XML_ParserStruct* parser) const noexcept { XML_ParserFree(parser); }
};

}  // namespace

const XmlElement* XmlElement::child(std::string_view child_name) const {
    for (const auto& c : children) {
        if (c.name == child_name) return &c;
    }
    return nullptr;
}

std::string XmlElement::child_text(std::string_view child_name) const {
    const auto* c = child(child_name);
    return c ? c->text : std::string();
}

std::vector<const XmlElement*> XmlElement::children_named(std::string_view child_name) const {
    std::vector<const XmlElement*> found;
    for (const auto& c : children) {
        if (c.name == child_name) found.push_back(&c);
    }
    return found;
}

XmlElement parse_xml(std::string_view document) {
    // A vector of children may move its elements while it grows, so the open elements are held
    // by pointer only while their parent does not grow: a child is pushed before it is opened,
    // and a parent gains no further child until that one is closed.
    ParseState state;
    std::unique_ptr<XML_ParserStruct, FreeParser> parser(XML_ParserCreateNS(nullptr, ' '));
    if (!parser) throw XmlError("cannot create an XML parser");
    state.parser = parser.get();
    XML_SetUserData(parser.get(), &state);
    XML_SetElementHandler(parser.get(), on_start, on_end);
    XML_SetCharacterDataHandler(parser.get(), on_text);
    const auto status =
        XML_Parse(parser.get(), document.data(), static_cast<int>(document.size()), XML_TRUE);
    if (!state.failure.empty()) throw XmlError("XML answer " + state.failure);
    if (status != XML_STATUS_OK) {
        throw XmlError(std::string("XML answer not well-formed: ") +
                       XML_ErrorString(XML_GetErrorCode(parser.get())));
    }
    return std::move(state.root);
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace cradle::remote
