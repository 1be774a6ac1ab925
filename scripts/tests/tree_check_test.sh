#!/usr/bin/env bash
# Host test of scripts/validate --tree on bad input, with a stand-in kernel
# tree (scripts/lib/fake_tree.sh), so no kernel is built: a path that is
# missing, a file, not a kernel tree, a tree without tinyconfig's fragments,
# with an in-tree config, with leftovers of an in-tree build, or with a
# build running in it (make -C TREE; make -f TREE/Makefile elsewhere) is
# refused with a clear message and exit 2 before anything is built. A clean
# tree passes, our own builds (CLONE3_KBUILD=1) do not count as a build in
# progress, and build_tree builds it out of tree without writing into it.
# A tree whose tinyconfig fails is exit 2 too.
# Output: TAP. Exit 0 all ok, 1 a failure.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$TOP/scripts/lib/kernel.sh"
source "$TOP/scripts/lib/fake_tree.sh"

scratch=$(mktemp -d)
bg=""
cleanup() {
	[ -z "$bg" ] || kill -- -"$bg" 2>/dev/null || true
	rm -rf "$scratch"
}
trap cleanup EXIT
export CLONE3_CACHE="$scratch/cache"
CACHE_ROOT=$CLONE3_CACHE
echo "1..14"
source "$TOP/scripts/lib/tap.sh"

# refused N-DESCRIPTION PATTERN PATH: validate --tree PATH exits 2 and
# its message matches PATTERN.
refused() {
	local desc=$1 pat=$2 path=$3 rc=0 err
	err=$("$TOP/scripts/validate" --tree "$path" 2>&1 >/dev/null) || rc=$?
	if [ $rc = 2 ] && grep -Eq "$pat" <<<"$err"; then ok 0 "$desc"
	else ok 1 "$desc"; printf '#   exit %s: %s\n' "$rc" "$err" | head -n 5; fi
}

refused "a missing path: exit 2" 'no such directory' "$scratch/nope"
touch "$scratch/afile"
refused "a file: exit 2" 'is not a directory' "$scratch/afile"
mkdir -p "$scratch/notkernel/kernel"; echo 'all:' >"$scratch/notkernel/Makefile"
refused "not a kernel tree: exit 2" 'is not a Linux kernel source tree' "$scratch/notkernel"

fake_tree "$scratch/t"
t=$(cd "$scratch/t" && pwd -P)
rc=0; (check_tree "$t") 2>"$scratch/err" || rc=$?
ok $rc "a clean tree passes the checks"
[ $rc = 0 ] || sed 's/^/#   /' "$scratch/err"

rm "$t/kernel/configs/tiny.config"
refused "no tinyconfig fragment (no clean config possible): exit 2" 'cannot give a clean config' "$t"
git -C "$t" checkout -q -- kernel/configs/tiny.config

echo CONFIG_X=y >"$t/.config"
refused "an in-tree .config: exit 2" 'no clean config' "$t"
rm "$t/.config"; mkdir -p "$t/include/config"
refused "an in-tree include/config: exit 2" 'no clean config' "$t"
rm -rf "$t/include"

touch "$t/.tmp_vmlinux1"
refused "leftovers of an in-tree build (.tmp_*): exit 2" 'leftovers of an in-tree build' "$t"
rm "$t/.tmp_vmlinux1"

# A build running in the tree: make -C TREE (its cwd is the tree).
setsid make -s -C "$t" sleep >/dev/null 2>&1 & bg=$!
sleep 1
refused "a running 'make -C TREE': exit 2, build in progress" "build in progress.*|pid [0-9]+ make" "$t"
kill -- -"$bg" 2>/dev/null || true; wait "$bg" 2>/dev/null || true; bg=""

# A make elsewhere whose arguments name the tree (as kbuild's O= sub-make).
mkdir -p "$scratch/elsewhere"
(cd "$scratch/elsewhere" && exec setsid make -s -f "$t/Makefile" sleep >/dev/null 2>&1) & bg=$!
sleep 1
refused "a running make whose arguments name the tree: exit 2" "build in progress" "$t"
kill -- -"$bg" 2>/dev/null || true; wait "$bg" 2>/dev/null || true; bg=""

# Our own build of the tree (marked CLONE3_KBUILD=1) is not in the way:
# a second run waits for the lock instead.
(cd "$t" && CLONE3_KBUILD=1 exec setsid make -s sleep >/dev/null 2>&1) & bg=$!
sleep 1
rc=0; (check_tree "$t") 2>"$scratch/err" || rc=$?
ok $rc "our own build of the tree (CLONE3_KBUILD=1) is not a build in progress"
kill -- -"$bg" 2>/dev/null || true; wait "$bg" 2>/dev/null || true; bg=""

# build_tree: out of tree, the tree untouched.
before=$(cd "$t" && find . -path ./.git -prune -o -type f -printf '%p %T@\n' | sort | sha256sum)
rc=0; img=$(build_tree "$t" 2>"$scratch/err") || rc=$?
after=$(cd "$t" && find . -path ./.git -prune -o -type f -printf '%p %T@\n' | sort | sha256sum)
[ $rc = 0 ] && [ -s "$img" ] && [ "$before" = "$after" ] && [ -z "$(git -C "$t" status --porcelain --ignored)" ]
ok $? "build_tree builds a clean tree out of tree and writes nothing into it"
[ $rc = 0 ] || sed 's/^/#   /' "$scratch/err"

# build_tree checks again just before building: a build that started after
# validate looked at its arguments is still refused.
touch "$t/.tmp_vmlinux1"
rc=0; (build_tree "$t") >/dev/null 2>"$scratch/err" || rc=$?
[ $rc = 2 ] && grep -q 'leftovers' "$scratch/err"
ok $? "build_tree re-checks the tree before building (exit 2)"
rm "$t/.tmp_vmlinux1"

# A tree that cannot be configured is the developer's input: exit 2.
sed -i 's/^\tprintf .CONFIG_TINY=y.*/\tfalse/' "$t/Makefile"
rm -rf "$CACHE_ROOT/kbuild"   # configure afresh
rc=0; (build_tree "$t") >/dev/null 2>"$scratch/err" || rc=$?
[ $rc = 2 ] && grep -q 'make tinyconfig failed' "$scratch/err"
ok $? "a tree whose tinyconfig fails: exit 2 with the config log named"
[ $rc = 2 ] || sed 's/^/#   /' "$scratch/err"
[ $fails = 0 ]
