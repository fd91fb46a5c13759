/* SPDX-License-Identifier: GPL-2.0 */
/*
 * charon's IKE_SAs and CHILD_SAs as "gresec show" presents them ("show
 * crypto isakmp sa"): read over vici (list-sas), kept when they belong to
 * a tunnel being shown, and matched to the tunnel's SAs.
 *
 * An IKE_SA belongs to a tunnel when its remote address is the tunnel's
 * remote, its local address the tunnel's local (or the tunnel's local is
 * unset) and any if-id it carries is the tunnel's, as kernel-gresec
 * chooses the tunnel for a CHILD_SA, or when one of its CHILD_SAs has an
 * SPI of the tunnel's SAs.
 */
#ifndef GRESEC_IKE_H
#define GRESEC_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "vici.h"

/* Strings charon sends, truncated to fit and with control bytes as '?'. */
#define GS_IKE_STR 64
#define GS_IKE_ID 128

struct gs_child_sa {
	char name[GS_IKE_STR];
	uint32_t uniqueid, reqid;
	char state[GS_IKE_STR];		/* INSTALLED, REKEYED, ... */
	char mode[GS_IKE_STR];		/* TRANSPORT, TUNNEL, ... */
	char protocol[GS_IKE_STR];	/* ESP, AH */
	bool encap, esn;
	bool have_spi;
	uint32_t spi_in, spi_out;
	uint32_t if_id_in, if_id_out;
	char encr_alg[GS_IKE_STR], integ_alg[GS_IKE_STR], dh_group[GS_IKE_STR];
	uint32_t encr_keysize, integ_keysize;
	uint64_t bytes_in, packets_in, bytes_out, packets_out;
	/* seconds; have_*: charon sent it (a past rekey time reads as 0) */
	bool have_rekey, have_life, have_install;
	uint64_t rekey_time, life_time, install_time;
};

struct gs_ike_sa {
	char name[GS_IKE_STR];		/* the connection's name */
	uint32_t uniqueid;
	uint32_t version;		/* 1 or 2 */
	char state[GS_IKE_STR];		/* ESTABLISHED, CONNECTING, ... */
	bool initiator;
	char local_host[GS_IKE_STR], remote_host[GS_IKE_STR];
	uint32_t local, remote;		/* IPv4, network order; 0: other */
	uint32_t local_port, remote_port;
	char local_id[GS_IKE_ID], remote_id[GS_IKE_ID];
	char initiator_spi[GS_IKE_STR], responder_spi[GS_IKE_STR];
	uint32_t if_id_in, if_id_out;
	bool nat_local, nat_remote;
	char encr_alg[GS_IKE_STR], integ_alg[GS_IKE_STR];
	char prf_alg[GS_IKE_STR], dh_group[GS_IKE_STR];
	uint32_t encr_keysize, integ_keysize;
	bool have_established, have_rekey, have_reauth;
	uint64_t established, rekey_time, reauth_time;
	struct gs_child_sa *children;
	size_t n_children;
};

enum gs_ike_status {
	GS_IKE_RUNNING,		/* charon answered */
	GS_IKE_NOT_RUNNING,	/* no vici socket, or nobody listening */
	GS_IKE_ERROR,		/* error says why */
};

struct gs_ike_list {
	enum gs_ike_status status;
	char error[160];
	struct gs_ike_sa *v;
	size_t n, cap;
};

/*
 * Reads charon's IKE_SAs from its vici socket (path; NULL: the default)
 * and keeps those that belong to a tunnel of l; points every tunnel's
 * ike at ike.  Never fails: the outcome is ike->status.
 */
void ike_collect(struct gs_ike_list *ike, struct gs_tunnel_list *l,
		 const char *path);
void ike_list_free(struct gs_ike_list *ike);

/*
 * One IKE_SA of a list-sa event: sec is the section named for its
 * connection.  Returns false (why set) if it is not an IKE_SA.
 */
bool ike_sa_from_vici(const struct vici_node *sec, struct gs_ike_sa *out,
		      const char **why);
void ike_sa_free(struct gs_ike_sa *sa);

bool ike_sa_of_tunnel(const struct gs_ike_sa *ike, const struct gs_tunnel *t);
/* The CHILD_SA (and its IKE_SA) that has sa's SPI, or NULL. */
const struct gs_child_sa *ike_child_of_sa(const struct gs_tunnel *t,
					  const struct gs_sa *sa,
					  const struct gs_ike_sa **ike);
/* Whether the tunnel holds the SA with this SPI and direction. */
bool ike_tunnel_has_spi(const struct gs_tunnel *t, uint32_t dir, uint32_t spi);
/*
 * Whether "gresec show" says anything about IKE for t: always when charon
 * runs; otherwise only for a tunnel that looks keyed by a key manager (an
 * SA with a reqid, an if-id, or protection required and no SA), not for
 * one keyed by hand or not protected.
 */
bool ike_relevant(const struct gs_tunnel *t);

#endif
