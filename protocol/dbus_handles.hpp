// SPDX-License-Identifier: Apache-2.0
// Owners of sd-bus's reference-counted handles, so that every path out of a handler (a reply,
// an error, an exception) drops its references.
#pragma once

#include <systemd/sd-bus.h>

#include <memory>

namespace cradle::dbus {

struct BusUnref {
    // The connection is flushed and closed before its last reference goes, so that a reply or
    // a NameLost still queued reaches the bus.
    void operator()(sd_bus* bus) const noexcept { sd_bus_flush_close_unref(bus); }
};
struct SlotUnref {
    void operator()(sd_bus_slot* slot) const noexcept { sd_bus_slot_unref(slot); }
};
struct MessageUnref {
    void operator()(sd_bus_message* message) const noexcept { sd_bus_message_unref(message); }
};
struct CredsUnref {
    void operator()(sd_bus_creds* creds) const noexcept { sd_bus_creds_unref(creds); }
};

using BusPtr = std::unique_ptr<sd_bus, BusUnref>;
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotUnref>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;
using CredsPtr = std::unique_ptr<sd_bus_creds, CredsUnref>;

// Takes a new reference on a message that sd-bus lends to a handler (a call answered later).
inline MessagePtr keep(sd_bus_message* message) {
    return MessagePtr(sd_bus_message_ref(message));
}

// An sd_bus_error freed at the end of its scope.
class BusErrorText {
  public:
    BusErrorText() = default;
    BusErrorText(const BusErrorText&) = delete;
    BusErrorText& operator=(const BusErrorText&) = delete;
    ~BusErrorText() { sd_bus_error_free(&error_); }
    sd_bus_error* get() { return &error_; }
    const char* name() const { return error_.name ? error_.name : ""; }
    const char* message() const { return error_.message ? error_.message : ""; }

  private:
    sd_bus_error error_ = SD_BUS_ERROR_NULL;
};

}  // namespace cradle::dbus
