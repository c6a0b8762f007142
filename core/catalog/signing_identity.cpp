// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/signing_identity.hpp"

#include "core/catalog/audit_signatures.hpp"

#include "common/atomic_file.hpp"
#include "common/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

namespace cradle {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxKeyFileBytes = 16 * 1024;

fs::path next_key_file(const fs::path& state_dir) {
    return state_dir / "identity" / "signing.key.next";
}

std::optional<std::string> read_key_text(const fs::path& file) {
    try {
        return read_whole_file(file, kMaxKeyFileBytes, O_NOFOLLOW);
    } catch (const ReadFileError& error) {
        if (error.kind() == ReadFileError::Kind::cannot_open && error.error() == ENOENT) {
            return std::nullopt;
        }
        throw IdentityError(std::string(error.what()) +
                            " (the cradle's signing key: readable by the service's user only)");
    }
}

std::optional<SigningKey> read_key_at(const fs::path& file) {
    std::optional<std::string> text = read_key_text(file);
    if (!text) return std::nullopt;
    try {
        return SigningKey::from_pem(*text);
    } catch (const KeyError& error) {
        throw IdentityError(file.string() + ": " + error.what());
    }
}

void make_identity_folder(const fs::path& state_dir) {
    const fs::path folder = state_dir / "identity";
    if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
        throw IdentityError("cannot create " + folder.string() + ": " +
                            std::generic_category().message(errno));
    }
}

void write_key(const SigningKey& key, const fs::path& file, const fs::path& state_dir) {
    try {
        make_identity_folder(state_dir);
        write_file_atomically(file, key.private_pem(), 0600);
        write_file_atomically(public_key_file(state_dir), key.public_key().pem(), 0644);
    } catch (const std::system_error& error) {
        throw IdentityError(std::string("cannot write the signing key: ") + error.what());
    }
}

}  // namespace

fs::path signing_key_file(const fs::path& state_dir) {
    return state_dir / "identity" / "signing.key";
}

fs::path public_key_file(const fs::path& state_dir) {
    return state_dir / "identity" / "signing.pub";
}

std::optional<SigningKey> read_signing_key(const fs::path& state_dir) {
    return read_key_at(signing_key_file(state_dir));
}

SigningKey create_signing_key(const fs::path& state_dir) {
    SigningKey key = SigningKey::generate();
    write_key(key, signing_key_file(state_dir), state_dir);
    return key;
}

void stage_next_signing_key(const fs::path& state_dir, const SigningKey& next) {
    try {
        make_identity_folder(state_dir);
        write_file_atomically(next_key_file(state_dir), next.private_pem(), 0600);
    } catch (const std::system_error& error) {
        throw IdentityError(std::string("cannot write the next signing key: ") + error.what());
    }
}

void install_next_signing_key(const fs::path& state_dir, const SigningKey& next) {
    write_key(next, signing_key_file(state_dir), state_dir);
    // Proof that this deletion loses no key: write_key has returned, so signing.key holds
    // `next` whole and durably (atomic replacement, directory synced); a failure threw above
    // and the staged key stays for the next start to install. The staged file holds that same
    // key: its callers pass the key they staged (a rotation) or read from it (the start).
    std::remove(next_key_file(state_dir).c_str());
}

PublicKey read_public_key(const fs::path& file) {
    std::string text;
    try {
        text = read_whole_file(file, kMaxKeyFileBytes);
    } catch (const ReadFileError& error) {
        throw IdentityError(error.what());
    }
    try {
        return PublicKey::from_pem(text);
    } catch (const KeyError& error) {
        throw IdentityError(file.string() + ": " + error.what());
    }
}

std::vector<PublicKey> read_public_keys(const fs::path& file) {
    constexpr std::string_view kBegin = "-----BEGIN PUBLIC KEY-----";
    std::string text;
    try {
        text = read_whole_file(file, kMaxKeyFileBytes);
    } catch (const ReadFileError& error) {
        throw IdentityError(error.what());
    }
    std::vector<PublicKey> keys;
    for (std::size_t at = text.find(kBegin); at != std::string::npos;) {
        const std::size_t next = text.find(kBegin, at + kBegin.size());
        try {
            keys.push_back(PublicKey::from_pem(std::string_view(text).substr(at, next - at)));
        } catch (const KeyError& error) {
            throw IdentityError(file.string() + ": key " + std::to_string(keys.size() + 1) + ": " +
                                error.what());
        }
        at = next;
    }
    if (keys.empty()) throw IdentityError(file.string() + ": holds no PEM public key");
    return keys;
}

AdoptedKey adopt_signing_key(Catalog& catalog, const fs::path& state_dir, std::int64_t now) {
    const std::optional<PublicKey> logged = catalog.signing_key_of_log();
    std::optional<SigningKey> key = read_signing_key(state_dir);
    if (logged && (!key || key->public_key() != *logged)) {
        // A rotation whose catalog entry committed before its key file took the place of the
        // old one: the next key is the one the log names.
        std::optional<SigningKey> next = read_key_at(next_key_file(state_dir));
        if (next && next->public_key() == *logged) {
            install_next_signing_key(state_dir, *next);
            key = std::move(next);
        }
    }
    const std::string file = signing_key_file(state_dir).string();
    if (logged && !key) {
        throw IdentityError(
            "the audit log is signed by key " + logged->fingerprint() + ", but " + file +
            " is missing: restore it from the copy IT keeps (docs/evidence.md); a new key would "
            "leave the log's signatures unverifiable from here on");
    }
    if (logged && key->public_key() != *logged) {
        throw IdentityError("the audit log is signed by key " + logged->fingerprint() + ", but " +
                            file + " holds another key (" + key->public_key().fingerprint() +
                            "): restore the log's key (docs/evidence.md)");
    }
    AdoptedKey adopted;
    if (!key) {
        key = create_signing_key(state_dir);
        adopted.created = true;
    }
    adopted.key = std::make_shared<const SigningKey>(std::move(*key));
    catalog.set_signer(adopted.key);
    if (!logged) {
        catalog.audit(AuditEvent{std::string(kKeyCreatedEvent), 0, "", 0,
                                 key_created_detail(adopted.key->public_key())},
                      now);
    }
    return adopted;
}

}  // namespace cradle
