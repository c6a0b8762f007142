// SPDX-License-Identifier: Apache-2.0
// identity: the public key that signs the cradle's audit log, with its fingerprint. IT records
// both at install; an auditor checks a state directory with the PEM (verify --public-key).
// identity rotate --reason TEXT: the daemon replaces the key (root only).
#include "common/json.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/text_output.hpp"

#include <iostream>
#include <string>

namespace cradle::ctl {

int identity_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    if (!invocation.operands.empty()) {
        // identity rotate
        const std::string fingerprint = source.rotate_signing_key(*invocation.reason);
        out << "audit signing key rotated: entries are now signed by key " << printable(fingerprint)
            << "\nrecord the new key (cradlectl identity) beside the old one\n";
        return kExitOk;
    }
    const std::optional<PublicKey> key = source.signing_key();
    if (!key) {
        std::cerr << "cradlectl: the audit log of " << source.description()
                  << " names no signing key yet (cradled makes one at its first start)\n";
        return kExitProblems;
    }
    if (invocation.json) {
        JsonObject object;
        object.add("algorithm", std::string("ed25519"));
        object.add("fingerprint", key->fingerprint());
        object.add("key_id", key->key_id());
        // Made here from the validated key, not read as text: its line breaks are kept.
        object.add_json("public_key_pem", cradle::json_string(key->pem()));
        out << object.str() << '\n';
        return kExitOk;
    }
    out << "audit signing key (Ed25519)\n"
        << "fingerprint: " << key->fingerprint() << '\n'
        << "key id:      " << key->key_id() << '\n'
        << key->pem();
    return kExitOk;
}

}  // namespace cradle::ctl
