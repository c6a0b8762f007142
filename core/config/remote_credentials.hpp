// SPDX-License-Identifier: Apache-2.0
// The central archive's keys: from the systemd credential "cradled-remote" (LoadCredential= in
// the unit, read by systemd as root and handed to the service alone), or else from the file
// [remote] credentials names, which only its owner may read. Neither key ever appears in an
// error message, the log, the bus or a report.
#pragma once

#include "core/config/config.hpp"
#include "core/remote/s3_client.hpp"

namespace cradle {

// The name of the systemd credential, in $CREDENTIALS_DIRECTORY.
inline constexpr const char* remote_credential_name = "cradled-remote";

// The S3 client's options for the configured central archive.
remote::S3Options remote_s3_options(const RemoteConfig& remote);

// Throws ConfigError naming the file and what is wrong with it (never its contents).
remote::S3Credentials load_remote_credentials(const RemoteConfig& remote);

}  // namespace cradle
