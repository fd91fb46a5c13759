#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 900
#
# gresec <-> gresec with ESP, every proposal, and ESN on each of its code paths: ping
# (IPv4, IPv6), a TCP transfer with matching hashes, per-SA counters that
# add up, and a capture of the underlay that holds ESP only (never GRE) and
# that tshark decrypts with the keys (ESN ICVs are beyond tshark 4.0).
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
netns_pair_setup key 11
i=0
for combo in $ESP_COMBOS; do
	prop=${combo%/*}
	esn=${combo#*/}
	{
		i=$((i + 1))
		echo "# $prop ${esn:-(32-bit sequence numbers)}"
		new_keys "$prop"
		k12=$KEY a12=$AUTH
		new_keys "$prop"
		k21=$KEY a21=$AUTH
		spi12=$((0x1000 + i)) spi21=$((0x2000 + i))
		# Inbound SAs first, as an IKE daemon installs them: a packet
		# (the tunnel's own IPv6 chatter) sent on an outbound SA whose
		# inbound peer did not exist yet would be counted on one side
		# only.
		# shellcheck disable=SC2046
		{
			n ns2 gresec sa add gs0 dir in spi $spi12 $(gresec_sa_args "$prop" "$k12" "$a12") $esn
			n ns1 gresec sa add gs0 dir in spi $spi21 $(gresec_sa_args "$prop" "$k21" "$a21") $esn
			n ns1 gresec sa add gs0 dir out spi $spi12 $(gresec_sa_args "$prop" "$k12" "$a12") $esn
			n ns2 gresec sa add gs0 dir out spi $spi21 $(gresec_sa_args "$prop" "$k21" "$a21") $esn
		}
		rm -f /tmp/esp.pcap
		ip netns exec ns2 tcpdump -i veth2 -U -w /tmp/esp.pcap 'ip proto 47 or ip proto 50' 2>/dev/null &
		cap=$!
		wait_for 30 test -e /tmp/esp.pcap
		sleep 0.3
		ping_ok ns1 198.51.100.2
		ping_ok ns2 2001:db8:1::1
		tcp_transfer ns1 ns2 198.51.100.2 200000
		sleep 0.3
		kill $cap
		wait $cap 2>/dev/null || true

		gre=$(tshark -r /tmp/esp.pcap -Y 'gre && !icmp' 2>/dev/null | wc -l)
		esp=$(tshark -r /tmp/esp.pcap -Y esp 2>/dev/null | wc -l)
		expect_eq "$gre" 0 "plaintext GRE packets on the wire ($prop $esn)"
		expect_ge "$esp" 12 "ESP packets on the wire ($prop $esn)"
		# tshark 4.0 checks neither ESN ICVs nor ChaCha20-Poly1305.
		if [ -z "$esn" ] && [ "$prop" != chacha20poly1305 ]; then
			dec=$(tshark_esp /tmp/esp.pcap \
				"$(tshark_sa 192.0.2.1 192.0.2.2 "$(printf '0x%08x' $spi12)" "$prop" "$k12" "$a12")" \
				"$(tshark_sa 192.0.2.2 192.0.2.1 "$(printf '0x%08x' $spi21)" "$prop" "$k21" "$a21")")
			notgre=$(awk -F'\t' '$4 != "0x2f"' <<< "$dec" | wc -l)
			expect_eq "$notgre" 0 "ESP packets tshark did not decrypt to GRE ($prop)"
		fi

		sa_pair_read ns1 ns2 gs0 $spi12 || true
		out_pk=$SA_OUT in_pk=$SA_IN
		expect_ge "$out_pk" 6 "ns1 outbound SA packets ($prop $esn)"
		expect_eq "$in_pk" "$out_pk" "ns2 inbound SA packets = ns1 outbound ($prop $esn)"
		for f in drop_icv drop_replay_dup drop_replay_old drop_bad_length drop_next_header; do
			expect_eq "$(sa_counter ns2 gs0 in $spi12 "$f")" 0 "ns2 inbound $f ($prop $esn)"
		done
		n ns1 gresec sa del gs0 dir out spi $spi12
		n ns2 gresec sa del gs0 dir in spi $spi12
		n ns2 gresec sa del gs0 dir out spi $spi21
		n ns1 gresec sa del gs0 dir in spi $spi21
	}
done
n ns1 gresec show gs0
