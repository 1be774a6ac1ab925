"""Each role rule of README's Roles table."""
import pytest

from harness import judge as J

KNOWN = {"AutoreapExitInfo.ReadyAtPollin": "POLLIN before exit info"}
UNSUP = {"PidfsHandle.*": "no pidfs file handles on 6.12"}


def rec(name, status, reason=""):
    return {"name": name, "status": status, "reason": reason, "messages": []}


@pytest.mark.parametrize("role,name,status,want", [
    # dut: everything passes, no skip, except listed unsupported skips
    ("dut", "Autoreap.A", "pass", J.PASSED),
    ("dut", "Autoreap.A", "fail", J.FAILURE),
    ("dut", "Autoreap.A", "skip", J.FAILURE),
    ("dut", "PidfsHandle.Open", "skip", J.EXPECTED_SKIP),
    ("dut", "PidfsHandle.Open", "pass", J.FAILURE),
    ("dut", "AutoreapExitInfo.ReadyAtPollin", "fail", J.FAILURE),
    # oracle: known defects may fail, nothing may skip
    ("oracle", "AutoreapExitInfo.ReadyAtPollin", "fail", J.EXPECTED_FAILURE),
    ("oracle", "Autoreap.A", "fail", J.FAILURE),
    ("oracle", "PidfsHandle.Open", "skip", J.FAILURE),
    ("oracle", "Autoreap.A", "pass", J.PASSED),
    # prefix: later features skip, baselines run, known defects may fail
    ("prefix", "Autoreap.A", "skip", J.EXPECTED_SKIP),
    ("prefix", "BaselineClone.A", "skip", J.FAILURE),
    ("prefix", "AutoreapExitInfo.ReadyAtPollin", "fail", J.EXPECTED_FAILURE),
    ("prefix", "Autoreap.A", "fail", J.FAILURE),
    ("prefix", "Autoreap.A", "pass", J.PASSED),
    # control: feature tests skip, a feature pass is a failure, Prereq may pass
    ("control", "Autoreap.A", "skip", J.EXPECTED_SKIP),
    ("control", "Autoreap.A", "pass", J.FAILURE),
    ("control", "Flags/Clone3Matrix.MatchesModel/autoreap_sig0_root", "pass", J.FAILURE),
    ("control", "PrereqPidfdInfo.Exit", "pass", J.PASSED),
    ("control", "BaselineClone.A", "pass", J.PASSED),
    ("control", "BaselineClone.A", "skip", J.FAILURE),
    ("control", "AutoreapExitInfo.ReadyAtPollin", "fail", J.FAILURE),
])
def test_role_rules(role, name, status, want):
    got, why = J.judge(rec(name, status, "kernel lacks X"), role, KNOWN, UNSUP)
    assert got == want, why
    if got != J.PASSED:
        assert why


def test_parameterised_suite_names():
    assert J.suite_of("Flags/Clone3Matrix.MatchesModel/x") == "Clone3Matrix"
    assert J.is_baseline("Flags/BaselineClone3Matrix.MatchesModel/x")
    assert J.is_prereq("PrereqPidfdInfo.Live")


def test_unknown_role_is_an_error():
    with pytest.raises(ValueError):
        J.judge(rec("A.a", "pass"), "bystander")


def test_load_list():
    got = J.load_list("# comment\nA.b\treason one\n\nC.* why # trailing\nD.e\n")
    assert got == {"A.b": "reason one", "C.*": "why", "D.e": ""}
