#!/usr/bin/env python3
"""Judge one boot: read the KTAP stream, the result record and the console
log that a QEMU run left in DIR, apply the role's expectation and write
DIR/ktap.txt, DIR/junit.xml and DIR/summary.json.

Exit code: 0 the role's expectation is met, 1 a test failure or a broken
expectation, 255 an infrastructure failure (the suite never ran)."""
import argparse
import fnmatch
import json
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

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


def parse_ktap(text):
    plan, results = None, []
    for line in text.splitlines():
        m = re.match(r"^1\.\.(\d+)", line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = re.match(r"^(not ok|ok) (\d+) (.*?)(?: # (SKIP|TODO)\b ?(.*))?$", line)
        if m:
            status = "skip" if m.group(4) == "SKIP" else (
                "pass" if m.group(1) == "ok" else "fail")
            results.append({"name": m.group(3).strip(), "status": status,
                            "reason": (m.group(5) or "").strip()})
    return plan, results


def suite_of(name):
    return name.split(".", 1)[0].split("/")[-1]


def is_baseline(name):
    return suite_of(name).startswith("Baseline")


def is_prereq(name):
    # Tests of what the flags build on (PIDFD_GET_INFO, PIDFD_INFO_EXIT,
    # supported_mask): upstream has them, so a control may pass them.
    return suite_of(name).startswith("Prereq")


def load_known(path):
    known = {}
    for line in read(path).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            parts = line.split(None, 1)
            known[parts[0]] = parts[1] if len(parts) > 1 else ""
    return known


def junit_from_ktap(kid, results):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name={quoteattr(kid)} tests="{len(results)}">',
           f'<testsuite name={quoteattr(kid)} tests="{len(results)}">']
    for r in results:
        suite, _, case = r["name"].rpartition(".")
        out.append(f'<testcase classname={quoteattr(suite)} name={quoteattr(case)}>')
        if r["status"] == "fail":
            out.append('<failure message="failed (see ktap.txt)"/>')
        elif r["status"] == "skip":
            out.append(f'<skipped message={quoteattr(r["reason"])}/>')
        out.append('</testcase>')
    out += ['</testsuite>', '</testsuites>']
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--id", required=True)
    ap.add_argument("--role", required=True, choices=["dut", "oracle", "control", "prefix"])
    ap.add_argument("--image", default="")
    ap.add_argument("--known", default="")
    ap.add_argument("--unsupported", default="",
                    help="per-base list of tests (fnmatch patterns) that must skip on a dut")
    ap.add_argument("--timed-out", type=int, default=0)
    ap.add_argument("--timeout", type=int, default=0)
    ap.add_argument("--build-seconds", type=float, default=None)
    a = ap.parse_args()
    d = Path(a.dir)

    ktap = read(d / "ktap.raw")
    record = read(d / "result.raw")
    console = read(d / "console.log")
    (d / "ktap.txt").write_text(ktap)
    plan, results = parse_ktap(ktap)
    m = re.search(r"^CLONE3-UNAME (.*)$", record, re.M)
    uname = m.group(1) if m else None
    m = re.search(r"^CLONE3-EXIT (-?\d+)$", record, re.M)
    suite_exit = int(m.group(1)) if m else None
    m = re.search(r"CLONE3-JUNIT-BEGIN\n(.*?)\n?CLONE3-JUNIT-END", record, re.S)
    junit = m.group(1) if m and m.group(1).strip() else junit_from_ktap(a.id, results)
    (d / "junit.xml").write_text(junit)

    splats = [line for line in console.splitlines() if SPLAT.search(line)]
    panics = [line for line in console.splitlines() if PANIC.search(line)]
    known = load_known(a.known) if a.known else {}
    unsupported = load_known(a.unsupported) if a.unsupported else {}

    def unsupported_reason(name):
        for pattern, reason in unsupported.items():
            if fnmatch.fnmatchcase(name, pattern):
                return reason
        return None
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

    for r in results:
        name, st = r["name"], r["status"]
        feature = not is_baseline(name)
        if a.role in ("dut", "oracle"):
            if st == "fail":
                if a.role == "oracle" and name in known:
                    notes.append(f"known upstream defect: {name} failed on the oracle, as expected "
                                 f"({known[name]})")
                else:
                    problems.append(f"FAIL {name}")
            elif st == "skip":
                why = unsupported_reason(name) if a.role == "dut" else None
                if why is None:
                    problems.append(f"SKIP {name} ({r['reason']}): role {a.role} allows no skip")
                else:
                    expected_skips.append(name)
            elif st == "pass" and a.role == "dut" and unsupported_reason(name) is not None:
                problems.append(f"PASS {name}, which this base lists as unsupported: "
                                "update the base's expected-unsupported.txt")
        elif a.role == "prefix":
            # A prefix of the series: later features skip, nothing fails,
            # except the upstream defects the series fixes in a later
            # patch: up to that patch the prefix behaves like upstream.
            # The whole series (role dut) must pass them.
            if st == "fail" and name in known:
                notes.append(f"known upstream defect: {name} failed in this prefix; a later "
                             f"patch of the series fixes it ({known[name]})")
            elif st == "fail":
                problems.append(f"FAIL {name}")
            elif not feature and st == "skip":
                problems.append(f"SKIP {name}: baseline tests must run everywhere")
        else:
            if st == "fail":
                problems.append(f"FAIL {name}")
            elif feature and st == "pass" and not is_prereq(name):
                problems.append(f"PASS {name} on a control kernel: this feature test "
                                "cannot fail, it passes without the feature")
            elif not feature and st == "skip":
                problems.append(f"SKIP {name}: baseline tests must run everywhere")

    if expected_skips:
        reasons = sorted({unsupported_reason(n) for n in expected_skips})
        notes.append(f"{len(expected_skips)} test(s) skipped as listed unsupported on this base: "
                     + "; ".join(reasons))
    count = {s: sum(1 for r in results if r["status"] == s) for s in ("pass", "fail", "skip")}
    verdict = "infra" if infra else ("fail" if problems else "pass")
    summary = {
        "id": a.id, "role": a.role, "uname": uname, "image": a.image,
        "passed": count["pass"], "failed": count["fail"], "skipped": count["skip"],
        "known_defect_failures": sum(1 for n in notes if n.startswith("known upstream defect")),
        "expected_unsupported_skips": len(expected_skips),
        "planned": plan, "suite_exit": suite_exit, "verdict": verdict,
        "infra_error": infra, "problems": problems, "notes": notes,
        "splats": splats[:20],
        "build_seconds": a.build_seconds,
        "boot_seconds": float(read(d / "boot-seconds").strip() or 0) if read(d / "boot-seconds") else None,
        "wall_seconds": float(read(d / "wall-seconds").strip() or 0) if read(d / "wall-seconds") else None,
    }
    if summary["boot_seconds"] is not None and summary["wall_seconds"] is not None:
        summary["suite_seconds"] = summary["wall_seconds"] - summary["boot_seconds"]
    (d / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")

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
