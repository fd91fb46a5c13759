#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: pair
# timeout: 600
#
# IKE against Linux's own: Debian's charon keys a gresec tunnel through the
# kernel-gresec plugin (left; kernel-netlink stays loaded for addresses and
# routes), stock charon keys ip_gre + xfrm (right).  Both load the same
# swanctl.conf, strongswan/examples/*.swanctl.conf, with local and remote
# swapped on the right: transport mode, local_ts = remote_ts = dynamic[gre],
# PSK.  Cases: IKEv2 with ESP aes128gcm16 (left initiates), IKEv2 with ESP
# aes128-sha256 (right initiates), and the IOS seed's IKEv1 main mode
# aes128-sha1-modp1024 with ESP aes128-md5 (left initiates).  For each: the
# CHILD_SA comes up on both ends, its SAs are in the gresec tunnel (not in
# xfrm) with the negotiated SPIs, proposal, replay window and lifetimes,
# ping and TCP (matching hashes) both ways, charon reads the SA counters,
# the wire between the VMs carries ESP and no plaintext GRE, and closing
# the IKE_SA deletes the SAs from the tunnel.  Last, a CHILD_SA with a
# 20 s rekey time on the left: gresec's soft-expiry event makes charon
# rekey it, the tunnel ends up with the new SAs only, and a ping running
# across the rekey loses (almost) nothing.  Then start_action = trap on
# the left: the first ping starts IKE and is delivered (held by gresec
# until the SA is in).  Wrong PSK and no common ESP proposal: no SA, no
# plaintext, charon says why.  An SA gresec refuses (its SPI taken by one
# keyed by hand): kernel-gresec logs gresec's extack message, charon runs
# on.  Last, mode = tunnel on both ends: tunnel-mode SAs in gresec and
# xfrm, pings both ways.  charon starts before the
# gresec module is loaded (the plugin resolves the family and joins its
# event group when it appears).  gresec show (and -j, dump) shows the
# first case's IKE_SA from charon's vici socket, its CHILD_SA matched to
# gs0's SAs, and once charon is stopped says so.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"

CHARON=/usr/lib/ipsec/charon
PLUGINDIR=/usr/lib/ipsec/plugins
PLUGIN=$REPO/build/strongswan/libstrongswan-kernel-gresec.so
EXAMPLES=$REPO/strongswan/examples
IKE=/tmp/ike

# Both VMs see the same files, so both skip alike.
if [ ! -x "$CHARON" ] || ! command -v swanctl > /dev/null; then
	skip "strongSwan is not installed (strongswan-charon, strongswan-swanctl)"
fi
[ -e "$PLUGIN" ] ||
	skip "the charon plugin kernel-gresec was not built (make plugin; see build/check/build.log)"

pair_underlay

# --- charon ------------------------------------------------------------------
# Its own strongswan.conf (STRONGSWAN_CONF): Debian's plugins, a log file.
# On the left the plugin is loaded from a copy of the plugin directory
# bind-mounted over /usr/lib/ipsec/plugins in charon's own mount namespace:
# strongSwan 5.9.8's charon searches only its compiled-in PLUGINDIR (no
# strongswan.conf option adds one), and the guest's root is the host's,
# read-only.  Nothing outside charon's namespace changes.
charon_pid=""
stop_charon() {
	local rc=$?
	if [ -n "$charon_pid" ]; then
		kill "$charon_pid" 2> /dev/null || true
		wait "$charon_pid" 2> /dev/null || true
		charon_pid=""
	fi
	rm -rf $IKE/plugins
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -e $IKE/charon.log ]; then
		echo "--- $ROLE: charon.log (tail)"
		tail -n 80 $IKE/charon.log
	fi
}
trap stop_charon EXIT

rm -rf $IKE
mkdir -p $IKE
# A charon left over by a test that was killed.
[ -e /run/charon.pid ] && kill "$(cat /run/charon.pid)" 2> /dev/null && sleep 1
rm -f /run/charon.pid /run/charon.vici
# The right never loads kernel-gresec, even where it is installed.
gresec_plugin="kernel-gresec {
			load = no
		}"
[ "$ROLE" = left ] && gresec_plugin="kernel-gresec {
			load = yes
		}"
cat > $IKE/strongswan.conf << EOF
charon {
	load_modular = yes
	plugins {
		include /etc/strongswan.d/charon/*.conf
		$gresec_plugin
	}
	filelog {
		ike {
			path = $IKE/charon.log
			time_format = %T
			default = 1
			knl = 2
			flush_line = yes
		}
	}
}
EOF
if [ "$ROLE" = left ]; then
	mkdir $IKE/plugins
	# The plugin built here replaces an installed one (make install).
	cp "$PLUGINDIR"/libstrongswan-*.so $IKE/plugins/
	cp -f "$PLUGIN" $IKE/plugins/
	STRONGSWAN_CONF=$IKE/strongswan.conf unshare -m sh -c \
		"mount --bind $IKE/plugins $PLUGINDIR && exec $CHARON" > $IKE/charon.out 2>&1 &
else
	STRONGSWAN_CONF=$IKE/strongswan.conf $CHARON > $IKE/charon.out 2>&1 &
fi
charon_pid=$!
# Under TCG charon needs seconds to open its vici socket.
wait_for 900 test -S /run/charon.vici || { cat $IKE/charon.out; fail "charon did not open its vici socket"; }
grep -m1 'loaded plugins' $IKE/charon.log
if [ "$ROLE" = left ]; then
	# Loaded before kernel-netlink, its kernel-ipsec registers first
	# (that the SAs then land in gs0 and not in xfrm is checked below).
	grep -m1 'loaded plugins:' $IKE/charon.log | grep -q ' kernel-gresec .* kernel-netlink' ||
		fail "charon did not load kernel-gresec before kernel-netlink"
	ok "charon loaded kernel-gresec before kernel-netlink"
	grep -m1 'is the gresec module loaded' $IKE/charon.log || true
fi

# The tunnel, after charon: kernel-gresec finds the gresec family (and
# joins its event group) once the module is loaded, as on a machine where
# charon starts at boot before gresec is loaded.
if [ "$ROLE" = left ]; then
	load_gresec
	ip link add gs0 type gresec
	# Fail-closed before IKE runs: nothing leaves in plaintext.
	gresec set gs0 local "$LOCAL" remote "$REMOTE" protection required
	dev=gs0
else
	modprobe ip_gre
	ip link add gre1 type gre local "$LOCAL" remote "$REMOTE" ttl 64
	dev=gre1
fi
ip addr add "$INNER/30" dev $dev
ip link set $dev up

# --- helpers -------------------------------------------------------------------
# conf_for EXAMPLE [SED]: the example swanctl.conf as this end loads it
# (the examples are written for the left, 192.0.2.1 -> 192.0.2.2).
conf_for() {
	local swap=""
	[ "$ROLE" = right ] && swap='s/192\.0\.2\.1/@ME@/g; s/192\.0\.2\.2/192.0.2.1/g; s/@ME@/192.0.2.2/g'
	sed -e "$swap" -e "${2:-}" "$EXAMPLES/$1"
}

# child_up IKE: the CHILD_SA "gre" of IKE_SA IKE is installed, transport mode.
child_up() {
	swanctl --list-sas --ike "$1" 2> /dev/null |
		grep -qE '^ +gre: #[0-9]+, reqid [0-9]+, INSTALLED, TRANSPORT'
}

# child_gone IKE: no CHILD_SA "gre" of IKE_SA IKE is left.
child_gone() {
	! swanctl --list-sas --ike "$1" 2> /dev/null | grep -qE '^ +gre: #'
}

# child_spi IKE in|out: an SPI of the CHILD_SA, 8 hex digits.
child_spi() {
	swanctl --list-sas --ike "$1" 2> /dev/null |
		awk -v d="$2" '$1 == d { sub(",", "", $2); print $2; exit }'
}

# child_bytes IKE in|out: the bytes charon reads for one direction.
child_bytes() {
	swanctl --list-sas --ike "$1" 2> /dev/null |
		awk -v d="$2" '$1 == d { print $3; exit }'
}

# sa_field DIR SPI COLUMN: a column of an SA line of "gresec dump" (left).
sa_field() {
	gresec dump dev gs0 | awk -F'\t' -v d="$1" -v s="0x$2" -v c="$3" \
		'$1 == "sa" && $3 == d && $4 == s { print $c }'
}

# show_ike_check TAG IKE SPI_IN SPI_OUT (left): "gresec show" has charon's
# IKE_SA ("crypto isakmp sa": peer, IKEv2, the IKE proposal of
# ikev2-gre.swanctl.conf) with the CHILD_SA whose SPIs are gs0's, the SA
# block says "installed by IKE" with charon's reqid; -j and dump carry it.
show_ike_check() {
	local tag=$1 ike=$2 spi_in=$3 spi_out=$4 reqid out
	reqid=$(swanctl --list-sas --ike "$ike" 2> /dev/null |
		sed -n 's/^ *gre: #[0-9]*, reqid \([0-9]*\), INSTALLED.*/\1/p' | head -n 1)
	out=$(gresec show gs0)
	grep -qE "^    $ike #[0-9]+: IKEv2, ESTABLISHED [0-9]+ s ago, initiator\$" <<< "$out" &&
		grep -qE "^      remote $REMOTE\[(500|4500)\], id $REMOTE\$" <<< "$out" &&
		grep -qx "      proposal AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" <<< "$out" &&
		grep -qE "^      child sa gre #[0-9]+, reqid $reqid: INSTALLED, TRANSPORT ESP, AES_GCM_16-128\$" <<< "$out" &&
		grep -qx "        spi in 0x$spi_in, out 0x$spi_out (both SAs in gs0)" <<< "$out" &&
		[ "$(grep -cE "^        installed by IKE, reqid $reqid \($ike #[0-9]+, child sa gre #[0-9]+\)\$" <<< "$out")" = 2 ] ||
		{ echo "$out"; fail "$tag: gresec show: no crypto isakmp sa of $ike (reqid '$reqid') matched to SAs 0x$spi_in/0x$spi_out"; }
	ok "$tag: gresec show: crypto isakmp sa $ike with $REMOTE, IKEv2, its CHILD_SA's SAs installed by IKE, reqid $reqid"
	gresec show gs0 -j | python3 -c '
import json, sys
t = json.load(sys.stdin)[0]
ike, remote, spi_in, spi_out, reqid = sys.argv[1:]
assert t["ike"]["charon"] == "running", t["ike"]
sa = [s for s in t["ike"]["sas"] if s["name"] == ike]
assert len(sa) == 1 and sa[0]["remote_host"] == remote and sa[0]["version"] == 2, sa
sa = sa[0]
assert (sa["encr_alg"], sa["encr_keysize"], sa["integ_alg"], sa["dh_group"]) == \
	("AES_CBC", 128, "HMAC_SHA2_256_128", "MODP_2048"), sa
c = sa["child_sas"]
assert len(c) == 1 and c[0]["spi_in"] == int(spi_in, 16) and c[0]["spi_out"] == int(spi_out, 16) \
	and c[0]["in_tunnel"] == "both" and c[0]["reqid"] == int(reqid), c
for s in t["sas"]:
	assert s["ike"] == {"ike_sa": ike, "ike_sa_uniqueid": sa["uniqueid"], "child_sa": "gre",
			    "child_sa_uniqueid": c[0]["uniqueid"], "reqid": int(reqid)}, s
' "$ike" "$REMOTE" "$spi_in" "$spi_out" "$reqid" || fail "$tag: gresec show -j: IKE_SA"
	ok "$tag: gresec show -j carries the IKE_SA and the SAs' origin"
	expect_eq "$(gresec dump dev gs0 | awk -F'\t' '$1 == "child" { print $9, $10, $12 }')" \
		"0x$spi_in 0x$spi_out both" "$tag: gresec dump: child line"
}

# run_case N TAG EXAMPLE IKE INITIATOR GRESEC-PROPOSAL [SED]
# close_case I TAG IKE INITIATOR: INITIATOR ends the IKE_SA; both ends wait
# for its CHILD_SA to go, and the gresec end for the tunnel's SAs.
close_case() {
	local i=$1 tag=$2 ike=$3
	if [ "$ROLE" = "$4" ]; then
		swanctl --terminate --ike "$ike" --timeout 60 > $IKE/terminate-$i.log 2>&1 ||
			{ tail -n 20 $IKE/terminate-$i.log; fail "$tag: swanctl --terminate"; }
	fi
	wait_for 600 child_gone "$ike" || { swanctl --list-sas; fail "$tag: CHILD_SA not closed"; }
	if [ "$ROLE" = left ]; then
		expect_eq "$(gresec dump dev gs0 | grep -c '^sa')" 0 "$tag: SAs left on gs0 after the IKE_SA closed"
	fi
	sync_peer "closed$i"
}

run_case() {
	local i=$1 tag=$2 example=$3 ike=$4 initiator=$5 prop=$6 edit=${7:-}
	local spi_in spi_out cap gre esp n
	echo "# $tag: $example${edit:+ ($edit)}, $initiator initiates"
	conf_for "$example" "$edit" > $IKE/swanctl-$i.conf
	swanctl --load-all --noprompt --file $IKE/swanctl-$i.conf > $IKE/load-$i.log 2>&1 ||
		{ cat $IKE/load-$i.log; fail "$tag: swanctl --load-all"; }
	sync_peer "loaded$i"
	if [ "$ROLE" = "$initiator" ]; then
		swanctl --initiate --ike "$ike" --child gre --timeout 180 > $IKE/initiate-$i.log 2>&1 ||
			{ tail -n 30 $IKE/initiate-$i.log; fail "$tag: swanctl --initiate"; }
	fi
	wait_for 1800 child_up "$ike" || { swanctl --list-sas; fail "$tag: no CHILD_SA"; }
	swanctl --list-sas --ike "$ike" 2> /dev/null
	ok "$tag: CHILD_SA installed ($ROLE)"
	spi_in=$(child_spi "$ike" in)
	spi_out=$(child_spi "$ike" out)
	echo "$spi_in $spi_out" > "$SHARE/$TEST_NAME.$ROLE.spi$i"
	sync_peer "up$i"
	read -r p_in p_out < "$SHARE/$TEST_NAME.$PEER.spi$i"
	expect_eq "$spi_in/$spi_out" "$p_out/$p_in" "$tag: SPIs in/out here = out/in of the peer"

	if [ "$ROLE" = left ]; then
		gresec show gs0
		expect_eq "$(ip xfrm state | grep -c '^src')" 0 "$tag: xfrm states on the gresec end"
		# dump columns: 5 proposal, 6 state, 7 esn, 8 replay window,
		# 15 soft time, 16 hard time
		expect_eq "$(sa_field in "$spi_in" 5)/$(sa_field out "$spi_out" 5)" \
			"$prop/$prop" "$tag: gresec SAs in 0x$spi_in / out 0x$spi_out, proposal"
		expect_eq "$(sa_field in "$spi_in" 6)/$(sa_field out "$spi_out" 6)" \
			active/active "$tag: SA states"
		expect_eq "$(sa_field in "$spi_in" 8)" 32 "$tag: inbound replay window (charon's default)"
		# swanctl's defaults: rekey 1h, life 1h + 10%; the inbound SA
		# soft-expires first (rekey minus up to rand_time).
		local soft hard
		soft=$(sa_field in "$spi_in" 15) hard=$(sa_field in "$spi_in" 16)
		[ "$hard" = 3960 ] && [ "$soft" -ge 3240 ] && [ "$soft" -le 3600 ] ||
			fail "$tag: inbound soft/hard time $soft/$hard, want 3240..3600/3960"
		ok "$tag: inbound soft/hard time $soft/$hard s"
		expect_eq "$(gresec dump dev gs0 | grep -c '^sa')" 2 "$tag: SAs on gs0"
		if [ "$i" = 1 ]; then
			show_ike_check "$tag" "$ike" "$spi_in" "$spi_out"
		fi
	fi

	# The wire, from the peer's side: only ESP once both ends are keyed.
	if [ "$ROLE" = right ]; then
		rm -f /tmp/ike$i.pcap
		tcpdump -i eth0 -U -w /tmp/ike$i.pcap 'ip proto 47 or ip proto 50' 2> /dev/null &
		cap=$!
		wait_for 50 test -s /tmp/ike$i.pcap
		sleep 0.5
	fi
	sync_peer "capturing$i"
	if [ "$ROLE" = left ]; then
		ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$tag: ping $INNER_PEER"
		ok "$tag: gresec pings the native peer"
	fi
	sync_peer "pinged$i"
	if [ "$ROLE" = right ]; then
		ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$tag: ping $INNER_PEER"
		ok "$tag: the native peer pings gresec"
	fi
	pair_xfer "x$i" 200000 left 5001
	pair_xfer "y$i" 200000 right 5002
	sync_peer "traffic$i"
	if [ "$ROLE" = right ]; then
		sleep 0.3
		kill "$cap"
		wait "$cap" 2> /dev/null || true
		gre=$(tcpdump -nr /tmp/ike$i.pcap 'ip proto 47' 2> /dev/null | wc -l)
		[ "$gre" = 0 ] || tcpdump -nr /tmp/ike$i.pcap -c 5 'ip proto 47' 2> /dev/null
		expect_eq "$gre" 0 "$tag: plaintext GRE packets on the wire"
		esp=$(tcpdump -nr /tmp/ike$i.pcap 'ip proto 50' 2> /dev/null | wc -l)
		expect_ge "$esp" 100 "$tag: ESP packets on the wire"
	else
		for d in in out; do
			local spi=$spi_in
			[ $d = out ] && spi=$spi_out
			n=$(sa_counter "" gs0 $d $((0x$spi)) packets)
			expect_ge "$n" 100 "$tag: packets through gresec SA $d 0x$spi"
		done
		# query_sa: charon reads gresec's counters.
		expect_ge "$(child_bytes "$ike" in)" 100000 "$tag: inbound bytes charon reads"
		expect_ge "$(child_bytes "$ike" out)" 100000 "$tag: outbound bytes charon reads"
		# and a use time ("..., N packets, Ms ago"), which its
		# inactivity timeout and DPD go by.
		swanctl --list-sas --ike "$ike" 2> /dev/null | grep -qE "^ +in  $spi_in, .* packets, +[0-9]+s ago" ||
			{ swanctl --list-sas --ike "$ike" 2> /dev/null; fail "$tag: no use time of the inbound SA"; }
		ok "$tag: charon has a use time for the inbound SA"
		gresec show gs0
	fi
	sync_peer "checked$i"

	close_case "$i" "$tag" "$ike" "$initiator"
}

# tunnel_matches_child IKE: the SAs of gs0 are exactly the two of the
# CHILD_SA charon now lists (none left over from before a rekey).
tunnel_matches_child() {
	local spi_in spi_out got
	spi_in=$(child_spi "$1" in)
	spi_out=$(child_spi "$1" out)
	[ -n "$spi_in" ] && [ -n "$spi_out" ] || return 1
	got=$(gresec dump dev gs0 | awk -F'\t' '$1 == "sa" { print $3, $4 }' | sort | tr '\n' ' ')
	[ "$got" = "in 0x$spi_in out 0x$spi_out " ]
}

# rekey_case N: the CHILD_SA's inbound SA soft-expires in gresec after
# 20 s (left; the right keeps charon's default of an hour, so the left
# initiates); charon, told by kernel-gresec's event, rekeys it: new SAs in
# the tunnel, the old ones deleted, a ping running across the rekey.
rekey_case() {
	local i=$1 tag=ikev2-rekey ike=gre-ikev2 edit="" spi0 lost
	echo "# $tag: ikev2-gre.swanctl.conf, rekey_time = 20s on the left, left initiates"
	[ "$ROLE" = left ] &&
		edit='s/^\(\t*\)esp_proposals = .*/&\n\1rekey_time = 20s\n\1life_time = 120s\n\1rand_time = 0s/'
	conf_for ikev2-gre.swanctl.conf "$edit" > $IKE/swanctl-$i.conf
	swanctl --load-all --noprompt --file $IKE/swanctl-$i.conf > $IKE/load-$i.log 2>&1 ||
		{ cat $IKE/load-$i.log; fail "$tag: swanctl --load-all"; }
	sync_peer "loaded$i"
	if [ "$ROLE" = left ]; then
		swanctl --initiate --ike "$ike" --child gre --timeout 180 > $IKE/initiate-$i.log 2>&1 ||
			{ tail -n 30 $IKE/initiate-$i.log; fail "$tag: swanctl --initiate"; }
	fi
	wait_for 1800 child_up "$ike" || { swanctl --list-sas; fail "$tag: no CHILD_SA"; }
	sync_peer "up$i"
	if [ "$ROLE" = left ]; then
		spi0=$(child_spi "$ike" in)
		expect_eq "$(sa_field in "$spi0" 15)/$(sa_field in "$spi0" 16)" 20/120 \
			"$tag: inbound SA 0x$spi0 soft/hard time"
		# Pings every 0.2 s from before the soft expiry to after the
		# rekey (IKE under TCG takes seconds).
		ping -c 200 -i 0.2 -W 3 "$INNER_PEER" > $IKE/ping-$i.log 2>&1 &
		local pinger=$!
		wait_for 900 eval '[ "$(child_spi "$ike" in)" != "$spi0" ] && child_up "$ike"' ||
			{ swanctl --list-sas; fail "$tag: CHILD_SA not rekeyed within 90 s"; }
		grep -E "gresec: inbound SA with SPI $spi0 .*soft-expired" $IKE/charon.log ||
			fail "$tag: no soft-expiry event from gresec for 0x$spi0 in charon's log"
		swanctl --list-sas --ike "$ike" 2> /dev/null
		wait_for 600 tunnel_matches_child "$ike" ||
			{ gresec dump dev gs0; fail "$tag: gs0 does not hold exactly the rekeyed CHILD_SA's SAs"; }
		ok "$tag: rekeyed, gs0 holds the new SAs only: $(gresec dump dev gs0 | awk -F'\t' '$1 == "sa" { printf "%s %s ", $3, $4 }')"
		kill -INT $pinger
		wait $pinger || true
		tail -n 3 $IKE/ping-$i.log
		lost=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' $IKE/ping-$i.log)
		read -r sent got <<< "$lost"
		expect_ge "$got" $((sent - 2)) "$tag: pings answered across the rekey (of $sent)"
		ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$tag: ping $INNER_PEER after the rekey"
		ok "$tag: gresec pings the native peer on the new SAs"
	fi
	close_case "$i" "$tag" "$ike" left
}

# gs_counter NAME: a counter of gs0 (left).
gs_counter() {
	local c
	c=$(dump_column TUN "$1") || fail "no dump column for counter $1"
	gresec dump dev gs0 | awk -F'\t' -v c="$c" '$1 == "tunnel" { print $c }'
}

# trap_case N: start_action = trap on the left.  charon installs trap
# policies (kernel-gresec remembers their reqid for the tunnel); the first
# ping finds no outbound SA, gresec holds it and sends an ACQUIRE, the
# plugin calls charon's acquire, IKE runs, and the held ping leaves through
# the new SA: delivered, not lost.
trap_case() {
	local i=$1 tag=ikev2-trap ike=gre-ikev2 edit="" held0 drops0
	echo "# $tag: ikev2-gre.swanctl.conf, start_action = trap on the left"
	[ "$ROLE" = left ] &&
		edit='s/^\(\t*\)esp_proposals = .*/&\n\1start_action = trap/'
	conf_for ikev2-gre.swanctl.conf "$edit" > $IKE/swanctl-$i.conf
	swanctl --load-all --noprompt --file $IKE/swanctl-$i.conf > $IKE/load-$i.log 2>&1 ||
		{ cat $IKE/load-$i.log; fail "$tag: swanctl --load-all"; }
	sync_peer "loaded$i"
	if [ "$ROLE" = left ]; then
		# The ping must be the tunnel's first packet: no IPv6 chatter.
		sysctl -qw net.ipv6.conf.gs0.disable_ipv6=1
		swanctl --list-pols --trap | grep -q 'gre' ||
			{ swanctl --list-pols; fail "$tag: no trap policy"; }
		child_gone "$ike" || fail "$tag: a CHILD_SA before the first packet"
		held0=$(gs_counter tx_held)
		drops0=$(($(gs_counter tx_drop_hold_overflow) + $(gs_counter tx_drop_hold_timeout)))
		ping -c 1 -W 60 "$INNER_PEER" > $IKE/ping-$i.log 2>&1 ||
			{ cat $IKE/ping-$i.log; swanctl --list-sas; fail "$tag: the first ping was lost"; }
		grep -q " 1 received" $IKE/ping-$i.log || fail "$tag: the first ping was not answered"
		ok "$tag: the first ping, which started IKE, was answered"
		grep -m1 "gresec: acquire for gs0" $IKE/charon.log ||
			fail "$tag: no acquire from gresec in charon's log"
		child_up "$ike" || fail "$tag: no CHILD_SA after the trap fired"
		expect_eq "$(($(gs_counter tx_held) - held0))" 1 "$tag: packets held for the SA"
		expect_eq "$(($(gs_counter tx_drop_hold_overflow) + $(gs_counter tx_drop_hold_timeout) - drops0))" 0 \
			"$tag: held packets dropped"
		gresec show gs0
		# No new IKE_SA from the trap while the case closes.
		swanctl --uninstall --child gre --ike "$ike" > /dev/null || fail "$tag: swanctl --uninstall"
	fi
	sync_peer "trapped$i"
	close_case "$i" "$tag" "$ike" left
}

# fail_case N TAG EDIT-LEFT LOG-REGEX: the left, with EDIT applied to its
# copy of ikev2-gre.swanctl.conf, initiates and must fail: no CHILD_SA, no
# SA in gs0, nothing sent by gs0 (so no plaintext) while a ping tries, and
# LOG-REGEX in the left charon's log.
fail_case() {
	local i=$1 tag=$2 edit="" tx0 ike=gre-ikev2
	echo "# $tag: ikev2-gre.swanctl.conf, left: $3"
	[ "$ROLE" = left ] && edit=$3
	conf_for ikev2-gre.swanctl.conf "$edit" > $IKE/swanctl-$i.conf
	swanctl --load-all --noprompt --file $IKE/swanctl-$i.conf > $IKE/load-$i.log 2>&1 ||
		{ cat $IKE/load-$i.log; fail "$tag: swanctl --load-all"; }
	sync_peer "loaded$i"
	if [ "$ROLE" = left ]; then
		tx0=$(gs_counter tx_packets)
		swanctl --initiate --ike "$ike" --child gre --timeout 60 > $IKE/initiate-$i.log 2>&1 &&
			{ tail -n 20 $IKE/initiate-$i.log; fail "$tag: swanctl --initiate succeeded"; }
		grep -E -m1 "$4" $IKE/charon.log || { tail -n 30 $IKE/charon.log; fail "$tag: no /$4/ in charon's log"; }
		ok "$tag: refused, charon says why"
		ping -q -c 2 -i 0.2 -W 1 "$INNER_PEER" > /dev/null && fail "$tag: ping without a CHILD_SA"
		child_gone "$ike" || { swanctl --list-sas; fail "$tag: a CHILD_SA came up"; }
		expect_eq "$(gresec dump dev gs0 | grep -c '^sa')" 0 "$tag: SAs on gs0"
		expect_eq "$(($(gs_counter tx_packets) - tx0))" 0 "$tag: packets gs0 sent"
		# An IKE_SA without CHILD_SA (no common ESP proposal) goes too.
		if swanctl --list-sas --ike "$ike" 2> /dev/null | grep -q "^$ike:"; then
			swanctl --terminate --ike "$ike" --timeout 60 > /dev/null ||
				fail "$tag: swanctl --terminate"
		fi
	fi
	sync_peer "failed$i"
}

# refused_case N: gresec refuses an SA that charon installs, and charon
# lives on.  The right's charon takes every inbound SPI from one value
# (charon.spi_min = spi_max, read again on swanctl --reload-settings), so
# the left's outbound SPI is known, and gs0 already has an outbound SA
# with it (keyed by hand): gresec refuses charon's as a duplicate, with an
# extack message.  kernel-gresec logs that message, charon fails the
# CHILD_SA, takes its inbound SA out of gs0 again and runs on (the next
# case is keyed by the same charon); charon's delete of the outbound SA it
# failed to add leaves the one keyed by hand in place.
refused_case() {
	local i=$1 tag=ikev2-sa-refused ike=gre-ikev2 spi=c0de0001 log0
	echo "# $tag: ikev2-gre.swanctl.conf, gs0 already has an outbound SA 0x$spi"
	conf_for ikev2-gre.swanctl.conf > $IKE/swanctl-$i.conf
	swanctl --load-all --noprompt --file $IKE/swanctl-$i.conf > $IKE/load-$i.log 2>&1 ||
		{ cat $IKE/load-$i.log; fail "$tag: swanctl --load-all"; }
	if [ "$ROLE" = right ]; then
		cp $IKE/strongswan.conf $IKE/strongswan.conf.orig
		sed -i "0,/^charon {/s//charon {\n\tspi_min = 0x$spi\n\tspi_max = 0x$spi/" $IKE/strongswan.conf
		grep -q "spi_max = 0x$spi" $IKE/strongswan.conf || fail "$tag: no spi_max in strongswan.conf"
		swanctl --reload-settings > /dev/null || fail "$tag: swanctl --reload-settings"
	else
		gresec sa add gs0 dir out spi 0x$spi proposal aes128gcm16 key "$(hexkey 20)"
	fi
	sync_peer "loaded$i"
	if [ "$ROLE" = left ]; then
		log0=$(wc -l < $IKE/charon.log)
		swanctl --initiate --ike "$ike" --child gre --timeout 60 > $IKE/initiate-$i.log 2>&1 &&
			{ tail -n 20 $IKE/initiate-$i.log; fail "$tag: swanctl --initiate succeeded"; }
		tail -n +$((log0 + 1)) $IKE/charon.log |
			grep -m1 "gresec: adding SA with SPI $spi failed: .*spi: already used by an outbound SA of this tunnel" ||
			{ tail -n 30 $IKE/charon.log; fail "$tag: charon's log has no line with gresec's refusal"; }
		ok "$tag: kernel-gresec logged gresec's extack message"
		kill -0 "$charon_pid" 2> /dev/null || fail "$tag: charon is gone"
		swanctl --stats > /dev/null || fail "$tag: charon does not answer"
		ok "$tag: charon runs on"
		child_gone "$ike" || { swanctl --list-sas; fail "$tag: a CHILD_SA is installed"; }
		wait_for 200 eval '[ "$(gresec dump dev gs0 | grep -c "^sa")" = 1 ]' ||
			{ gresec dump dev gs0; fail "$tag: gs0 holds more SAs than the one keyed by hand"; }
		expect_eq "$(gresec dump dev gs0 | awk -F'\t' '$1 == "sa" { print $3, $4 }')" "out 0x$spi" \
			"$tag: gs0's SAs (charon's inbound one taken out again, the one keyed by hand kept)"
		# charon deletes the outbound SA it failed to add, by SPI.
		tail -n +$((log0 + 1)) $IKE/charon.log |
			grep -m1 "gresec: outbound SA with SPI $spi was not installed by charon, left alone" ||
			fail "$tag: kernel-gresec did not say it left the SA keyed by hand alone"
		gresec sa del gs0 dir out spi 0x$spi
		if swanctl --list-sas --ike "$ike" 2> /dev/null | grep -q "^$ike:"; then
			swanctl --terminate --ike "$ike" --timeout 60 > /dev/null ||
				fail "$tag: swanctl --terminate"
		fi
	fi
	sync_peer "refused$i"
	if [ "$ROLE" = right ]; then
		mv $IKE/strongswan.conf.orig $IKE/strongswan.conf
		swanctl --reload-settings > /dev/null || fail "$tag: swanctl --reload-settings"
		wait_for 600 child_gone "$ike" || { swanctl --list-sas; fail "$tag: the right's CHILD_SA stayed"; }
	fi
	sync_peer "restored$i"
}

# tunnel_case N: mode = tunnel on both ends (the IOS transform set's
# default): the right's xfrm and gresec's SAs in tunnel mode (an inner
# IPv4 header between the tunnel's endpoints around the GRE packet), pings
# both ways through them.
tunnel_case() {
	local i=$1 tag=ikev2-tunnel-mode ike=gre-ikev2 spi_in spi_out
	echo "# $tag: ikev2-gre.swanctl.conf with mode = tunnel, left initiates"
	conf_for ikev2-gre.swanctl.conf 's/mode = transport/mode = tunnel/' > $IKE/swanctl-$i.conf
	swanctl --load-all --noprompt --file $IKE/swanctl-$i.conf > $IKE/load-$i.log 2>&1 ||
		{ cat $IKE/load-$i.log; fail "$tag: swanctl --load-all"; }
	sync_peer "loaded$i"
	if [ "$ROLE" = left ]; then
		swanctl --initiate --ike "$ike" --child gre --timeout 180 > $IKE/initiate-$i.log 2>&1 ||
			{ tail -n 30 $IKE/initiate-$i.log $IKE/charon.log; fail "$tag: swanctl --initiate"; }
	fi
	wait_for 1800 eval 'swanctl --list-sas --ike "$ike" 2> /dev/null |
		grep -qE "^ +gre: #[0-9]+, reqid [0-9]+, INSTALLED, TUNNEL"' ||
		{ swanctl --list-sas; fail "$tag: no tunnel-mode CHILD_SA"; }
	ok "$tag: tunnel-mode CHILD_SA installed ($ROLE)"
	sync_peer "up$i"
	if [ "$ROLE" = left ]; then
		spi_in=$(child_spi "$ike" in)
		spi_out=$(child_spi "$ike" out)
		expect_eq "$(ip xfrm state | grep -c '^src')" 0 "$tag: xfrm states on the gresec end"
		# dump column 34: the SA's mode
		expect_eq "$(sa_field in "$spi_in" 34)/$(sa_field out "$spi_out" 34)" \
			tunnel/tunnel "$tag: gresec SAs in 0x$spi_in / out 0x$spi_out, mode"
		ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$tag: ping $INNER_PEER"
		ok "$tag: gresec pings the native peer"
	fi
	sync_peer "pinged$i"
	if [ "$ROLE" = right ]; then
		expect_eq "$(ip xfrm state | grep -c 'mode tunnel')" 2 "$tag: tunnel-mode xfrm states"
		ping -q -c 3 -i 0.2 -W 3 "$INNER_PEER" > /dev/null || fail "$tag: ping $INNER_PEER"
		ok "$tag: the native peer pings gresec"
	fi
	# The counters once the right's pings are through.
	sync_peer "rpinged$i"
	if [ "$ROLE" = left ]; then
		expect_ge "$(sa_counter "" gs0 in $((0x$spi_in)) packets)" 6 \
			"$tag: packets through gresec SA in 0x$spi_in"
		expect_eq "$(sa_counter "" gs0 in $((0x$spi_in)) drop_tunnel_inner)" 0 \
			"$tag: drop_tunnel_inner of SA in 0x$spi_in"
	fi
	sync_peer "checked$i"
	close_case "$i" "$tag" "$ike" left
}

run_case 1 ikev2-aes128gcm16 ikev2-gre.swanctl.conf gre-ikev2 left aes128gcm16
run_case 2 ikev2-aes128-sha256 ikev2-gre.swanctl.conf gre-ikev2 right aes128-sha256 \
	's/esp_proposals = aes128gcm16/esp_proposals = aes128-sha256/'
run_case 3 ikev1-ios-seed ios-seed-ikev1.swanctl.conf gre-ios left aes128-md5
rekey_case 4
trap_case 5
fail_case 6 ikev2-wrong-psk 's/secret = .*/secret = "not-the-peers-secret"/' \
	'AUTHENTICATION_FAILED'
fail_case 7 ikev2-no-common-esp 's/esp_proposals = aes128gcm16/esp_proposals = aes256gcm16/' \
	'NO_PROPOSAL_CHOSEN'
refused_case 9
tunnel_case 8
if [ "$ROLE" = left ]; then
	gresec show gs0
	grep -c 'gresec: added' $IKE/charon.log | sed 's/^/SAs charon added via gresec: /'
	# charon gone: one line says so (gs0 requires protection, has no SA).
	stop_charon
	out=$(gresec show gs0)
	grep -qx "  crypto isakmp sa: charon is not running" <<< "$out" ||
		{ echo "$out"; fail "gresec show without charon: no 'charon is not running' line"; }
	expect_eq "$(gresec show gs0 -j | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["ike"]["charon"])')" \
		"not running" "gresec show -j without charon: ike.charon"
fi
