#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 600
#
# TCP MSS clamping (issue 18): with "adjust-mss 1300" on ns1 only, every
# SYN and SYN-ACK crossing the tunnel, either way, IPv4 and IPv6, arrives
# with MSS 1300 (ns1 clamps what it sends and what it receives), with a
# correct TCP checksum (software checksums everywhere, so the incremental
# update is what makes it right), counted once per SYN and never for other
# packets.  "auto" clamps to the MTU minus 40 (IPv4) or 60 (IPv6); "off"
# leaves SYNs alone.  The debug-kernel lane runs the first round only.
. "$REPO/tests/lib/common.sh"

load_gresec
netns_pair_setup
# Every checksum filled in software, before our change on receive and
# after it on transmit: a wrong incremental update shows.
# No GRO either: the captures must hold as many packets as the counters.
for ns in ns1 ns2; do
	n $ns ethtool -K gs0 tx off gro off >/dev/null
done
n ns1 ethtool -K veth1 tx off >/dev/null
n ns2 ethtool -K veth2 tx off >/dev/null

rx_packets() {
	ip netns exec "$1" cat /sys/class/net/gs0/statistics/rx_packets
}

# syns NS: the MSS of each SYN and SYN-ACK NS received on gs0 (one line
# each: flags, MSS, checksum verdict), from /tmp/mss-NS.pcap.
syns() {
	tcpdump -nr "/tmp/mss-$1.pcap" -vv 'tcp' 2>/dev/null | tr -d '\n' |
		sed 's/\(IP6\? \)/\n\1/g' | grep -E 'Flags \[S' |
		sed -E 's/.*Flags \[(S\.?)\].*cksum 0x[0-9a-f]+ \(([a-z]+)\).*mss ([0-9]+).*/\1 \3 \2/'
}

# round TAG: TCP both ways, IPv4 and IPv6, captured on receive at both
# ends; prints nothing, leaves the captures.
round() {
	local ns r1 r2
	r1=$(rx_packets ns1)
	r2=$(rx_packets ns2)
	capture_start ns1 gs0 /tmp/mss-ns1.pcap '' -Q in
	local cap1=$CAPTURE_PID
	capture_start ns2 gs0 /tmp/mss-ns2.pcap '' -Q in
	local cap2=$CAPTURE_PID
	tcp_transfer ns1 ns2 198.51.100.2 20000 5001
	tcp_transfer ns1 ns2 2001:db8:1::2 20000 5002
	tcp_transfer ns2 ns1 198.51.100.1 20000 5003
	tcp_transfer ns2 ns1 2001:db8:1::1 20000 5004
	CAPTURE_PID=$cap2
	capture_stop /tmp/mss-ns2.pcap $(($(rx_packets ns2) - r2))
	CAPTURE_PID=$cap1
	capture_stop /tmp/mss-ns1.pcap $(($(rx_packets ns1) - r1))
}

# expect_syns NS WANT: NS received 2 SYNs and 2 SYN-ACKs (IPv4, IPv6),
# WANT lists their "flags mss" sorted, all with a correct checksum.
expect_syns() {
	local got
	got=$(syns "$1")
	echo "$got"
	grep -qv ' correct$' <<< "$got" && fail "$1: a SYN with a bad TCP checksum"
	expect_eq "$(sed 's/ correct$//' <<< "$got" | sort | tr '\n' ' ')" "$2" "SYNs received by $1 ($3)"
}

if ip netns exec ns1 gresec set gs0 adjust-mss 499 2>/dev/null; then
	fail "adjust-mss 499 accepted"
fi
ok "adjust-mss 499 refused"

echo "# adjust-mss 1300 on ns1"
n ns1 gresec set gs0 adjust-mss 1300
expect_eq "$(ip netns exec ns1 gresec show gs0 -j | jq -r '.[0].adjust_mss')" 1300 "adjust_mss"
round
# ns2 received ns1's SYNs (clamped on ns1's way out) and ns1's SYN-ACKs
# (likewise); ns1 received ns2's SYNs and SYN-ACKs (clamped on its way in).
expect_syns ns2 "S 1300 S 1300 S. 1300 S. 1300 " "1300"
expect_syns ns1 "S 1300 S 1300 S. 1300 S. 1300 " "1300"
expect_eq "$(tun_counter ns1 gs0 mss_clamped)" 8 "ns1 mss_clamped (4 sent, 4 received)"
expect_eq "$(tun_counter ns2 gs0 mss_clamped)" 0 "ns2 mss_clamped"
debug_lane && exit 0

echo "# adjust-mss auto on ns1, MTU 1400 there"
n ns1 gresec set gs0 adjust-mss auto mtu 1400
round
# ns1's own SYNs fit its MTU already (1360, 1340): not clamped.
expect_syns ns2 "S 1340 S 1360 S. 1340 S. 1360 " "auto, sent"
expect_syns ns1 "S 1340 S 1360 S. 1340 S. 1360 " "auto, received"
expect_eq "$(tun_counter ns1 gs0 mss_clamped)" 12 "ns1 mss_clamped (4 more, received)"

echo "# adjust-mss off"
n ns1 gresec set gs0 adjust-mss off
tcp_transfer ns2 ns1 198.51.100.1 20000 5005
expect_eq "$(tun_counter ns1 gs0 mss_clamped)" 12 "ns1 mss_clamped unchanged"
dump_matches_json ns1 gs0
