#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
# timeout: 600
#
# NAT traversal, ESP in UDP (RFC 3948), with manual keys against Linux's own:
# gresec (left, "sa add ... encap udp", no daemon: the module listens on
# 4500 itself) and ip_gre + xfrm transport mode with "encap espinudp 4500
# 4500 0.0.0.0" (right, where a UDP_ENCAP_ESPINUDP socket stands in for
# charon's).  Per round: pings both ways, TCP with matching hashes, a capture
# with nothing but UDP 4500 carrying ESP on the wire (no protocol 50, no
# plaintext GRE, checksum 0 from gresec), decrypted by tshark; per-SA
# counters against the capture.  The tunnel MTU is 8 bytes below plain
# ESP's.  Then hostile packets (garbage with our SPI from another port,
# truncated ESP in UDP, plain ESP for the UDP SA) are dropped, counted and
# move nothing; and a NAT rebinding (a NAT in front of the peer, tc act_nat,
# changes its outer address, its source port changes and the old port is
# closed) moves the outbound SA, with a mapping event, and traffic goes on
# in a tunnel matched by its SA.  The module's socket goes with the last SA.
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

# encap_socket PORT: on the right, what charon's IKE socket is to xfrm, a UDP
# socket with UDP_ENCAP_ESPINUDP (SOL_UDP 17, UDP_ENCAP 100, value 2) on
# PORT, kept open in the background (ENCAP_PID) until killed (SIGTERM: exit
# 0).
encap_socket() {
	rm -f "/tmp/encap.$1"
	python3 -c '
import signal, socket, sys
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.setsockopt(17, 100, 2)
open("/tmp/encap." + sys.argv[1], "w").close()
signal.pause()' "$1" &
	ENCAP_PID=$!
	wait_for 100 test -e "/tmp/encap.$1" || fail "no ESP-in-UDP socket on port $1"
}

# module_listens: the module's own socket on 4500 (no process owns it).
module_listens() {
	[ -n "$(ss -Hlun 'sport = :4500')" ]
}

# wire: ESP packets this end's SAs sent and received this round.
wire() {
	if [ "$ROLE" = left ]; then
		esp_wire_packets "" gs0 $spi2 $spi1
	else
		ip -s xfrm state | sed -n 's/.*(bytes), *\([0-9]*\)(packets).*/\1/p' |
			awk '{ n += $1 } END { print n + 0 }'
	fi
}

# natt_wire_check PCAP TAG: only ESP in UDP 4500 <-> 4500 crossed, with a
# zero UDP checksum from gresec.
natt_wire_check() {
	local plain udp bad
	plain=$(tcpdump -nr "$1" 'ip proto 47 or ip proto 50' 2>/dev/null | wc -l)
	[ "$plain" = 0 ] || tcpdump -nr "$1" -c 5 'ip proto 47 or ip proto 50' 2>/dev/null
	expect_eq "$plain" 0 "plain ESP or GRE packets on the wire ($2)"
	udp=$(tcpdump -nr "$1" udp 2>/dev/null | wc -l)
	expect_ge "$udp" 12 "ESP-in-UDP packets on the wire ($2)"
	bad=$(tshark_r "$1" -Y udp -T fields -E occurrence=f -e ip.src \
		-e udp.srcport -e udp.dstport -e udp.checksum -e esp.spi 2>/dev/null |
		awk -F'\t' -v l="$LEFT_IP" '
			$2 != 4500 || $3 != 4500 || $5 == "" { print; next }
			$1 == l && $4 != "0x0000" && $4 != "0x00000000" { print }')
	[ -z "$bad" ] && ok "every packet is ESP in UDP 4500 -> 4500, gresec's with checksum 0 ($2)"
	[ -z "$bad" ] || fail "not ESP in UDP 4500 -> 4500, or a checksum from gresec ($2): $bad"
}
LEFT_IP=192.0.2.1

if [ "$ROLE" = left ]; then
	# The MTU pays for the UDP header: one outbound SA each way, same keys.
	new_keys aes128gcm16
	# shellcheck disable=SC2046
	gresec sa add gs0 dir out spi 0x7001 $(gresec_sa_args aes128gcm16 "$KEY")
	mtu_esp=$(cat /sys/class/net/gs0/mtu)
	gresec sa del gs0 dir out spi 0x7001
	# shellcheck disable=SC2046
	gresec sa add gs0 dir out spi 0x7001 $(gresec_sa_args aes128gcm16 "$KEY") encap udp
	mtu_udp=$(cat /sys/class/net/gs0/mtu)
	gresec sa del gs0 dir out spi 0x7001
	expect_eq $((mtu_esp - mtu_udp)) 8 "MTU with ESP in UDP below plain ESP's ($mtu_esp)"
	module_listens && fail "a socket on 4500 before any inbound UDP SA"
	# shellcheck disable=SC2046
	out=$(gresec sa add gs0 dir in spi 0x7003 $(gresec_sa_args aes128gcm16 "$KEY") \
		encap udp peer 192.0.2.9 2>&1) && fail "encap peer of an inbound SA accepted"
	case $out in
	*"only for outbound SAs"*) ok "encap peer of an inbound SA refused: $out" ;;
	*) fail "encap peer of an inbound SA: $out" ;;
	esac
	ok "tunnel MTU $mtu_udp with ESP in UDP, $mtu_esp with plain ESP"
else
	encap_socket 4500
fi

i=0
for combo in aes128-sha256/esn aes128gcm16/; do
	prop=${combo%/*}
	esn=${combo#*/}
	i=$((i + 1))
	tag="$prop${esn:+-esn}"
	echo "# $tag"
	if [ "$ROLE" = left ]; then
		new_keys "$prop"; echo "$KEY $AUTH" > "$SHARE/$TEST_NAME.$i.k1"
		new_keys "$prop"; echo "$KEY $AUTH" > "$SHARE/$TEST_NAME.$i.k2"
	fi
	sync_peer "keys$i"
	read -r k1 a1 < "$SHARE/$TEST_NAME.$i.k1"
	read -r k2 a2 < "$SHARE/$TEST_NAME.$i.k2"
	spi1=$((0x8000 + i)) spi2=$((0x9000 + i))   # left->right, right->left
	if [ "$ROLE" = left ]; then
		# shellcheck disable=SC2046,SC2086
		gresec sa add gs0 dir out spi $spi1 $(gresec_sa_args "$prop" "$k1" "$a1") $esn \
			encap udp sport 4500 dport 4500
		# shellcheck disable=SC2046,SC2086
		gresec sa add gs0 dir in spi $spi2 $(gresec_sa_args "$prop" "$k2" "$a2") $esn \
			encap udp
		module_listens || fail "no socket on UDP 4500 with an inbound UDP SA"
		gresec show gs0 | grep -q "UDP-encapsulated, port 4500 -> 4500" ||
			fail "gresec show: no UDP encapsulation: $(gresec show gs0)"
		[ "$(gresec show gs0 -j | jq -r '.[0].sas[] | select(.dir == "in") | .encap.dport')" = 4500 ] ||
			fail "gresec show -j: no encap: $(gresec show gs0 -j)"
	else
		xfrm_transport_pair $spi1 $spi2 "$prop" "$k1" "$a1" "$k2" "$a2" "$esn" \
			encap espinudp 4500 4500 0.0.0.0
	fi
	sync_peer "keyed$i"
	capture_start "" eth0 "/tmp/natt$i.pcap" 'ip proto 47 or ip proto 50 or udp port 4500'
	wire0=$(wire)
	sync_peer "ready$i"
	if [ "$ROLE" = left ]; then
		ping -q -c 3 -i 0.2 -W 2 "$INNER_PEER" >/dev/null || fail "ping $INNER_PEER ($tag)"
		ping -q -c 3 -i 0.2 -W 2 "$INNER6_PEER" >/dev/null || fail "ping $INNER6_PEER ($tag)"
		ok "gresec pings the native peer over ESP in UDP ($tag)"
	fi
	sync_peer "pinged$i"
	if [ "$ROLE" = right ]; then
		ping -q -c 3 -i 0.2 -W 2 "$INNER_PEER" >/dev/null || fail "native ping ($tag)"
		ok "the native peer pings gresec over ESP in UDP ($tag)"
	fi
	if [ -z "$esn" ]; then
		pair_xfer "x$i" 200000 left 5001
		pair_xfer "y$i" 200000 right 5002
	fi
	sync_peer "traffic$i"
	capture_stop "/tmp/natt$i.pcap" $(($(wire) - wire0))
	natt_wire_check "/tmp/natt$i.pcap" "$tag"
	if [ "$ROLE" = left ]; then
		for d in in out; do
			s=$spi1
			[ $d = in ] && s=$spi2
			n=$(sa_counter "" gs0 $d $s packets)
			expect_ge "$n" 6 "$d SA 0x$(printf %x $s) packets ($tag)"
		done
	fi
	# tshark 4.0 checks no ESN ICV.
	if [ -z "$esn" ]; then
		h1=$(printf '0x%08x' $spi1) h2=$(printf '0x%08x' $spi2)
		esp_decrypt_later "/tmp/natt$i.pcap" "$tag" "$h1 $h2" \
			"$(tshark_sa "192.0.2.1" "192.0.2.2" "$h1" "$prop" "$k1" "$a1")" \
			"$(tshark_sa "192.0.2.2" "192.0.2.1" "$h2" "$prop" "$k2" "$a2")"
	fi
	# The last round's SAs stay for the hostile packets and the rebinding.
	[ "$combo" = aes128gcm16/ ] && break
	if [ "$ROLE" = left ]; then
		gresec sa del gs0 dir out spi $spi1
		gresec sa del gs0 dir in spi $spi2
	else
		ip xfrm state flush
		ip xfrm policy flush
	fi
	sync_peer "done$i"
done
esp_decrypt_check

# encap_col NAME: the dump column of an SA's encapsulation field NAME.
encap_col() {
	local c
	c=$(dump_column SA mappings) || fail "no dump column for mappings"
	case $1 in
	peer) echo $((c + 4)) ;;
	peer_port) echo $((c + 5)) ;;
	esac
}
sa_field() {
	gresec dump dev gs0 | awk -F'\t' -v c="$(encap_col "$3")" -v d="$1" \
		-v s="$(printf '0x%08x' $(($2)))" '$1 == "sa" && $3 == d && $4 == s { print $c }'
}
# shellcheck disable=SC2317 # called through wait_for
counter_ge() { [ "$(sa_counter "" gs0 in "$spi2" "$1")" -ge "$2" ]; }

# Hostile: garbage under the inbound SA's SPI from another port (its
# sequence number ahead, so only the ICV can refuse it), ESP in UDP too short
# for the SA's IV and ICV (shorter than 20 bytes, xfrm4_udp_encap_rcv()
# drops it before any handler sees it), and plain ESP for the
# UDP-encapsulated SA.
sync_peer "hostile"
if [ "$ROLE" = right ]; then
	python3 -c '
import socket, struct, sys
left, spi = sys.argv[1], int(sys.argv[2])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("0.0.0.0", 4502))
u.sendto(struct.pack("!II", spi, 1000000) + bytes(range(64)), (left, 4500))
u.sendto(struct.pack("!II", spi, 1000001) + bytes(12), (left, 4500))
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
r.sendto(struct.pack("!II", spi, 1000002) + bytes(64), (left, 0))
' "$REMOTE" "$spi2" || fail "sending the hostile packets"
else
	wait_for 100 counter_ge drop_icv 1 || fail "garbage under our SPI: no ICV drop"
	wait_for 100 counter_ge drop_bad_length 1 || fail "truncated ESP in UDP: no bad-length drop"
	wait_for 100 counter_ge drop_encap 1 || fail "plain ESP for a UDP SA: no drop_encap"
	expect_eq "$(sa_counter "" gs0 in $spi2 mappings)" 0 "mappings after unauthenticated packets"
	expect_eq "$(sa_field out $spi1 peer_port)" 4500 "outbound peer port after unauthenticated packets"
	expect_eq "$(sa_field out $spi1 peer)" remote "outbound peer after unauthenticated packets"
	ok "hostile ESP in UDP dropped, counted, the mapping unchanged"
fi

# NAT rebinding: a NAT in front of the right (stateless, tc act_nat: its
# ESP in UDP from port 4501 leaves as 192.0.2.3, and what comes to
# 192.0.2.3 is the right's) and the right's source port moves to 4501, where
# nothing listens on 4500 any more: only a tunnel matched by its SA whatever
# the outer addresses, and an outbound SA moved to 192.0.2.3:4501, work.
if [ "$ROLE" = left ]; then
	gresec monitor -j > /tmp/monitor.json &
	mon=$!
	# Subscribed once it reports an SA's coming and going (until then the
	# events go to nobody, so they are repeated).
	# shellcheck disable=SC2317 # called through wait_for
	monitor_ready() {
		# shellcheck disable=SC2046
		gresec sa add gs0 dir in spi 0x7002 $(gresec_sa_args aes128gcm16 "$k2")
		gresec sa del gs0 dir in spi 0x7002
		grep -q deleted /tmp/monitor.json
	}
	wait_for 300 monitor_ready || fail "gresec monitor reported nothing"
else
	kill "$ENCAP_PID"
	wait "$ENCAP_PID" 2>/dev/null
	encap_socket 4501
	ip addr add 192.0.2.3/32 dev eth0
	tc qdisc add dev eth0 clsact
	tc filter add dev eth0 egress protocol ip flower ip_proto udp src_port 4501 \
		action nat egress 192.0.2.2/32 192.0.2.3
	tc filter add dev eth0 ingress protocol ip flower dst_ip 192.0.2.3 \
		action nat ingress 192.0.2.3/32 192.0.2.2
	# shellcheck disable=SC2046
	ip xfrm state update src "$LOCAL" dst "$REMOTE" proto esp spi $spi2 mode transport \
		replay-window 64 $(xfrm_algo aes128gcm16 "$k2" "$a2") \
		encap espinudp 4501 4500 0.0.0.0
fi
sync_peer "rebind"
if [ "$ROLE" = right ]; then
	ping -q -c 3 -i 0.2 -W 2 "$INNER_PEER" >/dev/null || fail "ping after the source port moved"
	ok "the native peer, now from 192.0.2.3 port 4501 through a NAT, pings gresec"
fi
sync_peer "rebound"
if [ "$ROLE" = left ]; then
	ping -q -c 3 -i 0.2 -W 2 "$INNER_PEER" >/dev/null || fail "ping $INNER_PEER after rebinding"
	expect_eq "$(sa_counter "" gs0 in $spi2 mappings)" 1 "NAT mapping changes"
	expect_eq "$(sa_field out $spi1 peer):$(sa_field out $spi1 peer_port)" \
		192.0.2.3:4501 "outbound SA's destination"
	expect_eq "$(sa_field in $spi2 peer):$(sa_field in $spi2 peer_port)" \
		192.0.2.3:4501 "inbound SA's peer"
	wait_for 300 jq -s -e 'any(.[]; .event == "mapping" and .encap.peer == "192.0.2.3" and
		.encap.peer_port == 4501)' \
		/tmp/monitor.json ||
		fail "no mapping event: $(cat /tmp/monitor.json)"
	kill $mon
	ok "NAT rebinding: the outbound SA follows the peer to 192.0.2.3:4501, one mapping event"
	gresec show gs0
	gresec sa del gs0 dir out spi $spi1
	gresec sa del gs0 dir in spi $spi2
	wait_for 100 bash -c "! ss -Hlun 'sport = :4500' | grep -q ." ||
		fail "the module's socket on 4500 outlived the last inbound UDP SA"
	ok "the module's UDP socket closed with the last inbound UDP SA"
fi
sync_peer "end"
if [ "$ROLE" = right ]; then
	kill "$ENCAP_PID"
	tc qdisc del dev eth0 clsact
	ip addr del 192.0.2.3/32 dev eth0
fi
exit 0
