# SPDX-License-Identifier: GPL-2.0
#
# gresec@.service without systemd: the command lines of a unit file run as
# systemd would run them for an instance (%i replaced, no shell), each in a
# namespace whose /etc/gresec holds that namespace's configuration files.
# Used by tests/cases/81-conf.sh (the tree's unit and tools) and
# tests/pkg/guest.sh (the packaged ones); needs common.sh and esp.sh, and
# netns_pair_setup's ns1 and ns2.
#
# /etc is read-only in the VMs (the host's root), and has no gresec/.
# unit_etc_setup makes, on a tmpfs, an etc/ of symbolic links to every
# entry of /etc (seen at hostetc/) plus an empty gresec/; each command,
# inside the mount namespace "ip netns exec" gives it alone, binds /etc at
# hostetc/, that etc/ over /etc and its namespace's directory over
# /etc/gresec.  (Copying /etc over 9p took minutes under load.)

UNIT_TMP=/tmp/unit

unit_etc_setup() {
	local -a f
	rm -rf "$UNIT_TMP"
	mkdir -p "$UNIT_TMP/etc" "$UNIT_TMP/hostetc"
	# One ln for all (a process per entry is slow under TCG).
	# (No process substitution: the VMs have no /dev/fd.)
	mapfile -t f <<< "$(shopt -s nullglob dotglob && cd /etc && printf '%s\n' *)"
	ln -s "${f[@]/#/$UNIT_TMP/hostetc/}" "$UNIT_TMP/etc/"
	mkdir -m 700 "$UNIT_TMP/etc/gresec" "$UNIT_TMP/ns1" "$UNIT_TMP/ns2"
}

# The mounts before each command: sh -c "$UNIT_MOUNTS; ..." sh DIR NS ...
# shellcheck disable=SC2016 # expanded by that shell
UNIT_MOUNTS='mount --bind /etc "$1/hostetc" && mount --bind "$1/etc" /etc &&
	mount --bind "$1/$2" /etc/gresec'

# unit_line UNIT KEY INSTANCE: the unit's one KEY= value, %i replaced.
unit_line() {
	local v
	v=$(sed -n "s/^$2=//p" "$1")
	if [ -z "$v" ] || [ "$(wc -l <<< "$v")" != 1 ]; then
		fail "$1: not one $2= line: '$v'"
	fi
	echo "${v//%i/$3}"
}

# unit_exec NS UNIT KEY INSTANCE: run the unit's KEY= command in NS, as
# systemd does: the first word is an absolute path, the rest its
# arguments, no shell.  UNIT_BIN_DIR, when set, holds the programs the
# packages put in /usr/sbin (the tree's tools/).  UNIT_MODULE_LOADED=1:
# the module under test was loaded with insmod, which no modprobe finds,
# so a modprobe of it only checks that it is loaded.
unit_exec() {
	local ns=$1 unit=$2 key=$3 inst=$4 cmd
	local -a argv
	read -r -a argv <<< "$(unit_line "$unit" "$key" "$inst")"
	[[ ${argv[0]} == /* ]] || fail "$unit: $key= does not start with an absolute path: ${argv[*]}"
	if [ "${argv[0]}" = /sbin/modprobe ] && [ "${UNIT_MODULE_LOADED:-}" = 1 ]; then
		[ "${argv[*]:1}" = gresec ] || fail "$unit: $key=${argv[*]}, want /sbin/modprobe gresec"
		grep -q '^gresec ' /proc/modules || fail "$key=${argv[*]}: gresec is not loaded"
		echo "[+] $ns: $key=${argv[*]}: the module under test is loaded already (insmod)" >&2
		return 0
	fi
	cmd=${argv[0]}
	if [ -n "${UNIT_BIN_DIR:-}" ] && [[ $cmd == /usr/sbin/* ]]; then
		cmd=$UNIT_BIN_DIR/${cmd#/usr/sbin/}
	fi
	[ -x "$cmd" ] || fail "$unit: $key=${argv[*]}: $cmd is not executable"
	echo "[+] $ns: $key=${argv[*]}" >&2
	ip netns exec "$ns" sh -c "$UNIT_MOUNTS"' && shift 2 && exec "$@"' \
		sh "$UNIT_TMP" "$ns" "$cmd" "${argv[@]:1}"
}

# unit_conf LOCAL REMOTE ADDRESS ROUTE OUT-SPI OUT-KEY IN-SPI IN-KEY
unit_conf() {
	cat <<-EOF
	# gresec@$UNIT_INST: /etc/gresec/$UNIT_INST.conf
	[Tunnel]
	Local = $1
	Remote = $2
	Key = 77
	MTU = 1320
	Address = $3
	Route = $4

	[SA]
	Dir = out
	SPI = $5
	Proposal = aes128gcm16
	Key = $6

	[SA]
	Dir = in
	SPI = $7
	Proposal = aes128gcm16
	Key = $8
	EOF
}

# unit_scenario UNIT: gresec@gsu between ns1 and ns2 (over the underlay
# 192.0.2.1 - 192.0.2.2 of netns_pair_setup) from each one's
# /etc/gresec/gsu.conf: refused while others can read the keys, up with
# address, MTU and route, traffic over both, a reload adding an SA, and
# down again leaving neither device nor route.
UNIT_INST=gsu
unit_scenario() {
	local unit=$1 i=$UNIT_INST f1 f2 out p ns
	unit_etc_setup
	f1=$UNIT_TMP/ns1/$i.conf
	f2=$UNIT_TMP/ns2/$i.conf
	new_keys aes128gcm16
	local u12=$KEY
	new_keys aes128gcm16
	local u21=$KEY
	unit_conf 192.0.2.1 192.0.2.2 203.0.113.9/30 10.97.0.0/24 0x7001 "$u12" 0x7002 "$u21" > "$f1"
	unit_conf 192.0.2.2 192.0.2.1 203.0.113.10/30 10.96.0.0/24 0x7002 "$u21" 0x7001 "$u12" > "$f2"
	chmod 600 "$f2"

	# The unit's condition, as each namespace's commands see it.
	for ns in ns1 ns2; do
		p=$(unit_line "$unit" ConditionPathExists "$i")
		# shellcheck disable=SC2016 # expanded by that shell
		ip netns exec "$ns" sh -c "$UNIT_MOUNTS"' && test -e "$3"' sh "$UNIT_TMP" "$ns" "$p" ||
			fail "ConditionPathExists=$p does not hold in $ns"
	done
	ok "ConditionPathExists=$p holds in ns1 and ns2"

	echo "# gresec@$i: a key file others may read is refused, no device left"
	chmod 644 "$f1"
	if unit_exec ns1 "$unit" ExecStart "$i" 2> "$UNIT_TMP/err"; then
		fail "ExecStart of gresec@$i with a 644 key file succeeded"
	fi
	cat "$UNIT_TMP/err"
	grep -qF "/etc/gresec/$i.conf: contains keys but is readable by others" "$UNIT_TMP/err" ||
		fail "ExecStart with a 644 key file: $(cat "$UNIT_TMP/err")"
	n ns1 ip link show "$i" > /dev/null 2>&1 && fail "$i left behind by a refused ExecStart"
	ok "ExecStart of gresec@$i refused a key file others may read, no device left"
	chmod 600 "$f1"

	echo "# gresec@$i: ExecStartPre, ExecStart at both ends"
	for ns in ns2 ns1; do
		unit_exec $ns "$unit" ExecStartPre "$i"
		unit_exec $ns "$unit" ExecStart "$i"
	done
	n ns2 ip address add 10.97.0.1/32 dev lo
	out=$(n ns1 ip -o link show "$i")
	grep -q 'mtu 1320 ' <<< "$out" || fail "ns1 $i: no MTU 1320: $out"
	grep -q ',UP' <<< "$out" || fail "ns1 $i is not up: $out"
	# Outputs captured before grep -q: with pipefail, its early exit can
	# fail a writer that flushes per line (ip) with SIGPIPE.
	out=$(n ns1 ip -o address show dev "$i")
	grep -q 'inet 203.0.113.9/30' <<< "$out" || fail "ns1 $i has no 203.0.113.9/30: $out"
	out=$(n ns1 ip route show 10.97.0.0/24)
	grep -q "^10.97.0.0/24 dev $i " <<< "$out" || fail "ns1: no route 10.97.0.0/24 dev $i: $out"
	ok "ns1 $i: up, MTU 1320, address and route from /etc/gresec/$i.conf"
	ping_ok ns1 203.0.113.10
	ping_ok ns1 10.97.0.1
	expect_ge "$(sa_counter ns2 "$i" in 0x7001 packets)" 6 "ns2 $i in 0x7001 packets (ESP)"
	expect_eq "$(tun_counter ns2 "$i" rx_drop_plaintext)" 0 "ns2 $i plaintext drops"

	echo "# gresec@$i: ExecReload applies an SA added to the file, the others kept"
	p=$(sa_counter ns1 "$i" out 0x7001 packets)
	printf '\n[SA]\nDir = in\nSPI = 0x7003\nProposal = aes128gcm16\nKey = %s\n' "$u12" >> "$f1"
	unit_exec ns1 "$unit" ExecReload "$i"
	out=$(ip netns exec ns1 gresec dump dev "$i" | awk -F'\t' '$1 == "sa" && $3 == "in" && $4 == "0x00007003"')
	[ -n "$out" ] || fail "ExecReload added no SA in 0x7003"
	expect_ge "$(sa_counter ns1 "$i" out 0x7001 packets)" "$p" "ns1 $i out 0x7001 packets kept by the reload"
	ping_ok ns1 203.0.113.10

	echo "# gresec@$i: ExecStop at both ends"
	unit_exec ns1 "$unit" ExecStop "$i"
	unit_exec ns2 "$unit" ExecStop "$i"
	for ns in ns1 ns2; do
		n $ns ip link show "$i" > /dev/null 2>&1 && fail "$ns $i still exists after ExecStop"
	done
	expect_eq "$(n ns1 ip route show 10.97.0.0/24)" "" "ns1 route after ExecStop"
	n ns2 ip address del 10.97.0.1/32 dev lo
	ok "ExecStop took gresec@$i down at both ends"
}
