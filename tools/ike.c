// SPDX-License-Identifier: GPL-2.0
/*
 * charon's IKE_SAs for "gresec show", read over vici; see ike.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike.h"

/* charon answers list-sas at once with noblock; TCG guests are slow. */
#define IKE_TIMEOUT_MS 10000

/* A copy of s that fits in n bytes, control bytes replaced: IKE
 * identities come from the peer and must not reach a terminal raw. */
static void set_str(char *dst, size_t n, const char *s)
{
	size_t i;

	if (!s)
		s = "";
	for (i = 0; i + 1 < n && s[i]; i++) {
		unsigned char c = s[i];

		dst[i] = c < 0x20 || c == 0x7f ? '?' : c;
	}
	dst[i] = '\0';
}

/* An unsigned decimal (or hex) number; false if s is missing or bad. */
static bool get_num(const char *s, int base, uint64_t max, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	n = strtoull(s, &end, base);
	if (errno || *end || n > max)
		return false;
	*v = n;
	return true;
}

static uint32_t num32(const struct vici_node *sec, const char *key, int base)
{
	uint64_t v = 0;

	get_num(vici_str(sec, key), base, UINT32_MAX, &v);
	return v;
}

static uint64_t num64(const struct vici_node *sec, const char *key)
{
	uint64_t v = 0;

	get_num(vici_str(sec, key), 10, UINT64_MAX, &v);
	return v;
}

/* A time in seconds: charon prints it signed; a past one reads as 0. */
static bool secs(const struct vici_node *sec, const char *key, uint64_t *v)
{
	const char *s = vici_str(sec, key);

	*v = 0;
	if (s && s[0] == '-' && get_num(s + 1, 10, UINT64_MAX, v)) {
		*v = 0;
		return true;
	}
	return get_num(s, 10, UINT64_MAX, v);
}

static bool yes(const struct vici_node *sec, const char *key)
{
	const char *s = vici_str(sec, key);

	return s && (!strcmp(s, "yes") || !strcmp(s, "1"));
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	return s && inet_pton(AF_INET, s, &a) == 1 ? a.s_addr : 0;
}

#define STR(dst, sec, key) set_str(dst, sizeof(dst), vici_str(sec, key))

static void child_from_vici(const struct vici_node *sec, struct gs_child_sa *c)
{
	uint64_t in, out;

	STR(c->name, sec, "name");
	c->uniqueid = num32(sec, "uniqueid", 10);
	c->reqid = num32(sec, "reqid", 10);
	STR(c->state, sec, "state");
	STR(c->mode, sec, "mode");
	STR(c->protocol, sec, "protocol");
	c->encap = yes(sec, "encap");
	c->esn = yes(sec, "esn");
	c->have_spi = get_num(vici_str(sec, "spi-in"), 16, UINT32_MAX, &in) &&
		      get_num(vici_str(sec, "spi-out"), 16, UINT32_MAX, &out);
	if (c->have_spi) {
		c->spi_in = in;
		c->spi_out = out;
	}
	c->if_id_in = num32(sec, "if-id-in", 16);
	c->if_id_out = num32(sec, "if-id-out", 16);
	STR(c->encr_alg, sec, "encr-alg");
	c->encr_keysize = num32(sec, "encr-keysize", 10);
	STR(c->integ_alg, sec, "integ-alg");
	c->integ_keysize = num32(sec, "integ-keysize", 10);
	STR(c->dh_group, sec, "dh-group");
	c->bytes_in = num64(sec, "bytes-in");
	c->packets_in = num64(sec, "packets-in");
	c->bytes_out = num64(sec, "bytes-out");
	c->packets_out = num64(sec, "packets-out");
	c->have_rekey = secs(sec, "rekey-time", &c->rekey_time);
	c->have_life = secs(sec, "life-time", &c->life_time);
	c->have_install = secs(sec, "install-time", &c->install_time);
}

void ike_sa_free(struct gs_ike_sa *sa)
{
	free(sa->children);
	sa->children = NULL;
	sa->n_children = 0;
}

bool ike_sa_from_vici(const struct vici_node *sec, struct gs_ike_sa *s,
		      const char **why)
{
	const struct vici_node *children, *n;
	size_t i = 0;

	memset(s, 0, sizeof(*s));
	if (!sec || sec->type != VICI_SECTION_START) {
		*why = "not a section";
		return false;
	}
	if (!vici_str(sec, "uniqueid") || !vici_str(sec, "state")) {
		*why = "no uniqueid or state";
		return false;
	}
	set_str(s->name, sizeof(s->name), sec->name);
	s->uniqueid = num32(sec, "uniqueid", 10);
	s->version = num32(sec, "version", 10);
	STR(s->state, sec, "state");
	s->initiator = yes(sec, "initiator");
	STR(s->local_host, sec, "local-host");
	STR(s->remote_host, sec, "remote-host");
	s->local = ip4(vici_str(sec, "local-host"));
	s->remote = ip4(vici_str(sec, "remote-host"));
	s->local_port = num32(sec, "local-port", 10);
	s->remote_port = num32(sec, "remote-port", 10);
	STR(s->local_id, sec, "local-id");
	STR(s->remote_id, sec, "remote-id");
	STR(s->initiator_spi, sec, "initiator-spi");
	STR(s->responder_spi, sec, "responder-spi");
	s->if_id_in = num32(sec, "if-id-in", 16);
	s->if_id_out = num32(sec, "if-id-out", 16);
	s->nat_local = yes(sec, "nat-local");
	s->nat_remote = yes(sec, "nat-remote");
	STR(s->encr_alg, sec, "encr-alg");
	s->encr_keysize = num32(sec, "encr-keysize", 10);
	STR(s->integ_alg, sec, "integ-alg");
	s->integ_keysize = num32(sec, "integ-keysize", 10);
	STR(s->prf_alg, sec, "prf-alg");
	STR(s->dh_group, sec, "dh-group");
	s->have_established = secs(sec, "established", &s->established);
	s->have_rekey = secs(sec, "rekey-time", &s->rekey_time);
	s->have_reauth = secs(sec, "reauth-time", &s->reauth_time);

	children = vici_get(sec, "child-sas");
	if (!children || children->type != VICI_SECTION_START)
		return true;
	for (n = children->child; n; n = n->next)
		if (n->type == VICI_SECTION_START)
			s->n_children++;
	if (!s->n_children)
		return true;
	s->children = calloc(s->n_children, sizeof(*s->children));
	if (!s->children) {
		fprintf(stderr, "gresec: out of memory\n");
		exit(1);
	}
	for (n = children->child; n; n = n->next)
		if (n->type == VICI_SECTION_START)
			child_from_vici(n, &s->children[i++]);
	return true;
}

bool ike_tunnel_has_spi(const struct gs_tunnel *t, uint32_t dir, uint32_t spi)
{
	size_t i;

	for (i = 0; i < t->n_sas; i++)
		if (t->sas[i].dir == dir && t->sas[i].spi == spi)
			return true;
	return false;
}

static bool if_id_ok(uint32_t sa, uint32_t tunnel)
{
	return !sa || sa == tunnel;
}

bool ike_sa_of_tunnel(const struct gs_ike_sa *ike, const struct gs_tunnel *t)
{
	size_t i;

	for (i = 0; i < ike->n_children; i++) {
		const struct gs_child_sa *c = &ike->children[i];

		if (c->have_spi &&
		    (ike_tunnel_has_spi(t, GRESEC_SA_DIR_IN, c->spi_in) ||
		     ike_tunnel_has_spi(t, GRESEC_SA_DIR_OUT, c->spi_out)))
			return true;
	}
	return t->remote && ike->remote == t->remote &&
	       (!t->local || ike->local == t->local) &&
	       if_id_ok(ike->if_id_in, t->if_id) &&
	       if_id_ok(ike->if_id_out, t->if_id);
}

const struct gs_child_sa *ike_child_of_sa(const struct gs_tunnel *t,
					  const struct gs_sa *sa,
					  const struct gs_ike_sa **ike)
{
	size_t i, k;

	if (!t->ike || t->ike->status != GS_IKE_RUNNING)
		return NULL;
	for (i = 0; i < t->ike->n; i++) {
		const struct gs_ike_sa *s = &t->ike->v[i];

		if (!ike_sa_of_tunnel(s, t))
			continue;
		for (k = 0; k < s->n_children; k++) {
			const struct gs_child_sa *c = &s->children[k];

			if (!c->have_spi)
				continue;
			if ((sa->dir == GRESEC_SA_DIR_IN && c->spi_in == sa->spi) ||
			    (sa->dir == GRESEC_SA_DIR_OUT && c->spi_out == sa->spi)) {
				if (ike)
					*ike = s;
				return c;
			}
		}
	}
	return NULL;
}

bool ike_relevant(const struct gs_tunnel *t)
{
	size_t i;

	if (!t->ike)
		return false;
	if (t->ike->status == GS_IKE_RUNNING || t->if_id)
		return true;
	for (i = 0; i < t->n_sas; i++)
		if (t->sas[i].reqid)
			return true;
	return !t->n_sas && t->protection == GRESEC_PROTECTION_REQUIRED;
}

struct collect {
	struct gs_ike_list *ike;
	struct gs_tunnel_list *l;
};

static int on_list_sa(void *ctx, const struct vici_node *msg)
{
	struct collect *c = ctx;
	struct gs_ike_list *ike = c->ike;
	const struct vici_node *n;
	struct gs_ike_sa s;
	const char *why;
	bool keep;
	size_t i;

	/* One section per IKE_SA, named for its connection. */
	for (n = msg->child; n; n = n->next) {
		if (n->type != VICI_SECTION_START || !ike_sa_from_vici(n, &s, &why))
			continue;
		keep = false;
		for (i = 0; i < c->l->n && !keep; i++)
			keep = ike_sa_of_tunnel(&s, &c->l->v[i]);
		if (!keep) {
			ike_sa_free(&s);
			continue;
		}
		if (ike->n == ike->cap) {
			size_t cap = ike->cap ? ike->cap * 2 : 4;
			struct gs_ike_sa *v = realloc(ike->v, cap * sizeof(*v));

			if (!v) {
				fprintf(stderr, "gresec: out of memory\n");
				exit(1);
			}
			ike->v = v;
			ike->cap = cap;
		}
		ike->v[ike->n++] = s;
	}
	return 0;
}

void ike_collect(struct gs_ike_list *ike, struct gs_tunnel_list *l,
		 const char *path)
{
	struct collect c = { ike, l };
	struct vici_conn conn;
	uint8_t req[64];
	size_t req_len = 0, i;
	const char *why = NULL;
	int err;

	memset(ike, 0, sizeof(*ike));
	for (i = 0; i < l->n; i++)
		l->v[i].ike = ike;
	if (!path)
		path = getenv("GRESEC_VICI_SOCKET");
	if (!path || !*path)
		path = VICI_DEFAULT_SOCKET;
	err = vici_connect(&conn, path, IKE_TIMEOUT_MS);
	if (err == -ENOENT || err == -ECONNREFUSED) {
		ike->status = GS_IKE_NOT_RUNNING;
		return;
	}
	if (err) {
		ike->status = GS_IKE_ERROR;
		snprintf(ike->error, sizeof(ike->error), "%s: %s", path,
			 strerror(-err));
		return;
	}
	/* noblock: skip IKE_SAs charon is busy with rather than wait. */
	vici_put_kv(req, sizeof(req), &req_len, "noblock", "yes");
	if (vici_stream(&conn, "list-sas", req, req_len, "list-sa",
			on_list_sa, &c, &why) < 0) {
		for (i = 0; i < ike->n; i++)
			ike_sa_free(&ike->v[i]);
		ike->n = 0;
		ike->status = GS_IKE_ERROR;
		snprintf(ike->error, sizeof(ike->error), "%s: list-sas: %s",
			 path, why ? why : "failed");
	} else {
		ike->status = GS_IKE_RUNNING;
	}
	vici_close(&conn);
}

void ike_list_free(struct gs_ike_list *ike)
{
	size_t i;

	for (i = 0; i < ike->n; i++)
		ike_sa_free(&ike->v[i]);
	free(ike->v);
	memset(ike, 0, sizeof(*ike));
}
