#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 900
# cpus: 2
#
# Allocation failures, on kernels with failslab (the make
# check-debug kernel; Debian's have none, so there the test is skipped):
# 1. every slab allocation that creating a tunnel, configuring it, adding
#    an outbound or inbound SA and deleting an SA make is failed in turn
#    (fail-nth): each request succeeds or answers an error, and a failed
#    one leaves nothing behind (tests/lib/failnth.py);
# 2. atomic allocations fail at random while a protected tunnel carries a
#    flood both ways: the packet path drops and counts, never crashes;
# then the tunnel works again and the module unloads.  The runner fails
# the test on any kernel report, and on kmemleak's after it.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

fs=/sys/kernel/debug/failslab
[ -d /sys/kernel/debug/failslab ] ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
[ -d $fs ] || skip "no failslab in this kernel (make check-debug has it)"

restore() {
	echo 0 > $fs/probability
	echo N > $fs/task-filter
	echo Y > $fs/ignore-gfp-wait
}
trap restore EXIT
# Quiet (a stack trace per failure would read as a kernel report), every
# allocation eligible, sleeping ones included.
echo 0 > $fs/verbose
echo 0 > $fs/space
echo -1 > $fs/times
echo 1 > $fs/interval
echo N > $fs/ignore-gfp-wait
echo 0 > $fs/probability

load_gresec
netns_pair_setup
ip netns exec ns1 python3 "$REPO/tests/lib/failnth.py" ns1 192.0.2.1 192.0.2.2 ||
	fail "fail-nth on the configuration paths"
ok "every allocation of tunnel/SA configuration failed in turn, state consistent"
ping_ok ns1 198.51.100.2

# 2: the packet path.  Only atomic allocations (ignore-gfp-wait), so the
# shell and 9p keep working; 2 % of them fail, everywhere in the kernel.
new_keys aes128gcm16
# shellcheck disable=SC2046
{
	n ns1 gresec sa add gs0 dir out spi 0x100 $(gresec_sa_args aes128gcm16 "$KEY" "$AUTH")
	n ns2 gresec sa add gs0 dir in spi 0x100 $(gresec_sa_args aes128gcm16 "$KEY" "$AUTH")
	n ns2 gresec sa add gs0 dir out spi 0x200 $(gresec_sa_args aes128gcm16 "$KEY" "$AUTH")
	n ns1 gresec sa add gs0 dir in spi 0x200 $(gresec_sa_args aes128gcm16 "$KEY" "$AUTH")
}
ping_ok ns1 198.51.100.2
echo Y > $fs/ignore-gfp-wait
echo 2 > $fs/probability
ip netns exec ns1 ping -q -f -w 8 198.51.100.2 > /tmp/fs1.ping 2>&1 &
ip netns exec ns2 ping -q -f -w 8 198.51.100.1 > /tmp/fs2.ping 2>&1 &
wait
echo 0 > $fs/probability
cat /tmp/fs1.ping /tmp/fs2.ping
for ns in ns1 ns2; do
	ip netns exec $ns gresec show gs0 -j |
		jq -c '{tunnel: ([.[0].stats | to_entries[] | select(.key | test("nomem|error")) | select(.value > 0)] | from_entries),
			sas: [.[0].sas[] | {spi, dir, stats: ([.stats | to_entries[] | select(.key | test("drop")) | select(.value > 0)] | from_entries)}]}' |
		sed "s/^/# $ns drops: /"
done
ping_ok ns1 198.51.100.2
ping_ok ns2 198.51.100.1
ok "flood both ways with atomic allocations failing at 2 %; tunnel carries traffic afterwards"

ip netns del ns1
ip netns del ns2
rmmod gresec
ok "module unloaded"
