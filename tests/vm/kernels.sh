#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel releases the suite runs on: the newest installed Debian
# 6.1 and 6.12 kernels that have both an image and headers.  GRESEC_KERNELS
# (space separated releases) overrides.
set -euo pipefail

if [ -n "${GRESEC_KERNELS:-}" ]; then
	echo "$GRESEC_KERNELS"
	exit 0
fi
out=()
for series in 6.1 6.12; do
	best=$(ls /boot | sed -n "s/^vmlinuz-\(${series//./\\.}\.[0-9].*-amd64\)$/\1/p" |
		while read -r k; do
			[ -e "/lib/modules/$k/build/include/config/kernel.release" ] && echo "$k"
		done | sort -V | tail -n1)
	[ -n "$best" ] && out+=("$best")
done
echo "${out[*]}"
