#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run in both VMs (left = R1, right = R4): a protected gresec tunnel between
# them, like IOS "interface Tunnel1" with tunnel source/destination; ping and
# a file moved across; "gresec show" on both ends.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

say() { printf '\n=== %s: %s\n' "$ROLE" "$*"; }
pair_underlay
load_gresec
say "ip link add gs0 type gresec; gresec set gs0 local $LOCAL remote $REMOTE key 1001"
ip link add gs0 type gresec
gresec set gs0 local "$LOCAL" remote "$REMOTE" key 1001
ip addr add "$INNER/30" dev gs0
ip -6 addr add "$INNER6/64" dev gs0 nodad
ip link set gs0 up

# crypto ipsec transform-set esp-gcm 128, mode transport: one SA each way,
# keyed with the same hex on both routers (made on R1, handed over).
[ "$ROLE" = left ] && { hexkey 20; echo; hexkey 20; echo; } > "$SHARE/demo.keys"
sync_peer keys
k_lr=$(sed -n 1p "$SHARE/demo.keys")
k_rl=$(sed -n 2p "$SHARE/demo.keys")
if [ "$ROLE" = left ]; then
	say "gresec sa add gs0 dir out spi 0x1001 proposal aes128gcm16 key <20 bytes>; dir in spi 0x2001"
	gresec sa add gs0 dir out spi 0x1001 proposal aes128gcm16 key "$k_lr"
	gresec sa add gs0 dir in spi 0x2001 proposal aes128gcm16 key "$k_rl"
else
	say "gresec sa add gs0 dir out spi 0x2001 proposal aes128gcm16 key <20 bytes>; dir in spi 0x1001"
	gresec sa add gs0 dir out spi 0x2001 proposal aes128gcm16 key "$k_rl"
	gresec sa add gs0 dir in spi 0x1001 proposal aes128gcm16 key "$k_lr"
fi
sync_peer up
tcpdump -i eth0 -U -w /tmp/demo.pcap 'ip proto 47 or ip proto 50' 2>/dev/null &
cap=$!
sleep 1

if [ "$ROLE" = left ]; then
	say "ping $INNER_PEER through the tunnel"
	ping -c 4 -i 0.3 "$INNER_PEER"
	say "ping $INNER6_PEER through the tunnel"
	ping -c 2 -i 0.3 "$INNER6_PEER"
fi
sync_peer pinged
say "moving a 4 MB file from left to right over TCP"
pair_xfer file 4000000 left 5001
sync_peer moved
sleep 0.5
kill $cap
wait $cap 2>/dev/null || true
say "on the wire (tcpdump on eth0): $(tshark -r /tmp/demo.pcap -Y esp 2>/dev/null | wc -l) ESP packets, $(tshark -r /tmp/demo.pcap -Y 'gre && !icmp' 2>/dev/null | wc -l) plaintext GRE packets"
say "gresec show"
gresec show gs0
sync_peer shown
