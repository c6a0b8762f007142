// The randomized fault campaign: N schedules, each a small emulated cradle whose cameras and
// storage misbehave at random, whose service is killed outright (SIGKILL) at a random file-system
// or device operation, and which is then started again, clean. After every phase the single
// invariant checker (tests/support/invariants.hpp) runs: every recording the cameras held is
// still on its camera with its bytes, or archived with its SHA-256.
//
//   cradle-chaos [N] [FIRST_SEED]     (scripts/chaos runs it)
//
// Prints one line per schedule that found a problem (its seed replays it) and ends with
// "schedules=N lost=L problems=P"; exits 1 when anything was lost or another invariant broke.
#include "tests/faults/child_run.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

namespace cradle::test {
namespace {

struct Outcome {
    std::size_t lost = 0;      // recordings neither on their camera nor archived
    std::size_t problems = 0;  // any other invariant that broke
    std::string first_problem;
};

class Schedule {
  public:
    explicit Schedule(std::uint64_t seed) : seed_(seed), random_(seed) {}

    Outcome run() {
        const int cameras = between(1, 3);
        Rig rig(cameras, between(1, 4), 64 << 10);
        rig.config.device_timeout = std::chrono::milliseconds(400);
        rig.config.copy.device_timeout = std::chrono::milliseconds(400);
        if (chance(25)) rig.use_ptp();
        const bool twins = cameras >= 2 && chance(20);
        for (int i = 0; i < cameras; ++i) {
            auto& camera = rig.camera(i);
            camera.recordings = between(1, 4);
            // (No bytes flipped by the camera itself: it would deliver them so on every read,
            // and the cradle archives what the camera holds; see docs/architecture.md.)
            auto& faults = camera.faults;
            if (chance(20)) faults.yank_at_byte = static_cast<std::uint64_t>(between(0, 96 << 10));
            if (chance(10)) faults.refuse_delete = true;
            if (chance(10)) faults.ignore_delete = true;
            if (chance(10)) {
                faults.lie_size_index = 0;
                faults.lie_size_delta = between(-100, 100);
            }
            if (rig.spec.over_ptp && chance(15)) camera.ptp_faults.bad_datetime = true;
        }
        if (twins) {
            auto& second = rig.camera(1);
            second.serial = rig.camera(0).serial;
            second.seed = rig.camera(0).seed;
            second.recordings = rig.camera(0).recordings;
            second.content_salt = seed_ | 1;
            second.storage_name = "TWIN";
        }
        rig.config.sim = rig.spec;
        rig.provision();

        Outcome outcome;
        // Phase 1: faults, perhaps a storage fault, perhaps killed outright.
        KillPoint kill;
        if (chance(60)) {
            if (chance(50)) {
                kill.fs_op = between(1, 250);
            } else {
                kill.device_op = between(1, 60);
            }
        }
        std::optional<StorageFault> storage;
        if (chance(25)) {
            storage = StorageFault{
                between(1, 250), chance(50) ? EIO : ENOSPC,
                chance(50) ? FaultyFileSystem::Mode::once : FaultyFileSystem::Mode::forever};
        }
        describe_ << "cameras=" << cameras << (rig.spec.over_ptp ? " ptp" : "")
                  << (twins ? " twins" : "") << " kill_fs=" << kill.fs_op
                  << " kill_device=" << kill.device_op
                  << " storage_fault=" << (storage ? storage->op : 0);
        run_child(rig, kill, storage);
        check(rig.loss_problems(), "after phase 1", outcome);

        // Phase 2: the same cameras, healthy, one of each serial; the service starts again.
        for (auto& camera : rig.spec.cameras) {
            camera.faults = {};
            camera.ptp_faults = {};
            if (twins && camera.storage_name == "TWIN") camera.bay = 0;
        }
        rig.config.sim = rig.spec;
        run_quietly(rig);
        check(rig.invariant_problems(), "after phase 2", outcome);

        // Phase 3: the twin alone, or a camera whose clock and file counter were reset and
        // that recorded again under the names, sizes and times it used before.
        if (twins) {
            for (auto& camera : rig.spec.cameras)
                camera.bay = camera.storage_name == "TWIN" ? 2 : 0;
            rig.config.sim = rig.spec;
            run_quietly(rig);
            check(rig.invariant_problems(), "after the twin docked alone", outcome);
        } else if (chance(20)) {
            auto& camera = rig.camera(0);
            if (hw::sim::stored_recordings(hw::sim::camera_dir(rig.spec.storage_dir, camera))
                    .empty()) {
                std::filesystem::remove_all(hw::sim::camera_dir(rig.spec.storage_dir, camera));
                camera.content_salt = seed_ | 1;
                rig.config.sim = rig.spec;
                rig.provision();
                describe_ << " reset-camera";
                run_quietly(rig);
                check(rig.invariant_problems(), "after the reset camera docked", outcome);
            }
        }
        return outcome;
    }

    std::string description() const { return describe_.str(); }

  private:
    int between(int low, int high) {
        return std::uniform_int_distribution<int>(low, high)(random_);
    }
    bool chance(int percent) { return between(1, 100) <= percent; }

    static void run_quietly(Rig& rig) {
        try {
            rig.run();
        } catch (const std::exception&) {
            // The checker judges what the state is, whatever the service said.
        }
    }

    static void check(const std::vector<std::string>& problems, const char* when,
                      Outcome& outcome) {
        for (const auto& problem : problems) {
            if (problem.find("LOST") != std::string::npos ||
                problem.find("altered") != std::string::npos) {
                ++outcome.lost;
            } else {
                ++outcome.problems;
            }
            if (outcome.first_problem.empty())
                outcome.first_problem = std::string(when) + ": " + problem;
        }
    }

    std::uint64_t seed_;
    std::mt19937_64 random_;
    std::ostringstream describe_;
};

}  // namespace
}  // namespace cradle::test

int main(int argc, char** argv) {
    const long count = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100;
    const long first_seed = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 1;
    if (count < 1 || first_seed < 0) {
        std::cerr << "usage: cradle-chaos [N >= 1] [FIRST_SEED >= 0]\n";
        return 2;
    }
    std::size_t lost = 0;
    std::size_t problems = 0;
    for (long i = 0; i < count; ++i) {
        const auto seed = static_cast<std::uint64_t>(first_seed + i);
        cradle::test::Schedule schedule(seed);
        const auto outcome = schedule.run();
        lost += outcome.lost;
        problems += outcome.problems;
        if (outcome.lost + outcome.problems > 0) {
            std::cout << "seed " << seed << " (" << schedule.description()
                      << "): " << outcome.first_problem << std::endl;
        }
    }
    std::cout << "schedules=" << count << " lost=" << lost << " problems=" << problems << std::endl;
    return lost + problems == 0 ? 0 : 1;
}
