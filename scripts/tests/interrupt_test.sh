#!/usr/bin/env bash
# Host test: an interrupted run stops its VM and says so. scripts/validate
# boots the Debian 7.3 kernel (cached by the run before) with the full
# suite; once QEMU runs, it gets SIGTERM (CI's cancel) and, in a
# second run, SIGINT (Ctrl-C). Each time: exit 143 or 130 within 10 s, a
# message naming the interrupted step and the partial results, no QEMU of
# the run left, and the next run (Baseline only) passes.
# Output: TAP. Exit 0 all ok or skipped, 1 a failure.
set -euo pipefail
# The interruption is the point here, not upstream selftests.
export CLONE3_KSELFTESTS=0
# Each run here is a run of its own, even when scripts/test (an
# interruptible run itself) runs this test.
unset CLONE3_INTERRUPTIBLE CLONE3_STEP_FILE CLONE3_RESULTS_NOTE
source "$(dirname "$0")/../lib/common.sh"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "1..3"
source "$TOP/scripts/lib/tap.sh"
if ! ls -d "$CACHE_ROOT"/debian-kernels/*7.3* >/dev/null 2>&1; then
	for i in 1 2 3; do echo "ok $i # SKIP no cached Debian 7.3 kernel (run scripts/validate --debian 7.3 first)"; done
	exit 0
fi

# interrupt SIGNAL CODE: boot, signal once the suite runs, check.
interrupt() {
	local sig=$1 code=$2 out="$scratch/$1" pid rc=0 t0 waited=0
	# A background job of a script starts with SIGINT ignored, which a
	# shell cannot trap; a terminal's foreground run has it. Restore it.
	python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
		"$TOP/scripts/validate" --debian 7.3 --out "$out" >"$scratch/$sig.log" 2>&1 &
	pid=$!
	until grep -q "booting debian" "$scratch/$sig.log" 2>/dev/null || [ $waited -ge 120 ]; do
		sleep 1; waited=$((waited + 1))
	done
	sleep 3   # QEMU is up
	t0=$SECONDS
	kill -"$sig" "$pid"
	wait "$pid" || rc=$?
	local took=$((SECONDS - t0)) left
	left=$(pgrep -f "qemu-system.*$out/initramfs" || true)
	local good=0
	[ "$rc" = "$code" ] || { echo "# exit $rc, expected $code"; good=1; }
	[ $took -le 10 ] || { echo "# took $took s"; good=1; }
	grep -q "interrupted by SIG$sig while: booting debian-7.3" "$scratch/$sig.log" || { echo "# no step in the message"; sed 's/^/# /' "$scratch/$sig.log"; good=1; }
	grep -q "partial results: $out" "$scratch/$sig.log" || { echo "# no partial results named"; good=1; }
	[ -z "$left" ] || { echo "# QEMU left running: $left"; kill $left 2>/dev/null; good=1; }
	ok $good "$sig stops the boot, exits $code, names the step and the partial results"
}
interrupt TERM 143
interrupt INT 130
rc=0
"$TOP/scripts/validate" --debian 7.3 --filter 'Baseline*' --out "$scratch/after" >"$scratch/after.log" 2>&1 || rc=$?
ok $rc "the next run passes (exit $rc)"
[ $fails = 0 ]
