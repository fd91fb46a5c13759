#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# The debug build runs the in-module self-tests of pure functions at init
# and refuses to load if any fails.
. "$REPO/tests/lib/common.sh"

load_gresec "$MODULE_DEBUG"
pass=$(dmesg | grep -c 'gresec: .* self-tests: pass' || true)
failures=$(dmesg | grep -c 'gresec: .*self-test.*FAIL' || true)
dmesg | grep 'self-test' || true
expect_eq "$failures" 0 "self-test failures"
expect_ge "$pass" 1 "self-test suites passed"
rmmod gresec
