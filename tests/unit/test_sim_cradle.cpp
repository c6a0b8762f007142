// SPDX-License-Identifier: Apache-2.0
// The emulated cradle: hotplug events, yanks reported as detaches, power cycles that revive a
// camera, and the bay lights.
#include "sim/sim_cradle.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>

namespace cradle::hw::sim {
namespace {

using namespace std::chrono_literals;

Deadline soon() {
    return SteadyClock::now() + 10s;
}

CameraSpec camera_in(int bay, const std::string& serial) {
    CameraSpec spec;
    spec.serial = serial;
    spec.bay = bay;
    spec.recordings = 3;
    spec.total_bytes = 300'000;
    spec.seed = static_cast<std::uint64_t>(bay) + 100;
    return spec;
}

struct Event {
    bool attached = false;
    int bay = 0;
    std::string port_path;
    std::shared_ptr<CameraDriver> camera;

    bool operator==(const Event& other) const {
        return attached == other.attached && bay == other.bay && port_path == other.port_path;
    }
};

std::ostream& operator<<(std::ostream& out, const Event& event) {
    return out << (event.attached ? "attached(" : "detached(") << event.bay << ", "
               << event.port_path << ")";
}

Event attached(int bay) {
    return {true, bay, "sim-1." + std::to_string(bay), nullptr};
}
Event detached(int bay) {
    return {false, bay, "", nullptr};
}

class RecordingListener final : public CradleListener {
  public:
    void camera_attached(int bay, const std::string& port_path,
                         std::shared_ptr<CameraDriver> camera) override {
        if (during_event) during_event(bay);
        std::lock_guard lock(mutex_);
        events_.push_back({true, bay, port_path, std::move(camera)});
    }
    void camera_detached(int bay) override {
        if (during_event) during_event(bay);
        std::lock_guard lock(mutex_);
        events_.push_back({false, bay, "", nullptr});
    }
    std::vector<Event> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    std::function<void(int bay)> during_event;

  private:
    mutable std::mutex mutex_;
    std::vector<Event> events_;
};

struct CradleFixture : ::testing::Test {
    test::TempDir storage;

    CradleSpec spec_with(std::vector<CameraSpec> cameras, int bays = 4) {
        CradleSpec spec;
        spec.bays = bays;
        spec.storage_dir = storage.path();
        spec.cameras = std::move(cameras);
        return spec;
    }
};

TEST_F(CradleFixture, StartReportsEveryDockedCameraAndProvisionsAll) {
    SimCradle cradle(spec_with({camera_in(1, "A1"), camera_in(3, "A3"), camera_in(0, "SPARE")}));
    for (const char* serial : {"A1", "A3", "SPARE"}) {
        EXPECT_EQ(stored_recordings(camera_dir(storage.path(), serial)).size(), 3u) << serial;
    }
    RecordingListener listener;
    cradle.start(listener);
    const auto events = listener.events();
    ASSERT_EQ(events, (std::vector<Event>{attached(1), attached(3)}));
    EXPECT_EQ(events[0].camera, cradle.camera(1));
    EXPECT_EQ(events[0].camera->identify(soon()).serial, "A1");
    EXPECT_EQ(events[1].camera->identify(soon()).serial, "A3");
    EXPECT_EQ(cradle.camera(2), nullptr);
    EXPECT_EQ(cradle.bay_count(), 4);
}

TEST_F(CradleFixture, PlugAndUnplugAreReportedOnlyAfterStart) {
    SimCradle cradle(spec_with({}));
    RecordingListener listener;
    cradle.plug(2, camera_in(2, "B2"));
    EXPECT_TRUE(listener.events().empty());
    cradle.start(listener);
    cradle.plug(4, camera_in(0, "B4"));
    const auto camera = cradle.camera(4);
    ASSERT_NE(camera, nullptr);
    cradle.unplug(4);
    EXPECT_FALSE(camera->plugged());
    EXPECT_EQ(cradle.camera(4), nullptr);
    cradle.unplug(4);  // already empty: nothing to report
    EXPECT_EQ(listener.events(), (std::vector<Event>{attached(2), attached(4), detached(4)}));

    cradle.stop();
    cradle.unplug(2);
    EXPECT_EQ(listener.events().size(), 3u);
}

TEST_F(CradleFixture, DockingTwiceIsRejected) {
    SimCradle cradle(spec_with({camera_in(1, "C1")}));
    EXPECT_THROW(cradle.plug(1, camera_in(0, "C9")), std::invalid_argument);
    EXPECT_THROW(cradle.plug(2, camera_in(0, "C1")), std::invalid_argument);
    EXPECT_THROW(SimCradle(spec_with({camera_in(2, "D1"), camera_in(2, "D2")})),
                 std::invalid_argument);
    EXPECT_THROW(SimCradle(spec_with({}, 0)), std::invalid_argument);
}

TEST_F(CradleFixture, InvalidBayNumbersAreOutOfRange) {
    SimCradle cradle(spec_with({}, 2));
    EXPECT_THROW(cradle.set_light(0, BayLight::ready), std::out_of_range);
    EXPECT_THROW(cradle.set_light(3, BayLight::ready), std::out_of_range);
    EXPECT_THROW(cradle.set_port_power(-1, false), std::out_of_range);
    EXPECT_THROW(cradle.plug(3, camera_in(0, "E1")), std::out_of_range);
    EXPECT_THROW(cradle.unplug(7), std::out_of_range);
    EXPECT_THROW(cradle.camera(0), std::out_of_range);
    EXPECT_THROW(cradle.light_history(3), std::out_of_range);
    EXPECT_THROW(SimCradle(spec_with({camera_in(5, "E5")}, 2)), std::out_of_range);
    try {
        cradle.light(9);
        FAIL();
    } catch (const std::out_of_range& error) {
        EXPECT_NE(std::string(error.what()).find("bay 9"), std::string::npos) << error.what();
    }
    EXPECT_FALSE(std::filesystem::exists(camera_dir(storage.path(), "E1")));
}

TEST_F(CradleFixture, YankFaultIsReportedAsDetachFromTheOperationsThread) {
    CameraSpec yanking = camera_in(2, "F2");
    yanking.faults.yank_at_op = 2;
    SimCradle cradle(spec_with({yanking}));
    RecordingListener listener;
    // A listener may call back into the cradle while an event is delivered.
    listener.during_event = [&](int bay) { (void)cradle.camera(bay); };
    cradle.start(listener);
    const auto camera = cradle.camera(2);
    camera->identify(soon());
    EXPECT_THROW(camera->health(soon()), DeviceError);
    EXPECT_EQ(listener.events(), (std::vector<Event>{attached(2), detached(2)}));
    EXPECT_EQ(cradle.camera(2), nullptr);
    // The bay is empty again: another camera can be docked.
    cradle.plug(2, camera_in(0, "F9"));
    EXPECT_EQ(listener.events().back(), attached(2));
}

TEST_F(CradleFixture, PowerCycleDetachesThenAttachesWithFaultsCleared) {
    CameraSpec hanging = camera_in(3, "G3");
    hanging.faults.hang_at_op = 2;
    SimCradle cradle(spec_with({hanging}));
    RecordingListener listener;
    cradle.start(listener);
    const auto stuck = cradle.camera(3);
    stuck->remove(1, soon());
    EXPECT_THROW(stuck->identify(SteadyClock::now() + 5ms), DeviceError);

    cradle.set_port_power(3, false);
    EXPECT_FALSE(stuck->plugged());
    EXPECT_EQ(cradle.camera(3), nullptr);
    cradle.set_port_power(3, false);  // already off
    cradle.set_port_power(3, true);
    EXPECT_EQ(listener.events(), (std::vector<Event>{attached(3), detached(3), attached(3)}));

    const auto revived = cradle.camera(3);
    ASSERT_NE(revived, nullptr);
    EXPECT_NE(revived, stuck);
    EXPECT_EQ(listener.events().back().camera, revived);
    EXPECT_FALSE(revived->spec().faults.hang_at_op.has_value());
    EXPECT_EQ(revived->identify(soon()).serial, "G3");
    EXPECT_EQ(revived->identify(soon()).serial, "G3");
    // What was deleted before the power cycle stays deleted.
    EXPECT_EQ(revived->list_recordings(10, soon()).size(), 2u);
}

TEST_F(CradleFixture, CameraDockedInAnUnpoweredBayAttachesAtPowerOn) {
    SimCradle cradle(spec_with({}));
    RecordingListener listener;
    cradle.start(listener);
    cradle.set_port_power(1, false);
    cradle.plug(1, camera_in(0, "H1"));
    EXPECT_EQ(cradle.camera(1), nullptr);
    EXPECT_TRUE(listener.events().empty());
    cradle.set_port_power(1, true);
    EXPECT_EQ(listener.events(), (std::vector<Event>{attached(1)}));
}

TEST_F(CradleFixture, LightHistoryRecordsEachChange) {
    SimCradle cradle(spec_with({camera_in(1, "L1")}));
    EXPECT_EQ(cradle.light(1), BayLight::off);
    cradle.set_light(1, BayLight::working);
    cradle.set_light(1, BayLight::working);
    cradle.set_light(1, BayLight::ready);
    cradle.set_light(1, BayLight::off);
    EXPECT_EQ(cradle.light(1), BayLight::off);
    EXPECT_EQ(cradle.light_history(1),
              (std::vector<BayLight>{BayLight::working, BayLight::ready, BayLight::off}));
    EXPECT_TRUE(cradle.light_history(2).empty());
}

TEST_F(CradleFixture, CamerasOutlivingTheCradleAreGone) {
    std::shared_ptr<SimCamera> camera;
    {
        SimCradle cradle(spec_with({camera_in(1, "K1")}));
        camera = cradle.camera(1);
    }
    EXPECT_THROW(camera->identify(soon()), DeviceError);
}

}  // namespace
}  // namespace cradle::hw::sim
