/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: the "gresec" generic netlink family (spec: uapi/gresec.yaml).
 */
#ifndef _GRESEC_NETLINK_H
#define _GRESEC_NETLINK_H

/* netlink.c APIs: */
int gresec_netlink_init(void);
void gresec_netlink_uninit(void);

#endif /* _GRESEC_NETLINK_H */
