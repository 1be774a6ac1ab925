"""Judge each test record by the role of the kernel it ran on.

Judgements: "passed", "expected_failure" (a known upstream defect, with its
reason), "expected_skip" (a feature the kernel lacks, or a test its base
lists as unsupported), "failure". The rules are those of README's Roles
table."""
import fnmatch

PASSED, EXPECTED_FAILURE, EXPECTED_SKIP, FAILURE = (
    "passed", "expected_failure", "expected_skip", "failure")
ROLES = ("dut", "oracle", "control", "prefix")


def suite_of(name):
    return name.split(".", 1)[0].split("/")[-1]


def is_baseline(name):
    return suite_of(name).startswith("Baseline")


def is_prereq(name):
    # Tests of what the flags build on (PIDFD_GET_INFO, PIDFD_INFO_EXIT,
    # supported_mask): upstream has them, so a control may pass them.
    return suite_of(name).startswith("Prereq")


def load_list(text):
    """Parse a list file (known defects, expected unsupported): one entry
    per line, a name or fnmatch pattern, then its reason; # comments."""
    entries = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            parts = line.split(None, 1)
            entries[parts[0]] = parts[1] if len(parts) > 1 else ""
    return entries


def _match(entries, name):
    for pattern, reason in entries.items():
        if fnmatch.fnmatchcase(name, pattern):
            return reason
    return None


def judge(record, role, known=None, unsupported=None):
    """Return (judgement, why) for one record."""
    known, unsupported = known or {}, unsupported or {}
    name, st = record["name"], record["status"]
    feature = not is_baseline(name)
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if st == "fail":
        if role in ("oracle", "prefix") and name in known:
            where = "on the oracle" if role == "oracle" else \
                "in this prefix; a later patch of the series fixes it"
            return EXPECTED_FAILURE, f"known upstream defect, failed {where}: {known[name]}"
        return FAILURE, "FAIL"
    if role in ("dut", "oracle"):
        why = _match(unsupported, name) if role == "dut" else None
        if st == "skip":
            if why is None:
                return FAILURE, f"SKIP ({record['reason']}): role {role} allows no skip"
            return EXPECTED_SKIP, f"listed unsupported on this base: {why}"
        if role == "dut" and why is not None:
            return FAILURE, ("PASS of a test this base lists as unsupported: "
                             "update the base's expected-unsupported.txt")
        return PASSED, ""
    if st == "skip":
        if not feature:
            return FAILURE, "SKIP: baseline tests must run everywhere"
        return EXPECTED_SKIP, record["reason"]
    if role == "control" and feature and not is_prereq(name):
        return FAILURE, ("PASS on a control kernel: this feature test cannot fail, "
                         "it passes without the feature")
    return PASSED, ""


def judge_all(records, role, known=None, unsupported=None):
    """Add "judgement" and "why" to every record; return the records."""
    for r in records:
        r["judgement"], r["why"] = judge(r, role, known, unsupported)
    return records
