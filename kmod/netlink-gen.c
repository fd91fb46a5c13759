// SPDX-License-Identifier: GPL-2.0
/* Do not edit directly, auto-generated from: */
/*	uapi/gresec.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <linux/gresec.h>

/* GRESEC_CMD_TUNNEL_GET - do */
const struct nla_policy gresec_tunnel_get_nl_policy[GRESEC_A_IFNAME + 1] = {
	[GRESEC_A_IFINDEX] = { .type = NLA_U32, },
	[GRESEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

/* GRESEC_CMD_TUNNEL_SET - do */
const struct nla_policy gresec_tunnel_set_nl_policy[GRESEC_A_PROTECTION + 1] = {
	[GRESEC_A_IFINDEX] = { .type = NLA_U32, },
	[GRESEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[GRESEC_A_LOCAL] = { .type = NLA_U32, },
	[GRESEC_A_REMOTE] = { .type = NLA_U32, },
	[GRESEC_A_IKEY] = { .type = NLA_U32, },
	[GRESEC_A_OKEY] = { .type = NLA_U32, },
	[GRESEC_A_IFLAGS] = NLA_POLICY_MASK(NLA_U32, 0x7),
	[GRESEC_A_OFLAGS] = NLA_POLICY_MASK(NLA_U32, 0x7),
	[GRESEC_A_TTL] = { .type = NLA_U8, },
	[GRESEC_A_TOS] = { .type = NLA_U8, },
	[GRESEC_A_TOS_INHERIT] = NLA_POLICY_MAX(NLA_U8, 1),
	[GRESEC_A_PMTUDISC] = NLA_POLICY_MAX(NLA_U8, 1),
	[GRESEC_A_MTU] = { .type = NLA_U32, },
	[GRESEC_A_PROTECTION] = NLA_POLICY_MAX(NLA_U32, 1),
};

/* GRESEC_CMD_NET_GET - do */
const struct nla_policy gresec_net_get_nl_policy[GRESEC_NET_A_PAD + 1] = {
};

/* Ops table for gresec */
const struct genl_ops gresec_nl_ops[3] = {
	{
		.cmd		= GRESEC_CMD_TUNNEL_GET,
		.doit		= gresec_nl_tunnel_get_doit,
		.dumpit		= gresec_nl_tunnel_get_dumpit,
		.policy		= gresec_tunnel_get_nl_policy,
		.maxattr	= GRESEC_A_IFNAME,
	},
	{
		.cmd		= GRESEC_CMD_TUNNEL_SET,
		.doit		= gresec_nl_tunnel_set_doit,
		.policy		= gresec_tunnel_set_nl_policy,
		.maxattr	= GRESEC_A_PROTECTION,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= GRESEC_CMD_NET_GET,
		.doit		= gresec_nl_net_get_doit,
		.policy		= gresec_net_get_nl_policy,
		.maxattr	= GRESEC_NET_A_PAD,
	},
};

static const struct genl_multicast_group gresec_nl_mcgrps[] __maybe_unused = {
	[GRESEC_NLGRP_EVENTS] = { "events", },
};
