#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# MTU and path MTU: the automatic MTU is the underlay MTU minus every header
# gresec adds; packets over a manually raised MTU get ICMP frag-needed back
# into the tunnel; and a smaller MTU further along the underlay, learned from
# ICMP, is passed on to the inner sender so TCP keeps working (no PMTU black
# hole).
#
#   ns1 (gs0) -- veth 1500 -- nsr (router) -- veth 1400 -- ns2 (gs0)
#   192.0.2.1                192.0.2.254 | 203.0.113.254     203.0.113.2
. "$REPO/tests/lib/common.sh"

load_gresec
ip netns add ns1
ip netns add nsr
ip netns add ns2
ip link add veth1 netns ns1 type veth peer name vr1 netns nsr
ip link add veth2 netns ns2 type veth peer name vr2 netns nsr
for ns in ns1 nsr ns2; do n $ns ip link set lo up; done
n ns1 ip addr add 192.0.2.1/24 dev veth1
n nsr ip addr add 192.0.2.254/24 dev vr1
n nsr ip addr add 203.0.113.254/24 dev vr2
n ns2 ip addr add 203.0.113.2/24 dev veth2
n nsr ip link set vr2 mtu 1400
n ns2 ip link set veth2 mtu 1400
for l in "ns1 veth1" "nsr vr1" "nsr vr2" "ns2 veth2"; do
	# shellcheck disable=SC2086
	n ${l% *} ip link set ${l#* } up
done
n nsr sysctl -qw net.ipv4.ip_forward=1
n ns1 ip route add default via 192.0.2.254
n ns2 ip route add default via 203.0.113.254

n ns1 ip link add gs0 type gresec
n ns2 ip link add gs0 type gresec
n ns1 gresec set gs0 local 192.0.2.1 remote 203.0.113.2
n ns2 gresec set gs0 local 203.0.113.2 remote 192.0.2.1
n ns1 ip addr add 198.51.100.1/30 dev gs0
n ns2 ip addr add 198.51.100.2/30 dev gs0
n ns1 ip link set gs0 up
n ns2 ip link set gs0 up

mtu() { ip netns exec "$1" gresec show gs0 -j | jq -r '.[0].link_mtu'; }
expect_eq "$(mtu ns1)" 1476 "ns1 auto MTU (1500 - 20 IPv4 - 4 GRE)"
expect_eq "$(mtu ns2)" 1376 "ns2 auto MTU (1400 - 20 - 4)"
n ns1 gresec set gs0 key 9 csum
n ns2 gresec set gs0 key 9 csum
expect_eq "$(mtu ns1)" 1468 "ns1 auto MTU with key and checksum (1500 - 32)"
n ns1 gresec set gs0 mtu 1400
expect_eq "$(mtu ns1)" 1400 "ns1 manual MTU"
n ns1 gresec set gs0 mtu auto
expect_eq "$(mtu ns1)" 1468 "ns1 back to auto MTU"

ping_ok ns1 198.51.100.2
# Larger than the tunnel MTU without DF: the inner packet is fragmented.
ping_ok ns1 -M dont -s 3000 198.51.100.2

# TCP from ns1 must learn the 1400-byte hop: outer packets of 1500 bytes are
# refused by the router with frag-needed, gresec lowers the tunnel's path
# MTU and sends frag-needed to the inner sender.
tcp_transfer ns1 ns2 198.51.100.2 2000000
n ns1 ip route get 203.0.113.2 | grep -q 'mtu 1400' ||
	fail "the underlay path MTU (1400) was not learned"
n ns1 ip route get 198.51.100.2
ok "underlay PMTU 1400 learned from ICMP; TCP across the 1400-byte hop completed"

# A manual MTU above the path: DF packets that do not fit are refused with
# ICMP frag-needed from the tunnel, counted, and smaller ones pass.
n ns2 gresec set gs0 mtu 1500
before=$(tun_counter ns2 gs0 tx_drop_too_big)
out=$(ip netns exec ns2 ping -c 2 -i 0.3 -W 1 -M do -s 1450 198.51.100.1 2>&1 || true)
echo "$out"
expect_ge $(($(tun_counter ns2 gs0 tx_drop_too_big) - before)) 1 "ns2 tx_drop_too_big"
ping_ok ns2 -M do -s 1300 198.51.100.1
