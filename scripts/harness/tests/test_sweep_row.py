"""scripts/sweep's rows: a release's validate summary becomes a row
(applies, build seconds, verdict, tests passed, regressions), and the
table lists conflicts by patch, file and hunk."""
import json
from types import SimpleNamespace

from harness import sweep_row as S


def args(**kw):
    base = dict(release="6.18.12", applies="clean", apply="", conflicts="", validate="",
                rc=0, repo="", why="")
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
