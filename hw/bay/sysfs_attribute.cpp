// SPDX-License-Identifier: Apache-2.0
#include "hw/bay/sysfs_attribute.hpp"

#include "common/fs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cradle::hw::bay {

std::string write_attribute(const std::filesystem::path& file, const std::string& value) {
    // O_NONBLOCK: something that is not an attribute (a FIFO) must not hang the caller.
    Fd out(::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NONBLOCK));
    if (out.get() < 0) return std::string("open: ") + std::strerror(errno);
    const std::string line = value + '\n';
    ssize_t written = -1;
    do {
        written = ::write(out.get(), line.data(), line.size());
    } while (written < 0 && errno == EINTR);
    if (written < 0) return std::string("write: ") + std::strerror(errno);
    if (static_cast<std::size_t>(written) != line.size()) return "write: short write";
    return {};
}

std::optional<std::string> read_attribute(const std::filesystem::path& file) {
    Fd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (in.get() < 0) return std::nullopt;
    char buffer[4096];
    ssize_t n = -1;
    do {
        n = ::read(in.get(), buffer, sizeof buffer);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return std::nullopt;
    std::string value(buffer, static_cast<std::size_t>(n));
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    return value;
}

}  // namespace cradle::hw::bay
