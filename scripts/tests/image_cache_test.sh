#!/usr/bin/env bash
# Host test of the content-addressed image cache, on the real 6.18 base:
# a patch whose message changes keeps its image; a code change gives a new
# tree id and so a new image name; changing it back gives the first image
# back without running make. Needs the image of the current series (run
# scripts/validate --base 6.18 first); skips otherwise.
# Output: TAP. Exit 0 all ok or skipped, 1 a failure.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$TOP/scripts/lib/apt.sh"
source "$TOP/scripts/lib/kernel.sh"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -a "$TOP/kernel-patches" "$TOP/vm-images" "$scratch/"
echo "1..4"

image_of() { # prints the image dir the current scratch series maps to
	local lines; lines=$(TOP=$scratch base_commits 6.18) || return 1
	local -a c; mapfile -t c <<<"$lines"
	local tree; tree=$(git -C "${c[0]}" rev-parse "${c[-1]}^{tree}")
	echo "$CACHE_ROOT/images/6.18-${tree:0:12}-$(config_hash)"
}

apt_init
first=$(image_of)
if [ ! -s "$first/bzImage" ]; then
	echo "ok 1 # SKIP no image for the current 6.18 series yet (run scripts/validate --base 6.18)"
	echo "ok 2 # SKIP"; echo "ok 3 # SKIP"; echo "ok 4 # SKIP"
	exit 0
fi
fails=0
check() { if eval "$2"; then echo "ok $1 $3"; else echo "not ok $1 $3"; fails=$((fails + 1)); fi; }

last=$(grep -v '^#' "$scratch/kernel-patches/6.18/series" | tail -n1)
if [ -n "$last" ]; then
	sed -i '0,/^Subject: /s/^\(Subject: .*\)$/\1 (reworded)/' "$scratch/kernel-patches/6.18/$last"
fi
reworded=$(image_of)
check 1 '[ "$reworded" = "$first" ]' "a reworded commit message maps to the same image"

new=$(mktemp)
lines=$(TOP=$scratch base_commits 6.18); mapfile -t c <<<"$lines"
{ git -C "${c[0]}" show "${c[-1]}:kernel/fork.c"; echo "/* image cache test */"; } >"$new"
file_patch "${c[0]}" "${c[-1]}" kernel/fork.c "$new" "test: touch kernel/fork.c" \
	>"$scratch/kernel-patches/6.18/9999-test.patch"
rm -f "$new"
echo 9999-test.patch >>"$scratch/kernel-patches/6.18/series"
changed=$(image_of)
check 2 '[ "$changed" != "$first" ]' "a code change maps to a different image name"

sed -i '/^9999-test.patch$/d' "$scratch/kernel-patches/6.18/series"
back=$(image_of)
check 3 '[ "$back" = "$first" ]' "changing it back maps to the first image again"

stamp=$(stat -c %Y "$first/bzImage")
lines=$(TOP=$scratch base_commits 6.18); mapfile -t c <<<"$lines"
t0=$SECONDS
got=$(TOP=$scratch build_image "${c[0]}" "${c[-1]}" 6.18 2>&1)
check 4 '[ "$got" = "$first" ] && [ "$(stat -c %Y "$first/bzImage")" = "$stamp" ] && [ $((SECONDS - t0)) -lt 20 ]' \
	"build_image returns the first image without a rebuild"
[ $fails = 0 ]
