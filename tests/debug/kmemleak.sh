#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak.sh clear|scan: kmemleak for the guest runner on kernels built with
# it (make check-debug; the kernel has DEBUG_KMEMLEAK_AUTO_SCAN off).
#
#   clear  at boot: forget what boot itself leaked (or seemed to)
#   scan   after a test: print the objects leaked since the last call, in the
#          kernel's own "unreferenced object 0x... (size N):" format, which
#          the runner's SPLAT pattern turns into a failure of that test
#
# kmemleak reports an object only if it is at least 5 s old (MSECS_MIN_AGE)
# and its contents did not change between two scans (a new object's first
# scan only records its checksum), hence the wait and the double scan.
K=/sys/kernel/debug/kmemleak
[ -w "$K" ] || exit 0

sleep 5
echo scan > "$K"
echo scan > "$K"
if [ "${1:-scan}" = scan ]; then
	cat "$K"
fi
echo clear > "$K"
