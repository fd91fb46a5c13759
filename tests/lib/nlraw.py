#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic-netlink requests to the gresec family, for tests that must
send what the CLI never would (wrong types, missing or duplicated
attributes, random bytes) and read the kernel's extack answer.

  nlraw.py CMD ATTRS             send one request, print the answer
  nlraw.py --dump CMD ATTRS      the same as a dump request
  nlraw.py --fuzz SEED COUNT     random requests; prints a summary

ATTRS is a Python literal: a list of (type, kind, value) with kind one of
u8 u16 u32 u64 str strz bin nest raw (value: int, str, hex string, list).
Prints "ok", "ok N messages" for dumps, or "error -ERRNO: MESSAGE"; exits
0 for ok, 1 for a kernel error, 2 for a usage error.
"""
import ast
import os
import random
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, 11, 10


def attr(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    return hdr + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def encode(specs):
    out = b""
    for atype, kind, value in specs:
        if kind in ("u8", "u16", "u32", "u64"):
            fmt = {"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q"}[kind]
            out += attr(atype, struct.pack(fmt, value))
        elif kind == "str":
            out += attr(atype, value.encode())
        elif kind == "strz":
            out += attr(atype, value.encode() + b"\0")
        elif kind == "bin":
            out += attr(atype, bytes.fromhex(value))
        elif kind == "nest":
            out += attr(atype | 0x8000, encode(value))
        elif kind == "raw":
            out += bytes.fromhex(value)
        else:
            raise ValueError("unknown kind " + kind)
    return out


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1
        self.family = self.resolve("gresec")

    def send(self, family, cmd, payload, flags, version=1):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), family, flags, self.seq, 0) + body
        self.sock.send(msg)
        return self.replies()

    def replies(self):
        msgs = []
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                length, mtype, flags, seq, pid = struct.unpack("=IHHII", data[off:off + 16])
                if length < 16:
                    return msgs, (-1, "short message")
                body = data[off + 16:off + length]
                off += (length + 3) & ~3
                if mtype == NLMSG_DONE:
                    return msgs, None
                if mtype == NLMSG_ERROR:
                    err = struct.unpack("=i", body[:4])[0]
                    if err == 0:
                        return msgs, None
                    msg = ""
                    # with CAP_ACK the original request is not echoed back
                    tlvs = body[4 + 16:]
                    i = 0
                    while i + 4 <= len(tlvs):
                        alen, atype = struct.unpack("=HH", tlvs[i:i + 4])
                        if alen < 4:
                            break
                        if atype == NLMSGERR_ATTR_MSG:
                            msg = tlvs[i + 4:i + alen].rstrip(b"\0").decode(errors="replace")
                        i += (alen + 3) & ~3
                    return msgs, (err, msg)
                msgs.append(body)

    def resolve(self, name):
        msgs, err = self.send(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                              attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"),
                              NLM_F_REQUEST | NLM_F_ACK)
        if err or not msgs:
            sys.exit("nlraw: family %s not found" % name)
        tlvs = msgs[0][4:]
        i = 0
        while i + 4 <= len(tlvs):
            alen, atype = struct.unpack("=HH", tlvs[i:i + 4])
            if atype == CTRL_ATTR_FAMILY_ID:
                return struct.unpack("=H", tlvs[i + 4:i + 6])[0]
            i += (alen + 3) & ~3
        sys.exit("nlraw: no family id")


def fuzz(g, seed, count):
    rnd = random.Random(seed)
    kinds = {}
    for _ in range(count):
        cmd = rnd.randrange(0, 10)
        payload = b""
        for _ in range(rnd.randrange(0, 6)):
            atype = rnd.randrange(0, 24)
            choice = rnd.randrange(5)
            if choice == 0:
                data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 40)))
            elif choice == 1:
                data = struct.pack("=I", rnd.choice([0, 1, 255, 256, 65535, 0xFFFFFFFF, rnd.randrange(1 << 32)]))
            elif choice == 2:
                data = struct.pack("=B", rnd.randrange(256))
            elif choice == 3:
                data = encode([(rnd.randrange(0, 24), "u32", rnd.randrange(1 << 32))])
                atype |= 0x8000
            else:
                data = b"gs%d\0" % rnd.randrange(3)
            payload += attr(atype, data)
        if rnd.randrange(8) == 0:
            payload = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 64)))
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if rnd.randrange(3) == 0 else 0)
        try:
            _, err = g.send(g.family, cmd, payload, flags)
        except OSError as e:
            err = (-e.errno, "socket")
        key = "ok" if not err else os.strerror(-err[0]) if err[0] < 0 else str(err[0])
        kinds[key] = kinds.get(key, 0) + 1
    print("fuzz seed %d: %d requests: %s" % (seed, count,
          ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    g = Genl()
    if args[0] == "--fuzz":
        fuzz(g, int(args[1]), int(args[2]))
        return 0
    flags = NLM_F_REQUEST | NLM_F_ACK
    if args[0] == "--dump":
        flags |= NLM_F_DUMP
        args = args[1:]
    cmd = int(args[0])
    specs = ast.literal_eval(args[1]) if len(args) > 1 else []
    msgs, err = g.send(g.family, cmd, encode(specs), flags)
    if err:
        print("error %d: %s" % (err[0], err[1]))
        return 1
    print("ok" if not msgs else "ok %d messages" % len(msgs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
