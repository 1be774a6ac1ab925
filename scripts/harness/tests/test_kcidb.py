"""KCIDB I/O v5 documents made from judged records: valid against every
field and enum v5 requires (kcidb_v5_schema), the series named by its
patches' hashes, statuses as judged (a known defect FAIL with a comment,
an infrastructure failure MISS/ERROR and never PASS), and shards merge."""
import hashlib
import json
import subprocess

import pytest

import kcidb_v5_schema as V5
from harness import judge as J
from harness import kcidb

KNOWN = {"AutoreapExitInfo.ReadyAtPollin": "POLLIN before exit info"}


def summary(kid, role, recs, verdict="pass", infra=None, problems=()):
    tests = J.judge_all([{"name": n, "status": s, "reason": r, "messages": m}
                         for n, s, r, m in recs], role, KNOWN)
    return {"id": kid, "role": role, "uname": "7.3.4-cloud-amd64", "image": "/x/bzImage",
            "verdict": verdict, "infra_error": infra, "problems": list(problems),
            "kernel_problems": list(problems), "splats": [], "tests": tests,
            "passed": 0, "failed": 0, "skipped": 0, "build_seconds": 1.5,
            "boot_seconds": 2.0, "suite_seconds": 3.0, "wall_seconds": 5.0}


@pytest.fixture
def series(tmp_path):
    img = tmp_path / "images" / "6.18-0123456789ab-cfgcfgcfgcfg"
    img.mkdir(parents=True)
    (img / "bzImage").write_bytes(b"HdrS")
    (img / "build-seconds").write_text("321\n")
    (img / "build-id").write_text("ab" * 20 + "\n")
    patches = []
    for i, body in enumerate(["first\n", "second\n"], 1):
        p = tmp_path / f"000{i}-x.patch"
        p.write_text(body)
        patches.append(str(p))
    target = {"kind": "base", "base": "6.18", "source": "linux_6.18.15.orig", "prefix": "2",
              "series_length": "2", "patches": patches, "config_hash": "cfgcfgcfgcfg",
              "commit": "c" * 40, "image": str(img / "bzImage")}
    return target, patches


RECS = [("Autoreap.Reaped", "pass", "", []),
        ("Flags/Clone3Matrix.Case/autoreap_thread", "pass", "", []),
        ("Nnp.SetOnChild", "fail", "", ["expected 1, got 0"]),
        ("Autokill.Unprivileged", "skip", "kernel lacks CLONE_PIDFD_AUTOKILL", [])]


def doc_of(*kernels, expected=()):
    return kcidb.document("clone3_ci", [(s, t, 1764680000.0) for s, t in kernels], expected)


def by_path(doc, kid):
    return {t["path"]: t for t in doc["tests"] if t["environment"]["misc"]["kernel"] == kid}


def test_document_is_valid_v5(series):
    target, _ = series
    deb = {"kind": "debian", "version": "7.3.4", "package": "linux-image-7.3.4+deb13-cloud-amd64"}
    d = doc_of((summary("p2", "dut", RECS, "fail"), target),
               (summary("debian-7.3.4", "oracle", RECS[:1]), deb),
               expected=[r[0] for r in RECS])
    assert V5.check(d) == []
    assert d["version"] == {"major": 5, "minor": 3}
    json.dumps(d)  # serialisable as it is


def test_checkout_names_the_series_by_hashes(series):
    target, patches = series
    d = doc_of((summary("p2", "dut", RECS), target))
    (co,) = d["checkouts"]
    hashes = [hashlib.sha256(open(p, "rb").read()).hexdigest() for p in patches]
    assert co["misc"]["patch_sha256"] == hashes
    assert [f["name"] for f in co["patchset_files"]] == ["0001-x.patch", "0002-x.patch"]
    assert all(f["url"].startswith("file:///") for f in co["patchset_files"])
    # The schema's own recipe: sha256sum *.patch | cut -c-64 | sha256sum
    shell = subprocess.run(f"sha256sum {' '.join(patches)} | cut -c-64 | sha256sum | cut -c-64",
                           shell=True, capture_output=True, text=True, check=True).stdout.strip()
    assert co["patchset_hash"] == shell
    (b,) = d["builds"]
    assert b["architecture"] == "x86_64" and b["duration"] == 321.0
    assert b["misc"]["config_hash"] == "cfgcfgcfgcfg" and b["checkout_id"] == co["id"]
    assert co["id"].startswith("clone3_ci:") and b["id"].startswith("clone3_ci:")


def test_statuses_as_judged(series):
    target, _ = series
    t = by_path(doc_of((summary("p2", "dut", RECS, "fail"), target)), "p2")
    assert t["clone3.Autoreap.Reaped"]["status"] == "PASS"
    assert t["clone3.Flags-Clone3Matrix.Case-autoreap_thread"]["status"] == "PASS"
    assert t["clone3.Nnp.SetOnChild"]["status"] == "FAIL"
    assert "expected 1, got 0" in t["clone3.Nnp.SetOnChild"]["log_excerpt"]
    # A dut may not skip: the judgement makes it a FAIL, with the reason.
    assert t["clone3.Autokill.Unprivileged"]["status"] == "FAIL"
    assert "CLONE_PIDFD_AUTOKILL" in t["clone3.Autokill.Unprivileged"]["comment"]
    assert t["clone3"]["status"] == "FAIL"


def test_control_skip_is_skip():
    s = summary("debian-6.18", "control", [RECS[3]])
    t = by_path(doc_of((s, {"kind": "debian", "package": "linux-image-6.18"})), "debian-6.18")
    assert t["clone3.Autokill.Unprivileged"]["status"] == "SKIP"
    assert t["clone3.Autokill.Unprivileged"]["comment"] == "kernel lacks CLONE_PIDFD_AUTOKILL"


def test_known_defect_on_oracle_is_fail_with_comment():
    s = summary("debian-7.3.4", "oracle", [("AutoreapExitInfo.ReadyAtPollin", "fail", "", ["m"])])
    t = by_path(doc_of((s, {"kind": "debian", "package": "p"})), "debian-7.3.4")
    rec = t["clone3.AutoreapExitInfo.ReadyAtPollin"]
    assert rec["status"] == "FAIL" and rec["waived"] is True
    assert "known upstream defect" in rec["comment"] and "POLLIN before exit info" in rec["comment"]
    assert t["clone3"]["status"] == "PASS"


def test_infrastructure_failure_is_miss_never_pass(series):
    target, _ = series
    s = summary("p2", "dut", [], "infra", infra="the kernel hung while booting")
    d = doc_of((s, target), expected=[r[0] for r in RECS])
    assert V5.check(d) == []
    t = by_path(d, "p2")
    assert t.pop("clone3")["status"] == "ERROR"
    assert len(t) == len(RECS) and {x["status"] for x in t.values()} == {"MISS"}
    assert all("hung while booting" in x["comment"] for x in t.values())


def test_crash_mid_suite_misses_the_rest(series):
    target, _ = series
    s = summary("p2", "dut", RECS[:1], "fail", problems=["the kernel crashed during the suite"])
    t = by_path(doc_of((s, target), expected=[r[0] for r in RECS]), "p2")
    assert t["clone3.Autoreap.Reaped"]["status"] == "PASS"
    assert t["clone3.Nnp.SetOnChild"]["status"] == "MISS"
    assert "PASS" not in {x["status"] for p, x in t.items() if p != "clone3.Autoreap.Reaped"}


def test_kselftest_paths():
    assert kcidb.test_path("kselftest.pidfd.pidfd_info_test") == "kselftest.pidfd.pidfd_info_test"
    assert kcidb.test_path("kselftest/clone3/clone3_set_tid") == "kselftest.clone3.clone3_set_tid"
    s = summary("k", "dut", [])
    s["kselftests"] = [{"name": "kselftest/pidfd/pidfd_test", "status": "pass",
                        "judgement": J.PASSED, "messages": []}]
    t = by_path(doc_of((s, {"kind": "kernel"})), "k")
    assert t["kselftest.pidfd.pidfd_test"]["status"] == "PASS"


def test_merge_of_shards_equals_one_document(series):
    target, _ = series
    deb = {"kind": "debian", "package": "p"}
    a = (summary("p2", "dut", RECS), target)
    b = (summary("debian-7.3.4", "oracle", RECS[:2]), deb)
    whole = doc_of(a, b)
    merged = kcidb.merge([doc_of(b), doc_of(a), doc_of(a)])

    def norm(d):
        return {k: sorted(json.dumps(o, sort_keys=True) for o in d[k])
                for k in ("checkouts", "builds", "tests")}
    assert norm(merged) == norm(whole)
    assert V5.check(merged) == []


@pytest.mark.parametrize("breakage, expect", [
    (lambda d: d["tests"][0].update(status="BROKEN"), "status"),
    (lambda d: d["tests"][0].pop("build_id"), "build_id"),
    (lambda d: d["builds"][0].pop("checkout_id"), "checkout_id"),
    (lambda d: d["checkouts"][0].update(id="no-origin"), "id"),
    (lambda d: d["tests"][0].update(path="clone3.Bad/Name"), "path"),
    (lambda d: d["tests"][0].update(comment=None), "null"),
    (lambda d: d["builds"][0].update(flavour="x"), "flavour"),
    (lambda d: d.update(version={"major": 4}), "major"),
    (lambda d: d["checkouts"][0].update(patchset_hash="abc"), "patchset_hash"),
    (lambda d: d["checkouts"][0]["patchset_files"].append({"name": "a/b", "url": "file:///x"}), "name"),
])
def test_checker_catches(series, breakage, expect):
    target, _ = series
    d = doc_of((summary("p2", "dut", RECS), target))
    breakage(d)
    problems = V5.check(d)
    assert problems and any(expect in p for p in problems), problems


def test_target_that_did_not_build(series):
    target, _ = series
    failed = dict(target, image="")
    d = kcidb.document("clone3_ci", [kcidb.failed_kernel(failed)], [r[0] for r in RECS])
    assert V5.check(d) == []
    (b,) = d["builds"]
    assert b["status"] == "ERROR" and "building it failed" in b["comment"]
    statuses = {t["path"]: t["status"] for t in d["tests"]}
    assert statuses.pop("clone3") == "ERROR"
    assert set(statuses.values()) == {"MISS"} and len(statuses) == len(RECS)


def test_a_slow_test_carries_its_duration(series):
    target, _ = series
    s = summary("p2", "dut", RECS[:2])
    s["tests"][0]["ms"] = 1250
    doc = doc_of((s, target))
    assert V5.check(doc) == []
    t = by_path(doc, "p2")
    assert t[kcidb.test_path("Autoreap.Reaped")]["duration"] == 1.25
    assert "duration" not in t[kcidb.test_path("Flags/Clone3Matrix.Case/autoreap_thread")]
