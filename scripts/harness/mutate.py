"""Mutants derived mechanically from a kernel patch series.

Every code line the series adds to a .c file (found with git blame at the
tip: the lines whose commit is one of the series' commits; comments never
count) gets the mutations that fit it:

  drop      the statement becomes an empty statement ";"
  negate    an if/while condition C becomes !(C)
  operand   one operand of a top-level && or || chain is left out
  errno     an errno constant becomes another one
  pidtype   PIDTYPE_TGID and PIDTYPE_PID are swapped
  signal    the signal sent is swapped for another one
  word      a size or offset constant grows by one word (8 bytes)

A mutant is the whole file with one change; its name says where it is:
pNN.FILE:LINE.OPERATOR[.K] (NN the patch that added the line, LINE the line
at the tip). Generation is deterministic: same tip, same mutants, same order.
"""
import re
from dataclasses import dataclass, field

# The operator kinds, subtlest first: with a budget of one mutant per
# statement, the first operator that fits the statement is kept.
OPERATORS = ["pidtype", "signal", "errno", "word", "operand", "negate", "drop"]

ERRNO_SWAP = {
    "EINVAL": "EPERM", "EPERM": "EINVAL", "ESRCH": "ECHILD", "ECHILD": "ESRCH",
    "EFAULT": "EINVAL", "ENOMEM": "EINVAL", "EBADF": "EINVAL", "E2BIG": "EINVAL",
    "EOPNOTSUPP": "EINVAL", "ENOENT": "ESRCH", "EAGAIN": "EINVAL", "EBUSY": "EINVAL",
    "EEXIST": "EINVAL", "EACCES": "EPERM", "ENODATA": "ESRCH",
}
SIGNAL_SWAP = {"SIGKILL": "SIGTERM", "SIGTERM": "SIGKILL", "SIGCHLD": "SIGUSR1",
               "SIGSTOP": "SIGTSTP", "SIGUSR1": "SIGUSR2", "SIGSEGV": "SIGBUS"}
PIDTYPE_SWAP = {"PIDTYPE_TGID": "PIDTYPE_PID", "PIDTYPE_PID": "PIDTYPE_TGID"}
WORD = 8

DECL_START = re.compile(
    r"^\s*(?:(?:static|const|unsigned|signed|struct|union|enum|volatile|register)\s+)*"
    r"(?:int|long|short|char|bool|void|u8|u16|u32|u64|s32|s64|__u32|__u64|size_t|"
    r"pid_t|uid_t|gid_t|umode_t|loff_t|ssize_t|[a-z_][a-z0-9_]*_t|"
    r"(?:struct|union|enum)\s+\w+)\b[\s*]*\w+\s*(?:\[[^]]*\])?\s*(?:=|;|,)")
STATEMENT_KEYWORD = re.compile(r"^\s*(if|else|for|while|do|switch|case|default)\b")


@dataclass
class Mutant:
    name: str
    patch: int          # 1-based index of the patch that added the line
    file: str
    line: int           # 1-based line at the tip
    operator: str
    before: str         # the text that changes
    after: str
    content: str = field(repr=False, default="")


def code_mask(text):
    """A copy of text with comments and string/char literals blanked out
    (same length, newlines kept), so that code can be matched safely."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def line_starts(text):
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def matching_paren(code, i):
    """Index of the ')' matching the '(' at code[i], or -1."""
    depth = 0
    for j in range(i, len(code)):
        if code[j] == "(":
            depth += 1
        elif code[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return -1


def split_top(code, start, end, op):
    """Split code[start:end] at top-level occurrences of op (&& or ||);
    return the (start, end) spans of the operands."""
    spans, depth, s, j = [], 0, start, start
    while j < end:
        c = code[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and code.startswith(op, j):
            spans.append((s, j))
            s = j + len(op)
            j += len(op)
            continue
        elif depth == 0 and c == "?":
            return [(start, end)]
        j += 1
    spans.append((s, end))
    return spans


def statement_end(code, i):
    """End (index after ';') of the statement starting at code[i], when it
    is a plain expression statement; -1 otherwise."""
    depth = 0
    for j in range(i, len(code)):
        c = code[j]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth < 0:
                return -1
        elif c in "{}":
            return -1
        elif c == ";" and depth == 0:
            return j + 1
    return -1


def starts_statement(code, i):
    """Whether code[i] begins a statement rather than continuing the
    expression of the line before: the code before it ends with ; { } : or
    ) (a control header or a guard macro) or the keyword else."""
    j = i - 1
    while j >= 0 and code[j].isspace():
        j -= 1
    if j < 0 or code[j] in ";{}:)":
        return True
    return code[max(0, j - 3):j + 1] == "else" and (j < 4 or not code[j - 4].isalnum())


def brace_depths(code, starts):
    """Brace depth at the start of each line."""
    depths, depth, li = [], 0, 0
    for idx, c in enumerate(code):
        while li < len(starts) and starts[li] == idx:
            depths.append(depth)
            li += 1
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
    while li < len(starts):
        depths.append(depth)
        li += 1
    return depths


def _edits_for_line(text, code, starts, depths, lineno):
    """The candidate edits (operator, start, end, replacement) on one line
    (1-based) of the file; spans may reach into following lines."""
    s = starts[lineno - 1]
    e = starts[lineno] - 1 if lineno < len(starts) else len(text)
    lc = code[s:e]
    if not lc.strip() or lc.lstrip().startswith("#") or depths[lineno - 1] == 0:
        return []
    edits = []
    for m in re.finditer(r"\b(PIDTYPE_TGID|PIDTYPE_PID)\b", lc):
        edits.append(("pidtype", s + m.start(1), s + m.end(1), PIDTYPE_SWAP[m.group(1)]))
    for m in re.finditer(r"\b(SIG[A-Z0-9]+)\b", lc):
        if m.group(1) in SIGNAL_SWAP:
            edits.append(("signal", s + m.start(1), s + m.end(1), SIGNAL_SWAP[m.group(1)]))
    for m in re.finditer(r"-\s*(E[A-Z0-9]+)\b", lc):
        if m.group(1) in ERRNO_SWAP:
            edits.append(("errno", s + m.start(1), s + m.end(1), ERRNO_SWAP[m.group(1)]))
    if re.search(r"sizeof|offsetof|SIZE|_VER\d", lc):
        for m in re.finditer(r"\b(\w*SIZE_VER\d+|\d+)\b", lc):
            tok = m.group(1)
            if tok.isdigit():
                if int(tok) >= WORD:
                    edits.append(("word", s + m.start(1), s + m.end(1), str(int(tok) + WORD)))
            else:
                edits.append(("word", s + m.start(1), s + m.end(1), f"({tok} + {WORD})"))
    # Conditions of if/while that start on this line.
    for m in re.finditer(r"\b(if|while)\s*\(", lc):
        open_i = s + m.end() - 1
        close_i = matching_paren(code, open_i)
        if close_i < 0:
            continue
        cs, ce = open_i + 1, close_i
        cond = text[cs:ce]
        edits.append(("negate", cs, ce, f"!({cond.strip()})"))
        edits.extend(_operand_edits(text, code, cs, ce))
    # return EXPR; with a top-level && or || chain.
    m = re.match(r"\s*return\s+", lc)
    if m:
        end = statement_end(code, s + m.end())
        if end > 0:
            edits.extend(_operand_edits(text, code, s + m.end(), end - 1))
    # An expression statement that starts on this line.
    first = len(lc) - len(lc.lstrip())
    body = lc[first:]
    if (starts_statement(code, s + first) and not STATEMENT_KEYWORD.match(body)
            and not DECL_START.match(body)
            and not re.match(r"\w+\s*:(?!:)", body) and not body.startswith(("{", "}"))):
        end = statement_end(code, s + first)
        if end > 0 and not text[s + first:end].startswith("return;"):
            edits.append(("drop", s + first, end, ";"))
    return edits


def _operand_edits(text, code, cs, ce):
    edits = []
    for op in ("||", "&&"):
        spans = split_top(code, cs, ce, op)
        if len(spans) < 2:
            continue
        for k in range(len(spans)):
            kept = [text[a:b].strip() for i, (a, b) in enumerate(spans) if i != k]
            edits.append(("operand", cs, ce, f" {op} ".join(kept)))
        break
    return edits


def mutants_for_file(path, text, added, patch_of_line):
    """All mutants of one file. added: the 1-based tip lines the series
    added; patch_of_line: line -> 1-based patch index."""
    code = code_mask(text)
    starts = line_starts(text)
    depths = brace_depths(code, starts)
    short = path.rsplit("/", 1)[-1]
    out = []
    for ln in sorted(added):
        counts = {}
        seen = set()
        for op, a, b, rep in _edits_for_line(text, code, starts, depths, ln):
            if (a, b, rep) in seen or text[a:b] == rep:
                continue
            seen.add((a, b, rep))
            counts[op] = counts.get(op, 0) + 1
            k = counts[op]
            name = f"p{patch_of_line[ln]:02d}.{short}:{ln}.{op}" + (f".{k}" if k > 1 else "")
            out.append(Mutant(name, patch_of_line[ln], path, ln, op, text[a:b], rep,
                              text[:a] + rep + text[b:]))
    return out


def budget(mutants, per_statement):
    """With per_statement, keep one mutant per line: the first operator of
    OPERATORS that fits it (the first such mutant). Returns (kept, left_out)."""
    if not per_statement:
        return mutants, []
    by_line = {}
    for m in mutants:
        by_line.setdefault((m.file, m.line), []).append(m)
    kept, left = [], []
    for key in sorted(by_line):
        ms = by_line[key]
        best = min(ms, key=lambda m: (OPERATORS.index(m.operator), ms.index(m)))
        kept.append(best)
        left.extend(m for m in ms if m is not best)
    order = {id(m): i for i, m in enumerate(mutants)}
    kept.sort(key=lambda m: order[id(m)])
    return kept, left


def blame_added(repo, tip, path, series):
    """The tip lines of path that one of the series' commits added:
    {line: 1-based patch index}, from git blame at the tip."""
    import subprocess
    index = {c: i + 1 for i, c in enumerate(series)}
    out = subprocess.run(["git", "-C", repo, "blame", "--porcelain", "-l", tip, "--", path],
                         check=True, capture_output=True, text=True).stdout
    added = {}
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]{40}) \d+ (\d+)", line)
        if m and m.group(1) in index:
            added[int(m.group(2))] = index[m.group(1)]
    return added


def generate(repo, base, series):
    """Every mutant of the series (commit ids, in order) on top of base."""
    import subprocess
    tip = series[-1]
    files = subprocess.run(["git", "-C", repo, "diff", "--name-only", base, tip, "--", "*.c"],
                           check=True, capture_output=True, text=True).stdout.split()
    mutants = []
    for path in sorted(files):
        added = blame_added(repo, tip, path, series)
        if not added:
            continue
        text = subprocess.run(["git", "-C", repo, "show", f"{tip}:{path}"],
                              check=True, capture_output=True, text=True).stdout
        mutants.extend(mutants_for_file(path, text, set(added), added))
    mutants.sort(key=lambda m: (m.patch, m.file, m.line, OPERATORS.index(m.operator), m.name))
    return mutants


def score(results):
    """The mutation score of a run: results are the per-mutant records
    (name, patch, file, outcome); outcome one of killed, survived,
    equivalent, no_compile. Returns totals, per patch and per file."""
    def tally(rs):
        t = {k: sum(1 for r in rs if r["outcome"] == k)
             for k in ("killed", "survived", "equivalent", "no_compile")}
        judged = t["killed"] + t["survived"]
        t["score"] = round(t["killed"] / judged, 4) if judged else None
        return t
    per_patch, per_file = {}, {}
    for r in results:
        per_patch.setdefault(f"{r['patch']:02d}", []).append(r)
        per_file.setdefault(r["file"], []).append(r)
    return {"total": tally(results),
            "per_patch": {k: tally(v) for k, v in sorted(per_patch.items())},
            "per_file": {k: tally(v) for k, v in sorted(per_file.items())}}


def format_score(sc, patch_names=None):
    def pct(t):
        return "-" if t["score"] is None else f"{100 * t['score']:.1f}%"
    lines = [f"{'':34} {'killed':>6} {'surv.':>6} {'equiv.':>6} {'no-cc':>6} {'score':>7}"]
    def row(label, t):
        lines.append(f"{label[:34]:34} {t['killed']:6} {t['survived']:6} {t['equivalent']:6} "
                     f"{t['no_compile']:6} {pct(t):>7}")
    for k, t in sc["per_patch"].items():
        row(f"patch {k}" + (f" {patch_names.get(k, '')}" if patch_names else ""), t)
    for k, t in sc["per_file"].items():
        row(k, t)
    row("all", sc["total"])
    return "\n".join(lines)


def load_equivalent(text):
    """name<TAB>reason lines (# comments): the mutants no test can tell
    from the series, each with the reason a reviewer can check."""
    out = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, reason = line.partition("\t")
        out[name.strip()] = reason.strip()
    return out


def _generate_cmd(a):
    import json
    import os
    everything = generate(a.repo, a.base, a.series)
    kept, left = budget(everything, a.per_statement)
    if a.only:
        kept = [m for m in kept if a.only in m.name]
    os.makedirs(os.path.join(a.out, "files"), exist_ok=True)
    manifest = {"generated": len(everything), "kept": len(kept), "left_out": len(left),
                "per_statement": a.per_statement, "mutants": []}
    for m in kept:
        fname = m.name.replace("/", "_") + ".src"
        with open(os.path.join(a.out, "files", fname), "w") as f:
            f.write(m.content)
        manifest["mutants"].append({"name": m.name, "patch": m.patch, "file": m.file,
                                    "line": m.line, "operator": m.operator,
                                    "before": m.before, "after": m.after,
                                    "content": os.path.join(a.out, "files", fname)})
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    with open(os.path.join(a.out, "list.tsv"), "w") as f:
        for m in manifest["mutants"]:
            f.write(f"{m['name']}\t{m['file']}\t{m['content']}\n")
    print(f"{len(everything)} mutants generated from the lines the series adds to .c files; "
          f"{len(kept)} kept, {len(left)} left out"
          + (" (one per added line: --per-statement)" if a.per_statement else ""))
    return 0


def _report_cmd(a):
    import json
    results = [json.loads(line) for line in open(a.results) if line.strip()]
    sc = score(results)
    manifest = json.load(open(a.manifest)) if a.manifest else {}
    sc["generated"] = manifest.get("generated")
    sc["left_out"] = manifest.get("left_out")
    sc["wall_seconds"] = a.wall_seconds
    sc["mutants"] = results
    with open(a.json, "w") as f:
        json.dump(sc, f, indent=1)
    print(format_score(sc))
    for r in results:
        if r["outcome"] == "survived":
            print(f"SURVIVED {r['name']}: {r.get('before', '')!r} -> {r.get('after', '')!r}")
    return 1 if sc["total"]["survived"] else 0


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(prog="mutate", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write the mutants of a series")
    g.add_argument("--repo", required=True, help="git repository of the base")
    g.add_argument("--base", required=True, help="the unpatched base commit")
    g.add_argument("--series", required=True, nargs="+", help="the series' commits, in order")
    g.add_argument("--out", required=True, help="directory for manifest.json, list.tsv, files/")
    g.add_argument("--per-statement", action="store_true",
                   help="keep one mutant per added line (the subtlest operator that fits)")
    g.add_argument("--only", default="", help="keep only mutants whose name contains this")
    r = sub.add_parser("report", help="score a run: per patch, per file, JSON")
    r.add_argument("--results", required=True, help="results.jsonl of the run")
    r.add_argument("--manifest", default="")
    r.add_argument("--json", required=True, help="where to write the score")
    r.add_argument("--wall-seconds", type=float, default=None)
    a = ap.parse_args(argv)
    return _generate_cmd(a) if a.cmd == "generate" else _report_cmd(a)


if __name__ == "__main__":
    raise SystemExit(main())
