// SPDX-License-Identifier: Apache-2.0
// The PTP transaction engine against a scripted link: every transfer the camera sends is
// written out here byte by byte, so each test pins one rule of the protocol.
#include "hw/ptp/session.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <optional>

namespace cradle::hw::ptp {
namespace {

using namespace std::chrono_literals;
using Kind = DeviceError::Kind;
using Bytes = std::vector<std::byte>;

Deadline soon() {
    return SteadyClock::now() + 5s;
}

void put16(Bytes& out, std::uint16_t value) {
    out.push_back(static_cast<std::byte>(value));
    out.push_back(static_cast<std::byte>(value >> 8));
}

void put32(Bytes& out, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>(value >> (8 * i)));
}

std::uint32_t get32(const Bytes& in, std::size_t at) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value |= std::to_integer<std::uint32_t>(in[at + i]) << (8 * i);
    return value;
}

Bytes params_container(std::uint16_t type, std::uint16_t code, std::uint32_t transaction_id,
                       std::vector<std::uint32_t> params = {}) {
    Bytes out;
    put32(out, static_cast<std::uint32_t>(12 + 4 * params.size()));
    put16(out, type);
    put16(out, code);
    put32(out, transaction_id);
    for (auto param : params) put32(out, param);
    return out;
}

Bytes response(std::uint16_t code, std::uint32_t transaction_id,
               std::vector<std::uint32_t> params = {}) {
    return params_container(3, code, transaction_id, std::move(params));
}

Bytes data_header(std::uint16_t code, std::uint32_t transaction_id, std::uint32_t length) {
    Bytes out;
    put32(out, length);
    put16(out, 2);
    put16(out, code);
    put32(out, transaction_id);
    return out;
}

Bytes payload_of(std::size_t size, std::uint8_t seed = 1) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::byte>(seed + i * 7);
    return out;
}

Bytes join(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// A link whose bulk-in transfers are written by the test. A transfer left empty (nullopt)
// stalls the endpoint; an exhausted script times out.
class ScriptedTransport final : public PtpTransport {
  public:
    std::deque<std::optional<Bytes>> bulk_in_script;
    std::deque<Bytes> interrupt_script;
    bool endless_events = false;
    std::vector<Bytes> sent;
    std::vector<std::uint32_t> cancelled;
    std::vector<Endpoint> cleared;
    int status_requests = 0;
    std::size_t largest_read = 0;

    void bulk_out(std::span<const std::byte> data, Deadline) override {
        sent.emplace_back(data.begin(), data.end());
    }
    std::size_t bulk_in(std::span<std::byte> buffer, Deadline deadline) override {
        largest_read = std::max(largest_read, buffer.size());
        if (bulk_in_script.empty()) {
            EXPECT_LE(deadline, SteadyClock::now() + 10s);
            throw DeviceError(Kind::timeout, "nothing scripted");
        }
        auto transfer = std::move(bulk_in_script.front());
        bulk_in_script.pop_front();
        if (!transfer) throw EndpointStall(Endpoint::bulk_in);
        EXPECT_LE(transfer->size(), buffer.size()) << "transfer larger than the host's buffer";
        const std::size_t count = std::min(transfer->size(), buffer.size());
        std::copy_n(transfer->begin(), count, buffer.begin());
        return count;
    }
    std::size_t interrupt_in(std::span<std::byte> buffer, Deadline) override {
        if (endless_events) {
            const Bytes event = params_container(4, event::device_prop_changed, kNoTransaction,
                                                 {prop::battery_level});
            std::copy(event.begin(), event.end(), buffer.begin());
            return event.size();
        }
        if (interrupt_script.empty()) return 0;
        const Bytes event = std::move(interrupt_script.front());
        interrupt_script.pop_front();
        std::copy(event.begin(), event.end(), buffer.begin());
        return event.size();
    }
    std::size_t max_packet_size() const override { return 512; }
    void clear_halt(Endpoint endpoint, Deadline) override { cleared.push_back(endpoint); }
    void cancel_transaction(std::uint32_t transaction_id, Deadline) override {
        cancelled.push_back(transaction_id);
        bulk_in_script.clear();
    }
    void reset_device(Deadline) override {}
    std::vector<std::uint16_t> device_status(Deadline) override {
        ++status_requests;
        return {rc::ok};
    }

    std::uint32_t command_transaction_id(std::size_t index) const { return get32(sent[index], 8); }
};

class PtpSessionTest : public ::testing::Test {
  protected:
    // Opens the session; the next transaction is 1.
    void open() {
        link.bulk_in_script.push_back(response(rc::ok, 0));
        session.open(soon());
        link.sent.clear();
    }

    ScriptedTransport link;
    PtpSession session{link};
};

TEST_F(PtpSessionTest, OpenSessionUsesTransactionZeroAndTheNextTransactionIsOne) {
    link.bulk_in_script.push_back(response(rc::ok, 0));
    session.open(soon());
    ASSERT_EQ(link.sent.size(), 1u);
    EXPECT_EQ(get32(link.sent[0], 8), 0u);
    EXPECT_EQ(get32(link.sent[0], 12), 1u) << "session id";
    EXPECT_TRUE(session.is_open());

    link.bulk_in_script.push_back(response(rc::ok, 1));
    session.command(op::close_session, {}, soon());
    EXPECT_EQ(link.command_transaction_id(1), 1u);
}

TEST_F(PtpSessionTest, SessionAlreadyOpenCountsAsOpen) {
    link.bulk_in_script.push_back(response(rc::session_already_open, 0));
    session.open(soon());
    EXPECT_TRUE(session.is_open());
}

TEST_F(PtpSessionTest, TransactionIdsWrapFromFFFFFFFEToOneSkippingZeroAndFFFFFFFF) {
    open();
    session.set_last_transaction_id(0xFFFFFFFD);
    for (std::uint32_t id : {0xFFFFFFFEu, 1u, 2u}) {
        link.bulk_in_script.push_back(response(rc::ok, id));
        session.command(op::get_num_objects, {}, soon());
    }
    EXPECT_EQ(link.command_transaction_id(0), 0xFFFFFFFEu);
    EXPECT_EQ(link.command_transaction_id(1), 1u);
    EXPECT_EQ(link.command_transaction_id(2), 2u);
}

TEST_F(PtpSessionTest, DataOutIsOneContainerAfterTheCommand) {
    open();
    const Bytes value = payload_of(9);
    link.bulk_in_script.push_back(response(rc::ok, 1));
    const std::uint32_t params[] = {prop::date_time};
    session.command(op::set_device_prop_value, params, soon(), value);
    ASSERT_EQ(link.sent.size(), 2u);
    EXPECT_EQ(link.sent[1], join(data_header(op::set_device_prop_value, 1, 21), value));
}

TEST_F(PtpSessionTest, HeaderSplitFromItsDataIsReassembled) {
    open();
    const Bytes payload = payload_of(1000);
    link.bulk_in_script.push_back(data_header(op::get_object_info, 1, 1012));
    link.bulk_in_script.push_back(Bytes(payload.begin(), payload.begin() + 512));
    link.bulk_in_script.push_back(Bytes(payload.begin() + 512, payload.end()));
    link.bulk_in_script.push_back(response(rc::ok, 1));
    EXPECT_EQ(session.command_in(op::get_object_info, {}, 4096, soon()), payload);
}

TEST_F(PtpSessionTest, ZeroLengthPacketAfterAnExactMultipleOfThePacketSizeIsConsumed) {
    open();
    const Bytes payload = payload_of(1024 - 12);
    link.bulk_in_script.push_back(join(data_header(op::get_object_info, 1, 1024), payload));
    link.bulk_in_script.push_back(Bytes{});  // ZLP
    link.bulk_in_script.push_back(response(rc::ok, 1));
    link.bulk_in_script.push_back(response(rc::ok, 2));
    EXPECT_EQ(session.command_in(op::get_object_info, {}, 4096, soon()), payload);
    // The next transaction starts clean.
    session.command(op::get_num_objects, {}, soon());
    EXPECT_TRUE(link.bulk_in_script.empty());
}

TEST_F(PtpSessionTest, UnknownLengthReadsUntilAShortPacket) {
    open();
    std::vector<std::byte> buffer(1024);
    const Bytes whole =
        join(data_header(op::get_partial_object, 1, kUnknownLength), payload_of(1024 + 1024 + 100));
    link.bulk_in_script.push_back(Bytes(whole.begin(), whole.begin() + 1024));
    link.bulk_in_script.push_back(Bytes(whole.begin() + 1024, whole.begin() + 2048));
    link.bulk_in_script.push_back(Bytes(whole.begin() + 2048, whole.end()));
    link.bulk_in_script.push_back(response(rc::ok, 1, {2136}));
    Bytes received;
    const auto answer = session.command_in_streamed(
        op::get_partial_object, {}, 1 << 20, buffer,
        [&](std::span<const std::byte> piece) {
            received.insert(received.end(), piece.begin(), piece.end());
        },
        soon());
    EXPECT_EQ(received, Bytes(whole.begin() + 12, whole.end()));
    EXPECT_EQ(answer.params, std::vector<std::uint32_t>{2136});
}

TEST_F(PtpSessionTest, UnknownLengthEndedByAZeroLengthPacket) {
    open();
    std::vector<std::byte> buffer(1024);
    const Bytes whole =
        join(data_header(op::get_partial_object, 1, kUnknownLength), payload_of(2048 - 12));
    link.bulk_in_script.push_back(Bytes(whole.begin(), whole.begin() + 1024));
    link.bulk_in_script.push_back(Bytes(whole.begin() + 1024, whole.end()));
    link.bulk_in_script.push_back(Bytes{});
    link.bulk_in_script.push_back(response(rc::ok, 1));
    std::size_t received = 0;
    session.command_in_streamed(
        op::get_partial_object, {}, 1 << 20, buffer,
        [&](std::span<const std::byte> piece) { received += piece.size(); }, soon());
    EXPECT_EQ(received, 2048u - 12);
}

TEST_F(PtpSessionTest, UnknownLengthBeyondTheLimitIsAProtocolErrorAndCancels) {
    open();
    std::vector<std::byte> buffer(1024);
    const Bytes first =
        join(data_header(op::get_object_handles, 1, kUnknownLength), payload_of(1024 - 12));
    for (int i = 0; i < 4; ++i) link.bulk_in_script.push_back(i == 0 ? first : payload_of(1024));
    try {
        session.command_in_streamed(
            op::get_object_handles, {}, 3000, buffer, [](std::span<const std::byte>) {}, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
        EXPECT_NE(std::string(error.what()).find("more than the 3000 bytes expected"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_EQ(link.cancelled, std::vector<std::uint32_t>{1});
}

TEST_F(PtpSessionTest, StaleResponsesOfOlderTransactionsAreSkipped) {
    open();
    session.set_last_transaction_id(40);
    link.bulk_in_script.push_back(response(rc::ok, 39));
    link.bulk_in_script.push_back(response(rc::general_error, 38));
    link.bulk_in_script.push_back(response(rc::ok, 41, {7}));
    EXPECT_EQ(session.command(op::get_num_objects, {}, soon()).params,
              std::vector<std::uint32_t>{7});
}

TEST_F(PtpSessionTest, DataOfACancelledTransactionIsReadPast) {
    open();
    link.bulk_in_script.push_back(data_header(op::get_object_info, 1, 12 + 100));
    EXPECT_THROW(session.command_in(op::get_object_info, {}, 4096, soon()), DeviceError);
    // The device answers the cancelled transaction late, then the new one.
    link.bulk_in_script.push_back(
        join(data_header(op::get_partial_object, 1, 12 + 1500), payload_of(500)));
    link.bulk_in_script.push_back(payload_of(1000));
    link.bulk_in_script.push_back(response(rc::ok, 1));
    link.bulk_in_script.push_back(response(rc::ok, 2, {3}));
    EXPECT_EQ(session.command(op::get_num_objects, {}, soon()).params,
              std::vector<std::uint32_t>{3});
    EXPECT_TRUE(link.bulk_in_script.empty());
}

TEST_F(PtpSessionTest, EndlessStaleResponsesAreAProtocolError) {
    open();
    session.set_last_transaction_id(40);
    for (int i = 0; i < 100; ++i) link.bulk_in_script.push_back(response(rc::ok, 39));
    try {
        session.command(op::get_num_objects, {}, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
    }
}

TEST_F(PtpSessionTest, ResponseOfAnotherTransactionIsAProtocolError) {
    open();
    link.bulk_in_script.push_back(response(rc::ok, 5));
    try {
        session.command(op::get_num_objects, {}, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
        EXPECT_NE(std::string(error.what()).find("transaction 5 during transaction 1"),
                  std::string::npos)
            << error.what();
    }
}

TEST_F(PtpSessionTest, ErrorResponseInsteadOfDataIsAResponseError) {
    open();
    link.bulk_in_script.push_back(response(rc::invalid_object_handle, 1));
    try {
        session.command_in(op::get_object_info, {}, 4096, soon());
        FAIL() << "no error";
    } catch (const PtpResponseError& error) {
        EXPECT_EQ(error.kind(), Kind::io);
        EXPECT_EQ(error.response(), rc::invalid_object_handle);
        EXPECT_EQ(error.operation(), op::get_object_info);
    }
}

TEST_F(PtpSessionTest, WriteProtectionIsARefusal) {
    open();
    link.bulk_in_script.push_back(response(rc::object_write_protected, 1));
    try {
        session.command(op::delete_object, {}, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::refused);
    }
}

TEST_F(PtpSessionTest, MoreDataThanDeclaredIsAProtocolErrorNamingBothLengths) {
    open();
    link.bulk_in_script.push_back(
        join(data_header(op::get_object_info, 1, 12 + 100), payload_of(300)));
    try {
        session.command_in(op::get_object_info, {}, 4096, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
        EXPECT_NE(std::string(error.what()).find("300 bytes in a data container that declares 100"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_EQ(link.cancelled, std::vector<std::uint32_t>{1});
}

TEST_F(PtpSessionTest, MoreDataThanDeclaredInALaterTransferIsAProtocolError) {
    open();
    link.bulk_in_script.push_back(data_header(op::get_object_info, 1, 12 + 100));
    link.bulk_in_script.push_back(payload_of(512));
    try {
        session.command_in(op::get_object_info, {}, 4096, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
    }
    // The host never asks for more than the rest of the container (in whole packets).
    EXPECT_LE(link.largest_read, 64u * 1024);
}

TEST_F(PtpSessionTest, DeclaredLengthBeyondTheLimitFailsBeforeReadingIt) {
    open();
    link.bulk_in_script.push_back(
        join(data_header(op::get_object_handles, 1, 0xFFFFFFF0), payload_of(500)));
    try {
        session.command_in(op::get_object_handles, {}, 4096, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
        EXPECT_NE(std::string(error.what())
                      .find("announces 4294967268 bytes of data, more than "
                            "the 4096 expected"),
                  std::string::npos)
            << error.what();
    }
}

TEST_F(PtpSessionTest, ContainerLengthBelowTheHeaderIsAProtocolError) {
    open();
    Bytes bad = data_header(op::get_object_info, 1, 5);
    link.bulk_in_script.push_back(bad);
    try {
        session.command_in(op::get_object_info, {}, 4096, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
    }
}

TEST_F(PtpSessionTest, DataPhaseEndingEarlyIsAProtocolError) {
    open();
    link.bulk_in_script.push_back(
        join(data_header(op::get_object_info, 1, 12 + 2000), payload_of(500)));
    link.bulk_in_script.push_back(Bytes{});
    try {
        session.command_in(op::get_object_info, {}, 4096, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
        EXPECT_NE(std::string(error.what()).find("ended after 500 of the 2000 bytes"),
                  std::string::npos)
            << error.what();
    }
}

TEST_F(PtpSessionTest, DeviceBusyIsRetriedWithANewCommand) {
    open();
    link.bulk_in_script.push_back(response(rc::device_busy, 1));
    link.bulk_in_script.push_back(response(rc::device_busy, 2));
    link.bulk_in_script.push_back(response(rc::ok, 3, {4}));
    EXPECT_EQ(session.command(op::get_num_objects, {}, soon()).params,
              std::vector<std::uint32_t>{4});
    EXPECT_EQ(link.sent.size(), 3u);
}

TEST_F(PtpSessionTest, DeviceBusyUntilTheDeadlineIsAnIoErrorInTime) {
    open();
    for (int i = 0; i < 1000; ++i) {
        link.bulk_in_script.push_back(response(rc::device_busy, static_cast<std::uint32_t>(i + 1)));
    }
    const auto start = SteadyClock::now();
    try {
        session.command(op::get_num_objects, {}, start + 100ms);
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::io);
        EXPECT_NE(std::string(error.what()).find("busy"), std::string::npos) << error.what();
    }
    EXPECT_LT(SteadyClock::now() - start, 1s);
}

TEST_F(PtpSessionTest, StallIsClearedAndTheTransactionTriedOnceMoreWithANewId) {
    open();
    link.bulk_in_script.push_back(std::nullopt);
    link.bulk_in_script.push_back(join(data_header(op::get_object_info, 2, 12 + 4), payload_of(4)));
    link.bulk_in_script.push_back(response(rc::ok, 2));
    EXPECT_EQ(session.command_in(op::get_object_info, {}, 4096, soon()), payload_of(4));
    EXPECT_EQ(link.cleared, std::vector<Endpoint>{Endpoint::bulk_in});
    EXPECT_GE(link.status_requests, 1);
    ASSERT_EQ(link.sent.size(), 2u);
    EXPECT_EQ(link.command_transaction_id(0), 1u);
    EXPECT_EQ(link.command_transaction_id(1), 2u);
}

TEST_F(PtpSessionTest, StallAgainAfterTheHaltWasClearedIsAnIoErrorAndTheSessionStaysUsable) {
    open();
    link.bulk_in_script.push_back(std::nullopt);
    link.bulk_in_script.push_back(std::nullopt);
    try {
        session.command_in(op::get_object_info, {}, 4096, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::io);
        EXPECT_NE(std::string(error.what())
                      .find("stalled the bulk-in endpoint again after the halt was cleared"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_EQ(link.cleared, (std::vector<Endpoint>{Endpoint::bulk_in, Endpoint::bulk_in}));
    EXPECT_EQ(link.sent.size(), 2u);
    link.bulk_in_script.push_back(response(rc::ok, 3));
    session.command(op::get_num_objects, {}, soon());
}

TEST_F(PtpSessionTest, StallInTheMiddleOfTheDataIsNotRetried) {
    open();
    std::vector<std::byte> buffer(1024);
    link.bulk_in_script.push_back(
        join(data_header(op::get_object, 1, 12 + 3000), payload_of(1024 - 12)));
    link.bulk_in_script.push_back(std::nullopt);
    std::size_t received = 0;
    try {
        session.command_in_streamed(
            op::get_object, {}, 1 << 20, buffer,
            [&](std::span<const std::byte> piece) { received += piece.size(); }, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::io);
        EXPECT_NE(std::string(error.what()).find("in the middle of its data phase"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_EQ(received, 1024u - 12);  // nothing delivered twice
    EXPECT_EQ(link.sent.size(), 1u);
}

// Reads a data phase opened with begin_data_in through read_data_in, `chunk` bytes at a time.
Bytes read_stream(PtpSession& session, std::size_t chunk) {
    Bytes received;
    Bytes piece(chunk);
    for (;;) {
        const std::size_t got = session.read_data_in(piece, soon());
        if (got == 0) return received;
        received.insert(received.end(), piece.begin(), piece.begin() + got);
    }
}

TEST_F(PtpSessionTest, DataInReadAcrossCallsOfUnknownLengthEndsAtTheShortPacket) {
    open();
    std::vector<std::byte> buffer(1024);
    const Bytes whole =
        join(data_header(op::get_object, 1, kUnknownLength), payload_of(1024 + 1024 + 100));
    link.bulk_in_script.push_back(Bytes(whole.begin(), whole.begin() + 1024));
    link.bulk_in_script.push_back(Bytes(whole.begin() + 1024, whole.begin() + 2048));
    link.bulk_in_script.push_back(Bytes(whole.begin() + 2048, whole.end()));
    link.bulk_in_script.push_back(response(rc::ok, 1));
    const std::uint32_t handle = 7;
    session.begin_data_in(op::get_object, {&handle, 1}, 1 << 20, buffer, soon());
    EXPECT_TRUE(session.data_in_open());
    EXPECT_EQ(read_stream(session, 300), Bytes(whole.begin() + 12, whole.end()));
    EXPECT_FALSE(session.data_in_open());
    EXPECT_TRUE(link.cancelled.empty());
}

TEST_F(PtpSessionTest, DataInOfDeclaredLengthEndsThere) {
    open();
    std::vector<std::byte> buffer(1024);
    const Bytes whole = join(data_header(op::get_object, 1, 12 + 1500), payload_of(1500));
    link.bulk_in_script.push_back(Bytes(whole.begin(), whole.begin() + 1024));
    link.bulk_in_script.push_back(Bytes(whole.begin() + 1024, whole.end()));
    link.bulk_in_script.push_back(response(rc::ok, 1));
    session.begin_data_in(op::get_object, {}, 1 << 20, buffer, soon());
    EXPECT_EQ(read_stream(session, 4096), Bytes(whole.begin() + 12, whole.end()));
}

TEST_F(PtpSessionTest, DataInCutShortOfItsDeclaredLengthIsAProtocolErrorAndCancels) {
    open();
    std::vector<std::byte> buffer(1024);
    link.bulk_in_script.push_back(join(data_header(op::get_object, 1, 12 + 3000), payload_of(500)));
    link.bulk_in_script.push_back(Bytes{});
    session.begin_data_in(op::get_object, {}, 1 << 20, buffer, soon());
    try {
        read_stream(session, 4096);
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
        EXPECT_NE(std::string(error.what()).find("ended after 500 of the 3000 bytes"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_FALSE(session.data_in_open());
    EXPECT_EQ(link.cancelled, std::vector<std::uint32_t>{1});
}

TEST_F(PtpSessionTest, DataInOfUnknownLengthBeyondItsBoundIsAProtocolError) {
    open();
    std::vector<std::byte> buffer(1024);
    link.bulk_in_script.push_back(
        join(data_header(op::get_object, 1, kUnknownLength), payload_of(1024 - 12)));
    for (int i = 0; i < 8; ++i) link.bulk_in_script.push_back(payload_of(1024));
    session.begin_data_in(op::get_object, {}, 3000, buffer, soon());
    Bytes piece(4096);
    std::uint64_t handed_out = 0;
    try {
        for (;;) handed_out += session.read_data_in(piece, soon());
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
        EXPECT_NE(std::string(error.what()).find("more than the 3000 bytes expected"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_LE(handed_out, 3000u);
    EXPECT_EQ(link.cancelled, std::vector<std::uint32_t>{1});
}

TEST_F(PtpSessionTest, DataInEndingInAnErrorResponseIsAResponseError) {
    open();
    std::vector<std::byte> buffer(1024);
    link.bulk_in_script.push_back(
        join(data_header(op::get_object, 1, kUnknownLength), payload_of(100)));
    link.bulk_in_script.push_back(response(rc::incomplete_transfer, 1));
    session.begin_data_in(op::get_object, {}, 1 << 20, buffer, soon());
    Bytes piece(4096);
    EXPECT_EQ(session.read_data_in(piece, soon()), 100u);
    EXPECT_THROW(session.read_data_in(piece, soon()), PtpResponseError);
    EXPECT_FALSE(session.data_in_open());
}

TEST_F(PtpSessionTest, CancellingAnOpenDataInCancelsItOnTheDevice) {
    open();
    std::vector<std::byte> buffer(1024);
    link.bulk_in_script.push_back(
        join(data_header(op::get_object, 1, kUnknownLength), payload_of(1024 - 12)));
    session.begin_data_in(op::get_object, {}, 1 << 20, buffer, soon());
    EXPECT_TRUE(session.data_in_open());
    link.bulk_in_script.clear();
    session.cancel_data_in();
    EXPECT_FALSE(session.data_in_open());
    EXPECT_EQ(link.cancelled, std::vector<std::uint32_t>{1});
    link.bulk_in_script.push_back(response(rc::ok, 2));
    session.command(op::get_num_objects, {}, soon());
}

TEST_F(PtpSessionTest, TimeoutCancelsTheTransaction) {
    open();
    link.bulk_in_script.push_back(data_header(op::get_object_info, 1, 12 + 100));
    try {
        session.command_in(op::get_object_info, {}, 4096, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::timeout);
    }
    EXPECT_EQ(link.cancelled, std::vector<std::uint32_t>{1});
}

TEST_F(PtpSessionTest, SinkThatGivesUpCancelsTheTransaction) {
    open();
    std::vector<std::byte> buffer(4096);
    link.bulk_in_script.push_back(
        join(data_header(op::get_object_handles, 1, 12 + 100), payload_of(100)));
    EXPECT_THROW(
        session.command_in_streamed(
            op::get_object_handles, {}, 4096, buffer,
            [](std::span<const std::byte>) { throw DeviceError(Kind::protocol, "too many"); },
            soon()),
        DeviceError);
    EXPECT_EQ(link.cancelled, std::vector<std::uint32_t>{1});
}

TEST_F(PtpSessionTest, EventsAreReadUpToTheLimit) {
    link.interrupt_script.push_back(params_container(4, event::object_added, kNoTransaction, {9}));
    link.interrupt_script.push_back(params_container(4, event::store_full, kNoTransaction, {1}));
    const auto events = session.poll_events(10, soon());
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].code, event::object_added);
    EXPECT_EQ(events[0].params, std::vector<std::uint32_t>{9});
    EXPECT_EQ(events[1].code, event::store_full);
    EXPECT_TRUE(session.poll_events(10, soon()).empty());
}

TEST_F(PtpSessionTest, AnEventSplitOverInterruptTransfersIsReassembled) {
    const Bytes event = params_container(4, event::object_added, kNoTransaction, {9, 10});
    link.interrupt_script.push_back(Bytes(event.begin(), event.begin() + 8));
    link.interrupt_script.push_back(Bytes(event.begin() + 8, event.begin() + 14));
    link.interrupt_script.push_back(Bytes(event.begin() + 14, event.end()));
    const auto events = session.poll_events(10, soon());
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].code, event::object_added);
    EXPECT_EQ(events[0].transaction_id, kNoTransaction);
    EXPECT_EQ(events[0].params, (std::vector<std::uint32_t>{9, 10}));
}

TEST_F(PtpSessionTest, AnEndlessEventStreamIsBounded) {
    link.endless_events = true;
    EXPECT_EQ(session.poll_events(64, soon()).size(), 64u);
}

TEST_F(PtpSessionTest, AnOversizedEventIsAProtocolError) {
    Bytes event = params_container(4, event::object_added, kNoTransaction, {1, 2, 3, 4, 5});
    event[0] = std::byte{200};
    link.interrupt_script.push_back(event);
    try {
        session.poll_events(10, soon());
        FAIL() << "no error";
    } catch (const DeviceError& error) {
        EXPECT_EQ(error.kind(), Kind::protocol);
    }
}

}  // namespace
}  // namespace cradle::hw::ptp
