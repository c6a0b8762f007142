// SPDX-License-Identifier: Apache-2.0
// What a bay's session and its charge watch work with: the configuration, the catalog, the
// archive, the cradle, the log, the executors that run their blocking steps, and the status
// board. Owned by the service; every session and watch borrows it.
#pragma once

#include "common/log.hpp"
#include "core/archive/archive_store.hpp"
#include "core/catalog/catalog.hpp"
#include "core/config/config.hpp"
#include "engine/loop.hpp"
#include "engine/remote_gate.hpp"
#include "engine/status_board.hpp"
#include "hw/camera_driver.hpp"
#include "hw/cradle.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace cradle {

struct BayContext {
    const Config& config;
    Catalog& catalog;
    ArchiveStore& store;
    hw::Cradle& cradle;
    const Log& log;
    asio::thread_pool::executor_type workers;
    asio::any_io_executor catalog_strand;  // serialises every catalog call, off the loop
    const std::atomic<bool>& stopping;     // set when the service stops: copies give up
    StatusBoard& status;                   // the bay's phase, light and progress (loop only)
    // With wipe_after = "remote": where a session waits for the central copy before the wipe
    // (nullptr otherwise).
    RemoteGate* remote_gate = nullptr;
    // Called on the loop after each archival: the central archive's replication looks at its
    // backlog (empty without a central archive).
    std::function<void()> archived = {};
};

// When a call to a camera made now gives up: [device] timeout from now.
inline hw::Deadline device_deadline(const Config& config) {
    return hw::SteadyClock::now() + config.device_timeout;
}

// Now, in the seconds since the epoch the catalog and the audit log keep.
inline std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace cradle
