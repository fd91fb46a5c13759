#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
# timeout: 900
#
# GRE over IPsec against Linux's own: gresec (left) and ip_gre + xfrm ESP in
# transport mode with a "proto gre" policy (right), keyed with the same hex,
# every proposal, and ESN on each of its code paths: pings both ways, TCP with matching
# hashes (32-bit sequence numbers), and a capture with ESP only on the wire,
# decrypted by tshark with the keys to GRE (all proposals' captures in one
# run at the end).
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

pair_underlay
if [ "$ROLE" = left ]; then
	load_gresec
	ip link add gs0 type gresec
	gresec set gs0 local "$LOCAL" remote "$REMOTE" key 9
	dev=gs0
else
	modprobe ip_gre
	ip link add gre1 type gre local "$LOCAL" remote "$REMOTE" ttl 64 key 9
	dev=gre1
fi
ip addr add "$INNER/30" dev $dev
ip -6 addr add "$INNER6/64" dev $dev nodad
ip link set $dev up

# wire: the ESP packets this end's SAs sent and received (the round's only
# SAs), what crossed eth0 (capture_stop).
wire() {
	if [ "$ROLE" = left ]; then
		esp_wire_packets "" gs0 $spi2 $spi1
	else
		ip -s xfrm state | sed -n 's/.*(bytes), *\([0-9]*\)(packets).*/\1/p' |
			awk '{ n += $1 } END { print n + 0 }'
	fi
}

i=0
for combo in $ESP_COMBOS; do
	prop=${combo%/*}
	esn=${combo#*/}
	{
		i=$((i + 1))
		tag="$prop${esn:+-esn}"
		echo "# $tag"
		# Keys are made on the left and handed over through the share.
		if [ "$ROLE" = left ]; then
			new_keys "$prop"; echo "$KEY $AUTH" > "$SHARE/$TEST_NAME.$i.k1"
			new_keys "$prop"; echo "$KEY $AUTH" > "$SHARE/$TEST_NAME.$i.k2"
		fi
		sync_peer "keys$i"
		read -r k1 a1 < "$SHARE/$TEST_NAME.$i.k1"
		read -r k2 a2 < "$SHARE/$TEST_NAME.$i.k2"
		spi1=$((0x8000 + i)) spi2=$((0x9000 + i))   # left->right, right->left
		if [ "$ROLE" = left ]; then
			# shellcheck disable=SC2046
			gresec sa add gs0 dir out spi $spi1 $(gresec_sa_args "$prop" "$k1" "$a1") $esn
			# shellcheck disable=SC2046
			gresec sa add gs0 dir in spi $spi2 $(gresec_sa_args "$prop" "$k2" "$a2") $esn
		else
			xfrm_transport_pair $spi1 $spi2 "$prop" "$k1" "$a1" "$k2" "$a2" "$esn"
		fi
		# Both ends keyed before either captures: until the right's policy
		# is in, its own IPv6 chatter (RS, MLD) rightly leaves in plaintext.
		sync_peer "keyed$i"
		capture_start "" eth0 "/tmp/esp$i.pcap" 'ip proto 47 or ip proto 50'
		wire0=$(wire)
		sync_peer "ready$i"
		if [ "$ROLE" = left ]; then
			ping -q -c 3 -i 0.2 -W 2 "$INNER_PEER" >/dev/null || fail "ping $INNER_PEER ($tag)"
			ping -q -c 3 -i 0.2 -W 2 "$INNER6_PEER" >/dev/null || fail "ping $INNER6_PEER ($tag)"
			ok "gresec pings the native peer ($tag)"
		fi
		sync_peer "pinged$i"
		if [ "$ROLE" = right ]; then
			ping -q -c 3 -i 0.2 -W 2 "$INNER_PEER" >/dev/null || fail "native ping ($tag)"
			ok "the native peer pings gresec ($tag)"
		fi
		if [ -z "$esn" ]; then
			pair_xfer "x$i" 200000 left 5001
			pair_xfer "y$i" 200000 right 5002
		fi
		sync_peer "traffic$i"
		capture_stop "/tmp/esp$i.pcap" $(($(wire) - wire0))
		esp_wire_check "/tmp/esp$i.pcap" "$tag"
		# tshark 4.0 checks neither ESN ICVs nor ChaCha20-Poly1305.
		if [ -z "$esn" ] && [ "$prop" != chacha20poly1305 ]; then
			h1=$(printf '0x%08x' $spi1) h2=$(printf '0x%08x' $spi2)
			esp_decrypt_later "/tmp/esp$i.pcap" "$tag" "$h1 $h2" \
				"$(tshark_sa "192.0.2.1" "192.0.2.2" "$h1" "$prop" "$k1" "$a1")" \
				"$(tshark_sa "192.0.2.2" "192.0.2.1" "$h2" "$prop" "$k2" "$a2")"
		fi
		if [ "$ROLE" = left ]; then
			gresec sa del gs0 dir out spi $spi1
			gresec sa del gs0 dir in spi $spi2
		else
			ip xfrm state flush
			ip xfrm policy flush
		fi
		sync_peer "done$i"
	}
done
esp_decrypt_check
if [ "$ROLE" = left ]; then
	gresec show gs0
fi
