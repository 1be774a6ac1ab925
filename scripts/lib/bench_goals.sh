# scripts/bench goals: the speed goals of the harness work, measured now
# and printed beside the figures measured before it, as ratios. Never
# fails on speed. Source from scripts/bench (after bench_build.sh, whose
# median and verdict helpers it uses).

# The figures before the harness core (issue 17, measured on this kind of
# machine, uncontended): seconds.
GOAL_BEFORE_TEST=132      # warm scripts/test, 4 kernels (6.18, 6.12, Debian 7.3, Debian 6.18)
GOAL_BEFORE_SUITE=28.2    # suite on a feature kernel (24-28 s; the worst)
GOAL_BEFORE_PERCOMMIT=253 # warm --per-commit of the 6.18 series, nothing to build
GOAL_TEST=60 GOAL_SUITE=15 GOAL_PERCOMMIT=120

# timed LABEL ARGS...: wall seconds of one warm run of --base 6.18 plus
# ARGS in the project (bench_build.sh's verdict); its summary is
# $out/LABEL/summary.json.
timed() { local label=$1; shift; verdict "$TOP" "$label" "$@" | awk '{ print $4 }'; }

# max_suite SUMMARY: the longest suite_seconds of a run's kernels
max_suite() { python3 -c "import json,sys; print(max((r.get('suite_seconds') or 0) for r in json.load(open(sys.argv[1]))))" "$1"; }

bench_goals() {
	local four=(--base 6.12 --debian 7.3 --debian 6.18)   # and verdict's --base 6.18
	log "warming: one run of the four kernels builds or fetches whatever is missing"
	timed warmup "${four[@]}" >/dev/null
	log "warm run of the four kernels, without upstream selftests (the goal's scope)"
	local test_nk; test_nk=$(timed test-no-kselftests "${four[@]}" --no-kselftests)
	log "warm run of the four kernels, with upstream selftests (what scripts/test runs)"
	local test_ks; test_ks=$(timed test-kselftests "${four[@]}")
	local suite; suite=$(max_suite "$out/test-no-kselftests/summary.json")
	log "warm --per-commit of the 6.18 series, without upstream selftests"
	timed per-commit-warmup --per-commit --no-kselftests >/dev/null
	local pc_nk; pc_nk=$(timed per-commit-no-kselftests --per-commit --no-kselftests)
	log "warm --per-commit of the 6.18 series, with upstream selftests"
	local pc_ks; pc_ks=$(timed per-commit-kselftests --per-commit)

	printf '\nspeed goals (seconds; host %s cores, TCG; before = measured before the harness core)\n' "$(nproc)"
	python3 - "$test_nk" "$test_ks" "$suite" "$pc_nk" "$pc_ks" \
		"$GOAL_BEFORE_TEST" "$GOAL_BEFORE_SUITE" "$GOAL_BEFORE_PERCOMMIT" \
		"$GOAL_TEST" "$GOAL_SUITE" "$GOAL_PERCOMMIT" <<'PY'
import sys
tn, tk, su, pn, pk, bt, bs, bp, gt, gs, gp = map(float, sys.argv[1:])
rows = [("warm test, 4 kernels, no kselftests", bt, gt, tn),
        ("warm test, 4 kernels, with kselftests", bt, gt, tk),
        ("suite, slowest kernel, no kselftests", bs, gs, su),
        ("warm --per-commit 6.18, no kselftests", bp, gp, pn),
        ("warm --per-commit 6.18, with kselftests", bp, gp, pk)]
print(f"{'figure':42} {'before':>7} {'goal':>6} {'now':>7} {'now/before':>10} {'now/goal':>9}  met")
for name, b, g, n in rows:
    print(f"{name:42} {b:7.1f} {g:6.0f} {n:7.1f} {n / b:10.2f} {n / g:9.2f}  {'yes' if n <= g else 'no'}")
print("(the with-kselftests rows run upstream's pidfd and clone3 selftests in every boot, which the goals predate)")
PY
}
