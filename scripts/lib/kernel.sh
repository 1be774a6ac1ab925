# Kernel source trees and builds, cached under $CACHE_ROOT and keyed by
# content: an image is named by the git tree id of the source it was built
# from plus a hash of its configuration, so the same source always maps to
# the same image and no stale image can be reused for different source.
# Source after common.sh and apt.sh.

KCONFIG_DIR="$TOP/vm-images/config"
source "$TOP/scripts/lib/releases.sh"

# base_tarball BASE [VERSION]: print the tarball for a base.
base_tarball() {
	check_base "$1"
	local series; series=$(base_field "$1" series) || exit $?
	case $(base_kind "$1") in
	orig) fetch_orig_tarball "$series" "${2:-}" ;;
	package)
		# A version picks one of the linux-source-SERIES point releases
		# (scripts/lib/releases.sh); none, the main apt state's candidate.
		if [ -n "${2:-}" ]; then release_tarball "$1" "$2"; else fetch_linux_source_pkg "$series"; fi ;;
	esac
}

# pristine_repo TARBALL: extract once into a git repo whose first commit is
# the pristine tree (tag 'base'); print its path.
pristine_repo() {
	local tarball=$1 name dir tmp
	name=$(basename "$tarball"); name=${name%.tar.xz}
	dir="$CACHE_ROOT/src/$name"
	if [ ! -f "$dir/.clone3-ready" ]; then
		log "extracting $(basename "$tarball") (about 15 s)"
		mkdir -p "$CACHE_ROOT/src"
		rm -rf "$dir"
		tmp=$(mktemp -d "$CACHE_ROOT/src/.tmp.XXXXXX")
		tar -xf "$tarball" -C "$tmp" || infra "could not extract $tarball; delete it and retry"
		local top; top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
		(
			cd "$top"
			git init -q
			git config user.name "clone3-lifecycle"
			git config user.email "clone3-lifecycle@localhost"
			git config gc.auto 0
			git add -A -f .   # -f: linux-source-* ships a .gitignore that ignores everything
			GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
				git commit -q -m "pristine $name"
			git tag base
		) || infra "could not create a git repository of $name"
		touch "$top/.git/clone3-ready-marker"
		mv -T "$top" "$dir"
		rm -rf "$tmp"
		touch "$dir/.clone3-ready"
	fi
	printf '%s\n' "$dir"
}

# series_patches BASE: the patch files of a base's series, in order (from
# CLONE3_SERIES_DIR instead when set: scripts/sweep's series as git am -3
# applied it to another point release).
series_patches() {
	local d=${CLONE3_SERIES_DIR:-$TOP/kernel-patches/$1} p
	local s="$d/series"
	[ -f "$s" ] || return 0
	while read -r p; do
		p=${p%%#*}; p=${p%"${p##*[![:space:]]}"}
		[ -n "$p" ] || continue
		[ -f "$d/$p" ] || usage_error "$d/series names $p, which does not exist"
		printf '%s\n' "$d/$p"
	done <"$s"
}

# commit_series REPO PATCH...: apply the patches on top of 'base' without
# touching any work tree (a scratch index), print one commit id per patch
# (the base commit first). Deterministic: same patches, same ids.
commit_series() {
	local repo=$1; shift
	local tmp parent p n=0
	tmp=$(mktemp -d)
	parent=$(git -C "$repo" rev-parse base)
	printf '%s\n' "$parent"
	(
		export GIT_INDEX_FILE="$tmp/index"
		cd "$repo"
		git read-tree base
		for p in "$@"; do
			n=$((n + 1))
			if ! git apply --cached "$p" 2>"$tmp/err"; then
				{
					echo "patch $n of the series, $(basename "$p"), does not apply to $(basename "$repo"):"
					sed 's/^/    /' "$tmp/err"
					echo "Rebase the series onto this base (git am -3 in a checkout of it) or pick the base version it was made for (--base-version)."
				} >&2
				exit 3
			fi
			git mailinfo "$tmp/msg" "$tmp/body" <"$p" >"$tmp/info"
			local author email date subject tree
			author=$(sed -n 's/^Author: //p' "$tmp/info")
			email=$(sed -n 's/^Email: //p' "$tmp/info")
			date=$(sed -n 's/^Date: //p' "$tmp/info")
			subject=$(sed -n 's/^Subject: //p' "$tmp/info")
			tree=$(git write-tree)
			parent=$({ echo "$subject"; echo; cat "$tmp/msg"; } |
				GIT_AUTHOR_NAME="$author" GIT_AUTHOR_EMAIL="$email" GIT_AUTHOR_DATE="$date" \
				GIT_COMMITTER_NAME="$author" GIT_COMMITTER_EMAIL="$email" GIT_COMMITTER_DATE="$date" \
				git commit-tree "$tree" -p "$parent")
			printf '%s\n' "$parent"
		done
	)
	local rc=$?
	rm -rf "$tmp"
	[ $rc = 0 ] || exit "$EXIT_INFRA"
}

# base_commits BASE [VERSION]: fetch and extract the base, apply its series
# in a scratch index; print the repo path, then one commit id per prefix
# (the unpatched base first).
base_commits() {
	local tarball repo commits
	tarball=$(base_tarball "$1" "${2:-}") || exit $?
	check_series_base "$1" "$tarball"
	repo=$(pristine_repo "$tarball") || exit $?
	local -a patches
	mapfile -t patches < <(series_patches "$1")
	commits=$(commit_series "$repo" "${patches[@]}") || exit "$EXIT_INFRA"
	printf '%s\n%s\n' "$repo" "$commits"
}

# check_series_base BASE TARBALL: a cover letter with a machine-readable
# line "base: NAME VERSION sha256:HEX" names the tarball its series was
# made on; warn when the one fetched now is a different one.
check_series_base() {
	local cover="$TOP/kernel-patches/$1/0000-cover-letter.patch" want have
	[ -f "$cover" ] || return 0
	want=$(sed -n 's/^base: .* sha256:\([0-9a-f]\{64\}\)$/\1/p' "$cover" | head -n1)
	[ -n "$want" ] || return 0
	have=$(sha256sum "$2" | cut -d' ' -f1)
	[ "$have" = "$want" ] ||
		warn "kernel-patches/$1 was made on a tarball with sha256 $want, but $(basename "$2") has $have"
}

# file_patch REPO COMMIT FILE NEW SUBJECT: print a mail-format patch that
# turns FILE as of COMMIT into the content of the file NEW.
file_patch() {
	local repo=$1 commit=$2 file=$3 new=$4 subject=$5 old
	old=$(mktemp)
	git -C "$repo" show "$commit:$file" >"$old"
	printf 'From: clone3-lifecycle <clone3-lifecycle@localhost>\n'
	printf 'Date: Sat, 1 Jan 2000 00:00:00 +0000\nSubject: [PATCH] %s\n\n---\n' "$subject"
	diff -u --label "a/$file" --label "b/$file" "$old" "$new" || true
	rm -f "$old"
}

# config_fragments [debug]: the fragment files for a build.
config_fragments() {
	printf '%s\n' "$KCONFIG_DIR/base.config"
	[ "${1:-}" != debug ] || printf '%s\n' "$KCONFIG_DIR/debug.config"
}

# config_hash [debug]: names the configuration of an image: the fragments,
# the compiler and the recipe version (v2: builds reproducible wherever
# their tree lies: no ccache base dir, fixed build number, no "+").
config_hash() {
	local -a frags
	mapfile -t frags < <(config_fragments "${1:-}")
	{ hash_of "${frags[@]}"; gcc --version | head -n1; echo tinyconfig-v2; } | sha256sum | cut -c1-12
}

# verify_config OBJDIR FRAGMENT...: every CONFIG_X=y requested must be =y.
verify_config() {
	local obj=$1; shift
	local missing
	missing=$(cat "$@" | grep -E '^CONFIG_[A-Z0-9_]+=y' | cut -d= -f1 | sort -u |
		while read -r opt; do grep -qx "$opt=y" "$obj/.config" || echo "$opt"; done)
	if [ -n "$missing" ]; then
		{
			echo "these requested options did not survive 'make olddefconfig' (a dependency is missing or the option does not exist in this kernel):"
			printf '    %s\n' $missing
			echo "Fix vm-images/config/*.config (add the missing dependency) and run again."
		} >&2
		return 1
	fi
}

# build_image REPO COMMIT BASE [debug]: build COMMIT and print the image
# directory (containing bzImage). Incremental: one build tree per
# source and config, moved to COMMIT with a checkout that rewrites only
# files whose content differs.
build_image() {
	local repo=$1 commit=$2 base=$3 variant=${4:-}
	local tree cfg img obj
	tree=$(git -C "$repo" rev-parse "$commit^{tree}")
	cfg=$(config_hash "$variant")
	img="$CACHE_ROOT/images/$base-${tree:0:12}-$cfg${variant:+-$variant}"
	if [ -s "$img/bzImage" ]; then
		printf '%s\n' "$img"; return 0
	fi
	with_lock "build-$(basename "$repo")${variant:+-$variant}" build_image_locked "$@" >&2 || exit $?
	printf '%s\n' "$img"
}

build_image_locked() {
	local repo=$1 commit=$2 base=$3 variant=${4:-}
	local tree cfg img obj
	tree=$(git -C "$repo" rev-parse "$commit^{tree}")
	cfg=$(config_hash "$variant")
	img="$CACHE_ROOT/images/$base-${tree:0:12}-$cfg${variant:+-$variant}"
	[ -s "$img/bzImage" ] && return 0
	# The plain build uses the pristine repository's own work tree; a
	# variant (debug) has a work tree of its own, so the two can build at
	# the same time.
	local src=$repo
	obj="$CACHE_ROOT/kbuild/$(basename "$repo")-$cfg${variant:+-$variant-wt}"
	if [ -n "$variant" ]; then
		src="$CACHE_ROOT/trees/$(basename "$repo")-$variant"
		if [ ! -e "$src/.git" ]; then
			mkdir -p "$CACHE_ROOT/trees"
			git -C "$repo" worktree prune
			git -C "$repo" worktree add -q -f --detach "$src" "$commit" ||
				infra "could not create the $variant work tree $src; delete it and retry"
		fi
	fi

	git -C "$src" checkout -q -f --detach "$commit" ||
		infra "could not check out $commit in $src; delete that directory and retry"
	git -C "$src" clean -q -f -d -x -e .clone3-ready >/dev/null 2>&1 || true

	local t0=$SECONDS
	log "building $(basename "$repo") at ${commit:0:12} (tree ${tree:0:12}, config $cfg); log: $obj/build.log"
	kbuild "$src" "$obj" "$variant"
	mkdir -p "$CACHE_ROOT/images"
	local tmp; tmp=$(mktemp -d "$CACHE_ROOT/images/.tmp.XXXXXX")
	cp "$obj/arch/x86/boot/bzImage" "$tmp/bzImage"
	cp "$obj/.config" "$tmp/config"
	printf '%s\n' "$commit" >"$tmp/commit"
	vmlinux_build_id "$obj/vmlinux" >"$tmp/build-id" || true
	# The build tree's vmlinux is overwritten by its next build: keep this
	# one (symbols for scripts/validate --gdb).
	cp "$obj/vmlinux" "$tmp/vmlinux" 2>/dev/null || true
	printf '%s\n' "$((SECONDS - t0))" >"$tmp/build-seconds"
	publish "$tmp" "$img"
	log "built in $((SECONDS - t0)) s: $img/bzImage"
}

# ccache_usable: 0 when kernel builds can use ccache with the cache's
# directory, 1 (after one warning) when not: ccache missing, its directory
# not a writable directory, its filesystem full (less than 256 MiB free), or
# ccache failing a probe compile there. The answer is kept in the file
# $CLONE3_CCACHE_STATE when that is set (validate sets it), so a run with
# many builds checks and warns once.
ccache_usable() {
	local dir="$CACHE_ROOT/ccache" state tmp avail err
	state=$(cat "${CLONE3_CCACHE_STATE:-/dev/null}" 2>/dev/null || true)
	case $state in on) return 0 ;; off) return 1 ;; esac
	if ! command -v ccache >/dev/null 2>&1; then
		ccache_off "ccache is not installed (scripts/setup installs it)"; return 1
	fi
	mkdir -p "$dir" 2>/dev/null || true
	if [ ! -d "$dir" ]; then
		ccache_off "ccache directory $dir is not a directory"; return 1
	fi
	avail=$(df -Pk "$dir" 2>/dev/null | awk 'NR == 2 { print $4 }')
	if [ -n "$avail" ] && [ "$avail" -lt 262144 ]; then
		ccache_off "the filesystem of the ccache directory $dir is full ($((avail / 1024)) MiB free)"; return 1
	fi
	# A probe compile through ccache, unique so that it is a miss and
	# ccache has to write a result: catches read-only mounts, permissions
	# and anything else ccache itself refuses.
	tmp=$(mktemp -d)
	printf 'int clone3_ccache_probe_%s(void) { return %s; }\n' "$$" "$RANDOM" >"$tmp/probe.c"
	if ! (cd "$tmp" && CCACHE_DIR="$dir" ccache gcc -c probe.c -o probe.o) 2>"$tmp/err" ||
	   ! CCACHE_DIR="$dir" ccache -M 5G >/dev/null 2>>"$tmp/err"; then
		err=$(grep -m1 . "$tmp/err" || true)
		rm -rf "$tmp"
		ccache_off "ccache cannot use $dir${err:+ (${err#ccache: })}"; return 1
	fi
	rm -rf "$tmp"
	[ -z "${CLONE3_CCACHE_STATE:-}" ] || echo on >"$CLONE3_CCACHE_STATE" 2>/dev/null || true
}

# ccache_off REASON: warn (once per run) that builds go on without ccache.
ccache_off() {
	[ "$(cat "${CLONE3_CCACHE_STATE:-/dev/null}" 2>/dev/null)" = off ] ||
		warn "$1; building without ccache"
	[ -z "${CLONE3_CCACHE_STATE:-}" ] || echo off >"$CLONE3_CCACHE_STATE" 2>/dev/null || true
}

# kbuild SRC OBJ [VARIANT] [tree]: configure OBJ (when its config hash
# changed) and build bzImage there from SRC, out of tree, with ccache when
# it works. The compiler is always "ccache gcc" when ccache is installed
# (CCACHE_DISABLE=1 when the cache is unusable), so switching ccache off
# or on never changes a command line and never makes kbuild rebuild.
# With "tree" (a developer's own tree), a tree that cannot be configured is
# a usage error (exit 2), not an infrastructure failure.
kbuild() {
	local src=$1 obj=$2 variant=${3:-} mode=${4:-} cfg cfg_exit=$EXIT_INFRA
	[ "$mode" != tree ] || cfg_exit=$EXIT_USAGE
	cfg=$(config_hash "$variant")
	mkdir -p "$obj"
	local -a frags makeflags
	mapfile -t frags < <(config_fragments "$variant")
	makeflags=(-C "$src" O="$obj" -j"$(nproc)" -s)
	if command -v ccache >/dev/null 2>&1; then
		export CCACHE_DIR="$CACHE_ROOT/ccache"
		# No CCACHE_BASEDIR: it makes ccache compile "../../src/TREE/x.c"
		# instead of "/abs/TREE/x.c", which kbuild's -fmacro-prefix-map
		# does not strip, so __FILE__ strings in vmlinux named the build
		# tree's place and a from-scratch build elsewhere differed.
		unset CCACHE_BASEDIR
		export CCACHE_NOHASHDIR=1
		export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
		makeflags+=(CC="ccache gcc")
		ccache_usable || export CCACHE_DISABLE=1
	else
		ccache_usable || true   # says why, once
	fi
	# Reproducible: fixed timestamp, user, host and build number (#1, not
	# make's running count), and LOCALVERSION set (empty) so that the
	# release carries no "+" for a git work tree: the same source and
	# config give the same vmlinux, whatever the build tree's history.
	export KBUILD_BUILD_TIMESTAMP="2000-01-01" KBUILD_BUILD_USER=clone3 KBUILD_BUILD_HOST=clone3-lifecycle
	export KBUILD_BUILD_VERSION=1 LOCALVERSION=
	# Marks our own builds, so check_tree does not take them for a
	# developer's build in progress.
	export CLONE3_KBUILD=1

	if [ "$(cat "$obj/.clone3-cfg" 2>/dev/null)" != "$cfg" ] || [ ! -f "$obj/.config" ]; then
		log "configuring: tinyconfig + $(basename -a "${frags[@]}" | tr '\n' ' ')"
		rm -f "$obj/.clone3-cfg"
		make "${makeflags[@]}" tinyconfig >"$obj/config.log" 2>&1 ||
			die "$cfg_exit" "make tinyconfig failed in $src (see $obj/config.log)"
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${frags[@]}" >>"$obj/config.log" 2>&1 ||
			die "$cfg_exit" "merge_config.sh failed in $src (see $obj/config.log)"
		make "${makeflags[@]}" olddefconfig >>"$obj/config.log" 2>&1 ||
			die "$cfg_exit" "make olddefconfig failed in $src (see $obj/config.log)"
		verify_config "$obj" "${frags[@]}" || exit "$cfg_exit"
		echo "$cfg" >"$obj/.clone3-cfg"
	fi
	if ! make "${makeflags[@]}" bzImage >"$obj/build.log" 2>&1; then
		# ccache can fail in the middle of a build (its disk filled up,
		# its directory went read-only): go on without it.
		if [ -z "${CCACHE_DISABLE:-}" ] && grep -q '^ccache: error' "$obj/build.log"; then
			ccache_off "ccache failed during the build ($(grep -m1 '^ccache: error' "$obj/build.log" | cut -c16-))"
			export CCACHE_DISABLE=1
			make "${makeflags[@]}" bzImage >"$obj/build.log" 2>&1 || build_failed "$obj"
		else
			build_failed "$obj"
		fi
	fi
}

build_failed() {
	grep -E 'error|Error' "$1/build.log" | head -n 20 >&2
	infra "kernel build failed (full log: $1/build.log)"
}

# vmlinux_build_id FILE: the GNU build id of a vmlinux (ELF note).
vmlinux_build_id() {
	local f=$1 id
	id=$(readelf -n "$f" 2>/dev/null | awk '/Build ID:/ { print $3; exit }')
	[ -n "$id" ] || return 1
	printf '%s\n' "$id"
}

# tree_builders TREE: one line "PID COMMAND ARGS" per process that is
# building in TREE: a compiler, linker or make whose working directory is
# in TREE or whose arguments name it (make -C TREE, O=..., -I TREE/...).
# Our own builds (CLONE3_KBUILD=1 in their environment) are left out.
tree_builders() {
	local tree=$1 p pid comm cwd args re
	re=$(printf '%s' "$tree" | sed 's/[][\.*^$+?(){}|]/\\&/g')
	re="(^|[^[:alnum:]_./-])$re(/|[[:space:]]|\$)"
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" != $$ ] && [ "$pid" != "${BASHPID:-}" ] || continue
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		case $comm in
		make|gmake|cc|c++|gcc*|g++*|*-gcc*|cc1*|as|*-as|ld|ld.*|*-ld|clang*|ccache|objtool|modpost|fixdep|pahole|objcopy) ;;
		*) continue ;;
		esac
		tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qx 'CLONE3_KBUILD=1' && continue
		cwd=$(readlink "$p/cwd" 2>/dev/null) || cwd=""
		args=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
		case "$cwd/" in
		"$tree"/*) ;;
		*) [[ " $args " =~ $re ]] || continue ;;
		esac
		printf '%s %s %s\n' "$pid" "$comm" "${args:0:160}"
	done
}

# check_tree PATH: exit 2 with a clear message unless PATH is a Linux
# source tree we can build out of tree now: a directory with the kernel's
# Makefile and kconfig scripts, tinyconfig's fragments, no build running in
# it, no leftovers of an interrupted in-tree build and no in-tree config.
check_tree() {
	local t=$1 abs busy left
	[ -e "$t" ] || usage_error "--tree $t: no such directory"
	[ -d "$t" ] || usage_error "--tree $t is not a directory (pass the top of a kernel source tree)"
	abs=$(cd "$t" && pwd -P)
	[ -f "$abs/Makefile" ] && [ -f "$abs/kernel/fork.c" ] && [ -f "$abs/scripts/kconfig/merge_config.sh" ] &&
		grep -q '^VERSION = ' "$abs/Makefile" ||
		usage_error "--tree $t is not a Linux kernel source tree (no top Makefile with VERSION, kernel/fork.c, scripts/kconfig/merge_config.sh)"
	[ -f "$abs/kernel/configs/tiny.config" ] && [ -f "$abs/arch/x86/configs/tiny.config" ] ||
		usage_error "--tree $t cannot give a clean config: kernel/configs/tiny.config or arch/x86/configs/tiny.config is missing (the harness builds tinyconfig plus vm-images/config/base.config)"
	busy=$(tree_builders "$abs")
	if [ -n "$busy" ]; then
		{
			echo "error: --tree $t has a build in progress (a process is building in it):"
			printf '%s\n' "$busy" | head -n 5 | sed 's/^/    pid /'
			echo "Let it finish (or stop it), then run again. (see --help)"
		} >&2
		exit "$EXIT_USAGE"
	fi
	left=$(cd "$abs" && { ls -d .tmp_* .tmp_versions vmlinux.o 2>/dev/null || true; } | head -n 5 | tr "\n" " ")
	[ -z "$left" ] ||
		usage_error "--tree $t has leftovers of an in-tree build (${left% }): a build is running there or was interrupted; let it finish, or run 'make mrproper' there"
	[ ! -f "$abs/.config" ] && [ ! -d "$abs/include/config" ] ||
		usage_error "--tree $t has no clean config: it has an in-tree build (.config or include/config), and out-of-tree builds need a clean source tree; run 'make mrproper' there, or build it yourself and pass --kernel"
}

# build_tree SRC [debug]: build a developer's own kernel tree out of tree
# (never writing into it); print the bzImage path. Not cached by content:
# make's own incremental build decides what to redo. The tree is checked
# again just before the build (a build may have started since validate
# looked at its arguments).
build_tree() {
	local src=$1 variant=${2:-} key obj
	key=$(printf '%s' "$src" | sha256sum | cut -c1-12)
	obj="$CACHE_ROOT/kbuild/tree-$key-$(config_hash "$variant")${variant:+-$variant}"
	log "building $src out of tree in $obj"
	with_lock "tree-$key" build_tree_locked "$src" "$obj" "$variant" >&2 || exit $?
	printf '%s\n' "$obj/arch/x86/boot/bzImage"
}

build_tree_locked() {
	check_tree "$1"
	kbuild "$1" "$2" "$3" tree
}
