#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# topology: host
# timeout: 1500
#
# Installation as an admin does it, on the test machine itself (run by
# tests/run.sh on the host once every VM of Debian's kernels has stopped:
# while the packages are installed, an "ip link add ... type gresec" or a
# gresec command in a VM of those kernels would load DKMS's module instead
# of the tree's):
#   - make install DESTDIR= PREFIX= puts exactly the expected files there,
#     make uninstall takes all of them away again;
#   - make deb builds the packages, lintian finds nothing, the plugin
#     package depends on exactly the installed strongswan-charon;
#   - apt-get install ./build/deb/*.deb: DKMS builds and installs the module
#     for each of the suite's kernels (modprobe there resolves it, and gre);
#   - systemd-analyze verify finds nothing to say about gresec@.service;
#   - a VM of each of those kernels (tests/pkg/guest.sh) runs modprobe
#     gresec and carries ESP traffic with the packaged CLI, setconf from
#     files, and the packaged unit's command lines (no systemd there);
#   - apt-get purge leaves no file behind that was not there before (in
#     the directories the packages and DKMS write to, listed before and
#     after).
# Exit 0 passes, 77 skips, anything else fails.  Arguments: the kernel
# releases (default: tests/vm/kernels.sh).
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh

fail() {
	echo "FAIL: $*"
	exit 1
}
ok() {
	echo "ok: $*"
}
skip() {
	echo "SKIP: $*"
	exit 77
}

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || read -r -a kernels <<< "$(tests/vm/kernels.sh)"
[ ${#kernels[@]} -gt 0 ] || skip "no kernel with headers"
log=$repo/build/check/pkg
pkgs=(gresec-dkms gresec-tools strongswan-plugin-kernel-gresec)
installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

[ "$(id -u)" = 0 ] || skip "needs root (installs packages)"
for p in "${pkgs[@]}"; do
	installed "$p" && skip "$p is installed on this machine: the test would remove it"
done
rm -rf "$log"
mkdir -p "$log"
tmp=$(mktemp -d)
vm_pids=()
# Whatever happens, the machine is left as it was: VMs stopped, packages
# purged, staging trees removed.
cleanup() {
	local p left=()
	for p in "${vm_pids[@]+"${vm_pids[@]}"}"; do
		kill "$p" 2> /dev/null
	done
	for p in "$log"/*/vms/pid.single; do
		[ -e "$p" ] && kill "$(cat "$p")" 2> /dev/null
	done
	for p in "${pkgs[@]}"; do
		installed "$p" && left+=("$p")
	done
	if [ ${#left[@]} -gt 0 ]; then
		echo "cleanup: purging ${left[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${left[@]}" >> "$log/cleanup.log" 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

t0=$(date +%s)
step() {
	echo "[$(($(date +%s) - t0))s] $*"
}

# --- make install / make uninstall into a staging tree ---------------------
k=${kernels[0]}
root=$tmp/root
step "make install DESTDIR=$root PREFIX=/opt/gresec KERNELRELEASE=$k"
make -s install DESTDIR="$root" PREFIX=/opt/gresec KERNELRELEASE="$k" > "$log/install.log" 2>&1 ||
	{ tail -n 20 "$log/install.log"; fail "make install failed"; }
want=("lib/modules/$k/updates/gresec.ko" opt/gresec/sbin/gresec opt/gresec/sbin/gresec-quick
	opt/gresec/share/man/man8/gresec.8 opt/gresec/share/man/man8/gresec-quick.8
	opt/gresec/share/man/man5/gresec.conf.5
	opt/gresec/share/bash-completion/completions/gresec)
[ -e tools/gresec@.service ] && want+=("opt/gresec/lib/systemd/system/gresec@.service")
[ -e build/strongswan/libstrongswan-kernel-gresec.so ] &&
	want+=(usr/lib/ipsec/plugins/libstrongswan-kernel-gresec.so etc/strongswan.d/charon/kernel-gresec.conf)
got=$(cd "$root" && find . ! -type d | sed 's|^\./||' | sort)
[ "$got" = "$(printf '%s\n' "${want[@]}" | sort)" ] ||
	fail "make install put these files: $(tr '\n' ' ' <<< "$got"), want: $(printf '%s\n' "${want[@]}" | sort | tr '\n' ' ')"
ok "make install put the ${#want[@]} expected files under DESTDIR/PREFIX"
bash -n "$root/opt/gresec/share/bash-completion/completions/gresec" || fail "the completion file is no valid bash"
make -s uninstall DESTDIR="$root" PREFIX=/opt/gresec KERNELRELEASE="$k" >> "$log/install.log" 2>&1 ||
	fail "make uninstall failed"
got=$(cd "$root" && find . ! -type d)
[ -z "$got" ] || fail "make uninstall left: $(tr '\n' ' ' <<< "$got")"
ok "make uninstall removed all of them"

# --- make deb, lintian ------------------------------------------------------
step "make deb"
make -s deb > "$log/deb.log" 2>&1 || { tail -n 30 "$log/deb.log"; fail "make deb failed"; }
debs=(build/deb/gresec-dkms_*_all.deb build/deb/gresec-tools_*.deb)
if installed strongswan-charon; then
	debs+=(build/deb/strongswan-plugin-kernel-gresec_*.deb)
	charon=$(dpkg-query -W -f='${Version}' strongswan-charon)
	dpkg-deb -f build/deb/strongswan-plugin-kernel-gresec_*.deb Depends |
		grep -qF "strongswan-charon (= $charon)" ||
		fail "the plugin package does not depend on strongswan-charon (= $charon): $(dpkg-deb -f build/deb/strongswan-plugin-kernel-gresec_*.deb Depends)"
	ok "the plugin package depends on strongswan-charon (= $charon)"
fi
for d in "${debs[@]}"; do
	[ -e "$d" ] || fail "make deb built no $d"
done
[ "$(find build/deb -maxdepth 1 -name '*.deb' | wc -l)" = ${#debs[@]} ] ||
	fail "make deb built other packages: $(find build/deb -maxdepth 1 -name '*.deb')"
ok "make deb built ${debs[*]##*/}"
version=$(dpkg-deb -f build/deb/gresec-tools_*.deb Version)
step "lintian"
lintian -I --pedantic "${debs[@]}" > "$log/lintian.log" 2>&1 ||
	{ cat "$log/lintian.log"; fail "lintian failed"; }
! grep -E '^[EWIPX]: ' "$log/lintian.log" || fail "lintian complains"
ok "lintian (--pedantic) finds nothing"

# --- apt-get install: DKMS builds for every kernel --------------------------
# What the packages touch, listed before and after (depmod rewrites the
# modules.* indexes, which stay; their content is checked on their own).
watch=(/lib/modules /usr/src /usr/sbin /usr/share/man/man8 /usr/share/man/man5 /usr/share/bash-completion
	/usr/lib/ipsec/plugins /etc/strongswan.d /lib/systemd/system /var/lib/dkms
	/usr/share/doc /etc/gresec /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled
	/etc/modprobe.d /etc/modules-load.d)
# Every directory the packages put a file in is watched too, so that no
# packaged file outside those above can outlive the purge unseen.
while read -r d; do
	covered=0
	for w in "${watch[@]}"; do
		[[ $d == "$w" || $d == "$w"/* ]] && covered=1
	done
	[ $covered = 1 ] || watch+=("$d")
done < <(for d in "${debs[@]}"; do dpkg-deb -c "$d"; done |
	awk '$1 !~ /^d/ { p = $6; sub(/^\./, "", p); sub(/\/[^\/]*$/, "", p); print p }' | sort -u)
# DKMS makes its own key pair for signing modules (/var/lib/dkms/mok.key,
# mok.pub) at its first build of any module, and keeps it on purge on
# purpose: a key enrolled in the firmware must outlive the module.  On a
# machine where DKMS never built before, the install makes it: DKMS's
# state, not a file of ours.
snapshot() {
	find "${watch[@]}" 2> /dev/null | grep -vxE '/var/lib/dkms/mok\.(key|pub)' | sort
}
snapshot > "$log/files.before"
step "apt-get install ${debs[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${debs[@]/#/./}" \
	> "$log/apt-install.log" 2>&1 || { tail -n 30 "$log/apt-install.log"; fail "apt-get install failed"; }
for k in "${kernels[@]}"; do
	dkms status -m gresec -v "$version" -k "$k" 2> /dev/null | grep -q ': installed' ||
		fail "DKMS did not install gresec for $k: $(dkms status -m gresec)"
	# Compressed like the kernel's own modules where they are (6.12: xz).
	ko=$(compgen -G "/lib/modules/$k/updates/dkms/gresec.ko*" | head -n1)
	[ -n "$ko" ] || fail "no /lib/modules/$k/updates/dkms/gresec.ko*"
	expect=$(modprobe -S "$k" --show-depends gresec 2> /dev/null | awk '{ print $2 }' | tr '\n' ' ')
	[[ $expect == *"/gre.ko"* && $expect == *"$ko"* ]] ||
		fail "modprobe -S $k --show-depends gresec: $expect"
	[ "$(modinfo -k "$k" -F version gresec)" = "$version" ] ||
		fail "modinfo -k $k gresec: version $(modinfo -k "$k" -F version gresec), want $version"
	ok "DKMS built and installed gresec $version for $k (modprobe resolves it, after gre)"
done

# --- the unit: systemd-analyze verify --------------------------------------
# The installed gresec@.service for one instance: its syntax, that the
# programs it runs and the man pages it names are there.  Any warning fails
# (unknown keys are warnings, exit 0).
unit=/lib/systemd/system/gresec@.service
[ -e "$unit" ] || fail "gresec-tools installed no $unit"
if command -v systemd-analyze > /dev/null; then
	step "systemd-analyze verify gresec@gs0.service"
	mkdir "$tmp/unit"
	cp "$unit" "$tmp/unit/"
	(cd "$tmp/unit" && systemd-analyze verify ./gresec@gs0.service) > "$log/verify.log" 2>&1 ||
		{ cat "$log/verify.log"; fail "systemd-analyze verify gresec@gs0.service failed"; }
	[ -s "$log/verify.log" ] && { cat "$log/verify.log"; fail "systemd-analyze verify gresec@gs0.service warns"; }
	ok "systemd-analyze verify gresec@gs0.service: clean"
else
	echo "systemd-analyze is not installed (package systemd): the unit is not verified"
fi

# --- a VM of each kernel: modprobe gresec, traffic -------------------------
step "VMs: ${kernels[*]}"
for k in "${kernels[@]}"; do
	share=$log/$k/vms
	mkdir -p "$share"
	echo "$version" > "$share/pkg-version"
	vm_prepare "$share" single "$k" "$repo" "" pkg/guest.sh
	vm_run "$share" 720 "$k" single > "$log/$k/vm.log" 2>&1 &
	vm_pids+=($!)
done
for p in "${vm_pids[@]}"; do
	wait "$p"
done
vm_pids=()
for k in "${kernels[@]}"; do
	res=$log/$k/vms/results/single/guest
	read -r v _ < "$res.result" 2> /dev/null || v=""
	if [ "$v" != PASS ]; then
		tail -n 20 "$res.log" 2> /dev/null
		tail -n 10 "$log/$k/vm.log"
		fail "$k: the VM's modprobe and traffic (tests/pkg/guest.sh): ${v:-no result}"
	fi
	ok "$k: modprobe gresec in a VM loaded DKMS's module and carried ESP traffic"
done

# --- apt-get purge: nothing left behind ------------------------------------
step "apt-get purge"
DEBIAN_FRONTEND=noninteractive apt-get purge -y "${pkgs[@]}" > "$log/apt-purge.log" 2>&1 ||
	{ tail -n 30 "$log/apt-purge.log"; fail "apt-get purge failed"; }
snapshot > "$log/files.after"
diff -u "$log/files.before" "$log/files.after" > "$log/files.diff" ||
	{ head -n 30 "$log/files.diff"; fail "apt-get purge left the tree different from before"; }
for k in "${kernels[@]}"; do
	grep -q gresec "/lib/modules/$k/modules.dep" && fail "modules.dep of $k still names gresec"
done
[ -z "$(dkms status -m gresec 2> /dev/null)" ] || fail "dkms still knows gresec: $(dkms status -m gresec)"
stale=$(find /var/lib/dpkg/info -name 'gresec-*' -o -name 'strongswan-plugin-kernel-gresec*')
[ -z "$stale" ] || fail "dpkg still has: $stale"
ok "apt-get purge left no file behind ($(wc -l < "$log/files.before") paths listed before and after)"
step "done"
