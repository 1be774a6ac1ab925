# The test binary, the initramfs and QEMU boots. Source after common.sh.

BUILD_DIR=${CLONE3_BUILD_DIR:-$TOP/build}

# build_suite: configure (once) and build the meson project; quiet unless
# something fails.
build_suite() {
	need_tool meson ninja
	# A build directory set up for another copy of the project (the
	# bench's scratch copy, another clone) would build that copy's suite.
	local srcdir
	srcdir=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["directories"]["source"])' \
		"$BUILD_DIR/meson-info/meson-info.json" 2>/dev/null || true)
	if [ -f "$BUILD_DIR/build.ninja" ] && [ -n "$srcdir" ] && [ "$srcdir" != "$TOP" ]; then
		warn "$BUILD_DIR builds $srcdir, not $TOP; setting it up again"
		meson setup --wipe "$BUILD_DIR" "$TOP" >/dev/null 2>&1 || rm -rf "$BUILD_DIR"
	fi
	if [ ! -f "$BUILD_DIR/build.ninja" ]; then
		# A setup that was interrupted leaves a directory meson refuses.
		rm -rf "$BUILD_DIR"
		log "configuring the test suite (meson setup $BUILD_DIR)"
		meson setup "$BUILD_DIR" "$TOP" >"$TOP/.meson-setup.log" 2>&1 || {
			tail -n 30 "$TOP/.meson-setup.log" >&2
			infra "meson setup failed (full log: $TOP/.meson-setup.log); run scripts/setup"
		}
		rm -f "$TOP/.meson-setup.log"
	fi
	ninja -C "$BUILD_DIR" >"$BUILD_DIR/ninja.log" 2>&1 || {
		tail -n 40 "$BUILD_DIR/ninja.log" >&2
		infra "building the test suite failed (full log: $BUILD_DIR/ninja.log)"
	}
}

# make_initramfs OUT [shell]: pack init and the suite (and busybox for an
# interactive shell) into OUT (a gzip'ed newc cpio).
make_initramfs() {
	local out=$1 stage
	stage=$(mktemp -d)
	chmod 755 "$stage"
	mkdir -p "$stage"/{dev,proc,sys,tmp,bin}
	cp "$BUILD_DIR/vm-images/init" "$stage/init"
	cp "$BUILD_DIR/selftests/clone3_selftests" "$stage/clone3_selftests"
	cp "$BUILD_DIR/selftests/bench/spawn_bench" "$stage/spawn_bench"
	cp "$BUILD_DIR/selftests/stress/clone3_stress" "$stage/clone3_stress"
	if [ "${2:-}" = shell ]; then
		[ -x /bin/busybox ] || infra "--shell needs busybox-static; run scripts/setup"
		cp /bin/busybox "$stage/bin/busybox"
		local a
		for a in sh ls cat ps mount dmesg grep; do ln -s busybox "$stage/bin/$a"; done
	fi
	mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
	(cd "$stage" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet | gzip -1) >"$out.tmp" ||
		infra "could not pack the initramfs"
	mv "$out.tmp" "$out"
	rm -rf "$stage"
}

# accel_args [KERNEL]: QEMU's accelerator arguments, TCG unless KVM has
# been seen to boot a guest here (scripts/harness/qemu.py).
accel_args() {
	harness qemu accel ${1:+"$1"}
}

# qemu_run KERNEL INITRD DIR TIMEOUT MEM APPEND...: boot once (extra kernel
# arguments from CLONE3_APPEND, extra QEMU arguments from CLONE3_QEMU_EXTRA,
# for debugging), capturing DIR/console.log, DIR/ktap.raw, DIR/result.raw
# and DIR/kselftest.raw, with progress from the KTAP stream
# (scripts/harness/qemu.py). Returns 0 if QEMU exited by itself, 124 on
# timeout.
qemu_run() {
	local kernel=$1 initrd=$2 dir=$3 limit=$4 mem=$5 rc=0; shift 5
	harness qemu run "$kernel" "$initrd" "$dir" "$limit" "$mem" "$@" || rc=$?
	case $rc in
	0|124) return "$rc" ;;
	130|143) exit "$rc" ;; # interrupted: the entry point says so
	*) infra "the QEMU runner failed (exit $rc); see $dir/qemu.log" ;;
	esac
}
