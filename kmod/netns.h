/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: per-network-namespace state: the receive lookup table and the
 * counters for traffic that matches no tunnel.
 */
#ifndef _GRESEC_NETNS_H
#define _GRESEC_NETNS_H

#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct gresec_tunnel;
struct gresec_tunnel_cfg;

#define GRESEC_NETNS_HASH_BITS 7
#define GRESEC_NETNS_SA_HASH_BITS 8
#define GRESEC_NETNS_SPI_HASH_BITS 6

struct gresec_netns {
	/* Keyed by remote address; RCU readers, writers hold RTNL. */
	struct hlist_head tunnels[1 << GRESEC_NETNS_HASH_BITS];
	/* sa.c: inbound SAs keyed by SPI; RCU readers, writers hold RTNL. */
	struct hlist_head sa_by_spi[1 << GRESEC_NETNS_SA_HASH_BITS];
	/* spi.c: SPIs reserved for a key manager; RTNL. */
	struct hlist_head spi_resv[1 << GRESEC_NETNS_SPI_HASH_BITS];
	unsigned int spi_resv_count;

	/*
	 * Unmatched traffic, with the last offender for the operator.  A
	 * remote flood reaches these from every CPU: the counts are per CPU,
	 * the last offender's fields are written without a lock (a reader
	 * may pair fields of two offenders that arrived together).
	 */
	struct gresec_netns_pcpu_stats __percpu *stats;	/* NULL: dying */
	struct gresec_netns_pcpu_stats __percpu *stats_dead;
	__be32 last_src;
	u32 last_key;
	bool last_key_present;
	u32 last_spi;
	__be32 last_spi_src;
};

enum gresec_netns_ctr {
	GRESEC_NETNS_CTR_NO_TUNNEL,
	GRESEC_NETNS_CTR_UNKNOWN_SPI,
	GRESEC_NETNS_CTR_MAX,
};

struct gresec_netns_pcpu_stats {
	u64_stats_t ctr[GRESEC_NETNS_CTR_MAX];
	struct u64_stats_sync syncp;
};

struct gresec_netns_counters {
	u64 rx_no_tunnel;
	__be32 last_src;
	u32 last_key;
	bool last_key_present;
	u64 esp_unknown_spi;
	u32 last_spi;
	__be32 last_spi_src;
};

extern unsigned int gresec_netns_id;

static inline struct gresec_netns *gresec_netns_get(const struct net *net)
{
	return net_generic(net, gresec_netns_id);
}

/* netns.c APIs: */
int gresec_netns_init(void);
void gresec_netns_uninit(void);
void gresec_netns_tunnel_link(struct gresec_netns *gn, struct gresec_tunnel *tun,
			      const struct gresec_tunnel_cfg *cfg);
void gresec_netns_tunnel_unlink(struct gresec_tunnel *tun);
struct gresec_tunnel *gresec_netns_tunnel_lookup(struct gresec_netns *gn,
						 __be32 local, __be32 remote,
						 bool key_present, u32 key,
						 bool *key_mismatch);
void gresec_netns_count_no_tunnel(struct gresec_netns *gn, __be32 src,
				  bool key_present, u32 key);
void gresec_netns_count_unknown_spi(struct gresec_netns *gn, __be32 src, u32 spi);
void gresec_netns_counters(struct gresec_netns *gn,
			   struct gresec_netns_counters *out);

#endif /* _GRESEC_NETNS_H */
