#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# Anti-replay and integrity: ESP packets captured before the receiver had
# its SA are injected afterwards in a chosen order: in-order and reordered
# packets inside the window are accepted, a replay is dropped as a
# duplicate, one left of the window as too old, and a packet with any byte
# changed fails the ICV.  The replay check comes after the ICV check: a
# tampered copy of an accepted packet counts as an ICV failure, not a replay.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
netns_pair_setup
n ns1 sysctl -qw net.ipv6.conf.gs0.disable_ipv6=1
n ns2 sysctl -qw net.ipv6.conf.gs0.disable_ipv6=1
new_keys aes128gcm16
n ns1 gresec sa add gs0 dir out spi 0x3000 proposal aes128gcm16 key "$KEY"

# 60 ESP packets reach ns2, which has no SA for them yet: counted as an
# unknown SPI and captured.
unknown_spi() { ip netns exec ns2 gresec show net -j | jq .esp_unknown_spi; }
capture_start ns2 veth2 /tmp/r.pcap 'ip proto 50 and src host 192.0.2.1'
u0=$(unknown_spi)
n ns1 ping -q -c 60 -i 0.02 -W 1 198.51.100.2 >/dev/null || true
capture_stop /tmp/r.pcap $(($(unknown_spi) - u0))
expect_ge "$(ip netns exec ns2 gresec show net -j | jq .esp_unknown_spi)" 60 "ns2 esp_unknown_spi"
expect_eq "$(ip netns exec ns2 gresec show net -j | jq .last_spi)" $((0x3000)) "ns2 last unknown SPI"

n ns2 gresec sa add gs0 dir in spi 0x3000 proposal aes128gcm16 key "$KEY" replay-window 32
# The captured packets' ESP payloads by sequence number, re-sent from ns1.
python3 - "$REPO" <<'PY'
import struct, sys
data = open("/tmp/r.pcap", "rb").read()
off, out = 24, {}
while off + 16 <= len(data):
    incl = struct.unpack("<IIII", data[off:off + 16])[2]
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = frame[14:]
    esp = ip[(ip[0] & 15) * 4:]
    out[struct.unpack("!I", esp[4:8])[0]] = esp.hex()
with open("/tmp/esp.byseq", "w") as f:
    for seq in sorted(out):
        f.write("%d %s\n" % (seq, out[seq]))
PY
expect_ge "$(wc -l < /tmp/esp.byseq)" 60 "ESP packets captured"
inject() {
	local s
	for s in "$@"; do
		awk -v s="$s" '$1 == s { print $2 }' /tmp/esp.byseq
	done | ip netns exec ns1 python3 -c '
import socket, sys
sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
for line in sys.stdin:
    sk.sendto(bytes.fromhex(line.strip()), ("192.0.2.2", 0))'
	sleep 0.5
}
ctr() { sa_counter ns2 gs0 in 0x3000 "$1"; }

inject $(seq 20 40)
expect_eq "$(ctr packets)" 21 "packets 20..40 in order accepted"
inject 45 43 44 41 42
expect_eq "$(ctr packets)" 26 "packets 41..45 out of order, inside the window, accepted"
inject 30 45
expect_eq "$(ctr drop_replay_dup)" 2 "replayed 30 and 45 dropped as duplicates"
inject 60 10 5
expect_eq "$(ctr drop_replay_old)" 2 "10 and 5, left of the 32-packet window, dropped as too old"
expect_eq "$(ctr packets)" 27 "60 accepted"
# Tamper: flip one bit in byte N of packet 50 (SPI and sequence excluded,
# they would pick another SA or window slot).
pkt=$(awk '$1 == 50 { print $2 }' /tmp/esp.byseq)
len=$((${#pkt} / 2))
for pos in 8 12 20 $((len / 2)) $((len - 17)) $((len - 1)); do
	hex=${pkt:$((pos * 2)):2}
	flipped=$(printf '%02x' $((0x$hex ^ 0x40)))
	echo "50 ${pkt:0:$((pos * 2))}$flipped${pkt:$((pos * 2 + 2))}"
done > /tmp/tampered
awk '{ print $2 }' /tmp/tampered | ip netns exec ns1 python3 -c '
import socket, sys
sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
for line in sys.stdin:
    sk.sendto(bytes.fromhex(line.strip()), ("192.0.2.2", 0))'
sleep 0.5
expect_eq "$(ctr drop_icv)" 6 "6 tampered packets failed the ICV"
inject 50
expect_eq "$(ctr packets)" 28 "the untampered 50 is still accepted: ICV failures do not move the window"
inject 20
expect_eq "$(ctr drop_replay_dup)" 2 "20 is left of the window now"
expect_eq "$(ctr drop_replay_old)" 3 "... and counted as too old"
n ns2 gresec show gs0
