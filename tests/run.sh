#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is needed, build the module (release and debug)
# and the CLI for every test kernel, run every test in QEMU VMs on every
# kernel, then the reliability tests once more on the debug kernel of make
# check-debug (built once and cached), print one line per test and a final
# "N passed, N failed" line.
#
#   TESTS=regex      run only tests whose name matches
#   GRESEC_KERNELS   kernel releases to test (default: newest 6.1 and 6.12)
#   GRESEC_ACCEL=kvm try KVM instead of TCG
#   GRESEC_VM_TIMEOUT seconds a VM may run all its tests (default 2400)
#   FUZZ_SEED        seed for 17-fuzz, GRESEC_FUZZ_SEED for 12- and 16-
#                    (each prints the seed it used; default random)
#   GRESEC_DEBUG_TESTS regex of the tests the debug-kernel lane runs after
#                    Debian's kernels (default below; empty: no such lane)
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh

t0=$(date +%s)
vm_timeout=${GRESEC_VM_TIMEOUT:-2400}
tests/deps.sh || { echo "check: installing dependencies failed"; exit 1; }
read -r -a kernels <<< "$(tests/vm/kernels.sh)"
if [ ${#kernels[@]} -eq 0 ]; then
	echo "check: no kernel with headers found"
	exit 1
fi

log=build/check
mkdir -p "$log"
echo "check: building the CLI and the module for ${kernels[*]}"
if ! make -s cli > "$log/build.log" 2>&1; then
	tail -n 30 "$log/build.log"
	echo "0 passed, 1 failed"
	exit 1
fi
# build_modules KREL: the release and debug builds of the module for KREL;
# on failure, the errors and a FAIL line.
build_modules() {
	local t
	for t in module module-debug; do
		if ! make -s $t KDIR="/lib/modules/$1/build" >> "$log/build.log" 2>&1; then
			grep -E 'error|warning' "$log/build.log" | head -n 30
			echo "FAIL $1 build ($t)"
			return 1
		fi
	done
}
for k in "${kernels[@]}"; do
	build_modules "$k" || { echo "0 passed, 1 failed"; exit 1; }
done
echo "check: built in $(($(date +%s) - t0))s"

passed=0
failed=0
skipped=0

# The CLI's own unit tests (parsers, netlink framing, argument errors) need
# no kernel: they run on the host.
if make -s -C tools test > "$log/tools-test.log" 2>&1; then
	passed=$((passed + 1))
	echo "PASS host                   tools/unit ($(grep -E '^[0-9]+ passed' "$log/tools-test.log" | awk '{ n += $1 } END { print n }') checks)"
else
	failed=$((failed + 1))
	echo "FAIL host                   tools/unit"
	grep -vE '^(ok|PASS)' "$log/tools-test.log" | tail -n 25 | sed 's/^/  | /'
fi

# A test declares where it runs: "# topology: netns" (one VM, namespaces)
# or "# topology: pair" (gresec VM "left" linked to a native-peer VM "right").
# select_tests TOPO [REGEX]: also filtered by REGEX when given.
select_tests() {
	local topo=$1 also=${2:-} f
	for f in tests/cases/*.sh; do
		grep -q "^# topology: $topo\$" "$f" || continue
		[ -n "${TESTS:-}" ] && ! basename "$f" .sh | grep -qE "$TESTS" && continue
		[ -n "$also" ] && ! basename "$f" .sh | grep -qE "$also" && continue
		echo "cases/$(basename "$f")"
	done
}
read -r -a netns_tests <<< "$(select_tests netns | tr '\n' ' ')"
read -r -a pair_tests <<< "$(select_tests pair | tr '\n' ' ')"

# report KREL SHARE TOPO ROLES TEST...: one line per test, details on failure.
report() {
	local k=$1 share=$2 topo=$3 roles=$4
	shift 4
	local t name role verdict res why v
	for t in "$@"; do
		name=$(basename "$t" .sh)
		verdict=PASS
		why=""
		for role in $roles; do
			res="$share/results/$role/$name.result"
			if [ ! -e "$res" ]; then
				v=FAIL
				if [ "$(cat "$share/current.$role" 2>/dev/null)" = "$name" ]; then
					why="$role: VM died or hung during this test"
				else
					why="$role: not run (VM stopped earlier)"
				fi
			else
				read -r v _ rest < "$res"
				[ "$v" = PASS ] || why="$role: $rest"
			fi
			if [ "$v" = FAIL ]; then
				verdict=FAIL
			elif [ "$v" = SKIP ] && [ $verdict = PASS ]; then
				verdict=SKIP
			fi
		done
		case $verdict in
		PASS) passed=$((passed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		FAIL) failed=$((failed + 1)) ;;
		esac
		printf '%-4s %-22s %s/%s%s\n' "$verdict" "$k" "$topo" "$name" \
			"${why:+  ($why)}"
		[ $verdict = FAIL ] || continue
		for role in $roles; do
			local base="$share/results/$role/$name"
			if [ -s "$base.log" ]; then
				echo "  --- $role: test output (tail)"
				tail -n 25 "$base.log" | sed 's/^/  | /'
			fi
			if [ -s "$base.dmesg" ] && grep -qE "$SPLAT" "$base.dmesg"; then
				echo "  --- $role: kernel log excerpt"
				grep -m1 -B2 -A25 -E "$SPLAT" "$base.dmesg" | sed 's/^/  | /'
			elif [ ! -e "$base.result" ] && [ -e "$share/console.$role.log" ]; then
				echo "  --- $role: console tail"
				tail -n 30 "$share/console.$role.log" | sed 's/^/  | /'
			fi
		done
	done
}
SPLAT=$(sed -n "s/^SPLAT='\(.*\)'$/\1/p" tests/guest/runner.sh)

# run_kernel KREL: the namespace VM and the VM pair run side by side (the
# pair spends much of its time waiting on each other and on the network).
# shellcheck disable=SC2034 # vm_run takes left_args/right_args by name
run_kernel() {
	local k=$1 ns_share=$repo/$log/$1/netns pair_share=$repo/$log/$1/pair
	local ns_job pair_job port nic left_args right_args
	rm -rf "$ns_share" "$pair_share"
	mkdir -p "$repo/$log/$k"
	# Built once here: the VMs below start together and share it.
	tests/vm/initramfs.sh "$k" "$repo/$log/$k/initrd-$k.gz"
	if [ ${#netns_tests[@]} -gt 0 ]; then
		mkdir -p "$ns_share"
		vm_prepare "$ns_share" single "$k" "$repo" "" "${netns_tests[@]}"
		vm_run "$ns_share" "$vm_timeout" "$k" single &
		ns_job=$!
	fi
	if [ ${#pair_tests[@]} -gt 0 ]; then
		mkdir -p "$pair_share"
		port=$((20000 + RANDOM % 20000))
		# Loopback-only link; offloads off so captures show wire bytes.
		nic="virtio-net-pci,netdev=n0,csum=off,guest_csum=off"
		left_args=(-netdev "socket,id=n0,listen=127.0.0.1:$port" -device "$nic,mac=52:54:00:00:00:01")
		right_args=(-netdev "socket,id=n0,connect=127.0.0.1:$port" -device "$nic,mac=52:54:00:00:00:02")
		vm_prepare "$pair_share" left "$k" "$repo" right "${pair_tests[@]}"
		vm_prepare "$pair_share" right "$k" "$repo" left "${pair_tests[@]}"
		vm_run "$pair_share" "$vm_timeout" "$k" left:left_args right:right_args &
		pair_job=$!
	fi
	if [ ${#netns_tests[@]} -gt 0 ]; then
		wait $ns_job
		report "$k" "$ns_share" netns single "${netns_tests[@]}"
	fi
	if [ ${#pair_tests[@]} -gt 0 ]; then
		wait $pair_job
		report "$k" "$pair_share" pair "left right" "${pair_tests[@]}"
	fi
}

for k in "${kernels[@]}"; do
	run_kernel "$k"
done

# The debug-kernel lane: the tests that shake gresec hardest (in-module
# self-tests, hostile packets and netlink requests, lifecycle under load,
# failslab) once more on the KASAN + lockdep + kmemleak + failslab kernel
# of make check-debug, where a report or a leak fails the test.  The whole
# suite there (make check-debug) would take ~40 minutes more under TCG;
# this subset (~17 minutes) is what fits CI's budget with a margin.
# GRESEC_DEBUG_TESTS=regex picks another subset, GRESEC_DEBUG_TESTS= turns
# the lane off.
debug_tests=${GRESEC_DEBUG_TESTS-'^(00|12|14|16|17|18|19|33|35)-'}
netns_tests=()
pair_tests=()
[ -n "$debug_tests" ] &&
	read -r -a netns_tests <<< "$(select_tests netns "$debug_tests" | tr '\n' ' ')"
if [ ${#netns_tests[@]} -gt 0 ]; then
	t_debug=$(date +%s)
	if ! out=$(tests/debug/prepare.sh 2> "$log/debug-kernel.log"); then
		failed=$((failed + 1))
		echo "FAIL debug-kernel            build"
		tail -n 25 "$log/debug-kernel.log" | sed 's/^/  | /'
	else
		read -r krel bootdir <<< "$out"
		if ! build_modules "$krel"; then
			failed=$((failed + 1))
		else
			echo "check: debug kernel $krel and its module ready in $(($(date +%s) - t_debug))s"
			# Everything runs several times slower there (a process
			# start costs ~250 ms under TCG): more time per boot and
			# per test; tests with their own "# timeout: N" keep it.
			VM_BOOT_TIMEOUT=300
			export TEST_TIMEOUT=900 GRESEC_BOOT_DIR=$bootdir
			run_kernel "$krel"
		fi
	fi
fi

echo "check: finished in $(($(date +%s) - t0))s"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $((passed + skipped)) -gt 0 ]
