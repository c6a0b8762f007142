// SPDX-License-Identifier: Apache-2.0
// What the central archive's client checks before it asks the store anything, and how it reads
// the store's answers: object keys and the XML documents, bounded.
#include "core/remote/s3_client.hpp"
#include "core/remote/xml_tree.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cradle::remote {
namespace {

TEST(S3Keys, KeysTheCradleDerivesAreValid) {
    EXPECT_TRUE(S3Client::valid_key("cradles/cradle-01/recordings/2026/12/000123.mp4"));
    EXPECT_TRUE(S3Client::valid_key("a"));
    EXPECT_TRUE(S3Client::valid_key(std::string(1024, 'k')));
}

TEST(S3Keys, KeysThatCouldEscapeOrSurpriseAreRefused) {
    for (const std::string& key : std::vector<std::string>{
             "", "/abs", "a//b", "a/../b", "../a", "a/.", "a/", "a b", "a?b", "a%2Fb", "a\\b",
             "\xe8\xa7\x86", std::string(1025, 'k'), std::string("a\0b", 3)}) {
        EXPECT_FALSE(S3Client::valid_key(key)) << key;
    }
}

TEST(S3Keys, ARequestWithAnInvalidKeyFailsBeforeAnyConnection) {
    S3Options options;
    options.endpoint = "http://127.0.0.1:1";
    options.bucket = "b";
    S3Client client(options, {"k", "s"});
    try {
        client.head_object("../etc/passwd");
        FAIL() << "an invalid key was sent";
    } catch (const S3Error& e) {
        EXPECT_NE(std::string(e.what()).find("refused to use an object key"), std::string::npos)
            << e.what();
    }
}

TEST(XmlTree, ReadsElementsTextAndRepeatedChildrenWithoutNamespaces) {
    const auto doc = parse_xml(
        R"(<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket>
<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>
<Part><PartNumber>2</PartNumber><ETag>"e2"</ETag></Part></ListPartsResult>)");
    EXPECT_EQ(doc.name, "ListPartsResult");
    EXPECT_EQ(doc.child_text("Bucket"), "b");
    const auto parts = doc.children_named("Part");
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0]->child_text("ETag"), "\"e1\"");
    EXPECT_EQ(parts[1]->child_text("PartNumber"), "2");
    EXPECT_EQ(doc.child_text("Missing"), "");
    EXPECT_EQ(doc.child("Missing"), nullptr);
}

TEST(XmlTree, RefusesWhatIsNotWellFormedOrTooDeepOrTooMany) {
    EXPECT_THROW(parse_xml("<a><b></a>"), XmlError);
    EXPECT_THROW(parse_xml(""), XmlError);
    std::string deep;
    for (int i = 0; i < 17; ++i) deep += "<a>";
    for (int i = 0; i < 17; ++i) deep += "</a>";
    EXPECT_THROW(parse_xml(deep), XmlError);
    std::string sixteen;
    for (int i = 0; i < 16; ++i) sixteen += "<a>";
    for (int i = 0; i < 16; ++i) sixteen += "</a>";
    EXPECT_NO_THROW(parse_xml(sixteen));
    std::string many = "<r>";
    for (int i = 0; i < 100'000; ++i) many += "<x/>";
    many += "</r>";
    EXPECT_THROW(parse_xml(many), XmlError);
}

TEST(XmlTree, AnEntityExpansionBombIsRefused) {
    // Expat's protection against amplification stops "billion laughs" documents.
    std::string bomb = R"(<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">)";
    char prev = 'a';
    for (char e = 'b'; e <= 'k'; ++e) {
        bomb += std::string("<!ENTITY ") + e + " \"";
        for (int i = 0; i < 10; ++i) bomb += std::string("&") + prev + ";";
        bomb += "\">";
        prev = e;
    }
    bomb += "]><l>&k;</l>";
    EXPECT_THROW(parse_xml(bomb), XmlError);
}

TEST(S3Keys, MetadataWhoseSignedOrderWouldDifferIsRefused) {
    S3Options options;
    options.endpoint = "http://127.0.0.1:1";
    options.bucket = "b";
    S3Client client(options, {"k", "s"});
    const std::string body = "x";
    try {
        client.put_object("k", std::as_bytes(std::span(body)), "0", {{"a", "1"}, {"a-b", "2"}});
        FAIL() << "metadata names a and a-b were sent";
    } catch (const S3Error& e) {
        EXPECT_NE(std::string(e.what()).find("refused to send object metadata"), std::string::npos)
            << e.what();
    }
}

TEST(XmlTree, EscapesTextForElements) {
    EXPECT_EQ(xml_escape(R"(a<b>&"c'")"), "a&lt;b&gt;&amp;&quot;c&apos;&quot;");
}

}  // namespace
}  // namespace cradle::remote
