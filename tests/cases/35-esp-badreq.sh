#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
#
# Bad SA requests get an errno and an extack message: wrong key length for
# the proposal, unknown proposal, duplicate SPI, SPI below 256, missing
# attributes, unknown SA on delete.  Keys never appear in dumps; the CLI
# refuses bad arguments itself with one line and exit status 2.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/netlink.sh"
. "$REPO/tests/lib/esp.sh"

load_gresec
netns_pair_setup
SA_NEW=4 SA_DEL=5
IFNAME=2 SA=17
S_SPI=2 S_DIR=3 S_PROP=4 S_KEY=5 S_AUTH=6
k20=$(hexkey 20)
base="($IFNAME, 'strz', 'gs0')"
# Wrong key lengths are refused by gresec's own check, by name: a message
# that merely contains "key" also matched the crypto API's refusal, and the
# check could go unnoticed.  A 36-byte key for aes128gcm16 and a 32-byte
# one for aes128-sha256 are lengths the crypto API takes (AES-256): only
# gresec's check stands between them and an SA of another strength.
expect_err 22 "key: aes128gcm16 needs 20 bytes" $SA_NEW "[$base, ($SA, 'nest', [($S_SPI, 'u32', 4096), ($S_DIR, 'u32', 2), ($S_PROP, 'u32', 1), ($S_KEY, 'bin', '$(hexkey 16)')])]"
expect_err 22 "key: aes128gcm16 needs 20 bytes" $SA_NEW "[$base, ($SA, 'nest', [($S_SPI, 'u32', 4096), ($S_DIR, 'u32', 2), ($S_PROP, 'u32', 1), ($S_KEY, 'bin', '$(hexkey 36)')])]"
expect_err 22 "key: aes128-sha256 needs 16 bytes" $SA_NEW "[$base, ($SA, 'nest', [($S_SPI, 'u32', 4096), ($S_DIR, 'u32', 2), ($S_PROP, 'u32', 3), ($S_KEY, 'bin', '$(hexkey 32)'), ($S_AUTH, 'bin', '$(hexkey 32)')])]"
expect_err 22 "auth-key: aes128-sha256 needs 32 bytes" $SA_NEW "[$base, ($SA, 'nest', [($S_SPI, 'u32', 4096), ($S_DIR, 'u32', 2), ($S_PROP, 'u32', 3), ($S_KEY, 'bin', '$(hexkey 16)')])]"
expect_err "22|34" "." $SA_NEW "[$base, ($SA, 'nest', [($S_SPI, 'u32', 4096), ($S_DIR, 'u32', 2), ($S_PROP, 'u32', 99), ($S_KEY, 'bin', '$k20')])]"
expect_err "22|34" "." $SA_NEW "[$base, ($SA, 'nest', [($S_SPI, 'u32', 255), ($S_DIR, 'u32', 2), ($S_PROP, 'u32', 1), ($S_KEY, 'bin', '$k20')])]"
expect_err 22 "." $SA_NEW "[$base, ($SA, 'nest', [($S_DIR, 'u32', 2), ($S_PROP, 'u32', 1), ($S_KEY, 'bin', '$k20')])]"
expect_err 22 "." $SA_NEW "[$base]"
nl $SA_NEW "[$base, ($SA, 'nest', [($S_SPI, 'u32', 4096), ($S_DIR, 'u32', 1), ($S_PROP, 'u32', 1), ($S_KEY, 'bin', '$k20')])]"
expect_err 17 "." $SA_NEW "[$base, ($SA, 'nest', [($S_SPI, 'u32', 4096), ($S_DIR, 'u32', 1), ($S_PROP, 'u32', 1), ($S_KEY, 'bin', '$k20')])]"
expect_err 2 "." $SA_DEL "[$base, ($SA, 'nest', [($S_SPI, 'u32', 9999), ($S_DIR, 'u32', 1)])]"

# Keys never leave the kernel.
dump=$(ip netns exec ns1 gresec show gs0 -j; ip netns exec ns1 gresec dump; ip netns exec ns1 gresec show gs0)
grep -qi "$k20" <<< "$dump" && fail "key material in show/dump output"
ok "no key material in show, show -j or dump"
dmesg | grep -qi "$k20" && fail "key material in the kernel log"

# The CLI refuses bad arguments with one line and status 2.
cli_err() {
	local out rc=0
	out=$(ip netns exec ns1 gresec "$@" 2>&1) || rc=$?
	[ $rc -eq 2 ] || fail "gresec $*: exit $rc, want 2 ($out)"
	[ "$(wc -l <<< "$out")" -eq 1 ] || fail "gresec $*: more than one line: $out"
	ok "gresec $* -> $out"
}
cli_err sa add gs0 dir out spi 0x7000 proposal aes128gcm16 key 00112233
cli_err sa add gs0 dir out spi 0x7000 proposal aes999 key "$k20"
cli_err sa add gs0 dir out spi 12 proposal aes128gcm16 key "$k20"
cli_err sa add gs0 dir sideways spi 0x7000 proposal aes128gcm16 key "$k20"
cli_err sa add gs0 dir out spi 0x7000 proposal aes128gcm16 key "${k20}0"
cli_err sa add gs0 dir out spi 0x7000 proposal aes128gcm16 key "zz${k20:2}"
cli_err sa add gs0 dir out spi 99999999999999999999 proposal aes128gcm16 key "$k20"
cli_err set gs0 ttl 300
cli_err set gs0 frobnicate
