/*
 * Copyright (C) 2026 The gresec authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * This program is distributed in the hope that it will be useful, but
 * WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 * or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * for more details.
 */

/**
 * @defgroup gresec_genl gresec_genl
 * @{ @ingroup kernel_gresec
 *
 * A small client of the "gresec" generic netlink family on libmnl.
 *
 * Plain C, independent of libstrongswan: one gresec_genl_t is one netlink
 * socket and is not thread-safe (the caller serialises requests).  Every
 * function returns 0 or a negative errno; after a failure
 * gresec_genl_errmsg() returns the kernel's extended ACK message (or a
 * message of our own), "" if there was none.
 */

#ifndef GRESEC_GENL_H_
#define GRESEC_GENL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

typedef struct gresec_genl_t gresec_genl_t;

/**
 * One tunnel, as TUNNEL_GET returns it (only what the plugin needs).
 */
typedef struct {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	/** underlay addresses, network order; 0: any (local) / none (remote) */
	uint32_t local;
	uint32_t remote;
	/** the tunnel's if-id (charon's if_id), 0: none */
	uint32_t if_id;
} gresec_genl_tunnel_t;

/**
 * One SA, as SA_GET and SA_NTF return it.
 */
typedef struct {
	uint32_t ifindex;
	/** host order */
	uint32_t spi;
	/** GRESEC_SA_DIR_IN/OUT */
	uint32_t dir;
	/** GRESEC_SA_STATE_*, 0 if absent */
	uint32_t state;
	/** GRESEC_SA_EVENT_*, SA_NTF only, 0 otherwise */
	uint32_t event;
	/** the key manager's reqid, 0: none (an SA added by hand) */
	uint32_t reqid;
	uint64_t packets;
	uint64_t bytes;
	/** seconds since the SA was installed */
	uint64_t age;
	/** whether it carried a packet, and how many seconds ago it last did */
	bool used;
	uint64_t idle;
	/** UDP encapsulation: the peer's outer address (network order, 0:
	 * the tunnel's remote) and port (host order), as NAT rebinding left them */
	uint32_t encap_peer_addr;
	uint16_t encap_peer_port;
} gresec_genl_sa_t;

/**
 * What SA_NEW takes.  SPI host order; 0 in a lifetime means none.
 */
typedef struct {
	uint32_t spi;
	uint32_t dir;
	uint32_t proposal;
	uint32_t replay_window;
	bool esn;
	const uint8_t *key;
	size_t key_len;
	/** NULL for AEAD proposals */
	const uint8_t *auth_key;
	size_t auth_key_len;
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_time, hard_time;
	/** charon's reqid, 0: none */
	uint32_t reqid;
	/** ESP in UDP (NAT-T): the SA's packets' ports (host order, 0: plain
	 * ESP) and, outbound, the peer's outer address (network order, 0: the
	 * tunnel's remote) */
	uint16_t encap_sport, encap_dport;
	uint32_t encap_peer_addr;
	/** enum gresec_sa_mode: GRESEC_SA_MODE_TRANSPORT (0) or _TUNNEL */
	uint32_t mode;
} gresec_genl_sa_new_t;

/**
 * Open a request socket.  Resolving the family is left to the first
 * request (the module may be loaded later than the daemon starts).
 */
int gresec_genl_open(gresec_genl_t **out);

/**
 * Open an event socket: it listens on nlctrl's "notify" group so that it
 * learns when the gresec family appears, and joins gresec's "events" group
 * whenever the family is (re)registered.  Read it with
 * gresec_genl_events_read() when gresec_genl_fd() is readable.
 */
int gresec_genl_open_events(gresec_genl_t **out);

void gresec_genl_close(gresec_genl_t *nl);

int gresec_genl_fd(gresec_genl_t *nl);

const char *gresec_genl_errmsg(gresec_genl_t *nl);

/**
 * Resolve (again) the family id and the events group; -ENOENT if the
 * gresec module is not loaded.
 */
int gresec_genl_resolve(gresec_genl_t *nl);

/**
 * Dump all gresec tunnels of the socket's netns into a malloc()ed array.
 */
int gresec_genl_tunnels(gresec_genl_t *nl, gresec_genl_tunnel_t **tunnels,
						size_t *count);

/**
 * Dump the SAs of one tunnel (dir 0: both directions), calling cb for each;
 * cb returns nonzero to stop early.  The dump is restarted if the kernel
 * reports it was interrupted by changes, so cb may see an SA twice.
 */
int gresec_genl_sas(gresec_genl_t *nl, uint32_t ifindex, uint32_t dir,
					int (*cb)(const gresec_genl_sa_t *sa, void *data),
					void *data);

/**
 * Get one SA.
 */
int gresec_genl_sa_get(gresec_genl_t *nl, uint32_t ifindex, uint32_t dir,
					   uint32_t spi, gresec_genl_sa_t *sa);

/**
 * Install an SA (SA_NEW).  The request buffer is wiped afterwards.
 */
int gresec_genl_sa_new(gresec_genl_t *nl, uint32_t ifindex,
					   const gresec_genl_sa_new_t *sa);

/**
 * Remove an SA (SA_DEL).
 */
int gresec_genl_sa_del(gresec_genl_t *nl, uint32_t ifindex, uint32_t dir,
					   uint32_t spi);

/**
 * Reserve a random unused inbound SPI in [min, max] (SPI_ALLOC); the
 * kernel keeps it until an inbound SA with it is added, SA_DEL names it,
 * or it times out.
 *
 * @param spi		the SPI, host order
 * @return			0 or a negative errno (extack in errmsg)
 */
int gresec_genl_spi_alloc(gresec_genl_t *nl, uint32_t ifindex, uint32_t min,
						  uint32_t max, uint32_t *spi);

/**
 * Read what is queued on an event socket without blocking, calling cb for
 * every SA_NTF and acq for every ACQUIRE_NTF (the tunnel's ifindex, name,
 * local, remote and if-id).  Returns 0 when the socket is drained,
 * -ENOBUFS if events were lost (the socket stays usable), another negative
 * errno on errors.
 */
int gresec_genl_events_read(gresec_genl_t *nl,
							void (*cb)(const gresec_genl_sa_t *sa, void *data),
							void (*acq)(const gresec_genl_tunnel_t *t,
										void *data),
							void *data);

#endif /** GRESEC_GENL_H_ @}*/
