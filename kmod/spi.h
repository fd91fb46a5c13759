/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: inbound SPIs reserved for a key manager (its get_spi) between
 * the negotiation that picks them and the SA that uses them.
 */
#ifndef _GRESEC_SPI_H
#define _GRESEC_SPI_H

#include <linux/types.h>

struct gresec_netns;
struct netlink_ext_ack;

/* A larval SPI lives as long as charon waits for a negotiation to end. */
#define GRESEC_SPI_RESERVE_SECS	165
/* RFC 4303 reserves SPIs 1 to 255; the spec checks SA_NEW's the same way. */
#define GRESEC_SPI_ALLOC_MIN	256
/* Per namespace: a peer starting negotiations it never ends hits this. */
#define GRESEC_SPI_RESERVE_MAX	1024

/* spi.c APIs, all under RTNL: */
int gresec_spi_alloc(struct gresec_netns *gn, u32 min, u32 max, u32 *spi,
		     struct netlink_ext_ack *extack);
bool gresec_spi_release(struct gresec_netns *gn, u32 spi);
void gresec_spi_flush(struct gresec_netns *gn);

#endif /* _GRESEC_SPI_H */
