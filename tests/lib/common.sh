# SPDX-License-Identifier: GPL-2.0
#
# Helpers for test cases.  A test is a bash script run inside a guest by
# tests/guest/runner.sh; it exits 0 to pass, 77 to skip, anything else to
# fail, and prints "FAIL: why" before failing.
set -euo pipefail

MODULE=$REPO/build/$KREL/gresec.ko
MODULE_DEBUG=$REPO/build/$KREL-debug/gresec.ko
GRESEC=$REPO/tools/gresec
PATH=$REPO/tools:$PATH

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

ok() {
	echo "ok: $*"
}

# Whether this run is the debug-kernel lane (KASAN, lockdep, kmemleak under
# TCG, where everything is several times slower).  That lane hunts memory
# and locking errors, which depend on the code paths a test takes, not on
# how often it repeats one: tests that loop over variants of one path (key
# lengths, hash functions, GRE option sets) take one variant per path
# there, and Debian's kernels run them all.  Both VMs of a pair agree.
debug_lane() {
	[ "${GRESEC_DEBUG_LANE:-}" = 1 ]
}

# Run a command in a namespace, showing it like WireGuard's netns.sh does.
n() {
	local ns=$1
	shift
	echo "[+] $ns: $*" >&2
	ip netns exec "$ns" "$@"
}

expect_eq() {
	local got=$1 want=$2 what=$3
	[ "$got" = "$want" ] || fail "$what: got '$got', want '$want'"
	ok "$what = $want"
}

expect_ge() {
	local got=$1 min=$2 what=$3
	[ "$got" -ge "$min" ] || fail "$what: got $got, want >= $min"
	ok "$what = $got (>= $min)"
}

# Load the module under test (and the modules it links against).
load_gresec() {
	local m=${1:-$MODULE} dep
	[ -e "$m" ] || fail "module not built: $m"
	for dep in $(modinfo -F depends "$m" | tr ',' ' '); do
		modprobe "$dep"
	done
	insmod "$m" "${@:2}"
}

# Count kernel log lines matching a pattern since the test began.
klog_count() {
	dmesg | grep -cE "$1" || true
}

# The counters of "gresec dump" lines, in column order from column TUN_COL0
# of a tunnel line and SA_COL0 of an SA line (gresec(8), DUMP FORMAT), named
# as in "gresec show -j".  The counter helpers read dump lines with awk:
# under TCG a jq start costs a second or two, and tests read thousands of
# counters.  dump_matches_json checks these tables against the JSON.
TUN_COL0=18
TUN_COUNTERS=(rx_packets rx_bytes tx_packets tx_bytes
	rx_drop_malformed rx_drop_version rx_drop_csum rx_drop_csum_missing
	rx_drop_key rx_drop_seq rx_drop_seq_missing rx_drop_plaintext rx_drop_ecn
	rx_drop_nomem rx_drop_inner
	tx_drop_no_remote tx_drop_no_route tx_drop_loop tx_drop_too_big
	tx_drop_no_sa tx_drop_nomem tx_drop_error
	rx_drop_backlog tx_drop_backlog rx_handoff tx_handoff
	tx_held tx_drop_hold_overflow tx_drop_hold_timeout tx_acquire
	keepalive_tx keepalive_rx keepalive_reflected mss_clamped)
SA_COL0=17
SA_COUNTERS=(packets bytes drop_icv drop_replay_dup drop_replay_old drop_bad_length
	drop_next_header drop_seq_exhausted drop_expired drop_crypto drop_encap mappings)
# SA counters appended after the encapsulation and mode columns.
SA2_COL0=35
SA2_COUNTERS=(drop_tunnel_inner)

# dump_column TUN|SA NAME: the dump column of counter NAME; fails if there
# is none.
dump_column() {
	local -n names=$1_COUNTERS col0=$1_COL0
	local i
	for i in "${!names[@]}"; do
		[ "${names[i]}" = "$2" ] && { echo $((col0 + i)); return 0; }
	done
	[ "$1" = SA ] && dump_column SA2 "$2"
}

# A counter of a tunnel: tun_counter NS DEV FIELD
tun_counter() {
	local ns=$1 dev=$2 c
	c=$(dump_column TUN "$3") || fail "no dump column for counter $3"
	ip netns exec "$ns" "$GRESEC" dump dev "$dev" |
		awk -F'\t' -v c="$c" '$1 == "tunnel" { print $c }'
}

# dump_matches_json NS DEV: every counter of DEV and its SAs is the same in
# "gresec dump" and "gresec show -j", and the JSON has no counter the tables
# above lack.  Read again (up to 5 times) while a packet (the tunnel's own
# IPv6 chatter) moves a counter between the two reads.
dump_matches_json() {
	local js dump want got try
	for try in 1 2 3 4 5; do
		js=$(ip netns exec "$1" "$GRESEC" show "$2" -j)
		dump=$(ip netns exec "$1" "$GRESEC" dump dev "$2")
		want=$(jq -r --args '.[0] | [(.stats | length)] + [.stats[$ARGS.positional[]]] | @tsv' \
			"${TUN_COUNTERS[@]}" <<< "$js"
			jq -r --args '.[0].sas[] | [.dir, .spi, (.stats | length)] +
			[.stats[$ARGS.positional[]]] | @tsv' "${SA_COUNTERS[@]}" \
			"${SA2_COUNTERS[@]}" <<< "$js" |
			while IFS=$'\t' read -r d spi rest; do
				printf '%s\t0x%08x\t%s\n' "$d" "$spi" "$rest"
			done)
		got=$(awk -F'\t' -v nt=${#TUN_COUNTERS[@]} -v ns=${#SA_COUNTERS[@]} \
			-v ns2=${#SA2_COUNTERS[@]} -v t0=$TUN_COL0 -v s0=$SA_COL0 -v s2=$SA2_COL0 '
			$1 == "tunnel" { l = nt; for (i = t0; i < t0 + nt; i++) l = l "\t" $i; print l }
			$1 == "sa" { l = $3 "\t" $4 "\t" (ns + ns2); for (i = s0; i < s0 + ns; i++) l = l "\t" $i
				for (i = s2; i < s2 + ns2; i++) l = l "\t" $i; print l }' \
			<<< "$dump")
		[ "$got" = "$want" ] && break
		[ $try -lt 5 ] || fail "counters of $2: dump '$got', JSON '$want'"
		sleep 1
	done
	ok "every counter of $2 and its $(grep -c '^sa' <<< "$dump") SAs: dump = JSON"
}

# listening NS|"" PORT: a TCP socket listens on PORT.
listening() {
	local ex=()
	[ -n "$1" ] && ex=(ip netns exec "$1")
	"${ex[@]}" ss -Hltn "sport = :$2" | grep -q .
}

# nap SECONDS: sleep without starting a process.  Under TCG a process
# start costs 0.2 to 3 s of CPU, so a polling loop's "sleep 0.1" kept a
# vCPU busy the whole time it waited, taking that CPU from the VM's own
# work (charon's key exchange) and from the other VMs on the host.  The
# read times out on a pipe that never gets data: this shell holds its
# write end too, so it never sees end-of-file.  (Without /dev/fd, a
# plain sleep.)
if exec {NAP_FD}<> <(:); then
	nap() {
		read -r -t "$1" -u "$NAP_FD" _ || :
	}
else
	nap() {
		sleep "$1"
	}
fi

# nap_grow VAR: nap VAR tenths of a second, then double VAR, up to 10: the
# growing pause of a polling loop whose tries start processes.
nap_grow() {
	local -n tenths=$1
	nap "$((tenths / 10)).$((tenths % 10))"
	tenths=$((tenths * 2 > 10 ? 10 : tenths * 2))
}

# tshark_r PCAP ARGS...: tshark -r PCAP ARGS..., its standard output (its
# errors dropped), its exit status.  Under TCG tshark takes 10 to 40 s to
# start; when tests/run.sh serves this kernel's VMs (SHARE/tshark/ready,
# tests/vm/tshark-serve.sh), the same tshark runs on the host instead, on
# a copy of the capture.  Without the host's answer in 300 s, it fails.
tshark_r() {
	local pcap=$1 req waited=0 rc
	shift
	if [ ! -e "$SHARE/tshark/ready" ]; then
		tshark -r "$pcap" "$@" 2> /dev/null
		return
	fi
	req=$SHARE/tshark/$ROLE.${TEST_NAME:-test}.$BASHPID.${EPOCHREALTIME/./}
	mkdir "$req.tmp"
	cp "$pcap" "$req.tmp/in.pcap"
	printf '%s\0' "$@" > "$req.tmp/args"
	# Whole or not at all for the host, which takes *.req by renaming
	# it to *.run and answers there.
	mv "$req.tmp" "$req.req"
	until [ -e "$req.run/rc" ]; do
		waited=$((waited + 1))
		[ $waited -le 3000 ] || { echo "FAIL: tshark on the host did not answer in 300 s ($req.req)" >&2; return 1; }
		nap 0.1
	done
	cat "$req.run/out"
	read -r rc < "$req.run/rc"
	rm -rf "$req.run"
	return "$rc"
}

# wait_for N CMD...: run CMD until it succeeds, N tries at most.  The
# pause between tries grows from 0.1 s to 1 s: a try starts a process
# (0.2 to 3 s of CPU under TCG), and a minute's wait for charon, tried as
# fast as processes start, kept a vCPU busy.  So N tries take at least N
# tenths of a second, as before, and up to N seconds plus CMD's own time.
# A timeout is said out loud: under set -e a bare wait_for that times out
# ends the test, and the log should tell which wait it was.
wait_for() {
	local n=$1 tries=$1 pause=1
	shift
	while ! "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		if [ $tries -le 0 ]; then
			echo "wait_for: no success in $n tries: $*"
			return 1
		fi
		nap_grow pause
	done
}

# Captures.  libpcap reads the kernel's TPACKET_V3 ring a block at a time:
# a block reaches tcpdump when it is full or when its timeout (1 s for
# tcpdump) expires, and a tcpdump stopped before that never writes the
# packets of the block in use.  A capture killed a fixed time after the
# traffic can so lose all of its tail: 30-esp-netns's capture, killed 0.3 s
# after its TCP transfer, once held the 12 ESP packets of its pings of the
# 181 that crossed ("12 packets captured, 181 packets received by filter").
# So a capture stops only once tcpdump says it has written as many packets
# as the tunnel's counters say crossed the interface.  One at a time.
#
# capture_start NS|"" IFACE PCAP FILTER [TCPDUMP-OPTION...]: tcpdump writes
# the packets on IFACE that match FILTER to PCAP (its messages to
# PCAP.err); returns once it is capturing.
capture_start() {
	local ex=()
	[ -n "$1" ] && ex=(ip netns exec "$1")
	rm -f "$3" "$3.err"
	"${ex[@]}" tcpdump -i "$2" -U "${@:5}" -w "$3" "$4" 2> "$3.err" &
	CAPTURE_PID=$!
	# Printed once the socket is bound and filtered, and the file open.
	wait_for 300 grep -q 'listening on' "$3.err" ||
		fail "tcpdump on $2 did not start: $(cat "$3.err")"
}

# capture_written PCAP: the packets tcpdump has written so far, from the
# last of the reports it prints on SIGUSR1 (the one this call asks for may
# come later: callers poll).
capture_written() {
	local line n=0
	kill -USR1 "$CAPTURE_PID" 2>/dev/null || true
	while read -r line; do
		[[ $line =~ ([0-9]+)\ packets?\ captured ]] && n=${BASH_REMATCH[1]}
	done < "$1.err"
	echo "$n"
}

capture_holds() {
	[ "$(capture_written "$1")" -ge "$2" ]
}

# capture_stop PCAP N: wait until tcpdump has written at least N packets
# (what the counters say crossed the interface since capture_start), then
# stop it; fails if it has fewer.
capture_stop() {
	local pcap=$1 want=$2 got
	wait_for 300 capture_holds "$pcap" "$want" || true
	kill "$CAPTURE_PID" 2>/dev/null || true
	wait "$CAPTURE_PID" 2>/dev/null || true
	got=$(capture_written "$pcap")
	[ "$got" -ge "$want" ] ||
		fail "capture $pcap: tcpdump wrote $got packets, the counters say $want crossed: $(tr '\n' ' ' < "$pcap.err")"
	echo "capture $pcap: $got packets (counters: $want)"
}

# Two namespaces joined by veth, each with a gresec tunnel to the other:
#
#   ns1: veth1 192.0.2.1/24  <-- underlay -->  ns2: veth2 192.0.2.2/24
#        gs0   198.51.100.1/30                      gs0 198.51.100.2/30
#              2001:db8:1::1/64                         2001:db8:1::2/64
#
# netns_pair_setup [gresec set options for both ends...]
netns_pair_setup() {
	ip netns add ns1
	ip netns add ns2
	ip link add veth1 netns ns1 type veth peer name veth2 netns ns2
	n ns1 ip link set lo up
	n ns2 ip link set lo up
	n ns1 ip addr add 192.0.2.1/24 dev veth1
	n ns2 ip addr add 192.0.2.2/24 dev veth2
	n ns1 ip link set veth1 up
	n ns2 ip link set veth2 up
	n ns1 ip link add gs0 type gresec
	n ns2 ip link add gs0 type gresec
	n ns1 gresec set gs0 local 192.0.2.1 remote 192.0.2.2 "$@"
	n ns2 gresec set gs0 local 192.0.2.2 remote 192.0.2.1 "$@"
	n ns1 ip addr add 198.51.100.1/30 dev gs0
	n ns2 ip addr add 198.51.100.2/30 dev gs0
	n ns1 ip -6 addr add 2001:db8:1::1/64 dev gs0 nodad
	n ns2 ip -6 addr add 2001:db8:1::2/64 dev gs0 nodad
	n ns1 ip link set gs0 up
	n ns2 ip link set gs0 up
}

# tcp_transfer SRCNS DSTNS DSTADDR BYTES: send random bytes over TCP and
# compare content hashes at both ends.
tcp_transfer() {
	local src=$1 dst=$2 addr=$3 bytes=$4 port=${5:-5001}
	local in=/tmp/xfer.in out=/tmp/xfer.out
	head -c "$bytes" /dev/urandom > "$in"
	rm -f "$out"
	local fam=-4
	case $addr in *:*) fam=-6 ;; esac
	ip netns exec "$dst" timeout 60 nc $fam -l "$port" > "$out" &
	local srv=$!
	wait_for 100 listening "$dst" "$port" || fail "no listener on port $port"
	ip netns exec "$src" timeout 60 nc -N "$addr" "$port" < "$in" ||
		fail "tcp transfer to $addr: client failed"
	wait $srv || fail "tcp transfer to $addr: server failed"
	local a b
	a=$(sha256sum < "$in" | cut -c1-64)
	b=$(sha256sum < "$out" | cut -c1-64)
	[ "$a" = "$b" ] || fail "tcp transfer to $addr: hash mismatch ($(stat -c %s "$out") of $bytes bytes arrived)"
	ok "tcp $bytes bytes to $addr, sha256 matches"
}

ping_ok() {
	local ns=$1
	shift
	ip netns exec "$ns" ping -q -c 3 -i 0.2 -W 2 "$@" >/dev/null ||
		fail "ping $* from $ns"
	ok "ping $* from $ns"
}

ping_fails() {
	local ns=$1
	shift
	if ip netns exec "$ns" ping -q -c 2 -i 0.2 -W 1 "$@" >/dev/null 2>&1; then
		fail "ping $* from $ns unexpectedly succeeded"
	fi
	ok "ping $* from $ns fails as expected"
}

# --- two-VM ("pair") tests --------------------------------------------------
# The same script runs in both VMs: ROLE is "left" (gresec) or "right" (the
# kernel's own ip_gre/xfrm), PEER the other one; SHARE is a directory both see.

# sync_peer NAME [SECONDS]: wait until the peer reached the same point
# (60 s at most, or SECONDS).
sync_peer() {
	local name=$TEST_NAME.$1 waited=0 limit=$((${2:-60} * 10))
	: > "$SHARE/sync/$ROLE.$name"
	while [ ! -e "$SHARE/sync/$PEER.$name" ]; do
		nap 0.1
		waited=$((waited + 1))
		[ $waited -lt $limit ] || fail "peer never reached '$1'"
	done
}

# Underlay on the VMs' link: left 192.0.2.1, right 192.0.2.2 (TEST-NET-1,
# never routed anywhere: the link is a QEMU socket on the host's loopback).
pair_underlay() {
	local me=1 peer=2
	[ "$ROLE" = right ] && me=2 peer=1
	ip link set eth0 up
	ip addr add 192.0.2.$me/24 dev eth0
	# Captures should show what is on the wire, not GRO aggregates.
	ethtool -K eth0 gro off >/dev/null 2>&1 || true
	LOCAL=192.0.2.$me
	REMOTE=192.0.2.$peer
	INNER=198.51.100.$me
	INNER_PEER=198.51.100.$peer
	INNER6=2001:db8:1::$me
	INNER6_PEER=2001:db8:1::$peer
	wait_for 50 ping -c1 -W1 "$REMOTE" || fail "underlay: $REMOTE unreachable"
}

# pair_xfer TAG BYTES: "left" sends to "right" (and back with
# pair_xfer_back); the sender publishes its hash, the receiver checks it.
# PAIR_NS: the network namespace this end's tunnel is in (default: none).
pair_xfer() {
	local tag=$1 bytes=$2 from=${3:-left} port=${4:-5001}
	local to=right ex=()
	[ "$from" = right ] && to=left
	[ -n "${PAIR_NS:-}" ] && ex=(ip netns exec "$PAIR_NS")
	if [ "$ROLE" = "$to" ]; then
		rm -f /tmp/xfer.out
		"${ex[@]}" timeout 60 nc -4 -l "$port" > /tmp/xfer.out &
		local srv=$!
		wait_for 100 listening "${PAIR_NS:-}" "$port" || fail "$tag: no listener on port $port"
		sync_peer "$tag.listen"
		sync_peer "$tag.sent"
		wait $srv || fail "$tag: receiver failed"
		local want got
		want=$(cat "$SHARE/$TEST_NAME.$tag.sha")
		got=$(sha256sum < /tmp/xfer.out | cut -c1-64)
		[ "$want" = "$got" ] || fail "$tag: hash mismatch ($(stat -c %s /tmp/xfer.out) of $bytes bytes)"
		ok "$tag: $bytes bytes $from -> $to over TCP, sha256 matches"
	else
		head -c "$bytes" /dev/urandom > /tmp/xfer.in
		sha256sum < /tmp/xfer.in | cut -c1-64 > "$SHARE/$TEST_NAME.$tag.sha"
		sync_peer "$tag.listen"
		"${ex[@]}" timeout 60 nc -N "$INNER_PEER" "$port" < /tmp/xfer.in ||
			fail "$tag: sender failed"
		sync_peer "$tag.sent"
	fi
}

# bird_start NS|"" ID IFACE [DEAD]: OSPFv2 on IFACE (point-to-point, fast
# timers: hello 1 s, dead DEAD s, default 4) and a stub /32 203.0.113.ID on
# a dummy interface; routes go to the kernel.
bird_start() {
	local ns=$1 id=$2 ifc=$3 dead=${4:-4} ex=()
	[ -n "$ns" ] && ex=(ip netns exec "$ns")
	"${ex[@]}" ip link add stub0 type dummy
	"${ex[@]}" ip addr add "203.0.113.$id/32" dev stub0
	"${ex[@]}" ip link set stub0 up
	cat > "/tmp/bird-$id.conf" <<EOB
router id 198.51.100.$id;
protocol device { scan time 1; }
protocol kernel { ipv4 { import none; export all; }; }
protocol ospf v2 {
	ipv4 { import all; export none; };
	area 0 {
		interface "$ifc" { type ptp; hello 1; dead $dead; };
		interface "stub0" { stub yes; };
	};
}
EOB
	"${ex[@]}" bird -c "/tmp/bird-$id.conf" -s "/tmp/bird-$id.ctl" -P "/tmp/bird-$id.pid" ||
		fail "bird did not start"
}

bird_stop() {
	local id=$1
	[ -e "/tmp/bird-$id.pid" ] && kill "$(cat "/tmp/bird-$id.pid")" 2>/dev/null
	rm -f "/tmp/bird-$id.pid"
}

# ospf_full ID PEER_ID NS|"": wait for Full adjacency and the peer's route.
ospf_full() {
	local id=$1 peer=$2 ns=$3 ex=() i
	[ -n "$ns" ] && ex=(ip netns exec "$ns")
	for i in $(seq 1 60); do
		if birdc -s "/tmp/bird-$id.ctl" show ospf neighbors 2>/dev/null | grep -q 'Full' &&
			"${ex[@]}" ip route show "203.0.113.$peer" | grep -q 'proto bird'; then
			birdc -s "/tmp/bird-$id.ctl" show ospf neighbors
			"${ex[@]}" ip route show "203.0.113.$peer"
			ok "OSPF Full with 198.51.100.$peer, route 203.0.113.$peer installed"
			return 0
		fi
		sleep 1
	done
	birdc -s "/tmp/bird-$id.ctl" show ospf neighbors || true
	birdc -s "/tmp/bird-$id.ctl" show ospf interface || true
	fail "no OSPF adjacency with 198.51.100.$peer"
}
