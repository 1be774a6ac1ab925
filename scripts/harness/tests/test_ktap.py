"""KTAP parser: plain results, skips with reasons, failure messages,
truncated and garbled input, a crash in mid-line."""
from harness import ktap


def test_results_with_skip_reasons_and_messages():
    plan, recs, pending = ktap.parse(
        "KTAP version 1\n1..3\nok 1 A.b\n# x.cpp:3: expected 1\n# got 2\n"
        "not ok 2 A.c\nok 3 B/P.d/x # SKIP kernel lacks CLONE_NNP\n")
    assert plan == 3
    assert [(r["name"], r["status"]) for r in recs] == [
        ("A.b", "pass"), ("A.c", "fail"), ("B/P.d/x", "skip")]
    assert recs[1]["messages"] == ["x.cpp:3: expected 1", "got 2"]
    assert recs[0]["messages"] == []
    assert recs[2]["reason"] == "kernel lacks CLONE_NNP"
    assert pending == []


def test_truncated_stream_keeps_what_finished_and_the_pending_messages():
    plan, recs, pending = ktap.parse("1..5\nok 1 A.a\n# t.cpp:9: still waiting\nnot o")
    assert plan == 5 and len(recs) == 1
    assert pending == ["t.cpp:9: still waiting"]


def test_crash_in_mid_line_is_not_a_result():
    text = "1..2\nok 1 A.a\nok 2 A.b[   12.3] BUG: kernel NULL pointer\n"
    plan, recs, _ = ktap.parse(text)
    # The second line is garbled: it still parses as a result, with the
    # console's text glued on, or not at all; never as two results.
    assert len(recs) <= 2 and recs[0]["name"] == "A.a"


def test_garbage_and_carriage_returns_are_ignored():
    plan, recs, _ = ktap.parse("\x00\x1b[0m junk\r\n1..1\r\nok 1 A.a\r\n\xff\xfe")
    assert plan == 1 and [r["name"] for r in recs] == ["A.a"]


def test_no_plan():
    assert ktap.parse("") == (None, [], [])
    assert ktap.parse("random console text\n")[0] is None


def test_only_first_plan_counts():
    plan, _, _ = ktap.parse("1..4\n1..9\nok 1 A.a\n")
    assert plan == 4


def test_time_line_becomes_ms_not_a_message():
    plan, recs, pending = ktap.parse(
        "1..3\n# time: 730 ms\nok 1 A.slow\nok 2 A.quick\n"
        "# x.cpp:3: expected 1\n# time: 5000 ms\nnot ok 3 A.hung\n")
    assert recs[0]["ms"] == 730 and recs[0]["messages"] == []
    assert "ms" not in recs[1]
    assert recs[2]["ms"] == 5000 and recs[2]["messages"] == ["x.cpp:3: expected 1"]
