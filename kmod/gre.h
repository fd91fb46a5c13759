/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: the GRE header (RFC 2784, RFC 2890).
 */
#ifndef _GRESEC_GRE_H
#define _GRESEC_GRE_H

#include <linux/types.h>

/* First 16 bits of a GRE header, in host order. */
enum gresec_gre_bits {
	GRESEC_GRE_C = 0x8000,		/* checksum present */
	GRESEC_GRE_R = 0x4000,		/* routing present (RFC 1701) */
	GRESEC_GRE_K = 0x2000,		/* key present (RFC 2890) */
	GRESEC_GRE_S = 0x1000,		/* sequence number present */
	GRESEC_GRE_SSR = 0x0800,	/* strict source route (RFC 1701) */
	GRESEC_GRE_RECUR0 = 0x0400,	/* RFC 2784 bit 5: must discard */
	GRESEC_GRE_VERSION = 0x0007,
};

#define GRESEC_GRE_HLEN_MIN	4
#define GRESEC_GRE_HLEN_MAX	16

struct gresec_gre_info {
	__be16 proto;
	u32 flags;		/* GRESEC_TUNNEL_F_* present in the header */
	u32 key;
	u32 seq;
	unsigned int hlen;
};

/* gre.c APIs: */
unsigned int gresec_gre_hlen(u32 flags);
void gresec_gre_build(u8 *hdr, u32 flags, __be16 proto, u32 key, u32 seq);
enum gresec_stats_a gresec_gre_parse(const u8 *hdr, unsigned int len,
				     struct gresec_gre_info *info);

#ifdef DEBUG
bool gresec_gre_selftest(void);
#endif

#endif /* _GRESEC_GRE_H */
