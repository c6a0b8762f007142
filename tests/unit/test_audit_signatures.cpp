// SPDX-License-Identifier: Apache-2.0
// The audit log's signatures against someone who can write the catalog but does not hold the
// cradle's key: every rewrite, re-signing, forged rotation or stripped signature is named by
// the verifier, which needs the public key only. OpenSSL's own command line judges a signature.
// Anchors against someone who holds the key too: a log cut short or rewritten up to an
// anchored entry is named.
#include "common/read_file.hpp"
#include "core/catalog/audit_anchor.hpp"
#include "core/catalog/audit_signatures.hpp"
#include "core/catalog/signing_identity.hpp"
#include "core/catalog/state_verifier.hpp"
#include "tests/support/shell_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/state_dir_builder.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace cradle {
namespace {

using test::StateDirBuilder;
using test::TempDir;

constexpr std::int64_t kNow = 1714557800;

std::string all_problems(const VerifyReport& report) {
    std::string text;
    for (const std::string& problem : report.problems) text += problem + "\n";
    return text;
}

bool has_problem(const VerifyReport& report, std::initializer_list<std::string> fragments) {
    for (const std::string& problem : report.problems) {
        bool all = true;
        for (const std::string& fragment : fragments) {
            all = all && problem.find(fragment) != std::string::npos;
        }
        if (all) return true;
    }
    return false;
}

// What someone with write access to the catalog can do without the key: take the log out,
// change it, recompute every hash so that the chain links again, optionally sign it with a key
// of their own, and put it back in place of the original (the append-only triggers dropped).
void rewrite_log(const std::filesystem::path& state,
                 const std::function<void(std::vector<AuditRow>&)>& edit,
                 const SigningKey* resign = nullptr) {
    std::vector<AuditRow> rows;
    { rows = Catalog::open_read_only(state / "catalog.sqlite").audit_rows(); }
    edit(rows);
    std::string previous(64, '0');
    std::int64_t seq = 0;
    for (AuditRow& row : rows) {
        row.seq = ++seq;
        row.prev_hash_hex = previous;
        row.hash_hex = Catalog::audit_hash(row);
        if (resign != nullptr) {
            row.key_id = resign->public_key().key_id();
            row.signature_hex = resign->sign_hex(audit_signature_message(row.hash_hex));
        }
        previous = row.hash_hex;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((state / "catalog.sqlite").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(
                  db,
                  "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; "
                  "DELETE FROM audit",
                  nullptr, nullptr, nullptr),
              SQLITE_OK);
    for (const AuditRow& row : rows) {
        sqlite3_stmt* insert = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db,
                                     "INSERT INTO audit (seq, at, event, bay, device_serial, "
                                     "recording_id, detail, prev_hash, hash, key_id, signature) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                     -1, &insert, nullptr),
                  SQLITE_OK);
        sqlite3_bind_int64(insert, 1, row.seq);
        sqlite3_bind_int64(insert, 2, row.at);
        sqlite3_bind_text(insert, 3, row.event.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(insert, 4, row.bay);
        sqlite3_bind_text(insert, 5, row.device_serial.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 6, row.recording_id);
        sqlite3_bind_text(insert, 7, row.detail.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 8, row.prev_hash_hex.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 9, row.hash_hex.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 10, row.key_id.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 11, row.signature_hex.c_str(), -1, SQLITE_TRANSIENT);
        EXPECT_EQ(sqlite3_step(insert), SQLITE_DONE);
        sqlite3_finalize(insert);
    }
    sqlite3_close(db);
}

class AuditSignatures : public ::testing::Test {
  protected:
    AuditSignatures() : builder_(dir_.path()) {
        builder_.add_recording("SN-1", "VID_0001.MP4", "first clip");
        builder_.add_recording("SN-1", "VID_0002.MP4", "second clip", /*wiped=*/true);
        builder_.catalog().audit({"dock.end", 1, "SN-1", 0, "ready"}, kNow);
        builder_.close_catalog();
        key_ = read_public_key(public_key_file(state()));
    }

    const std::filesystem::path& state() const { return dir_.path(); }
    VerifyReport verify(bool with_key) {
        VerifyOptions options;
        if (with_key) options.trusted_key = key_;
        return verify_state(state(), options);
    }

    TempDir dir_;
    StateDirBuilder builder_;
    std::optional<PublicKey> key_;
};

TEST_F(AuditSignatures, EveryEntryIsSignedAndVerifiesWithThePublicKeyAlone) {
    VerifyReport report = verify(true);
    EXPECT_TRUE(report.ok()) << all_problems(report);
    EXPECT_EQ(report.signed_entries, report.audit_rows_checked);
    EXPECT_EQ(report.entries_before_key, 0u);
    ASSERT_EQ(report.signing_keys.size(), 1u);
    EXPECT_EQ(report.signing_keys[0], key_->fingerprint());
    // The private key is not needed: the verifier reads the log and the public key only.
    std::filesystem::remove(signing_key_file(state()));
    EXPECT_TRUE(verify(true).ok());
}

TEST_F(AuditSignatures, AnEntryEditedWithItsChainRecomputedFailsItsSignatureAndIsNamed) {
    rewrite_log(state(), [](std::vector<AuditRow>& rows) { rows[2].detail = "nothing happened"; });
    VerifyReport report = verify(false);
    EXPECT_TRUE(has_problem(report, {"audit entry 3 ", "signature does not verify"}))
        << all_problems(report);
    EXPECT_FALSE(has_problem(report, {"audit entry 2 "})) << all_problems(report);
    EXPECT_FALSE(has_problem(report, {"does not link"})) << "the chain itself was recomputed";
}

TEST_F(AuditSignatures, EntriesReorderedOrRemovedWithTheChainRecomputedAreNamed) {
    rewrite_log(state(), [](std::vector<AuditRow>& rows) { std::swap(rows[2], rows[3]); });
    EXPECT_TRUE(has_problem(verify(false), {"audit entry 3 ", "signature does not verify"}));
    rewrite_log(state(), [](std::vector<AuditRow>& rows) { rows.erase(rows.begin() + 1); });
    EXPECT_TRUE(has_problem(verify(false), {"audit entry 2 ", "signature does not verify"}));
}

TEST_F(AuditSignatures, ALogResignedWithAnotherKeyShowsAnotherFingerprintAndFailsTheGivenKey) {
    SigningKey forger = SigningKey::generate();
    rewrite_log(
        state(),
        [&](std::vector<AuditRow>& rows) {
            rows[0].detail = key_created_detail(forger.public_key());
            rows[2].detail = "nothing happened";
        },
        &forger);
    VerifyReport without_key = verify(false);
    // Consistent in itself: only the fingerprint tells, which is why it is printed.
    EXPECT_TRUE(without_key.ok()) << all_problems(without_key);
    ASSERT_EQ(without_key.signing_keys.size(), 1u);
    EXPECT_NE(without_key.signing_keys[0], key_->fingerprint());
    VerifyReport with_key = verify(true);
    EXPECT_TRUE(has_problem(with_key, {"audit entry 1 ", "not the key given"}))
        << all_problems(with_key);
}

TEST_F(AuditSignatures, AForgedRotationOrASecondKeyIsRefused) {
    SigningKey forger = SigningKey::generate();
    // A rotation entry naming the forger's key, but signed by the forger: not by the key in use.
    rewrite_log(state(), [&](std::vector<AuditRow>& rows) {
        AuditRow rotation;
        rotation.at = kNow + 1;
        rotation.event = std::string(kKeyRotatedEvent);
        rotation.detail = key_rotated_detail(forger.public_key(), "forged");
        rows.push_back(rotation);
    });
    rewrite_log(state(), [](std::vector<AuditRow>&) {});  // chain recomputed, signatures kept
    {
        // Sign the forged rotation (the last entry) with the forger's key.
        std::vector<AuditRow> rows =
            Catalog::open_read_only(state() / "catalog.sqlite").audit_rows();
        const AuditRow& last = rows.back();
        const std::string sql =
            "DROP TRIGGER IF EXISTS audit_no_update; UPDATE audit SET key_id = '" +
            forger.public_key().key_id() + "', signature = '" +
            forger.sign_hex(audit_signature_message(last.hash_hex)) +
            "' WHERE seq = " + std::to_string(last.seq);
        ASSERT_EQ(test::tamper_with_catalog(state(), sql), "");
    }
    VerifyReport report = verify(true);
    EXPECT_TRUE(has_problem(report, {"identity.key_rotated", "not by the key in use"}))
        << all_problems(report);

    // A second "key created" entry signed by the forger.
    TempDir other;
    StateDirBuilder builder(other.path());
    builder.catalog().audit({"dock.end", 1, "SN-1", 0, "ready"}, kNow);
    builder.close_catalog();
    rewrite_log(other.path(), [&](std::vector<AuditRow>& rows) {
        AuditRow created;
        created.at = kNow + 1;
        created.event = std::string(kKeyCreatedEvent);
        created.detail = key_created_detail(forger.public_key());
        rows.push_back(created);
    });
    VerifyReport second = verify_state(other.path());
    EXPECT_TRUE(
        has_problem(second, {"audit entry 3 ", "without a rotation signed by the key in use"}))
        << all_problems(second);
}

TEST_F(AuditSignatures, AStrippedSignatureIsNamed) {
    ASSERT_EQ(test::tamper_with_catalog(state(),
                                        "DROP TRIGGER audit_no_update; UPDATE audit SET "
                                        "signature = '', key_id = '' WHERE seq = 4"),
              "");
    EXPECT_TRUE(has_problem(verify(false), {"audit entry 4 ", "not signed"}));
}

TEST_F(AuditSignatures, ALogWithoutAnyKeyIsNotSigned) {
    rewrite_log(state(), [](std::vector<AuditRow>& rows) {
        rows.erase(rows.begin());
        for (AuditRow& row : rows) row.key_id.clear(), row.signature_hex.clear();
    });
    EXPECT_TRUE(has_problem(verify(false), {"the audit log is not signed"}));
}

TEST_F(AuditSignatures, ARotationSignedByTheKeyInUseHandsOverToTheNextKey) {
    {
        Catalog catalog(state() / "catalog.sqlite");
        adopt_signing_key(catalog, state(), kNow);
        auto next = std::make_shared<const SigningKey>(SigningKey::generate());
        catalog.rotate_signing_key(next, "yearly rotation", kNow + 10);
        catalog.audit({"dock.end", 2, "SN-2", 0, "ready"}, kNow + 20);
        EXPECT_EQ(catalog.signing_key_of_log(), next->public_key());
    }
    VerifyReport report = verify(true);
    EXPECT_TRUE(report.ok()) << all_problems(report);
    EXPECT_EQ(report.signing_keys.size(), 2u);
    EXPECT_EQ(report.signed_entries, report.audit_rows_checked);
}

TEST_F(AuditSignatures, ARotationCutShortBeforeItsKeyTookThePlaceIsFinishedAtTheStart) {
    auto next = std::make_shared<const SigningKey>(SigningKey::generate());
    {
        Catalog catalog(state() / "catalog.sqlite");
        adopt_signing_key(catalog, state(), kNow);
        stage_next_signing_key(state(), *next);
        catalog.rotate_signing_key(next, "rotation", kNow + 10);
        // A crash here: the log names the next key, the file is still the old one.
    }
    {
        Catalog catalog(state() / "catalog.sqlite");
        const AdoptedKey adopted = adopt_signing_key(catalog, state(), kNow + 20);
        EXPECT_FALSE(adopted.created);
        EXPECT_EQ(adopted.key->public_key(), next->public_key());
        catalog.audit({"daemon.start", 0, "", 0, "after the crash"}, kNow + 30);
    }
    EXPECT_EQ(read_signing_key(state())->public_key(), next->public_key());
    EXPECT_EQ(read_public_key(public_key_file(state())), next->public_key());
    EXPECT_FALSE(std::filesystem::exists(state() / "identity" / "signing.key.next"));
    VerifyReport report = verify(true);
    EXPECT_TRUE(report.ok()) << all_problems(report);

    // Another key in the file than the log's, with no rotation to finish: refused, not replaced.
    create_signing_key(state());
    Catalog catalog(state() / "catalog.sqlite");
    EXPECT_THROW(adopt_signing_key(catalog, state(), kNow + 40), IdentityError);
}

// The staged key of a rotation is deleted only once it holds the current key's place: a place
// that cannot be written (here a folder in its way) keeps it for the next start.
TEST_F(AuditSignatures, AStagedKeyThatCannotTakeItsPlaceIsKept) {
    const SigningKey next = SigningKey::generate();
    stage_next_signing_key(state(), next);
    std::filesystem::remove(signing_key_file(state()));
    std::filesystem::create_directory(signing_key_file(state()));
    EXPECT_THROW(install_next_signing_key(state(), next), IdentityError);
    const std::string staged = read_whole_file(state() / "identity" / "signing.key.next", 16384);
    EXPECT_EQ(SigningKey::from_pem(staged).public_key(), next.public_key());

    std::filesystem::remove(signing_key_file(state()));
    install_next_signing_key(state(), next);
    EXPECT_EQ(read_signing_key(state())->public_key(), next.public_key());
    EXPECT_FALSE(std::filesystem::exists(state() / "identity" / "signing.key.next"));
}

TEST_F(AuditSignatures, AnEarlierVersionsUnsignedEntriesAreCoveredByTheFirstSignedOne) {
    TempDir other;
    {
        Catalog catalog(other.path() / "catalog.sqlite");
        catalog.audit({"daemon.start", 0, "", 0, "an earlier version"}, kNow);
        catalog.audit({"dock.end", 1, "SN-1", 0, "ready"}, kNow + 1);
        adopt_signing_key(catalog, other.path(), kNow + 2);
        catalog.audit({"daemon.start", 0, "", 0, "this version"}, kNow + 3);
    }
    std::filesystem::create_directories(other.path() / "archive");
    VerifyReport report = verify_state(other.path());
    EXPECT_TRUE(report.ok()) << all_problems(report);
    EXPECT_EQ(report.entries_before_key, 2u);
    EXPECT_EQ(report.signed_entries, 2u);
    // Editing an unsigned entry breaks the chain that the first signature covers.
    rewrite_log(other.path(), [](std::vector<AuditRow>& rows) { rows[0].detail = "edited"; });
    EXPECT_TRUE(has_problem(verify_state(other.path()), {"audit entry 3 ", "does not verify"}));
}

TEST_F(AuditSignatures, OpensslVerifiesAnEntrysSignatureWithThePublicKeyFile) {
    std::vector<AuditRow> rows = Catalog::open_read_only(state() / "catalog.sqlite").audit_rows();
    const AuditRow& row = rows.at(2);
    const std::filesystem::path message = dir_.path() / "message";
    const std::filesystem::path signature = dir_.path() / "signature";
    std::ofstream(message, std::ios::binary) << audit_signature_message(row.hash_hex);
    {
        std::ofstream out(signature, std::ios::binary);
        for (std::size_t i = 0; i < row.signature_hex.size(); i += 2) {
            out.put(static_cast<char>(std::stoi(row.signature_hex.substr(i, 2), nullptr, 16)));
        }
    }
    const std::string command = "openssl pkeyutl -verify -pubin -inkey '" +
                                public_key_file(state()).string() + "' -rawin -in '" +
                                message.string() + "' -sigfile '" + signature.string() + "' 2>&1";
    test::ShellResult good = test::run_shell(command);
    EXPECT_EQ(good.exit_status, 0) << good.output;
    EXPECT_NE(good.output.find("Signature Verified Successfully"), std::string::npos)
        << good.output;
    std::ofstream(message, std::ios::binary) << audit_signature_message(rows.at(3).hash_hex);
    EXPECT_NE(test::run_shell(command).exit_status, 0) << "another entry's hash must not verify";
}

AuditAnchor anchor_of_head(const std::filesystem::path& state, std::int64_t at) {
    const std::optional<SigningKey> key = read_signing_key(state);
    const std::optional<AuditRow> head =
        Catalog::open_read_only(state / "catalog.sqlite").last_audit_row();
    return sign_anchor(*key, head->seq, head->hash_hex, at);
}

TEST(AuditAnchors, AreFoundInAnyTextAndAGarbledOneIsNamed) {
    const SigningKey key = SigningKey::generate();
    const AuditAnchor anchor = sign_anchor(key, 42, std::string(64, 'a'), kNow);
    const std::string line = format_anchor(anchor);
    const std::string text =
        "Dec 07 10:00:00 cradle cradled[12]: audit anchor (dock end, bay 1): " + line +
        "\nsomething else\r\n\"" + line + "\"\r\n" +
        "cradled-anchor v1 seq=1 hash=zz at=1 key=00 sig=00\n";
    std::vector<std::string> problems;
    const std::vector<AuditAnchor> anchors = parse_anchors(text, problems);
    ASSERT_EQ(anchors.size(), 2u);
    EXPECT_EQ(anchors[0].seq, 42);
    EXPECT_EQ(anchors[1].signature_hex, anchor.signature_hex);
    EXPECT_EQ(format_anchor(anchors[1]), line);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("anchor line 4"), std::string::npos) << problems[0];
}

TEST_F(AuditSignatures, AnAnchorShowsTheLogCutShortEvenWithEverySignatureValid) {
    const AuditAnchor anchor = anchor_of_head(state(), kNow + 100);
    VerifyOptions options;
    options.anchors = {anchor};
    VerifyReport clean = verify_state(state(), options);
    EXPECT_TRUE(clean.ok()) << all_problems(clean);
    EXPECT_EQ(clean.anchored_through, anchor.seq);

    // The newest entry (the dock's end) removed: what is left is a valid, signed chain.
    ASSERT_EQ(test::tamper_with_catalog(
                  state(), "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = " +
                               std::to_string(anchor.seq)),
              "");
    VerifyReport unanchored = verify(true);
    EXPECT_TRUE(unanchored.ok()) << "signatures alone cannot tell: " << all_problems(unanchored);
    VerifyReport cut = verify_state(state(), options);
    EXPECT_TRUE(has_problem(cut, {"entry " + std::to_string(anchor.seq) + ")", "cut short"}))
        << all_problems(cut);
    EXPECT_EQ(cut.anchored_through, 0);
}

TEST_F(AuditSignatures, AnAnchorShowsALogRewrittenAndResignedWithTheCradlesOwnKey) {
    const AuditAnchor anchor = anchor_of_head(state(), kNow + 100);
    // Someone who can read the key (root) rewrites an entry and signs everything again.
    const std::optional<SigningKey> key = read_signing_key(state());
    rewrite_log(
        state(), [](std::vector<AuditRow>& rows) { rows[2].detail = "nothing happened"; }, &*key);
    VerifyReport resigned = verify(true);
    EXPECT_TRUE(resigned.ok()) << "a re-signed log verifies by its signatures: "
                               << all_problems(resigned);
    VerifyOptions options;
    options.anchors = {anchor};
    VerifyReport report = verify_state(state(), options);
    EXPECT_TRUE(has_problem(report, {"entry " + std::to_string(anchor.seq), "another hash"}))
        << all_problems(report);
}

TEST_F(AuditSignatures, AnAnchorSignedByAnotherKeyIsRefused) {
    const SigningKey forger = SigningKey::generate();
    const std::optional<AuditRow> head =
        Catalog::open_read_only(state() / "catalog.sqlite").last_audit_row();
    VerifyOptions options;
    options.anchors = {sign_anchor(forger, head->seq, head->hash_hex, kNow)};
    EXPECT_TRUE(has_problem(verify_state(state(), options), {"signature does not verify"}));
    // A good anchor with its entry's hash changed is refused too (the signature covers it).
    AuditAnchor changed = anchor_of_head(state(), kNow);
    changed.hash_hex = std::string(64, '0');
    options.anchors = {changed};
    EXPECT_TRUE(has_problem(verify_state(state(), options), {"signature does not verify"}));
}

}  // namespace
}  // namespace cradle
