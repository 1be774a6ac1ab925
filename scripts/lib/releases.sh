# The point releases Debian offers for a base, for scripts/sweep and for
# --base-version: 6.18 from the orig tarballs of the trixie-backports
# source index (the main private apt state), 6.12 from linux-source-6.12,
# which the older point releases carry in the security suites. Those
# suites live in a second private apt state ($CACHE_ROOT/apt-releases),
# so the main one, and with it the default base of every other run, stays
# as it is. Source after common.sh and apt.sh.

RELEASES_SECURITY_SUITES="bookworm-security trixie-security"

# security_mirror: the security mirror the system's apt sources name.
security_mirror() {
	local uri
	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' | grep security | head -n1)
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $0 ~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
	fi
	printf '%s\n' "${uri%/}"
}

# with_releases_apt CMD...: run CMD (in a subshell) against the releases
# apt state: the main suites plus the security suites.
with_releases_apt() {
	(
		local sec s key=/usr/share/keyrings/debian-archive-keyring.gpg
		APT_DIR="$CACHE_ROOT/apt-releases"
		sec=$(security_mirror)
		APT_EXTRA_SOURCES=""
		if [ -n "$sec" ]; then
			for s in $RELEASES_SECURITY_SUITES; do
				APT_EXTRA_SOURCES+="deb [signed-by=$key] $sec $s main"$'\n'
			done
		else
			warn "the system's apt sources name no security mirror: only the main suites' linux-source versions are known"
		fi
		APT_EXTRA_SOURCES=${APT_EXTRA_SOURCES%$'\n'}
		apt_init
		"$@"
	)
}

# linux_source_pkg_versions SERIES: the Debian versions of
# linux-source-SERIES the apt state knows, newest first. Run inside
# with_releases_apt.
linux_source_pkg_versions() {
	apt_private apt-cache madison "linux-source-$1" 2>/dev/null |
		awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | harness sources matching "$1"
}

# base_releases BASE: "UPSTREAM SOURCE" per point release Debian offers
# for BASE, newest first; SOURCE is what fetch_release takes.
base_releases() {
	check_base "$1"
	local series; series=$(base_field "$1" series) || exit $?
	case $(base_kind "$1") in
	orig)
		apt_init
		linux_source_versions "$series" | harness sources releases "$1" ;;
	package)
		with_releases_apt linux_source_pkg_versions "$series" | harness sources releases "$1" ;;
	esac
}

# release_tarball BASE UPSTREAM: download (once) the tarball of one point
# release and print its path; exit 2 when Debian offers no such release.
release_tarball() {
	local base=$1 want=$2 line
	line=$(base_releases "$base" | awk -v w="$want" '$1 == w { print $2; exit }')
	[ -n "$line" ] || usage_error "Debian offers no $base point release $want; known: $(base_releases "$base" | cut -d' ' -f1 | tr '\n' ' ')"
	case $line in
	orig:*) fetch_orig_tarball "$(base_field "$base" series)" "$want" ;;
	pkg:*) with_releases_apt fetch_linux_source_pkg "$(base_field "$base" series)" "${line#pkg:}" ;;
	esac
}
