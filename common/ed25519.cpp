// SPDX-License-Identifier: Apache-2.0
#include "common/ed25519.hpp"

#include "common/sha256.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <limits>
#include <vector>

namespace cradle {
namespace {

struct BioFree {
    void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct PkeyFree {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

constexpr char kHexDigits[] = "0123456789abcdef";

std::string hex_of(const unsigned char* bytes, std::size_t size) {
    std::string hex;
    hex.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        hex.push_back(kHexDigits[bytes[i] >> 4]);
        hex.push_back(kHexDigits[bytes[i] & 0xf]);
    }
    return hex;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Lower-case hex only: one spelling per value, so a signature or key has one text.
bool bytes_of_hex(std::string_view hex, unsigned char* out, std::size_t size) {
    if (hex.size() != size * 2) return false;
    for (std::size_t i = 0; i < size; ++i) {
        int high = hex_value(hex[2 * i]);
        int low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return false;
        out[i] = static_cast<unsigned char>(high << 4 | low);
    }
    return true;
}

BioPtr reading_bio(std::string_view pem) {
    if (pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw KeyError("the key text is too long");
    }
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) throw KeyError("out of memory reading a key");
    return bio;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    if (size <= 0 || data == nullptr) throw KeyError("cannot write the key as PEM");
    return std::string(data, static_cast<std::size_t>(size));
}

PublicKey public_key_of(EVP_PKEY* key) {
    if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) throw KeyError("the key is not an Ed25519 key");
    std::array<unsigned char, PublicKey::kBytes> bytes{};
    std::size_t size = bytes.size();
    if (EVP_PKEY_get_raw_public_key(key, bytes.data(), &size) != 1 || size != bytes.size()) {
        throw KeyError("cannot read the Ed25519 public key");
    }
    return PublicKey(bytes);
}

}  // namespace

std::optional<PublicKey> PublicKey::from_hex(std::string_view hex) {
    std::array<unsigned char, kBytes> bytes{};
    if (!bytes_of_hex(hex, bytes.data(), bytes.size())) return std::nullopt;
    return PublicKey(bytes);
}

PublicKey PublicKey::from_pem(std::string_view pem) {
    BioPtr bio = reading_bio(pem);
    PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key) throw KeyError("not a PEM public key (-----BEGIN PUBLIC KEY-----)");
    return public_key_of(key.get());
}

std::string PublicKey::hex() const {
    return hex_of(bytes_.data(), bytes_.size());
}

std::string PublicKey::pem() const {
    PkeyPtr key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_.data(), bytes_.size()));
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!key || !bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
        throw KeyError("cannot write the public key as PEM");
    }
    return bio_text(bio.get());
}

std::string PublicKey::fingerprint() const {
    Sha256 sha;
    sha.update(std::as_bytes(std::span(bytes_)));
    return sha.hex_digest();
}

bool PublicKey::verifies(std::string_view message, std::string_view signature_hex) const {
    std::array<unsigned char, kSignatureBytes> signature{};
    if (!bytes_of_hex(signature_hex, signature.data(), signature.size())) return false;
    PkeyPtr key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_.data(), bytes_.size()));
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!key || !ctx) throw KeyError("out of memory checking a signature");
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
        throw KeyError("cannot check an Ed25519 signature (OpenSSL)");
    }
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()),
                            message.size()) == 1;
}

void SigningKey::Free::operator()(evp_pkey_st* key) const noexcept {
    EVP_PKEY_free(key);
}

SigningKey::SigningKey(std::unique_ptr<evp_pkey_st, Free> key, PublicKey public_key)
    : key_(std::move(key)), public_key_(public_key) {}

SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

SigningKey SigningKey::generate() {
    EVP_PKEY* made = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (made == nullptr) throw KeyError("cannot generate an Ed25519 key (OpenSSL)");
    std::unique_ptr<evp_pkey_st, Free> key(made);
    PublicKey public_key = public_key_of(key.get());
    return SigningKey(std::move(key), public_key);
}

SigningKey SigningKey::from_pem(std::string_view pem) {
    BioPtr bio = reading_bio(pem);
    std::unique_ptr<evp_pkey_st, Free> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) throw KeyError("not a PEM private key (-----BEGIN PRIVATE KEY-----)");
    PublicKey public_key = public_key_of(key.get());
    return SigningKey(std::move(key), public_key);
}

std::string SigningKey::private_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        throw KeyError("cannot write the signing key as PEM");
    }
    return bio_text(bio.get());
}

std::string SigningKey::sign_hex(std::string_view message) const {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
        throw KeyError("cannot sign with the Ed25519 key (OpenSSL)");
    }
    std::array<unsigned char, PublicKey::kSignatureBytes> signature{};
    std::size_t size = signature.size();
    if (EVP_DigestSign(ctx.get(), signature.data(), &size,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1 ||
        size != signature.size()) {
        throw KeyError("Ed25519 signing failed (OpenSSL)");
    }
    return hex_of(signature.data(), signature.size());
}

}  // namespace cradle
