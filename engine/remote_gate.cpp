// SPDX-License-Identifier: Apache-2.0
#include "engine/remote_gate.hpp"

#include <boost/asio/redirect_error.hpp>

namespace cradle {

asio::awaitable<RemoteGate::Woken> RemoteGate::wait(int bay, std::uint64_t seen,
                                                    std::chrono::seconds limit) {
    if (confirmations_ != seen) co_return Woken::confirmation;
    asio::steady_timer timer(loop_, limit);
    waiting_[bay] = Waiter{&timer, false};
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    const bool woken = waiting_[bay].woken;
    waiting_.erase(bay);
    if (woken) co_return Woken::camera;
    co_return confirmations_ != seen ? Woken::confirmation : Woken::timeout;
}

void RemoteGate::confirmed() {
    ++confirmations_;
    for (auto& [bay, waiter] : waiting_) waiter.timer->cancel();
}

void RemoteGate::wake(int bay) {
    const auto found = waiting_.find(bay);
    if (found == waiting_.end()) return;
    found->second.woken = true;
    found->second.timer->cancel();
}

void RemoteGate::wake_all() {
    for (auto& [bay, waiter] : waiting_) {
        waiter.woken = true;
        waiter.timer->cancel();
    }
}

}  // namespace cradle
