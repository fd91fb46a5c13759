#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare.sh: install what building the debug kernel needs, then build it
# (tests/debug/build-kernel.sh, cached).  Prints "RELEASE BOOTDIR" on
# stdout; progress and errors go to stderr.  Used by make check (its
# debug-kernel lane) and make check-debug.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PKGS=(linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev
	cpio xz-utils kmod util-linux)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "debug-kernel: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq &&
	  apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > /dev/null ||
		{ echo "debug-kernel: installing ${missing[*]} failed" >&2; exit 1; }
fi
exec "$here/build-kernel.sh"
