#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# The kernel's GRE version 0 receive slot holds one owner: with ip_gre loaded,
# gresec must refuse to load and say why; once ip_gre is gone it loads.
. "$REPO/tests/lib/common.sh"

modprobe ip_gre
if load_gresec 2>/dev/null; then
	fail "gresec loaded while ip_gre holds the GRE slot"
fi
dmesg | grep -q 'gresec: the GRE version 0 receive slot is taken' ||
	fail "no clear message in the kernel log"
ok "refused with: $(dmesg | grep -m1 'receive slot')"
rmmod ip_gre
load_gresec
ok "loads after rmmod ip_gre"
rmmod gresec
