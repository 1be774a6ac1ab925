#!/usr/bin/env bash
# Host test of scripts/validate --bisect, with stand-in kernel trees and a
# stand-in QEMU (scripts/lib/fake_tree.sh), so no kernel is built or
# booted: a commit that does not build or never reaches the suite exits
# 125 (git bisect skips it), a usage error 255 (aborts the bisect); then a
# real 'git bisect run scripts/validate --tree . --bisect' over a fake
# history of 8 commits (good 0, bad 1) names the commit that broke a test,
# skipping the one that does not build.
# Output: TAP. Exit 0 all ok, 1 a failure.
set -euo pipefail
# Stand-in kernels: upstream selftests (a download and a build) are not the point here.
export CLONE3_KSELFTESTS=0
source "$(dirname "$0")/../lib/common.sh"
source "$TOP/scripts/lib/fake_tree.sh"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export CLONE3_CACHE="$scratch/cache" CLONE3_ACCEL=tcg
fake_qemu "$scratch/bin"
export PATH="$scratch/bin:$PATH"
echo "1..4"
source "$TOP/scripts/lib/tap.sh"

t="$scratch/linux"
fake_tree "$t"
# exit_of DESCRIPTION WANT: validate --bisect on the tree's HEAD exits WANT.
exit_of() {
	local rc=0
	(cd "$t" && "$TOP/scripts/validate" --tree . --bisect --filter 'Fake*' --out "$scratch/out") \
		>"$scratch/log" 2>&1 || rc=$?
	ok "$([ "$rc" = "$2" ]; echo $?)" "$1 (got $rc)"
	[ "$rc" = "$2" ] || tail -n 8 "$scratch/log" | sed 's/^/#   /'
}
fake_commit "$t" "no build" "syntax error"
exit_of "a commit that does not build: exit 125" 125
fake_commit "$t" "hangs at boot" CLONE3_FAKE_HANG
exit_of "a kernel that never reaches the suite (infrastructure): exit 125" 125
rc=0; (cd "$t" && "$TOP/scripts/validate" --tree . --bisect --shard 3/2) >/dev/null 2>&1 || rc=$?
ok "$([ $rc = 255 ]; echo $?)" "a usage error: exit 255, which aborts git bisect run (got $rc)"

# The history: 0 (fake_tree) good, 1, 2 good, 3 does not build, 4 good,
# 5 breaks the test, 6 and 7 stay bad.
h="$scratch/history"
fake_tree "$h"
good=$(git -C "$h" rev-parse HEAD)
fake_commit "$h" "one"
fake_commit "$h" "two"
fake_commit "$h" "three: does not build" "syntax error"
fake_commit "$h" "four"
fake_commit "$h" "five: breaks Autoreap.Fake" CLONE3_FAKE_BAD
culprit=$(git -C "$h" rev-parse HEAD)
fake_commit "$h" "six" CLONE3_FAKE_BAD
fake_commit "$h" "seven" CLONE3_FAKE_BAD
t0=$SECONDS
(
	cd "$h"
	git bisect start HEAD "$good" >/dev/null
	git bisect run "$TOP/scripts/validate" --tree . --bisect --filter 'Fake*' --out "$scratch/bisect"
) >"$scratch/bisect.log" 2>&1 || true
named=$(sed -n 's/^\([0-9a-f]\{40\}\) is the first bad commit$/\1/p' "$scratch/bisect.log")
steps=$(grep -c '^running ' "$scratch/bisect.log" || true)
skips=$(grep -c 'cannot be judged' "$scratch/bisect.log" || true)
ok "$([ "$named" = "$culprit" ] && [ "$skips" -ge 1 ]; echo $?)" \
	"git bisect run names the commit that broke the test ($steps steps, $skips skipped, $((SECONDS - t0)) s)"
[ "$named" = "$culprit" ] || tail -n 15 "$scratch/bisect.log" | sed 's/^/#   /'
git -C "$h" bisect reset -q >/dev/null 2>&1 || true
[ $fails = 0 ]
