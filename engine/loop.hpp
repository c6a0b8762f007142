// SPDX-License-Identifier: Apache-2.0
// Boost.Asio glue shared by the event-loop files (cradle_service, bay_session, charge_watch)
// and no others, so that the heavy headers stay out of the core.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

namespace cradle {

namespace asio = boost::asio;

// What run_blocking yields for work of result type R (void becomes std::monostate).
template <typename R>
using BlockingResult = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

// Runs blocking work f() on `*executor` (the worker pool, or the catalog's strand; it must
// outlive the call) and resumes the awaiting coroutine on its own executor with f's result, or
// f's exception rethrown.
//
// The work must be trivially copyable: a lambda that captures `this` and references to the
// awaiting coroutine's locals (which live until the work is done), never strings or other
// owning objects by value. GCC 12 copies temporaries of a co_await operand bitwise, which
// breaks self-referencing members such as short strings; the static_assert keeps every caller
// clear of that.
template <typename Executor, typename F>
asio::awaitable<BlockingResult<std::invoke_result_t<F>>> run_blocking(Executor* executor, F f) {
    static_assert(std::is_trivially_copyable_v<F>,
                  "capture by reference: see the comment of run_blocking");
    using Result = std::invoke_result_t<F>;
    using Stored = BlockingResult<Result>;
    struct Job {
        F work;
    };
    Job* job = new Job{std::move(f)};
    return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, Stored)>(
        [executor, job](auto handler) {
            auto home = asio::get_associated_executor(handler);
            asio::post(*executor, [home, job, handler = std::move(handler)]() mutable {
                std::unique_ptr<Job> owned(job);
                std::exception_ptr error;
                Stored value{};
                try {
                    if constexpr (std::is_void_v<Result>) {
                        owned->work();
                    } else {
                        value = owned->work();
                    }
                } catch (...) {
                    error = std::current_exception();
                }
                owned.reset();
                asio::post(home, [handler = std::move(handler), error,
                                  value = std::move(value)]() mutable {
                    std::move(handler)(error, std::move(value));
                });
            });
        },
        asio::use_awaitable);
}

}  // namespace cradle
