#!/usr/bin/env bash
# Host test: a ccache directory that is unusable never stops a build. With
# a stand-in kernel tree (scripts/lib/fake_tree.sh, one file compiled with
# CC="ccache gcc") and a scratch cache: the cache's ccache directory is a
# file, on a read-only mount, or on a full filesystem, or goes read-only
# after the check (ccache fails in the middle of the build). Each time the
# build still gives a bzImage, the compiler command line stays
# "ccache gcc" (so kbuild would not rebuild anything because of it), and a
# run of two builds sharing one CLONE3_CCACHE_STATE (as validate does) says
# "building without ccache" exactly once. The mount cases need root and
# mount(8); they skip otherwise.
# Output: TAP. Exit 0 all ok or skipped, 1 a failure.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$TOP/scripts/lib/kernel.sh"
source "$TOP/scripts/lib/fake_tree.sh"

scratch=$(mktemp -d)
mounts=()
cleanup() {
	local m
	for m in ${mounts[@]+"${mounts[@]}"}; do umount "$m" 2>/dev/null || true; done
	rm -rf "$scratch"
}
trap cleanup EXIT
fake_tree "$scratch/t"
echo "1..5"
source "$TOP/scripts/lib/tap.sh"
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

# two_builds CASE [STATE]: a fresh cache root $scratch/CASE (prepared by
# the caller), two kbuilds of the fake tree in subshells sharing one state
# file (preset to STATE); prints the number of "without ccache" warnings;
# returns non-zero if a build failed or the compiler was not "ccache gcc".
two_builds() {
	local c=$1 state rc=0 i
	state=$(mktemp); [ -z "${2:-}" ] || echo "$2" >"$state"
	for i in 1 2; do
		rm -rf "$scratch/$c/kbuild"
		( CACHE_ROOT="$scratch/$c" CLONE3_CCACHE_STATE=$state
		  kbuild "$scratch/t" "$scratch/$c/kbuild/obj" ) 2>>"$scratch/$c.err" >/dev/null || rc=1
		[ -s "$scratch/$c/kbuild/obj/arch/x86/boot/bzImage" ] || rc=1
	done
	grep -c 'building without ccache' "$scratch/$c.err" || true
	rm -f "$state"
	return $rc
}
report() { # DESCRIPTION CASE WARNINGS RC [PATTERN]
	local pat=${5:-.}
	if [ "$4" = 0 ] && [ "$3" = 1 ] && grep -q -- "$pat" "$scratch/$2.err"; then ok 0 "$1"
	else ok 1 "$1"; echo "#   build rc $4, $3 warnings:"; sed 's/^/#   /' "$scratch/$2.err" | head -n 8; fi
}

# 1: a working cache: builds use it, and say nothing.
mkdir -p "$scratch/good"
rc=0; w=$(two_builds good) || rc=$?
hits=$(CCACHE_DIR="$scratch/good/ccache" ccache -s -v 2>/dev/null | awk '/^ *Hits:/ { print $2; exit }')
[ $rc = 0 ] && [ "$w" = 0 ] && [ "${hits:-0}" -ge 1 ]
ok $? "a usable ccache directory: built through ccache (cache hits: ${hits:-none}), no warning"

# 2: a file where the ccache directory should be.
mkdir -p "$scratch/file"; touch "$scratch/file/ccache"
rc=0; w=$(two_builds file) || rc=$?
report "ccache directory is a file: built without ccache, said once" file "$w" $rc 'is not a directory'

if [ "$(id -u)" != 0 ] || ! command -v mount >/dev/null; then
	skip "read-only ccache directory (needs root for a read-only bind mount)"
	skip "full filesystem (needs root for a small tmpfs)"
	skip "ccache failing mid-build (needs root)"
	[ $fails = 0 ]; exit
fi

# 3: a read-only bind mount (as root, chmod would not stop us).
mkdir -p "$scratch/ro/ccache"
if mount --bind "$scratch/ro/ccache" "$scratch/ro/ccache" 2>/dev/null &&
   mount -o remount,bind,ro "$scratch/ro/ccache" 2>/dev/null; then
	mounts+=("$scratch/ro/ccache")
	rc=0; w=$(two_builds ro) || rc=$?
	report "read-only ccache directory: built without ccache, said once" ro "$w" $rc 'Read-only file system'
else
	skip "read-only ccache directory (mount --bind failed)"
fi

# 4: a full filesystem (a 1 MiB tmpfs, filled).
mkdir -p "$scratch/full/ccache"
if mount -t tmpfs -o size=1m tmpfs "$scratch/full/ccache" 2>/dev/null; then
	mounts+=("$scratch/full/ccache")
	dd if=/dev/zero of="$scratch/full/ccache/fill" bs=64k 2>/dev/null || true
	rc=0; w=$(two_builds full) || rc=$?
	report "ccache directory on a full filesystem: built without ccache, said once" full "$w" $rc 'is full'
else
	skip "full filesystem (mount -t tmpfs failed)"
fi

# 5: the check passed earlier in the run (state "on"), then the directory
# went read-only: ccache fails inside make, the build goes on without it.
if [ -n "$(findmnt -n "$scratch/ro/ccache" 2>/dev/null)" ]; then
	mkdir -p "$scratch/mid/ccache"
	mount --bind "$scratch/mid/ccache" "$scratch/mid/ccache" &&
		mount -o remount,bind,ro "$scratch/mid/ccache" && mounts+=("$scratch/mid/ccache")
	rc=0; w=$(two_builds mid on) || rc=$?
	report "ccache failing in the middle of a build: rebuilt without it, said once" mid "$w" $rc 'failed during the build'
else
	skip "ccache failing mid-build (no read-only mount)"
fi
[ $fails = 0 ]
