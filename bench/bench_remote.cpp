// SPDX-License-Identifier: Apache-2.0
// The central archive's upload path (core/remote/uploader) against a store: each file given is
// stored as the replication stores a recording (read and hashed while it is sent, whole or in
// parts, COMPLIANCE retention, then the HEAD and the retention read back), into a fresh bucket
// with Object Lock. Prints the elapsed time and the rate; scripts/bench-remote runs it beside
// `curl --aws-sigv4` PUTs of the same files and prints the ratio of the two.
//
//   bench_remote --store STORE_ENV --bucket NAME FILE SHA256 [FILE SHA256 ...]
//
// STORE_ENV holds S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY and S3_SECRET_KEY lines (the file the
// test store writes). The SHA-256 of each file is given, as the catalog gives it to the
// replication: it is not part of what is timed.
#include "common/fs.hpp"
#include "common/time_format.hpp"
#include "core/remote/uploader.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

std::map<std::string, std::string> read_env(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file);
    std::map<std::string, std::string> values;
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return values;
}

int usage() {
    std::fputs(
        "usage: bench_remote --store STORE_ENV --bucket NAME FILE SHA256 [FILE SHA256 ...]\n",
        stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() < 6 || args[0] != "--store" || args[2] != "--bucket" ||
        (args.size() - 4) % 2 != 0) {
        return usage();
    }
    try {
        auto env = read_env(args[1]);
        cradle::remote::S3Options options;
        options.endpoint = env["S3_ENDPOINT"];
        options.region = env["S3_REGION"];
        options.bucket = args[3];
        cradle::remote::S3Client client(options, {env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"]});
        client.create_bucket(true);
        cradle::PosixFileSystem fs;
        cradle::remote::Uploader uploader(client, fs);

        const auto year_from_now = std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count() +
                                   365 * 86'400;
        std::uint64_t total = 0;
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t i = 4; i < args.size(); i += 2) {
            cradle::remote::UploadSource source;
            source.file = args[i];
            source.object_key = "bench/" + std::filesystem::path(args[i]).filename().string();
            source.size = std::filesystem::file_size(source.file);
            source.sha256_hex = args[i + 1];
            source.retention = {cradle::remote::LockMode::compliance,
                                cradle::utc_iso8601(year_from_now)};
            uploader.upload(source, {});
            total += source.size;
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("bytes=%llu\nseconds=%.3f\nMiB_per_s=%.1f\n",
                    static_cast<unsigned long long>(total), seconds,
                    static_cast<double>(total) / (1 << 20) / seconds);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_remote: %s\n", e.what());
        return 1;
    }
}
