// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: GRE encapsulation and decapsulation (RFC 2784, RFC 2890) over an
 * IPv4 underlay, wire-compatible with Linux ip_gre and Cisco IOS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/dsfield.h>
#include <net/gre.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/route.h>
#include <net/gro_cells.h>
#include <net/dst_metadata.h>

#include "compat.h"
#include "device.h"
#include "esp.h"
#include "gre.h"
#include "net.h"
#include "sa.h"
#include "skb.h"

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
int gresec_gre_parse(const u8 *hdr, unsigned int len,
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

/* @saddr: the outer source, which the network header may no longer show. */
static void gresec_gre_rx_drop_from(struct gresec_tunnel *tun,
				    struct sk_buff *skb, unsigned int reason,
				    __be32 saddr)
{
	gresec_tunnel_count(tun, reason);
	DEV_STATS_INC(tun->dev, rx_dropped);
	net_dbg_ratelimited("%s: rx drop (counter %u) from %pI4\n",
			    tun->dev->name, reason, &saddr);
	kfree_skb(skb);
}

/* A drop before decapsulation: the network header is the outer one. */
void gresec_gre_rx_drop(struct gresec_tunnel *tun, struct sk_buff *skb,
			unsigned int reason)
{
	gresec_gre_rx_drop_from(tun, skb, reason, ip_hdr(skb)->saddr);
}

/*
 * Deliver the inner packet of a GRE packet that has been matched to @tun and
 * whose header @info has been checked.  skb->data points at the GRE header.
 * @authenticated: the packet came out of an ESP SA whose ICV covered it.
 */
static void gresec_gre_deliver(struct gresec_tunnel *tun, struct sk_buff *skb,
			       const struct gresec_gre_info *info,
			       bool authenticated)
{
	__be32 outer_saddr = ip_hdr(skb)->saddr;
	u8 outer_tos = ip_hdr(skb)->tos;
	u8 inner_tos;
	int err;

	skb_pull_rcsum(skb, info->hlen);
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb->protocol = info->proto;

	if (info->proto == htons(ETH_P_IP)) {
		if (!pskb_may_pull(skb, sizeof(struct iphdr)))
			goto inner;
		inner_tos = ip_hdr(skb)->tos;
	} else if (info->proto == htons(ETH_P_IPV6)) {
		if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)))
			goto inner;
		inner_tos = ipv6_get_dsfield(ipv6_hdr(skb));
	} else {
		/* No ECN field to propagate CE into: pass it, as ip_tunnel. */
		goto ecn_done;
	}
	/* RFC 6040: CE on a Not-ECT inner packet must be dropped. */
	err = INET_ECN_decapsulate(skb, outer_tos, inner_tos);
	if (err > 1) {
		gresec_gre_rx_drop_from(tun, skb, GRESEC_STATS_A_RX_DROP_ECN,
					outer_saddr);
		return;
	}

ecn_done:
	skb_scrub_packet(skb, false);
	if (authenticated) {
		/*
		 * The ICV already proved these are the bytes the peer sent,
		 * checksums included, so the inner checksums need not be
		 * summed again (WireGuard reasons the same way).  They stay
		 * in the packet for whoever it is forwarded to.
		 */
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		skb->csum_level = SKB_MAX_CSUM_LEVEL;
	}
	skb->dev = tun->dev;
	dev_sw_netstats_rx_add(tun->dev, skb->len);
	gro_cells_receive(&tun->gro_cells, skb);
	return;

inner:
	gresec_gre_rx_drop_from(tun, skb, GRESEC_STATS_A_RX_DROP_INNER,
				outer_saddr);
}

/*
 * Common receive path for plaintext GRE (@protected_by NULL) and for GRE
 * that came out of an inbound ESP SA of @protected_by.  Consumes the skb.
 */
int gresec_gre_receive(struct sk_buff *skb, struct gresec_tunnel *protected_by)
{
	struct gresec_net *gn = gresec_net_get(dev_net(skb->dev));
	struct gresec_gre_info info = {};
	const struct gresec_tunnel_cfg *cfg;
	struct gresec_tunnel *tun;
	bool key_mismatch;
	unsigned int len;
	int reason;

	len = min_t(unsigned int, skb->len, GRESEC_GRE_HLEN_MAX);
	if (!pskb_may_pull(skb, len))
		len = 0;
	reason = gresec_gre_parse(skb->data, len, &info);

	tun = gresec_net_tunnel_lookup(gn, ip_hdr(skb)->daddr,
				       ip_hdr(skb)->saddr,
				       !reason && (info.flags & GRESEC_TUNNEL_F_KEY),
				       info.key, &key_mismatch);
	if (unlikely(protected_by && tun != protected_by)) {
		/*
		 * An SA vouches for its own tunnel only: GRE inside it that
		 * belongs to another tunnel (or to none, or to this one while
		 * it is down) is refused and counted where the SA lives.
		 */
		tun = protected_by;
		if (!reason)
			reason = GRESEC_STATS_A_RX_DROP_KEY;
		goto drop;
	}
	if (!tun) {
		gresec_net_count_no_tunnel(gn, ip_hdr(skb)->saddr,
					   info.flags & GRESEC_TUNNEL_F_KEY,
					   info.key);
		net_dbg_ratelimited("no tunnel for GRE from %pI4 key %u\n",
				    &ip_hdr(skb)->saddr, info.key);
		kfree_skb(skb);
		return 0;
	}
	if (reason)
		goto drop;
	if (key_mismatch) {
		reason = GRESEC_STATS_A_RX_DROP_KEY;
		goto drop;
	}

	cfg = rcu_dereference(tun->cfg);
	if (!protected_by && cfg->protection == GRESEC_PROTECTION_REQUIRED) {
		reason = GRESEC_STATS_A_RX_DROP_PLAINTEXT;
		goto drop;
	}
	if (info.flags & GRESEC_TUNNEL_F_CSUM) {
		if (skb_checksum_simple_validate(skb)) {
			DEV_STATS_INC(tun->dev, rx_crc_errors);
			reason = GRESEC_STATS_A_RX_DROP_CSUM;
			goto drop;
		}
	} else if (cfg->iflags & GRESEC_TUNNEL_F_CSUM) {
		reason = GRESEC_STATS_A_RX_DROP_CSUM_MISSING;
		goto drop;
	}
	if (cfg->iflags & GRESEC_TUNNEL_F_SEQ) {
		if (!(info.flags & GRESEC_TUNNEL_F_SEQ)) {
			reason = GRESEC_STATS_A_RX_DROP_SEQ_MISSING;
			goto drop;
		}
		spin_lock(&tun->rx_lock);
		if (tun->i_seq_valid && (s32)(info.seq - tun->i_seqno) < 0) {
			spin_unlock(&tun->rx_lock);
			DEV_STATS_INC(tun->dev, rx_fifo_errors);
			reason = GRESEC_STATS_A_RX_DROP_SEQ;
			goto drop;
		}
		tun->i_seqno = info.seq + 1;
		tun->i_seq_valid = true;
		spin_unlock(&tun->rx_lock);
	}

	gresec_gre_deliver(tun, skb, &info, protected_by);
	return 0;

drop:
	gresec_gre_rx_drop(tun, skb, reason);
	return 0;
}

static int gresec_gre_rcv(struct sk_buff *skb)
{
	return gresec_gre_receive(skb, NULL);
}

/*
 * ICMP about a GRE packet we sent: learn the path MTU (and redirects) for
 * the underlay route so the next transmit sees it; the inner sender then
 * gets frag-needed / packet-too-big from gresec_gre_xmit.
 */
static void gresec_gre_err(struct sk_buff *skb, u32 info)
{
	const int type = icmp_hdr(skb)->type;
	const int code = icmp_hdr(skb)->code;
	struct net *net = dev_net(skb->dev);

	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		ipv4_update_pmtu(skb, net, info, 0, IPPROTO_GRE);
	else if (type == ICMP_REDIRECT)
		ipv4_redirect(skb, net, 0, IPPROTO_GRE);
}

static const struct gre_protocol gresec_gre_protocol = {
	.handler = gresec_gre_rcv,
	.err_handler = gresec_gre_err,
};

/* Inner-packet checks against the underlay path MTU, as ip_tunnel does. */
static int gresec_gre_pmtu(struct gresec_tunnel *tun, struct sk_buff *skb,
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

static void gresec_gre_tx_drop(struct gresec_tunnel *tun, struct sk_buff *skb,
			       unsigned int reason)
{
	gresec_tunnel_count(tun, reason);
	DEV_STATS_INC(tun->dev, tx_dropped);
	net_dbg_ratelimited("%s: tx drop (counter %u)\n", tun->dev->name,
			    reason);
	kfree_skb(skb);
}

/*
 * Send a packet whose encapsulation is complete, with the parameters
 * gresec_gre_xmit_one() left in the control block: the shared tail of the
 * plaintext path and of ESP output, which may run from a crypto completion.
 * @err is what the ESP transform reported.  Consumes the skb and the route.
 */
void gresec_gre_xmit_tail(struct sk_buff *skb, int err)
{
	struct gresec_xmit_cb *cb = &gresec_skb_cb(skb)->xmit;
	unsigned int reason;

	if (unlikely(err)) {
		ip_rt_put(cb->rt);
		if (err == -ENOMEM)
			reason = GRESEC_STATS_A_TX_DROP_NOMEM;
		else if (err == -EKEYEXPIRED)
			reason = GRESEC_STATS_A_TX_DROP_NO_SA;
		else
			reason = GRESEC_STATS_A_TX_DROP_ERROR;
		gresec_gre_tx_drop(cb->tun, skb, reason);
		return;
	}
	/* iptunnel_xmit() clears the control block: arguments go first. */
	iptunnel_xmit(NULL, cb->rt, skb, cb->saddr, cb->daddr, cb->proto,
		      cb->tos, cb->ttl, cb->df, false);
}

/* Whether the tunnel may only send ESP (sa.c keeps it fail-closed). */
static bool gresec_gre_protected(struct gresec_tunnel *tun,
				 const struct gresec_tunnel_cfg *cfg)
{
	return rcu_access_pointer(tun->tx_sa) ||
	       cfg->protection == GRESEC_PROTECTION_REQUIRED;
}

/*
 * Returns 0 when the packet was handed on (to the underlay, or to ESP
 * which sends or counts it itself), else a counter.  @protect: what
 * gresec_gre_xmit_now() decided for this packet, GSO included.
 */
static unsigned int gresec_gre_xmit_one(struct gresec_tunnel *tun,
					struct gresec_tunnel_cfg *cfg,
					struct sk_buff *skb, bool protect)
{
	struct net_device *dev = tun->dev;
	unsigned int hlen = gresec_gre_hlen(cfg->oflags);
	unsigned int esp_overhead = 0, esp_headroom = 0;
	const struct iphdr *inner = NULL;
	__be16 proto = skb->protocol;
	struct gresec_xmit_cb *cb;
	struct gresec_sa *sa = NULL;
	struct dst_cache *cache;
	unsigned int headroom;
	bool cacheable;
	unsigned int reason;
	struct flowi4 fl4;
	struct rtable *rt;
	u8 tos, ttl;
	__be16 df;
	u32 seq = 0;

	if (!cfg->remote)
		return GRESEC_STATS_A_TX_DROP_NO_REMOTE;
	if (protect) {
		sa = gresec_sa_tx_get(tun);
		if (!sa)
			return GRESEC_STATS_A_TX_DROP_NO_SA;
		esp_overhead = gresec_sa_overhead(sa);
		esp_headroom = gresec_sa_headroom(sa);
	}

	skb_reset_network_header(skb);
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

	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = cfg->remote;
	fl4.saddr = cfg->local;
	fl4.flowi4_tos = RT_TOS(tos);
	if (sa) {
		fl4.flowi4_proto = IPPROTO_ESP;
	} else {
		fl4.flowi4_proto = IPPROTO_GRE;
		fl4.fl4_gre_key = htonl(cfg->okey);
	}
	/*
	 * The cache holds routes looked up with the configured TOS; a packet
	 * whose inherited TOS differs may be routed differently (TOS rules).
	 */
	cache = &cfg->dst_cache[!!sa];
	cacheable = RT_TOS(tos) == RT_TOS(cfg->tos);
	rt = cacheable ? dst_cache_get_ip4(cache, &fl4.saddr) : NULL;
	if (!rt) {
		rt = ip_route_output_key(dev_net(dev), &fl4);
		if (IS_ERR(rt)) {
			DEV_STATS_INC(dev, tx_carrier_errors);
			reason = GRESEC_STATS_A_TX_DROP_NO_ROUTE;
			goto err_sa;
		}
		if (cacheable)
			dst_cache_set_ip4(cache, &rt->dst, fl4.saddr);
	}
	if (rt->dst.dev == dev) {
		DEV_STATS_INC(dev, collisions);
		reason = GRESEC_STATS_A_TX_DROP_LOOP;
		goto err_rt;
	}

	df = cfg->pmtudisc ? htons(IP_DF) : 0;
	if (proto == htons(ETH_P_IP) && inner)
		df |= inner->frag_off & htons(IP_DF);
	if (gresec_gre_pmtu(tun, skb, rt, &df,
			    sizeof(struct iphdr) + hlen + esp_overhead)) {
		reason = GRESEC_STATS_A_TX_DROP_TOO_BIG;
		goto err_rt;
	}

	tos = ip_tunnel_ecn_encap(tos, inner, skb);
	ttl = cfg->ttl;
	if (!ttl) {
		if (proto == htons(ETH_P_IP) && inner)
			ttl = inner->ttl;
		else if (proto == htons(ETH_P_IPV6) && inner)
			ttl = ((const struct ipv6hdr *)inner)->hop_limit;
		else
			ttl = ip4_dst_hoplimit(&rt->dst);
	}

	headroom = LL_RESERVED_SPACE(rt->dst.dev) + rt->dst.header_len +
		   sizeof(struct iphdr) + hlen + esp_headroom;
	if (headroom > READ_ONCE(dev->needed_headroom))
		WRITE_ONCE(dev->needed_headroom, headroom);
	if (skb_cow_head(skb, headroom) ||
	    iptunnel_handle_offloads(skb, (cfg->oflags & GRESEC_TUNNEL_F_CSUM) ?
					  SKB_GSO_GRE_CSUM : SKB_GSO_GRE)) {
		reason = GRESEC_STATS_A_TX_DROP_NOMEM;
		goto err_rt;
	}

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

	cb = &gresec_skb_cb(skb)->xmit;
	cb->rt = rt;
	cb->tun = tun;
	cb->saddr = fl4.saddr;
	cb->daddr = fl4.daddr;
	cb->tos = tos;
	cb->ttl = ttl;
	cb->df = df;
	if (sa) {
		cb->proto = IPPROTO_ESP;
		cb->plen = skb->len;
		gresec_esp_output(sa, skb);
		return 0;
	}
	cb->proto = IPPROTO_GRE;
	gresec_gre_xmit_tail(skb, 0);
	return 0;

err_rt:
	ip_rt_put(rt);
err_sa:
	if (sa)
		gresec_sa_put(sa);
	return reason;
}

static void gresec_gre_xmit_skb(struct gresec_tunnel *tun,
				struct gresec_tunnel_cfg *cfg,
				struct sk_buff *skb, bool protect)
{
	unsigned int reason = gresec_gre_xmit_one(tun, cfg, skb, protect);

	if (reason)
		gresec_gre_tx_drop(tun, skb, reason);
}

/* @cfg is not const: its route caches are filled on the way. */
static void gresec_gre_xmit_now(struct gresec_tunnel *tun,
				struct gresec_tunnel_cfg *cfg,
				struct sk_buff *skb)
{
	/*
	 * Decided once per packet: an SA that appears between two reads must
	 * not send an unsegmented GSO packet to ESP.
	 */
	bool protect = gresec_gre_protected(tun, cfg);
	struct sk_buff *segs, *next;

	/*
	 * ESP protects one packet at a time.  The features check keeps GSO
	 * away from protected tunnels; this catches what was queued before
	 * the first outbound SA appeared.
	 */
	if (unlikely(skb_is_gso(skb) && protect)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs)) {
			gresec_gre_tx_drop(tun, skb,
					   GRESEC_STATS_A_TX_DROP_ERROR);
			return;
		}
		consume_skb(skb);
		skb_list_walk_safe(segs, skb, next) {
			skb_mark_not_on_list(skb);
			gresec_gre_xmit_skb(tun, cfg, skb, true);
		}
		return;
	}
	gresec_gre_xmit_skb(tun, cfg, skb, protect);
}

static void gresec_gre_tx_deferred(struct sk_buff *skb, void *arg)
{
	struct gresec_tunnel *tun = arg;

	/*
	 * The worker continues a transmit that began in ndo_start_xmit: it
	 * counts as one level of it, so that our outer packet routed back
	 * into a tunnel (a loop) meets the core's recursion limit here too.
	 */
	dev_xmit_recursion_inc();
	gresec_gre_xmit_now(tun, rcu_dereference(tun->cfg), skb);
	dev_xmit_recursion_dec();
}

void gresec_gre_tx_worker(struct work_struct *work)
{
	struct gresec_tunnel *tun = container_of(work, struct gresec_tunnel,
						 txq.work);

	gresec_par_queue_drain(&tun->txq, gresec_gre_tx_deferred, tun);
}

static DEFINE_PER_CPU(struct gresec_par_rate, gresec_gre_tx_rate);

netdev_tx_t gresec_gre_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct gresec_tunnel *tun = netdev_priv(dev);
	struct gresec_tunnel_cfg *cfg = rcu_dereference_bh(tun->cfg);

	/*
	 * Only encryption is worth a hand-over; plain GRE stays here, and so
	 * does a packet that is already inside another device's transmit
	 * (ours, routed into a tunnel): a hand-over would restart the core's
	 * count of nested transmits, and a routing loop would never end.
	 */
	if (dev_recursion_level() <= 1 &&
	    gresec_par_queue_wanted(&tun->txq, &gresec_gre_tx_rate,
				    gresec_gre_protected(tun, cfg))) {
		if (gresec_par_queue_add(&tun->txq, skb))
			gresec_gre_tx_drop(tun, skb,
					   GRESEC_STATS_A_TX_DROP_BACKLOG);
		else
			gresec_tunnel_count(tun, GRESEC_STATS_A_TX_HANDOFF);
		return NETDEV_TX_OK;
	}
	gresec_gre_xmit_now(tun, cfg, skb);
	return NETDEV_TX_OK;
}

int gresec_gre_init(void)
{
	int err = gre_add_protocol(&gresec_gre_protocol, GREPROTO_CISCO);

	if (err)
		pr_err("the GRE version 0 receive slot is taken (is ip_gre loaded? 'rmmod ip_gre' first): %d\n",
		       err);
	return err;
}

void gresec_gre_uninit(void)
{
	gre_del_protocol(&gresec_gre_protocol, GREPROTO_CISCO);
}

#ifdef DEBUG
#include "selftest/gre.c"
#endif
