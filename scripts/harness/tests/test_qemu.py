"""The QEMU runner: the command line it builds, what a boot captures,
progress from the KTAP stream, the time limit. QEMU itself is stood in
for by a script on PATH that writes to the serial files the command line
names, as the guest would."""
import os
import stat
import textwrap

import pytest

from harness import qemu

STAND_IN = textwrap.dedent("""\
    #!/usr/bin/env python3
    import os, sys, time
    args = sys.argv[1:]
    if args == ["--version"]:
        print("QEMU emulator version 7.2.19"); sys.exit(0)
    files = [a[5:] for a in args if a.startswith("file:")]
    open(os.environ["STAND_IN_ARGS"], "w").write("\\n".join(args))
    console, ktap, result, ks = files
    open(console, "w").write("Linux version 6.18.15\\n")
    with open(ktap, "w") as k:
        k.write("KTAP version 1\\n1..2\\n"); k.flush()
        time.sleep(float(os.environ.get("STAND_IN_SLEEP", "0")))
        k.write("ok 1 A.a\\n  ok 1 nested\\nnot ok 2 A.b\\n")
    open(result, "w").write("clone3-result rc=1\\n")
    """)


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "qemu-system-x86_64"
    exe.write_text(STAND_IN)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("CLONE3_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("STAND_IN_ARGS", str(tmp_path / "args"))
    monkeypatch.setenv("CLONE3_ACCEL", "tcg")
    monkeypatch.delenv("CLONE3_STEP_FILE", raising=False)
    out = tmp_path / "boot"
    out.mkdir()
    return tmp_path, out


def test_command_line_has_four_serial_files_and_the_kernel_arguments(tmp_path, monkeypatch):
    monkeypatch.setenv("CLONE3_APPEND", "nokaslr")
    monkeypatch.setenv("CLONE3_QEMU_EXTRA", "-s -S")
    cmd = qemu.command("bz", "rd", tmp_path, "1G", ["--", "--gtest_filter=A.*"], ["-accel", "tcg"])
    assert cmd[:3] == ["qemu-system-x86_64", "-accel", "tcg"]
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "-serial"] == [
        f"file:{tmp_path / n}" for n in qemu.SERIALS]
    assert "-s" in cmd and "-S" in cmd and cmd[cmd.index("-smp") + 1] == "1"
    assert cmd[cmd.index("-append") + 1] == (
        "console=ttyS0 panic=-1 oops=panic loglevel=6 no_timer_check nokaslr -- --gtest_filter=A.*")


def test_a_boot_captures_every_port_and_counts_top_level_results(stand_in, capsys):
    tmp, out = stand_in
    assert qemu.run("bz", "rd", out, 30, "1G", ["--", "x"]) == 0
    assert (out / "ktap.raw").read_text().endswith("not ok 2 A.b\n")
    assert (out / "result.raw").read_text() == "clone3-result rc=1\n"
    assert (out / "kselftest.raw").read_text() == ""
    assert float((out / "boot-seconds").read_text()) <= float((out / "wall-seconds").read_text())
    # The nested result is not counted: 2 of 2, not 3.
    assert "2/2 tests done" in capsys.readouterr().err
    assert "-append" in (tmp / "args").read_text().split("\n")


def test_the_time_limit_kills_qemu_and_returns_124(stand_in, monkeypatch):
    _, out = stand_in
    monkeypatch.setenv("STAND_IN_SLEEP", "30")
    assert qemu.run("bz", "rd", out, 1, "1G", []) == 124
    assert float((out / "wall-seconds").read_text()) < 10
    assert (out / "ktap.raw").read_text() == "KTAP version 1\n1..2\n"


def test_progress_names_the_kernel_and_updates_the_step_file(stand_in, monkeypatch, capsys):
    tmp, out = stand_in
    step = tmp / "step"
    step.write_text("booting 6.18 (role dut)\n")
    monkeypatch.setenv("CLONE3_STEP_FILE", str(step))
    monkeypatch.setenv("CLONE3_BOOT_ID", "6.18")
    qemu.run("bz", "rd", out, 30, "1G", [])
    assert "  6.18: 2/2 tests done" in capsys.readouterr().err
    assert step.read_text().splitlines() == ["booting 6.18 (role dut)", "  6.18: 2/2 tests done (0 s)"]


def test_kvm_is_not_probed_when_tcg_is_asked_for(stand_in):
    tmp, _ = stand_in
    assert qemu.accel("bz") == ["-accel", "tcg"]
    assert not (tmp / "cache").exists()
