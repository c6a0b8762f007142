// SPDX-License-Identifier: Apache-2.0
// What the front-ends (the D-Bus server, the systemd notifier) see of the running service.
// Every member function is called on the event loop, and every callback runs there.
#pragma once

#include "core/config/config.hpp"
#include "engine/dock_report.hpp"
#include "engine/status_board.hpp"

#include <exception>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace cradle {

class Catalog;
class Log;
class PublicKey;

class ServiceApi {
  public:
    virtual ~ServiceApi() = default;

    // The service's event loop: front-ends add their descriptors and timers to it.
    virtual boost::asio::io_context& io() = 0;
    virtual const Config& config() const = 0;
    virtual const Log& log() const = 0;
    virtual StatusBoard& status() = 0;
    // The public half of the key that signs the audit log, set before the front-ends run.
    virtual PublicKey signing_key() const = 0;
    // Rotates the audit log's signing key (audit_signatures.hpp): a new key, named in an entry
    // signed by the current one, signs everything after it. `changed_by` and `reason` go into
    // that entry. done runs on the loop with the failure, if any.
    virtual void rotate_signing_key(const std::string& reason, const std::string& changed_by,
                                    std::function<void(std::exception_ptr)> done) = 0;

    // Runs work with the service's catalog (the one writing connection) on the catalog's
    // strand, off the loop; done then runs on the loop with work's exception, if any.
    virtual void catalog_work(std::function<void(Catalog&)> work,
                              std::function<void(std::exception_ptr)> done) = 0;
    // Runs blocking work (a query on a read-only catalog connection, a verify of the archive)
    // on the worker pool; done then runs on the loop.
    virtual void background_work(std::function<void()> work,
                                 std::function<void(std::exception_ptr)> done) = 0;
    // Called on the loop after each dock ends.
    virtual void on_dock_end(std::function<void(const DockReport&)> listener) = 0;

    // Stops the service as SIGTERM does (copies give up at their next chunk).
    virtual void request_stop() = 0;
};

// Something run beside the service on its loop (the D-Bus server, the watchdog pings). Made by
// RunOptions::on_ready, destroyed on the loop's thread once the loop has stopped (its
// destructor says goodbye: releases its bus name, tells systemd STOPPING=1).
class Frontend {
  public:
    virtual ~Frontend() = default;
};

}  // namespace cradle
