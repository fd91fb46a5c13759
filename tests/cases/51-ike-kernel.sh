#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 240
#
# What a key manager needs from the kernel, without one: SPI allocation
# (SPI_ALLOC, "gresec sa spi") hands out random inbound SPIs that no SA
# and no other reservation holds, ends a reservation on the SA that uses
# it or on SA_DEL, and refuses beyond its per-namespace bound.
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

# The per-namespace bound, in a namespace of its own (ns2).
cnt=$(ip netns exec ns2 sh -c 'i=0; while gresec sa spi gs0 >/dev/null 2>/tmp/spi.err; do i=$((i + 1)); done; echo $i')
grep -q "most SPI reservations" /tmp/spi.err || fail "bound: unclear message: $(cat /tmp/spi.err)"
[ "$cnt" -eq 1024 ] || fail "bound: $cnt reservations, want 1024"
ok "1024 reservations per namespace, then: $(cat /tmp/spi.err)"
# Another namespace is not affected.
n ns1 gresec sa spi gs0 >/dev/null
ok "SPI allocation"
