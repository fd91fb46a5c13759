#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
#
# OSPF between gresec (left) and the kernel's own ip_gre (right): Full
# adjacency over the tunnel and each side's stub route installed.
. "$REPO/tests/lib/common.sh"

pair_underlay
id=1 peer=2
[ "$ROLE" = right ] && id=2 peer=1
if [ "$ROLE" = left ]; then
	load_gresec
	ip link add gs0 type gresec
	gresec set gs0 local "$LOCAL" remote "$REMOTE" key 77
	dev=gs0
else
	modprobe ip_gre
	ip link add gre1 type gre local "$LOCAL" remote "$REMOTE" ttl 64 key 77
	dev=gre1
fi
ip addr add "$INNER/30" dev $dev
ip link set $dev up
trap 'bird_stop $id' EXIT
bird_start "" $id $dev
ospf_full $id $peer ""
# Each side's reply needs the other's route: ping once both have theirs.
sync_peer routes
ping -q -c 3 -i 0.2 -I "203.0.113.$id" "203.0.113.$peer" >/dev/null || fail "ping across the OSPF route"
ok "ping 203.0.113.$peer over the OSPF-learned route"
sync_peer done
