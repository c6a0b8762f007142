// SPDX-License-Identifier: Apache-2.0
// Drives one sd-bus connection from the service's Boost.Asio loop: waits for its descriptor to
// become readable or writable as sd_bus_get_events() asks, and for its next timeout, then lets
// sd_bus_process() dispatch. The loop stays single-threaded; sd-bus never gets a thread.
#pragma once

#include <systemd/sd-bus.h>

#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace cradle::dbus {

class BusLoop {
  public:
    // on_lost runs on the loop, once, when the connection fails (the bus daemon went away or
    // closed it), with the negative errno sd-bus reported; the loop then stops watching.
    BusLoop(boost::asio::io_context& io, sd_bus* bus, std::function<void(int)> on_lost);
    BusLoop(const BusLoop&) = delete;
    BusLoop& operator=(const BusLoop&) = delete;
    // Stops watching. The descriptor stays open: it belongs to the connection.
    ~BusLoop();

    // Something was queued from outside a dispatch (a signal, a late reply): dispatch and
    // re-arm soon, on the loop. Cheap to call often.
    void wake();

  private:
    struct State;
    std::shared_ptr<State> state_;
};

// One pending piece of work on the service's loop after a pause: the server's next attempt to
// reconnect to its bus. Destroying the timer cancels the work.
class RetryTimer {
  public:
    explicit RetryTimer(boost::asio::io_context& io);
    RetryTimer(const RetryTimer&) = delete;
    RetryTimer& operator=(const RetryTimer&) = delete;
    ~RetryTimer();

    // Runs `work` on the loop after `pause`, in place of any work still pending.
    void after(std::chrono::milliseconds pause, std::function<void()> work);

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace cradle::dbus
