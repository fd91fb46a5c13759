#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside one guest: two namespaces joined by veth, and one
# configuration after the other in the same boot:
#
#   veth        veth alone (no tunnel)
#   gre         ip_gre
#   gresec      gresec, plain GRE
#   gre-gcm     ip_gre + xfrm ESP transport rfc4106(gcm(aes)) 128, proto gre policy
#   gresec-gcm  gresec aes128gcm16
#   gre-cbc     ip_gre + xfrm ESP transport cbc(aes) + hmac(sha256)
#   gresec-cbc  gresec aes128-sha256
#   wg          WireGuard
#   base-gresec, base-gresec-gcm, base-gresec-cbc
#               the same as gresec, gresec-gcm, gresec-cbc with the module
#               make bench BASE=COMMIT built from that commit
#               ($REPO/build/bench-base/$KREL/gresec.ko), in the same boot
#
# For each: TCP throughput with 1 and 4 streams (iperf3) and the CPU time
# the whole guest spent per megabyte moved (/proc/stat), UDP packets per
# second received with 64-byte payloads (iperf3 -u -l 64 -b 0), and the
# average ping round trip (-i 0.01).  Everything is measured BENCH_RUNS
# times in rounds: each round sets up every configuration in turn, measures
# it once and tears it down, odd rounds in the order above and even rounds
# backwards, so that a host whose load drifts (other VMs) biases no
# configuration against its neighbour.  Raw numbers go to
# BENCH_OUT/raw/CONFIG.txt ("metric value" lines, one per round and metric,
# and "status ok" or "status failed: why" per round); tests/bench/report.py
# turns them into the table, results.json and the chart data.
#
# Run by tests/bench.sh through the guest runner (settings in
# $SHARE/bench.env), and by tests/cases/90-bench-smoke.sh with BENCH_QUICK=1.
#
#   BENCH_OUT      result directory (default: the share)
#   BENCH_CONFIGS  configurations, in order (default: all of the above)
#   BENCH_RUNS     runs per measurement (default 3)
#   BENCH_SECONDS  seconds per iperf3 run (default 3)
#   BENCH_PINGS    pings per latency run (default 100, 10 ms apart)
#   BENCH_MTU      MTU of every tunnel device (default 1400: fits ESP in 1500)
#   BENCH_QUICK=1  smoke mode: gre gresec gresec-gcm, 1 run of 1 s, 20 pings
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

if [ -z "${BENCH_OUT:-}" ] && [ -r "$SHARE/bench.env" ]; then
	# shellcheck source=/dev/null
	. "$SHARE/bench.env"
fi
ALL_CONFIGS="veth gre gresec gre-gcm gresec-gcm gre-cbc gresec-cbc wg"
if [ -n "${BENCH_QUICK:-}" ]; then
	: "${BENCH_CONFIGS:=gre gresec gresec-gcm}" "${BENCH_RUNS:=1}" \
		"${BENCH_SECONDS:=1}" "${BENCH_PINGS:=20}"
fi
: "${BENCH_CONFIGS:=$ALL_CONFIGS}" "${BENCH_RUNS:=3}" "${BENCH_SECONDS:=3}" \
	"${BENCH_PINGS:=100}" "${BENCH_MTU:=1400}" "${BENCH_OUT:=$SHARE}"
export BENCH_CONFIGS BENCH_RUNS BENCH_SECONDS BENCH_PINGS BENCH_MTU BENCH_OUT \
	BENCH_QUICK
BASE_MODULE=$REPO/build/bench-base/$KREL/gresec.ko
PORT=5201
HZ=$(getconf CLK_TCK)

# --- one configuration (run as a child: "guest.sh config NAME") ------------

# nb NS: the ip commands on stdin, in namespace NS, by one ip process
# (every process costs under TCG); logged like common.sh's n.
nb() {
	local cmds l
	IFS= read -r -d '' cmds || true
	cmds=${cmds%$'\n'}
	while read -r l; do echo "[+] $1: ip $l" >&2; done <<< "$cmds"
	ip -n "$1" -batch - <<< "$cmds"
}

underlay() {
	ip netns add ns1
	ip netns add ns2
	ip link add veth1 netns ns1 type veth peer name veth2 netns ns2
	local i
	for i in 1 2; do
		nb ns$i <<-EOF
			link set lo up
			addr add 192.0.2.$i/24 dev veth$i
			link set veth$i up
		EOF
	done
}

# inner DEV: the tunnel's inner addresses, MTU, up (both namespaces).
inner() {
	local i
	for i in 1 2; do
		nb ns$i <<-EOF
			addr add 198.51.100.$i/30 dev $1
			link set $1 mtu $BENCH_MTU up
		EOF
	done
	DST=198.51.100.2
}

unload() {
	local i
	for i in $(seq 1 50); do
		grep -q "^$1 " /proc/modules || return 0
		rmmod "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	fail "cannot unload $1"
}

# ip_gre and gresec both want the GRE version 0 receive slot.
native_gre() {
	unload gresec
	modprobe ip_gre
	local i
	for i in 1 2; do
		nb ns$i <<-EOF
			link add gre1 type gre local 192.0.2.$i remote 192.0.2.$((3 - i)) ttl 64
			addr add 198.51.100.$i/30 dev gre1
			link set gre1 mtu $BENCH_MTU up
		EOF
	done
	DST=198.51.100.2
}

# gresec_tunnel [KO]: the module built from this tree, or KO.
gresec_tunnel() {
	local ko=${1:-$MODULE}
	unload ip_gre
	# The other build of gresec may be loaded: one at a time.
	[ "$(cat /tmp/bench-gresec-ko 2>/dev/null)" = "$ko" ] || unload gresec
	if ! grep -q '^gresec ' /proc/modules; then
		load_gresec "$ko"
		echo "$ko" > /tmp/bench-gresec-ko
	fi
	local i
	for i in 1 2; do
		nb ns$i <<< "link add gs0 type gresec"
		n ns$i gresec set gs0 local 192.0.2.$i remote 192.0.2.$((3 - i)) ttl 64 mtu "$BENCH_MTU"
	done
	inner gs0
}

# Random key bytes as hex from bash's getrandom()-backed $SRANDOM: no
# head | od | tr per key (every process costs under TCG).
hexkey() {
	local s=""
	while [ ${#s} -lt $(($1 * 2)) ]; do
		printf -v s '%s%08x' "$s" "$SRANDOM"
	done
	echo "${s:0:$(($1 * 2))}"
}

# One SA per direction, keys shared by both ends.  SPI_OUT is ns1 -> ns2.
SPI12=$((0x1001))
SPI21=$((0x2001))
keys() {
	new_keys "$1"
	K12=$KEY A12=$AUTH
	new_keys "$1"
	K21=$KEY A21=$AUTH
}

native_xfrm() {
	local prop=$1 me peer i spi_out spi_in kout aout kin ain
	keys "$prop"
	for i in 1 2; do
		me=192.0.2.$i peer=192.0.2.$((3 - i))
		if [ $i = 1 ]; then
			spi_out=$SPI12 kout=$K12 aout=$A12 spi_in=$SPI21 kin=$K21 ain=$A21
		else
			spi_out=$SPI21 kout=$K21 aout=$A21 spi_in=$SPI12 kin=$K12 ain=$A12
		fi
		nb ns$i <<-EOF
			xfrm state add src $me dst $peer proto esp spi $spi_out mode transport replay-window 64 $(xfrm_algo "$prop" "$kout" "$aout")
			xfrm state add src $peer dst $me proto esp spi $spi_in mode transport replay-window 64 $(xfrm_algo "$prop" "$kin" "$ain")
			xfrm policy add src $me dst $peer proto gre dir out tmpl src $me dst $peer proto esp mode transport
			xfrm policy add src $peer dst $me proto gre dir in tmpl src $peer dst $me proto esp mode transport
		EOF
	done
}

gresec_sas() {
	local prop=$1
	keys "$prop"
	# shellcheck disable=SC2046
	{
		n ns1 gresec sa add gs0 dir out spi $SPI12 $(gresec_sa_args "$prop" "$K12" "$A12")
		n ns2 gresec sa add gs0 dir in spi $SPI12 $(gresec_sa_args "$prop" "$K12" "$A12")
		n ns2 gresec sa add gs0 dir out spi $SPI21 $(gresec_sa_args "$prop" "$K21" "$A21")
		n ns1 gresec sa add gs0 dir in spi $SPI21 $(gresec_sa_args "$prop" "$K21" "$A21")
	}
	# Nothing may go out in plaintext: without a working SA, no numbers.
	n ns1 gresec set gs0 protection required
	n ns2 gresec set gs0 protection required
}

wireguard() {
	local i
	modprobe wireguard
	command -v wg > /dev/null || fail "wg (wireguard-tools) not installed"
	(umask 077 && wg genkey > /tmp/wg1.key && wg genkey > /tmp/wg2.key)
	for i in 1 2; do
		nb ns$i <<< "link add wg0 type wireguard"
	done
	for i in 1 2; do
		n ns$i wg set wg0 listen-port 51820 private-key /tmp/wg$i.key \
			peer "$(wg pubkey < /tmp/wg$((3 - i)).key)" \
			allowed-ips 198.51.100.$((3 - i))/32 endpoint 192.0.2.$((3 - i)):51820
	done
	inner wg0
}

# Packets an xfrm state has protected: ip -s xfrm state get ... SPI
xfrm_packets() {
	ip netns exec "$1" ip -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
		sed -n 's/.*(bytes), *\([0-9]*\)(packets).*/\1/p' | head -n1
}

# cpu_busy: jiffies all CPUs spent not idle (user nice system irq softirq
# steal), read without starting a process.
cpu_busy() {
	local _c user nice sys _idle _iow irq sirq steal _rest
	read -r _c user nice sys _idle _iow irq sirq steal _rest < /proc/stat
	echo $((user + nice + sys + irq + sirq + steal))
}

# step WHAT: a line with the seconds since the configuration began.
T0=${EPOCHREALTIME/./}
step() {
	local t=$((${EPOCHREALTIME/./} - T0))
	printf '[%4d.%d s] %s\n' $((t / 1000000)) $((t / 100000 % 10)) "$*"
}

record() {
	echo "$1 $2" >> "$RAW"
	echo "  $1 = $2"
}

# iperf3 ARGS...: one client run from ns1; its JSON is kept in the logs.
iperf() {
	JS=$BENCH_OUT/logs/$CFG.$TAG.$RUN.json
	ip netns exec ns1 timeout $((BENCH_SECONDS + 30)) iperf3 -c "$DST" -p $PORT \
		-t "$BENCH_SECONDS" -J "$@" > "$JS" 2> /dev/null || true
}

# tcp STREAMS: one TCP run; Mbit/s received, bytes, CPU ms per MB.
tcp() {
	local c0 c1 v mbps bytes cpu
	TAG=tcp$1
	c0=$(cpu_busy)
	# 32 KiB writes: the slow tunnels still see 100 of them in a run.
	iperf -P "$1" -l 32K
	c1=$(cpu_busy)
	v=$(jq -r --argjson j $((c1 - c0)) --argjson hz "$HZ" '.end.sum_received |
		select(.bytes > 0) | "\(.bits_per_second / 1e6) \(.bytes) \($j * 1000 / $hz / (.bytes / 1e6))"' \
		"$JS" 2> /dev/null) || true
	if [ -z "$v" ]; then
		echo "  $TAG: iperf3 failed: $(jq -r '.error // empty' "$JS" 2> /dev/null || head -c 300 "$JS")"
		return 0
	fi
	read -r mbps bytes cpu <<< "$v"
	TCP_OK=1
	record "${TAG}_mbps" "$mbps"
	record "${TAG}_bytes" "$bytes"
	record "${TAG}_cpu_ms_per_mb" "$cpu"
}

# udp: 64-byte datagrams as fast as iperf3 sends them; received per second.
udp() {
	local v pps pkts lost
	TAG=udp
	iperf -u -l 64 -b 0
	v=$(jq -r '.end.sum_received | select(.seconds > 0 and .bytes > 0) |
		"\(.bytes / 64 / .seconds | round) \(.bytes / 64) \(.lost_percent)"' "$JS" 2> /dev/null) || true
	if [ -z "$v" ]; then
		echo "  udp: iperf3 failed: $(jq -r '.error // empty' "$JS" 2> /dev/null || head -c 300 "$JS")"
		return 0
	fi
	read -r pps pkts lost <<< "$v"
	record udp_pps "$pps"
	record udp_packets "$pkts"
	record udp_lost_percent "$lost"
}

# rtt: average ping round trip in microseconds.
rtt() {
	local out re='rtt min/avg/max/mdev = [0-9.]+/([0-9]+)\.([0-9]+)/' rx='([0-9]+) received'
	out=$(ip netns exec ns1 ping -q -i 0.01 -c "$BENCH_PINGS" -W 1 "$DST" 2>&1) || true
	if ! [[ $out =~ $re ]]; then
		echo "  ping failed: $(tail -n 2 <<< "$out")"
		return 0
	fi
	# ping prints milliseconds with 3 decimals: microseconds without awk.
	record rtt_us "$((10#${BASH_REMATCH[1]}${BASH_REMATCH[2]}))"
	[[ $out =~ $rx ]] && record ping_received "${BASH_REMATCH[1]}"
	return 0
}

# one_config NAME ROUND: set up, measure once, check the path.
one_config() {
	local cfg=$1
	CFG=$cfg
	RUN=$2
	RAW=$BENCH_OUT/raw/$cfg.txt
	DST=192.0.2.2
	case $cfg in
	veth) ;;
	gre) native_gre ;;
	gresec) gresec_tunnel ;;
	gre-gcm) native_gre; native_xfrm aes128gcm16 ;;
	gresec-gcm) gresec_tunnel; gresec_sas aes128gcm16 ;;
	gre-cbc) native_gre; native_xfrm aes128-sha256 ;;
	gresec-cbc) gresec_tunnel; gresec_sas aes128-sha256 ;;
	base-gresec) gresec_tunnel "$BASE_MODULE" ;;
	base-gresec-gcm) gresec_tunnel "$BASE_MODULE"; gresec_sas aes128gcm16 ;;
	base-gresec-cbc) gresec_tunnel "$BASE_MODULE"; gresec_sas aes128-sha256 ;;
	wg) wireguard ;;
	*) fail "unknown configuration $cfg" ;;
	esac
	step "$cfg configured"
	# WireGuard's handshake, neighbour resolution: wait for the first answer.
	wait_for 100 ip netns exec ns1 ping -c 1 -W 1 "$DST" || fail "$cfg: no ping reply from $DST"
	step "first ping answered"
	tcp 1
	step "tcp 1"
	tcp 4
	step "tcp 4"
	udp
	step "udp"
	rtt
	step "ping"
	# Prove the traffic took the path it was meant to.
	local p1 p2
	case ${cfg#base-} in
	gresec)
		p1=$(tun_counter ns1 gs0 tx_packets)
		[ "$p1" -gt 0 ] || fail "gresec sent no packets"
		record check_tunnel_tx_packets "$p1"
		;;
	gresec-*)
		p1=$(sa_counter ns1 gs0 out $SPI12 packets)
		p2=$(sa_counter ns2 gs0 in $SPI12 packets)
		[ "${p1:-0}" -gt 0 ] && [ "${p2:-0}" -gt 0 ] || fail "SA counters did not move ($p1 out, $p2 in)"
		record check_esp_out_packets "$p1"
		record check_esp_in_packets "$p2"
		[ -n "${BENCH_QUICK:-}" ] || n ns1 gresec show gs0
		;;
	gre-*)
		p1=$(xfrm_packets ns1 192.0.2.1 192.0.2.2 $SPI12)
		p2=$(xfrm_packets ns2 192.0.2.1 192.0.2.2 $SPI12)
		[ "${p1:-0}" -gt 0 ] && [ "${p2:-0}" -gt 0 ] || fail "xfrm counters did not move ($p1 out, $p2 in)"
		record check_esp_out_packets "$p1"
		record check_esp_in_packets "$p2"
		;;
	wg)
		n ns1 wg show wg0 transfer
		;;
	esac
	step "checked"
	[ -n "${TCP_OK:-}" ] || fail "$cfg: no TCP run succeeded"
}

if [ "${1:-}" = config ]; then
	one_config "$2" "$3"
	exit 0
fi

# --- the driver -------------------------------------------------------------
# The namespaces, the veth pair and the iperf3 server stay for the whole
# run (every process started costs under TCG); each configuration adds its
# tunnel and the driver removes it afterwards.

server_up() {
	[ -n "${SERVER:-}" ] && kill -0 "$SERVER" 2>/dev/null && return 0
	rm -f /tmp/iperf3-bench.pid
	ip netns exec ns2 iperf3 -s -D -p $PORT --pidfile /tmp/iperf3-bench.pid
	wait_for 100 listening ns2 $PORT || return 1
	SERVER=$(cat /tmp/iperf3-bench.pid)
}

server_down() {
	[ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null
	SERVER=""
}

# Remove whatever a configuration made (names as above; errors for the
# ones it did not make are expected).
cleanup() {
	local i
	for i in 1 2; do
		ip -force -n ns$i -batch - > /dev/null 2>&1 <<-EOF
			link del gre1
			link del gs0
			link del wg0
			xfrm state flush
			xfrm policy flush
		EOF
	done
}

set +e
mkdir -p "$BENCH_OUT/raw" "$BENCH_OUT/logs"
rm -f "$BENCH_OUT"/raw/*.txt
{
	echo "guest_kernel=$(uname -r)"
	echo "guest_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "guest_cpus=$(nproc)"
	echo "guest_mem_mb=$(awk '/^MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)"
	echo "iperf3=$(iperf3 --version | head -n1)"
	echo "configs=$BENCH_CONFIGS"
	echo "runs=$BENCH_RUNS"
	echo "seconds=$BENCH_SECONDS"
	echo "pings=$BENCH_PINGS"
	echo "mtu=$BENCH_MTU"
	echo "quick=${BENCH_QUICK:-0}"
} > "$BENCH_OUT/meta.guest"
self=$(readlink -f "$0")
failed=0
ip -all netns delete 2> /dev/null
underlay > "$BENCH_OUT/logs/underlay.log" 2>&1 || { cat "$BENCH_OUT/logs/underlay.log"; fail "underlay"; }
for cfg in $BENCH_CONFIGS; do
	: > "$BENCH_OUT/raw/$cfg.txt"
done
order=$BENCH_CONFIGS
reversed=$(tr ' ' '\n' <<< "$BENCH_CONFIGS" | tac | tr '\n' ' ')
for round in $(seq 1 "$BENCH_RUNS"); do
	[ $((round % 2)) = 0 ] && order=$reversed || order=$BENCH_CONFIGS
	echo "### round $round of $BENCH_RUNS: $order"
	for cfg in $order; do
		t0=$EPOCHSECONDS
		log=$BENCH_OUT/logs/$cfg.$round.log
		echo "=== $cfg (round $round)"
		if server_up; then
			bash "$self" config "$cfg" "$round" > "$log" 2>&1
			rc=$?
		else
			echo "FAIL: iperf3 server did not start" > "$log"
			rc=1
		fi
		grep -E '^  [a-z0-9_]+ = ' "$log"
		if [ $rc -eq 0 ]; then
			echo "status ok" >> "$BENCH_OUT/raw/$cfg.txt"
		else
			why=$(grep -m1 '^FAIL' "$log" || echo "exit status $rc")
			echo "status failed: ${why#FAIL: }" >> "$BENCH_OUT/raw/$cfg.txt"
			echo "$cfg: ${why}"
			tail -n 15 "$log" | sed 's/^/  | /'
			failed=$((failed + 1))
			# A client killed mid-test can leave the server waiting: restart.
			server_down
		fi
		t1=$EPOCHSECONDS
		cleanup
		echo "$cfg: $((EPOCHSECONDS - t0)) s (cleanup $((EPOCHSECONDS - t1)) s)"
	done
done
server_down
ip -all netns delete 2> /dev/null
echo "bench: $failed of $(($(wc -w <<< "$BENCH_CONFIGS") * BENCH_RUNS)) configuration rounds failed"
# The driver succeeds when it ran; which configurations produced numbers is
# for report.py (and the smoke test) to judge.
exit 0
