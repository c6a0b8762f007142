// SPDX-License-Identifier: Apache-2.0
// PTP path benchmark: the host-side CPU cost of moving footage through the PTP camera driver
// (PtpCamera over SimPtpTransport over PtpResponder over SimCamera, all in one process), against
// a baseline measured in the same run on the same bytes: the emulated camera read directly
// (SimCamera::read), with the same SHA-256 hashing. The difference is what the PTP layer costs
// (containers, transaction engine, the copies between the device model and the driver).
//
// Part 1 sweeps the transfer size (PtpQuirks::partial_object_bytes) and prints, per size, MB/s,
// CPU seconds per GiB (getrusage of the process, user + system), the ratio to the baseline, and
// how many USB 2.0 bays (40 MB/s each) one core could drive at that cost.
// Part 2 offloads (ArchiveStore::store: copy, fsync, verify re-read) several cameras at once
// through the PTP driver over a link throttled to 40 MB/s per bay, and prints the rate each bay
// achieved, for each transfer size.
//
// Usage: bench_ptp [--data DIR] [--bytes SIZE] [--rounds N] [--bays N] [--bay-bytes SIZE]
//                  [--no-link]
// SIZE takes a K, M or G suffix (binary). The last line is
// ptp_overhead_ratio=<CPU of the PTP path at the default transfer size / CPU of the baseline>.

#include "bench/bench_args.hpp"
#include "common/fs.hpp"
#include "common/sha256.hpp"
#include "core/archive/archive_store.hpp"
#include "hw/ptp/ptp_camera.hpp"
#include "sim/ptp_responder.hpp"
#include "sim/sim_camera.hpp"

#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using cradle::hw::CameraDriver;
using cradle::hw::Deadline;
using cradle::hw::SteadyClock;
using cradle::hw::ptp::PtpCamera;
using cradle::hw::ptp::PtpQuirks;
using cradle::hw::sim::CameraSpec;
using cradle::hw::sim::PtpResponder;
using cradle::hw::sim::SimCamera;
using cradle::hw::sim::SimPtpTransport;

constexpr double kUsb2BayBytesPerS = 40e6;
constexpr std::uint64_t kThrottleBytesPerS = 40'000'000;
constexpr std::size_t kBaselineReadBytes = 1 << 20;  // the daemon's copy chunk
const std::vector<std::uint32_t> kTransferSizes{64u << 10, 256u << 10, 1u << 20, 4u << 20,
                                                16u << 20};

struct BenchOptions {
    fs::path data_dir = "build/bench-ptp-data";
    std::uint64_t bytes = 1ull << 30;
    int rounds = 3;
    int bays = 2;
    std::uint64_t bay_bytes = 100'000'000;
    bool link = true;
};

BenchOptions parse_options(int argc, char** argv) {
    BenchOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--data") {
            options.data_dir = value();
        } else if (arg == "--bytes") {
            options.bytes = bench::parse_size(value());
        } else if (arg == "--rounds") {
            options.rounds = std::stoi(value());
        } else if (arg == "--bays") {
            options.bays = std::stoi(value());
        } else if (arg == "--bay-bytes") {
            options.bay_bytes = bench::parse_size(value());
        } else if (arg == "--no-link") {
            options.link = false;
        } else {
            throw std::invalid_argument("unknown option " + arg);
        }
    }
    if (options.bytes < (1u << 20) || options.rounds < 1 || options.bays < 1 ||
        options.bay_bytes < (1u << 20)) {
        throw std::invalid_argument(
            "--bytes and --bay-bytes need at least 1M, --rounds and "
            "--bays at least 1");
    }
    return options;
}

Deadline soon() {
    return SteadyClock::now() + std::chrono::seconds(30);
}

rusage usage_of_process() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage;
}

double cpu_seconds_of_process() {
    const rusage usage = usage_of_process();
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Pass {
    double seconds = 0;
    double cpu_seconds = 0;
    std::uint64_t bytes = 0;
    // Page faults that found no page (fresh memory): the cost of buffers given back to the
    // system and taken again.
    long minor_faults = 0;
    std::string digest;  // over the digests of every recording, to check both paths agree
};

// Reads every recording of the camera in reads of read_bytes, hashing each recording.
Pass read_and_hash(CameraDriver& camera, std::size_t read_bytes) {
    Pass pass;
    const long faults_start = usage_of_process().ru_minflt;
    const double cpu_start = cpu_seconds_of_process();
    const auto start = SteadyClock::now();
    std::vector<std::byte> buffer(read_bytes);
    cradle::Sha256 all;
    for (const auto& info : camera.list_recordings(100'000, soon())) {
        cradle::Sha256 recording;
        std::uint64_t offset = 0;
        for (;;) {
            const std::size_t got = camera.read(info.handle, offset, buffer, soon());
            if (got == 0) break;
            recording.update(std::span<const std::byte>(buffer.data(), got));
            offset += got;
        }
        if (offset != info.size) {
            throw std::runtime_error("recording " + std::to_string(info.handle) + ": read " +
                                     std::to_string(offset) + " of " + std::to_string(info.size) +
                                     " bytes");
        }
        all.update(recording.hex_digest());
        pass.bytes += offset;
    }
    pass.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    pass.cpu_seconds = cpu_seconds_of_process() - cpu_start;
    pass.minor_faults = usage_of_process().ru_minflt - faults_start;
    pass.digest = all.hex_digest();
    return pass;
}

Pass baseline_pass(const CameraSpec& spec, const fs::path& dir) {
    SimCamera camera(spec, dir);
    return read_and_hash(camera, kBaselineReadBytes);
}

Pass ptp_pass(const CameraSpec& spec, const fs::path& dir, std::uint32_t transfer_bytes) {
    auto sim = std::make_shared<SimCamera>(spec, dir);
    auto responder = std::make_shared<PtpResponder>(sim);
    PtpQuirks quirks;
    quirks.partial_object_bytes = transfer_bytes;
    PtpCamera camera(std::make_unique<SimPtpTransport>(responder), quirks);
    camera.identify(soon());  // opens the session outside the footage's figures
    return read_and_hash(camera, transfer_bytes);
}

Pass median_of(std::vector<Pass> passes) {
    std::sort(passes.begin(), passes.end(),
              [](const Pass& a, const Pass& b) { return a.cpu_seconds < b.cpu_seconds; });
    Pass median = passes[passes.size() / 2];
    std::vector<double> walls;
    for (const auto& pass : passes) walls.push_back(pass.seconds);
    std::sort(walls.begin(), walls.end());
    median.seconds = walls[walls.size() / 2];
    return median;
}

double mb_per_s(const Pass& pass) {
    return static_cast<double>(pass.bytes) / 1e6 / pass.seconds;
}
double cpu_s_per_gib(const Pass& pass) {
    return pass.cpu_seconds / (static_cast<double>(pass.bytes) / static_cast<double>(1ull << 30));
}
double faults_per_mib(const Pass& pass) {
    return static_cast<double>(pass.minor_faults) /
           (static_cast<double>(pass.bytes) / static_cast<double>(1u << 20));
}
// Bays of USB 2.0 (40 MB/s each) whose traffic one core could carry at this cost.
double bays_per_core(double cpu_seconds, std::uint64_t bytes) {
    if (cpu_seconds <= 0) return 0;
    const double cpu_s_per_mb = cpu_seconds / (static_cast<double>(bytes) / 1e6);
    return 1.0 / (cpu_s_per_mb * kUsb2BayBytesPerS / 1e6);
}

std::string size_label(std::uint64_t bytes) {
    return bytes >= (1u << 20) ? std::to_string(bytes >> 20) + " MiB"
                               : std::to_string(bytes >> 10) + " KiB";
}

// Every camera at once, one thread per bay, through the PTP driver: either only read and hashed
// (what the link and the driver deliver), or offloaded (ArchiveStore::store: copy, fsync,
// verify re-read). Returns each bay's rate in MB/s: its footage over the time it took.
std::vector<double> run_over_link(const std::vector<CameraSpec>& cameras,
                                  const fs::path& storage_dir, const fs::path& state_dir,
                                  std::uint32_t transfer_bytes, bool offload) {
    fs::remove_all(state_dir);
    fs::create_directories(state_dir);
    cradle::PosixFileSystem posix;
    cradle::ArchiveStore store(posix, state_dir);
    cradle::CopyOptions copy;
    // The copy asks for a chunk at a time, and a read never asks the camera for more than that:
    // the chunk must be at least the transfer size for the transfer size to take effect.
    copy.chunk_bytes = std::max<std::size_t>(copy.chunk_bytes, transfer_bytes);
    copy.reserve_bytes = 0;

    std::vector<double> rates(cameras.size(), 0);
    std::vector<std::exception_ptr> errors(cameras.size());
    {
        std::vector<std::jthread> bays;
        for (std::size_t bay = 0; bay < cameras.size(); ++bay) {
            bays.emplace_back([&, bay] {
                try {
                    const CameraSpec& spec = cameras[bay];
                    auto sim = std::make_shared<SimCamera>(
                        spec, cradle::hw::sim::camera_dir(storage_dir, spec.serial));
                    PtpQuirks quirks;
                    quirks.partial_object_bytes = transfer_bytes;
                    PtpCamera camera(
                        std::make_unique<SimPtpTransport>(std::make_shared<PtpResponder>(sim)),
                        quirks);
                    camera.identify(soon());
                    const auto start = SteadyClock::now();
                    std::uint64_t archived = 0;
                    if (!offload) archived = read_and_hash(camera, transfer_bytes).bytes;
                    std::int64_t recording_id = static_cast<std::int64_t>(bay) * 1000;
                    for (const auto& info : offload ? camera.list_recordings(100'000, soon())
                                                    : std::vector<cradle::hw::RecordingInfo>{}) {
                        archived += store
                                        .store(camera, info, static_cast<std::int64_t>(bay) + 1,
                                               ++recording_id, 1'700'000'000, copy)
                                        .size;
                    }
                    const double seconds =
                        std::chrono::duration<double>(SteadyClock::now() - start).count();
                    rates[bay] = static_cast<double>(archived) / 1e6 / seconds;
                } catch (...) {
                    errors[bay] = std::current_exception();
                }
            });
        }
    }
    for (const auto& error : errors) {
        if (error) std::rethrow_exception(error);
    }
    fs::remove_all(state_dir);
    return rates;
}

// Long on purpose: the benchmark's steps in the order it prints them (the baseline read,
// then each read over PTP), so that each printed ratio reads beside its run.
int run(const BenchOptions& options) {
    const fs::path storage_dir = options.data_dir / "cameras";
    CameraSpec footage;
    footage.serial = "PTP-BENCH-" + std::to_string(options.bytes >> 20) + "M";
    footage.recordings = 8;
    footage.total_bytes = options.bytes;
    footage.seed = 7;
    cradle::hw::sim::provision_camera(footage, storage_dir);
    const fs::path dir = cradle::hw::sim::camera_dir(storage_dir, footage.serial);

    // One untimed pass brings the footage into the page cache, so that every timed pass reads
    // it from memory and the figures are the CPU's, not the disk's.
    const Pass warm = baseline_pass(footage, dir);
    std::printf(
        "footage: %llu bytes in %d recordings (in the page cache); %d round(s), "
        "median shown\n",
        static_cast<unsigned long long>(warm.bytes), footage.recordings, options.rounds);

    std::vector<Pass> baseline_rounds;
    std::vector<std::vector<Pass>> ptp_rounds(kTransferSizes.size());
    for (int round = 0; round < options.rounds; ++round) {
        baseline_rounds.push_back(baseline_pass(footage, dir));
        for (std::size_t i = 0; i < kTransferSizes.size(); ++i) {
            ptp_rounds[i].push_back(ptp_pass(footage, dir, kTransferSizes[i]));
            if (ptp_rounds[i].back().digest != warm.digest) {
                throw std::runtime_error(
                    "the PTP path delivered other bytes than the camera "
                    "holds (transfer size " +
                    size_label(kTransferSizes[i]) + ")");
            }
        }
    }
    const Pass baseline = median_of(baseline_rounds);

    std::printf("\n%-34s %9s %12s %8s %10s %10s %11s\n", "path (read size) + SHA-256", "MB/s",
                "cpu_s/GiB", "ratio", "bays/core", "ptp_only", "faults/MiB");
    std::printf("%-34s %9.1f %12.3f %8.2f %10.1f %10s %11.1f\n",
                ("baseline: SimCamera::read (" + size_label(kBaselineReadBytes) + ")").c_str(),
                mb_per_s(baseline), cpu_s_per_gib(baseline), 1.0,
                bays_per_core(baseline.cpu_seconds, baseline.bytes), "-", faults_per_mib(baseline));
    const std::uint32_t default_size = PtpQuirks{}.partial_object_bytes;
    double default_ratio = 0;
    for (std::size_t i = 0; i < kTransferSizes.size(); ++i) {
        const Pass ptp = median_of(ptp_rounds[i]);
        const double ratio = ptp.cpu_seconds / baseline.cpu_seconds;
        if (kTransferSizes[i] == default_size) default_ratio = ratio;
        const double layer_cpu = std::max(0.0, ptp.cpu_seconds - baseline.cpu_seconds);
        const std::string label = "PtpCamera::read (" + size_label(kTransferSizes[i]) + ")" +
                                  (kTransferSizes[i] == default_size ? " *" : "");
        std::printf("%-34s %9.1f %12.3f %8.2f %10.1f %10.1f %11.1f\n", label.c_str(), mb_per_s(ptp),
                    cpu_s_per_gib(ptp), ratio, bays_per_core(ptp.cpu_seconds, ptp.bytes),
                    bays_per_core(layer_cpu, ptp.bytes), faults_per_mib(ptp));
    }
    std::printf(
        "* the default transfer size (PtpQuirks::partial_object_bytes)\n"
        "ratio: CPU over the baseline's; bays/core: USB 2.0 bays at 40 MB/s whose "
        "footage one core could read and hash at this cost; ptp_only: the same for the "
        "PTP layer alone (CPU over the baseline's); faults/MiB: page faults on fresh memory per "
        "MiB "
        "read\n");

    if (options.link) {
        std::vector<CameraSpec> cameras;
        for (int bay = 1; bay <= options.bays; ++bay) {
            CameraSpec camera;
            camera.serial = "PTP-LINK-" + std::to_string(bay) + "-" +
                            std::to_string(options.bay_bytes / 1'000'000) + "MB";
            camera.recordings = 4;
            camera.total_bytes = options.bay_bytes;
            camera.seed = 100 + static_cast<std::uint64_t>(bay);
            camera.faults.throttle_bytes_per_s = kThrottleBytesPerS;
            cradle::hw::sim::provision_camera(camera, storage_dir);
            cameras.push_back(camera);
        }
        std::printf(
            "\nlink: %d bay(s) at once, %.0f MB each, throttled to %.0f MB/s per bay; "
            "verified offload (ArchiveStore) through PtpCamera, one transfer in flight\n",
            options.bays, static_cast<double>(options.bay_bytes) / 1e6,
            static_cast<double>(kThrottleBytesPerS) / 1e6);
        std::printf("%-20s %-8s %s\n", "transfer size", "what",
                    "MB/s per bay (share of the link rate)");
        for (const std::uint32_t size : kTransferSizes) {
            for (const bool offload : {false, true}) {
                const auto rates =
                    run_over_link(cameras, storage_dir, options.data_dir / "state", size, offload);
                std::string line;
                for (const double rate : rates) {
                    char cell[64];
                    std::snprintf(cell, sizeof cell, " %6.1f (%3.0f %%)", rate,
                                  100.0 * rate * 1e6 / static_cast<double>(kThrottleBytesPerS));
                    line += cell;
                }
                std::printf("%-20s %-8s%s\n",
                            (size_label(size) + (size == default_size ? " *" : "")).c_str(),
                            offload ? "offload" : "read", line.c_str());
            }
        }
        std::printf("read: read and hashed only; offload: copy, fsync and verify re-read\n");
    }

    std::printf("ptp_overhead_ratio=%.3f\n", default_ratio);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // The in-process device model allocates a buffer per transfer (the host driver does not:
    // its transfer buffer lives as long as the camera). Left to itself, the allocator sometimes
    // hands buffers of 1 MiB and more back to the kernel and takes fresh, zeroed pages for the
    // next one, and whether it does depends on what ran before in the process: the same
    // transfer size then measured anywhere from 1.3 to 4 times the baseline. Keeping freed
    // memory in the process makes the figures repeatable and leaves out a cost that a real
    // camera bears on its own side of the cable.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    try {
        return run(parse_options(argc, argv));
    } catch (const std::exception& error) {
        std::cerr << "bench_ptp: " << error.what() << "\n";
        return 1;
    }
}
