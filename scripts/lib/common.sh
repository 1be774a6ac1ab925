# Shared helpers for the scripts in scripts/. Source it; do not run it.
# Exit codes used everywhere: 0 ok, 1 test failure, 2 usage error,
# 255 infrastructure failure (download, build, boot, timeout).

EXIT_OK=0
EXIT_TEST=1
EXIT_USAGE=2
EXIT_INFRA=255

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The harness core (scripts/harness) of this copy of the scripts, even
# when a test points TOP at a scratch copy of the project's data.
HARNESS_PATH=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_ROOT=${CLONE3_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/clone3-lifecycle}

log()  {
	printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
	# The last step said, for the message of an interrupted run.
	# An indented line is progress within the step before it.
	if [ -n "${CLONE3_STEP_FILE:-}" ]; then
		case $* in
		' '*) { head -n1 "$CLONE3_STEP_FILE"; printf '%s\n' "$*"; } >"$CLONE3_STEP_FILE.new" 2>/dev/null &&
			mv -f "$CLONE3_STEP_FILE.new" "$CLONE3_STEP_FILE" 2>/dev/null || true ;;
		*) printf '%s\n' "$*" >"$CLONE3_STEP_FILE" 2>/dev/null || true ;;
		esac
	fi
}
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

# kill_tree PID SIGNAL: send SIGNAL to PID and all its descendants,
# children first.
kill_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$c" "$2"; done
	kill -"$2" "$1" 2>/dev/null || true
}

# interruptible "$0" "$@": called first thing by an entry point. Runs the
# script itself as a child and waits for it, so that Ctrl-C (SIGINT) or
# CI's SIGTERM reaches this shell at once (bash defers a trap while a
# foreground command runs; it does not defer it in "wait"). On either, it
# stops every process the run started (QEMU, make: make removes the
# targets it was writing, so the next run's incremental build starts
# clean), says what was going on and where the partial results are, and
# exits 130 (SIGINT) or 143 (SIGTERM). Nested entry points (scripts/test
# running validate) leave it to the outermost.
interruptible() {
	[ -z "${CLONE3_INTERRUPTIBLE:-}" ] || return 0
	local self=$1 a; shift
	# A VM on this terminal (--shell, --gdb) keeps it, and Ctrl-C goes
	# to the guest.
	for a in "$@"; do case $a in --shell|--gdb) return 0 ;; esac; done
	export CLONE3_INTERRUPTIBLE=$$
	CLONE3_STEP_FILE=$(mktemp)
	CLONE3_RESULTS_NOTE=$(mktemp)
	export CLONE3_STEP_FILE CLONE3_RESULTS_NOTE
	# The run gets a process group of its own (job control on for this
	# launch), so that stopping it reaches every process it started, even
	# one whose parent has died.
	set -m
	"$self" "$@" <&0 &
	local child=$! rc=0
	set +m
	trap 'interrupted SIGINT 130 '"$child" INT
	trap 'interrupted SIGTERM 143 '"$child" TERM
	wait "$child" || rc=$?
	rm -f "$CLONE3_STEP_FILE" "$CLONE3_STEP_FILE.new" "$CLONE3_RESULTS_NOTE"
	exit "$rc"
}

interrupted() {
	local sig=$1 code=$2 child=$3 step where i
	trap '' INT TERM
	step=$(head -n1 "$CLONE3_STEP_FILE" 2>/dev/null || true)
	local progress; progress=$(sed -n '2s/^ *//p' "$CLONE3_STEP_FILE" 2>/dev/null || true)
	[ -z "$progress" ] || step="$step [$progress]"
	where=$(cat "$CLONE3_RESULTS_NOTE" 2>/dev/null || true)
	kill_tree "$child" TERM
	kill -TERM -- "-$child" 2>/dev/null || true
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pgrep -g "$child" >/dev/null 2>&1 || break
		sleep 0.5
	done
	kill -KILL -- "-$child" 2>/dev/null || true
	wait "$child" 2>/dev/null || true
	printf '\ninterrupted by %s while: %s\n' "$sig" "${step:-starting up}" >&2
	if [ -n "$where" ]; then
		printf 'partial results: %s (the kernels finished before this have their summary.json there)\n' "$where" >&2
	fi
	printf 'every VM and build of the run was stopped; the next run starts clean\n' >&2
	rm -f "$CLONE3_STEP_FILE" "$CLONE3_STEP_FILE.new" "$CLONE3_RESULTS_NOTE"
	exit "$code"
}

# results_note DIR: where an interrupted run's partial results are.
results_note() {
	[ -z "${CLONE3_RESULTS_NOTE:-}" ] || printf '%s\n' "$1" >"$CLONE3_RESULTS_NOTE" 2>/dev/null || true
}

# harness MODULE ARGS...: run scripts/harness/MODULE.py (python3 -m).
harness() {
	local m=$1; shift
	PYTHONPATH="$HARNESS_PATH${PYTHONPATH:+:$PYTHONPATH}" python3 -m "harness.$m" "$@"
}

source "$HARNESS_PATH/lib/bases.sh"

# cli_parse NAME ARGS...: parse the entry point's arguments with its parser
# in scripts/harness/cli.py (the one command line of every entry point),
# setting the variables it names. --help prints the parser's help and
# exits 0; a usage error exits 2 (validate --bisect: 255).
cli_parse() {
	local code=0 assignments
	assignments=$(harness cli "$@") || code=$?
	case $code in
	0) eval "$assignments" ;;
	3) printf '%s\n' "$assignments"; exit 0 ;;
	*) exit "$code" ;;
	esac
}
