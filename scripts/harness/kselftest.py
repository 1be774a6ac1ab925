"""Upstream's selftests in the results: split the framed stream init writes
on ttyS3 into programs, parse each program's own KTAP with ktap.parse into
records named kselftest.<set>.<program>.<test>, and judge them.

Rules (SPEC section 10). On a dut every upstream test that passes on the
same base without the series (the unpatched baseline, prefix 0, same
configuration) must pass; a test that fails (or skips) there too is
"failed on both", reported with the feature the base lacks, neither hidden
nor a failure; the tests of MUST_PASS pass on every dut, except a test
listed flaky with its reason (SPEC section 2's race). A prefix of a series
must not regress against prefix 0. On a control or an oracle the results
are reported and never judged."""
import fnmatch
import re

from . import judge as J
from . import ktap

MUST_PASS = ("kselftest.7.3.pidfd_autoreap_test.*",)
FRAME = re.compile(r"^CLONE3-KSELFTEST-(START|BEGIN|END|MISSING) (\S+)(?: (\S+))?(?: (.*))?$")
DONE = re.compile(r"^CLONE3-KSELFTESTS-DONE(?: ([0-9.]+))?$")
SKIP_PLAN = re.compile(r"^1\.\.0\b.*#\s*SKIP\b ?(.*)$")
KSFT_SKIP = 4


def split(text):
    """Return (programs, missing_sets, done, wall): one dict per program
    (set, program, output, end: None when the program never finished,
    else {"kind": "exit"|"timeout"|"skip", "status", "seconds",
    "reason"}), in the order they ended; a program that started (init's
    START line: programs run at once) but never ended comes last, with end
    None. wall: the seconds init says the whole run took, or None."""
    programs, missing, cur, started = [], [], None, {}
    done, wall = False, None
    for raw in text.replace("\r", "").splitlines():
        line = raw.rstrip()
        m = DONE.match(line)
        if m:
            done, wall = True, float(m.group(1)) if m.group(1) else None
            continue
        m = FRAME.match(line)
        if not m:
            if cur is not None:
                cur["output"].append(raw)
            continue
        kind, kset, prog, rest = m.groups()
        if kind == "MISSING":
            missing.append(kset)
        elif kind == "START":
            started[(kset, prog)] = True
        elif kind == "BEGIN":
            started.pop((kset, prog), None)
            cur = {"set": kset, "program": prog, "output": [], "end": None}
            programs.append(cur)
        elif cur is not None and cur["program"] == prog:
            words = (rest or "").split()
            end = {"kind": words[0] if words else "exit", "status": None, "seconds": None,
                   "reason": ""}
            if end["kind"] == "exit" and len(words) >= 3:
                end["status"], end["seconds"] = int(words[1]), float(words[2])
            elif end["kind"] == "timeout" and len(words) >= 2:
                end["seconds"] = float(words[1])
            elif end["kind"] == "skip":
                end["reason"] = " ".join(words[1:])
            cur["end"] = end
            cur = None
    for kset, prog in started:
        programs.append({"set": kset, "program": prog, "output": [], "end": None})
    for p in programs:
        p["output"] = "\n".join(p["output"])
    return programs, missing, done, wall


def _wait_status(status):
    """(exit code or None, signal or None) of a wait status."""
    if status & 0x7f == 0:
        return (status >> 8) & 0xff, None
    return None, status & 0x7f


def program_records(p):
    """The records of one program: its KTAP results, plus one record of
    the program itself when it did not end as its results say."""
    prefix = f"kselftest.{p['set']}.{p['program']}"
    end = p["end"]
    if end and end["kind"] == "skip":
        return [{"name": prefix, "status": "skip", "reason": end["reason"], "messages": []}]
    plan, results, pending = ktap.parse(p["output"])
    records, seen = [], {}
    for r in results:
        name = " ".join(r["name"].split())
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        records.append(dict(r, name=f"{prefix}.{name}"))
    code, sig = _wait_status(end["status"]) if end and end["status"] is not None else (None, None)
    if not results:
        m = next((SKIP_PLAN.match(x) for x in p["output"].splitlines() if SKIP_PLAN.match(x)), None)
        if m or code == KSFT_SKIP:
            reason = m.group(1).strip() if m else "exit status 4 (KSFT_SKIP)"
            return [{"name": prefix, "status": "skip", "reason": reason, "messages": pending[-5:]}]
    tail = pending[-5:] + [x.strip() for x in p["output"].splitlines()
                           if x.startswith("Bail out!")]
    if end is None:
        records.append({"name": f"{prefix}.incomplete", "status": "fail", "reason": "",
                        "messages": ["did not finish: the boot ended during this program"] + tail})
    elif end["kind"] == "timeout":
        records.append({"name": f"{prefix}.timeout", "status": "fail", "reason": "",
                        "messages": [f"killed at its timeout after {end['seconds']} s"] + tail})
    elif sig is not None:
        records.append({"name": f"{prefix}.exit", "status": "fail", "reason": "",
                        "messages": [f"killed by signal {sig}"] + tail})
    elif plan is not None and len(results) < plan:
        records.append({"name": f"{prefix}.incomplete", "status": "fail", "reason": "",
                        "messages": [f"plan of {plan} tests, {len(results)} reported"] + tail})
    elif code not in (0, None, KSFT_SKIP) and not any(r["status"] == "fail" for r in results):
        records.append({"name": f"{prefix}.exit", "status": "fail", "reason": "",
                        "messages": [f"exit status {code} with no failing test"] + tail})
    elif not results:
        records.append({"name": prefix, "status": "pass" if code == 0 else "fail", "reason": "",
                        "messages": tail})
    return records


def parse_baseline(text):
    """A recorded baseline (kernel-patches/BASE/kselftests-unpatched.txt):
    lines "STATUS NAME [# what the base lacks]", and "# key: value"
    header lines. Returns (statuses {name: status}, reasons, header)."""
    statuses, reasons, header = {}, {}, {}
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"^#\s*([a-z-]+):\s*(.*)$", s)
        if m:
            header[m.group(1)] = m.group(2).strip()
            continue
        if not s or s.startswith("#"):
            continue
        body, _, reason = s.partition(" # ")
        status, _, name = body.strip().partition(" ")
        if status in ("pass", "fail", "skip") and name:
            statuses[name.strip()] = status
            if reason.strip():
                reasons[name.strip()] = reason.strip()
    return statuses, reasons, header


def _match(entries, name):
    for pattern, reason in entries.items():
        if fnmatch.fnmatchcase(name, pattern):
            return reason
    return None


def judge(records, mode, baseline=None, reasons=None, flaky=None):
    """Add judgement and why to each record. mode: "dut", "prefix"
    (no regression against the baseline), "report" (control, oracle,
    the unpatched base itself). baseline: {name: status} or None."""
    reasons, flaky = reasons or {}, flaky or {}
    for r in records:
        name, st = r["name"], r["status"]
        r["kselftest"] = "passed"
        if st == "pass":
            r["judgement"], r["why"] = J.PASSED, ""
            continue
        neg = J.EXPECTED_SKIP if st == "skip" else J.EXPECTED_FAILURE
        if mode == "report":
            r["kselftest"] = "reported"
            r["judgement"], r["why"] = neg, f"{st.upper()} reported, not judged on this role"
            continue
        must = mode == "dut" and _match(dict.fromkeys(MUST_PASS, ""), name) is not None
        flaky_why = _match(flaky, name)
        base = (baseline or {}).get(name)
        if must or base == "pass" or base is None:
            if flaky_why is not None:
                r["kselftest"] = "flaky"
                r["judgement"], r["why"] = neg, f"{st.upper()} of a test listed flaky: {flaky_why}"
            elif must:
                r["kselftest"] = "regressed"
                r["judgement"], r["why"] = J.FAILURE, f"{st.upper()}: must pass on every dut (SPEC 10)"
            elif base is None:
                r["kselftest"] = "regressed"
                r["judgement"], r["why"] = J.FAILURE, (
                    f"{st.upper()} of a test the unpatched baseline does not list "
                    "(record it: scripts/kselftest-baseline)")
            else:
                r["kselftest"] = "regressed"
                r["judgement"], r["why"] = J.FAILURE, f"{st.upper()}: regressed, passes on the unpatched base"
            continue
        r["kselftest"] = "failed_on_both"
        lacks = reasons.get(name) or _match(reasons, name) or "no reason recorded in the baseline"
        r["judgement"], r["why"] = neg, f"{st.upper()} on the unpatched base too: {lacks}"
    return records


def counts(records):
    c = {"passed": 0, "failed_on_both": 0, "regressed": 0, "flaky": 0, "reported": 0}
    for r in records:
        c[r["kselftest"]] += 1
    return c


def load_baseline(path):
    """(statuses, reasons, header) of a recorded baseline file, or of the
    kselftest records of a summary.json (a live prefix-0 boot)."""
    import json
    from pathlib import Path
    text = Path(path).read_text()
    if path.endswith(".json"):
        s = json.loads(text)
        tests = [r for r in s.get("tests", []) if r["name"].startswith("kselftest.")]
        return ({r["name"]: r["status"] for r in tests}, {},
                {"sources": (s.get("kselftests") or {}).get("sources", ""), "measured-on": s.get("id", "")})
    return parse_baseline(text)


def _sources(text):
    return dict(x.split("=", 1) for x in (text or "").split() if "=" in x)


def fold(stream, sets, mode, baseline_path="", flaky=None, sources=""):
    """Everything verdict.py needs of one boot's upstream selftests:
    (records, problems, notes, summary). sets: the labels the boot was
    asked to run; sources: "LABEL=TREE ..." of those sets."""
    programs, missing, done, wall = split(stream)
    records, problems, notes = [], [], []
    for p in programs:
        records += program_records(p)
    for m in missing:
        problems.append(f"upstream selftests {m} were not in the initramfs")
    ran = {p["set"] for p in programs}
    for s in sets:
        if s not in ran and s not in missing:
            problems.append(f"upstream selftests {s} never ran (the boot ended before them)")
    if programs and not done:
        running = [f"{p['set']}/{p['program']}" for p in programs if p["end"] is None] or [
            f"{programs[-1]['set']}/{programs[-1]['program']}"]
        problems.append(f"the boot ended during upstream selftest {', '.join(running)}")
    baseline, reasons, header = (None, {}, {})
    if mode != "report":
        if baseline_path:
            baseline, reasons, header = load_baseline(baseline_path)
            have, want = _sources(header.get("sources")), _sources(sources)
            for label, tree in want.items():
                if label in have and have[label] != tree:
                    notes.append(f"kselftest baseline {baseline_path} was recorded on set {label} of "
                                 f"source tree {have[label][:12]}, this boot runs {tree[:12]}: "
                                 "regenerate it for an exact comparison")
        else:
            notes.append("no recorded kselftest baseline for this base: every upstream test must pass")
    judge(records, mode, baseline, reasons, flaky)
    for r in records:
        if r["judgement"] == J.FAILURE:
            problems.append(f"{r['name']}: {r['why']}")
    c = counts(records)
    seconds = sum((p["end"] or {}).get("seconds") or 0 for p in programs)
    # seconds: the programs' own times added up; wall_seconds: the run's
    # (they run at once).
    summary = dict(c, sets=list(sets), sources=sources, mode=mode, seconds=round(seconds, 2),
                   wall_seconds=wall,
                   baseline=baseline_path or None, baseline_measured_on=header.get("measured-on"),
                   programs={f"{p['set']}/{p['program']}": (p["end"] or {}).get("seconds")
                             for p in programs})
    return records, problems, notes, summary


def table(rows):
    """Lines of the per-kernel table of upstream selftests (summary.json
    rows that ran them): passed / failed on both / regressed per dut,
    what a control or oracle reported."""
    rows = [r for r in rows if r.get("kselftests")]
    if not rows:
        return []
    out = ["", "upstream selftests (kselftest.<set>.<program>.<test>):",
           f"{'kernel':34} {'role':8} {'sets':10} {'passed':>6} {'failed on both':>14} "
           f"{'regressed':>9} {'flaky':>5} {'seconds':>7}  judged"]
    for r in rows:
        k = r["kselftests"]
        judged = {"dut": "as a dut, against " + (k.get("baseline") or "no baseline").split("/")[-1],
                  "prefix": "no regression against " + (k.get("baseline") or "-").split("/")[-1],
                  "report": "reported, not judged"}[k["mode"]]
        both = k["failed_on_both"] if k["mode"] != "report" else f"({k['reported']} not passed)"
        regr = k["regressed"] if k["mode"] != "report" else "-"
        out.append(f"{r['id']:34} {r['role']:8} {','.join(k['sets']):10} {k['passed']:6} "
                   f"{both!s:>14} {regr!s:>9} {k['flaky']:5} {k.get('wall_seconds') or k['seconds']:7.1f}  {judged}")
    return out
