#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the test suite, the demo and the benchmarks need from Debian's
# archive.  Idempotent: packages already installed are not touched, and the
# package lists are refreshed only when something is missing.
set -euo pipefail

PKGS=(
	build-essential pkg-config libmnl-dev sparse
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd
	iproute2 iputils-ping netcat-openbsd iperf3 ethtool
	tshark tcpdump python3 python3-scapy python3-yaml python3-cryptography jq bird2
	nftables conntrack
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	debhelper dh-dkms dkms lintian bash-completion
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
