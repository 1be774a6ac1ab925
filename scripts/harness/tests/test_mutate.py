"""Mutant generation: which lines get which operators, that comments never
do, that continuation lines are not dropped, that the budget keeps one
mutant per line, and the score."""
import subprocess

from harness import mutate

SRC = """\
// SPDX: a comment with if (x) and -EINVAL in it
static int f(struct task_struct *t, unsigned long flags)
{
	int err = 0; /* if (never) */

	if ((flags & CLONE_X) && t->autoreap)
		return -EINVAL;
	do_send_sig_info(SIGKILL, SEND_SIG_PRIV, t, PIDTYPE_TGID);
	t->mask |= A |
		   B;
	BUILD_BUG_ON(sizeof(struct pidfd_info) != PIDFD_INFO_SIZE_VER3);
	return err;
}
"""


def mutants(lines):
    return {m.name: m for m in mutate.mutants_for_file("k/f.c", SRC, set(lines), {n: 3 for n in lines})}


def test_comments_get_no_mutants():
    assert mutants([1]) == {}
    # Line 4: the declaration is kept (dropping it cannot compile); the
    # comment's "if (never)" is no condition.
    assert [m.operator for m in mutants([4]).values()] == []


def test_condition_gets_negate_and_one_mutant_per_operand():
    ms = mutants([6])
    after = sorted(m.after for m in ms.values())
    assert "!((flags & CLONE_X) && t->autoreap)" in after
    assert "(flags & CLONE_X)" in after and "t->autoreap" in after
    assert {m.operator for m in ms.values()} == {"negate", "operand"}


def test_errno_signal_pidtype_and_drop():
    ops = sorted(m.operator for m in mutants([7]).values())
    assert ops == ["drop", "errno"]
    ms = mutants([8])
    assert {m.operator: m.after for m in ms.values()} == {
        "pidtype": "PIDTYPE_PID", "signal": "SIGTERM", "drop": ";"}
    for m in ms.values():
        assert m.content.count("\n") == SRC.count("\n")


def test_a_continuation_line_is_not_dropped_on_its_own():
    assert [m.operator for m in mutants([10]).values()] == []
    assert [m.operator for m in mutants([9]).values()] == ["drop"]


def test_size_constant_grows_by_a_word():
    ms = mutants([11])
    assert {m.operator: m.after for m in ms.values()}["word"] == "(PIDFD_INFO_SIZE_VER3 + 8)"


def test_names_are_unique_and_stable():
    a = mutants(range(1, 14))
    b = mutants(range(1, 14))
    assert list(a) == list(b)
    assert all(n.startswith("p03.f.c:") for n in a)


def test_budget_keeps_the_subtlest_operator_per_line():
    ms = list(mutants(range(1, 14)).values())
    kept, left = mutate.budget(ms, True)
    assert len({(m.file, m.line) for m in kept}) == len(kept)
    assert len(kept) + len(left) == len(ms)
    line8 = [m for m in kept if m.line == 8]
    assert [m.operator for m in line8] == ["pidtype"]
    assert mutate.budget(ms, False) == (ms, [])


def test_score_per_patch_and_file():
    rs = [{"name": "a", "patch": 1, "file": "x.c", "outcome": "killed"},
          {"name": "b", "patch": 1, "file": "x.c", "outcome": "survived"},
          {"name": "c", "patch": 2, "file": "y.c", "outcome": "equivalent"},
          {"name": "d", "patch": 2, "file": "y.c", "outcome": "no_compile"}]
    sc = mutate.score(rs)
    assert sc["total"]["score"] == 0.5
    assert sc["per_patch"]["02"]["score"] is None
    assert sc["per_file"]["x.c"] == {"killed": 1, "survived": 1, "equivalent": 0,
                                     "no_compile": 0, "score": 0.5}
    assert "all" in mutate.format_score(sc)


def test_generate_uses_blame_of_the_series_commits(tmp_path):
    repo = tmp_path / "r"
    run = lambda *a: subprocess.run(["git", "-C", str(repo), *a], check=True,
                                    capture_output=True, text=True).stdout.strip()
    repo.mkdir()
    run("init", "-q")
    run("config", "user.email", "t@localhost")
    run("config", "user.name", "t")
    (repo / "a.c").write_text("int f(int x)\n{\n\treturn x;\n}\n")
    run("add", "a.c")
    run("commit", "-q", "-m", "base")
    base = run("rev-parse", "HEAD")
    (repo / "a.c").write_text("int f(int x)\n{\n\tif (x > 1)\n\t\treturn -EINVAL;\n\treturn x;\n}\n")
    run("commit", "-q", "-am", "p1")
    p1 = run("rev-parse", "HEAD")
    ms = mutate.generate(str(repo), base, [p1])
    assert {m.line for m in ms} == {3, 4}
    assert all(m.patch == 1 for m in ms)
    assert {"negate", "errno", "drop"} <= {m.operator for m in ms}
