#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-debs.sh OUTDIR: build the Debian packages of this tree (make deb)
# into OUTDIR.  The tree is copied to OUTDIR/gresec-VERSION/ first, so that
# dpkg-buildpackage writes its results into OUTDIR, not next to the clone,
# and never touches the working tree.  Without strongswan-charon the plugin
# package is left out (build profile pkg.gresec.noplugin).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/gresec-$version

# What building needs (debian/control's Build-Depends), from the archive
# when missing, as make check does for itself.
need=(build-essential debhelper dh-dkms dkms libmnl-dev pkg-config)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deb: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

profiles=()
if ! dpkg-query -W -f='${Status}' strongswan-charon 2>/dev/null | grep -q 'ok installed'; then
	echo "deb: strongswan-charon is not installed: no plugin package"
	profiles=(-Ppkg.gresec.noplugin)
fi

rm -rf "$src" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$src"
tar -C "$top" --exclude=./build --exclude=./.git --exclude='./gresec.ko' \
	--exclude='./tools/*.o' --exclude=./tools/gresec -cf - . | tar -C "$src" -xf -
(cd "$src" && DEB_BUILD_OPTIONS="noddebs ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -b -us -uc "${profiles[@]}") > "$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log"
	echo "deb: dpkg-buildpackage failed (whole log: $out/build.log)"
	exit 1
}
rm -rf "$src"
echo "deb: built in $out:"
(cd "$out" && ls -1 ./*.deb)
