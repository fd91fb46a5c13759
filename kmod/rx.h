/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: a packet's way in (GRE and ESP receive entries, delivery).
 */
#ifndef _GRESEC_RX_H
#define _GRESEC_RX_H

struct gresec_sa;

/* rx.c APIs: */
int gresec_rx_init(void);
void gresec_rx_uninit(void);
void gresec_rx_sa_init(struct gresec_sa *sa);

#endif /* _GRESEC_RX_H */
