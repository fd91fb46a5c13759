#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 600
#
# MTU and path MTU.  The automatic MTU is the underlay MTU minus every
# header gresec adds.  Both tunnel ends sit on 1500-byte links, so both pick
# MTU 1476 (TCP MSS 1436), but the path between them crosses a 1400-byte
# link between two routers, which gresec learns only from ICMP frag-needed.
# The inner sender must hear of it (frag-needed / packet-too-big, a lower
# route MTU) or TCP stalls for good: a path-MTU black hole.  Checked with
# TCP in both directions, IPv4 and IPv6 inner, plain GRE and ESP (one AEAD
# and one CBC+HMAC proposal), each on a fresh topology so that every round
# learns the 1400-byte hop from ICMP again.  Also: DF packets above the
# path MTU get frag-needed back to their sender, and inner IPv4 packets
# that allow fragmentation still pass.
#
#   ns1 -- 1500 -- nr1 ------ 1400 ------ nr2 -- 1500 -- ns2
#   veth1          veth2 veth3      veth4 veth5          veth6
#   192.0.2.1  .254 | 198.18.0.1    198.18.0.2 | 203.0.113.254  203.0.113.2
#   gs0 198.51.100.1/30 2001:db8:1::1  <-- tunnel -->  gs0 .2, 2001:db8:1::2
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

# Routers in namespaces: short device names like "a" or "ea" read as
# abbreviated iproute2 keywords, hence veth1..veth6.
topology_up() {
	local ns l
	for ns in ns1 nr1 nr2 ns2; do
		ip netns add $ns
		n $ns ip link set lo up
	done
	ip link add veth1 netns ns1 type veth peer name veth2 netns nr1
	ip link add veth3 netns nr1 type veth peer name veth4 netns nr2
	ip link add veth5 netns nr2 type veth peer name veth6 netns ns2
	n ns1 ip addr add 192.0.2.1/24 dev veth1
	n nr1 ip addr add 192.0.2.254/24 dev veth2
	n nr1 ip addr add 198.18.0.1/24 dev veth3
	n nr2 ip addr add 198.18.0.2/24 dev veth4
	n nr2 ip addr add 203.0.113.254/24 dev veth5
	n ns2 ip addr add 203.0.113.2/24 dev veth6
	n nr1 ip link set veth3 mtu 1400
	n nr2 ip link set veth4 mtu 1400
	for l in "ns1 veth1" "nr1 veth2" "nr1 veth3" "nr2 veth4" "nr2 veth5" "ns2 veth6"; do
		# shellcheck disable=SC2086
		n ${l% *} ip link set ${l#* } up
	done
	n nr1 sysctl -qw net.ipv4.ip_forward=1
	n nr2 sysctl -qw net.ipv4.ip_forward=1
	n ns1 ip route add default via 192.0.2.254
	n nr1 ip route add 203.0.113.0/24 via 198.18.0.2
	n nr2 ip route add 192.0.2.0/24 via 198.18.0.1
	n ns2 ip route add default via 203.0.113.254

	n ns1 ip link add gs0 type gresec
	n ns2 ip link add gs0 type gresec
	n ns1 gresec set gs0 local 192.0.2.1 remote 203.0.113.2
	n ns2 gresec set gs0 local 203.0.113.2 remote 192.0.2.1
	n ns1 ip addr add 198.51.100.1/30 dev gs0
	n ns2 ip addr add 198.51.100.2/30 dev gs0
	n ns1 ip -6 addr add 2001:db8:1::1/64 dev gs0 nodad
	n ns2 ip -6 addr add 2001:db8:1::2/64 dev gs0 nodad
	n ns1 ip link set gs0 up
	n ns2 ip link set gs0 up
}

topology_down() {
	local ns
	for ns in ns1 nr1 nr2 ns2; do
		ip netns del $ns
	done
}

mtu() { ip netns exec "$1" gresec show gs0 -j | jq -r '.[0].link_mtu'; }

# route_mtu NS ADDR: the MTU "ip route get" shows for ADDR (a learned one
# is a cached exception), or nothing when the route has none.
route_mtu() {
	local fam=-4
	case $2 in *:*) fam=-6 ;; esac
	ip netns exec "$1" ip $fam route get "$2" |
		sed -n 's/.* mtu \([0-9]*\).*/\1/p' | head -n 1
}

# expect_route_mtu NS ADDR WANT WHAT
expect_route_mtu() {
	n "$1" ip route get "$2" >&2
	expect_eq "$(route_mtu "$1" "$2")" "$3" "$4"
}

load_gresec
modes="plain aes128gcm16 aes128-sha256"
# The debug-kernel lane: ESP's overhead is a number in the same code path
# whatever the transform, so one ESP round there.
debug_lane && modes="plain aes128gcm16"
round=0
for mode in $modes; do
	round=$((round + 1))
	echo "# $mode"
	topology_up
	expect_eq "$(mtu ns1)" 1476 "ns1 auto MTU (1500 - 20 IPv4 - 4 GRE)"
	expect_eq "$(mtu ns2)" 1476 "ns2 auto MTU (its own link is 1500 too)"
	expect_eq "$(route_mtu ns1 203.0.113.2)" "" "ns1 underlay route MTU before any ICMP"
	if [ $mode = plain ]; then
		n ns1 gresec set gs0 key 9 csum
		expect_eq "$(mtu ns1)" 1468 "ns1 auto MTU with key and checksum (1500 - 32)"
		n ns1 gresec set gs0 mtu 1400
		expect_eq "$(mtu ns1)" 1400 "ns1 manual MTU"
		n ns1 gresec set gs0 mtu auto
		expect_eq "$(mtu ns1)" 1468 "ns1 back to auto MTU"
		n ns1 gresec set gs0 nokey nocsum
		expect_eq "$(mtu ns1)" 1476 "ns1 auto MTU without key and checksum"
		ping_ok ns1 198.51.100.2
		# Larger than the tunnel MTU without DF: the inner packet
		# is fragmented.
		ping_ok ns1 -M dont -s 3000 198.51.100.2
	else
		sa_pair_add $mode $((0x1000 + round)) $((0x2000 + round))
	fi
	# Both ends see the same overhead; the path is 100 bytes short of
	# their own links.
	link=$(mtu ns1)
	expect_eq "$(mtu ns2)" "$link" "ns2 auto MTU = ns1's ($mode)"
	want=$((link - 100))
	# A listener whose route has already learned the path MTU advertises
	# a smaller MSS, and its peer would never meet the 1400-byte hop
	# itself: each end advertises what its tunnel MTU gives, as a host
	# behind it that knows nothing of the path would.
	n ns1 ip route replace 198.51.100.0/30 dev gs0 src 198.51.100.1 advmss $((link - 40))
	n ns2 ip route replace 198.51.100.0/30 dev gs0 src 198.51.100.2 advmss $((link - 40))
	n ns1 ip -6 route replace 2001:db8:1::/64 dev gs0 metric 256 advmss $((link - 60))
	n ns2 ip -6 route replace 2001:db8:1::/64 dev gs0 metric 256 advmss $((link - 60))

	# Full-size segments from either end: the first ones are refused by
	# nr1 or nr2 with frag-needed, gresec lowers the underlay path MTU
	# and must pass the lower MTU on to the inner TCP sender.
	tcp_transfer ns1 ns2 198.51.100.2 2000000
	tcp_transfer ns2 ns1 198.51.100.1 2000000
	tcp_transfer ns1 ns2 2001:db8:1::2 2000000
	tcp_transfer ns2 ns1 2001:db8:1::1 2000000
	expect_route_mtu ns1 203.0.113.2 1400 "ns1 underlay path MTU learned from ICMP ($mode)"
	expect_route_mtu ns2 192.0.2.1 1400 "ns2 underlay path MTU learned from ICMP ($mode)"
	expect_route_mtu ns1 198.51.100.2 $want "ns1 inner IPv4 route MTU ($mode)"
	expect_route_mtu ns2 198.51.100.1 $want "ns2 inner IPv4 route MTU ($mode)"
	expect_route_mtu ns1 2001:db8:1::2 $want "ns1 inner IPv6 route MTU ($mode)"
	expect_route_mtu ns2 2001:db8:1::1 $want "ns2 inner IPv6 route MTU ($mode)"

	if [ $mode = plain ]; then
		# A manual MTU above the path: DF packets that do not fit are
		# refused with ICMP frag-needed from the tunnel, counted, and
		# their sender hears the path MTU; smaller ones pass.  An
		# address of its own, whose route has learned no MTU yet, so
		# that the packet reaches the tunnel.
		n ns1 ip addr add 198.51.100.9/32 dev gs0
		n ns2 ip route add 198.51.100.9/32 dev gs0
		n ns2 gresec set gs0 mtu 1500
		before=$(tun_counter ns2 gs0 tx_drop_too_big)
		if out=$(ip netns exec ns2 ping -c 2 -i 0.3 -W 1 -M "do" -s 1450 198.51.100.9 2>&1); then
			echo "$out"
			fail "a DF ping of 1478 bytes crossed a path of $want"
		fi
		echo "$out"
		expect_ge $(($(tun_counter ns2 gs0 tx_drop_too_big) - before)) 1 "ns2 tx_drop_too_big"
		grep -qE "mtu ?= ?$want" <<< "$out" ||
			fail "the DF ping's sender was not told the path MTU ($want)"
		ok "the DF ping's sender was told the path MTU ($want)"
		ping_ok ns2 -M "do" -s $((want - 28)) 198.51.100.9
	fi
	topology_down
done
