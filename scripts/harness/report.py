"""Combine per-kernel summary.json files into OUT/summary.json and print
a short table; OUT/junit.xml holds one testsuite per kernel, made from the
judged records. Usage: python3 -m harness.report OUT SUMMARY.json..."""
import json
import sys
from pathlib import Path

from harness import junit
from harness import kselftest


def main():
    out = Path(sys.argv[1])
    rows = [json.loads(Path(p).read_text()) for p in sys.argv[2:] if Path(p).exists()]
    (out / "summary.json").write_text(json.dumps(rows, indent=2) + "\n")
    (out / "junit.xml").write_text(junit.document(
        [junit.testsuite(r["id"], r.get("tests", []), r.get("kernel_problems", []),
                         r.get("infra_error")) for r in rows]))
    print()
    print(f"{'kernel':34} {'role':8} {'uname -r':32} {'pass':>5} {'fail':>5} {'skip':>5} "
          f"{'build s':>7} {'boot s':>7} {'suite s':>7}  verdict")
    for r in rows:
        boot = f"{r['boot_seconds']:.1f}" if r.get("boot_seconds") is not None else "-"
        suite = f"{r['suite_seconds']:.1f}" if r.get("suite_seconds") is not None else "-"
        build = f"{r['build_seconds']:.1f}" if r.get("build_seconds") is not None else "-"
        verdict = {"pass": "ok", "fail": "FAILED", "infra": "INFRA"}[r["verdict"]]
        print(f"{r['id']:34} {r['role']:8} {(r['uname'] or '-'):32} {r['passed']:5} "
              f"{r['failed']:5} {r['skipped']:5} {build:>7} {boot:>7} {suite:>7}  {verdict}")
    total = {k: sum(r[k] for r in rows) for k in ("passed", "failed", "skipped")}
    known = sum(r.get("known_defect_failures", 0) for r in rows)
    if known:
        print(f"known upstream defects: {known} test(s) failed on the oracle or in a series prefix "
              "before the patch that fixes them, as expected")
    for line in kselftest.table(rows):
        print(line)
    print(f"\nresults: {out} (console.log, ktap.txt, junit.xml, summary.json per kernel; junit.xml and summary.json of all)")
    print(f"kernels: {len(rows)}, met expectation: {sum(r['verdict'] == 'pass' for r in rows)}; "
          f"tests: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")


if __name__ == "__main__":
    main()
