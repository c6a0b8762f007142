// SPDX-License-Identifier: Apache-2.0
// Offload benchmark: the verified offload (ArchiveStore::store from emulated cameras, with the
// catalog transaction of each recording) against two baselines measured in the same run on the
// same footage:
//   b  the careful administrator: cp, sync, sha256sum of the sources and of the copies;
//   c  the hardware floor: dd conv=fsync into the archive disk, then dd iflag=direct back.
// Every phase starts with the sources written back and dropped from the page cache, and runs in
// a fresh child process, whose CPU time and peak RSS the kernel reports when it is reaped.
//
// Usage: bench_offload [--data DIR] [--bytes SIZE] [--recordings N] [--bays N] [--rounds N]
//                      [--chunk SIZE]
// SIZE takes a K, M or G suffix (binary). The phases run in interleaved rounds (3 by default);
// each phase reports its median round. The last two lines are floor_ratio=<a/c> and
// ratio=<a/b>: ratios of elapsed times within a round, median over the rounds (lower is better).

#include "bench/bench_args.hpp"
#include "common/fs.hpp"
#include "core/archive/archive_store.hpp"
#include "core/catalog/catalog.hpp"
#include "sim/sim_camera.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using cradle::hw::sim::CameraSpec;

CameraSpec camera_spec(const std::string& serial, int recordings = 1, std::uint64_t total_bytes = 0,
                       std::uint64_t seed = 1) {
    CameraSpec spec;
    spec.serial = serial;
    spec.recordings = recordings;
    spec.total_bytes = total_bytes;
    spec.seed = seed;
    return spec;
}

struct BenchOptions {
    fs::path data_dir = "build/bench-data";
    std::uint64_t bytes = 1ull << 30;
    int recordings = 8;
    int bays = 4;
    std::size_t chunk_bytes = cradle::CopyOptions{}.chunk_bytes;
    int rounds = 3;
};

BenchOptions parse_options(int argc, char** argv) {
    BenchOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) {
            throw std::invalid_argument("missing value after " + flag);
        }
        const std::string value = argv[++i];
        if (flag == "--data") {
            options.data_dir = value;
        } else if (flag == "--bytes") {
            options.bytes = bench::parse_size(value);
        } else if (flag == "--recordings") {
            options.recordings = std::stoi(value);
        } else if (flag == "--bays") {
            options.bays = std::stoi(value);
        } else if (flag == "--rounds") {
            options.rounds = std::stoi(value);
        } else if (flag == "--chunk") {
            options.chunk_bytes = static_cast<std::size_t>(bench::parse_size(value));
        } else {
            throw std::invalid_argument("unknown option " + flag);
        }
    }
    if (options.bytes < (1u << 20) || options.recordings < 1 || options.bays < 1 ||
        options.rounds < 1) {
        throw std::invalid_argument(
            "need --bytes >= 1M, --recordings >= 1, --bays >= 1, --rounds >= 1");
    }
    return options;
}

// --- the offload, in a child process --------------------------------------------------------

// Bytes this process (all its threads) made the block layer read and write.
std::pair<std::uint64_t, std::uint64_t> disk_io_of_this_process() {
    std::ifstream io("/proc/self/io");
    std::string key;
    std::uint64_t value = 0;
    std::uint64_t read = 0;
    std::uint64_t written = 0;
    while (io >> key >> value) {
        if (key == "read_bytes:") read = value;
        if (key == "write_bytes:") written = value;
    }
    return {read, written};
}

// Offloads every recording of each camera, one thread per camera as one bay session each
// would, into one archive and one catalog. Prints what the disk was asked for.
int run_offload_child(const fs::path& state_dir, const fs::path& storage_dir,
                      std::size_t chunk_bytes, const std::vector<std::string>& serials) {
    fs::create_directories(state_dir);
    cradle::PosixFileSystem posix;
    cradle::ArchiveStore store(posix, state_dir);
    cradle::Catalog catalog(state_dir / "catalog.db");
    std::mutex catalog_mutex;  // one connection; the daemon serialises it on a strand
    cradle::CopyOptions copy;
    copy.chunk_bytes = chunk_bytes;
    copy.reserve_bytes = 0;

    std::vector<std::exception_ptr> errors(serials.size());
    std::vector<std::uint64_t> archived(serials.size(), 0);
    {
        std::vector<std::jthread> bays;
        for (std::size_t bay = 0; bay < serials.size(); ++bay) {
            bays.emplace_back([&, bay] {
                try {
                    const auto now = [] {
                        return std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                            .count();
                    };
                    const std::string& serial = serials[bay];
                    cradle::hw::sim::SimCamera camera(
                        camera_spec(serial), cradle::hw::sim::camera_dir(storage_dir, serial));
                    const auto deadline = cradle::hw::SteadyClock::now() + std::chrono::seconds(10);
                    const auto listing = camera.list_recordings(100'000, deadline);
                    std::int64_t device_id = 0;
                    {
                        std::lock_guard lock(catalog_mutex);
                        device_id = catalog.upsert_device(serial, "bench", "bench", "1", now()).id;
                    }
                    for (const auto& info : listing) {
                        const cradle::RecordingKey key{device_id, info.handle, info.name, info.size,
                                                       info.captured_unix_s};
                        std::int64_t id = 0;
                        {
                            std::lock_guard lock(catalog_mutex);
                            id = catalog.begin_recording(key).id;
                        }
                        const cradle::ArchivedCopy stored =
                            store.store(camera, info, device_id, id, now(), copy);
                        {
                            std::lock_guard lock(catalog_mutex);
                            catalog.mark_archived(
                                id, stored.sha256_hex, stored.relative_path, now(),
                                cradle::AuditEvent{"recording.archived", static_cast<int>(bay) + 1,
                                                   serial, id, "sha256 " + stored.sha256_hex});
                        }
                        archived[bay] += stored.size;
                    }
                } catch (...) {
                    errors[bay] = std::current_exception();
                }
            });
        }
    }
    for (const auto& error : errors) {
        if (error) std::rethrow_exception(error);
    }
    std::uint64_t total = 0;
    for (auto bytes : archived) total += bytes;
    const auto [read, written] = disk_io_of_this_process();
    std::printf("%llu %llu %llu\n", static_cast<unsigned long long>(total),
                static_cast<unsigned long long>(read), static_cast<unsigned long long>(written));
    return 0;
}

// --- the parent: data, phases, report -------------------------------------------------------

struct PhaseResult {
    double seconds = 0;
    double cpu_seconds = 0;
    double peak_rss_mib = 0;
    std::string output;                   // the child's standard output
    unsigned long long disk_read = 0;     // offload phases only: bytes the block layer read
    unsigned long long disk_written = 0;  // and wrote for the child
};

double median_of(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// The round with the median elapsed time (the upper one of an even count).
const PhaseResult& median(std::vector<PhaseResult>& rounds) {
    std::sort(rounds.begin(), rounds.end(),
              [](const PhaseResult& x, const PhaseResult& y) { return x.seconds < y.seconds; });
    return rounds[rounds.size() / 2];
}

// Runs argv in a child process; its standard output is captured. The elapsed time covers the
// child's whole life; CPU time and peak RSS include the descendants it waited for.
PhaseResult run_child(const std::vector<std::string>& args) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe");
    }
    cradle::Fd read_end(pipe_fds[0]);
    cradle::Fd write_end(pipe_fds[1]);
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    std::fflush(nullptr);
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::system_error(errno, std::generic_category(), "fork");
    }
    if (pid == 0) {
        ::dup2(write_end.get(), STDOUT_FILENO);
        ::execv(argv[0], argv.data());
        std::perror(argv[0]);
        ::_exit(127);
    }
    // The child has its own copy; the read below ends when that one is closed.
    write_end = cradle::Fd();
    std::string output;
    char buffer[4096];
    for (ssize_t got; (got = ::read(read_end.get(), buffer, sizeof buffer)) != 0;) {
        if (got < 0) {
            if (errno == EINTR) continue;
            break;
        }
        output.append(buffer, static_cast<std::size_t>(got));
    }
    read_end = cradle::Fd();
    int status = 0;
    struct rusage usage {};
    while (::wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "wait4");
    }
    const auto end = std::chrono::steady_clock::now();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("phase failed: " + args[0] + " " +
                                 (args.size() > 2 ? args[2] : ""));
    }
    auto seconds_of = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
    PhaseResult result;
    result.seconds = std::chrono::duration<double>(end - start).count();
    result.cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
    result.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
    result.output = std::move(output);
    return result;
}

std::string quoted(const fs::path& path) {
    std::string text = "'";
    for (char c : path.string()) {
        if (c == '\'') {
            text += "'\\''";
        } else {
            text += c;
        }
    }
    return text + "'";
}

// The same start for every phase: nothing dirty, no source byte in the page cache, an empty
// destination.
void prepare_phase(const std::vector<fs::path>& sources, const fs::path& work_dir) {
    std::error_code ignored;
    fs::remove_all(work_dir, ignored);
    fs::create_directories(work_dir);
    ::sync();
    for (const auto& source : sources) {
        const cradle::Fd fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw std::system_error(errno, std::generic_category(), source.string());
        const int error = ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
        if (error != 0) throw std::system_error(error, std::generic_category(), "fadvise");
    }
}

std::uint64_t bytes_of_files_under(const fs::path& dir) {
    std::uint64_t total = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().filename() != "sums" &&
            entry.path().extension() != ".db" &&
            entry.path().filename().string().find(".db-") == std::string::npos) {
            total += entry.file_size();
        }
    }
    return total;
}

void print_phase(const char* label, const char* what, const PhaseResult& result,
                 std::uint64_t bytes) {
    std::printf("%-3s %-44s %8.2f s %8.1f MB/s %7.2f cpu_s %7.1f peak_rss_MiB\n", label, what,
                result.seconds, static_cast<double>(bytes) / result.seconds / 1e6,
                result.cpu_seconds, result.peak_rss_mib);
    std::fflush(stdout);
}

std::vector<fs::path> object_files(const fs::path& storage_dir, const std::string& serial) {
    std::vector<fs::path> files;
    for (const auto& recording :
         cradle::hw::sim::stored_recordings(cradle::hw::sim::camera_dir(storage_dir, serial))) {
        files.push_back(recording.file);
    }
    return files;
}

// Long on purpose: the benchmark's steps in the order it prints them (the two baselines,
// then each offload through the product), so that each printed ratio reads beside its run.
int run_bench(const BenchOptions& options) {
    const fs::path data = fs::absolute(options.data_dir);
    const fs::path storage = data / "cameras";
    const fs::path work = data / "work";
    const std::string self = fs::read_symlink("/proc/self/exe").string();

    // One camera for the single-bay phases; `bays` cameras sharing the same amount of footage
    // for the concurrent phase. Provisioned once; later runs reuse them.
    const std::string size_tag =
        std::to_string(options.bytes) + "-" + std::to_string(options.recordings);
    const CameraSpec single =
        camera_spec("BENCH-" + size_tag, options.recordings, options.bytes, 1);
    std::vector<CameraSpec> bay_cameras;
    for (int bay = 1; bay <= options.bays; ++bay) {
        bay_cameras.push_back(camera_spec("BENCH-" + size_tag + "-BAY" + std::to_string(bay) +
                                              "of" + std::to_string(options.bays),
                                          std::max(1, options.recordings / options.bays),
                                          options.bytes / static_cast<std::uint64_t>(options.bays),
                                          static_cast<std::uint64_t>(100 + bay)));
    }
    std::fprintf(stderr, "provisioning emulated cameras in %s (first run only)...\n",
                 storage.c_str());
    cradle::hw::sim::provision_camera(single, storage);
    for (const auto& spec : bay_cameras) cradle::hw::sim::provision_camera(spec, storage);

    const std::vector<fs::path> sources = object_files(storage, single.serial);
    std::vector<fs::path> all_sources = sources;
    std::vector<std::string> bay_serials;
    for (const auto& spec : bay_cameras) {
        auto files = object_files(storage, spec.serial);
        all_sources.insert(all_sources.end(), files.begin(), files.end());
        bay_serials.push_back(spec.serial);
    }
    std::uint64_t source_bytes = 0;
    for (const auto& source : sources) source_bytes += fs::file_size(source);

    std::printf("footage: %llu bytes in %zu recordings; chunk %zu KiB; data in %s\n",
                static_cast<unsigned long long>(source_bytes), sources.size(),
                options.chunk_bytes >> 10, data.c_str());

    const fs::path state = work / "state";
    const fs::path copies = work / "copy";
    std::uint64_t bay_bytes = 0;
    std::vector<std::string> offload_args = {self, "--offload-child", state.string(),
                                             storage.string(), std::to_string(options.chunk_bytes)};
    std::vector<std::string> single_args = offload_args;
    single_args.push_back(single.serial);
    std::vector<std::string> bay_args = offload_args;
    bay_args.insert(bay_args.end(), bay_serials.begin(), bay_serials.end());
    for (const auto& spec : bay_cameras) {
        for (const auto& file : object_files(storage, spec.serial)) {
            bay_bytes += fs::file_size(file);
        }
    }

    // (a) the verified offload.
    auto offload = [&](const std::vector<std::string>& args, std::uint64_t expected) {
        prepare_phase(all_sources, work);
        PhaseResult result = run_child(args);
        unsigned long long archived = 0;
        std::istringstream(result.output) >> archived >> result.disk_read >> result.disk_written;
        if (archived != expected || bytes_of_files_under(state / "archive") != expected) {
            throw std::runtime_error("offload archived " + std::to_string(archived) + " of " +
                                     std::to_string(expected) + " bytes");
        }
        return result;
    };
    // (b) the careful administrator.
    std::string admin = "set -e\ncp --";
    for (const auto& source : sources) admin += " " + quoted(source);
    admin += " " + quoted(copies) + "\nsync\ncd " + quoted(sources.front().parent_path()) +
             "\nsha256sum --";
    for (const auto& source : sources) admin += " " + quoted(source.filename());
    admin += " > " + quoted(work / "sums") + "\ncd " + quoted(copies) + "\nsha256sum --quiet -c " +
             quoted(work / "sums") + "\n";
    // (c) the hardware floor.
    std::string floor = "set -e\n";
    for (const auto& source : sources) {
        const fs::path copy = copies / source.filename();
        floor += "dd if=" + quoted(source) + " of=" + quoted(copy) +
                 " bs=4M conv=fsync status=none\n" + "dd if=" + quoted(copy) +
                 " iflag=direct bs=4M of=/dev/null status=none\n";
    }
    auto shell = [&](const std::string& script) {
        prepare_phase(all_sources, work);
        fs::create_directories(copies);
        PhaseResult result = run_child({"/bin/sh", "-c", script});
        if (bytes_of_files_under(copies) != source_bytes) {
            throw std::runtime_error("a baseline copied fewer bytes than the footage holds");
        }
        return result;
    };

    // Rounds interleave the phases, so that a slow moment of a shared machine hits all of them
    // alike; each phase reports its median round.
    std::vector<PhaseResult> a, b, c, a_bays;
    for (int round = 1; round <= options.rounds; ++round) {
        a.push_back(offload(single_args, source_bytes));
        b.push_back(shell(admin));
        c.push_back(shell(floor));
        a_bays.push_back(offload(bay_args, bay_bytes));
        std::printf("round %d: a %.2f s, b %.2f s, c %.2f s, a(%d bays) %.2f s\n", round,
                    a.back().seconds, b.back().seconds, c.back().seconds, options.bays,
                    a_bays.back().seconds);
        std::fflush(stdout);
    }
    std::vector<double> a_in_order, b_in_order, c_in_order;
    for (std::size_t round = 0; round < a.size(); ++round) {
        a_in_order.push_back(a[round].seconds);
        b_in_order.push_back(b[round].seconds);
        c_in_order.push_back(c[round].seconds);
    }
    const PhaseResult& a_median = median(a);
    const PhaseResult& b_median = median(b);
    const PhaseResult& c_median = median(c);
    const PhaseResult& bays_median = median(a_bays);
    std::printf("median of %d round(s):\n", options.rounds);
    print_phase("a", "offload + verify (ArchiveStore, 1 bay)", a_median, source_bytes);
    std::printf("    disk: read %.1f MiB (camera storage + verify re-read), wrote %.1f MiB\n",
                static_cast<double>(a_median.disk_read) / (1 << 20),
                static_cast<double>(a_median.disk_written) / (1 << 20));
    print_phase("b", "cp + sync + sha256sum sources and copies", b_median, source_bytes);
    print_phase("c", "dd conv=fsync + dd iflag=direct read-back", c_median, source_bytes);
    const std::string label =
        "offload + verify (" + std::to_string(options.bays) + " bays at once, total)";
    print_phase("a", label.c_str(), bays_median, bay_bytes);

    std::error_code ignored;
    fs::remove_all(work, ignored);
    // Each ratio pairs phases of the same round, which ran moments apart.
    std::vector<double> floor_ratios, ratios;
    for (std::size_t round = 0; round < a.size(); ++round) {
        floor_ratios.push_back(a_in_order[round] / c_in_order[round]);
        ratios.push_back(a_in_order[round] / b_in_order[round]);
    }
    std::printf("floor_ratio=%.3f\n", median_of(floor_ratios));
    std::printf("ratio=%.3f\n", median_of(ratios));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc >= 5 && std::string(argv[1]) == "--offload-child") {
            std::vector<std::string> serials(argv + 5, argv + argc);
            return run_offload_child(argv[2], argv[3],
                                     static_cast<std::size_t>(std::stoull(argv[4])), serials);
        }
        return run_bench(parse_options(argc, argv));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "bench_offload: %s\n", error.what());
        return 1;
    }
}
