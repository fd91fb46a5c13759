#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
# timeout: 300
#
# GRE keepalives (issue 18) against the kernel's own ip_gre (right VM),
# which reflects them as any decapsulating router does: with forwarding on
# and accept_local on its tunnel device (the inner packet's source is its
# own address).  gresec's carrier goes off within PERIOD x RETRIES (+1
# period) of the native tunnel's deletion and on when it returns; a static
# route with a higher-metric backup (the underlay) switches over and back.
. "$REPO/tests/lib/common.sh"

PERIOD=1
RETRIES=3
pair_underlay

native_up() {
	ip link add gre1 type gre local "$LOCAL" remote "$REMOTE" ttl 64 key 9
	sysctl -qw net.ipv4.conf.gre1.accept_local=1 net.ipv4.conf.gre1.rp_filter=0
	ip addr add "$INNER/30" dev gre1
	ip link set gre1 up
}

carrier() {
	if ip -o link show dev gs0 | grep -q NO-CARRIER; then
		echo off
	else
		echo on
	fi
}

carrier_is() {
	[ "$(carrier)" = "$1" ]
}

route_is() {
	ip -o route get 203.0.113.2 | grep -q " dev $1 "
}

counter_ge() {
	[ "$(gresec dump dev gs0 | awk -F'\t' -v c="$(dump_column TUN "$1")" '$1 == "tunnel" { print $c }')" -ge "$2" ]
}

if [ "$ROLE" = left ]; then
	load_gresec
	sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=1
	ip link add gs0 type gresec
	gresec set gs0 local "$LOCAL" remote "$REMOTE" key 9 keepalive $PERIOD $RETRIES
	ip addr add "$INNER/30" dev gs0
	ip link set gs0 up
	ip route add 203.0.113.2/32 dev gs0 metric 10
	ip route add 203.0.113.2/32 via "$REMOTE" dev eth0 metric 20
else
	modprobe ip_gre
	sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0
	ip link add stub0 type dummy
	ip addr add 203.0.113.2/32 dev stub0
	ip link set stub0 up
	native_up
fi
sync_peer up

if [ "$ROLE" = left ]; then
	wait_for 300 counter_ge keepalive_rx 3 ||
		fail "keepalives did not come back from ip_gre: $(gresec show gs0 | grep -A1 Keepalive)"
	ok "ip_gre reflects gresec's keepalives"
	carrier_is on || fail "carrier off with keepalives coming back"
	route_is gs0 || fail "route to 203.0.113.2 not via gs0: $(ip route get 203.0.113.2)"
	ping -q -c 3 -i 0.2 -W 2 -I "$INNER" 203.0.113.2 >/dev/null || fail "ping 203.0.113.2 over gs0"
	ok "203.0.113.2 via gs0"
fi
sync_peer checked

[ "$ROLE" = right ] && ip link del gre1
sync_peer deleted
if [ "$ROLE" = left ]; then
	t0=$(date +%s.%N)
	wait_for 300 carrier_is off || fail "carrier still on 30 s after the native tunnel went"
	took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	awk -v t="$took" -v min=$(((RETRIES - 1) * PERIOD)) 'BEGIN { exit !(t >= min) }' ||
		fail "carrier off after $took s, before $RETRIES keepalives could be missed"
	ok "carrier off $took s after the native tunnel went (PERIOD x RETRIES + 1 period = $((PERIOD * (RETRIES + 1))) s unloaded)"
	os=$(cat /sys/class/net/gs0/operstate)
	case $os in
	lowerlayerdown | down) ok "operstate $os" ;;
	*) fail "operstate $os with the carrier off" ;;
	esac
	wait_for 100 route_is eth0 || fail "route to 203.0.113.2 still $(ip route get 203.0.113.2)"
	ping -q -c 3 -i 0.2 -W 2 203.0.113.2 >/dev/null || fail "ping 203.0.113.2 over the backup"
	ok "203.0.113.2 via the backup route (eth0)"
fi
sync_peer down

[ "$ROLE" = right ] && native_up
sync_peer readded
if [ "$ROLE" = left ]; then
	wait_for 300 carrier_is on || fail "carrier still off 30 s after the native tunnel came back"
	ok "carrier on again"
	wait_for 100 route_is gs0 || fail "route to 203.0.113.2 still $(ip route get 203.0.113.2)"
	ping -q -c 3 -i 0.2 -W 2 -I "$INNER" 203.0.113.2 >/dev/null || fail "ping 203.0.113.2 over gs0 again"
	ok "203.0.113.2 via gs0 again"
	gresec show gs0
fi
sync_peer done
