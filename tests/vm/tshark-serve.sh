#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tshark-serve.sh SHARE PID: run the tshark of a kernel's VMs on the host
# while process PID (the lane's) lives.
#
# Under TCG tshark takes 10 to 40 s of CPU to start (it registers every
# dissector before reading a packet); the same binary (the VMs' root is the
# host's) starts natively in about a second.  A test's tshark_r
# (tests/lib/common.sh) puts the capture and the arguments in a request
# directory of SHARE/tshark and waits for its "rc"; this loop runs tshark
# on it and answers.  It serves until killed (tests/run.sh, at the end of
# the lane) or until PID is gone, and says it is there with
# SHARE/tshark/ready, without which the tests run tshark in the VM.
#
# A request: SHARE/tshark/NAME.req/ with in.pcap and args (NUL-separated
# tshark options, read-only ones only), answered in NAME.run/ with out
# (standard output), err and rc, rc written last.
set -u
dir=$1/tshark
lane=$2
mkdir -p "$dir/home"
: > "$dir/ready"

# answer REQ: run tshark on one request.
answer() {
	local req=$1 a rc=0
	local -a args=()
	: > "$req/out"
	mapfile -d '' args < "$req/args"
	for a in "${args[@]}"; do
		# Reading and display options only: no Lua (-X), no writing
		# (-w), no capturing (-i, -b, -a), no other input (-r).
		case $a in
		-X* | -w* | -i* | -b* | -a* | -r* | -F*)
			echo "tshark-serve: option $a refused" > "$req/err"
			rc=2 ;;
		esac
	done
	if [ $rc -eq 0 ]; then
		# The guest's HOME (tests/guest/runner.sh) has no Wireshark
		# preferences either.
		HOME=$dir/home tshark -r "$req/in.pcap" "${args[@]}" \
			> "$req/out" 2> "$req/err" < /dev/null
		rc=$?
	fi
	echo "$rc" > "$req/rc.tmp"
	mv "$req/rc.tmp" "$req/rc"
}

# A request is taken by renaming it to NAME.run, where the answer goes and
# which the test removes once it has read it: each is answered once.
while kill -0 "$lane" 2> /dev/null; do
	for req in "$dir"/*.req; do
		[ -d "$req" ] && mv "$req" "${req%.req}.run" && answer "${req%.req}.run"
	done
	sleep 0.2
done
