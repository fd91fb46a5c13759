#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 900
# cpus: 2
#
# A busy CPU hands ESP work to the next one (kmod/parallel.c), on the VM's
# two vCPUs.  Bursts (ping with 64 requests preloaded) and a bulk TCP
# transfer over aes128gcm16 must make the sending and the receiving side
# hand packets on (tx_handoff, rx_handoff; not asserted on the slow debug
# kernel) and still arrive whole: every echo answered, the transfer's
# hashes equal, no replay-window or queue drops.  The transfer's ESP
# sequence numbers, decrypted from a capture of the sender's underlay, must
# leave in order: a packet sent inline while earlier ones still waited in
# the queue would overtake them.  With the module parameter parallel=0
# nothing more is handed on.  With backlog=1 (room for one packet per
# queue) a burst overflows the queues: every echo request ping sent must
# come back as a reply or be counted in a *_drop_backlog counter.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
[ "$(nproc)" -ge 2 ] || skip "one CPU: nothing to hand over to"
param=/sys/module/gresec/parameters/parallel
expect_eq "$(cat $param)" Y "module parameter parallel by default"
netns_pair_setup
# A NIC hashes all packets of an SA to one receive queue, so they arrive
# on one CPU in the order they left.  A veth instead delivers each packet
# on the CPU that sent it: packets a worker sent on one CPU and later ones
# sent inline on the other would meet at the receiver in whichever order
# its two vCPUs run, which the host's load decides (a receive window and
# more apart, under a full suite).  RPS steers each veth's receive to one
# CPU in the order it was sent, as a NIC's queue would; the hand-over
# still moves the work from there to the next CPU.
for i in 1 2; do
	rps=/sys/class/net/veth$i/queues/rx-0/rps_cpus
	ip netns exec ns$i sh -c "echo 1 > $rps"
	expect_eq "$(ip netns exec ns$i cat $rps | tr -d 0,)" 1 "ns$i veth$i rps_cpus"
done
sa_pair_add aes128gcm16 0x3601 0x3602
ping_ok ns1 198.51.100.2

# icmp NS FIELD: an Icmp counter of the kernel of NS (InEchoReps, OutEchos).
icmp() {
	ip netns exec "$1" awk -v f="$2" '$1 == "Icmp:" { if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1 }
		else for (i = 2; i <= NF; i++) if (k[i] == f) print $i }' /proc/net/snmp
}
echo_replies() { icmp "$1" InEchoReps; }

# burst NS DST: 300 echo requests, the first 64 at once; the kernel must get
# every reply (ping itself may not: the debug kernel's ping reads too slowly
# for a burst of replies and its socket buffer overflows).
burst() {
	local before
	before=$(echo_replies "$1")
	ip netns exec "$1" ping -q -c 300 -l 64 -i 0.01 -W 30 "$2" >/dev/null || true
	expect_eq $(($(echo_replies "$1") - before)) 300 "echo replies to a burst from $1"
}

# What this part checks is order and completeness.  On a loaded host the
# worker's vCPU can be descheduled long enough for a queue of the default
# size (netdev_max_backlog, 1000) to fill behind a TCP window: room for
# everything here; a full queue is tested below, with backlog=1.
bl=/sys/module/gresec/parameters/backlog
expect_eq "$(cat $bl)" 0 "module parameter backlog by default"
echo 100000 > $bl
capture_start ns1 veth1 /tmp/par.pcap 'ip proto 50 and src 192.0.2.1' -B 8192
esp0=$(sa_counter ns2 gs0 in 0x3601 packets)
burst ns1 198.51.100.2
burst ns2 198.51.100.1
if debug_lane; then
	tcp_transfer ns1 ns2 198.51.100.2 3000000
else
	tcp_transfer ns1 ns2 198.51.100.2 12000000
fi
capture_stop /tmp/par.pcap $(($(sa_counter ns2 gs0 in 0x3601 packets) - esp0))

# The hand-over starts at 9 packets in a jiffy.  The debug kernel, with
# other VMs beside it on the host, does not always get there (alone it
# handed 41 and 92 packets over, beside another debug VM none): there
# the counts are only shown, and the rest of the test still holds.
for c in "ns1 tx_handoff" "ns2 rx_handoff" "ns2 tx_handoff" "ns1 rx_handoff"; do
	read -r ns ctr <<< "$c"
	if debug_lane; then
		echo "$ns $ctr = $(tun_counter "$ns" gs0 "$ctr")"
	else
		expect_ge "$(tun_counter "$ns" gs0 "$ctr")" 1 "$ns $ctr"
	fi
done
for ns in ns1 ns2; do
	expect_eq "$(tun_counter $ns gs0 tx_drop_backlog)" 0 "$ns tx_drop_backlog"
	expect_eq "$(tun_counter $ns gs0 rx_drop_backlog)" 0 "$ns rx_drop_backlog"
done
for f in drop_replay_dup drop_replay_old drop_icv; do
	expect_eq "$(sa_counter ns2 gs0 in 0x3601 $f)" 0 "ns2 inbound $f"
	expect_eq "$(sa_counter ns1 gs0 in 0x3602 $f)" 0 "ns1 inbound $f"
done

# The transfer's data segments, in the order they left ns1.
tshark_r /tmp/par.pcap -o esp.enable_encryption_decode:TRUE \
	-o "uat:esp_sa:$(tshark_sa 192.0.2.1 192.0.2.2 0x00003601 aes128gcm16 "$K12" "")" \
	-Y 'esp.spi == 0x3601 && tcp.len > 0' -T fields -E occurrence=f \
	-e esp.sequence 2>/dev/null > /tmp/par.seq
segs=$(wc -l < /tmp/par.seq)
late=$(awk 'NR > 1 && $1 <= prev { n++ } { prev = $1 } END { print n + 0 }' /tmp/par.seq)
expect_ge "$segs" 1000 "TCP data segments decrypted from the capture"
expect_eq "$late" 0 "ESP packets sent after one with a higher sequence number"

# Off: the same bursts, nothing handed on.
echo 0 > $param
tx=$(tun_counter ns1 gs0 tx_handoff)
rx=$(tun_counter ns2 gs0 rx_handoff)
burst ns1 198.51.100.2
expect_eq "$(tun_counter ns1 gs0 tx_handoff)" "$tx" "ns1 tx_handoff with parallel=0"
expect_eq "$(tun_counter ns2 gs0 rx_handoff)" "$rx" "ns2 rx_handoff with parallel=0"
echo 1 > $param
burst ns1 198.51.100.2

# A full queue: the packet is dropped and counted, nothing else is lost.
# backlog_drops: both ends' tx_drop_backlog + rx_drop_backlog, one show each.
backlog_drops() {
	local sum=0 ns
	for ns in ns1 ns2; do
		sum=$((sum + $(ip netns exec $ns "$GRESEC" show gs0 -j |
			jq '.[0].stats | .tx_drop_backlog + .rx_drop_backlog')))
	done
	echo $sum
}
echo 1 > $bl
d0=$(backlog_drops)
req0=$(icmp ns1 OutEchos)
rep0=$(icmp ns1 InEchoReps)
ip netns exec ns1 ping -q -c 300 -l 64 -i 0.01 -W 2 198.51.100.2 >/dev/null || true
# accounted: every request answered or dropped (late replies on a slow
# kernel still count: the kernel's counters are read, not ping's).
accounted() {
	req=$(($(icmp ns1 OutEchos) - req0))
	rep=$(($(icmp ns1 InEchoReps) - rep0))
	drops=$(($(backlog_drops) - d0))
	[ $((rep + drops)) -eq "$req" ]
}
wait_for 100 accounted || true
echo "backlog=1: $req requests, $rep replies, $drops dropped by full queues"
expect_eq $((rep + drops)) "$req" "echo replies plus queue drops, of the requests sent"
if debug_lane; then
	echo "(queue drops not asserted on the debug kernel: it may not hand over)"
else
	expect_ge "$drops" 1 "packets dropped by full queues with backlog=1"
fi
echo 0 > $bl
burst ns1 198.51.100.2
n ns1 gresec show gs0
