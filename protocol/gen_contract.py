#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the D-Bus contract of dbus/org.cradled.Cradle1.xml as a C++ header.

The introspection XML is the one place where a method, a property or a signal of the API is
written down. The server's vtable, cradlectl's calls and the reports' facts take their names
and signatures from the header this script writes, at build time, so that a signature typed
twice cannot disagree with the XML.

For each interface org.cradled.Cradle1.X the header has a namespace X (named as in the XML, so
that a reader finds Manager::ListRecordings where the XML has it) holding:
  interface                   the interface's name
  one struct per property     name, signature, emits_changed (the XML's annotation
                              org.freedesktop.DBus.Property.EmitsChangedSignal: "true" when
                              absent, "false", "const" or "invalidates")
  one struct per method       name, in and out (the signatures of the arguments in and out),
                              arg_names (in then out, each ended by NUL, as sd-bus's vtable
                              wants them) and arg::NAME, each argument's own signature
  one struct per signal       name, signature, arg_names, arg::NAME
  properties                  every property as a PropertyInfo, in the XML's order

Usage: gen_contract.py INPUT.xml OUTPUT.hpp
Uses the standard library only.
"""

import os
import sys
import xml.etree.ElementTree as ET

NAMESPACE = "cradle::protocol::cradle1"
INTERFACE_PREFIX = "org.cradled.Cradle1."
EMITS_CHANGED = "org.freedesktop.DBus.Property.EmitsChangedSignal"

# Names the header cannot use for an argument's constant as they are.
CPP_KEYWORDS = {
    "alignas", "alignof", "and", "asm", "auto", "bool", "break", "case", "catch", "char",
    "class", "const", "constexpr", "continue", "default", "delete", "do", "double", "else",
    "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if",
    "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "nullptr",
    "operator", "or", "private", "protected", "public", "register", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "template", "this", "throw", "true",
    "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
    "volatile", "while", "xor",
}


class ContractError(Exception):
    pass


def literal(text):
    """A C++ string literal of `text` (names and signatures are plain ASCII)."""
    if not text.isascii() or any(c in text for c in '"\\\n'):
        raise ContractError(f"cannot write {text!r} as a C++ literal")
    return f'"{text}"'


def identifier(name, what):
    if not name or not (name[0].isalpha() or name[0] == "_") or not all(
            c.isalnum() or c == "_" for c in name):
        raise ContractError(f"{what} {name!r} is not a C++ identifier")
    return name + "_" if name in CPP_KEYWORDS else name


def names_literal(names):
    """The argument names as sd-bus's vtable wants them: each ended by NUL, one literal each."""
    if not names:
        return '""'
    return " ".join(f'"{name}\\0"' for name in names)


def arguments(element, member, default_direction):
    """[(name, type, direction)] of a method's or signal's arguments, each named."""
    result = []
    for arg in element.findall("arg"):
        name = arg.get("name")
        signature = arg.get("type")
        if not name or not signature:
            raise ContractError(f"{member}: every argument needs a name and a type")
        result.append((name, signature, arg.get("direction", default_direction)))
    return result


def argument_structs(args, member, out):
    out.append("    struct arg {")
    seen = set()
    for name, signature, _ in args:
        if name in seen:
            raise ContractError(f"{member}: argument {name!r} twice")
        seen.add(name)
        out.append(f"        static constexpr char {identifier(name, 'argument')}[] = "
                   f"{literal(signature)};")
    out.append("    };")


def method(element, out):
    name = element.get("name")
    args = arguments(element, name, "in")
    ins = [a for a in args if a[2] == "in"]
    outs = [a for a in args if a[2] == "out"]
    if len(ins) + len(outs) != len(args):
        raise ContractError(f"{name}: an argument's direction is neither in nor out")
    out.append(f"struct {identifier(name, 'method')} {{")
    out.append(f"    static constexpr char name[] = {literal(name)};")
    out.append(f"    static constexpr char in[] = {literal(''.join(a[1] for a in ins))};")
    out.append(f"    static constexpr char out[] = {literal(''.join(a[1] for a in outs))};")
    out.append(f"    static constexpr char arg_names[] = "
               f"{names_literal([a[0] for a in ins + outs])};")
    argument_structs(args, name, out)
    out.append("};")


def signal(element, out):
    name = element.get("name")
    args = arguments(element, name, "out")
    out.append(f"struct {identifier(name, 'signal')} {{")
    out.append(f"    static constexpr char name[] = {literal(name)};")
    out.append(f"    static constexpr char signature[] = {literal(''.join(a[1] for a in args))};")
    out.append(f"    static constexpr char arg_names[] = {names_literal([a[0] for a in args])};")
    argument_structs(args, name, out)
    out.append("};")


def emits_changed(element):
    for annotation in element.findall("annotation"):
        if annotation.get("name") == EMITS_CHANGED:
            value = annotation.get("value")
            if value not in ("true", "false", "const", "invalidates"):
                raise ContractError(f"{element.get('name')}: {EMITS_CHANGED} is {value!r}")
            return value
    return "true"


def prop(element, out):
    name = element.get("name")
    if element.get("access") != "read":
        raise ContractError(f"{name}: only read-only properties are served")
    out.append(f"struct {identifier(name, 'property')} {{")
    out.append(f"    static constexpr char name[] = {literal(name)};")
    out.append(f"    static constexpr char signature[] = {literal(element.get('type'))};")
    out.append(f"    static constexpr char emits_changed[] = {literal(emits_changed(element))};")
    out.append("};")


def interface(element, out):
    full = element.get("name")
    if not full.startswith(INTERFACE_PREFIX):
        raise ContractError(f"interface {full!r} is not under {INTERFACE_PREFIX}")
    short = identifier(full[len(INTERFACE_PREFIX):], "interface")
    out.append(f"namespace {short} {{")
    out.append("")
    out.append(f"inline constexpr char interface[] = {literal(full)};")
    out.append("")
    properties = element.findall("property")
    for child in properties:
        prop(child, out)
    for child in element.findall("method"):
        method(child, out)
    for child in element.findall("signal"):
        signal(child, out)
    out.append("")
    out.append("inline constexpr PropertyInfo properties[] = {")
    for child in properties:
        p = identifier(child.get("name"), "property")
        out.append(f"    {{{p}::name, {p}::signature, {p}::emits_changed}},")
    out.append("};")
    out.append("")
    out.append(f"}}  // namespace {short}")
    out.append("")


def header(xml_path):
    root = ET.parse(xml_path).getroot()
    if root.tag != "node":
        raise ContractError("the root element is not <node>")
    source = os.path.basename(xml_path)
    out = [
        "// SPDX-License-Identifier: Apache-2.0",
        f"// Generated from dbus/{source} by protocol/gen_contract.py at build time: do not",
        "// edit; change the XML. The names and signatures of the D-Bus contract, for the server,",
        "// cradlectl and the reports' facts (see the script for what each constant is).",
        "#pragma once",
        "",
        f"namespace {NAMESPACE} {{",
        "",
        "// A property's name, signature and how its changes are signalled.",
        "struct PropertyInfo {",
        "    const char* name;",
        "    const char* signature;",
        "    const char* emits_changed;",
        "};",
        "",
    ]
    interfaces = root.findall("interface")
    if not interfaces:
        raise ContractError("no interface")
    for element in interfaces:
        interface(element, out)
    out.append(f"}}  // namespace {NAMESPACE}")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) != 3:
        print("usage: gen_contract.py INPUT.xml OUTPUT.hpp", file=sys.stderr)
        return 2
    try:
        text = header(argv[1])
    except (ContractError, ET.ParseError) as e:
        print(f"gen_contract.py: {argv[1]}: {e}", file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(os.path.abspath(argv[2])), exist_ok=True)
    # Written only when it changed, so that an edit of a comment in the XML rebuilds nothing.
    try:
        with open(argv[2], encoding="utf-8") as f:
            if f.read() == text:
                return 0
    except FileNotFoundError:
        pass
    with open(argv[2], "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
