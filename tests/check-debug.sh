#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: only the debug-kernel lane of make check, that is the
# test suite on a small kernel built from Debian's linux-source-6.12 with
# KASAN, lockdep (PROVE_LOCKING, PROVE_RCU), kmemleak, DEBUG_ATOMIC_SLEEP/
# SG/LIST and fault injection (tests/debug/kernel.config).  Any kernel
# report during a test fails it, and so does a leak kmemleak finds after it
# (tests/debug/kmemleak.sh).
#
# The kernel is built once per (kernel.config, linux-source-6.12 version)
# and cached in /var/cache/gresec/debug-kernel/ (GRESEC_DEBUG_CACHE); see
# tests/debug/build-kernel.sh for the layout and for how its modules reach
# the guests.  Other settings are those of tests/run.sh (TESTS=regex,
# GRESEC_DEBUG_VM_TIMEOUT, GRESEC_ACCEL=kvm).
cd "$(dirname "$0")/.." || exit 1
export GRESEC_DEBUG_ONLY=1 GRESEC_DEBUG_TESTS=.
exec tests/run.sh
