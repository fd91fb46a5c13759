#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
#
# gresec (left VM) against the kernel's own ip_gre (right VM), both ways,
# for key, checksum, sequence numbers and all together: ping (IPv4, IPv6),
# TCP with matching hashes, and a wire capture that tshark decodes as GRE
# with the expected flags and a good checksum.
. "$REPO/tests/lib/common.sh"

pair_underlay
if [ "$ROLE" = left ]; then
	load_gresec
	ip link add gs0 type gresec
	gresec set gs0 local "$LOCAL" remote "$REMOTE"
	dev=gs0
else
	modprobe ip_gre
	dev=gre1
fi

# inner_up DEV: the inner addresses on DEV, and DEV up.
inner_up() {
	ip addr flush dev "$1"
	ip addr add "$INNER/30" dev "$1"
	ip -6 addr add "$INNER6/64" dev "$1" nodad
	ip link set "$1" up
}

# wire: GRE packets the tunnel device sent and received, at most what
# crossed eth0 (a GSO packet counts once): capture_stop's count.
wire() {
	local s=/sys/class/net/$dev/statistics
	echo $(($(cat $s/rx_packets) + $(cat $s/tx_packets)))
}

i=0
frames=()
opt_sets=("none" "key 42" "csum" "seq" "key 7 csum seq")
debug_lane && opt_sets=("none" "key 7 csum seq")
for opts in "${opt_sets[@]}"; do
	i=$((i + 1))
	echo "# options: $opts"
	o=$opts
	[ "$o" = none ] && o=""
	# The native peer's tunnel of the last option set is gone before
	# gresec takes the next set, and the peer's new one comes up only
	# after that: a late packet of one set (a TCP ACK, an IPv6 report)
	# never meets the other, where it would be a counted drop (6.1 once
	# counted a key drop) and fail the check at the end.
	[ "$ROLE" = right ] && { ip link del gre1 2>/dev/null || true; }
	sync_peer "down$i"
	if [ "$ROLE" = left ]; then
		# shellcheck disable=SC2086
		gresec set gs0 nokey nocsum noseq $o
		inner_up $dev
	fi
	sync_peer "left$i"
	if [ "$ROLE" = right ]; then
		# shellcheck disable=SC2086
		ip link add gre1 type gre local "$LOCAL" remote "$REMOTE" ttl 64 $o
		inner_up $dev
	fi
	sync_peer "cfg$i"

	capture_start "" eth0 "/tmp/cap$i.pcap" 'ip proto 47'
	wire0=$(wire)
	sync_peer "cap$i"
	if [ "$ROLE" = left ]; then
		ping -q -c 3 -i 0.2 -W 2 "$INNER_PEER" >/dev/null || fail "ping $INNER_PEER ($opts)"
		ping -q -c 3 -i 0.2 -W 2 "$INNER6_PEER" >/dev/null || fail "ping $INNER6_PEER ($opts)"
		ok "ping IPv4 and IPv6 to the native peer ($opts)"
	fi
	sync_peer "pinged$i"
	if [ "$ROLE" = right ]; then
		ping -q -c 3 -i 0.2 -W 2 "$INNER_PEER" >/dev/null || fail "ping $INNER_PEER ($opts)"
		ok "native peer pings gresec ($opts)"
	fi
	pair_xfer "x$i" 500000 left 5001
	pair_xfer "y$i" 500000 right 5002
	capture_stop "/tmp/cap$i.pcap" $(($(wire) - wire0))

	# Judged at the end, all captures in one tshark run (it takes 10 to
	# 30 s to start under TCG): this one's frames follow the last one's,
	# as many as tcpdump said it wrote ("N packets captured").
	n=$(capture_written "/tmp/cap$i.pcap")
	frames[i]=$((${frames[i - 1]:-0} + n))
	sync_peer "done$i"
done

# Every GRE packet on the wire, both directions, carried its set's options.
mergecap -a -w /tmp/cap-all.pcap $(seq -f '/tmp/cap%g.pcap' 1 $i) || fail "mergecap"
all=$(tshark_r /tmp/cap-all.pcap -Y 'gre && !icmp && !icmpv6' -T fields -E occurrence=f \
	-e frame.number -e ip.src -e gre.flags.checksum -e gre.flags.key \
	-e gre.flags.sequence_number -e gre.key -e gre.checksum.status 2>/dev/null)
i=0
for opts in "${opt_sets[@]}"; do
	i=$((i + 1))
	f=$(awk -F'\t' -v lo="${frames[i - 1]:-0}" -v hi="${frames[i]}" \
		'$1 > lo && $1 <= hi' <<< "$all" | cut -f2- | sort -u)
	echo "# options: $opts"
	echo "$f"
	[ -n "$f" ] || fail "no GRE on the wire ($opts)"
	want_c=0; want_k=0; want_s=0
	case $opts in *csum*) want_c=1 ;; esac
	case $opts in *key*) want_k=1 ;; esac
	case $opts in *seq*) want_s=1 ;; esac
	bad=$(awk -F'\t' -v c=$want_c -v k=$want_k -v s=$want_s \
		'$2 != c || $3 != k || $4 != s || (c == 1 && $6 != 1)' <<< "$f")
	[ -z "$bad" ] || fail "GRE flags on the wire differ from '$opts': $bad"
	for src in "$LOCAL" "$REMOTE"; do
		cut -f1 <<< "$f" | grep -qx "$src" ||
			fail "no GRE from $src on the wire ($opts)"
	done
	ok "tshark: GRE both ways with C=$want_c K=$want_k S=$want_s ($opts)"
done

if [ "$ROLE" = left ]; then
	gresec show gs0
	drops=$(gresec show gs0 -j | jq '[.[0].stats | to_entries[] | select(.key | test("drop")) | .value] | add')
	expect_eq "$drops" 0 "gresec drop counters after interop"
fi
