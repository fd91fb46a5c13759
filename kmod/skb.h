/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: what we keep in skb->cb while a packet is ours.
 *
 * On output tx.c decides where the packet goes (route, addresses, outer
 * TOS/TTL/DF) before ESP runs, and ESP may complete asynchronously in
 * another context: the decision travels with the skb so one tail sends
 * both plaintext and encrypted packets.  On input ESP keeps the inferred
 * 64-bit sequence number for the replay window, which is only advanced
 * after the ICV verified.  While ESP has the packet, the SA, its scratch
 * buffer and the caller's continuation are here too.
 */
#ifndef _GRESEC_SKB_H
#define _GRESEC_SKB_H

#include <linux/build_bug.h>
#include <linux/skbuff.h>
#include <net/route.h>

#include "esp.h"

struct gresec_sa;

/* Filled by tx.c before ESP runs, read by its tail after. */
struct gresec_xmit_cb {
	struct rtable *rt;		/* held: released by the tail */
	__be32 saddr;
	__be32 daddr;
	__be16 df;
	u8 tos;
	u8 ttl;
	u8 proto;			/* GRE, ESP or UDP (ESP in UDP) */
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
	gresec_esp_done_t done;		/* ESP: the caller's continuation */
};

static inline struct gresec_skb_cb *gresec_skb_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct gresec_skb_cb) >
		     sizeof_field(struct sk_buff, cb));
	return (struct gresec_skb_cb *)skb->cb;
}

#endif /* _GRESEC_SKB_H */
