# Test helper for scripts/tests: a tiny stand-in for a Linux source tree
# that kbuild() can "build" in a second: a top Makefile with VERSION and
# the tinyconfig, olddefconfig and bzImage targets (bzImage compiles one
# file with $(CC), so CC="ccache gcc" really goes through ccache), kconfig's
# merge_config.sh, kernel/fork.c and tinyconfig's fragments; a stand-in
# QEMU that "boots" such a kernel (fake_qemu) and commits that make it
# good, bad, hang or fail to build (fake_commit). Source it.

# fake_tree DIR: create the tree in DIR (a git repository, committed).
fake_tree() {
	local d=$1
	mkdir -p "$d/kernel/configs" "$d/arch/x86/configs" "$d/scripts/kconfig"
	cat >"$d/Makefile" <<'MK'
VERSION = 6
PATCHLEVEL = 99
SUBLEVEL = 0
O ?= .
CC ?= gcc
tinyconfig:
	printf 'CONFIG_TINY=y\n' >$(O)/.config
olddefconfig:
	@true
bzImage:
	mkdir -p $(O)/arch/x86/boot
	$(CC) -c $(CURDIR)/kernel/fork.c -o $(O)/fork.o
	cp $(O)/fork.o $(O)/arch/x86/boot/bzImage
sleep:
	sleep 60
MK
	cat >"$d/scripts/kconfig/merge_config.sh" <<'SH'
#!/bin/sh
# fake: merge_config.sh -m -O OBJ BASE FRAGMENT... appends the fragments
while [ $# -gt 0 ]; do case $1 in -m) shift ;; -O) shift 2 ;; *) break ;; esac; done
base=$1; shift
cat "$@" >>"$base"
SH
	chmod +x "$d/scripts/kconfig/merge_config.sh"
	printf 'int fake_fork_%s(void) { return 0; }\n' "$RANDOM$RANDOM" >"$d/kernel/fork.c"
	echo 'CONFIG_TINY=y' >"$d/kernel/configs/tiny.config"
	echo 'CONFIG_TINY=y' >"$d/arch/x86/configs/tiny.config"
	(
		cd "$d" && git init -q && git add -A &&
		git -c user.name=test -c user.email=test@localhost commit -q -m fake
	)
}

# fake_qemu DIR: a stand-in qemu-system-x86_64 in DIR (put DIR first in
# PATH, and set CLONE3_ACCEL=tcg so that no KVM probe boots it). It
# "boots" any -kernel file in no time: it writes a kernel log to the first
# -serial file, a KTAP run of two tests (Baseline.Fake, Autoreap.Fake) to
# the second and the result record to the third. Autoreap.Fake fails when
# the kernel file holds the string CLONE3_FAKE_BAD (a fake_tree whose
# kernel/fork.c says so); a kernel holding CLONE3_FAKE_HANG prints no
# KTAP at all (a boot that never reaches the suite). With FAKE_QEMU_ARGS
# set, each call adds its arguments as a line to that file. A "suite" of
# FAKE_QEMU_SUITE_S seconds comes before the result's CLONE3-EXIT and
# FAKE_QEMU_AFTER_S seconds after it (what upstream's selftests take);
# with FAKE_QEMU_TIMES set, each call adds "start T" and "end T" lines.
fake_qemu() {
	mkdir -p "$1"
	cat >"$1/qemu-system-x86_64" <<'SH'
#!/bin/sh
[ "$1" != --version ] || { echo "QEMU emulator version 0.0.0 (fake)"; exit 0; }
[ -z "${FAKE_QEMU_ARGS:-}" ] || echo "$*" >>"$FAKE_QEMU_ARGS"
[ -z "${FAKE_QEMU_TIMES:-}" ] || echo "start $(date +%s.%N)" >>"$FAKE_QEMU_TIMES"
kernel="" n=0 console="" ktap="" result=""
while [ $# -gt 0 ]; do
	case $1 in
	-kernel) kernel=$2; shift ;;
	-serial) n=$((n + 1)); f=${2#file:}
		case $n in 1) console=$f ;; 2) ktap=$f ;; 3) result=$f ;; esac; shift ;;
	esac
	shift
done
# --shell gives the console as mon:stdio: the terminal, not a file
case $console in mon:stdio | stdio | "") console=/dev/stdout ;; esac
echo "Linux version 6.99.0-fake (fake qemu)" >"$console"
grep -aq CLONE3_FAKE_HANG "$kernel" && exit 0
verdict="ok"
grep -aq CLONE3_FAKE_BAD "$kernel" && verdict="not ok"
printf 'KTAP version 1\n1..2\nok 1 Baseline.Fake\n' >"$ktap"
[ "$verdict" = ok ] || printf '# fake failure message\n' >>"$ktap"
printf '%s 2 Autoreap.Fake\n' "$verdict" >>"$ktap"
printf 'CLONE3-UNAME 6.99.0-fake\n' >"$result"
sleep "${FAKE_QEMU_SUITE_S:-0}"
printf 'CLONE3-EXIT 0\n' >>"$result"
sleep "${FAKE_QEMU_AFTER_S:-0}"
[ -z "${FAKE_QEMU_TIMES:-}" ] || echo "end $(date +%s.%N)" >>"$FAKE_QEMU_TIMES"
SH
	chmod +x "$1/qemu-system-x86_64"
}

# fake_commit DIR MESSAGE [MARKER]: rewrite the fake tree's kernel/fork.c
# (with MARKER as a string in it: CLONE3_FAKE_BAD, CLONE3_FAKE_HANG, or
# "syntax error" for a file that does not compile) and commit.
fake_commit() {
	local d=$1 msg=$2 marker=${3:-}
	{
		printf 'int fake_fork_%s(void) { return 0; }\n' "$RANDOM$RANDOM"
		case $marker in
		"") ;;
		"syntax error") echo 'int broken(void) { return }' ;;
		*) printf 'const char fake_marker[] = "%s";\n' "$marker" ;;
		esac
	} >"$d/kernel/fork.c"
	git -C "$d" -c user.name=test -c user.email=test@localhost commit -q -a -m "$msg"
}
