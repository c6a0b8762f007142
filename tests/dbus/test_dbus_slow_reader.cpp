// SPDX-License-Identifier: Apache-2.0
// A caller that sends calls and never reads the replies, against the service on a bus whose
// daemon lets a connection leave 4 MiB undelivered (a system bus allows 127 MiB: the same, only
// sooner). Every reply it leaves unread counts against cradled's own quota at the bus daemon;
// spent, the daemon would read nothing more from cradled and the API would freeze for every
// client. The guard starves the slow reader first, and the others are answered.
#include "tests/dbus/test_dbus_harness.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace cradle::test {
namespace {

// Introspection of the Manager: the largest reply of a fixed size, about 8 KiB.
int send_introspect(sd_bus* bus) {
    sd_bus_message* raw = nullptr;
    int r = sd_bus_message_new_method_call(bus, &raw, "org.cradled.Cradle1", "/org/cradled/Cradle1",
                                           "org.freedesktop.DBus.Introspectable", "Introspect");
    if (r < 0) return r;
    // With a cookie asked for: without one, sd-bus marks the call as expecting no reply.
    std::uint64_t cookie = 0;
    r = sd_bus_send(bus, raw, &cookie);
    sd_bus_message_unref(raw);
    return r;
}

TEST(DbusSlowReader, ACallerThatNeverReadsIsStarvedAndTheOthersAreAnswered) {
    PrivateBus bus(PrivateBus::Quota{4u << 20});
    ServiceOnBus service(2);
    ASSERT_EQ(service.start(bus.address()), "");
    BusClient reader(bus.address());
    BusClient flooder(bus.address());
    // Without the guard the bus stops taking cradled's replies: the calls below time out.
    ASSERT_GE(sd_bus_set_method_call_timeout(reader.get(), 5'000'000), 0);
    ASSERT_TRUE(call_manager(reader.get(), "ListBays", "").ok());

    // 30000 introspections, about 240 MiB of replies: sixty times the quota.
    for (int i = 0; i < 30000; ++i) {
        ASSERT_GE(send_introspect(flooder.get()), 0);
        // Written out, never read: sd_bus_flush only writes.
        if (i % 50 == 49) {
            ASSERT_GE(sd_bus_flush(flooder.get()), 0);
        }
    }
    ASSERT_GE(sd_bus_flush(flooder.get()), 0);

    for (int i = 0; i < 3; ++i) {
        CallResult bays = call_manager(reader.get(), "ListBays", "");
        EXPECT_TRUE(bays.ok()) << "call " << i << ": " << bays.error_name << " "
                               << bays.error_message;
    }
    EXPECT_TRUE(service.wait_for_log("no longer answering :"));
    EXPECT_TRUE(service.wait_for_log("its calls are dropped until it reads them"));
}

}  // namespace
}  // namespace cradle::test
