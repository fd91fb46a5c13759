#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeded packet fuzzer for a live gresec receiver (tests/cases/14-fuzz.sh).

  fuzz.py keys SEED                 the receiver's inbound SAs, one a line:
                                    "SPI DEV PROPOSAL KEY AUTHKEY|- WINDOW esn|-"
  fuzz.py send SEED IFACE DSTMAC EXPECT.json [ROUNDS [light]]
                                    build every packet, predict where each
                                    lands, then send them as Ethernet frames
                                    on IFACE (AF_PACKET: outer IP header,
                                    fragments and TOS are ours to choose);
                                    with ROUNDS, wait for EXPECT.json.go and
                                    send them all ROUNDS times more (phase 2);
                                    "light": one in 64 of the GRE flag words
                                    gresec never sees (see gen_gre); sends
                                    the corpus in $FUZZ_CORPUS (see below)
                                    when it has one for these arguments
  fuzz.py corpus SEED DIR [ROUNDS [light]]
                                    build on the host what "send" would
                                    build (the packets, their IP fragments
                                    and the predicted counters) into DIR:
                                    under TCG that takes a VM 50-120 s, the
                                    host one; "send" then only adds the
                                    Ethernet header and sends
  fuzz.py snap NS OUT.json          the receiver's counters
  fuzz.py check BEFORE AFTER EXPECT every counter moved by what was predicted
  fuzz.py check2 BEFORE AFTER EXPECT.2  phase 2: ESP counters exact, GRE
                                    counters in total
  fuzz.py churn STOPFILE            (in the receiver's netns) reconfigure its
                                    tunnels until STOPFILE exists

The receiver is the "ns2" end of the test: 192.0.2.2 with the tunnels in
TUNNELS and the inbound SAs of "keys".  Everything sent is decided by SEED
alone, so a failing run is rerun with the same seed.

Each packet is run through a model of the receive path (the kernel's GRE
demultiplexer, gresec_gre_receive(), gresec_esp_rcv() and the anti-replay
window) in the order it is sent, which gives the one counter it must land in:
a tunnel's rx_packets or rx_drop_*, a SA's packets or drop_*, or the
namespace's rx_no_tunnel or esp_unknown_spi.  An ESP packet that decrypts
moves its SA's "packets" and then, for next header 47, the counter its inner
GRE packet lands in (one counter per layer).  Two kinds of packet never
reach a gresec counter and are predicted as "uncounted.*": GRE the kernel's
demultiplexer drops (shorter than 12 bytes, or version bits != 0: 1 is PPTP's
slot, >= 2 is refused outright), and ESP shorter than its 8-byte header, which
has no SPI to attribute it by and is passed down the xfrm chain.  The test
accounts for those through the underlay: veth2 must have received exactly the
frames sent.
"""
import hashlib
import hmac
import json
import os
import random
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gresend  # noqa: E402
from gresend import INNER_DST, INNER_SRC, csum  # noqa: E402

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
except ImportError:  # "keys", "snap" and "check" work without it
    AESGCM = None

DST = "192.0.2.2"
SRC = {"gs0": "192.0.2.1", "gs1": "192.0.2.11", "gs2": "192.0.2.12",
       "gs3": "192.0.2.13", None: "192.0.2.99"}
# dev: (ikey or None, icsum, iseq, protection required)
TUNNELS = {
    "gs0": (None, False, False, False),
    "gs1": (42, True, False, False),
    "gs2": (None, False, True, False),
    "gs3": (None, False, False, True),
}
# SPI: dev, proposal, ESN, replay window
SAS = {
    0x1001: ("gs3", "aes128gcm16", False, 64),
    0x1002: ("gs3", "aes128-sha256", True, 32),
    0x1003: ("gs3", "chacha20poly1305", False, 0),
    0x1004: ("gs0", "aes128-sha1", False, 64),
}
PROP = {  # key bytes, auth key bytes, IV, ICV, block (for the length check)
    "aes128gcm16": (20, 0, 8, 16, 1),
    "aes128-sha256": (16, 32, 16, 16, 16),
    "chacha20poly1305": (36, 0, 8, 16, 1),
    "aes128-sha1": (16, 20, 16, 12, 16),
}

SENDER = None  # (iface, 0) for AF_PACKET


def ip4(a):
    return socket.inet_aton(a)


def keys(seed):
    """Key material for SEED's SAs, from the seed alone."""
    out = {}
    for spi, (dev, prop, esn, win) in sorted(SAS.items()):
        kl, al = PROP[prop][:2]
        h = hashlib.sha256(b"gresec-fuzz %d %d" % (seed, spi)).digest() * 3
        out[spi] = (h[:kl], h[40:40 + al])
    return out


# --- inner packets and GRE -------------------------------------------------

def inner_v4(tos=0, size=44, tot_len=None, ihl=5, proto=1):
    """An ICMP echo reply (nothing answers it) to the receiver's inner
    address; tot_len and ihl may lie."""
    body = struct.pack("!BBHHH", 0, 0, 0, 0x4242, 1) + bytes(max(0, size - 8))
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    tl = 20 + len(body) if tot_len is None else tot_len
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, tl & 0xFFFF, 1, 0, 64,
                      proto, 0, INNER_SRC, INNER_DST)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + body


def inner_v6(tc=0, size=8):
    hdr = struct.pack("!IHBB", (6 << 28) | (tc << 20), size, 59, 64)
    return hdr + b"\x20\x01\x0d\xb8\x00\x01" + b"\0" * 9 + b"\x01" + \
        b"\x20\x01\x0d\xb8\x00\x01" + b"\0" * 9 + b"\x02" + bytes(size)


def gre(flags="", proto=0x0800, key=0, seq=0, payload=b"", bits=0,
        csum_ok=True):
    return gresend.gre(flags, proto, key & 0xFFFFFFFF, seq & 0xFFFFFFFF,
                       csum_ok, payload, bits, csum_flip=0x0101)


# --- ESP --------------------------------------------------------------------

class SA:
    def __init__(self, spi, dev, prop, esn, window, key, akey):
        self.spi, self.dev, self.prop, self.esn, self.window = spi, dev, prop, esn, window
        self.key, self.akey = key, akey
        _, _, self.ivlen, self.icvlen, self.block = PROP[prop]
        self.align = max(4, self.block)
        if prop == "aes128gcm16":
            self.aead, self.salt = AESGCM(key[:16]), key[16:]
        elif prop == "chacha20poly1305":
            self.aead, self.salt = ChaCha20Poly1305(key[:32]), key[32:]
        else:
            self.aead = None
            self.digest = hashlib.sha256 if prop.endswith("sha256") else hashlib.sha1
        self.next = 1       # the sender's next sequence number
        self.sent = []      # numbers already used (for replays)

    def seal(self, seq, payload, nexthdr=47, padlen=None, pad=None,
             rnd=None, trailer=None):
        """An authentic ESP packet with the full sequence number seq.
        trailer replaces padding, pad length and next header outright."""
        hi, lo = seq >> 32, seq & 0xFFFFFFFF
        if trailer is None:
            if padlen is None:
                padlen = (-(len(payload) + 2)) % self.align
            if pad is None:
                pad = bytes(range(1, padlen + 1))
            trailer = pad + bytes([padlen & 0xFF, nexthdr])
        pt = payload + trailer
        hdr = struct.pack("!II", self.spi, lo)
        if self.aead:
            iv = struct.pack("!Q", (rnd.getrandbits(64) if rnd else seq))
            aad = hdr if not self.esn else struct.pack("!III", self.spi, hi, lo)
            return hdr + iv + self.aead.encrypt(self.salt + iv, pt, aad)
        iv = bytes(rnd.getrandbits(8) for _ in range(16)) if rnd else bytes(16)
        if len(pt) % 16:
            # CBC cannot: the receiver refuses the length before the ICV
            ct = pt
        else:
            enc = Cipher(algorithms.AES(self.key), modes.CBC(iv)).encryptor()
            ct = enc.update(pt) + enc.finalize()
        mac = hdr + iv + ct + (struct.pack("!I", hi) if self.esn else b"")
        icv = hmac.new(self.akey, mac, self.digest).digest()[:self.icvlen]
        return hdr + iv + ct + icv


# --- the model of the receiver ----------------------------------------------

class Model:
    def __init__(self, sas):
        self.sas = sas
        self.iseq = {d: [False, 0] for d in TUNNELS}
        self.replay = {spi: [0, set()] for spi in sas}   # top, received

    def lookup(self, src, key_present, key):
        for dev, addr in SRC.items():
            if dev and addr == src:
                ikey = TUNNELS[dev][0]
                want = ikey is not None
                ok = want == key_present and (not want or ikey == key)
                return dev, not ok
        return None, False

    def gre(self, src, tos, p, protected_by=None):
        """Where plaintext GRE (or GRE out of an SA of protected_by) lands."""
        n = len(p)
        if protected_by is None and (n < 12 or p[1] & 0x7F):
            return "uncounted.gre_demux"
        reason = None
        flags = key = seq = 0
        hlen = 4
        if n < 4:
            reason = "rx_drop_malformed"
        else:
            bits = (p[0] << 8) | p[1]
            if bits & 0x4C07:
                reason = "rx_drop_version"
            else:
                flags = bits & 0xB000
                hlen = 4 + 4 * bin(flags).count("1")
                if n < hlen:
                    reason = "rx_drop_malformed"
                else:
                    o = 8 if flags & 0x8000 else 4
                    if flags & 0x2000:
                        key = struct.unpack("!I", p[o:o + 4])[0]
                        o += 4
                    if flags & 0x1000:
                        seq = struct.unpack("!I", p[o:o + 4])[0]
        tun, mismatch = self.lookup(src, not reason and bool(flags & 0x2000), key)
        if protected_by is not None and tun != protected_by:
            return protected_by + "." + (reason or "rx_drop_key")
        if tun is None:
            return "net.rx_no_tunnel"
        if reason:
            return tun + "." + reason
        if mismatch:
            return tun + ".rx_drop_key"
        ikey, icsum, iseq, required = TUNNELS[tun]
        if protected_by is None and required:
            return tun + ".rx_drop_plaintext"
        if flags & 0x8000:
            if csum(p) != 0:
                return tun + ".rx_drop_csum"
        elif icsum:
            return tun + ".rx_drop_csum_missing"
        # Protocol 0 is a keepalive of ours coming back (keepalive.c),
        # taken before the sequence checks.  The peer's keepalives (an
        # inner IPv4 GRE packet from the outer destination to the outer
        # source, reflected) need two 32-bit addresses to match: random
        # payloads never make one.
        if (p[2] << 8) | p[3] == 0:
            return tun + ".keepalive_rx"
        if iseq:
            if not flags & 0x1000:
                return tun + ".rx_drop_seq_missing"
            st = self.iseq[tun]
            d = (seq - st[1]) & 0xFFFFFFFF
            if st[0] and d >= 0x80000000:
                return tun + ".rx_drop_seq"
            st[0], st[1] = True, (seq + 1) & 0xFFFFFFFF
        proto = (p[2] << 8) | p[3]
        inner = p[hlen:]
        itos = 0
        if proto == 0x0800:
            if len(inner) < 20:
                return tun + ".rx_drop_inner"
            itos = inner[1]
        elif proto == 0x86DD:
            if len(inner) < 40:
                return tun + ".rx_drop_inner"
            itos = ((inner[0] << 8 | inner[1]) >> 4) & 0xFF
        # RFC 6040 applies to IP inner packets; another payload has no
        # ECN field and passes, as with ip_tunnel.
        if proto in (0x0800, 0x86DD) and itos & 3 == 0 and tos & 3 == 3:
            return tun + ".rx_drop_ecn"
        return tun + ".rx_packets"

    def seq_full(self, sa, lo):
        """gresec_replay_seq()"""
        top = self.replay[sa.spi][0]
        if not sa.esn:
            return lo
        th, tl = top >> 32, top & 0xFFFFFFFF
        w = sa.window or (1 << 31)
        bottom = (tl - w + 1) & 0xFFFFFFFF
        if tl >= w - 1:
            if lo >= bottom:
                return (th << 32) | lo
            if th == 0xFFFFFFFF:
                return 0
            return ((th + 1) << 32) | lo
        if lo >= bottom and th:
            return ((th - 1) << 32) | lo
        return (th << 32) | lo

    def replay_check(self, sa, seq):
        top, got = self.replay[sa.spi]
        if not seq:
            return "drop_replay_old"
        if not sa.window or seq > top:
            return None
        if top - seq >= sa.window:
            return "drop_replay_old"
        if seq in got:
            return "drop_replay_dup"
        return None

    def replay_advance(self, sa, seq):
        st = self.replay[sa.spi]
        if seq > st[0]:
            st[0] = seq
        if sa.window:
            st[1].add(seq)
            if len(st[1]) > 4 * sa.window:
                st[1] = {s for s in st[1] if st[0] - s < sa.window}

    def esp(self, src, tos, p, auth):
        """Where ESP lands; auth is (spi, seq-hi) when p is authentic."""
        if len(p) < 8:
            return ["uncounted.esp_runt"]
        spi, lo = struct.unpack("!II", p[:8])
        sa = self.sas.get(spi)
        if sa is None:
            return ["net.esp_unknown_spi"]
        name = "sa.%#x." % spi
        seq = self.seq_full(sa, lo)
        r = self.replay_check(sa, seq)
        if r:
            return [name + r]
        elen = len(p) - 8 - sa.ivlen - sa.icvlen
        if elen < 2 or elen % sa.block:
            return [name + "drop_bad_length"]
        if auth is None or auth[0] != spi or (sa.esn and auth[1] != seq >> 32):
            return [name + "drop_icv"]
        self.replay_advance(sa, seq)
        pt = auth[2]
        padlen, nh = pt[-2], pt[-1]
        if padlen + 2 > elen or pt[-2 - padlen:-2] != bytes(range(1, padlen + 1)):
            return [name + "drop_bad_length"]
        if nh == 59:
            return [name + "packets"]
        if nh != 47:
            return [name + "drop_next_header"]
        return [name + "packets", self.gre(src, tos, pt[:-2 - padlen], sa.dev)]


# --- the packets --------------------------------------------------------------

class Pkt:
    __slots__ = ("cls", "src", "proto", "tos", "payload", "auth", "frag", "opts")

    def __init__(self, cls, src, proto, payload, tos=0, auth=None, frag=None):
        self.cls, self.src, self.proto, self.payload = cls, src, proto, payload
        self.tos, self.auth, self.frag = tos, auth, frag
        self.opts = 0   # 32-bit words of outer IP options (NOPs)


POOL = []


def valid_inner(rnd):
    """A well-formed inner packet from a pool (building each anew is slow
    under TCG)."""
    if not POOL:
        for _ in range(256):
            POOL.append(make_inner(rnd))
    return POOL[rnd.randrange(256)]


def make_inner(rnd):
    k = rnd.randrange(4)
    if k == 0:
        return 0x86DD, inner_v6(tc=rnd.choice([0, 1, 2, 3]) << 0, size=rnd.randrange(0, 32))
    if k == 1:
        return rnd.choice([0x6558, 0x880B, 0x0806, rnd.randrange(65536)]), \
            bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 40)))
    return 0x0800, inner_v4(tos=rnd.choice([0, 0, 1, 2, 3]), size=rnd.randrange(8, 64))


def good_gre(rnd, dev, st):
    """A GRE packet the tunnel dev accepts (if its state allows)."""
    proto, payload = valid_inner(rnd)
    flags = ""
    key = 0
    if dev == "gs1":
        flags, key = "CK", 42
    if dev == "gs2":
        flags += "S"
    if rnd.random() < 0.3 and "C" not in flags:
        flags += "C"
    st[dev] = st.get(dev, 0) + 1
    return gre(flags, proto, key, st[dev], payload)


def gen_gre(rnd, sas, light):
    out = []
    devs = list(SRC)
    gseq = {}

    # every value of the 16 flag and version bits, once each, at a random
    # tunnel, the options the flags promise present and the checksum right.
    # Light (the debug kernel, where each packet costs ten times more): the
    # 65,024 words the kernel's demultiplexer drops before gresec sees them
    # (a second byte other than 0x00 or 0x80), sampled one in 64.
    for word in range(65536):
        if light and word & 0x007F and rnd.randrange(64):
            continue
        dev = rnd.choice(devs)
        proto, payload = valid_inner(rnd)
        hlen = 4 + 4 * bin(word & 0xB000).count("1")
        opts = bytearray(hlen - 4)
        if word & 0x2000:
            k = 42 if rnd.random() < 0.7 else rnd.getrandbits(32)
            o = 4 if word & 0x8000 else 0
            opts[o:o + 4] = struct.pack("!I", k)
        if word & 0x1000:
            gseq[dev] = gseq.get(dev, 0) + rnd.choice([1, 1, 1, 0, -3, 1 << 31])
            opts[-4:] = struct.pack("!I", gseq[dev] & 0xFFFFFFFF)
        pkt = struct.pack("!HH", word, proto) + bytes(opts) + payload
        if word & 0x8000:
            c = csum(pkt)
            pkt = pkt[:4] + struct.pack("!H", c) + pkt[6:]
        out.append(Pkt("gre-flags", SRC[dev], 47, pkt))

    # truncated at every offset
    for dev in devs:
        for flags in ("", "C", "K", "S", "CKS"):
            for proto, payload in ((0x0800, inner_v4(size=24)), (0x86DD, inner_v6(size=8))):
                base = gre(flags, proto, 42, rnd.getrandbits(32), payload)
                for cut in range(len(base) + 1):
                    out.append(Pkt("gre-truncated", SRC[dev], 47, base[:cut]))

    # checksums: right, wrong by one bit, wrong, zero, odd lengths
    for _ in range(2000):
        dev = rnd.choice(devs)
        p = bytearray(good_gre(rnd, dev, gseq))
        if not p[0] & 0x80:
            p = bytearray(gre("C" + ("K" if dev == "gs1" else ""), 0x0800, 42, 0,
                              inner_v4(size=rnd.randrange(8, 61))))
        k = rnd.randrange(4)
        if k == 0:
            p[4] ^= 1 << rnd.randrange(8)
        elif k == 1:
            p[4:6] = b"\0\0"
        elif k == 2:
            p[rnd.randrange(4, len(p))] ^= 0xFF
        out.append(Pkt("gre-csum", SRC[dev], 47, bytes(p)))

    # keys: wrong, missing, unexpected, from nowhere
    for _ in range(2000):
        dev = rnd.choice(devs)
        flags = rnd.choice(["", "K", "CK", "KS", "CKS"])
        key = rnd.choice([42, 0, 41, 43, 1 << 31, rnd.getrandbits(32)])
        out.append(Pkt("gre-key", SRC[dev], 47,
                       gre(flags, 0x0800, key, rnd.getrandbits(32), inner_v4())))

    # sequence numbers at the iseq tunnel: in order, replayed, reordered,
    # missing, and across the 32-bit wrap and the half-space boundary
    s = rnd.getrandbits(32)
    for _ in range(3000):
        k = rnd.randrange(8)
        if k < 3:
            s = (s + 1) & 0xFFFFFFFF
            v = s
        elif k == 3:
            v = (s - rnd.randrange(0, 5)) & 0xFFFFFFFF
        elif k == 4:
            v = (s + rnd.choice([2, 3, 1 << 31, (1 << 31) - 1, (1 << 31) + 1])) & 0xFFFFFFFF
        elif k == 5:
            s = rnd.choice([0xFFFFFFFE, 0x7FFFFFFE, 0]) if rnd.random() < 0.1 else s
            v = s
        elif k == 6:
            out.append(Pkt("gre-seq", SRC["gs2"], 47, gre("", 0x0800, payload=inner_v4())))
            continue
        else:
            v = rnd.getrandbits(32)
        out.append(Pkt("gre-seq", SRC["gs2"], 47,
                       gre(rnd.choice(["S", "S", "CS", "KS"]), 0x0800, 0, v, inner_v4())))

    # ECN: every outer codepoint against every inner one, each family
    for _ in range(4):
        for dev in devs:
            for otos in range(4):
                for itos in range(4):
                    for proto, payload in ((0x0800, inner_v4(tos=itos | 0x20)),
                                           (0x86DD, inner_v6(tc=itos | 0x40)),
                                           (0x6558, bytes(20))):
                        flags = "CK" if dev == "gs1" else ""
                        p = gre(flags, proto, 42, 0, payload)
                        if dev == "gs2":
                            p = gre("S", proto, 0, rnd.getrandbits(32), payload)
                        out.append(Pkt("gre-ecn", SRC[dev], 47, p, tos=otos | (rnd.randrange(64) << 2)))

    # lying lengths: inner tot_len/ihl, short inner headers, trailing
    # bytes, the largest packet the underlay carries
    for _ in range(1500):
        dev = rnd.choice(devs)
        k = rnd.randrange(5)
        if k == 0:
            payload = inner_v4(size=rnd.randrange(0, 40), tot_len=rnd.getrandbits(16),
                               ihl=rnd.randrange(16))
            proto = 0x0800
        elif k == 1:
            proto = rnd.choice([0x0800, 0x86DD])
            payload = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 48)))
        elif k == 2:
            proto, payload = 0x0800, inner_v4() + bytes(rnd.randrange(1, 200))
        elif k == 3:
            proto, payload = 0x0800, inner_v4(size=rnd.randrange(1300, 1480 - 20 - 16 - 8))
        else:
            proto, payload = 0x86DD, inner_v6(size=rnd.randrange(0, 200))[:rnd.randrange(0, 80)]
        flags = "CK" if dev == "gs1" else ("S" if dev == "gs2" else rnd.choice(["", "C"]))
        out.append(Pkt("gre-length", SRC[dev], 47,
                       gre(flags, proto, 42, rnd.getrandbits(32), payload)))

    # random: bit flips, byte splats, random bytes, random lengths
    for _ in range(8000):
        dev = rnd.choice(devs)
        p = bytearray(good_gre(rnd, dev, gseq))
        k = rnd.randrange(4)
        if k == 0:
            for _ in range(rnd.randrange(1, 4)):
                p[rnd.randrange(len(p))] ^= 1 << rnd.randrange(8)
        elif k == 1:
            p[rnd.randrange(min(16, len(p)))] = rnd.getrandbits(8)
        elif k == 2:
            p = bytearray(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 100)))
            if rnd.random() < 0.7 and len(p) > 1:
                p[1] &= 0x80
        else:
            p = p[:rnd.randrange(0, len(p) + 1)] + bytes(rnd.randrange(0, 3))
        out.append(Pkt("gre-random", SRC[dev], 47, bytes(p)))
    return out


def gen_esp(rnd, sas):
    out = []
    spis = list(sas)

    def seal_next(sa, payload, **kw):
        seq = sa.next
        sa.next += 1
        sa.sent.append(seq)
        return seq, sa.seal(seq, payload, rnd=rnd, **kw)

    def esp_pkt(cls, sa, payload, src=None, tos=0, seq=None, **kw):
        if seq is None:
            seq, p = seal_next(sa, payload, **kw)
        else:
            p = sa.seal(seq, payload, rnd=rnd, **kw)
        # the plaintext, for the model (what decryption gives)
        pad = kw.get("trailer")
        if pad is None:
            padlen = kw.get("padlen")
            if padlen is None:
                padlen = (-(len(payload) + 2)) % sa.align
            padb = kw.get("pad")
            if padb is None:
                padb = bytes(range(1, padlen + 1))
            pad = padb + bytes([padlen & 0xFF, kw.get("nexthdr", 47)])
        return Pkt(cls, src or SRC[sa.dev], 50, p, tos=tos, auth=(sa.spi, seq >> 32, payload + pad))

    def good_inner(sa):
        return good_gre(rnd, sa.dev, {})

    for _ in range(2000):
        sa = sas[rnd.choice(spis)]
        out.append(esp_pkt("esp-valid", sa, good_inner(sa)))

    # bad ICV: a flipped bit anywhere after the SPI, or a wrong key
    for _ in range(2000):
        sa = sas[rnd.choice(spis)]
        pkt = esp_pkt("esp-icv", sa, good_inner(sa))
        p = bytearray(pkt.payload)
        if rnd.random() < 0.2:
            other = SA(sa.spi, sa.dev, sa.prop, sa.esn, sa.window,
                       bytes(x ^ 1 for x in sa.key), bytes(x ^ 1 for x in sa.akey))
            p = bytearray(other.seal(pkt.auth[1] << 32 | struct.unpack("!I", p[4:8])[0],
                                     good_inner(sa), rnd=rnd))
        else:
            p[rnd.randrange(8, len(p))] ^= 1 << rnd.randrange(8)
        pkt.payload, pkt.auth = bytes(p), None
        out.append(pkt)

    # bad padding: wrong pad bytes, pad length beyond the payload
    for _ in range(1500):
        sa = sas[rnd.choice(spis)]
        payload = good_inner(sa)
        k = rnd.randrange(3)
        if k == 0:
            padlen = (-(len(payload) + 2)) % sa.align + sa.align * rnd.randrange(0, 3)
            pad = bytearray(range(1, padlen + 1))
            if padlen:
                pad[rnd.randrange(padlen)] ^= rnd.randrange(1, 256)
            else:
                pad = bytearray()
            out.append(esp_pkt("esp-padding", sa, payload, padlen=padlen, pad=bytes(pad)))
        elif k == 1:
            total = len(payload) + 2
            padlen = (-total) % sa.align
            pad = bytes(range(1, padlen + 1))
            out.append(esp_pkt("esp-padding", sa, payload,
                               trailer=pad + bytes([rnd.randrange(len(payload) + padlen + 1, 256), 47])))
        else:
            # padding longer than the minimum, up to 255, still valid
            # (RFC 4303 2.4)
            padlen = (-(len(payload) + 2)) % sa.align + sa.align * rnd.randrange(1, 12)
            if rnd.random() < 0.3:
                padlen = 255 - (len(payload) + 2 + 255) % sa.align
            out.append(esp_pkt("esp-padding", sa, payload, padlen=padlen))

    # next header other than GRE; 59 is a dummy packet (accepted, dropped)
    for _ in range(1000):
        sa = sas[rnd.choice(spis)]
        nh = rnd.choice([59, 4, 41, 50, 0, 255, rnd.randrange(256)])
        out.append(esp_pkt("esp-next-header", sa, good_inner(sa), nexthdr=nh))

    # replayed and reordered sequence numbers, jumps, zero
    for _ in range(4000):
        sa = sas[rnd.choice(spis)]
        k = rnd.randrange(6)
        if k == 0 and sa.sent:
            seq = rnd.choice(sa.sent[-80:])
        elif k == 1:
            # a burst sent backwards
            n = rnd.randrange(2, 6)
            base = sa.next
            sa.next += n
            for s in reversed(range(base, base + n)):
                sa.sent.append(s)
                out.append(esp_pkt("esp-replay", sa, good_inner(sa), seq=s))
            continue
        elif k == 2:
            seq = max(1, sa.next - rnd.randrange(1, 200))
        elif k == 3:
            seq = sa.next + rnd.randrange(1, 100)
            sa.next = seq + 1
        elif k == 4:
            seq = 0
        else:
            seq = sa.next
            sa.next += 1
        sa.sent.append(seq)
        out.append(esp_pkt("esp-replay", sa, good_inner(sa), seq=seq))

    # unknown SPIs (none of ours, reserved ones, zero)
    for _ in range(1500):
        spi = rnd.choice([0, 1, 255, 256, 0x1000, 0x1005, 0x2001, 0xFFFFFFFF, rnd.getrandbits(32)])
        while spi in sas:
            spi = rnd.getrandbits(32)
        body = struct.pack("!II", spi, rnd.getrandbits(32)) + \
            bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 80)))
        out.append(Pkt("esp-unknown-spi", rnd.choice(list(SRC.values())), 50, body))

    # zero-length payload (GRE: malformed; dummy: accepted)
    for _ in range(300):
        sa = sas[rnd.choice(spis)]
        out.append(esp_pkt("esp-zero", sa, b"", nexthdr=rnd.choice([47, 47, 59])))

    # truncated at every offset, and junk appended
    for spi in spis:
        sa = sas[spi]
        for _ in range(3):
            full = esp_pkt("esp-truncated", sa, good_inner(sa))
            for cut in range(len(full.payload) + 1):
                out.append(Pkt("esp-truncated", full.src, 50, full.payload[:cut],
                               auth=full.auth if cut == len(full.payload) else None))
            out.append(Pkt("esp-truncated", full.src, 50,
                           full.payload + bytes(rnd.randrange(1, 17))))

    # authentic ESP around bad GRE: every GRE case of the plaintext fuzz,
    # and GRE of another tunnel (an SA vouches for its own only)
    for _ in range(2000):
        sa = sas[rnd.choice(spis)]
        k = rnd.randrange(4)
        src = None
        if k == 0:
            inner = gre("", rnd.randrange(65536), 0, 0, bytes(rnd.randrange(0, 30)),
                        bits=rnd.getrandbits(16) & 0x4FFF)
        elif k == 1:
            inner = good_inner(sa)[:rnd.randrange(0, 24)]
        elif k == 2:
            inner = good_inner(sa)
            src = rnd.choice(list(SRC.values()))
        else:
            inner = bytearray(good_inner(sa))
            inner[rnd.randrange(len(inner))] ^= 1 << rnd.randrange(8)
            inner = bytes(inner)
        out.append(esp_pkt("esp-inner", sa, inner, src=src, tos=rnd.randrange(4)))

    # big: GRE and ESP up to the 64 KiB an IP datagram holds, which only
    # fragments can bring (reassembled into a frag_list skb)
    for _ in range(60):
        sa = sas[rnd.choice(spis)]
        size = rnd.choice([2000, 9000, 30000, 65515 - 8 - 16 - 16 - 16 - 20 - 16 - 32])
        flags = rnd.choice(["", "C"])
        inner = gre(flags, 0x0800, 0, 0, inner_v4(tos=rnd.randrange(4), size=size))
        pkt = esp_pkt("esp-big", sa, inner, tos=rnd.randrange(4))
        if rnd.random() < 0.3:
            pkt.auth = None
            p = bytearray(pkt.payload)
            p[rnd.randrange(8, len(p))] ^= 0x80
            pkt.payload = bytes(p)
        pkt.frag = True
        out.append(pkt)
        dev = rnd.choice(list(SRC))
        flags = "CK" if dev == "gs1" else ("S" if dev == "gs2" else rnd.choice(["", "C"]))
        p = bytearray(gre(flags, 0x0800, 42, rnd.getrandbits(32),
                          inner_v4(tos=rnd.randrange(4), size=size)))
        if rnd.random() < 0.3:
            p[rnd.randrange(len(p))] ^= 0x80
        out.append(Pkt("gre-big", SRC[dev], 47, bytes(p), frag=True))

    # ESN: the high half the receiver infers, across the 32-bit wrap, and
    # a sender that guessed it wrong
    sa = sas[0x1002]
    for _ in range(60):
        out.append(esp_pkt("esp-esn", sa, good_inner(sa)))
    seq = 0xFFFFFFF0
    for i in range(40):
        k = rnd.randrange(4)
        if k == 0:
            out.append(esp_pkt("esp-esn", sa, good_inner(sa), seq=seq ^ (1 << 32)))
        else:
            out.append(esp_pkt("esp-esn", sa, good_inner(sa), seq=seq))
        seq += 1
    sa.next = seq
    return out


def fragment(rnd, pkt):
    """Split into 2-6 fragments (8-byte multiples), in a random order."""
    n = len(pkt.payload)
    if n < 16:
        return [(0, 0, pkt.payload)]
    if n > 1400:
        step = 8 * rnd.randrange(100, 186)
        frags = [(o, o + step < n, pkt.payload[o:o + step]) for o in range(0, n, step)]
        if rnd.random() < 0.5:
            rnd.shuffle(frags)
        return frags
    cuts = sorted({8 * rnd.randrange(1, (n + 7) // 8) for _ in range(rnd.randrange(1, 6))})
    cuts = [c for c in cuts if c < n]
    bounds = [0] + cuts + [n]
    frags = [(bounds[i], bounds[i + 1] < n, pkt.payload[bounds[i]:bounds[i + 1]])
             for i in range(len(bounds) - 1)]
    if rnd.random() < 0.5:
        rnd.shuffle(frags)
    return frags


def generate(seed, light=False):
    rnd = random.Random(seed)
    k = keys(seed)
    sas = {spi: SA(spi, d, p, e, w, *k[spi]) for spi, (d, p, e, w) in SAS.items()}
    lists = [gen_gre(rnd, sas, light), gen_esp(rnd, sas)]
    # fragments: a share of GRE and ESP packets, reassembled by the receiver
    for src_list in lists:
        for pkt in rnd.sample(src_list, 700):
            if len(pkt.payload) >= 16:
                pkt.frag = True
    # outer IP options (NOPs; ESN borrows the 4 bytes in front of ESP)
    for src_list in lists:
        for pkt in rnd.sample(src_list, 1000):
            if not pkt.frag and len(pkt.payload) <= 1400:
                pkt.opts = rnd.randrange(1, 11)
    # interleave the classes, keeping each one's own order
    merged = []
    idx = [0, 0]
    while idx[0] < len(lists[0]) or idx[1] < len(lists[1]):
        left = [len(lists[i]) - idx[i] for i in range(2)]
        i = 0 if rnd.randrange(left[0] + left[1]) < left[0] else 1
        merged.append(lists[i][idx[i]])
        idx[i] += 1
    return rnd, sas, merged


def frames_of(rnd, pkts, srcmac, dstmac):
    eth = dstmac + srcmac + b"\x08\x00"
    dst = ip4(DST)
    srcs = {a: ip4(a) for a in SRC.values()}
    ident = 0
    for pkt in pkts:
        ident = (ident + 1) & 0xFFFF
        parts = fragment(rnd, pkt) if pkt.frag else [(0, False, pkt.payload)]
        for off, more, data in parts:
            fo = (off // 8) | (0x2000 if more else 0)
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45 + pkt.opts, pkt.tos,
                              20 + 4 * pkt.opts + len(data), ident, fo,
                              64, pkt.proto, 0, srcs[pkt.src], dst)
            if pkt.opts:
                hdr += b"\x01" * (4 * pkt.opts - 1) + b"\x00"
            hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            yield eth + hdr + data


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def predict(model, pkts):
    """Counter moves, in total and per class, of sending pkts in order."""
    expect, classes, sizes = {}, {}, {}
    for pkt in pkts:
        c = pkt.cls + ("+frag" if pkt.frag else "")
        sizes[c] = sizes.get(c, 0) + 1
        if pkt.proto == 47:
            where = [model.gre(pkt.src, pkt.tos, pkt.payload)]
        else:
            where = model.esp(pkt.src, pkt.tos, pkt.payload, pkt.auth)
        cls = classes.setdefault(c, {})
        for w in where:
            expect[w] = expect.get(w, 0) + 1
            cls[w] = cls.get(w, 0) + 1
    return expect, classes, sizes


def send_all(frames):
    sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sk.bind(SENDER)
    send = sk.send
    for fr in frames:
        while True:
            try:
                send(fr)
                break
            except OSError as e:
                if e.errno not in (11, 105):  # EAGAIN, ENOBUFS: again
                    raise
                time.sleep(0.001)
    sk.close()


def wait_for(path, secs):
    for _ in range(secs * 10):
        if os.path.exists(path):
            return
        time.sleep(0.1)
    sys.exit("fuzz: %s never appeared" % path)


def build(seed, rounds, light):
    """Everything "send" sends and predicts for SEED, as
    (IP packets without their Ethernet header, phase 1's expectation,
    phase 2's or None, the summary lines to print)."""
    rnd, sas, pkts = generate(seed, light)
    model = Model(sas)
    expect, classes, sizes = predict(model, pkts)
    # The Ethernet header is added by "send", which knows the MACs; the
    # random fragmentation below does not depend on them.
    packets = [fr[14:] for fr in frames_of(rnd, pkts, b"\0" * 6, b"\0" * 6)]
    nfrag = sum(1 for p in pkts if p.frag)
    lines = ["fuzz seed %d: %d packets (%d of them as fragments) in %d frames"
             % (seed, len(pkts), nfrag, len(packets))]
    for c in sorted(classes):
        lines.append("  %-24s %6d  %s" % (c, sizes[c],
                                          " ".join("%s=%d" % kv for kv in sorted(classes[c].items()))))
    exp1 = {"seed": seed, "packets": len(pkts), "frames": len(packets),
            "counters": expect}
    if not rounds:
        return packets, exp1, None, lines
    # Phase 2: the same frames again, rounds times, while the test changes
    # the tunnels' configuration underneath.  Which GRE counter a packet
    # lands in then depends on the timing, but not whether it lands in one
    # (totals per layer), and the ESP layer does not look at the tunnel's
    # configuration at all (exact per SA counter).
    exp2 = {}
    for _ in range(rounds):
        e, _, _ = predict(model, pkts)
        for k, v in e.items():
            exp2[k] = exp2.get(k, 0) + v
    esp = {k: v for k, v in exp2.items() if k.startswith("sa.") or k == "net.esp_unknown_spi"}
    gre_total = sum(v for k, v in exp2.items() if k.startswith("gs") or k == "net.rx_no_tunnel")
    exp2 = {"frames": rounds * len(packets), "esp": esp, "gre_total": gre_total,
            "uncounted": {k: v for k, v in exp2.items() if k.startswith("uncounted.")}}
    return packets, exp1, exp2, lines


def corpus_name(seed, rounds, light):
    return "fuzz-%d-%d%s" % (seed, rounds, "-light" if light else "")


def cmd_corpus(seed, out_dir, rounds, light):
    """Write build()'s result to OUT_DIR/NAME.{json,bin}: the packets as
    4-byte big-endian lengths, each followed by its bytes."""
    t0 = time.time()
    packets, exp1, exp2, lines = build(seed, rounds, light)
    base = os.path.join(out_dir, corpus_name(seed, rounds, light))
    with open(base + ".bin.tmp", "wb") as f:
        for p in packets:
            f.write(struct.pack("!I", len(p)))
            f.write(p)
    with open(base + ".json.tmp", "w") as f:
        json.dump({"expect": exp1, "expect2": exp2, "lines": lines,
                   "built": round(time.time() - t0, 1)}, f, sort_keys=True)
    # The test takes a corpus only when both files are there, whole.
    os.rename(base + ".bin.tmp", base + ".bin")
    os.rename(base + ".json.tmp", base + ".json")
    print("%s: %d frames, built in %.1fs" % (base, len(packets), time.time() - t0))


def load_corpus(seed, rounds, light):
    """build()'s result from $FUZZ_CORPUS, or None if it has none for
    these arguments."""
    d = os.environ.get("FUZZ_CORPUS")
    if not d:
        return None
    base = os.path.join(d, corpus_name(seed, rounds, light))
    try:
        with open(base + ".json") as f:
            meta = json.load(f)
        with open(base + ".bin", "rb") as f:
            data = f.read()
    except OSError:
        return None
    packets, off, unpack = [], 0, struct.unpack_from
    while off < len(data):
        n, = unpack("!I", data, off)
        packets.append(data[off + 4:off + 4 + n])
        off += 4 + n
    if len(packets) != meta["expect"]["frames"] or meta["expect"]["seed"] != seed:
        sys.exit("fuzz: corpus %s is damaged" % base)
    return packets, meta["expect"], meta["expect2"], meta["lines"], meta["built"]


def cmd_send(seed, iface, dstmac, expect_file, rounds, light):
    global SENDER
    SENDER = (iface, 0)
    t0 = time.time()
    got = load_corpus(seed, rounds, light)
    if got:
        packets, exp1, exp2, lines, built = got
        where = "built on the host in %.1fs, loaded in %.1fs" % (built, time.time() - t0)
    else:
        if os.environ.get("FUZZ_CORPUS"):
            print("fuzz: no corpus for seed %d, %d rounds%s in %s: building it here"
                  % (seed, rounds, ", light" if light else "", os.environ["FUZZ_CORPUS"]))
        packets, exp1, exp2, lines = build(seed, rounds, light)
        where = "built in %.1fs" % (time.time() - t0)
    with open("/sys/class/net/%s/address" % iface) as f:
        srcmac = mac(f.read().strip())
    eth = mac(dstmac) + srcmac + b"\x08\x00"
    frames = [eth + p for p in packets]
    del packets
    t1 = time.time()
    send_all(frames)
    t2 = time.time()
    print("%s; %s, sent in %.1fs" % (lines[0], where, t2 - t1))
    for line in lines[1:]:
        print(line)
    with open(expect_file, "w") as f:
        json.dump(exp1, f, indent=1, sort_keys=True)
    if not rounds:
        return
    with open(expect_file + ".2", "w") as f:
        json.dump(exp2, f, indent=1, sort_keys=True)
    open(expect_file + ".ready", "w").close()
    wait_for(expect_file + ".go", 300)
    t3 = time.time()
    for _ in range(rounds):
        send_all(frames)
    print("fuzz seed %d, phase 2: the same %d frames %d times more in %.1fs"
          % (seed, len(frames), rounds, time.time() - t3))


def cmd_snap(ns, out_file):
    snap = {}

    def show(*args):
        return json.loads(subprocess.check_output(
            ["ip", "netns", "exec", ns, "gresec", "show"] + list(args) + ["-j"]))
    for dev in TUNNELS:
        t = show(dev)[0]
        for k, v in t["stats"].items():
            if k.startswith(("rx_packets", "rx_drop", "keepalive_r")):
                snap[dev + "." + k] = v
        for sa in t.get("sas", []):
            if sa["dir"] != "in":
                continue
            for k, v in sa["stats"].items():
                if k != "bytes":
                    snap["sa.%#x.%s" % (sa["spi"], k)] = v
    n = show("net")
    snap["net.rx_no_tunnel"] = n["rx_no_tunnel"]
    snap["net.esp_unknown_spi"] = n["esp_unknown_spi"]
    with open(out_file, "w") as f:
        json.dump(snap, f, indent=1, sort_keys=True)


def cmd_check(before_file, after_file, expect_file):
    before = json.load(open(before_file))
    after = json.load(open(after_file))
    exp = json.load(open(expect_file))["counters"]
    bad = 0
    for k in sorted(set(after) | set(exp)):
        if k.startswith("uncounted."):
            print("  %-32s %7d  (never reaches gresec)" % (k, exp[k]))
            continue
        got = after.get(k, 0) - before.get(k, 0)
        want = exp.get(k, 0)
        if got or want:
            print("  %-32s %7d %s" % (k, got, "" if got == want else "  MISMATCH: want %d" % want))
        if got != want:
            bad += 1
    counted = sum(v for k, v in exp.items() if not k.startswith("uncounted."))
    print("counter moves predicted %d, mismatching counters %d" % (counted, bad))
    return 1 if bad else 0


def cmd_check2(before_file, after_file, expect_file):
    before = json.load(open(before_file))
    after = json.load(open(after_file))
    exp = json.load(open(expect_file))
    bad = 0
    for k in sorted(set(exp["esp"]) | {k for k in after if k.startswith("sa.")} |
                    {"net.esp_unknown_spi"}):
        got = after.get(k, 0) - before.get(k, 0)
        want = exp["esp"].get(k, 0)
        if got or want:
            print("  %-32s %7d %s" % (k, got, "" if got == want else "  MISMATCH: want %d" % want))
        bad += got != want
    got = sum(after[k] - before.get(k, 0) for k in after
              if k.startswith("gs") or k == "net.rx_no_tunnel")
    print("  %-32s %7d %s" % ("GRE layer, all counters", got,
                              "" if got == exp["gre_total"] else
                              "  MISMATCH: want %d" % exp["gre_total"]))
    bad += got != exp["gre_total"]
    return 1 if bad else 0


def cmd_churn(stop_file):
    """Reconfigure the receiver's tunnels as fast as netlink allows until
    stop_file appears, then put everything back: the RCU config swap,
    rehashing on a new remote, link down and up (GRO cells, lookups that
    skip a down tunnel), sequence state, protection, and dumps between."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from nlraw import Genl, encode, NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP
    os.sched_setaffinity(0, {1})
    g = Genl()
    rt = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    rt.bind((0, 0))
    idx = {d: socket.if_nametoindex(d) for d in TUNNELS}
    SET, GET = 2, 1
    IFNAME, REMOTE, IKEY, IFLAGS, PROTECTION = 2, 4, 5, 7, 15

    def tset(dev, *attrs):
        msgs, err = g.send(g.family, SET, encode([(IFNAME, "strz", dev)] + list(attrs)),
                           NLM_F_REQUEST | NLM_F_ACK)
        if err:
            sys.exit("churn: set %s %r: %r" % (dev, attrs, err))

    def link(dev, up):
        msg = struct.pack("=BxHiII", 0, 0, idx[dev], 1 if up else 0, 1)
        rt.send(struct.pack("=IHHII", 16 + len(msg), 16, NLM_F_REQUEST | NLM_F_ACK, 1, 0) + msg)
        data = rt.recv(65536)
        err = struct.unpack("=i", data[16:20])[0]
        if err:
            sys.exit("churn: link %s: %d" % (dev, err))

    remote = {a: struct.unpack("=I", ip4(a))[0] for a in ("192.0.2.1", "192.0.2.98")}
    ops = [
        lambda: tset("gs2", (IFLAGS, "u32", 0)),
        lambda: tset("gs2", (IFLAGS, "u32", 4)),
        lambda: tset("gs1", (IFLAGS, "u32", 0)),
        lambda: tset("gs1", (IFLAGS, "u32", 3), (IKEY, "u32", 42)),
        lambda: tset("gs0", (REMOTE, "u32", remote["192.0.2.98"])),
        lambda: tset("gs0", (REMOTE, "u32", remote["192.0.2.1"])),
        lambda: tset("gs3", (PROTECTION, "u32", 0)),
        lambda: tset("gs3", (PROTECTION, "u32", 1)),
        lambda: link("gs3", False),
        lambda: link("gs3", True),
        lambda: link("gs1", False),
        lambda: link("gs1", True),
        lambda: g.send(g.family, GET, b"", NLM_F_REQUEST | NLM_F_DUMP),
        lambda: g.send(g.family, 3, b"", NLM_F_REQUEST | NLM_F_ACK),
    ]
    n = 0
    while not os.path.exists(stop_file):
        ops[n % len(ops)]()
        n += 1
    for i in (1, 3, 5, 7, 9, 11):
        ops[i]()
    print("churn: %d configuration changes and dumps" % n)


def main():
    a = sys.argv[1:]
    if a[0] == "keys":
        k = keys(int(a[1]))
        for spi, (dev, prop, esn, win) in sorted(SAS.items()):
            print("%#x %s %s %s %s %d %s" % (spi, dev, prop, k[spi][0].hex(),
                                             k[spi][1].hex() or "-", win, "esn" if esn else "-"))
    elif a[0] == "send":
        if len(a) > 6 and a[6] != "light":
            sys.exit(__doc__)
        os.sched_setaffinity(0, {0})
        cmd_send(int(a[1]), a[2], a[3], a[4], int(a[5]) if len(a) > 5 else 0, len(a) > 6)
    elif a[0] == "corpus":
        if len(a) < 3 or (len(a) > 4 and a[4] != "light"):
            sys.exit(__doc__)
        cmd_corpus(int(a[1]), a[2], int(a[3]) if len(a) > 3 else 0, len(a) > 4)
    elif a[0] == "churn":
        cmd_churn(a[1])
    elif a[0] == "check2":
        sys.exit(cmd_check2(a[1], a[2], a[3]))
    elif a[0] == "snap":
        cmd_snap(a[1], a[2])
    elif a[0] == "check":
        sys.exit(cmd_check(a[1], a[2], a[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
