"""Judge one boot: read the KTAP stream, the result record and the console
log that a QEMU run left in DIR, apply the role's expectation and write
DIR/ktap.txt, DIR/junit.xml and DIR/summary.json. summary.json holds one
record per test (name, status, skip reason, failure messages, judgement);
junit.xml is made from those records and carries the verdict.

Exit code: 0 the role's expectation is met, 1 a test failure or a broken
expectation, 255 an infrastructure failure (the suite never ran)."""
import argparse
import json
import re
import sys
from pathlib import Path

from harness import judge as J
from harness import junit, ktap
from harness import kselftest as KS
from harness import targets

SPLAT = re.compile(
    r"(Kernel panic|BUG:|Oops|WARNING: CPU|WARNING: .* at |general protection fault|"
    r"INFO: possible|possible circular locking|possible recursive locking|"
    r"KASAN:|UBSAN:|kmemleak:.*unreferenced|rcu: INFO|INFO: task .* blocked|"
    r"Call Trace:|double fault|stack-protector)")
PANIC = re.compile(r"(Kernel panic|double fault|general protection fault|Oops)")


def read(path):
    try:
        return Path(path).read_text(errors="replace").replace("\r", "")
    except FileNotFoundError:
        return ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--id", required=True)
    ap.add_argument("--role", required=True, choices=targets.ROLES)
    ap.add_argument("--image", default="")
    ap.add_argument("--known", default="")
    ap.add_argument("--unsupported", default="",
                    help="per-base list of tests (fnmatch patterns) that must skip on a dut")
    ap.add_argument("--timed-out", type=int, default=0)
    ap.add_argument("--timeout", type=int, default=0)
    ap.add_argument("--build-seconds", type=float, default=None)
    ap.add_argument("--kselftests", default="",
                    help="comma-separated upstream selftest sets the boot ran (empty: none)")
    ap.add_argument("--kselftest-mode", default="report", choices=["dut", "prefix", "report"])
    ap.add_argument("--kselftest-baseline", default="",
                    help="recorded baseline (kselftests-unpatched.txt) or a prefix-0 summary.json")
    ap.add_argument("--kselftest-flaky", default="")
    ap.add_argument("--kselftest-sources", default="", help='"SET=TREE ..." of the sets run')
    a = ap.parse_args()
    d = Path(a.dir)

    stream = read(d / "ktap.raw")
    record = read(d / "result.raw")
    console = read(d / "console.log")
    (d / "ktap.txt").write_text(stream)
    plan, results, pending = ktap.parse(stream)
    m = re.search(r"^CLONE3-UNAME (.*)$", record, re.M)
    uname = m.group(1) if m else None
    m = re.search(r"^CLONE3-EXIT (-?\d+)$", record, re.M)
    suite_exit = int(m.group(1)) if m else None

    splats = [line for line in console.splitlines() if SPLAT.search(line)]
    panics = [line for line in console.splitlines() if PANIC.search(line)]
    known = J.load_list(read(a.known)) if a.known else {}
    unsupported = J.load_list(read(a.unsupported)) if a.unsupported else {}
    problems, notes, infra, expected_skips = [], [], None, []
    last = results[-1]["name"] if results else "none"

    if plan is None:
        if a.timed_out:
            infra = (f"no test started within {a.timeout} s: the kernel hung while booting "
                     f"(see {d}/console.log; raise --timeout if the machine is loaded)")
        elif panics:
            infra = (f"the kernel crashed while booting, before the suite ran: {panics[0].strip()} "
                     f"(see {d}/console.log; a crash unrelated to the series, retry or soak)")
        elif "Linux version" not in console:
            infra = f"QEMU printed no kernel log: is this a bzImage for x86-64? (see {d}/qemu.log)"
        else:
            infra = (f"the kernel booted but the suite never started (see {d}/console.log: "
                     "is the serial 8250 driver and initramfs support built in?)")
    else:
        if suite_exit is None:
            if a.timed_out:
                problems.append(f"the suite hung after test '{last}' (timeout {a.timeout} s)")
            elif panics:
                problems.append(f"the kernel crashed during the suite, after test '{last}': "
                                f"{panics[0].strip()}")
            else:
                problems.append(f"the suite ended early after test '{last}' (see console.log)")
        elif len(results) != plan:
            problems.append(f"KTAP plan announced {plan} tests but {len(results)} reported")
        if not results:
            problems.append("no test ran")
        if splats:
            problems.append(f"{len(splats)} splat line(s) in console.log, first: {splats[0].strip()}")

    kernel_problems = list(problems)
    if pending and suite_exit is None:
        kernel_problems.append(f"last messages before the end: {' | '.join(pending[-3:])}")
    J.judge_all(results, a.role, known, unsupported)
    for r in results:
        if r["judgement"] == J.FAILURE:
            problems.append(f"{r['name']}: {r['why']}")
        elif r["judgement"] == J.EXPECTED_FAILURE:
            notes.append(f"known upstream defect: {r['name']} ({r['why']})")
        elif r["judgement"] == J.EXPECTED_SKIP and a.role == "dut":
            expected_skips.append(r)
    if expected_skips:
        reasons = sorted({r["why"].split(": ", 1)[1] for r in expected_skips})
        notes.append(f"{len(expected_skips)} test(s) skipped as listed unsupported on this base: "
                     + "; ".join(reasons))
    count = {s: sum(1 for r in results if r["status"] == s) for s in ("pass", "fail", "skip")}
    ks_summary = None
    if a.kselftests and plan is not None and not infra:
        ks_records, ks_problems, ks_notes, ks_summary = KS.fold(
            read(d / "kselftest.raw"), a.kselftests.split(","), a.kselftest_mode,
            a.kselftest_baseline, J.load_list(read(a.kselftest_flaky)) if a.kselftest_flaky else {},
            a.kselftest_sources)
        results = results + ks_records
        kernel_problems += [p for p in ks_problems if not p.startswith("kselftest.")]
        problems += ks_problems
        notes += ks_notes
    verdict = "infra" if infra else ("fail" if problems else "pass")
    summary = {
        "id": a.id, "role": a.role, "uname": uname, "image": a.image,
        "passed": count["pass"], "failed": count["fail"], "skipped": count["skip"],
        "known_defect_failures": sum(1 for n in notes if n.startswith("known upstream defect")),
        "expected_unsupported_skips": len(expected_skips),
        "planned": plan, "suite_exit": suite_exit, "verdict": verdict,
        "infra_error": infra, "problems": problems, "notes": notes,
        "splats": splats[:20],
        "kernel_problems": kernel_problems,
        "tests": results,
        # Diagnostics after the last result: the stress program's report,
        # or the messages of a test that never finished.
        "trailing_diagnostics": pending[-200:],
        "kselftests": ks_summary,
        "build_seconds": a.build_seconds,
        "boot_seconds": float(read(d / "boot-seconds").strip() or 0) if read(d / "boot-seconds") else None,
        "wall_seconds": float(read(d / "wall-seconds").strip() or 0) if read(d / "wall-seconds") else None,
    }
    if summary["boot_seconds"] is not None and summary["wall_seconds"] is not None:
        summary["suite_seconds"] = summary["wall_seconds"] - summary["boot_seconds"]
    (d / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (d / "junit.xml").write_text(junit.document(
        [junit.testsuite(a.id, results, kernel_problems, infra)]))

    for n in notes:
        print(f"    note: {n}")
    for p in problems[:30]:
        print(f"    {p}")
    if len(problems) > 30:
        print(f"    ... and {len(problems) - 30} more (see {d}/summary.json)")
    if infra:
        print(f"    infrastructure failure: {infra}")
    sys.exit(255 if infra else (1 if problems else 0))


if __name__ == "__main__":
    main()
