// SPDX-License-Identifier: GPL-2.0
/* Do not edit directly, auto-generated from: */
/*	uapi/gresec.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <linux/gresec.h>

/* Common nested types */
const struct nla_policy gresec_sa_nl_policy[GRESEC_SA_A_WITH_KEYS + 1] = {
	[GRESEC_SA_A_SPI] = NLA_POLICY_MIN(NLA_U32, 256),
	[GRESEC_SA_A_DIR] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[GRESEC_SA_A_PROPOSAL] = NLA_POLICY_RANGE(NLA_U32, 1, 8),
	[GRESEC_SA_A_KEY] = { .type = NLA_BINARY, },
	[GRESEC_SA_A_AUTH_KEY] = { .type = NLA_BINARY, },
	[GRESEC_SA_A_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32, 4096),
	[GRESEC_SA_A_ESN] = { .type = NLA_FLAG, },
	[GRESEC_SA_A_SOFT_BYTES] = { .type = NLA_U64, },
	[GRESEC_SA_A_HARD_BYTES] = { .type = NLA_U64, },
	[GRESEC_SA_A_SOFT_PACKETS] = { .type = NLA_U64, },
	[GRESEC_SA_A_HARD_PACKETS] = { .type = NLA_U64, },
	[GRESEC_SA_A_SOFT_TIME] = { .type = NLA_U64, },
	[GRESEC_SA_A_HARD_TIME] = { .type = NLA_U64, },
	[GRESEC_SA_A_STATE] = NLA_POLICY_RANGE(NLA_U32, 1, 4),
	[GRESEC_SA_A_AGE] = { .type = NLA_U64, },
	[GRESEC_SA_A_SEQ] = { .type = NLA_U64, },
	[GRESEC_SA_A_REPLAY_BITMAP] = { .type = NLA_BINARY, },
	[GRESEC_SA_A_STATS] = NLA_POLICY_NESTED(gresec_sa_stats_nl_policy),
	[GRESEC_SA_A_EVENT] = NLA_POLICY_RANGE(NLA_U32, 1, 6),
	[GRESEC_SA_A_REQID] = { .type = NLA_U32, },
	[GRESEC_SA_A_IDLE] = { .type = NLA_U64, },
	[GRESEC_SA_A_SPI_MIN] = { .type = NLA_U32, },
	[GRESEC_SA_A_SPI_MAX] = { .type = NLA_U32, },
	[GRESEC_SA_A_ENCAP] = NLA_POLICY_MAX(NLA_U32, 1),
	[GRESEC_SA_A_ENCAP_SPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[GRESEC_SA_A_ENCAP_DPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[GRESEC_SA_A_ENCAP_PEER_ADDR] = { .type = NLA_U32, },
	[GRESEC_SA_A_ENCAP_PEER_PORT] = { .type = NLA_U16, },
	[GRESEC_SA_A_MODE] = NLA_POLICY_MAX(NLA_U32, 1),
	[GRESEC_SA_A_WITH_KEYS] = { .type = NLA_FLAG, },
};

const struct nla_policy gresec_sa_stats_nl_policy[GRESEC_SA_STATS_A_DROP_TUNNEL_INNER + 1] = {
	[GRESEC_SA_STATS_A_PACKETS] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_BYTES] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_ICV] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_REPLAY_DUP] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_REPLAY_OLD] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_BAD_LENGTH] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_NEXT_HEADER] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_SEQ_EXHAUSTED] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_EXPIRED] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_CRYPTO] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_ENCAP] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_MAPPINGS] = { .type = NLA_U64, },
	[GRESEC_SA_STATS_A_DROP_TUNNEL_INNER] = { .type = NLA_U64, },
};

/* GRESEC_CMD_TUNNEL_GET - do */
const struct nla_policy gresec_tunnel_get_nl_policy[GRESEC_A_IFNAME + 1] = {
	[GRESEC_A_IFINDEX] = { .type = NLA_U32, },
	[GRESEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

/* GRESEC_CMD_TUNNEL_SET - do */
const struct nla_policy gresec_tunnel_set_nl_policy[GRESEC_A_ADJUST_MSS + 1] = {
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
	[GRESEC_A_IF_ID] = { .type = NLA_U32, },
	[GRESEC_A_KEEPALIVE_PERIOD] = NLA_POLICY_MAX(NLA_U32, 32767),
	[GRESEC_A_KEEPALIVE_RETRIES] = NLA_POLICY_RANGE(NLA_U32, 1, 255),
	[GRESEC_A_ADJUST_MSS] = { .type = NLA_U32, },
};

/* GRESEC_CMD_NET_GET - do */
const struct nla_policy gresec_net_get_nl_policy[GRESEC_NET_A_PAD + 1] = {
};

/* GRESEC_CMD_SA_NEW - do */
const struct nla_policy gresec_sa_new_nl_policy[GRESEC_A_SA + 1] = {
	[GRESEC_A_IFINDEX] = { .type = NLA_U32, },
	[GRESEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[GRESEC_A_SA] = NLA_POLICY_NESTED(gresec_sa_nl_policy),
};

/* GRESEC_CMD_SA_DEL - do */
const struct nla_policy gresec_sa_del_nl_policy[GRESEC_A_SA + 1] = {
	[GRESEC_A_IFINDEX] = { .type = NLA_U32, },
	[GRESEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[GRESEC_A_SA] = NLA_POLICY_NESTED(gresec_sa_nl_policy),
};

/* GRESEC_CMD_SA_GET - do */
const struct nla_policy gresec_sa_get_nl_policy[GRESEC_A_SA + 1] = {
	[GRESEC_A_IFINDEX] = { .type = NLA_U32, },
	[GRESEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[GRESEC_A_SA] = NLA_POLICY_NESTED(gresec_sa_nl_policy),
};

/* GRESEC_CMD_SPI_ALLOC - do */
const struct nla_policy gresec_spi_alloc_nl_policy[GRESEC_A_SA + 1] = {
	[GRESEC_A_IFINDEX] = { .type = NLA_U32, },
	[GRESEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[GRESEC_A_SA] = NLA_POLICY_NESTED(gresec_sa_nl_policy),
};

/* Ops table for gresec */
const struct genl_ops gresec_nl_ops[7] = {
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
		.maxattr	= GRESEC_A_ADJUST_MSS,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= GRESEC_CMD_NET_GET,
		.doit		= gresec_nl_net_get_doit,
		.policy		= gresec_net_get_nl_policy,
		.maxattr	= GRESEC_NET_A_PAD,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= GRESEC_CMD_SA_NEW,
		.doit		= gresec_nl_sa_new_doit,
		.policy		= gresec_sa_new_nl_policy,
		.maxattr	= GRESEC_A_SA,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= GRESEC_CMD_SA_DEL,
		.doit		= gresec_nl_sa_del_doit,
		.policy		= gresec_sa_del_nl_policy,
		.maxattr	= GRESEC_A_SA,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= GRESEC_CMD_SA_GET,
		.doit		= gresec_nl_sa_get_doit,
		.dumpit		= gresec_nl_sa_get_dumpit,
		.policy		= gresec_sa_get_nl_policy,
		.maxattr	= GRESEC_A_SA,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= GRESEC_CMD_SPI_ALLOC,
		.doit		= gresec_nl_spi_alloc_doit,
		.policy		= gresec_spi_alloc_nl_policy,
		.maxattr	= GRESEC_A_SA,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group gresec_nl_mcgrps[] __maybe_unused = {
	[GRESEC_NLGRP_EVENTS] = { "events", },
};
