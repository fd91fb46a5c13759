// SPDX-License-Identifier: GPL-2.0
/*
 * The IKE part of "gresec show" ("show crypto isakmp sa"), of its JSON
 * and of "gresec dump": charon's IKE_SAs with a tunnel's peer and their
 * CHILD_SAs, read by ike.c.  Algorithm names are charon's, as swanctl
 * --list-sas prints them.
 */
#include <inttypes.h>
#include <string.h>

#include "ike.h"
#include "print.h"

/* "AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" */
static const char *proposal(char *buf, size_t n, const char *encr,
			    uint32_t encr_ks, const char *integ,
			    const char *prf, const char *dh)
{
	size_t len = 0;

	buf[0] = '\0';
	if (*encr)
		len += snprintf(buf + len, n - len, "%s", encr);
	if (*encr && encr_ks && len < n)
		len += snprintf(buf + len, n - len, "-%" PRIu32, encr_ks);
	if (*integ && len < n)
		len += snprintf(buf + len, n - len, "%s%s", len ? "/" : "", integ);
	if (prf && *prf && len < n)
		len += snprintf(buf + len, n - len, "%s%s", len ? "/" : "", prf);
	if (*dh && len < n)
		snprintf(buf + len, n - len, "%s%s", len ? "/" : "", dh);
	return buf[0] ? buf : "(none yet)";
}

static const char *ike_proposal(char *buf, size_t n, const struct gs_ike_sa *s)
{
	return proposal(buf, n, s->encr_alg, s->encr_keysize, s->integ_alg,
			s->prf_alg, s->dh_group);
}

static const char *child_proposal(char *buf, size_t n,
				  const struct gs_child_sa *c)
{
	return proposal(buf, n, c->encr_alg, c->encr_keysize, c->integ_alg,
			NULL, c->dh_group);
}

/* Which of the CHILD_SA's two SAs are in the tunnel. */
static const char *child_in_tunnel(const struct gs_tunnel *t,
				   const struct gs_child_sa *c)
{
	bool in, out;

	if (!c->have_spi)
		return "none";
	in = ike_tunnel_has_spi(t, GRESEC_SA_DIR_IN, c->spi_in);
	out = ike_tunnel_has_spi(t, GRESEC_SA_DIR_OUT, c->spi_out);
	return in && out ? "both" : in ? "in" : out ? "out" : "none";
}

static void print_child(FILE *f, const struct gs_tunnel *t,
			const struct gs_child_sa *c)
{
	static const char *const where[] = {
		"both", "both SAs in %s", "in", "only the inbound SA in %s",
		"out", "only the outbound SA in %s", "none", "not in %s",
	};
	const char *w = child_in_tunnel(t, c);
	char buf[256];
	size_t i;

	fprintf(f, "      child sa %s #%" PRIu32 ", reqid %" PRIu32 ": %s, %s %s%s, %s\n",
		c->name, c->uniqueid, c->reqid, c->state, c->mode, c->protocol,
		c->encap ? " in UDP" : "",
		child_proposal(buf, sizeof(buf), c));
	if (c->have_spi) {
		fprintf(f, "        spi in 0x%08" PRIx32 ", out 0x%08" PRIx32 " (",
			c->spi_in, c->spi_out);
		for (i = 0; i < sizeof(where) / sizeof(where[0]); i += 2)
			if (!strcmp(w, where[i]))
				fprintf(f, where[i + 1], t->ifname);
		fprintf(f, ")\n");
	}
	fprintf(f, "        ");
	if (c->have_install)
		fprintf(f, "installed %" PRIu64 " s ago, ", c->install_time);
	if (c->have_rekey)
		fprintf(f, "rekey in %" PRIu64 " s, ", c->rekey_time);
	if (c->have_life)
		fprintf(f, "expires in %" PRIu64 " s\n", c->life_time);
	else
		fprintf(f, "no expiry\n");
}

static void print_ike_sa(FILE *f, const struct gs_tunnel *t,
			 const struct gs_ike_sa *s)
{
	char buf[256];
	size_t i;

	fprintf(f, "    %s #%" PRIu32 ": IKEv%" PRIu32 ", %s", s->name,
		s->uniqueid, s->version, s->state);
	if (s->have_established)
		fprintf(f, " %" PRIu64 " s ago", s->established);
	fprintf(f, ", %s\n", s->initiator ? "initiator" : "responder");
	fprintf(f, "      local  %s[%" PRIu32 "], id %s\n", s->local_host,
		s->local_port, s->local_id);
	fprintf(f, "      remote %s[%" PRIu32 "], id %s%s\n", s->remote_host,
		s->remote_port, s->remote_id,
		s->nat_local || s->nat_remote ? ", behind NAT" : "");
	fprintf(f, "      proposal %s\n", ike_proposal(buf, sizeof(buf), s));
	fprintf(f, "      SPIs %s_i%s %s_r%s\n", s->initiator_spi,
		s->initiator ? "*" : "", s->responder_spi,
		s->initiator ? "" : "*");
	if (s->have_rekey && s->have_reauth)
		fprintf(f, "      rekey in %" PRIu64 " s, reauth in %" PRIu64
			" s\n", s->rekey_time, s->reauth_time);
	else if (s->have_rekey)
		fprintf(f, "      rekey in %" PRIu64 " s\n", s->rekey_time);
	else if (s->have_reauth)
		fprintf(f, "      reauth in %" PRIu64 " s\n", s->reauth_time);
	for (i = 0; i < s->n_children; i++)
		print_child(f, t, &s->children[i]);
	if (!s->n_children)
		fprintf(f, "      no child sa\n");
}

void print_ike(FILE *f, const struct gs_tunnel *t)
{
	const struct gs_ike_list *ike = t->ike;
	bool any = false;
	size_t i;

	if (!ike_relevant(t))
		return;
	if (ike->status == GS_IKE_NOT_RUNNING) {
		fprintf(f, "  crypto isakmp sa: charon is not running\n");
		return;
	}
	if (ike->status == GS_IKE_ERROR) {
		fprintf(f, "  crypto isakmp sa: not shown (%s)\n", ike->error);
		return;
	}
	for (i = 0; i < ike->n; i++) {
		if (!ike_sa_of_tunnel(&ike->v[i], t))
			continue;
		if (!any)
			fprintf(f, "  crypto isakmp sa:\n");
		print_ike_sa(f, t, &ike->v[i]);
		any = true;
	}
	if (!any)
		fprintf(f, "  crypto isakmp sa: none (charon has no IKE_SA with %s)\n",
			t->remote ? ip4_str(t->remote) : "this tunnel's peer");
}

void print_ike_origin(FILE *f, const struct gs_tunnel *t,
		      const struct gs_sa *sa)
{
	const struct gs_ike_sa *s = NULL;
	const struct gs_child_sa *c = ike_child_of_sa(t, sa, &s);

	if (c)
		fprintf(f, "        installed by IKE, reqid %" PRIu32
			" (%s #%" PRIu32 ", child sa %s #%" PRIu32 ")\n",
			sa->reqid ? sa->reqid : c->reqid, s->name, s->uniqueid,
			c->name, c->uniqueid);
	else if (sa->reqid && t->ike && t->ike->status == GS_IKE_RUNNING)
		fprintf(f, "        reqid %" PRIu32
			", but no CHILD_SA of charon's has this SPI\n",
			sa->reqid);
	else if (sa->reqid)
		fprintf(f, "        reqid %" PRIu32 "\n", sa->reqid);
}

/* ---- JSON ---- */

static void json_str_or_null(struct json *j, const char *key, const char *v)
{
	if (*v)
		json_str(j, key, v);
	else
		json_null(j, key);
}

static void json_secs(struct json *j, const char *key, bool have, uint64_t v)
{
	if (have)
		json_u64(j, key, v);
	else
		json_null(j, key);
}

static void json_child(struct json *j, const struct gs_tunnel *t,
		       const struct gs_child_sa *c)
{
	json_obj_begin(j, NULL);
	json_str(j, "name", c->name);
	json_u64(j, "uniqueid", c->uniqueid);
	json_u64(j, "reqid", c->reqid);
	json_str(j, "state", c->state);
	json_str(j, "mode", c->mode);
	json_str(j, "protocol", c->protocol);
	json_bool(j, "encap", c->encap);
	if (c->have_spi) {
		json_u64(j, "spi_in", c->spi_in);
		json_u64(j, "spi_out", c->spi_out);
	} else {
		json_null(j, "spi_in");
		json_null(j, "spi_out");
	}
	json_str(j, "in_tunnel", child_in_tunnel(t, c));
	json_str_or_null(j, "encr_alg", c->encr_alg);
	json_u64(j, "encr_keysize", c->encr_keysize);
	json_str_or_null(j, "integ_alg", c->integ_alg);
	json_u64(j, "integ_keysize", c->integ_keysize);
	json_str_or_null(j, "dh_group", c->dh_group);
	json_bool(j, "esn", c->esn);
	json_u64(j, "bytes_in", c->bytes_in);
	json_u64(j, "packets_in", c->packets_in);
	json_u64(j, "bytes_out", c->bytes_out);
	json_u64(j, "packets_out", c->packets_out);
	json_secs(j, "install_time", c->have_install, c->install_time);
	json_secs(j, "rekey_time", c->have_rekey, c->rekey_time);
	json_secs(j, "life_time", c->have_life, c->life_time);
	json_obj_end(j);
}

static void json_ike_sa(struct json *j, const struct gs_tunnel *t,
			const struct gs_ike_sa *s)
{
	size_t i;

	json_obj_begin(j, NULL);
	json_str(j, "name", s->name);
	json_u64(j, "uniqueid", s->uniqueid);
	json_u64(j, "version", s->version);
	json_str(j, "state", s->state);
	json_bool(j, "initiator", s->initiator);
	json_str(j, "local_host", s->local_host);
	json_u64(j, "local_port", s->local_port);
	json_str(j, "local_id", s->local_id);
	json_str(j, "remote_host", s->remote_host);
	json_u64(j, "remote_port", s->remote_port);
	json_str(j, "remote_id", s->remote_id);
	json_str(j, "initiator_spi", s->initiator_spi);
	json_str(j, "responder_spi", s->responder_spi);
	json_bool(j, "nat_local", s->nat_local);
	json_bool(j, "nat_remote", s->nat_remote);
	json_str_or_null(j, "encr_alg", s->encr_alg);
	json_u64(j, "encr_keysize", s->encr_keysize);
	json_str_or_null(j, "integ_alg", s->integ_alg);
	json_u64(j, "integ_keysize", s->integ_keysize);
	json_str_or_null(j, "prf_alg", s->prf_alg);
	json_str_or_null(j, "dh_group", s->dh_group);
	json_secs(j, "established", s->have_established, s->established);
	json_secs(j, "rekey_time", s->have_rekey, s->rekey_time);
	json_secs(j, "reauth_time", s->have_reauth, s->reauth_time);
	json_arr_begin(j, "child_sas");
	for (i = 0; i < s->n_children; i++)
		json_child(j, t, &s->children[i]);
	json_arr_end(j);
	json_obj_end(j);
}

void json_ike(struct json *j, const struct gs_tunnel *t)
{
	const struct gs_ike_list *ike = t->ike;
	size_t i;

	if (!ike) {
		json_null(j, "ike");
		return;
	}
	json_obj_begin(j, "ike");
	json_str(j, "charon", ike->status == GS_IKE_RUNNING ? "running" :
		 ike->status == GS_IKE_NOT_RUNNING ? "not running" : "error");
	json_str_or_null(j, "error", ike->error);
	json_arr_begin(j, "sas");
	for (i = 0; i < ike->n; i++)
		if (ike_sa_of_tunnel(&ike->v[i], t))
			json_ike_sa(j, t, &ike->v[i]);
	json_arr_end(j);
	json_obj_end(j);
}

void json_ike_origin(struct json *j, const struct gs_tunnel *t,
		     const struct gs_sa *sa)
{
	const struct gs_ike_sa *s = NULL;
	const struct gs_child_sa *c = ike_child_of_sa(t, sa, &s);

	if (!c) {
		json_null(j, "ike");
		return;
	}
	json_obj_begin(j, "ike");
	json_str(j, "ike_sa", s->name);
	json_u64(j, "ike_sa_uniqueid", s->uniqueid);
	json_str(j, "child_sa", c->name);
	json_u64(j, "child_sa_uniqueid", c->uniqueid);
	json_u64(j, "reqid", c->reqid);
	json_obj_end(j);
}

/* ---- dump ---- */

static const char *dash(const char *s)
{
	return *s ? s : "-";
}

static void dump_secs(FILE *f, bool have, uint64_t v)
{
	if (have)
		fprintf(f, "\t%" PRIu64, v);
	else
		fprintf(f, "\t-");
}

void dump_ike(FILE *f, const struct gs_tunnel *t)
{
	const struct gs_ike_list *ike = t->ike;
	char buf[256];
	size_t i, k;

	if (!ike || ike->status != GS_IKE_RUNNING)
		return;
	for (i = 0; i < ike->n; i++) {
		const struct gs_ike_sa *s = &ike->v[i];

		if (!ike_sa_of_tunnel(s, t))
			continue;
		fprintf(f, "ike\t%s\t%s\t%" PRIu32 "\t%" PRIu32 "\t%s\t%s\t%s\t%s\t%s",
			t->ifname, s->name, s->uniqueid, s->version, s->state,
			dash(s->local_host), dash(s->remote_host),
			s->initiator ? "initiator" : "responder",
			ike_proposal(buf, sizeof(buf), s));
		dump_secs(f, s->have_established, s->established);
		dump_secs(f, s->have_rekey, s->rekey_time);
		dump_secs(f, s->have_reauth, s->reauth_time);
		fputc('\n', f);
		for (k = 0; k < s->n_children; k++) {
			const struct gs_child_sa *c = &s->children[k];

			fprintf(f, "child\t%s\t%" PRIu32 "\t%s\t%" PRIu32 "\t%" PRIu32
				"\t%s\t%s\t0x%08" PRIx32 "\t0x%08" PRIx32 "\t%s\t%s",
				t->ifname, s->uniqueid, c->name, c->uniqueid,
				c->reqid, dash(c->state), dash(c->mode),
				c->spi_in, c->spi_out,
				child_proposal(buf, sizeof(buf), c),
				child_in_tunnel(t, c));
			dump_secs(f, c->have_install, c->install_time);
			dump_secs(f, c->have_rekey, c->rekey_time);
			dump_secs(f, c->have_life, c->life_time);
			fputc('\n', f);
		}
	}
}
