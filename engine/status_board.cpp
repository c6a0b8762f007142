// SPDX-License-Identifier: Apache-2.0
#include "engine/status_board.hpp"

#include <stdexcept>

namespace cradle {
namespace {

// The rate is taken over this window: long enough to smooth the chunk-sized steps of a copy,
// short enough to follow a link that slows down.
constexpr auto kRateWindow = std::chrono::seconds(5);

}  // namespace

const char* to_string(BayPhase phase) noexcept {
    switch (phase) {
        case BayPhase::empty:
            return "empty";
        case BayPhase::identifying:
            return "identifying";
        case BayPhase::checking:
            return "checking";
        case BayPhase::clock:
            return "clock";
        case BayPhase::offloading:
            return "offloading";
        case BayPhase::wiping:
            return "wiping";
        case BayPhase::finishing:
            return "finishing";
        case BayPhase::done:
            return "done";
        case BayPhase::power_cycling:
            return "power-cycling";
        case BayPhase::waiting_remote:
            return "waiting-remote";
    }
    return "unknown";
}

StatusBoard::StatusBoard(int bay_count) {
    for (int i = 1; i <= bay_count; ++i) bays_.emplace_back().status.bay = i;
}

StatusBoard::Bay& StatusBoard::at(int bay) {
    if (bay < 1 || bay > bay_count()) {
        throw std::out_of_range("no bay " + std::to_string(bay) + " (the cradle has " +
                                std::to_string(bay_count()) + ")");
    }
    return bays_[static_cast<std::size_t>(bay - 1)];
}

const StatusBoard::Bay& StatusBoard::at(int bay) const {
    return const_cast<StatusBoard*>(this)->at(bay);
}

BayStatus StatusBoard::get(int bay) const {
    return at(bay).status;
}

std::vector<BayStatus> StatusBoard::all() const {
    std::vector<BayStatus> result;
    result.reserve(bays_.size());
    for (const auto& bay : bays_) result.push_back(bay.status);
    return result;
}

void StatusBoard::subscribe(Listener listener) {
    listeners_.push_back(std::move(listener));
}

void StatusBoard::notify(const Bay& bay) {
    for (const auto& listener : listeners_) listener(bay.status);
}

// A new dock, or none: everything but the bay's number and its light starts afresh.
void StatusBoard::reset(Bay& bay, BayPhase phase, std::int64_t docked_since) {
    BayStatus fresh;
    fresh.bay = bay.status.bay;
    fresh.light = bay.status.light;
    fresh.phase = phase;
    fresh.docked_since = docked_since;
    bay.status = std::move(fresh);
    bay.finished_bytes = 0;
    bay.copying = 0;
    bay.samples.clear();
    notify(bay);
}

void StatusBoard::docked(int bay_number, std::int64_t now_unix_s) {
    reset(at(bay_number), BayPhase::identifying, now_unix_s);
}

void StatusBoard::undocked(int bay_number) {
    reset(at(bay_number), BayPhase::empty, 0);
}

void StatusBoard::set_phase(int bay_number, BayPhase phase) {
    Bay& bay = at(bay_number);
    if (bay.status.phase == phase) return;
    bay.status.phase = phase;
    if (phase != BayPhase::offloading) {
        bay.status.rate_bytes_per_s = 0;
        bay.status.eta_s = bay.status.bytes_done >= bay.status.bytes_total ? 0 : -1;
        bay.samples.clear();
    }
    notify(bay);
}

void StatusBoard::set_light(int bay_number, hw::BayLight light) {
    Bay& bay = at(bay_number);
    if (bay.status.light == light) return;
    bay.status.light = light;
    notify(bay);
}

void StatusBoard::set_device(int bay_number, const std::string& serial, const std::string& model) {
    Bay& bay = at(bay_number);
    bay.status.serial = serial;
    bay.status.model = model;
    notify(bay);
}

void StatusBoard::offload_planned(int bay_number, std::uint32_t recordings, std::uint64_t bytes) {
    Bay& bay = at(bay_number);
    bay.status.recordings_total = recordings;
    bay.status.recordings_done = 0;
    bay.status.bytes_total = bytes;
    bay.status.bytes_done = 0;
    bay.finished_bytes = 0;
    bay.copying = 0;
    bay.samples.clear();
    notify(bay);
}

void StatusBoard::recording_finished(int bay_number, std::uint64_t bytes) {
    Bay& bay = at(bay_number);
    bay.finished_bytes += bytes;
    bay.copying = 0;
    ++bay.status.recordings_done;
    bay.status.bytes_done = std::min(bay.finished_bytes, bay.status.bytes_total);
    notify(bay);
}

void StatusBoard::finished(int bay_number, const std::string& outcome) {
    Bay& bay = at(bay_number);
    bay.status.phase = BayPhase::done;
    bay.status.outcome = outcome;
    bay.status.rate_bytes_per_s = 0;
    bay.status.eta_s = -1;
    bay.copying = 0;
    bay.samples.clear();
    notify(bay);
}

std::atomic<std::uint64_t>& StatusBoard::copy_counter(int bay) {
    return at(bay).copying;
}

void StatusBoard::sample(std::chrono::steady_clock::time_point now) {
    for (auto& bay : bays_) {
        if (bay.status.phase != BayPhase::offloading) continue;
        const std::uint64_t done =
            std::min(bay.finished_bytes + bay.copying.load(std::memory_order_relaxed),
                     bay.status.bytes_total);
        bay.samples.push_back(Sample{now, done});
        while (bay.samples.size() > 2 && now - bay.samples.front().at > kRateWindow) {
            bay.samples.pop_front();
        }
        double rate = 0;
        const Sample& first = bay.samples.front();
        const double seconds = std::chrono::duration<double>(now - first.at).count();
        if (seconds > 0 && done >= first.bytes) {
            rate = static_cast<double>(done - first.bytes) / seconds;
        }
        std::int64_t eta = -1;
        if (rate > 0) {
            eta = static_cast<std::int64_t>(
                static_cast<double>(bay.status.bytes_total - done) / rate + 0.5);
        }
        if (done == bay.status.bytes_done && rate == bay.status.rate_bytes_per_s &&
            eta == bay.status.eta_s) {
            continue;
        }
        bay.status.bytes_done = done;
        bay.status.rate_bytes_per_s = rate;
        bay.status.eta_s = eta;
        notify(bay);
    }
}

}  // namespace cradle
