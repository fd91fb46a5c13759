#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run in both VMs (left = R1, right = R4): a protected gresec tunnel
# between them, like IOS "interface Tunnel1" with tunnel source/destination and
# "tunnel protection ipsec profile", keyed by IKEv2 with a pre-shared key:
# strongSwan's charon with the kernel-gresec plugin on both ends, no key typed.
# Ping and a file moved across, the wire (ESP only), "gresec show" on both
# ends, then a rekey while traffic flows.
. "$REPO/tests/lib/common.sh"

CHARON=/usr/lib/ipsec/charon
PLUGINDIR=/usr/lib/ipsec/plugins
PLUGIN=$REPO/build/strongswan/libstrongswan-kernel-gresec.so
IKE=/tmp/ike
# The left's CHILD_SA soft-expires in gresec after this long and charon
# rekeys it; the right keeps charon's default (1 h), so the left rekeys.
REKEY=30s

say() { printf '\n=== %s: %s\n' "$ROLE" "$*"; }

if [ ! -x "$CHARON" ] || ! command -v swanctl > /dev/null; then
	fail "strongSwan is not installed (tests/deps.sh installs strongswan-charon, strongswan-swanctl)"
fi
[ -e "$PLUGIN" ] || fail "the charon plugin kernel-gresec is not built (make plugin)"

pair_underlay
load_gresec
say "ip link add gs0 type gresec; gresec set gs0 local $LOCAL remote $REMOTE key 1001 protection required"
ip link add gs0 type gresec
# Fail-closed before IKE runs: nothing leaves in plaintext.
gresec set gs0 local "$LOCAL" remote "$REMOTE" key 1001 protection required
ip addr add "$INNER/30" dev gs0
ip -6 addr add "$INNER6/64" dev gs0 nodad
ip link set gs0 up

# --- charon with kernel-gresec ------------------------------------------------
# The plugin is loaded from a copy of the plugin directory bind-mounted over
# /usr/lib/ipsec/plugins in charon's own mount namespace: the guest's root
# is the host's, read-only, and charon 5.9 searches only that directory.
# Installed ("make -C strongswan/kernel_gresec install"), it needs none of this.
rm -rf $IKE
mkdir -p $IKE/plugins
cp "$PLUGINDIR"/libstrongswan-*.so $IKE/plugins/
# The plugin built here replaces an installed one (make install).
cp -f "$PLUGIN" $IKE/plugins/
cat > $IKE/strongswan.conf << EOF
charon {
	load_modular = yes
	plugins {
		include /etc/strongswan.d/charon/*.conf
		kernel-gresec {
			load = yes
		}
	}
	filelog {
		ike {
			path = $IKE/charon.log
			time_format = %T
			default = 1
			flush_line = yes
		}
	}
}
EOF
rm -f /run/charon.pid /run/charon.vici
STRONGSWAN_CONF=$IKE/strongswan.conf unshare -m sh -c \
	"mount --bind $IKE/plugins $PLUGINDIR && exec $CHARON" > $IKE/charon.out 2>&1 &
charon_pid=$!
stop_charon() {
	kill "$charon_pid" 2> /dev/null || true
	wait "$charon_pid" 2> /dev/null || true
}
trap stop_charon EXIT
wait_for 900 test -S /run/charon.vici || { cat $IKE/charon.out; fail "charon did not start"; }

# crypto ikev2 proposal aes-cbc-128/sha256/group 14, pre-shared key,
# crypto ipsec transform-set esp-gcm 128, mode transport, GRE only.
rekey=""
[ "$ROLE" = left ] && rekey="
				rekey_time = $REKEY
				life_time = 120s
				rand_time = 0s"
cat > $IKE/swanctl.conf << EOF
connections {
	tunnel1 {
		version = 2
		local_addrs = $LOCAL
		remote_addrs = $REMOTE
		proposals = aes128-sha256-modp2048
		local {
			auth = psk
			id = $LOCAL
		}
		remote {
			auth = psk
			id = $REMOTE
		}
		children {
			gre {
				mode = transport
				local_ts = dynamic[gre]
				remote_ts = dynamic[gre]
				esp_proposals = aes128gcm16$rekey
			}
		}
	}
}
secrets {
	ike-tunnel1 {
		id-1 = $LOCAL
		id-2 = $REMOTE
		secret = "demo-psk: use a long random one"
	}
}
EOF
say "charon (strongswan-charon $(dpkg-query -W -f='${Version}' strongswan-charon)) with kernel-gresec; swanctl --load-all with this swanctl.conf:"
cat $IKE/swanctl.conf
swanctl --load-all --noprompt --file $IKE/swanctl.conf > $IKE/load.log 2>&1 ||
	{ cat $IKE/load.log; fail "swanctl --load-all"; }
sync_peer loaded

child_spi() {
	swanctl --list-sas --ike tunnel1 2> /dev/null |
		awk -v d="$1" '$1 == d { sub(",", "", $2); print $2; exit }'
}
child_up() {
	swanctl --list-sas --ike tunnel1 2> /dev/null | grep -qE '^ +gre: #[0-9]+, reqid [0-9]+, INSTALLED'
}
if [ "$ROLE" = left ]; then
	say "swanctl --initiate --child gre (IKEv2 with $REMOTE)"
	swanctl --initiate --ike tunnel1 --child gre --timeout 180 > $IKE/initiate.log 2>&1 ||
		{ tail -n 30 $IKE/initiate.log; fail "swanctl --initiate"; }
	grep -E 'established|installed' $IKE/initiate.log | sed 's/^\[[A-Z]*\] //'
fi
wait_for 1800 child_up || { swanctl --list-sas; fail "no CHILD_SA"; }
sync_peer up

tcpdump -i eth0 -U -w /tmp/demo.pcap 'ip proto 47 or ip proto 50' 2>/dev/null &
cap=$!
sleep 1

if [ "$ROLE" = left ]; then
	say "ping $INNER_PEER through the tunnel"
	ping -c 4 -i 0.3 "$INNER_PEER"
	say "ping $INNER6_PEER through the tunnel"
	ping -c 2 -i 0.3 "$INNER6_PEER"
fi
sync_peer pinged
say "moving a 4 MB file from left to right over TCP"
pair_xfer file 4000000 left 5001
sync_peer moved
sleep 0.5
kill $cap
wait $cap 2>/dev/null || true
say "on the wire (tcpdump on eth0): $(tshark -r /tmp/demo.pcap -Y esp 2>/dev/null | wc -l) ESP packets, $(tshark -r /tmp/demo.pcap -Y 'gre && !icmp' 2>/dev/null | wc -l) plaintext GRE packets"
say "gresec show"
gresec show gs0
sync_peer shown

# --- a rekey under traffic ------------------------------------------------------
# The left's inbound SA soft-expires in gresec ($REKEY after it was
# installed); gresec tells charon, which rekeys the CHILD_SA: new SAs in,
# the outbound switch in one step, the old SAs deleted.  The left pings
# across it; both ends wait until the CHILD_SA no longer uses the left's
# inbound SPI of now (the right's outbound one).
if [ "$ROLE" = left ]; then
	spi0=$(child_spi in)
	echo "$spi0" > "$SHARE/demo.spi0"
else
	wait_for 600 test -s "$SHARE/demo.spi0" || fail "no SPI from the left"
	spi0=$(cat "$SHARE/demo.spi0")
fi
# this end's SPI that equals the left's inbound one
mine=in
[ "$ROLE" = right ] && mine=out
rekeyed() {
	local s
	s=$(child_spi $mine)
	[ -n "$s" ] && [ "$s" != "$spi0" ] && child_up &&
		[ "$(gresec dump dev gs0 | grep -c '^sa')" = 2 ]
}
if [ "$ROLE" = left ]; then
	say "waiting for the rekey (rekey_time = $REKEY) while pinging every 0.2 s; gresec monitor:"
	gresec monitor > $IKE/monitor.log 2>&1 &
	mon=$!
	ping -i 0.2 -W 3 "$INNER_PEER" > $IKE/ping.log 2>&1 &
	pinger=$!
fi
wait_for 1800 rekeyed || { swanctl --list-sas; gresec dump dev gs0; fail "the CHILD_SA was not rekeyed"; }
if [ "$ROLE" = left ]; then
	# a few more pings on the new SAs
	sleep 1
	kill -INT "$pinger"
	# its exit status is in the summary line below
	wait "$pinger" || true
	kill "$mon"
	wait "$mon" 2> /dev/null || true
	cat $IKE/monitor.log
	say "pings across the rekey: $(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2 of \1 answered/p' $IKE/ping.log)"
fi
say "rekeyed: SPIs in $(child_spi in), out $(child_spi out) (before: $([ "$ROLE" = left ] && echo "in $spi0" || echo "out $spi0"))"
gresec show gs0 | sed -n '/^  crypto isakmp sa/,/^  crypto ipsec sa/p' | sed '$d'
sync_peer rekeyed
