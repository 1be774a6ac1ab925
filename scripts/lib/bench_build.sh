# scripts/bench build: time the developer loop on the 6.18 series in a
# scratch copy of the project, so the real series is never touched.
# Source from scripts/bench.

# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }

# field KEY SUMMARY: one number summed over the kernels of a summary.json
# (one kernel for a plain verdict; every prefix for --per-commit)
field() { python3 -c "import json,sys; print(round(sum(r.get(sys.argv[1]) or 0 for r in json.load(open(sys.argv[2]))), 2))" "$1" "$2"; }

# add_touch_patch WT FILE N: append to the scratch series a patch that
# adds one comment line at the end of FILE (content N).
add_touch_patch() {
	local wt=$1 file=$2 n=$3 lines new name
	drop_touch_patches "$wt"   # the new patch replaces any earlier one
	lines=$(TOP=$wt base_commits 6.18) || exit $?
	local -a c; mapfile -t c <<<"$lines"
	new=$(mktemp)
	{ git -C "${c[0]}" show "${c[-1]}:$file"; echo "/* bench $n */"; } >"$new"
	name="9999-bench-touch-$(echo "$file" | tr '/.' '--').patch"
	file_patch "${c[0]}" "${c[-1]}" "$file" "$new" "bench: touch $file" \
		>"$wt/kernel-patches/6.18/$name"
	grep -qx "$name" "$wt/kernel-patches/6.18/series" || echo "$name" >>"$wt/kernel-patches/6.18/series"
	rm -f "$new"
}

# use_touch_patch WT FILE NAME: make the saved patch FILE the only touch
# patch, and delete the image it maps to (a bench-only image), so the next
# verdict builds it.
use_touch_patch() {
	local wt=$1 lines tree
	drop_touch_patches "$wt"
	cp "$2" "$wt/kernel-patches/6.18/$3"
	echo "$3" >>"$wt/kernel-patches/6.18/series"
	lines=$(TOP=$wt base_commits 6.18) || exit $?
	local -a c; mapfile -t c <<<"$lines"
	tree=$(git -C "${c[0]}" rev-parse "${c[-1]}^{tree}")
	rm -rf "$CACHE_ROOT/images/6.18-${tree:0:12}-$(config_hash)"
}

drop_touch_patches() {
	rm -f "$1"/kernel-patches/6.18/9999-bench-*
	sed -i '/^9999-bench-/d' "$1/kernel-patches/6.18/series"
}

# verdict WT LABEL [validate args]: one warm verdict; prints "build boot suite wall"
verdict() {
	local wt=$1 label=$2; shift 2
	local t0=${EPOCHREALTIME/./} o="$out/$label"
	"$wt/scripts/validate" --base 6.18 --out "$o" "$@" >"$o.log" 2>&1 || {
		local rc=$?; [ $rc = 1 ] || { tail -n 5 "$o.log" >&2; infra "bench step $label failed (see $o.log)"; }
	}
	local wall=$(((${EPOCHREALTIME/./} - t0) / 10000))
	printf '%s %s %s %d.%02d\n' "$(field build_seconds "$o/summary.json")" \
		"$(field boot_seconds "$o/summary.json")" "$(field suite_seconds "$o/summary.json")" \
		$((wall / 100)) $((wall % 100))
}

row() { # label, then lines "build boot suite wall" on stdin
	local label=$1 data b bo s w n
	data=$(cat)
	n=$(wc -l <<<"$data")
	b=$(cut -d' ' -f1 <<<"$data" | median); bo=$(cut -d' ' -f2 <<<"$data" | median)
	s=$(cut -d' ' -f3 <<<"$data" | median); w=$(cut -d' ' -f4 <<<"$data" | median)
	printf '%-46s %4s %9s %8s %8s %9s %16s\n' "$label" "$n" "$b" "$bo" "$s" "$w" \
		"$(awk -v b="$b" -v bo="$bo" -v s="$s" -v w="$w" 'BEGIN { if (w > 0) printf "%d/%d/%d", 100 * b / w, 100 * bo / w, 100 * s / w; else print "-" }')"
}

bench_build() {
	local wt="$out/project" i
	log "scratch copy of the project in $wt"
	scratch_copy "$wt"
	# Its own suite build directory: the scratch copy's sources, not $TOP's.
	export CLONE3_BUILD_DIR="$BUILD_DIR-bench"

	{
	printf '\ndeveloper loop on the 6.18 series (seconds; median of n; host %s cores, TCG)\n' "$(nproc)"
	printf '%-46s %4s %9s %8s %8s %9s %16s\n' step n build boot suite wall "% build/boot/suite"
	} >"$out/table"
	cat "$out/table"
	if [ $cold = 1 ]; then
		log "cold build (no image, no build tree, no ccache)"
		local cfg; cfg=$(config_hash)
		rm -rf "$CACHE_ROOT"/images/6.18-*-"$cfg" "$CACHE_ROOT"/kbuild/linux_6.18*-"$cfg"
		CCACHE_DISABLE=1 verdict "$wt" cold | row "cold build + verdict" | tee -a "$out/table"
	fi
	verdict "$wt" warmup >/dev/null
	for ((i = 1; i <= runs; i++)); do verdict "$wt" noop-$i; done |
		row "warm no-op verdict" | tee -a "$out/table"
	for ((i = 1; i <= runs; i++)); do
		add_touch_patch "$wt" kernel/fork.c "c-$RANDOM-$i"
		verdict "$wt" c-only-$i
	done | row "one .c-only patch changed (new content)" | tee -a "$out/table"
	drop_touch_patches "$wt"
	verdict "$wt" back-to-series >/dev/null
	add_touch_patch "$wt" include/linux/sched/signal.h "h-$RANDOM"
	verdict "$wt" header-new | row "header patch, new content (full compile)" | tee -a "$out/table"
	# Switching between two states built before: v1 = the series plus a
	# fixed .c-only patch, v2 = the series plus the header patch above.
	# Both images are the bench's own and are deleted before each build,
	# so the build step really rebuilds (the build tree moves between the
	# two header contents) and the figure is ccache hits, not the image
	# cache. Neither state's compile is new to ccache after the first.
	local v2file="$out/header-v2.patch" v2name v1file="$out/c-v1.patch" v1name
	v2name=$(basename "$wt"/kernel-patches/6.18/9999-bench-*)
	cp "$wt/kernel-patches/6.18/$v2name" "$v2file"
	add_touch_patch "$wt" kernel/fork.c "c-v1-fixed"
	v1name=$(basename "$wt"/kernel-patches/6.18/9999-bench-*)
	cp "$wt/kernel-patches/6.18/$v1name" "$v1file"
	verdict "$wt" header-v1-0 >/dev/null   # v1's fork.c content seen once
	for ((i = 1; i <= 2; i++)); do
		use_touch_patch "$wt" "$v2file" "$v2name"
		verdict "$wt" header-v2-$i
		use_touch_patch "$wt" "$v1file" "$v1name"
		verdict "$wt" header-v1-$i
	done | row "switch v1 <-> v2 (images deleted: ccache hits)" | tee -a "$out/table"
	drop_touch_patches "$wt"
	verdict "$wt" per-commit-warmup --per-commit >/dev/null
	verdict "$wt" per-commit --per-commit | row "--per-commit over the series, warm" | tee -a "$out/table"
	log "figures also in $out/table"
}
