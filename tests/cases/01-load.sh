#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# The module loads, registers the rtnl link kind and the generic netlink
# family, creates and deletes devices, and unloads cleanly.
. "$REPO/tests/lib/common.sh"

load_gresec
grep -q '^gresec ' /proc/modules || fail "gresec not in /proc/modules"
genl ctrl get name gresec | grep -q 'gresec' || fail "genl family gresec not registered"
ok "genl family gresec registered"

ip link add gs0 type gresec
ip -d link show gs0 | grep -q 'gresec' || fail "gs0 is not of kind gresec"
ip link show gs0 | grep -q 'POINTOPOINT,MULTICAST,NOARP' ||
	fail "gs0 flags: $(ip link show gs0 | head -n1)"
ok "gs0 created with POINTOPOINT,MULTICAST,NOARP"
ip link set gs0 up
ip link add gs1 type gresec
ip link del gs0
ip link show gs0 2>/dev/null && fail "gs0 still present after delete"
ok "gs0 deleted"

# Devices left behind are removed with the module.
rmmod gresec
ip link show gs1 2>/dev/null && fail "gs1 survived rmmod"
ok "rmmod with a device present removed it"

# Again in a namespace that is then deleted with the device in it.
load_gresec
ip netns add t1
ip -n t1 link add gs9 type gresec
ip -n t1 link set gs9 up
ip netns del t1
sleep 1
rmmod gresec
ok "namespace holding a tunnel deleted, module unloaded"
