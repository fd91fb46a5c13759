#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Systematic allocation-failure injection (the kernel's fail-nth, with
failslab armed) for gresec's configuration paths, run in namespace NS:

  failnth.py NS LOCAL REMOTE

For each operation (create a tunnel, configure it, add an outbound SA, add
an inbound SA, delete an SA) and N = 1, 2, ...: fail the N-th slab
allocation the request makes, then check that the request either succeeded
or failed with an error and left nothing behind (no tunnel, no SA, the
configuration unchanged), and undo a success.  N grows until a request
makes fewer than N allocations.  Prints one line per operation and a
total; exits 1 on the first inconsistency.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nlraw import NLM_F_ACK, NLM_F_REQUEST  # noqa: E402
from churn import (A_IKEY, A_LOCAL, A_REMOTE, A_TTL, CMD_TUNNEL_GET, DIR_IN,  # noqa: E402
                   DIR_OUT, NLM_F_CREATE, NLM_F_EXCL, RTM_DELLINK, RTM_NEWLINK,
                   addr, dev, sa_del, sa_new, sockets, tunnel_set, u32, u8)

CMD_SA_GET = 6
SA_SPI, SA_DIR = 2, 3
A_STATS, A_SA = 16, 17
MAX_N = 400
NAME = "gf0"


# Opened once: opening it while armed would itself be an allocation.
FAIL_NTH = None


def fail_nth(n):
    # Only this thread's allocations count from here on.
    os.pwrite(FAIL_NTH, str(n).encode(), 0)


def fail_nth_left():
    # 0: the n-th allocation happened (and failed); more: the request made
    # fewer.  Reading and disarming allocate nothing.
    left = int(os.pread(FAIL_NTH, 32, 0))
    os.pwrite(FAIL_NTH, b"0", 0)
    return left


def main():
    global FAIL_NTH
    ns, local, remote = sys.argv[1:4]
    FAIL_NTH = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
    g, r = sockets(ns)[ns]

    def link_exists():
        return not g.send(g.family, CMD_TUNNEL_GET, dev(NAME),
                          NLM_F_REQUEST | NLM_F_ACK)[1]

    def tunnel_state():
        msgs, err = g.send(g.family, CMD_TUNNEL_GET, dev(NAME), NLM_F_REQUEST | NLM_F_ACK)
        if err:
            return None
        # Every attribute but the counters (and the SAs, with theirs).
        keep, tlvs, i = [], msgs[0][4:], 0
        while i + 4 <= len(tlvs):
            alen, atype = struct.unpack("=HH", tlvs[i:i + 4])
            if alen < 4:
                break
            if atype & 0x7fff not in (A_STATS, A_SA):
                keep.append(tlvs[i:i + alen])
            i += (alen + 3) & ~3
        return keep

    def sa_exists(d, spi):
        sa = u32(SA_SPI, spi) + u32(SA_DIR, d)
        return not g.send(g.family, CMD_SA_GET, dev(NAME) + (
            struct.pack("=HH", 4 + len(sa), A_SA | 0x8000) + sa),
            NLM_F_REQUEST | NLM_F_ACK)[1]

    def create():
        return r.link(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, NAME, kind="gresec")

    def delete():
        return r.link(RTM_DELLINK, 0, NAME)

    def must(what, res):
        if res[1]:
            sys.exit("failnth: %s without injection: %d %s" % (what, *res[1]))

    base = addr(A_LOCAL, local) + addr(A_REMOTE, remote)
    spi = [0x7000]

    def next_spi():
        spi[0] += 1
        return spi[0]

    # (name, setup, request, check(result) -> problem or None, undo)
    ops = []

    ops.append(("create", lambda: None, create,
                lambda ok: None if ok == link_exists() else
                "tunnel %s after %s" % ("missing" if ok else "present",
                                        "success" if ok else "failure"),
                lambda ok: link_exists() and must("delete", delete())))

    def set_setup():
        must("create", create())
        must("set", tunnel_set(g, NAME, base))
        state[0] = tunnel_state()

    state = [None]

    def set_check(ok):
        now = tunnel_state()
        if not ok and now != state[0]:
            return "configuration changed by a failed set"
        if ok and now == state[0]:
            return "configuration unchanged by a successful set"
        return None

    ops.append(("set", set_setup,
                lambda: tunnel_set(g, NAME, u32(A_IKEY, 77) + u8(A_TTL, 33) +
                                   addr(A_REMOTE, "192.0.2.77")),
                set_check, lambda ok: must("delete", delete())))

    for d, label in ((DIR_OUT, "sa add out"), (DIR_IN, "sa add in")):
        def sa_setup():
            must("create", create())
            must("set", tunnel_set(g, NAME, base))
            cur[0] = next_spi()

        cur = [0]
        ops.append((label, sa_setup,
                    lambda d=d: sa_new(g, NAME, d, cur[0], cur[0]),
                    lambda ok, d=d: None if ok == sa_exists(d, cur[0]) else
                    "SA %#x %s after %s" % (cur[0], "missing" if ok else "present",
                                            "success" if ok else "failure"),
                    lambda ok: must("delete", delete())))

    def del_setup():
        must("create", create())
        must("set", tunnel_set(g, NAME, base))
        cur[0] = next_spi()
        must("sa add", sa_new(g, NAME, DIR_IN, cur[0], cur[0]))

    ops.append(("sa del", del_setup,
                lambda: sa_del(g, NAME, DIR_IN, cur[0]),
                lambda ok: None if ok != sa_exists(DIR_IN, cur[0]) else
                "SA %#x %s after %s" % (cur[0], "present" if ok else "missing",
                                        "success" if ok else "failure"),
                lambda ok: must("delete", delete())))

    total = injected = 0
    for name, setup, request, check, undo in ops:
        errors = {}
        n = 0
        while True:
            n += 1
            if n > MAX_N:
                sys.exit("failnth: %s makes over %d allocations?" % (name, MAX_N))
            setup()
            fail_nth(n)
            try:
                _, err = request()
                unknown = False
            except OSError as e:
                # The socket lost the answer (ENOBUFS): the outcome is
                # not known, so only the clean-up below applies.
                err, unknown = (-e.errno, str(e)), True
            left = fail_nth_left()
            total += 1
            ok = not err
            problem = None if unknown else check(ok)
            if problem:
                sys.exit("failnth: %s, allocation %d failed: %s" % (name, n, problem))
            undo(ok)
            if left:
                # Fewer than n allocations: nothing was injected.
                if err:
                    sys.exit("failnth: %s failed with no injection: %s" % (name, err))
                break
            injected += 1
            if err:
                key = os.strerror(-err[0]) if err[0] < 0 else str(err[0])
                errors[key] = errors.get(key, 0) + 1
            else:
                errors["ok"] = errors.get("ok", 0) + 1
        print("%s: %d allocations failed one at a time: %s" % (
            name, n - 1, ", ".join("%s %d" % kv for kv in sorted(errors.items())) or "-"))
    print("failnth: %d requests, %d with an injected failure, state consistent after each"
          % (total, injected))


if __name__ == "__main__":
    main()
