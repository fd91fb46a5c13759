// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: per-network-namespace tunnel table and unmatched-traffic counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include "device.h"
#include "netns.h"
#include "spi.h"

unsigned int gresec_netns_id __read_mostly;

static struct hlist_head *gresec_netns_bucket(struct gresec_netns *gn,
					      __be32 remote)
{
	return &gn->tunnels[hash_32((__force u32)remote,
				    GRESEC_NETNS_HASH_BITS)];
}

void gresec_netns_tunnel_link(struct gresec_netns *gn, struct gresec_tunnel *tun,
			      const struct gresec_tunnel_cfg *cfg)
{
	ASSERT_RTNL();
	hlist_add_head_rcu(&tun->hash_node, gresec_netns_bucket(gn, cfg->remote));
}

void gresec_netns_tunnel_unlink(struct gresec_tunnel *tun)
{
	ASSERT_RTNL();
	if (!hlist_unhashed(&tun->hash_node))
		hlist_del_init_rcu(&tun->hash_node);
}

/*
 * Find the tunnel for a received packet: exact (addresses, key) first.  When
 * only the addresses match, return that tunnel with *key_mismatch set so the
 * drop is counted where the operator looks for it.  A tunnel with no local
 * address accepts any destination, as ip_gre does.  Caller holds RCU.
 */
struct gresec_tunnel *gresec_netns_tunnel_lookup(struct gresec_netns *gn,
						 __be32 local, __be32 remote,
						 bool key_present, u32 key,
						 bool *key_mismatch)
{
	struct gresec_tunnel *tun, *cand = NULL;
	struct gresec_tunnel_cfg *cfg;

	*key_mismatch = false;
	hlist_for_each_entry_rcu(tun, gresec_netns_bucket(gn, remote), hash_node) {
		bool want_key;

		cfg = rcu_dereference(tun->cfg);
		if (cfg->remote != remote || (cfg->local && cfg->local != local))
			continue;
		if (!(tun->dev->flags & IFF_UP))
			continue;
		want_key = cfg->iflags & GRESEC_TUNNEL_F_KEY;
		if (want_key == key_present && (!want_key || cfg->ikey == key))
			return tun;
		if (!cand)
			cand = tun;
	}
	if (cand)
		*key_mismatch = true;
	return cand;
}

/* Count in this CPU's block; false once the namespace is going away. */
static bool gresec_netns_inc(struct gresec_netns *gn, enum gresec_netns_ctr ctr)
{
	struct gresec_netns_pcpu_stats __percpu *stats = READ_ONCE(gn->stats);
	struct gresec_netns_pcpu_stats *s;

	if (unlikely(!stats))
		return false;
	s = this_cpu_ptr(stats);
	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->ctr[ctr]);
	u64_stats_update_end(&s->syncp);
	return true;
}

void gresec_netns_count_no_tunnel(struct gresec_netns *gn, __be32 src,
				  bool key_present, u32 key)
{
	if (!gresec_netns_inc(gn, GRESEC_NETNS_CTR_NO_TUNNEL))
		return;
	WRITE_ONCE(gn->last_src, src);
	WRITE_ONCE(gn->last_key, key);
	WRITE_ONCE(gn->last_key_present, key_present);
}

void gresec_netns_count_unknown_spi(struct gresec_netns *gn, __be32 src, u32 spi)
{
	if (!gresec_netns_inc(gn, GRESEC_NETNS_CTR_UNKNOWN_SPI))
		return;
	WRITE_ONCE(gn->last_spi, spi);
	WRITE_ONCE(gn->last_spi_src, src);
}

void gresec_netns_counters(struct gresec_netns *gn,
			   struct gresec_netns_counters *out)
{
	unsigned int cpu, start;
	u64 no_tunnel, unknown_spi;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct gresec_netns_pcpu_stats *s = per_cpu_ptr(gn->stats,
								    cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			no_tunnel = u64_stats_read(&s->ctr[GRESEC_NETNS_CTR_NO_TUNNEL]);
			unknown_spi = u64_stats_read(&s->ctr[GRESEC_NETNS_CTR_UNKNOWN_SPI]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		out->rx_no_tunnel += no_tunnel;
		out->esp_unknown_spi += unknown_spi;
	}
	out->last_src = READ_ONCE(gn->last_src);
	out->last_key = READ_ONCE(gn->last_key);
	out->last_key_present = READ_ONCE(gn->last_key_present);
	out->last_spi = READ_ONCE(gn->last_spi);
	out->last_spi_src = READ_ONCE(gn->last_spi_src);
}

static int __net_init gresec_netns_new(struct net *net)
{
	struct gresec_netns *gn = gresec_netns_get(net);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gn->tunnels); i++)
		INIT_HLIST_HEAD(&gn->tunnels[i]);
	for (i = 0; i < ARRAY_SIZE(gn->sa_by_spi); i++)
		INIT_HLIST_HEAD(&gn->sa_by_spi[i]);
	for (i = 0; i < ARRAY_SIZE(gn->spi_resv); i++)
		INIT_HLIST_HEAD(&gn->spi_resv[i]);
	gn->stats = netdev_alloc_pcpu_stats(struct gresec_netns_pcpu_stats);
	return gn->stats ? 0 : -ENOMEM;
}

/*
 * Our pernet exit runs before the core's default device teardown, so delete
 * this namespace's tunnels here; each unlinks itself in ndo_uninit.
 */
static void __net_exit gresec_netns_exit_batch(struct list_head *net_list)
{
	struct net_device *dev, *aux;
	struct gresec_netns *gn;
	LIST_HEAD(kill);
	struct net *net;

	rtnl_lock();
	list_for_each_entry(net, net_list, exit_list)
		for_each_netdev_safe(net, dev, aux)
			if (gresec_device_is_ours(dev))
				unregister_netdevice_queue(dev, &kill);
	unregister_netdevice_many(&kill);
	list_for_each_entry(net, net_list, exit_list)
		gresec_spi_flush(gresec_netns_get(net));
	rtnl_unlock();

	/*
	 * The namespace's other devices still receive until the core tears
	 * them down after us: the receive path (an RCU reader) finds the
	 * counters gone, and counts nothing, before they are freed.
	 */
	list_for_each_entry(net, net_list, exit_list) {
		gn = gresec_netns_get(net);
		gn->stats_dead = gn->stats;
		WRITE_ONCE(gn->stats, NULL);
	}
	synchronize_net();
	list_for_each_entry(net, net_list, exit_list)
		free_percpu(gresec_netns_get(net)->stats_dead);
}

static struct pernet_operations gresec_netns_ops = {
	.init = gresec_netns_new,
	.exit_batch = gresec_netns_exit_batch,
	.id = &gresec_netns_id,
	.size = sizeof(struct gresec_netns),
};

int gresec_netns_init(void)
{
	return register_pernet_device(&gresec_netns_ops);
}

void gresec_netns_uninit(void)
{
	unregister_pernet_device(&gresec_netns_ops);
}
