"""The targets of a run: usage rules, roles, ids."""
import pytest

from harness import targets as T


def test_default_set_and_order_kept():
    assert T.check([]) == T.DEFAULT
    assert T.check(["debian:7.3", "base:6.12"]) == ["debian:7.3", "base:6.12"]


@pytest.mark.parametrize("kw,targets,msg", [
    (dict(unpatched=True), [], "--unpatched needs --base"),
    (dict(unpatched=True), ["debian:7.3"], "excludes --per-commit"),
    (dict(unpatched=True, per_commit=True), ["base:6.18"], "excludes --per-commit"),
    (dict(per_commit=True), ["debian:7.3"], "--per-commit needs --base"),
    (dict(shell=True), [], "--shell boots exactly one target"),
    (dict(gdb=True), ["base:6.18", "debian:7.3"], "--gdb boots exactly one target"),
    (dict(), ["kernel:/no/such/bzImage"], "no such file"),
    (dict(), ["nonsense"], "not a target"),
])
def test_usage_rules(kw, targets, msg):
    with pytest.raises(T.TargetError, match=msg):
        T.check(targets, **kw)


def test_kernel_must_be_a_bzimage(tmp_path):
    bad, good = tmp_path / "bad", tmp_path / "bzImage"
    bad.write_bytes(b"\0" * 600)
    good.write_bytes(b"\0" * 514 + b"HdrS" + b"\0" * 82)
    with pytest.raises(T.TargetError, match="not an x86 bzImage"):
        T.check([f"kernel:{bad}"])
    assert T.check([f"kernel:{good}"], shell=True) == [f"kernel:{good}"]


@pytest.mark.parametrize("ver,role", [
    ("7.3", "oracle"), ("7.3.4", "oracle"), ("7.1", "oracle"), ("7.1-rc2", "oracle"),
    ("10.0", "oracle"), ("7.0.9", "control"), ("6.18", "control"), ("6.12.107", "control")])
def test_debian_role(ver, role):
    assert T.debian_role(ver) == role
    assert T.debian_role(ver, "dut") == "dut"


@pytest.mark.parametrize("n,i,pc,unp,want", [
    (11, 11, False, False, "dut"), (0, 0, False, False, "control"),
    (11, 3, True, False, "prefix"), (11, 11, True, False, "dut"),
    (11, 0, False, True, "prefix"), (0, 0, True, False, "control")])
def test_base_role(n, i, pc, unp, want):
    assert T.base_role(n, i, pc, unp) == want
    assert T.base_role(n, i, pc, unp, "oracle") == "oracle"


def test_ids():
    assert T.prefix_id("linux_6.18.15.orig", 11) == "linux_6.18.15.orig-p11"
    assert T.prefix_id("linux-source-6.12", 0, "debug") == "linux-source-6.12-p0-debug"
    assert T.is_prefix0("linux-source-6.12-p0") and T.is_prefix0("x-p0-debug")
    assert not T.is_prefix0("x-p01") and not T.is_prefix0("x-p10")


def test_prefix0_summary(tmp_path):
    assert T.prefix0_summary(str(tmp_path / "none")) is None
    for ident in ("linux_6.18.15.orig-p11", "linux_6.18.15.orig-p0", "debian-7.3.4"):
        (tmp_path / ident).mkdir()
        (tmp_path / ident / "summary.json").write_text("[]")
    assert T.prefix0_summary(str(tmp_path)) == str(tmp_path / "linux_6.18.15.orig-p0" / "summary.json")


def test_help_names_the_default_set_and_roles():
    assert [T.default_role(*T.split(t)) for t in T.DEFAULT] == [
        "dut", "oracle", "control"]


def test_cli(capsys):
    assert T.main(["role-debian", "7.3"]) == 0
    assert T.main(["role-base", "11", "2", "1", "0"]) == 0
    assert T.main(["prefix-id", "src", "4", "debug"]) == 0
    assert capsys.readouterr().out == "oracle\nprefix\nsrc-p4-debug\n"
    assert T.main([]) == 2
