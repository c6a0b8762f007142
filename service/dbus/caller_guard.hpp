// SPDX-License-Identifier: Apache-2.0
// What the server keeps of each connection that calls it, so that no local user can turn the
// API against the others or against the bays:
//
// - A slow reader. The bus daemon keeps every reply a caller has not read yet, and counts those
//   bytes against the connection that sent them: cradled's. A caller that sends calls and never
//   reads the replies would, once that quota is spent (127 MiB on a system bus), stop the bus
//   daemon from reading anything more from cradled, and the API would freeze for everyone.
//   So the server counts what it sends each connection (kBytesPerCall for each call, more for
//   a list or report facts), and each kMeasureEveryBytes asks the bus daemon how many bytes
//   still wait in that connection's queue (Debug.Stats.GetConnectionStats, OutgoingBytes).
//   One reply may lie unread while a client reads it, however large; beyond the largest reply
//   sent since the last measure, more than kMostQueuedBytes unread, or more than
//   kMostQueuedBytesPerUser for all of one user's connections, and the connection is starved:
//   its calls are dropped unanswered (the bus daemon times them out for it) until a later
//   measure, at most one a second, finds it has read all but kResumeBelowBytes. What was sent
//   since the last measure counts as unread until the next: over the limits by that count,
//   a call is answered and a measure asked for, and the connection's calls while that
//   measure is under way are dropped. A client that reads each reply before it calls again
//   is measured before its next call arrives, and never loses one.
// - A caller that calls too often. Each user (not root) has a bucket of calls that refills at
//   a steady rate; a call beyond it is answered LimitsExceeded "try again" at once, at most
//   once a second for each connection: the calls it sends on regardless are dropped
//   unanswered, so that a flood costs the service no replies and its sender waits for its bus
//   to time them out. Custodians and admins (whoever may change the register) have a
//   bucket ten times larger, so that a flood from other users leaves them their share; root is
//   never limited.
//
// The class only decides; dbus_guard.cpp asks the bus daemon and applies the decisions.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace cradle::dbus {

class CallerGuard {
  public:
    using Clock = std::chrono::steady_clock;

    static constexpr std::uint64_t kBytesPerCall = 8u << 10;
    static constexpr std::uint64_t kMeasureEveryBytes = 256u << 10;
    static constexpr std::chrono::seconds kMeasureStarvedEvery{1};
    static constexpr std::uint64_t kMostQueuedBytes = 1u << 20;
    static constexpr std::uint64_t kMostQueuedBytesPerUser = 8u << 20;
    static constexpr std::uint64_t kResumeBelowBytes = 256u << 10;
    // Calls per second and the burst of a user, and of a custodian or admin.
    static constexpr double kCallsPerSecond = 20;
    static constexpr double kBurst = 100;
    static constexpr double kPrivilegedFactor = 10;
    static constexpr std::chrono::seconds kRefuseEvery{1};
    // Connections remembered at most; beyond, a new one is not identified until some leave
    // (its calls pass unlimited by rate, still watched for unread replies).
    static constexpr std::size_t kMaxConnections = 4096;

    enum class Verdict {
        answer,    // dispatch the call
        too_many,  // answer LimitsExceeded at once
        starve,    // drop it unanswered (a slow reader, or a caller over its rate that was
                   // told to try again less than a second ago)
    };
    struct Decision {
        Verdict verdict = Verdict::answer;
        // Ask the bus daemon about the connection: for its uid (identify) and for its queue
        // (measure). At most one of each is asked at a time per connection.
        bool identify = false;
        bool measure = false;
    };

    // A method call from `connection` (a unique bus name) at `now`.
    Decision on_call(const std::string& connection, Clock::time_point now);
    // `bytes` more were sent to `connection` (a list's or report's reply, beyond
    // kBytesPerCall).
    void sent(const std::string& connection, std::uint64_t bytes);
    // The bus daemon said who `connection` is; `privileged`: a custodian or an admin.
    void identified(const std::string& connection, uid_t uid, bool privileged);
    // The bus daemon could not say (the connection left meanwhile, or the bus failed).
    void not_identified(const std::string& connection);

    // What a measure of a connection's queue changed.
    enum class Change { none, starved, resumed };
    // `queued_bytes` wait in the bus daemon's queue to `connection`, at `now`.
    Change measured(const std::string& connection, std::uint64_t queued_bytes,
                    Clock::time_point now);
    // The bus daemon could not say; the next call asks again.
    void not_measured(const std::string& connection);

    // The connection left the bus: forgotten.
    void left(const std::string& connection);

    bool starved(const std::string& connection) const;
    std::optional<uid_t> uid_of(const std::string& connection) const;
    std::size_t connections() const { return connections_.size(); }

  private:
    struct Connection {
        std::optional<uid_t> uid;
        bool privileged = false;
        bool identifying = false;
        bool measuring = false;
        std::uint64_t queued_bytes = 0;         // at the last measure, plus what was sent since
        std::uint64_t largest_reply_bytes = 0;  // of the replies sent since the last measure
        std::uint64_t measure_at_bytes = kMeasureEveryBytes;
        Clock::time_point measured_at;
        bool starved = false;
        std::optional<Clock::time_point> refused_at;  // the last call answered "try again"
    };
    struct Bucket {
        double tokens = kBurst;
        Clock::time_point filled;
    };
    // What may lie unread beyond the largest reply sent since the last measure (which a
    // client may still be reading): of one connection, and of all of one user's.
    static std::uint64_t unread_beyond_a_reply(const Connection& connection);
    std::uint64_t unread_beyond_a_reply_of(uid_t uid) const;
    bool take_token(uid_t uid, bool privileged, Clock::time_point now);
    // Whether `connection` must be starved for what may wait in its queue now.
    bool over_limits(const Connection& connection) const;

    std::map<std::string, Connection> connections_;
    std::map<uid_t, Bucket> buckets_;
};

}  // namespace cradle::dbus
