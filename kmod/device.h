/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: the tunnel net_device and its configuration.
 */
#ifndef _GRESEC_DEVICE_H
#define _GRESEC_DEVICE_H

#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <linux/rcupdate.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>
#include <linux/gresec.h>

#include "hold.h"
#include "keepalive.h"
#include "parallel.h"

struct gresec_sa;

/*
 * Tunnel configuration.  Replaced as a whole (RCU) on every change so the
 * data path always sees one consistent snapshot without taking a lock.
 * Keys are kept in host byte order, as the netlink ABI carries them.
 */
struct gresec_tunnel_cfg {
	__be32 local;
	__be32 remote;
	u32 ikey;
	u32 okey;
	u32 iflags;		/* GRESEC_TUNNEL_F_* for received packets */
	u32 oflags;		/* GRESEC_TUNNEL_F_* for sent packets */
	u8 ttl;			/* 0: inherit from the inner packet */
	u8 tos;
	bool tos_inherit;
	bool pmtudisc;
	u32 mtu;		/* 0: computed from the underlay route */
	u32 protection;		/* enum gresec_protection */
	u32 if_id;		/* a key manager's name for it; 0: none */
	u32 ka_period;		/* keepalive seconds; 0: off */
	u32 ka_retries;		/* keepalives missed before carrier off */
	u32 adjust_mss;		/* 0: off; GRESEC_MSS_AUTO; or the MSS */
	/*
	 * Routes to @remote for packets sent with this configuration, per
	 * CPU, as ip_tunnel keeps them: [0] for GRE, [1] for ESP (policy
	 * routing and xfrm may tell them apart).  Living in the snapshot,
	 * they start empty whenever the configuration changes.
	 */
	struct dst_cache dst_cache[2];
	struct rcu_head rcu;
};

/* Per-CPU counters, indexed by the uapi enum so netlink can emit them 1:1. */
struct gresec_pcpu_stats {
	u64_stats_t ctr[GRESEC_STATS_A_MAX + 1];
	struct u64_stats_sync syncp;
};

struct gresec_tunnel {
	struct net_device *dev;
	struct hlist_node hash_node;	/* gresec_netns.tunnels, RCU */
	struct gresec_tunnel_cfg __rcu *cfg;
	struct gresec_pcpu_stats __percpu *stats;
	struct gro_cells gro_cells;
	atomic_t o_seqno;
	bool no_gso;			/* stack must segment: oseq is on */
	spinlock_t rx_lock;		/* protects i_seqno */
	u32 i_seqno;
	bool i_seq_valid;
	/*
	 * sa.c: every SA of the tunnel, the outbound one in use (RCU); written
	 * under RTNL and the SA lock, read under either.
	 */
	struct list_head sa_list;
	struct gresec_sa __rcu *tx_sa;
	unsigned int sa_count;		/* entries of sa_list */
	u32 sa_generation;		/* changes with sa_list, for dumps */
	struct gresec_par_queue txq;	/* parallel.c: encryption elsewhere */
	struct gresec_hold hold;	/* hold.c: waiting for an outbound SA */
	struct gresec_keepalive ka;	/* keepalive.c */
};

/* device.c APIs: */
int gresec_device_init(void);
void gresec_device_uninit(void);
bool gresec_device_is_ours(const struct net_device *dev);
struct gresec_tunnel_cfg *gresec_tunnel_cfg_dup(struct gresec_tunnel *tun);
void gresec_tunnel_cfg_free(struct gresec_tunnel_cfg *cfg);
int gresec_tunnel_cfg_apply(struct gresec_tunnel *tun,
			    struct gresec_tunnel_cfg *cfg,
			    struct netlink_ext_ack *extack);
void gresec_tunnel_stats_fold(struct gresec_tunnel *tun,
			      u64 ctr[GRESEC_STATS_A_MAX + 1]);
int gresec_tunnel_mtu_refresh(struct gresec_tunnel *tun);
int gresec_tunnel_protect(struct gresec_tunnel *tun,
			  struct netlink_ext_ack *extack);

static inline void gresec_tunnel_count(struct gresec_tunnel *tun,
				       enum gresec_stats_a idx)
{
	struct gresec_pcpu_stats *s = this_cpu_ptr(tun->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->ctr[idx]);
	u64_stats_update_end(&s->syncp);
}

#endif /* _GRESEC_DEVICE_H */
