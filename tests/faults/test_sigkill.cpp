// I3 against a daemon killed outright: the service runs in a child process that SIGKILLs
// itself at a random file-system or device operation; the next start recovers, and nothing
// is lost, duplicated or left in staging.
#include "tests/faults/rig.hpp"
#include "tests/support/faulty_fs.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <random>

namespace cradle::test {
namespace {

// Wraps a camera so that the process is killed at the start of its k-th operation.
class KillingCamera final : public hw::CameraDriver {
  public:
    KillingCamera(std::shared_ptr<hw::CameraDriver> inner, int kill_at)
        : inner_(std::move(inner)), kill_at_(kill_at) {}
    hw::DeviceIdentity identify(hw::Deadline d) override { return step(), inner_->identify(d); }
    hw::DeviceHealth health(hw::Deadline d) override { return step(), inner_->health(d); }
    std::chrono::system_clock::time_point clock(hw::Deadline d) override {
        return step(), inner_->clock(d);
    }
    void set_clock(std::chrono::system_clock::time_point t, hw::Deadline d) override {
        step();
        inner_->set_clock(t, d);
    }
    std::vector<hw::RecordingInfo> list_recordings(std::size_t max, hw::Deadline d) override {
        return step(), inner_->list_recordings(max, d);
    }
    std::size_t read(std::uint32_t h, std::uint64_t o, std::span<std::byte> out,
                     hw::Deadline d) override {
        return step(), inner_->read(h, o, out, d);
    }
    void remove(std::uint32_t h, hw::Deadline d) override {
        step();
        inner_->remove(h, d);
    }
    int operations() const { return ops_.load(); }

  private:
    void step() {
        if (++ops_ == kill_at_) ::raise(SIGKILL);
    }
    std::shared_ptr<hw::CameraDriver> inner_;
    int kill_at_;
    std::atomic<int> ops_{0};
};

// A cradle whose cameras are KillingCameras.
class KillingCradle final : public hw::Cradle, hw::CradleListener {
  public:
    KillingCradle(hw::Cradle& inner, int kill_at) : inner_(inner), kill_at_(kill_at) {}
    int bay_count() const override { return inner_.bay_count(); }
    void start(hw::CradleListener& listener) override {
        listener_ = &listener;
        inner_.start(*this);
    }
    void stop() override { inner_.stop(); }
    void set_light(int bay, hw::BayLight light) override { inner_.set_light(bay, light); }
    void set_port_power(int bay, bool on) override { inner_.set_port_power(bay, on); }
    void camera_attached(int bay, const std::string& port,
                         std::shared_ptr<hw::CameraDriver> camera) override {
        last_ = std::make_shared<KillingCamera>(std::move(camera), kill_at_);
        listener_->camera_attached(bay, port, last_);
    }
    void camera_detached(int bay) override { listener_->camera_detached(bay); }
    int operations() const { return last_ ? last_->operations() : 0; }

  private:
    hw::Cradle& inner_;
    int kill_at_;
    hw::CradleListener* listener_ = nullptr;
    std::shared_ptr<KillingCamera> last_;
};

struct KillPoint {
    int fs_op = 0;      // 0 = none
    int device_op = 0;  // 0 = none
};

// Runs the service in a child process that kills itself at the given point.
// Returns true if the child died of SIGKILL, false if it finished first.
bool run_child_killed_at(Rig& rig, KillPoint point, int* fs_ops = nullptr,
                         int* device_ops = nullptr) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::close(pipe_fds[0]);
        int counts[2] = {0, 0};
        try {
            PosixFileSystem posix;
            FaultyFileSystem faulty(posix);
            if (point.fs_op > 0) faulty.on_op(point.fs_op, [] { ::raise(SIGKILL); });
            hw::sim::SimCradle sim(rig.spec);
            KillingCradle cradle(sim, point.device_op);
            CradleService service(rig.config, cradle, faulty, Log([](auto&&...) {}));
            RunOptions options;
            options.exit_when_idle = true;
            service.run(options);
            counts[0] = faulty.operations();
            counts[1] = cradle.operations();
        } catch (...) {
            ::_exit(3);
        }
        (void)!::write(pipe_fds[1], counts, sizeof counts);
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    int counts[2] = {0, 0};
    (void)!::read(pipe_fds[0], counts, sizeof counts);
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (fs_ops) *fs_ops = counts[0];
    if (device_ops) *device_ops = counts[1];
    if (WIFSIGNALED(status)) {
        EXPECT_EQ(WTERMSIG(status), SIGKILL);
        return true;
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    return false;
}

TEST(Sigkill, AtRandomPointsThenRestartRecoversAndLosesNothing) {
    int total_fs = 0, total_device = 0;
    {
        Rig rig(1, 3, 192 << 10);
        rig.provision();
        ASSERT_FALSE(run_child_killed_at(rig, {}, &total_fs, &total_device));
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
    ASSERT_GT(total_fs, 10);
    ASSERT_GT(total_device, 10);

    const unsigned seed = 4242;
    std::mt19937 random(seed);
    for (int round = 0; round < 16; ++round) {
        KillPoint point;
        if (round % 2 == 0) {
            point.fs_op = 1 + static_cast<int>(random() % total_fs);
        } else {
            point.device_op = 1 + static_cast<int>(random() % total_device);
        }
        SCOPED_TRACE("seed " + std::to_string(seed) + ": SIGKILL at file-system op " +
                     std::to_string(point.fs_op) + " / device op " +
                     std::to_string(point.device_op));
        Rig rig(1, 3, 192 << 10);
        rig.provision();
        EXPECT_TRUE(run_child_killed_at(rig, point));
        ASSERT_EQ(join_problems(rig.loss_problems()), "");
        rig.run();  // restart: recovery, then the camera is docked again
        ASSERT_EQ(join_problems(rig.invariant_problems()), "");
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
}

TEST(Sigkill, AtEveryDeviceOperationOfTheWipePhase) {
    int total_device = 0;
    {
        Rig rig(1, 3, 96 << 10);
        rig.provision();
        ASSERT_FALSE(run_child_killed_at(rig, {}, nullptr, &total_device));
    }
    // The last operations of a dock are the re-listing, the deletions and the final health
    // check: kill at each of them.
    for (int op = total_device - 5; op <= total_device; ++op) {
        SCOPED_TRACE("SIGKILL at device op " + std::to_string(op));
        Rig rig(1, 3, 96 << 10);
        rig.provision();
        EXPECT_TRUE(run_child_killed_at(rig, KillPoint{0, op}));
        ASSERT_EQ(join_problems(rig.loss_problems()), "");
        rig.run();
        ASSERT_EQ(join_problems(rig.invariant_problems()), "");
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
}

}  // namespace
}  // namespace cradle::test
