#!/usr/bin/env bash
# End to end on the demonstration cradle: the real cradled and cradlectl binaries, the shipped
# demo configuration, a fresh state directory. Checks what the README promises of the demo.
set -euo pipefail
bin="$1"
source_dir="$2"
state="$(mktemp -d)"
trap 'chmod -R u+w "$state"; rm -rf "$state"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin/cradled" --config "$source_dir/etc/demo/cradled.toml" --state-dir "$state" \
  --backend sim --exit-when-idle >"$state/summary.txt" 2>"$state/log.txt" \
  || fail "cradled exited with $?"

summary="$state/summary.txt"
grep -q 'bay 1: BWC-0001' "$summary" || fail "bay 1 not reported"
grep -q 'archived: 10 of 10 recording(s) copied and verified' "$summary" || fail "bay 1 not archived"
[ "$(grep -c 'light:    green — ready for duty' "$summary")" -eq 2 ] || fail "expected two ready bays"
grep -q 'light:    green-blinking — not ready: battery 35% (needs 80%)' "$summary" \
  || fail "low battery camera not shown as not ready"
grep -q 'NOT REGISTERED' "$summary" || fail "unregistered camera not flagged"
grep -q 'light:    red — needs custodian: unregistered device' "$summary" \
  || fail "unregistered camera's bay not red"
grep -Eq 'clock:    drift \+41[89]\.[0-9] s, corrected' "$summary" \
  || grep -Eq 'clock:    drift \+420\.[0-9] s, corrected' "$summary" || fail "clock drift not corrected"
grep -q 'BWC-0003: clock drift +4' "$state/log.txt" || fail "clock drift not logged"

# Every recording the cameras held is archived and wiped: 10 + 10 + 10 + 8.
[ "$(grep -o 'wiped:    [0-9]*' "$summary" | awk '{s += $2} END {print s}')" -eq 38 ] \
  || fail "expected 38 wiped recordings"
left=$(find "$state/sim-cameras" -path '*/objects/*' -type f | wc -l)
[ "$left" -eq 0 ] || fail "$left recordings still on the emulated cameras"
[ "$(find "$state/archive" -type f | wc -l)" -eq 38 ] || fail "expected 38 archive files"

"$bin/cradlectl" --state-dir "$state" verify >/dev/null || fail "verify failed on a clean archive"

# A changed byte in one archived file is found and named.
file=$(find "$state/archive" -type f | sort | head -n 1)
chmod u+w "$file"
printf 'X' | dd of="$file" bs=1 seek=4096 conv=notrunc 2>/dev/null
chmod a-w "$file"
set +e
out=$("$bin/cradlectl" --state-dir "$state" verify 2>&1)
status=$?
set -e
[ "$status" -ne 0 ] || fail "verify exited 0 after a byte was changed"
echo "$out" | grep -q "${file#"$state"/}" || fail "verify did not name the changed file: $out"
echo "demo cradle: all checks passed"
