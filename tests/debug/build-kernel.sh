#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh: build (once) the debug kernel of make check-debug from
# Debian's linux-source-6.12 and tests/debug/kernel.config, and make it
# bootable by the test harness.  Prints "RELEASE BOOTDIR" on stdout; all
# progress goes to stderr.
#
# Cache: $GRESEC_DEBUG_CACHE/<key>/ (default /var/cache/gresec/debug-kernel),
# key = sha256 of (kernel.config, linux-source-6.12's package version, this
# recipe's version).  A directory counts as built only once its "ok" stamp
# exists; an interrupted build is resumed (make is incremental) on the next
# run.  Builds are serialized machine-wide with flock: never two at a time.
#
#   <key>/linux/          the build tree (KDIR for out-of-tree modules)
#   <key>/boot/vmlinuz-R  the image, for GRESEC_BOOT_DIR=<key>/boot
#   <key>/mods/lib/modules/R/   make modules_install INSTALL_MOD_PATH=<key>/mods
#   <key>/build.log       output of the last build
#
# A new key's build removes the keys not used for two days.
#
# Modules: the guests' root filesystem is the host's own (virtio-9p), so the
# kernel's modules must be at /lib/modules/R on the host.  R ends in
# "-gresec-debug", a release no package owns, and /lib/modules/R is a symlink
# to <key>/mods/lib/modules/R, re-pointed on every run; its "build" link is
# the build tree, so "make module KDIR=/lib/modules/R/build" (what
# tests/run.sh does for every kernel) builds gresec against it into
# build/R/, which is where the guest (uname -r = R) looks.
set -euo pipefail

RECIPE=1	# bump when the steps below change in a way that needs a rebuild
here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/kernel.config
cache=${GRESEC_DEBUG_CACHE:-/var/cache/gresec/debug-kernel}
tarball=${GRESEC_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
pkg=linux-source-6.12
jobs=${JOBS:-2}

log() { echo "debug-kernel: $*" >&2; }
die() { log "$*"; exit 1; }

[ -r "$tarball" ] || die "no $tarball (apt-get install $pkg)"
# The guests see the host's root, but with tmpfs over these (tests/vm/init):
# modules cached below one would be invisible to them.
case $(realpath -m "$cache")/ in
/tmp/* | /run/* | /var/tmp/* | /var/log/* | /var/lib/bird/*)
	die "GRESEC_DEBUG_CACHE=$cache: the test VMs mount tmpfs there and could not load its modules; pick another place" ;;
esac
pkgver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo unpackaged)
key=$( { sha256sum < "$fragment"; echo "$pkgver"; echo "recipe $RECIPE"; } |
	sha256sum | cut -c1-16)
dir=$cache/$key

# link_modules RELEASE: /lib/modules/RELEASE -> the cached modules.
link_modules() {
	local rel=$1 target=$dir/mods/lib/modules/$1 link=/lib/modules/$1
	[ "$(readlink "$link" 2>/dev/null)" = "$target" ] && return 0
	case $rel in
	*-gresec-debug) ;;
	*) die "release $rel does not end in -gresec-debug: not touching $link" ;;
	esac
	[ -L "$link" ] || [ ! -e "$link" ] || rm -rf "$link"
	ln -sfn "$target" "$link"
	log "$link -> $target"
}

finish() {
	local rel
	rel=$(cat "$dir/ok")
	touch "$dir/ok"	# last use, for pruning
	[ -e "$dir/boot/vmlinuz-$rel" ] || die "$dir/boot/vmlinuz-$rel missing"
	link_modules "$rel"
	echo "$rel $dir/boot"
	exit 0
}

[ -e "$dir/ok" ] && finish

mkdir -p "$cache"
exec 9> "$cache/.lock"
if ! flock -n 9; then
	log "another debug kernel build is running; waiting for it"
	flock 9
fi
[ -e "$dir/ok" ] && finish

t0=$(date +%s)
mkdir -p "$dir"
src=$dir/linux
if [ ! -e "$src/.extracted" ]; then
	log "extracting $tarball ($pkg $pkgver) into $src"
	rm -rf "$src" "$dir/extract"
	mkdir -p "$dir/extract"
	tar -xf "$tarball" -C "$dir/extract"
	mv "$dir/extract"/linux-source-* "$src"
	rmdir "$dir/extract"
	: > "$src/.extracted"
fi

log "building in $src (cache key $key, make -j$jobs); log in $dir/build.log"
(
	cd "$src"
	# The tree must not pick up the project's or the caller's settings.
	unset KDIR KBUILD_OUTPUT ARCH CROSS_COMPILE LOCALVERSION
	make -s allnoconfig
	scripts/kconfig/merge_config.sh -m .config "$fragment"
	make -s olddefconfig
) > "$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; die "configuration failed"; }

# Every line of the fragment must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) want=$line; sym=${line%%=*} ;;
	"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; want="" ;;
	*) continue ;;
	esac
	got=$(grep -E "^$sym=" "$src/.config" || true)
	if [ "$got" != "$want" ]; then
		log "config: wanted '${want:-# $sym is not set}', got '${got:-# $sym is not set}'"
		bad=1
	fi
done < "$fragment"
[ $bad -eq 0 ] || die "kernel.config does not apply to $pkg $pkgver (fix the fragment)"

(
	cd "$src"
	unset KDIR KBUILD_OUTPUT ARCH CROSS_COMPILE LOCALVERSION
	make -s -j"$jobs" bzImage modules
	rm -rf "$dir/mods"
	make -s modules_install INSTALL_MOD_PATH="$dir/mods"
) >> "$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; die "build failed"; }

rel=$(cat "$src/include/config/kernel.release")
mkdir -p "$dir/boot"
cp "$src/arch/x86/boot/bzImage" "$dir/boot/vmlinuz-$rel"
cp "$src/.config" "$dir/boot/config-$rel"
# modules_install links build/ to the tree it ran in: already $src.
[ "$(readlink "$dir/mods/lib/modules/$rel/build")" = "$src" ] ||
	ln -sfn "$src" "$dir/mods/lib/modules/$rel/build"
echo "$rel" > "$dir/ok"
log "built $rel in $(($(date +%s) - t0))s"
# Each key takes about 2 GiB: drop those not used for two days (under the
# lock, so no other build is in progress).
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$key" |
	while read -r old; do
		[ -n "$(find "$old/ok" -mtime -2 2>/dev/null)" ] && continue
		log "removing unused $old"
		rm -rf "$old"
	done
finish
