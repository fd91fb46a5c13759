/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit directly, auto-generated from: */
/*	uapi/gresec.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_GRESEC_GEN_H
#define _LINUX_GRESEC_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <linux/gresec.h>

/* Common nested types */
extern const struct nla_policy gresec_sa_nl_policy[GRESEC_SA_A_WITH_KEYS + 1];
extern const struct nla_policy gresec_sa_stats_nl_policy[GRESEC_SA_STATS_A_DROP_TUNNEL_INNER + 1];

extern const struct nla_policy gresec_tunnel_get_nl_policy[GRESEC_A_IFNAME + 1];

extern const struct nla_policy gresec_tunnel_set_nl_policy[GRESEC_A_ADJUST_MSS + 1];

extern const struct nla_policy gresec_net_get_nl_policy[GRESEC_NET_A_PAD + 1];

extern const struct nla_policy gresec_sa_new_nl_policy[GRESEC_A_SA + 1];

extern const struct nla_policy gresec_sa_del_nl_policy[GRESEC_A_SA + 1];

extern const struct nla_policy gresec_sa_get_nl_policy[GRESEC_A_SA + 1];

extern const struct nla_policy gresec_spi_alloc_nl_policy[GRESEC_A_SA + 1];

/* Ops table for gresec */
extern const struct genl_ops gresec_nl_ops[7];

int gresec_nl_tunnel_get_doit(struct sk_buff *skb, struct genl_info *info);
int gresec_nl_tunnel_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int gresec_nl_tunnel_set_doit(struct sk_buff *skb, struct genl_info *info);
int gresec_nl_net_get_doit(struct sk_buff *skb, struct genl_info *info);
int gresec_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info);
int gresec_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info);
int gresec_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info);
int gresec_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int gresec_nl_spi_alloc_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	GRESEC_NLGRP_EVENTS,
};

#endif /* _LINUX_GRESEC_GEN_H */
