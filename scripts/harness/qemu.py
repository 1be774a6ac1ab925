"""QEMU boots of the in-VM suite: the accelerator, and one boot with its
four serial ports captured.

The guest's init writes its console to the first 8250 port, the suite's
KTAP to the second, the run's result line to the third and upstream's
selftests to the fourth; a boot captures them as DIR/console.log,
DIR/ktap.raw, DIR/result.raw and DIR/kselftest.raw. Used by
scripts/lib/vm.sh (qemu_run, accel_args):

    python3 -m harness.qemu accel [KERNEL]
    python3 -m harness.qemu run KERNEL INITRD DIR LIMIT MEM [ARG...]

`run` prints progress from the KTAP stream, writes DIR/boot-seconds
(until the suite's first output) and DIR/wall-seconds, and exits 0 when
QEMU stopped by itself, 124 when LIMIT seconds ran out (QEMU is killed).
The ARGs end the kernel command line (init's arguments follow a "--")."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QEMU = "qemu-system-x86_64"
SERIALS = ("console.log", "ktap.raw", "result.raw", "kselftest.raw")
# no_timer_check: under TCG on a loaded host the IO-APIC timer check can
# miss its ticks and panic the boot ("IO-APIC + timer doesn't work!").
BASE_APPEND = "console=ttyS0 panic=-1 oops=panic loglevel=6 no_timer_check"
RESULT_LINE = re.compile(rb"^(?:not )?ok ", re.M)
PLAN_LINE = re.compile(rb"^1\.\.(\d+)", re.M)
PROGRESS_EVERY_S = 15
POLL_S = 0.2


def cache_root():
    if os.environ.get("CLONE3_CACHE"):
        return Path(os.environ["CLONE3_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.environ.get("HOME") or "/root", ".cache")
    return Path(base) / "clone3-lifecycle"


def log(msg):
    """Print MSG like common.sh's log(); an indented line is progress of
    the step the run's step file names (read by an interrupted run)."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
    step_file = os.environ.get("CLONE3_STEP_FILE")
    if not step_file:
        return
    try:
        if msg.startswith(" "):
            first = Path(step_file).read_text().splitlines()[:1]
            Path(step_file + ".new").write_text("".join(l + "\n" for l in first) + msg + "\n")
            os.replace(step_file + ".new", step_file)
        else:
            Path(step_file).write_text(msg + "\n")
    except OSError:
        pass


def qemu_version_key():
    """The digits and dots of QEMU's version line (the KVM probe's key)."""
    out = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout
    return "".join(c for c in out.splitlines()[0] if c in "0123456789.") if out else ""


def accel(kernel=None):
    """QEMU's accelerator arguments: TCG unless KVM has been seen to boot
    a guest on this machine. /dev/kvm existing proves nothing here, so the
    probe boots KERNEL once (to its panic for want of an init) and its
    answer is cached per host kernel and QEMU version."""
    if os.environ.get("CLONE3_ACCEL") == "tcg":
        return ["-accel", "tcg"]
    probe = cache_root() / f"kvm-probe-{os.uname().release}-{qemu_version_key()}"
    if not probe.is_file():
        result = "no"
        if kernel and os.access("/dev/kvm", os.W_OK):
            with tempfile.NamedTemporaryFile(suffix=".log") as f:
                try:
                    subprocess.run([QEMU, "-accel", "kvm", "-cpu", "host", "-m", "256", "-nodefaults",
                                    "-no-user-config", "-display", "none", "-no-reboot", "-kernel", kernel,
                                    "-serial", f"file:{f.name}",
                                    "-append", "console=ttyS0 panic=-1 rdinit=/nonexistent"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
                except subprocess.TimeoutExpired:
                    pass
                if b"Kernel panic" in Path(f.name).read_bytes():
                    result = "yes"
        probe.parent.mkdir(parents=True, exist_ok=True)
        probe.write_text(result + "\n")
        log(f"KVM boots a guest here: {result} (probe cached in {probe})")
    if probe.read_text().strip() == "yes":
        return ["-accel", "kvm", "-cpu", "host"]
    return ["-accel", "tcg"]


def command(kernel, initrd, out_dir, mem, args, accel_args):
    """The QEMU command line of one captured boot."""
    append = " ".join(filter(None, [BASE_APPEND, os.environ.get("CLONE3_APPEND", "").strip()] + list(args)))
    cmd = [QEMU] + accel_args + ["-m", mem, "-smp", "1", "-nodefaults", "-no-user-config",
                                 "-display", "none", "-no-reboot", "-kernel", kernel, "-initrd", initrd]
    cmd += os.environ.get("CLONE3_QEMU_EXTRA", "").split()
    cmd += ["-append", append]
    for name in SERIALS:
        cmd += ["-serial", f"file:{Path(out_dir) / name}"]
    return cmd


class Progress:
    """Counts the top-level KTAP results as they arrive."""

    def __init__(self, path):
        self.path, self.pos, self.buf, self.done, self.plan = path, 0, b"", 0, None

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return
        self.pos += len(data)
        self.buf += data
        # Only whole lines count; the rest waits for its newline.
        cut = self.buf.rfind(b"\n") + 1
        lines, self.buf = self.buf[:cut], self.buf[cut:]
        if self.plan is None:
            m = PLAN_LINE.search(lines)
            if m:
                self.plan = int(m.group(1))
        self.done += len(RESULT_LINE.findall(lines))

    @property
    def started(self):
        return self.pos > 0


def stop(proc):
    """Stop QEMU: SIGTERM, then SIGKILL a second later."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(kernel, initrd, out_dir, limit, mem, args):
    out = Path(out_dir)
    for name in SERIALS:
        (out / name).write_bytes(b"")
    cmd = command(kernel, initrd, out, mem, args, accel(kernel))
    boot_id = os.environ.get("CLONE3_BOOT_ID")
    t0 = time.monotonic()
    elapsed = lambda: f"{time.monotonic() - t0:.2f}"
    with open(out / "qemu.log", "wb") as qlog:
        proc = subprocess.Popen(cmd, stdout=qlog, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def on_signal(signum, _frame):
        stop(proc)
        (out / "wall-seconds").write_text(elapsed() + "\n")
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    progress = Progress(out / "ktap.raw")
    started = None
    shown, last_shown = None, time.monotonic()
    timed_out = False

    def report(final):
        # A progress line every 15 s and at the end, naming the kernel
        # when several boot at once (CLONE3_BOOT_ID).
        nonlocal shown, last_shown
        if progress.plan is not None and progress.done != shown and (
                final or time.monotonic() - last_shown >= PROGRESS_EVERY_S or progress.done == progress.plan):
            log(f"  {boot_id + ': ' if boot_id else ''}{progress.done}/{progress.plan} tests done "
                f"({int(time.monotonic() - t0)} s)")
            shown, last_shown = progress.done, time.monotonic()

    while proc.poll() is None:
        progress.poll()
        if started is None and progress.started:
            started = elapsed()
            (out / "boot-seconds").write_text(started + "\n")
        report(False)
        if time.monotonic() - t0 >= limit:
            stop(proc)
            timed_out = True
            break
        time.sleep(POLL_S)
    (out / "wall-seconds").write_text(elapsed() + "\n")
    progress.poll()
    report(True)
    if timed_out:
        return 124
    if started is None and (out / "ktap.raw").stat().st_size > 0:
        (out / "boot-seconds").write_text(elapsed() + "\n")
    return 0


def main(argv):
    if argv[:1] == ["accel"] and len(argv) <= 2:
        print(" ".join(accel(argv[1] if len(argv) == 2 else None)))
        return 0
    if argv[:1] == ["run"] and len(argv) >= 6:
        kernel, initrd, out_dir, limit, mem = argv[1:6]
        return run(kernel, initrd, out_dir, float(limit), mem, argv[6:])
    print("usage: python3 -m harness.qemu accel [KERNEL] | run KERNEL INITRD DIR LIMIT MEM [ARG...]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
