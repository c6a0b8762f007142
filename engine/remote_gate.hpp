// SPDX-License-Identifier: Apache-2.0
// The bays whose camera waits for the central copy of its recordings before the wipe
// (wipe_after = "remote"), and what wakes them: a recording confirmed in the central archive,
// their camera taken out, the service stopping. Loop only.
#pragma once

#include "engine/loop.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <map>

namespace cradle {

class RemoteGate {
  public:
    explicit RemoteGate(asio::any_io_executor loop) : loop_(std::move(loop)) {}

    // Counts the confirmations: a session reads it before it looks at the catalog, and its
    // wait then returns at once if a confirmation came in between.
    std::uint64_t confirmations() const { return confirmations_; }

    enum class Woken { confirmation, camera, timeout };
    // Waits for a confirmation after `seen`, for the bay's own wake-up, or `limit`.
    asio::awaitable<Woken> wait(int bay, std::uint64_t seen, std::chrono::seconds limit);

    // A recording was confirmed: every waiting bay looks again.
    void confirmed();
    // The bay's camera was taken out, or the service stops: its wait ends.
    void wake(int bay);
    void wake_all();

  private:
    struct Waiter {
        asio::steady_timer* timer = nullptr;
        bool woken = false;
    };
    asio::any_io_executor loop_;
    std::uint64_t confirmations_ = 0;
    std::map<int, Waiter> waiting_;
};

}  // namespace cradle
