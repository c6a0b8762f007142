// SPDX-License-Identifier: Apache-2.0
// The single-node Ceph store the s3 tests share (tests/s3/ceph-store, started by the ctest
// fixture s3_store): its address and a user's keys, read from the store.env it wrote, and a
// fresh bucket per test.
#pragma once

#include "core/remote/s3_client.hpp"

#include <string>

namespace cradle::test {

struct S3Store {
    std::string endpoint;
    std::string region;
    cradle::remote::S3Credentials credentials;
};

// Reads $CRADLED_S3_STORE/store.env; fails the test (and throws) when the store is not running.
S3Store s3_store();

// A bucket name of its own for the running test: lower case, unique in the store.
std::string fresh_bucket_name();

// An ISO 8601 UTC time `days` from now, at whole seconds (a retention date).
std::string days_from_now(int days);

// Options for `bucket` on the store.
cradle::remote::S3Options s3_options(const S3Store& store, const std::string& bucket);

}  // namespace cradle::test
