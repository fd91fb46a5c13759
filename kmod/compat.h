/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: the few kernel API differences between the 6.1 and 6.12 series
 * that we build against, kept in one place so the rest of the code reads
 * like mainline.
 */
#ifndef _GRESEC_COMPAT_H
#define _GRESEC_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* The core got a drop reason for RFC 6040 ECN drops in 6.8. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define GRESEC_DROP_REASON_TUNNEL_ECN SKB_DROP_REASON_IP_TUNNEL_ECN
#else
#define GRESEC_DROP_REASON_TUNNEL_ECN SKB_DROP_REASON_NOT_SPECIFIED
#endif

/* netdev_max_backlog moved into net_hotdata in 6.9. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
#include <net/hotdata.h>
static inline int gresec_compat_max_backlog(void)
{
	return READ_ONCE(net_hotdata.max_backlog);
}
#else
static inline int gresec_compat_max_backlog(void)
{
	return READ_ONCE(netdev_max_backlog);
}
#endif

/* The core allocates and folds tstats for us since 6.6. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define GRESEC_CORE_TSTATS 1
#endif

static inline void gresec_compat_dev_setup(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
	/*
	 * A tunnel is bound to the namespace its underlay lives in; moving
	 * only the device would leave the receive hash in the old one.
	 */
#if defined(GRESEC_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

#include <linux/netlink.h>
#ifdef NL_SET_ERR_MSG_FMT_MOD
#define GRESEC_HAVE_EXTACK_FMT 1
#else
/* 6.1 has no formatted extack messages: keep the format text as is. */
#define NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ...) NL_SET_ERR_MSG_MOD(extack, fmt)
#endif

/* The doit hooks get the split op since 6.2 and the full op before it. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define gresec_genl_hook_ops genl_split_ops
#else
#define gresec_genl_hook_ops genl_ops
#endif

/* Before 6.3 a crypto completion got its request, not the request's data. */
#include <linux/crypto.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define gresec_crypto_data_t void

static inline void *gresec_crypto_data(void *data)
{
	return data;
}
#else
#define gresec_crypto_data_t crypto_completion_data_t

static inline void *gresec_crypto_data(gresec_crypto_data_t *req)
{
	return crypto_get_completion_data(req);
}
#endif

/* GSO declarations moved to their own header in 6.5. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

/* Fragment reference helpers moved to their own header in 6.11. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#include <linux/skbuff_ref.h>
#endif

#endif /* _GRESEC_COMPAT_H */
