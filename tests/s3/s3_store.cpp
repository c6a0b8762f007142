// SPDX-License-Identifier: Apache-2.0
#include "tests/s3/s3_store.hpp"

#include "common/time_format.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

namespace cradle::test {

S3Store s3_store() {
    const char* dir = std::getenv("CRADLED_S3_STORE");
    if (dir == nullptr) {
        throw std::runtime_error(
            "CRADLED_S3_STORE is not set: run the s3 tests through ctest, "
            "whose fixture s3_store starts the store");
    }
    std::ifstream in(std::string(dir) + "/store.env");
    if (!in) {
        throw std::runtime_error(std::string("no store.env in ") + dir +
                                 ": the fixture s3_store did not start the store");
    }
    std::map<std::string, std::string> values;
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    S3Store store;
    store.endpoint = values["S3_ENDPOINT"];
    store.region = values["S3_REGION"];
    store.credentials.access_key = values["S3_ACCESS_KEY"];
    store.credentials.secret_key = values["S3_SECRET_KEY"];
    if (store.endpoint.empty() || store.credentials.access_key.empty()) {
        throw std::runtime_error(std::string(dir) + "/store.env is incomplete");
    }
    return store;
}

std::string fresh_bucket_name() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "t";
    for (char c : std::string(info ? info->name() : "test")) {
        if (name.size() >= 40) break;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) name += c;
        if (c >= 'A' && c <= 'Z') name += static_cast<char>(c - 'A' + 'a');
    }
    return name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

std::string days_from_now(int days) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return utc_iso8601(now + static_cast<std::int64_t>(days) * 86'400);
}

cradle::remote::S3Options s3_options(const S3Store& store, const std::string& bucket) {
    cradle::remote::S3Options options;
    options.endpoint = store.endpoint;
    options.region = store.region;
    options.bucket = bucket;
    return options;
}

}  // namespace cradle::test
