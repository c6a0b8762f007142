// SPDX-License-Identifier: Apache-2.0
// The randomized fault campaign: N schedules, each a small emulated cradle whose cameras and
// storage misbehave at random, whose service is killed outright (SIGKILL) at a random file-system
// or device operation, and which is then started again, clean. After every phase the single
// invariant checker (tests/support/invariants.hpp) runs: every recording the cameras held is
// still on its camera with its bytes, or archived with its SHA-256.
//
// Sometimes the catalog is then lost, emptied or restored from an older backup: the service must
// refuse to start, and the catalog rebuilt from the archive must bring it back.
//
//   cradle-chaos [N] [FIRST_SEED]     (scripts/chaos runs it)
//
// Prints one line per schedule that found a problem (its seed replays it) and ends with
// "schedules=N lost=L problems=P"; exits 1 when anything was lost or another invariant broke.
#include "tests/faults/child_run.hpp"

#include "common/sha256.hpp"
#include "core/catalog/catalog_guard.hpp"
#include "core/catalog/catalog_rebuild.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
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
        // A backup of the catalog as it is now, older than the archive after phase 2.
        const std::filesystem::path backup = backup_dir_.path();
        copy_catalog(rig.state, backup);

        // Phase 2: the same cameras, healthy, one of each serial; the service starts again.
        for (auto& camera : rig.spec.cameras) {
            camera.faults = {};
            camera.ptp_faults = {};
            if (twins && camera.storage_name == "TWIN") camera.bay = 0;
        }
        run_quietly(rig, outcome);
        check(rig.invariant_problems(), "after phase 2", outcome);

        // The catalog lost, replaced by an empty file, or restored from the older backup: the
        // service must refuse to start over an archive it does not account for, and
        // rebuild-catalog must give back a catalog it starts on.
        if (chance(15)) lose_catalog(rig, backup, outcome);

        // Phase 3: the twin alone, or a camera whose clock and file counter were reset and
        // that recorded again under the names, sizes and times it used before.
        if (twins) {
            for (auto& camera : rig.spec.cameras)
                camera.bay = camera.storage_name == "TWIN" ? 2 : 0;
            run_quietly(rig, outcome);
            check(rig.invariant_problems(), "after the twin docked alone", outcome);
        } else if (chance(20)) {
            auto& camera = rig.camera(0);
            if (hw::sim::stored_recordings(hw::sim::camera_dir(rig.spec.storage_dir, camera))
                    .empty()) {
                std::filesystem::remove_all(hw::sim::camera_dir(rig.spec.storage_dir, camera));
                camera.content_salt = seed_ | 1;
                rig.provision();
                describe_ << " reset-camera";
                run_quietly(rig, outcome);
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

    static void copy_catalog(const std::filesystem::path& from, const std::filesystem::path& to) {
        std::filesystem::create_directories(to);
        for (const char* name : {"catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"}) {
            std::error_code ignored;
            std::filesystem::remove(to / name, ignored);
            if (std::filesystem::exists(from / name))
                std::filesystem::copy_file(from / name, to / name);
        }
    }

    void lose_catalog(Rig& rig, const std::filesystem::path& backup, Outcome& outcome) {
        // Phase 2 journalled its start at least: the archive is ahead of any catalog but the
        // one just removed, and the service must refuse them all.
        std::error_code ec;
        const bool archive_holds_files =
            archived_files(rig.state) > 0 ||
            std::filesystem::file_size(rig.state / "archive" / "audit.journal", ec) > 0;
        const int how = between(0, 2);
        const auto archive_before = archive_files(rig.state);
        for (const char* name : {"catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"}) {
            std::error_code ignored;
            std::filesystem::remove(rig.state / name, ignored);
        }
        if (how == 1) {
            std::ofstream(rig.state / "catalog.sqlite").flush();
            describe_ << " catalog-emptied";
        } else if (how == 2) {
            copy_catalog(backup, rig.state);
            describe_ << " catalog-restored-from-backup";
        } else {
            describe_ << " catalog-lost";
        }
        bool refused = false;
        try {
            rig.run();
        } catch (const CatalogBehindArchive&) {
            refused = true;
        } catch (const std::exception&) {
        }
        // Without its catalog the checker cannot judge the cameras' recordings yet (after the
        // rebuild it does); the archive itself must be exactly as it was.
        if (archive_files(rig.state) != archive_before) {
            ++outcome.lost;
            if (outcome.first_problem.empty()) {
                outcome.first_problem = "the archive changed while its catalog was lost";
            }
        }
        if (!refused) {
            if (archive_holds_files) {
                ++outcome.problems;
                if (outcome.first_problem.empty()) {
                    outcome.first_problem =
                        "the service started over an archive without its catalog";
                }
            }
            return;
        }
        for (const char* name : {"catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"}) {
            std::error_code ignored;
            std::filesystem::remove(rig.state / name, ignored);
        }
        const RebuildReport rebuilt = rebuild_catalog(rig.state, 2'000'000'000);
        if (!rebuilt.written) {
            ++outcome.problems;
            if (outcome.first_problem.empty()) {
                outcome.first_problem = "rebuild-catalog wrote no catalog: " + rebuilt.refused;
            }
            return;
        }
        run_quietly(rig, outcome);
        check(rig.invariant_problems(), "after rebuild-catalog", outcome);
    }

    // Every file of the archive (recordings, records, the journal) with its SHA-256.
    static std::map<std::string, std::string> archive_files(const std::filesystem::path& state) {
        std::map<std::string, std::string> files;
        const auto root = state / "archive";
        std::error_code ec;
        for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file()) continue;
            std::ifstream in(it->path(), std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
            files[std::filesystem::relative(it->path(), root).string()] = Sha256::hex_of(bytes);
        }
        return files;
    }

    static std::size_t archived_files(const std::filesystem::path& state) {
        std::size_t count = 0;
        std::error_code ec;
        for (auto it = std::filesystem::recursive_directory_iterator(state / "archive", ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_regular_file() && it->path().filename() != "audit.journal") ++count;
        }
        return count;
    }

    // A restart after a crash, a storage fault or rebuild-catalog: the service must start (a
    // refusal there would leave the cradle out of service); the checker judges the rest.
    static void run_quietly(Rig& rig, Outcome& outcome) {
        try {
            rig.run();
        } catch (const CatalogBehindArchive& e) {
            ++outcome.problems;
            if (outcome.first_problem.empty()) {
                outcome.first_problem = std::string("the service refused to start: ") + e.what();
            }
        } catch (const std::exception&) {
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
    TempDir backup_dir_;  // outside the rig's root, which the checker guards
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
