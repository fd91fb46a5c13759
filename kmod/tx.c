// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: a packet's way out, from ndo_start_xmit to iptunnel_xmit().
 *
 *   gresec_tx_xmit()        hand-over decision (parallel.c) or inline;
 *                           always the hand-over with sequence numbers
 *   gresec_tx_now()         protection decided once; GSO segmented for ESP
 *   gresec_tx_one()         route, path MTU, outer header fields, GRE
 *                           header, then ESP (gresec_tx_esp(), in tunnel
 *                           mode after an inner IPv4 header) or straight on
 *   gresec_tx_esp_done()    ESP's completion (perhaps asynchronous)
 *   gresec_tx_send()        iptunnel_xmit() with what gresec_tx_one()
 *                           decided, kept in skb->cb across ESP
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/dst_metadata.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/route.h>

#include "compat.h"
#include "device.h"
#include "esp.h"
#include "gre.h"
#include "hold.h"
#include "mss.h"
#include "parallel.h"
#include "sa.h"
#include "skb.h"
#include "tx.h"
#include "udp.h"

/* The core's nearest drop reason for one of our transmit counters. */
static enum skb_drop_reason gresec_tx_drop_reason(enum gresec_stats_a counter)
{
	switch (counter) {
	case GRESEC_STATS_A_TX_DROP_NO_REMOTE:
	case GRESEC_STATS_A_TX_DROP_NO_ROUTE:
		return SKB_DROP_REASON_IP_OUTNOROUTES;
	case GRESEC_STATS_A_TX_DROP_TOO_BIG:
		return SKB_DROP_REASON_PKT_TOO_BIG;
	case GRESEC_STATS_A_TX_DROP_NO_SA:
	case GRESEC_STATS_A_TX_DROP_HOLD_OVERFLOW:
		/* What xfrm says when its policy finds no state to use. */
		return SKB_DROP_REASON_XFRM_POLICY;
	case GRESEC_STATS_A_TX_DROP_NOMEM:
		return SKB_DROP_REASON_NOMEM;
	case GRESEC_STATS_A_TX_DROP_BACKLOG:
		return SKB_DROP_REASON_CPU_BACKLOG;
	default:
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
}

static void gresec_tx_drop(struct gresec_tunnel *tun, struct sk_buff *skb,
			   enum gresec_stats_a reason)
{
	gresec_tunnel_count(tun, reason);
	DEV_STATS_INC(tun->dev, tx_dropped);
	net_dbg_ratelimited("%s: tx drop (counter %u)\n", tun->dev->name,
			    reason);
	kfree_skb_reason(skb, gresec_tx_drop_reason(reason));
}

/*
 * Send a packet whose encapsulation is complete, with the outer header
 * fields gresec_tx_one() left in the control block.  @err is what ESP
 * reported.  Consumes the skb and the route.
 */
static void gresec_tx_send(struct gresec_tunnel *tun, struct sk_buff *skb,
			   int err)
{
	struct gresec_xmit_cb *cb = &gresec_skb_cb(skb)->xmit;
	enum gresec_stats_a reason;

	if (unlikely(err)) {
		ip_rt_put(cb->rt);
		if (err == -ENOMEM)
			reason = GRESEC_STATS_A_TX_DROP_NOMEM;
		else if (err == -EKEYEXPIRED)
			reason = GRESEC_STATS_A_TX_DROP_NO_SA;
		else
			reason = GRESEC_STATS_A_TX_DROP_ERROR;
		gresec_tx_drop(tun, skb, reason);
		return;
	}
	/* iptunnel_xmit() clears the control block: arguments go first. */
	iptunnel_xmit(NULL, cb->rt, skb, cb->saddr, cb->daddr, cb->proto,
		      cb->tos, cb->ttl, cb->df, false);
}

/* ESP is done with the packet, at once or from a crypto completion. */
static void gresec_tx_esp_done(struct sk_buff *skb, int err)
{
	struct gresec_skb_cb *cb = gresec_skb_cb(skb);
	struct gresec_sa *sa = cb->sa;

	if (!err) {
		gresec_sa_count(sa, GRESEC_SA_STATS_A_PACKETS);
		gresec_sa_count_add(sa, GRESEC_SA_STATS_A_BYTES, cb->xmit.plen);
		gresec_sa_mark_used(sa);
		if (gresec_sa_udp(sa))
			gresec_udp_push(sa, skb);
	}
	/* The SA pins its tunnel's device until the put. */
	gresec_tx_send(sa->tun, skb, err);
	gresec_sa_put(sa);
}

/*
 * ESP tunnel mode (RFC 4303 3.1.2): an inner IPv4 header from the tunnel's
 * endpoints, protocol GRE, in front of the GRE packet at skb->data, with
 * the outer header's TOS, TTL and DF (what xfrm's tunnel mode copies too)
 * and an IP ID of its own.  The headroom is there (gresec_sa_mode_hlen()).
 */
static void gresec_tx_tunnel_inner(struct gresec_tunnel *tun,
				   const struct gresec_tunnel_cfg *cfg,
				   struct sk_buff *skb)
{
	const struct gresec_xmit_cb *cb = &gresec_skb_cb(skb)->xmit;
	struct iphdr *iph;

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = cb->tos;
	iph->tot_len = htons(skb->len);
	iph->frag_off = cb->df;
	iph->ttl = cb->ttl;
	iph->protocol = IPPROTO_GRE;
	/* The configured endpoints, whatever a NAT makes of the outer ones. */
	iph->saddr = cfg->local ?: cb->saddr;
	iph->daddr = cfg->remote;
	/*
	 * A fresh ID even with DF, where ip_select_ident() would leave 0: the
	 * inner packets stay distinguishable whatever the outer ones.
	 */
	__ip_select_ident(dev_net(tun->dev), iph, 1);
	ip_send_check(iph);
}

/*
 * Hand the GRE packet at skb->data, its outer header fields in the control
 * block, to ESP on @sa (a held reference, which the completion drops).
 */
static void gresec_tx_esp(struct gresec_tunnel *tun,
			  const struct gresec_tunnel_cfg *cfg,
			  struct sk_buff *skb, struct gresec_sa *sa)
{
	struct gresec_xmit_cb *cb = &gresec_skb_cb(skb)->xmit;

	cb->proto = gresec_sa_udp(sa) ? IPPROTO_UDP : IPPROTO_ESP;
	/* GRE bytes in either mode, as receive counts them. */
	cb->plen = skb->len;
	if (gresec_sa_tunnel_mode(sa))
		gresec_tx_tunnel_inner(tun, cfg, skb);
	gresec_esp_output(sa, skb, gresec_tx_esp_done);
}

/* Whether the tunnel may only send ESP. */
static bool gresec_tx_protected(struct gresec_tunnel *tun,
				const struct gresec_tunnel_cfg *cfg)
{
	return rcu_access_pointer(tun->tx_sa) ||
	       cfg->protection == GRESEC_PROTECTION_REQUIRED;
}

/*
 * The underlay route for this packet: from the configuration's per-CPU
 * cache when the packet's TOS is the configured one (TOS rules may route
 * another differently), else looked up.  An ERR_PTR or a held route.
 */
static struct rtable *gresec_tx_route(struct gresec_tunnel *tun,
				      struct gresec_tunnel_cfg *cfg,
				      struct flowi4 *fl4, u8 tos,
				      struct gresec_sa *sa)
{
	bool esp = sa;
	struct dst_cache *cache = &cfg->dst_cache[esp];
	bool cacheable = RT_TOS(tos) == RT_TOS(cfg->tos);
	struct rtable *rt;

	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = cfg->remote;
	fl4->saddr = cfg->local;
	fl4->flowi4_tos = RT_TOS(tos);
	if (sa && gresec_sa_udp(sa)) {
		/* A peer behind a NAT that moved is not the cached route's. */
		cacheable &= gresec_udp_flow(sa, fl4, cfg->remote);
	} else if (esp) {
		fl4->flowi4_proto = IPPROTO_ESP;
	} else {
		fl4->flowi4_proto = IPPROTO_GRE;
		fl4->fl4_gre_key = htonl(cfg->okey);
	}
	rt = cacheable ? dst_cache_get_ip4(cache, &fl4->saddr) : NULL;
	if (rt)
		return rt;
	rt = ip_route_output_key(dev_net(tun->dev), fl4);
	if (!IS_ERR(rt) && cacheable)
		dst_cache_set_ip4(cache, &rt->dst, fl4->saddr);
	return rt;
}

/*
 * Inner-packet checks against the underlay path MTU, as ip_tunnel does:
 * the inner route learns the tunnel's path MTU, and a DF packet too big
 * for it is answered with ICMP (which needs the inner route: the device
 * keeps it, see gresec_setup()).
 */
static int gresec_tx_pmtu(struct gresec_tunnel *tun, struct sk_buff *skb,
			  struct rtable *rt, __be16 *df, unsigned int overhead)
{
	int mtu;

	/*
	 * Signed, as in ip_tunnel: an underlay link smaller than our headers
	 * leaves room for nothing, rather than for 4 GB.
	 */
	if (*df)
		mtu = max_t(int, (int)dst_mtu(&rt->dst) - (int)overhead,
			    IPV4_MIN_MTU);
	else
		mtu = skb_valid_dst(skb) ? dst_mtu(skb_dst(skb)) : tun->dev->mtu;

	if (skb_valid_dst(skb))
		skb_dst_update_pmtu_no_confirm(skb, mtu);

	if (skb_is_gso(skb) || skb->len <= (unsigned int)mtu)
		return 0;
	if (skb->protocol == htons(ETH_P_IP)) {
		/*
		 * The sender allows fragmentation: let the outer packet be
		 * fragmented (RFC 4459 3.1) rather than lose it to our DF.
		 */
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF))) {
			*df = 0;
			return 0;
		}
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
		return -E2BIG;
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (skb->protocol == htons(ETH_P_IPV6) && mtu >= IPV6_MIN_MTU) {
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		return -E2BIG;
	}
#endif
	return 0;
}

/* TTL of the outer header: configured, or inherited from the inner one. */
static u8 gresec_tx_ttl(const struct gresec_tunnel_cfg *cfg,
			const struct sk_buff *skb, const struct iphdr *inner,
			const struct rtable *rt)
{
	if (cfg->ttl)
		return cfg->ttl;
	if (skb->protocol == htons(ETH_P_IP) && inner)
		return inner->ttl;
	if (skb->protocol == htons(ETH_P_IPV6) && inner)
		return ((const struct ipv6hdr *)inner)->hop_limit;
	return ip4_dst_hoplimit(&rt->dst);
}

/*
 * Room for every header, offloads told about GRE, and the GRE header in
 * front of the inner packet.  0 or a counter.
 */
static enum gresec_stats_a gresec_tx_encap(struct gresec_tunnel *tun,
					   const struct gresec_tunnel_cfg *cfg,
					   struct sk_buff *skb, const struct rtable *rt,
					   unsigned int esp_headroom)
{
	unsigned int hlen = gresec_gre_hlen(cfg->oflags);
	struct net_device *dev = tun->dev;
	__be16 proto = skb->protocol;
	unsigned int headroom;
	u32 seq = 0;

	headroom = LL_RESERVED_SPACE(rt->dst.dev) + rt->dst.header_len +
		   sizeof(struct iphdr) + hlen + esp_headroom;
	if (headroom > READ_ONCE(dev->needed_headroom))
		WRITE_ONCE(dev->needed_headroom, headroom);
	if (skb_cow_head(skb, headroom) ||
	    iptunnel_handle_offloads(skb, (cfg->oflags & GRESEC_TUNNEL_F_CSUM) ?
					  SKB_GSO_GRE_CSUM : SKB_GSO_GRE))
		return GRESEC_STATS_A_TX_DROP_NOMEM;

	if (cfg->oflags & GRESEC_TUNNEL_F_SEQ)
		seq = (u32)atomic_inc_return(&tun->o_seqno);
	skb_push(skb, hlen);
	skb_set_inner_protocol(skb, proto);
	skb_reset_transport_header(skb);
	gresec_gre_build(skb->data, cfg->oflags, proto, cfg->okey, seq);

	/* GSO fills the checksum per segment; otherwise do it now. */
	if ((cfg->oflags & GRESEC_TUNNEL_F_CSUM) && !skb_is_gso(skb)) {
		__sum16 *csum = (__sum16 *)(skb->data + GRESEC_GRE_HLEN_MIN);

		if (skb->ip_summed == CHECKSUM_PARTIAL) {
			*csum = csum_fold(lco_csum(skb));
		} else {
			skb->ip_summed = CHECKSUM_PARTIAL;
			skb->csum_start = skb_transport_header(skb) - skb->head;
			skb->csum_offset = GRESEC_GRE_HLEN_MIN;
		}
	}
	return 0;
}

/*
 * Returns 0 when the packet was handed on (to the underlay, or to ESP
 * which completes through gresec_tx_esp_done()), else a counter.
 * @protect: what gresec_tx_now() decided for this packet.
 */
static enum gresec_stats_a gresec_tx_one(struct gresec_tunnel *tun,
					 struct gresec_tunnel_cfg *cfg,
					 struct sk_buff *skb, bool protect)
{
	unsigned int overhead = sizeof(struct iphdr) +
				gresec_gre_hlen(cfg->oflags);
	const struct iphdr *inner = NULL;
	__be16 proto = skb->protocol;
	struct gresec_xmit_cb *cb;
	struct gresec_sa *sa = NULL;
	enum gresec_stats_a reason;
	struct flowi4 fl4;
	struct rtable *rt;
	__be16 df;
	u8 tos, ttl;

	if (!cfg->remote)
		return GRESEC_STATS_A_TX_DROP_NO_REMOTE;
	if (protect) {
		sa = gresec_sa_tx_get(tun);
		/* None at all (not just an expired one): ask for one, hold. */
		if (!sa && !rcu_access_pointer(tun->tx_sa))
			return gresec_hold_add(tun, skb);
		if (!sa)
			return GRESEC_STATS_A_TX_DROP_NO_SA;
		overhead += gresec_sa_overhead(sa) +
			    gresec_sa_encap_overhead(sa);
		/*
		 * The device's largest MTU leaves room for ESP, not for the
		 * UDP header on top: the outer length must not wrap.
		 */
		if (unlikely(skb->len + overhead > IP_MAX_MTU)) {
			gresec_sa_put(sa);
			return GRESEC_STATS_A_TX_DROP_TOO_BIG;
		}
	}

	skb_reset_network_header(skb);
	/* Before the inner header is read: clamping may move it. */
	if (cfg->adjust_mss &&
	    gresec_mss_clamp(skb, cfg->adjust_mss, READ_ONCE(tun->dev->mtu)))
		gresec_tunnel_count(tun, GRESEC_STATS_A_MSS_CLAMPED);
	reason = GRESEC_STATS_A_TX_DROP_ERROR;
	if (proto == htons(ETH_P_IP)) {
		if (!pskb_network_may_pull(skb, sizeof(struct iphdr)))
			goto err_sa;
		inner = ip_hdr(skb);
	} else if (proto == htons(ETH_P_IPV6)) {
		if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr)))
			goto err_sa;
		inner = (const struct iphdr *)ipv6_hdr(skb);
	}

	tos = cfg->tos;
	if (cfg->tos_inherit && inner)
		tos = ip_tunnel_get_dsfield(inner, skb);
	rt = gresec_tx_route(tun, cfg, &fl4, tos, sa);
	if (IS_ERR(rt)) {
		DEV_STATS_INC(tun->dev, tx_carrier_errors);
		reason = GRESEC_STATS_A_TX_DROP_NO_ROUTE;
		goto err_sa;
	}
	if (rt->dst.dev == tun->dev) {
		DEV_STATS_INC(tun->dev, collisions);
		reason = GRESEC_STATS_A_TX_DROP_LOOP;
		goto err_rt;
	}

	df = cfg->pmtudisc ? htons(IP_DF) : 0;
	if (proto == htons(ETH_P_IP) && inner)
		df |= inner->frag_off & htons(IP_DF);
	if (gresec_tx_pmtu(tun, skb, rt, &df, overhead)) {
		reason = GRESEC_STATS_A_TX_DROP_TOO_BIG;
		goto err_rt;
	}

	/* From the inner header, which the encapsulation may move. */
	tos = ip_tunnel_ecn_encap(tos, inner, skb);
	ttl = gresec_tx_ttl(cfg, skb, inner, rt);
	reason = gresec_tx_encap(tun, cfg, skb, rt,
				 sa ? gresec_sa_mode_hlen(sa) +
				      gresec_sa_headroom(sa) +
				      gresec_sa_encap_overhead(sa) : 0);
	if (reason)
		goto err_rt;

	cb = &gresec_skb_cb(skb)->xmit;
	cb->rt = rt;
	cb->saddr = fl4.saddr;
	cb->daddr = fl4.daddr;
	cb->tos = tos;
	cb->ttl = ttl;
	cb->df = df;
	if (sa) {
		gresec_tx_esp(tun, cfg, skb, sa);
		return 0;
	}
	cb->proto = IPPROTO_GRE;
	gresec_tx_send(tun, skb, 0);
	return 0;

err_rt:
	ip_rt_put(rt);
err_sa:
	if (sa)
		gresec_sa_put(sa);
	return reason;
}

/*
 * A complete GRE packet (skb->data at its header), sent to the remote end
 * as the tunnel sends its own: through the outbound SA when protected.
 * keepalive.c sends the peer's keepalives back with it.  Consumes the skb.
 */
void gresec_tx_gre(struct gresec_tunnel *tun, struct sk_buff *skb)
{
	struct gresec_tunnel_cfg *cfg;
	struct gresec_xmit_cb *cb;
	struct gresec_sa *sa = NULL;
	unsigned int reason;
	struct flowi4 fl4;
	struct rtable *rt;

	/* From receive, perhaps from a crypto completion: as a transmit. */
	local_bh_disable();
	rcu_read_lock();
	cfg = rcu_dereference(tun->cfg);
	reason = GRESEC_STATS_A_TX_DROP_NO_REMOTE;
	if (!cfg->remote)
		goto drop;
	if (gresec_tx_protected(tun, cfg)) {
		sa = gresec_sa_tx_get(tun);
		reason = GRESEC_STATS_A_TX_DROP_NO_SA;
		if (!sa)
			goto drop;
	}
	rt = gresec_tx_route(tun, cfg, &fl4, cfg->tos, sa);
	if (IS_ERR(rt)) {
		reason = GRESEC_STATS_A_TX_DROP_NO_ROUTE;
		goto drop_sa;
	}
	reason = GRESEC_STATS_A_TX_DROP_LOOP;
	if (rt->dst.dev == tun->dev)
		goto drop_rt;
	reason = GRESEC_STATS_A_TX_DROP_NOMEM;
	if (skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
			 rt->dst.header_len + sizeof(struct iphdr) +
			 (sa ? gresec_sa_mode_hlen(sa) + gresec_sa_headroom(sa) +
			  gresec_sa_encap_overhead(sa) : 0)))
		goto drop_rt;
	skb_reset_transport_header(skb);

	cb = &gresec_skb_cb(skb)->xmit;
	cb->rt = rt;
	cb->saddr = fl4.saddr;
	cb->daddr = fl4.daddr;
	cb->tos = cfg->tos;
	cb->ttl = cfg->ttl ?: ip4_dst_hoplimit(&rt->dst);
	cb->df = cfg->pmtudisc ? htons(IP_DF) : 0;
	if (sa) {
		gresec_tx_esp(tun, cfg, skb, sa);
	} else {
		cb->proto = IPPROTO_GRE;
		gresec_tx_send(tun, skb, 0);
	}
	goto out;

drop_rt:
	ip_rt_put(rt);
drop_sa:
	if (sa)
		gresec_sa_put(sa);
drop:
	gresec_tx_drop(tun, skb, reason);
out:
	rcu_read_unlock();
	local_bh_enable();
}

static void gresec_tx_skb(struct gresec_tunnel *tun,
			  struct gresec_tunnel_cfg *cfg, struct sk_buff *skb,
			  bool protect)
{
	enum gresec_stats_a reason = gresec_tx_one(tun, cfg, skb, protect);

	if (reason)
		gresec_tx_drop(tun, skb, reason);
}

/* @cfg is not const: its route caches are filled on the way. */
static void gresec_tx_now(struct gresec_tunnel *tun,
			  struct gresec_tunnel_cfg *cfg, struct sk_buff *skb)
{
	/*
	 * Decided once per packet: an SA that appears between two reads must
	 * not send an unsegmented GSO packet to ESP.
	 */
	bool protect = gresec_tx_protected(tun, cfg);
	struct sk_buff *segs, *next;

	/*
	 * ESP protects one packet at a time.  The features check keeps GSO
	 * away from protected tunnels; this catches what was queued before
	 * the first outbound SA appeared.
	 */
	if (unlikely(skb_is_gso(skb) && protect)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs)) {
			gresec_tx_drop(tun, skb, GRESEC_STATS_A_TX_DROP_ERROR);
			return;
		}
		consume_skb(skb);
		skb_list_walk_safe(segs, skb, next) {
			skb_mark_not_on_list(skb);
			gresec_tx_skb(tun, cfg, skb, true);
		}
		return;
	}
	gresec_tx_skb(tun, cfg, skb, protect);
}

/* The transmit hand-over's handler, on the next CPU (parallel.c). */
void gresec_tx_deferred(struct sk_buff *skb, void *arg)
{
	struct gresec_tunnel *tun = arg;

	/*
	 * The worker continues a transmit that began in ndo_start_xmit: it
	 * counts as one level of it, so that our outer packet routed back
	 * into a tunnel (a loop) meets the core's recursion limit here too.
	 */
	dev_xmit_recursion_inc();
	gresec_tx_now(tun, rcu_dereference(tun->cfg), skb);
	dev_xmit_recursion_dec();
}

/*
 * An outbound SA was added: send what the tunnel held for it, oldest
 * first, through ESP only (a packet finding no SA again is held again).
 * Process context, RTNL.
 */
void gresec_tx_release_held(struct gresec_tunnel *tun)
{
	struct sk_buff_head list;
	struct sk_buff *skb;

	__skb_queue_head_init(&list);
	gresec_hold_take(&tun->hold, &list);
	if (skb_queue_empty(&list))
		return;
	local_bh_disable();
	rcu_read_lock();
	dev_xmit_recursion_inc();
	while ((skb = __skb_dequeue(&list)))
		gresec_tx_skb(tun, rcu_dereference(tun->cfg), skb, true);
	dev_xmit_recursion_dec();
	rcu_read_unlock();
	local_bh_enable();
}

static DEFINE_PER_CPU(struct gresec_par_rate, gresec_tx_rate);

netdev_tx_t gresec_tx_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct gresec_tunnel *tun = netdev_priv(dev);
	struct gresec_tunnel_cfg *cfg = rcu_dereference_bh(tun->cfg);

	/*
	 * Only encryption is worth a hand-over; plain GRE stays here, and so
	 * does a packet that is already inside another device's transmit
	 * (ours, routed into a tunnel): a hand-over would restart the core's
	 * count of nested transmits, and a routing loop would never end.
	 *
	 * Sequence numbers promise the peer our order (RFC 2890), and two
	 * CPUs sending at once would break it: one takes its GRE number, the
	 * other overtakes it to the wire, and the peer drops the late one.
	 * ip_gre gives up lockless transmit for them; here such a tunnel
	 * sends every packet through its queue, which one worker empties in
	 * order, so numbering, ESP and the send are one sequence.
	 */
	if (dev_recursion_level() <= 1 &&
	    ((cfg->oflags & GRESEC_TUNNEL_F_SEQ) ||
	     gresec_par_queue_wanted(&tun->txq, &gresec_tx_rate,
				     gresec_tx_protected(tun, cfg)))) {
		if (gresec_par_queue_add(&tun->txq, skb))
			gresec_tx_drop(tun, skb,
				       GRESEC_STATS_A_TX_DROP_BACKLOG);
		else
			gresec_tunnel_count(tun, GRESEC_STATS_A_TX_HANDOFF);
		return NETDEV_TX_OK;
	}
	gresec_tx_now(tun, cfg, skb);
	return NETDEV_TX_OK;
}
