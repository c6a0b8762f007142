// SPDX-License-Identifier: Apache-2.0
#include "common/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace cradle {

void Sha256::Free::operator()(evp_md_ctx_st* ctx) const noexcept {
    EVP_MD_CTX_free(ctx);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("cannot initialise SHA-256 (OpenSSL)");
    }
}

Sha256::~Sha256() = default;

void Sha256::update(std::span<const std::byte> data) {
    if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) {
        throw std::runtime_error("SHA-256 update failed (OpenSSL)");
    }
}

void Sha256::update(std::string_view text) {
    update(std::as_bytes(std::span(text)));
}

std::string Sha256::hex_digest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), digest, &length) != 1) {
        throw std::runtime_error("SHA-256 final failed (OpenSSL)");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(kHex[digest[i] >> 4]);
        hex.push_back(kHex[digest[i] & 0xf]);
    }
    return hex;
}

std::string Sha256::hex_of(std::string_view text) {
    Sha256 sha;
    sha.update(text);
    return sha.hex_digest();
}

}  // namespace cradle
