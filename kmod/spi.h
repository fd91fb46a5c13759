/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: inbound SPIs reserved for a key manager (its get_spi) between
 * the negotiation that picks them and the SA that uses them.
 */
#ifndef _GRESEC_SPI_H
#define _GRESEC_SPI_H

#include <linux/types.h>

struct gresec_net;
struct netlink_ext_ack;

/* A larval SPI lives as long as charon waits for a negotiation to end. */
#define GRESEC_SPI_RESERVE_SECS	165
/* Per namespace: a peer starting negotiations it never ends hits this. */
#define GRESEC_SPI_RESERVE_MAX	1024

/* spi.c APIs, all under RTNL: */
int gresec_spi_alloc(struct gresec_net *gn, u32 min, u32 max, u32 *spi,
		     struct netlink_ext_ack *extack);
bool gresec_spi_release(struct gresec_net *gn, u32 spi);
void gresec_spi_flush(struct gresec_net *gn);

#endif /* _GRESEC_SPI_H */
