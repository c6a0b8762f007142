// Boost.Asio glue shared by the event-loop files (cradle_service.cpp, bay_session.cpp) and no
// others, so that the heavy headers stay out of the core.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace cradle {

namespace asio = boost::asio;

// Runs blocking work f() on `executor` (the worker pool, or the catalog's strand) and resumes
// the awaiting coroutine on its own executor with f's result, or f's exception rethrown.
template <typename Executor, typename F>
auto run_blocking(Executor executor, F f) -> asio::awaitable<std::invoke_result_t<F>> {
    using Result = std::invoke_result_t<F>;
    using Stored = std::conditional_t<std::is_void_v<Result>, std::monostate, Result>;
    auto home = co_await asio::this_coro::executor;
    auto outcome = co_await asio::async_initiate<decltype(asio::use_awaitable),
                                                 void(std::exception_ptr, std::optional<Stored>)>(
        [executor, home, &f](auto handler) {
            asio::post(executor, [home, f = std::move(f), handler = std::move(handler)]() mutable {
                std::exception_ptr error;
                std::optional<Stored> value;
                try {
                    if constexpr (std::is_void_v<Result>) {
                        f();
                        value.emplace();
                    } else {
                        value.emplace(f());
                    }
                } catch (...) {
                    error = std::current_exception();
                }
                asio::post(home, [handler = std::move(handler), error,
                                  value = std::move(value)]() mutable {
                    std::move(handler)(error, std::move(value));
                });
            });
        },
        asio::use_awaitable);
    if constexpr (!std::is_void_v<Result>) {
        co_return std::move(*outcome);
    }
}

}  // namespace cradle
