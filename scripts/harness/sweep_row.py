#!/usr/bin/env python3
"""scripts/sweep's rows and table. A row (JSON on stdout) is one point
release: release, applies (clean, 3-way, conflict, unavailable), the
conflicts by patch, file and hunk, build seconds, verdict, tests passed,
regressions (every failure judgement: suite tests and upstream selftests).
With --table: DIR/sweep.json and DIR/sweep.txt from the rows, and the
table on stdout.

Usage: sweep_row.py --release V --applies HOW [--apply F --conflicts F
       --validate DIR --rc N --repo R | --why TEXT]
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
    return r


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
    ap.add_argument("rows", nargs="*")
    a = ap.parse_args()
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
