// SPDX-License-Identifier: Apache-2.0
// The text of a rendered PDF as a reader's tool extracts it (pdftotext, from poppler-utils):
// what the tests of the PDF reports compare, rather than the PDF's bytes.
#pragma once

#include <string>

namespace cradle::test {

// Whether pdftotext is on the PATH; a test without it skips, naming the tool.
bool pdftotext_installed();

// The PDF's text in drawing order (pdftotext -raw keeps a wrapped cell's lines together), with
// all white space removed so a line break inside a cell does not split what is looked for.
// Throws std::runtime_error when pdftotext fails or is not installed.
std::string pdf_text(const std::string& pdf);

}  // namespace cradle::test
