// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: the tunnel net_device (rtnl link kind "gresec").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/route.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "device.h"
#include "gre.h"
#include "keepalive.h"
#include "mss.h"
#include "netns.h"
#include "sa.h"
#include "tx.h"

#define GRESEC_DEFAULT_TTL 64
#define GRESEC_DEFAULT_KA_RETRIES 3

static const struct net_device_ops gresec_netdev_ops;

bool gresec_device_is_ours(const struct net_device *dev)
{
	return dev->netdev_ops == &gresec_netdev_ops;
}

/* Bytes we add in front of the inner packet with this configuration. */
static unsigned int gresec_tunnel_overhead(const struct gresec_tunnel_cfg *cfg)
{
	return sizeof(struct iphdr) + gresec_gre_hlen(cfg->oflags);
}

/* The largest inner packet the underlay route to @cfg->remote can carry. */
static unsigned int gresec_tunnel_mtu_auto(struct net_device *dev,
					   const struct gresec_tunnel_cfg *cfg)
{
	/* sa.c hook: protected tunnels send ESP, with its overhead. */
	unsigned int overhead = gresec_tunnel_overhead(cfg) +
				gresec_sa_tx_overhead(netdev_priv(dev));
	unsigned int mtu = ETH_DATA_LEN;
	struct flowi4 fl4 = {
		.daddr = cfg->remote,
		.saddr = cfg->local,
		.flowi4_proto = cfg->protection == GRESEC_PROTECTION_REQUIRED ?
				IPPROTO_ESP : IPPROTO_GRE,
	};
	struct rtable *rt;

	if (cfg->remote) {
		rt = ip_route_output_key(dev_net(dev), &fl4);
		if (!IS_ERR(rt)) {
			if (rt->dst.dev != dev)
				mtu = dst_mtu(&rt->dst);
			ip_rt_put(rt);
		}
	}
	mtu = mtu > overhead ? mtu - overhead : 0;
	return clamp_t(unsigned int, mtu, IPV4_MIN_MTU, dev->max_mtu);
}

/*
 * What a configuration must satisfy beyond each attribute's range (those
 * are uapi/gresec.yaml's policy, protection's and the flags' included).
 * Plain text messages: 6.1 cannot format extack messages.
 */
static int gresec_tunnel_cfg_check(const struct gresec_tunnel_cfg *cfg,
				   struct net_device *dev,
				   struct netlink_ext_ack *extack)
{
	if (ipv4_is_multicast(cfg->local) || ipv4_is_lbcast(cfg->local)) {
		NL_SET_ERR_MSG_MOD(extack, "local must be a unicast address or 0");
		return -EINVAL;
	}
	if (ipv4_is_multicast(cfg->remote) || ipv4_is_lbcast(cfg->remote) ||
	    (ipv4_is_zeronet(cfg->remote) && cfg->remote)) {
		NL_SET_ERR_MSG_MOD(extack, "remote must be a unicast address or 0");
		return -EINVAL;
	}
	if (cfg->mtu && (cfg->mtu < IPV4_MIN_MTU || cfg->mtu > dev->max_mtu)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "mtu must be 0 (auto) or 68 up to the device's maxmtu");
		return -EINVAL;
	}
	if (cfg->adjust_mss > GRESEC_MSS_AUTO &&
	    (cfg->adjust_mss < GRESEC_MSS_MIN || cfg->adjust_mss > U16_MAX)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "adjust-mss: must be 0 (off), 1 (auto) or 500..65535");
		return -ERANGE;
	}
	/* The keepalive's inner packet is addressed to it. */
	if (cfg->ka_period && !cfg->local) {
		NL_SET_ERR_MSG_MOD(extack,
				   "keepalive: needs a local address");
		return -EINVAL;
	}
	return 0;
}

/* The copy has empty route caches: freeing it needs no more than kfree(). */
struct gresec_tunnel_cfg *gresec_tunnel_cfg_dup(struct gresec_tunnel *tun)
{
	struct gresec_tunnel_cfg *cfg;

	cfg = kmemdup(rtnl_dereference(tun->cfg), sizeof(*tun->cfg),
		      GFP_KERNEL);
	if (cfg)
		memset(cfg->dst_cache, 0, sizeof(cfg->dst_cache));
	return cfg;
}

static int gresec_tunnel_cfg_cache_init(struct gresec_tunnel_cfg *cfg)
{
	int err;

	err = dst_cache_init(&cfg->dst_cache[0], GFP_KERNEL);
	if (err)
		return err;
	err = dst_cache_init(&cfg->dst_cache[1], GFP_KERNEL);
	if (err) {
		dst_cache_destroy(&cfg->dst_cache[0]);
		memset(cfg->dst_cache, 0, sizeof(cfg->dst_cache));
	}
	return err;
}

/* Also for a configuration whose caches were never set up. */
void gresec_tunnel_cfg_free(struct gresec_tunnel_cfg *cfg)
{
	if (!cfg)
		return;
	dst_cache_destroy(&cfg->dst_cache[0]);
	dst_cache_destroy(&cfg->dst_cache[1]);
	kfree(cfg);
}

static void gresec_tunnel_cfg_free_rcu(struct rcu_head *head)
{
	gresec_tunnel_cfg_free(container_of(head, struct gresec_tunnel_cfg,
					    rcu));
}

/*
 * Install @cfg (ownership passes to us) as one atomic step for the data
 * path.  The tunnel is rehashed because its addresses or key may change.
 */
int gresec_tunnel_cfg_apply(struct gresec_tunnel *tun,
			    struct gresec_tunnel_cfg *cfg,
			    struct netlink_ext_ack *extack)
{
	struct net_device *dev = tun->dev;
	struct gresec_tunnel_cfg *old;
	int err;

	ASSERT_RTNL();
	err = gresec_tunnel_cfg_check(cfg, dev, extack);
	if (err)
		goto err_free;
	err = gresec_tunnel_cfg_cache_init(cfg);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "out of memory for the route cache");
		goto err_free;
	}
	err = dev_set_mtu(dev, cfg->mtu ?: gresec_tunnel_mtu_auto(dev, cfg));
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "mtu: the device refused it");
		goto err_free;
	}

	old = rtnl_dereference(tun->cfg);
	gresec_netns_tunnel_unlink(tun);
	rcu_assign_pointer(tun->cfg, cfg);
	gresec_netns_tunnel_link(gresec_netns_get(dev_net(dev)), tun, cfg);

	spin_lock_bh(&tun->rx_lock);
	tun->i_seq_valid = false;
	spin_unlock_bh(&tun->rx_lock);
	WRITE_ONCE(tun->no_gso,
		   (cfg->oflags & GRESEC_TUNNEL_F_SEQ) ||
		   cfg->protection == GRESEC_PROTECTION_REQUIRED);

	dev_addr_set(dev, (const u8 *)&cfg->local);
	memcpy(dev->broadcast, &cfg->remote, sizeof(cfg->remote));
	if (cfg->remote != old->remote || cfg->local != old->local)
		call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
	gresec_keepalive_apply(tun, old->ka_period);
	call_rcu(&old->rcu, gresec_tunnel_cfg_free_rcu);
	/* Nothing waits for an SA once none is required. */
	if (cfg->protection == GRESEC_PROTECTION_NONE)
		gresec_hold_purge(tun);
	return 0;

err_free:
	gresec_tunnel_cfg_free(cfg);
	return err;
}

/*
 * A tunnel with an SA, in either direction, is fail-closed from then on:
 * it never sends plaintext when its outbound SA goes away or expires, and
 * refuses plaintext GRE even while only inbound SAs exist (a key manager
 * installs those first).  Only an explicit "protection none" undoes it.
 */
int gresec_tunnel_protect(struct gresec_tunnel *tun,
			  struct netlink_ext_ack *extack)
{
	struct gresec_tunnel_cfg *cfg;

	ASSERT_RTNL();
	if (rtnl_dereference(tun->cfg)->protection ==
	    GRESEC_PROTECTION_REQUIRED)
		return 0;
	cfg = gresec_tunnel_cfg_dup(tun);
	if (!cfg)
		return -ENOMEM;
	cfg->protection = GRESEC_PROTECTION_REQUIRED;
	return gresec_tunnel_cfg_apply(tun, cfg, extack);
}

/* The outbound SA, and so the ESP overhead, changed. */
int gresec_tunnel_mtu_refresh(struct gresec_tunnel *tun)
{
	const struct gresec_tunnel_cfg *cfg = rtnl_dereference(tun->cfg);

	if (cfg->mtu)
		return 0;
	return dev_set_mtu(tun->dev, gresec_tunnel_mtu_auto(tun->dev, cfg));
}

void gresec_tunnel_stats_fold(struct gresec_tunnel *tun,
			      u64 ctr[GRESEC_STATS_A_MAX + 1])
{
	struct rtnl_link_stats64 link = {};
	unsigned int cpu, i, start;

	memset(ctr, 0, sizeof(u64) * (GRESEC_STATS_A_MAX + 1));
	for_each_possible_cpu(cpu) {
		const struct gresec_pcpu_stats *s = per_cpu_ptr(tun->stats, cpu);
		u64 v[GRESEC_STATS_A_MAX + 1];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i <= GRESEC_STATS_A_MAX; i++)
				v[i] = u64_stats_read(&s->ctr[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i <= GRESEC_STATS_A_MAX; i++)
			ctr[i] += v[i];
	}
	dev_get_tstats64(tun->dev, &link);
	ctr[GRESEC_STATS_A_RX_PACKETS] = link.rx_packets;
	ctr[GRESEC_STATS_A_RX_BYTES] = link.rx_bytes;
	ctr[GRESEC_STATS_A_TX_PACKETS] = link.tx_packets;
	ctr[GRESEC_STATS_A_TX_BYTES] = link.tx_bytes;
}

static int gresec_dev_init(struct net_device *dev)
{
	struct gresec_tunnel *tun = netdev_priv(dev);
	struct gresec_tunnel_cfg *cfg;
	int err;

	/* Defaults: a Linux host's TTL, DSCP copied as IOS does, PMTUD on. */
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	cfg->ttl = GRESEC_DEFAULT_TTL;
	cfg->tos_inherit = true;
	cfg->pmtudisc = true;
	cfg->protection = GRESEC_PROTECTION_NONE;
	cfg->ka_retries = GRESEC_DEFAULT_KA_RETRIES;
	err = gresec_tunnel_cfg_cache_init(cfg);
	if (err) {
		kfree(cfg);
		return err;
	}
	RCU_INIT_POINTER(tun->cfg, cfg);

	tun->stats = netdev_alloc_pcpu_stats(struct gresec_pcpu_stats);
	if (!tun->stats) {
		err = -ENOMEM;
		goto err_cfg;
	}
#ifndef GRESEC_CORE_TSTATS
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats) {
		err = -ENOMEM;
		goto err_stats;
	}
#endif
	err = gro_cells_init(&tun->gro_cells, dev);
	if (err)
		goto err_tstats;
	gresec_par_queue_init(&tun->txq, gresec_tx_deferred, tun);
	gresec_hold_init(&tun->hold);
	return 0;

err_tstats:
#ifndef GRESEC_CORE_TSTATS
	free_percpu(dev->tstats);
	dev->tstats = NULL;
err_stats:
#endif
	free_percpu(tun->stats);
	tun->stats = NULL;
err_cfg:
	RCU_INIT_POINTER(tun->cfg, NULL);
	gresec_tunnel_cfg_free(cfg);
	return err;
}

/*
 * Unhash before the core's synchronize_net(), so no receiver finds us.
 * The device is closed, so nothing new is queued for encryption; what
 * still waits in the queue goes with the device.
 */
static void gresec_dev_uninit(struct net_device *dev)
{
	struct gresec_tunnel *tun = netdev_priv(dev);

	gresec_keepalive_stop(tun);
	gresec_par_queue_purge(&tun->txq);
	gresec_hold_stop(tun);
	gresec_sa_lock();
	gresec_sa_flush(tun);
	gresec_sa_unlock();
	gresec_netns_tunnel_unlink(tun);
}

static void gresec_dev_free(struct net_device *dev)
{
	struct gresec_tunnel *tun = netdev_priv(dev);

	gro_cells_destroy(&tun->gro_cells);
	free_percpu(tun->stats);
#ifndef GRESEC_CORE_TSTATS
	free_percpu(dev->tstats);
#endif
	gresec_tunnel_cfg_free(rcu_access_pointer(tun->cfg));
}

/*
 * Sequence numbers are per packet on the wire, and ESP protects each packet
 * on its own: let the stack segment.
 */
static netdev_features_t gresec_features_check(struct sk_buff *skb,
					       struct net_device *dev,
					       netdev_features_t features)
{
	struct gresec_tunnel *tun = netdev_priv(dev);

	if (READ_ONCE(tun->no_gso) || rcu_access_pointer(tun->tx_sa))
		features &= ~NETIF_F_GSO_MASK;
	return features;
}

static int gresec_dev_open(struct net_device *dev)
{
	gresec_keepalive_open(netdev_priv(dev));
	return 0;
}

static int gresec_dev_stop(struct net_device *dev)
{
	gresec_keepalive_stop(netdev_priv(dev));
	return 0;
}

/*
 * No lower device, as ip_gre without "dev": 6.1 then reports a carrier the
 * keepalives turned off as operstate LOWERLAYERDOWN (RFC 2863: the layer
 * below, the path to the peer, is down); 6.9 and later say DOWN unless a
 * lower device lost its carrier.
 */
static int gresec_dev_get_iflink(const struct net_device *dev)
{
	return 0;
}

static const struct net_device_ops gresec_netdev_ops = {
	.ndo_init = gresec_dev_init,
	.ndo_uninit = gresec_dev_uninit,
	.ndo_open = gresec_dev_open,
	.ndo_stop = gresec_dev_stop,
	.ndo_get_iflink = gresec_dev_get_iflink,
	.ndo_start_xmit = gresec_tx_xmit,
	.ndo_features_check = gresec_features_check,
	.ndo_get_stats64 = dev_get_tstats64,
};

#define GRESEC_FEATURES (NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HIGHDMA | \
			 NETIF_F_HW_CSUM | NETIF_F_GSO_SOFTWARE)

static void gresec_setup(struct net_device *dev)
{
	struct gresec_tunnel *tun = netdev_priv(dev);

	dev->netdev_ops = &gresec_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = gresec_dev_free;
	dev->type = ARPHRD_IPGRE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 4;
	dev->min_mtu = IPV4_MIN_MTU;
	/* Whatever the SA: the outer IPv4 length must not wrap. */
	dev->max_mtu = IP_MAX_MTU - sizeof(struct iphdr) - GRESEC_GRE_HLEN_MAX -
		       GRESEC_SA_OVERHEAD_MAX;
	dev->mtu = ETH_DATA_LEN - sizeof(struct iphdr) - GRESEC_GRE_HLEN_MIN;
	dev->needed_headroom = LL_MAX_HEADER + sizeof(struct iphdr) +
			       GRESEC_GRE_HLEN_MAX;
	dev->features |= GRESEC_FEATURES;
	dev->hw_features |= GRESEC_FEATURES;
	/*
	 * Keep the inner route on the skb up to ndo_start_xmit: without it a
	 * path MTU learned from the underlay cannot lower the inner route's
	 * MTU, and icmp_ndo_send() finds no route to send frag-needed or
	 * packet-too-big on, so the inner sender never learns why its
	 * full-size packets vanish (a PMTU black hole).
	 */
	netif_keep_dst(dev);
#ifdef GRESEC_CORE_TSTATS
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
#endif
	gresec_compat_dev_setup(dev);

	tun->dev = dev;
	INIT_HLIST_NODE(&tun->hash_node);
	spin_lock_init(&tun->rx_lock);
	INIT_LIST_HEAD(&tun->sa_list);
	gresec_keepalive_init(tun);
}

static int gresec_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	struct gresec_tunnel *tun = netdev_priv(dev);
	int err;

	err = register_netdevice(dev);
	if (err)
		return err;
	gresec_netns_tunnel_link(gresec_netns_get(dev_net(dev)), tun,
				 rtnl_dereference(tun->cfg));
	return 0;
}

static struct rtnl_link_ops gresec_link_ops __read_mostly = {
	.kind = "gresec",
	.priv_size = sizeof(struct gresec_tunnel),
	.setup = gresec_setup,
	.newlink = gresec_newlink,
};

int gresec_device_init(void)
{
	return rtnl_link_register(&gresec_link_ops);
}

void gresec_device_uninit(void)
{
	rtnl_link_unregister(&gresec_link_ops);
}
