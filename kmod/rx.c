// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: a packet's way in, from the receive entries to the tunnel device.
 *
 *   gresec_rx_gre_rcv()     GRE demultiplexer slot: plaintext GRE
 *   gresec_rx_esp_rcv()     xfrm4 ESP handler: our SPIs, else passed on
 *   gresec_rx_esp_input_handler()  the same for ESP in UDP (udp.c)
 *     gresec_rx_esp_sa()      inline, or on the next CPU (parallel.c)
 *     gresec_rx_esp_done()    ESP's completion (perhaps asynchronous)
 *   gresec_rx_gre()         match a GRE packet (plaintext or out of an
 *                           SA) to its tunnel, check it against the
 *                           tunnel's configuration
 *   gresec_rx_deliver()     decapsulate (ECN, RFC 6040) into the device
 *
 * The ICMP error handlers of both entries learn the underlay path MTU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/dsfield.h>
#include <net/gre.h>
#include <net/gro_cells.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "compat.h"
#include "device.h"
#include "esp.h"
#include "gre.h"
#include "keepalive.h"
#include "mss.h"
#include "netns.h"
#include "parallel.h"
#include "rx.h"
#include "sa.h"
#include "skb.h"
#include "udp.h"

/*
 * Above esp4 (0), xfrm interfaces (10) and ip_vti (100): an SPI that is one
 * of our inbound SAs is ours; everything else is passed down the chain.
 */
#define GRESEC_RX_ESP_PRIORITY	120

/* The core's nearest drop reason for one of our receive counters. */
static enum skb_drop_reason gresec_rx_drop_reason(enum gresec_stats_a counter)
{
	switch (counter) {
	case GRESEC_STATS_A_RX_DROP_MALFORMED:
	case GRESEC_STATS_A_RX_DROP_INNER:
		return SKB_DROP_REASON_HDR_TRUNC;
	case GRESEC_STATS_A_RX_DROP_VERSION:
		return SKB_DROP_REASON_UNHANDLED_PROTO;
	case GRESEC_STATS_A_RX_DROP_CSUM:
		return SKB_DROP_REASON_SKB_CSUM;
	case GRESEC_STATS_A_RX_DROP_PLAINTEXT:
		/* What xfrm says of an unprotected packet its policy wants. */
		return SKB_DROP_REASON_XFRM_POLICY;
	case GRESEC_STATS_A_RX_DROP_ECN:
		return GRESEC_DROP_REASON_TUNNEL_ECN;
	case GRESEC_STATS_A_RX_DROP_NOMEM:
		return SKB_DROP_REASON_NOMEM;
	case GRESEC_STATS_A_RX_DROP_BACKLOG:
		return SKB_DROP_REASON_CPU_BACKLOG;
	default:
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
}

/* @saddr: the outer source, which the network header may no longer show. */
static void gresec_rx_drop_from(struct gresec_tunnel *tun,
				struct sk_buff *skb, enum gresec_stats_a reason,
				__be32 saddr)
{
	gresec_tunnel_count(tun, reason);
	DEV_STATS_INC(tun->dev, rx_dropped);
	net_dbg_ratelimited("%s: rx drop (counter %u) from %pI4\n",
			    tun->dev->name, reason, &saddr);
	kfree_skb_reason(skb, gresec_rx_drop_reason(reason));
}

/* A drop before decapsulation: the network header is the outer one. */
static void gresec_rx_drop(struct gresec_tunnel *tun, struct sk_buff *skb,
			   enum gresec_stats_a reason)
{
	gresec_rx_drop_from(tun, skb, reason, ip_hdr(skb)->saddr);
}

/*
 * Deliver the inner packet of a GRE packet that has been matched to @tun and
 * whose header @info has been checked.  skb->data points at the GRE header.
 * @authenticated: the packet came out of an ESP SA whose ICV covered it.
 */
static void gresec_rx_deliver(struct gresec_tunnel *tun, struct sk_buff *skb,
			      const struct gresec_gre_info *info,
			      bool authenticated)
{
	__be32 outer_saddr = ip_hdr(skb)->saddr;
	__be32 outer_daddr = ip_hdr(skb)->daddr;
	u8 outer_tos = ip_hdr(skb)->tos;
	u32 adjust_mss;
	u8 inner_tos;
	int err;

	skb_pull_rcsum(skb, info->hlen);
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb->protocol = info->proto;
	adjust_mss = rcu_dereference(tun->cfg)->adjust_mss;
	if (adjust_mss &&
	    gresec_mss_clamp(skb, adjust_mss, READ_ONCE(tun->dev->mtu)))
		gresec_tunnel_count(tun, GRESEC_STATS_A_MSS_CLAMPED);

	if (info->proto == htons(ETH_P_IP)) {
		if (!pskb_may_pull(skb, sizeof(struct iphdr)))
			goto inner;
		if (gresec_keepalive_reflect(tun, skb, outer_saddr,
					     outer_daddr))
			return;
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
		gresec_rx_drop_from(tun, skb, GRESEC_STATS_A_RX_DROP_ECN,
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
	gresec_rx_drop_from(tun, skb, GRESEC_STATS_A_RX_DROP_INNER,
			    outer_saddr);
}

/*
 * The tunnel of GRE out of a UDP-encapsulated SA of @tun: the SA's own,
 * whatever the outer addresses, which a NAT rewrote; the GRE key must
 * still be the tunnel's, as gresec_netns_tunnel_lookup() wants it.
 */
static struct gresec_tunnel *gresec_rx_sa_tunnel(struct gresec_tunnel *tun,
						 bool parsed,
						 const struct gresec_gre_info *info,
						 bool *key_mismatch)
{
	const struct gresec_tunnel_cfg *cfg = rcu_dereference(tun->cfg);
	bool want_key = cfg->iflags & GRESEC_TUNNEL_F_KEY;
	bool key_present = parsed && (info->flags & GRESEC_TUNNEL_F_KEY);

	if (!(tun->dev->flags & IFF_UP))
		return NULL;
	*key_mismatch = want_key != key_present ||
			(want_key && cfg->ikey != info->key);
	return tun;
}

/*
 * The tunnel's receive checks, for plaintext GRE (@protected_by NULL) and
 * for GRE that came out of an inbound ESP SA of @protected_by.  Consumes
 * the skb.  The packet's device is in the namespace of the tunnels it may
 * belong to (out of an SA: the tunnel's own).
 */
static void gresec_rx_gre(struct sk_buff *skb,
			  struct gresec_tunnel *protected_by, bool by_sa)
{
	struct gresec_netns *gn = gresec_netns_get(dev_net(skb->dev));
	struct gresec_gre_info info = {};
	const struct gresec_tunnel_cfg *cfg;
	struct gresec_tunnel *tun;
	bool key_mismatch;
	unsigned int len;
	enum gresec_stats_a reason;

	len = min_t(unsigned int, skb->len, GRESEC_GRE_HLEN_MAX);
	if (!pskb_may_pull(skb, len))
		len = 0;
	reason = gresec_gre_parse(skb->data, len, &info);

	if (by_sa)
		tun = gresec_rx_sa_tunnel(protected_by, !reason, &info,
					  &key_mismatch);
	else
		tun = gresec_netns_tunnel_lookup(gn, ip_hdr(skb)->daddr,
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
		gresec_netns_count_no_tunnel(gn, ip_hdr(skb)->saddr,
					     info.flags & GRESEC_TUNNEL_F_KEY,
					     info.key);
		net_dbg_ratelimited("no tunnel for GRE from %pI4 key %u\n",
				    &ip_hdr(skb)->saddr, info.key);
		kfree_skb(skb);
		return;
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
	/*
	 * Protocol 0: one of our keepalives, back from the peer.  Before the
	 * sequence number checks: it carries none of the peer's.
	 */
	if (unlikely(!info.proto)) {
		gresec_keepalive_heard(tun, skb);
		return;
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

	gresec_rx_deliver(tun, skb, &info, protected_by);
	return;

drop:
	gresec_rx_drop(tun, skb, reason);
}

static int gresec_rx_gre_rcv(struct sk_buff *skb)
{
	gresec_rx_gre(skb, NULL, false);
	return 0;
}

/*
 * ICMP about a GRE packet we sent: learn the path MTU (and redirects) for
 * the underlay route so the next transmit sees it; the inner sender then
 * gets frag-needed / packet-too-big from tx.c.
 */
static void gresec_rx_gre_err(struct sk_buff *skb, u32 info)
{
	const int type = icmp_hdr(skb)->type;
	const int code = icmp_hdr(skb)->code;
	struct net *net = dev_net(skb->dev);

	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		ipv4_update_pmtu(skb, net, info, 0, IPPROTO_GRE);
	else if (type == ICMP_REDIRECT)
		ipv4_redirect(skb, net, 0, IPPROTO_GRE);
}

static const struct gre_protocol gresec_rx_gre_protocol = {
	.handler = gresec_rx_gre_rcv,
	.err_handler = gresec_rx_gre_err,
};

/*
 * NAT rebinding: an authenticated packet of a UDP-encapsulated inbound SA
 * from a new address or port moves where the tunnel's outbound SA sends
 * (RFC 3948 2.2, RFC 7296 2.23), if that one is UDP-encapsulated too.
 * Only the newest packet may: one reordered from the old mapping must not
 * move it back.
 */
static void gresec_rx_udp_peer(struct gresec_sa *sa, struct sk_buff *skb)
{
	const struct gresec_tunnel_cfg *cfg = rcu_dereference(sa->tun->cfg);
	struct gresec_sa *tx;
	u64 peer;

	if (sa->replay.window &&
	    gresec_skb_cb(skb)->recv.seq < READ_ONCE(sa->replay.top))
		return;
	if (!gresec_udp_rx_peer(sa, skb, cfg->remote, &peer))
		return;
	tx = rcu_dereference(sa->tun->tx_sa);
	if (tx && gresec_sa_udp(tx))
		gresec_udp_peer_set(tx, peer);
	net_dbg_ratelimited("%s: SA 0x%08x: peer moved to %pI4:%u\n",
			    sa->tun->dev->name, sa->spi, &ip_hdr(skb)->saddr,
			    ntohs(gresec_udp_peer_port(peer)));
	gresec_sa_mapping(sa);
}

/*
 * ESP tunnel mode (RFC 4303 3.1.2): the decrypted payload of @sa is an IPv4
 * packet, which must be exactly the GRE packet the tunnel's peer would
 * send in transport mode, in a plain header between the tunnel's
 * endpoints: no options, no fragment, protocol GRE, from the remote to the
 * local address (the outer destination when the tunnel has none).  An SA
 * vouches for its tunnel only, as it does for the GRE inside (see
 * gresec_rx_gre()).  Strips the header and returns SKB_NOT_DROPPED_YET, or
 * the reason to drop.  The outer header stays the network header.
 */
static enum skb_drop_reason gresec_rx_tunnel_inner(struct gresec_sa *sa,
						   struct sk_buff *skb)
{
	const struct gresec_tunnel_cfg *cfg = rcu_dereference(sa->tun->cfg);
	const struct iphdr *iph;
	unsigned int len;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return SKB_DROP_REASON_HDR_TRUNC;
	iph = (const struct iphdr *)skb->data;
	len = ntohs(iph->tot_len);
	if (iph->version != 4 || iph->ihl != sizeof(*iph) >> 2 ||
	    len < sizeof(*iph) || len > skb->len ||
	    (iph->frag_off & htons(IP_MF | IP_OFFSET)) ||
	    ip_fast_csum(iph, iph->ihl))
		return SKB_DROP_REASON_IP_INHDR;
	/* What xfrm says when a packet does not match its SA's selector. */
	if (iph->protocol != IPPROTO_GRE || iph->saddr != cfg->remote ||
	    iph->daddr != (cfg->local ?: ip_hdr(skb)->daddr))
		return SKB_DROP_REASON_XFRM_POLICY;
	/* TFC padding (RFC 4303 2.7) may follow the inner packet. */
	if (pskb_trim(skb, len))
		return SKB_DROP_REASON_NOMEM;
	__skb_pull(skb, sizeof(*iph));
	return SKB_NOT_DROPPED_YET;
}

/* ESP is done with the packet, at once or from a crypto completion. */
static void gresec_rx_esp_done(struct sk_buff *skb, int err)
{
	struct gresec_sa *sa = gresec_skb_cb(skb)->sa;
	enum skb_drop_reason reason;

	if (!err) {
		/* A completion may run outside the receive path's section. */
		rcu_read_lock();
		if (gresec_sa_tunnel_mode(sa)) {
			reason = gresec_rx_tunnel_inner(sa, skb);
			if (unlikely(reason)) {
				rcu_read_unlock();
				gresec_sa_count(sa,
						GRESEC_SA_STATS_A_DROP_TUNNEL_INNER);
				DEV_STATS_INC(sa->tun->dev, rx_dropped);
				net_dbg_ratelimited("%s: SA 0x%08x: bad tunnel-mode inner header from %pI4\n",
						    sa->tun->dev->name, sa->spi,
						    &ip_hdr(skb)->saddr);
				kfree_skb_reason(skb, reason);
				gresec_sa_put(sa);
				return;
			}
		}
		gresec_sa_count(sa, GRESEC_SA_STATS_A_PACKETS);
		gresec_sa_count_add(sa, GRESEC_SA_STATS_A_BYTES, skb->len);
		gresec_sa_mark_used(sa);
		skb_reset_transport_header(skb);
		if (gresec_sa_udp(sa))
			gresec_rx_udp_peer(sa, skb);
		gresec_rx_gre(skb, sa->tun, gresec_sa_udp(sa));
		rcu_read_unlock();
	} else if (err == -ENODATA) {
		/* RFC 4303 2.6: a dummy packet (traffic flow confidentiality). */
		gresec_sa_count(sa, GRESEC_SA_STATS_A_PACKETS);
		consume_skb(skb);
	} else {
		/* esp.c counted the reason on the SA. */
		DEV_STATS_INC(sa->tun->dev, rx_dropped);
		net_dbg_ratelimited("%s: SA 0x%08x: rx drop (%d) from %pI4\n",
				    sa->tun->dev->name, sa->spi, err,
				    &ip_hdr(skb)->saddr);
		kfree_skb(skb);
	}
	gresec_sa_put(sa);
}

/*
 * An inbound SA's work on a packet, inline or on the next CPU: the replay
 * check is part of it, so a packet is judged against the window all the
 * packets queued before it have moved.
 */
static void gresec_rx_esp_sa(struct gresec_sa *sa, struct sk_buff *skb)
{
	/*
	 * An asynchronous AEAD completes after the receive path let go of
	 * the underlay device, which nothing holds and which may be deleted
	 * meanwhile.  The SA pins its tunnel's device, in the same namespace:
	 * from here on the packet belongs to that one.
	 */
	skb->dev = sa->tun->dev;
	gresec_esp_input(sa, skb, gresec_rx_esp_done);
}

/* The receive hand-over's handler, on the next CPU (parallel.c). */
static void gresec_rx_esp_deferred(struct sk_buff *skb, void *arg)
{
	struct net_device *dev = skb->dev;

	gresec_rx_esp_sa(arg, skb);
	dev_put(dev);
}

/* Before an inbound SA is linked: its packets' hand-over goes here. */
void gresec_rx_sa_init(struct gresec_sa *sa)
{
	gresec_par_queue_init(&sa->rxq, gresec_rx_esp_deferred, sa);
}

static void gresec_rx_esp_defer(struct gresec_sa *sa, struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;

	/*
	 * The route may be one the receive path did not take a reference
	 * to, and nothing after decryption needs it; the underlay device
	 * must outlive the wait.
	 */
	skb_dst_drop(skb);
	dev_hold(dev);
	if (!gresec_par_queue_add(&sa->rxq, skb)) {
		/*
		 * The worker may already have dropped the packet's SA
		 * reference, but an SA is freed only after a grace period,
		 * and the receive path is a read-side section.
		 */
		gresec_tunnel_count(sa->tun, GRESEC_STATS_A_RX_HANDOFF);
		return;
	}
	dev_put(dev);
	gresec_rx_drop(sa->tun, skb, GRESEC_STATS_A_RX_DROP_BACKLOG);
	gresec_sa_put(sa);
}

/*
 * An SPI none of our inbound SAs has.  The packet may well belong to the
 * kernel's own IPsec (esp4 runs after us), so it is only counted as an
 * unknown SPI for gresec when xfrm has no state for it either.
 */
static void gresec_rx_esp_unknown(struct gresec_netns *gn, struct sk_buff *skb,
				  __be32 spi)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct xfrm_state *x;

	x = xfrm_state_lookup(dev_net(skb->dev), skb->mark,
			      (const xfrm_address_t *)&iph->daddr, spi,
			      IPPROTO_ESP, AF_INET);
	if (x) {
		xfrm_state_put(x);
		return;
	}
	gresec_netns_count_unknown_spi(gn, iph->saddr, ntohl(spi));
}

static DEFINE_PER_CPU(struct gresec_par_rate, gresec_rx_rate);

/*
 * ESP, plain (@udp false) or out of UDP (udp.c), at skb->data; returns
 * -EINVAL to pass a packet down the chain.
 */
static int gresec_rx_esp(struct sk_buff *skb, bool udp)
{
	struct gresec_netns *gn = gresec_netns_get(dev_net(skb->dev));
	const struct ip_esp_hdr *esph;
	struct gresec_sa *sa;

	if (!pskb_may_pull(skb, sizeof(*esph)))
		return -EINVAL;
	esph = (const struct ip_esp_hdr *)skb->data;
	sa = gresec_sa_rx_get(gn, ntohl(esph->spi));
	if (!sa) {
		gresec_rx_esp_unknown(gn, skb, esph->spi);
		return -EINVAL;
	}
	if (unlikely(gresec_sa_udp(sa) != udp)) {
		/* As xfrm: the SA's packets come one way only. */
		gresec_sa_count(sa, GRESEC_SA_STATS_A_DROP_ENCAP);
		DEV_STATS_INC(sa->tun->dev, rx_dropped);
		kfree_skb_reason(skb, SKB_DROP_REASON_XFRM_POLICY);
		gresec_sa_put(sa);
		return 0;
	}
	gresec_skb_cb(skb)->sa = sa;

	if (gresec_par_queue_wanted(&sa->rxq, &gresec_rx_rate, true))
		gresec_rx_esp_defer(sa, skb);
	else
		gresec_rx_esp_sa(sa, skb);
	return 0;
}

/* xfrm4 ESP handler: returns -EINVAL to pass a packet down the chain. */
static int gresec_rx_esp_rcv(struct sk_buff *skb)
{
	return gresec_rx_esp(skb, false);
}

/*
 * ESP in UDP, from xfrm4_udp_encap_rcv() on a UDP_ENCAP_ESPINUDP socket
 * (see udp.c for why that way): the UDP header is still between the IP
 * header and skb->data.  Anything else that reaches the xfrm4 input
 * handlers is not ours.
 */
static int gresec_rx_esp_input_handler(struct sk_buff *skb, int nexthdr,
				       __be32 spi, int encap_type)
{
	if (encap_type != UDP_ENCAP_ESPINUDP || nexthdr != IPPROTO_ESP)
		return -EINVAL;
	return gresec_rx_esp(skb, true);
}

/* xfrm_input() completions are never ours: a positive value passes on. */
static int gresec_rx_esp_cb_handler(struct sk_buff *skb, int err)
{
	return 1;
}

/*
 * ICMP about an ESP packet we sent: learn the path MTU for the underlay
 * route, as gresec_rx_gre_err() does for plaintext GRE, so the next
 * transmit tells the inner sender.  Not ours (no tunnel, another SPI):
 * -ENOENT lets esp4 look.
 */
static int gresec_rx_esp_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct ip_esp_hdr *esph = (const void *)(skb->data +
						       (iph->ihl << 2));
	const int type = icmp_hdr(skb)->type;
	const int code = icmp_hdr(skb)->code;
	struct net *net = dev_net(skb->dev);
	struct gresec_tunnel *tun;
	struct gresec_sa *sa;
	bool key_mismatch;

	if (type != ICMP_REDIRECT &&
	    (type != ICMP_DEST_UNREACH || code != ICMP_FRAG_NEEDED))
		return -ENOENT;
	tun = gresec_netns_tunnel_lookup(gresec_netns_get(net), iph->saddr,
					 iph->daddr, false, 0, &key_mismatch);
	if (!tun)
		return -ENOENT;
	sa = rcu_dereference(tun->tx_sa);
	if (!sa || sa->spi != ntohl(esph->spi))
		return -ENOENT;

	if (type == ICMP_DEST_UNREACH)
		ipv4_update_pmtu(skb, net, info, 0, IPPROTO_ESP);
	else
		ipv4_redirect(skb, net, 0, IPPROTO_ESP);
	return 0;
}

static struct xfrm4_protocol gresec_rx_esp_protocol = {
	.handler = gresec_rx_esp_rcv,
	.input_handler = gresec_rx_esp_input_handler,
	.cb_handler = gresec_rx_esp_cb_handler,
	.err_handler = gresec_rx_esp_err,
	.priority = GRESEC_RX_ESP_PRIORITY,
};

int gresec_rx_init(void)
{
	int err;

	err = gre_add_protocol(&gresec_rx_gre_protocol, GREPROTO_CISCO);
	if (err) {
		pr_err("the GRE version 0 receive slot is taken (is ip_gre loaded? 'rmmod ip_gre' first): %d\n",
		       err);
		return err;
	}
	err = xfrm4_protocol_register(&gresec_rx_esp_protocol, IPPROTO_ESP);
	if (err) {
		pr_err("cannot register the ESP receive handler: %d\n", err);
		gre_del_protocol(&gresec_rx_gre_protocol, GREPROTO_CISCO);
	}
	return err;
}

void gresec_rx_uninit(void)
{
	xfrm4_protocol_deregister(&gresec_rx_esp_protocol, IPPROTO_ESP);
	gre_del_protocol(&gresec_rx_gre_protocol, GREPROTO_CISCO);
}
