#!/usr/bin/env bash
# Host test of scripts/validate --shard I/N and scripts/merge-results: the
# merge of the shards equals one unsharded run (summary.json, KCIDB and
# junit.xml without timings, the exit code), and a missing shard
# makes the merge exit 255. The default set (patched 6.18, Debian 7.3,
# Debian 6.18) with a filter of 7 tests as 2 shards against one unsharded
# run: real boots of the images scripts/validate built and fetched in this
# run (about a minute), when results/summary.json shows that validate ran
# those three; else three stand-in kernel trees, one failing, and a
# stand-in QEMU (scripts/lib/fake_tree.sh; nothing is built or booted).
# Output: TAP. Exit 0 all ok or skipped, 1 a failure.
set -euo pipefail
# Sharding is the point here, not upstream selftests (they add minutes per boot).
export CLONE3_KSELFTESTS=0
source "$(dirname "$0")/../lib/common.sh"
source "$TOP/scripts/lib/fake_tree.sh"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "1..2"
source "$TOP/scripts/lib/tap.sh"

# same A B: the merged results in A equal the unsharded ones in B.
same() {
	python3 - "$1" "$2" <<'PY'
import json, re, sys
TIMES = {"build_seconds", "boot_seconds", "wall_seconds", "suite_seconds", "start_time",
         "duration", "image", "fetch_seconds", "ms"}
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in TIMES}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
a, b = sys.argv[1:]
rows = [strip(json.load(open(f"{d}/summary.json"))) for d in (a, b)]
kc = [json.load(open(f"{d}/kcidb.json")) for d in (a, b)]
kc = [{k: sorted(json.dumps(strip(o), sort_keys=True) for o in d[k])
       for k in ("checkouts", "builds", "tests")} for d in kc]
# A test's time (the '# time: N ms' of a slow one) differs run to run.
junit = [re.sub(r' time="[^"]*"', "", open(f"{d}/junit.xml").read()) for d in (a, b)]
bad = [what for what, x in (("summary.json", rows), ("kcidb.json", kc), ("junit.xml", junit))
       if x[0] != x[1]]
if not kc[0]["tests"]:
    bad.append("no KCIDB tests")
if kc[0] != kc[1]:
    for k in kc[0]:
        only = sorted(set(kc[0][k]) ^ set(kc[1][k]))
        if only:
            bad.append(f"({k}: {len(only)} objects differ, e.g. {only[0][:300]})")
print(" ".join(bad))
sys.exit(1 if bad else 0)
PY
}

# run_sharded N OUT ARGS...: validate ARGS as N shards, then merge; prints
# the exit code of the merge.
run_sharded() {
	local shards=$1 dest=$2 i rc=0; shift 2
	for ((i = 1; i <= shards; i++)); do
		"$TOP/scripts/validate" "$@" --shard "$i/$shards" --out "$dest/shard$i" >"$dest.log$i" 2>&1 || true
	done
	"$TOP/scripts/merge-results" --out "$dest/merged" "$dest"/shard* >"$dest.merge.log" 2>&1 || rc=$?
	echo "$rc"
}

# missing_shard DIR: merging shard 1 of 2 alone exits 255 and says so.
missing_shard() {
	local mrc=0 r=0
	"$TOP/scripts/merge-results" --out "$scratch/partial" "$1/shard1" >/dev/null 2>"$scratch/partial.err" || mrc=$?
	[ "$mrc" = 255 ] && grep -q 'shard(s) 2 of 2 missing' "$scratch/partial.err" || r=1
	ok $r "a missing shard: the merge exits 255 and names it (exit $mrc)"
}

ids=$(python3 -c 'import json, sys; print(" ".join(r["id"] for r in json.load(open(sys.argv[1]))))' \
	"$TOP/results/summary.json" 2>/dev/null || true)
t0=$SECONDS
if [[ " $ids " =~ \ linux_6\.18[^\ ]*-p[1-9][0-9]*\  ]] && [[ " $ids " =~ \ debian-7\.3 ]] && [[ " $ids " =~ \ debian-6\.18 ]]; then
	what="the default set (3 kernels, real boots)"
	args=(--filter 'BaselineFork.*:AutoreapWait.*:NnpChild.*')
	want=0
else
	# No images of the default set yet: stand-in trees, one failing.
	what="3 stand-in trees (no default-set images yet)"
	export CLONE3_CACHE="$scratch/cache" CLONE3_ACCEL=tcg
	fake_qemu "$scratch/bin"
	export PATH="$scratch/bin:$PATH"
	for t in a b c; do fake_tree "$scratch/$t"; done
	fake_commit "$scratch/b" "fails a test" CLONE3_FAKE_BAD
	args=(--tree "$scratch/a" --tree "$scratch/b" --tree "$scratch/c" --filter 'Fake*')
	want=1
fi
rc=0; "$TOP/scripts/validate" "${args[@]}" --out "$scratch/whole" >"$scratch/whole.log" 2>&1 || rc=$?
mkdir -p "$scratch/s2"
mrc=$(run_sharded 2 "$scratch/s2" "${args[@]}")
diff=$(same "$scratch/s2/merged" "$scratch/whole") || true
kernels=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$scratch/s2/merged/summary.json" 2>/dev/null || echo 0)
r=0; [ -z "$diff" ] && [ "$mrc" = "$rc" ] && [ "$rc" = "$want" ] && [ "$kernels" = 3 ] || r=1
ok $r "$what as 2 shards: the merge equals the unsharded run (exit $mrc, unsharded $rc, $((SECONDS - t0)) s)${diff:+; differ: $diff}"
[ $r = 0 ] || tail -n 5 "$scratch/whole.log" "$scratch/s2.merge.log" | sed 's/^/#   /'
missing_shard "$scratch/s2"
[ $fails = 0 ]
