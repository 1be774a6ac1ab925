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
base_field() {
	local v
	v=$(sed -n "s/^$2=//p" "$TOP/kernel-patches/$1/source" | tail -n1)
	[ -n "$v" ] || infra "kernel-patches/$1/source has no $2= line; see the comment at its top"
	printf '%s\n' "$v"
}

# base_kind BASE: orig or package (see kernel-patches/*/source).
base_kind() {
	local k
	k=$(base_field "$1" kind) || exit $?
	case $k in orig|package) printf '%s\n' "$k" ;;
	*) infra "kernel-patches/$1/source: kind=$k is neither orig nor package" ;;
	esac
}
