// SPDX-License-Identifier: Apache-2.0
// What the catalog throws when it cannot do what was asked: the message names the catalog file
// and what was being done.
#pragma once

#include <stdexcept>

namespace cradle {

class CatalogError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace cradle
