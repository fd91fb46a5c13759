#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
# timeout: 900
#
# NAT traversal keyed by IKE against a stock strongSwan peer.  Left: the
# gresec end and its charon (kernel-gresec) in network namespace "site"
# (10.1.0.2), behind the VM's own namespace as its router (192.0.2.1 on
# the wire); right: stock charon, ip_gre and Linux xfrm (192.0.2.2).
#
#   nat-left:  the router masquerades the site (nft, random ports): both
#              charons detect the NAT and negotiate ESP in UDP 4500; ping
#              and TCP (matching hashes) both ways; on the wire only UDP
#              with the right's port 4500 (no protocol 50, no plaintext
#              GRE).  Then the NAT's conntrack table is flushed: the
#              site's next packet leaves from another port, the right's
#              xfrm and charon follow the mapping (RFC 3948 2.2) and
#              traffic recovers on the same IKE_SA and CHILD_SA.
#   forced:    no NAT (plain routing), encap = yes on the left: ESP in
#              UDP 4500 <-> 4500 all the same.
#   nat-right: the right masquerades its own IKE and ESP-in-UDP (a NAPT
#              in front of the stock peer, which initiates).  The NAT
#              comes back with another public address (192.0.2.3) and
#              forgets its mappings: gresec sees the peer move, counts a
#              mapping, sends its outbound SA there and tells charon
#              (kernel->mapping()), which updates the IKE_SA and the
#              CHILD_SA's SAs in place (update_sa) instead of rekeying:
#              same unique id, same SPIs.  Then a rekey: the new SAs,
#              for an address that is not gs0's remote, go to gs0 by
#              the CHILD_SA's reqid.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"
. "$REPO/tests/lib/ike.sh"

ike_require
pair_underlay
SITE=site
SITE_IP=10.1.0.2
PSK="natt-test-psk-0123456789abcdef"
trap charon_stop EXIT

if [ "$ROLE" = left ]; then
	sysctl -qw net.ipv4.ip_forward=1
	ip netns add $SITE
	ip link add rt0 type veth peer name st0 netns $SITE
	ip addr add 10.1.0.1/24 dev rt0
	ip link set rt0 up
	n $SITE ip link set lo up
	n $SITE ip addr add $SITE_IP/24 dev st0
	n $SITE ip link set st0 up
	n $SITE ip route add default via 10.1.0.1
	load_gresec
	charon_start gresec $SITE
	n $SITE ip link add gs0 type gresec
	# Fail-closed before IKE runs: nothing leaves in plaintext.
	n $SITE gresec set gs0 local $SITE_IP remote "$REMOTE" protection required
	n $SITE ip addr add "$INNER/30" dev gs0
	n $SITE ip link set gs0 up
	ex=(ip netns exec "$SITE")
	PAIR_NS=$SITE
else
	charon_start stock ""
	modprobe ip_gre
	ip link add gre1 type gre local "$LOCAL" remote "$REMOTE" ttl 64
	ip addr add "$INNER/30" dev gre1
	ip link set gre1 up
	ex=()
fi

# nat_on SADDR-MATCH: masquerade (random ports, so that a new mapping
# means a new port) what leaves eth0 and matches; nat_off: no NAT.
nat_on() {
	modprobe nft_masq
	nft -f - << EOF
table ip natt {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" $1 meta l4proto udp masquerade to :20000-60000 random
	}
}
EOF
}
nat_off() {
	nft delete table ip natt
	conntrack -F 2> /dev/null || true
}

# conf FILE LOCAL REMOTE [CONN-OPTION]: the swanctl.conf of this end.
conf() {
	cat > "$1" << EOF
connections {
	natt {
		version = 2
		local_addrs = $2
		remote_addrs = $3
		proposals = aes128-sha256-modp2048
		${4:-}
		local {
			auth = psk
			id = $ROLE.gresec.test
		}
		remote {
			auth = psk
			id = $PEER.gresec.test
		}
		children {
			gre {
				mode = transport
				local_ts = dynamic[gre]
				remote_ts = dynamic[gre]
				esp_proposals = aes128gcm16
			}
		}
	}
}
secrets {
	ike-natt {
		id-1 = left.gresec.test
		id-2 = right.gresec.test
		secret = "$PSK"
	}
}
EOF
}

# sa_col DIR SPI NAME: a column of gs0's SA of "gresec dump" (left): a
# counter or, after "mappings", the encapsulation's peer and peer port.
sa_col() {
	local c
	case $3 in
	peer | peer_port)
		c=$(dump_column SA mappings)
		c=$((c + 4))
		[ "$3" = peer_port ] && c=$((c + 1))
		;;
	*) c=$(dump_column SA "$3") || fail "no dump column for $3" ;;
	esac
	"${ex[@]}" gresec dump dev gs0 | awk -F'\t' -v c="$c" -v d="$1" -v s="0x$2" \
		'$1 == "sa" && $3 == d && $4 == s { print $c }'
}

# xfrm_encap_sport SRC: the right's xfrm SA from SRC, its encap sport.
xfrm_encap_sport() {
	ip xfrm state list src "$1" | sed -n 's/.*encap type espinudp sport \([0-9]*\) .*/\1/p'
}

# log_mark / log_since: charon's log from the last mark on.
log_mark() { LOG0=$(wc -l < $IKE/charon.log); }
log_since() { tail -n +$((LOG0 + 1)) $IKE/charon.log; }

# up_case TAG INITIATOR: load $IKE/TAG.conf, INITIATOR initiates, both
# wait for the CHILD_SA in ESP in UDP; SPIN/SPOUT/HEAD are this end's.
up_case() {
	log_mark
	ike_load "$IKE/$1.conf" "$1"
	sync_peer "$1.loaded"
	[ "$ROLE" = "$2" ] && ike_initiate natt "$1"
	wait_for 1800 child_up natt TRANSPORT-in-UDP ||
		{ swanctl --list-sas; fail "$1: no CHILD_SA in UDP"; }
	swanctl --list-sas --ike natt 2> /dev/null
	SPIN=$(child_spi natt in) SPOUT=$(child_spi natt out) HEAD=$(ike_head natt)
	echo "$SPIN $SPOUT" > "$SHARE/$TEST_NAME.$ROLE.$1.spi"
	sync_peer "$1.up"
	read -r p_in p_out < "$SHARE/$TEST_NAME.$PEER.$1.spi"
	expect_eq "$SPIN/$SPOUT" "$p_out/$p_in" "$1: SPIs in/out here = out/in of the peer"
	ok "$1: CHILD_SA installed in UDP ($ROLE)"
	if [ "$ROLE" = left ]; then
		"${ex[@]}" gresec show gs0
		expect_eq "$("${ex[@]}" ip xfrm state | grep -c '^src')" 0 "$1: xfrm states on the gresec end"
		"${ex[@]}" gresec show gs0 | grep -q "UDP-encapsulated, port 4500 -> " ||
			fail "$1: gresec show: no UDP encapsulation"
		expect_eq "$("${ex[@]}" gresec dump dev gs0 | grep -c '^sa')" 2 "$1: SAs on gs0"
		# ESP in UDP comes through charon's socket (enable_udp_decap):
		# the module opened none of its own on the port.
		expect_eq "$("${ex[@]}" ss -Hlunp 'sport = :4500' | grep -vc charon)" 0 \
			"$1: sockets on UDP 4500 not charon's"
	fi
}

# traffic TAG: pings both ways, TCP both ways with matching hashes.
traffic() {
	if [ "$ROLE" = left ]; then
		"${ex[@]}" ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$1: ping $INNER_PEER"
		ok "$1: gresec pings the native peer"
	fi
	sync_peer "$1.pinged"
	if [ "$ROLE" = right ]; then
		ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$1: ping $INNER_PEER"
		ok "$1: the native peer pings gresec"
	fi
	pair_xfer "$1.x" 200000 left 5001
	pair_xfer "$1.y" 200000 right 5002
}

# wire_start TAG / wire_check TAG PORTS: a capture on the right's eth0 of
# the traffic between the ends; then no protocol 50, no plaintext GRE,
# every UDP packet with the right's port 4500 (PORTS=both: both ports
# 4500), and ESP in it (not the non-ESP marker of IKE).
wire_start() {
	if [ "$ROLE" = right ]; then
		WIRE0=$(ip -s xfrm state | sed -n 's/.*(bytes), *\([0-9]*\)(packets).*/\1/p' |
			awk '{ n += $1 } END { print n + 0 }')
		capture_start "" eth0 "$IKE/$1.pcap" 'ip proto 47 or ip proto 50 or udp'
	fi
	sync_peer "$1.capturing"
}
wire_check() {
	local pcap=$IKE/$1.pcap plain other esp n
	sync_peer "$1.traffic"
	[ "$ROLE" = right ] || return 0
	n=$(ip -s xfrm state | sed -n 's/.*(bytes), *\([0-9]*\)(packets).*/\1/p' |
		awk '{ n += $1 } END { print n + 0 }')
	capture_stop "$pcap" $((n - WIRE0))
	plain=$(tcpdump -nr "$pcap" 'ip proto 47 or ip proto 50' 2> /dev/null | wc -l)
	[ "$plain" = 0 ] || tcpdump -nr "$pcap" -c 5 'ip proto 47 or ip proto 50' 2> /dev/null
	expect_eq "$plain" 0 "$1: protocol 50 or plaintext GRE packets on the wire"
	if [ "$2" = both ]; then
		other=$(tcpdump -nr "$pcap" 'udp and not (src port 4500 and dst port 4500)' 2> /dev/null | wc -l)
	else
		other=$(tcpdump -nr "$pcap" "udp and not ((src host $LOCAL and src port 4500) or
			(dst host $LOCAL and dst port 4500))" 2> /dev/null | wc -l)
	fi
	[ "$other" = 0 ] || tcpdump -nr "$pcap" -c 5 'udp' 2> /dev/null
	expect_eq "$other" 0 "$1: UDP packets not on 4500 ($2)"
	# ESP in UDP: the first 4 bytes (the SPI) are not zero.
	esp=$(tcpdump -nr "$pcap" 'udp and udp[8:4] != 0 and udp[4:2] > 40' 2> /dev/null | wc -l)
	expect_ge "$esp" 100 "$1: ESP-in-UDP packets on the wire"
}

# --- nat-left ------------------------------------------------------------------
echo "# nat-left: the gresec end behind a NAPT"
if [ "$ROLE" = left ]; then
	nat_on "ip saddr 10.1.0.0/24"
	conf $IKE/nat-left.conf $SITE_IP "$REMOTE"
else
	conf $IKE/nat-left.conf "$LOCAL" "$REMOTE"
fi
up_case nat-left left
if [ "$ROLE" = left ]; then
	log_since | grep -m1 'local host is behind NAT' || fail "nat-left: charon did not see the NAT"
	expect_eq "$(ike_endpoint natt local)" "${SITE_IP}[4500]" "nat-left: IKE_SA local endpoint"
	expect_eq "$(sa_col out "$SPOUT" peer):$(sa_col out "$SPOUT" peer_port)" "$REMOTE:4500" \
		"nat-left: outbound SA's peer"
else
	log_since | grep -m1 'remote host is behind NAT' || fail "nat-left: charon did not see the NAT"
	NATPORT=$(xfrm_encap_sport "$REMOTE")
	[ -n "$NATPORT" ] && [ "$NATPORT" -ge 20000 ] ||
		{ ip xfrm state; fail "nat-left: the right's xfrm SA from $REMOTE has no NAT port"; }
	expect_eq "$(ike_endpoint natt remote)" "${REMOTE}[$NATPORT]" "nat-left: IKE_SA remote endpoint"
fi
wire_start nat-left
traffic nat-left
wire_check nat-left right

# The NAT forgets its mappings: the site's next packet leaves from
# another port.  The left sends first (nothing reaches it through the NAT
# before), until the right, told by its xfrm, answers there.
sync_peer "nat-left.flush"
if [ "$ROLE" = left ]; then
	conntrack -F
	wait_for 600 "${ex[@]}" ping -q -c 1 -W 1 "$INNER_PEER" ||
		fail "nat-left: no ping after the NAT lost its mapping"
	ok "nat-left: gresec pings the native peer after the NAT flush"
else
	# shellcheck disable=SC2317 # called through wait_for
	moved() { [ "$(xfrm_encap_sport "$REMOTE")" != "$NATPORT" ]; }
	wait_for 600 moved || { ip xfrm state; fail "nat-left: the right's SA did not follow the NAT"; }
	newport=$(xfrm_encap_sport "$REMOTE")
	log_since | grep -m1 "NAT mappings of CHILD_SA ESP/0x$SPIN/$LOCAL changed to ${REMOTE}\[$newport\]" ||
		fail "nat-left: no mapping change in the right's charon log"
	wait_for 300 eval '[ "$(ike_endpoint natt remote)" = "${REMOTE}[$newport]" ]' ||
		fail "nat-left: IKE_SA remote endpoint $(ike_endpoint natt remote), want ${REMOTE}[$newport]"
	ok "nat-left: the NAT moved the left from port $NATPORT to $newport, the right followed"
fi
sync_peer "nat-left.moved"
traffic nat-left-after
expect_eq "$(ike_head natt)" "$HEAD" "nat-left: the IKE_SA after the rebinding"
expect_eq "$(child_spi natt in)/$(child_spi natt out)" "$SPIN/$SPOUT" "nat-left: the CHILD_SA's SPIs after the rebinding"
# Both ends read the IKE_SA before the left closes it.
sync_peer "nat-left.checked"
[ "$ROLE" = left ] && ike_terminate natt nat-left
wait_for 600 child_gone natt || fail "nat-left: CHILD_SA not closed"
sync_peer "nat-left.closed"
if [ "$ROLE" = left ]; then
	expect_eq "$("${ex[@]}" gresec dump dev gs0 | grep -c '^sa')" 0 "nat-left: SAs left on gs0"
	nat_off
else
	# No NAT from here on: the site is routed, and is the GRE peer.
	ip route add 10.1.0.0/24 via "$REMOTE"
	ip tunnel change gre1 remote $SITE_IP
	conntrack -F 2> /dev/null || true
fi

# --- forced ------------------------------------------------------------------
echo "# forced: no NAT, encap = yes on the left"
if [ "$ROLE" = left ]; then
	conf $IKE/forced.conf $SITE_IP "$REMOTE" "encap = yes"
else
	conf $IKE/forced.conf "$LOCAL" $SITE_IP
fi
up_case forced left
wire_start forced
traffic forced
wire_check forced both
[ "$ROLE" = left ] && ike_terminate natt forced
wait_for 600 child_gone natt || fail "forced: CHILD_SA not closed"
sync_peer "forced.closed"

# --- nat-right -----------------------------------------------------------------
echo "# nat-right: a NAPT in front of the stock peer, which initiates"
if [ "$ROLE" = left ]; then
	conf $IKE/nat-right.conf $SITE_IP "$REMOTE"
else
	nat_on "ip saddr $LOCAL udp sport { 500, 4500 }"
	conf $IKE/nat-right.conf "$LOCAL" $SITE_IP
fi
up_case nat-right right
if [ "$ROLE" = left ]; then
	log_since | grep -m1 'remote host is behind NAT' || fail "nat-right: charon did not see the NAT"
	port0=$(sa_col out "$SPOUT" peer_port)
	expect_eq "$(ike_endpoint natt remote)" "${REMOTE}[$port0]" "nat-right: IKE_SA remote endpoint = outbound SA's peer"
fi
traffic nat-right
sync_peer "nat-right.flush"
NEWPUB=192.0.2.3
if [ "$ROLE" = right ]; then
	ip addr add $NEWPUB/32 dev eth0
	nft flush chain ip natt post
	nft add rule ip natt post oifname "eth0" ip saddr "$LOCAL" udp sport '{ 500, 4500 }' \
		snat to $NEWPUB:20000-60000 random
	conntrack -F
	ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "nat-right: ping after the NAT flush"
	ok "nat-right: the native peer pings gresec from its new address and port"
else
	# shellcheck disable=SC2317 # called through wait_for
	moved() { [ "$(sa_col out "$SPOUT" peer)" = $NEWPUB ]; }
	wait_for 600 moved || { "${ex[@]}" gresec show gs0; fail "nat-right: gresec's outbound SA did not follow the NAT"; }
	port1=$(sa_col out "$SPOUT" peer_port)
	expect_eq "$(sa_col in "$SPIN" peer):$(sa_col in "$SPIN" peer_port)" "$NEWPUB:$port1" \
		"nat-right: the inbound SA's peer"
	expect_ge "$(sa_col in "$SPIN" mappings)" 1 "nat-right: mappings counted by the inbound SA"
	wait_for 300 eval 'log_since | grep "gresec: NAT mappings of ESP CHILD_SA with SPI $SPIN changed to ${NEWPUB}\[$port1\]"' ||
		fail "nat-right: no mapping event from gresec in charon's log"
	wait_for 300 eval 'log_since | grep "NAT mappings of CHILD_SA ESP/0x$SPIN/$SITE_IP changed to ${NEWPUB}\[$port1\]"' ||
		fail "nat-right: charon did not take gresec's mapping event"
	# charon's update of the CHILD_SA, done in place by kernel-gresec
	wait_for 300 eval 'log_since | grep "gresec: outbound SA with SPI $SPOUT follows the peer to ${NEWPUB}\[$port1\]"' ||
		fail "nat-right: kernel-gresec did not update the outbound SA in place"
	wait_for 300 eval '[ "$(ike_endpoint natt remote)" = "${NEWPUB}[$port1]" ]' ||
		fail "nat-right: IKE_SA remote endpoint $(ike_endpoint natt remote), want ${NEWPUB}[$port1]"
	ok "nat-right: the NAT moved the peer from ${REMOTE}[$port0] to ${NEWPUB}[$port1]: gresec and charon followed"
	"${ex[@]}" gresec show gs0
fi
sync_peer "nat-right.moved"
traffic nat-right-after
expect_eq "$(ike_head natt)" "$HEAD" "nat-right: the IKE_SA after the rebinding"
expect_eq "$(child_spi natt in)/$(child_spi natt out)" "$SPIN/$SPOUT" "nat-right: the CHILD_SA's SPIs after the rebinding"
if [ "$ROLE" = left ]; then
	expect_eq "$("${ex[@]}" gresec dump dev gs0 | awk -F'\t' '$1 == "sa" { printf "%s %s ", $3, $4 }')" \
		"in 0x$SPIN out 0x$SPOUT " "nat-right: gs0 still holds the CHILD_SA's SAs"
fi

# A rekey after the move: the new SAs' addresses are the IKE_SA's,
# $NEWPUB, which is not gs0's remote.
sync_peer "nat-right.rekey"
log_mark
[ "$ROLE" = right ] && { swanctl --rekey --ike natt --child gre > /dev/null || fail "nat-right: swanctl --rekey"; }
# shellcheck disable=SC2317 # called through wait_for
rekeyed() { [ "$(child_spi natt in)" != "$SPIN" ] && child_up natt TRANSPORT-in-UDP; }
wait_for 900 rekeyed || { swanctl --list-sas; fail "nat-right: CHILD_SA not rekeyed"; }
SPIN=$(child_spi natt in) SPOUT=$(child_spi natt out)
if [ "$ROLE" = left ]; then
	# shellcheck disable=SC2317 # called through wait_for
	only_new() {
		[ "$("${ex[@]}" gresec dump dev gs0 | awk -F'\t' '$1 == "sa" { print $3, $4 }' | sort | tr '\n' ' ')" = \
			"in 0x$SPIN out 0x$SPOUT " ]
	}
	wait_for 600 only_new || { "${ex[@]}" gresec dump dev gs0; fail "nat-right: gs0 does not hold the rekeyed SAs only"; }
	log_since | grep -m1 "gresec: SA of reqid [0-9]* goes to ifindex" ||
		fail "nat-right: the rekeyed SAs did not go to gs0 by their reqid"
	expect_eq "$(sa_col out "$SPOUT" peer):$(sa_col out "$SPOUT" peer_port)" "$NEWPUB:$port1" \
		"nat-right: the rekeyed outbound SA's peer"
	ok "nat-right: rekeyed after the move, gs0 holds in 0x$SPIN out 0x$SPOUT"
fi
sync_peer "nat-right.rekeyed"
traffic nat-right-rekeyed
expect_eq "$(ike_head natt)" "$HEAD" "nat-right: the IKE_SA after the rekey"
# Both ends read the IKE_SA before the right closes it.
sync_peer "nat-right.checked"
[ "$ROLE" = right ] && ike_terminate natt nat-right
wait_for 600 child_gone natt || fail "nat-right: CHILD_SA not closed"
sync_peer "nat-right.closed"
if [ "$ROLE" = right ]; then
	nat_off
	ip addr del $NEWPUB/32 dev eth0
fi
exit 0
