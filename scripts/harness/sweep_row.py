#!/usr/bin/env python3
"""scripts/sweep's rows and table. A row (JSON on stdout) is one point
release: release, applies (clean, 3-way, conflict, unavailable), the
conflicts by patch, file and hunk, build seconds, verdict, tests passed,
regressions (every failure judgement: suite tests and upstream selftests).
With --table: DIR/sweep.json and DIR/sweep.txt from the rows, and the
table on stdout.

Usage: sweep_row.py --release V --applies HOW [--apply F --conflicts F
       --validate DIR --rc N --repo R [--unpatched DIR] | --why TEXT]
       sweep_row.py --suite-failures ROW.json
       sweep_row.py --cross-checked --why LOG ROW.json
       sweep_row.py --table --base B --out DIR ROW.json..."""
import argparse
import json
import sys
from pathlib import Path


def row(a):
    r = {"release": a.release, "applies": a.applies, "conflicts": [], "patches": [],
         "build_seconds": None, "image_cached": None, "verdict": None, "exit": a.rc,
         "uname": None, "tests_passed": None, "tests_failed": None,
         "kselftests": None, "regressions": [], "notes": [], "why": a.why or None,
         "source": Path(a.repo).name if a.repo else None}
    if a.apply and Path(a.apply).exists():
        r["patches"] = [dict(zip(("n", "applies", "patch"), line.split(None, 2)))
                        for line in Path(a.apply).read_text().splitlines() if line.strip()]
    if a.conflicts and Path(a.conflicts).exists():
        r["conflicts"] = [x for x in Path(a.conflicts).read_text().splitlines() if x.strip()]
    if a.applies == "conflict":
        r["verdict"] = "conflict"
    summaries = sorted(Path(a.validate).glob("*/summary.json")) if a.validate else []
    if a.validate and not summaries and a.applies not in ("conflict", "unavailable"):
        r["verdict"] = "infra"
        r["why"] = f"validate produced no results (exit {a.rc}; see {a.validate}/../validate.log)"
    for p in summaries:
        s = json.loads(p.read_text())
        r["verdict"] = s["verdict"]
        r["uname"] = s.get("uname")
        r["tests_passed"], r["tests_failed"] = s["passed"], s["failed"]
        k = s.get("kselftests")
        if k:
            r["kselftests"] = {x: k[x] for x in ("passed", "failed_on_both", "regressed", "flaky",
                                                 "seconds")}
        r["regressions"] = [t["name"] for t in s.get("tests", []) if t.get("judgement") == "failure"]
        r["regressions"] += [x for x in s.get("kernel_problems", [])]
        r["notes"] = [n for n in s.get("notes", []) if "baseline" in n]
        img = Path(s.get("image") or "/nonexistent").parent
        try:
            r["build_seconds"] = float((img / "build-seconds").read_text().strip())
        except (OSError, ValueError):
            pass
        if r["build_seconds"] is not None and s.get("build_seconds") is not None:
            r["image_cached"] = s["build_seconds"] < r["build_seconds"] / 2
        if s.get("infra_error"):
            r["why"] = s["infra_error"]
    base_only(r, a.unpatched)
    return r


def failed_tests(validate_dir):
    """The names of the tests that failed in a validate run's results."""
    out = set()
    for p in sorted(Path(validate_dir).glob("*/summary.json")):
        out |= {t["name"] for t in json.loads(p.read_text()).get("tests", [])
                if t.get("status") == "fail"}
    return out


def base_only(r, unpatched_dir):
    """Suite tests that failed on the release with the series and also fail
    on the same release without it (the cross-check boot of prefix 0 in
    UNPATCHED_DIR): the release lacks what they test; the series did not
    break them. They move from the regressions to base_failures, and a
    release whose every failure is one of them passes."""
    r["base_failures"] = []
    r["unpatched_checked"] = bool(unpatched_dir)
    if not unpatched_dir or r["verdict"] != "fail":
        return
    if not list(Path(unpatched_dir).glob("*/summary.json")):
        r["unpatched_checked"] = False
        r["notes"].append(f"the unpatched cross-check produced no results (see {unpatched_dir})")
        return
    on_base = failed_tests(unpatched_dir)
    r["base_failures"] = [n for n in r["regressions"] if n in on_base]
    r["regressions"] = [n for n in r["regressions"] if n not in on_base]
    if r["base_failures"] and not r["regressions"]:
        r["verdict"] = "pass"
        r["exit"] = 0


def suite_failures(r):
    """The failed suite tests of a row, for the cross-check boot's filter
    (not upstream selftests, not kernel problems)."""
    return [n for n in r["regressions"] if not n.startswith("kselftest.") and " " not in n]


def cross_checked(r, log):
    """What the boot without the series showed, on stderr; the row's exit
    code (0 when every failure was the release's own) as the exit status."""
    if not r.get("unpatched_checked"):
        print(f"    the boot without the series gave no results; see {log}", file=sys.stderr)
    else:
        for n in r["base_failures"]:
            print(f"    fails without the series too: {n}", file=sys.stderr)
        for n in r["regressions"]:
            print(f"    passes without the series (a regression): {n}", file=sys.stderr)
    return r["exit"]


def table(base, rows):
    lines = [f"Sweep of the {base} series over Debian's point releases (newest first)", "",
             f"{'release':10} {'applies':11} {'build s':>8} {'verdict':8} {'tests passed':>12} "
             f"{'upstream passed/both/regressed':>30}  regressions"]
    for r in rows:
        build = "-" if r["build_seconds"] is None else (
            f"{r['build_seconds']:.0f}" + ("*" if r.get("image_cached") else ""))
        k = r.get("kselftests")
        ks = f"{k['passed']}/{k['failed_on_both']}/{k['regressed']}" if k else "-"
        passed = "-" if r["tests_passed"] is None else f"{r['tests_passed']}"
        regr = ", ".join(r["regressions"][:3]) + (f" (+{len(r['regressions']) - 3})"
                                                   if len(r["regressions"]) > 3 else "")
        if not regr and r.get("why"):
            regr = r["why"][:80]
        if r.get("base_failures"):
            regr = (regr or "none") + f"; {len(r['base_failures'])} fail(s) on the unpatched release too"
        lines.append(f"{r['release']:10} {r['applies']:11} {build:>8} {r['verdict'] or '-':8} "
                     f"{passed:>12} {ks:>30}  {regr or 'none'}")
    lines.append("")
    lines.append("build s: seconds the image took to build (* built before this sweep, reused); "
                 "upstream: kselftest.* records, judged against the unpatched baseline.")
    for r in rows:
        for c in r["conflicts"]:
            lines.append(f"{r['release']}: {c}")
        for n in r["notes"]:
            lines.append(f"{r['release']}: note: {n}")
        for n in r.get("base_failures", []):
            lines.append(f"{r['release']}: {n} fails on {r['release']} without the series too "
                         "(the release lacks what it tests): reported, not a regression")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table", action="store_true")
    ap.add_argument("--base", default="")
    ap.add_argument("--out", default="")
    ap.add_argument("--release", default="")
    ap.add_argument("--applies", default="")
    ap.add_argument("--apply", default="")
    ap.add_argument("--conflicts", default="")
    ap.add_argument("--validate", default="")
    ap.add_argument("--rc", type=int, default=0)
    ap.add_argument("--repo", default="")
    ap.add_argument("--why", default="")
    ap.add_argument("--unpatched", default="",
                    help="a validate --unpatched run of the failed tests on the same release")
    ap.add_argument("--suite-failures", action="store_true",
                    help="print the failed suite tests of the row (ROW.json) as a gtest filter")
    ap.add_argument("--cross-checked", action="store_true",
                    help="say what the boot without the series showed for ROW.json (--why: "
                    "its log) and exit with the row's exit code")
    ap.add_argument("rows", nargs="*")
    a = ap.parse_args()
    if a.suite_failures:
        print(":".join(suite_failures(json.loads(Path(a.rows[0]).read_text()))))
        return
    if a.cross_checked:
        return cross_checked(json.loads(Path(a.rows[0]).read_text()), a.why)
    if not a.table:
        print(json.dumps(row(a), indent=2))
        return
    rows = [json.loads(Path(p).read_text()) for p in a.rows if Path(p).exists()]
    lines = table(a.base, rows)
    out = Path(a.out)
    (out / "sweep.json").write_text(json.dumps({"base": a.base, "releases": rows}, indent=2) + "\n")
    (out / "sweep.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nsweep results: {out}/sweep.txt, {out}/sweep.json")


if __name__ == "__main__":
    sys.exit(main())
