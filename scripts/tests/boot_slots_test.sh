#!/usr/bin/env bash
# Host test of how many kernels scripts/validate boots at once, with a
# stand-in QEMU (scripts/lib/fake_tree.sh) whose "suite" takes 1.5 s and
# whose part after the suite (upstream's selftests) 3 s: with --boots 2 a
# third kernel starts beside two whose suites have ended (each counts as
# half), never beside two suites; with --boots 1 one kernel at a time.
# Output: TAP. Exit 0 all ok, 1 a failure.
set -euo pipefail
export CLONE3_KSELFTESTS=0
source "$(dirname "$0")/../lib/common.sh"
source "$TOP/scripts/lib/fake_tree.sh"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export CLONE3_CACHE="$scratch/cache" CLONE3_ACCEL=tcg FAKE_QEMU_SUITE_S=1.5 FAKE_QEMU_AFTER_S=3
fake_qemu "$scratch/bin"
export PATH="$scratch/bin:$PATH"
# A file with the bzImage boot header is all --kernel asks of a kernel.
for k in a b c; do
	{ head -c 514 /dev/zero; printf 'HdrS'; } >"$scratch/$k.bzImage"
done
echo "1..3"
source "$TOP/scripts/lib/tap.sh"

# most_at_once TIMES: the largest number of fake boots running at once
most_at_once() { sort -k2 -g "$1" | awk '{ n += ($1 == "start") ? 1 : -1; if (n > m) m = n } END { print m + 0 }'; }

run() { # LABEL BOOTS: three kernels; prints the most boots at once
	FAKE_QEMU_TIMES="$scratch/$1.times" "$TOP/scripts/validate" --no-kselftests --boots "$2" \
		--kernel "$scratch/a.bzImage" --kernel "$scratch/b.bzImage" --kernel "$scratch/c.bzImage" \
		--filter 'Fake*' --out "$scratch/$1" >"$scratch/$1.log" 2>&1 || true
	most_at_once "$scratch/$1.times"
}

m=$(run two 2)
[ "$m" = 3 ] && [ "$(grep -c start "$scratch/two.times")" = 3 ]; ok $? "--boots 2: the third kernel starts beside two whose suites have ended (at most $m at once)"
# the third start comes after the second one's suite (1.5 s) has ended
gap=$(grep start "$scratch/two.times" | sort -k2 -g | awk '{ s[NR] = $2 } END { printf "%.1f", s[3] - s[2] }')
awk -v g="$gap" 'BEGIN { exit !(g >= 1.4) }'; ok $? "--boots 2: never beside two running suites (third start $gap s after the second)"
m=$(run one 1)
[ "$m" = 1 ] && [ "$(grep -c start "$scratch/one.times")" = 3 ]; ok $? "--boots 1: one kernel at a time (at most $m at once)"
[ $fails = 0 ]
