#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/costs.sh: what each test took in the last make check (its results
# under build/check/), beside what tests/costs declares, to refresh that
# table after a full run on the reference machine.  One line per test:
#
#   test  declared-debian  measured-debian  declared-debug  measured-debug
#
# A measured column is the slowest of the runs of that lane (Debian's two
# kernels; for a pair test, the slower of its two VMs); "-" where it did
# not run.  Skips count as measured too (they cost their VM's time).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

declare -A dec_deb=() dec_dbg=() got_deb=() got_dbg=()
while read -r n a b _; do
	case $n in '' | '#'*) continue ;; esac
	dec_deb[$n]=$a
	dec_dbg[$n]=$b
done < tests/costs
for res in build/check/*/vms/results/*/*.result; do
	[ -e "$res" ] || continue
	krel=${res#build/check/}
	krel=${krel%%/*}
	n=${res##*/}
	n=${n%.result}
	read -r _ t _ < "$res"
	t=${t%.*}
	if [[ $krel == *-gresec-debug ]]; then
		[ "${got_dbg[$n]:-0}" -ge "$t" ] || got_dbg[$n]=$t
	else
		[ "${got_deb[$n]:-0}" -ge "$t" ] || got_deb[$n]=$t
	fi
done
printf '%-20s %8s %8s %8s %8s\n' test debian measured debug measured
for f in tests/cases/*.sh; do
	n=${f##*/}
	n=${n%.sh}
	printf '%-20s %8s %8s %8s %8s\n' "$n" "${dec_deb[$n]:--}" "${got_deb[$n]:--}" \
		"${dec_dbg[$n]:--}" "${got_dbg[$n]:--}"
done
