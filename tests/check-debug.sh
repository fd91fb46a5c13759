#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the test suite of make check, on a small kernel built
# from Debian's linux-source-6.12 with KASAN, lockdep (PROVE_LOCKING,
# PROVE_RCU), kmemleak, DEBUG_ATOMIC_SLEEP/SG/LIST and fault injection
# (tests/debug/kernel.config).  Any kernel report during a test fails it,
# and so does a leak kmemleak finds after it (tests/debug/kmemleak.sh).
#
# The kernel is built once per (kernel.config, linux-source-6.12 version)
# and cached in /var/cache/gresec/debug-kernel/ (GRESEC_DEBUG_CACHE);
# see tests/debug/build-kernel.sh for the layout and for how its modules
# reach the guests.  Other settings are those of tests/run.sh (TESTS=regex,
# TEST_TIMEOUT, GRESEC_ACCEL=kvm).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1

t0=$(date +%s)
tests/deps.sh || { echo "check-debug: installing dependencies failed"; exit 1; }
if ! out=$(tests/debug/prepare.sh); then
	echo "FAIL debug kernel build"
	echo "0 passed, 1 failed"
	exit 1
fi
read -r krel bootdir <<< "$out"
echo "check-debug: kernel $krel ready in $(($(date +%s) - t0))s ($bootdir)"

# Debug kernels are several times slower under TCG (a fork+exec costs
# ~250 ms instead of a few ms): more time per test and per VM.  Tests that
# declare "# timeout: N" keep their N.
export TEST_TIMEOUT=${TEST_TIMEOUT:-900}
export GRESEC_VM_TIMEOUT=${GRESEC_VM_TIMEOUT:-7200}
# Booting to the runner takes ~35 s on a busy 2-core host; allow for worse.
export VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-300}
export GRESEC_KERNELS=$krel GRESEC_BOOT_DIR=$bootdir
# The whole suite here: no second debug lane inside it.
export GRESEC_DEBUG_TESTS=
exec tests/run.sh
