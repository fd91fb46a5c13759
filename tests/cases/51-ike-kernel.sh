#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 300
#
# What a key manager needs from the kernel, without one: SPI allocation
# (SPI_ALLOC, "gresec sa spi") hands out random inbound SPIs that no SA
# and no other reservation holds, ends a reservation on the SA that uses
# it or on SA_DEL, and refuses beyond its per-namespace bound.  The hold
# queue and ACQUIRE: a tunnel with protection required and no outbound SA
# drops as before while nobody listens on the events group; with a
# listener ("gresec monitor") it sends an ACQUIRE (the monitor prints it),
# holds 16 packets and drops the rest as overflow, drops the held ones
# after the hold time as timeouts, sends held packets through the first
# outbound SA added (all of them, in order, as ESP), drops them at once on
# "protection none", and a tunnel deleted with packets held goes away.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
netns_pair_setup
k20=$(hexkey 20)

# --- SPI allocation ---
spis=$(for _ in 1 2 3 4 5 6 7 8; do n ns1 gresec sa spi gs0; done)
[ "$(sort -u <<< "$spis" | wc -l)" -eq 8 ] || fail "8 allocations, not 8 distinct SPIs: $spis"
while read -r s; do
	[ $((s)) -ge 256 ] || fail "SPI $s below 256"
done <<< "$spis"
ok "8 distinct random SPIs: $(tr '\n' ' ' <<< "$spis")"

# A one-SPI range: reserved once, then full until the reservation ends.
one() { n ns1 gresec sa spi gs0 min 0x1000 max 0x1000; }
[ "$(one)" = 0x00001000 ] || fail "one-SPI range did not give 0x1000"
out=$(one 2>&1) && fail "a reserved SPI was handed out twice: $out"
grep -q "no free SPI" <<< "$out" || fail "range full: unclear message: $out"
ok "a reserved SPI is not handed out again ($out)"
# The inbound SA that uses it ends the reservation; the SA then keeps it.
n ns1 gresec sa add gs0 dir in spi 0x1000 proposal aes128gcm16 key "$k20"
out=$(one 2>&1) && fail "the SPI of an inbound SA was handed out: $out"
n ns1 gresec sa del gs0 dir in spi 0x1000
[ "$(one)" = 0x00001000 ] || fail "SPI not free again after its SA was deleted"
# SA_DEL of a reserved SPI that no SA used ends the reservation.
n ns1 gresec sa del gs0 dir in spi 0x1000
[ "$(one)" = 0x00001000 ] || fail "sa del did not end the reservation"
n ns1 gresec sa del gs0 dir in spi 0x1000
ok "reservation ends on the SA that uses it and on sa del"
out=$(n ns1 gresec sa spi gs0 min 0x2000 max 0x1000 2>&1) && fail "empty range accepted: $out"
grep -q "empty range" <<< "$out" || fail "empty range: unclear message: $out"
ok "empty range refused: $out"

# The per-namespace bound, in a namespace of its own (ns2), from one
# process (1024 runs of the CLI take minutes under TCG).
out=$(ip netns exec ns2 python3 - "$REPO/tests/lib" << 'PY'
import sys
sys.path.insert(0, sys.argv[1])
import nlraw
g = nlraw.Genl()
req = nlraw.encode([(2, "strz", "gs0")])  # IFNAME
n = 0
while n < 5000:
    _, err = g.send(g.family, 8, req, nlraw.NLM_F_REQUEST | nlraw.NLM_F_ACK)  # SPI_ALLOC
    if err:
        print(n, err[0], err[1])
        break
    n += 1
PY
)
read -r cnt errno msg <<< "$out"
[ "$cnt" -eq 1024 ] && [ "$errno" -eq -28 ] && grep -q "most SPI reservations" <<< "$msg" ||
	fail "bound: want 1024 reservations, then ENOSPC with a message: $out"
ok "1024 reservations per namespace, then: $errno $msg"
# Another namespace is not affected.
n ns1 gresec sa spi gs0 >/dev/null
ok "SPI allocation"

# --- the hold queue and ACQUIRE ---
# Only the pings below use the tunnels.
n ns1 sysctl -qw net.ipv6.conf.gs0.disable_ipv6=1
n ns2 sysctl -qw net.ipv6.conf.gs0.disable_ipv6=1
n ns1 gresec set gs0 protection required
n ns2 gresec set gs0 protection required
c() { tun_counter "${2:-ns1}" gs0 "$1"; }
# What the tunnels exchanged before (plain GRE: IPv6 chatter) is not ours.
tx0=$(c tx_packets) rx0=$(c rx_packets ns2)
# Nobody listens: no ACQUIRE, nothing held, dropped as no SA.
nosa0=$(c tx_drop_no_sa)
n ns1 ping -q -c 2 -i 0.2 -W 1 198.51.100.2 > /dev/null && fail "ping through a tunnel without SA"
expect_eq "$(($(c tx_drop_no_sa) - nosa0))/$(c tx_held)/$(c tx_acquire)" 2/0/0 "no listener: no_sa/held/acquire"

ip netns exec ns1 gresec monitor -j > /tmp/hold-events.json &
mon=$!
trap 'kill $mon 2> /dev/null || true' EXIT
# The monitor has joined the group once an ACQUIRE reaches it; until then
# packets still drop as no SA (not counted below).
probe() {
	ip netns exec ns1 ping -q -c 1 -W 1 198.51.100.2 > /dev/null 2>&1
	grep -q '"event":"acquire"' /tmp/hold-events.json
}
wait_for 100 probe || fail "no ACQUIRE event: $(cat /tmp/hold-events.json)"
grep '"event":"acquire"' /tmp/hold-events.json | head -1
grep -q '"event":"acquire","ifname":"gs0","local":"192.0.2.1","remote":"192.0.2.2"' /tmp/hold-events.json ||
	fail "ACQUIRE does not name gs0, 192.0.2.1, 192.0.2.2: $(cat /tmp/hold-events.json)"
ok "ACQUIRE event: tunnel and addresses"
# Let the probe's packet time out, then start from there.
wait_for 250 eval '[ "$(c tx_held)" = "$(c tx_drop_hold_timeout)" ]' || fail "probe packets never timed out"
held0=$(c tx_held) tmo0=$(c tx_drop_hold_timeout) ovf0=$(c tx_drop_hold_overflow)
acq0=$(c tx_acquire)

# 30 packets: 16 held, 14 dropped as overflow; then the 16 time out.
n ns1 ping -q -c 30 -i 0.01 -W 1 198.51.100.2 > /dev/null && fail "ping through a tunnel without SA"
expect_eq "$(($(c tx_held) - held0))/$(($(c tx_drop_hold_overflow) - ovf0))" 16/14 "30 packets: held/overflow"
expect_ge "$(($(c tx_acquire) - acq0))" 1 "ACQUIREs sent for them"
wait_for 250 eval '[ "$(($(c tx_drop_hold_timeout) - tmo0))" = 16 ]' ||
	fail "held packets: $(($(c tx_drop_hold_timeout) - tmo0)) timed out, want 16"
ok "16 held packets dropped after the hold time"
expect_eq "$(($(c tx_packets) - tx0))/$(($(c rx_packets ns2) - rx0))/$(c rx_drop_plaintext ns2)" 0/0/0 \
	"ns1 sent / ns2 received / ns2 plaintext"
ip netns exec ns1 gresec show gs0 | grep -E "held for an SA|hold"

# Held packets leave through the first outbound SA, in order.
new_keys aes128gcm16
n ns2 gresec sa add gs0 dir in spi 0x7001 proposal aes128gcm16 key "$KEY"
k1=$KEY
new_keys aes128gcm16
n ns2 gresec sa add gs0 dir out spi 0x7002 proposal aes128gcm16 key "$KEY"
n ns1 gresec sa add gs0 dir in spi 0x7002 proposal aes128gcm16 key "$KEY"
ip netns exec ns2 tcpdump -i gs0 -nn -l 'icmp[icmptype] == icmp-echo' > /tmp/hold-cap.txt 2> /tmp/hold-cap.err &
cap=$!
trap 'kill $mon $cap 2> /dev/null || true' EXIT
wait_for 100 grep -q "listening on" /tmp/hold-cap.err || fail "tcpdump did not start"
held0=$(c tx_held)
ip netns exec ns1 ping -c 3 -i 0.2 -W 20 198.51.100.2 > /tmp/hold-ping.txt 2>&1 &
pinger=$!
wait_for 100 eval '[ "$(($(c tx_held) - held0))" = 3 ]' || fail "3 pings not held: $(($(c tx_held) - held0))"
n ns1 gresec sa add gs0 dir out spi 0x7001 proposal aes128gcm16 key "$k1"
wait $pinger || { cat /tmp/hold-ping.txt; fail "held pings not answered once the SA came"; }
grep "packets transmitted" /tmp/hold-ping.txt
grep -q " 3 received" /tmp/hold-ping.txt || fail "not all 3 held pings answered"
expect_ge "$(sa_counter ns2 gs0 in 0x7001 packets)" 3 "ns2 received them through SA 0x7001"
sleep 0.5
kill $cap; wait $cap 2> /dev/null || true
seqs=$(sed -n 's/.*ICMP echo request.* seq \([0-9]*\),.*/\1/p' /tmp/hold-cap.txt | tr '\n' ' ')
expect_eq "$seqs" "1 2 3 " "echo requests in order at ns2"
expect_eq "$(c rx_drop_plaintext ns2)" 0 "ns2 plaintext drops"

# "protection none" ends the wait: held packets are dropped, not sent.
n ns1 gresec sa del gs0 dir out spi 0x7001
held0=$(c tx_held) tmo0=$(c tx_drop_hold_timeout) tx0=$(c tx_packets)
n ns1 ping -q -c 2 -i 0.2 -W 1 198.51.100.2 > /dev/null && fail "ping without outbound SA"
expect_eq "$(($(c tx_held) - held0))" 2 "held without the outbound SA"
n ns1 gresec set gs0 protection none
expect_eq "$(($(c tx_drop_hold_timeout) - tmo0))/$(($(c tx_packets) - tx0))" 2/0 "protection none: dropped/sent"

# A tunnel deleted while it holds packets goes away (their routes freed).
n ns1 gresec set gs0 protection required
n ns1 ping -q -c 2 -i 0.2 -W 1 198.51.100.2 > /dev/null && fail "ping without outbound SA"
timeout 60 ip -n ns1 link del gs0 || fail "deleting a tunnel with held packets"
ok "tunnel with held packets deleted"
kill $mon
wait $mon 2> /dev/null || true
trap - EXIT
ok "hold queue and ACQUIRE"
