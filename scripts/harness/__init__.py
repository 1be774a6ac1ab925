"""The harness core: KTAP parsing, judging results by role, and the
reports made from the judged records (summary.json, junit.xml)."""
