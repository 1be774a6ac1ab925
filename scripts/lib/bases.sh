# The bases, as data: every folder kernel-patches/BASE with a 'source'
# file is a base (its series, patches and where its source comes from).
# Nothing else in scripts/ names a base, except as a default. Source after
# common.sh.

# known_bases: the bases, newest first, one per line.
known_bases() {
	local f
	for f in "$TOP"/kernel-patches/*/source; do
		[ -f "$f" ] && basename "$(dirname "$f")"
	done | sort -V -r
}

# check_base BASE [WHAT]: usage error (exit 2) unless BASE is a base.
check_base() {
	local what=${2:-base}
	[ -n "$1" ] || usage_error "--$what needs one of: $(known_bases | paste -sd' ')"
	[ -f "$TOP/kernel-patches/$1/source" ] ||
		usage_error "unknown base '$1' (known: $(known_bases | paste -sd, | sed 's/,/, /g')); a base is a folder kernel-patches/BASE with a 'source' file"
}

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
