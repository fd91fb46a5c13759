#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# Bad netlink requests get an error and an extack message naming what is
# wrong; changes need CAP_NET_ADMIN; a request that fails changes nothing;
# a flood of random requests leaves the kernel and the tunnel working.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/netlink.sh"

load_gresec
netns_pair_setup key 3
GET=1 SET=2 NET_GET=3
IFINDEX=1 IFNAME=2 LOCAL=3 REMOTE=4 IFLAGS=7 TTL=9 MTU=13 PROTECTION=15

before=$(ip netns exec ns1 gresec show gs0 -j | jq -c '.[0] | del(.stats)')

expect_err 22 "ifindex or ifname is required" $GET "[]"
expect_err 19 "no device" $GET "[($IFNAME, 'strz', 'nope0')]"
expect_err 19 "no device" $GET "[($IFINDEX, 'u32', 999999)]"
expect_err 22 "not a gresec device" $GET "[($IFNAME, 'strz', 'lo')]"
expect_err 22 "not a gresec device" $SET "[($IFNAME, 'strz', 'veth1'), ($TTL, 'u8', 5)]"
# wrong type (a u32 where a u8 belongs), out of range, unknown flag bits
expect_err 22 "." $SET "[($IFNAME, 'strz', 'gs0'), ($TTL, 'u32', 5)]"
expect_err "22|34" "." $SET "[($IFNAME, 'strz', 'gs0'), ($PROTECTION, 'u32', 7)]"
expect_err "22|34" "." $SET "[($IFNAME, 'strz', 'gs0'), ($IFLAGS, 'u32', 8)]"
expect_err 22 "mtu" $SET "[($IFNAME, 'strz', 'gs0'), ($MTU, 'u32', 20)]"
expect_err 22 "local must be a unicast" $SET "[($IFNAME, 'strz', 'gs0'), ($LOCAL, 'bin', 'e0000005')]"
expect_err 22 "remote must be a unicast" $SET "[($IFNAME, 'strz', 'gs0'), ($REMOTE, 'bin', 'ffffffff')]"
# a valid attribute next to a bad one: nothing is applied
expect_err 22 "mtu" $SET "[($IFNAME, 'strz', 'gs0'), ($TTL, 'u8', 9), ($MTU, 'u32', 30)]"
expect_err 95 "" 99 "[]"

after=$(ip netns exec ns1 gresec show gs0 -j | jq -c '.[0] | del(.stats)')
expect_eq "$after" "$before" "configuration after rejected requests"

# CAP_NET_ADMIN is needed to change, not to look.
out=$(ip netns exec ns1 setpriv --reuid=65534 --regid=65534 --clear-groups \
	python3 "$REPO/tests/lib/nlraw.py" $SET "[($IFNAME, 'strz', 'gs0'), ($TTL, 'u8', 9)]" || true)
echo "$out"
grep -q '^error -1:' <<< "$out" || fail "unprivileged TUNNEL_SET was not refused with EPERM"
ok "unprivileged TUNNEL_SET refused"
ip netns exec ns1 setpriv --reuid=65534 --regid=65534 --clear-groups \
	python3 "$REPO/tests/lib/nlraw.py" --dump $GET "[]" | grep -q '^ok' ||
	fail "unprivileged dump refused"
ok "unprivileged dump allowed"
nl $NET_GET "[]" | grep -q '^ok' || fail "NET_GET failed"

seed=${GRESEC_FUZZ_SEED:-$RANDOM}
echo "netlink fuzz seed $seed (rerun: GRESEC_FUZZ_SEED=$seed)"
nl --fuzz "$seed" 3000
ip netns exec ns1 gresec set gs0 local 192.0.2.1 remote 192.0.2.2 key 3 nocsum noseq ttl 64 tos inherit pmtudisc mtu auto protection none
ping_ok ns1 198.51.100.2
