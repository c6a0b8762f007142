// cradlectl over D-Bus: the real cradled on an emulated two-bay cradle, on a private bus, and
// the real cradlectl binary asking it. JSON output is parsed and checked against what the
// daemon has (and against the offline read of the same state directory).
#include "tests/support/private_bus.hpp"
#include "tests/support/temp_dir.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::test {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::seconds kCommandDeadline{30};
constexpr uid_t kNobody = 65534;

std::string bin_dir() {
    const char* dir = std::getenv("CRADLED_BIN_DIR");
    if (dir == nullptr) throw std::runtime_error("CRADLED_BIN_DIR is not set");
    return dir;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// ---- A small strict JSON reader, enough to check cradlectl's output field by field.

struct Json {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool flag = false;
    double number = 0;
    std::string text;
    std::vector<Json> items;
    std::map<std::string, Json> members;

    const Json& operator[](const std::string& key) const {
        if (kind != Kind::object) throw std::runtime_error("not an object, asked for " + key);
        auto found = members.find(key);
        if (found == members.end()) throw std::runtime_error("no member " + key);
        return found->second;
    }
    const Json& operator[](std::size_t index) const { return items.at(index); }
    bool is_null() const { return kind == Kind::null; }
    std::int64_t integer() const { return static_cast<std::int64_t>(number); }
};

class JsonReader {
  public:
    static Json parse(std::string_view text) {
        JsonReader reader(text);
        Json value = reader.value();
        reader.space();
        if (reader.at_ != text.size()) reader.fail("trailing text");
        return value;
    }

  private:
    explicit JsonReader(std::string_view text) : text_(text) {}
    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error("JSON: " + why + " at " + std::to_string(at_) +
                                 " in: " + std::string(text_));
    }
    void space() {
        while (at_ < text_.size() && std::strchr(" \t\r\n", text_[at_]) != nullptr) ++at_;
    }
    bool take(char c) {
        space();
        if (at_ < text_.size() && text_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!take(c)) fail(std::string("expected ") + c);
    }
    Json value() {
        space();
        if (at_ >= text_.size()) fail("unexpected end");
        Json v;
        const char c = text_[at_];
        if (c == '{') {
            ++at_;
            v.kind = Json::Kind::object;
            if (take('}')) return v;
            do {
                space();
                std::string key = string();
                expect(':');
                v.members[key] = value();
            } while (take(','));
            expect('}');
        } else if (c == '[') {
            ++at_;
            v.kind = Json::Kind::array;
            if (take(']')) return v;
            do {
                v.items.push_back(value());
            } while (take(','));
            expect(']');
        } else if (c == '"') {
            v.kind = Json::Kind::string;
            v.text = string();
        } else if (text_.substr(at_, 4) == "true" || text_.substr(at_, 5) == "false") {
            v.kind = Json::Kind::boolean;
            v.flag = text_[at_] == 't';
            at_ += v.flag ? 4 : 5;
        } else if (text_.substr(at_, 4) == "null") {
            at_ += 4;
        } else {
            const std::size_t start = at_;
            while (at_ < text_.size() && std::strchr("+-0123456789.eE", text_[at_]) != nullptr) {
                ++at_;
            }
            if (start == at_) fail("unexpected character");
            v.kind = Json::Kind::number;
            v.number = std::stod(std::string(text_.substr(start, at_ - start)));
        }
        return v;
    }
    std::string string() {
        if (at_ >= text_.size() || text_[at_] != '"') fail("expected a string");
        ++at_;
        std::string out;
        while (at_ < text_.size() && text_[at_] != '"') {
            char c = text_[at_++];
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
            if (c == '\\') {
                if (at_ >= text_.size()) fail("unfinished escape");
                const char e = text_[at_++];
                if (e == 'u') {
                    if (at_ + 4 > text_.size()) fail("short \\u escape");
                    out += static_cast<char>(
                        std::stoi(std::string(text_.substr(at_, 4)), nullptr, 16));
                    at_ += 4;
                    continue;
                }
                c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
            }
            out += c;
        }
        if (at_ >= text_.size()) fail("unfinished string");
        ++at_;
        return out;
    }
    std::string_view text_;
    std::size_t at_ = 0;
};

// ---- Child processes, with their output in files (or stdout on a pipe) and a deadline.

class Child {
  public:
    struct Options {
        std::vector<std::string> argv;
        fs::path out_file;  // empty: a pipe, read with read_line()
        fs::path err_file;
        std::optional<uid_t> uid;              // drop to this uid (and its gid) before exec
        std::vector<std::string> environment;  // NAME=VALUE added to the inherited ones
    };

    explicit Child(const Options& options) {
        int pipe_fds[2] = {-1, -1};
        if (options.out_file.empty() && ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
            throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
        }
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
        if (pid_ == 0) {
            const int out = options.out_file.empty()
                                ? pipe_fds[1]
                                : ::open(options.out_file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            const int err =
                ::open(options.err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (out < 0 || err < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
                ::dup2(err, STDERR_FILENO) < 0) {
                ::_exit(126);
            }
            if (options.uid) {
                if (::setgroups(0, nullptr) != 0 || ::setgid(*options.uid) != 0 ||
                    ::setuid(*options.uid) != 0) {
                    ::_exit(125);
                }
            }
            for (const std::string& variable : options.environment) {
                ::putenv(const_cast<char*>(variable.c_str()));
            }
            std::vector<char*> argv;
            for (const std::string& arg : options.argv)
                argv.push_back(const_cast<char*>(arg.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        if (options.out_file.empty()) {
            ::close(pipe_fds[1]);
            out_pipe_ = pipe_fds[0];
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            reap();
        }
        if (out_pipe_ >= 0) ::close(out_pipe_);
    }

    pid_t pid() const { return pid_; }

    // The next line of standard output (on a pipe), or "" at its end or at the deadline.
    std::string read_line() {
        const auto deadline = std::chrono::steady_clock::now() + kCommandDeadline;
        for (;;) {
            if (auto end = buffered_.find('\n'); end != std::string::npos) {
                std::string line = buffered_.substr(0, end);
                buffered_.erase(0, end + 1);
                return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return "";
            pollfd readable{out_pipe_, POLLIN, 0};
            const int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return "";
            char buffer[4096];
            const ssize_t got = ::read(out_pipe_, buffer, sizeof buffer);
            if (got <= 0) return "";
            buffered_.append(buffer, static_cast<std::size_t>(got));
        }
    }

    // Waits for the exit (killing the child at the deadline); the exit status, or -1 when it
    // did not exit by itself.
    int wait() {
        const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
        if (pidfd >= 0) {
            pollfd exited{pidfd, POLLIN, 0};
            const auto deadline_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(kCommandDeadline).count();
            int ready = 0;
            do {
                ready = ::poll(&exited, 1, static_cast<int>(deadline_ms));
            } while (ready < 0 && errno == EINTR);
            ::close(pidfd);
            if (ready == 0) {
                ::kill(pid_, SIGKILL);
                reap();
                return -1;
            }
        }
        const int status = reap();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    void signal(int number) { ::kill(pid_, number); }

  private:
    int reap() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return status;
    }

    pid_t pid_ = -1;
    int out_pipe_ = -1;
    std::string buffered_;
};

struct Result {
    int exit_status = -1;
    std::string out;
    std::string err;
};

// ---- The rig: a private bus, a state directory, cradled on the emulated cradle.

struct CameraPlan {
    std::uint64_t throttle_bytes_per_s = 0;
};

class CradlectlOverBus : public ::testing::Test {
  protected:
    void write_configuration(std::uint64_t throttle_bytes_per_s) {
        fs::permissions(dir_.path(),
                        fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
        const std::string throttle =
            "[camera.faults]\nthrottle_bytes_per_s = " + std::to_string(throttle_bytes_per_s) +
            "\n";
        std::ofstream(dir_.path() / "cradle.toml")
            << "bays = 2\nptp = true\n"
               "[[camera]]\nserial = \"CAM-1\"\nbay = 1\nrecordings = 4\ntotal_bytes = " +
                   std::to_string(kCam1Bytes) + "\nseed = 7\nbattery_percent = 95\n" + throttle +
                   "[[camera]]\nserial = \"CAM-2\"\nbay = 2\nrecordings = 2\ntotal_bytes = "
                   "300000\nseed = 8\nbattery_percent = 95\n" +
                   throttle;
        std::ofstream(dir_.path() / "cradled.toml")
            << "[daemon]\nbackend = \"sim\"\nworkers = 2\n"
               "[readiness]\nclock_trust = \"always\"\n"
               "[[register]]\nserial = \"CAM-1\"\ncustodian = \"Custodian A\"\n"
               "officer = \"Officer B\"\nhead = \"Head C\"\n"
               "[sim]\ncradle = \"cradle.toml\"\n";
    }

    void start_daemon() {
        daemon_ = std::make_unique<Child>(Child::Options{
            {bin_dir() + "/cradled", "--config", (dir_.path() / "cradled.toml").string(),
             "--state-dir", state_dir().string(), "--backend", "sim", "--bus", bus_.address()},
            dir_.path() / "daemon.out",
            dir_.path() / "daemon.log",
            {},
            {}});
    }

    void TearDown() override {
        if (daemon_) {
            daemon_->signal(SIGTERM);
            daemon_->wait();
        }
        if (HasFailure()) std::cerr << "cradled's log:\n" << read_file(dir_.path() / "daemon.log");
    }

    fs::path state_dir() const { return dir_.path() / "state"; }

    Child::Options cradlectl_options(const std::vector<std::string>& args, const std::string& name,
                                     bool on_bus = true) {
        Child::Options options;
        options.argv = {bin_dir() + "/cradlectl"};
        if (on_bus) options.argv.insert(options.argv.end(), {"--bus", bus_.address()});
        options.argv.insert(options.argv.end(), args.begin(), args.end());
        options.out_file = dir_.path() / (name + ".out");
        options.err_file = dir_.path() / (name + ".err");
        return options;
    }

    Result finish(Child& child, const Child::Options& options) {
        Result result;
        result.exit_status = child.wait();
        result.out = read_file(options.out_file);
        result.err = read_file(options.err_file);
        return result;
    }

    Result run(const Child::Options& options) {
        Child child(options);
        return finish(child, options);
    }

    Result cradlectl(const std::vector<std::string>& args) {
        return run(cradlectl_options(args, "cradlectl-" + std::to_string(++runs_)));
    }

    Result offline(const std::vector<std::string>& args) {
        std::vector<std::string> all = {"--state-dir", state_dir().string()};
        all.insert(all.end(), args.begin(), args.end());
        return run(cradlectl_options(all, "offline-" + std::to_string(++runs_), false));
    }

    // Starts cradled, its cameras copying at `throttle_bytes_per_s` (0: at full speed), with a
    // live view that follows it until both docks have ended; returns what the view printed.
    // The view is the synchronisation, as an operator would use it.
    Result watch_daemon_until_idle(std::uint64_t throttle_bytes_per_s, const std::string& name,
                                   bool json = false) {
        write_configuration(throttle_bytes_per_s);
        std::vector<std::string> args = {"status", "--watch", "--wait", "--until-idle"};
        if (json) args.push_back("--json");
        const auto options = cradlectl_options(args, name);
        Child watch(options);
        start_daemon();
        return finish(watch, options);
    }

    void start_daemon_and_wait_until_idle() {
        const Result idle = watch_daemon_until_idle(0, "idle-watch");
        ASSERT_EQ(idle.exit_status, 0) << idle.out << idle.err;
    }

    static constexpr std::uint64_t kCam1Bytes = 2'000'000;

    TempDir dir_;
    PrivateBus bus_;
    std::unique_ptr<Child> daemon_;
    int runs_ = 0;
};

const std::string& line_with(const std::vector<std::string>& lines, std::string_view text) {
    static const std::string none;
    for (const std::string& line : lines) {
        if (line.find(text) != std::string::npos) return line;
    }
    return none;
}

TEST_F(CradlectlOverBus, StatusWatchShowsABayOffloadingThenItsOutcome) {
    // 2 MB at 1 MB/s: two seconds of copying, sampled about once a second.
    const Result result = watch_daemon_until_idle(1'000'000, "watch");
    ASSERT_EQ(result.exit_status, 0) << result.out << result.err;
    const std::vector<std::string> lines = lines_of(result.out);
    EXPECT_EQ(result.out.find('\x1b'), std::string::npos) << "no terminal, no escapes";

    // Bay 1 copying, part-way, with a bar, rate and time left.
    std::size_t moving = lines.size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.starts_with("bay 1  offloading") && line.find("CAM-1") != std::string::npos &&
            line.find("[#") != std::string::npos && line.find("MB/s") != std::string::npos &&
            line.find("ETA ") != std::string::npos && line.find("/2.0 MB") != std::string::npos) {
            moving = i;
            break;
        }
    }
    ASSERT_LT(moving, lines.size()) << "no line of bay 1 part-way through its offload:\n"
                                    << result.out;
    // Then done, with the outcome and the dock's counts, as the last line of bay 1.
    std::string last_of_bay_1;
    std::size_t done_at = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].starts_with("bay 1 ")) {
            last_of_bay_1 = lines[i];
            done_at = i;
        }
    }
    EXPECT_GT(done_at, moving);
    EXPECT_TRUE(last_of_bay_1.starts_with("bay 1  done")) << result.out;
    EXPECT_NE(last_of_bay_1.find("[####################] 100%  2.0/2.0 MB"), std::string::npos)
        << last_of_bay_1;
    EXPECT_NE(last_of_bay_1.find("ready for duty (archived 4, wiped 4, left 0)"), std::string::npos)
        << last_of_bay_1;
    EXPECT_NE(line_with(lines, "needs custodian: unregistered device").find("bay 2  done"),
              std::string::npos)
        << result.out;
}

TEST_F(CradlectlOverBus, StatusWatchJsonIsOneEventPerLine) {
    const Result result = watch_daemon_until_idle(4'000'000, "watch", /*json=*/true);
    ASSERT_EQ(result.exit_status, 0) << result.out << result.err;
    bool offloading = false;
    std::map<std::int64_t, Json> finished;
    for (const std::string& line : lines_of(result.out)) {
        const Json event = JsonReader::parse(line);
        if (event["event"].text == "bay") {
            // The first event of the phase may come before the offload is planned.
            if (event["phase"].text == "offloading" && event["bay"].integer() == 1 &&
                event["bytes_total"].integer() != 0) {
                offloading = true;
                EXPECT_EQ(event["serial"].text, "CAM-1");
                EXPECT_EQ(event["bytes_total"].integer(), 2'000'000);
                EXPECT_EQ(event["recordings_total"].integer(), 4);
                EXPECT_EQ(event["light"].text, "working");
            }
        } else {
            ASSERT_EQ(event["event"].text, "dock_finished") << line;
            finished[event["bay"].integer()] = event;
        }
    }
    EXPECT_TRUE(offloading) << result.out;
    ASSERT_EQ(finished.size(), 2u) << result.out;
    EXPECT_EQ(finished[1]["serial"].text, "CAM-1");
    EXPECT_EQ(finished[1]["outcome"].text, "ready for duty");
    EXPECT_EQ(finished[1]["light"].text, "ready");
    EXPECT_EQ(finished[1]["archived"].integer(), 4);
    EXPECT_EQ(finished[1]["wiped"].integer(), 4);
    EXPECT_EQ(finished[1]["left"].integer(), 0);
    EXPECT_EQ(finished[2]["serial"].text, "CAM-2");
    EXPECT_TRUE(finished[2]["outcome"].text.starts_with("needs custodian: unregistered device"))
        << finished[2]["outcome"].text;
}

TEST_F(CradlectlOverBus, StatusShowsEveryBayAsTheDaemonHasIt) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result json = cradlectl({"status", "--json"});
    ASSERT_EQ(json.exit_status, 0) << json.err;
    const Json status = JsonReader::parse(json.out);
    EXPECT_FALSE(status["version"].text.empty());
    EXPECT_EQ(fs::path(status["state_dir"].text), state_dir());
    EXPECT_EQ(status["clock_synchronised"].kind, Json::Kind::boolean);
    EXPECT_EQ(status["bay_count"].integer(), 2);
    ASSERT_EQ(status["bays"].items.size(), 2u);
    const Json& bay1 = status["bays"][0];
    EXPECT_EQ(bay1["bay"].integer(), 1);
    EXPECT_EQ(bay1["phase"].text, "done");
    EXPECT_EQ(bay1["light"].text, "ready");
    EXPECT_EQ(bay1["serial"].text, "CAM-1");
    EXPECT_EQ(bay1["outcome"].text, "ready for duty");
    EXPECT_EQ(bay1["recordings_done"].integer(), 4);
    EXPECT_EQ(bay1["recordings_total"].integer(), 4);
    EXPECT_EQ(bay1["bytes_done"].integer(), static_cast<std::int64_t>(kCam1Bytes));
    EXPECT_EQ(bay1["bytes_total"].integer(), static_cast<std::int64_t>(kCam1Bytes));
    EXPECT_FALSE(bay1["docked_since"].is_null());
    EXPECT_EQ(bay1["rate_bytes_per_s"].kind, Json::Kind::number);
    const Json& bay2 = status["bays"][1];
    EXPECT_EQ(bay2["light"].text, "needs custodian");
    EXPECT_EQ(bay2["serial"].text, "CAM-2");

    const Result text = cradlectl({"status"});
    ASSERT_EQ(text.exit_status, 0) << text.err;
    EXPECT_NE(text.out.find("state directory  " + state_dir().string()), std::string::npos)
        << text.out;
    EXPECT_NE(line_with(lines_of(text.out), "bay 1  done").find("CAM-1"), std::string::npos)
        << text.out;
}

TEST_F(CradlectlOverBus, DevicesAgreeWithTheCatalog) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result bus = cradlectl({"devices", "--json"});
    ASSERT_EQ(bus.exit_status, 0) << bus.err;
    const Json devices = JsonReader::parse(bus.out);
    ASSERT_EQ(devices.items.size(), 2u) << bus.out;
    EXPECT_EQ(devices[0]["serial"].text, "CAM-1");
    EXPECT_TRUE(devices[0]["registered"].flag);
    EXPECT_EQ(devices[0]["custodian"].text, "Custodian A");
    EXPECT_EQ(devices[0]["officer"].text, "Officer B");
    EXPECT_EQ(devices[0]["head"].text, "Head C");
    EXPECT_FALSE(devices[0]["last_seen"].is_null());
    EXPECT_EQ(devices[1]["serial"].text, "CAM-2");
    EXPECT_FALSE(devices[1]["registered"].flag);
    EXPECT_TRUE(devices[1]["custodian"].is_null());
    // The same view as reading the state directory directly.
    const Result direct = offline({"devices", "--json"});
    ASSERT_EQ(direct.exit_status, 0) << direct.err;
    EXPECT_EQ(bus.out, direct.out);

    const Result one = cradlectl({"device", "CAM-1", "--json"});
    ASSERT_EQ(one.exit_status, 0) << one.err;
    const Json device = JsonReader::parse(one.out);
    EXPECT_EQ(device["serial"].text, "CAM-1");
    EXPECT_EQ(device["officer"].text, "Officer B");
    EXPECT_EQ(device["last_outcome"].text, "ready for duty");

    const Result table = cradlectl({"devices"});
    ASSERT_EQ(table.exit_status, 0) << table.err;
    EXPECT_TRUE(table.out.starts_with("SERIAL")) << table.out;
    EXPECT_NE(line_with(lines_of(table.out), "CAM-1").find("Officer B"), std::string::npos);
}

TEST_F(CradlectlOverBus, RecordingsAreFilteredBySerialTimeAndLimit) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result all = cradlectl({"recordings", "--json"});
    ASSERT_EQ(all.exit_status, 0) << all.err;
    const Json recordings = JsonReader::parse(all.out);
    ASSERT_EQ(recordings.items.size(), 6u) << all.out;
    std::set<std::int64_t> ids;
    for (const Json& recording : recordings.items) {
        ids.insert(recording["id"].integer());
        EXPECT_EQ(recording["state"].text, "wiped");
        EXPECT_EQ(recording["sha256"].text.size(), 64u);
        EXPECT_FALSE(recording["archive_path"].is_null());
        EXPECT_FALSE(recording["archived"].is_null());
        EXPECT_FALSE(recording["wiped"].is_null());
    }
    // The same recordings as the catalog holds.
    const Json direct = JsonReader::parse(offline({"recordings", "--json"}).out);
    std::set<std::int64_t> direct_ids;
    for (const Json& recording : direct.items) direct_ids.insert(recording["id"].integer());
    EXPECT_EQ(ids, direct_ids);

    const Json mine =
        JsonReader::parse(cradlectl({"recordings", "--serial", "CAM-1", "--json"}).out);
    ASSERT_EQ(mine.items.size(), 4u);
    std::vector<std::string> captured;
    for (const Json& recording : mine.items) {
        EXPECT_EQ(recording["device_serial"].text, "CAM-1");
        captured.push_back(recording["captured"].text);
    }
    std::sort(captured.begin(), captured.end());

    const Json newest = JsonReader::parse(
        cradlectl({"recordings", "--serial", "CAM-1", "--limit", "2", "--json"}).out);
    ASSERT_EQ(newest.items.size(), 2u);
    for (const Json& recording : newest.items) {
        EXPECT_GE(recording["captured"].text, captured[2]) << "the newest are kept";
    }

    const Result window =
        cradlectl({"recordings", "--from", captured[1], "--to", captured[1], "--json"});
    ASSERT_EQ(window.exit_status, 0) << window.err;
    const Json in_window = JsonReader::parse(window.out);
    ASSERT_GE(in_window.items.size(), 1u);
    for (const Json& recording : in_window.items) {
        EXPECT_EQ(recording["captured"].text, captured[1]);
    }

    const Result bad_date = cradlectl({"recordings", "--from", "yesterday"});
    EXPECT_EQ(bad_date.exit_status, 2);
    EXPECT_NE(bad_date.err.find("--from yesterday: not a date"), std::string::npos) << bad_date.err;
}

TEST_F(CradlectlOverBus, VerifyReportsTheArchiveAndFindsAChangedFile) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result clean = cradlectl({"verify", "--json"});
    ASSERT_EQ(clean.exit_status, 0) << clean.out << clean.err;
    const Json report = JsonReader::parse(clean.out);
    EXPECT_TRUE(report["ok"].flag);
    EXPECT_EQ(report["files_checked"].integer(), 6);
    EXPECT_TRUE(report["problems"].items.empty());
    EXPECT_NE(cradlectl({"verify"}).out.find("verify: ok (6 archive files checked)"),
              std::string::npos);

    const Json listed = JsonReader::parse(cradlectl({"recordings", "--json"}).out);
    const fs::path file = state_dir() / "archive" / listed[0]["archive_path"].text;
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    {
        std::fstream changed(file, std::ios::in | std::ios::out | std::ios::binary);
        changed.seekp(100);
        changed.put('X');
    }
    const Result broken = cradlectl({"verify", "--json"});
    EXPECT_EQ(broken.exit_status, 1) << broken.out << broken.err;
    const Json problems = JsonReader::parse(broken.out);
    EXPECT_FALSE(problems["ok"].flag);
    ASSERT_FALSE(problems["problems"].items.empty());
    EXPECT_NE(broken.out.find(listed[0]["archive_path"].text), std::string::npos) << broken.out;
}

TEST_F(CradlectlOverBus, RegisterAndAssignChangeTheRegister) {
    if (::geteuid() != 0) GTEST_SKIP() << "changes need root or the custodian group";
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result registered = cradlectl({"register", "NEW-9", "--custodian", "Custodian X",
                                         "--officer", "pool", "--head", "Head Z"});
    ASSERT_EQ(registered.exit_status, 0) << registered.err;
    Json device = JsonReader::parse(cradlectl({"device", "NEW-9", "--json"}).out);
    EXPECT_TRUE(device["registered"].flag);
    EXPECT_EQ(device["custodian"].text, "Custodian X");
    EXPECT_EQ(device["officer"].text, "pool");
    EXPECT_EQ(device["head"].text, "Head Z");
    EXPECT_TRUE(device["last_seen"].is_null()) << "never docked";

    const Result assigned = cradlectl({"assign", "NEW-9", "Officer Q"});
    ASSERT_EQ(assigned.exit_status, 0) << assigned.err;
    EXPECT_EQ(assigned.out, "assigned NEW-9 to Officer Q\n");
    device = JsonReader::parse(cradlectl({"device", "NEW-9", "--json"}).out);
    EXPECT_EQ(device["officer"].text, "Officer Q");
    EXPECT_EQ(device["custodian"].text, "Custodian X");

    // A camera seen but not registered cannot be assigned before it is registered.
    const Result unregistered = cradlectl({"assign", "CAM-2", "Officer Q"});
    EXPECT_EQ(unregistered.exit_status, 2) << unregistered.err;
    // Registering it makes the register whole.
    EXPECT_EQ(cradlectl({"register", "CAM-2", "--custodian", "C", "--officer", "O", "--head", "H"})
                  .exit_status,
              0);
    EXPECT_TRUE(JsonReader::parse(cradlectl({"device", "CAM-2", "--json"}).out)["registered"].flag);
}

TEST_F(CradlectlOverBus, ImportExportRetireAndHistoryKeepTheRegister) {
    if (::geteuid() != 0) GTEST_SKIP() << "changes need root or the custodian group";
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const fs::path import_file = dir_.path() / "devices.csv";
    std::ofstream(import_file, std::ios::binary)
        << "serial,custodian,officer,head\r\n"
           "CAM-2,张伟,\"李娜, 二组\",王队长\r\n"
           "NEW-1,\"Custodian \"\"Q\"\"\",pool,\"Head, North\"\r\n"
           "CAM-1,Custodian A,Officer B,Head C\r\n";
    const Result imported = cradlectl({"import", "devices", import_file.string()});
    ASSERT_EQ(imported.exit_status, 0) << imported.err;
    EXPECT_EQ(imported.out, "import: 2 devices registered or changed, 1 unchanged\n");
    Json cam2 = JsonReader::parse(cradlectl({"device", "CAM-2", "--json"}).out);
    EXPECT_TRUE(cam2["registered"].flag);
    EXPECT_EQ(cam2["custodian"].text, "张伟");
    EXPECT_EQ(cam2["officer"].text, "李娜, 二组");
    EXPECT_EQ(cam2["head"].text, "王队长");
    Json new1 = JsonReader::parse(cradlectl({"device", "NEW-1", "--json"}).out);
    EXPECT_EQ(new1["custodian"].text, "Custodian \"Q\"");
    EXPECT_EQ(new1["head"].text, "Head, North");

    // A file with a bad line changes nothing, not even its good lines.
    const fs::path bad_file = dir_.path() / "bad.csv";
    std::ofstream(bad_file, std::ios::binary) << "serial,custodian,officer,head\n"
                                                 "NEW-2,C,O,H\n"
                                                 "NEW-3,C,O\n"
                                                 "CAM-2,,O,H\n";
    const Result refused = cradlectl({"import", "devices", bad_file.string()});
    EXPECT_EQ(refused.exit_status, 2);
    EXPECT_NE(refused.err.find("line 3: 3 fields"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("line 4: custodian is empty"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("nothing applied"), std::string::npos) << refused.err;
    EXPECT_EQ(cradlectl({"device", "NEW-2"}).exit_status, 5);
    EXPECT_EQ(JsonReader::parse(cradlectl({"device", "CAM-2", "--json"}).out)["custodian"].text,
              "张伟");

    // Retire: a reason is required; the entry stays.
    EXPECT_EQ(cradlectl({"retire", "NEW-1"}).exit_status, 2);
    const Result retired = cradlectl({"retire", "NEW-1", "--reason", "丢失 (lost)"});
    ASSERT_EQ(retired.exit_status, 0) << retired.err;
    EXPECT_EQ(cradlectl({"retire", "NOPE-1", "--reason", "x"}).exit_status, 5);
    Json retired_device = JsonReader::parse(cradlectl({"device", "NEW-1", "--json"}).out);
    EXPECT_TRUE(retired_device["retired"].flag);
    EXPECT_EQ(retired_device["custodian"].text, "Custodian \"Q\"") << "the entry stays";
    EXPECT_FALSE(JsonReader::parse(cradlectl({"device", "CAM-2", "--json"}).out)["retired"].flag);
    const Result devices = cradlectl({"devices", "--json"});
    EXPECT_EQ(offline({"devices", "--json"}).out, devices.out);
    EXPECT_NE(cradlectl({"devices"}).out.find("retired"), std::string::npos);

    // The history over the bus and offline agree, entry by entry.
    const Result history = cradlectl({"history", "NEW-1", "--json"});
    ASSERT_EQ(history.exit_status, 0) << history.err;
    Json entries = JsonReader::parse(history.out);
    ASSERT_EQ(entries.items.size(), 2u) << history.out;
    EXPECT_EQ(entries[0]["action"].text, "registered");
    EXPECT_EQ(entries[1]["action"].text, "retired");
    EXPECT_EQ(entries[1]["reason"].text, "丢失 (lost)");
    EXPECT_EQ(entries[1]["changed_by"].text.rfind("uid 0", 0), 0u) << history.out;
    EXPECT_EQ(offline({"history", "NEW-1", "--json"}).out, history.out);
    Json cam2_history = JsonReader::parse(cradlectl({"history", "CAM-2", "--json"}).out);
    ASSERT_EQ(cam2_history.items.size(), 1u);
    EXPECT_EQ(cam2_history[0]["previous_custodian"].text, "");
    const Result text_history = cradlectl({"history"});
    EXPECT_NE(text_history.out.find("retired"), std::string::npos) << text_history.out;
    EXPECT_NE(text_history.out.find("configuration"), std::string::npos) << text_history.out;
    EXPECT_EQ(
        JsonReader::parse(
            cradlectl({"history", "--from", "2000-01-01", "--to", "2000-01-02", "--json"}).out)
            .items.size(),
        0u);

    // Export over the bus and offline write the same file; importing it back changes nothing.
    const fs::path exported = dir_.path() / "export.csv";
    const Result export_run = cradlectl({"export", "devices", "-o", exported.string()});
    ASSERT_EQ(export_run.exit_status, 0) << export_run.err;
    const std::string csv = read_file(exported);
    EXPECT_EQ(csv.rfind("serial,custodian,officer,head,model,firmware,registered,retired,"
                        "retired_at,last_seen\r\n",
                        0),
              0u)
        << csv;
    EXPECT_NE(csv.find("CAM-2,张伟,\"李娜, 二组\",王队长,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("NEW-1,\"Custodian \"\"Q\"\"\",pool,\"Head, North\",,,yes,yes,"),
              std::string::npos)
        << csv;
    EXPECT_EQ(offline({"export", "devices"}).out, csv);
    const Result reimported = cradlectl({"import", "devices", exported.string()});
    ASSERT_EQ(reimported.exit_status, 0) << reimported.err;
    EXPECT_EQ(reimported.out, "import: 0 devices registered or changed, 3 unchanged\n");
    EXPECT_EQ(JsonReader::parse(cradlectl({"history", "--json"}).out).items.size(), 4u)
        << "CAM-1 from the configuration, CAM-2, NEW-1 registered and retired";

    // Changes need the daemon.
    EXPECT_EQ(offline({"retire", "NEW-1", "--reason", "x"}).exit_status, 2);
    EXPECT_EQ(offline({"import", "devices", exported.string()}).exit_status, 2);
    EXPECT_EQ(cradlectl({"import", "officers", exported.string()}).exit_status, 2);
}

TEST_F(CradlectlOverBus, ExitStatusThreeWhenCradledIsNotRunning) {
    // The bus is there, the daemon is not.
    const Result status = cradlectl({"status"});
    EXPECT_EQ(status.exit_status, 3);
    EXPECT_NE(status.err.find("cradled is not running on the bus"), std::string::npos)
        << status.err;
    EXPECT_EQ(cradlectl({"devices", "--json"}).exit_status, 3);
    EXPECT_EQ(cradlectl({"status", "--watch"}).exit_status, 3);
    EXPECT_EQ(cradlectl({"verify"}).exit_status, 3);

    // The system bus, named by DBUS_SYSTEM_BUS_ADDRESS as every client reads it.
    auto options = cradlectl_options({"status"}, "system", false);
    options.environment.push_back("DBUS_SYSTEM_BUS_ADDRESS=" + bus_.address());
    const Result system = run(options);
    EXPECT_EQ(system.exit_status, 3);
    EXPECT_NE(system.err.find("cradled is not running on the system bus: is the service started? "
                              "systemctl status cradled"),
              std::string::npos)
        << system.err;

    // No bus at all.
    auto nowhere = cradlectl_options(
        {"--bus", "unix:path=" + (dir_.path() / "no-such-socket").string(), "status"}, "nowhere",
        false);
    const Result unreachable = run(nowhere);
    EXPECT_EQ(unreachable.exit_status, 3);
    EXPECT_NE(unreachable.err.find("cannot connect to the bus"), std::string::npos)
        << unreachable.err;
}

TEST_F(CradlectlOverBus, ExitStatusFourForACallerOutsideTheCustodianGroup) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a child as another uid";
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    auto options = cradlectl_options(
        {"register", "NEW-1", "--custodian", "C", "--officer", "O", "--head", "H"}, "denied");
    options.uid = kNobody;
    const Result denied = run(options);
    EXPECT_EQ(denied.exit_status, 4) << denied.out << denied.err;
    EXPECT_NE(denied.err.find("permission denied"), std::string::npos) << denied.err;
    EXPECT_NE(denied.err.find("cradle-custodian"), std::string::npos) << denied.err;

    auto assign = cradlectl_options({"assign", "CAM-1", "Officer Z"}, "denied-assign");
    assign.uid = kNobody;
    EXPECT_EQ(run(assign).exit_status, 4);

    // Reading stays open to everyone.
    auto reading = cradlectl_options({"status", "--json"}, "reader");
    reading.uid = kNobody;
    const Result read = run(reading);
    EXPECT_EQ(read.exit_status, 0) << read.err;
    // And the register did not change.
    EXPECT_EQ(cradlectl({"device", "NEW-1"}).exit_status, 5);
    EXPECT_EQ(JsonReader::parse(cradlectl({"device", "CAM-1", "--json"}).out)["officer"].text,
              "Officer B");
}

TEST_F(CradlectlOverBus, ExitStatusFiveForAnUnknownDevice) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result device = cradlectl({"device", "NOPE-1"});
    EXPECT_EQ(device.exit_status, 5);
    EXPECT_NE(device.err.find("NOPE-1"), std::string::npos) << device.err;
    EXPECT_EQ(cradlectl({"recordings", "--serial", "NOPE-1"}).exit_status, 5);
    if (::geteuid() == 0) {
        EXPECT_EQ(cradlectl({"assign", "NOPE-1", "Officer Q"}).exit_status, 5);
    }
    // Offline, the same.
    EXPECT_EQ(offline({"device", "NOPE-1"}).exit_status, 5);
    EXPECT_EQ(offline({"recordings", "--serial", "NOPE-1"}).exit_status, 5);
}

TEST_F(CradlectlOverBus, WatchEndsWhenCradledLeavesTheBus) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    auto options = cradlectl_options({"status", "--watch"}, "watch");
    options.out_file.clear();  // a pipe: its first line says the watch is following the bays
    Child watch(options);
    ASSERT_TRUE(watch.read_line().starts_with("bay 1  done"));
    daemon_->signal(SIGTERM);
    EXPECT_EQ(daemon_->wait(), 0);
    daemon_.reset();
    EXPECT_EQ(watch.wait(), 3);
    EXPECT_NE(read_file(options.err_file).find("cradled left the bus"), std::string::npos)
        << read_file(options.err_file);
}

TEST_F(CradlectlOverBus, WatchEndsOnInterrupt) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    auto options = cradlectl_options({"status", "--watch"}, "watch");
    options.out_file.clear();
    Child watch(options);
    ASSERT_TRUE(watch.read_line().starts_with("bay 1  done"));
    watch.signal(SIGINT);
    EXPECT_EQ(watch.wait(), 0);
}

TEST_F(CradlectlOverBus, UsageErrorsExitTwo) {
    EXPECT_EQ(cradlectl({"frobnicate"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"device"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"register", "X", "--custodian", "C"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"devices", "--watch"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"status", "--until-idle"}).exit_status, 2);
    EXPECT_EQ(cradlectl({"recordings", "--limit", "0"}).exit_status, 2);
    const Result offline_change = offline({"assign", "X", "Y"});
    EXPECT_EQ(offline_change.exit_status, 2);
    EXPECT_NE(offline_change.err.find("only the running daemon"), std::string::npos);
}

}  // namespace
}  // namespace cradle::test
