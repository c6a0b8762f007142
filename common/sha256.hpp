// SPDX-License-Identifier: Apache-2.0
// SHA-256 through OpenSSL EVP, with an RAII owner for the context.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace cradle {

class Sha256 {
  public:
    Sha256();
    Sha256(Sha256&&) noexcept = default;
    Sha256& operator=(Sha256&&) noexcept = default;
    ~Sha256();

    void update(std::span<const std::byte> data);
    void update(std::string_view text);
    // Lower-case hex digest. The object cannot be updated afterwards.
    std::string hex_digest();

    static std::string hex_of(std::string_view text);

  private:
    struct Free {
        void operator()(evp_md_ctx_st* ctx) const noexcept;
    };
    std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

}  // namespace cradle
