#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# cpus: 2
#
# Lifecycle under traffic: delete a tunnel while packets flow, delete a
# namespace holding a busy tunnel, unload the module with busy tunnels, and
# create/delete tunnels in a loop; the kernel log must stay clean (the
# runner fails the test on any warning) and the module must unload.
. "$REPO/tests/lib/common.sh"

# bounded SECONDS WHAT CMD...: CMD returns within SECONDS (times the lane's
# TEST_TIMEOUT_SCALE).  A leaked device reference makes unregistering (ip
# link del, rmmod) wait forever inside the kernel, where no signal ends it:
# the runner's time limit cannot stop such a test, only the VM's, 40
# minutes later.  Fail at once instead, with the kernel's own report.
bounded() {
	local limit=$(($1 * ${TEST_TIMEOUT_SCALE:-1} * 10)) what=$2 pid t=0
	shift 2
	"$@" &
	pid=$!
	while kill -0 $pid 2>/dev/null; do
		[ $t -lt $limit ] || fail "$what: not done after $((limit / 10)) s ($(dmesg |
			grep -E 'waiting for .* to become free' | tail -n1 | sed 's/^\[[ 0-9.]*\] //'))"
		nap 0.1
		t=$((t + 1))
	done
	wait $pid || fail "$what: exit status $?"
}

flood() {
	ip netns exec ns1 ping -q -f -w "$1" 198.51.100.2 >/dev/null 2>&1 &
	ip netns exec ns2 ping -q -f -w "$1" 2001:db8:1::1 >/dev/null 2>&1 &
}

load_gresec
netns_pair_setup key 1 csum
flood 3
sleep 1
bounded 30 "ip link del gs0 under traffic" n ns2 ip link del gs0
ok "deleted a tunnel under traffic"
wait

n ns2 ip link add gs0 type gresec
n ns2 gresec set gs0 local 192.0.2.2 remote 192.0.2.1 key 1 csum
n ns2 ip addr add 198.51.100.2/30 dev gs0
n ns2 ip -6 addr add 2001:db8:1::2/64 dev gs0 nodad
n ns2 ip link set gs0 up
ping_ok ns1 198.51.100.2
flood 3
sleep 1
ip netns del ns2
ok "deleted a namespace holding a tunnel under traffic"
wait

ip netns del ns1
netns_pair_setup seq
flood 4
sleep 1
bounded 60 "rmmod with tunnels under traffic" rmmod gresec
ok "module unloaded with tunnels under traffic"
wait
ip netns exec ns1 ip link show gs0 2>/dev/null && fail "gs0 survived rmmod"

load_gresec
# Many tunnels at once, through ip's batch mode to keep the loop fast.
for i in $(seq 1 100); do echo "link add gt$i type gresec"; done > /tmp/add.batch
for i in $(seq 1 100); do echo "link del gt$i"; done > /tmp/del.batch
ip -n ns1 -batch /tmp/add.batch
# One shell in the namespace for the loop: an "ip netns exec" each would
# double the process starts, at a quarter second or more each under TCG.
# shellcheck disable=SC2016 # expanded by that shell
ip netns exec ns1 bash -ec 'for i in $(seq 1 100); do
	gresec set "gt$i" local 192.0.2.1 remote 192.0.2.2 key "$i"
done'
expect_eq "$(ip netns exec ns1 gresec show -j | jq length)" 100 "tunnels in a dump of 100"
ip -n ns1 -batch /tmp/del.batch
expect_eq "$(ip netns exec ns1 gresec show -j | jq length)" 0 "tunnels after deleting them"
for round in 1 2 3; do
	ip -n ns1 -batch /tmp/add.batch
	ip -n ns1 -batch /tmp/del.batch
done
bounded 60 "rmmod after 400 tunnels" rmmod gresec
ok "100 tunnels created, configured, dumped and deleted, 300 more created and deleted; module unloaded"
