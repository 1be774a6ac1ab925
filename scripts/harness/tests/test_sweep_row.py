"""scripts/sweep's rows: a release's validate summary becomes a row
(applies, build seconds, verdict, tests passed, regressions), and the
table lists conflicts by patch, file and hunk."""
import json
from types import SimpleNamespace

from harness import sweep_row as S


def args(**kw):
    base = dict(release="6.18.12", applies="clean", apply="", conflicts="", validate="",
                rc=0, repo="", why="", unpatched="")
    base.update(kw)
    return SimpleNamespace(**base)


def test_row_from_a_validate_summary(tmp_path):
    img = tmp_path / "img"
    img.mkdir()
    (img / "build-seconds").write_text("312\n")
    kdir = tmp_path / "validate" / "linux_6.18.12.orig-p11"
    kdir.mkdir(parents=True)
    (kdir / "summary.json").write_text(json.dumps({
        "verdict": "fail", "uname": "6.18.12", "passed": 90, "failed": 1,
        "image": str(img / "bzImage"), "build_seconds": 330.0,
        "kselftests": {"passed": 120, "failed_on_both": 5, "regressed": 1, "flaky": 0,
                       "seconds": 70.5},
        "tests": [{"name": "A.b", "judgement": "failure"},
                  {"name": "kselftest.6.18.t.x", "judgement": "failure"},
                  {"name": "A.c", "judgement": "passed"}],
        "kernel_problems": [], "notes": ["kselftest baseline x was recorded on set 6.18 of ..."]}))
    apply_txt = tmp_path / "apply.txt"
    apply_txt.write_text("1 clean 0001-a.patch\n2 3-way 0002-b.patch\n")
    r = S.row(args(applies="3-way", apply=str(apply_txt), validate=str(tmp_path / "validate"), rc=1))
    assert r["verdict"] == "fail" and r["build_seconds"] == 312 and r["image_cached"] is False
    assert r["regressions"] == ["A.b", "kselftest.6.18.t.x"]
    assert r["kselftests"]["regressed"] == 1 and r["tests_passed"] == 90
    assert r["patches"][1] == {"n": "2", "applies": "3-way", "patch": "0002-b.patch"}
    lines = S.table("6.18", [r])
    assert any(x.startswith("6.18.12    3-way") and "120/5/1" in x for x in lines)
    assert any("note:" in x for x in lines)


def test_conflict_and_unavailable_rows(tmp_path):
    c = tmp_path / "conflicts.txt"
    c.write_text("patch 6, 0006-fork.patch:\n    kernel/fork.c: 1 conflicting hunk(s) after git am -3\n")
    r = S.row(args(release="6.12.107", applies="conflict", conflicts=str(c)))
    assert r["verdict"] == "conflict" and len(r["conflicts"]) == 2
    u = S.row(args(release="6.12.116", applies="unavailable", why="unavailable: 404"))
    lines = S.table("6.12", [r, u])
    assert any("kernel/fork.c: 1 conflicting hunk" in x for x in lines)
    assert any(x.startswith("6.12.116") and "404" in x for x in lines)


def summary(d, name, tests, verdict="fail"):
    k = d / name
    k.mkdir(parents=True)
    (k / "summary.json").write_text(json.dumps({
        "verdict": verdict, "passed": 9, "failed": 2, "tests": tests, "kernel_problems": [],
        "notes": []}))


def test_failures_the_unpatched_release_shares_are_not_regressions(tmp_path):
    summary(tmp_path / "validate", "linux_6.18.9.orig-p11", [
        {"name": "Prereq.Old", "status": "fail", "judgement": "failure"},
        {"name": "Autoreap.New", "status": "fail", "judgement": "failure"}])
    r = S.row(args(release="6.18.9", validate=str(tmp_path / "validate"), rc=1))
    rowf = tmp_path / "row.json"
    rowf.write_text(json.dumps(r))
    assert S.suite_failures(r) == ["Prereq.Old", "Autoreap.New"]
    # Only Prereq.Old fails without the series: Autoreap.New stays a regression.
    summary(tmp_path / "unpatched", "linux_6.18.9.orig-p0", [
        {"name": "Prereq.Old", "status": "fail", "judgement": "failure"},
        {"name": "Autoreap.New", "status": "skip", "judgement": "expected skip"}])
    r = S.row(args(release="6.18.9", validate=str(tmp_path / "validate"), rc=1,
                   unpatched=str(tmp_path / "unpatched")))
    assert r["regressions"] == ["Autoreap.New"] and r["base_failures"] == ["Prereq.Old"]
    assert r["verdict"] == "fail" and r["exit"] == 1
    # Both fail there: the release passes, its own failures listed apart.
    summary(tmp_path / "unpatched2", "x-p0", [
        {"name": "Prereq.Old", "status": "fail"}, {"name": "Autoreap.New", "status": "fail"}])
    r = S.row(args(release="6.18.9", validate=str(tmp_path / "validate"), rc=1,
                   unpatched=str(tmp_path / "unpatched2")))
    assert r["verdict"] == "pass" and r["exit"] == 0 and r["regressions"] == []
    lines = S.table("6.18", [r])
    assert any("2 fail(s) on the unpatched release too" in x for x in lines)
    assert any("Prereq.Old fails on 6.18.9 without the series too" in x for x in lines)
    assert S.cross_checked(r, "log") == 0


def test_a_cross_check_without_results_changes_nothing(tmp_path):
    summary(tmp_path / "validate", "k-p11", [{"name": "A.b", "status": "fail",
                                              "judgement": "failure"}])
    (tmp_path / "unpatched").mkdir()
    r = S.row(args(validate=str(tmp_path / "validate"), rc=1, unpatched=str(tmp_path / "unpatched")))
    assert r["verdict"] == "fail" and r["regressions"] == ["A.b"]
    assert any("no results" in n for n in r["notes"]) and not r["unpatched_checked"]
    assert S.cross_checked(r, "log") == 1
