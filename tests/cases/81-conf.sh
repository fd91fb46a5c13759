#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 800
#
# Configuration files (gresec.conf(5)): setconf from a file with keys
# carries traffic; a key file others may read, a file with an error at
# line N and a file the kernel refuses half-way all change nothing (the
# last one is undone); showconf | setconf puts a changed tunnel back with
# its SAs untouched (their counters go on), and refuses a keyless SA that
# is gone; syncconf adds, deletes and replaces just the SAs that changed
# and leaves the others running; showconf DEV keys (and only it) writes
# the keys, and setconf of its output on fresh devices at both ends
# reproduces the SAs, which carry traffic (the HMAC one included), while
# an unprivileged user gets no key; a raw SA_GET do returns KEY and
# AUTH_KEY only with WITH_KEYS, and SA_NEW refuses the flag; gresec-quick
# up/down brings a tunnel up
# from a file with its address, MTU and route, traffic crossing it, and a
# bad file leaves no device behind; gresec@.service's own command lines
# (ExecStartPre, ExecStart, ExecReload, ExecStop, with the tree's tools)
# do the same from /etc/gresec/NAME.conf and refuse a key file others may
# read.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"
. "$REPO/tests/lib/unit.sh"

load_gresec
netns_pair_setup key 11
D=/tmp/conf
rm -rf "$D"
mkdir -p "$D"

# state NS DEV: "gresec dump" without what moves by itself (counters, SA
# age and sequence numbers): the configuration a setconf sets.
state() {
	ip netns exec "$1" "$GRESEC" dump dev "$2" |
		awk -F'\t' 'BEGIN { OFS = "\t" }
			$1 == "tunnel" { NF = 17; print }
			$1 == "sa" { $9 = $10 = ""; NF = 16; print }'
}
# sa_state NS DEV DIR SPI: the SA's line of state, empty if there is none.
sa_state() {
	state "$1" "$2" | awk -F'\t' -v d="$3" -v s="$(printf '0x%08x' $(($4)))" \
		'$1 == "sa" && $3 == d && $4 == s'
}
# refused NS DEV WANT-EXIT PATTERN CMD...: CMD exits WANT-EXIT saying
# PATTERN, and the state of DEV is what it was.
refused() {
	local ns=$1 dev=$2 rc=$3 pat=$4 before after got=0
	shift 4
	before=$(state "$ns" "$dev")
	n "$ns" "$@" > "$D/out" 2> "$D/err" || got=$?
	cat "$D/err"
	[ "$got" = "$rc" ] || fail "$*: exit $got, want $rc"
	grep -qF -- "$pat" "$D/err" || fail "$*: no \"$pat\" in: $(cat "$D/err")"
	after=$(state "$ns" "$dev")
	[ "$after" = "$before" ] || fail "$* changed $dev: before
$before
after
$after"
	ok "$*: refused (\"$pat\"), $dev unchanged"
}

new_keys aes128gcm16
K12=$KEY
new_keys aes128gcm16
K21=$KEY
new_keys aes256-sha256
K3=$KEY A3=$AUTH

# conf LOCAL REMOTE OUT-SPI OUT-KEY IN-SPI IN-KEY [REPLAY]: one end's file.
conf() {
	cat <<-EOF
	# one end of gs0
	[Tunnel]
	Local = $1
	Remote = $2
	Key = 11
	TTL = 32
	TOS = 0x10
	MTU = 1400
	IfId = 7

	[SA]
	Dir = out
	SPI = $3
	Proposal = aes128gcm16
	Key = $4

	[SA]
	Dir = in
	SPI = $5
	Proposal = aes128gcm16
	Key = $6
	ReplayWindow = ${7:-128}
	EOF
}
extra_sa() {
	cat <<-EOF

	[SA]
	Dir = in
	SPI = $1
	Proposal = aes256-sha256
	Key = $K3
	AuthKey = $A3
	ESN = yes
	SoftBytes = 1000000
	HardTime = 3600
	ReqId = 5
	EOF
}
{ conf 192.0.2.1 192.0.2.2 0x1001 "$K12" 0x2001 "$K21"; extra_sa 0x2002; } > "$D/ns1.conf"
conf 192.0.2.2 192.0.2.1 0x2001 "$K21" 0x1001 "$K12" > "$D/ns2.conf"

echo "# a file with keys that others may read is refused"
chmod 644 "$D/ns1.conf"
refused ns1 gs0 2 "$D/ns1.conf: contains keys but is readable by others (chmod 600)" \
	gresec setconf gs0 "$D/ns1.conf"
chmod 640 "$D/ns1.conf"
refused ns1 gs0 2 "readable by others" gresec syncconf gs0 "$D/ns1.conf"
chmod 600 "$D/ns1.conf" "$D/ns2.conf"

echo "# setconf from the files: options, SAs, traffic through them"
n ns2 gresec setconf gs0 "$D/ns2.conf"
n ns1 gresec setconf gs0 "$D/ns1.conf"
t=$(state ns1 gs0 | awk -F'\t' '$1 == "tunnel"')
expect_eq "$(cut -f4-15,17 <<< "$t" | tr '\t' ' ')" \
	"192.0.2.1 192.0.2.2 11 11 off off off off 32 0x10 on 1400 required" \
	"ns1 gs0 options from the file"
expect_eq "$(n ns1 ip -o link show gs0 | grep -o 'mtu [0-9]*')" "mtu 1400" "ns1 gs0 link MTU"
expect_eq "$(sa_state ns1 gs0 in 0x2002 | cut -f5,7,8,11,16 | tr '\t' ' ')" \
	"aes256-sha256 on 64 1000000 3600" "ns1 in 0x2002: proposal, ESN, window, lifetimes"
ping_ok ns1 198.51.100.2
expect_ge "$(sa_counter ns1 gs0 out 0x1001 packets)" 3 "ns1 out 0x1001 packets"
expect_ge "$(sa_counter ns2 gs0 in 0x1001 packets)" 3 "ns2 in 0x1001 packets"
# (Output captured first: with pipefail, grep -q's early exit can fail a
# writer that flushes per line with SIGPIPE.)
grep -q '^IfId = 7$' <<< "$(n ns1 gresec showconf gs0)" || fail "showconf lacks IfId = 7"

echo "# a file with an error at line 6 changes nothing and names the line"
sed 's/^TTL = 32$/TTL = 300/' "$D/ns1.conf" > "$D/bad.conf"
expect_eq "$(grep -n '^TTL' "$D/bad.conf")" "6:TTL = 300" "the error's line"
sed -i 's/^MTU = 1400/MTU = 1300/' "$D/bad.conf"
chmod 600 "$D/bad.conf"
refused ns1 gs0 2 "$D/bad.conf:6: TTL = 300: must be 1..255" gresec setconf gs0 "$D/bad.conf"
refused ns1 gs0 2 "$D/bad.conf:6: TTL = 300" gresec syncconf gs0 "$D/bad.conf"
grep -qF "$K12" "$D/err" && fail "an error message quoted a key"

echo "# the kernel refuses a step half-way: everything done is undone"
# Inbound SPIs are unique per namespace: gs9's 0x7777 makes SA_NEW fail.
n ns1 ip link add gs9 type gresec
n ns1 gresec set gs9 key 99
n ns1 gresec sa add gs9 dir in spi 0x7777 proposal aes128gcm16 key "$K12"
{ sed 's/^TTL = 32/TTL = 99/; s/^MTU = 1400/MTU = auto/' "$D/ns1.conf"
  extra_sa 0x5005; extra_sa 0x7777; } > "$D/kernel.conf"
chmod 600 "$D/kernel.conf"
line=$(grep -n '^SPI = 0x7777' "$D/kernel.conf" | cut -d: -f1)
refused ns1 gs0 1 "$D/kernel.conf:$((line - 2)): gs0: sa add in spi 0x00007777" \
	gresec syncconf gs0 "$D/kernel.conf"
grep -q "nothing changed (undone)" "$D/err" || fail "no \"undone\" in $(cat "$D/err")"
expect_eq "$(n ns1 ip -o link show gs0 | grep -o 'mtu [0-9]*')" "mtu 1400" "ns1 gs0 link MTU after the undo"
n ns1 ip link del gs9

echo "# showconf | setconf puts a changed tunnel back, SAs untouched"
n ns1 gresec showconf gs0 > "$D/saved.conf"
cat "$D/saved.conf"
grep -qiF -e "$K12" -e "$K21" -e "$K3" "$D/saved.conf" && fail "showconf wrote a key"
grep -q '^# No Key' "$D/saved.conf" || fail "showconf does not say its SAs have no keys"
s0=$(state ns1 gs0)
p0=$(sa_counter ns1 gs0 out 0x1001 packets)
n ns1 gresec set gs0 ttl 9 tos inherit mtu 1300 csum
n ns1 gresec sa add gs0 dir in spi 0x3003 proposal aes128gcm16 key "$K12"
[ "$(state ns1 gs0)" != "$s0" ] || fail "the change did not change the state"
n ns1 gresec setconf gs0 - < "$D/saved.conf"
expect_eq "$(state ns1 gs0)" "$s0" "ns1 gs0 state after showconf | setconf"
expect_eq "$(n ns1 gresec showconf gs0)" "$(cat "$D/saved.conf")" "showconf after setconf"
expect_ge "$(sa_counter ns1 gs0 out 0x1001 packets)" "$p0" "ns1 out 0x1001 packets kept (not re-created)"
ping_ok ns1 198.51.100.2

echo "# deleting the outbound SA in use leaves none (no fallback): said, not hidden"
n ns1 gresec sa add gs0 dir out spi 0x3003 proposal aes128gcm16 key "$K12"
n ns1 gresec setconf gs0 - < "$D/saved.conf" 2> "$D/err"
cat "$D/err"
grep -q "warning: the outbound SA in use (spi 0x00003003) was deleted" "$D/err" ||
	fail "no warning that gs0 has no outbound SA left"
expect_eq "$(state ns1 gs0)" "$s0" "ns1 gs0 state after the second setconf"
nosa=$(tun_counter ns1 gs0 tx_drop_no_sa)
ping_fails ns1 198.51.100.2
expect_ge "$(tun_counter ns1 gs0 tx_drop_no_sa)" $((nosa + 1)) "ns1 gs0 tx_drop_no_sa"
# Keyed files install every SA afresh: both ends, or the peer's replay
# window drops the restarted sequence numbers.
n ns2 gresec setconf gs0 "$D/ns2.conf"
n ns1 gresec setconf gs0 "$D/ns1.conf"
ping_ok ns1 198.51.100.2

echo "# syncconf: add, delete, replace just the SAs that changed"
ping_ok ns2 198.51.100.1
pout=$(sa_counter ns1 gs0 out 0x1001 packets)
pin=$(sa_counter ns1 gs0 in 0x2001 packets)
expect_ge "$pin" 3 "ns1 in 0x2001 packets before syncconf"
# 0x2001's window changes (replaced), 0x2002 goes, 0x2003 comes.
{ conf 192.0.2.1 192.0.2.2 0x1001 "$K12" 0x2001 "$K21" 256; extra_sa 0x2003; } > "$D/sync.conf"
chmod 600 "$D/sync.conf"
n ns1 gresec syncconf gs0 "$D/sync.conf"
expect_eq "$(sa_state ns1 gs0 in 0x2002)" "" "ns1 in 0x2002 deleted"
expect_eq "$(sa_state ns1 gs0 in 0x2003 | cut -f5)" "aes256-sha256" "ns1 in 0x2003 added"
expect_eq "$(sa_state ns1 gs0 in 0x2001 | cut -f8)" 256 "ns1 in 0x2001 replay window"
pin2=$(sa_counter ns1 gs0 in 0x2001 packets)
[ "$pin2" -lt "$pin" ] || fail "ns1 in 0x2001 was not re-created: $pin2 packets, $pin before"
ok "ns1 in 0x2001 replaced ($pin2 packets, $pin before)"
expect_ge "$(sa_counter ns1 gs0 out 0x1001 packets)" "$pout" "ns1 out 0x1001 packets kept"
ping_ok ns1 198.51.100.2
ping_ok ns2 198.51.100.1
s1=$(state ns1 gs0)
p1=$(sa_counter ns1 gs0 in 0x2001 packets)
n ns1 gresec syncconf gs0 "$D/sync.conf"
expect_eq "$(state ns1 gs0)" "$s1" "ns1 gs0 state after syncconf of the same file"
expect_ge "$(sa_counter ns1 gs0 in 0x2001 packets)" "$p1" "ns1 in 0x2001 packets kept by a no-op syncconf"

echo "# a keyless SA that is gone cannot be created: refused, nothing changed"
n ns1 gresec showconf gs0 > "$D/saved2.conf"
n ns1 gresec sa del gs0 dir in spi 0x2003
hdr=$(awk '/^\[SA\]/ { h = NR } /^SPI = 0x00002003$/ { print h }' "$D/saved2.conf")
n ns1 gresec set gs0 ttl 5
refused ns1 gs0 2 "$D/saved2.conf:$hdr: [SA] in SPI 0x00002003 has no Key and gs0 has no such SA to keep" \
	gresec setconf gs0 "$D/saved2.conf"

echo "# showconf keys | setconf on fresh devices: the same SAs, with their keys"
# Both ends afresh (the peer's replay window would drop restarted numbers).
n ns2 gresec setconf gs0 "$D/ns2.conf"
n ns1 gresec setconf gs0 "$D/ns1.conf"
ping_ok ns1 198.51.100.2
# state without the ifindex, which a new device changes.
conf_state() {
	state "$1" "$2" | awk -F'\t' 'BEGIN { OFS = "\t" } $1 == "tunnel" { $3 = "" } { print }'
}
# The keyless default: no Key or AuthKey in an [SA], none of the keys.
n ns1 gresec showconf gs0 > "$D/nokeys.conf"
expect_eq "$(awk '/^\[SA\]/ { sa = 1 } sa && /^(Key|AuthKey) =/' "$D/nokeys.conf")" "" \
	"showconf without keys: no Key line in an [SA]"
grep -qiF -e "$K12" -e "$K21" -e "$K3" -e "$A3" "$D/nokeys.conf" && fail "showconf without keys wrote a key"
expect_eq "$(grep -c '^# No Key' "$D/nokeys.conf")" 3 "showconf without keys: 3 keyless SAs"
# An unprivileged user: refused, and no key anywhere in what it got.
# (umask 077: showconf refuses to write keys into a file others may read.)
rc=0
(umask 077 && ip netns exec ns1 setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$GRESEC" showconf gs0 keys > "$D/nobody.out" 2> "$D/nobody.err") || rc=$?
cat "$D/nobody.err"
[ "$rc" -ne 0 ] || fail "showconf keys as nobody succeeded"
grep -q "needs CAP_NET_ADMIN" "$D/nobody.err" || fail "showconf keys as nobody: $(cat "$D/nobody.err")"
grep -qiF -e "$K12" -e "$K21" -e "$K3" -e "$A3" "$D/nobody.out" "$D/nobody.err" &&
	fail "showconf keys as nobody printed a key"
ok "showconf keys as nobody: refused ($rc), no key"
# With keys: every SA's Key (and AuthKey), in files only root can read.
(umask 077 && ip netns exec ns1 "$GRESEC" showconf gs0 keys > "$D/k1.conf")
(umask 077 && ip netns exec ns2 "$GRESEC" showconf gs0 keys > "$D/k2.conf")
sed "s/$K12/K12/; s/$K21/K21/; s/$K3/K3/; s/$A3/A3/" "$D/k1.conf"
for k in "Key = $K12" "Key = $K21" "Key = $K3" "AuthKey = $A3"; do
	grep -qxF "$k" "$D/k1.conf" || fail "showconf gs0 keys lacks one ${k%% =*} line"
done
grep -q '^# No Key' "$D/k1.conf" && fail "showconf keys left an SA keyless"
expect_eq "$(stat -c %a "$D/k1.conf")" 600 "the keyed file's mode"
ok "showconf keys wrote every key"
c1=$(conf_state ns1 gs0)
c2=$(conf_state ns2 gs0)
# Fresh devices: the old ones hold the inbound SPIs of their namespace.
for ns in ns1 ns2; do
	n $ns ip link del gs0
	n $ns ip link add gs0 type gresec
done
n ns1 gresec setconf gs0 - < "$D/k1.conf"
n ns2 gresec setconf gs0 "$D/k2.conf"
n ns1 ip addr add 198.51.100.1/30 dev gs0
n ns2 ip addr add 198.51.100.2/30 dev gs0
n ns1 ip link set gs0 up
n ns2 ip link set gs0 up
expect_eq "$(conf_state ns1 gs0)" "$c1" "ns1 new gs0: options and SAs from showconf keys"
expect_eq "$(conf_state ns2 gs0)" "$c2" "ns2 new gs0: options and SAs from showconf keys"
ping_ok ns1 198.51.100.2
ping_ok ns2 198.51.100.1
expect_ge "$(sa_counter ns2 gs0 in 0x1001 packets)" 3 "ns2 new in 0x1001 packets"
expect_ge "$(sa_counter ns1 gs0 in 0x2001 packets)" 3 "ns1 new in 0x2001 packets"
# 0x2002 (aes256-sha256: Key and AuthKey, ESN) opens what the peer seals
# with the original keys: ns2 sends on it (the outbound SA added last).
n ns2 gresec sa add gs0 dir out spi 0x2002 proposal aes256-sha256 key "$K3" auth-key "$A3" esn
ping_ok ns2 198.51.100.1
expect_ge "$(sa_counter ns1 gs0 in 0x2002 packets)" 3 "ns1 new in 0x2002 packets (HMAC keys round-tripped)"
expect_eq "$(sa_counter ns1 gs0 in 0x2002 drop_icv)" 0 "ns1 new in 0x2002 ICV failures"
expect_eq "$(tun_counter ns1 gs0 rx_drop_plaintext)" 0 "ns1 new gs0 plaintext drops"

echo "# SA_GET do: keys only with WITH_KEYS; SA_NEW refuses WITH_KEYS"
# Raw requests (tests/lib/nlraw.py): the CLI reads keys by dump only.
out=$(ip netns exec ns1 python3 - "$REPO/tests/lib" << 'PY'
import struct
import sys
sys.path.insert(0, sys.argv[1])
import nlraw
# uapi/linux/gresec.h
SA_NEW, SA_GET, IFNAME, A_SA = 4, 6, 2, 17
SPI, DIR, PROPOSAL, KEY, AUTH_KEY, WITH_KEYS = 2, 3, 4, 5, 6, 31
REQ = nlraw.NLM_F_REQUEST | nlraw.NLM_F_ACK


def attrs(buf):
    i, out = 0, {}
    while i + 4 <= len(buf):
        alen, atype = struct.unpack("=HH", buf[i:i + 4])
        if alen < 4:
            break
        out[atype & 0x3fff] = buf[i + 4:i + alen]
        i += (alen + 3) & ~3
    return out


def get(g, flag):
    sa = [(SPI, "u32", 0x2002), (DIR, "u32", 1)]
    if flag:
        sa.append((WITH_KEYS, "bin", ""))
    msgs, err = g.send(g.family, SA_GET,
                       nlraw.encode([(IFNAME, "strz", "gs0"), (A_SA, "nest", sa)]), REQ)
    if err or len(msgs) != 1:
        return "error %s %d" % (err, len(msgs))
    nest = attrs(attrs(msgs[0][4:]).get(A_SA, b""))
    return "%s %s" % (nest.get(KEY, b"").hex() or "-", nest.get(AUTH_KEY, b"").hex() or "-")


g = nlraw.Genl()
print("plain", get(g, False))
print("keys", get(g, True))
_, err = g.send(g.family, SA_NEW, nlraw.encode([(IFNAME, "strz", "gs0"), (A_SA, "nest", [
    (SPI, "u32", 0x2009), (DIR, "u32", 1), (PROPOSAL, "u32", 1), (KEY, "bin", "00" * 20),
    (WITH_KEYS, "bin", "")])]), REQ)
print("new", err[0] if err else 0, err[1] if err else "-")
PY
)
sed "s/$K3/K3/; s/$A3/A3/" <<< "$out"
expect_eq "$(grep '^plain ' <<< "$out")" "plain - -" "SA_GET do without WITH_KEYS: no key"
expect_eq "$(grep '^keys ' <<< "$out")" "keys $K3 $A3" "SA_GET do with WITH_KEYS: KEY and AUTH_KEY"
grep -q "^new -22 .*attribute not taken by this command" <<< "$out" ||
	fail "SA_NEW with WITH_KEYS: $(grep '^new ' <<< "$out")"
ok "SA_NEW refuses WITH_KEYS"
expect_eq "$(sa_state ns1 gs0 in 0x2009)" "" "no SA 0x2009 added"

echo "# gresec-quick up/down: device, address, MTU, route from the file"
new_keys aes128gcm16
Q12=$KEY
new_keys aes128gcm16
Q21=$KEY
mkdir -p "$D/q1" "$D/q2"
quick() {
	cat <<-EOF
	[Tunnel]
	Local = $1
	Remote = $2
	Key = 22
	MTU = 1300
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
quick 192.0.2.1 192.0.2.2 "203.0.113.1/30, 2001:db8:9::1/64" 10.99.0.0/24 \
	0x6001 "$Q12" 0x6002 "$Q21" > "$D/q1/gs1.conf"
quick 192.0.2.2 192.0.2.1 203.0.113.2/30 10.98.0.0/24 \
	0x6002 "$Q21" 0x6001 "$Q12" > "$D/q2/gs1.conf"
chmod 600 "$D"/q?/gs1.conf
n ns1 env GRESEC_CONFIG_DIR="$D/q1" gresec-quick up gs1
n ns2 env GRESEC_CONFIG_DIR="$D/q2" gresec-quick up gs1
n ns2 ip address add 10.99.0.1/32 dev lo
n ns1 ip -o address show dev gs1
n ns1 ip route show dev gs1
link=$(n ns1 ip -o link show gs1)
addrs=$(n ns1 ip -o address show dev gs1)
routes=$(n ns1 ip route show dev gs1)
grep -q 'state UNKNOWN\|,UP' <<< "$link" || fail "gs1 is not up"
grep -q 'mtu 1300' <<< "$link" || fail "gs1 MTU is not 1300"
grep -q 'inet 203.0.113.1/30' <<< "$addrs" || fail "gs1 has no 203.0.113.1/30"
grep -q 'inet6 2001:db8:9::1/64' <<< "$addrs" || fail "gs1 has no 2001:db8:9::1/64"
grep -q '^10.99.0.0/24' <<< "$routes" || fail "no route 10.99.0.0/24 dev gs1"
ping_ok ns1 203.0.113.2
ping_ok ns1 10.99.0.1
expect_ge "$(sa_counter ns2 gs1 in 0x6001 packets)" 6 "ns2 gs1 in 0x6001 packets (ESP)"
expect_eq "$(tun_counter ns2 gs1 rx_drop_plaintext)" 0 "ns2 gs1 plaintext drops"

if n ns1 gresec-quick down veth1 2> "$D/err"; then
	fail "gresec-quick down veth1 succeeded"
fi
grep -q "veth1 is not a gresec device" "$D/err" || fail "down veth1: $(cat "$D/err")"
n ns1 ip link show veth1 > /dev/null
ok "gresec-quick down refuses a device that is not gresec's"
n ns1 env GRESEC_CONFIG_DIR="$D/q1" gresec-quick down gs1
n ns1 ip link show gs1 > /dev/null 2>&1 && fail "gs1 still exists after down"
ok "gresec-quick down deleted gs1"

# A bad file: up fails and leaves no device behind.
sed 's/^Route = .*/Route = 10.99.0.0\/33/' "$D/q1/gs1.conf" > "$D/q1/gs2.conf"
chmod 600 "$D/q1/gs2.conf"
if n ns1 env GRESEC_CONFIG_DIR="$D/q1" gresec-quick up gs2 2> "$D/err"; then
	fail "gresec-quick up of a bad file succeeded"
fi
cat "$D/err"
grep -qF "$D/q1/gs2.conf:7: Route = 10.99.0.0/33" "$D/err" || fail "no line 7 error: $(cat "$D/err")"
n ns1 ip link show gs2 > /dev/null 2>&1 && fail "gs2 left behind by a failed up"
ok "gresec-quick up of a bad file: refused, no device left"

echo "# gresec@.service's commands without systemd (tests/lib/unit.sh)"
UNIT_BIN_DIR=$REPO/tools UNIT_MODULE_LOADED=1 unit_scenario "$REPO/tools/gresec@.service"
