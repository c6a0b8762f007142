// SPDX-License-Identifier: Apache-2.0
#include "service/dbus/caller_guard.hpp"

#include <algorithm>

namespace cradle::dbus {

CallerGuard::Decision CallerGuard::on_call(const std::string& name, Clock::time_point now) {
    Decision decision;
    auto found = connections_.find(name);
    if (found == connections_.end()) {
        if (connections_.size() >= kMaxConnections) return decision;
        found = connections_.emplace(name, Connection{}).first;
        found->second.measured_at = now;
    }
    Connection& connection = found->second;
    if (!connection.uid && !connection.identifying) {
        decision.identify = connection.identifying = true;
    }
    if (connection.starved) {
        decision.verdict = Verdict::starve;
        if (!connection.measuring && now - connection.measured_at >= kMeasureStarvedEvery) {
            decision.measure = connection.measuring = true;
        }
        return decision;
    }
    if (connection.uid && *connection.uid != 0 &&
        !take_token(*connection.uid, connection.privileged, now)) {
        // Told once a second to try again later; a caller that calls on regardless is not
        // answered, so that a flood costs the service no reply and its sender waits.
        if (connection.refused_at && now - *connection.refused_at < kRefuseEvery) {
            decision.verdict = Verdict::starve;
            return decision;
        }
        connection.refused_at = now;
        decision.verdict = Verdict::too_many;
    }
    // What it may have left unread is over the limits (by what was sent since the last
    // measure): this call is answered and a measure asked for; while that measure is under
    // way its other calls are dropped. A client that reads its replies before it calls again
    // (cradlectl) has its queue measured empty before its next call arrives, since the bus
    // daemon answers the measure before it passes on this call's reply; a flood does not wait
    // for the round trip.
    if (over_limits(connection)) {
        if (connection.measuring) {
            decision.verdict = Verdict::starve;
            return decision;
        }
        decision.measure = connection.measuring = true;
    }
    // Its answer, an error or a reply, waits in its queue until it reads it.
    connection.queued_bytes += kBytesPerCall;
    connection.largest_reply_bytes = std::max(connection.largest_reply_bytes, kBytesPerCall);
    if (!connection.measuring && connection.queued_bytes >= connection.measure_at_bytes) {
        decision.measure = connection.measuring = true;
    }
    return decision;
}

void CallerGuard::sent(const std::string& name, std::uint64_t bytes) {
    auto found = connections_.find(name);
    if (found == connections_.end()) return;
    Connection& connection = found->second;
    connection.queued_bytes += bytes;
    connection.largest_reply_bytes =
        std::max(connection.largest_reply_bytes, bytes + kBytesPerCall);
}

void CallerGuard::identified(const std::string& name, uid_t uid, bool privileged) {
    auto found = connections_.find(name);
    if (found == connections_.end()) return;
    found->second.uid = uid;
    found->second.privileged = privileged;
    found->second.identifying = false;
}

void CallerGuard::not_identified(const std::string& name) {
    auto found = connections_.find(name);
    if (found != connections_.end()) found->second.identifying = false;
}

CallerGuard::Change CallerGuard::measured(const std::string& name, std::uint64_t queued_bytes,
                                          Clock::time_point now) {
    auto found = connections_.find(name);
    if (found == connections_.end()) return Change::none;
    Connection& connection = found->second;
    connection.measuring = false;
    connection.measured_at = now;
    connection.queued_bytes = queued_bytes;
    connection.measure_at_bytes = queued_bytes + kMeasureEveryBytes;
    const bool was_starved = connection.starved;
    if (was_starved) {
        connection.starved =
            unread_beyond_a_reply(connection) >= kResumeBelowBytes || over_limits(connection);
    } else {
        connection.starved = over_limits(connection);
    }
    // The next measure allows only for the replies sent after this one.
    connection.largest_reply_bytes = 0;
    if (connection.starved == was_starved) return Change::none;
    return connection.starved ? Change::starved : Change::resumed;
}

void CallerGuard::not_measured(const std::string& name) {
    auto found = connections_.find(name);
    if (found != connections_.end()) found->second.measuring = false;
}

void CallerGuard::left(const std::string& name) {
    auto found = connections_.find(name);
    if (found == connections_.end()) return;
    const std::optional<uid_t> uid = found->second.uid;
    connections_.erase(found);
    if (!uid) return;
    const bool more = std::any_of(connections_.begin(), connections_.end(),
                                  [&](const auto& entry) { return entry.second.uid == uid; });
    if (!more) buckets_.erase(*uid);
}

bool CallerGuard::starved(const std::string& name) const {
    auto found = connections_.find(name);
    return found != connections_.end() && found->second.starved;
}

std::optional<uid_t> CallerGuard::uid_of(const std::string& name) const {
    auto found = connections_.find(name);
    if (found == connections_.end()) return std::nullopt;
    return found->second.uid;
}

std::uint64_t CallerGuard::unread_beyond_a_reply(const Connection& connection) {
    return connection.queued_bytes -
           std::min(connection.queued_bytes, connection.largest_reply_bytes);
}

std::uint64_t CallerGuard::unread_beyond_a_reply_of(uid_t uid) const {
    std::uint64_t bytes = 0;
    for (const auto& [name, connection] : connections_) {
        if (connection.uid == uid) bytes += unread_beyond_a_reply(connection);
    }
    return bytes;
}

bool CallerGuard::over_limits(const Connection& connection) const {
    // One reply may lie unread while a client reads it, however large (a list, a report's
    // facts); more than that is not read.
    const std::uint64_t unread = unread_beyond_a_reply(connection);
    if (unread > kMostQueuedBytes) return true;
    // One user's connections together; only those that hold a share of it are starved.
    return connection.uid && unread >= kResumeBelowBytes &&
           unread_beyond_a_reply_of(*connection.uid) > kMostQueuedBytesPerUser;
}

bool CallerGuard::take_token(uid_t uid, bool privileged, Clock::time_point now) {
    const double factor = privileged ? kPrivilegedFactor : 1;
    auto [found, added] = buckets_.try_emplace(uid, Bucket{kBurst * factor, now});
    Bucket& bucket = found->second;
    const std::chrono::duration<double> elapsed = now - bucket.filled;
    bucket.tokens =
        std::min(kBurst * factor, bucket.tokens + elapsed.count() * kCallsPerSecond * factor);
    bucket.filled = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
}

}  // namespace cradle::dbus
