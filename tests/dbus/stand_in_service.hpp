// SPDX-License-Identifier: Apache-2.0
// A stand-in for a D-Bus service in a test: one connection to a private bus that owns a name
// and serves one object's vtable, on a thread of its own until it is destroyed. The handlers
// run on that thread.
#pragma once

#include <systemd/sd-bus.h>

#include <string>
#include <thread>

namespace cradle::test {

class StandInService {
  public:
    // Throws std::runtime_error when it cannot connect, add the object or take the name.
    StandInService(const std::string& address, const char* name, const char* path,
                   const char* interface, const sd_bus_vtable* vtable, void* userdata);
    // Stops serving and waits for the thread.
    ~StandInService();
    StandInService(const StandInService&) = delete;
    StandInService& operator=(const StandInService&) = delete;

  private:
    void serve();

    sd_bus* bus_ = nullptr;
    sd_bus_slot* slot_ = nullptr;
    int stop_fd_ = -1;
    std::thread thread_;
};

}  // namespace cradle::test
