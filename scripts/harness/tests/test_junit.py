"""JUnit made from judged records: valid XML with the expected testcases,
carrying the verdict (known defects skipped, kernel problems failing)."""
import xml.etree.ElementTree as ET

from harness import judge as J
from harness import junit


def judged(role, *recs):
    return J.judge_all([{"name": n, "status": s, "reason": r, "messages": m}
                        for n, s, r, m in recs], role,
                       {"AutoreapExitInfo.ReadyAtPollin": "POLLIN before exit info"})


def parse(doc):
    root = ET.fromstring(doc)
    assert root.tag == "testsuites"
    return root


def test_cases_and_counts():
    recs = judged("oracle",
                  ("Autoreap.A", "pass", "", []),
                  ("Autoreap.B", "fail", "", ["t.cpp:1: expected <&> 42"]),
                  ("AutoreapExitInfo.ReadyAtPollin", "fail", "", ["t.cpp:2: window"]))
    root = parse(junit.document([junit.testsuite("debian-7.3.4", recs)]))
    suite = root.find("testsuite")
    assert suite.get("name") == "debian-7.3.4"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"),
            suite.get("errors")) == ("3", "1", "1", "0")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"A", "B", "ReadyAtPollin"}
    assert cases["A"].get("classname") == "debian-7.3.4.Autoreap"
    assert list(cases["A"]) == []
    assert cases["B"].find("failure").text == "t.cpp:1: expected <&> 42"
    # A known upstream defect is not a failure of the run: skipped, with why.
    skip = cases["ReadyAtPollin"].find("skipped")
    assert skip is not None and "known upstream defect" in skip.get("message")


def test_control_feature_pass_is_a_failure_in_junit():
    recs = judged("control", ("Autoreap.A", "pass", "", []),
                  ("Autoreap.B", "skip", "kernel lacks CLONE_AUTOREAP", []))
    suite = parse(junit.document([junit.testsuite("debian-6.18", recs)])).find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert "cannot fail" in cases["A"].find("failure").get("message")
    assert cases["B"].find("skipped").get("message") == "kernel lacks CLONE_AUTOREAP"


def test_kernel_problems_and_infra_are_testcases_of_their_own():
    recs = judged("dut", ("Autoreap.A", "pass", "", []))
    doc = junit.document([
        junit.testsuite("base-6.18", recs, ["1 splat line(s) in console.log, first: BUG: x"]),
        junit.testsuite("debian-7.3", [], [], "the kernel crashed while booting")])
    suites = parse(doc).findall("testsuite")
    assert suites[0].get("failures") == "1"
    assert suites[0].findall("testcase")[-1].find("failure") is not None
    assert suites[1].get("errors") == "1"
    assert suites[1].find("testcase").find("error").get("message").startswith("the kernel")


def test_empty_document_is_valid():
    assert parse(junit.document([])).findall("testsuite") == []
