#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
# timeout: 900
#
# IKE liveness and rekey roles: Debian's charon keys a gresec tunnel
# through kernel-gresec (left), stock charon keys ip_gre + xfrm (right), as
# in 50-ike-interop, with ikev2-gre.swanctl.conf.  Cases, in one boot:
#  - rekey as initiator: the left has a 20 s rekey_time and rekeys the
#    CHILD_SA (gresec's soft-expiry event); the right answers.
#  - rekey as responder: the right has a 20 s rekey_time and rekeys the
#    CHILD_SA; the left answers.
#  - rekey collision: both ends rekey at once (swanctl --rekey on both;
#    nftables holds the IKE messages so that both requests cross and
#    each end takes in the other's request before its own response,
#    whatever the timing); charon resolves it: one end wins, the
#    CHILD_SA left is the same on both, the old and the redundant one
#    are gone.
#    In each rekey case a counted ping flow (every 50 ms) runs across the
#    rekey: every echo request and reply is counted where it left and
#    where it came in (nstat on both ends: ping's own count is shown, not
#    trusted, see flow_start), no packet is dropped on either end
#    (gresec's tunnel and SA drop counters, the deleted SAs' final ones
#    from "gresec monitor", its unknown-SPI counter, the right's
#    /proc/net/xfrm_stat), and gs0 (and the right's xfrm) ends with
#    exactly the new CHILD_SA's SAs, which "gresec show" names.
#  - DPD: the right vanishes (tc drops all its eth0 traffic); the left's
#    DPD (dpd_delay 2 s, short retransmissions, dpd_action = restart,
#    keyingtries = 0) gives up, charon deletes the SAs from gs0, the ping
#    flow is held and then dropped, counted, and nothing leaves the left
#    in plaintext (capture); the right returns: the restarted IKE_SA
#    installs new SAs and the flow passes again.
#  - charon killed (-9) on the left: its SAs stay in gs0; the charon
#    started after it deletes them at start (kernel-gresec flushes the SAs
#    with a reqid: charon itself flushes nothing), a tunnel keyed by hand
#    (gs1) keeps its SAs, and the tunnel is keyed again.
#  - the right "reboots" (charon killed, xfrm flushed, charon started
#    again) and initiates: its INITIAL_CONTACT makes the left drop the old
#    IKE_SA, whose SAs leave gs0; gs0 holds only the new ones.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

CHARON=/usr/lib/ipsec/charon
PLUGINDIR=/usr/lib/ipsec/plugins
PLUGIN=$REPO/build/strongswan/libstrongswan-kernel-gresec.so
EXAMPLES=$REPO/strongswan/examples
IKE=/tmp/ike
IKE_SA="gre-ikev2"

if [ ! -x "$CHARON" ] || ! command -v swanctl > /dev/null; then
	skip "strongSwan is not installed (strongswan-charon, strongswan-swanctl)"
fi
[ -e "$PLUGIN" ] ||
	skip "the charon plugin kernel-gresec was not built (make plugin; see build/check/build.log)"

pair_underlay

# --- charon --------------------------------------------------------------------
# As in 50-ike-interop: its own strongswan.conf; on the left kernel-gresec
# from a copy of the plugin directory bind-mounted in charon's own mount
# namespace (charon searches only its compiled-in plugin directory).
charon_pid=""
mon_pid=""
cleanup() {
	local rc=$?
	if [ -n "$mon_pid" ]; then
		kill "$mon_pid" 2> /dev/null || true
	fi
	if [ -n "$charon_pid" ]; then
		kill "$charon_pid" 2> /dev/null || true
		wait "$charon_pid" 2> /dev/null || true
	fi
	if tc qdisc show dev eth0 | grep -qE '^qdisc (netem|clsact)'; then
		tc qdisc del dev eth0 root 2> /dev/null || true
		tc qdisc del dev eth0 clsact 2> /dev/null || true
	fi
	if nft list table inet hold_ike > /dev/null 2>&1; then
		nft delete table inet hold_ike || true
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ "$ROLE" = right ]; then
		echo "--- right: xfrm counters that are not 0"
		awk '$2 != 0' /proc/net/xfrm_stat
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -e $IKE/charon.log ]; then
		echo "--- $ROLE: charon.log (tail)"
		tail -n 100 $IKE/charon.log
	fi
}
trap cleanup EXIT

rm -rf $IKE
mkdir -p $IKE
[ -e /run/charon.pid ] && kill "$(cat /run/charon.pid)" 2> /dev/null && sleep 1
rm -f /run/charon.pid /run/charon.vici

# write_strongswan_conf [RETRANSMIT-SETTINGS]
write_strongswan_conf() {
	local load=no
	[ "$ROLE" = left ] && load=yes
	cat > $IKE/strongswan.conf << EOF
charon {
	load_modular = yes
	${1:-}
	plugins {
		include /etc/strongswan.d/charon/*.conf
		kernel-gresec {
			load = $load
		}
	}
	filelog {
		ike {
			path = $IKE/charon.log
			time_format = %T
			default = 1
			knl = 2
			flush_line = yes
			append = yes
		}
	}
}
EOF
}

start_charon() {
	rm -f /run/charon.pid /run/charon.vici
	if [ "$ROLE" = left ]; then
		rm -rf $IKE/plugins
		mkdir $IKE/plugins
		cp "$PLUGINDIR"/libstrongswan-*.so $IKE/plugins/
		cp -f "$PLUGIN" $IKE/plugins/
		STRONGSWAN_CONF=$IKE/strongswan.conf unshare -m sh -c \
			"mount --bind $IKE/plugins $PLUGINDIR && exec $CHARON" >> $IKE/charon.out 2>&1 &
	else
		STRONGSWAN_CONF=$IKE/strongswan.conf $CHARON >> $IKE/charon.out 2>&1 &
	fi
	charon_pid=$!
	wait_for 900 test -S /run/charon.vici || { cat $IKE/charon.out; fail "charon did not open its vici socket"; }
}

# kill_charon: charon dies without a word (SIGKILL), as in a crash.
kill_charon() {
	kill -9 "$charon_pid"
	wait "$charon_pid" 2> /dev/null || true
	charon_pid=""
}

write_strongswan_conf
if [ "$ROLE" = left ]; then
	load_gresec
	ip link add gs0 type gresec
	gresec set gs0 local "$LOCAL" remote "$REMOTE" protection required
	dev=gs0
	# A tunnel keyed by hand (to a peer that is not there): charon's
	# flush at start must leave its SAs alone.
	ip link add gs1 type gresec
	gresec set gs1 local "$LOCAL" remote 192.0.2.99
	gresec sa add gs1 dir in spi 0x1001 proposal aes128gcm16 key "$(printf '11%.0s' $(seq 20))"
	gresec sa add gs1 dir out spi 0x1002 proposal aes128gcm16 key "$(printf '22%.0s' $(seq 20))"
else
	modprobe ip_gre
	ip link add gre1 type gre local "$LOCAL" remote "$REMOTE" ttl 64
	dev=gre1
fi
ip addr add "$INNER/30" dev $dev
ip link set $dev up
start_charon
grep -m1 'loaded plugins' $IKE/charon.log

# --- helpers -----------------------------------------------------------------
# conf_for EDIT: ikev2-gre.swanctl.conf as this end loads it, EDIT (sed)
# applied.
conf_for() {
	local swap=""
	[ "$ROLE" = right ] && swap='s/192\.0\.2\.1/@ME@/g; s/192\.0\.2\.2/192.0.2.1/g; s/@ME@/192.0.2.2/g'
	sed -e "$swap" -e "${1:-}" "$EXAMPLES/ikev2-gre.swanctl.conf"
}

# child option lines after esp_proposals, e.g. child_opts 'rekey_time = 20s'
child_opts() {
	local o out=""
	for o in "$@"; do
		out="$out\\n\\1$o"
	done
	echo "s/^\\(\\t*\\)esp_proposals = .*/&$out/"
}

# ike_opts: option lines after the connection's "version = 2"
ike_opts() {
	local o out=""
	for o in "$@"; do
		out="$out\\n\\1$o"
	done
	echo "s/^\\(\\t*\\)version = 2/&$out/"
}

load_conf() {
	local i=$1
	shift
	conf_for "$(printf '%s;' "$@")" > $IKE/swanctl-$i.conf
	swanctl --load-all --noprompt --file $IKE/swanctl-$i.conf > $IKE/load-$i.log 2>&1 ||
		{ cat $IKE/load-$i.log; fail "case $i: swanctl --load-all"; }
}

initiate() {
	swanctl --initiate --ike $IKE_SA --child gre --timeout 180 > $IKE/initiate-$1.log 2>&1 ||
		{ tail -n 30 $IKE/initiate-$1.log; fail "case $1: swanctl --initiate"; }
}

# wait_secs SECONDS COMMAND...: wait_for with a limit in seconds, for
# conditions that run swanctl (a second or more each under TCG, which
# would stretch wait_for's count of tries many times over).  Its pauses
# grow from 0.2 s to 1 s as wait_for's do, for the CPU the tries take.
wait_secs() {
	local end=$((SECONDS + $1)) pause=2
	shift
	while ! "$@" > /dev/null 2>&1; do
		if [ $SECONDS -ge $end ]; then
			echo "wait_secs: no success in time: $*"
			return 1
		fi
		nap_grow pause
	done
}

child_up() {
	swanctl --list-sas --ike $IKE_SA 2> /dev/null |
		grep -qE '^ +gre: #[0-9]+, reqid [0-9]+, INSTALLED, TRANSPORT'
}

child_gone() {
	! swanctl --list-sas --ike $IKE_SA 2> /dev/null | grep -qE '^ +gre: #'
}

# one_child: charon lists exactly one CHILD_SA (none rekeyed or redundant
# on its way out).
one_child() {
	[ "$(swanctl --list-sas --ike $IKE_SA 2> /dev/null | grep -cE '^ +gre: #')" = 1 ]
}

# child_spi in|out: an SPI of the installed CHILD_SA, 8 hex digits.
child_spi() {
	swanctl --list-sas --ike $IKE_SA 2> /dev/null |
		awk -v d="$1" '/INSTALLED/ { on = 1 } on && $1 == d { sub(",", "", $2); print $2; exit }'
}

# sas_now: this end's SAs, "in 0xSPI out 0xSPI " (gs0 on the left, xfrm on
# the right, which names its SAs by the destination: in = to us).
sas_now() {
	if [ "$ROLE" = left ]; then
		gresec dump dev gs0 | awk -F'\t' '$1 == "sa" { print $3, $4 }' | sort | tr '\n' ' '
	else
		ip xfrm state | awk -v me="$LOCAL" '$1 == "src" { dst = $4 } $1 == "proto" && $2 == "esp" {
			printf "%s %s\n", (dst == me ? "in" : "out"), $4 }' | sort | tr '\n' ' '
	fi
}

# holds_exactly_child: the tunnel's SAs are exactly the two of the
# CHILD_SA charon lists as installed.
holds_exactly_child() {
	local spi_in spi_out
	spi_in=$(child_spi in) spi_out=$(child_spi out)
	[ -n "$spi_in" ] && [ -n "$spi_out" ] || return 1
	[ "$(sas_now)" = "in 0x$spi_in out 0x$spi_out " ]
}

# show_names_child (left): "gresec show" has the installed CHILD_SA with
# its SPIs, both in gs0.
show_names_child() {
	local spi_in spi_out
	spi_in=$(child_spi in) spi_out=$(child_spi out)
	gresec show gs0 | grep -qx "        spi in 0x$spi_in, out 0x$spi_out (both SAs in gs0)"
}

sa_count() {
	gresec dump dev "$1" | grep -c '^sa' || true
}

gs_counter() {
	local c
	c=$(dump_column TUN "$1") || fail "no dump column for counter $1"
	gresec dump dev gs0 | awk -F'\t' -v c="$c" '$1 == "tunnel" { print $c }'
}

# drops_now (left): the sum of gs0's drop counters, the drop counters of
# its SAs, and the namespace's ESP packets with an unknown SPI.
drops_now() {
	local t s unknown
	t=$(gresec dump dev gs0 | awk -F'\t' -v c0=$TUN_COL0 -v n=${#TUN_COUNTERS[@]} \
		-v names="${TUN_COUNTERS[*]}" '
		BEGIN { split(names, nm, " ") }
		$1 == "tunnel" { for (i = 1; i <= n; i++) if (nm[i] ~ /drop/) s += $(c0 + i - 1) }
		END { print s + 0 }')
	s=$(gresec dump dev gs0 | awk -F'\t' -v c0=$SA_COL0 -v n=${#SA_COUNTERS[@]} \
		-v names="${SA_COUNTERS[*]}" '
		BEGIN { split(names, nm, " ") }
		$1 == "sa" { for (i = 1; i <= n; i++) if (nm[i] ~ /^drop/) s += $(c0 + i - 1) }
		END { print s + 0 }')
	unknown=$(gresec show net -j | python3 -c 'import json, sys; print(json.load(sys.stdin)["esp_unknown_spi"])')
	echo $((t + s + unknown))
}

# xfrm_errors (right): the sum of the kernel's IPsec error counters.
xfrm_errors() {
	awk '{ s += $2 } END { print s + 0 }' /proc/net/xfrm_stat
}

# monitor_start / monitor_drops (left): "gresec monitor" records the SA
# events; a deleted event carries the SA's final counters, whose drops
# drops_now can no longer see.  It has joined the event group once it
# reports an SA added on gs1.
monitor_start() {
	events=$IKE/events-$1.json
	gresec monitor -j > "$events" &
	mon_pid=$!
	wait_for 100 probe_sa || fail "gresec monitor reports no event"
}

probe_sa() {
	gresec sa add gs1 dir in spi 0x1fff proposal aes128gcm16 key "$(printf '33%.0s' $(seq 20))" &&
		gresec sa del gs1 dir in spi 0x1fff &&
		grep -q '"event":"added","ifname":"gs1"' "$events"
}

monitor_stop_drops() {
	kill "$mon_pid"
	wait "$mon_pid" 2> /dev/null || true
	mon_pid=""
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
	e = json.loads(line)
	if e["event"] == "deleted" and e["ifname"] == "gs0":
		n += sum(v for k, v in e["stats"].items() if k.startswith("drop"))
print(n)' "$events"
}

# The counted flow (left): pings every 50 ms in bursts of 20 until
# flow_stop.  ping's own count is no proof of loss: it stops waiting twice
# the burst's slowest round trip after its last request and counts a
# later answer as lost (under TCG a rekey can delay one that much); the
# kernels' ICMP counters on both ends (icmp_now) are the proof.
flow_start() {
	rm -f $IKE/flow.stop $IKE/flow.log
	(
		while [ ! -e $IKE/flow.stop ]; do
			ping -q -c 20 -i 0.05 -W 10 "$INNER_PEER" >> $IKE/flow.log 2>&1 || true
		done
	) &
	flow_pid=$!
}

# icmp_now: this end's ICMP echo counters (absolute, nstat's history left
# alone): "REQUESTS-SENT REQUESTS-RECEIVED REPLIES-SENT REPLIES-RECEIVED".
icmp_now() {
	nstat -asz IcmpOutEchos IcmpInEchos IcmpOutEchoReps IcmpInEchoReps | awk '{ v[$1] = $2 }
		END { print v["IcmpOutEchos"] + 0, v["IcmpInEchos"] + 0, v["IcmpOutEchoReps"] + 0, v["IcmpInEchoReps"] + 0 }'
}

# xfrm_moved FILE (right): the xfrm counters that moved since FILE (a copy
# of /proc/net/xfrm_stat), "NAME +N" each, or "none".
xfrm_moved() {
	awk 'NR == FNR { v[$1] = $2; next } $2 != v[$1] { printf "%s +%d ", $1, $2 - v[$1]; n++ }
		END { if (!n) printf "none" }' "$1" /proc/net/xfrm_stat
}

# flow_stop: stop the flow once its current burst has ended and set sent
# and got over all bursts (in this shell: only it can wait for the flow).
flow_stop() {
	: > $IKE/flow.stop
	wait "$flow_pid"
	read -r sent got <<< "$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' $IKE/flow.log |
		awk '{ s += $1; r += $2 } END { print s + 0, r + 0 }')"
}

# close_ike: the left ends the IKE_SA; both wait for its CHILD_SA to go.
close_ike() {
	if [ "$ROLE" = left ] && ! child_gone; then
		swanctl --terminate --ike $IKE_SA --timeout 60 > $IKE/terminate.log 2>&1 ||
			{ tail -n 20 $IKE/terminate.log; fail "$1: swanctl --terminate"; }
	fi
	wait_secs 60 child_gone || { swanctl --list-sas; fail "$1: CHILD_SA not closed"; }
	if [ "$ROLE" = left ]; then
		wait_secs 20 eval '[ "$(sa_count gs0)" = 0 ]' ||
			{ gresec dump dev gs0; fail "$1: SAs left on gs0 after the IKE_SA closed"; }
	fi
	sync_peer "closed.$1"
}

# log_since LINES: charon's log after its first LINES lines.
log_since() {
	tail -n +$(($1 + 1)) $IKE/charon.log
}

# --- rekey under load ----------------------------------------------------------
# rekey_case N TAG WHO: the left initiates the CHILD_SA and a counted flow
# runs across its rekey.  WHO left or right: that end has rekey_time 20 s
# (gresec's soft-expiry event on the left, xfrm's on the right) and
# rekeys.  WHO both: a rekey collision, made by the test (collide)
# rather than left to timing; no end has a short rekey_time there, so no
# second rekey chains onto the collision.
rekey_case() {
	local i=$1 tag=$2 who=$3 spi_in0 spi_out0 id0 d0 x0 c0 c sent got edits=()
	local l_oe l_ir r_ie r_or moved
	echo "# $tag: rekeyed by $who"
	if [ "$who" != both ] && [ "$ROLE" = "$who" ]; then
		edits=("$(child_opts 'rekey_time = 20s' 'life_time = 300s' 'rand_time = 0s')")
	fi
	log0=$(wc -l < $IKE/charon.log)
	load_conf "$i" "${edits[@]}"
	sync_peer "loaded$i"
	[ "$ROLE" = left ] && initiate "$i"
	wait_secs 180 child_up || { swanctl --list-sas; fail "$tag: no CHILD_SA"; }
	spi_in0=$(child_spi in) spi_out0=$(child_spi out) id0=$(child_id)
	if [ "$ROLE" = left ]; then
		monitor_start "$i"
		d0=$(drops_now)
	else
		x0=$(xfrm_errors)
		cp /proc/net/xfrm_stat $IKE/xfrm_stat.$i
	fi
	c0=$(icmp_now)
	sync_peer "up$i"
	[ "$ROLE" = left ] && flow_start
	[ "$who" = both ] && collide "$i" "$tag"
	# The rekey: a new inbound SPI, and once the old CHILD_SA is gone
	# (and, in a collision, the redundant one) this end's SAs are
	# exactly the new CHILD_SA's.
	wait_secs 150 eval '[ "$(child_spi in)" != "$spi_in0" ] && one_child && holds_exactly_child &&
		{ [ "$who" != both ] || log_since "$log0" | grep -E "CHILD_SA rekey collision (won|lost)"; }' ||
		{ swanctl --list-sas; sas_now; fail "$tag: not rekeyed to exactly the new CHILD_SA's SAs"; }
	swanctl --list-sas --ike $IKE_SA 2> /dev/null
	ok "$tag: rekeyed from in 0x$spi_in0/out 0x$spi_out0, $ROLE holds exactly: $(sas_now)"
	# Who rekeyed, from this charon's log since the case began.
	if [ "$who" = right ] && [ "$ROLE" = left ]; then
		log_since "$log0" | grep -E 'parsed CREATE_CHILD_SA request .*N\(REKEY_SA\)' ||
			fail "$tag: the left answered no CREATE_CHILD_SA rekey request"
		! log_since "$log0" | grep -E 'generating CREATE_CHILD_SA request' ||
			fail "$tag: the left sent a CREATE_CHILD_SA request (the right should rekey)"
		ok "$tag: the left rekeyed as responder"
	fi
	if [ "$who" = left ] && [ "$ROLE" = left ]; then
		log_since "$log0" | grep -E 'generating CREATE_CHILD_SA request .*N\(REKEY_SA\)' ||
			fail "$tag: the left sent no CREATE_CHILD_SA rekey request"
		! log_since "$log0" | grep -E 'parsed CREATE_CHILD_SA request' ||
			fail "$tag: the left answered a CREATE_CHILD_SA request (the left should rekey)"
		ok "$tag: the left rekeyed as initiator"
	fi
	[ "$who" = both ] && collision_resolved "$i" "$tag" "$id0"
	sync_peer "rekeyed$i"
	if [ "$ROLE" = left ]; then
		# The flow on the new SAs too: until 20 packets crossed
		# the new inbound SA.
		local spi_in
		spi_in=$(child_spi in)
		wait_secs 60 eval '[ "$(sa_counter "" gs0 in $((0x$spi_in)) packets)" -ge 20 ]' ||
			fail "$tag: no traffic on the new inbound SA 0x$spi_in"
		flow_stop
	fi
	read -r -a c0 <<< "$c0"
	if [ "$ROLE" = left ]; then
		# The answers still on their way when ping stopped waiting:
		# until as many came in as requests went out (a lost one
		# never comes: the count below shows it).
		wait_secs 30 eval 'read -r -a c <<< "$(icmp_now)" && [ $((c[3] - c0[3])) = $((c[0] - c0[0])) ]' ||
			echo "$tag: fewer echo replies than requests after 30 s"
	fi
	sync_peer "flowed$i"
	# Every echo request and reply, counted where it left and where it
	# came in (nstat); both ends publish theirs.
	read -r -a c <<< "$(icmp_now)"
	echo "$((c[0] - c0[0])) $((c[1] - c0[1])) $((c[2] - c0[2])) $((c[3] - c0[3]))" > "$SHARE/$TEST_NAME.$ROLE.icmp$i"
	if [ "$ROLE" = right ]; then
		xfrm_moved $IKE/xfrm_stat.$i > "$SHARE/$TEST_NAME.xfrm$i"
	fi
	sync_peer "counted$i"
	if [ "$ROLE" = left ]; then
		read -r l_oe _ _ l_ir < "$SHARE/$TEST_NAME.left.icmp$i"
		read -r _ r_ie r_or _ < "$SHARE/$TEST_NAME.right.icmp$i"
		moved=$(cat "$SHARE/$TEST_NAME.xfrm$i")
		echo "$tag: echo requests: ping sent $sent, the left sent $l_oe, the right received $r_ie;" \
			"replies: the right sent $r_or, the left received $l_ir, ping counted $got;" \
			"the right's xfrm counters that moved: $moved"
		# Where a packet was lost first: gresec's counters.
		gresec show net
		expect_eq "$(($(drops_now) - d0 + $(monitor_stop_drops "$i")))" 0 \
			"$tag: packets gresec dropped (tunnel, SAs including the deleted ones, unknown SPI)"
		# The flow began before the rekey and ended after 20 of its
		# packets came in on the new SA.
		expect_ge "$sent" 20 "$tag: echo requests sent across the rekey"
		expect_eq "$l_oe" "$sent" "$tag: echo requests the left sent (nstat; ping sent $sent)"
		expect_eq "$r_ie" "$l_oe" "$tag: echo requests the right received (of $l_oe)"
		expect_eq "$r_or" "$r_ie" "$tag: echo replies the right sent (for $r_ie requests)"
		expect_eq "$l_ir" "$r_or" "$tag: echo replies the left received (of $r_or)"
		# (The CHILD_SA may have been rekeyed again meanwhile.)
		wait_for 100 show_names_child ||
			{ gresec show gs0; fail "$tag: gresec show does not name the CHILD_SA's SPIs"; }
		ok "$tag: gresec show names the new CHILD_SA's SPIs (in 0x$(child_spi in), out 0x$(child_spi out))"
	else
		expect_eq "$(($(xfrm_errors) - x0))" 0 "$tag: xfrm errors on the right (/proc/net/xfrm_stat)"
	fi
	sync_peer "checked$i"
	close_ike "$tag"
}

# child_id: the unique id of the installed CHILD_SA (charon's "gre{ID}").
child_id() {
	swanctl --list-sas --ike $IKE_SA 2> /dev/null |
		sed -n 's/^ *gre: #\([0-9]*\), .*INSTALLED.*/\1/p' | head -n 1
}

# hold_ike all|responses|responses+informational|informational|none: what
# this end drops of the IKE it receives (ports 500 and 4500, where charon
# moves once both ends support MOBIKE; on 4500 the IKE header follows a
# 4-byte marker, so the exchange type is the UDP payload's byte 18 or 22,
# the flags byte 19 or 23): everything, responses, responses and the
# INFORMATIONAL exchange (DELETE), that exchange only, or nothing.  One
# nft transaction each: no packet passes in between.
hold_ike() {
	local rules=() responses informational
	responses=('udp dport 500 @th,216,8 & 0x20 == 0x20 counter drop'
		'udp dport 4500 @th,248,8 & 0x20 == 0x20 counter drop')
	informational=('udp dport 500 @th,208,8 == 37 counter drop'
		'udp dport 4500 @th,240,8 == 37 counter drop')
	case $1 in
	all)
		rules=('udp dport { 500, 4500 } counter drop') ;;
	responses)
		rules=("${responses[@]}") ;;
	responses+informational)
		rules=("${responses[@]}" "${informational[@]}") ;;
	informational)
		rules=("${informational[@]}") ;;
	none)
		nft delete table inet hold_ike
		return ;;
	esac
	{
		echo 'table inet hold_ike { chain in { type filter hook input priority 0; policy accept; }; }'
		echo 'flush chain inet hold_ike in'
		printf 'add rule inet hold_ike in %s\n' "${rules[@]}"
	} | nft -f - || fail "hold_ike $1: nft"
}

# wait_log LINES TAG WHAT REGEX: wait until charon logged REGEX after its
# first LINES lines.
wait_log() {
	wait_secs 120 eval "log_since $1 | grep -E '$4'" ||
		{ log_since "$1" | tail -n 40; fail "$2: charon has not $3"; }
}

# collide N TAG: both ends rekey the CHILD_SA at once, with charon's
# messages held so that each end meets the classic collision, whatever
# the timing: both send their CREATE_CHILD_SA request while neither takes
# in IKE; then each takes in the other's (retransmitted) request while
# its own response is still held; then each takes in its response, and
# resolves the collision, while the DELETE that follows is still held.
# Each step waits for a retransmission (charon's timer: 4 s, then 1.8
# times longer each time), so an end may wait for its peer for as long
# as wait_log gives it.
collide() {
	local i=$1 tag=$2 l0
	l0=$(wc -l < $IKE/charon.log)
	hold_ike all
	sync_peer "held$i"
	swanctl --rekey --child gre > $IKE/rekey-$i.log 2>&1 ||
		{ cat $IKE/rekey-$i.log; fail "$tag: swanctl --rekey"; }
	wait_log "$l0" "$tag" "sent a rekey request" 'generating CREATE_CHILD_SA request .*N\(REKEY_SA\)'
	sync_peer "requested$i"
	hold_ike responses
	wait_log "$l0" "$tag" "taken in the peer's rekey request during its own" \
		'detected CHILD_REKEY collision with CHILD_REKEY'
	# An end that takes in its response resolves the collision and sends
	# a DELETE at once: the peer must hold that before either end lets
	# its response in (a loaded peer that took it in first met a
	# rekey/delete collision instead).
	hold_ike responses+informational
	sync_peer "crossed$i" 150
	hold_ike informational
	wait_log "$l0" "$tag" "resolved the collision" 'CHILD_SA rekey collision (won|lost)'
	sync_peer "decided$i" 150
	hold_ike none
	ok "$tag: both ends sent a rekey request, took in the other's and then their response"
}

# collision_resolved N TAG OLD-ID: charon on this end saw the collision
# and resolved it once: the winner deleted the old CHILD_SA OLD-ID, the
# loser its redundant one; the CHILD_SA left is neither, it is the same
# on both ends (the SPIs cross) and exactly one end won.
collision_resolved() {
	local i=$1 tag=$2 id0=$3 pat res outcome gone id p_outcome p_in p_out
	log_since "$log0" | grep -E 'detected CHILD_REKEY collision with CHILD_REKEY' ||
		fail "$tag: no rekey collision in charon's log"
	pat='CHILD_SA rekey collision (won|lost), deleting (old|redundant) child gre\{[0-9]+\}'
	expect_eq "$(log_since "$log0" | grep -cE "$pat")" 1 "$tag: rekey collisions charon resolved ($ROLE)"
	res=$(log_since "$log0" | grep -oE "$pat")
	outcome=$(echo "$res" | awk '{ print $4 }' | tr -d ,)
	gone=$(echo "$res" | sed 's/.*{\([0-9]*\)}/\1/')
	id=$(child_id)
	if [ "$outcome" = won ]; then
		expect_eq "$gone" "$id0" "$tag: the CHILD_SA the winner ($ROLE) deleted is the old one"
	else
		[ "$gone" != "$id0" ] || fail "$tag: the loser ($ROLE) deleted the old CHILD_SA, not its redundant one"
	fi
	[ "$id" != "$id0" ] && [ "$id" != "$gone" ] ||
		fail "$tag: the CHILD_SA left (gre{$id}) is the old or the deleted one"
	echo "$outcome $(child_spi in) $(child_spi out)" > "$SHARE/$TEST_NAME.$ROLE.collision$i"
	sync_peer "resolved$i"
	read -r p_outcome p_in p_out < "$SHARE/$TEST_NAME.$PEER.collision$i"
	[ "$outcome" != "$p_outcome" ] || fail "$tag: both ends $outcome the collision"
	expect_eq "$p_in $p_out" "$(child_spi out) $(child_spi in)" "$tag: the $PEER's CHILD_SA's SPIs (in, out)"
	ok "$tag: charon resolved the collision ($ROLE $outcome, deleted gre{$gone}), gre{$id} is left"
}

rekey_case 0 rekey-initiator left
rekey_case 1 rekey-responder right
rekey_case 2 rekey-collision both

# --- DPD --------------------------------------------------------------------------
# The left's DPD: every 2 s without inbound traffic, given up after
# 2 + 3 + 4.5 s of retransmissions (strongswan.conf, read for every new
# IKE_SA); dpd_action = restart with keyingtries = 0 keeps initiating.
dpd_case() {
	local i=$1 tag=dpd log0 spi_in0 h0 pcap=/tmp/dpd.pcap sent got
	echo "# $tag: the right vanishes and returns; dpd_delay 2 s, dpd_action = restart on the left"
	log0=$(wc -l < $IKE/charon.log)
	if [ "$ROLE" = left ]; then
		write_strongswan_conf 'retransmit_timeout = 2
	retransmit_base = 1.5
	retransmit_tries = 2'
		swanctl --reload-settings > /dev/null || fail "$tag: swanctl --reload-settings"
		load_conf "$i" "$(ike_opts 'dpd_delay = 2s' 'keyingtries = 0')" "$(child_opts 'dpd_action = restart')"
	else
		load_conf "$i"
	fi
	sync_peer "loaded$i"
	[ "$ROLE" = left ] && initiate "$i"
	wait_secs 180 child_up || { swanctl --list-sas; fail "$tag: no CHILD_SA"; }
	spi_in0=$(child_spi in)
	if [ "$ROLE" = left ]; then
		ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$tag: ping before the right vanished"
		# What gs0 sends from here: GRE in plaintext would show, and
		# the underlay ping at the end marks the capture's end.
		capture_start "" eth0 $pcap "ip proto 47 or (icmp and host $REMOTE)"
	fi
	sync_peer "ready$i"
	if [ "$ROLE" = right ]; then
		# 6.1 does not load clsact's module (sch_ingress) on demand.
		modprobe -a sch_ingress cls_matchall act_gact
		tc qdisc add dev eth0 clsact
		tc filter add dev eth0 ingress matchall action drop
		tc filter add dev eth0 egress matchall action drop
		ok "$tag: the right drops everything on eth0"
	fi
	sync_peer "gone$i"
	if [ "$ROLE" = left ]; then
		h0=$(($(gs_counter tx_drop_hold_overflow) + $(gs_counter tx_drop_hold_timeout) + $(gs_counter tx_drop_no_sa)))
		flow_start
		wait_secs 120 eval '[ "$(sa_count gs0)" = 0 ]' ||
			{ gresec dump dev gs0; tail -n 30 $IKE/charon.log; fail "$tag: the SAs stayed in gs0"; }
		log_since "$log0" | grep -E 'giving up after [0-9]+ retransmits' ||
			fail "$tag: no DPD that gave up in charon's log"
		ok "$tag: DPD gave up, charon deleted the SAs from gs0"
		wait_secs 60 eval '[ $(($(gs_counter tx_drop_hold_overflow) + $(gs_counter tx_drop_hold_timeout) + $(gs_counter tx_drop_no_sa))) -gt $h0 ]' ||
			fail "$tag: gs0 counted no drop without SA"
		ok "$tag: without SA gs0 drops and counts: hold overflow $(gs_counter tx_drop_hold_overflow), hold timeout $(gs_counter tx_drop_hold_timeout), no SA $(gs_counter tx_drop_no_sa)"
		# The restart is under way (its IKE_SA_INIT is being
		# retransmitted, or has given up and starts again) once charon
		# says so; when depends on where DPD's timers are.
		wait_secs 60 eval "log_since $log0 | grep -E 'restarting CHILD_SA|peer not responding, trying again|establishing IKE_SA failed'" ||
			fail "$tag: charon does not restart the IKE_SA"
		ok "$tag: charon restarts the IKE_SA"
	fi
	sync_peer "dropped$i"
	if [ "$ROLE" = right ]; then
		tc qdisc del dev eth0 clsact
		ok "$tag: the right is back"
	fi
	wait_secs 150 eval 'child_up && [ "$(child_spi in)" != "$spi_in0" ] && holds_exactly_child' ||
		{ swanctl --list-sas; sas_now; fail "$tag: not re-keyed after the right returned"; }
	ok "$tag: re-keyed after the right returned, $ROLE holds exactly: $(sas_now)"
	if [ "$ROLE" = left ]; then
		local spi_in
		spi_in=$(child_spi in)
		wait_secs 60 eval '[ "$(sa_counter "" gs0 in $((0x$spi_in)) packets)" -ge 20 ]' ||
			fail "$tag: the flow does not pass on the new SA 0x$spi_in"
		flow_stop
		ok "$tag: flow: $got of $sent echo requests answered, the flow passes again"
		ping -c 1 -W 5 "$REMOTE" > /dev/null || fail "$tag: underlay ping"
		capture_stop $pcap 2
		expect_eq "$(tcpdump -nr $pcap 'ip proto 47' 2> /dev/null | wc -l)" 0 \
			"$tag: plaintext GRE packets the left sent"
	fi
	sync_peer "back$i"
	close_ike "$tag"
}

# --- charon restarts on the left ---------------------------------------------------
restart_case() {
	local i=$1 tag=charon-restart spi_in0 old
	echo "# $tag: charon killed on the left and started again"
	load_conf "$i"
	sync_peer "loaded$i"
	[ "$ROLE" = left ] && initiate "$i"
	wait_secs 180 child_up || { swanctl --list-sas; fail "$tag: no CHILD_SA"; }
	spi_in0=$(child_spi in)
	sync_peer "up$i"
	if [ "$ROLE" = left ]; then
		old=$(sas_now)
		kill_charon
		expect_eq "$(sas_now)" "$old" "$tag: SAs in gs0 after charon died"
		start_charon
		expect_eq "$(sa_count gs0)" 0 "$tag: SAs in gs0 once charon started again"
		grep -E 'gresec: deleted 2 SAs a previous charon left installed' $IKE/charon.log ||
			fail "$tag: kernel-gresec did not log the flush at start"
		expect_eq "$(gresec dump dev gs1 | awk -F'\t' '$1 == "sa" { print $3, $4 }' | tr '\n' ' ')" \
			"in 0x00001001 out 0x00001002 " "$tag: the SAs keyed by hand (gs1)"
		load_conf "$i"
		initiate "$i"
		gresec show gs0
	fi
	# On the right INITIAL_CONTACT replaced the old IKE_SA.
	wait_secs 150 eval 'child_up && [ "$(child_spi in)" != "$spi_in0" ] && holds_exactly_child' ||
		{ swanctl --list-sas; sas_now; fail "$tag: not re-keyed"; }
	ok "$tag: re-keyed, $ROLE holds exactly: $(sas_now)"
	sync_peer "rekeyed$i"
	if [ "$ROLE" = left ]; then
		ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$tag: ping after the restart"
		ok "$tag: the tunnel passes traffic again"
	fi
	sync_peer "pinged$i"
}

# --- the right reboots -------------------------------------------------------------
# Continues restart_case's IKE_SA.
reboot_case() {
	local i=$1 tag=peer-reboot spi_in0 log0
	echo "# $tag: the right's charon killed, its SAs flushed, started again; it initiates"
	log0=$(wc -l < $IKE/charon.log)
	spi_in0=$(child_spi in)
	if [ "$ROLE" = right ]; then
		kill_charon
		ip xfrm state flush
		ip xfrm policy flush
		start_charon
		load_conf "$i"
		initiate "$i"
	fi
	wait_secs 150 eval 'child_up && [ "$(child_spi in)" != "$spi_in0" ] && holds_exactly_child' ||
		{ swanctl --list-sas; sas_now; fail "$tag: not re-keyed"; }
	ok "$tag: re-keyed, $ROLE holds exactly: $(sas_now)"
	if [ "$ROLE" = left ]; then
		log_since "$log0" | grep -E "destroying duplicate IKE_SA .*received INITIAL_CONTACT" ||
			fail "$tag: no INITIAL_CONTACT in the left's log"
		expect_eq "$(swanctl --list-sas 2> /dev/null | grep -c "^$IKE_SA: #")" 1 "$tag: IKE_SAs on the left"
		ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$tag: ping after the peer's reboot"
		ok "$tag: the tunnel passes traffic again"
	fi
	sync_peer "rebooted$i"
	close_ike "$tag"
}

dpd_case 3
restart_case 4
reboot_case 5
if [ "$ROLE" = left ]; then
	expect_eq "$(sa_count gs1)" 2 "SAs keyed by hand on gs1 at the end"
fi
