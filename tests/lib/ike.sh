# SPDX-License-Identifier: GPL-2.0
#
# charon for pair tests that key tunnels by IKE: Debian's charon with the
# kernel-gresec plugin built here (the gresec end) or without it (the
# stock end, kernel-netlink and Linux xfrm), in the VM's namespace or in
# a network namespace, with its log in $IKE/charon.log; and readers of
# "swanctl --list-sas".  50-ike-interop.sh starts its charon the same way.

CHARON=/usr/lib/ipsec/charon
PLUGINDIR=/usr/lib/ipsec/plugins
PLUGIN=$REPO/build/strongswan/libstrongswan-kernel-gresec.so
IKE=/tmp/ike

# ike_require: skip unless strongSwan is installed and the plugin built
# (both VMs see the same files, so both skip alike).
ike_require() {
	if [ ! -x "$CHARON" ] || ! command -v swanctl > /dev/null; then
		skip "strongSwan is not installed (strongswan-charon, strongswan-swanctl)"
	fi
	[ -e "$PLUGIN" ] ||
		skip "the charon plugin kernel-gresec was not built (make plugin; see build/check/build.log)"
}

CHARON_PID=""
# charon_stop: stop the charon charon_start started; after a failure, the
# tail of its log.  The EXIT trap of a test that uses charon_start.
charon_stop() {
	local rc=$?
	if [ -n "$CHARON_PID" ]; then
		kill "$CHARON_PID" 2> /dev/null || true
		wait "$CHARON_PID" 2> /dev/null || true
		CHARON_PID=""
	fi
	rm -rf $IKE/plugins
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -e $IKE/charon.log ]; then
		echo "--- $ROLE: charon.log (tail)"
		tail -n 80 $IKE/charon.log
	fi
}

# charon_start gresec|stock NS|"": charon with its own strongswan.conf
# (STRONGSWAN_CONF: Debian's plugins, a log file), in network namespace NS
# (or the VM's own).  "gresec" loads kernel-gresec from a copy of the
# plugin directory bind-mounted over /usr/lib/ipsec/plugins in charon's
# own mount namespace (5.9.8's charon searches only its compiled-in
# PLUGINDIR, and the guest's root is the host's, read-only).  Returns
# once charon's vici socket is open; the caller traps EXIT to charon_stop.
charon_start() {
	local load=no ns=() cmd
	[ "$1" = gresec ] && load=yes
	[ -n "$2" ] && ns=(ip netns exec "$2")
	rm -rf $IKE
	mkdir -p $IKE
	# A charon left over by a test that was killed.
	[ -e /run/charon.pid ] && kill "$(cat /run/charon.pid)" 2> /dev/null && sleep 1
	rm -f /run/charon.pid /run/charon.vici
	cat > $IKE/strongswan.conf << EOF
charon {
	load_modular = yes
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
		}
	}
}
EOF
	cmd="exec $CHARON"
	if [ "$load" = yes ]; then
		mkdir $IKE/plugins
		cp "$PLUGINDIR"/libstrongswan-*.so $IKE/plugins/
		cp -f "$PLUGIN" $IKE/plugins/
		cmd="mount --bind $IKE/plugins $PLUGINDIR && exec $CHARON"
	fi
	STRONGSWAN_CONF=$IKE/strongswan.conf "${ns[@]}" unshare -m sh -c "$cmd" > $IKE/charon.out 2>&1 &
	CHARON_PID=$!
	# Under TCG charon needs seconds to open its vici socket.
	wait_for 900 test -S /run/charon.vici || { cat $IKE/charon.out; fail "charon did not open its vici socket"; }
	if [ "$load" = yes ]; then
		grep -m1 'loaded plugins:' $IKE/charon.log | grep -q ' kernel-gresec .* kernel-netlink' ||
			fail "charon did not load kernel-gresec before kernel-netlink"
	fi
	ok "charon ($1) runs${2:+ in netns $2}"
}

# ike_load FILE TAG: swanctl --load-all from FILE.
ike_load() {
	swanctl --load-all --noprompt --file "$1" > "$1.log" 2>&1 ||
		{ cat "$1.log"; fail "$2: swanctl --load-all"; }
}

# ike_initiate IKE TAG: swanctl --initiate of the IKE_SA's CHILD_SA "gre".
ike_initiate() {
	swanctl --initiate --ike "$1" --child gre --timeout 180 > $IKE/initiate.log 2>&1 ||
		{ tail -n 30 $IKE/initiate.log; fail "$2: swanctl --initiate"; }
}

# ike_terminate IKE TAG: swanctl --terminate of the IKE_SA.
ike_terminate() {
	swanctl --terminate --ike "$1" --timeout 60 > $IKE/terminate.log 2>&1 ||
		{ tail -n 20 $IKE/terminate.log; fail "$2: swanctl --terminate"; }
}

# child_up IKE [MODE]: the CHILD_SA "gre" of IKE_SA IKE is installed in
# MODE (default TRANSPORT; TRANSPORT-in-UDP for ESP in UDP).
child_up() {
	swanctl --list-sas --ike "$1" 2> /dev/null |
		grep -qE "^ +gre: #[0-9]+, reqid [0-9]+, INSTALLED, ${2:-TRANSPORT}, "
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

# ike_head IKE: the IKE_SA's first line: name, unique id, state, version,
# IKE SPIs ("gre-natt: #1, ESTABLISHED, IKEv2, 1f2e..._i* 3d4c..._r").
ike_head() {
	swanctl --list-sas --ike "$1" 2> /dev/null | grep -m1 "^$1: #"
}

# ike_endpoint IKE local|remote: the IKE_SA's address[port] on that side.
ike_endpoint() {
	swanctl --list-sas --ike "$1" 2> /dev/null |
		awk -v s="$2" '$1 == s { print $NF; exit }'
}
