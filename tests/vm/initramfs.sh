#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh KREL OUT: a busybox initramfs for kernel KREL that loads the
# 9p/virtio modules the kernel needs and switch_roots into the host's own
# root filesystem, shared read-only.  Rebuilt only when its inputs change.
set -euo pipefail

krel=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
stamp="$(sha1sum "$here/init" "$0" | sha1sum | cut -c1-12)-$krel"
if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,proc,sys,dev,newroot,mods}
cp /bin/busybox "$work/bin/busybox"
cp "$here/init" "$work/init"
chmod +x "$work/init"

# Dependency order comes from the target kernel's own modules.dep.
: > "$work/mods/order"
modprobe -S "$krel" --show-depends -a virtio_pci 9pnet_virtio 9p virtio_net 2>/dev/null |
	awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' |
	while read -r path; do
		name=$(basename "$path")
		case "$name" in
		*.xz) xz -dc "$path" > "$work/mods/${name%.xz}"; name=${name%.xz} ;;
		*.zst) zstd -qdc "$path" > "$work/mods/${name%.zst}"; name=${name%.zst} ;;
		*) cp "$path" "$work/mods/$name" ;;
		esac
		echo "$name" >> "$work/mods/order"
	done

(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp.$$"
mv "$out.tmp.$$" "$out"
echo "$stamp" > "$out.stamp"
