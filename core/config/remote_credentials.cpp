// SPDX-License-Identifier: Apache-2.0
#include "core/config/remote_credentials.hpp"

#include "core/config/toml_reader.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace cradle {

namespace {

namespace fs = std::filesystem;
using namespace config_file;

std::string key_value(const TableReader& file, std::string_view key) {
    const auto node = file.find(key);
    if (node == nullptr) file.fail_missing(key);
    if (!node->is_string()) file.fail_at(key, "must be a string");
    const std::string value = node->as_string()->get();
    const bool ok =
        !value.empty() && value.size() <= 256 &&
        std::all_of(value.begin(), value.end(), [](char c) { return c > 0x20 && c < 0x7f; }) &&
        (key != "access_key" || value.find(':') == std::string::npos);
    // The message says what a key must look like, never what it was.
    if (!ok)
        file.fail_at(key, key == "access_key"
                              ? "must be 1..256 printable ASCII characters without spaces or ':'"
                              : "must be 1..256 printable ASCII characters without spaces");
    return value;
}

}  // namespace

remote::S3Options remote_s3_options(const RemoteConfig& remote) {
    remote::S3Options options;
    options.endpoint = remote.endpoint;
    options.region = remote.region;
    options.bucket = remote.bucket;
    options.max_send_bytes_per_second = remote.max_bytes_per_second;
    options.ca_file = remote.ca_file.string();
    return options;
}

remote::S3Credentials load_remote_credentials(const RemoteConfig& remote) {
    fs::path file = remote.credentials_file;
    bool from_systemd = false;
    if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir != nullptr && *dir != '\0') {
        const fs::path credential = fs::path(dir) / remote_credential_name;
        std::error_code error;
        if (fs::exists(credential, error)) {
            file = credential;
            from_systemd = true;
        }
    }
    const std::string name = file.string();
    if (!from_systemd) {
        struct stat info {};
        if (::stat(file.c_str(), &info) != 0)
            throw ConfigError(name + ": the central archive's credentials file cannot be read (" +
                              std::strerror(errno) + "); see docs/central-archive.md");
        if ((info.st_mode & 077) != 0) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", info.st_mode & 07777);
            throw ConfigError(name +
                              ": the central archive's credentials file may be read by "
                              "others (mode " +
                              mode + "); it must be readable by its owner only: chmod 600 " + name);
        }
    }
    const std::string text = read_config_file(file);
    toml::table document;
    try {
        document = parse_toml(text, name);
    } catch (const ConfigError& error) {
        // The parser's message may quote the text around the mistake: keep only its place.
        const std::string what = error.what();
        const auto end = what.find(": ", name.size() + 1);
        throw ConfigError(what.substr(0, end) +
                          ": not valid TOML (expected access_key = \"...\" "
                          "and secret_key = \"...\")");
    }
    const TableReader reader(document, "", name, {"access_key", "secret_key"});
    return remote::S3Credentials{key_value(reader, "access_key"), key_value(reader, "secret_key")};
}

}  // namespace cradle
