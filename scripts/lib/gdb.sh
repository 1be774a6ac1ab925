# scripts/validate --gdb: QEMU's gdb stub, and the symbols for the kernel
# being debugged: the vmlinux kept beside a cached image (or found again
# in the build tree by its build id), the build tree's own for --tree and
# --kernel .../arch/x86/boot/bzImage, and for a Debian kernel an ELF
# symbol file made from its System.map (text symbols at their link
# addresses; the boot runs with nokaslr so they are the real ones).
# Source after common.sh and kernel.sh.

# gdb_free_port FROM: the first TCP port from FROM that nothing listens on.
gdb_free_port() {
	python3 - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
while True:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        break
    except OSError:
        port += 1
    finally:
        s.close()
print(port)
PY
}

# gdb_prepare: QEMU halted at start with a gdb stub, KASLR off, no time limit
# unless --timeout was given (uses validate's timeout, timeout_given).
gdb_prepare() {
	need_tool gdb
	GDB_PORT=${CLONE3_GDB_PORT:-$(gdb_free_port 1234)}
	CLONE3_QEMU_EXTRA="${CLONE3_QEMU_EXTRA:+$CLONE3_QEMU_EXTRA }-S -gdb tcp:127.0.0.1:$GDB_PORT"
	CLONE3_APPEND="${CLONE3_APPEND:+$CLONE3_APPEND }nokaslr"
	export CLONE3_QEMU_EXTRA CLONE3_APPEND
	[ "${timeout_given:-0}" = 1 ] || timeout=86400
}

# image_vmlinux IMAGE: print the vmlinux of a bzImage we built, or nothing.
image_vmlinux() {
	local image=$1 dir obj want f
	dir=$(dirname "$image")
	if [ -s "$dir/vmlinux" ]; then printf '%s\n' "$dir/vmlinux"; return 0; fi
	case $image in */arch/x86/boot/bzImage)
		obj=${image%/arch/x86/boot/bzImage}
		[ ! -s "$obj/vmlinux" ] || { printf '%s\n' "$obj/vmlinux"; return 0; }
	esac
	# An image cached before vmlinux was kept: its build tree may still
	# hold that vmlinux (same build id); keep a copy beside the image.
	want=$(cat "$dir/build-id" 2>/dev/null) || return 0
	for f in "$CACHE_ROOT"/kbuild/*/vmlinux; do
		[ -s "$f" ] && [ "$(vmlinux_build_id "$f")" = "$want" ] || continue
		cp "$f" "$dir/.vmlinux.tmp" && mv "$dir/.vmlinux.tmp" "$dir/vmlinux" &&
			printf '%s\n' "$dir/vmlinux"
		return 0
	done
}

# debian_symbols VMLINUZ: print an ELF symbol file for a Debian kernel,
# made once from its System.map, or nothing. Debian ships the real
# System.map only in linux-image-KVER-dbg (about 350 MB, fetched once;
# only System.map is kept, beside the vmlinuz).
debian_symbols() {
	local dir map syms pkg kver
	dir=$(dirname "$1")
	syms="$dir/vmlinux.syms"
	[ ! -s "$syms" ] || { printf '%s\n' "$syms"; return 0; }
	map="$dir/System.map"
	if ! grep -qw copy_process "$map" 2>/dev/null && [ -f "$dir/package" ]; then
		pkg=$(cat "$dir/package")
		kver=$(printf '%s\n' "$pkg" | sed -E 's/^linux-(image|binary)-(unsigned-)?//; s/-unsigned$//')
		local tmp; tmp=$(mktemp -d)
		log "fetching linux-image-$kver-dbg for the System.map of $pkg (about 350 MB, once)"
		if (cd "$tmp" && apt_private apt-get -qq download "linux-image-$kver-dbg") >"$tmp/log" 2>&1; then
			dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" --wildcards '*/System.map' 2>>"$tmp/log" &&
				find "$tmp" -name System.map -type f -exec cp {} "$map.tmp" \; &&
				mv "$map.tmp" "$map" || true
		else
			warn "could not fetch linux-image-$kver-dbg: $(tail -n1 "$tmp/log")"
		fi
		rm -rf "$tmp"
	fi
	grep -qw copy_process "$map" 2>/dev/null || return 0
	system_map_elf "$map" "$syms.tmp" && mv "$syms.tmp" "$syms" && printf '%s\n' "$syms"
}

# system_map_elf MAP OUT: an x86-64 ELF whose .text (NOBITS, at _text)
# holds every text symbol of MAP at its address, for gdb's 'break NAME'.
system_map_elf() {
	local map=$1 out=$2 tmp
	tmp=$(mktemp -d)
	awk '$2 ~ /^[TtWw]$/ && $3 !~ /["\\]/ { print $1, $3 }' "$map" | sort -k1,1 >"$tmp/text"
	python3 - "$tmp/text" "$tmp/map.ld" <<'PY'
import sys
syms = [line.split() for line in open(sys.argv[1])]
base = min(int(a, 16) for a, _ in syms)
end = max(int(a, 16) for a, _ in syms)
with open(sys.argv[2], "w") as f:
    f.write("SECTIONS {\n  .text 0x%x (NOLOAD) : {\n" % base)
    for addr, name in syms:
        f.write('    . = 0x%x; "%s" = .;\n' % (int(addr, 16) - base, name))
    f.write("    . = 0x%x;\n  }\n}\n" % (end - base + 16))
PY
	printf '' | as --64 -o "$tmp/empty.o" - &&
		ld -m elf_x86_64 -e 0 -T "$tmp/map.ld" -o "$out" "$tmp/empty.o" 2>"$tmp/err" ||
		{ warn "could not make a symbol file from $map: $(head -n1 "$tmp/err")"; rm -rf "$tmp"; return 1; }
	rm -rf "$tmp"
}

# gdb_symbols IMAGE: the symbol file for IMAGE (see above), or nothing.
gdb_symbols() {
	case $1 in
	*/debian-kernels/*) debian_symbols "$1" ;;
	*) image_vmlinux "$1" ;;
	esac
}

# gdb_announce IMAGE: say how to attach; QEMU waits for that debugger.
gdb_announce() {
	local syms
	syms=$(gdb_symbols "$1")
	[ -n "$syms" ] || warn "no vmlinux or System.map for $1: gdb gets no symbols"
	log "QEMU waits for a debugger on 127.0.0.1:$GDB_PORT (kernel arguments: ${CLONE3_APPEND:-}); attach with:"
	printf '  gdb -q %s -ex "target remote 127.0.0.1:%s"\n' "${syms:-}" "$GDB_PORT" >&2
	printf '  (e.g. gdb -q -batch %s -ex "target remote 127.0.0.1:%s" -ex "break copy_process" -ex continue -ex bt)\n' \
		"${syms:-}" "$GDB_PORT" >&2
}
