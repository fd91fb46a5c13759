# SPDX-License-Identifier: GPL-2.0
#
# The make bench chart: gnuplot -e "dir='build/bench'; out='docs/bench-6.12.png';
# subtitle='...'" tests/bench/plot.gp
# Reads dir/plot.dat and dir/ratios.dat (written by tests/bench/report.py):
# one panel per metric with a bar per configuration, and one panel with
# gresec relative to its counterpart (above 1: gresec better).
if (!exists("dir")) dir = "build/bench"
if (!exists("out")) out = dir . "/bench.png"
if (!exists("subtitle")) subtitle = ""
dat = dir . "/plot.dat"
rat = dir . "/ratios.dat"
load dir . "/plot.vars"

# term='dumb' draws text instead (quick, no fonts: the smoke test).
if (exists("term") && term eq "dumb") {
	set terminal dumb size 200,70
} else {
	set terminal pngcairo size 1500,950 font "DejaVu Sans,10" noenhanced
}
set output out
set style fill solid 0.9 border -1
set boxwidth 0.75
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set xtics rotate by -35 left scale 0
set key noautotitle
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set multiplot layout 2,3 title "gresec benchmark: medians, same boot (QEMU guest; under TCG only ratios mean anything)\n" . subtitle font ",12"

# "n/a" over the slot of a configuration that produced no number
na(c) = strcol(c) eq "NaN" ? "n/a" : ""
set title "TCP, 1 stream (Mbit/s, higher is better)"
plot dat using 1:4:3:xtic(2) with boxes lc rgb variable, \
     '' using 1:4:(sprintf("%.0f", $4)) with labels offset 0,0.7 font ",9", \
     '' using 1:(0):(na(4)) with labels offset 0,0.7 font ",9" tc rgb "#c00000"
set title "TCP, 4 streams (Mbit/s, higher is better)"
plot dat using 1:5:3:xtic(2) with boxes lc rgb variable, \
     '' using 1:5:(sprintf("%.0f", $5)) with labels offset 0,0.7 font ",9", \
     '' using 1:(0):(na(5)) with labels offset 0,0.7 font ",9" tc rgb "#c00000"
set title "UDP, 64-byte payload (kpps received, higher is better)"
plot dat using 1:6:3:xtic(2) with boxes lc rgb variable, \
     '' using 1:6:(sprintf("%.1f", $6)) with labels offset 0,0.7 font ",9", \
     '' using 1:(0):(na(6)) with labels offset 0,0.7 font ",9" tc rgb "#c00000"
set title "ping round trip (µs, lower is better)"
plot dat using 1:7:3:xtic(2) with boxes lc rgb variable, \
     '' using 1:7:(sprintf("%.0f", $7)) with labels offset 0,0.7 font ",9", \
     '' using 1:(0):(na(7)) with labels offset 0,0.7 font ",9" tc rgb "#c00000"
set title "CPU per MB, TCP 1 stream (ms, lower is better)"
plot dat using 1:8:3:xtic(2) with boxes lc rgb variable, \
     '' using 1:8:(sprintf("%.2f", $8)) with labels offset 0,0.7 font ",9", \
     '' using 1:(0):(na(8)) with labels offset 0,0.7 font ",9" tc rgb "#c00000"

set title "gresec ÷ counterpart (above 1: gresec better; whiskers: rounds)"
set style data histogram
# ratios.dat holds a median, lowest, highest triple per metric.
set style histogram errorbars gap 1 lw 1
set boxwidth 0.9 relative
set xtics norotate center scale 0
set key outside bottom center horizontal font ",9" samplen 1.5
set offsets 0, 0, graph 0.05, 0
if (nratios == 0) {
	set label 2 "no pair measured in this run" at graph 0.5, first 1.4 center
	set yrange [0:2]
	set xrange [0:1]
	unset xtics
	plot 1 with lines lc rgb "#c00000" dt 2 notitle
	unset multiplot
	exit
}
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#c00000" dt 2 lw 1.5 front
plot rat using 2:3:4:xtic(1) title "TCP 1" lc rgb "#1f77b4", \
     '' using 5:6:7 title "TCP 4" lc rgb "#6baed6", \
     '' using 8:9:10 title "UDP pps" lc rgb "#ff7f0e", \
     '' using 11:12:13 title "1/RTT" lc rgb "#2ca02c", \
     '' using 14:15:16 title "1/CPU" lc rgb "#9467bd", \
     '' using 0:(0):(na(2)) with labels offset 0,0.7 font ",9" tc rgb "#c00000" notitle
unset multiplot
