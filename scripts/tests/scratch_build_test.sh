#!/usr/bin/env bash
# Host test, opt-in (CLONE3_SLOW_TESTS=1: a full kernel build, about 8
# minutes on 2 cores, plus two boots): the image the harness builds
# incrementally for the patched 6.18 (build_image: the persistent build
# tree moved by checkout, ccache) and a build of the same source from
# scratch (git archive into a temporary directory, empty build tree, no
# ccache) give the same vmlinux build id and the same test results.
# Figures (build seconds, build ids, results) go to TAP comments and to
# $CLONE3_SCRATCH_OUT/figures (default: a temporary directory, kept).
# Output: TAP. Exit 0 all ok or skipped, 1 a failure.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$TOP/scripts/lib/apt.sh"
source "$TOP/scripts/lib/kernel.sh"

echo "1..3"
if [ "${CLONE3_SLOW_TESTS:-}" != 1 ]; then
	for i in 1 2 3; do echo "ok $i # SKIP a full kernel build; set CLONE3_SLOW_TESTS=1 to run it"; done
	exit 0
fi
out=${CLONE3_SCRATCH_OUT:-$(mktemp -d /tmp/clone3-scratch.XXXXXX)}
mkdir -p "$out"
fails=0
check() { if eval "$2"; then echo "ok $1 $3"; else echo "not ok $1 $3"; fails=$((fails + 1)); fi; }
note() { printf '# %s\n' "$*"; printf '%s\n' "$*" >>"$out/figures"; }
: >"$out/figures"

# build_id_of IMAGEDIR REPO: the recorded build id, or the one of the
# vmlinux inside the bzImage (images built before build-id was recorded).
build_id_of() {
	if [ -s "$1/build-id" ]; then cat "$1/build-id"; return; fi
	"$2/scripts/extract-vmlinux" "$1/bzImage" >"$out/extracted-vmlinux" 2>/dev/null &&
		vmlinux_build_id "$out/extracted-vmlinux"
}

apt_init
lines=$(base_commits 6.18) || exit $?
mapfile -t c <<<"$lines"
repo=${c[0]} commit=${c[-1]}
tree=$(git -C "$repo" rev-parse "$commit^{tree}")

# 1. The incremental image (built now if the cache has none yet).
t0=$SECONDS
img=$(build_image "$repo" "$commit" 6.18) || exit $?
note "source: $(basename "$repo") + series, commit ${commit:0:12}, tree ${tree:0:12}, config $(config_hash)"
note "incremental image: $img (build step now $((SECONDS - t0)) s; recorded build $(cat "$img/build-seconds" 2>/dev/null || echo -) s)"
incr_id=$(build_id_of "$img" "$repo" || echo none)

# 2. From scratch: the same tree exported elsewhere, an empty build tree,
# ccache off. Same kbuild(), so the same configuration recipe.
src="$out/src" obj="$out/obj"
rm -rf "$src" "$obj"; mkdir -p "$src"
git -C "$repo" archive "$commit" | tar -x -C "$src"
t0=$SECONDS
( export CCACHE_DISABLE=1; kbuild "$src" "$obj" ) || { echo "not ok 1 the scratch build failed (see $obj/build.log)"; exit 1; }
scratch_s=$((SECONDS - t0))
scratch_id=$(vmlinux_build_id "$obj/vmlinux" || echo none)
note "scratch build: $scratch_s s (make -j$(nproc), no ccache) in $obj"
note "build id incremental: $incr_id"
note "build id scratch:     $scratch_id"
same_bz=no; cmp -s "$img/bzImage" "$obj/arch/x86/boot/bzImage" && same_bz=yes
note "bzImage byte-identical: $same_bz ($(sha256sum <"$img/bzImage" | cut -c1-16) vs $(sha256sum <"$obj/arch/x86/boot/bzImage" | cut -c1-16))"
check 1 '[ "$incr_id" != none ] && [ "$incr_id" = "$scratch_id" ]' "incremental and scratch vmlinux have the same build id"
if [ "$incr_id" != "$scratch_id" ]; then
	"$repo/scripts/extract-vmlinux" "$img/bzImage" >"$out/incr-vmlinux" 2>/dev/null || true
	note "strings only in the incremental vmlinux (first 10):"
	comm -23 <(strings -n 8 "$out/incr-vmlinux" | sort -u) <(strings -n 8 "$obj/vmlinux" | sort -u) | head -n 10 | sed 's/^/    /' |
		tee -a "$out/figures" | sed 's/^/# /'
fi

# 3. The suite on both.
mkdir -p "$out/k"
cp "$img/bzImage" "$out/k/incremental"; cp "$obj/arch/x86/boot/bzImage" "$out/k/scratch"
rc=0
"$TOP/scripts/validate" --kernel "$out/k/incremental" --kernel "$out/k/scratch" --role dut \
	--out "$out/results" >"$out/validate.log" 2>&1 || rc=$?
results() { sed -n 's/^\(not ok\|ok\) [0-9]* \(.*\)$/\1 \2/p' "$out/results/kernel-$1/ktap.txt" 2>/dev/null | sort; }
summary() {
	python3 - "$out/results/kernel-$1/summary.json" <<'PY' 2>/dev/null || echo none
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{r['passed']} passed, {r['failed']} failed, {r['skipped']} skipped, verdict {r['verdict']}, "
      f"boot {r['boot_seconds']} s, suite {round(r['suite_seconds'] or 0, 1)} s")
PY
}
for k in incremental scratch; do note "suite on $k: $(summary $k)"; done
check 2 '[ $rc = 0 ]' "both kernels pass the suite as dut (validate exit $rc; log $out/validate.log)"
check 3 '[ -n "$(results incremental)" ] && [ "$(results incremental)" = "$(results scratch)" ]' "same result for every test"
note "figures in $out/figures"
[ $fails = 0 ]
