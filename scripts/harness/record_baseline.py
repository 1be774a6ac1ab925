#!/usr/bin/env python3
"""Write kernel-patches/BASE/kselftests-unpatched.txt from the summary.json
of a prefix-0 boot, keeping the hand-written reasons (" # what the base
lacks") of the previous file. Usage: record_baseline.py SUMMARY FILE BASE VERSION"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness import kselftest as KS  # noqa: E402


def main():
    summary, path, base, version = sys.argv[1:5]
    s = json.loads(Path(summary).read_text())
    k = s.get("kselftests")
    if not k:
        sys.exit(f"error: {summary} has no upstream selftest results")
    old = Path(path).read_text() if Path(path).exists() else ""
    _, reasons, _ = KS.parse_baseline(old)
    tests = [r for r in s["tests"] if r["name"].startswith("kselftest.")]
    regen = f"scripts/kselftest-baseline --base {base}" + (f" --base-version {version}" if version else "")
    lines = [
        f"# Upstream selftests on the unpatched {base} base (prefix 0 of its series), the same",
        "# configuration as every dut (tinyconfig + vm-images/config/base.config). validate judges",
        "# a dut of this base against it. \"STATUS NAME # what the base lacks\"; the reasons",
        f"# are written by hand and kept when the file is regenerated: {regen}",
        f"# measured-on: {s['id']} ({s.get('uname')})",
        f"# image: {s.get('image')}",
        f"# sources: {k['sources']}",
        "",
    ]
    for r in tests:
        reason = reasons.get(r["name"], "")
        if r["status"] != "pass" and not reason:
            reason = "TODO: say which feature or option the base lacks"
        lines.append(f"{r['status']} {r['name']}" + (f" # {reason}" if r["status"] != "pass" else ""))
    Path(path).write_text("\n".join(lines) + "\n")
    c = {st: sum(1 for r in tests if r["status"] == st) for st in ("pass", "fail", "skip")}
    print(f"{path}: {c['pass']} pass, {c['fail']} fail, {c['skip']} skip")


if __name__ == "__main__":
    main()
