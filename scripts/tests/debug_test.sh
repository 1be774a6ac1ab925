#!/usr/bin/env bash
# Host test of the debugging options of scripts/validate, with a stand-in
# kernel tree and QEMU (scripts/lib/fake_tree.sh): --gdb starts QEMU halted
# with a gdb stub and nokaslr and prints the gdb command for that port;
# --append reaches the kernel command line, also with --shell (and so does
# CLONE3_APPEND); a System.map becomes a symbol file in which gdb finds
# copy_process at its address (as for a Debian kernel).
# Output: TAP. Exit 0 all ok, 1 a failure.
set -euo pipefail
# Stand-in kernels: upstream selftests (a download and a build) are not the point here.
export CLONE3_KSELFTESTS=0
source "$(dirname "$0")/../lib/common.sh"
source "$TOP/scripts/lib/kernel.sh"
source "$TOP/scripts/lib/gdb.sh"
source "$TOP/scripts/lib/fake_tree.sh"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export CLONE3_CACHE="$scratch/cache" CLONE3_ACCEL=tcg FAKE_QEMU_ARGS="$scratch/args"
fake_qemu "$scratch/bin"
export PATH="$scratch/bin:$PATH"
fake_tree "$scratch/linux"
echo "1..3"
source "$TOP/scripts/lib/tap.sh"

rc=0
CLONE3_GDB_PORT=41234 "$TOP/scripts/validate" --tree "$scratch/linux" --gdb --append clone3.probe=1 \
	--filter 'Fake*' --out "$scratch/gdb" >"$scratch/gdb.log" 2>&1 || rc=$?
args=$(tail -n1 "$scratch/args" 2>/dev/null || true)
r=0
[ $rc = 0 ] && [[ $args == *"-S -gdb tcp:127.0.0.1:41234"* ]] && [[ $args == *"nokaslr"* ]] &&
	[[ $args == *"clone3.probe=1"* ]] && grep -q 'gdb -q .*-ex "target remote 127.0.0.1:41234"' "$scratch/gdb.log" || r=1
ok $r "--gdb: QEMU halted with a gdb stub, nokaslr and --append on the command line; the gdb command printed"
[ $r = 0 ] || { echo "#   exit $rc; qemu: $args"; tail -n 4 "$scratch/gdb.log" | sed 's/^/#   /'; }

: >"$scratch/args"
rc=0
CLONE3_APPEND=from.env=1 "$TOP/scripts/validate" --tree "$scratch/linux" --shell --append clone3.probe=2 \
	--out "$scratch/shell" </dev/null >"$scratch/shell.log" 2>&1 || rc=$?
args=$(tail -n1 "$scratch/args" 2>/dev/null || true)
r=0
[[ $args == *"clone3.shell=1"* ]] && [[ $args == *"clone3.probe=2"* ]] && [[ $args == *"from.env=1"* ]] || r=1
ok $r "--shell honours --append and CLONE3_APPEND"
[ $r = 0 ] || { echo "#   exit $rc; qemu: $args"; tail -n 4 "$scratch/shell.log" | sed 's/^/#   /'; }

printf '%s\n' 'ffffffff81000000 T _text' 'ffffffff81234560 T copy_process' \
	'ffffffff81234700 t copy_process.cold' 'ffffffff82000000 D some_data' >"$scratch/System.map"
r=0
system_map_elf "$scratch/System.map" "$scratch/syms" 2>"$scratch/err" &&
	gdb -q -batch "$scratch/syms" -ex 'info address copy_process' 2>&1 | tee "$scratch/gdb.out" |
	grep -q '0xffffffff81234560' || r=1
ok $r "a System.map becomes a symbol file: gdb finds copy_process at its address"
[ $r = 0 ] || sed 's/^/#   /' "$scratch/err" "$scratch/gdb.out"
[ $fails = 0 ]
