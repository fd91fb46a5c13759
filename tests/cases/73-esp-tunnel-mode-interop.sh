#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
# timeout: 450
#
# ESP tunnel mode (issue 18) against Linux's own, as 42-interop-esp does
# transport mode: gresec (left) with "mode tunnel" SAs, ip_gre + xfrm ESP in
# tunnel mode with a "proto gre" policy between the tunnel's endpoints
# (right), keyed with the same hex, one AEAD and one CBC+HMAC proposal:
# the MTU with tunnel mode's overhead (20 bytes more than transport
# mode's), pings both ways, TCP with matching hashes (full-size segments:
# the overhead is right), a capture with ESP only on the wire, which
# tshark decrypts to IPv4 (next header 4) between the endpoints carrying
# GRE.  Then a tunnel-mode packet whose
# inner destination is not gresec's (the native side's second GRE tunnel
# to another address, through an xfrm state for gresec's third inbound
# SA): dropped and counted, as drop_next_header while that SA is in
# transport mode and as drop_tunnel_inner once it is in tunnel mode.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

COMBOS="aes128gcm16 aes128-sha256"

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
# SAs), what crossed eth0 (capture_stop).  The native side captures only
# what it sends: xfrm's tunnel mode hands each decrypted inner packet back
# to eth0's receive path, where tcpdump would see it as plaintext GRE.  The
# left's capture is the wire both ways.
wire() {
	if [ "$ROLE" = left ]; then
		esp_wire_packets "" gs0 $spi2 $spi1
	else
		xfrm_packets $spi2
	fi
}

# xfrm_packets [SPI]: packets of the native side's xfrm states (of one).
xfrm_packets() {
	local get=()
	if [ $# -gt 0 ]; then
		get=(get src "$LOCAL" dst "$REMOTE" proto esp spi "$1")
	fi
	ip -s xfrm state "${get[@]}" |
		sed -n 's/.*(bytes), *\([0-9]*\)(packets).*/\1/p' |
		awk '{ n += $1 } END { print n + 0 }'
}

# ESP overhead of an SA in tunnel mode (the inner IPv4 header, ESP header,
# IV, padding at most, trailer, ICV), as the module computes it.
tunnel_overhead() {
	case $1 in
	aes128gcm16) echo $((20 + 8 + 8 + 3 + 2 + 16)) ;;
	aes128-sha256) echo $((20 + 8 + 16 + 15 + 2 + 16)) ;;
	esac
}

# As esp_decrypt_later/esp_decrypt_check (tests/lib/esp.sh), for tunnel
# mode: one tshark run for every capture, each decrypted ESP packet's next
# header 4 and its inner IPv4 header GRE between the outer addresses.
DEC_PCAPS=()
DEC_ROWS=()
DEC_SETS=()
tunnel_decrypt_check() {
	local all=/tmp/esp-tunnel-decrypt.pcap uat=() row dec set n bad
	[ ${#DEC_PCAPS[@]} -gt 0 ] || return 0
	mergecap -a -w "$all" "${DEC_PCAPS[@]}" || fail "mergecap ${DEC_PCAPS[*]}"
	for row in "${DEC_ROWS[@]}"; do
		uat+=(-o "uat:esp_sa:$row")
	done
	# Every occurrence: the outer header, then the inner one.
	dec=$(tshark_r "$all" -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE "${uat[@]}" \
		-Y esp -T fields -E occurrence=a -E aggregator=, \
		-e esp.spi -e esp.protocol -e ip.proto -e ip.src -e ip.dst \
		2>/dev/null)
	for set in "${DEC_SETS[@]}"; do
		read -r n bad <<< "$(awk -F'\t' -v s=" ${set%%|*} " '
			index(s, " " $1 " ") {
				n++
				split($3, p, ","); split($4, src, ","); split($5, dst, ",")
				if ($2 != "0x04" || p[1] != 50 || p[2] != 47 ||
				    src[2] != src[1] || dst[2] != dst[1]) {
					bad++
					if (bad <= 3)
						print "undecrypted or not IP | GRE: " $0 > "/dev/stderr"
				}
			}
			END { print n + 0, bad + 0 }' <<< "$dec")"
		expect_ge "$n" 12 "ESP packets tshark decrypted (${set#*|})"
		expect_eq "$bad" 0 "ESP packets tshark did not decrypt to IPv4 | GRE between the endpoints (${set#*|})"
	done
}

# The device MTU with an outbound SA: the underlay's, less the outer IPv4
# header, GRE with a key (8) and the SA's overhead.
link_mtu=$(cat /sys/class/net/eth0/mtu)

i=0
for prop in $COMBOS; do
	{
		i=$((i + 1))
		tag="$prop-tunnel"
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
			gresec sa add gs0 dir in spi $spi2 $(gresec_sa_args "$prop" "$k2" "$a2") mode tunnel
			# shellcheck disable=SC2046
			gresec sa add gs0 dir out spi $spi1 $(gresec_sa_args "$prop" "$k1" "$a1") mode tunnel
			expect_eq "$(gresec show gs0 -j | jq -r --arg s $spi1 '.[0].sas[] |
				select(.spi == ($s | tonumber)) | .mode')" tunnel "mode in JSON ($tag)"
			grep -q 'in use settings = {Tunnel}' <<< "$(gresec show gs0)" ||
				fail "gresec show: no tunnel-mode SA ($tag)"
			expect_eq "$(cat /sys/class/net/gs0/mtu)" \
				$((link_mtu - 20 - 8 - $(tunnel_overhead "$prop"))) \
				"MTU with the tunnel-mode SA ($tag; underlay $link_mtu)"
		else
			# shellcheck disable=SC2046
			ip xfrm state add src "$REMOTE" dst "$LOCAL" proto esp spi $spi1 mode tunnel \
				replay-window 64 $(xfrm_algo "$prop" "$k1" "$a1")
			# shellcheck disable=SC2046
			ip xfrm state add src "$LOCAL" dst "$REMOTE" proto esp spi $spi2 mode tunnel \
				replay-window 64 $(xfrm_algo "$prop" "$k2" "$a2")
			ip xfrm policy add src "$LOCAL" dst "$REMOTE" proto gre dir out \
				tmpl src "$LOCAL" dst "$REMOTE" proto esp spi $spi2 mode tunnel
			ip xfrm policy add src "$REMOTE" dst "$LOCAL" proto gre dir in \
				tmpl src "$REMOTE" dst "$LOCAL" proto esp mode tunnel
		fi
		# Both ends keyed before either captures (see 42-interop-esp).
		sync_peer "keyed$i"
		qout=()
		[ "$ROLE" = right ] && qout=(-Q out)
		capture_start "" eth0 "/tmp/esp$i.pcap" 'ip proto 47 or ip proto 50' "${qout[@]}"
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
		pair_xfer "x$i" 200000 left 5001
		pair_xfer "y$i" 200000 right 5002
		sync_peer "traffic$i"
		capture_stop "/tmp/esp$i.pcap" $(($(wire) - wire0))
		esp_wire_check "/tmp/esp$i.pcap" "$tag"
		h1=$(printf '0x%08x' $spi1) h2=$(printf '0x%08x' $spi2)
		DEC_PCAPS+=("/tmp/esp$i.pcap")
		DEC_SETS+=("$h1 $h2|$tag")
		DEC_ROWS+=("$(tshark_sa "192.0.2.1" "192.0.2.2" "$h1" "$prop" "$k1" "$a1")"
			"$(tshark_sa "192.0.2.2" "192.0.2.1" "$h2" "$prop" "$k2" "$a2")")
		if [ "$ROLE" = left ]; then
			expect_eq "$(sa_counter "" gs0 in $spi2 drop_tunnel_inner)" 0 \
				"drop_tunnel_inner of the native peer's SA ($tag)"
			expect_eq "$(sa_counter "" gs0 in $spi2 drop_next_header)" 0 \
				"drop_next_header of the native peer's SA ($tag)"
			gresec sa del gs0 dir out spi $spi1
			gresec sa del gs0 dir in spi $spi2
		else
			ip xfrm state flush
			ip xfrm policy flush
		fi
		sync_peer "done$i"
	}
done
tunnel_decrypt_check

# A tunnel-mode packet whose inner destination is not gresec's: the native
# side's gre2 goes to 203.0.113.9, and its GRE packets leave in tunnel mode
# to gresec through SPI 0xa000, so their inner header is from the right
# address, protocol GRE, to the wrong one.  Its IPv6 stays off: only the
# pings below go that way.
spi3=$((0xa000))
prop=aes128gcm16
if [ "$ROLE" = left ]; then
	new_keys "$prop"; echo "$KEY" > "$SHARE/$TEST_NAME.k3"
fi
sync_peer "keys-bad"
read -r k3 < "$SHARE/$TEST_NAME.k3"
if [ "$ROLE" = left ]; then
	# Transport mode first: next header 4 is not its.
	# shellcheck disable=SC2046
	gresec sa add gs0 dir in spi $spi3 $(gresec_sa_args "$prop" "$k3" "")
else
	ip link add gre2 type gre local "$LOCAL" remote 203.0.113.9 ttl 64 key 9
	sysctl -qw net.ipv6.conf.gre2.disable_ipv6=1
	ip addr add 198.51.100.9/30 dev gre2
	ip link set gre2 up
	ip route add 203.0.113.9/32 dev eth0
	# shellcheck disable=SC2046
	ip xfrm state add src "$LOCAL" dst "$REMOTE" proto esp spi $spi3 mode tunnel \
		replay-window 64 $(xfrm_algo "$prop" "$k3" "")
	ip xfrm policy add src "$LOCAL" dst 203.0.113.9 proto gre dir out \
		tmpl src "$LOCAL" dst "$REMOTE" proto esp spi $spi3 mode tunnel
fi

# sa_counter_ge SPI COUNTER N: the inbound SA's COUNTER is N or more.
sa_counter_ge() {
	[ "$(sa_counter "" gs0 in "$1" "$2")" -ge "$3" ]
}

# bad_round NAME COUNTER: the right sends 3 pings through gre2 (no answer
# can come) and publishes what its xfrm state sent; the left sees exactly
# that many more counted as COUNTER on SA 0xa000, none delivered.
bad_round() {
	local sent sent0 before=0
	if [ "$ROLE" = left ]; then
		before=$(sa_counter "" gs0 in $spi3 "$2")
	fi
	sync_peer "bad-$1-ready"
	if [ "$ROLE" = right ]; then
		sent0=$(xfrm_packets $spi3)
		ping -q -c 3 -i 0.2 -W 1 198.51.100.10 >/dev/null &&
			fail "a ping through gre2 was answered ($1)"
		echo $(($(xfrm_packets $spi3) - sent0)) > "$SHARE/$TEST_NAME.bad-$1"
	fi
	sync_peer "bad-$1-sent"
	if [ "$ROLE" = left ]; then
		sent=$(cat "$SHARE/$TEST_NAME.bad-$1")
		expect_ge "$sent" 3 "tunnel-mode packets the native side sent on SPI $spi3 ($1)"
		wait_for 50 sa_counter_ge $spi3 "$2" $((before + sent)) ||
			fail "$2 of SA $spi3: $(sa_counter "" gs0 in $spi3 "$2") of $before + $sent ($1)"
		expect_eq $(($(sa_counter "" gs0 in $spi3 "$2") - before)) "$sent" \
			"$2 of SA $spi3: each bad packet ($1)"
		expect_eq "$(sa_counter "" gs0 in $spi3 packets)" 0 \
			"packets SA $spi3 passed on ($1)"
	fi
}

bad_round transport drop_next_header
if [ "$ROLE" = left ]; then
	expect_eq "$(sa_counter "" gs0 in $spi3 drop_tunnel_inner)" 0 \
		"drop_tunnel_inner of the transport-mode SA"
	gresec sa del gs0 dir in spi $spi3
	# shellcheck disable=SC2046
	gresec sa add gs0 dir in spi $spi3 $(gresec_sa_args "$prop" "$k3" "") mode tunnel
fi
bad_round tunnel drop_tunnel_inner
if [ "$ROLE" = left ]; then
	expect_eq "$(sa_counter "" gs0 in $spi3 drop_next_header)" 0 \
		"drop_next_header of the tunnel-mode SA"
	expect_eq "$(gresec show gs0 -j | jq --arg s $spi3 '.[0].sas[] |
		select(.spi == ($s | tonumber)) | .stats.drop_tunnel_inner')" \
		"$(sa_counter "" gs0 in $spi3 drop_tunnel_inner)" "drop_tunnel_inner: JSON = dump"
fi
sync_peer "end"
if [ "$ROLE" = left ]; then
	gresec show gs0
fi
