/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only file that talks to the kernel: a generic netlink client of the
 * "gresec" family built on libmnl.  It resolves the family through
 * nlctrl, packs requests from the model (with size checks), sends them
 * with NLM_F_ACK, parses replies back into the model, coalesces objects
 * split over several dump messages, restarts dumps interrupted by
 * concurrent changes (NLM_F_DUMP_INTR) and keeps the kernel's extended
 * ACK (error message, offending or missing attribute) for ipc_report().
 *
 * Every function returns 0 or a negative errno.
 */
#ifndef GRESEC_IPC_H
#define GRESEC_IPC_H

#include <stdint.h>

#include "model.h"

struct ipc;

/* -ENOENT: no "gresec" family (module not loaded). */
int ipc_open(struct ipc **out);
void ipc_close(struct ipc *ipc);
uint32_t ipc_family_version(const struct ipc *ipc);

/* TUNNEL_GET do by name, into a zeroed t. */
int ipc_tunnel_get(struct ipc *ipc, const char *ifname, struct gs_tunnel *t);
/* TUNNEL_GET dump, appended to l. */
int ipc_tunnel_dump(struct ipc *ipc, struct gs_tunnel_list *l);
/* TUNNEL_SET of t->ifindex with the attributes marked in t->have[]. */
int ipc_tunnel_set(struct ipc *ipc, const struct gs_tunnel *t);
/* SA_GET dump of t->ifindex; replaces t->sas. */
int ipc_sa_dump(struct ipc *ipc, struct gs_tunnel *t);
/*
 * The same with WITH_KEYS: each SA's KEY and AUTH_KEY too (needs
 * CAP_NET_ADMIN in the tunnel's namespace); wipe them with gs_sa_wipe().
 */
int ipc_sa_dump_keys(struct ipc *ipc, struct gs_tunnel *t);
/* SA_NEW on ifname with the attributes marked in sa->have[]. */
int ipc_sa_new(struct ipc *ipc, const char *ifname, const struct gs_sa *sa);
/* SA_DEL on ifname of (dir, spi). */
int ipc_sa_del(struct ipc *ipc, const char *ifname, uint32_t dir, uint32_t spi);
/* SPI_ALLOC: reserve a random free inbound SPI (min/max 0: defaults). */
int ipc_spi_alloc(struct ipc *ipc, const char *ifname, uint32_t min,
		  uint32_t max, uint32_t *spi);
/* NET_GET into a zeroed n. */
int ipc_net_get(struct ipc *ipc, struct gs_net *n);

/*
 * Subscribe to the "events" group and call fn for every notification
 * until fn returns non-zero or an error occurs.  t holds IFINDEX, IFNAME
 * and the SA nest(s) of the message; t is NULL with lost = true when the
 * socket overran and events were lost.
 */
typedef int (*ipc_event_fn)(uint8_t cmd, const struct gs_tunnel *t,
			    bool lost, void *data);
int ipc_monitor(struct ipc *ipc, ipc_event_fn fn, void *data);

/*
 * Print "gresec: <what>: <reason>" for err (kernel extack message and
 * offending attribute included) and return the exit code: 3 for a device
 * that does not exist or is not a gresec device, 1 otherwise.
 */
int ipc_report(const struct ipc *ipc, const char *what, int err);

#endif
