// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: the GRE header (RFC 2784, RFC 2890): its length, building and
 * parsing, wire-compatible with Linux ip_gre and Cisco IOS.  The tunnel's
 * use of it is in rx.c and tx.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gresec.h>

#include "compat.h"
#include "gre.h"

unsigned int gresec_gre_hlen(u32 flags)
{
	unsigned int len = GRESEC_GRE_HLEN_MIN;

	if (flags & GRESEC_TUNNEL_F_CSUM)
		len += 4;
	if (flags & GRESEC_TUNNEL_F_KEY)
		len += 4;
	if (flags & GRESEC_TUNNEL_F_SEQ)
		len += 4;
	return len;
}

/* The checksum field, when present, is left zero for the caller to fill. */
void gresec_gre_build(u8 *hdr, u32 flags, __be16 proto, u32 key, u32 seq)
{
	u8 *opt = hdr + GRESEC_GRE_HLEN_MIN;
	u16 bits = 0;

	if (flags & GRESEC_TUNNEL_F_CSUM) {
		bits |= GRESEC_GRE_C;
		put_unaligned_be32(0, opt);
		opt += 4;
	}
	if (flags & GRESEC_TUNNEL_F_KEY) {
		bits |= GRESEC_GRE_K;
		put_unaligned_be32(key, opt);
		opt += 4;
	}
	if (flags & GRESEC_TUNNEL_F_SEQ) {
		bits |= GRESEC_GRE_S;
		put_unaligned_be32(seq, opt);
	}
	put_unaligned_be16(bits, hdr);
	put_unaligned(proto, (__be16 *)(hdr + 2));
}

/*
 * Decode the header at @hdr (@len bytes available).  Returns 0 or the
 * GRESEC_STATS_A_RX_DROP_* counter the packet belongs in.  RFC 2784 2.2:
 * routing, strict source route and the first recursion bit mean an RFC 1701
 * packet we do not implement, so it is discarded; bits 6-12 are ignored.
 */
enum gresec_stats_a gresec_gre_parse(const u8 *hdr, unsigned int len,
				     struct gresec_gre_info *info)
{
	const u8 *opt = hdr + GRESEC_GRE_HLEN_MIN;
	u16 bits;

	if (len < GRESEC_GRE_HLEN_MIN)
		return GRESEC_STATS_A_RX_DROP_MALFORMED;
	bits = get_unaligned_be16(hdr);
	if (bits & (GRESEC_GRE_VERSION | GRESEC_GRE_R | GRESEC_GRE_SSR |
		    GRESEC_GRE_RECUR0))
		return GRESEC_STATS_A_RX_DROP_VERSION;

	info->flags = 0;
	if (bits & GRESEC_GRE_C)
		info->flags |= GRESEC_TUNNEL_F_CSUM;
	if (bits & GRESEC_GRE_K)
		info->flags |= GRESEC_TUNNEL_F_KEY;
	if (bits & GRESEC_GRE_S)
		info->flags |= GRESEC_TUNNEL_F_SEQ;
	info->hlen = gresec_gre_hlen(info->flags);
	if (len < info->hlen)
		return GRESEC_STATS_A_RX_DROP_MALFORMED;

	info->proto = get_unaligned((const __be16 *)(hdr + 2));
	info->key = 0;
	info->seq = 0;
	if (info->flags & GRESEC_TUNNEL_F_CSUM)
		opt += 4;
	if (info->flags & GRESEC_TUNNEL_F_KEY) {
		info->key = get_unaligned_be32(opt);
		opt += 4;
	}
	if (info->flags & GRESEC_TUNNEL_F_SEQ)
		info->seq = get_unaligned_be32(opt);
	return 0;
}

#ifdef DEBUG
#include "selftest/gre.c"
#endif
