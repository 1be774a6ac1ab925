"""What KCIDB I/O schema v5 requires of a document, as a stdlib checker.

The facts come from kernelci/kcidb-io, kcidb_io/schema/v05_00.py ... v05_03.py
(the newest minor): the top level is an object with a required "version"
({"major": 5, "minor": 0..3}, nothing else) and the lists "checkouts",
"builds", "tests" (also "issues", "incidents"), and no other property;
no property may be null; every object allows only its listed properties
(additionalProperties false); checkouts require id and origin, builds id,
origin and checkout_id, tests id, origin and build_id; an origin matches
[a-z0-9_]+ and every id and *_id "<origin>:<anything without NUL>"; a test
path matches ^([a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)*)?$; status (of builds and
tests) is one of FAIL ERROR MISS PASS DONE SKIP; patchset_hash is "" or 64
hex digits; git_commit_hash 40 hex digits; architecture [a-z0-9_]*; a
resource (patchset_files, input_files, output_files) is {name, url}, both
required, name without "/"; log_excerpt at most 16384 characters; *_time
are date-times, *_url URIs, duration a number, valid and waived booleans."""
import re
from datetime import datetime

ORIGIN = re.compile(r"^[a-z0-9_]+$")
ORIGIN_ID = re.compile(r"^[a-z0-9_]+:[^\0]*$")
TEST_PATH = re.compile(r"^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$")
STATUS = ("FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP")
SHA256_OR_EMPTY = re.compile(r"^$|^[0-9a-f]{64}$")
SHA1 = re.compile(r"^[0-9a-f]{40}$")
ARCH = re.compile(r"^[a-z0-9_]*$")

STR, BOOL, NUM, OBJ, LIST = "string", "boolean", "number", "object", "array"
# property: (type, check) where check is a regex, "uri", "date-time",
# "status", "resources", "strings", "excerpt", "environment", "number-obj".
CHECKOUT = {
    "_timestamp": (STR, "date-time"), "id": (STR, ORIGIN_ID), "origin": (STR, ORIGIN),
    "tree_name": (STR, None), "git_repository_url": (STR, re.compile(r"^https://[^\0]*$")),
    "git_commit_hash": (STR, SHA1), "git_commit_name": (STR, None),
    "git_commit_tags": (LIST, "strings"), "git_commit_message": (STR, None),
    "git_repository_branch": (STR, None), "git_repository_branch_tip": (BOOL, None),
    "patchset_files": (LIST, "resources"), "patchset_hash": (STR, SHA256_OR_EMPTY),
    "message_id": (STR, None), "comment": (STR, None), "start_time": (STR, "date-time"),
    "origin_builds_finish_time": (STR, "date-time"), "origin_tests_finish_time": (STR, "date-time"),
    "log_url": (STR, "uri"), "log_excerpt": (STR, "excerpt"), "valid": (BOOL, None),
    "misc": (OBJ, None),
}
BUILD = {
    "_timestamp": (STR, "date-time"), "checkout_id": (STR, ORIGIN_ID), "id": (STR, ORIGIN_ID),
    "origin": (STR, ORIGIN), "comment": (STR, None), "start_time": (STR, "date-time"),
    "duration": (NUM, None), "architecture": (STR, ARCH), "command": (STR, None),
    "compiler": (STR, None), "input_files": (LIST, "resources"),
    "output_files": (LIST, "resources"), "config_name": (STR, None), "config_url": (STR, "uri"),
    "log_url": (STR, "uri"), "log_excerpt": (STR, "excerpt"), "status": (STR, "status"),
    "misc": (OBJ, None),
}
TEST = {
    "_timestamp": (STR, "date-time"), "build_id": (STR, ORIGIN_ID), "id": (STR, ORIGIN_ID),
    "origin": (STR, ORIGIN), "environment": (OBJ, "environment"), "path": (STR, TEST_PATH),
    "comment": (STR, None), "log_url": (STR, "uri"), "log_excerpt": (STR, "excerpt"),
    "status": (STR, "status"), "number": (OBJ, "number-obj"), "waived": (BOOL, None),
    "start_time": (STR, "date-time"), "duration": (NUM, None),
    "input_files": (LIST, "resources"), "output_files": (LIST, "resources"), "misc": (OBJ, None),
}
REQUIRED = {"checkouts": ("id", "origin"), "builds": ("checkout_id", "id", "origin"),
            "tests": ("build_id", "id", "origin")}
PROPS = {"checkouts": CHECKOUT, "builds": BUILD, "tests": TEST}
PY_TYPE = {STR: str, BOOL: bool, OBJ: dict, LIST: list}


def _uri(v):
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$", v) is not None


def _date_time(v):
    try:
        datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in v


def _type_ok(v, t):
    if t == NUM:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, PY_TYPE[t])


def _check_value(where, v, t, check, problems):
    if v is None:
        problems.append(f"{where}: null is not allowed")
        return
    if not _type_ok(v, t):
        problems.append(f"{where}: {type(v).__name__} where v5 wants a {t}")
        return
    if check is None:
        return
    if isinstance(check, re.Pattern):
        if not check.match(v):
            problems.append(f"{where}: {v!r} does not match {check.pattern}")
    elif check == "uri" and not _uri(v):
        problems.append(f"{where}: {v!r} is not a URI")
    elif check == "date-time" and not _date_time(v):
        problems.append(f"{where}: {v!r} is not a date-time")
    elif check == "status" and v not in STATUS:
        problems.append(f"{where}: status {v!r} is not one of {', '.join(STATUS)}")
    elif check == "excerpt" and len(v) > 16384:
        problems.append(f"{where}: longer than 16384 characters")
    elif check == "strings" and not all(isinstance(s, str) for s in v):
        problems.append(f"{where}: not a list of strings")
    elif check == "resources":
        for i, r in enumerate(v):
            w = f"{where}[{i}]"
            if not isinstance(r, dict) or set(r) - {"name", "url"} or not {"name", "url"} <= set(r):
                problems.append(f"{w}: a resource is exactly {{name, url}}")
                continue
            _check_value(f"{w}.name", r["name"], STR, re.compile(r"^[^/\0]+$"), problems)
            _check_value(f"{w}.url", r["url"], STR, "uri", problems)
    elif check == "environment":
        extra = set(v) - {"compatible", "comment", "misc"}
        if extra:
            problems.append(f"{where}: properties not in v5: {sorted(extra)}")
        if "comment" in v:
            _check_value(f"{where}.comment", v["comment"], STR, None, problems)
        if "misc" in v:
            _check_value(f"{where}.misc", v["misc"], OBJ, None, problems)
    elif check == "number-obj":
        if "value" not in v or set(v) - {"value", "unit", "prefix"}:
            problems.append(f"{where}: number needs value and allows only unit, prefix")


def _no_nulls(where, v, problems):
    if v is None:
        problems.append(f"{where}: null is not allowed")
    elif isinstance(v, dict):
        for k, x in v.items():
            _no_nulls(f"{where}.{k}", x, problems)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            _no_nulls(f"{where}[{i}]", x, problems)


def check(doc):
    """Return the list of ways DOC breaks KCIDB I/O v5 (empty: valid)."""
    problems = []
    if not isinstance(doc, dict):
        return ["the document is not a JSON object"]
    extra = set(doc) - {"version", "checkouts", "builds", "tests", "issues", "incidents"}
    if extra:
        problems.append(f"top level: properties not in v5: {sorted(extra)}")
    ver = doc.get("version")
    if not isinstance(ver, dict) or "major" not in ver:
        problems.append("version: required, with a major number")
    else:
        if set(ver) - {"major", "minor"}:
            problems.append(f"version: only major and minor allowed, not {sorted(set(ver))}")
        if ver.get("major") != 5 or isinstance(ver.get("major"), bool):
            problems.append(f"version.major: {ver.get('major')!r}, v5 wants 5")
        minor = ver.get("minor", 0)
        if not isinstance(minor, int) or isinstance(minor, bool) or not 0 <= minor <= 3:
            problems.append(f"version.minor: {minor!r}, v5 has 0 to 3")
    _no_nulls("document", doc, problems)
    for key, props in PROPS.items():
        objs = doc.get(key, [])
        if not isinstance(objs, list):
            problems.append(f"{key}: not a list")
            continue
        for i, obj in enumerate(objs):
            where = f"{key}[{i}]"
            if not isinstance(obj, dict):
                problems.append(f"{where}: not an object")
                continue
            for req in REQUIRED[key]:
                if req not in obj:
                    problems.append(f"{where}: required property {req} is missing")
            for k, v in obj.items():
                if k not in props:
                    problems.append(f"{where}: property {k} is not in v5")
                    continue
                _check_value(f"{where}.{k}", v, *props[k], problems)
            if "id" in obj and "origin" in obj and isinstance(obj["id"], str) \
                    and not obj["id"].startswith(f"{obj['origin']}:"):
                problems.append(f"{where}: id {obj['id']!r} does not start with its origin")
    return problems
