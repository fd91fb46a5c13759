#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
#
# OSPF between gresec (left) and the kernel's own ip_gre (right): Full
# adjacency over the tunnel and each side's stub route installed.  Then GRE
# keepalives on gresec (issue 18): when the right stops reflecting them
# (forwarding off) while its hellos still come, gresec's carrier goes off
# and the left drops the neighbour and its route at once, long before the
# 30 s dead interval; forwarding back on, the carrier comes back and the
# adjacency with it.
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
# A dead interval the keepalives' carrier must beat by far.
bird_start "" $id $dev 30
ospf_full $id $peer ""
# Each side's reply needs the other's route: ping once both have theirs.
sync_peer routes
ping -q -c 3 -i 0.2 -I "203.0.113.$id" "203.0.113.$peer" >/dev/null || fail "ping across the OSPF route"
ok "ping 203.0.113.$peer over the OSPF-learned route"
sync_peer done

# --- keepalives drive the adjacency -----------------------------------------
carrier_is() {
	if ip -o link show dev gs0 | grep -q NO-CARRIER; then
		[ "$1" = off ]
	else
		[ "$1" = on ]
	fi
}
ospf_gone() {
	! birdc -s "/tmp/bird-$id.ctl" show ospf neighbors 2>/dev/null | grep -q "198.51.100.$peer" &&
		! ip route show "203.0.113.$peer" | grep -q 'proto bird'
}
keepalives_back() {
	[ "$(gresec dump dev gs0 | awk -F'\t' -v c="$(dump_column TUN keepalive_rx)" \
		'$1 == "tunnel" { print $c }')" -ge "$1" ]
}
if [ "$ROLE" = left ]; then
	gresec set gs0 keepalive 1 3
else
	# ip_gre reflects keepalives as a router: forwarding on, and the
	# inner packet's source is its own address.
	sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.gre1.rp_filter=0 \
		net.ipv4.conf.gre1.accept_local=1 net.ipv4.ip_forward=1
fi
sync_peer ka-on
if [ "$ROLE" = left ]; then
	wait_for 300 keepalives_back 3 || fail "ip_gre does not reflect keepalives"
	carrier_is on || fail "carrier off with keepalives reflected"
	ok "keepalives reflected, carrier on, OSPF still Full"
fi
sync_peer ka-reflected
[ "$ROLE" = right ] && sysctl -qw net.ipv4.ip_forward=0
sync_peer ka-stopped
if [ "$ROLE" = left ]; then
	wait_for 300 carrier_is off || fail "carrier still on 30 s after the reflection stopped"
	t0=$(date +%s.%N)
	# Half the dead interval: the right's hellos still arrive
	# (forwarding plays no part in them), so only the carrier can end
	# the adjacency this soon.
	wait_for 150 ospf_gone ||
		fail "OSPF neighbour or route still there 15 s after the carrier went off (dead interval 30 s)"
	took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	ok "carrier off: OSPF neighbour and route 203.0.113.$peer gone $took s later (dead interval 30 s)"
fi
sync_peer ka-down
[ "$ROLE" = right ] && sysctl -qw net.ipv4.ip_forward=1
if [ "$ROLE" = left ]; then
	wait_for 300 carrier_is on || fail "carrier still off 30 s after the reflection resumed"
	ok "carrier on again"
fi
ospf_full $id $peer ""
sync_peer ka-done
