// SPDX-License-Identifier: Apache-2.0
#include "tests/dbus/stand_in_service.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace cradle::test {

StandInService::StandInService(const std::string& address, const char* name, const char* path,
                               const char* interface, const sd_bus_vtable* vtable, void* userdata) {
    int r = sd_bus_new(&bus_);
    if (r >= 0) r = sd_bus_set_address(bus_, address.c_str());
    if (r >= 0) r = sd_bus_set_bus_client(bus_, 1);
    if (r >= 0) r = sd_bus_start(bus_);
    if (r >= 0) r = sd_bus_add_object_vtable(bus_, &slot_, path, interface, vtable, userdata);
    if (r >= 0) r = sd_bus_request_name(bus_, name, 0);
    if (r >= 0) {
        stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
        if (stop_fd_ < 0) r = -errno;
    }
    if (r < 0) {
        sd_bus_slot_unref(slot_);
        sd_bus_flush_close_unref(bus_);
        throw std::runtime_error(std::string("stand-in for ") + name + ": " + std::strerror(-r));
    }
    thread_ = std::thread([this] { serve(); });
}

StandInService::~StandInService() {
    std::uint64_t one = 1;
    ssize_t ignored = ::write(stop_fd_, &one, sizeof one);
    (void)ignored;
    thread_.join();
    ::close(stop_fd_);
    sd_bus_slot_unref(slot_);
    sd_bus_flush_close_unref(bus_);
}

void StandInService::serve() {
    for (;;) {
        int r = 0;
        while ((r = sd_bus_process(bus_, nullptr)) > 0) {
        }
        if (r < 0) return;
        pollfd fds[2] = {{sd_bus_get_fd(bus_), static_cast<short>(sd_bus_get_events(bus_)), 0},
                         {stop_fd_, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
        if (fds[1].revents != 0) return;
    }
}

}  // namespace cradle::test
