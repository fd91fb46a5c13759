#!/bin/sh
# The gresec tunnel charon keys with ios-seed-ikev1.swanctl.conf or
# ikev2-gre.swanctl.conf (IOS: interface Tunnel1 / ip address / tunnel
# source / tunnel destination).  kernel-gresec installs each CHILD_SA into
# the gresec tunnel whose local and remote addresses are the SA's, so
# create the tunnel before the CHILD_SA comes up.
set -e
LOCAL=192.0.2.1          # tunnel source
REMOTE=192.0.2.2         # tunnel destination
modprobe gresec 2>/dev/null || insmod ./gresec.ko
ip link add gs0 type gresec                       # interface Tunnel1
gresec set gs0 local "$LOCAL" remote "$REMOTE"
ip addr add 198.51.100.1/30 dev gs0               # ip address ...
ip link set gs0 up
# Until the first outbound SA is installed the tunnel sends plain GRE;
# to send nothing unprotected from the start:
gresec set gs0 protection required
