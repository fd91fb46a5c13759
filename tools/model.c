// SPDX-License-Identifier: GPL-2.0
/*
 * Name tables and list helpers of the in-memory model; see model.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

const struct proposal gs_proposals[] = {
	{ GRESEC_PROPOSAL_AES128GCM16, "aes128gcm16", "esp-gcm 128",
	  "AES", NULL, 16, 4, 0 },
	{ GRESEC_PROPOSAL_AES256GCM16, "aes256gcm16", "esp-gcm 256",
	  "AES", NULL, 32, 4, 0 },
	{ GRESEC_PROPOSAL_AES128_SHA256, "aes128-sha256",
	  "esp-aes esp-sha256-hmac", "AES", "HMAC-SHA-256", 16, 0, 32 },
	{ GRESEC_PROPOSAL_AES256_SHA256, "aes256-sha256",
	  "esp-256-aes esp-sha256-hmac", "AES", "HMAC-SHA-256", 32, 0, 32 },
	{ GRESEC_PROPOSAL_AES128_SHA1, "aes128-sha1",
	  "esp-aes esp-sha-hmac", "AES", "HMAC-SHA-1", 16, 0, 20 },
	{ GRESEC_PROPOSAL_AES256_SHA1, "aes256-sha1",
	  "esp-256-aes esp-sha-hmac", "AES", "HMAC-SHA-1", 32, 0, 20 },
	{ GRESEC_PROPOSAL_AES128_MD5, "aes128-md5",
	  "esp-aes esp-md5-hmac", "AES", "HMAC-MD5", 16, 0, 16 },
	{ GRESEC_PROPOSAL_CHACHA20POLY1305, "chacha20poly1305",
	  "esp-chacha20-poly1305", "ChaCha20", NULL, 32, 4, 0 },
};
const size_t gs_n_proposals = sizeof(gs_proposals) / sizeof(gs_proposals[0]);

const struct proposal *gs_proposal_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < gs_n_proposals; i++)
		if (!strcmp(gs_proposals[i].name, name))
			return &gs_proposals[i];
	return NULL;
}

const struct proposal *gs_proposal_by_id(uint32_t id)
{
	size_t i;

	for (i = 0; i < gs_n_proposals; i++)
		if (gs_proposals[i].id == id)
			return &gs_proposals[i];
	return NULL;
}

#define C(attr, json, label) { GRESEC_STATS_A_##attr, json, label }
const struct counter gs_tunnel_counters[] = {
	C(RX_PACKETS, "rx_packets", "packets input"),
	C(RX_BYTES, "rx_bytes", "bytes input"),
	C(TX_PACKETS, "tx_packets", "packets output"),
	C(TX_BYTES, "tx_bytes", "bytes output"),
	C(RX_DROP_MALFORMED, "rx_drop_malformed", "malformed"),
	C(RX_DROP_VERSION, "rx_drop_version", "version"),
	C(RX_DROP_CSUM, "rx_drop_csum", "checksum"),
	C(RX_DROP_CSUM_MISSING, "rx_drop_csum_missing", "checksum missing"),
	C(RX_DROP_KEY, "rx_drop_key", "key"),
	C(RX_DROP_SEQ, "rx_drop_seq", "sequence"),
	C(RX_DROP_SEQ_MISSING, "rx_drop_seq_missing", "sequence missing"),
	C(RX_DROP_PLAINTEXT, "rx_drop_plaintext", "plaintext"),
	C(RX_DROP_ECN, "rx_drop_ecn", "ECN"),
	C(RX_DROP_NOMEM, "rx_drop_nomem", "no memory"),
	C(RX_DROP_INNER, "rx_drop_inner", "inner"),
	C(TX_DROP_NO_REMOTE, "tx_drop_no_remote", "no remote"),
	C(TX_DROP_NO_ROUTE, "tx_drop_no_route", "no route"),
	C(TX_DROP_LOOP, "tx_drop_loop", "loop"),
	C(TX_DROP_TOO_BIG, "tx_drop_too_big", "too big"),
	C(TX_DROP_NO_SA, "tx_drop_no_sa", "no SA"),
	C(TX_DROP_NOMEM, "tx_drop_nomem", "no memory"),
	C(TX_DROP_ERROR, "tx_drop_error", "error"),
	C(RX_DROP_BACKLOG, "rx_drop_backlog", "backlog"),
	C(TX_DROP_BACKLOG, "tx_drop_backlog", "backlog"),
	C(RX_HANDOFF, "rx_handoff", "decrypted on the next CPU"),
	C(TX_HANDOFF, "tx_handoff", "encrypted on the next CPU"),
	C(TX_HELD, "tx_held", "held for an SA"),
	C(TX_DROP_HOLD_OVERFLOW, "tx_drop_hold_overflow", "hold queue full"),
	C(TX_DROP_HOLD_TIMEOUT, "tx_drop_hold_timeout", "hold timed out"),
	C(TX_ACQUIRE, "tx_acquire", "SA acquires"),
	C(KEEPALIVE_TX, "keepalive_tx", "keepalives sent"),
	C(KEEPALIVE_RX, "keepalive_rx", "keepalives back"),
	C(KEEPALIVE_REFLECTED, "keepalive_reflected", "peer's keepalives reflected"),
	C(MSS_CLAMPED, "mss_clamped", "TCP MSS clamped"),
};
#undef C
const size_t gs_n_tunnel_counters =
	sizeof(gs_tunnel_counters) / sizeof(gs_tunnel_counters[0]);

#define C(attr, json, label) { GRESEC_SA_STATS_A_##attr, json, label }
const struct counter gs_sa_counters[] = {
	C(PACKETS, "packets", "packets"),
	C(BYTES, "bytes", "bytes"),
	C(DROP_ICV, "drop_icv", "ICV"),
	C(DROP_REPLAY_DUP, "drop_replay_dup", "replay duplicate"),
	C(DROP_REPLAY_OLD, "drop_replay_old", "replay too old"),
	C(DROP_BAD_LENGTH, "drop_bad_length", "bad length"),
	C(DROP_NEXT_HEADER, "drop_next_header", "next header"),
	C(DROP_SEQ_EXHAUSTED, "drop_seq_exhausted", "sequence exhausted"),
	C(DROP_EXPIRED, "drop_expired", "expired"),
	C(DROP_CRYPTO, "drop_crypto", "crypto"),
	C(DROP_ENCAP, "drop_encap", "encapsulation"),
	C(MAPPINGS, "mappings", "NAT mapping changes"),
	C(DROP_TUNNEL_INNER, "drop_tunnel_inner", "tunnel-mode inner header"),
};
#undef C
const size_t gs_n_sa_counters =
	sizeof(gs_sa_counters) / sizeof(gs_sa_counters[0]);

static const char *unknown(uint32_t v)
{
	static char buf[4][24];
	static unsigned int n;
	char *b = buf[n++ % 4];

	snprintf(b, sizeof(buf[0]), "unknown-%u", v);
	return b;
}

const char *gs_dir_name(uint32_t dir)
{
	switch (dir) {
	case GRESEC_SA_DIR_IN: return "in";
	case GRESEC_SA_DIR_OUT: return "out";
	}
	return unknown(dir);
}

const char *gs_state_name(uint32_t state)
{
	switch (state) {
	case GRESEC_SA_STATE_ACTIVE: return "active";
	case GRESEC_SA_STATE_SOFT_EXPIRED: return "soft-expired";
	case GRESEC_SA_STATE_EXPIRED: return "expired";
	case GRESEC_SA_STATE_EXHAUSTED: return "exhausted";
	}
	return unknown(state);
}

const char *gs_event_name(uint32_t event)
{
	switch (event) {
	case GRESEC_SA_EVENT_ADDED: return "added";
	case GRESEC_SA_EVENT_DELETED: return "deleted";
	case GRESEC_SA_EVENT_SOFT_EXPIRED: return "soft-expired";
	case GRESEC_SA_EVENT_HARD_EXPIRED: return "hard-expired";
	case GRESEC_SA_EVENT_EXHAUSTED: return "exhausted";
	case GRESEC_SA_EVENT_MAPPING: return "mapping";
	}
	return unknown(event);
}

const char *gs_protection_name(uint32_t protection)
{
	switch (protection) {
	case GRESEC_PROTECTION_NONE: return "none";
	case GRESEC_PROTECTION_REQUIRED: return "required";
	}
	return unknown(protection);
}

const char *gs_proposal_name(uint32_t id)
{
	const struct proposal *p = gs_proposal_by_id(id);

	return p ? p->name : unknown(id);
}

const char *gs_attr_name(unsigned int top, int nested)
{
	static const char *const tunnel[GRESEC_A_MAX + 1] = {
		[GRESEC_A_IFINDEX] = "ifindex",
		[GRESEC_A_IFNAME] = "ifname",
		[GRESEC_A_LOCAL] = "local",
		[GRESEC_A_REMOTE] = "remote",
		[GRESEC_A_IKEY] = "ikey",
		[GRESEC_A_OKEY] = "okey",
		[GRESEC_A_IFLAGS] = "iflags",
		[GRESEC_A_OFLAGS] = "oflags",
		[GRESEC_A_TTL] = "ttl",
		[GRESEC_A_TOS] = "tos",
		[GRESEC_A_TOS_INHERIT] = "tos inherit",
		[GRESEC_A_PMTUDISC] = "pmtudisc",
		[GRESEC_A_MTU] = "mtu",
		[GRESEC_A_LINK_MTU] = "link mtu",
		[GRESEC_A_PROTECTION] = "protection",
		[GRESEC_A_IF_ID] = "if-id",
		[GRESEC_A_KEEPALIVE_PERIOD] = "keepalive period",
		[GRESEC_A_KEEPALIVE_RETRIES] = "keepalive retries",
		[GRESEC_A_ADJUST_MSS] = "adjust-mss",
		[GRESEC_A_STATS] = "stats",
		[GRESEC_A_SA] = "sa",
	};
	static const char *const sa[GRESEC_SA_A_MAX + 1] = {
		[GRESEC_SA_A_SPI] = "spi",
		[GRESEC_SA_A_DIR] = "dir",
		[GRESEC_SA_A_PROPOSAL] = "proposal",
		[GRESEC_SA_A_KEY] = "key",
		[GRESEC_SA_A_AUTH_KEY] = "auth-key",
		[GRESEC_SA_A_REPLAY_WINDOW] = "replay-window",
		[GRESEC_SA_A_ESN] = "esn",
		[GRESEC_SA_A_SOFT_BYTES] = "soft-bytes",
		[GRESEC_SA_A_HARD_BYTES] = "hard-bytes",
		[GRESEC_SA_A_SOFT_PACKETS] = "soft-packets",
		[GRESEC_SA_A_HARD_PACKETS] = "hard-packets",
		[GRESEC_SA_A_SOFT_TIME] = "soft-time",
		[GRESEC_SA_A_HARD_TIME] = "hard-time",
		[GRESEC_SA_A_REQID] = "reqid",
		[GRESEC_SA_A_IDLE] = "idle",
		[GRESEC_SA_A_ENCAP] = "encap",
		[GRESEC_SA_A_ENCAP_SPORT] = "sport",
		[GRESEC_SA_A_ENCAP_DPORT] = "dport",
		[GRESEC_SA_A_ENCAP_PEER_ADDR] = "peer",
		[GRESEC_SA_A_ENCAP_PEER_PORT] = "peer port",
		[GRESEC_SA_A_MODE] = "mode",
	};

	if (top == GRESEC_A_SA && nested > 0 &&
	    (unsigned int)nested <= GRESEC_SA_A_MAX && sa[nested])
		return sa[nested];
	if (top <= GRESEC_A_MAX && tunnel[top])
		return tunnel[top];
	return unknown(top);
}

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 4;
	v = realloc(v, ncap * size);
	if (!v) {
		fprintf(stderr, "gresec: out of memory\n");
		exit(1);
	}
	memset((char *)v + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return v;
}

/* SAs may hold keys: the old array is wiped, not left to realloc(). */
struct gs_sa *gs_tunnel_add_sa(struct gs_tunnel *t)
{
	size_t cap = t->cap_sas ? t->cap_sas * 2 : 4;
	struct gs_sa *v;

	if (t->n_sas < t->cap_sas)
		return &t->sas[t->n_sas++];
	v = calloc(cap, sizeof(*v));
	if (!v) {
		fprintf(stderr, "gresec: out of memory\n");
		exit(1);
	}
	if (t->n_sas) {
		memcpy(v, t->sas, t->n_sas * sizeof(*v));
		explicit_bzero(t->sas, t->cap_sas * sizeof(*v));
	}
	free(t->sas);
	t->sas = v;
	t->cap_sas = cap;
	return &t->sas[t->n_sas++];
}

struct gs_tunnel *gs_list_add(struct gs_tunnel_list *l)
{
	l->v = grow(l->v, &l->cap, l->n, sizeof(*l->v));
	return &l->v[l->n++];
}

struct gs_tunnel *gs_list_find(struct gs_tunnel_list *l, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].ifindex == ifindex)
			return &l->v[i];
	return NULL;
}

void gs_sa_wipe(struct gs_sa *sa)
{
	free(sa->replay_bitmap);
	sa->replay_bitmap = NULL;
	sa->replay_bitmap_len = 0;
	explicit_bzero(sa->key, sizeof(sa->key));
	explicit_bzero(sa->auth_key, sizeof(sa->auth_key));
	sa->key_len = sa->auth_key_len = 0;
}

void gs_tunnel_free(struct gs_tunnel *t)
{
	size_t i;

	for (i = 0; i < t->n_sas; i++)
		gs_sa_wipe(&t->sas[i]);
	free(t->sas);
	t->sas = NULL;
	t->n_sas = t->cap_sas = 0;
}

void gs_list_free(struct gs_tunnel_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		gs_tunnel_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool usable_out(const struct gs_sa *sa)
{
	return sa->dir == GRESEC_SA_DIR_OUT &&
	       (sa->state == GRESEC_SA_STATE_ACTIVE ||
		sa->state == GRESEC_SA_STATE_SOFT_EXPIRED);
}

/*
 * The kernel does not (yet) say which outbound SA it sends with.  Take the
 * youngest usable one: a key manager installs the new outbound SA last.
 */
const struct gs_sa *gs_tunnel_current_out(const struct gs_tunnel *t)
{
	const struct gs_sa *best = NULL;
	size_t i;

	for (i = 0; i < t->n_sas; i++) {
		const struct gs_sa *sa = &t->sas[i];

		if (!usable_out(sa))
			continue;
		if (!best || sa->age < best->age ||
		    (sa->age == best->age && sa->state < best->state))
			best = sa;
	}
	return best;
}
