# Upstream's own selftests (tools/testing/selftests/pidfd and clone3),
# built statically from a pristine kernel source (the tag 'base' of a
# repository pristine_repo made) against that source's own uapi headers
# (make headers_install), cached under $CACHE_ROOT/kselftests and keyed by
# the source's git tree id, the recipe and the compiler. Each set is also
# packed as a cpio archive (kselftests/LABEL/ with a 'programs' list,
# plus a static busybox as /bin/sleep, which pidfd_test execs), appended to
# the run's initramfs for the boots that run it. Which programs run, their
# timeouts and the ones skipped with a reason: selftests/upstream/programs.txt.
# Source after common.sh and kernel.sh.

KSELFTEST_LIST="$TOP/selftests/upstream/programs.txt"
KSELFTEST_DIRS="pidfd clone3"
KSELFTEST_RECIPE=ks-v1
KS_LABELS="" KS_SOURCES="" KS_INITRD="" KS_BUDGET=0 KS_BASELINE=""

# kselftest_key REPO: names a set by its pristine source, the program list,
# the compiler and the recipe (KSELFTEST_RECIPE: bump it when
# kselftest_build changes what it makes).
kselftest_key() {
	local tree
	tree=$(git -C "$1" rev-parse "base^{tree}") || infra "no tag 'base' in $1"
	{ echo "$tree"; hash_of "$KSELFTEST_LIST"; gcc --version | head -n1;
	  echo "$KSELFTEST_RECIPE"; } | sha256sum | cut -c1-12
}

# kselftest_set REPO LABEL: build (once) the set of REPO's pristine source
# and print its directory (holding bin/, programs, source, kselftests.cpio.gz).
kselftest_set() {
	local repo=$1 label=$2 dir
	dir="$CACHE_ROOT/kselftests/$label-$(kselftest_key "$repo")"
	if [ ! -s "$dir/kselftests.cpio.gz" ]; then
		with_lock "kselftest-$label-$(basename "$dir")" kselftest_build "$repo" "$label" "$dir" >&2 || exit $?
	fi
	printf '%s\n' "$dir"
}

kselftest_build() {
	local repo=$1 label=$2 dir=$3 tmp src t0=$SECONDS
	[ -s "$dir/kselftests.cpio.gz" ] && return 0
	mkdir -p "$CACHE_ROOT/kselftests"
	tmp=$(mktemp -d "$CACHE_ROOT/kselftests/.tmp.XXXXXX")
	src="$tmp/src"
	mkdir -p "$src" "$tmp/out/kselftests/$label" "$tmp/out/bin"
	log "building upstream selftests of $(basename "$repo") (set $label: headers_install, then ${KSELFTEST_DIRS// /, } statically)"
	# Only what headers_install and the selftests read, out of the git
	# object store: the pristine repository's work tree (which builds
	# check out) is never touched.
	git -C "$repo" archive --format=tar base -- Makefile Kbuild Kconfig scripts include arch/x86 \
		tools/include tools/arch/x86 tools/testing/selftests tools/scripts usr 2>"$tmp/archive.log" |
		tar -x -C "$src" || { cat "$tmp/archive.log" >&2; infra "could not export the selftest sources of $repo"; }
	make -C "$src" -s headers_install INSTALL_HDR_PATH="$tmp/hdr" >"$tmp/headers.log" 2>&1 || {
		tail -n 20 "$tmp/headers.log" >&2
		infra "make headers_install failed in an export of $repo (log: $tmp/headers.log)"
	}
	local d kind p st=$tmp/out/kselftests/$label list=$tmp/out/kselftests/$label/programs
	: >"$list"
	: >"$tmp/build.log"
	for d in $KSELFTEST_DIRS; do
		kselftest_makefile_programs "$src/tools/testing/selftests/$d/Makefile" |
		while read -r kind p; do
			local why timeout libs=""
			why=$(kselftest_list_field "$p" skip)
			if [ -n "$why" ]; then
				[ "$kind" = helper ] || printf '%s %s skip %s\n' "$p" 0 "$why" >>"$list"
				continue
			fi
			! grep -q "sys/capability.h" "$src/tools/testing/selftests/$d/$p.c" || libs="-lcap"
			if gcc -static -O2 -g0 -pthread -D_GNU_SOURCE -w \
				-isystem "$tmp/hdr/include" -isystem "$src/tools/include/uapi" \
				-I "$src/tools/testing/selftests" -I "$src/tools/testing/selftests/$d" \
				-I "$src/tools/include" \
				-o "$st/$p" "$src/tools/testing/selftests/$d/$p.c" $libs >>"$tmp/build.log" 2>&1; then
				timeout=$(kselftest_list_field "$p" timeout)
				[ "$kind" = helper ] || printf '%s %s run %s%s\n' "$p" "${timeout:-60}" "$d" \
					"$(kselftest_list_field "$p" args | sed 's/^./ &/')" >>"$list"
			else
				warn "upstream selftest $d/$p of $label did not build (log: $dir/build.log)"
				[ "$kind" = helper ] || printf '%s %s skip %s\n' "$p" 0 "did not build statically (see build.log)" >>"$list"
			fi
		done
	done
	cp /bin/busybox "$tmp/out/bin/busybox" 2>/dev/null || infra "upstream selftests need a static busybox (/bin/busybox); run scripts/setup"
	ln -s busybox "$tmp/out/bin/sleep"
	{
		echo "repo $(basename "$repo")"
		echo "tree $(git -C "$repo" rev-parse "base^{tree}")"
	} >"$st/source"
	(cd "$tmp/out" && find . -mindepth 1 -print0 | cpio --null -o -H newc -R 0:0 --quiet | gzip -1) \
		>"$tmp/kselftests.cpio.gz" || infra "could not pack the upstream selftests of $label"
	mkdir -p "$tmp/set"
	mv "$tmp/out/kselftests/$label" "$tmp/set/bin"
	mv "$tmp/kselftests.cpio.gz" "$tmp/build.log" "$tmp/set/"
	cp "$tmp/set/bin/programs" "$tmp/set/bin/source" "$tmp/set/"
	publish "$tmp/set" "$dir"
	rm -rf "$tmp"
	log "upstream selftests of set $label built in $((SECONDS - t0)) s: $(grep -c ' run ' "$dir/programs") programs, $(grep -c ' skip ' "$dir/programs" || true) skipped"
}

# kselftest_makefile_programs MAKEFILE: "run PROG" for each TEST_GEN_PROGS
# entry and "helper PROG" for each TEST_GEN_PROGS_EXTENDED entry.
kselftest_makefile_programs() {
	sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$1" | awk '
		$1 ~ /^TEST_GEN_PROGS(_EXTENDED)?$/ && ($2 == ":=" || $2 == "+=" || $2 == "=") {
			kind = ($1 == "TEST_GEN_PROGS") ? "run" : "helper"
			for (i = 3; i <= NF; i++) print kind, $i
		}
		$1 ~ /^TEST_GEN_PROGS(_EXTENDED)?(:|\+)?=/ {
			split($1, a, /[:+]?=/); kind = (a[1] == "TEST_GEN_PROGS") ? "run" : "helper"
			rest = $0; sub(/^[^=]*=/, "", rest); n = split(rest, p, /[ \t]+/)
			for (i = 1; i <= n; i++) if (p[i] != "") print kind, p[i]
		}'
}

# kselftest_list_field PROG skip|timeout|args: from programs.txt, the
# reason a program is not run, its timeout in seconds or its arguments
# (empty when not listed).
kselftest_list_field() {
	[ -f "$KSELFTEST_LIST" ] || return 0
	awk -v p="$1" -v f="$2" '
		/^[[:space:]]*(#|$)/ { next }
		$1 == p {
			if (f == "timeout" && $2 ~ /^[0-9]+$/) print $2
			if (f == "args" && $2 ~ /^[0-9]+$/) { $1 = ""; $2 = ""; sub(/^[ \t]+/, ""); sub(/[ \t]*#.*$/, ""); print }
			if (f == "skip" && $2 == "skip") { $1 = ""; $2 = ""; sub(/^[ \t]+/, ""); print }
			exit
		}' "$KSELFTEST_LIST"
}

# Which sets a boot runs (decided here, documented in selftests/upstream/README.md):
#   --base B        B's own pristine source (unless B is 7.3) and 7.3's;
#   --debian V      7.3's, and for a control of 6.18.x / 6.12.x the set of
#                   that base when its source is already in the cache;
#   --kernel/--tree 7.3's.
# kselftest_prepare KIND ARG REPO OUT INITRD: set KS_LABELS ("6.18,7.3"),
# KS_SOURCES ("6.18=TREE 7.3=TREE"), KS_INITRD (INITRD with the sets
# appended as a second cpio archive), KS_BUDGET (seconds the sets may
# take) and KS_BASELINE (the recorded baseline of base ARG, if any).
# With CLONE3_KSELFTESTS=0 (validate --no-kselftests) every one is empty.
kselftest_prepare() {
	local kind=$1 arg=$2 repo=$3 out=$4 initrd=$5
	KS_LABELS="" KS_SOURCES="" KS_INITRD=$initrd KS_BUDGET=0 KS_BASELINE=""
	[ "${CLONE3_KSELFTESTS:-1}" = 1 ] || return 0
	apt_init   # the 7.3 set comes from linux-source-7.3
	local -a pairs=()
	case $kind in
	base)
		[ "$arg" = 7.3 ] || pairs+=("$arg=$repo")
		[ ! -f "$TOP/kernel-patches/$arg/kselftests-unpatched.txt" ] ||
			KS_BASELINE="$TOP/kernel-patches/$arg/kselftests-unpatched.txt"
		;;
	debian)
		local major t
		major=$(printf '%s\n' "$arg" | cut -d. -f1,2)
		local known=0
		t=""
		# (no pipe into grep -q: it can exit before known_bases has
		# written everything, and pipefail then makes the match a miss)
		local bases; bases=$'\n'$(known_bases)$'\n'
		[ "$major" = 7.3 ] || [[ $bases != *$'\n'"$major"$'\n'* ]] || known=1
		[ $known = 0 ] || case $(base_kind "$major") in
		# the newest orig tarball in the cache, as fetch_orig_tarball picks
		orig) t=$(ls -1 "$CACHE_ROOT"/downloads/linux_"$major".*.orig.tar.xz 2>/dev/null | sort -V | tail -n1) ;;
		package)	# the one --base builds: the main apt state's candidate
			t="$CACHE_ROOT/downloads/linux-source-$major-$(apt_private apt-cache policy "linux-source-$major" 2>/dev/null |
				awk '/Candidate:/ { print $2 }').tar.xz"
			[ -s "$t" ] || t="" ;;
		esac
		if [ -n "$t" ]; then pairs+=("$major=$(pristine_repo "$t")")
		elif [ $known = 1 ]; then
			log "no $major source in the cache: the Debian $arg kernel runs only 7.3's upstream selftests (--base $major fetches it)"
		fi
		;;
	esac
	local t73
	t73=$(fetch_linux_source_pkg 7.3) || exit $?
	pairs+=("7.3=$(pristine_repo "$t73")")
	local p label src dir key="" labels=() cpios=()
	for p in "${pairs[@]}"; do
		label=${p%%=*}; src=${p#*=}
		dir=$(kselftest_set "$src" "$label") || exit $?
		labels+=("$label"); cpios+=("$dir/kselftests.cpio.gz")
		KS_SOURCES+="${KS_SOURCES:+ }$label=$(sed -n 's/^tree //p' "$dir/source")"
		# The boot's time limit grows by what the set may take: the sum of
		# its timeouts, at most 240 s (a set takes 60-130 s under TCG; init
		# ends a program at its own timeout, so only a hung kernel needs
		# the boot's limit).
		KS_BUDGET=$((KS_BUDGET + $(awk '$3 == "run" { n += $2 } END { print (n > 240 ? 240 : n) }' "$dir/programs")))
		key+="$(basename "$dir") "
	done
	KS_LABELS=$(IFS=,; echo "${labels[*]}")
	KS_INITRD="$out/initramfs-ks-$(printf '%s%s' "$key" "$(stat -c %Y "$initrd")" | sha256sum | cut -c1-12).cpio.gz"
	[ -s "$KS_INITRD" ] || cat "$initrd" "${cpios[@]}" >"$KS_INITRD"
}

# kselftest_verdict_args ROLE [PREFIX0_SUMMARY|unpatched]: harness.verdict's
# options for a boot of ROLE (one per line): a dut is judged against the
# base's baseline; a prefix after the first against the live prefix 0
# (PREFIX0_SUMMARY) or else the recorded baseline; prefix 0 itself
# ("unpatched"), controls and oracles are reported.
kselftest_verdict_args() {
	local role=$1 live=${2:-} mode=report baseline=$KS_BASELINE
	[ -n "$KS_LABELS" ] || return 0
	case $role in
	dut) mode=dut ;;
	prefix) [ "$live" = unpatched ] || mode=prefix ;;
	esac
	[ "$live" != unpatched ] || live=""
	[ "$mode" != prefix ] || [ -z "$live" ] || baseline=$live
	# A kernel or tree of one's own has no unpatched base to compare with:
	# its upstream results are reported, not judged.
	[ -n "$baseline" ] || mode=report
	printf '%s\n' --kselftests "$KS_LABELS" --kselftest-sources "$KS_SOURCES" --kselftest-mode "$mode" \
		--kselftest-flaky "$TOP/selftests/upstream/flaky.txt"
	[ "$mode" = report ] || [ -z "$baseline" ] || printf '%s\n' --kselftest-baseline "$baseline"
}
