/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: Cisco-compatible GRE keepalives, which drive the carrier.
 */
#ifndef _GRESEC_KEEPALIVE_H
#define _GRESEC_KEEPALIVE_H

#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>

struct gresec_tunnel;

struct gresec_keepalive {
	struct timer_list timer;	/* runs while the device is up */
	spinlock_t lock;		/* protects the fields below */
	unsigned int missed;		/* sent since the last one came back */
	u32 state;			/* enum gresec_keepalive_state */
	time64_t changed;		/* last carrier change; 0: none */
};

/*
 * Called when keepalives turn the carrier off or on (@state, at @changed),
 * in any context, with the keepalive lock held.
 */
typedef void (*gresec_keepalive_event_fn)(struct gresec_tunnel *tun,
					  u32 state, time64_t changed);

/* keepalive.c APIs: */
void gresec_keepalive_event_handler_set(gresec_keepalive_event_fn fn);
void gresec_keepalive_init(struct gresec_tunnel *tun);
void gresec_keepalive_apply(struct gresec_tunnel *tun, u32 old_period);
void gresec_keepalive_open(struct gresec_tunnel *tun);
void gresec_keepalive_stop(struct gresec_tunnel *tun);
void gresec_keepalive_heard(struct gresec_tunnel *tun, struct sk_buff *skb);
bool gresec_keepalive_reflect(struct gresec_tunnel *tun, struct sk_buff *skb,
			      __be32 outer_saddr, __be32 outer_daddr);
void gresec_keepalive_info(struct gresec_tunnel *tun, u32 *state,
			   time64_t *changed);

#endif /* _GRESEC_KEEPALIVE_H */
