#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: two QEMU VMs joined by a loopback-only link, a gresec tunnel
# between them keyed by IKEv2 (charon with the kernel-gresec plugin on both
# ends, a pre-shared key), traffic across it, the tunnel state from both
# ends and a rekey under traffic.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh

tests/deps.sh || exit 1
read -r -a kernels <<< "$(tests/vm/kernels.sh)"
k=${GRESEC_DEMO_KERNEL:-${kernels[-1]}}
echo "demo: building gresec for $k"
make -s cli > /dev/null || exit 1
make -s module KDIR="/lib/modules/$k/build" > /dev/null || exit 1
echo "demo: building the charon plugin kernel-gresec (the first time fetches strongSwan's source)"
make -s plugin > "$repo/build/demo-plugin.log" 2>&1 ||
	{ tail -n 20 "$repo/build/demo-plugin.log"; exit 1; }

share=$repo/build/demo
rm -rf "$share"
mkdir -p "$share"
port=$((20000 + RANDOM % 20000))
nic="virtio-net-pci,netdev=n0,csum=off,guest_csum=off"
left_args=(-netdev "socket,id=n0,listen=127.0.0.1:$port" -device "$nic,mac=52:54:00:00:00:01")
right_args=(-netdev "socket,id=n0,connect=127.0.0.1:$port" -device "$nic,mac=52:54:00:00:00:02")
vm_prepare "$share" left "$k" "$repo" right demo/guest.sh
vm_prepare "$share" right "$k" "$repo" left demo/guest.sh
echo "demo: booting two VMs (left = R1, right = R4) under QEMU, kernel $k"
vm_run "$share" 900 "$k" left:left_args right:right_args
rc=0
for role in left right; do
	echo
	echo "################ $role ################"
	sed -e '/^\[+\]/d' "$share/results/$role/guest.log" 2>/dev/null
	read -r v _ why < "$share/results/$role/guest.result" 2>/dev/null || v=FAIL
	[ "$v" = PASS ] || { echo "demo: $role: ${why:-did not finish}"; rc=1; }
done
echo
[ $rc -eq 0 ] && echo "demo: done" || echo "demo: FAILED"
exit $rc
