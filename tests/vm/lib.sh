# SPDX-License-Identifier: GPL-2.0
#
# Host-side helpers to boot test VMs: QEMU under TCG (GRESEC_ACCEL=kvm to try
# KVM), the host root shared read-only over virtio-9p, one writable share per
# run.  Sourced by run.sh, demo.sh and bench.sh.

VM_MEM=${VM_MEM:-1024}
# vCPUs per VM; run.sh gives each VM what its tests need.
VM_SMP=${VM_SMP:-2}
VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-120}
VM_BOOT_TRIES=${VM_BOOT_TRIES:-3}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The repository is shared on its own: wherever it was cloned (even under a
# path the guest covers with tmpfs), the guest sees it at /run/repo.
GRESEC_REPO=$(cd "$VM_DIR/../.." && pwd)

vm_accel() {
	if [ "${GRESEC_ACCEL:-tcg}" = kvm ] && [ -w /dev/kvm ]; then
		echo "-accel kvm -cpu host"
	else
		echo "-accel tcg,thread=multi -cpu max"
	fi
}

# vm_prepare SHARE ROLE KREL REPO PEER TESTS...: lay out a share for one VM.
# VM_CLAIM_TESTS: tests it runs after TESTS unless another VM on the same
# share has claimed them first (tests/guest/runner.sh).
vm_prepare() {
	local share=$1 role=$2 krel=$3 repo=$4 peer=$5
	shift 5
	mkdir -p "$share/results/$role"
	cp "$VM_DIR/../guest/runner.sh" "$share/runner.sh"
	# Published vectors and third-party captures live beside the project
	# (../shared); guests see them in the share.
	if [ -d "$GRESEC_REPO/../shared/vectors" ] && [ ! -d "$share/vectors" ]; then
		cp -r "$GRESEC_REPO/../shared/vectors" "$share/vectors"
	fi
	{
		echo "ROLE=$role"
		echo "PEER=$peer"
		echo "KREL=$krel"
		echo "REPO=/run/repo"
		echo "TESTS=\"$*\""
		echo "CLAIM_TESTS=\"${VM_CLAIM_TESTS:-}\""
		echo "TEST_TIMEOUT=${TEST_TIMEOUT:-300}"
		echo "TEST_TIMEOUT_SCALE=${TEST_TIMEOUT_SCALE:-1}"
		echo "GRESEC_DEMO=${GRESEC_DEMO:-}"
		echo "GRESEC_DEBUG_LANE=${GRESEC_DEBUG_LANE:-}"
		echo "GRESEC_XTRACE=${GRESEC_XTRACE:-}"
		echo "GRESEC_PERF=${GRESEC_PERF:-}"
		# Rerunning a seeded fuzz test with its seed.
		printf 'FUZZ_SEED=%q\n' "${FUZZ_SEED:-}"
		printf 'GRESEC_FUZZ_SEED=%q\n' "${GRESEC_FUZZ_SEED:-}"
	} > "$share/env.$role"
}

# vm_start SHARE ROLE KREL [QEMU ARGS...]: boot in the background; prints pid.
# The kernel image is GRESEC_BOOT_DIR/vmlinuz-KREL for a kernel built outside
# the package manager (the debug kernel, tests/debug/) if it is there, else
# /boot/vmlinuz-KREL.
vm_start() {
	local share=$1 role=$2 krel=$3
	shift 3
	local initrd=$share/../initrd-$krel.gz
	local image=/boot/vmlinuz-$krel append=""
	# The debug kernel also dies on a WARN, as syzkaller's do: the test
	# fails with the report on the console (loglevel 5 lets the WARNING
	# line through "quiet"), and the other VM of the kernel takes over
	# the tests left.
	if [ -n "${GRESEC_BOOT_DIR:-}" ] && [ -e "$GRESEC_BOOT_DIR/vmlinuz-$krel" ]; then
		image=$GRESEC_BOOT_DIR/vmlinuz-$krel
		append=" panic_on_warn=1 loglevel=5"
	fi
	# norandmaps: with every process's libraries at the same addresses,
	# TCG reuses the code it translated for the last process instead of
	# translating each new one's anew, and a process start costs a third
	# less (tests start thousands).
	append+=" norandmaps"
	"$VM_DIR/initramfs.sh" "$krel" "$initrd"
	rm -f "$share/booted.$role" "$share/done.$role"
	# shellcheck disable=SC2046
	qemu-system-x86_64 $(vm_accel) -smp "$VM_SMP" -m "$VM_MEM" \
		-nodefaults -display none -no-reboot -monitor none \
		-serial "file:$share/console.$role.log" \
		-kernel "$image" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 oops=panic mitigations=off gresec.role=$role$append" \
		-fsdev local,id=root,path=/,readonly=on,security_model=none,multidevs=remap \
		-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
		-fsdev "local,id=share,path=$share,security_model=none" \
		-device virtio-9p-pci,fsdev=share,mount_tag=share \
		-fsdev "local,id=repo,path=$GRESEC_REPO,readonly=on,security_model=none" \
		-device virtio-9p-pci,fsdev=repo,mount_tag=repo \
		"$@" > "$share/qemu.$role.log" 2>&1 &
	echo $!
}

# vm_wait SHARE TIMEOUT ROLE=PID...: wait for the VMs; a VM that has not
# reached the runner within VM_BOOT_TIMEOUT, or outlives TIMEOUT, is killed.
# When one VM of a group dies before reaching its runner, the others are
# killed at once: a pair's survivor would otherwise wait for its peer until
# its time limit, and the group is booted again anyway.
# Returns 2 if some VM never booted (worth retrying), 1 on timeout.
vm_wait() {
	local share=$1 timeout=$2
	shift 2
	local t=0 alive rc=0 rp role pid dead_early=0
	while :; do
		alive=0
		for rp in "$@"; do
			role=${rp%%=*}
			pid=${rp#*=}
			if ! kill -0 "$pid" 2>/dev/null; then
				[ -e "$share/booted.$role" ] || dead_early=1
				continue
			fi
			alive=1
			if [ $dead_early -eq 1 ]; then
				kill "$pid" 2>/dev/null
				continue
			fi
			if [ ! -e "$share/booted.$role" ] && [ $t -ge "$VM_BOOT_TIMEOUT" ]; then
				kill "$pid" 2>/dev/null
			elif [ $t -ge "$timeout" ]; then
				echo "vm: $role still running after ${timeout}s: killed" >&2
				kill "$pid" 2>/dev/null
				rc=1
			fi
		done
		[ $alive -eq 0 ] && break
		sleep 1
		t=$((t + 1))
	done
	for rp in "$@"; do
		role=${rp%%=*}
		wait "${rp#*=}" 2>/dev/null
		[ -e "$share/booted.$role" ] || rc=2
	done
	return $rc
}

# vm_run SHARE TIMEOUT KREL ROLE[:QEMU-ARGS-VAR[:KREL]]...: boot one or more
# VMs together (each on KREL unless its spec names another) and retry the
# whole group when one never reaches its runner (a rare early-boot crash
# under TCG must not count as a test failure).
vm_run() {
	local share=$1 timeout=$2 krel=$3
	shift 3
	local try spec role var rk pids rc pid
	for try in $(seq 1 "$VM_BOOT_TRIES"); do
		pids=()
		rm -rf "$share/sync"
		for spec in "$@"; do
			IFS=: read -r role var rk <<< "$spec"
			local -a extra=()
			[ -n "$var" ] && eval "extra=(\"\${$var[@]}\")"
			pid=$(vm_start "$share" "$role" "${rk:-$krel}" "${extra[@]}")
			# For run.sh, which watches how many VMs still run.
			echo "$pid" > "$share/pid.$role"
			pids+=("$role=$pid")
			# A "connect" socket netdev needs its "listen" peer up first.
			[ $# -gt 1 ] && sleep 1
		done
		vm_wait "$share" "$timeout" "${pids[@]}"
		rc=$?
		[ $rc -ne 2 ] && return $rc
		for spec in "$@"; do
			IFS=: read -r role var rk <<< "$spec"
			if [ ! -e "$share/booted.$role" ]; then
				echo "vm: $role (${rk:-$krel}) did not reach the test runner (try $try); console tail:" >&2
				tail -n 5 "$share/console.$role.log" | sed 's/^/    /' >&2
				# Kept: the next boot's console replaces it.
				cp "$share/console.$role.log" "$share/console.$role.try$try.log"
			fi
		done
	done
	return 2
}
