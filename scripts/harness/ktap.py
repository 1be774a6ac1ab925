"""Parse the KTAP stream the in-VM suite writes into per-test records.

A record is a dict: name, status ("pass", "fail", "skip"), reason (the
skip reason) and messages (the diagnostic lines the suite printed for the
test, i.e. its failure messages). Lines that are not KTAP (a crash in
mid-line, garbage from the serial port) are ignored; a result line cut
short is not a result. Results without a description ("ok 4 # SKIP
reason", as kselftest.h prints them) are named "test N"; kselftest.h's
XFAIL and XPASS directives are passes, its "error" a failure."""
import re

RESULT = re.compile(r"^(not ok|ok) (\d+)(?: (?!#)(\S.*?))?(?: ?# (SKIP|TODO|XFAIL|XPASS|error)\b ?(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)$")
TIME = re.compile(r"^time: (\d+) ms$")


def parse(text):
    """Return (plan, records, pending): the announced number of tests
    (None if no plan was seen), the records in order, and the diagnostic
    lines written after the last result (the messages of a test that never
    finished)."""
    plan, records, pending = None, [], []
    for raw in text.replace("\r", "").splitlines():
        line = raw.rstrip()
        m = PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        if line.startswith("# "):
            pending.append(line[2:])
            continue
        m = RESULT.match(line)
        if not m:
            continue
        status = "skip" if m.group(4) == "SKIP" else ("pass" if m.group(1) == "ok" else "fail")
        if m.group(4) == "error":
            status = "fail"
        record = {"name": (m.group(3) or f"test {m.group(2)}").strip(), "status": status,
                  "reason": (m.group(5) or "").strip(), "messages": pending}
        if pending and TIME.match(pending[-1]):
            record["ms"] = int(TIME.match(pending.pop()).group(1))
        records.append(record)
        pending = []
    return plan, records, pending
