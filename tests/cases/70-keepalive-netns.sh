#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 400
#
# Cisco-compatible GRE keepalives between two gresec ends (issue 18), plain
# GRE with a key, then under ESP: ns1 sends keepalives every second, ns2
# reflects them; when ns2's tunnel is deleted, ns1's carrier goes off
# within PERIOD x RETRIES (+1 period), a static route with a higher metric
# (the underlay) takes the traffic, and both come back when the tunnel
# returns.  'nokeepalive' turns the carrier on.  Under ESP no keepalive
# crosses in plaintext (ns1 drops plaintext GRE and counts it; none is),
# and "gresec monitor" prints the carrier's going off and coming back.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

PERIOD=1
RETRIES=3

# carrier NS: "on" or "off", as ip link says it (NO-CARRIER).
carrier() {
	if ip netns exec "$1" ip -o link show dev gs0 | grep -q NO-CARRIER; then
		echo off
	else
		echo on
	fi
}

carrier_is() {
	[ "$(carrier "$1")" = "$2" ]
}

# wait_carrier NS on|off TENTHS: waits, then prints the seconds it took.
wait_carrier() {
	local t0 t1
	t0=$(date +%s.%N)
	wait_for "$3" carrier_is "$1" "$2" || fail "$1: carrier still $(carrier "$1") after $(($3 / 10)) s, want $2"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }'
}

ka_state() {
	ip netns exec "$1" gresec show gs0 -j | jq -r '.[0].keepalive_state'
}

counter_ge() {
	[ "$(tun_counter "$1" gs0 "$2")" -ge "$3" ]
}

# peer_tunnel_add [gresec set options]: ns2's end of the tunnel (again).
peer_tunnel_add() {
	n ns2 ip link add gs0 type gresec
	n ns2 gresec set gs0 local 192.0.2.2 remote 192.0.2.1 key 5 "$@"
	n ns2 ip addr add 198.51.100.2/30 dev gs0
	n ns2 ip link set gs0 up
}

# route_dev: the device ns1 routes 203.0.113.2 through.
route_dev() {
	ip netns exec ns1 ip -o route get 203.0.113.2 | sed -n 's/.* dev \([^ ]*\).*/\1/p'
}

route_is() {
	[ "$(route_dev)" = "$1" ]
}

# down_up SETUP...: delete ns2's tunnel, see ns1's carrier go off and the
# backup route take over, then SETUP (ns2's tunnel again) brings it back.
down_up() {
	local tag=$1 took
	shift
	n ns2 ip link del gs0
	took=$(wait_carrier ns1 off 300)
	echo "carrier off $took s after the peer's tunnel went ($tag)"
	# It must not go before RETRIES keepalives were missed: the last one
	# that came back was at most one period before the deletion.
	awk -v t="$took" -v min=$(((RETRIES - 1) * PERIOD)) 'BEGIN { exit !(t >= min) }' ||
		fail "carrier went off after $took s, before $RETRIES keepalives could be missed ($tag)"
	ok "carrier off after $took s ($tag; PERIOD x RETRIES + 1 period = $((PERIOD * (RETRIES + 1))) s unloaded)"
	expect_eq "$(ka_state ns1)" down "keepalive state ($tag)"
	# 6.1 says the layer below is down; from 6.9 on the core says so only
	# when the lower device lost its carrier, and a tunnel has none.
	os=$(ip netns exec ns1 cat /sys/class/net/gs0/operstate)
	case $os in
	lowerlayerdown | down) ok "operstate $os ($tag)" ;;
	*) fail "operstate $os with the carrier off ($tag)" ;;
	esac
	wait_for 100 route_is veth1 || fail "route to 203.0.113.2 still via $(route_dev) with the carrier off ($tag)"
	ok "route to 203.0.113.2 via the backup (veth1) ($tag)"
	ping_ok ns1 203.0.113.2

	"$@"
	took=$(wait_carrier ns1 on 300)
	ok "carrier on $took s after the peer's tunnel came back ($tag)"
	expect_eq "$(ka_state ns1)" up "keepalive state ($tag)"
	wait_for 100 route_is gs0 || fail "route to 203.0.113.2 via $(route_dev) with the carrier on ($tag)"
	ok "route to 203.0.113.2 via gs0 again ($tag)"
	ping_ok ns1 -I 198.51.100.1 203.0.113.2
}

load_gresec
# On failure, what both ends say (an end may be gone).
show_both() {
	local ns
	for ns in ns1 ns2; do
		ip netns exec $ns gresec show gs0 2>&1
	done
}
trap '[ $? = 0 ] || show_both' EXIT
netns_pair_setup key 5
# Linux uses routes through a device without carrier unless told not to.
n ns1 sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=1
n ns2 ip link add stub0 type dummy
n ns2 ip addr add 203.0.113.2/32 dev stub0
n ns2 ip link set stub0 up
n ns1 ip route add 203.0.113.2/32 dev gs0 metric 10
n ns1 ip route add 203.0.113.2/32 via 192.0.2.2 dev veth1 metric 20
route_is gs0 || fail "route to 203.0.113.2 via $(route_dev), want gs0"

# Refused without a local address, and bad values by the CLI.
if out=$(ip netns exec ns1 gresec set gs0 local any keepalive 1 3 2>&1); then
	fail "keepalive without a local address was accepted"
fi
grep -q "needs a local address" <<< "$out" || fail "keepalive without local: '$out'"
ok "keepalive without a local address refused: $out"
for bad in "0 3" "1 0" "32768 3" "1 256"; do
	# shellcheck disable=SC2086
	if ip netns exec ns1 gresec set gs0 keepalive $bad 2>/dev/null; then
		fail "keepalive $bad accepted"
	fi
done
ok "keepalive 0 3, 1 0, 32768 3, 1 256 refused"
expect_eq "$(ka_state ns1)" off "keepalive state before"
ip netns exec ns1 gresec show gs0 | grep -q "Keepalive not set" || fail "show: no 'Keepalive not set'"

echo "# plain GRE"
n ns1 gresec set gs0 keepalive $PERIOD $RETRIES
expect_eq "$(ip netns exec ns1 gresec show gs0 -j | jq -c '.[0] | [.keepalive_period, .keepalive_retries]')" "[$PERIOD,$RETRIES]" "keepalive period and retries"
wait_for 100 counter_ge ns1 keepalive_rx 3 || fail "ns1: keepalives did not come back: $(tun_counter ns1 gs0 keepalive_tx) sent, $(tun_counter ns1 gs0 keepalive_rx) back"
expect_ge "$(tun_counter ns2 gs0 keepalive_reflected)" 3 "ns2: ns1's keepalives reflected"
expect_eq "$(tun_counter ns2 gs0 keepalive_tx)" 0 "ns2: keepalives sent (its own are off)"
expect_eq "$(carrier ns1)" on "ns1 carrier with keepalives coming back"
expect_eq "$(ka_state ns1)" up "keepalive state"
down_up gre peer_tunnel_add
ip netns exec ns1 gresec show gs0 | tee /tmp/show.txt | grep -E "Keepalive|sent"
grep -qE "Keepalive set \($PERIOD sec\), retries $RETRIES, peer up, last change 20[0-9-]+ [0-9:]+ UTC" /tmp/show.txt ||
	fail "show: no keepalive line with the last change"
now=$(date +%s)
changed=$(ip netns exec ns1 gresec show gs0 -j | jq -r '.[0].keepalive_changed')
[ "$changed" -le "$now" ] && [ "$changed" -ge $((now - 120)) ] ||
	fail "keepalive_changed $changed, now $now"
ok "keepalive_changed $changed (now $now)"
for c in rx_drop_key rx_drop_seq_missing rx_drop_inner rx_drop_csum tx_drop_error; do
	expect_eq "$(tun_counter ns1 gs0 $c)" 0 "ns1 $c"
done

# nokeepalive while the peer is gone: the carrier comes back at once.
n ns2 ip link del gs0
wait_carrier ns1 off 300 > /dev/null
n ns1 gresec set gs0 nokeepalive
expect_eq "$(carrier ns1)" on "carrier after nokeepalive"
expect_eq "$(ka_state ns1)" off "keepalive state after nokeepalive"

# Both ends send keepalives under ESP, with the checksum option (which
# the inner GRE header of a keepalive carries) and the sequence number
# option (which a keepalive must not trip: it carries none).
echo "# ESP"
# esp_ns1 SPI12 SPI21: fresh keys, ns1's SAs replaced by SAs with them;
# the receive sequence window starts afresh (the peer's tunnel is new).
esp_ns1() {
	new_keys aes128gcm16
	K12=$KEY
	new_keys aes128gcm16
	K21=$KEY
	if [ -n "${SPI12:-}" ]; then
		n ns1 gresec sa del gs0 dir out spi "$SPI12"
		n ns1 gresec sa del gs0 dir in spi "$SPI21"
	fi
	SPI12=$1 SPI21=$2
	n ns1 gresec sa add gs0 dir in spi "$SPI21" proposal aes128gcm16 key "$K21"
	n ns1 gresec sa add gs0 dir out spi "$SPI12" proposal aes128gcm16 key "$K12"
	n ns1 gresec set gs0 csum seq
}
# esp_ns2: ns2's tunnel, protected before it comes up, and its SAs once
# it is up (an SA of a tunnel that is down refuses what it decrypts).
esp_ns2() {
	n ns2 ip link add gs0 type gresec
	n ns2 gresec set gs0 local 192.0.2.2 remote 192.0.2.1 key 5 csum seq \
		protection required keepalive $PERIOD $RETRIES
	n ns2 ip addr add 198.51.100.2/30 dev gs0
	n ns2 ip link set gs0 up
	n ns2 gresec sa add gs0 dir in spi "$SPI12" proposal aes128gcm16 key "$K12"
	n ns2 gresec sa add gs0 dir out spi "$SPI21" proposal aes128gcm16 key "$K21"
}
# "gresec monitor" from here on: the carrier's changes are events.
ip netns exec ns1 gresec monitor -j > /tmp/ka-events.json &
mon=$!
trap '[ $? = 0 ] || show_both; kill $mon 2> /dev/null || true' EXIT
# Subscribed once it reports an SA's coming and going (until then the
# events go to nobody, so they are repeated).
# shellcheck disable=SC2317 # called through wait_for
monitor_ready() {
	n ns1 gresec sa add gs0 dir in spi 0x7fff proposal aes128gcm16 key "$(hexkey 20)"
	n ns1 gresec sa del gs0 dir in spi 0x7fff
	grep -q '"event":"deleted"' /tmp/ka-events.json
}
wait_for 300 monitor_ready || fail "gresec monitor reported nothing"
esp_ns1 0x7001 0x7002
n ns1 gresec set gs0 keepalive $PERIOD $RETRIES
esp_ns2
wait_carrier ns1 on 300 > /dev/null
rx0=$(tun_counter ns1 gs0 keepalive_rx)
wait_for 100 counter_ge ns1 keepalive_rx $((rx0 + 3)) || fail "ns1: keepalives did not come back under ESP"
wait_for 100 counter_ge ns2 keepalive_rx 3 || fail "ns2: keepalives did not come back under ESP"
expect_ge "$(tun_counter ns1 gs0 keepalive_reflected)" 3 "ns1: ns2's keepalives reflected under ESP"
ping_ok ns1 -I 198.51.100.1 203.0.113.2
# carrier_events: the monitor's carrier events so far, one a line.
carrier_events() {
	jq -c 'select(.event == "carrier") | [.ifname, .carrier, .keepalive_state]' /tmp/ka-events.json
}
# Keepalives may have missed the peer while it was set up (carrier off,
# then on): the events of down_up are those after the last "on".
wait_for 100 eval '! carrier_events | tail -n 1 | grep -q off' ||
	fail "the monitor has no carrier-on event for the carrier that is on"
ev0=$(carrier_events | wc -l)
down_up esp eval 'esp_ns1 0x7011 0x7012; esp_ns2'
# The monitor printed both changes, in order, with the time "show" has.
wait_for 100 eval '[ "$(carrier_events | wc -l)" -ge $((ev0 + 2)) ]' ||
	fail "carrier events: $(carrier_events | tail -n +$((ev0 + 1)) | tr '\n' ' ')"
expect_eq "$(carrier_events | tail -n +$((ev0 + 1)) | tr '\n' ' ')" '["gs0","off","down"] ["gs0","on","up"] ' \
	"carrier events gresec monitor printed"
expect_eq "$(jq 'select(.event == "carrier") | .keepalive_changed' /tmp/ka-events.json | tail -n 1)" \
	"$(ip netns exec ns1 gresec show gs0 -j | jq '.[0].keepalive_changed')" \
	"the last carrier event's time = show's keepalive_changed"
wait_for 100 counter_ge ns2 keepalive_rx 2 || fail "ns2: keepalives did not come back after it returned"
# rx_drop_seq too: a keepalive sent by the timer on one CPU and a ping on
# the other leave in the order of their GRE sequence numbers (a tunnel
# with them sends through one queue).  A keepalive that tripped the option
# would count rx_drop_seq_missing.
for ns in ns1 ns2; do
	for c in rx_drop_plaintext rx_drop_key rx_drop_seq rx_drop_seq_missing rx_drop_csum rx_drop_inner; do
		expect_eq "$(tun_counter $ns gs0 $c)" 0 "$ns $c under ESP"
	done
done
# Counters that keepalives move every second never hold still for the
# comparison of two reads.
n ns1 gresec set gs0 nokeepalive
n ns2 gresec set gs0 nokeepalive
dump_matches_json ns1 gs0
