# scripts/sweep's steps: apply a series to one point release with git am
# (then git am -3), and report what did not apply by patch, file and hunk.
# Source after common.sh and kernel.sh.

# sweep_touched PATCH...: the files the patches touch (a/ and b/ sides).
sweep_touched() {
	sed -n -E 's|^diff --git a/(\S+) b/(\S+)$|\1\n\2|p' "$@" | sort -u
}

# sweep_apply REPO OUTDIR PATCH...: apply the patches one by one on the
# pristine tree (tag base) of REPO in a sparse scratch work tree (only the
# touched files are checked out; REPO's own work tree is never touched):
# git am, and for a patch that does not apply, git am -3. Writes
# OUTDIR/apply.txt (one line per patch: "N clean|3-way|conflict|not-tried
# FILE"), OUTDIR/conflicts.txt (per failing patch: file and hunk), and,
# when everything applied, OUTDIR/series/ (the applied commits as a series
# validate can build, through CLONE3_SERIES_DIR). Prints clean, 3-way or
# conflict (the worst of the patches).
sweep_apply() {
	local repo=$1 dir=$2; shift 2
	local wt="$CACHE_ROOT/sweep/wt-$(basename "$repo")" p n=0 worst=clean how
	mkdir -p "$CACHE_ROOT/sweep" "$dir"
	: >"$dir/apply.txt"; : >"$dir/conflicts.txt"
	rm -rf "$dir/series"
	git -C "$repo" worktree remove -f "$wt" >/dev/null 2>&1 || rm -rf "$wt"
	git -C "$repo" worktree prune
	git -C "$repo" worktree add -q -f --detach --no-checkout "$wt" base >/dev/null 2>&1 ||
		infra "could not add a scratch work tree of $repo at $wt"
	local -a files
	mapfile -t files < <(sweep_touched "$@")
	(
		cd "$wt"
		git sparse-checkout set --no-cone "${files[@]/#//}" >/dev/null 2>&1 &&
			git reset -q --hard base 2>/dev/null
	) || infra "could not check out the touched files in $wt"
	# git am -3 needs the blobs the patches were made from (their "index"
	# lines): those of the tree the series was made on, another pristine
	# repository, lent for these commands only (SWEEP_ORIGIN: its path).
	local am=(env ${SWEEP_ORIGIN:+GIT_ALTERNATE_OBJECT_DIRECTORIES="$SWEEP_ORIGIN/.git/objects"}
		git -C "$wt" -c user.name=clone3-lifecycle -c user.email=clone3-lifecycle@localhost
		-c advice.mergeConflict=false am -q --committer-date-is-author-date)
	for p in "$@"; do
		n=$((n + 1))
		if [ "$worst" = conflict ]; then
			echo "$n not-tried $(basename "$p")" >>"$dir/apply.txt"; continue
		fi
		if "${am[@]}" "$p" >"$dir/am-$n.log" 2>&1; then
			how=clean
		else
			# The hunks plain git am could not place: "patch failed: FILE:LINE".
			sed -n 's/^error: patch failed: //p' "$dir/am-$n.log" >"$dir/hunks-$n.txt"
			git -C "$wt" am --abort >/dev/null 2>&1 || true
			if "${am[@]}" -3 "$p" >"$dir/am3-$n.log" 2>&1; then
				how=3-way
				[ "$worst" != clean ] || worst=3-way
			else
				how=conflict worst=conflict
				{
					echo "patch $n, $(basename "$p"):"
					local f
					for f in $(git -C "$wt" diff --name-only --diff-filter=U); do
						echo "    $f: $(grep -c '^<<<<<<<' "$wt/$f" 2>/dev/null || true) conflicting hunk(s) after git am -3"
					done
					sed 's/^/    hunk at /' "$dir/hunks-$n.txt"
					grep -E '^(error|CONFLICT)' "$dir/am3-$n.log" | sed 's/^/    /' | head -n 10
				} >>"$dir/conflicts.txt"
				git -C "$wt" am --abort >/dev/null 2>&1 || true
			fi
			[ "$how" != 3-way ] || {
				echo "patch $n, $(basename "$p"): applied by git am -3; plain git am failed at:"
				sed 's/^/    hunk at /' "$dir/hunks-$n.txt"
			} >>"$dir/conflicts.txt"
		fi
		echo "$n $how $(basename "$p")" >>"$dir/apply.txt"
	done
	if [ "$worst" != conflict ]; then
		mkdir -p "$dir/series"
		# (with the lent objects too: a 3-way merge can reuse their blobs)
		env ${SWEEP_ORIGIN:+GIT_ALTERNATE_OBJECT_DIRECTORIES="$SWEEP_ORIGIN/.git/objects"} \
			git -C "$wt" format-patch -q -o "$dir/series" base..HEAD >/dev/null ||
			infra "git format-patch of the applied series failed in $wt"
		(cd "$dir/series" && ls -1 *.patch) >"$dir/series/series"
	fi
	git -C "$repo" worktree remove -f "$wt" >/dev/null 2>&1 || true
	echo "$worst"
}
