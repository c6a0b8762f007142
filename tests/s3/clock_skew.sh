#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A cradle whose clock is an hour ahead of the central archive's (libfaketime shifts the real
# cradled's clock; the store is the test fixture's Ceph RADOS Gateway): the store refuses every
# signed request, the service says why in one line, and with wipe_after = "remote" the camera is
# not wiped. With the clock right again, the next start replicates and wipes.
# Usage: clock_skew.sh BIN_DIR STORE_DIR
set -euo pipefail
bin="$1"
store="$2"
work="$(mktemp -d)"
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null
  chmod -R u+w "$work"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/log" ] && tail -n 20 "$work/log" >&2; exit 1; }
# libfaketime preloaded into cradled itself (the faketime wrapper would stand between the test
# and the service's signals).
faketime_lib="$(dpkg -L libfaketime 2>/dev/null | grep '/faketime/libfaketime.so.1$' || true)"
[ -n "$faketime_lib" ] || fail "libfaketime is not installed (scripts/install-deps: faketime)"

# shellcheck disable=SC1091
. "$store/store.env"
bucket="skew-$$"
curl -fsS -X PUT --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
  -H "x-amz-bucket-object-lock-enabled: true" \
  -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" \
  "$S3_ENDPOINT/$bucket" -o /dev/null

(umask 077 && printf 'access_key = "%s"\nsecret_key = "%s"\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" \
  >"$work/keys")
cat >"$work/cradle.toml" <<CRADLE
bays = 1
[[camera]]
serial = "BWC-SKEW"
bay = 1
recordings = 2
total_mb = 1
seed = 7
battery_percent = 95
CRADLE
cat >"$work/cradled.toml" <<CONFIG
[daemon]
backend = "sim"
state_dir = "$work/state"
[archive]
reserve_mib = 0
[readiness]
clock_trust = "always"
[sim]
cradle = "cradle.toml"
storage_dir = "$work/cameras"
[[register]]
serial = "BWC-SKEW"
custodian = "Custodian"
officer = "Officer"
head = "Head"
[remote]
endpoint = "$S3_ENDPOINT"
bucket = "$bucket"
region = "$S3_REGION"
cradle_id = "skewed"
credentials = "keys"
wipe_after = "remote"
retry_seconds = 1
CONFIG

# An hour ahead: the camera is archived, then waits at the wipe while the store refuses. Only
# the wall clock is shifted: waits with a deadline on the monotonic clock would otherwise
# last an hour, as the kernel keeps the true one.
# In the sanitizer build the preloaded library comes before ASan's runtime, which is allowed.
LD_PRELOAD="$faketime_lib" FAKETIME="+1h" DONT_FAKE_MONOTONIC=1 \
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
  "$bin/cradled-demo" --config "$work/cradled.toml" --bus none 2>"$work/log" &
daemon=$!
said() { grep -c "$1" "$work/log" || true; }
skew="differs from the central archive's by more than 15 minutes"
# Polls the log for the two facts (the ctest timeout bounds it).
until [ "$(said "$skew")" -ge 1 ] && [ "$(said "wait for the central archive")" -ge 1 ]; do
  kill -0 "$daemon" 2>/dev/null || fail "cradled ended early"
  sleep 0.1
done
# A few more refused rounds (retry_seconds = 1, doubling) say nothing new.
until grep -q "RequestTimeTooSkewed" <("$bin/cradlectl" remote status --config "$work/cradled.toml"); do
  sleep 0.1
done
kill -TERM "$daemon"
wait "$daemon" || fail "cradled did not stop cleanly"
daemon=""
[ "$(said "$skew")" -eq 1 ] || fail "the skew was said $(said "$skew") times, not once"
status="$("$bin/cradlectl" remote status --config "$work/cradled.toml")"
grep -q "^replicated:  0," <<<"$status" || fail "something was stored: $status"
grep -q "^waiting:     2 " <<<"$status" || fail "the backlog is not the two recordings: $status"
wiped="$("$bin/cradlectl" --state-dir "$work/state" recordings --json | grep -c '"state":"wiped"' || true)"
[ "$wiped" -eq 0 ] || fail "$wiped recording(s) wiped while the central archive refused"

# The clock right again: replicated, confirmed, then wiped.
"$bin/cradled-demo" --config "$work/cradled.toml" --bus none --exit-when-idle \
  >"$work/summary" 2>>"$work/log" || fail "cradled failed with the clock right"
grep -q "wiped:    2 recording(s)" "$work/summary" || fail "not wiped: $(cat "$work/summary")"
"$bin/cradlectl" remote verify --config "$work/cradled.toml" | grep -q "2 recording(s) read back" \
  || fail "cradlectl remote verify"
echo "clock skew: refused with one message, nothing wiped; replicated and wiped once right"
