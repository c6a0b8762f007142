// SPDX-License-Identifier: Apache-2.0
// Ed25519 keys and signatures through OpenSSL EVP: the cradle's signing key (the private half,
// held by the service alone) and public keys (what an auditor needs to check a signature).
// Keys are exchanged as PEM (PKCS#8 for the private key, SubjectPublicKeyInfo for the public
// one), the formats `openssl pkey` and `openssl pkeyutl` read.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace cradle {

class KeyError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class PublicKey {
  public:
    static constexpr std::size_t kBytes = 32;
    static constexpr std::size_t kSignatureBytes = 64;

    explicit PublicKey(const std::array<unsigned char, kBytes>& bytes) : bytes_(bytes) {}
    // The 64 lower-case hex digits of the raw key; nullopt for anything else.
    static std::optional<PublicKey> from_hex(std::string_view hex);
    // A PEM public key; throws KeyError naming what is wrong (not PEM, not Ed25519).
    static PublicKey from_pem(std::string_view pem);

    std::string hex() const;
    std::string pem() const;
    // SHA-256 of the raw key, in hex: what IT writes down at install and an auditor compares.
    std::string fingerprint() const;
    // The fingerprint's first 16 digits: names the key in each signed audit entry.
    std::string key_id() const { return fingerprint().substr(0, 16); }

    // Whether `signature_hex` (128 hex digits) is this key's signature of `message`.
    bool verifies(std::string_view message, std::string_view signature_hex) const;

    bool operator==(const PublicKey&) const = default;

  private:
    std::array<unsigned char, kBytes> bytes_{};
};

class SigningKey {
  public:
    static SigningKey generate();
    // A PEM private key; throws KeyError naming what is wrong (not PEM, not Ed25519).
    static SigningKey from_pem(std::string_view pem);

    SigningKey(SigningKey&&) noexcept;
    SigningKey& operator=(SigningKey&&) noexcept;
    ~SigningKey();

    std::string private_pem() const;
    const PublicKey& public_key() const { return public_key_; }
    // The signature of `message`, as 128 lower-case hex digits.
    std::string sign_hex(std::string_view message) const;

  private:
    struct Free {
        void operator()(evp_pkey_st* key) const noexcept;
    };
    SigningKey(std::unique_ptr<evp_pkey_st, Free> key, PublicKey public_key);

    std::unique_ptr<evp_pkey_st, Free> key_;
    PublicKey public_key_;
};

}  // namespace cradle
