// SPDX-License-Identifier: Apache-2.0
#include "tests/faults/child_run.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <stdexcept>

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

}  // namespace

ChildRun run_child(const Rig& rig, KillPoint point, std::optional<StorageFault> fault) {
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
            if (fault) faulty.fail_at(fault->op, fault->error, fault->mode);
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
    ChildRun run;
    ::waitpid(pid, &run.status, 0);
    run.fs_ops = counts[0];
    run.device_ops = counts[1];
    if (WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGKILL) {
        run.end = ChildRun::End::killed;
    } else if (WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) {
        run.end = ChildRun::End::finished;
    }
    return run;
}

}  // namespace cradle::test
