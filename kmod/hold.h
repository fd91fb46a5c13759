/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: packets a tunnel holds while its key manager negotiates the
 * first outbound SA (after an ACQUIRE), so that the packet which started
 * the negotiation is not lost.
 */
#ifndef _GRESEC_HOLD_H
#define _GRESEC_HOLD_H

#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>

struct gresec_tunnel;

/* A ping's worth of a burst: more only grows what a dead peer wastes. */
#define GRESEC_HOLD_MAX		16
/*
 * IKE_SA_INIT and IKE_AUTH, with a retransmission, fit in it on a slow
 * path; xfrm's policy queue waits longer, but a sender retries by then.
 */
#define GRESEC_HOLD_TIME	(10 * HZ)
/* One ACQUIRE a second per tunnel: charon ignores repeats meanwhile. */
#define GRESEC_HOLD_ACQUIRE_GAP	HZ

struct gresec_hold {
	spinlock_t lock;		/* protects everything below */
	struct sk_buff_head queue;	/* oldest first */
	struct timer_list timer;	/* drops what waited too long */
	unsigned long next_acquire;	/* jiffies */
	bool dead;			/* tunnel going away: hold no more */
};

/*
 * Called, in the data path (BH, RCU), when a tunnel wants an outbound SA;
 * returns whether anyone listens (nobody: nothing is held).
 */
typedef bool (*gresec_hold_acquire_fn)(struct gresec_tunnel *tun);

/* hold.c APIs: */
void gresec_hold_init(struct gresec_hold *hold);
unsigned int gresec_hold_add(struct gresec_tunnel *tun, struct sk_buff *skb);
void gresec_hold_take(struct gresec_hold *hold, struct sk_buff_head *list);
void gresec_hold_purge(struct gresec_tunnel *tun);
void gresec_hold_stop(struct gresec_tunnel *tun);
void gresec_hold_acquire_handler_set(gresec_hold_acquire_fn fn);

#endif /* _GRESEC_HOLD_H */
