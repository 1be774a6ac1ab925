"""Upstream selftests: frames split into programs, each program's KTAP
folded into kselftest.<set>.<program>.<test> records, and the rules of
SPEC section 10 (regression against the unpatched base, failed on both,
must pass, flaky, reported on a control)."""
from harness import judge as J
from harness import kselftest as KS

HARNESS = """TAP version 13
1..3
# Starting 3 tests from 1 test cases.
#  RUN           global.a ...
#            OK  global.a
ok 1 global.a
#  RUN           global.b ...
# pidfd_info_test.c:99:b:Expected 0 (0) == r (-1)
not ok 2 global.b
ok 3 global.c # SKIP kernel lacks it
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0"""


def frame(kset, prog, body, end):
    return f"CLONE3-KSELFTEST-BEGIN {kset} {prog}\n{body}\nCLONE3-KSELFTEST-END {kset} {prog} {end}\n"


def test_split_and_records_of_a_harness_program():
    text = frame("7.3", "pidfd_info_test", HARNESS, "exit 256 1.50") + "CLONE3-KSELFTESTS-DONE\n"
    progs, missing, done, _ = KS.split(text)
    assert done and not missing and len(progs) == 1
    assert progs[0]["end"] == {"kind": "exit", "status": 256, "seconds": 1.5, "reason": ""}
    recs = KS.program_records(progs[0])
    assert [(r["name"], r["status"]) for r in recs] == [
        ("kselftest.7.3.pidfd_info_test.global.a", "pass"),
        ("kselftest.7.3.pidfd_info_test.global.b", "fail"),
        ("kselftest.7.3.pidfd_info_test.global.c", "skip")]
    assert "pidfd_info_test.c:99:b:Expected 0 (0) == r (-1)" in recs[1]["messages"]


def test_kselftest_h_results_without_description_duplicates_and_exit_codes():
    body = "TAP version 13\n1..3\nok 1 pidfd check\nok 2 pidfd check\nok 3 # SKIP no pidfs\n"
    progs, _, _, _ = KS.split(frame("6.12", "pidfd_test", body, "exit 0 2.00"))
    recs = KS.program_records(progs[0])
    assert [(r["name"], r["status"]) for r in recs] == [
        ("kselftest.6.12.pidfd_test.pidfd check", "pass"),
        ("kselftest.6.12.pidfd_test.pidfd check (2)", "pass"),
        ("kselftest.6.12.pidfd_test.test 3", "skip")]
    assert recs[2]["reason"] == "no pidfs"


def test_whole_program_skip_timeout_signal_and_unfinished():
    text = (frame("6.18", "p1", "TAP version 13\n1..0 # SKIP needs root", "exit 1024 0.10")
            + frame("6.18", "p2", "1..2\nok 1 x", "timeout 60.02")
            + frame("6.18", "p3", "1..1\nok 1 x", "exit 11 0.3")
            + frame("6.18", "p4", "", "skip did not build statically")
            + "CLONE3-KSELFTEST-BEGIN 6.18 p5\n1..4\nok 1 y\n")
    progs, _, done, _ = KS.split(text)
    assert not done
    recs = [r for p in progs for r in KS.program_records(p)]
    got = {r["name"]: r["status"] for r in recs}
    assert got == {"kselftest.6.18.p1": "skip", "kselftest.6.18.p2.x": "pass",
                   "kselftest.6.18.p2.timeout": "fail", "kselftest.6.18.p3.x": "pass",
                   "kselftest.6.18.p3.exit": "fail", "kselftest.6.18.p4": "skip",
                   "kselftest.6.18.p5.y": "pass", "kselftest.6.18.p5.incomplete": "fail"}
    assert recs[0]["reason"] == "needs root"
    _, problems, _, _ = KS.fold(text, ["6.18"], "report")
    assert problems == ["the boot ended during upstream selftest 6.18/p5"]


def rec(name, status):
    return {"name": name, "status": status, "reason": "", "messages": []}


def test_dut_rules():
    base = {"kselftest.6.18.t.ok": "pass", "kselftest.6.18.t.reg": "pass",
            "kselftest.6.18.t.both": "fail", "kselftest.6.18.t.skipboth": "skip",
            "kselftest.7.3.pidfd_autoreap_test.a": "fail",
            "kselftest.7.3.pidfd_autoreap_test.b": "fail"}
    reasons = {"kselftest.6.18.t.both": "CONFIG_NET_NS is not in the VM config"}
    flaky = {"kselftest.7.3.pidfd_autoreap_test.b": "exit info read at POLLIN"}
    recs = [rec("kselftest.6.18.t.ok", "pass"), rec("kselftest.6.18.t.reg", "fail"),
            rec("kselftest.6.18.t.both", "fail"), rec("kselftest.6.18.t.skipboth", "skip"),
            rec("kselftest.6.18.t.new", "fail"),
            rec("kselftest.7.3.pidfd_autoreap_test.a", "fail"),
            rec("kselftest.7.3.pidfd_autoreap_test.b", "fail")]
    KS.judge(recs, "dut", base, reasons, flaky)
    got = {r["name"].split(".")[-1]: (r["kselftest"], r["judgement"]) for r in recs}
    assert got == {"ok": ("passed", J.PASSED), "reg": ("regressed", J.FAILURE),
                   "both": ("failed_on_both", J.EXPECTED_FAILURE),
                   "skipboth": ("failed_on_both", J.EXPECTED_SKIP),
                   "new": ("regressed", J.FAILURE), "a": ("regressed", J.FAILURE),
                   "b": ("flaky", J.EXPECTED_FAILURE)}
    assert "CONFIG_NET_NS" in recs[2]["why"]
    assert KS.counts(recs) == {"passed": 1, "failed_on_both": 2, "regressed": 3, "flaky": 1,
                               "reported": 0}


def test_prefix_needs_no_autoreap_and_control_is_only_reported():
    base = {"kselftest.7.3.pidfd_autoreap_test.a": "fail", "kselftest.6.18.t.x": "pass"}
    recs = [rec("kselftest.7.3.pidfd_autoreap_test.a", "fail"), rec("kselftest.6.18.t.x", "fail")]
    KS.judge(recs, "prefix", base)
    assert [r["kselftest"] for r in recs] == ["failed_on_both", "regressed"]
    KS.judge(recs, "report", base)
    assert [r["judgement"] for r in recs] == [J.EXPECTED_FAILURE, J.EXPECTED_FAILURE]
    assert {r["kselftest"] for r in recs} == {"reported"}


def test_baseline_file_and_a_different_source_is_said():
    text = ("# sources: 6.18=aaaa 7.3=bbbb\n# measured-on: linux-p0\n\n"
            "pass kselftest.6.18.t.ok\nfail kselftest.6.18.t.both # the base lacks X\n")
    st, reasons, header = KS.parse_baseline(text)
    assert st == {"kselftest.6.18.t.ok": "pass", "kselftest.6.18.t.both": "fail"}
    assert reasons == {"kselftest.6.18.t.both": "the base lacks X"}
    assert header["sources"] == "6.18=aaaa 7.3=bbbb"


def test_fold_notes_a_baseline_of_another_source(tmp_path):
    f = tmp_path / "kselftests-unpatched.txt"
    f.write_text("# sources: 6.18=aaaa\npass kselftest.6.18.t.x\n")
    text = frame("6.18", "t", "1..1\nok 1 x", "exit 0 1.0") + "CLONE3-KSELFTESTS-DONE\n"
    recs, problems, notes, summary = KS.fold(text, ["6.18"], "dut", str(f), {}, "6.18=cccc")
    assert not problems and summary["passed"] == 1
    assert any("source tree aaaa" in n and "cccc" in n for n in notes)


def test_programs_run_at_once_end_in_any_order_and_a_started_one_that_never_ended_is_incomplete():
    text = ("CLONE3-KSELFTEST-START 7.3 slow\nCLONE3-KSELFTEST-START 7.3 quick\n"
            "CLONE3-KSELFTEST-START 6.18 hung\n"
            + frame("7.3", "quick", "1..1\nok 1 q", "exit 0 0.20")
            + frame("7.3", "slow", "1..1\nok 1 s", "exit 0 30.10"))
    progs, _, done, wall = KS.split(text)
    assert not done and wall is None
    assert [(p["set"], p["program"], p["end"] is None) for p in progs] == [
        ("7.3", "quick", False), ("7.3", "slow", False), ("6.18", "hung", True)]
    recs, problems, _, _ = KS.fold(text, ["7.3", "6.18"], "report")
    assert {r["name"]: r["status"] for r in recs} == {
        "kselftest.7.3.quick.q": "pass", "kselftest.7.3.slow.s": "pass",
        "kselftest.6.18.hung.incomplete": "fail"}
    assert any("ended during upstream selftest 6.18/hung" in p for p in problems)


def test_done_line_carries_the_wall_clock():
    text = frame("7.3", "a", "1..1\nok 1 a", "exit 0 20.0") + frame("7.3", "b", "1..1\nok 1 b", "exit 0 25.0")
    _, _, done, wall = KS.split(text + "CLONE3-KSELFTESTS-DONE 26.40\n")
    assert done and wall == 26.4
    _, _, _, summary = KS.fold(text + "CLONE3-KSELFTESTS-DONE 26.40\n", ["7.3"], "report")
    assert summary["seconds"] == 45.0 and summary["wall_seconds"] == 26.4
    assert KS.split(text + "CLONE3-KSELFTESTS-DONE\n")[2:] == (True, None)
