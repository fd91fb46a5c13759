#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fetch-source.sh: fetch (once) Debian's source package of the installed
# strongswan-charon, unpack it and configure it the way Debian's
# debian/rules does, so that the kernel-gresec charon plugin can be built
# against the very headers and config.h Debian's charon was built with.
# Prints the configured source tree's path on stdout; progress on stderr.
#
# Cache: $GRESEC_STRONGSWAN_CACHE/<version>/ (default
# /var/cache/gresec/strongswan), <version> = the installed package version,
# e.g. 5.9.8-5+deb12u6.  A directory counts as done only once its "ok"
# stamp exists; builds are serialised machine-wide with flock.
#
#   <version>/src/             the configured source tree (config.h, src/...)
#   <version>/source-version   the source package version actually used
#   <version>/configure.flags  the flags configure was given
#   <version>/configure.log    configure's output
#
# The source comes through apt with a private configuration (its own
# sources.list with deb-src lines for the archives the host already uses,
# its own lists and cache): the host's apt state is never changed.  If the
# archive no longer carries the exact revision, the newest revision of the
# same upstream version is used, and the plugin's load-time check compares
# upstream versions only.
#
#   --check   print the tree's path if it is cached and "ok", else exit 1
#             (never fetches; what the top-level Makefile uses)
set -euo pipefail

RECIPE=1	# bump when the configure step changes
cache=${GRESEC_STRONGSWAN_CACHE:-/var/cache/gresec/strongswan}
pkg=strongswan-charon

log() { echo "strongswan-source: $*" >&2; }
die() { log "$*"; exit 1; }

version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || version=
[ -n "$version" ] || {
	[ "${1:-}" = --check ] && exit 1
	die "$pkg is not installed (apt-get install strongswan-charon strongswan-swanctl)"
}
upstream=${version#*:}
upstream=${upstream%-*}
dir=$cache/$version

if [ -e "$dir/ok" ] && [ "$(cat "$dir/ok")" = "recipe $RECIPE" ]; then
	echo "$dir/src"
	exit 0
fi
[ "${1:-}" = --check ] && exit 1

mkdir -p "$cache"
exec 9> "$cache/.lock"
if ! flock -n 9; then
	log "waiting for another fetch/configure to finish"
	flock 9
fi
if [ -e "$dir/ok" ] && [ "$(cat "$dir/ok")" = "recipe $RECIPE" ]; then
	echo "$dir/src"
	exit 0
fi

need=()
for p in dpkg-dev pkg-config libgmp-dev gcc make; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${need[@]}" >&2 || die "apt-get install ${need[*]} failed"
fi

rm -rf "$dir"
mkdir -p "$dir/apt/lists/partial" "$dir/apt/archives/partial" "$dir/dl"

# deb-src lines for the Debian archives the host's apt already uses (one-line
# and deb822 formats), nothing else: Debian's sources only.
srclist=$dir/apt/sources.list
{
	if [ -r /etc/apt/sources.list ]; then
		sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' /etc/apt/sources.list
	fi
	for f in /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		# Stanzas are separated by blank lines; keep enabled "deb" ones.
		awk -v RS= '
		{
			types = uris = suites = comps = signed = ""; enabled = 1
			n = split($0, line, "\n")
			for (i = 1; i <= n; i++) {
				l = line[i]
				if (l ~ /^#/) continue
				k = l; sub(/:.*/, "", k); v = l; sub(/^[^:]*:[ \t]*/, "", v)
				if (k == "Types") types = v
				else if (k == "URIs") uris = v
				else if (k == "Suites") suites = v
				else if (k == "Components") comps = v
				else if (k == "Signed-By") signed = v
				else if (k == "Enabled" && v ~ /^(no|false)$/) enabled = 0
			}
			if (!enabled || types !~ /(^| )deb( |$)/) next
			opt = signed != "" && signed !~ /\n/ ? "[signed-by=" signed "] " : ""
			nu = split(uris, u, " "); ns = split(suites, s, " ")
			for (a = 1; a <= nu; a++)
				for (b = 1; b <= ns; b++)
					print "deb-src " opt u[a] " " s[b] " " comps
		}' "$f"
	done
} | grep -E 'debian\.org|debian-security' | sort -u > "$srclist" || true
[ -s "$srclist" ] || die "no Debian archive found in /etc/apt/sources.list(.d)"
log "sources: $(tr '\n' ';' < "$srclist")"

apt_private=(
	-o Dir::Etc::sourcelist="$srclist"
	-o Dir::Etc::sourceparts=-
	-o Dir::State::Lists="$dir/apt/lists"
	-o Dir::Cache="$dir/apt"
	-o Dir::Cache::archives="$dir/apt/archives"
	-o Dir::State::status=/var/lib/dpkg/status
	-o APT::Get::List-Cleanup=0
)
log "apt-get update (private lists)"
apt-get "${apt_private[@]}" -qq update >&2 || die "apt-get update of the deb-src lists failed"

# The exact revision first, then the other revisions of the same upstream
# version, newest first (a security archive may list a revision whose files
# its mirror no longer serves).
avail=$(apt-cache "${apt_private[@]}" showsrc strongswan 2>/dev/null |
	sed -n 's/^Version: //p' | sort -u)
candidates=()
grep -qxF "$version" <<< "$avail" && candidates+=("$version")
while read -r v; do
	[ -n "$v" ] && [ "$v" != "$version" ] || continue
	u=${v#*:}; u=${u%-*}
	[ "$u" = "$upstream" ] && candidates+=("$v")
done < <(sort -rV <<< "$avail")
[ ${#candidates[@]} -gt 0 ] ||
	die "the archive has no strongswan source of upstream $upstream (has: $(echo $avail))"

# apt drops privileges to _apt for downloads: let it write there.
id _apt > /dev/null 2>&1 && chown _apt "$dir/dl" || true
srcver=
for v in "${candidates[@]}"; do
	log "apt-get source strongswan=$v"
	rm -f "$dir"/dl/*.dsc
	if (cd "$dir/dl" && apt-get "${apt_private[@]}" -qq source --download-only \
		"strongswan=$v" >&2); then
		srcver=$v
		break
	fi
	log "strongswan=$v could not be downloaded"
done
[ -n "$srcver" ] || die "no source of strongswan $upstream could be downloaded"
[ "$srcver" = "$version" ] ||
	log "using source $srcver for the installed $version (same upstream $upstream)"
dsc=$(ls "$dir"/dl/strongswan_"${srcver#*:}".dsc)
(cd "$dir/dl" && dpkg-source --no-check -x "$(basename "$dsc")" "$dir/src" >&2) ||
	die "dpkg-source -x $dsc failed"
echo "$srcver" > "$dir/source-version"

# Debian's configure flags: dh_auto_configure's paths plus CONFIGUREARGS of
# debian/rules (with the amd64/linux additions).  Those are what shape
# config.h and the headers' #ifdefs (--enable-mediation, for one, changes
# daemon_t and ike_sa_t).  Plugins that only need a library's -dev package
# to be built (and change no shared header) are left out: nothing but our
# plugin is built from this tree.
paths=(
	--prefix=/usr --sysconfdir=/etc --localstatedir=/var --runstatedir=/run
	--libdir=/usr/lib --libexecdir=/usr/lib
	--with-ipsecdir=/usr/lib/ipsec --with-ipseclibdir=/usr/lib/ipsec
)
needs_lib='^--(enable-(curl|gcrypt|ldap|tss-tss2|tpm|xauth-pam|nm|systemd|openssl|connmark|forecast)|with-capabilities=.*|with-nm-ca-dir=.*)$'
deb=()
if [ -r "$dir/src/debian/rules" ]; then
	# CONFIGUREARGS := / += ... (backslash-continued lines)
	mapfile -t deb < <(awk '
		/^[ \t]*CONFIGUREARGS[ \t]*[:+]?=/ { on = 1; sub(/^[^=]*=/, "") }
		on { line = $0; sub(/#.*/, "", line); print line; if ($0 !~ /\\[ \t]*$/) on = 0 }
		' "$dir/src/debian/rules" | tr -s ' \t\\' '\n\n\n' |
		grep -E '^--(enable|disable|with|without)-' |
		grep -vE '^--with-(ipsecdir|ipseclibdir)=' | sort -u || true)
fi
[ ${#deb[@]} -gt 0 ] || die "no CONFIGUREARGS found in $dir/src/debian/rules"
kept=() dropped=()
for f in "${deb[@]}"; do
	if [[ $f =~ $needs_lib ]]; then dropped+=("$f"); else kept+=("$f"); fi
done
log "debian/rules: ${#kept[@]} flags kept; left out (plugins needing -dev packages): ${dropped[*]}"
flags=("${paths[@]}" "${kept[@]}" --disable-dependency-tracking)
printf '%s\n' "${flags[@]}" > "$dir/configure.flags"

log "configure (about 15 s)"
(cd "$dir/src" && ./configure "${flags[@]}") > "$dir/configure.log" 2>&1 ||
	die "configure failed ($(tail -1 "$dir/configure.log")), see $dir/configure.log"
grep -q '^#define VERSION "'"$upstream"'"' "$dir/src/config.h" ||
	die "config.h's VERSION is not $upstream"
rm -rf "$dir/apt" "$dir/dl"
echo "recipe $RECIPE" > "$dir/ok"
log "ready: $dir/src (source $srcver, configured for charon $version)"
echo "$dir/src"
