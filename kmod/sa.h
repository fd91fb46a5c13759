/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: ESP security associations (RFC 4303, transport or tunnel mode)
 * of a tunnel.
 *
 * Every tunnel keeps all its SAs on tun->sa_list and its current outbound
 * SA in tun->tx_sa (RCU readers; writers hold RTNL and the SA lock, see
 * gresec_sa_lock() for what each guards and the order).  Inbound SAs are also hashed by SPI per
 * network namespace, which is how ESP input finds them.  The data path
 * takes references with kref_get_unless_zero() under RCU; the last
 * reference frees the SA after a grace period.
 *
 * Netlink API: gresec_sa_check_params() and gresec_sa_new() without a lock,
 * then under RTNL and gresec_sa_lock() gresec_sa_link_check() and
 * gresec_sa_link(), gresec_sa_del(), gresec_sa_flush(); under
 * gresec_sa_lock() alone gresec_sa_find(), gresec_tunnel_for_each_sa(),
 * gresec_sa_fill_info(), gresec_sa_replay_bitmap();
 * gresec_sa_event_handler_set() takes the lock itself.
 */
#ifndef _GRESEC_SA_H
#define _GRESEC_SA_H

#include <linux/ip.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <linux/gresec.h>

#include "parallel.h"
#include "replay.h"

struct crypto_aead;
struct gresec_netns;
struct gresec_tunnel;
struct gresec_udp_listener;
struct netlink_ext_ack;

/* SAs one tunnel may hold: a rekeying key manager needs a handful. */
#define GRESEC_SA_MAX		64
/* The largest IV of our proposals: AES-CBC's block. */
#define GRESEC_SA_IVLEN_MAX	16

/* All limits count from the SA's installation; 0 means no limit. */
struct gresec_sa_lifetime {
	u64 soft_bytes;
	u64 hard_bytes;
	u64 soft_packets;
	u64 hard_packets;
	u64 soft_time;		/* seconds */
	u64 hard_time;		/* seconds */
};

/*
 * What SA_NEW asks for.  The key pointers are only read during
 * gresec_sa_new(); the caller owns (and wipes, if it copied) them.
 */
struct gresec_sa_params {
	u32 spi;
	u32 dir;		/* enum gresec_sa_dir */
	u32 proposal;		/* enum gresec_proposal */
	const u8 *key;
	unsigned int key_len;
	const u8 *auth_key;
	unsigned int auth_key_len;
	u32 replay_window;	/* packets, 0: off; inbound only */
	bool esn;
	struct gresec_sa_lifetime lft;
	u32 reqid;		/* the key manager's, opaque */
	u32 encap;		/* enum gresec_encap */
	__be16 encap_sport;	/* UDP ports of the SA's packets */
	__be16 encap_dport;
	__be32 encap_peer_addr;	/* outbound: the peer behind a NAT; 0: remote */
	u32 mode;		/* enum gresec_sa_mode */
};

/* Per-CPU counters, indexed by GRESEC_SA_STATS_A_* like the tunnel's. */
struct gresec_sa_pcpu_stats {
	u64_stats_t ctr[GRESEC_SA_STATS_A_MAX + 1];
	struct u64_stats_sync syncp;
};

struct gresec_sa {
	struct hlist_node spi_node;	/* gresec_netns.sa_by_spi, inbound, RCU */
	struct list_head tun_node;	/* gresec_tunnel.sa_list */
	struct gresec_tunnel *tun;	/* NULL only in self-tests */
	netdevice_tracker dev_tracker;	/* the SA pins its tunnel device */
	struct kref ref;
	bool dead;			/* unlinked; SA lock */

	/* The transform; read-only once the SA is published. */
	struct crypto_aead *aead;
	u32 spi;
	u32 proposal;
	u32 reqid;
	u8 dir;
	u8 ivlen;
	u8 icvlen;
	u8 align;		/* cipher block size rounded up to 4 */
	bool esn;
	bool iv_is_seq;		/* counter-mode AEAD: the IV is the seq */
	u8 mode;		/* enum gresec_sa_mode */

	/*
	 * UDP encapsulation (RFC 3948), udp.c: the configured ports are
	 * read-only; the peer's outer address and port (outbound: where it
	 * sends; inbound: where its last authenticated packet came from) move
	 * with NAT rebinding, one atomic word, see gresec_udp_peer_pack().
	 */
	u32 encap;			/* enum gresec_encap */
	__be16 encap_sport;
	__be16 encap_dport;
	atomic64_t encap_peer;
	struct gresec_udp_listener *encap_listener;	/* config lock */

	atomic_t state;		/* enum gresec_sa_state */
	atomic64_t oseq;	/* outbound: last sequence number used */
	spinlock_t replay_lock;	/* inbound: protects replay */
	struct gresec_replay replay;
	struct gresec_par_queue rxq;	/* inbound: opened on the next CPU (rx.c) */

	struct gresec_sa_lifetime lft;
	bool count_limits;	/* byte or packet limits set */
	atomic64_t life_bytes;
	atomic64_t life_packets;
	u64 created;		/* boottime, ns */
	u64 last_used;		/* jiffies64 of the last packet; 0: none yet */
	u64 soft_deadline;	/* boottime, ns; U64_MAX: none */
	u64 hard_deadline;
	struct gresec_sa_pcpu_stats __percpu *stats;

	unsigned long events;	/* pending, bit = enum gresec_sa_event */
	struct work_struct event_work;
	struct delayed_work life_work;
	struct rcu_work free_work;

	/*
	 * A copy of SA_NEW's key material, the cipher key then the HMAC
	 * key, for an administrator's SA_GET with WITH_KEYS (writing a
	 * manual configuration back out); read-only once the SA is
	 * published, wiped when it is freed.  Never on the data path, so
	 * last, out of its cache lines.
	 */
	u8 *keys;
	u8 key_len;
	u8 auth_key_len;
};

/* A consistent snapshot for dumps and notifications; never any key. */
struct gresec_sa_info {
	u32 spi;
	u32 dir;
	u32 proposal;
	u32 replay_window;
	u32 state;
	bool esn;
	struct gresec_sa_lifetime lft;
	u64 age;		/* seconds since installation */
	u32 reqid;
	bool used;		/* it has carried a packet: @idle is valid */
	u64 idle;		/* seconds since its last packet */
	u64 seq;		/* out: next to send; in: highest received */
	u64 stats[GRESEC_SA_STATS_A_MAX + 1];
	u32 encap;
	__be16 encap_sport;
	__be16 encap_dport;
	__be32 encap_peer_addr;	/* 0: the tunnel's remote */
	__be16 encap_peer_port;
	u32 mode;
};

/*
 * SA events for netlink.  The handler runs in process context with the SA
 * lock held (not RTNL), so it may read the SA and its tunnel's SA list.
 * sa.c emits every event itself: ADDED from gresec_sa_link(), DELETED from
 * gresec_sa_del() and gresec_sa_flush() (the SA is already unlinked but
 * still readable), SOFT_EXPIRED, HARD_EXPIRED and EXHAUSTED from a work
 * item after the data path or the lifetime timer noticed them (dropped if
 * the SA was deleted in between, since DELETED was sent then).
 */
typedef void (*gresec_sa_event_fn)(struct gresec_sa *sa,
				   enum gresec_sa_event event);

#define gresec_tunnel_for_each_sa(tun, sa) \
	list_for_each_entry(sa, &(tun)->sa_list, tun_node)

/* sa.c APIs: */
int gresec_sa_init(void);
void gresec_sa_uninit(void);
void gresec_sa_lock(void);
void gresec_sa_unlock(void);
void gresec_sa_params_init(struct gresec_sa_params *p);
int gresec_sa_link_check(struct gresec_tunnel *tun, const struct gresec_sa *sa,
			 struct netlink_ext_ack *extack);
void gresec_sa_link(struct gresec_tunnel *tun, struct gresec_sa *sa);
void gresec_sa_del(struct gresec_sa *sa);
void gresec_sa_flush(struct gresec_tunnel *tun);
struct gresec_sa *gresec_sa_find(struct gresec_tunnel *tun, u8 dir, u32 spi);
bool gresec_sa_rx_used(struct gresec_netns *gn, u32 spi);
void gresec_sa_fill_info(struct gresec_sa *sa, struct gresec_sa_info *out);
unsigned int gresec_sa_replay_bitmap(struct gresec_sa *sa, u32 *out,
				     unsigned int words);
void gresec_sa_event_handler_set(gresec_sa_event_fn fn);
unsigned int gresec_sa_tx_overhead(struct gresec_tunnel *tun);

int gresec_sa_check_params(const struct gresec_sa_params *p,
			   struct netlink_ext_ack *extack);
struct gresec_sa *gresec_sa_new(const struct gresec_sa_params *p,
				struct netlink_ext_ack *extack);
void gresec_sa_free(struct gresec_sa *sa);

/* For esp.c: the data path and the self-tests. */
void gresec_sa_put(struct gresec_sa *sa);
struct gresec_sa *gresec_sa_tx_get(struct gresec_tunnel *tun);
struct gresec_sa *gresec_sa_rx_get(struct gresec_netns *gn, u32 spi);
/* These return 0, or the counter of the reason the packet must go. */
enum gresec_sa_stats_a gresec_sa_check(struct gresec_sa *sa);
enum gresec_sa_stats_a gresec_sa_next_seq(struct gresec_sa *sa, u64 *seq);
enum gresec_sa_stats_a gresec_sa_charge(struct gresec_sa *sa,
					unsigned int bytes);
void gresec_sa_mapping(struct gresec_sa *sa);

/* ESP in UDP: the 8 bytes of the UDP header in front of ESP. */
static inline bool gresec_sa_udp(const struct gresec_sa *sa)
{
	return sa->encap == GRESEC_ENCAP_UDP;
}

static inline unsigned int gresec_sa_encap_overhead(const struct gresec_sa *sa)
{
	return gresec_sa_udp(sa) ? sizeof(struct udphdr) : 0;
}

/*
 * Tunnel mode: the inner IPv4 header between ESP and the GRE packet, which
 * tx.c puts in front of the GRE packet and rx.c checks and removes.
 */
static inline bool gresec_sa_tunnel_mode(const struct gresec_sa *sa)
{
	return sa->mode == GRESEC_SA_MODE_TUNNEL;
}

static inline unsigned int gresec_sa_mode_hlen(const struct gresec_sa *sa)
{
	return gresec_sa_tunnel_mode(sa) ? sizeof(struct iphdr) : 0;
}

/*
 * Bytes ESP adds to a GRE packet at most: the mode's inner header, ESP
 * header, IV, padding, trailer, ICV.
 */
static inline unsigned int gresec_sa_overhead(const struct gresec_sa *sa)
{
	return gresec_sa_mode_hlen(sa) + sizeof(struct ip_esp_hdr) +
	       sa->ivlen + sa->align - 1 + 2 + sa->icvlen;
}

/*
 * The most any of our SAs adds: a tunnel-mode inner header, CBC's IV and
 * padding, a 16-byte ICV.
 */
#define GRESEC_SA_OVERHEAD_MAX	(sizeof(struct iphdr) + \
				 sizeof(struct ip_esp_hdr) + \
				 GRESEC_SA_IVLEN_MAX + 15 + 2 + 16)

/* Headroom ESP needs in front of the payload (4: the ESN seq-hi shift). */
static inline unsigned int gresec_sa_headroom(const struct gresec_sa *sa)
{
	return sizeof(struct ip_esp_hdr) + sa->ivlen + sizeof(__be32);
}

static inline void gresec_sa_count_add(struct gresec_sa *sa,
				       enum gresec_sa_stats_a idx, u64 val)
{
	struct gresec_sa_pcpu_stats *s = this_cpu_ptr(sa->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->ctr[idx], val);
	u64_stats_update_end(&s->syncp);
}

static inline void gresec_sa_count(struct gresec_sa *sa,
				   enum gresec_sa_stats_a idx)
{
	gresec_sa_count_add(sa, idx, 1);
}

/*
 * The SA carried a packet now: what a key manager's dead peer detection
 * asks.  Written once a tick at most, so the data path's CPUs do not
 * fight over the cache line.
 */
static inline void gresec_sa_mark_used(struct gresec_sa *sa)
{
	u64 now = get_jiffies_64();

	if (READ_ONCE(sa->last_used) != now)
		WRITE_ONCE(sa->last_used, now);
}

#endif /* _GRESEC_SA_H */
