#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# Hand-made GRE at a live tunnel: each kind of bad packet moves its own
# counter and nothing else; out-of-order sequence numbers are dropped; the
# third-party captures that once crashed decoders and a seeded random flood
# leave the kernel log clean and every packet counted once.  (Packets under
# 12 bytes or with GRE version bits >= 2 never reach gresec: the kernel's
# GRE demultiplexer drops them first.)
. "$REPO/tests/lib/common.sh"

load_gresec
netns_pair_setup
# IPv6 link-local chatter (MLD, RS) would move rx_packets on its own.
n ns1 sysctl -qw net.ipv6.conf.gs0.disable_ipv6=1
n ns2 sysctl -qw net.ipv6.conf.gs0.disable_ipv6=1
sleep 0.5
# One gresend.py for the whole test (see its "serve").
coproc GRESEND { ip netns exec ns1 python3 "$REPO/tests/lib/gresend.py" serve 2>&1; }
send() {
	local line
	echo "OUTER_TOS=${OUTER_TOS:-} 192.0.2.2 $*" >&"${GRESEND[1]}"
	while read -r line <&"${GRESEND[0]}"; do
		case $line in
		ok) return 0 ;;
		error:*) fail "gresend.py $*: $line" ;;
		*) echo "$line" ;;
		esac
	done
	fail "gresend.py serve ended"
}
ctr() { tun_counter ns2 gs0 "$1"; }
icmp_csum_errors() { # Icmp InCsumErrors of ns2, from /proc/net/snmp
	ip netns exec ns2 awk '$1 == "Icmp:" { if (!n++) { split($0, h); next }
		for (i = 2; i <= NF; i++) if (h[i] == "InCsumErrors") print $i; exit }' /proc/net/snmp
}

# sent CASE COUNTER N: sending CASE N times moves COUNTER by exactly N
sent() {
	local case=$1 counter=$2 count=$3 before after
	before=$(ctr "$counter")
	send "$case" "$count"
	sleep 0.3
	after=$(ctr "$counter")
	expect_eq $((after - before)) "$count" "$case -> $counter"
}

sent valid rx_packets 5
# Only ESP-authenticated packets skip the inner checksum check.
before_csum=$(icmp_csum_errors)
sent inner-bad-csum rx_packets 3
expect_eq $(($(icmp_csum_errors) - before_csum)) 3 "plaintext inner packets with a bad ICMP checksum rejected by the stack"
sent reserved-ignored rx_packets 3
sent routing rx_drop_version 4
sent strict-route rx_drop_version 2
sent recursion rx_drop_version 2
sent truncated rx_drop_malformed 3
sent inner-short rx_drop_inner 2
sent unexpected-key rx_drop_key 3

# RFC 6040: an outer CE on a Not-ECT inner packet is dropped; on an ECT
# inner packet it is passed on as CE; a payload that is not IP has no ECN
# field to drop it for, and is delivered.
export OUTER_TOS=3
# The drop's debug line names the outer source, not the inner packet's
# (decapsulation has moved the network header by then).  The debug
# kernel has no dynamic debug: Debian's kernels check the line.
dyndbg=/sys/kernel/debug/dynamic_debug/control
if [ -w $dyndbg ]; then
	echo 'module gresec +p' > $dyndbg
	sent valid rx_drop_ecn 2
	echo 'module gresec -p' > $dyndbg
	line=$(dmesg | grep -E 'gs0: rx drop \(counter [0-9]+\) from' | tail -n1)
	expect_eq "${line##* from }" 192.0.2.1 "source named by the ECN drop's debug line"
else
	echo "(no dynamic debug in this kernel: the drop's debug line is not checked)"
	sent valid rx_drop_ecn 2
fi
sent valid-ect0 rx_packets 2
sent non-ip rx_packets 2
expect_eq "$(ctr rx_drop_ecn)" 2 "non-IP payloads under CE not dropped as ECN errors"
unset OUTER_TOS

n ns2 gresec set gs0 icsum
sent valid rx_drop_csum_missing 2
sent bad-csum rx_drop_csum 3
sent valid-csum rx_packets 2
n ns2 gresec set gs0 nocsum

n ns2 gresec set gs0 iseq
before=$(ctr rx_packets)
send seq 10 11 5 12 11 13
sleep 0.3
expect_eq $(($(ctr rx_packets) - before)) 4 "in-order sequence numbers delivered"
expect_eq "$(ctr rx_drop_seq)" 2 "out-of-order sequence numbers dropped"
n ns2 gresec set gs0 noseq

# Every packet that reaches gresec lands in exactly one counter.
total() {
	local t n
	t=$(ip netns exec ns2 gresec show gs0 -j |
		jq '.[0].stats | [to_entries[] | select(.key | test("^rx_(packets|drop)")) | .value] | add')
	n=$(ip netns exec ns2 gresec show net -j | jq '.rx_no_tunnel')
	echo $((t + n))
}
for cap in "$SHARE"/vectors/third-party/tcpdump/gre-heapoverflow-*.pcap \
	   "$SHARE"/vectors/third-party/tcpdump/various_gre.pcap \
	   "$SHARE"/vectors/third-party/zeek/gre-*.pcap; do
	[ -e "$cap" ] || continue
	send pcap "$cap"
done
seed=${GRESEC_FUZZ_SEED:-$RANDOM}
echo "fuzz seed $seed (rerun: GRESEC_FUZZ_SEED=$seed)"
before=$(total)
send fuzz "$seed" 1500
sleep 1
after=$(total)
echo "fuzz: $((after - before)) of 1500 packets reached gresec (the rest failed the demultiplexer's checks)"
expect_ge $((after - before)) 500 "fuzzed packets counted"
ping_ok ns1 198.51.100.2
n ns2 gresec show gs0
