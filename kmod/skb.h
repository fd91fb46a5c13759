/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: what we keep in skb->cb while a packet is ours.
 *
 * On output the GRE path decides where the packet goes (route, addresses,
 * outer TOS/TTL/DF) before ESP runs, and ESP may complete asynchronously
 * in another context: the decision travels with the skb so one tail
 * (gresec_gre_xmit_tail) sends both plaintext and encrypted packets.  On
 * input ESP keeps the inferred 64-bit sequence number for the replay
 * window, which is only advanced after the ICV verified.
 */
#ifndef _GRESEC_SKB_H
#define _GRESEC_SKB_H

#include <linux/build_bug.h>
#include <linux/skbuff.h>
#include <net/route.h>

struct gresec_sa;
struct gresec_tunnel;

/* Filled by gresec_gre_xmit_one, consumed by gresec_gre_xmit_tail. */
struct gresec_xmit_cb {
	struct rtable *rt;		/* held: released by the tail */
	struct gresec_tunnel *tun;	/* pinned by the device or the SA */
	__be32 saddr;
	__be32 daddr;
	__be16 df;
	u8 tos;
	u8 ttl;
	u8 proto;			/* IPPROTO_GRE or IPPROTO_ESP */
	u16 plen;			/* ESP: GRE bytes, for the SA counters */
};

struct gresec_recv_cb {
	u64 seq;			/* full (ESN-inferred) sequence number */
};

struct gresec_skb_cb {
	union {
		struct gresec_xmit_cb xmit;
		struct gresec_recv_cb recv;
	};
	struct gresec_sa *sa;		/* ESP: the SA, a reference is held */
	void *tmp;			/* ESP: [extra | IV | aead_request | sg] */
};

static inline struct gresec_skb_cb *gresec_skb_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct gresec_skb_cb) >
		     sizeof_field(struct sk_buff, cb));
	return (struct gresec_skb_cb *)skb->cb;
}

#endif /* _GRESEC_SKB_H */
