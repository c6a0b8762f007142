// SPDX-License-Identifier: Apache-2.0
// One dock of one camera in one bay: identify -> health -> clock sync -> offload -> verify ->
// wipe -> ready / not ready / needs custodian. A C++20 coroutine on the event loop; every
// blocking step runs on the worker pool (device, archive) or the catalog's strand.
#pragma once

#include "engine/bay_context.hpp"
#include "engine/dock_report.hpp"
#include "engine/loop.hpp"
#include "hw/camera_driver.hpp"

#include <chrono>
#include <memory>

namespace cradle {

// Runs the whole dock. Never throws: every failure ends in the report's outcome and light.
asio::awaitable<DockReport> run_bay_session(BayContext& context, int bay,
                                            std::shared_ptr<hw::CameraDriver> camera);
// The same, also setting first_health_at to when the dock's first health reading
// (DockReport::battery_at_dock_percent) was taken; it must outlive the session.
asio::awaitable<DockReport> run_bay_session(BayContext& context, int bay,
                                            std::shared_ptr<hw::CameraDriver> camera,
                                            std::chrono::steady_clock::time_point& first_health_at);

}  // namespace cradle
