#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End to end on the demonstration cradle: the real cradled and cradlectl binaries, the shipped
# demo configuration, a fresh state directory. Checks what the README promises of the demo.
set -euo pipefail
bin="$1"
source_dir="$2"
state="$(mktemp -d)"
trap 'chmod -R u+w "$state"; rm -rf "$state"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin/cradled-demo" --config "$source_dir/etc/demo/cradled.toml" --state-dir "$state" \
  --backend sim --exit-when-idle >"$state/summary.txt" 2>"$state/log.txt" \
  || fail "cradled exited with $?"

summary="$state/summary.txt"
grep -q 'bay 1: BWC-0001' "$summary" || fail "bay 1 not reported"
grep -q 'archived: 10 of 10 recording(s) copied and verified' "$summary" || fail "bay 1 not archived"
[ "$(grep -c 'light:    green — ready for duty' "$summary")" -eq 2 ] || fail "expected two ready bays"
grep -Fq 'light:    green-blinking — not ready: battery 35% (needs 80%' "$summary" \
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
[ "$(find "$state/archive" -type f ! -name '*.record' ! -name audit.journal | wc -l)" -eq 38 ] \
  || fail "expected 38 archive files"
# Each with its metadata record beside it, and the audit log journalled into the archive.
[ "$(find "$state/archive" -type f -name '*.record' | wc -l)" -eq 38 ] \
  || fail "expected 38 metadata records"
[ -s "$state/archive/audit.journal" ] || fail "expected the archive's audit journal"

"$bin/cradlectl" --state-dir "$state" verify >/dev/null || fail "verify failed on a clean archive"

# The device-assignment report, as the demo writes it (offline, in English, the build tree's
# message catalogs): each format is written, and the CSV lists every camera as the register of
# etc/demo/cradled.toml and the docks have it.
report() {
  CRADLED_LOCALE_DIR="$bin/../locale" LANGUAGE=en LC_ALL=C.UTF-8 \
    "$bin/cradlectl" --state-dir "$state" report assignments "$@"
}
for format in pdf csv json; do
  report -o "$state/assignments.$format" || fail "report assignments -o assignments.$format failed"
  [ -s "$state/assignments.$format" ] || fail "assignments.$format is empty"
done
csv="$state/assignments.csv"
devices_row() { grep -a "^devices,$1," "$csv" || fail "$1 not in the report's devices: $(cat "$csv")"; }
expect_in_row() {
  devices_row "$1" | grep -Fq -- "$2" || fail "$1's row lacks \"$2\": $(devices_row "$1")"
}
expect_in_row BWC-0001 ',Custodian Wang Li,Officer Chen Jie,Team head Zhao Min,'
expect_in_row BWC-0001 'ready for duty'
expect_in_row BWC-0002 ',Custodian Wang Li,Officer Liu Yang,Team head Zhao Min,'
expect_in_row BWC-0002 'not ready: battery 35% (needs 80%'
expect_in_row BWC-0003 ',Custodian Wang Li,'
expect_in_row BWC-0003 ',Team head Zhao Min,'
expect_in_row BWC-0003 'ready for duty'
expect_in_row BWC-0099 'needs custodian'
grep -aq '^unregistered,BWC-0099,' "$csv" || fail "BWC-0099 not listed as unregistered"
if grep -aq '^unregistered,BWC-000' "$csv"; then fail "a registered camera listed as unregistered"; fi
head -c 3 "$csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "the CSV has no UTF-8 byte order mark"
grep -q '"report": *"assignments"' "$state/assignments.json" || fail "the JSON is not the report"
grep -q '"BWC-0099"' "$state/assignments.json" || fail "the JSON lacks BWC-0099"
head -c 5 "$state/assignments.pdf" | grep -q '%PDF-' || fail "assignments.pdf is not a PDF"
if command -v pdftotext >/dev/null; then
  pdf_text="$(pdftotext "$state/assignments.pdf" -)"
  for expected in BWC-0001 BWC-0002 BWC-0003 BWC-0099 "Custodian Wang Li" "Officer Liu Yang"; do
    grep -Fq "$expected" <<<"$pdf_text" || fail "the PDF's text lacks $expected"
  done
fi

# A changed byte in one archived file is found and named.
file=$(find "$state/archive" -type f ! -name '*.record' ! -name audit.journal | sort | head -n 1)
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
