# Private apt state for kernel sources and Debian's prebuilt kernels.
# Never touches /etc/apt: it reads the mirror URI from the system's own
# sources and keeps its own sources.list and lists under the cache.
# Source after common.sh.

APT_DIR="$CACHE_ROOT/apt"
APT_SUITES_BIN="trixie trixie-backports sid bookworm"
APT_SUITES_SRC="trixie-backports"

# The Debian mirror the system already uses (first non-security URI).
system_mirror() {
	local uri
	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' |
		grep -v -e security -e '^cdrom' | head -n1)
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
			/etc/apt/sources.list)
	fi
	[ -n "$uri" ] || infra "no Debian mirror found in /etc/apt/sources.list{,.d}; configure apt first"
	printf '%s\n' "${uri%/}"
}

apt_opts() {
	printf '%s\n' \
		-o "Dir::Etc::sourcelist=$APT_DIR/sources.list" \
		-o "Dir::Etc::sourceparts=-" \
		-o "Dir::State::Lists=$APT_DIR/lists" \
		-o "Dir::Cache=$APT_DIR/cache" \
		-o "APT::Architectures::=amd64" \
		-o "Debug::NoLocking=1" \
		-o "APT::Sandbox::User=root"
}

apt_private() {
	local -a o
	mapfile -t o < <(apt_opts)
	"$1" "${o[@]}" "${@:2}"
}

# apt_init [force]: write the private sources and refresh the lists when
# they are missing or older than a day. Serialised by a lock (one per
# state directory: scripts/lib/releases.sh keeps a second one).
apt_init() {
	local lock=apt
	[ "$APT_DIR" = "$CACHE_ROOT/apt" ] || lock="apt-$(basename "$APT_DIR")"
	with_lock "$lock" apt_init_locked "$@"
}

apt_init_locked() {
	local mirror key=/usr/share/keyrings/debian-archive-keyring.gpg s
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	mirror=$(system_mirror)
	{
		for s in $APT_SUITES_BIN; do
			echo "deb [signed-by=$key] $mirror $s main"
		done
		for s in $APT_SUITES_SRC; do
			echo "deb-src [signed-by=$key] $mirror $s main"
		done
		[ -z "${APT_EXTRA_SOURCES:-}" ] || printf '%s\n' "$APT_EXTRA_SOURCES"
	} >"$APT_DIR/sources.list.new"
	local changed=0
	cmp -s "$APT_DIR/sources.list.new" "$APT_DIR/sources.list" || changed=1
	mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
	local stamp="$APT_DIR/lists/.updated"
	if [ "${1:-}" = force ] || [ $changed = 1 ] || [ ! -f "$stamp" ] ||
		[ -n "$(find "$stamp" -mmin +1440)" ]; then
		log "refreshing private apt lists (the mirror of the system's apt sources)"
		apt_private apt-get -qq update >"$APT_DIR/update.log" 2>&1 ||
			infra "apt-get update of the private lists failed (see $APT_DIR/update.log); check the network and the mirror"
		touch "$stamp"
	fi
}

# Versions of the source package 'linux' whose upstream version matches
# PREFIX (e.g. 6.18), newest first.
linux_source_versions() {
	apt_private apt-cache showsrc linux 2>/dev/null |
		awk '/^Version:/ { print $2 }' | harness sources matching "$1"
}

# fetch_orig_tarball PREFIX [EXACT]: download the newest linux_PREFIX.*
# orig tarball that actually downloads; print its path.
fetch_orig_tarball() {
	local prefix=$1 exact=${2:-} v up dest tried=""
	dest="$CACHE_ROOT/downloads"
	mkdir -p "$dest"
	local -a candidates
	if [ -n "$exact" ]; then
		mapfile -t candidates < <(linux_source_versions "$prefix" | grep -E "^${exact//./\\.}-")
		[ ${#candidates[@]} -gt 0 ] || usage_error "no Debian source of Linux $exact; known $prefix versions: $(linux_source_versions "$prefix" | sed 's/-.*//' | sort -u -V | tr '\n' ' ')"
	else
		mapfile -t candidates < <(linux_source_versions "$prefix")
	fi
	[ ${#candidates[@]} -gt 0 ] || infra "the private apt source index lists no linux $prefix.*; is trixie-backports still on the mirror?"
	for v in "${candidates[@]}"; do
		up=${v%-*}
		if [ -s "$dest/linux_$up.orig.tar.xz" ]; then
			printf '%s\n' "$dest/linux_$up.orig.tar.xz"; return 0
		fi
	done
	for v in "${candidates[@]}"; do
		up=${v%-*}
		log "downloading linux_$up.orig.tar.xz (source $v)"
		local tmp; tmp=$(mktemp -d "$dest/.src.XXXXXX")
		if (cd "$tmp" && apt_private apt-get -qq source --download-only --only-source --tar-only "linux=$v") \
			>"$tmp.log" 2>&1 && [ -s "$tmp/linux_$up.orig.tar.xz" ]; then
			mv "$tmp/linux_$up.orig.tar.xz" "$dest/linux_$up.orig.tar.xz"
			rm -rf "$tmp" "$tmp.log"
			printf '%s\n' "$dest/linux_$up.orig.tar.xz"; return 0
		fi
		warn "linux_$up.orig.tar.xz did not download ($(tail -n1 "$tmp.log")); trying the next version"
		tried+=" $up"
		rm -rf "$tmp" "$tmp.log"
	done
	infra "no linux $prefix orig tarball could be downloaded (tried:$tried); retry later or pass --base-version"
}

# fetch_linux_source_pkg SERIES [DEBIAN-VERSION]: download linux-source-SERIES
# (a .deb with the tarball inside; the candidate unless a version is given)
# and print the tarball's path.
fetch_linux_source_pkg() {
	local series=$1 dest="$CACHE_ROOT/downloads" ver=${2:-} tmp
	mkdir -p "$dest"
	[ -n "$ver" ] ||
		ver=$(apt_private apt-cache policy "linux-source-$series" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || infra "linux-source-$series is not in the private apt lists"
	local out="$dest/linux-source-$series-$ver.tar.xz"
	if [ ! -s "$out" ]; then
		log "downloading linux-source-$series $ver"
		tmp=$(mktemp -d "$dest/.pkg.XXXXXX")
		(cd "$tmp" && apt_private apt-get -qq download "linux-source-$series=$ver") >"$tmp/log" 2>&1 ||
			infra "apt-get download linux-source-$series=$ver failed: $(tail -n1 "$tmp/log")"
		dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" --wildcards '*.tar.xz' ||
			infra "could not unpack linux-source-$series"
		mv "$(find "$tmp" -name "linux-source-$series.tar.xz" | head -n1)" "$out"
		rm -rf "$tmp"
	fi
	printf '%s\n' "$out"
}

# Cloud kernel packages for VERSION (e.g. 7.3, 7.3.4, 6.12.107), newest
# first, unsigned before signed. Prints "package<TAB>upstream-version".
debian_kernel_candidates() {
	local want=$1
	apt_private apt-cache pkgnames linux- 2>/dev/null |
		grep -E '^linux-(image|binary)-(unsigned-)?[0-9][0-9.]*\+deb[0-9]+-cloud-amd64(-unsigned)?$' |
		sed -E 's/^(linux-(image|binary)-(unsigned-)?([0-9][0-9.]*)\+deb.*)$/\1\t\4/' |
		awk -F'\t' -v w="$want" '$2 == w || index($2, w ".") == 1' |
		awk -F'\t' '{ u = ($1 ~ /unsigned/) ? 0 : 1; print $2 "\t" u "\t" $1 }' |
		sort -t $'\t' -k1,1Vr -k2,2n | awk -F'\t' '{ print $3 "\t" $1 }'
}

debian_kernel_versions() {
	apt_private apt-cache pkgnames linux- 2>/dev/null |
		grep -E '^linux-(image|binary)-(unsigned-)?[0-9][0-9.]*\+deb[0-9]+-cloud-amd64(-unsigned)?$' |
		sed -E 's/^linux-(image|binary)-(unsigned-)?([0-9][0-9.]*)\+.*/\3/' | sort -u -V | tr '\n' ' '
}

# fetch_debian_kernel VERSION: download the newest Debian cloud kernel
# matching VERSION and print "path-to-vmlinuz<TAB>upstream-version".
fetch_debian_kernel() {
	local want=$1 pkg up dest tmp line
	line=$(debian_kernel_candidates "$want" | head -n1)
	[ -n "$line" ] || usage_error "no Debian cloud kernel matches '$want'; available: $(debian_kernel_versions)"
	pkg=${line%%$'\t'*}; up=${line#*$'\t'}
	dest="$CACHE_ROOT/debian-kernels/$pkg"
	if [ ! -s "$dest/vmlinuz" ]; then
		log "downloading Debian kernel $pkg"
		mkdir -p "$CACHE_ROOT/debian-kernels"
		tmp=$(mktemp -d "$CACHE_ROOT/debian-kernels/.tmp.XXXXXX")
		(cd "$tmp" && apt_private apt-get -qq download "$pkg") >"$tmp/log" 2>&1 ||
			infra "apt-get download $pkg failed: $(tail -n1 "$tmp/log"); retry later or pick another --debian version"
		dpkg-deb -x "$tmp"/*.deb "$tmp/root" || infra "could not unpack $pkg"
		local img
		img=$(find "$tmp/root" \( -name 'vmlinuz-*' -o -name 'vmlinuz*' \) -type f | sort | head -n1)
		[ -n "$img" ] || infra "$pkg holds no vmlinuz"
		mkdir -p "$tmp/out"
		cp "$img" "$tmp/out/vmlinuz"
		# Its symbols, for scripts/validate --gdb (see gdb.sh).
		local map; map=$(find "$tmp/root" -name 'System.map*' -type f | sort | head -n1)
		[ -z "$map" ] || cp "$map" "$tmp/out/System.map"
		echo "$pkg" >"$tmp/out/package"
		rm -rf "$tmp/root" "$tmp"/*.deb
		publish "$tmp/out" "$dest"
		rm -rf "$tmp"
	fi
	printf '%s\t%s\n' "$dest/vmlinuz" "$up"
}
