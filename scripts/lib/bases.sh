# The bases, as data: every folder kernel-patches/BASE with a 'source'
# file is a base (its series, patches and where its source comes from).
# Nothing else in scripts/ names a base, except as a default. Source after
# common.sh.

# known_bases: the bases, newest first, one per line. check_base BASE:
# usage error (exit 2) unless BASE is one. Both ask scripts/harness/cli.py,
# which holds the rule (and checks --base arguments with it).
known_bases() { harness cli bases; }
check_base() { harness cli check-base "$1" || exit "$EXIT_USAGE"; }

# base_field BASE KEY: the value of KEY in the base's source file.
# base_kind BASE: orig or package. Both read it with
# scripts/harness/sources.py, which holds the format and its checks (a
# missing file, key or kind is an infrastructure failure, exit 255).
base_field() { harness sources field "$1" "$2" || exit "$EXIT_INFRA"; }
base_kind() { harness sources kind "$1" || exit "$EXIT_INFRA"; }
