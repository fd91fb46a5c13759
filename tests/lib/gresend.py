#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send hand-made GRE packets over a raw IPv4 socket (the kernel adds the
outer IP header).  Used by the malformed-input tests and the fuzzer.

  gresend.py DST CASE [COUNT]     one of the named cases below
  gresend.py DST fuzz SEED COUNT  random headers, flags and lengths
  gresend.py DST pcap FILE        the GRE payloads of a capture, re-aimed
  gresend.py serve                one such command line a line on stdin
                                  (optionally after OUTER_TOS=N), each
                                  answered "ok" or "error: ..."

OUTER_TOS (environment): the outer IP header's TOS byte.
"""
import os
import random
import socket
import struct
import sys

INNER_SRC = bytes([198, 51, 100, 1])
INNER_DST = bytes([198, 51, 100, 2])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def inner_icmp(ident=0x4242, seq=1, tos=0, csum_ok=True):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"gresec-test" * 4
    c = csum(icmp) ^ (0 if csum_ok else 0x5555)
    icmp = icmp[:2] + struct.pack("!H", c) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(icmp), 1, 0, 64, 1, 0,
                     INNER_SRC, INNER_DST)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + icmp


def gre(flags="", proto=0x0800, key=None, seq=None, csum_ok=True,
        payload=None, bits=0, csum_flip=0x5555):
    """flags: 'C', 'K', 'S' letters present; bits: extra raw bits;
    csum_flip: what a wrong checksum (csum_ok=False) is XORed with."""
    if payload is None:
        payload = inner_icmp()
    word = bits
    opts = b""
    if "C" in flags:
        word |= 0x8000
        opts += b"\0\0\0\0"
    if "K" in flags:
        word |= 0x2000
        opts += struct.pack("!I", key or 0)
    if "S" in flags:
        word |= 0x1000
        opts += struct.pack("!I", seq or 0)
    pkt = struct.pack("!HH", word, proto) + opts + payload
    if "C" in flags:
        c = csum(pkt)
        if not csum_ok:
            c ^= csum_flip
        pkt = pkt[:4] + struct.pack("!H", c) + pkt[6:]
    return pkt


CASES = {
    # delivered: a valid GRE packet carrying an ICMP echo
    "valid": lambda: gre(),
    "valid-csum": lambda: gre("C"),
    "valid-key42": lambda: gre("K", key=42),
    # inner ECT(0): with an outer CE (OUTER_TOS=3) it is delivered marked CE
    "valid-ect0": lambda: gre(payload=inner_icmp(tos=2)),
    # a payload with no ECN field (IEEE local experimental ethertype):
    # with an outer CE it is delivered as it is, as ip_tunnel does
    "non-ip": lambda: gre(proto=0x88B5, payload=b"gresec-test" * 4),
    # RFC 2784 bits 6-7 and 8 must be ignored on receipt
    "reserved-ignored": lambda: gre(bits=0x0380),
    # -> rx_drop_version
    "routing": lambda: gre(bits=0x4000, payload=b"\0" * 4 + inner_icmp()),
    "strict-route": lambda: gre(bits=0x0800),
    "recursion": lambda: gre(bits=0x0400),
    # -> rx_drop_malformed: flags promise 16 header bytes, 12 arrive
    "truncated": lambda: struct.pack("!HH", 0xB000, 0x0800) + b"\0" * 8,
    # -> rx_drop_csum
    "bad-csum": lambda: gre("C", csum_ok=False),
    # -> rx_drop_key (tunnel without key gets a keyed packet)
    "unexpected-key": lambda: gre("K", key=7),
    # delivered, but the inner ICMP checksum is wrong: plaintext GRE is not
    # authenticated, so the stack must still check it (IcmpInCsumErrors)
    "inner-bad-csum": lambda: gre(payload=inner_icmp(csum_ok=False)),
    # -> rx_drop_inner: says IPv4, carries 10 bytes
    "inner-short": lambda: gre(payload=b"\x45" + b"\0" * 9),
}


def send(sock, dst, pkt):
    try:
        sock.sendto(pkt, (dst, 0))
    except OSError:
        pass


def run(argv, tos):
    dst, case = argv[0], argv[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    if tos:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, int(tos, 0))
    if case == "seq":
        # sequence numbers given on the command line, in order
        for s in argv[2:]:
            send(sock, dst, gre("S", seq=int(s)))
        return
    if case == "fuzz":
        seed, count = int(argv[2]), int(argv[3])
        print("fuzz seed %d count %d" % (seed, count))
        rnd = random.Random(seed)
        base = gre()
        for _ in range(count):
            kind = rnd.randrange(4)
            if kind == 0:
                pkt = bytes(rnd.randrange(256) for _ in range(rnd.randrange(12, 80)))
            elif kind == 1:
                pkt = bytearray(base)
                pkt[0] = rnd.randrange(256)
                pkt[1] = rnd.choice([0, 0x80, 0x01, rnd.randrange(256)])
                pkt = bytes(pkt[:rnd.randrange(12, len(pkt) + 1)])
            elif kind == 2:
                pkt = bytearray(gre(rnd.choice(["", "C", "K", "S", "CKS", "CK"]),
                                    key=rnd.randrange(4), seq=rnd.randrange(1 << 32)))
                pkt[rnd.randrange(len(pkt))] ^= 1 << rnd.randrange(8)
                pkt = bytes(pkt)
            else:
                pkt = gre(rnd.choice(["", "C", "K"]), key=42,
                          proto=rnd.choice([0x0800, 0x86DD, 0x6558, 0x880B, rnd.randrange(65536)]),
                          payload=bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 64))))
            send(sock, dst, pkt)
        return
    if case == "pcap":
        with open(argv[2], "rb") as f:
            data = f.read()
        magic = struct.unpack("<I", data[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        linktype = struct.unpack(endian + "I", data[20:24])[0]
        off, n = 24, 0
        while off + 16 <= len(data):
            incl = struct.unpack(endian + "IIII", data[off:off + 16])[2]
            frame = data[off + 16:off + 16 + incl]
            off += 16 + incl
            ip = frame[14:] if linktype == 1 else frame
            if linktype == 1 and frame[12:14] == b"\x81\x00":
                ip = frame[18:]
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 47:
                continue
            send(sock, dst, ip[(ip[0] & 15) * 4:])
            n += 1
        print("sent %d GRE payloads from %s" % (n, argv[2]))
        return
    count = int(argv[2]) if len(argv) > 2 else 1
    for _ in range(count):
        send(sock, dst, CASES[case]())


def main():
    if sys.argv[1:] != ["serve"]:
        run(sys.argv[1:], os.environ.get("OUTER_TOS"))
        return
    # One command line a line on stdin, answered "ok" or "error: ...":
    # a test that sends many small batches starts Python once (a second
    # or more under TCG) instead of once a batch.
    for line in sys.stdin:
        words = line.split()
        tos = None
        if words and words[0].startswith("OUTER_TOS="):
            tos = words.pop(0)[len("OUTER_TOS="):]
        try:
            run(words, tos)
            print("ok", flush=True)
        except Exception as e:  # noqa: BLE001 (reported to the test)
            print("error: %r" % e, flush=True)

if __name__ == "__main__":
    main()
