#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 1200
#
# gresec <-> gresec with ESP, every proposal, and ESN on each of its code paths: ping
# (IPv4, IPv6), a TCP transfer with matching hashes, per-SA counters that
# add up, and a capture of the underlay that holds ESP only (never GRE) and
# that tshark decrypts with the keys (ESN ICVs are beyond tshark 4.0; all
# captures in one run at the end).  Then ESP tunnel mode, an AEAD and
# CBC+HMAC with ESN (the same checks, and the MTU with the inner header;
# 73-esp-tunnel-mode-interop decrypts its wire), and a tunnel-mode packet
# whose inner destination is not the tunnel's: dropped and counted.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
netns_pair_setup key 11
i=0
# Tunnel mode: "mode:tunnel" becomes the sa add arguments "mode tunnel".
for combo in $ESP_COMBOS aes128gcm16/mode:tunnel aes128-sha256/esn:mode:tunnel; do
	prop=${combo%/*}
	esn=${combo#*/}
	esn=${esn//:/ }
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
		if [[ $esn == *tunnel* ]]; then
			# The underlay's 1500 less IPv4, GRE with a key and
			# the SA's most: inner IPv4, ESP header, IV, padding,
			# trailer, ICV.
			case $prop in
			aes128gcm16) over=$((20 + 8 + 8 + 3 + 2 + 16)) ;;
			*) over=$((20 + 8 + 16 + 15 + 2 + 16)) ;;
			esac
			expect_eq "$(ip netns exec ns1 cat /sys/class/net/gs0/mtu)" \
				$((1500 - 20 - 8 - over)) "MTU with a tunnel-mode SA ($prop $esn)"
		fi
		capture_start ns2 veth2 /tmp/esp$i.pcap 'ip proto 47 or ip proto 50'
		wire0=$(esp_wire_packets ns2 gs0 $spi12 $spi21)
		ping_ok ns1 198.51.100.2
		ping_ok ns2 2001:db8:1::1
		tcp_transfer ns1 ns2 198.51.100.2 200000
		capture_stop /tmp/esp$i.pcap $(($(esp_wire_packets ns2 gs0 $spi12 $spi21) - wire0))

		esp_wire_check /tmp/esp$i.pcap "$prop $esn"
		# tshark 4.0 checks neither ESN ICVs nor ChaCha20-Poly1305.
		if [ -z "$esn" ] && [ "$prop" != chacha20poly1305 ]; then
			h12=$(printf '0x%08x' $spi12) h21=$(printf '0x%08x' $spi21)
			esp_decrypt_later /tmp/esp$i.pcap "$prop" "$h12 $h21" \
				"$(tshark_sa 192.0.2.1 192.0.2.2 "$h12" "$prop" "$k12" "$a12")" \
				"$(tshark_sa 192.0.2.2 192.0.2.1 "$h21" "$prop" "$k21" "$a21")"
		fi

		sa_pair_read ns1 ns2 gs0 $spi12 || true
		out_pk=$SA_OUT in_pk=$SA_IN
		expect_ge "$out_pk" 6 "ns1 outbound SA packets ($prop $esn)"
		expect_eq "$in_pk" "$out_pk" "ns2 inbound SA packets = ns1 outbound ($prop $esn)"
		for f in drop_icv drop_replay_dup drop_replay_old drop_bad_length drop_next_header \
			drop_tunnel_inner; do
			expect_eq "$(sa_counter ns2 gs0 in $spi12 "$f")" 0 "ns2 inbound $f ($prop $esn)"
		done
		# The tests read counters from "gresec dump": it must agree with
		# the JSON, SAs of both directions included.
		[ $i -eq 1 ] && dump_matches_json ns2 gs0
		n ns1 gresec sa del gs0 dir out spi $spi12
		n ns2 gresec sa del gs0 dir in spi $spi12
		n ns2 gresec sa del gs0 dir out spi $spi21
		n ns1 gresec sa del gs0 dir in spi $spi21
	}
done
esp_decrypt_check

# ns1's second tunnel gs1 goes to 192.0.2.9, an address of ns2 that is no
# tunnel's, through an SA whose SPI is that of ns2's tunnel-mode SA on gs0:
# ns2 decrypts the packets, and their inner header is from gs0's remote,
# protocol GRE, but to 192.0.2.9, not to gs0's local address.
echo "# tunnel mode: a wrong inner destination"
n ns2 ip addr add 192.0.2.9/32 dev veth2
n ns1 ip link add gs1 type gresec
n ns1 gresec set gs1 local 192.0.2.1 remote 192.0.2.9 key 11
n ns1 ip addr add 198.51.100.5/30 dev gs1
n ns1 sysctl -qw net.ipv6.conf.gs1.disable_ipv6=1
new_keys aes128gcm16
spi=$((0x3001))
# shellcheck disable=SC2046
n ns2 gresec sa add gs0 dir in spi $spi $(gresec_sa_args aes128gcm16 "$KEY" "") mode tunnel
# shellcheck disable=SC2046
n ns1 gresec sa add gs1 dir out spi $spi $(gresec_sa_args aes128gcm16 "$KEY" "") mode tunnel
n ns1 ip link set gs1 up
ping_fails ns1 198.51.100.6
sent=$(sa_counter ns1 gs1 out $spi packets)
expect_ge "$sent" 2 "tunnel-mode packets gs1 sent to 192.0.2.9"
wait_for 50 eval '[ "$(sa_counter ns2 gs0 in $spi drop_tunnel_inner)" -ge "$sent" ]' ||
	fail "drop_tunnel_inner of ns2's SA: $(sa_counter ns2 gs0 in $spi drop_tunnel_inner) of $sent"
expect_eq "$(sa_counter ns2 gs0 in $spi drop_tunnel_inner)" "$sent" \
	"drop_tunnel_inner of ns2's SA: each packet with the wrong inner destination"
expect_eq "$(sa_counter ns2 gs0 in $spi packets)" 0 "packets ns2's SA passed on"
n ns1 gresec show gs0
