#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# SA lifetimes and events: soft and hard limits by packets and by time send
# events that "gresec monitor" prints (added, soft-expired, hard-expired,
# deleted); a hard-expired outbound SA is not used any more and the tunnel
# drops (fail-closed) until a new one is installed.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
netns_pair_setup
n ns1 sysctl -qw net.ipv6.conf.gs0.disable_ipv6=1
n ns2 sysctl -qw net.ipv6.conf.gs0.disable_ipv6=1
ip netns exec ns1 gresec monitor -j > /tmp/events.json &
mon=$!
sleep 0.5

new_keys aes128gcm16
n ns1 gresec sa add gs0 dir out spi 0x6001 proposal aes128gcm16 key "$KEY" soft-packets 5 hard-packets 10
n ns2 gresec sa add gs0 dir in spi 0x6001 proposal aes128gcm16 key "$KEY"
new_keys aes128gcm16
n ns2 gresec sa add gs0 dir out spi 0x6002 proposal aes128gcm16 key "$KEY"
n ns1 gresec sa add gs0 dir in spi 0x6002 proposal aes128gcm16 key "$KEY" soft-time 2 hard-time 4

n ns1 ping -q -c 15 -i 0.1 198.51.100.2 >/dev/null || true
expect_eq "$(sa_counter ns1 gs0 out 0x6001 packets)" 10 "outbound SA carried exactly its hard limit"
st=$(ip netns exec ns1 gresec show gs0 -j | jq -r '.[0].sas[] | select(.spi == 24577) | .state')
expect_eq "$st" expired "outbound SA state after its hard packet limit"
expect_ge "$(tun_counter ns1 gs0 tx_drop_no_sa)" 5 "ns1 drops once the only outbound SA expired"

sleep 4.5
st=$(ip netns exec ns1 gresec show gs0 -j | jq -r '.[0].sas[] | select(.spi == 24578) | .state')
expect_eq "$st" expired "inbound SA state after its hard time"
n ns1 gresec sa del gs0 dir out spi 0x6001
sleep 0.5
kill $mon
wait $mon 2>/dev/null || true
cat /tmp/events.json
ev() { jq -r --argjson spi "$1" --arg e "$2" 'select(.spi == $spi and .event == $e) | .event' /tmp/events.json | head -n1; }
expect_eq "$(ev 24577 added)" added "event: 0x6001 added"
expect_eq "$(ev 24577 soft-expired)" soft-expired "event: 0x6001 soft-expired (packets)"
expect_eq "$(ev 24577 hard-expired)" hard-expired "event: 0x6001 hard-expired (packets)"
expect_eq "$(ev 24577 deleted)" deleted "event: 0x6001 deleted"
expect_eq "$(ev 24578 soft-expired)" soft-expired "event: 0x6002 soft-expired (time)"
expect_eq "$(ev 24578 hard-expired)" hard-expired "event: 0x6002 hard-expired (time)"
order=$(jq -r 'select(.spi == 24577) | .event' /tmp/events.json | tr '\n' ' ')
expect_eq "$order" "added soft-expired hard-expired deleted " "event order for 0x6001"
