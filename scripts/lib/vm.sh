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

# accel_args: TCG unless KVM has been seen to boot a guest on this machine
# (probed once by booting, since /dev/kvm existing proves nothing here).
accel_args() {
	local probe="$CACHE_ROOT/kvm-probe-$(uname -r)-$(qemu-system-x86_64 --version | head -n1 | tr -dc '0-9.')"
	if [ "${CLONE3_ACCEL:-}" = tcg ]; then echo "-accel tcg"; return; fi
	if [ ! -f "$probe" ]; then
		local result=no
		if [ -w /dev/kvm ] && [ -n "${1:-}" ]; then
			local log; log=$(mktemp)
			timeout 30 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults -no-user-config \
				-display none -no-reboot -kernel "$1" -serial "file:$log" \
				-append "console=ttyS0 panic=-1 rdinit=/nonexistent" >/dev/null 2>&1 || true
			grep -q "Kernel panic" "$log" && result=yes
			rm -f "$log"
		fi
		mkdir -p "$CACHE_ROOT"
		echo "$result" >"$probe"
		log "KVM boots a guest here: $result (probe cached in $probe)"
	fi
	if [ "$(cat "$probe")" = yes ]; then echo "-accel kvm -cpu host"; else echo "-accel tcg"; fi
}

# qemu_run KERNEL INITRD DIR TIMEOUT MEM APPEND...: boot once (extra kernel
# arguments from CLONE3_APPEND, extra QEMU arguments from CLONE3_QEMU_EXTRA,
# for debugging), capturing
# DIR/console.log, DIR/ktap.raw, DIR/result.raw and DIR/kselftest.raw
# (upstream's selftests, when the command line asks for them). Prints progress from
# the KTAP stream. Returns 0 if QEMU exited by itself, 124 on timeout.
qemu_run() {
	local kernel=$1 initrd=$2 dir=$3 limit=$4 mem=$5; shift 5
	local -a accel
	read -r -a accel <<<"$(accel_args "$kernel")"
	: >"$dir/console.log"; : >"$dir/ktap.raw"; : >"$dir/result.raw"; : >"$dir/kselftest.raw"
	qemu-system-x86_64 "${accel[@]}" -m "$mem" -smp 1 -nodefaults -no-user-config \
		-display none -no-reboot \
		-kernel "$kernel" -initrd "$initrd" ${CLONE3_QEMU_EXTRA:-} \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=6 ${CLONE3_APPEND:-} $*" \
		-serial "file:$dir/console.log" -serial "file:$dir/ktap.raw" \
		-serial "file:$dir/result.raw" -serial "file:$dir/kselftest.raw" >"$dir/qemu.log" 2>&1 &
	local qpid=$! start=$SECONDS shown="" started="" last_shown=$SECONDS t0us=${EPOCHREALTIME/./}
	elapsed() { local us=$((${EPOCHREALTIME/./} - t0us)); printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000)); }
	while kill -0 "$qpid" 2>/dev/null; do
		if [ -z "$started" ] && [ -s "$dir/ktap.raw" ]; then
			started=$(elapsed)
			echo "$started" >"$dir/boot-seconds"
		fi
		local done_n
		done_n=$(grep -c -E '^(not )?ok ' "$dir/ktap.raw" 2>/dev/null || true)
		local plan; plan=$(grep -m1 -o -E '^1\.\.[0-9]+' "$dir/ktap.raw" 2>/dev/null | cut -c4- || true)
		# A progress line every 15 s and at the end, naming the kernel
		# when several boot at once (CLONE3_BOOT_ID).
		if [ -n "$plan" ] && [ "$done_n" != "$shown" ] &&
		   { [ $((SECONDS - last_shown)) -ge 15 ] || [ "$done_n" = "$plan" ]; }; then
			log "  ${CLONE3_BOOT_ID:+$CLONE3_BOOT_ID: }$done_n/$plan tests done ($((SECONDS - start)) s)"
			shown=$done_n last_shown=$SECONDS
		fi
		if [ $((SECONDS - start)) -ge "$limit" ]; then
			kill "$qpid" 2>/dev/null; sleep 1; kill -9 "$qpid" 2>/dev/null
			wait "$qpid" 2>/dev/null
			elapsed >"$dir/wall-seconds"
			return 124
		fi
		sleep 0.2
	done
	wait "$qpid" 2>/dev/null
	elapsed >"$dir/wall-seconds"
	[ -n "$started" ] || [ ! -s "$dir/ktap.raw" ] || elapsed >"$dir/boot-seconds"
	return 0
}
