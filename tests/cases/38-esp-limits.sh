#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 300
#
# The edges of the SA and MTU rules: an inbound SA alone already refuses
# plaintext GRE; SA state and the namespace's last offender are readable by
# the admin only (the tunnel itself by anyone); a tunnel holds at most 64
# SAs; the MTU ceiling leaves room for every header ESP may add; and an
# underlay smaller than the tunnel's headers drops a DF packet as too big
# instead of wrapping the arithmetic.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
netns_pair_setup

# An inbound SA is installed before its outbound peer (IKE daemons do
# this); from that moment plaintext GRE for the tunnel is refused.
ping_ok ns1 198.51.100.2
KEY=$(hexkey 20)
n ns2 gresec sa add gs0 dir in spi 0x8001 proposal aes128gcm16 key "$KEY"
expect_eq "$(ip netns exec ns2 gresec show gs0 -j | jq -r '.[0].protection')" required \
	"protection after adding only an inbound SA"
before=$(tun_counter ns2 gs0 rx_drop_plaintext)
ping_fails ns1 198.51.100.2
expect_ge $(($(tun_counter ns2 gs0 rx_drop_plaintext) - before)) 2 \
	"plaintext GRE dropped at a tunnel with only an inbound SA"
n ns1 gresec sa add gs0 dir out spi 0x8001 proposal aes128gcm16 key "$KEY"
KEY2=$(hexkey 20)
n ns1 gresec sa add gs0 dir in spi 0x8002 proposal aes128gcm16 key "$KEY2"
n ns2 gresec sa add gs0 dir out spi 0x8002 proposal aes128gcm16 key "$KEY2"
ping_ok ns1 198.51.100.2

# What a key manager reads back: its reqid, how long ago an SA last
# carried a packet (none yet: null), and the tunnel's interface ID.
n ns2 gresec sa add gs0 dir in spi 0x8003 proposal aes128gcm16 key "$(hexkey 20)" reqid 7
sa_json() { ip netns exec ns2 gresec show gs0 -j | jq -c ".[0].sas[] | select(.spi == $1) | [.reqid, .idle]"; }
expect_eq "$(sa_json $((0x8003)))" "[7,null]" "reqid and idle of an SA that carried nothing"
idle=$(sa_json $((0x8001)))
[[ $idle =~ ^\[0,[0-9]+\]$ ]] || fail "reqid and idle of an SA that carried pings: $idle"
ok "an SA that carried pings reports its idle time: $idle"
n ns2 gresec sa del gs0 dir in spi 0x8003
n ns2 gresec set gs0 if-id 5
expect_eq "$(ip netns exec ns2 gresec show gs0 -j | jq '.[0].if_id')" 5 "the tunnel's if-id"

# Reading SAs and the namespace's counters needs CAP_NET_ADMIN; the tunnel
# is shown to anyone, with a line that says why its SAs are not.
nobody() { ip netns exec ns1 setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
out=$(nobody "$GRESEC" show gs0 2>&1) || fail "gresec show as nobody failed: $out"
grep -q "Tunnel source 192.0.2.1" <<< "$out" || fail "gresec show as nobody: no tunnel in: $out"
grep -q "0x00008001" <<< "$out" && fail "gresec show as nobody shows an SPI: $out"
grep -q "reading SAs needs CAP_NET_ADMIN" <<< "$out" || fail "gresec show as nobody: no reason given: $out"
ok "an unprivileged user sees the tunnel, not its SAs"
expect_eq "$(nobody "$GRESEC" show gs0 -j | jq -c '[.[0].sas_readable, (.[0].sas | length)]')" \
	"[false,0]" "unprivileged JSON: sas_readable, sas"
expect_eq "$(ip netns exec ns1 gresec show gs0 -j | jq -c '[.[0].sas_readable, (.[0].sas | length)]')" \
	"[true,2]" "admin JSON: sas_readable, sas"
rc=0
out=$(nobody "$GRESEC" show net 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "gresec show net as nobody succeeded: $out"
grep -q "needs CAP_NET_ADMIN" <<< "$out" || fail "gresec show net as nobody: $out"
ok "unprivileged show net refused: $out"

# The largest MTU leaves room for IPv4, the longest GRE header and the
# most ESP adds, tunnel mode's inner header included (65535 - 20 - 16 -
# 20 - 57): the outer length never wraps.
n ns1 ip link set gs0 mtu 65422
if ip netns exec ns1 ip link set gs0 mtu 65423 2>/dev/null; then
	fail "MTU 65423 accepted"
fi
rc=0
out=$(ip netns exec ns1 gresec set gs0 mtu 65423 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "gresec set mtu 65423 accepted"
ok "MTU above 65422 refused: $out"

# An underlay link smaller than the tunnel's headers with ESP (68 bytes
# against 20 + 4 + 57 for AES-CBC with HMAC-SHA-256): a DF packet is too
# big, counted, not sent.
new_keys aes128-sha256
# shellcheck disable=SC2046
n ns2 gresec sa add gs0 dir in spi 0x8005 $(gresec_sa_args aes128-sha256 "$KEY" "$AUTH")
# shellcheck disable=SC2046
n ns1 gresec sa add gs0 dir out spi 0x8005 $(gresec_sa_args aes128-sha256 "$KEY" "$AUTH")
n ns1 gresec set gs0 mtu 1400
n ns1 ip link set veth1 mtu 68
n ns1 ip route flush cache
before=$(tun_counter ns1 gs0 tx_drop_too_big)
ip netns exec ns1 ping -q -c 2 -i 0.2 -W 1 -M 'do' -s 200 198.51.100.2 >/dev/null 2>&1 &&
	fail "a 228-byte DF packet crossed a 68-byte underlay"
expect_ge $(($(tun_counter ns1 gs0 tx_drop_too_big) - before)) 2 \
	"DF packets too big for a 68-byte underlay"
n ns1 ip link set veth1 mtu 1500
n ns1 gresec set gs0 mtu auto
ping_ok ns1 198.51.100.2

# At most 64 SAs per tunnel (three are there already); the 65th is refused
# with a message, and deleting one makes room again.  One shell in the
# namespace for the 61 adds: a process start costs under TCG.
# shellcheck disable=SC2016
ip netns exec ns1 bash -c '
	for i in $(seq 1 61); do
		"$1" sa add gs0 dir in spi $((0x9000 + i)) proposal aes128gcm16 key "$2" || exit 1
	done' _ "$GRESEC" "$(hexkey 20)" || fail "adding SAs up to the limit"
expect_eq "$(ip netns exec ns1 gresec dump dev gs0 | grep -c '^sa')" 64 "SAs on the tunnel"
rc=0
out=$(ip netns exec ns1 gresec sa add gs0 dir in spi 0x9fff proposal aes128gcm16 key "$(hexkey 20)" 2>&1) || rc=$?
[ $rc -ne 0 ] || fail "a 65th SA was accepted"
grep -q "most SAs it may hold (64)" <<< "$out" || fail "65th SA: $out"
ok "65th SA refused: $out"
n ns1 gresec sa del gs0 dir in spi 0x9001
n ns1 gresec sa add gs0 dir in spi 0x9fff proposal aes128gcm16 key "$(hexkey 20)"
ping_ok ns1 198.51.100.2

