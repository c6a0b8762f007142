// SPDX-License-Identifier: Apache-2.0
// What each bay is doing right now, for the front-ends (D-Bus, cradlectl status --watch): the
// phase of its dock, its light, the camera in it, and the offload's live progress with rate and
// ETA. Owned by the service; every member function runs on the event loop, except the progress
// counters, which the copy adds to from worker threads.
#pragma once

#include "hw/cradle.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace cradle {

enum class BayPhase {
    empty,           // no camera
    identifying,     // reading the camera's identity
    checking,        // health check (battery, faults, storage)
    clock,           // measuring and setting the camera's clock
    offloading,      // copying and verifying recordings
    wiping,          // deleting archived recordings from the camera
    finishing,       // final health check and the dock's outcome
    done,            // the dock ended; the outcome and the light stay until the camera leaves
    power_cycling,   // the camera stopped answering and its port is being switched off and on
    waiting_remote,  // archived; the wipe waits for the central archive (wipe_after = "remote")
};

// "empty", "identifying", "checking", "clock", "offloading", "wiping", "finishing", "done",
// "power-cycling", "waiting-remote": the names the D-Bus API and cradlectl use.
const char* to_string(BayPhase phase) noexcept;

struct BayStatus {
    int bay = 0;
    BayPhase phase = BayPhase::empty;
    hw::BayLight light = hw::BayLight::off;
    std::string serial;  // of the docked camera once identified (sanitised), else empty
    std::string model;
    std::string outcome;            // of the dock, once done ("ready for duty", ...)
    std::int64_t docked_since = 0;  // Unix seconds; 0 when empty

    // The offload of the current dock: what there is to copy, and how far it got.
    std::uint32_t recordings_total = 0;
    std::uint32_t recordings_done = 0;
    std::uint64_t bytes_total = 0;
    std::uint64_t bytes_done = 0;
    double rate_bytes_per_s = 0;  // over the last few seconds; 0 when not copying
    std::int64_t eta_s = -1;      // seconds to the end of the offload; -1 when unknown
};

class StatusBoard {
  public:
    // Called on the event loop after each change of one bay (phases at once, progress at most
    // once per sample()).
    using Listener = std::function<void(const BayStatus&)>;

    explicit StatusBoard(int bay_count);
    StatusBoard(const StatusBoard&) = delete;
    StatusBoard& operator=(const StatusBoard&) = delete;

    int bay_count() const { return static_cast<int>(bays_.size()); }
    // Bays are 1-based; an out-of-range bay throws std::out_of_range.
    BayStatus get(int bay) const;
    std::vector<BayStatus> all() const;
    void subscribe(Listener listener);

    // A camera arrived (phase identifying) or left (phase empty, everything cleared).
    void docked(int bay, std::int64_t now_unix_s);
    void undocked(int bay);
    void set_phase(int bay, BayPhase phase);
    void set_light(int bay, hw::BayLight light);
    void set_device(int bay, const std::string& serial, const std::string& model);
    // The offload found this much to copy (recordings not archived yet).
    void offload_planned(int bay, std::uint32_t recordings, std::uint64_t bytes);
    // One recording finished (copied and verified, or given up on): its bytes count as done.
    void recording_finished(int bay, std::uint64_t bytes);
    // The dock ended with this outcome (phase done).
    void finished(int bay, const std::string& outcome);

    // The counter a copy adds its bytes to while it runs (CopyOptions::progress). Reset it to 0
    // before each copy attempt; recording_finished() counts the finished recording instead.
    std::atomic<std::uint64_t>& copy_counter(int bay);

    // Called about once a second from the loop: updates each copying bay's bytes, rate and
    // ETA, and notifies the listeners of the bays whose progress moved.
    void sample(std::chrono::steady_clock::time_point now);

  private:
    struct Sample {
        std::chrono::steady_clock::time_point at;
        std::uint64_t bytes = 0;
    };
    struct Bay {
        BayStatus status;
        std::uint64_t finished_bytes = 0;  // of the recordings finished in this offload
        std::atomic<std::uint64_t> copying{0};
        std::deque<Sample> samples;  // the last few seconds, for the rate
    };
    Bay& at(int bay);
    const Bay& at(int bay) const;
    void notify(const Bay& bay);
    void reset(Bay& bay, BayPhase phase, std::int64_t docked_since);

    std::deque<Bay> bays_;  // a deque: the atomics never move
    std::vector<Listener> listeners_;
};

}  // namespace cradle
