#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# A real routing daemon over the tunnel: bird's OSPFv2 hellos (multicast to
# 224.0.0.5) cross gresec, the adjacency reaches Full and each side installs
# the other's stub route through the tunnel; traffic follows it.
. "$REPO/tests/lib/common.sh"

load_gresec
netns_pair_setup key 5
trap 'bird_stop 1; bird_stop 2' EXIT
bird_start ns1 1 gs0
bird_start ns2 2 gs0
ospf_full 1 2 ns1
ospf_full 2 1 ns2
n ns1 ip route get 203.0.113.2 | grep -q 'dev gs0' || fail "route to 203.0.113.2 not via gs0"
ping_ok ns1 -I 203.0.113.1 203.0.113.2
