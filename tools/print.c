// SPDX-License-Identifier: GPL-2.0
/*
 * Human, JSON and dump renderers; see print.h and gresec.8.
 * Key material is never part of the model read from the kernel, so it
 * can never be printed.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "print.h"

#define WRAP 78

const char *ip4_str(uint32_t be)
{
	static char buf[4][INET_ADDRSTRLEN];
	static unsigned int n;
	char *b = buf[n++ % 4];
	struct in_addr a = { .s_addr = be };

	if (!inet_ntop(AF_INET, &a, b, INET_ADDRSTRLEN))
		snprintf(b, INET_ADDRSTRLEN, "?");
	return b;
}

/* ---- helpers over the counter tables ---- */

static bool is_rx_drop(unsigned int attr)
{
	return (attr >= GRESEC_STATS_A_RX_DROP_MALFORMED &&
		attr <= GRESEC_STATS_A_RX_DROP_INNER) ||
	       attr == GRESEC_STATS_A_RX_DROP_BACKLOG;
}

static bool is_tx_drop(unsigned int attr)
{
	return (attr >= GRESEC_STATS_A_TX_DROP_NO_REMOTE &&
		attr <= GRESEC_STATS_A_TX_DROP_ERROR) ||
	       attr == GRESEC_STATS_A_TX_DROP_BACKLOG ||
	       attr == GRESEC_STATS_A_TX_DROP_HOLD_OVERFLOW ||
	       attr == GRESEC_STATS_A_TX_DROP_HOLD_TIMEOUT;
}

static bool is_sa_drop(unsigned int attr)
{
	return attr >= GRESEC_SA_STATS_A_DROP_ICV &&
	       attr != GRESEC_SA_STATS_A_MAPPINGS;
}

static uint64_t sum(const struct counter *c, size_t n, const uint64_t *v,
		    bool (*pick)(unsigned int))
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (pick(c[i].attr))
			s += v[c[i].attr];
	return s;
}

/* "    drops: a 0, b 0, ..." wrapped under the first item. */
static void print_list(FILE *f, int indent, const char *head,
		       const struct counter *c, size_t n, const uint64_t *v,
		       bool (*pick)(unsigned int))
{
	int col, start, w;
	bool first = true;
	char item[64];
	size_t i;

	col = fprintf(f, "%*s%s ", indent, "", head);
	start = col;
	for (i = 0; i < n; i++) {
		if (!pick(c[i].attr))
			continue;
		w = snprintf(item, sizeof(item), "%s %" PRIu64, c[i].label,
			     v[c[i].attr]);
		if (!first) {
			if (col + 2 + w > WRAP) {
				fprintf(f, ",\n%*s", start, "");
				col = start;
			} else {
				col += fprintf(f, ", ");
			}
		}
		col += fprintf(f, "%s", item);
		first = false;
	}
	fputc('\n', f);
}

/* in/out options: "enabled", "disabled", "in only", "out only". */
static const char *inout(uint32_t iflags, uint32_t oflags, uint32_t flag)
{
	bool i = iflags & flag, o = oflags & flag;

	return i && o ? "enabled" : i ? "in only" : o ? "out only" : "disabled";
}

/* ---- human view ---- */

static void print_lifetime(FILE *f, const char *what, uint64_t hard,
			   uint64_t used, const char *unit, bool *first)
{
	fprintf(f, "%s", *first ? "" : ", ");
	*first = false;
	if (!hard)
		fprintf(f, "unlimited %s", what);
	else
		fprintf(f, "%" PRIu64 "%s %s", hard > used ? hard - used : 0,
			unit, what);
}

/*
 * Sequence numbers received among the last replay_window: the bitmap is
 * u32 words in host order, bit 0 of word 0 the highest number seen.
 */
static uint32_t replay_seen(const struct gs_sa *sa)
{
	size_t bits = sa->replay_bitmap_len / 4 * 32, i;
	uint32_t n = 0, w = 0;

	if (bits > sa->replay_window)
		bits = sa->replay_window;
	for (i = 0; i < bits; i++) {
		if (i % 32 == 0)
			memcpy(&w, sa->replay_bitmap + i / 8, sizeof(w));
		n += (w >> (i % 32)) & 1;
	}
	return n;
}

static void print_sa(FILE *f, const struct gs_tunnel *t, const struct gs_sa *sa)
{
	const struct proposal *p = gs_proposal_by_id(sa->proposal);
	bool first = true;

	fprintf(f, "      spi: 0x%08" PRIx32 " (%" PRIu32 ")\n", sa->spi, sa->spi);
	if (p)
		fprintf(f, "        transform: %s (%s),\n", p->transform, p->name);
	else
		fprintf(f, "        transform: %s,\n",
			gs_proposal_name(sa->proposal));
	fprintf(f, "        in use settings = {%s}\n",
		sa->mode == GRESEC_SA_MODE_TUNNEL ? "Tunnel" : "Transport");
	fprintf(f, "        status: %s, age %" PRIu64 " s, ",
		gs_state_name(sa->state), sa->age);
	if (sa->have[GRESEC_SA_A_IDLE])
		fprintf(f, "last used %" PRIu64 " s ago\n", sa->idle);
	else
		fprintf(f, "not used yet\n");
	print_ike_origin(f, t, sa);
	if (sa->encap == GRESEC_ENCAP_UDP) {
		fprintf(f, "        UDP-encapsulated, port %" PRIu32 " -> %" PRIu32,
			sa->encap_sport, sa->encap_dport);
		if (sa->encap_peer_addr) {
			struct in_addr a = { .s_addr = sa->encap_peer_addr };

			fprintf(f, "\n        peer %s:%" PRIu32, inet_ntoa(a),
				sa->encap_peer_port);
		}
		if (sa->stats[GRESEC_SA_STATS_A_MAPPINGS])
			fprintf(f, " (NAT detected: mapping changed %" PRIu64
				" times)", sa->stats[GRESEC_SA_STATS_A_MAPPINGS]);
		fputc('\n', f);
	}
	if (sa->dir == GRESEC_SA_DIR_IN) {
		fprintf(f, "        replay detection support: %s, window %" PRIu32,
			sa->replay_window ? "Y" : "N", sa->replay_window);
		if (sa->replay_window && sa->replay_bitmap && sa->seq)
			fprintf(f, " (%" PRIu32 " of the last %" PRIu32
				" received)", replay_seen(sa),
				sa->replay_window);
		fprintf(f, "\n        ESN %s, highest seq %" PRIu64 "\n",
			sa->esn ? "on" : "off", sa->seq);
	} else
		fprintf(f, "        ESN %s, next seq %" PRIu64 "\n",
			sa->esn ? "on" : "off", sa->seq);
	fprintf(f, "        remaining lifetime: ");
	print_lifetime(f, "bytes", sa->hard_bytes,
		       sa->stats[GRESEC_SA_STATS_A_BYTES], "", &first);
	print_lifetime(f, "packets", sa->hard_packets,
		       sa->stats[GRESEC_SA_STATS_A_PACKETS], "", &first);
	if (!sa->hard_time)
		fprintf(f, ", unlimited time\n");
	else
		fprintf(f, ", %" PRIu64 " s\n",
			sa->hard_time > sa->age ? sa->hard_time - sa->age : 0);
	if (sa->soft_bytes || sa->soft_packets || sa->soft_time ||
	    sa->hard_bytes || sa->hard_packets || sa->hard_time)
		fprintf(f, "        lifetime soft/hard: bytes %" PRIu64 "/%" PRIu64
			", packets %" PRIu64 "/%" PRIu64 ", time %" PRIu64
			"/%" PRIu64 " s (0: none)\n",
			sa->soft_bytes, sa->hard_bytes, sa->soft_packets,
			sa->hard_packets, sa->soft_time, sa->hard_time);
	fprintf(f, "        #pkts %s: %" PRIu64 ", #bytes: %" PRIu64 "\n",
		sa->dir == GRESEC_SA_DIR_IN ? "decaps" : "encaps",
		sa->stats[GRESEC_SA_STATS_A_PACKETS],
		sa->stats[GRESEC_SA_STATS_A_BYTES]);
	print_list(f, 8, "drops:", gs_sa_counters, gs_n_sa_counters,
		   sa->stats, is_sa_drop);
}

static void print_sas_dir(FILE *f, const struct gs_tunnel *t, uint32_t dir)
{
	bool any = false;
	size_t i;

	fprintf(f, "\n    %s esp sas:\n",
		dir == GRESEC_SA_DIR_IN ? "inbound" : "outbound");
	for (i = 0; i < t->n_sas; i++) {
		if (t->sas[i].dir != dir)
			continue;
		if (any)
			fputc('\n', f);
		print_sa(f, t, &t->sas[i]);
		any = true;
	}
	if (!any)
		fprintf(f, "      (none)\n");
}

static void print_sas(FILE *f, const struct gs_tunnel *t)
{
	uint64_t in_pkts = 0, out_pkts = 0, in_err = 0, out_err = 0;
	const struct gs_sa *cur;
	size_t i;

	fprintf(f, "  crypto ipsec sa:\n");
	if (t->sas_unsupported) {
		fprintf(f, "    (SAs not supported by this gresec kernel module)\n");
		return;
	}
	if (t->sas_denied) {
		fprintf(f, "    (not shown: reading SAs needs CAP_NET_ADMIN)\n");
		return;
	}
	for (i = 0; i < t->n_sas; i++) {
		const struct gs_sa *sa = &t->sas[i];
		uint64_t err = sum(gs_sa_counters, gs_n_sa_counters, sa->stats,
				   is_sa_drop);

		if (sa->dir == GRESEC_SA_DIR_IN) {
			in_pkts += sa->stats[GRESEC_SA_STATS_A_PACKETS];
			in_err += err;
		} else {
			out_pkts += sa->stats[GRESEC_SA_STATS_A_PACKETS];
			out_err += err;
		}
	}
	fprintf(f, "    local crypto endpt.: %s, remote crypto endpt.: %s\n",
		t->local ? ip4_str(t->local) : "any",
		t->remote ? ip4_str(t->remote) : "none");
	cur = gs_tunnel_current_out(t);
	if (cur)
		fprintf(f, "    current outbound spi: 0x%08" PRIx32 " (%" PRIu32
			")\n", cur->spi, cur->spi);
	else
		fprintf(f, "    current outbound spi: 0x0 (0)\n");
	fprintf(f, "    #pkts encaps: %" PRIu64 ", #pkts encrypt: %" PRIu64
		", #pkts digest: %" PRIu64 "\n", out_pkts, out_pkts, out_pkts);
	fprintf(f, "    #pkts decaps: %" PRIu64 ", #pkts decrypt: %" PRIu64
		", #pkts verify: %" PRIu64 "\n", in_pkts, in_pkts, in_pkts);
	fprintf(f, "    #send errors %" PRIu64 ", #recv errors %" PRIu64 "\n",
		out_err, in_err);
	print_sas_dir(f, t, GRESEC_SA_DIR_IN);
	print_sas_dir(f, t, GRESEC_SA_DIR_OUT);
}

static void print_key(FILE *f, const struct gs_tunnel *t)
{
	bool i = t->iflags & GRESEC_TUNNEL_F_KEY;
	bool o = t->oflags & GRESEC_TUNNEL_F_KEY;

	if (i && o && t->ikey == t->okey)
		fprintf(f, "  Key %" PRIu32 " (0x%" PRIx32 ")", t->ikey, t->ikey);
	else if (i && o)
		fprintf(f, "  Key in %" PRIu32 " (0x%" PRIx32 "), out %" PRIu32
			" (0x%" PRIx32 ")", t->ikey, t->ikey, t->okey, t->okey);
	else if (i)
		fprintf(f, "  Key in %" PRIu32 " (0x%" PRIx32 "), none sent",
			t->ikey, t->ikey);
	else if (o)
		fprintf(f, "  Key out %" PRIu32 " (0x%" PRIx32 "), none expected",
			t->okey, t->okey);
	else
		fprintf(f, "  Key disabled");
}

static const char *ka_state_name(uint32_t state)
{
	switch (state) {
	case GRESEC_KEEPALIVE_STATE_OFF: return "off";
	case GRESEC_KEEPALIVE_STATE_UP: return "up";
	case GRESEC_KEEPALIVE_STATE_DOWN: return "down";
	default: return "unknown";
	}
}

/* As IOS "Keepalive set (10 sec), retries 3", plus what they say. */
static void print_keepalive(FILE *f, const struct gs_tunnel *t)
{
	const uint64_t *s = t->stats;
	char when[32] = "never";
	time_t c;

	if (!t->ka_period && !s[GRESEC_STATS_A_KEEPALIVE_REFLECTED]) {
		fprintf(f, "  Keepalive not set\n");
		return;
	}
	if (t->have[GRESEC_A_KEEPALIVE_CHANGED]) {
		c = (time_t)t->ka_changed;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
			 gmtime(&c));
	}
	if (t->ka_period)
		fprintf(f, "  Keepalive set (%" PRIu32 " sec), retries %" PRIu32
			", peer %s, last change %s\n", t->ka_period,
			t->ka_retries, ka_state_name(t->ka_state), when);
	else
		fprintf(f, "  Keepalive not set\n");
	fprintf(f, "    %" PRIu64 " sent, %" PRIu64 " came back, %" PRIu64
		" of the peer's reflected\n", s[GRESEC_STATS_A_KEEPALIVE_TX],
		s[GRESEC_STATS_A_KEEPALIVE_RX],
		s[GRESEC_STATS_A_KEEPALIVE_REFLECTED]);
}

void print_tunnel(FILE *f, const struct gs_tunnel *t)
{
	const uint64_t *s = t->stats;

	fprintf(f, "interface %s (ifindex %" PRIu32 "), protection %s\n",
		t->ifname, t->ifindex, gs_protection_name(t->protection));
	fprintf(f, "  Tunnel source %s, destination %s\n",
		t->local ? ip4_str(t->local) : "any",
		t->remote ? ip4_str(t->remote) : "none");
	fprintf(f, "  Tunnel protocol/transport GRE/IP, %s\n",
		t->protection == GRESEC_PROTECTION_REQUIRED ?
		"ESP required" : "ESP when an outbound SA exists");
	print_key(f, t);
	fprintf(f, ", sequencing %s\n",
		inout(t->iflags, t->oflags, GRESEC_TUNNEL_F_SEQ));
	fprintf(f, "  Checksumming of packets %s\n",
		inout(t->iflags, t->oflags, GRESEC_TUNNEL_F_CSUM));
	if (t->ttl)
		fprintf(f, "  Tunnel TTL %u", t->ttl);
	else
		fprintf(f, "  Tunnel TTL inherit");
	if (t->tos_inherit)
		fprintf(f, ", TOS inherit");
	else
		fprintf(f, ", TOS 0x%02x", t->tos);
	fprintf(f, ", Path MTU Discovery %s\n",
		t->pmtudisc ? "enabled" : "disabled");
	fprintf(f, "  MTU %" PRIu32 " bytes (%s)\n", t->link_mtu,
		t->mtu ? "configured" : "auto");
	if (t->if_id)
		fprintf(f, "  Key manager interface ID %" PRIu32 "\n", t->if_id);
	print_keepalive(f, t);
	if (t->adjust_mss == 1)
		fprintf(f, "  TCP MSS adjust auto (MTU - 40, IPv6 - 60)");
	else if (t->adjust_mss)
		fprintf(f, "  TCP MSS adjust %" PRIu32, t->adjust_mss);
	else
		fprintf(f, "  TCP MSS adjust off");
	fprintf(f, ", %" PRIu64 " SYNs clamped\n",
		t->stats[GRESEC_STATS_A_MSS_CLAMPED]);
	fprintf(f, "  Input: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
		" drops\n", s[GRESEC_STATS_A_RX_PACKETS],
		s[GRESEC_STATS_A_RX_BYTES],
		sum(gs_tunnel_counters, gs_n_tunnel_counters, s, is_rx_drop));
	print_list(f, 4, "drops:", gs_tunnel_counters, gs_n_tunnel_counters,
		   s, is_rx_drop);
	if (s[GRESEC_STATS_A_RX_HANDOFF])
		fprintf(f, "    %" PRIu64 " decrypted on the next CPU\n",
			s[GRESEC_STATS_A_RX_HANDOFF]);
	fprintf(f, "  Output: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
		" drops\n", s[GRESEC_STATS_A_TX_PACKETS],
		s[GRESEC_STATS_A_TX_BYTES],
		sum(gs_tunnel_counters, gs_n_tunnel_counters, s, is_tx_drop));
	print_list(f, 4, "drops:", gs_tunnel_counters, gs_n_tunnel_counters,
		   s, is_tx_drop);
	if (s[GRESEC_STATS_A_TX_HANDOFF])
		fprintf(f, "    %" PRIu64 " encrypted on the next CPU\n",
			s[GRESEC_STATS_A_TX_HANDOFF]);
	if (s[GRESEC_STATS_A_TX_ACQUIRE] || s[GRESEC_STATS_A_TX_HELD])
		fprintf(f, "    %" PRIu64 " SA acquires, %" PRIu64
			" packets held for an SA\n",
			s[GRESEC_STATS_A_TX_ACQUIRE], s[GRESEC_STATS_A_TX_HELD]);
	print_ike(f, t);
	print_sas(f, t);
}

void print_net(FILE *f, const struct gs_net *n)
{
	fprintf(f, "gresec namespace counters:\n");
	fprintf(f, "  GRE packets matching no tunnel: %" PRIu64 "\n",
		n->rx_no_tunnel);
	if (n->rx_no_tunnel) {
		fprintf(f, "    last from %s", ip4_str(n->last_src));
		if (n->last_key_present)
			fprintf(f, ", key %" PRIu32 "\n", n->last_key);
		else
			fprintf(f, ", no key\n");
	}
	fprintf(f, "  ESP packets with an unknown SPI: %" PRIu64 "\n",
		n->esp_unknown_spi);
	if (n->esp_unknown_spi)
		fprintf(f, "    last spi 0x%08" PRIx32 " (%" PRIu32 ") from %s\n",
			n->last_spi, n->last_spi, ip4_str(n->last_spi_src));
}

void print_event(FILE *f, const struct gs_tunnel *t, const struct gs_sa *sa)
{
	fprintf(f, "%s: sa %s: %s spi 0x%08" PRIx32 " (%" PRIu32 ")",
		t->ifname[0] ? t->ifname : "?", gs_event_name(sa->event),
		gs_dir_name(sa->dir), sa->spi, sa->spi);
	if (sa->have[GRESEC_SA_A_PROPOSAL])
		fprintf(f, " %s", gs_proposal_name(sa->proposal));
	if (sa->have[GRESEC_SA_A_STATE])
		fprintf(f, ", state %s", gs_state_name(sa->state));
	if (sa->have[GRESEC_SA_A_STATS])
		fprintf(f, ", %" PRIu64 " packets, %" PRIu64 " bytes",
			sa->stats[GRESEC_SA_STATS_A_PACKETS],
			sa->stats[GRESEC_SA_STATS_A_BYTES]);
	if (sa->encap_peer_addr) {
		struct in_addr a = { .s_addr = sa->encap_peer_addr };

		fprintf(f, ", peer %s:%" PRIu32, inet_ntoa(a),
			sa->encap_peer_port);
	}
	fputc('\n', f);
}

/* ---- JSON ---- */

static void json_counters(struct json *j, const char *key,
			  const struct counter *c, size_t n, const uint64_t *v)
{
	size_t i;

	json_obj_begin(j, key);
	for (i = 0; i < n; i++)
		json_u64(j, c[i].json, v[c[i].attr]);
	json_obj_end(j);
}

/* The members of an SA object (also the body of a monitor event). */
static void json_sa_fields(struct json *j, const struct gs_sa *sa)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	json_u64(j, "spi", sa->spi);
	json_str(j, "dir", gs_dir_name(sa->dir));
	/* 0 is no valid proposal or state: the kernel did not say. */
	json_str(j, "proposal", sa->proposal ? gs_proposal_name(sa->proposal) : NULL);
	json_str(j, "state", sa->state ? gs_state_name(sa->state) : NULL);
	json_bool(j, "esn", sa->esn);
	json_u64(j, "replay_window", sa->replay_window);
	json_u64(j, "seq", sa->seq);
	json_u64(j, "age", sa->age);
	if (sa->have[GRESEC_SA_A_IDLE])
		json_u64(j, "idle", sa->idle);
	else
		json_null(j, "idle");
	json_u64(j, "reqid", sa->reqid);
	if (sa->encap == GRESEC_ENCAP_UDP) {
		struct in_addr a = { .s_addr = sa->encap_peer_addr };

		json_obj_begin(j, "encap");
		json_str(j, "type", "udp");
		json_u64(j, "sport", sa->encap_sport);
		json_u64(j, "dport", sa->encap_dport);
		json_str(j, "peer", sa->encap_peer_addr ? inet_ntoa(a) : NULL);
		json_u64(j, "peer_port", sa->encap_peer_port);
		json_obj_end(j);
	} else {
		json_null(j, "encap");
	}
	json_str(j, "mode", sa->mode == GRESEC_SA_MODE_TUNNEL ? "tunnel" :
			    "transport");
	json_u64(j, "soft_bytes", sa->soft_bytes);
	json_u64(j, "hard_bytes", sa->hard_bytes);
	json_u64(j, "soft_packets", sa->soft_packets);
	json_u64(j, "hard_packets", sa->hard_packets);
	json_u64(j, "soft_time", sa->soft_time);
	json_u64(j, "hard_time", sa->hard_time);
	if (sa->replay_bitmap) {
		char *s = malloc(2 * sa->replay_bitmap_len + 1);

		if (s) {
			for (i = 0; i < sa->replay_bitmap_len; i++) {
				s[2 * i] = hex[sa->replay_bitmap[i] >> 4];
				s[2 * i + 1] = hex[sa->replay_bitmap[i] & 15];
			}
			s[2 * i] = '\0';
		}
		json_str(j, "replay_bitmap", s);
		free(s);
	} else {
		json_null(j, "replay_bitmap");
	}
	json_counters(j, "stats", gs_sa_counters, gs_n_sa_counters, sa->stats);
}

static void json_sa(struct json *j, const struct gs_tunnel *t,
		    const struct gs_sa *sa)
{
	json_obj_begin(j, NULL);
	json_sa_fields(j, sa);
	json_ike_origin(j, t, sa);
	json_obj_end(j);
}

void json_tunnel(struct json *j, const struct gs_tunnel *t)
{
	const struct gs_sa *cur = gs_tunnel_current_out(t);
	size_t i;

	json_obj_begin(j, NULL);
	json_str(j, "ifname", t->ifname);
	json_u64(j, "ifindex", t->ifindex);
	json_str(j, "local", ip4_str(t->local));
	json_str(j, "remote", ip4_str(t->remote));
	if (t->iflags & GRESEC_TUNNEL_F_KEY)
		json_u64(j, "ikey", t->ikey);
	else
		json_null(j, "ikey");
	if (t->oflags & GRESEC_TUNNEL_F_KEY)
		json_u64(j, "okey", t->okey);
	else
		json_null(j, "okey");
	json_bool(j, "icsum", t->iflags & GRESEC_TUNNEL_F_CSUM);
	json_bool(j, "ocsum", t->oflags & GRESEC_TUNNEL_F_CSUM);
	json_bool(j, "iseq", t->iflags & GRESEC_TUNNEL_F_SEQ);
	json_bool(j, "oseq", t->oflags & GRESEC_TUNNEL_F_SEQ);
	json_u64(j, "ttl", t->ttl);
	json_bool(j, "ttl_inherit", !t->ttl);
	json_u64(j, "tos", t->tos);
	json_bool(j, "tos_inherit", t->tos_inherit);
	json_bool(j, "pmtudisc", t->pmtudisc);
	json_u64(j, "mtu", t->mtu);
	json_bool(j, "mtu_auto", !t->mtu);
	json_u64(j, "link_mtu", t->link_mtu);
	json_str(j, "protection", gs_protection_name(t->protection));
	json_u64(j, "if_id", t->if_id);
	json_u64(j, "keepalive_period", t->ka_period);
	json_u64(j, "keepalive_retries", t->ka_retries);
	json_str(j, "keepalive_state", ka_state_name(t->ka_state));
	if (t->have[GRESEC_A_KEEPALIVE_CHANGED])
		json_u64(j, "keepalive_changed", t->ka_changed);
	else
		json_null(j, "keepalive_changed");
	if (t->adjust_mss == 1)
		json_str(j, "adjust_mss", "auto");
	else
		json_u64(j, "adjust_mss", t->adjust_mss);
	json_counters(j, "stats", gs_tunnel_counters, gs_n_tunnel_counters,
		      t->stats);
	if (cur)
		json_u64(j, "current_outbound_spi", cur->spi);
	else
		json_null(j, "current_outbound_spi");
	json_bool(j, "sas_supported", !t->sas_unsupported);
	json_bool(j, "sas_readable", !t->sas_denied);
	json_arr_begin(j, "sas");
	for (i = 0; i < t->n_sas; i++)
		json_sa(j, t, &t->sas[i]);
	json_arr_end(j);
	json_ike(j, t);
	json_obj_end(j);
}

void json_net(struct json *j, const struct gs_net *n)
{
	json_obj_begin(j, NULL);
	json_u64(j, "rx_no_tunnel", n->rx_no_tunnel);
	if (n->rx_no_tunnel)
		json_str(j, "last_src", ip4_str(n->last_src));
	else
		json_null(j, "last_src");
	if (n->rx_no_tunnel && n->last_key_present)
		json_u64(j, "last_key", n->last_key);
	else
		json_null(j, "last_key");
	json_u64(j, "esp_unknown_spi", n->esp_unknown_spi);
	if (n->esp_unknown_spi) {
		json_u64(j, "last_spi", n->last_spi);
		json_str(j, "last_spi_src", ip4_str(n->last_spi_src));
	} else {
		json_null(j, "last_spi");
		json_null(j, "last_spi_src");
	}
	json_obj_end(j);
}

void json_event(struct json *j, const struct gs_tunnel *t,
		const struct gs_sa *sa, const char *time)
{
	json_obj_begin(j, NULL);
	if (time)
		json_str(j, "time", time);
	json_str(j, "event", gs_event_name(sa->event));
	json_str(j, "ifname", t->ifname);
	json_u64(j, "ifindex", t->ifindex);
	json_sa_fields(j, sa);
	json_obj_end(j);
}

/* ---- dump ---- */

static void dump_key(FILE *f, uint32_t flags, uint32_t key)
{
	if (flags & GRESEC_TUNNEL_F_KEY)
		fprintf(f, "\t%" PRIu32, key);
	else
		fprintf(f, "\toff");
}

static const char *onoff(bool b)
{
	return b ? "on" : "off";
}

static void dump_limit(FILE *f, uint64_t v)
{
	if (v)
		fprintf(f, "\t%" PRIu64, v);
	else
		fprintf(f, "\toff");
}

void dump_tunnel(FILE *f, const struct gs_tunnel *t)
{
	size_t i, k;

	fprintf(f, "tunnel\t%s\t%" PRIu32 "\t%s\t%s", t->ifname, t->ifindex,
		ip4_str(t->local), ip4_str(t->remote));
	dump_key(f, t->iflags, t->ikey);
	dump_key(f, t->oflags, t->okey);
	fprintf(f, "\t%s\t%s\t%s\t%s",
		onoff(t->iflags & GRESEC_TUNNEL_F_CSUM),
		onoff(t->oflags & GRESEC_TUNNEL_F_CSUM),
		onoff(t->iflags & GRESEC_TUNNEL_F_SEQ),
		onoff(t->oflags & GRESEC_TUNNEL_F_SEQ));
	if (t->ttl)
		fprintf(f, "\t%u", t->ttl);
	else
		fprintf(f, "\tinherit");
	if (t->tos_inherit)
		fprintf(f, "\tinherit");
	else
		fprintf(f, "\t0x%02x", t->tos);
	fprintf(f, "\t%s", onoff(t->pmtudisc));
	if (t->mtu)
		fprintf(f, "\t%" PRIu32, t->mtu);
	else
		fprintf(f, "\tauto");
	fprintf(f, "\t%" PRIu32 "\t%s", t->link_mtu,
		gs_protection_name(t->protection));
	for (k = 0; k < gs_n_tunnel_counters; k++)
		fprintf(f, "\t%" PRIu64, t->stats[gs_tunnel_counters[k].attr]);
	fputc('\n', f);

	for (i = 0; i < t->n_sas; i++) {
		const struct gs_sa *sa = &t->sas[i];

		fprintf(f, "sa\t%s\t%s\t0x%08" PRIx32 "\t%s\t%s\t%s\t%" PRIu32
			"\t%" PRIu64 "\t%" PRIu64, t->ifname,
			gs_dir_name(sa->dir), sa->spi,
			gs_proposal_name(sa->proposal), gs_state_name(sa->state),
			onoff(sa->esn), sa->replay_window, sa->seq, sa->age);
		dump_limit(f, sa->soft_bytes);
		dump_limit(f, sa->hard_bytes);
		dump_limit(f, sa->soft_packets);
		dump_limit(f, sa->hard_packets);
		dump_limit(f, sa->soft_time);
		dump_limit(f, sa->hard_time);
		/* Counters added after the encapsulation columns come last. */
		for (k = 0; k < gs_n_sa_counters; k++)
			if (gs_sa_counters[k].attr <= GRESEC_SA_STATS_A_MAPPINGS)
				fprintf(f, "\t%" PRIu64,
					sa->stats[gs_sa_counters[k].attr]);
		/* Appended: encapsulation, ports, the peer's address and port. */
		if (sa->encap == GRESEC_ENCAP_UDP) {
			struct in_addr a = { .s_addr = sa->encap_peer_addr };

			fprintf(f, "\tudp\t%" PRIu32 "\t%" PRIu32 "\t%s\t%" PRIu32,
				sa->encap_sport, sa->encap_dport,
				sa->encap_peer_addr ? inet_ntoa(a) : "remote",
				sa->encap_peer_port);
		} else {
			fprintf(f, "\tnone\t0\t0\tremote\t0");
		}
		/* Appended: the mode and its counter. */
		fprintf(f, "\t%s\t%" PRIu64,
			sa->mode == GRESEC_SA_MODE_TUNNEL ? "tunnel" : "transport",
			sa->stats[GRESEC_SA_STATS_A_DROP_TUNNEL_INNER]);
		fputc('\n', f);
	}
	dump_ike(f, t);
}
