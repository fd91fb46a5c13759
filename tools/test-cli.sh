#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Command-line tests of gresec(8) that need no kernel module: every usage
# error exits 2 with one "gresec: <argument>: <why>" line, help and
# --version work, key material is never echoed, and the JSON renderer
# produces valid JSON.  Run by "make -C tools test".
#
# usage: test-cli.sh [path/to/gresec]

GRESEC=${1:-./gresec}
TESTPARSE=$(dirname "$GRESEC")/test-parse
pass=0
fail=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect RC PATTERN ARGS...: exit code RC and, for RC 2, a single stderr
# line "gresec: ...PATTERN...".
expect() {
	rc=$1 pat=$2
	shift 2
	"$GRESEC" "$@" >"$out" 2>"$err"
	got=$?
	if [ "$got" != "$rc" ]; then
		ko "gresec $*: exit $got, want $rc ($(cat "$err"))"
		return
	fi
	if [ "$rc" = 2 ]; then
		if [ "$(wc -l <"$err")" != 1 ] || ! grep -q "^gresec: .*$pat" "$err"; then
			ko "gresec $*: stderr '$(cat "$err")', want one line with '$pat'"
			return
		fi
	fi
	ok
}

K20=00112233445566778899aabbccddeeff00112233
K16=00112233445566778899aabbccddeeff
K32=$K16$K16
K36=$K32"01020304"

# help and version
expect 0 "" help
expect 0 "" --help
expect 0 "" -h
expect 0 "" --version
for c in show dump set sa monitor setconf syncconf showconf help; do
	expect 0 "" "$c" help
	expect 0 "" help "$c"
	grep -q "^Usage: gresec" "$out" || [ "$c" = help ] || ko "help $c: no usage"
done
"$GRESEC" help >"$out"
for c in show dump set sa monitor setconf syncconf showconf; do
	grep -q "^  $c " "$out" && ok || ko "usage lists $c"
done
expect 2 "unknown command" frobnicate
expect 2 "unknown command" help frobnicate

# set
expect 2 "missing device" set
expect 2 "longer than 15" set abcdefghijklmnop ttl 1
expect 2 "not a valid interface" set "a/b"
expect 2 "unknown option" set gs0 frobnicate
expect 2 "missing value" set gs0 ttl
expect 2 "ttl 256" set gs0 ttl 256
expect 2 "ttl -1" set gs0 ttl -1
expect 2 "ttl 1x" set gs0 ttl 1x
expect 2 "tos 256" set gs0 tos 256
expect 2 "mtu 67" set gs0 mtu 67
expect 2 "mtu 65536" set gs0 mtu 65536
expect 2 "mtu 99999999999999999999999" set gs0 mtu 99999999999999999999999
expect 2 "key 4294967296" set gs0 key 4294967296
expect 2 "ikey 1.2.3" set gs0 ikey 1.2.3
expect 2 "okey x" set gs0 okey x
expect 2 "local 1.2.3.4.5" set gs0 local 1.2.3.4.5
expect 2 "IPv6" set gs0 remote 2001:db8::1
expect 2 "protection maybe" set gs0 protection maybe
expect 2 "ttl 300" set gs0 remote 192.0.2.1 key 5 csum seq ttl 300

# sa add / del
expect 2 "missing \"add\"" sa
expect 2 "unknown sa command" sa frob gs0
expect 2 "missing device" sa add
expect 2 "dir: missing" sa add gs0
expect 2 "dir up" sa add gs0 dir up spi 256
expect 2 "spi: missing" sa add gs0 dir in
expect 2 "spi 255" sa add gs0 dir in spi 255
expect 2 "spi 0x100000000" sa add gs0 dir in spi 0x100000000
expect 2 "spi -5" sa add gs0 dir in spi -5
expect 2 "proposal: missing" sa add gs0 dir in spi 256
expect 2 "proposal des" sa add gs0 dir in spi 256 proposal des key $K16
expect 2 "key: missing" sa add gs0 dir in spi 256 proposal aes128gcm16
expect 2 "odd number" sa add gs0 dir in spi 256 proposal aes128gcm16 key 0x123
expect 2 "not a hex" sa add gs0 dir in spi 256 proposal aes128gcm16 key zz
expect 2 "20-byte key" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K16
expect 2 "36-byte key" sa add gs0 dir out spi 256 proposal aes256gcm16 key $K32
expect 2 "36-byte key" sa add gs0 dir out spi 256 proposal chacha20poly1305 key $K20
expect 2 "16-byte AES key" sa add gs0 dir in spi 256 proposal aes128-sha256 key $K32 auth-key $K32
expect 2 "32-byte AES key, got 40" sa add gs0 dir in spi 256 proposal aes256-sha256 key $K20$K20 auth-key $K32
expect 2 "hex string too long" sa add gs0 dir in spi 256 proposal aes256-sha256 key $K36$K36 auth-key $K32
expect 2 "auth-key of 32" sa add gs0 dir in spi 256 proposal aes256-sha256 key $K32
expect 2 "20-byte HMAC-SHA-1" sa add gs0 dir in spi 256 proposal aes128-sha1 key $K16 auth-key $K16
expect 2 "16-byte HMAC-MD5" sa add gs0 dir in spi 256 proposal aes128-md5 key $K16 auth-key $K20
expect 2 "takes no auth-key" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K20 auth-key $K16
expect 2 "replay-window 4097" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K20 replay-window 4097
expect 2 "soft-bytes: must not exceed" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K20 soft-bytes 10 hard-bytes 5
expect 2 "soft-time: must not exceed" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K20 soft-time 10 hard-time 5
expect 2 "hard-packets 18446744073709551616" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K20 hard-packets 18446744073709551616
expect 2 "unknown option" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K20 frob
expect 2 "mode beet: must be \"transport\" or \"tunnel\"" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K20 mode beet
expect 2 "mode: missing value" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K20 mode
expect 2 "takes dir and spi" sa del gs0 dir in spi 256 proposal aes128gcm16
expect 2 "spi: missing" sa del gs0 dir out

# key material is never echoed, not even when malformed
"$GRESEC" sa add gs0 dir in spi 256 proposal aes128gcm16 key 0011223344556677zz >"$out" 2>"$err"
grep -q "0011223344556677" "$out" "$err" && ko "malformed key echoed" || ok
"$GRESEC" sa add gs0 dir in spi 256 proposal aes128-sha1 key $K16 auth-key ${K16}ab >"$out" 2>"$err"
grep -q "$K16" "$out" "$err" && ko "auth-key echoed" || ok

# key material from a file or standard input
kf=$(mktemp)
printf '  %s  \n' "$K16" >"$kf"
expect 2 "20-byte key" sa add gs0 dir in spi 256 proposal aes128gcm16 key "@$kf"
expect 2 "cannot read" sa add gs0 dir in spi 256 proposal aes128gcm16 key @/nonexistent/key
printf '%s\n' "$K20" >"$kf"
"$GRESEC" sa add gs0 dir in spi 256 proposal aes128gcm16 key "@$kf" >"$out" 2>"$err"
[ $? != 2 ] && ok || ko "key @FILE with a good key: $(cat "$err")"
printf '%s\n%s\n' "$K16" "$K20" | "$GRESEC" sa add gs0 dir in spi 256 proposal aes128-sha1 key @- auth-key @- >"$out" 2>"$err"
[ $? != 2 ] && ok || ko "key @- auth-key @-: $(cat "$err")"
printf '%s\n' "$K16" | "$GRESEC" sa add gs0 dir in spi 256 proposal aes128-sha1 key @- auth-key @- >"$out" 2>"$err"
[ $? = 2 ] && grep -q "auth-key @-: empty" "$err" && ok || ko "auth-key @- at EOF: $(cat "$err")"
rm -f "$kf"

# setconf / syncconf / showconf: the file is checked before the kernel is
# asked anything (the parser itself: test-conf.c)
cf=$(mktemp)
expect 2 "missing DEV or FILE" setconf gs0
expect 2 "unexpected argument" syncconf gs0 "$cf" extra
expect 2 "missing device" showconf
expect 2 "unexpected argument" showconf gs0 gs1
expect 2 "unexpected argument" showconf gs0 keys gs1
expect 2 "unknown option" showconf --frob gs0
expect 2 "missing device" showconf --keys
# Keys are not written into a file others can read (before any netlink).
kout=$(mktemp)
chmod 644 "$kout"
"$GRESEC" showconf gs0 keys >"$kout" 2>"$err"
[ $? = 2 ] && grep -q "standard output is a file others can read" "$err" && [ ! -s "$kout" ] &&
	ok || ko "showconf keys into a readable file: $(cat "$err")"
rm -f "$kout"
expect 2 "longer than 15" setconf abcdefghijklmnop "$cf"
expect 2 "/nonexistent/gs0.conf: No such file" setconf gs0 /nonexistent/gs0.conf
printf '[Tunnel]\nLocal = 192.0.2.1\nTTL = 300\n' >"$cf"
expect 2 "$cf:3: TTL = 300: must be 1..255" setconf gs0 "$cf"
expect 2 "$cf:3: TTL = 300" syncconf gs0 "$cf"
printf '[Tunnel]\n[SA]\nDir = in\nSPI = 256\nProposal = aes128gcm16\nKey = %s\n' "$K20" >"$cf"
chmod 644 "$cf"
expect 2 "$cf: contains keys but is readable by others (chmod 600)" setconf gs0 "$cf"
chmod 640 "$cf"
expect 2 "readable by others" syncconf gs0 "$cf"
chmod 600 "$cf"
"$GRESEC" setconf gs0 "$cf" >"$out" 2>"$err"
[ $? != 2 ] && ok || ko "setconf of a good mode-600 file: $(cat "$err")"
printf '[SA]\nDir = in\nSPI = 256\nProposal = aes128gcm16\nKey = %s\n' "$K16" >"$cf"
expect 2 "$cf:5: Key: aes128gcm16 needs a 20-byte key" setconf gs0 "$cf"
grep -q "$K16" "$out" "$err" && ko "key from a file echoed" || ok
printf '[Tunnel]\nTTL = 9\n' >"$cf"
chmod 644 "$cf"
"$GRESEC" setconf gs0 "$cf" >"$out" 2>"$err"
[ $? != 2 ] && ok || ko "a world-readable file without keys is refused: $(cat "$err")"
rm -f "$cf"
QUICK=$(dirname "$GRESEC")/gresec-quick
if [ -x "$QUICK" ]; then
	"$QUICK" >"$out" 2>"$err"
	[ $? = 2 ] && grep -q "^Usage: gresec-quick up|down" "$err" && ok || ko "gresec-quick usage"
	"$QUICK" sideways gs0 >"$out" 2>"$err"
	[ $? = 2 ] && ok || ko "gresec-quick sideways"
	GRESEC_CONFIG_DIR=/nonexistent "$QUICK" up gs0 >"$out" 2>"$err"
	[ $? = 1 ] && grep -q "/nonexistent/gs0.conf: cannot read" "$err" && ok ||
		ko "gresec-quick up without a file: $(cat "$err")"
fi

# show / dump / monitor
expect 2 "unexpected argument" show gs0 gs1
expect 2 "unknown option" show -x
expect 2 "unexpected argument" show net gs0
expect 2 "missing device" show dev
expect 2 "unknown option" dump -j
expect 2 "unknown option" monitor --frob

# Without the module, commands fail with exit 1 and say why.
if ! "$GRESEC" show >/dev/null 2>"$err" && grep -q "module loaded" "$err"; then
	expect 1 "" show
	expect 1 "" set gs0 ttl 64
	expect 1 "" sa add gs0 dir in spi 256 proposal aes128gcm16 key $K20
	expect 1 "" showconf gs0
	expect 1 "" showconf gs0 keys
fi

# JSON renderer output is valid JSON
if [ -x "$TESTPARSE" ] && command -v python3 >/dev/null; then
	"$TESTPARSE" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0]["stats"]["tx_drop_error"] == 1021' \
		&& ok || ko "JSON output does not parse"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
