#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 450
#
# The guest half of tests/cases/80-packages.sh, in a VM of one of the
# suite's kernels booted after the packages were installed on the host
# (whose root the VM mounts): "modprobe gresec" loads the module DKMS built
# for this kernel, and gre with it, and the packaged CLI carries
# ESP-protected traffic over a tunnel between two namespaces; the packaged
# gresec@.service's commands bring a tunnel up from /etc/gresec/NAME.conf
# and down again.
. "$REPO/tests/lib/common.sh"
. "$REPO/tests/lib/esp.sh"
. "$REPO/tests/lib/unit.sh"
# The packaged CLI, not the tree's (common.sh puts tools/ first).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
want=$(cat "$SHARE/pkg-version")

path=$(modinfo -n gresec)
[[ $path == /lib/modules/$KREL/updates/dkms/gresec.ko* ]] || fail "modinfo -n gresec: $path, not DKMS's"
ok "modinfo -n gresec: $path"
expect_eq "$(modinfo -F depends gresec)" gre "modinfo -F depends gresec"
grep -q '^gresec ' /proc/modules && fail "gresec is loaded before modprobe gresec"
# Should anything have loaded gre, unload it: modprobe gresec must bring it.
if grep -q '^gre ' /proc/modules; then
	rmmod gre || fail "gre is loaded and in use before modprobe gresec"
fi
modprobe gresec
grep -q '^gresec ' /proc/modules || fail "modprobe gresec loaded no gresec"
grep -q '^gre ' /proc/modules || fail "modprobe gresec did not load gre"
ok "modprobe gresec loaded gresec and gre"
expect_eq "$(cat /sys/module/gresec/version)" "$want" "the loaded module's version"
# Only now the CLI: a gresec command loads the module by itself (the
# kernel asks modprobe for the generic netlink family's alias).
expect_eq "$(command -v gresec)" /usr/sbin/gresec "the gresec on PATH"
gresec --version | grep -qF "$want" || fail "gresec --version: $(gresec --version), want $want"
ok "gresec --version says $want"

# The SAs come from configuration files, as gresec@.service applies them:
# each end's tunnel as showconf writes it, plus its two keyed SAs.
netns_pair_setup key 42
new_keys aes128gcm16
K12=$KEY
new_keys aes128gcm16
K21=$KEY
write_conf() { # NS OUT_SPI OUT_KEY IN_SPI IN_KEY
	{
		ip netns exec "$1" gresec showconf gs0
		printf '\n[SA]\nDir = out\nSPI = %s\nProposal = aes128gcm16\nKey = %s\n' "$2" "$3"
		printf '\n[SA]\nDir = in\nSPI = %s\nProposal = aes128gcm16\nKey = %s\n' "$4" "$5"
	} > "/tmp/$1.conf" || fail "gresec showconf gs0 in $1 failed"
	chmod 600 "/tmp/$1.conf"
}
write_conf ns1 0x1001 "$K12" 0x2001 "$K21"
write_conf ns2 0x2001 "$K21" 0x1001 "$K12"
n ns2 gresec setconf gs0 /tmp/ns2.conf
n ns1 gresec setconf gs0 /tmp/ns1.conf
expect_eq "$(ip netns exec ns1 gresec dump | awk -F'\t' '$1 == "sa"' | wc -l)" 2 "SAs that setconf installed in ns1"
ok "gresec setconf applied each end's file"
ping_ok ns1 198.51.100.2
tcp_transfer ns1 ns2 198.51.100.2 100000
expect_ge "$(sa_counter ns2 gs0 in 0x1001 packets)" 50 "ESP packets ns2 decrypted on SA 0x1001"

# The packaged gresec@.service, its command lines run as systemd would
# (there is none here): gresec@gsu up from /etc/gresec/gsu.conf in each
# namespace, traffic, reload, down.
unit_scenario /lib/systemd/system/gresec@.service

# The packaged bash completion names the tunnels (of the namespace it runs
# in) and the values of an option.
if [ -r /usr/share/bash-completion/bash_completion ]; then
	complete_line() {
		# shellcheck disable=SC2016 # expanded by that bash
		ip netns exec ns1 bash -c '. /usr/share/bash-completion/bash_completion
			. /usr/share/bash-completion/completions/gresec
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _gresec
			echo "${COMPREPLY[*]}"' gresec "$@"
	}
	expect_eq "$(complete_line gresec set "")" gs0 "bash completion of 'gresec set '"
	expect_eq "$(complete_line gresec sa add gs0 dir "")" "in out" "bash completion of 'gresec sa add gs0 dir '"
else
	echo "bash-completion is not installed: its completion unchecked"
fi
