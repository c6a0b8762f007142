// SPDX-License-Identifier: Apache-2.0
// cradlectl and a busy service: a call refused with LimitsExceeded saying "try again" is sent
// again after growing pauses; a reply too large is final. The service is a stand-in on a
// private bus that refuses ListOfficersPage as told, so that the test decides when it is busy,
// and answers in two pages, so that the test sees cradlectl follow the cursor.
#include "tests/dbus/stand_in_service.hpp"
#include "tests/support/private_bus.hpp"
#include "tests/support/shell_command.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

namespace cradle::test {
namespace {

class BusyService {
  public:
    // Refuses the first `busy_times` calls of ListOfficersPage with `refusal`, then answers:
    // officer B1 with the cursor "B1", then after "B1" officer B2 and the end.
    BusyService(const std::string& address, int busy_times, std::string refusal)
        : busy_times_(busy_times),
          refusal_(std::move(refusal)),
          service_(address, "org.cradled.Cradle1", "/org/cradled/Cradle1",
                   "org.cradled.Cradle1.Manager", kVtable, this) {}
    int calls() const { return calls_; }

  private:
    static int list_officers(sd_bus_message* call, void* userdata, sd_bus_error* error) {
        auto* self = static_cast<BusyService*>(userdata);
        if (++self->calls_ <= self->busy_times_) {
            return sd_bus_error_set(error, SD_BUS_ERROR_LIMITS_EXCEEDED, self->refusal_.c_str());
        }
        const char* cursor = nullptr;
        std::uint32_t count = 0;
        int r = sd_bus_message_read(call, "su", &cursor, &count);
        if (r < 0) return r;
        const std::string after = cursor;
        if (after.empty()) {
            return sd_bus_reply_method_return(call, "a(sssx)s", 1, "B1", "Officer One", "",
                                              std::int64_t{0}, "B1");
        }
        if (after == "B1") {
            return sd_bus_reply_method_return(call, "a(sssx)s", 1, "B2", "Officer Two", "",
                                              std::int64_t{0}, "");
        }
        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "cursor: not one this list gave");
    }
    static constexpr sd_bus_vtable kVtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("ListOfficersPage", "su", "a(sssx)s", list_officers,
                      SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
    };

    const int busy_times_;
    const std::string refusal_;
    std::atomic<int> calls_{0};
    StandInService service_;  // last: stopped first
};

constexpr const char* kBusy =
    "too many reports and recording lists are being read at once; try "
    "again shortly";

std::string export_officers(const PrivateBus& bus) {
    return built_program("cradlectl") + " --bus '" + bus.address() + "' export officers 2>&1";
}

TEST(CradlectlRetry, ABusyServiceIsAskedAgainUntilItAnswers) {
    PrivateBus bus;
    BusyService service(bus.address(), 3, kBusy);
    const ShellResult result = run_shell(export_officers(bus));
    EXPECT_EQ(result.exit_status, 0) << result.output;
    EXPECT_NE(result.output.find("badge,name,team,updated_at"), std::string::npos) << result.output;
    // Both pages: the cursor of the first asks for the second.
    EXPECT_NE(result.output.find("B1,Officer One"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("B2,Officer Two"), std::string::npos) << result.output;
    EXPECT_EQ(service.calls(), 5);
}

TEST(CradlectlRetry, AServiceBusyForTooLongIsReportedAfterFiveMoreTries) {
    PrivateBus bus;
    BusyService service(bus.address(), 1000, kBusy);
    const ShellResult result = run_shell(export_officers(bus));
    EXPECT_EQ(result.exit_status, 1) << result.output;
    EXPECT_NE(result.output.find("still busy after 5 more tries"), std::string::npos)
        << result.output;
    EXPECT_EQ(service.calls(), 6);
}

TEST(CradlectlRetry, AReplyTooLargeIsNotAskedAgain) {
    PrivateBus bus;
    BusyService service(bus.address(), 1000,
                        "400000 recordings are too many for one reply: narrow the capture "
                        "window or set a limit");
    const ShellResult result = run_shell(export_officers(bus));
    EXPECT_EQ(result.exit_status, 1) << result.output;
    EXPECT_NE(result.output.find("too many for one reply"), std::string::npos) << result.output;
    EXPECT_EQ(service.calls(), 1);
}

}  // namespace
}  // namespace cradle::test
