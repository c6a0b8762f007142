// SPDX-License-Identifier: Apache-2.0
// cradled: the cradle service, for cameras on USB.
#include "cradled/daemon.hpp"

int main(int argc, char** argv) {
    return cradle::run_cradled(argc, argv, "cradled", {});
}
