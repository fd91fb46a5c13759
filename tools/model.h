/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-memory model of gresec objects shared by every subcommand: what
 * ipc.c fills from kernel replies, what set.c and sa.c fill from argv and
 * ipc.c packs into requests, and what print.c renders.  Plus the name
 * tables (proposals, states, counters) that give the uapi enums their
 * command-line, human and JSON names.
 */
#ifndef GRESEC_MODEL_H
#define GRESEC_MODEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/gresec.h>

/*
 * Key buffers.  The uapi takes at most 36 bytes of KEY and 64 of AUTH_KEY;
 * both buffers hold 64 so that a key too long for its proposal is reported
 * with the expected length rather than as a bare "too long".
 */
#define GS_KEY_MAX 64
#define GS_AUTH_KEY_MAX 64

struct gs_sa {
	bool have[GRESEC_SA_A_MAX + 1];	/* attribute present in reply/request */
	uint32_t spi;
	uint32_t dir;			/* GRESEC_SA_DIR_* */
	uint32_t proposal;		/* GRESEC_PROPOSAL_* */
	uint32_t replay_window;
	bool esn;
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_time, hard_time;
	uint32_t state;			/* GRESEC_SA_STATE_* (read-only) */
	uint64_t age;			/* seconds (read-only) */
	uint64_t seq;			/* read-only */
	uint32_t event;			/* GRESEC_SA_EVENT_*, SA_NTF only */
	uint32_t reqid;			/* the key manager's; 0: none */
	uint64_t idle;			/* seconds; have[IDLE]: ever used */
	uint8_t *replay_bitmap;		/* malloc'd, read-only */
	size_t replay_bitmap_len;
	uint64_t stats[GRESEC_SA_STATS_A_MAX + 1];
	uint32_t encap;			/* GRESEC_ENCAP_* */
	uint32_t encap_sport, encap_dport;	/* host order */
	uint32_t encap_peer_addr;	/* network order; 0: the remote */
	uint32_t encap_peer_port;	/* host order, read-only */
	uint32_t mode;			/* GRESEC_SA_MODE_* */
	/*
	 * Key material: SA_NEW's, or SA_GET's with WITH_KEYS (have[KEY]);
	 * wiped by gs_sa_wipe().
	 */
	uint8_t key[GS_KEY_MAX];
	size_t key_len;
	uint8_t auth_key[GS_AUTH_KEY_MAX];
	size_t auth_key_len;
};

struct gs_ike_list;

struct gs_tunnel {
	bool have[GRESEC_A_MAX + 1];	/* attribute present / to be sent */
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint32_t local, remote;		/* network byte order */
	uint32_t ikey, okey;		/* host byte order */
	uint32_t iflags, oflags;	/* GRESEC_TUNNEL_F_* */
	uint8_t ttl;			/* 0: inherit */
	uint8_t tos;
	uint8_t tos_inherit;
	uint8_t pmtudisc;
	uint32_t mtu;			/* 0: auto */
	uint32_t link_mtu;
	uint32_t protection;		/* GRESEC_PROTECTION_* */
	uint32_t if_id;			/* a key manager's name; 0: none */
	uint32_t ka_period;		/* keepalive seconds; 0: off */
	uint32_t ka_retries;
	uint32_t ka_state;		/* GRESEC_KEEPALIVE_STATE_* */
	uint64_t ka_changed;		/* epoch seconds; have[]: ever */
	uint32_t adjust_mss;		/* 0: off; 1: auto; else the MSS */
	uint64_t stats[GRESEC_STATS_A_MAX + 1];
	struct gs_sa *sas;
	size_t n_sas, cap_sas;
	bool sas_unsupported;		/* kernel has no SA_GET yet */
	bool sas_denied;		/* SA_GET needs CAP_NET_ADMIN */
	/* charon's IKE_SAs (ike.h), NULL if not read; not owned. */
	const struct gs_ike_list *ike;
};

struct gs_tunnel_list {
	struct gs_tunnel *v;
	size_t n, cap;
};

struct gs_net {
	bool have[GRESEC_NET_A_MAX + 1];
	uint64_t rx_no_tunnel;
	uint32_t last_src;		/* network byte order */
	uint32_t last_key;
	bool last_key_present;
	uint64_t esp_unknown_spi;
	uint32_t last_spi;
	uint32_t last_spi_src;		/* network byte order */
};

/* An ESP transform: names, key material sizes and the IOS-style transform. */
struct proposal {
	uint32_t id;			/* GRESEC_PROPOSAL_* */
	const char *name;		/* command line and JSON name */
	const char *transform;		/* as IOS "show crypto ipsec sa" */
	const char *cipher;		/* for error messages */
	const char *auth;		/* NULL for AEAD */
	size_t key_len;			/* cipher key bytes */
	size_t salt_len;		/* AEAD salt bytes appended to KEY */
	size_t auth_key_len;		/* 0 for AEAD */
};

extern const struct proposal gs_proposals[];
extern const size_t gs_n_proposals;
const struct proposal *gs_proposal_by_name(const char *name);
const struct proposal *gs_proposal_by_id(uint32_t id);

/* A counter: uapi attribute, JSON/dump name, short human label. */
struct counter {
	unsigned int attr;
	const char *json;
	const char *label;
};

/* Tunnel counters in uapi order: 4 traffic, then rx drops, then tx drops. */
extern const struct counter gs_tunnel_counters[];
extern const size_t gs_n_tunnel_counters;
/* SA counters in uapi order: packets, bytes, then drops. */
extern const struct counter gs_sa_counters[];
extern const size_t gs_n_sa_counters;

/* Enum to name; unknown values give "unknown-N" in a static buffer. */
const char *gs_dir_name(uint32_t dir);
const char *gs_state_name(uint32_t state);
const char *gs_event_name(uint32_t event);
const char *gs_protection_name(uint32_t protection);
const char *gs_proposal_name(uint32_t id);

/* Name of an attribute for extack messages; level 0 tunnel, 1 in SA. */
const char *gs_attr_name(unsigned int top, int nested);

/* Lists; allocation failures exit(1) with a message (a CLI can). */
struct gs_sa *gs_tunnel_add_sa(struct gs_tunnel *t);
struct gs_tunnel *gs_list_add(struct gs_tunnel_list *l);
struct gs_tunnel *gs_list_find(struct gs_tunnel_list *l, uint32_t ifindex);
void gs_tunnel_free(struct gs_tunnel *t);
void gs_list_free(struct gs_tunnel_list *l);
void gs_sa_wipe(struct gs_sa *sa);

/* The outbound SA used for sending, as far as the CLI can tell, or NULL. */
const struct gs_sa *gs_tunnel_current_out(const struct gs_tunnel *t);

#endif
