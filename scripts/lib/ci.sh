# What scripts/validate needs for CI at scale: the exit codes of --bisect,
# the shards of --shard, and the metadata of each kernel that KCIDB output
# and scripts/merge-results are made from. Source after common.sh.

# bisect_code RC PHASE: the exit code 'git bisect run' wants for validate's
# RC in PHASE: "args" (parsing: a usage error must abort the bisect, so
# 255, as git bisect run stops on 128 and above), "run" (before every
# kernel was judged: a build, configuration or infrastructure failure, or
# anything unexpected, is 125, "this commit cannot be judged"; a signal
# stays and aborts), "judged" (the verdict: 0 good, 1 bad, 255 125).
bisect_code() {
	case $2:$1 in
	args:0|judged:0|judged:1) echo "$1" ;;
	args:*) echo 255 ;;
	run:12[89]|run:1[3-9][0-9]|run:2[0-4][0-9]|run:25[0-4]) echo "$1" ;;
	*) echo 125 ;;
	esac
}

# bisect_exit RC PHASE: exit with bisect_code, saying what git bisect gets.
bisect_exit() {
	local code
	code=$(bisect_code "$1" "$2")
	case $code in
	0) log "bisect: good (exit 0)" ;;
	1) log "bisect: bad (exit 1)" ;;
	125) log "bisect: this commit cannot be judged (validate exit $1: build or infrastructure failure); exit 125, git bisect skips it" ;;
	*) log "bisect: validate exit $1; exit $code, which aborts git bisect run" ;;
	esac
	exit "$code"
}

# parse_shard I/N: check the argument of --shard; print "I N".
parse_shard() {
	[[ $1 =~ ^([0-9]+)/([0-9]+)$ ]] || usage_error "--shard takes I/N (e.g. 1/2), not '$1'"
	local i=$((10#${BASH_REMATCH[1]})) n=$((10#${BASH_REMATCH[2]}))
	[ "$n" -ge 1 ] && [ "$i" -ge 1 ] && [ "$i" -le "$n" ] ||
		usage_error "--shard $1: I must be between 1 and N"
	echo "$i $n"
}

# shard_mine UNIT: 0 when work unit UNIT (0, 1, 2 ... over the targets in
# order, one per target and one per prefix with --per-commit) belongs to
# this shard (SHARD_I of SHARD_N, round robin; 1/1 when not sharded).
shard_mine() {
	[ $(($1 % ${SHARD_N:-1})) = $((${SHARD_I:-1} - 1)) ]
}

# shard_any FIRST COUNT: 0 when any of COUNT units from FIRST is ours.
shard_any() {
	local u
	for ((u = $1; u < $1 + $2; u++)); do shard_mine "$u" && return 0; done
	return 1
}

# write_meta FILE KEY VALUE...: a JSON object of string values (a value
# with newlines stays one string); KEY[] makes the value a list of lines.
write_meta() {
	local file=$1; shift
	python3 - "$file" "$@" <<'PY'
import json, sys
out, args = sys.argv[1], sys.argv[2:]
meta = {}
for key, value in zip(args[0::2], args[1::2]):
    if key.endswith("[]"):
        meta[key[:-2]] = [v for v in value.split("\n") if v]
    else:
        meta[key] = value
with open(out, "w") as f:
    json.dump(meta, f, indent=2, sort_keys=True)
    f.write("\n")
PY
}

# list_suite_tests FILTER OUT: the names of the suite's tests that FILTER
# selects (all when empty), one a line, from the host-built binary's
# gtest listing (nothing runs): the tests KCIDB reports as MISS on a
# kernel that never ran them.
list_suite_tests() {
	local bin="$BUILD_DIR/selftests/clone3_selftests"
	"$bin" --gtest_list_tests ${1:+"--gtest_filter=$1"} 2>/dev/null |
		awk '/^[^ ]/ { suite = $1; next } /^  [^ ]/ { print suite $1 }' >"$2" || : >"$2"
}

# ci_outputs: after the table, the run's KCIDB document (OUT/kcidb.json,
# copied to the --kcidb FILE) and OUT/shard.json, which scripts/merge-results
# reads to check that every shard of a run is there. Uses validate's
# variables (out, filter, origin, kcidb, rows, units_total, SHARD_I, SHARD_N).
ci_outputs() {
	list_suite_tests "$filter" "$out/tests.list"
	write_meta "$out/shard.json" shard "$SHARD_I" of "$SHARD_N" units "${units_total:-$unit}"
	if ! harness kcidb_write --origin "$origin" --tests "$out/tests.list" \
		--out "$out/kcidb.json" ${failed_target:+--failed "$failed_target"} ${rows[@]+"${rows[@]}"}; then
		warn "could not write $out/kcidb.json"
		[ -z "$kcidb" ] || note_rc 255
		return 0
	fi
	if [ -n "$kcidb" ]; then
		cp "$out/kcidb.json" "$kcidb" || { warn "could not write $kcidb"; note_rc 255; return 0; }
		log "KCIDB I/O v5 results: $kcidb"
	fi
}

# ci_early_exit: validate stops at a target it cannot fetch or build; the
# table and KCIDB document of the run still name it: its checkout and a
# build with status ERROR, its tests MISS (never PASS). Called from the
# EXIT trap; uses validate's variables of the target at hand.
ci_early_exit() {
	[ -n "${t:-}" ] && [ -n "${out:-}" ] && [ -d "$out" ] || return 0
	local f="$out/failed-target.json"
	if [[ $t == base:* ]] && [ -n "${commits[${i:-0}]:-}" ]; then
		write_meta "$f" kind base name "$t" base "$base" source "${srcname:-}" commit "${commits[$i]}" \
			prefix "$i" series_length "${n:-0}" "patches[]" "$(printf '%s\n' "${patches[@]:0:i}")" \
			config_hash "$(config_hash "${variant:-}")" unit "${cur_unit:-0}"
	elif [[ $t == tree:* ]]; then
		local src; src=$(cd "${t#tree:}" && pwd)
		write_meta "$f" kind tree name "$t" source "$src" unit "${cur_unit:-0}" \
			commit "$(git -C "$src" rev-parse -q --verify HEAD 2>/dev/null || true)" \
			config_hash "$(config_hash "${variant:-}")"
	else
		write_meta "$f" kind "${t%%:*}" name "$t" unit "${cur_unit:-0}"
	fi
	harness report "$out" ${rows[@]+"${rows[@]}"} >/dev/null 2>&1 || true
	failed_target=$f ci_outputs
}
