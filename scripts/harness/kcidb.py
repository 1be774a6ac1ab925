"""KCIDB I/O schema v5 documents made from the judged records.

One checkout per source (a Debian tarball plus a prefix of a series, with
each patch's sha256 and the patchset hash; a work tree at a commit; a
Debian package; a bzImage), one build per image (architecture, the hash
of its configuration, the build's duration), and per boot one test per
suite test (path clone3.<Suite>.<Test>) and per upstream kselftest
(kselftest.<...>), plus the suite's own verdict at path "clone3".

Statuses: PASS, FAIL, SKIP as judged; a known upstream defect on the
oracle is FAIL, waived, with its reason as comment; a test the kernel never
ran because of an infrastructure failure (or a crash that ended the run) is
MISS, never PASS; the suite of a kernel that never ran it is ERROR.
Identifiers are "<origin>:..." and made from content (tree id, config hash,
patchset hash), so shards of one run name the same checkouts and builds
and their documents merge (merge())."""
import hashlib
import re
from datetime import datetime, timezone
from pathlib import Path

from . import judge as J

VERSION = {"major": 5, "minor": 3}
ARCH = "x86_64"
# Allowed characters of one test path component (kcidb-io v5 test_path_re).
_BAD = re.compile(r"[^A-Za-z0-9_-]")
LOG_EXCERPT_MAX = 16384


def sha256_file(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def patchset_hash(hashes):
    """sha256 over the newline-terminated sha256 of each patch, in order
    (as 'sha256sum *.patch | cut -c-64 | sha256sum'); "" for no patch."""
    if not hashes:
        return ""
    return hashlib.sha256("".join(h + "\n" for h in hashes).encode()).hexdigest()


def _component(text):
    return _BAD.sub("_", text.replace("/", "-")) or "_"


def test_path(name):
    """clone3.<Suite>.<Test> for a suite test (gtest's "/" of parametrized
    names becomes "-"); kselftest.<...> for an upstream kselftest."""
    for prefix in ("kselftest.", "kselftest/", "kselftest:"):
        if name.startswith(prefix):
            rest = re.split(r"[./:]", name[len(prefix):])
            return ".".join(["kselftest"] + [_component(p) for p in rest if p])
    suite, _, case = name.partition(".")
    return ".".join(["clone3", _component(suite)] + ([_component(case)] if case else []))


def status_of(record):
    """(status, comment, waived) of one judged record."""
    st, j, why = record["status"], record.get("judgement"), record.get("why") or ""
    if j == J.EXPECTED_FAILURE:
        return "FAIL", why, True
    if j == J.FAILURE:
        return "FAIL", why or "FAIL", False
    if st == "skip":
        return "SKIP", record.get("reason") or why, False
    if st == "fail":
        return "FAIL", why, False
    return "PASS", "", False


def _time(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def _excerpt(lines):
    text = "\n".join(lines)
    return text[-LOG_EXCERPT_MAX:]


def _slug(text):
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", text)


def source_objects(origin, summary, target):
    """(checkout, build) of one kernel from its summary.json and the
    target.json validate wrote beside it."""
    kind = target.get("kind", "kernel")
    image = target.get("image") or summary.get("image") or ""
    cfg = target.get("config_hash", "")
    checkout = {"origin": origin, "valid": True}
    build = {"origin": origin, "architecture": ARCH, "status": "PASS"}
    misc = {"kind": kind}
    bmisc = {"image": image}
    if kind == "base":
        patches = target.get("patches", [])
        hashes = [sha256_file(p) for p in patches]
        phash = patchset_hash(hashes)
        source = target.get("source", "linux")
        checkout["id"] = f"{origin}:{_slug(source)}" + (f"+{phash[:16]}" if phash else "")
        checkout["tree_name"] = source
        checkout["patchset_files"] = [{"name": Path(p).name, "url": Path(p).resolve().as_uri()}
                                      for p in patches]
        checkout["patchset_hash"] = phash
        checkout["comment"] = (f"{source} with the first {target.get('prefix', len(patches))} of "
                               f"{target.get('series_length', len(patches))} patches of "
                               f"kernel-patches/{target.get('base', '?')}")
        misc.update({"series": target.get("base"), "prefix": int(target.get("prefix", 0)),
                     "series_length": int(target.get("series_length", 0)),
                     "patch_sha256": hashes, "commit": target.get("commit")})
        img_dir = Path(image).parent
        build["id"] = f"{origin}:{_slug(img_dir.name)}" if image else \
            f"{origin}:{_slug(target.get('base', 'base'))}-{(target.get('commit') or 'unknown')[:12]}-{cfg}"
        for name in ("build-id", "build-seconds"):
            f = img_dir / name
            if f.exists():
                bmisc[name.replace("-", "_")] = f.read_text().strip()
        if "build_seconds" in bmisc:
            build["duration"] = float(bmisc.pop("build_seconds"))
    elif kind == "tree":
        commit = target.get("commit") or ""
        checkout["id"] = f"{origin}:tree-{commit or _slug(target.get('source', ''))}"
        checkout["tree_name"] = Path(target.get("source", "tree")).name
        if re.fullmatch(r"[0-9a-f]{40}", commit):
            checkout["git_commit_hash"] = commit
        checkout["patchset_hash"] = ""
        checkout["comment"] = f"work tree {target.get('source', '')}"
        build["id"] = f"{origin}:tree-{commit[:12] or 'head'}-{cfg or 'config'}"
    elif kind == "debian":
        pkg = target.get("package") or f"linux-{target.get('version', '')}"
        checkout["id"] = f"{origin}:debian-{_slug(pkg)}"
        checkout["tree_name"] = "debian"
        checkout["patchset_hash"] = ""
        checkout["comment"] = f"Debian prebuilt cloud kernel {pkg} ({target.get('version', '')})"
        build["id"] = f"{origin}:debian-{_slug(pkg)}"
        build["comment"] = "prebuilt by Debian"
    else:
        digest = sha256_file(image)[:16] if image and Path(image).is_file() else _slug(summary["id"])
        checkout["id"] = f"{origin}:kernel-{digest}"
        checkout["comment"] = f"a kernel given with --kernel: {image}"
        build["id"] = f"{origin}:kernel-{digest}"
    if cfg:
        build["config_name"] = f"tinyconfig+base.config-{cfg}"
        bmisc["config_hash"] = cfg
    if summary.get("build_seconds") is not None:
        # The run's build step: a build, or for a prebuilt kernel its fetch.
        if kind == "debian":
            bmisc["fetch_seconds"] = float(summary["build_seconds"])
        elif "duration" not in build:
            build["duration"] = float(summary["build_seconds"])
    if target.get("failed"):
        build["status"] = "ERROR"
        build["comment"] = summary["infra_error"]
    build["checkout_id"] = checkout["id"]
    build["misc"] = bmisc
    checkout["misc"] = misc
    return checkout, build


def failed_kernel(target):
    """(summary, target, start) of a target validate stopped at, unable to
    fetch or build it: no boot, its build ERROR, its tests MISS."""
    kid = "failed-" + _slug(target.get("name", "target"))
    summary = {"id": kid, "role": "", "verdict": "infra", "tests": [], "image": "",
               "infra_error": "validate stopped at this target: fetching or building it "
                              "failed (see the run's log)"}
    return summary, dict(target, failed=True), None


def kernel_tests(origin, build_id, summary, expected=(), start=None):
    """The test objects of one boot: its records, MISS for each expected
    test it never reported, and the suite's verdict at path "clone3"."""
    kid = summary["id"]
    env = {"comment": f"QEMU x86_64, 1 vCPU, role {summary.get('role')}",
           "misc": {"kernel": kid, "role": summary.get("role"), "uname": summary.get("uname") or ""}}
    base = {"origin": origin, "build_id": build_id, "environment": env}
    if start is not None:
        base["start_time"] = _time(start)
    tests, seen = [], set()

    def add(path, status, comment="", excerpt=None, waived=False, misc=None):
        t = dict(base, id=f"{build_id}:{_slug(kid)}:{path}", path=path, status=status)
        if comment:
            t["comment"] = comment
        if excerpt:
            t["log_excerpt"] = _excerpt(excerpt)
        if waived:
            t["waived"] = True
        if misc:
            t["misc"] = misc
        tests.append(t)

    infra = summary.get("infra_error")
    # Upstream selftests are records of "tests" too (kselftest.<set>.<program>.<test>);
    # "kselftests" is their summary (counts), not records.
    extra = summary.get("kselftests")
    records = list(summary.get("tests", [])) + (list(extra) if isinstance(extra, list) else [])
    for r in records:
        path = test_path(r["name"])
        if path in seen:
            continue
        seen.add(path)
        status, comment, waived = status_of(r)
        add(path, status, comment, r.get("messages"), waived,
            {"name": r["name"], "judgement": r.get("judgement")})
        if r.get("ms") is not None:  # only a slow test says how long it took
            tests[-1]["duration"] = r["ms"] / 1000
    why = infra or "; ".join(summary.get("kernel_problems") or []) or "not reported by the suite"
    for name in expected:
        path = test_path(name)
        if path not in seen:
            seen.add(path)
            add(path, "MISS", f"never ran: {why}", misc={"name": name})
    verdict = summary.get("verdict")
    suite_status = {"pass": "PASS", "fail": "FAIL"}.get(verdict, "ERROR")
    problems = summary.get("kernel_problems") or []
    add("clone3", suite_status,
        infra or "; ".join(summary.get("problems") or [])[:2000] or "every test met the role's expectation",
        (problems + summary.get("splats", [])) or None,
        misc={k: summary[k] for k in ("passed", "failed", "skipped", "boot_seconds", "suite_seconds")
              if summary.get(k) is not None})
    if summary.get("suite_seconds") is not None:
        tests[-1]["duration"] = float(summary["suite_seconds"])
    return tests


def document(origin, kernels, expected=()):
    """kernels: (summary, target, start_epoch or None) per boot."""
    checkouts, builds, tests = {}, {}, []
    for summary, target, start in kernels:
        checkout, build = source_objects(origin, summary, target)
        if start is not None:
            checkout.setdefault("start_time", _time(start))
            build.setdefault("start_time", _time(start))
        checkouts.setdefault(checkout["id"], checkout)
        builds.setdefault(build["id"], build)
        tests.extend(kernel_tests(origin, build["id"], summary, expected, start))
    return {"version": dict(VERSION), "checkouts": list(checkouts.values()),
            "builds": list(builds.values()), "tests": tests}


def merge(docs):
    """One document of several (shards of one run): objects with the same
    id are one object (the first one seen is kept)."""
    out = {"version": dict(VERSION)}
    for key in ("checkouts", "builds", "tests"):
        seen = {}
        for d in docs:
            for obj in d.get(key, []):
                seen.setdefault(obj["id"], obj)
        out[key] = list(seen.values())
    return out
