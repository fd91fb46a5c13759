#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run in both VMs (left = R1, right = R4): a gresec tunnel between
# them, like IOS "interface Tunnel1" with tunnel source/destination; ping and
# a file moved across; "gresec show" on both ends.
. "$REPO/tests/lib/common.sh"

say() { printf '\n=== %s: %s\n' "$ROLE" "$*"; }
pair_underlay
load_gresec
say "ip link add gs0 type gresec; gresec set gs0 local $LOCAL remote $REMOTE key 1001"
ip link add gs0 type gresec
gresec set gs0 local "$LOCAL" remote "$REMOTE" key 1001
ip addr add "$INNER/30" dev gs0
ip -6 addr add "$INNER6/64" dev gs0 nodad
ip link set gs0 up
sync_peer up

if [ "$ROLE" = left ]; then
	say "ping $INNER_PEER through the tunnel"
	ping -c 4 -i 0.3 "$INNER_PEER"
	say "ping $INNER6_PEER through the tunnel"
	ping -c 2 -i 0.3 "$INNER6_PEER"
fi
sync_peer pinged
say "moving a 4 MB file from left to right over TCP"
pair_xfer file 4000000 left 5001
sync_peer moved
sleep 0.5
say "gresec show"
gresec show gs0
sync_peer shown
