"""Write the KCIDB I/O v5 document of a run: one checkout and build per
kernel, one test per suite test (and kselftest) per boot. Reads each
SUMMARY.json and the target.json validate wrote beside it.

Usage: python3 -m harness.kcidb_write --origin NAME --out FILE [--tests LIST] [--failed T] SUMMARY.json...
  --tests LIST  the test names the run selected (one a line): those a
                kernel never reported are MISS
  --failed T    target.json of the target the run stopped at (its build
                ERROR, its tests MISS)"""
import argparse
import json
import sys
from pathlib import Path

from harness import kcidb


def load_kernel(summary_path):
    p = Path(summary_path)
    summary = json.loads(p.read_text())
    meta = p.parent / "target.json"
    target = json.loads(meta.read_text()) if meta.exists() else {}
    start = p.stat().st_mtime - (summary.get("wall_seconds") or 0)
    return summary, target, start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--origin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tests", default="")
    ap.add_argument("--failed", default="",
                    help="target.json of a target validate could not fetch or build")
    ap.add_argument("summaries", nargs="*")
    a = ap.parse_args()
    expected = []
    if a.tests and Path(a.tests).exists():
        expected = [line.strip() for line in Path(a.tests).read_text().splitlines() if line.strip()]
    kernels = [load_kernel(s) for s in a.summaries if Path(s).exists()]
    if a.failed and Path(a.failed).exists():
        kernels.append(kcidb.failed_kernel(json.loads(Path(a.failed).read_text())))
    doc = kcidb.document(a.origin, kernels, expected)
    tmp = Path(a.out + ".tmp")
    tmp.write_text(json.dumps(doc) + "\n")
    tmp.replace(a.out)


if __name__ == "__main__":
    main()
