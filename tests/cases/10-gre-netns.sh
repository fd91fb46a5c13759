#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 600
#
# gresec <-> gresec between two namespaces: IPv4 and IPv6 inner ping and a
# TCP transfer with matching hashes, for each combination of key, checksum
# and sequence numbers; counters move and no drop counter does.
. "$REPO/tests/lib/common.sh"

load_gresec
netns_pair_setup

# Every drop counter, rx_drop_seq too: with sequence numbers the sender
# sends one packet at a time in their order, even from two CPUs at once
# (TCP's data and its ACKs), and nothing here reorders them.
drops() {
	ip netns exec "$1" gresec dump dev gs0 |
		awk -F'\t' -v names="${TUN_COUNTERS[*]}" -v c0=$TUN_COL0 '
		$1 == "tunnel" { n = split(names, k, " ")
			for (i = 1; i <= n; i++)
				if (k[i] ~ /drop/)
					printf "%s=%s ", k[i], $(c0 + i - 1) }'
}

# The drop counters that differ between two drops() readings, with by how much.
drops_moved() {
	awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++)
			if (x[i] != y[i]) {
				split(x[i], p, "="); split(y[i], q, "=")
				out = out (out == "" ? "" : ", ") p[1] " +" (q[2] - p[2])
			}
		print out }'
}

# A veth hands a packet that still wants its checksums filled
# (CHECKSUM_PARTIAL) to its peer as it is, and the receiver takes such a
# packet's checksums as good without summing them: the GRE checksum of
# every offloaded packet (TCP) would go unchecked, and a wrong one pass.
# With checksums, the underlay veths fill them in software before they
# send, as a NIC without GRE offloads does, so that ns2's and ns1's gresec
# verify every GRE checksum they receive (a zero GRE checksum on offloaded
# packets passed this test before).
underlay_tx_csum() {
	n ns1 ethtool -K veth1 tx "$1" >/dev/null
	n ns2 ethtool -K veth2 tx "$1" >/dev/null
}
opt_sets=("" "key 42" "csum" "seq" "key 0x10203 csum seq" "ikey 5 okey 6")
debug_lane && opt_sets=("" "key 0x10203 csum seq" "ikey 5 okey 6")
for opts in "${opt_sets[@]}"; do
	echo "# options: ${opts:-none}"
	# shellcheck disable=SC2086
	if [ "$opts" = "ikey 5 okey 6" ]; then
		n ns1 gresec set gs0 nokey nocsum noseq ikey 5 okey 6
		n ns2 gresec set gs0 nokey nocsum noseq ikey 6 okey 5
	else
		n ns1 gresec set gs0 nokey nocsum noseq $opts
		n ns2 gresec set gs0 nokey nocsum noseq $opts
	fi
	case " $opts " in
	*" csum "*) underlay_tx_csum off ;;
	*) underlay_tx_csum on ;;
	esac
	# Until both ends are set, one end's own IPv6 chatter (MLD, RS) may
	# rightly be dropped by the other: count from here on.
	sleep 0.5
	d1=$(drops ns1)
	d2=$(drops ns2)
	tx0=$(tun_counter ns1 gs0 tx_packets)
	rx0=$(tun_counter ns2 gs0 rx_packets)
	ping_ok ns1 198.51.100.2
	ping_ok ns2 198.51.100.1
	ping_ok ns1 2001:db8:1::2
	tcp_transfer ns1 ns2 198.51.100.2 1000000
	tcp_transfer ns2 ns1 2001:db8:1::1 300000 5002
	expect_ge $(($(tun_counter ns1 gs0 tx_packets) - tx0)) 9 "ns1 tx packets (${opts:-none})"
	expect_ge $(($(tun_counter ns2 gs0 rx_packets) - rx0)) 9 "ns2 rx packets (${opts:-none})"
	expect_eq "$(drops_moved "$d1" "$(drops ns1)")" "" "ns1 drop counters that moved (${opts:-none})"
	expect_eq "$(drops_moved "$d2" "$(drops ns2)")" "" "ns2 drop counters that moved (${opts:-none})"
done

# The configuration reads back as set.
n ns1 gresec set gs0 nokey nocsum noseq key 42 csum seq ttl 17 tos 0x20
n ns2 gresec set gs0 nokey nocsum noseq key 42 csum seq
js=$(n ns1 gresec show gs0 -j)
echo "$js"
expect_eq "$(jq -r '.[0] | "\(.local) \(.remote) \(.ikey) \(.okey) \(.icsum) \(.oseq) \(.ttl) \(.tos_inherit)"' <<< "$js")" \
	"192.0.2.1 192.0.2.2 42 42 true true 17 false" "configuration read back"
n ns1 gresec show gs0

# Outer TTL and TOS on the wire: fixed values, then inherited from the inner
# packet (its ECN bits are handled by RFC 6040, so use a DSCP-only TOS).
# Only GRE carrying IPv4 is captured: ns1's own IPv6 traffic on gs0 (a
# neighbour solicitation once the entry from the transfers above is stale)
# inherits hop limit 255 and TOS 0 and would otherwise be one of the two.
outer() {
	capture_start ns2 veth2 /tmp/outer.pcap \
		'ip proto 47 and src host 192.0.2.1 and ip[(ip[0] & 0xf) * 4 + 2 : 2] = 0x0800' -c 2
	ip netns exec ns1 ping -q -c 2 -i 0.2 "$@" 198.51.100.2 >/dev/null ||
		fail "ping $* through gs0 got no reply"
	capture_stop /tmp/outer.pcap 2 >&2
	# "TTL<tab>TOS" of each packet, from its first line (tcpdump starts in
	# a second under TCG, tshark in 10 to 30).
	tcpdump -nvr /tmp/outer.pcap 2>/dev/null |
		sed -n 's/^[0-9].* IP (tos \(0x[0-9a-f]*\)[,)].* ttl \([0-9]*\),.*/\2\t\1/p' | sort -u
}
expect_eq "$(outer)" "$(printf '17\t0x20')" "outer TTL/TOS with ttl 17 tos 0x20"
n ns1 gresec set gs0 ttl inherit tos inherit
expect_eq "$(outer -t 33 -Q 0x48)" "$(printf '33\t0x48')" "outer TTL/TOS inherited from ping -t 33 -Q 0x48"
