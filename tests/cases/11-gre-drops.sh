#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# Mismatched configurations are dropped and counted where an operator looks:
# key mismatch, checksum or sequence numbers required but absent, traffic
# for no tunnel at all (per namespace, with the last source and key).
. "$REPO/tests/lib/common.sh"

load_gresec
netns_pair_setup key 42

n ns2 gresec set gs0 key 43
ping_fails ns1 198.51.100.2
expect_ge "$(tun_counter ns2 gs0 rx_drop_key)" 2 "ns2 rx_drop_key after key mismatch"

n ns2 gresec set gs0 key 42 icsum
ping_fails ns1 198.51.100.2
expect_ge "$(tun_counter ns2 gs0 rx_drop_csum_missing)" 2 "ns2 rx_drop_csum_missing"

n ns2 gresec set gs0 nocsum iseq
ping_fails ns1 198.51.100.2
expect_ge "$(tun_counter ns2 gs0 rx_drop_seq_missing)" 2 "ns2 rx_drop_seq_missing"

n ns2 gresec set gs0 noseq
ping_ok ns1 198.51.100.2

# A tunnel to some other remote: ns1's packets match nothing in ns2.
n ns2 gresec set gs0 remote 192.0.2.9
ping_fails ns1 198.51.100.2
js=$(n ns2 gresec show net -j)
echo "$js"
expect_ge "$(jq -r '.rx_no_tunnel' <<< "$js")" 2 "ns2 rx_no_tunnel"
expect_eq "$(jq -r '.last_src' <<< "$js")" 192.0.2.1 "last unmatched source"
expect_eq "$(jq -r '.last_key' <<< "$js")" 42 "last unmatched key"

# A route that sends the underlay back into the tunnel: counted, no hang.
n ns2 gresec set gs0 remote 192.0.2.1
n ns1 ip route add 192.0.2.2/32 dev gs0
ping_fails ns1 198.51.100.2
expect_ge "$(tun_counter ns1 gs0 tx_drop_loop)" 2 "ns1 tx_drop_loop"
n ns1 ip route del 192.0.2.2/32 dev gs0
ping_ok ns1 198.51.100.2

# No remote at all: transmit drops are counted too.
n ns1 gresec set gs0 remote any
ping_fails ns1 198.51.100.2
expect_ge "$(tun_counter ns1 gs0 tx_drop_no_remote)" 2 "ns1 tx_drop_no_remote"

# The tests read counters from "gresec dump": it must agree with the JSON,
# here with several drop counters moved.
dump_matches_json ns1 gs0
