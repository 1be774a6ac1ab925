"""The one command line (harness/cli.py): parsing, errors, help, and the
shell assignments the bash entry points evaluate."""
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(SCRIPTS))
from harness import cli  # noqa: E402


def run(*args):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=SCRIPTS,
                          capture_output=True, text=True)


def shell_vars(out, *names):
    """Evaluate the assignments in bash; the named variables, one per line
    (arrays joined by '|')."""
    prog = out + "\n" + "\n".join(
        f'v=("${{{n}[@]}}"); (IFS="|"; echo "${{v[*]}}")' for n in names)
    return subprocess.run(["bash", "-c", prog], capture_output=True, text=True, check=True).stdout.splitlines()


def test_targets_keep_their_order_and_kind(tmp_path):
    k = tmp_path / "k b"
    k.write_bytes(b"\0" * 514 + b"HdrS")
    r = run("validate", "--debian", "7.3", "--base", "6.18", "--kernel", str(k), "--tree", "t")
    assert r.returncode == 0, r.stderr
    assert shell_vars(r.stdout, "targets") == [f"debian:7.3|base:6.18|kernel:{k}|tree:t"]


def test_no_target_is_the_default_set():
    r = run("validate")
    assert r.returncode == 0, r.stderr
    assert shell_vars(r.stdout, "targets") == ["base:6.18|debian:7.3|debian:6.18"]


def test_values_that_start_with_a_dash_are_values():
    r = run("validate", "--filter", "-Baseline.*", "--program-args", "--gtest_fail_fast --x")
    assert r.returncode == 0, r.stderr
    assert shell_vars(r.stdout, "filter", "program_args") == ["-Baseline.*", "--gtest_fail_fast --x"]


def test_append_adds_to_the_environment_and_no_kselftests_exports():
    r = subprocess.run([sys.executable, "-m", "harness.cli", "validate", "--append", "a=1",
                        "--append", "b=2", "--no-kselftests"], cwd=SCRIPTS, capture_output=True,
                       text=True, env={"CLONE3_APPEND": "env=0", "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert "export CLONE3_APPEND='env=0 a=1 b=2'" in r.stdout
    assert "export CLONE3_KSELFTESTS=0" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--fil", "x"], "unrecognized arguments"),          # no abbreviations
    (["--filter"], "--filter needs an argument"),
    (["--timeout", "soon"], "takes seconds"),
    (["--role", "judge"], "invalid choice"),
    (["--shard", "3/2"], "I must be between 1 and N"),
    (["--shard", "1-2"], "takes I/N"),
    (["--origin", "Bad-Origin"], "a KCIDB origin"),
    (["--boots", "0"], "1 or more"),
    (["--expect-unsupported", "/nonexistent/list"], "no such file"),
])
def test_usage_errors_exit_2_with_the_reason(args, message):
    r = run("validate", *args)
    assert r.returncode == 2 and r.stdout == ""
    assert message in r.stderr and r.stderr.startswith("error: ") and "(see --help)" in r.stderr


def test_a_usage_error_with_bisect_aborts_the_bisect():
    r = run("validate", "--bisect", "--bogus")
    assert r.returncode == 255 and "unrecognized" in r.stderr


def test_help_comes_from_the_parser():
    r = run("validate", "--filter", "x", "--help")
    assert r.returncode == cli.EXIT_HELP
    assert r.stdout.startswith("usage: scripts/validate")
    for opt in ("--base BASE", "--per-commit", "--kcidb FILE", "--gdb", "--shard I/N", "Exit: 0"):
        assert opt in r.stdout
    # a value that looks like -h is a value, not a request for help
    assert run("validate", "--filter", "-h").returncode == 0


@pytest.mark.parametrize("name", [n for n, (_, shell) in cli.PARSERS.items() if shell])
def test_every_entry_point_has_help(name):
    r = run(name, "--help")
    assert r.returncode == cli.EXIT_HELP and r.stdout.startswith(f"usage: scripts/{name}")


def test_bases_are_the_folders_with_a_source_file():
    bases = cli.known_bases()
    assert {"6.18", "6.12", "7.3"} <= set(bases)
    assert all((SCRIPTS.parent / "kernel-patches" / b / "source").is_file() for b in bases)
    r = run("stress", "--base", "5.4")
    assert r.returncode == 2 and "unknown base '5.4'" in r.stderr


def test_soak_takes_one_target_and_a_count():
    r = run("soak", "3", "--base", "6.12", "--filter", "Autoreap*")
    assert r.returncode == 0, r.stderr
    assert shell_vars(r.stdout, "n", "target", "filter") == ["3", "--base|6.12", "Autoreap*"]
    assert run("soak", "3", "--base", "6.18", "--debian", "7.3").returncode == 2
    assert run("soak").returncode == 2


def test_sweep_passes_validate_options_on():
    r = run("sweep", "--base", "6.18", "--no-kselftests", "--filter", "Baseline*")
    assert r.returncode == 0, r.stderr
    assert shell_vars(r.stdout, "vargs", "base") == ["--no-kselftests|--filter|Baseline*", "6.18"]
    assert "required: --base" in run("sweep").stderr


def test_bash_asks_the_same_rule():
    """scripts/lib/bases.sh's known_bases and check_base, and validate's --base."""
    r = run("bases")
    assert r.returncode == 0 and r.stdout.split() == cli.known_bases()
    assert run("check-base", "6.18").returncode == 0
    bad = run("check-base", "9.9")
    assert bad.returncode == 2 and "unknown base '9.9'" in bad.stderr
    r = run("validate", "--base", "9.9")
    assert r.returncode == 2 and "unknown base '9.9'" in r.stderr
