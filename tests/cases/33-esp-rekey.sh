#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# cpus: 2
#
# Hitless rekey under load: install the new inbound SAs on both ends, switch
# both outbound SAs (one atomic step each), delete the old SAs; a ping flood
# and a TCP transfer running across it lose nothing, and the counters prove
# it: no SA or tunnel drop anywhere, every packet sent arrived.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
netns_pair_setup
sa() { # sa NS DIR SPI KEY
	n "$1" gresec sa add gs0 dir "$2" spi "$3" proposal aes128-sha256 key "${4%:*}" auth-key "${4#*:}"
}
new_keys aes128-sha256; a=$KEY:$AUTH
new_keys aes128-sha256; b=$KEY:$AUTH
sa ns1 out 0x5001 "$a"; sa ns2 in 0x5001 "$a"
sa ns2 out 0x5002 "$b"; sa ns1 in 0x5002 "$b"
ping_ok ns1 198.51.100.2

tunnel_drops() {
	ip netns exec "$1" gresec show gs0 -j |
		jq '[.[0].stats | to_entries[] | select(.key | test("drop")) | .value] | add'
}
# Setup itself may drop a packet or two (IPv6 chatter before both ends had
# their SAs); the rekey must not add any.
drops1=$(tunnel_drops ns1)
drops2=$(tunnel_drops ns2)
new_keys aes128-sha256; c=$KEY:$AUTH
new_keys aes128-sha256; d=$KEY:$AUTH
ip netns exec ns1 ping -q -i 0.01 -c 400 198.51.100.2 > /tmp/rk.ping 2>&1 &
pf=$!
head -c 3000000 /dev/urandom > /tmp/rk.in
ip netns exec ns2 timeout 120 nc -4 -l 5003 > /tmp/rk.out &
srv=$!
wait_for 100 listening ns2 5003
ip netns exec ns1 timeout 120 nc -N 198.51.100.2 5003 < /tmp/rk.in &
cli=$!
sleep 1
# 1. new inbound SAs everywhere, 2. switch outbound, 3. delete the old ones
sa ns2 in 0x5101 "$c"; sa ns1 in 0x5102 "$d"
sa ns1 out 0x5101 "$c"; sa ns2 out 0x5102 "$d"
sleep 0.5
n ns1 gresec sa del gs0 dir out spi 0x5001
n ns2 gresec sa del gs0 dir out spi 0x5002
sleep 0.5
n ns2 gresec sa del gs0 dir in spi 0x5001
n ns1 gresec sa del gs0 dir in spi 0x5002
wait $cli || fail "TCP client failed across the rekey"
wait $srv || fail "TCP server failed across the rekey"
wait $pf || true
cat /tmp/rk.ping
grep -q ' 0% packet loss' /tmp/rk.ping || fail "pings lost across the rekey"
ok "400 pings across the rekey, none lost"
[ "$(sha256sum < /tmp/rk.in)" = "$(sha256sum < /tmp/rk.out)" ] || fail "TCP content differs"
ok "3 MB over TCP across the rekey, content intact"
expect_eq "$(tunnel_drops ns1)" "$drops1" "ns1 tunnel drop counters unchanged by the rekey"
expect_eq "$(tunnel_drops ns2)" "$drops2" "ns2 tunnel drop counters unchanged by the rekey"
for ns in ns1 ns2; do
	sadrops=$(ip netns exec $ns gresec show gs0 -j |
		jq '[.[0].sas[].stats | to_entries[] | select(.key | test("drop")) | .value] | add // 0')
	expect_eq "$sadrops" 0 "$ns SA drop counters"
done
sa_pair_read ns1 ns2 gs0 0x5101 || true
expect_eq "$SA_IN" "$SA_OUT" \
	"new SA: every packet ns1 sent arrived at ns2"
n ns1 gresec show gs0
