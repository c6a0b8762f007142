// SPDX-License-Identifier: Apache-2.0
// cradled-demo: the service on the emulated cradle of its configuration's [sim] section
// (backend "sim"), for the demonstration, an installation check and the tests. Everything
// but the cradle is the service itself; cradled proper cannot run an emulated cradle.
#include "cradled/daemon.hpp"
#include "sim/cradle_file.hpp"
#include "sim/sim_cradle.hpp"

#include <cstdio>

namespace {

std::unique_ptr<cradle::hw::Cradle> make_sim_cradle(const cradle::Config& config,
                                                    const std::string& config_file) {
    if (!config.sim) {
        std::fprintf(stderr,
                     "cradled-demo: backend 'sim' needs a [sim] section in %s naming the "
                     "emulated cradle\n",
                     config_file.c_str());
        return nullptr;
    }
    return std::make_unique<cradle::hw::sim::SimCradle>(
        cradle::hw::sim::load_sim_cradle(*config.sim, config.state_dir));
}

}  // namespace

int main(int argc, char** argv) {
    return cradle::run_cradled(argc, argv, "cradled-demo", {{"sim", make_sim_cradle}});
}
