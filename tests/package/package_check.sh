#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The package check: builds the Debian package from a copy of the source tree, runs lintian
# on it, installs it into a clean Debian 12 root, and checks what IT gets: the files in place,
# /etc/cradled as conffiles, the service user and the custodian group, a unit systemd accepts,
# the service enabled, IT's edits kept on reinstall, cradled refusing the emulated cradle and
# cradled-demo offloading it from the installed demo files, and a purge that leaves the archive
# and the catalog in place.
#
#   package_check.sh SOURCE_DIR WORK_DIR
#
# Needs root (debootstrap, chroot, mount) and the Debian mirror: the clean root comes from it
# on the first run (then from a cached tarball) and the package's dependencies on every run.
# Environment:
#   CRADLED_DEBIAN_MIRROR   the mirror (default http://deb.debian.org/debian)
#   CRADLED_PACKAGE_CACHE   where the clean root and downloaded packages are kept between
#                           runs (default ${XDG_CACHE_HOME:-~/.cache}/cradled)
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_DIR WORK_DIR" >&2
    exit 2
fi
source_dir=$(cd "$1" && pwd)
work_dir=$2
mirror=${CRADLED_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
cache_dir=${CRADLED_PACKAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cradled}
root_tarball=$cache_dir/debian-$suite-minbase-$(dpkg --print-architecture).tar.gz
apt_cache=$cache_dir/apt-archives-$suite

started=$SECONDS
step_started=$SECONDS
step() {
    echo
    echo "== [$((SECONDS - started)) s] $*"
    step_started=$SECONDS
}
done_step() { echo "   ok ($((SECONDS - step_started)) s)"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
# Shows the end of a log when the command writing it fails.
run_logged() {
    local log=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        fail "$* (whole log: $log)"
    fi
}

step "preflight"
[ "$(id -u)" -eq 0 ] || fail "the package check needs root (debootstrap, chroot, mount); run it as root"
for tool in dpkg-buildpackage lintian debootstrap wget chroot mount findmnt tar; do
    command -v "$tool" >/dev/null || fail "$tool is missing: run scripts/install-deps"
done
# Every run needs the mirror (the package's dependencies come from it), so say plainly when it
# cannot be reached rather than failing somewhere in apt.
if ! wget -q -O /dev/null --timeout=20 --tries=2 "$mirror/dists/$suite/Release"; then
    fail "cannot reach the Debian mirror $mirror (no network?): the package check installs the
      package into a clean Debian $suite root from that mirror and cannot run without it"
fi
echo "   mirror $mirror reachable"
done_step

mkdir -p "$work_dir" "$cache_dir" "$apt_cache"
work_dir=$(cd "$work_dir" && pwd)
root=$work_dir/root
src=$work_dir/src

# A root left behind by an interrupted run may still have file systems mounted in it (/proc,
# or what debootstrap mounts): unmount them before deleting anything, and never cross into
# another file system while deleting.
mounts_in_root() {
    findmnt -rn -o TARGET | awk -v r="$root" '$0 == r || index($0, r "/") == 1' | sort -r
}
# Processes started inside the root (the system bus, polkitd, the service of the rights step)
# are stopped before anything is unmounted.
stop_root_processes() {
    local proc
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ] && kill -KILL "${proc#/proc/}" 2>/dev/null
    done
    return 0
}
release_root() {
    [ -d "$root" ] || return 0
    stop_root_processes
    local mount_point
    for mount_point in $(mounts_in_root); do
        umount "$mount_point" || umount -l "$mount_point" || true
    done
    if [ -n "$(mounts_in_root)" ]; then
        echo "cannot unmount everything under $root; leaving it in place" >&2
        return 1
    fi
    rm -rf --one-file-system "$root"
}
trap 'release_root || true' EXIT
release_root

step "copy the source tree to $src"
rm -rf "$src" "$work_dir"/cradled_*
mkdir -p "$src"
if git -C "$source_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked and untracked files, without what git ignores (build directories); a tracked file
    # deleted in the work tree is left out.
    (cd "$source_dir" && git ls-files -z -co --exclude-standard |
        while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
        tar --null -T - -cf -) | tar -xf - -C "$src"
else
    tar -C "$source_dir" --exclude='./build*' --exclude=./.cache -cf - . | tar -xf - -C "$src"
fi
echo "   $(find "$src" -type f | wc -l) files"
done_step

step "build the package (dpkg-buildpackage -us -uc -b)"
# debhelper gives the build its own HOME, which would hide the caller's compiler cache.
if command -v ccache >/dev/null; then
    CCACHE_DIR=$(ccache --get-config cache_dir)
    export CCACHE_DIR
fi
export DEB_BUILD_OPTIONS="nocheck parallel=2"
(cd "$src" && run_logged "$work_dir/build.log" dpkg-buildpackage -us -uc -b)
deb=$(ls "$work_dir"/cradled_*.deb)
changes=$(ls "$work_dir"/cradled_*.changes)
echo "   $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"
done_step

step "lintian (fails on errors and warnings)"
lintian_log=$work_dir/lintian.log
lintian --display-info --pedantic "$changes" >"$lintian_log" 2>&1 || true
sed 's/^/   /' "$lintian_log"
if grep -E '^(E|W): ' "$lintian_log" >/dev/null; then
    fail "lintian reports errors or warnings"
fi
done_step

step "a clean Debian $suite root"
if [ -f "$root_tarball" ]; then
    echo "   from the cached $root_tarball"
    mkdir -p "$root"
    tar -xzf "$root_tarball" -C "$root"
else
    echo "   debootstrap --variant=minbase $suite (first run; cached afterwards)"
    run_logged "$work_dir/debootstrap.log" \
        debootstrap --variant=minbase "$suite" "$root" "$mirror"
    tar -czf "$root_tarball.partial" -C "$root" . && mv "$root_tarball.partial" "$root_tarball"
fi
# The root's top directory is the chroot's "/", which the service user must search (cradled-demo
# runs as it below) whatever the umask it was made or cached with. Nothing else here is read by
# another user: the source copy and the package build are root's, and inside the chroot only
# the installed files are, wherever this check's work directory lies (a clone in a 0700 home).
chmod 0755 "$root"
done_step

in_root() { chroot "$root" "$@"; }

step "install the package with apt"
mount -t proc proc "$root/proc"
# Nothing may start inside the root: the service is only enabled.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" \
    >"$root/etc/apt/sources.list"
cp "$deb" "$root/tmp/"
find "$apt_cache" -name '*.deb' -exec cp -t "$root/var/cache/apt/archives/" {} +
export DEBIAN_FRONTEND=noninteractive
run_logged "$work_dir/apt-update.log" in_root apt-get update
run_logged "$work_dir/apt-install.log" in_root apt-get install -y --no-install-recommends \
    "/tmp/$(basename "$deb")"
find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -u -t "$apt_cache/" {} +
grep -E '^(Setting up|Created symlink)' "$work_dir/apt-install.log" | grep -E 'cradled' |
    sed 's/^/   /' || true
done_step

step "installed files"
installed_files=(
    /usr/sbin/cradled
    /usr/bin/cradlectl
    /usr/libexec/cradled/cradled-demo
    /etc/cradled/cradled.toml
    /etc/cradled/devices.toml
    /etc/cradled/bays.toml
    /usr/share/cradled/demo/cradled.toml
    /usr/share/cradled/demo/cradle.toml
    /usr/lib/systemd/system/cradled.service
    /usr/lib/sysusers.d/cradled.conf
    /usr/lib/tmpfiles.d/cradled.conf
    /usr/lib/udev/rules.d/72-cradled.rules
    /usr/share/dbus-1/system.d/org.cradled.Cradle1.conf
    /usr/share/dbus-1/interfaces/org.cradled.Cradle1.xml
    /usr/share/polkit-1/actions/org.cradled.policy
    /usr/share/polkit-1/rules.d/50-cradled.rules
    /usr/share/man/man8/cradled.8.gz
    /usr/share/man/man1/cradlectl.1.gz
    /usr/share/man/man5/cradled.toml.5.gz
    /usr/share/bash-completion/completions/cradlectl
    /usr/share/locale/zh_CN/LC_MESSAGES/cradled.mo
    /usr/share/doc/cradled/copyright
)
missing=0
for f in "${installed_files[@]}"; do
    if in_root test -f "$f"; then
        echo "   $f"
    else
        echo "   MISSING $f"
        missing=1
    fi
done
[ "$missing" -eq 0 ] || fail "files missing from the installed package"
done_step

step "conffiles"
conffiles=$(in_root dpkg-query -W -f='${Conffiles}\n' cradled)
echo "$conffiles" | sed '/^$/d; s/^ */   /'
for f in /etc/cradled/cradled.toml /etc/cradled/devices.toml /etc/cradled/bays.toml; do
    echo "$conffiles" | grep -q "^ *$f " || fail "$f is not a conffile"
done
done_step

step "service user, the roles' groups, state directory"
in_root getent passwd cradled | sed 's/^/   /' || fail "no user cradled"
in_root getent group cradled >/dev/null || fail "no group cradled"
for group in cradle-custodian cradle-auditor cradle-admin; do
    in_root getent group "$group" | sed 's/^/   /' || fail "no group $group"
done
state_owner=$(in_root stat -c '%U:%G %a' /var/lib/cradled 2>/dev/null) ||
    fail "/var/lib/cradled was not created at install (tmpfiles.d)"
echo "   /var/lib/cradled $state_owner"
[ "${state_owner%% *}" = "cradled:cradled" ] || fail "/var/lib/cradled is not owned by cradled"
done_step

step "systemd accepts the unit, and the package enabled it"
# --man=no: the root has no man program to open the unit's Documentation= pages with (the
# pages themselves are checked above).
if ! verify_output=$(in_root systemd-analyze verify --man=no \
    /usr/lib/systemd/system/cradled.service 2>&1); then
    echo "$verify_output" | sed 's/^/   /'
    fail "systemd-analyze verify rejects cradled.service"
fi
[ -z "$verify_output" ] || echo "$verify_output" | sed 's/^/   /'
echo "   systemd-analyze verify: no complaint"
wanted_by=$(in_root sh -c 'ls /etc/systemd/system/*.wants/cradled.service' 2>/dev/null) ||
    fail "cradled.service was not enabled at install"
echo "   enabled: $wanted_by"
done_step

step "reinstalling (as an upgrade does) keeps IT's edit of a conffile"
site_edit="# site edit kept across upgrades"
echo "$site_edit" >>"$root/etc/cradled/cradled.toml"
# No answer on standard input: a conffile question would fail the step rather than hang it.
run_logged "$work_dir/apt-reinstall.log" in_root apt-get install -y --reinstall \
    --no-install-recommends "/tmp/$(basename "$deb")" </dev/null
grep -qx "$site_edit" "$root/etc/cradled/cradled.toml" || fail "reinstalling lost the edit"
echo "   /etc/cradled/cradled.toml keeps the edit; maintainer scripts ran again without error"
done_step

step "the installed cradled serves cameras on USB only: the emulated cradle is cradled-demo's"
status=0
refusal=$(in_root /usr/sbin/cradled --config /usr/share/cradled/demo/cradled.toml --bus none \
    --state-dir /tmp/cradled-refusal 2>&1) || status=$?
echo "   exit status $status: $refusal"
[ "$status" -eq 2 ] || fail "cradled ran the emulated cradle (exit status $status)"
grep -q 'run it with cradled-demo' <<<"$refusal" || fail "cradled did not name cradled-demo"
done_step

step "the installed service (cradled-demo) offloads the emulated cradle from the installed demo files"
demo_log=$work_dir/demo.log
if ! in_root setpriv --reuid=cradled --regid=cradled --init-groups \
    /usr/libexec/cradled/cradled-demo --config /usr/share/cradled/demo/cradled.toml --backend sim \
    --bus none \
    --state-dir /var/lib/cradled --exit-when-idle >"$demo_log" 2>&1; then
    tail -n 40 "$demo_log" >&2
    fail "the installed cradled-demo failed on the emulated cradle (log: $demo_log)"
fi
sed -n '/^Summary of this run/,$p' "$demo_log" | sed 's/^/   /'
grep -q '^Summary of this run' "$demo_log" || fail "cradled-demo printed no summary"
archived=$(awk '/^  archived: [0-9]+ of/ {sum += $2} END {print sum + 0}' "$demo_log")
[ "${archived:-0}" -gt 0 ] || fail "the summary shows no archived recording"
echo "   $archived recordings archived"
done_step

step "the real polkitd decides the roles' rights on the real system bus"
# The root's own system bus (the installed dbus-daemon and bus policy) and, activated by it at
# the first question, the installed polkitd with the package's actions and rules. The service
# serves the archive of the step above; a custodian, an auditor and a user without a role ask.
mkdir -p "$root/run/dbus"
in_root useradd --no-create-home --groups cradle-custodian custodian1
in_root useradd --no-create-home --groups cradle-auditor auditor1
in_root useradd --no-create-home outsider1
run_logged "$work_dir/system-bus.log" in_root dbus-uuidgen --ensure
run_logged "$work_dir/system-bus.log" in_root dbus-daemon --system --fork
service_log=$work_dir/rights-service.log
# chroot itself in the background (not in_root, a function): $! is then the service's pid.
chroot "$root" setpriv --reuid=cradled --regid=cradled --init-groups \
    /usr/libexec/cradled/cradled-demo --config /usr/share/cradled/demo/cradled.toml \
    --backend sim --bus system --state-dir /var/lib/cradled >"$service_log" 2>&1 &
service_pid=$!
# Returns once the service is on the bus and every bay is idle (cradlectl waits on the bus).
run_logged "$work_dir/rights-wait.log" \
    timeout 120 chroot "$root" cradlectl status --watch --wait --until-idle
as_user() {
    local user=$1
    shift
    in_root setpriv --reuid="$user" --regid="$user" --init-groups --reset-env "$@"
}
expect_status() {
    local want=$1 user=$2
    shift 2
    local got=0
    as_user "$user" cradlectl "$@" >"$work_dir/rights-$user.out" 2>&1 || got=$?
    echo "   $user: cradlectl $* -> exit status $got"
    if [ "$got" -ne "$want" ]; then
        sed 's/^/     /' "$work_dir/rights-$user.out" >&2
        fail "cradlectl $* as $user: exit status $got, expected $want"
    fi
}
expect_status 0 custodian1 recordings --limit 1
expect_status 0 custodian1 export recording 1 -o /tmp/custodian1-copy --reason "package check"
expect_status 4 custodian1 verify
expect_status 0 auditor1 verify
expect_status 4 auditor1 export recording 1 -o /tmp/auditor1-copy --reason "package check"
expect_status 4 outsider1 recordings
expect_status 4 outsider1 export recording 1 -o /tmp/outsider1-copy --reason "package check"
# The bus policy lets the service user, and no other user but root, ask how much waits unread
# in a caller's queue: what the service's guard against slow readers measures.
stats_of_service() {
    as_user "$1" dbus-send --system --print-reply --dest=org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus.Debug.Stats.GetConnectionStats \
        string:org.cradled.Cradle1
}
stats_of_service cradled >"$work_dir/stats-cradled.out" 2>&1 || true
grep -q '"OutgoingBytes"' "$work_dir/stats-cradled.out" ||
    fail "the service user may not measure a caller's queue: $(cat "$work_dir/stats-cradled.out")"
stats_of_service outsider1 >"$work_dir/stats-outsider1.out" 2>&1 || true
grep -q 'AccessDenied' "$work_dir/stats-outsider1.out" ||
    fail "another user may measure the callers' queues: $(cat "$work_dir/stats-outsider1.out")"
echo "   the service user measures a caller's queue; outsider1 may not"
grep -q 'org.cradled.export is not granted to uid [0-9]* (outsider1)' \
    "$work_dir/rights-outsider1.out" || fail "the refusal does not name the right and the user"
[ ! -e "$root/tmp/outsider1-copy" ] && [ ! -e "$root/tmp/auditor1-copy" ] ||
    fail "a refused export left a file"
kill -TERM "$service_pid"
wait "$service_pid" || fail "the service did not stop cleanly (log: $service_log)"
# Every refusal and every export is in the audit log (the catalog's text, read as bytes).
for entry in "OpenRecording of recording 1 for 'package check' by uid [0-9]* (custodian1)" \
    "OpenRecording of recording 1 for 'package check' refused to uid [0-9]* (outsider1)" \
    "ListRecordingsPage refused to uid [0-9]* (outsider1)" \
    "Verify refused to uid [0-9]* (custodian1)"; do
    cat "$root/var/lib/cradled/catalog.sqlite"* | grep -aq "$entry" ||
        fail "not in the audit log: $entry"
    echo "   on record: $entry"
done
stop_root_processes
done_step

step "dpkg --purge keeps the archive and the catalog"
state=$root/var/lib/cradled
[ -f "$state/catalog.sqlite" ] || fail "no catalog in /var/lib/cradled after the demonstration"
archive_digest() { (cd "$state" && find archive -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }
archive_before=$(archive_digest)
archive_files=$(find "$state/archive" -type f | wc -l)
catalog_before=$(sha256sum <"$state/catalog.sqlite")
run_logged "$work_dir/purge.log" in_root dpkg --purge cradled
[ ! -e "$root/etc/cradled/cradled.toml" ] || fail "purge left /etc/cradled/cradled.toml"
[ -f "$state/catalog.sqlite" ] || fail "purge deleted the catalog"
[ "$(sha256sum <"$state/catalog.sqlite")" = "$catalog_before" ] || fail "purge changed the catalog"
[ "$(archive_digest)" = "$archive_before" ] ||
    fail "purge deleted or changed archived recordings"
echo "   catalog and $archive_files archived files unchanged; /etc/cradled removed"
done_step

step "passed in $((SECONDS - started)) s"
