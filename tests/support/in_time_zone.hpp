// SPDX-License-Identifier: Apache-2.0
// Sets TZ for the lifetime of a scope and puts back what it was: tests of local times across
// midnight and daylight saving changes.
#pragma once

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace cradle::test {

class InTimeZone {
  public:
    explicit InTimeZone(const char* zone) {
        if (const char* old = std::getenv("TZ")) previous_ = old;
        ::setenv("TZ", zone, 1);
        ::tzset();
    }
    InTimeZone(const InTimeZone&) = delete;
    InTimeZone& operator=(const InTimeZone&) = delete;
    ~InTimeZone() {
        if (previous_) {
            ::setenv("TZ", previous_->c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }

  private:
    std::optional<std::string> previous_;
};

}  // namespace cradle::test
