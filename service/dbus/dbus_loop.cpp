// SPDX-License-Identifier: Apache-2.0
#include "service/dbus/dbus_loop.hpp"

#include <poll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>

namespace cradle::dbus {

namespace asio = boost::asio;

namespace {
// Messages dispatched before other handlers on the loop get their turn: a flood of calls must
// not starve the bays (I5).
constexpr int kMessagesPerTurn = 64;
}  // namespace

struct BusLoop::State : std::enable_shared_from_this<BusLoop::State> {
    State(asio::io_context& io_in, sd_bus* bus_in, std::function<void(int)> on_lost_in)
        : io(io_in), bus(bus_in), descriptor(io_in), timer(io_in), on_lost(std::move(on_lost_in)) {}

    ~State() { stop(); }

    void start() {
        int fd = sd_bus_get_fd(bus);
        if (fd < 0) {
            lost(fd);
            return;
        }
        descriptor.assign(fd);
        wake();
    }

    void stop() {
        if (stopped) return;
        stopped = true;
        bus = nullptr;
        timer.cancel();
        // Deregisters the descriptor from the loop without closing it: sd-bus closes it.
        if (descriptor.is_open()) descriptor.release();
    }

    void wake() {
        if (!bus || wake_posted) return;
        wake_posted = true;
        asio::post(io, [self = shared_from_this()] {
            self->wake_posted = false;
            self->process();
        });
    }

    void process() {
        if (!bus) return;
        for (int turn = 0; turn < kMessagesPerTurn; ++turn) {
            int r = sd_bus_process(bus, nullptr);
            // A handler may have stopped the loop (the front-end closing).
            if (!bus) return;
            if (r < 0) {
                lost(r);
                return;
            }
            if (r == 0) {
                arm();
                return;
            }
        }
        wake();
    }

    void arm() {
        int events = sd_bus_get_events(bus);
        if (events < 0) {
            lost(events);
            return;
        }
        auto self = shared_from_this();
        // One wait at a time in each direction; `waiting` is a member, kept alive by self.
        auto wait_until = [&](asio::posix::descriptor_base::wait_type ready, bool& waiting) {
            if (waiting) return;
            waiting = true;
            descriptor.async_wait(ready, [self, &waiting](const boost::system::error_code& ec) {
                waiting = false;
                if (!ec) self->process();
            });
        };
        if (events & POLLIN) wait_until(asio::posix::descriptor_base::wait_read, waiting_read);
        if (events & POLLOUT) wait_until(asio::posix::descriptor_base::wait_write, waiting_write);
        std::uint64_t until_usec = 0;
        int r = sd_bus_get_timeout(bus, &until_usec);
        if (r < 0) {
            lost(r);
            return;
        }
        if (r == 0 || until_usec == UINT64_MAX) {
            if (timer_armed) timer.cancel();
            timer_armed = false;
            return;
        }
        // sd-bus counts in CLOCK_MONOTONIC microseconds, as steady_clock does on Linux.
        auto deadline =
            std::chrono::steady_clock::time_point(std::chrono::microseconds(until_usec));
        if (timer_armed && timer.expiry() == deadline) return;
        timer_armed = true;
        timer.expires_at(deadline);
        timer.async_wait([self](const boost::system::error_code& ec) {
            // A re-arm cancels the previous wait; only a real expiry dispatches.
            if (ec) return;
            self->timer_armed = false;
            self->process();
        });
    }

    void lost(int error) {
        if (!bus) return;
        stop();
        if (on_lost) on_lost(error);
    }

    asio::io_context& io;
    sd_bus* bus;
    asio::posix::stream_descriptor descriptor;
    asio::steady_timer timer;
    std::function<void(int)> on_lost;
    bool stopped = false;
    bool wake_posted = false;
    bool waiting_read = false;
    bool waiting_write = false;
    bool timer_armed = false;
};

BusLoop::BusLoop(asio::io_context& io, sd_bus* bus, std::function<void(int)> on_lost)
    : state_(std::make_shared<State>(io, bus, std::move(on_lost))) {
    state_->start();
}

BusLoop::~BusLoop() {
    state_->stop();
}

void BusLoop::wake() {
    state_->wake();
}

struct RetryTimer::State {
    explicit State(asio::io_context& io) : timer(io) {}
    asio::steady_timer timer;
    std::function<void()> work;
};

RetryTimer::RetryTimer(asio::io_context& io) : state_(std::make_shared<State>(io)) {}

RetryTimer::~RetryTimer() {
    state_->timer.cancel();
    state_->work = nullptr;
}

void RetryTimer::after(std::chrono::milliseconds pause, std::function<void()> work) {
    state_->work = std::move(work);
    state_->timer.expires_after(pause);
    // The state outlives a cancelled wait; the work runs only on a real expiry.
    state_->timer.async_wait([state = state_](const boost::system::error_code& ec) {
        if (ec || !state->work) return;
        std::function<void()> work = std::move(state->work);
        state->work = nullptr;
        work();
    });
}

}  // namespace cradle::dbus
