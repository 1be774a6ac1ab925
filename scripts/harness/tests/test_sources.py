"""kernel-patches/BASE/source and the choice among Debian's versions."""
import pytest

from harness import sources as S


def base(tmp_path, name, text):
    d = tmp_path / "kernel-patches" / name
    d.mkdir(parents=True)
    (d / "source").write_text(text)
    return str(tmp_path)


def test_fields_last_wins_comments_ignored(tmp_path):
    top = base(tmp_path, "6.18", "# kind=package in a comment\nkind=orig\nseries=6.1\nseries=6.18\n")
    assert S.kind("6.18", top) == "orig"
    assert S.field("6.18", "series", top) == "6.18"


def test_missing_file_key_and_bad_kind_are_errors(tmp_path):
    top = base(tmp_path, "6.12", "kind=tarball\n")
    with pytest.raises(S.SourceError, match="neither orig nor package"):
        S.kind("6.12", top)
    with pytest.raises(S.SourceError, match="no series= line"):
        S.field("6.12", "series", top)
    with pytest.raises(S.SourceError, match="every base needs one"):
        S.field("9.9", "kind", top)


def test_the_real_bases_parse():
    for b in ("6.18", "6.12", "7.3"):
        assert S.kind(b) in S.KINDS and S.field(b, "series") == b


def test_version_order_is_sort_V_with_tilde_first():
    vs = ["6.18.9-1", "6.18.15-1~bpo13+1", "6.18.15-1", "6.18.5-1~bpo13+1", "6.18.12-1~bpo13+1"]
    assert sorted(vs, key=S.version_key, reverse=True) == [
        "6.18.15-1", "6.18.15-1~bpo13+1", "6.18.12-1~bpo13+1", "6.18.9-1", "6.18.5-1~bpo13+1"]
    assert S.version_key("6.18") < S.version_key("6.18.1")


def test_matching_keeps_the_series_only():
    vs = ["6.18.15-1", "6.1.99-1", "6.180.1-1", "6.18-1", "7.3.4-1", "6.18.15-1", "1:6.18.2-1"]
    assert S.matching("6.18", vs) == ["6.18.15-1", "6.18-1"]


def test_releases_one_per_upstream_newest_revision_first(tmp_path):
    top = base(tmp_path, "6.12", "kind=package\nseries=6.12\n")
    got = S.releases("6.12", ["6.12.117-1~deb12u1", "6.12.117-1", "6.12.107-1~deb12u1",
                              "6.12.118-1", "6.18.1-1"], top)
    assert got == [("6.12.118", "pkg:6.12.118-1"), ("6.12.117", "pkg:6.12.117-1"),
                   ("6.12.107", "pkg:6.12.107-1~deb12u1")]
    top = base(tmp_path, "6.18", "kind=orig\nseries=6.18\n")
    assert S.releases("6.18", ["6.18.5-1~bpo13+1"], top) == [("6.18.5", "orig:6.18.5-1~bpo13+1")]


def test_cli_exit_codes(capsys):
    assert S.main(["kind", "6.18"]) == 0 and capsys.readouterr().out == "orig\n"
    assert S.main(["kind", "no-such-base"]) == 255
    assert S.main(["bogus"]) == 2
