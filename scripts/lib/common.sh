# Shared helpers for the scripts in scripts/. Source it; do not run it.
# Exit codes used everywhere: 0 ok, 1 test failure, 2 usage error,
# 255 infrastructure failure (download, build, boot, timeout).

EXIT_OK=0
EXIT_TEST=1
EXIT_USAGE=2
EXIT_INFRA=255

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE_ROOT=${CLONE3_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/clone3-lifecycle}

log()  { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf '[%s] warning: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# die CODE MESSAGE...: print what happened and exit with CODE.
die() {
	local code=$1; shift
	printf 'error: %s\n' "$*" >&2
	exit "$code"
}
infra() { die "$EXIT_INFRA" "$@"; }
usage_error() { die "$EXIT_USAGE" "$* (see --help)"; }

need_tool() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			infra "required tool '$t' is missing; run scripts/setup first"
	done
}

# hash_of FILE...: short content hash of the given files (names included).
hash_of() {
	local f
	for f in "$@"; do printf '%s\n' "${f##*/}"; cat "$f"; done | sha256sum | cut -c1-16
}

# publish TMP FINAL: atomically move a completed file or directory in place.
publish() {
	rm -rf "$2"
	mv -T "$1" "$2"
}

# with_lock NAME CMD...: run CMD holding an exclusive lock under the cache.
with_lock() {
	local name=$1; shift
	mkdir -p "$CACHE_ROOT/locks"
	local lockfile="$CACHE_ROOT/locks/$name.lock"
	(
		if ! flock -n 9; then
			log "another run holds $lockfile; waiting for it"
			flock 9
		fi
		"$@"
	) 9>"$lockfile"
}

# scratch_copy DIR: a copy of the project as it is now (uncommitted changes
# included, build output and results left out), for runs that change it.
scratch_copy() {
	mkdir -p "$1"
	rsync -a --delete --exclude /build --exclude /results --exclude /.git "$TOP/" "$1/"
}
