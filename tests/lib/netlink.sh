# SPDX-License-Identifier: GPL-2.0
#
# Raw generic-netlink requests from ns1 (tests/lib/nlraw.py), for requests
# the CLI would never build.  Needs tests/lib/common.sh.

nl() { ip netns exec ns1 python3 "$REPO/tests/lib/nlraw.py" "$@"; }

# expect_err WANT-ERRNO WANT-MESSAGE-REGEX nlraw-args...: the request fails
# with that errno (an ERE, e.g. "22|34") and an extack message matching.
expect_err() {
	local errno=$1 msg=$2 out
	shift 2
	if out=$(nl "$@"); then
		fail "request $* succeeded: $out"
	fi
	echo "$out"
	grep -qiE "^error -($errno): .*($msg)" <<< "$out" ||
		fail "request $*: want errno $errno and message /$msg/, got: $out"
	ok "rejected with errno $errno and \"${out#*: }\""
}
