#!/usr/bin/env bash
# Host test of the KCIDB I/O v5 document of the run scripts/validate just
# made (results/kcidb.json): valid against every field and enum v5 requires
# (scripts/harness/tests/kcidb_v5_schema.py, from kernelci/kcidb-io's
# schema), one test per suite test of every kernel with the status its
# judgement gives (a known defect FAIL with a comment, a kernel that never
# ran the suite MISS, never PASS), and one build and checkout per kernel.
# Skips when there is no results/kcidb.json yet.
# Output: TAP. Exit 0 all ok or skipped, 1 a failure.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

results=${CLONE3_RESULTS:-$TOP/results}   # another run's --out, for a look at it
doc="$results/kcidb.json"
echo "1..3"
if [ ! -s "$doc" ]; then
	for i in 1 2 3; do echo "ok $i # SKIP no results/kcidb.json (run scripts/validate first)"; done
	exit 0
fi
PYTHONPATH="$TOP/scripts:$TOP/scripts/harness/tests" python3 - "$doc" "$results/summary.json" <<'PY'
import json, sys
import kcidb_v5_schema as V5
from harness import kcidb
doc = json.load(open(sys.argv[1]))
rows = json.load(open(sys.argv[2]))
n = 0
def ok(cond, desc, detail=""):
    global n
    n += 1
    print(f"{'ok' if cond else 'not ok'} {n} {desc}")
    if not cond and detail:
        print("#   " + str(detail)[:600])
problems = V5.check(doc)
ok(not problems, f"results/kcidb.json is valid KCIDB I/O v5 ({len(doc.get('tests', []))} tests, "
   f"{len(doc.get('builds', []))} builds, {len(doc.get('checkouts', []))} checkouts)", problems[:5])
by_kernel = {}
for t in doc.get("tests", []):
    by_kernel.setdefault(t["environment"]["misc"]["kernel"], {})[t["path"]] = t
wrong = []
for r in rows:
    tests = by_kernel.get(r["id"], {})
    if r["verdict"] == "infra" and any(t["status"] == "PASS" for t in tests.values()):
        wrong.append(f"{r['id']}: PASS on a kernel that never ran the suite")
    for rec in r.get("tests", []):
        t = tests.get(kcidb.test_path(rec["name"]))
        want = kcidb.status_of(rec)[0]
        if t is None or t["status"] != want:
            wrong.append(f"{r['id']} {rec['name']}: {t and t['status']} where the judgement gives {want}")
        elif rec.get("judgement") == "expected_failure" and not (t.get("waived") and t.get("comment")):
            wrong.append(f"{r['id']} {rec['name']}: a known defect without comment or waiver")
ok(not wrong, f"every test of the {len(rows)} kernel(s) is there with its judged status", wrong[:5])
builds = {b["id"] for b in doc.get("builds", [])}
checkouts = {c["id"] for c in doc.get("checkouts", [])}
orphans = [t["id"] for t in doc.get("tests", []) if t["build_id"] not in builds] + \
    [b["id"] for b in doc.get("builds", []) if b["checkout_id"] not in checkouts]
ok(not orphans and len(builds) >= len({r["image"] for r in rows}) > 0 or not rows,
   "every test names a build and every build a checkout of the document", orphans[:5])
PY
