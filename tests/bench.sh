#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench [KERNEL=6.1|6.12|RELEASE]: build the module and the CLI, boot
# one QEMU VM (4 GiB; 1 vCPU under icount, else -smp 2) and measure, one
# after the other in that boot, veth alone, ip_gre, gresec, ip_gre + xfrm
# and gresec with AES-GCM and with AES-CBC + HMAC-SHA256, and WireGuard
# (tests/bench/guest.sh).  Prints the table and writes
# build/bench/results.json, build/bench/table.{txt,md} and a chart; a full
# run (all configurations, 3 runs or more) draws the chart as
# docs/bench-SERIES.png (SERIES: 6.1, 6.12) and rewrites that kernel
# series' measured block of docs/bench.md, keeping the other kernel's.
# See docs/bench.md.
#
#   KERNEL          kernel series (6.1, 6.12: newest installed, as
#                   tests/vm/kernels.sh picks) or a release; default 6.12
#   BENCH_CONFIGS   configurations (default all)
#   BENCH_RUNS      runs per measurement (default 3)
#   BENCH_SECONDS   seconds per iperf3 run (default 3)
#   BENCH_PINGS     pings per latency run (default 100)
#   BENCH_QUICK=1   a quick run (configurations 2, 3, 5, one 1 s run)
#   BENCH_DOCS=0    never touch docs/ (chart goes to build/bench/bench.png)
#   BENCH_TIMEOUT   seconds the guest may take (default 2700)
#   BENCH_ICOUNT    TCG's -icount shift (default 2), or "off" for real time
#   BENCH_SMP       vCPUs (default 2; 1 under -icount, see below)
#   BENCH_PROFILE=smp  what make bench-smp runs: two vCPUs in real time
#                   (BENCH_ICOUNT=off), configurations 4, 5 and 8, 5 rounds;
#                   its full run writes the block SERIES-smp of docs/bench.md
#                   and docs/bench-SERIES-smp.png
#   BASE=COMMIT     also build the module of COMMIT (kmod/, uapi/, Kbuild
#                   and Makefile from git) and measure it in the same boot
#                   as base-gresec, base-gresec-gcm and base-gresec-cbc
#                   beside this tree's (default configurations: those and
#                   their ip_gre and gresec counterparts), so a refactor's
#                   before and after share every condition; report.py adds
#                   the ratios of this tree's rows to the base's
#   GRESEC_ACCEL=kvm  try KVM instead of TCG
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
export VM_MEM=${VM_MEM:-4096}
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh

# The hand-over of ESP work to the next CPU (kmod/parallel.c) only shows
# where a second vCPU really runs beside the first: in real time, which
# icount is not (its vCPUs take turns), so measured as a profile of its own.
profile=${BENCH_PROFILE:-icount}
smp_configs="gre-gcm gresec-gcm wg"
case $profile in
icount) ;;
smp)
	BENCH_ICOUNT=off
	BENCH_SMP=${BENCH_SMP:-2}
	BENCH_RUNS=${BENCH_RUNS:-5}
	BENCH_CONFIGS=${BENCH_CONFIGS:-$smp_configs}
	;;
*) echo "bench: BENCH_PROFILE=$profile: want icount or smp"; exit 1 ;;
esac

t0=$(date +%s)
tests/deps.sh || { echo "bench: installing dependencies failed"; exit 1; }
# What only the benchmark needs.
missing=()
for p in wireguard-tools gnuplot-nox; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null; } ||
		{ echo "bench: installing ${missing[*]} failed"; exit 1; }
fi

want=${KERNEL:-6.12}
read -r -a kernels <<< "$(tests/vm/kernels.sh)"
k=""
for c in "${kernels[@]}"; do
	case $c in
	"$want" | "$want".[0-9]*) k=$c ;;
	esac
done
if [ -z "$k" ] && [ -e "/boot/vmlinuz-$want" ] && [ -d "/lib/modules/$want/build" ]; then
	k=$want
fi
if [ -z "$k" ]; then
	echo "bench: no kernel with image and headers for KERNEL=$want (have: ${kernels[*]})"
	exit 1
fi

echo "bench: building gresec for $k"
make -s cli > /dev/null || exit 1
make -s module KDIR="/lib/modules/$k/build" > /dev/null || exit 1
if [ -n "${BASE:-}" ]; then
	base=$(git rev-parse --verify --short "$BASE^{commit}") || { echo "bench: BASE=$BASE is no commit"; exit 1; }
	echo "bench: building gresec $base (BASE=$BASE) for $k"
	src=$repo/build/bench-base/src
	rm -rf "$src"
	mkdir -p "$src"
	git archive "$base" Kbuild Makefile kmod uapi | tar -x -C "$src" || exit 1
	make -s -C "$src" module KDIR="/lib/modules/$k/build" GRESEC_VERSION="$base" > /dev/null || exit 1
	mkdir -p "$repo/build/bench-base/$k"
	cp "$src/build/$k/gresec.ko" "$repo/build/bench-base/$k/gresec.ko"
	: "${BENCH_CONFIGS:=gre gresec base-gresec gre-gcm gresec-gcm base-gresec-gcm gre-cbc gresec-cbc base-gresec-cbc}"
fi

share=$repo/build/bench
rm -rf "$share"
mkdir -p "$share"
: > "$share/bench.env"
for v in BENCH_CONFIGS BENCH_RUNS BENCH_SECONDS BENCH_PINGS BENCH_MTU BENCH_QUICK; do
	[ -n "${!v:-}" ] && printf '%s=%q\n' "$v" "${!v}" >> "$share/bench.env"
done
# Under TCG the guest's clock is the host's, so every other job on the host
# shows up in the numbers (runs of the same configuration a minute apart
# differed 5-fold with other VMs running).  With -icount, QEMU derives the
# guest's time from the instructions it executes (one every 2^N ns): the
# numbers then measure work done, in guest instructions, and the same run
# repeats within a few percent however busy the host is.  icount needs
# single-threaded TCG, so the two vCPUs take turns (the guest sees each of
# them running at half speed).  BENCH_ICOUNT=off measures like the suite
# runs (multi-threaded TCG, real time).
icount=${BENCH_ICOUNT:-2}
smp=${BENCH_SMP:-2}
case $(vm_accel) in
*kvm*) accel=KVM short=KVM ;;
*)
	if [ "$icount" = off ]; then
		accel="TCG (multi-threaded, real time)" short="TCG, real time"
	else
		vm_accel() { echo "-accel tcg,thread=single -cpu max -icount shift=$icount"; }
		accel="TCG (single-threaded, -icount shift=$icount: virtual time from instruction counts, $((1000 >> icount)) MIPS)"
		short="TCG -icount shift=$icount"
		# One vCPU.  Under -icount the vCPUs take turns on one host
		# thread, so a second one adds no compute, only round-robin
		# slices of up to 100 ms in which one vCPU stands still, maybe
		# between taking an ESP sequence number and sending the packet:
		# on 6.12 with 2 vCPUs both xfrm (159 XfrmInStateSeqError) and
		# gresec (123 "replay too old") dropped packets as too old for
		# the 64-packet window in one run, TCP retransmitted, and the
		# numbers measured the emulator's scheduling; with 1 vCPU, no
		# drop.  (Linux 6.1 does not even bring a second vCPU up under
		# -icount.)
		if [ -z "${BENCH_SMP:-}" ]; then
			smp=1
			short="$short, 1 vCPU"
		fi
	fi
	;;
esac
{
	echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)"
	echo "describe=$(git describe --always --dirty 2>/dev/null || echo unknown)"
	echo "host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "host_cpus=$(nproc)"
	echo "host_kernel=$(uname -r)"
	echo "accel=$accel"
	echo "qemu=$(qemu-system-x86_64 --version | head -n1)"
	echo "vm=-smp $smp -m $VM_MEM"
	[ -n "${BASE:-}" ] && echo "base=$base ($(git log -1 --format=%s "$base" | cut -c1-60))"
} > "$share/meta.host"

echo "bench: booting one VM under $accel (kernel $k, -smp $smp, $VM_MEM MB); this takes several minutes"
TEST_TIMEOUT=${BENCH_TIMEOUT:-2700} vm_prepare "$share" single "$k" "$repo" "" bench/guest.sh
# shellcheck disable=SC2034 # used by vm_run, by name; overrides vm_start's -smp 2
smp_args=(-smp "$smp")
vm_run "$share" $((${BENCH_TIMEOUT:-2700} + 120)) "$k" single:smp_args
log=$share/results/single/guest.log
[ -e "$log" ] && grep -vE '^\[\+\]' "$log"
read -r v _ why < "$share/results/single/guest.result" 2>/dev/null || v=FAIL
rc=0
if [ "$v" != PASS ]; then
	echo "bench: the guest failed: ${why:-did not finish}"
	[ -e "$share/console.single.log" ] && tail -n 20 "$share/console.single.log"
	# What was measured before that is still worth a table.
	ls "$share"/raw/*.txt > /dev/null 2>&1 || exit 1
	echo "bench: reporting what was measured (incomplete: docs/ not updated)"
	rc=1
fi
echo

# A full run is what docs/bench.md shows; anything less stays in build/.
full=0
if [ $rc = 0 ] && [ -z "${BENCH_QUICK:-}" ] && [ "${BENCH_DOCS:-1}" != 0 ]; then
	if [ "$profile" = smp ]; then
		[ "$BENCH_CONFIGS" = "$smp_configs" ] && [ "$BENCH_RUNS" -ge 5 ] &&
			[ "$smp" = 2 ] && full=1
	elif [ -z "${BENCH_CONFIGS:-}" ] && [ "${BENCH_RUNS:-3}" -ge 3 ]; then
		full=1
	fi
fi
docs=()
tag=""
[ "$profile" = smp ] && tag=smp
[ $full = 1 ] && docs=(--docs docs/bench.md ${tag:+--tag "$tag"})
python3 tests/bench/report.py "$share" "${docs[@]}" || exit 1
png=$share/bench.png
# One chart per kernel series, beside its block in docs/bench.md.
[[ $k =~ ^[0-9]+\.[0-9]+ ]] || { echo "bench: no kernel series in $k"; exit 1; }
[ $full = 1 ] && png=docs/bench-${BASH_REMATCH[0]}${tag:+-$tag}.png
sub="$(sed -n 's/^date=//p' "$share/meta.host"), $(sed -n 's/^describe=//p' "$share/meta.host"), kernel $k, $short, host $(sed -n 's/^host_cpu=//p' "$share/meta.host")"
gnuplot -e "dir='$share'; out='$png'; subtitle='${sub//\'/}'" tests/bench/plot.gp || exit 1
echo
echo "bench: results in build/bench/results.json, build/bench/table.md, chart $png"
[ $full = 1 ] && echo "bench: docs/bench.md updated with this run"
echo "bench: finished in $(($(date +%s) - t0)) s"
exit $rc
