"""JUnit XML made from judged records, carrying the verdict: a failure
judgement is a <failure> with the test's messages, an expected failure
(a known upstream defect) and an expected skip are <skipped> with their
reason, and every problem of the kernel that is not one test's (a splat,
a hang, a crash, a short run) is a failing testcase of its own; an
infrastructure error is an <error>. The layout is the common one GitLab
and Jenkins read: testsuites / testsuite (one per kernel) / testcase."""
from xml.sax.saxutils import escape, quoteattr

from . import judge as J


def _case(classname, name, body="", ms=None):
    time = f' time="{ms / 1000:.3f}"' if ms is not None else ""
    return (f'  <testcase classname={quoteattr(classname)} name={quoteattr(name)}{time}>'
            f'{body}</testcase>')


def testsuite(kid, records, kernel_problems=(), infra=None):
    cases, failures, errors, skipped = [], 0, 0, 0
    for r in records:
        suite, _, case = r["name"].rpartition(".")
        cls = f"{kid}.{suite}" if suite else kid
        j = r.get("judgement")
        if j == J.FAILURE:
            failures += 1
            text = "\n".join(r.get("messages") or []) or r.get("why", "")
            body = f'<failure message={quoteattr(r.get("why", "failed"))}>{escape(text)}</failure>'
        elif j in (J.EXPECTED_FAILURE, J.EXPECTED_SKIP):
            skipped += 1
            body = f'<skipped message={quoteattr(r.get("why") or r.get("reason") or "skipped")}/>'
        else:
            body = ""
        cases.append(_case(cls, case or r["name"], body, r.get("ms")))
    for i, p in enumerate(kernel_problems):
        failures += 1
        cases.append(_case(f"{kid}.kernel", f"problem{i + 1}",
                           f'<failure message={quoteattr(p)}>{escape(p)}</failure>'))
    if infra:
        errors += 1
        cases.append(_case(f"{kid}.kernel", "boot",
                           f'<error message={quoteattr(infra)}>{escape(infra)}</error>'))
    head = (f' <testsuite name={quoteattr(kid)} tests="{len(cases)}" failures="{failures}" '
            f'errors="{errors}" skipped="{skipped}">')
    return "\n".join([head] + cases + [" </testsuite>"])


def document(suites):
    """suites: testsuite() strings; return the whole XML document."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n'
            + "\n".join(suites) + "\n</testsuites>\n")
