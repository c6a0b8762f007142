// SPDX-License-Identifier: Apache-2.0
// The cradle's signing key on disk: <state_dir>/identity/signing.key (PEM, mode 0600 in a 0700
// folder, readable by the service alone) and signing.pub beside it (the public half, for IT to
// copy and write down). The key signs the audit log (audit_signatures.hpp); the folder is never
// part of what an auditor needs, and is left out of a copy handed to one.
#pragma once

#include "common/ed25519.hpp"
#include "core/catalog/catalog.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle {

// The key on disk cannot be used with this catalog: missing while the log names one, another
// key than the log's, unreadable or garbled. The message says what and what to do.
class IdentityError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

std::filesystem::path signing_key_file(const std::filesystem::path& state_dir);
std::filesystem::path public_key_file(const std::filesystem::path& state_dir);

// The key in the state directory; nullopt when there is none. Throws IdentityError naming the
// file when it cannot be read or is not an Ed25519 private key.
std::optional<SigningKey> read_signing_key(const std::filesystem::path& state_dir);

// A new key, written to the state directory (the folder made 0700, the key 0600, each file
// replaced atomically). Throws IdentityError naming the file when it cannot be written.
SigningKey create_signing_key(const std::filesystem::path& state_dir);

// A key rotation, in the order that a crash at any point leaves recoverable: the next key is
// written beside the current one (identity/signing.key.next), the catalog's rotation entry is
// committed (Catalog::rotate_signing_key), then the next key takes the current one's place.
// adopt_signing_key finishes a rotation whose entry committed before its key took its place.
// Both throw IdentityError naming the file.
void stage_next_signing_key(const std::filesystem::path& state_dir, const SigningKey& next);
void install_next_signing_key(const std::filesystem::path& state_dir, const SigningKey& next);

// A public key from a PEM file (signing.pub, or what IT wrote down). Throws IdentityError
// naming the file.
PublicKey read_public_key(const std::filesystem::path& file);
// Every public key (PEM) of `file`, one or more, in their order; IdentityError naming the file
// when it holds none or one that is not an Ed25519 public key.
std::vector<PublicKey> read_public_keys(const std::filesystem::path& file);

// The daemon's start (and rebuild-catalog's): the key the catalog's log names must be the one on
// disk. A state directory without either gets a new key and its "identity.key_created" entry.
// The log naming a key while the file is missing, or another key, stops here (IdentityError):
// a new key would break the chain of signatures an auditor relies on. Returns the key, which
// the catalog now signs with, and whether it was created.
struct AdoptedKey {
    std::shared_ptr<const SigningKey> key;
    bool created = false;
};
AdoptedKey adopt_signing_key(Catalog& catalog, const std::filesystem::path& state_dir,
                             std::int64_t now);

}  // namespace cradle
