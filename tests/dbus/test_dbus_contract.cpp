// SPDX-License-Identifier: Apache-2.0
// The contract check: what the running server declares on the bus (its introspection) is
// exactly dbus/org.cradled.Cradle1.xml, in both directions. Every method with its arguments'
// names, signatures and directions, every property with its signature, access and how its
// changes are signalled, and every signal with its arguments, on each of the three interfaces.
// Both documents are read by the same parser, independently of the header generated from the
// XML, so that a mistake of the generator shows here too.
#include "tests/dbus/test_dbus_harness.hpp"
#include "tests/support/file_text.hpp"

#include <expat.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cradle::test {
namespace {

constexpr const char* kInterfacePrefix = "org.cradled.Cradle1.";
constexpr const char* kEmitsChanged = "org.freedesktop.DBus.Property.EmitsChangedSignal";

// Each interface of the contract (by name) and its members, each written as one line such as
// "method ListRecordings(in s serial, in x captured_from, ...)" or
// "property Phase s read emits=true".
using Contract = std::map<std::string, std::set<std::string>>;

// Reads the interfaces named org.cradled.Cradle1.* of an introspection document. Elements it
// does not know (child nodes, other annotations) are skipped.
class ContractReader {
  public:
    static Contract read(const std::string& xml, std::string& error) {
        ContractReader reader;
        XML_Parser parser = XML_ParserCreate("UTF-8");
        XML_SetUserData(parser, &reader);
        XML_SetElementHandler(parser, &ContractReader::start, &ContractReader::end);
        if (XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE) ==
            XML_STATUS_ERROR) {
            error = std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
                    std::to_string(XML_GetCurrentLineNumber(parser));
        }
        XML_ParserFree(parser);
        return reader.contract_;
    }

  private:
    static std::map<std::string, std::string> attributes(const XML_Char** list) {
        std::map<std::string, std::string> result;
        for (int i = 0; list[i] != nullptr; i += 2) result[list[i]] = list[i + 1];
        return result;
    }

    static void start(void* data, const XML_Char* element, const XML_Char** list) {
        auto& self = *static_cast<ContractReader*>(data);
        const std::string tag = element;
        auto attr = attributes(list);
        if (tag == "interface") {
            self.interface_ = attr["name"];
            if (self.interface_.rfind(kInterfacePrefix, 0) != 0) {
                self.interface_.clear();
            } else {
                self.contract_[self.interface_];  // an interface with no member is one too
            }
            return;
        }
        if (self.interface_.empty()) return;
        if (tag == "method" || tag == "signal") {
            self.member_ = tag + " " + attr["name"];
            self.arguments_.clear();
            self.emits_.clear();
        } else if (tag == "property") {
            self.member_ = "property " + attr["name"] + " " + attr["type"] + " " + attr["access"];
            self.emits_ = "true";  // the default of the D-Bus specification
        } else if (tag == "arg" && !self.member_.empty()) {
            // A signal's arguments are all sent (a direction, if written, says nothing); a
            // method's are "in" unless said.
            std::string direction;
            if (self.member_.rfind("method", 0) == 0) {
                direction = attr["direction"].empty() ? "in" : attr["direction"];
            }
            self.arguments_.push_back((direction.empty() ? "" : direction + " ") + attr["type"] +
                                      " " + attr["name"]);
        } else if (tag == "annotation" && attr["name"] == kEmitsChanged) {
            self.emits_ = attr["value"];
        }
    }

    static void end(void* data, const XML_Char* element) {
        auto& self = *static_cast<ContractReader*>(data);
        const std::string tag = element;
        if (tag == "interface") {
            self.interface_.clear();
        } else if ((tag == "method" || tag == "signal") && !self.member_.empty()) {
            std::string line = self.member_ + "(";
            for (std::size_t i = 0; i < self.arguments_.size(); ++i) {
                line += (i == 0 ? "" : ", ") + self.arguments_[i];
            }
            self.contract_[self.interface_].insert(line + ")");
            self.member_.clear();
        } else if (tag == "property" && !self.member_.empty()) {
            self.contract_[self.interface_].insert(self.member_ + " emits=" + self.emits_);
            self.member_.clear();
        }
    }

    Contract contract_;
    std::string interface_;
    std::string member_;
    std::vector<std::string> arguments_;
    std::string emits_;
};

std::string introspect(sd_bus* bus, const std::string& path) {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    std::string xml;
    const int r =
        sd_bus_call_method(bus, kService, path.c_str(), "org.freedesktop.DBus.Introspectable",
                           "Introspect", &error, &reply, "");
    EXPECT_GE(r, 0) << path << ": " << (error.message ? error.message : "");
    const char* text = nullptr;
    if (r >= 0 && sd_bus_message_read(reply, "s", &text) >= 0 && text != nullptr) xml = text;
    sd_bus_message_unref(reply);
    sd_bus_error_free(&error);
    return xml;
}

std::string lines(const std::set<std::string>& members) {
    std::string text;
    for (const auto& member : members) text += "\n  " + member;
    return text.empty() ? " (none)" : text;
}

// Says, for each interface, what one side has and the other lacks.
void expect_same(const Contract& xml, const Contract& served) {
    std::set<std::string> interfaces;
    for (const auto& [name, members] : xml) interfaces.insert(name);
    for (const auto& [name, members] : served) interfaces.insert(name);
    for (const auto& name : interfaces) {
        const auto in_xml = xml.find(name);
        const auto on_bus = served.find(name);
        ASSERT_TRUE(in_xml != xml.end()) << name << " is served but not in the XML";
        ASSERT_TRUE(on_bus != served.end()) << name << " is in the XML but not served";
        std::set<std::string> only_xml, only_bus;
        for (const auto& member : in_xml->second) {
            if (!on_bus->second.count(member)) only_xml.insert(member);
        }
        for (const auto& member : on_bus->second) {
            if (!in_xml->second.count(member)) only_bus.insert(member);
        }
        EXPECT_TRUE(only_xml.empty() && only_bus.empty())
            << name << "\nin the XML, not served as written:" << lines(only_xml)
            << "\nserved, not in the XML as written:" << lines(only_bus);
    }
}

Contract read_xml_file() {
    std::string error;
    Contract contract = ContractReader::read(
        file_text(std::string(CRADLED_SOURCE_DIR) + "/dbus/org.cradled.Cradle1.xml"), error);
    EXPECT_EQ(error, "") << "the XML does not parse";
    return contract;
}

TEST(DbusContract, TheReaderSeesEveryKindOfMember) {
    // The check below is only as good as its reader: one of each, with the defaults.
    std::string error;
    Contract contract = ContractReader::read(R"xml(<node>
        <interface name="org.cradled.Cradle1.Example">
          <method name="M"><arg name="a" type="s"/><arg name="b" type="a(xs)" direction="out"/></method>
          <property name="P" type="u" access="read"/>
          <property name="Q" type="s" access="read">
            <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="const"/>
          </property>
          <signal name="S"><arg name="c" type="u"/></signal>
        </interface>
        <interface name="org.freedesktop.DBus.Peer"><method name="Ping"/></interface>
      </node>)xml",
                                             error);
    EXPECT_EQ(error, "");
    const Contract expected = {{"org.cradled.Cradle1.Example",
                                {"method M(in s a, out a(xs) b)", "property P u read emits=true",
                                 "property Q s read emits=const", "signal S(u c)"}}};
    EXPECT_EQ(contract, expected);
}

TEST(DbusContract, TheServerServesExactlyTheXml) {
    ServiceOnBus service(2);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());

    const Contract xml = read_xml_file();
    ASSERT_EQ(xml.size(), 3u) << "the XML has the Manager, Bay and Device interfaces";

    // The Manager on the root object, a bay, and a device of the configuration's register.
    Contract served;
    for (const std::string& path : {std::string(kRoot), bay_object(1), device_object("REG-1")}) {
        std::string error;
        Contract found = ContractReader::read(introspect(client.get(), path), error);
        EXPECT_EQ(error, "") << path;
        for (auto& [name, members] : found) {
            EXPECT_FALSE(served.count(name)) << name << " is served on more than one object";
            served[name] = std::move(members);
        }
    }
    expect_same(xml, served);
}

}  // namespace
}  // namespace cradle::test
