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
	insmod "$m"
}

# Count kernel log lines matching a pattern since the test began.
klog_count() {
	dmesg | grep -cE "$1" || true
}

# JSON counter of a tunnel: tun_counter NS DEV FIELD
tun_counter() {
	local ns=$1 dev=$2 field=$3
	ip netns exec "$ns" "$GRESEC" show "$dev" -j | jq -r ".[0].stats.$field"
}

# Wait (up to N tenths of a second) for a command to succeed.
wait_for() {
	local tries=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || return 1
		sleep 0.1
	done
}
