#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Configuration churn for the lifecycle tests, straight over netlink so a
loop does thousands of operations where one CLI call per operation (a
process each, under TCG and a flood) would do dozens.

  churn.py rekey SECONDS R0              hitless rekeys of gs0, ns1 <-> ns2
  churn.py params SECONDS NS REMOTE      gresec set on gs0 in NS, in a cycle
  churn.py tunnels SECONDS NS LOCAL REMOTE SPI0
                                         create, configure, key, bring up and
                                         delete tunnels sharing gs0's addresses
  churn.py cycle N                       N create/configure/SA/delete rounds
                                         of a tunnel pair gl0 in ns1 and ns2
  churn.py pair NSA NSB ADDRA ADDRB I    configure gd0 in NSA and NSB as the
                                         two ends of a protected tunnel

SPIs of rekey step r are 0x10000 + 2r (ns1 -> ns2) and one more (back).
Prints the number of operations (rekey: and the last step).  Failures are
appended to $CHURN_ERR as "EPOCH what: error" lines, except in cycle mode,
which exits 1 on the first one.  The loops also end once $CHURN_STOP exists.
A loop's SECONDS count from when its netlink sockets are set up, when it
creates $CHURN_READY (if set): under TCG on the debug kernel, a Python start
alone can take longer than a round.
"""
import ctypes
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nlraw import Genl, attr, NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP  # noqa: E402

CLONE_NEWNET = 0x40000000
NETLINK_ROUTE = 0
RTM_NEWLINK, RTM_DELLINK = 16, 17
NLM_F_CREATE, NLM_F_EXCL = 0x400, 0x200
IFLA_IFNAME, IFLA_LINKINFO, IFLA_INFO_KIND = 3, 18, 1
IFF_UP = 1

# uapi/linux/gresec.h
CMD_TUNNEL_GET, CMD_TUNNEL_SET, CMD_SA_NEW, CMD_SA_DEL = 1, 2, 4, 5
A_IFNAME, A_LOCAL, A_REMOTE, A_IKEY, A_OKEY = 2, 3, 4, 5, 6
A_IFLAGS, A_OFLAGS, A_TTL, A_TOS, A_TOS_INHERIT = 7, 8, 9, 10, 11
A_PMTUDISC, A_MTU, A_SA = 12, 13, 17
SA_SPI, SA_DIR, SA_PROPOSAL, SA_KEY, SA_AUTH_KEY = 2, 3, 4, 5, 6
DIR_IN, DIR_OUT = 1, 2
F_KEY, F_CSUM, F_SEQ = 1, 2, 4

# Three proposals in turn: AES-GCM, AES-CBC + HMAC-SHA256, ChaCha20-Poly1305.
PROPOSALS = [(1, os.urandom(20), b""), (3, os.urandom(16), os.urandom(32)),
             (8, os.urandom(36), b"")]

libc = ctypes.CDLL(None, use_errno=True)
ERRFILE = os.environ.get("CHURN_ERR", "/dev/null")
STOP = os.environ.get("CHURN_STOP", "/nonexistent")
strict = False
ops = 0


def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        sys.exit("churn: setns %s: %s" % (ns, os.strerror(ctypes.get_errno())))
    os.close(fd)


class Rtnl(Genl):
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.seq = 1

    def link(self, mtype, flags, name, kind=None, up=None):
        self.seq += 1
        ifi = struct.pack("=BxHiII", 0, 0, 0, IFF_UP if up else 0,
                          IFF_UP if up is not None else 0)
        body = ifi + attr(IFLA_IFNAME, name.encode() + b"\0")
        if kind:
            body += attr(IFLA_LINKINFO | 0x8000, attr(IFLA_INFO_KIND, kind.encode()))
        msg = struct.pack("=IHHII", 16 + len(body), mtype,
                          NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0) + body
        self.sock.send(msg)
        return self.replies()


def sockets(*names):
    out = {}
    for ns in names:
        enter(ns)
        out[ns] = (Genl(), Rtnl())
    # Set up: the caller may start counting the load from here.
    if os.environ.get("CHURN_READY"):
        open(os.environ["CHURN_READY"], "w").close()
    return out


def running(end):
    return time.time() < end and not os.path.exists(STOP)


def op(what, fn, *args):
    global ops
    ops += 1
    try:
        _, err = fn(*args)
    except OSError as e:
        err = (-e.errno, str(e))
    if err:
        line = "%.6f %s: %d %s" % (time.time(), what, err[0], err[1])
        if strict:
            sys.exit(line)
        with open(ERRFILE, "a") as f:
            f.write(line + "\n")


def u32(a, v):
    return attr(a, struct.pack("=I", v))


def u8(a, v):
    return attr(a, struct.pack("=B", v))


def addr(a, v):
    return attr(a, socket.inet_aton(v))


def dev(name):
    return attr(A_IFNAME, name.encode() + b"\0")


def tunnel_set(g, name, payload):
    return g.send(g.family, CMD_TUNNEL_SET, dev(name) + payload,
                  NLM_F_REQUEST | NLM_F_ACK)


def tunnel_dump(g):
    return g.send(g.family, CMD_TUNNEL_GET, b"", NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP)


def sa_new(g, name, d, spi, i):
    prop, key, auth = PROPOSALS[i % len(PROPOSALS)]
    sa = u32(SA_SPI, spi) + u32(SA_DIR, d) + u32(SA_PROPOSAL, prop) + attr(SA_KEY, key)
    if auth:
        sa += attr(SA_AUTH_KEY, auth)
    return g.send(g.family, CMD_SA_NEW, dev(name) + attr(A_SA | 0x8000, sa),
                  NLM_F_REQUEST | NLM_F_ACK)


def sa_del(g, name, d, spi):
    sa = u32(SA_SPI, spi) + u32(SA_DIR, d)
    return g.send(g.family, CMD_SA_DEL, dev(name) + attr(A_SA | 0x8000, sa),
                  NLM_F_REQUEST | NLM_F_ACK)


def keyed(k):
    return u32(A_IKEY, k) + u32(A_OKEY, k)


def flags(f):
    return u32(A_IFLAGS, f) + u32(A_OFLAGS, f)


def rekey(seconds, r):
    s = sockets("ns1", "ns2")
    a1, a2 = s["ns1"][0], s["ns2"][0]
    end = time.time() + seconds
    while running(end):
        oa, ob = 0x10000 + 2 * r, 0x10000 + 2 * r + 1
        r += 1
        a, b = 0x10000 + 2 * r, 0x10000 + 2 * r + 1
        op("ns2 sa add in %#x" % a, sa_new, a2, "gs0", DIR_IN, a, r)
        op("ns1 sa add in %#x" % b, sa_new, a1, "gs0", DIR_IN, b, r)
        op("ns1 sa add out %#x" % a, sa_new, a1, "gs0", DIR_OUT, a, r)
        op("ns2 sa add out %#x" % b, sa_new, a2, "gs0", DIR_OUT, b, r)
        op("ns1 sa del out %#x" % oa, sa_del, a1, "gs0", DIR_OUT, oa)
        op("ns2 sa del out %#x" % ob, sa_del, a2, "gs0", DIR_OUT, ob)
        op("ns2 sa del in %#x" % oa, sa_del, a2, "gs0", DIR_IN, oa)
        op("ns1 sa del in %#x" % ob, sa_del, a1, "gs0", DIR_IN, ob)
    print(ops, r)


def params(seconds, ns, remote):
    g = sockets(ns)[ns][0]
    steps = [u8(A_TTL, 17), u8(A_TOS, 0x28) + u8(A_TOS_INHERIT, 0),
             flags(F_KEY | F_CSUM), flags(F_KEY | F_CSUM | F_SEQ), u32(A_MTU, 1300),
             keyed(2), u8(A_PMTUDISC, 0), addr(A_REMOTE, "192.0.2.99"),
             u8(A_TTL, 255), u8(A_TOS_INHERIT, 1), flags(F_KEY), u32(A_MTU, 0),
             keyed(1), u8(A_PMTUDISC, 1), addr(A_REMOTE, remote),
             u32(A_IKEY, 5) + u32(A_OKEY, 6), keyed(1) + flags(F_KEY | F_CSUM),
             b""]
    end = time.time() + seconds
    i = 0
    while running(end):
        op("%s set step %d" % (ns, i % len(steps)), tunnel_set, g, "gs0",
           steps[i % len(steps)])
        i += 1
        if i % 8 == 0:
            op("%s dump" % ns, tunnel_dump, g)
    # What netns_pair_setup key 1 csum configured.
    op("%s set restore" % ns, tunnel_set, g, "gs0",
       addr(A_REMOTE, remote) + keyed(1) + flags(F_KEY | F_CSUM) + u8(A_TTL, 64) +
       u8(A_TOS, 0) + u8(A_TOS_INHERIT, 1) + u32(A_MTU, 0) + u8(A_PMTUDISC, 1))
    print(ops)


def tunnels(seconds, ns, local, remote, spi0):
    g, rt = sockets(ns)[ns]
    end = time.time() + seconds
    j = 0
    while running(end):
        names = ["gp%d" % i for i in range(8)]
        for n in names:
            j += 1
            op("%s link add %s" % (ns, n), rt.link, RTM_NEWLINK,
               NLM_F_CREATE | NLM_F_EXCL, n, "gresec")
            op("%s set %s" % (ns, n), tunnel_set, g, n,
               addr(A_LOCAL, local) + addr(A_REMOTE, remote) + keyed(2000 + j) +
               flags(F_KEY | (F_SEQ if j % 2 else F_CSUM)) + u8(A_TTL, j % 250 + 1))
            spi = spi0 + j % 30000
            op("%s sa add in %#x" % (ns, spi), sa_new, g, n, DIR_IN, spi, j)
            op("%s sa add out" % ns, sa_new, g, n, DIR_OUT, spi, j)
            op("%s link up %s" % (ns, n), rt.link, RTM_NEWLINK, 0, n, None, True)
        op("%s dump" % ns, tunnel_dump, g)
        for n in names[::2]:
            op("%s sa del out %s" % (ns, n), sa_del, g, n, DIR_OUT,
               spi0 + (j - 7 + names.index(n)) % 30000)
        for n in names:
            op("%s link del %s" % (ns, n), rt.link, RTM_DELLINK, 0, n)
    print(ops)


def cycle(n):
    global strict
    strict = True
    s = sockets("ns1", "ns2")
    for i in range(n):
        for ns, me, peer in (("ns1", "192.0.2.1", "192.0.2.2"),
                             ("ns2", "192.0.2.2", "192.0.2.1")):
            g, rt = s[ns]
            op("%s link add gl0" % ns, rt.link, RTM_NEWLINK,
               NLM_F_CREATE | NLM_F_EXCL, "gl0", "gresec")
            op("%s set gl0" % ns, tunnel_set, g, "gl0",
               addr(A_LOCAL, me) + addr(A_REMOTE, peer) + keyed(77) +
               flags(F_KEY | F_CSUM) + u8(A_TTL, 9))
            op("%s sa add in" % ns, sa_new, g, "gl0", DIR_IN,
               0x7001 if ns == "ns2" else 0x7002, i)
            op("%s sa add out" % ns, sa_new, g, "gl0", DIR_OUT,
               0x7001 if ns == "ns1" else 0x7002, i)
            op("%s link up gl0" % ns, rt.link, RTM_NEWLINK, 0, "gl0", None, True)
        g1, rt1 = s["ns1"]
        op("ns1 sa del out", sa_del, g1, "gl0", DIR_OUT, 0x7001)
        op("ns1 dump", tunnel_dump, g1)
        op("ns1 link del gl0", rt1.link, RTM_DELLINK, 0, "gl0")
        op("ns2 link del gl0", s["ns2"][1].link, RTM_DELLINK, 0, "gl0")
    print(ops)


def pair(nsa, nsb, addra, addrb, i):
    global strict
    strict = True
    s = sockets(nsa, nsb)
    for ns, me, peer in ((nsa, addra, addrb), (nsb, addrb, addra)):
        g = s[ns][0]
        op("%s set gd0" % ns, tunnel_set, g, "gd0", addr(A_LOCAL, me) +
           addr(A_REMOTE, peer) + keyed(9))
        op("%s sa add in" % ns, sa_new, g, "gd0", DIR_IN,
           0x9001 if ns == nsb else 0x9002, i)
        op("%s sa add out" % ns, sa_new, g, "gd0", DIR_OUT,
           0x9001 if ns == nsa else 0x9002, i)
    print(ops)


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "rekey":
        rekey(float(a[1]), int(a[2]))
    elif a[0] == "params":
        params(float(a[1]), a[2], a[3])
    elif a[0] == "tunnels":
        tunnels(float(a[1]), a[2], a[3], a[4], int(a[5], 0))
    elif a[0] == "pair":
        pair(a[1], a[2], a[3], a[4], int(a[5]))
    elif a[0] == "cycle":
        cycle(int(a[1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
