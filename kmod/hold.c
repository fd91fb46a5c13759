// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: the hold queue.  A tunnel whose protection is required and
 * which has no outbound SA asks its key manager for one (ACQUIRE, through
 * the handler netlink.c sets) and keeps up to GRESEC_HOLD_MAX packets for
 * GRESEC_HOLD_TIME, as xfrm's policy queue does; the first outbound SA
 * added sends them (tx.c), in order.  The packets are the inner ones,
 * before GRE: none can leave in plaintext from here, and every one that
 * does not leave through an SA is counted as a drop.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/netdevice.h>

#include "device.h"
#include "hold.h"

static gresec_hold_acquire_fn gresec_hold_acquire __read_mostly;

/* netlink.c sets and clears it; the data path reads it under RCU. */
void gresec_hold_acquire_handler_set(gresec_hold_acquire_fn fn)
{
	WRITE_ONCE(gresec_hold_acquire, fn);
	if (!fn)
		synchronize_net();
}

/* When a packet was held: skb->cb is ours from ndo_start_xmit on. */
static unsigned long *gresec_hold_stamp(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(unsigned long) > sizeof_field(struct sk_buff, cb));
	return (unsigned long *)skb->cb;
}

static void gresec_hold_drop(struct gresec_tunnel *tun, struct sk_buff *skb,
			     unsigned int counter)
{
	gresec_tunnel_count(tun, counter);
	DEV_STATS_INC(tun->dev, tx_dropped);
	/* What xfrm says when its policy finds no state to use. */
	kfree_skb_reason(skb, SKB_DROP_REASON_XFRM_POLICY);
}

static void gresec_hold_expire(struct timer_list *t)
{
	struct gresec_hold *hold = from_timer(hold, t, timer);
	struct gresec_tunnel *tun = container_of(hold, struct gresec_tunnel,
						 hold);
	struct sk_buff_head expired;
	struct sk_buff *skb;

	__skb_queue_head_init(&expired);
	spin_lock_bh(&hold->lock);
	while ((skb = skb_peek(&hold->queue)) &&
	       time_after_eq(jiffies, *gresec_hold_stamp(skb) + GRESEC_HOLD_TIME)) {
		__skb_unlink(skb, &hold->queue);
		__skb_queue_tail(&expired, skb);
	}
	if (skb && !hold->dead)
		mod_timer(&hold->timer,
			  *gresec_hold_stamp(skb) + GRESEC_HOLD_TIME);
	spin_unlock_bh(&hold->lock);

	while ((skb = __skb_dequeue(&expired)))
		gresec_hold_drop(tun, skb, GRESEC_STATS_A_TX_DROP_HOLD_TIMEOUT);
}

void gresec_hold_init(struct gresec_hold *hold)
{
	spin_lock_init(&hold->lock);
	__skb_queue_head_init(&hold->queue);
	timer_setup(&hold->timer, gresec_hold_expire, 0);
	hold->next_acquire = jiffies;
	hold->dead = false;
}

/*
 * The tunnel has a packet and no outbound SA.  Returns 0 when the packet
 * is held (consumed), else the counter to drop it with: no one listens
 * for the ACQUIRE, or the queue is full.  Data path: BH, RCU.
 */
unsigned int gresec_hold_add(struct gresec_tunnel *tun, struct sk_buff *skb)
{
	struct gresec_hold *hold = &tun->hold;
	gresec_hold_acquire_fn acquire = READ_ONCE(gresec_hold_acquire);
	bool ask = false;

	if (!acquire)
		return GRESEC_STATS_A_TX_DROP_NO_SA;
	spin_lock_bh(&hold->lock);
	if (time_after_eq(jiffies, hold->next_acquire)) {
		hold->next_acquire = jiffies + GRESEC_HOLD_ACQUIRE_GAP;
		ask = true;
	}
	spin_unlock_bh(&hold->lock);
	/* Without a listener nobody would answer: drop as before. */
	if (ask && !acquire(tun)) {
		spin_lock_bh(&hold->lock);
		hold->next_acquire = jiffies;
		spin_unlock_bh(&hold->lock);
		return GRESEC_STATS_A_TX_DROP_NO_SA;
	}
	if (ask)
		gresec_tunnel_count(tun, GRESEC_STATS_A_TX_ACQUIRE);

	spin_lock_bh(&hold->lock);
	if (hold->dead) {
		spin_unlock_bh(&hold->lock);
		return GRESEC_STATS_A_TX_DROP_NO_SA;
	}
	if (skb_queue_len(&hold->queue) >= GRESEC_HOLD_MAX) {
		spin_unlock_bh(&hold->lock);
		return GRESEC_STATS_A_TX_DROP_HOLD_OVERFLOW;
	}
	/* Held packets leave later, outside this socket's send. */
	skb_orphan(skb);
	*gresec_hold_stamp(skb) = jiffies;
	__skb_queue_tail(&hold->queue, skb);
	if (!timer_pending(&hold->timer))
		mod_timer(&hold->timer, jiffies + GRESEC_HOLD_TIME);
	spin_unlock_bh(&hold->lock);
	gresec_tunnel_count(tun, GRESEC_STATS_A_TX_HELD);
	return 0;
}

/* An outbound SA arrived: everything held moves to @list, oldest first. */
void gresec_hold_take(struct gresec_hold *hold, struct sk_buff_head *list)
{
	spin_lock_bh(&hold->lock);
	skb_queue_splice_tail_init(&hold->queue, list);
	spin_unlock_bh(&hold->lock);
}

/* The wait ended without an SA (protection none): count what was held. */
void gresec_hold_purge(struct gresec_tunnel *tun)
{
	struct sk_buff_head list;
	struct sk_buff *skb;

	__skb_queue_head_init(&list);
	gresec_hold_take(&tun->hold, &list);
	/* Per-CPU counters: not from a preemptible context. */
	local_bh_disable();
	while ((skb = __skb_dequeue(&list)))
		gresec_hold_drop(tun, skb, GRESEC_STATS_A_TX_DROP_HOLD_TIMEOUT);
	local_bh_enable();
}

/* The tunnel goes away (ndo_uninit): hold nothing more, drop the rest. */
void gresec_hold_stop(struct gresec_tunnel *tun)
{
	struct gresec_hold *hold = &tun->hold;

	spin_lock_bh(&hold->lock);
	hold->dead = true;
	spin_unlock_bh(&hold->lock);
	del_timer_sync(&hold->timer);
	gresec_hold_purge(tun);
}
