/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: a packet's way out (ndo_start_xmit to the underlay).
 */
#ifndef _GRESEC_TX_H
#define _GRESEC_TX_H

#include <linux/netdevice.h>

struct gresec_tunnel;

/* tx.c APIs: */
netdev_tx_t gresec_tx_xmit(struct sk_buff *skb, struct net_device *dev);
void gresec_tx_deferred(struct sk_buff *skb, void *arg);
struct gresec_tunnel;
void gresec_tx_release_held(struct gresec_tunnel *tun);
void gresec_tx_gre(struct gresec_tunnel *tun, struct sk_buff *skb);

#endif /* _GRESEC_TX_H */
