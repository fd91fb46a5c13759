#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest PID 1 after switch_root: runs the planned tests one by one, keeps each
# test's output and kernel log, judges the kernel log, and powers off.
# Everything it reports goes to the writable share, /run/share.
S=/run/share
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 SHARE=$S
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# What udev would make: bash's process substitution opens /dev/fd/N.
ln -sfn /proc/self/fd /dev/fd
echo 1 > /proc/sys/kernel/sysrq
ROLE=$(sed -n 's/.*gresec\.role=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
# shellcheck source=/dev/null
. "$S/env.$ROLE"
export ROLE PEER KREL REPO GRESEC_DEMO GRESEC_DEBUG_LANE FUZZ_SEED GRESEC_FUZZ_SEED
hostname "$ROLE"
ip link set lo up
# The one workaround for a TCG quirk every guest script relies on (the
# tests, make bench's and make demo's guests all run under this runner):
# each ping flips the kernel's receive-timestamp static key on and off,
# live-patching the receive path; under multi-threaded TCG another vCPU now
# and then runs the half-patched instruction and the guest dies with
# "Oops: int3" (an emulator race, not a kernel bug).  One socket that wants
# timestamps for the whole run keeps the key still.  Named so the clean-up
# between tests (which kills python3) leaves it alone.
python3 -c '
import ctypes, socket, time
ctypes.CDLL(None).prctl(15, b"gresec-tsholder", 0, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 29, 1)  # SO_TIMESTAMP
while True:
    time.sleep(3600)
' > /dev/null 2>&1 &
results=$S/results/$ROLE
mkdir -p "$results"
# A Debian boot loads the CPU's crypto drivers (AES-NI, CLMUL GHASH, SIMD
# ChaCha20/Poly1305 ...) when udev announces the CPU's features; there is no
# udev here.  Without them "rfc4106(gcm(aes))" is the table-driven generic
# AES, for gresec and the kernel's own ESP alike, and a VM would measure and
# test an ESP path no real machine runs.  So load the same modules: those
# the CPU's modalias names among the kernel's x86 crypto drivers.
cpu_crypto_modules() {
	local m d=/lib/modules/$KREL/kernel/arch/x86/crypto
	for m in $(modprobe -R "$(cat /sys/devices/system/cpu/modalias)" 2>/dev/null | sort -u); do
		# Module names use "_" where their files may use "-".
		compgen -G "$d/${m//_/[-_]}.ko*" > /dev/null && echo "$m"
	done
}
# shellcheck disable=SC2046 # one word per module
modprobe -a $(cpu_crypto_modules) 2>/dev/null
dmesg > "$results/boot.dmesg"
# Under TCG the boot's TSC calibration against the PIT is sometimes far
# off (a 226 MHz TSC where the HPET measured 2596 MHz); the kernel then
# keeps the PIT's value, its clock runs several times too fast, and every
# timeout and timer in the tests fires early.  That is a bad boot, not a
# test failure: power off without reporting "booted", and the host boots
# this VM again.
if bad_tsc=$(grep 'tsc: PIT calibration deviates' "$results/boot.dmesg"); then
	{
		echo "$bad_tsc"
		echo "runner: the TSC's calibration is wrong: boot again"
	} > /dev/console
	sync
	echo o > /proc/sysrq-trigger
	sleep 60
fi
dmesg -C
echo "$(date +%s)" > "$S/booted.$ROLE"

# Kernel reports that fail the test during which they appeared.
SPLAT='WARNING:|BUG:|Oops|KASAN|UBSAN|kernel BUG|general protection|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|refcount_t:|list_del corruption|list_add corruption|unreferenced object|Call Trace:|rcu_sched self-detected|stack-protector|Kernel panic'

# As tests/lib/common.sh's nap: a pause that starts no process.
exec {NAP_FD}<> <(:)
barrier() {
	local name=$1 waited=0
	: > "$S/sync/$ROLE.$name"
	while [ ! -e "$S/sync/$PEER.$name" ]; do
		read -r -t 0.2 -u "$NAP_FD" _ || :
		waited=$((waited + 1))
		[ $waited -gt 1500 ] && return 1
	done
	return 0
}

# The tests to run: TESTS (with PEER, in step with it), then those of
# CLAIM_TESTS that no other VM of this kernel has claimed yet (in the
# share's claim/ directory; mkdir is atomic on the host), so the VMs of a
# kernel share the namespace tests until none is left.
plan() {
	local t
	for t in $TESTS; do
		echo "peer $t"
	done
	for t in ${CLAIM_TESTS:-}; do
		echo "claim $t"
	done
}

mkdir -p "$S/sync" "$S/claim"
# Kernels with kmemleak (make check-debug): a leak fails the test it follows.
[ -w /sys/kernel/debug/kmemleak ] && bash "$REPO/tests/debug/kmemleak.sh" clear
plan > /tmp/plan
ncpu=$(nproc)
while read -r how t <&3; do
	name=${t##*/}
	name=${name%.sh}
	if [ "$how" = claim ]; then
		mkdir "$S/claim/$name" 2>/dev/null || continue
		echo "$ROLE" > "$S/claim/$name/by"
	fi
	echo "$name" > "$S/current.$ROLE"
	peer=$PEER
	[ "$how" = claim ] && peer=""
	[ -n "$peer" ] && barrier "$name.begin"
	dmesg -C
	start=$EPOCHREALTIME
	# A test may ask for more time with a "# timeout: SECONDS" line in its
	# header (what it needs on Debian's kernels: TEST_TIMEOUT_SCALE
	# stretches it on a slower one).
	limit=${TEST_TIMEOUT:-300}
	# "# cpus: N": a test of races between CPUs proves nothing on fewer
	# (run.sh gives such tests a VM with enough vCPUs).
	cpus=1
	while read -r line && [ "${line:0:1}" = "#" ]; do
		[[ $line =~ ^#\ timeout:\ ([0-9]+)$ ]] && limit=${BASH_REMATCH[1]}
		[[ $line =~ ^#\ cpus:\ ([0-9]+)$ ]] && cpus=${BASH_REMATCH[1]}
	done < "$REPO/tests/$t"
	limit=$((limit * ${TEST_TIMEOUT_SCALE:-1}))
	if [ "$ncpu" -lt "$cpus" ]; then
		printf 'FAIL 0.0 %s needs %s CPUs; this VM has %s\n' "$name" "$cpus" "$ncpu" \
			> "$results/$name.result"
		[ -n "$peer" ] && barrier "$name.end"
		continue
	fi
	# GRESEC_XTRACE=1: a trace of every command with its start time, kept
	# in guest memory while the test runs (a write per line over 9p would
	# slow the test down) and copied beside the log, to see where a test
	# spends its time.
	run=(bash "$REPO/tests/$t")
	if [ -n "${GRESEC_XTRACE:-}" ]; then
		exec 9> /tmp/xtrace
		# bash takes no PS4 from the environment when run as root.
		# shellcheck disable=SC2016 # expanded by that bash
		run=(bash -c 'PS4="+ \${EPOCHREALTIME} "; BASH_XTRACEFD=9; set -x; . "$0"' "$REPO/tests/$t")
	fi
	# timeout leads a process group of its own, which the test's
	# background jobs inherit: what is left of it once the test ends (a
	# traffic loop a failed test never stopped, that then ran into the
	# next test's tunnel) is killed with the group.
	# GRESEC_PERF=1: the guest's CPU time while the test runs, sampled
	# system-wide (perf's cpu-clock: TCG has no PMU) and kept beside the
	# log, to see which commands the test's time goes to ("perf report
	# -i NN-name.perf --sort comm" on the host).
	ppid=""
	if [ -n "${GRESEC_PERF:-}" ] && command -v perf > /dev/null; then
		perf record -q -a -e cpu-clock -F 49 -o /tmp/test.perf \
			> /dev/null 2>&1 &
		ppid=$!
	fi
	PEER=$peer TEST_NAME=$name timeout --kill-after=10 "$limit" \
		"${run[@]}" > "$results/$name.log" 2>&1 &
	tpid=$!
	wait $tpid
	rc=$?
	kill -KILL -- -$tpid 2> /dev/null
	if [ -n "$ppid" ]; then
		kill -INT "$ppid" 2> /dev/null
		wait "$ppid"
		cp /tmp/test.perf "$results/$name.perf" 2> /dev/null
	fi
	if [ -n "${GRESEC_XTRACE:-}" ]; then
		# shellcheck disable=SC2016 # expanded at each command
		PS4='+ ${EPOCHREALTIME} runner: '
		BASH_XTRACEFD=9
		set -x
	fi
	# Leave nothing behind for the next test; unloading also proves the
	# module lets go of everything the test created.  In few processes:
	# under TCG each one costs 0.2 to 3 s (pkill the most), which made
	# this clean-up take 15 s a test.
	ip -all netns delete 2>/dev/null
	for d in /proc/[0-9]*; do
		read -r c < "$d/comm" 2> /dev/null || continue
		case $c in
		bird | nc | iperf3 | tcpdump | tshark | dumpcap | ping | python3 | gresec | charon)
			kill -KILL "${d#/proc/}" 2> /dev/null ;;
		esac
	done
	cmds=()
	while read -r _ l _; do
		l=${l%:}
		l=${l%@*}
		case $l in
		lo | eth*) ;;
		*) cmds+=("link del $l") ;;
		esac
	done <<< "$(ip -o link show)"
	printf '%s\n' "${cmds[@]}" "addr flush dev eth0" "xfrm state flush" \
		"xfrm policy flush" | ip -force -batch - > /dev/null 2>&1
	mapfile -t mods < /proc/modules
	# What a test that stopped half-way may leave on the pair's link: a
	# qdisc (delay, drop) or nftables rules (NAT).  Looked for only where
	# their modules are loaded, to spare a process a test.
	if [[ " ${mods[*]%% *} " == *" sch_netem "* || " ${mods[*]%% *} " == *" sch_ingress "* ]]; then
		tc qdisc del dev eth0 root > /dev/null 2>&1
		tc qdisc del dev eth0 clsact > /dev/null 2>&1
	fi
	[[ " ${mods[*]%% *} " == *" nf_tables "* ]] && nft flush ruleset > /dev/null 2>&1
	for m in gresec ip_gre; do
		[[ " ${mods[*]%% *} " == *" $m "* ]] &&
			rmmod "$m" >> "$results/$name.log" 2>&1
	done
	end=$EPOCHREALTIME
	if [ -n "${GRESEC_XTRACE:-}" ]; then
		set +x
		unset BASH_XTRACEFD # closes fd 9
		echo "+ $start runner: test starts" | cat - /tmp/xtrace > "$results/$name.xtrace"
		echo "+ $end runner: cleaned up" >> "$results/$name.xtrace"
	fi
	dmesg -c > "$results/$name.dmesg"
	if [ -w /sys/kernel/debug/kmemleak ]; then
		bash "$REPO/tests/debug/kmemleak.sh" scan >> "$results/$name.dmesg"
		dmesg -C
	fi
	verdict=PASS
	reason=""
	if [ $rc -eq 77 ]; then
		verdict=SKIP
		reason=$(grep '^SKIP:' "$results/$name.log" | tail -n1)
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		# Over its budget: the limit is the test's own "# timeout:"
		# (docs/suite-time.md), and it says so by name.
		verdict=FAIL
		reason="timed out after ${limit}s: $name ran past its time limit (its '# timeout:' x ${TEST_TIMEOUT_SCALE:-1}; docs/suite-time.md)"
		echo "FAIL: $name ran past its time limit of ${limit}s and was killed" >> "$results/$name.log"
	elif [ $rc -ne 0 ]; then
		verdict=FAIL
		reason=$(grep -E '^(FAIL|not ok)' "$results/$name.log" | head -n1)
		[ -n "$reason" ] || reason="exit status $rc"
	fi
	if grep -qE "$SPLAT" "$results/$name.dmesg"; then
		verdict=FAIL
		reason="kernel log: $(grep -m1 -E "$SPLAT" "$results/$name.dmesg")"
	fi
	us=$((${end/./} - ${start/./}))
	printf '%s %d.%d %s\n' "$verdict" $((us / 1000000)) $((us % 1000000 / 100000)) \
		"$reason" > "$results/$name.result"
	[ -n "$peer" ] && barrier "$name.end"
done 3< /tmp/plan
echo done > "$S/done.$ROLE"
sync
echo o > /proc/sysrq-trigger
sleep 10
