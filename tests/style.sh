#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make style: checkpatch --strict on the module sources (from Debian's
# linux-source-6.12, unpacked once under build/) and shellcheck-free bash -n
# on the test scripts.
set -euo pipefail
cd "$(dirname "$0")/.."

cp=${CHECKPATCH:-}
if [ -z "$cp" ]; then
	src=build/linux-source-6.12
	if [ ! -x "$src/scripts/checkpatch.pl" ]; then
		tarball=$(ls /usr/src/linux-source-6.12*.tar.* 2>/dev/null | head -n1)
		if [ -z "$tarball" ]; then
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-source-6.12 >/dev/null
			tarball=$(ls /usr/src/linux-source-6.12*.tar.* | head -n1)
		fi
		mkdir -p "$src"
		tar -xf "$tarball" -C build --wildcards '*/scripts/checkpatch.pl' \
			'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	fi
	cp=$src/scripts/checkpatch.pl
fi
rc=0
for f in kmod/*.c kmod/*.h kmod/selftest/*.c uapi/linux/gresec.h; do
	[ -e "$f" ] || continue
	ignore=FILE_PATH_CHANGES
	# Version tests are what compat.h is for; they live nowhere else.
	[ "$f" = kmod/compat.h ] && ignore=$ignore,LINUX_VERSION_CODE,CONSTANT_COMPARISON
	out=$("$cp" --no-tree --strict --quiet --show-types --ignore "$ignore" \
		-f "$f" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$out"
		rc=1
	fi
done
for f in tests/*.sh tests/*/*.sh .ci/run; do
	bash -n "$f" || rc=1
done
[ $rc -eq 0 ] && echo "style: clean"
exit $rc
