/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Configuration files, gresec.conf(5): an INI-like text with one [Tunnel]
 * section and, for manual keying, [SA] sections.  This file parses one
 * into the model, writes the model back out in that format, and computes
 * what setconf/syncconf must change to go from a device's running state
 * to a file's.  Pure code (no netlink), so test-conf.c can test it all.
 *
 * The kernel returns SA keys only when asked (SA_GET with WITH_KEYS,
 * "showconf DEV keys").  An [SA] section without Key is so the running
 * SA (dir, spi) with these parameters, to be kept as it is; it cannot be
 * created.  This is what showconf writes by default, and what makes
 * "showconf | setconf" reproduce a running state; "showconf DEV keys |
 * setconf" re-creates the SAs, on another device too.
 */
#ifndef GRESEC_CONF_H
#define GRESEC_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* What the file says, in the model; every tunnel option is set. */
struct gs_conf {
	struct gs_tunnel t;		/* options (have[] all set), SAs */
	unsigned int *sa_line;		/* line of each SA's [SA] header */
	bool *sa_keyed;			/* the SA's Key is in the file */
	bool has_keys;			/* some SA has a Key */
	char **addresses;		/* Address=: the unit helper's */
	size_t n_addresses;
	char **routes;			/* Route=: the unit helper's */
	size_t n_routes;
};

/*
 * Parse the whole of f (name is used in messages) into a zeroed c.  On
 * error returns -1 with "NAME:LINE: why" in err (key material is never
 * quoted) and c freed; 0 on success.
 */
int gs_conf_parse(FILE *f, const char *name, struct gs_conf *c,
		  char *err, size_t errlen);
/* Frees c and wipes its keys. */
void gs_conf_free(struct gs_conf *c);

/*
 * Write t and its SAs in the file format.  Without keys (the default:
 * the kernel returns keys only when asked) every [SA] section says in a
 * comment that it is keyless.  With keys (t read with ipc_sa_dump_keys())
 * each SA's Key and AuthKey are written, so that setconf installs it
 * afresh; an SA with ESP in UDP, which the format cannot express, stays
 * keyless.
 */
void gs_conf_write(FILE *f, const struct gs_tunnel *t, bool keys);

/* Tunnel options (as setconf sets them) equal? */
bool gs_conf_tunnel_equal(const struct gs_tunnel *a, const struct gs_tunnel *b);
/* Same SA parameters (dir, spi, proposal, replay, esn, lifetimes, reqid)? */
bool gs_conf_sa_equal(const struct gs_sa *a, const struct gs_sa *b);

enum gs_conf_op {
	GS_CONF_ADD,			/* SA_NEW of want */
	GS_CONF_REPLACE,		/* SA_DEL of cur, then SA_NEW of want */
	GS_CONF_DEL,			/* SA_DEL of cur */
};

struct gs_conf_step {
	enum gs_conf_op op;
	size_t want;			/* index in conf t.sas (ADD, REPLACE) */
	size_t cur;			/* index in cur->sas (REPLACE, DEL) */
};

/*
 * The changes from cur (the running state) to c, ordered so that every
 * step that can be undone comes first: adds (undone by deleting), then
 * replacements and deletions (keys are not read back, so a deleted
 * SA cannot be put back).  With sync (syncconf) a keyed SA already
 * running with the same parameters is kept (keys cannot be compared);
 * without it (setconf) every keyed SA of the file is installed afresh.
 * A keyless SA of the file must be running with the same parameters.
 */
struct gs_conf_plan {
	bool tunnel;			/* the tunnel options differ */
	struct gs_conf_step *steps;
	size_t n_steps;
	size_t kept;			/* SAs left as they are */
};

/* Returns -1 with "NAME:LINE: why" in err when c cannot be reached. */
int gs_conf_plan(const struct gs_conf *c, const char *name,
		 const struct gs_tunnel *cur, bool sync,
		 struct gs_conf_plan *p, char *err, size_t errlen);
void gs_conf_plan_free(struct gs_conf_plan *p);

#endif
