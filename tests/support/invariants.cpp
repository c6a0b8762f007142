// SPDX-License-Identifier: Apache-2.0
#include "tests/support/invariants.hpp"

#include "common/sha256.hpp"
#include "core/catalog/catalog.hpp"
#include "core/catalog/state_verifier.hpp"
#include "sim/sim_camera.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <stdexcept>
#include <system_error>

namespace cradle::test {
namespace {

namespace fs = std::filesystem;

std::string sha256_of_file(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + file.string());
    Sha256 sha;
    std::array<std::byte, 1 << 16> buffer{};
    for (;;) {
        ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            int error = errno;
            ::close(fd);
            throw std::system_error(error, std::generic_category(), "read " + file.string());
        }
        if (n == 0) break;
        sha.update(std::span(buffer.data(), static_cast<std::size_t>(n)));
    }
    ::close(fd);
    return sha.hex_digest();
}

bool is_under(const fs::path& path, const fs::path& dir) {
    auto rel = fs::relative(path, dir);
    return !rel.empty() && *rel.begin() != "..";
}

std::map<fs::path, std::string> files_outside(const hw::sim::CradleSpec& spec, const fs::path& root,
                                              const fs::path& state_dir) {
    std::map<fs::path, std::string> files;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
         ++it) {
        const fs::path& path = it->path();
        if (is_under(path, state_dir) || is_under(path, spec.storage_dir)) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file() || it->is_symlink()) files[path] = sha256_of_file(path);
    }
    return files;
}

}  // namespace

Snapshot take_snapshot(const hw::sim::CradleSpec& spec, const fs::path& root,
                       const fs::path& state_dir) {
    Snapshot snapshot;
    for (const auto& camera : spec.cameras) {
        auto dir = hw::sim::camera_dir(spec.storage_dir, camera);
        for (const auto& stored : hw::sim::stored_recordings(dir)) {
            snapshot.recordings.push_back(OriginalRecording{camera.serial, stored.name, stored.size,
                                                            stored.captured_unix_s,
                                                            sha256_of_file(stored.file), dir});
        }
    }
    snapshot.files_outside_state = files_outside(spec, root, state_dir);
    return snapshot;
}

std::vector<std::string> check_invariants(const Snapshot& before, const hw::sim::CradleSpec& spec,
                                          const fs::path& root, const fs::path& state_dir,
                                          bool with_state_verification) {
    std::vector<std::string> problems;

    std::vector<RecordingRow> rows;
    std::vector<DeviceRow> devices;
    if (fs::exists(state_dir / "catalog.sqlite")) {
        try {
            Catalog catalog = Catalog::open_read_only(state_dir / "catalog.sqlite");
            rows = catalog.recordings();
            devices = catalog.devices();
        } catch (const CatalogError& e) {
            // A catalog whose creation failed half-way holds nothing yet; the next start
            // creates it. After recovery, an unreadable catalog is a problem.
            if (with_state_verification) problems.push_back(e.what());
        }
    }
    auto device_id = [&](const std::string& serial) -> std::int64_t {
        for (const auto& d : devices) {
            if (d.serial == serial) return d.id;
        }
        return -1;
    };

    // I1 and I3: each recording is on its camera with its bytes, or archived with its hash.
    for (const auto& original : before.recordings) {
        const auto& dir = original.camera_dir;
        bool on_camera = false;
        for (const auto& stored : hw::sim::stored_recordings(dir)) {
            if (stored.name == original.name && stored.size == original.size &&
                stored.captured_unix_s == original.captured_unix_s) {
                on_camera = sha256_of_file(stored.file) == original.sha256_hex;
                if (!on_camera) {
                    problems.push_back(original.serial + " '" + sanitize_text(original.name) +
                                       "': altered on the camera");
                }
                break;
            }
        }
        bool archived = false;
        std::int64_t id = device_id(original.serial);
        for (const auto& row : rows) {
            // The bytes say which recording a row is: another row with this name, size and
            // time but other bytes is another recording (two cameras presenting one serial),
            // and a capture time the camera could not state is archived as 0.
            if (row.key.device_id == id && row.key.name == original.name &&
                row.key.size == original.size && row.state != RecordingState::copying &&
                row.sha256_hex == original.sha256_hex) {
                archived = true;
            }
        }
        if (!on_camera && !archived) {
            problems.push_back(original.serial + " '" + sanitize_text(original.name) +
                               "': LOST (neither on the camera nor archived)");
        }
    }

    // Archive <-> catalog <-> audit, duplicates, staging.
    if (with_state_verification && fs::exists(state_dir / "catalog.sqlite")) {
        for (auto& problem : verify_state(state_dir).problems) problems.push_back(problem);
    }

    // Nothing written, changed or removed outside the state directory and the cameras.
    auto after = files_outside(spec, root, state_dir);
    for (const auto& [path, sha] : after) {
        auto it = before.files_outside_state.find(path);
        if (it == before.files_outside_state.end()) {
            problems.push_back("written outside the state directory: " + path.string());
        } else if (it->second != sha) {
            problems.push_back("changed outside the state directory: " + path.string());
        }
    }
    for (const auto& [path, sha] : before.files_outside_state) {
        if (!after.contains(path)) {
            problems.push_back("removed outside the state directory: " + path.string());
        }
    }
    return problems;
}

std::vector<std::string> recordings_left_on_cameras(const hw::sim::CradleSpec& spec) {
    std::vector<std::string> problems;
    for (const auto& camera : spec.cameras) {
        auto left = hw::sim::stored_recordings(hw::sim::camera_dir(spec.storage_dir, camera));
        if (!left.empty()) {
            problems.push_back(camera.serial + ": " + std::to_string(left.size()) +
                               " recording(s) still on the camera");
        }
    }
    return problems;
}

}  // namespace cradle::test
