// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: Cisco-compatible GRE keepalives, which drive the carrier.
 *
 * A keepalive is a GRE packet to the peer whose payload is the GRE packet
 * the peer would send us: an IPv4 header from the peer's address to ours
 * and a GRE header of protocol 0 with the options we expect on receive.
 * Any GRE peer that decapsulates and routes (IOS, Linux ip_gre with
 * forwarding) sends that inner packet on, back to us, where rx.c hands
 * it to gresec_keepalive_heard().  gresec reflects the peer's keepalives
 * the same way (gresec_keepalive_reflect()).  As on IOS, every keepalive
 * sent counts as missed until one comes back; RETRIES missed in a row turn
 * the carrier off (routes through the device stop being used), and the
 * first that comes back turns it on.
 *
 * The timer runs only while the device is up and keepalives are on; both
 * changes take RTNL and stop it synchronously (timer_delete_sync() also
 * waits out a callback that re-arms itself), so it never outlives the
 * device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/jiffies.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <net/ip.h>

#include "compat.h"
#include "device.h"
#include "gre.h"
#include "keepalive.h"
#include "tx.h"

/*
 * Payload after the inner GRE header: Linux's GRE demultiplexer drops a
 * GRE packet shorter than 12 bytes before any protocol handler sees it,
 * so the bare 4-byte header IOS sends would never come back to us.
 */
#define GRESEC_KEEPALIVE_PAD	8

/* netlink.c's, for the carrier event; NULL while no one may send it. */
static gresec_keepalive_event_fn gresec_keepalive_event __read_mostly;

/* The caller waits for an RCU grace period before the old one goes. */
void gresec_keepalive_event_handler_set(gresec_keepalive_event_fn fn)
{
	WRITE_ONCE(gresec_keepalive_event, fn);
}

static const char *const gresec_keepalive_names[] = {
	[GRESEC_KEEPALIVE_STATE_OFF] = "off",
	[GRESEC_KEEPALIVE_STATE_UP] = "up",
	[GRESEC_KEEPALIVE_STATE_DOWN] = "down",
};

/* Caller holds ka->lock. */
static void gresec_keepalive_set(struct gresec_tunnel *tun, u32 state)
{
	struct gresec_keepalive *ka = &tun->ka;
	bool was_down = ka->state == GRESEC_KEEPALIVE_STATE_DOWN;
	bool down = state == GRESEC_KEEPALIVE_STATE_DOWN;
	gresec_keepalive_event_fn event;

	ka->state = state;
	if (was_down == down)
		return;
	ka->changed = ktime_get_real_seconds();
	if (down)
		netif_carrier_off(tun->dev);
	else
		netif_carrier_on(tun->dev);
	net_info_ratelimited("%s: keepalives %s: carrier %s\n", tun->dev->name,
			     gresec_keepalive_names[state], down ? "off" : "on");
	rcu_read_lock();
	event = READ_ONCE(gresec_keepalive_event);
	if (event)
		event(tun, state, ka->changed);
	rcu_read_unlock();
}

/*
 * The keepalive for @cfg: an IPv4 packet from the peer to us carrying the
 * GRE header we expect on receive, with protocol 0 and a zero payload.
 * Not our sequence numbers: the peer's reflection must not move our
 * window.
 */
static struct sk_buff *gresec_keepalive_build(struct gresec_tunnel *tun,
					      const struct gresec_tunnel_cfg *cfg)
{
	u32 flags = cfg->iflags & (GRESEC_TUNNEL_F_KEY | GRESEC_TUNNEL_F_CSUM);
	unsigned int hlen = gresec_gre_hlen(flags) + GRESEC_KEEPALIVE_PAD;
	unsigned int room = LL_MAX_HEADER + READ_ONCE(tun->dev->needed_headroom);
	struct sk_buff *skb;
	struct iphdr *iph;
	u8 *gre;

	skb = alloc_skb(room + sizeof(*iph) + hlen, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, room);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tot_len = htons(sizeof(*iph) + hlen);
	iph->ttl = 255;
	iph->protocol = IPPROTO_GRE;
	iph->saddr = cfg->remote;
	iph->daddr = cfg->local;
	ip_send_check(iph);
	gre = skb_put_zero(skb, hlen);
	gresec_gre_build(gre, flags, 0, cfg->ikey, 0);
	if (flags & GRESEC_TUNNEL_F_CSUM)
		put_unaligned(csum_fold(csum_partial(gre, hlen, 0)),
			      (__sum16 *)(gre + GRESEC_GRE_HLEN_MIN));
	skb->protocol = htons(ETH_P_IP);
	skb->dev = tun->dev;
	return skb;
}

static void gresec_keepalive_tick(struct timer_list *t)
{
	struct gresec_keepalive *ka = from_timer(ka, t, timer);
	struct gresec_tunnel *tun = container_of(ka, struct gresec_tunnel, ka);
	const struct gresec_tunnel_cfg *cfg;
	struct sk_buff *skb;
	u32 period;

	/*
	 * A timer runs with BH off, as ndo_start_xmit wants; the transmit
	 * path below it reads under rcu_read_lock(), as from ip_output.
	 */
	rcu_read_lock();
	cfg = rcu_dereference(tun->cfg);
	period = cfg->ka_period;
	/* Turned off meanwhile: the change waits for us, then stops it. */
	if (!period)
		goto out;

	spin_lock(&ka->lock);
	if (ka->state == GRESEC_KEEPALIVE_STATE_UP &&
	    ka->missed >= cfg->ka_retries)
		gresec_keepalive_set(tun, GRESEC_KEEPALIVE_STATE_DOWN);
	if (ka->missed < UINT_MAX)
		ka->missed++;
	spin_unlock(&ka->lock);

	skb = gresec_keepalive_build(tun, cfg);
	if (skb) {
		gresec_tunnel_count(tun, GRESEC_STATS_A_KEEPALIVE_TX);
		/*
		 * Not through the qdisc: with the carrier off the core gives
		 * the device a qdisc that drops everything, and it is the
		 * keepalives that must turn the carrier on again.
		 */
		gresec_tx_xmit(skb, tun->dev);
	} else {
		gresec_tunnel_count(tun, GRESEC_STATS_A_TX_DROP_NOMEM);
		DEV_STATS_INC(tun->dev, tx_dropped);
	}
	mod_timer(&ka->timer, jiffies + period * HZ);
out:
	rcu_read_unlock();
}

void gresec_keepalive_init(struct gresec_tunnel *tun)
{
	spin_lock_init(&tun->ka.lock);
	tun->ka.state = GRESEC_KEEPALIVE_STATE_OFF;
	timer_setup(&tun->ka.timer, gresec_keepalive_tick, 0);
}

/* Start afresh: the peer is presumed up, the first keepalive goes now. */
static void gresec_keepalive_start(struct gresec_tunnel *tun)
{
	struct gresec_keepalive *ka = &tun->ka;

	spin_lock_bh(&ka->lock);
	ka->missed = 0;
	gresec_keepalive_set(tun, GRESEC_KEEPALIVE_STATE_UP);
	spin_unlock_bh(&ka->lock);
	mod_timer(&ka->timer, jiffies);
}

/* ndo_open, under RTNL. */
void gresec_keepalive_open(struct gresec_tunnel *tun)
{
	if (rtnl_dereference(tun->cfg)->ka_period)
		gresec_keepalive_start(tun);
}

/* ndo_stop and unregistering, under RTNL: no timer runs after this. */
void gresec_keepalive_stop(struct gresec_tunnel *tun)
{
	timer_delete_sync(&tun->ka.timer);
}

/* A new configuration is installed (RTNL); @old_period was the last one's. */
void gresec_keepalive_apply(struct gresec_tunnel *tun, u32 old_period)
{
	const struct gresec_tunnel_cfg *cfg = rtnl_dereference(tun->cfg);
	struct gresec_keepalive *ka = &tun->ka;

	if (!cfg->ka_period) {
		if (!old_period)
			return;
		gresec_keepalive_stop(tun);
		spin_lock_bh(&ka->lock);
		gresec_keepalive_set(tun, GRESEC_KEEPALIVE_STATE_OFF);
		spin_unlock_bh(&ka->lock);
		return;
	}
	if (cfg->ka_period != old_period && netif_running(tun->dev))
		gresec_keepalive_start(tun);
}

/* rx.c: one of our keepalives came back through the tunnel.  Consumes. */
void gresec_keepalive_heard(struct gresec_tunnel *tun, struct sk_buff *skb)
{
	struct gresec_keepalive *ka = &tun->ka;

	gresec_tunnel_count(tun, GRESEC_STATS_A_KEEPALIVE_RX);
	spin_lock_bh(&ka->lock);
	ka->missed = 0;
	if (ka->state == GRESEC_KEEPALIVE_STATE_DOWN)
		gresec_keepalive_set(tun, GRESEC_KEEPALIVE_STATE_UP);
	spin_unlock_bh(&ka->lock);
	consume_skb(skb);
}

/*
 * rx.c: the inner IPv4 packet of a GRE packet from @outer_saddr to
 * @outer_daddr (its network header set, its first 20 bytes pulled).  The
 * peer's keepalive is a GRE packet from us to the peer: send it as the
 * router the peer expects would, back out of the tunnel's own way (through
 * its SA when protected).  Returns whether it was one (and is consumed).
 */
bool gresec_keepalive_reflect(struct gresec_tunnel *tun, struct sk_buff *skb,
			      __be32 outer_saddr, __be32 outer_daddr)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int ihl, len;

	if (iph->protocol != IPPROTO_GRE || iph->saddr != outer_daddr ||
	    iph->daddr != outer_saddr)
		return false;
	ihl = iph->ihl << 2;
	len = ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < sizeof(*iph) || ip_is_fragment(iph) ||
	    len < ihl + GRESEC_GRE_HLEN_MIN || len > skb->len)
		return false;
	if (pskb_trim_rcsum(skb, len) ||
	    !pskb_may_pull(skb, ihl + GRESEC_GRE_HLEN_MIN))
		return false;

	__skb_pull(skb, ihl);
	skb_scrub_packet(skb, false);
	skb->ip_summed = CHECKSUM_NONE;
	skb->dev = tun->dev;
	gresec_tunnel_count(tun, GRESEC_STATS_A_KEEPALIVE_REFLECTED);
	gresec_tx_gre(tun, skb);
	return true;
}

void gresec_keepalive_info(struct gresec_tunnel *tun, u32 *state,
			   time64_t *changed)
{
	struct gresec_keepalive *ka = &tun->ka;

	spin_lock_bh(&ka->lock);
	*state = ka->state;
	*changed = ka->changed;
	spin_unlock_bh(&ka->lock);
}
