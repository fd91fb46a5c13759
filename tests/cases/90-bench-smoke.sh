#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: netns
# timeout: 600
#
# make bench in miniature, so its harness cannot rot: tests/bench/guest.sh
# in BENCH_QUICK mode (ip_gre, gresec plain GRE, gresec aes128gcm16; one
# 1-second run each, 20 pings) must move TCP bytes with 1 and 4 streams,
# get UDP datagrams and ping replies through every configuration (and ESP packets
# through the SAs), and tests/bench/report.py must turn that into
# results.json, a table with the 3-vs-2 ratio and a docs block for this
# kernel series (and, with --tag, the make bench-smp block beside it), and
# tests/bench/plot.gp must draw it.  No timing targets.  Not on the debug
# kernel: the paths it drives are 10's and 30's, which run there, and its
# numbers would mean nothing under KASAN.
. "$REPO/tests/lib/common.sh"

debug_lane && skip "the bench harness is checked on Debian's kernels"

out=/tmp/bench-smoke
rm -rf "$out"
BENCH_QUICK=1 BENCH_OUT=$out bash "$REPO/tests/bench/guest.sh" ||
	fail "tests/bench/guest.sh exited with $?"
echo "# guest script: ${SECONDS} s"
# docs/bench.md in miniature: another kernel's block must survive, and
# this kernel's block is added (under its own heading) with the table.
docs=$out/docs.md
printf '%s\n' '## Results' '<!-- bench:begin 0.0 -->' 'other kernel' \
	'<!-- bench:end 0.0 -->' > "$docs"
python3 "$REPO/tests/bench/report.py" "$out" --docs "$docs" || fail "report.py failed"
echo "# report: ${SECONDS} s"
js=$out/results.json
[ -s "$js" ] || fail "no results.json"

# Where the guest script's time went (per configuration, per step).
grep -h '^\[ *[0-9]' "$out"/logs/*.[0-9].log 2>/dev/null | sed 's/^/#   /' || true

# Every number in one jq run (each process costs seconds under a loaded
# TCG): "CONFIG STATUS METRIC VALUE POSITIVE" per configuration and metric,
# and the SA counters of gresec-gcm as metrics of their own.
checks=$(jq -r '
	.configs[] | select(.id == "gre" or .id == "gresec" or .id == "gresec-gcm") | . as $c |
	(["tcp1_bytes", "tcp4_bytes", "udp_packets", "ping_received", "rtt_us",
	  "tcp1_cpu_ms_per_mb"] | .[] | [., ($c.median[.] // 0)]),
	(if $c.id == "gresec-gcm" then
		("esp_out_packets", "esp_in_packets") as $k |
		["check_" + $k, ([$c.checks[$k] // [] | .[] | numbers] | min // 0)]
	 else empty end) |
	"\($c.id) \($c.status | gsub(" "; "_")) \(.[0]) \(.[1]) \(.[1] > 0)"' "$js")
seen=""
while read -r c st m v pos; do
	[ -n "$c" ] || continue
	if [ "$st" != ok ]; then
		grep -h -B2 -A15 '^FAIL' "$out"/logs/"$c".[0-9].log 2>/dev/null | tail -n 20 || true
		fail "$c: ${st//_/ }"
	fi
	[ "$pos" = true ] || fail "$c: $m = $v, want > 0"
	ok "$c: $m = $v"
	seen="$seen $c/$m"
done <<< "$checks"
# Nothing may go unchecked because jq found no such configuration.
expect_eq "$(wc -w <<< "$seen")" 20 "numbers checked (6 metrics x 3 configurations, 2 SA counters)"

# The 3-vs-2 ratio, and the 5-vs-4 one, whose counterpart was not measured:
# n/a (null), not zero.
read -r r r_ok r54 <<< "$(jq -r '
	def tcp1($g; $n): [.ratios[] | select(.config == $g and .vs == $n)][0].tcp1_mbps;
	"\(tcp1("gresec"; "gre")) \(tcp1("gresec"; "gre") > 0) \(tcp1("gresec-gcm"; "gre-gcm"))"' "$js")"
[ "$r_ok" = true ] || fail "ratio gresec/ip_gre: '$r'"
ok "gresec / ip_gre TCP ratio = $r"
expect_eq "$r54" null "ratio against an unmeasured configuration"
grep -q '^3  *gresec GRE .*(.*×)' "$out/table.txt" || fail "table has no gresec row with a ratio"
grep -q '^5 vs 4 .*n/a' "$out/table.txt" || fail "table does not mark the missing 5 vs 4 ratio n/a"
expect_eq "$(grep -c '"' "$out/plot.dat")" 3 "chart data rows"
[[ $KREL =~ ^[0-9]+\.[0-9]+ ]] || fail "no kernel series in $KREL"
ser=${BASH_REMATCH[0]}
# block NAME: the docs block NAME, markers included.
block() { sed -n "/^<!-- bench:begin $1 -->\$/,/^<!-- bench:end $1 -->\$/p" "$docs"; }
grep -qx 'other kernel' "$docs" || fail "report.py --docs dropped another kernel's block"
block "$ser" | grep -q "^| 3 | gresec GRE | .*(.*×)" || fail "no $ser block with the table in the docs"
ok "report.py --docs wrote the $ser block and kept the other"
python3 "$REPO/tests/bench/report.py" "$out" --docs "$docs" --tag smp > /dev/null ||
	fail "report.py --tag failed"
block "$ser-smp" | grep -q "^| 3 | gresec GRE " || fail "no $ser-smp block in the docs"
block "$ser" | grep -q "^| 3 | gresec GRE " || fail "report.py --tag smp lost the $ser block"
ok "report.py --docs --tag smp wrote the $ser-smp block beside the $ser one"
echo "# checks: ${SECONDS} s"
# The chart script, drawn as text (a PNG costs a minute of emulated CPU).
if command -v gnuplot > /dev/null; then
	gnuplot -e "dir='$out'; out='$out/chart.txt'; term='dumb'" "$REPO/tests/bench/plot.gp" ||
		fail "gnuplot failed"
	grep -q 'TCP, 1 stream' "$out/chart.txt" || fail "chart has no TCP panel"
	ok "chart script draws ($(wc -l < "$out/chart.txt") lines of text)"
	echo "# chart: ${SECONDS} s"
fi
