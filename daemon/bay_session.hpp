// One dock of one camera in one bay: identify -> health -> clock sync -> offload -> verify ->
// wipe -> ready / not ready / needs custodian. A C++20 coroutine on the event loop; every
// blocking step runs on the worker pool (device, archive) or the catalog's strand.
#pragma once

#include "daemon/archive_store.hpp"
#include "daemon/catalog.hpp"
#include "daemon/config.hpp"
#include "daemon/dock_report.hpp"
#include "daemon/log.hpp"
#include "daemon/loop.hpp"
#include "daemon/status_board.hpp"
#include "hw/camera_driver.hpp"
#include "hw/cradle.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>

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
};

// Runs the whole dock. Never throws: every failure ends in the report's outcome and light.
asio::awaitable<DockReport> run_bay_session(BayContext& context, int bay,
                                            std::shared_ptr<hw::CameraDriver> camera);

// Whether the system clock is synchronised (NTP, as the kernel reports it).
bool system_clock_synchronised();

}  // namespace cradle
