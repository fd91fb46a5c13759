/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Renderers of the model: the human view (IOS-like "show interfaces
 * tunnel" + "show crypto ipsec sa"), JSON (field names documented in
 * gresec.8 and stable), and the tab-separated dump lines.
 */
#ifndef GRESEC_PRINT_H
#define GRESEC_PRINT_H

#include <stdio.h>

#include "json.h"
#include "model.h"

void print_tunnel(FILE *f, const struct gs_tunnel *t);
void print_net(FILE *f, const struct gs_net *n);
void print_event(FILE *f, const struct gs_tunnel *t, const struct gs_sa *sa);

void json_tunnel(struct json *j, const struct gs_tunnel *t);
void json_net(struct json *j, const struct gs_net *n);
/* time: ISO 8601 timestamp or NULL to leave it out. */
void json_event(struct json *j, const struct gs_tunnel *t,
		const struct gs_sa *sa, const char *time);

void dump_tunnel(FILE *f, const struct gs_tunnel *t);

/* print-ike.c: charon's IKE_SAs of a tunnel (t->ike), see ike.h. */
void print_ike(FILE *f, const struct gs_tunnel *t);
void print_ike_origin(FILE *f, const struct gs_tunnel *t,
		      const struct gs_sa *sa);
void json_ike(struct json *j, const struct gs_tunnel *t);
void json_ike_origin(struct json *j, const struct gs_tunnel *t,
		     const struct gs_sa *sa);
void dump_ike(FILE *f, const struct gs_tunnel *t);

/* 32-bit network order address as dotted quad, in one of 4 static buffers. */
const char *ip4_str(uint32_t be);

#endif
