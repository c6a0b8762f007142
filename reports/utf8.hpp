// Text from devices and files may not be valid UTF-8; a report never passes such bytes on
// (JSON would be invalid, the PDF's text layout refuses them). Each invalid byte becomes
// U+FFFD, the replacement character.
#pragma once

#include <string>
#include <string_view>

namespace cradle::reports {

std::string valid_utf8(std::string_view text);

}  // namespace cradle::reports
