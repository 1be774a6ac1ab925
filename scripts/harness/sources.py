"""Where a base's source comes from: kernel-patches/BASE/source, and the
choice among the versions Debian offers for it.

A base's 'source' file holds KEY=VALUE lines (the last one of a key wins;
'#' lines are comments):

    kind=orig     the linux_SERIES.*.orig.tar.xz tarballs of Debian's
                  source index for the source package 'linux'
    kind=package  the linux-source-SERIES binary package, which carries
                  the tarball inside
    series=S      the upstream series the versions are matched against

The apt queries and downloads stay in bash (scripts/lib/apt.sh); they
hand their version lists to this module, which holds the rules:

    python3 -m harness.sources field BASE KEY   the value (exit 255 if none)
    python3 -m harness.sources kind BASE        orig or package
    python3 -m harness.sources matching SERIES  Debian versions on stdin ->
                                                those of SERIES, newest first
    python3 -m harness.sources releases BASE    Debian versions on stdin ->
                                                "UPSTREAM SOURCE" per point
                                                release, newest first
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KINDS = ("orig", "package")
EXIT_INFRA = 255


class SourceError(Exception):
    pass


def source_file(base, top=TOP):
    return os.path.join(top, "kernel-patches", base, "source")


def known_bases(top=TOP):
    """The bases, newest first: every folder of kernel-patches/ with a
    'source' file."""
    d = os.path.join(top, "kernel-patches")
    bases = [b for b in os.listdir(d) if os.path.isfile(source_file(b, top))]
    return sorted(bases, key=version_key, reverse=True)


def read_source(base, top=TOP):
    """The KEY=VALUE pairs of BASE's source file (the last one of a key)."""
    path = source_file(base, top)
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise SourceError(f"{os.path.relpath(path, top)}: {e.strerror}; every base needs one "
                          "(see kernel-patches/6.18/source)")
    fields = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, v = line.split("=", 1)
        fields[k.strip()] = v.strip()
    return fields


def field(base, key, top=TOP):
    v = read_source(base, top).get(key, "")
    if not v:
        raise SourceError(f"kernel-patches/{base}/source has no {key}= line; "
                          "see the comment at its top")
    return v


def kind(base, top=TOP):
    k = field(base, "kind", top)
    if k not in KINDS:
        raise SourceError(f"kernel-patches/{base}/source: kind={k} is neither orig nor package")
    return k


def version_key(v):
    """Order as 'sort -V' does for kernel and Debian versions: digit runs
    numerically, the rest as text, '~' before anything (6.18.15-1~bpo13+1
    before 6.18.15-1)."""
    key = []
    for part in re.findall(r"\d+|[^\d]+", v):
        if part.isdigit():
            key.append((1, int(part), ""))
        else:
            key.append((0 if part.startswith("~") else 2, 0, part))
    key.append((0.5, 0, ""))   # the end: after '~', before anything else
    return key


def upstream_of(debian_version):
    """6.18.15-1~bpo13+1 -> 6.18.15 (an epoch is dropped)."""
    v = debian_version.split(":", 1)[-1]
    return v.split("-", 1)[0]


def matching(series, versions):
    """The Debian versions of upstream SERIES (6.18: 6.18-N, 6.18.x-N),
    distinct, newest first."""
    pat = re.compile(re.escape(series) + r"[.-]")
    got = {v for v in versions if pat.match(v)}
    return sorted(got, key=version_key, reverse=True)


def releases(base, versions, top=TOP):
    """[(upstream, source)] per point release of BASE among the Debian
    VERSIONS (the source index's 'linux' versions for kind orig, the
    linux-source-SERIES package's for kind package), newest first, each
    with its highest Debian revision; source is what fetch_release takes
    (orig:DEBVER or pkg:DEBVER)."""
    prefix = "orig:" if kind(base, top) == "orig" else "pkg:"
    out, seen = [], set()
    for v in matching(field(base, "series", top), versions):
        up = upstream_of(v)
        if up not in seen:
            seen.add(up)
            out.append((up, prefix + v))
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["field"] and len(argv) == 3:
            print(field(argv[1], argv[2]))
        elif argv[:1] == ["kind"] and len(argv) == 2:
            print(kind(argv[1]))
        elif argv[:1] == ["matching"] and len(argv) == 2:
            for v in matching(argv[1], sys.stdin.read().split()):
                print(v)
        elif argv[:1] == ["releases"] and len(argv) == 2:
            for up, src in releases(argv[1], sys.stdin.read().split()):
                print(up, src)
        else:
            print("usage: python3 -m harness.sources {field BASE KEY|kind BASE|"
                  "matching SERIES|releases BASE}", file=sys.stderr)
            return 2
    except SourceError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INFRA
    return 0


if __name__ == "__main__":
    sys.exit(main())
