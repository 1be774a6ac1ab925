"""The targets of a validate run: which kernels, in which role, under which
name.

A target is KIND:VALUE, in the order given on the command line:

    base:BASE        a base of kernel-patches/ built with its series (dut;
                     control when the series is empty; with --per-commit or
                     --unpatched the shorter prefixes are role prefix)
    debian:VERSION   a Debian prebuilt cloud kernel (oracle from 7.1 on,
                     control before)
    kernel:PATH      your own bzImage (dut)
    tree:PATH        your own kernel work tree, built out of tree (dut)

--role overrides every target's role. Each booted kernel has an id, which
names its results folder (OUT/ID) and its row in the table; a base's
image has the id prefix_id gives, which scripts/kselftest-baseline finds
again with prefix0_summary (a kernel or tree id is made unique in
validate, which knows the ids of the run).

scripts/validate asks this module from bash:

    python3 -m harness.targets role-debian VERSION [OVERRIDE]
    python3 -m harness.targets role-base N I PER_COMMIT UNPATCHED [OVERRIDE]
    python3 -m harness.targets prefix-id SOURCE I [VARIANT]
    python3 -m harness.targets prefix0-summary OUT   OUT/ID/summary.json of
                                                     the unpatched base's boot
"""
import os
import sys

DEFAULT = ["base:6.18", "debian:7.3", "debian:6.18"]
KINDS = ("base", "debian", "kernel", "tree")
ROLES = ("dut", "oracle", "control", "prefix")
ORACLE_SINCE = (7, 1)


class TargetError(Exception):
    pass


def split(target):
    kind, _, value = target.partition(":")
    if kind not in KINDS or not value:
        raise TargetError(f"not a target: {target!r} (--base, --debian, --kernel or --tree)")
    return kind, value


def release(version):
    """'7.3.4' -> (7, 3, 4); a non-numeric part ends it ('7.1-rc2' -> (7, 1))."""
    out = []
    for part in version.split("."):
        digits = ""
        for c in part:
            if not c.isdigit():
                break
            digits += c
        if not digits:
            break
        out.append(int(digits))
        if digits != part:
            break
    return tuple(out)


def debian_role(version, override=""):
    """A Debian kernel of 7.1 or later carries the features: the oracle."""
    if override:
        return override
    return "oracle" if release(version) >= ORACLE_SINCE else "control"


def base_role(n, i, per_commit=False, unpatched=False, override=""):
    """Prefix I of a base series of N patches: the whole series is a dut (a
    control when the series is empty); a shorter prefix, booted by
    --per-commit or --unpatched, is a prefix."""
    if override:
        return override
    if n == 0:
        return "control"
    if (per_commit or unpatched) and i < n:
        return "prefix"
    return "dut"


def default_role(kind, value):
    """The role of a target when --role does not set one (a base with its
    whole, non-empty series), as the help text names it."""
    return debian_role(value) if kind == "debian" else "dut"


def prefix_id(source, i, variant=""):
    """The id of prefix I of the series on SOURCE (the extracted tree's
    name): linux_6.18.15.orig-p11, ...-p11-debug."""
    return f"{source}-p{i}" + (f"-{variant}" if variant else "")


def is_prefix0(ident):
    """The id of an unpatched base (prefix 0), in any variant."""
    head, sep, tail = ident.rpartition("-p0")
    return bool(sep) and (tail == "" or tail.startswith("-"))


def prefix0_summary(out):
    """OUT/ID/summary.json of the first prefix-0 boot of a run, or None."""
    for ident in sorted(os.listdir(out)) if os.path.isdir(out) else []:
        path = os.path.join(out, ident, "summary.json")
        if is_prefix0(ident) and os.path.isfile(path):
            return path
    return None


def is_bzimage(path):
    try:
        with open(path, "rb") as f:
            f.seek(514)
            return f.read(4) == b"HdrS"
    except OSError:
        return False


def check(targets, per_commit=False, unpatched=False, shell=False, gdb=False):
    """The targets a run boots (DEFAULT when none is given), or TargetError
    with the usage rule it breaks."""
    for t in targets:
        split(t)
    if unpatched and not targets:
        raise TargetError("--unpatched needs --base")
    targets = list(targets) or list(DEFAULT)
    if shell and len(targets) != 1:
        raise TargetError("--shell boots exactly one target")
    if gdb and len(targets) != 1:
        raise TargetError("--gdb boots exactly one target")
    for t in targets:
        kind, value = split(t)
        if kind == "kernel":
            if not os.path.isfile(value):
                raise TargetError(f"--kernel {value}: no such file")
            if not is_bzimage(value):
                raise TargetError(f"--kernel {value} is not an x86 bzImage (no 'HdrS' boot "
                                  "header); pass arch/x86/boot/bzImage")
    has_base = any(t.startswith("base:") for t in targets)
    if per_commit and not has_base:
        raise TargetError("--per-commit needs --base")
    if unpatched and (per_commit or not has_base):
        raise TargetError("--unpatched needs --base and excludes --per-commit")
    return targets


def flag(v):
    return v not in ("", "0", "false")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    cmd, args = (argv[0], argv[1:]) if argv else ("", [])
    if cmd == "role-debian" and len(args) in (1, 2):
        print(debian_role(args[0], args[1] if len(args) > 1 else ""))
    elif cmd == "role-base" and len(args) in (4, 5):
        print(base_role(int(args[0]), int(args[1]), flag(args[2]), flag(args[3]),
                        args[4] if len(args) > 4 else ""))
    elif cmd == "prefix-id" and len(args) in (2, 3):
        print(prefix_id(args[0], int(args[1]), args[2] if len(args) > 2 else ""))
    elif cmd == "prefix0-summary" and len(args) == 1:
        path = prefix0_summary(args[0])
        if path is None:
            return 1
        print(path)
    else:
        print("usage: python3 -m harness.targets {role-debian VERSION [OVERRIDE]|"
              "role-base N I PER_COMMIT UNPATCHED [OVERRIDE]|prefix-id SOURCE I [VARIANT]|"
              "prefix0-summary OUT}",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
