# Test helper for scripts/tests: a tiny stand-in for a Linux source tree
# that kbuild() can "build" in a second: a top Makefile with VERSION and
# the tinyconfig, olddefconfig and bzImage targets (bzImage compiles one
# file with $(CC), so CC="ccache gcc" really goes through ccache), kconfig's
# merge_config.sh, kernel/fork.c and tinyconfig's fragments. Source it.

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
