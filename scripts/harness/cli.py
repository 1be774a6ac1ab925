"""One command line for every entry point in scripts/.

Each entry point (validate, test, soak, stress, sweep, mutants, bench,
kselftest-baseline, merge-results) has its parser here; its --help comes
from that parser, and so does every usage error (exit 2; with validate's
--bisect, 255, which aborts 'git bisect run'). The bash entry points call

    python3 -m harness.cli NAME ARGS...

through cli_parse (scripts/lib/common.sh). On success this prints shell
assignments (the variables the entry point runs with, safely quoted) and
exits 0; with --help it prints the help and exits 3, which cli_parse turns
into printing it and exiting 0. merge-results, itself Python, calls parse().
"""
import argparse
import os
import re
import shlex
import sys

from harness import sources, targets

EXIT_USAGE = 2
EXIT_HELP = 3
EXIT_INFRA = 255

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


known_bases = sources.known_bases


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse whose errors end in our message and exit code."""

    usage_exit = EXIT_USAGE

    def error(self, message):
        raise UsageError(message)


class Target(argparse.Action):
    """--base/--debian/--kernel/--tree: one target each, in order."""

    def __call__(self, parser, ns, value, option_string=None):
        if not value:
            raise UsageError(f"{option_string} needs an argument")
        ns.targets = list(getattr(ns, "targets", None) or []) + [f"{option_string[2:]}:{value}"]


def seconds(v):
    if not re.fullmatch(r"[0-9]+", v):
        raise argparse.ArgumentTypeError("takes seconds")
    return int(v)


def count(v):
    if not re.fullmatch(r"[0-9]+", v):
        raise argparse.ArgumentTypeError("takes a count (0 or more)")
    return int(v)


def positive(v):
    if not re.fullmatch(r"[1-9][0-9]*", v):
        raise argparse.ArgumentTypeError("takes a number (1 or more)")
    return int(v)


def nonempty(v):
    if not v:
        raise argparse.ArgumentTypeError("needs an argument")
    return v


def base_name(v):
    bases = known_bases()
    if v not in bases:
        raise argparse.ArgumentTypeError(
            f"unknown base '{v}' (known: {', '.join(bases)}); a base is a folder "
            "kernel-patches/BASE with a 'source' file")
    return v


def shard(v):
    m = re.fullmatch(r"([0-9]+)/([0-9]+)", v)
    if not m:
        raise argparse.ArgumentTypeError(f"takes I/N (e.g. 1/2), not '{v}'")
    i, n = int(m[1]), int(m[2])
    if not (n >= 1 and 1 <= i <= n):
        raise argparse.ArgumentTypeError(f"{v}: I must be between 1 and N")
    return (i, n)


def origin(v):
    if not re.fullmatch(r"[a-z0-9_]+", v):
        raise argparse.ArgumentTypeError(f"'{v}': a KCIDB origin is [a-z0-9_]+")
    return v


def existing_file(v):
    if not os.path.isfile(v):
        raise argparse.ArgumentTypeError(f"{v}: no such file")
    return os.path.realpath(v)


def scale(v):
    if not re.fullmatch(r"[0-9]*\.?[0-9]+", v) or float(v) == 0:
        raise argparse.ArgumentTypeError("takes a positive number (1, 0.5, 4)")
    return v


def new_parser(prog, description, epilog=None, **kw):
    return Parser(prog=f"scripts/{prog}", description=description, epilog=epilog,
                  formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False, **kw)


# --- validate -------------------------------------------------------------

VALIDATE_EPILOG = """\
Roles: dut and oracle must pass every test with no skip (the oracle may
fail the tests listed in selftests/known-upstream-defects.txt; a base's
dut may skip, and then must skip, the tests its
kernel-patches/BASE/expected-unsupported.txt lists); control must skip
every feature test and pass every Baseline test.
Upstream's selftests (selftests/upstream/README.md) run after the suite:
on a dut every one that passes on the unpatched base (the recorded
kernel-patches/BASE/kselftests-unpatched.txt, or prefix 0 live with
--per-commit) must pass, and 7.3's pidfd_autoreap_test must pass; on a
control or oracle they are reported, not judged.
Exit: 0 every role met its expectation, 1 a test failure or broken
expectation, 2 usage error, 255 infrastructure failure (with --bisect:
0 good, 1 bad, 125 cannot judge, 255 usage error)."""


def add_validate_options(p):
    t = p.add_argument_group(
        "targets", "any number, in order; none given = the default set: "
        + ", ".join(f"--{k} {v} ({targets.default_role(k, v)})"
                    for k, v in map(targets.split, targets.DEFAULT)))
    bases = ", ".join(known_bases())
    t.add_argument("--base", action=Target, metavar="BASE",
                   help=f"build the base ({bases}: each folder of kernel-patches/ with a 'source' "
                   "file, which says where Debian ships it) with its series (role dut; control "
                   "if the series is empty)")
    t.add_argument("--debian", action=Target, metavar="VERSION",
                   help="a Debian prebuilt cloud kernel (7.3, 7.3.4, 6.18 ...); role oracle "
                   "for 7.1 and later, control before")
    t.add_argument("--kernel", action=Target, metavar="PATH",
                   help="your own x86-64 bzImage (role dut unless --role)")
    t.add_argument("--tree", action=Target, metavar="PATH",
                   help="build your own kernel work tree out of tree (make O=... in the "
                   "cache; your tree is never written); exit 2 if it is not a kernel tree, "
                   "a build is running in it (or left .tmp_* files), or it has an in-tree "
                   "config (run make mrproper there)")
    o = p.add_argument_group("options")
    o.add_argument("--role", choices=targets.ROLES, default="",
                   help="override the role of every target given (prefix: a feature may "
                   "skip, nothing may fail)")
    o.add_argument("--base-version", metavar="V", type=nonempty, default=None,
                   help="exact upstream version of the base: a 6.18 orig tarball "
                   "(6.18.12 ...) or a linux-source-6.12 point release (6.12.111 ...); "
                   "scripts/sweep lists them")
    o.add_argument("--filter", metavar="PATTERN", type=nonempty, default=None,
                   help="run only tests matching this gtest filter")
    o.add_argument("--out", metavar="DIR", type=nonempty, default=os.path.join(TOP, "results"),
                   help="results directory (default: results)")
    o.add_argument("--per-commit", action="store_true",
                   help="with --base: build, boot and judge every prefix of the series; "
                   "names the first bad commit")
    o.add_argument("--unpatched", action="store_true",
                   help="with --base: build and boot only the unpatched base (prefix 0; "
                   "scripts/kselftest-baseline records it)")
    o.add_argument("--debug", action="store_true",
                   help="build with the lockdep/KASAN/kmemleak fragment "
                   "(vm-images/config/debug.config; 3G guest memory)")
    o.add_argument("--timeout", metavar="SECONDS", type=seconds, default=None,
                   help="wall-clock limit per boot (default 420)")
    o.add_argument("--expect-unsupported", metavar="FILE", type=existing_file, default=None,
                   help="tests (fnmatch, reason) this dut must skip, as "
                   "kernel-patches/BASE/expected-unsupported.txt does for --base (for "
                   "--kernel/--tree of a base)")
    o.add_argument("--program-args", metavar="ARGS", default="",
                   help="extra arguments for the program the VM runs (the suite, or the one "
                   "CLONE3_APPEND names with clone3.program=/PATH), split at spaces")
    o.add_argument("--boots", metavar="N", type=positive, default=None,
                   help="run up to N kernels' suites at once, each with one vCPU (default: "
                   "the number of cores; CLONE3_BOOTS); a kernel whose suite has ended and "
                   "that runs upstream's selftests (which mostly wait) counts as half, "
                   "except with --boots 1; a kernel still boots while the next one builds")
    o.add_argument("--shell", action="store_true",
                   help="boot the (single) target with a busybox shell on the console "
                   "instead of running the suite")
    o.add_argument("--append", metavar="ARGS", action="append", type=nonempty, default=[],
                   help="extra kernel command line arguments (added to CLONE3_APPEND; "
                   "--shell and --gdb honour them too)")
    o.add_argument("--gdb", action="store_true",
                   help="boot the (single) target with QEMU's gdb stub on a free port "
                   "(1234 up), halted until a debugger continues it, KASLR off; prints the "
                   "gdb command with the vmlinux (or, for a Debian kernel, a symbol file "
                   "made from its System.map)")
    o.add_argument("--bisect", action="store_true",
                   help="exit codes for 'git bisect run': 0 good, 1 bad, 125 the commit "
                   "cannot be judged (build or infrastructure failure), 255 a usage error "
                   "(aborts the bisect); the role defaults to prefix")
    o.add_argument("--shard", metavar="I/N", type=shard, default=(1, 1),
                   help="run shard I of N: the targets (and with --per-commit the prefixes) "
                   "dealt round robin; scripts/merge-results combines the shards' --out")
    o.add_argument("--kcidb", metavar="FILE", type=nonempty, default=None,
                   help="also write the results as KCIDB I/O v5 JSON to FILE "
                   "(OUT/kcidb.json is always written)")
    o.add_argument("--origin", metavar="NAME", type=origin, default="clone3_lifecycle",
                   help="the KCIDB origin, [a-z0-9_]+ (default clone3_lifecycle)")
    o.add_argument("--no-kselftests", action="store_true",
                   help="do not build or run upstream's pidfd and clone3 selftests after "
                   "the suite (quick loops)")


def validate_parser():
    p = new_parser("validate", "Build, boot and judge kernels against the clone3 lifecycle "
                   "test suite.", VALIDATE_EPILOG)
    add_validate_options(p)
    p.set_defaults(targets=[])
    return p


def validate_shell(a):
    for t in a.targets:
        if t.startswith("base:"):
            base_name(t[len("base:"):])
    try:
        a.targets = targets.check(a.targets, a.per_commit, a.unpatched, a.shell, a.gdb)
    except targets.TargetError as e:
        raise UsageError(str(e))
    env_append = os.environ.get("CLONE3_APPEND", "")
    append = " ".join([env_append] * bool(env_append) + a.append)
    v = {
        "targets": a.targets, "role_override": a.role, "base_version": a.base_version,
        "filter": a.filter, "out": a.out, "per_commit": int(a.per_commit),
        "unpatched": int(a.unpatched), "variant": "debug" if a.debug else "",
        "timeout": 420 if a.timeout is None else a.timeout,
        "timeout_given": int(a.timeout is not None), "shell": int(a.shell),
        "program_args": a.program_args, "expect_unsupported": a.expect_unsupported,
        "gdb": int(a.gdb), "bisect": int(a.bisect), "kcidb": a.kcidb, "origin": a.origin,
        "SHARD_I": a.shard[0], "SHARD_N": a.shard[1],
    }
    if a.boots is not None:
        v["MAX_BOOTS"] = a.boots
    exports = {}
    if a.append:
        exports["CLONE3_APPEND"] = append
    if a.no_kselftests:
        exports["CLONE3_KSELFTESTS"] = "0"
    return v, exports


# --- test -------------------------------------------------------------------

def test_parser():
    p = new_parser(
        "test",
        "The project's test command: host unit tests (meson test, and pytest of the harness\n"
        "core in scripts/harness), the full validation (scripts/validate of every base's\n"
        "series: 6.18, 6.12 and the mainline fixes on 7.3; the Debian 7.3 oracle and the 6.18\n"
        "control, or the targets given here), then the host tests of the harness\n"
        "(scripts/tests/*.sh, which use what validate built). Ends with one line\n"
        "\"N passed, N failed, N skipped\". Every option is scripts/validate's.",
        "Exit: 0 all good, 1 a test failure, 2 usage error, 255 infrastructure.")
    add_validate_options(p)
    p.set_defaults(targets=[])
    return p


def test_shell(a):
    return {"out": a.out, "have_target": int(bool(a.targets))}, {}


# --- soak -------------------------------------------------------------------

def soak_parser():
    p = new_parser(
        "soak",
        "Boot a kernel N times in a row and count infrastructure failures (boots that never\n"
        "reached or finished the suite) and test failures. Prints per-test failure counts,\n"
        "e.g. to measure how often a known upstream defect shows on the oracle. Upstream's\n"
        "selftests are not run (--no-kselftests): soak measures the suite.",
        "Exit: 0 no failure, 1 a test failure, 2 usage error, 255 an infrastructure failure.")
    p.add_argument("n", metavar="N", type=positive, help="how many boots")
    t = p.add_argument_group("target", "one of (default --debian 7.3)")
    t.add_argument("--debian", action=Target, metavar="VERSION")
    t.add_argument("--kernel", action=Target, metavar="PATH")
    t.add_argument("--base", action=Target, metavar="BASE")
    p.add_argument("--filter", metavar="PATTERN", type=nonempty, default="Baseline*",
                   help="gtest filter (default 'Baseline*', a trivial run)")
    p.add_argument("--role", choices=targets.ROLES, default="",
                   help="role to judge by (default: control for the trivial run, otherwise "
                   "the target's own)")
    p.add_argument("--out", metavar="DIR", type=nonempty, default=os.path.join(TOP, "results", "soak"),
                   help="results directory, emptied first (default results/soak; give each of "
                   "several soaks running at once its own)")
    p.set_defaults(targets=[])
    return p


def soak_shell(a):
    if len(a.targets) > 1:
        raise UsageError("scripts/soak boots one target")
    target = []
    for t in a.targets:
        kind, _, value = t.partition(":")
        if kind == "base":
            base_name(value)
        target += [f"--{kind}", value]
    return {"n": a.n, "target": target, "filter": a.filter, "role": a.role, "out": a.out}, {}


# --- stress -----------------------------------------------------------------

def stress_parser():
    p = new_parser(
        "stress",
        "Stress, fuzz and fault run of a patched base: boots its --debug build (lockdep,\n"
        "KASAN, kmemleak) under QEMU running clone3_stress instead of the suite, through\n"
        "scripts/validate (role dut), so a splat in the console or a failed section fails\n"
        "the run; then prints the report.",
        "The report: per section its rounds, children, fuzzer tries, model disagreements,\n"
        "violations, zombies and leaked descriptors; then zombies left in /proc, slab object\n"
        "deltas of the process caches, kmemleak suspects, splats, and the times.\n"
        "Exit: 0 no splat and every section clean; 1 a failure; 2 usage error;\n"
        "255 infrastructure failure (build, boot, hang before the run started).")
    p.add_argument("--base", type=base_name, default="6.18",
                   help="the base whose series is built (default 6.18)")
    p.add_argument("--no-debug", action="store_true",
                   help="boot the normal build instead of the --debug one")
    p.add_argument("--scale", metavar="X", type=scale, default="1",
                   help="multiply every time-bounded section's time and count bounds "
                   "(default 1: about 5 minutes of load, plus about 4 minutes for the volume "
                   "sections, 11-12 minutes with boot on TCG; the first --debug build of a base "
                   "takes 15-25 minutes); the volume sections do not scale")
    p.add_argument("--volume-autoreap", metavar="N", type=count, default=10000,
                   help="exactly N CLONE_AUTOREAP children in stress.volume_autoreap "
                   "(default 10000; 0: none)")
    p.add_argument("--volume-autokill", metavar="M", type=count, default=1000,
                   help="exactly M CLONE_PIDFD_AUTOKILL children, each killed by closing its "
                   "pidfd, in stress.volume_autokill (default 1000; 0: none)")
    p.add_argument("--seed", metavar="N", type=count, default=None,
                   help="replay a run (each report prints its seed)")
    p.add_argument("--filter", metavar="P", type=nonempty, default=None,
                   help="only the tests matching P (gtest syntax, e.g. "
                   "'stress.fuzz_*:stress.leaks_*'); clone3_stress --list names them")
    p.add_argument("--out", metavar="DIR", type=nonempty, default=os.path.join(TOP, "results", "stress"),
                   help="results directory (default results/stress)")
    p.add_argument("--timeout", metavar="S", type=seconds, default=None,
                   help="wall-clock limit of the boot (default 300 s per unit of scale plus "
                   "600 s, plus the volume sections' own limits (0.1 s per autoreap or autokill "
                   "child, plus 120 s each): sections are bounded in guest time, a loaded host "
                   "stretches the rest)")
    return p


def stress_shell(a):
    return {"base": a.base, "debug": "" if a.no_debug else "--debug", "scale": a.scale,
            "seed": "" if a.seed is None else a.seed, "filter": a.filter, "out": a.out,
            "timeout": "" if a.timeout is None else a.timeout,
            "volume_autoreap": a.volume_autoreap, "volume_autokill": a.volume_autokill}, {}


# --- sweep ------------------------------------------------------------------

def sweep_parser():
    p = new_parser(
        "sweep",
        "Sweep a base's series over every point release Debian offers for that base, newest\n"
        "first: apply it with git am (then git am -3), report each conflict by patch, file\n"
        "and hunk, then build (incrementally, with ccache) and boot the result and judge it\n"
        "as a dut, upstream selftests included (scripts/validate --base B --base-version V).\n"
        "Writes DIR/sweep.txt (the table) and DIR/sweep.json, one row per release: release,\n"
        "applies (clean, 3-way, conflict), build seconds, verdict, tests passed, regressions.",
        "A release whose tarball does not download is a row \"unavailable\". The next release\n"
        "is fetched, extracted, applied and built while the current one boots. When suite\n"
        "tests fail on a release, that release is booted once more without the series\n"
        "(prefix 0, those tests only): a test that fails there too is the release's own\n"
        "(it predates what the test checks) and is listed apart, not as a regression.\n"
        "Exit: 0 the series applied and passed on every release, 1 a conflict or a failing\n"
        "release, 2 usage error, 255 infrastructure failure (no release could be fetched, or\n"
        "one could not be judged).")
    p.add_argument("--base", type=base_name, required=True, help="the base whose series is swept")
    p.add_argument("--releases", metavar='"V ..."', type=nonempty, default=None,
                   help="only these point releases (default: every one)")
    p.add_argument("--out", metavar="DIR", type=nonempty, default=None,
                   help="results (default: results/sweep-B); DIR/V/ holds each release's "
                   "validate results and apply logs")
    p.add_argument("--no-kselftests", action="store_true",
                   help="do not run upstream's selftests (quick loops)")
    p.add_argument("--filter", metavar="PATTERN", type=nonempty, default=None,
                   help="run only suite tests matching this gtest filter")
    p.add_argument("--list", action="store_true", help="print the point releases and exit")
    p.add_argument("--build-only", action="store_true",
                   help="fetch, apply and build every release, boot none (warms the caches "
                   "for a later sweep; no table)")
    p.add_argument("--apply-only", action="store_true",
                   help="fetch and apply on every release, build and boot none: the table's "
                   "\"applies\" column alone")
    return p


def sweep_shell(a):
    vargs = ["--no-kselftests"] * a.no_kselftests + (["--filter", a.filter] if a.filter else [])
    return {"base": a.base, "releases": a.releases, "out": a.out, "list": int(a.list),
            "build_only": int(a.build_only), "apply_only": int(a.apply_only), "vargs": vargs}, {}


# --- kselftest-baseline -----------------------------------------------------

def kselftest_baseline_parser():
    p = new_parser(
        "kselftest-baseline",
        "Record upstream's pidfd and clone3 selftests on a base without its series (prefix 0,\n"
        "built with the same configuration as every dut) into\n"
        "kernel-patches/BASE/kselftests-unpatched.txt, which scripts/validate judges each dut\n"
        "of that base against: a test that passes there must pass on the dut; one that fails\n"
        "there too is \"failed on both\", reported with the feature the base lacks (the\n"
        "\" # reason\" of its line, kept from the previous file; write it by hand for a new\n"
        "one). Boots once: scripts/validate --base B --unpatched --filter 'Baseline*'.",
        "Exit: 0 recorded, 2 usage error, 255 infrastructure failure (the file is then left\n"
        "as it was).")
    p.add_argument("--base", type=base_name, required=True,
                   help="the base to measure (its series is not applied)")
    p.add_argument("--base-version", metavar="V", type=nonempty, default=None,
                   help="exact upstream version of the base (see validate)")
    p.add_argument("--out", metavar="DIR", type=nonempty, default=None,
                   help="results of the prefix-0 boot (default: results/kselftest-baseline-B)")
    return p


def kselftest_baseline_shell(a):
    return {"base": a.base, "version": a.base_version, "out": a.out}, {}


# --- mutants ----------------------------------------------------------------

def mutants_parser():
    p = new_parser(
        "mutants",
        "Break the series on purpose and show which tests notice. A mutant that no test\n"
        "kills is a gap in the suite.\n\n"
        "Hand mode (default): each mutant in selftests/mutants/BASE.txt (a perl substitution\n"
        "on one file) is applied on top of the series in a scratch copy of the project, built\n"
        "(incrementally), booted as a dut and its failing tests listed: those the verdict\n"
        "holds against it (an upstream selftest that fails on the unpatched base as well\n"
        "kills no mutant).\n\n"
        "--generate: mutants derived mechanically from the code lines the series adds to .c\n"
        "files (scripts/harness/mutate.py: drop a statement, negate a condition, drop an\n"
        "operand of && or ||, swap an errno, swap PIDTYPE_TGID and PIDTYPE_PID, swap the\n"
        "signal sent, grow a size constant by a word). Each is committed on top of the series\n"
        "tip, built incrementally while the previous one boots with the full suite as a dut;\n"
        "one that does not compile is counted and dropped. The suite stops at a mutant's\n"
        "first failing test (--gtest_fail_fast). Mutants listed in\n"
        "selftests/mutants/BASE-equivalent.txt (name, tab, reason) are not booted and count\n"
        "as equivalent. Prints the score per patch and per file;\n"
        "results/mutants-generated/BASE/score.json keeps it. Not part of CI.",
        "Exit: 0 every (non-equivalent) mutant killed, 1 one survived, 2 usage,\n"
        "255 infrastructure.")
    p.add_argument("--base", type=base_name, default="6.18", help="the series to mutate (default 6.18)")
    p.add_argument("--only", metavar="TEXT", type=nonempty, default=None,
                   help="hand mode: only the mutant of this name; --generate: only mutants "
                   "whose name contains TEXT")
    p.add_argument("--generate", action="store_true", help="generated mutants (above)")
    p.add_argument("--per-statement", action="store_true",
                   help="one mutant per added line: the subtlest operator that fits it "
                   "(chosen by itself when the estimate exceeds --budget)")
    p.add_argument("--budget", metavar="MINUTES", type=count, default=90,
                   help="the time a --generate run may take (default 90 minutes)")
    p.add_argument("--resume", action="store_true",
                   help="keep the mutants an interrupted --generate run already judged")
    p.add_argument("--all-failures", action="store_true",
                   help="run each mutant's suite whole and list every failing test")
    return p


def mutants_shell(a):
    return {"base": a.base, "only": a.only, "generate": int(a.generate),
            "per_statement": int(a.per_statement), "budget": a.budget, "resume": int(a.resume),
            "all_failures": int(a.all_failures)}, {}


# --- bench ------------------------------------------------------------------

def bench_parser():
    p = new_parser(
        "bench", "Print performance figures; never fails on speed.",
        "Exit: 0, or 2/255 as scripts/validate when something could not run.")
    p.add_argument("mode", nargs="?", choices=["vm", "build", "goals"], default="vm",
                   help="vm (default): for the patched 6.18 kernel, the Debian 7.3 oracle and "
                   "the Debian 6.18 control: children spawned and reaped per second inside the "
                   "VM (fork+waitpid, clone3+waitpid, clone3 CLONE_PIDFD + poll + waitid, "
                   "CLONE_AUTOREAP|CLONE_PIDFD + poll until POLLHUP; median of 3 rounds of N "
                   "children), plus build, boot and suite seconds of a normal validation run "
                   "of each. build: the developer loop on the 6.18 series, in a scratch copy of "
                   "the project: warm no-op verdict; one .c-only patch added; a patch touching "
                   "a widely included header (new content, then switching back and forth "
                   "between states built before: ccache hits); --per-commit over the series, "
                   "warm; with --cold also a build from scratch without ccache. goals: the "
                   "harness's speed goals (warm 4-kernel run <= 60 s, suite <= 15 s per kernel, "
                   "warm --per-commit of 6.18 <= 120 s), measured now with and without "
                   "upstream's selftests, beside the figures before the harness core, as "
                   "ratios (now/before, now/goal)")
    p.add_argument("--count", metavar="N", type=positive, default=2000,
                   help="children per round in vm mode (default 2000)")
    p.add_argument("--runs", metavar="N", type=positive, default=3,
                   help="runs of each cheap step in build mode, median (default 3)")
    p.add_argument("--cold", action="store_true", help="build mode: also a build from scratch")
    return p


def bench_shell(a):
    return {"mode": a.mode, "count": a.count, "runs": a.runs, "cold": int(a.cold)}, {}


# --- merge-results ----------------------------------------------------------

def merge_results_parser():
    p = new_parser(
        "merge-results",
        "Combine the results of the shards of one run (scripts/validate --shard I/N --out DIR,\n"
        "each shard on any machine, with the same targets and options) into what one\n"
        "unsharded run gives: summary.json and junit.xml of every kernel, in the unsharded\n"
        "order, one KCIDB document (checkouts and builds the shards share are one object),\n"
        "the table and, with --per-commit, the first bad commit of each series.",
        "Exit: 0 every kernel met its expectation, 1 a test failure or broken expectation,\n"
        "2 usage error, 255 an infrastructure failure, or a shard missing, repeated or from\n"
        "another run.")
    p.add_argument("dirs", metavar="SHARD_DIR", nargs="*", help="the shards' --out directories")
    p.add_argument("--out", metavar="DIR", type=nonempty, default=os.path.join(TOP, "results"),
                   help="where summary.json, junit.xml and kcidb.json of the whole run go "
                   "(default: results); not one of the shards' dirs")
    p.add_argument("--kcidb", metavar="FILE", type=nonempty, default=None,
                   help="also write the merged KCIDB document to FILE")
    return p


PARSERS = {
    "validate": (validate_parser, validate_shell),
    "test": (test_parser, test_shell),
    "soak": (soak_parser, soak_shell),
    "stress": (stress_parser, stress_shell),
    "sweep": (sweep_parser, sweep_shell),
    "kselftest-baseline": (kselftest_baseline_parser, kselftest_baseline_shell),
    "mutants": (mutants_parser, mutants_shell),
    "bench": (bench_parser, bench_shell),
    "merge-results": (merge_results_parser, None),
}


def usage_fail(message, code=EXIT_USAGE):
    print(f"error: {message} (see --help)", file=sys.stderr)
    sys.exit(code)


def joined(parser, argv):
    """ARGV with every option that takes one value given as OPT=VALUE, so a
    value that starts with '-' (a negative gtest filter, --program-args
    --gtest_fail_fast) is taken as the value, as the bash parsers did."""
    takes_value = {o for a in parser._actions if a.option_strings and a.nargs is None
                   and not isinstance(a, (argparse._StoreTrueAction, argparse._HelpAction))
                   for o in a.option_strings}
    out, i = [], 0
    while i < len(argv):
        if argv[i] in takes_value:
            if i + 1 >= len(argv):
                raise UsageError(f"{argv[i]} needs an argument")
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def is_help(parser, argv):
    try:
        return any(a in ("-h", "--help") for a in joined(parser, argv))
    except UsageError:
        return False


def parse(name, argv):
    """Parse ARGV for entry point NAME: the namespace, or print the help
    (exit 0) or a usage error (exit 2; 255 for validate --bisect)."""
    parser = PARSERS[name][0]()
    code = EXIT_INFRA if name == "validate" and "--bisect" in argv else EXIT_USAGE
    if is_help(parser, argv):
        parser.print_help()
        sys.exit(0)
    try:
        return parser.parse_args(joined(parser, argv))
    except UsageError as e:
        usage_fail(str(e), code)


def shell_value(v):
    if v is None:
        return "''"
    if isinstance(v, (list, tuple)):
        return "(" + " ".join(shlex.quote(str(x)) for x in v) + ")"
    return shlex.quote(str(v))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # For scripts/lib/bases.sh: the bases, and the check of one.
    if argv[:1] == ["bases"]:
        print("\n".join(known_bases()))
        return 0
    if argv[:1] == ["check-base"]:
        try:
            base_name(argv[1] if len(argv) > 1 else "")
        except argparse.ArgumentTypeError as e:
            usage_fail(str(e))
        return 0
    if not argv or argv[0] not in PARSERS or PARSERS[argv[0]][1] is None:
        print(f"usage: python3 -m harness.cli {{{','.join(k for k, v in PARSERS.items() if v[1])}}} ARGS...",
              file=sys.stderr)
        return EXIT_USAGE
    name, args = argv[0], argv[1:]
    if is_help(PARSERS[name][0](), args):
        PARSERS[name][0]().print_help()
        return EXIT_HELP
    ns = parse(name, args)
    code = EXIT_INFRA if name == "validate" and ns.bisect else EXIT_USAGE
    try:
        values, exports = PARSERS[name][1](ns)
    except (UsageError, argparse.ArgumentTypeError) as e:
        usage_fail(str(e), code)
    for k, v in values.items():
        print(f"{k}={shell_value(v)}")
    for k, v in exports.items():
        print(f"export {k}={shell_value(v)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
