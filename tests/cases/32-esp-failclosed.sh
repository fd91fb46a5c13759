#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# cpus: 2
#
# Fail-closed: adding an outbound SA makes protection "required"; deleting
# the outbound SA while traffic flows must not let a single plaintext GRE
# packet onto the wire (the capture proves it) and the drops are counted;
# plaintext GRE sent at a protected tunnel is dropped and counted; only an
# explicit "protection none" goes back to plain GRE.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
netns_pair_setup
sa_pair_add aes256gcm16 0x4001 0x4002
expect_eq "$(ip netns exec ns1 gresec show gs0 -j | jq -r '.[0].protection')" required "protection after adding an outbound SA"
ping_ok ns1 198.51.100.2

# What crossed veth2: ESP both ways, and plaintext GRE, which ns2 drops.
wire() {
	echo $(($(esp_wire_packets ns2 gs0 0x4001 0x4002) +
		$(tun_counter ns2 gs0 rx_drop_plaintext)))
}
capture_start ns2 veth2 /tmp/fc.pcap 'ip proto 47 or ip proto 50'
wire0=$(wire)
esp0=$(sa_counter ns2 gs0 in 0x4001 packets)
ip netns exec ns1 ping -q -f -w 60 198.51.100.2 >/dev/null 2>&1 &
flood=$!
ip netns exec ns1 ping -q -i 0.05 -w 60 2001:db8:1::2 >/dev/null 2>&1 &
flood6=$!
# Some ESP from ns1, captured, before the delete.
esp_in_ge() { [ $(($(sa_counter ns2 gs0 in 0x4001 packets) - esp0)) -ge "$1" ]; }
wait_for 300 esp_in_ge 10 || true
n ns1 gresec sa del gs0 dir out spi 0x4001
ok "outbound SA deleted under traffic"
# The floods go on until the drops have been counted, not for a fixed
# time: on the debug kernel the delete alone once took longer than the
# rest of a 4-second flood, and one packet was left to drop.
no_sa_drops_ge() { [ "$(tun_counter ns1 gs0 tx_drop_no_sa)" -ge "$1" ]; }
wait_for 300 no_sa_drops_ge 10 || true
kill $flood $flood6 2>/dev/null || true
wait $flood || true
wait $flood6 || true
capture_stop /tmp/fc.pcap $(($(wire) - wire0))
gre=$(tcpdump -nr /tmp/fc.pcap 'ip proto 47' 2>/dev/null | wc -l)
esp=$(tcpdump -nr /tmp/fc.pcap 'ip proto 50 and src host 192.0.2.1' 2>/dev/null | wc -l)
expect_eq "$gre" 0 "plaintext GRE packets on the wire"
expect_ge "$esp" 10 "ESP packets from ns1 before the delete"
expect_ge "$(tun_counter ns1 gs0 tx_drop_no_sa)" 10 "ns1 tx_drop_no_sa after the delete"
expect_eq "$(ip netns exec ns1 gresec show gs0 -j | jq -r '.[0].protection')" required "protection stays required"

# Plaintext GRE aimed at the protected tunnel in ns1.
before=$(tun_counter ns1 gs0 rx_drop_plaintext)
ip netns exec ns2 python3 "$REPO/tests/lib/gresend.py" 192.0.2.1 valid 5
sleep 0.3
expect_eq $(($(tun_counter ns1 gs0 rx_drop_plaintext) - before)) 5 "plaintext GRE at a protected tunnel dropped"

n ns1 gresec set gs0 protection none
n ns2 gresec sa del gs0 dir out spi 0x4002
n ns2 gresec set gs0 protection none
ping_ok ns1 198.51.100.2
ok "explicit 'protection none' returns to plain GRE"
