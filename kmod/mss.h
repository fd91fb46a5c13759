/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: TCP MSS clamping of SYNs crossing the tunnel.
 */
#ifndef _GRESEC_MSS_H
#define _GRESEC_MSS_H

#include <linux/skbuff.h>
#include <linux/types.h>

/* The configured value that means "the device's MTU minus the headers". */
#define GRESEC_MSS_AUTO		1
#define GRESEC_MSS_MIN		500

/* mss.c APIs: */
bool gresec_mss_clamp(struct sk_buff *skb, u32 adjust, unsigned int mtu);

#endif /* _GRESEC_MSS_H */
