// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: the "gresec" generic netlink family.
 *
 * The ABI is uapi/gresec.yaml; the policies and the ops table come from it
 * (netlink-gen.c).  This file holds the handlers: TUNNEL_GET (do, dump),
 * TUNNEL_SET and NET_GET.  The SA commands are part of the ABI but are not
 * registered until the ESP code provides them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/netlink.h>

#include "compat.h"
#include "device.h"
#include "net.h"
#include "netlink.h"
#include "netlink-gen.h"

/* The doit hooks get the split op since 6.2 and the full op before it. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define gresec_genl_hook_ops genl_split_ops
#else
#define gresec_genl_hook_ops genl_ops
#endif

/* What pre_doit resolved, for the doit and for post_doit to release. */
enum {
	GRESEC_NL_PTR_DEV,
	GRESEC_NL_PTR_TRACKER,
};

static struct genl_family gresec_nl_family;

static netdevice_tracker *gresec_nl_tracker(struct genl_info *info)
{
	/* A tracker is a pointer or empty, so a user_ptr slot can hold it. */
	BUILD_BUG_ON(sizeof(netdevice_tracker) > sizeof(info->user_ptr[0]));
	return (netdevice_tracker *)&info->user_ptr[GRESEC_NL_PTR_TRACKER];
}

/*
 * Find the device named by IFINDEX and/or IFNAME in the caller's netns and
 * check it is a gresec tunnel.  Caller holds RCU.
 */
static struct net_device *gresec_nl_dev_find(struct net *net,
					     struct nlattr **attrs,
					     struct netlink_ext_ack *extack)
{
	struct nlattr *bad = attrs[GRESEC_A_IFINDEX];
	struct net_device *dev = NULL, *named;

	if (!attrs[GRESEC_A_IFINDEX] && !attrs[GRESEC_A_IFNAME]) {
		NL_SET_ERR_MSG_MOD(extack, "ifindex or ifname is required");
		NL_SET_ERR_ATTR_MISS(extack, NULL, GRESEC_A_IFINDEX);
		return ERR_PTR(-EINVAL);
	}
	if (attrs[GRESEC_A_IFINDEX]) {
		dev = dev_get_by_index_rcu(net,
					   nla_get_u32(attrs[GRESEC_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[GRESEC_A_IFINDEX],
					    "no device with this ifindex");
			return ERR_PTR(-ENODEV);
		}
	}
	if (attrs[GRESEC_A_IFNAME]) {
		/* The NUL_STRING policy guarantees the terminator. */
		named = dev_get_by_name_rcu(net,
					    nla_data(attrs[GRESEC_A_IFNAME]));
		if (!named) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[GRESEC_A_IFNAME],
					    "no device with this ifname");
			return ERR_PTR(-ENODEV);
		}
		if (dev && dev != named) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[GRESEC_A_IFNAME],
					    "ifindex and ifname name different devices");
			return ERR_PTR(-EINVAL);
		}
		bad = attrs[GRESEC_A_IFNAME];
		dev = named;
	}
	if (!gresec_device_is_ours(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, bad, "not a gresec device");
		return ERR_PTR(-EINVAL);
	}
	return dev;
}

/*
 * Every command but NET_GET addresses one tunnel: resolve and hold it here
 * so the handlers start from a live device.
 */
static int gresec_nl_pre_doit(const struct gresec_genl_hook_ops *ops,
			      struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;

	if (ops->cmd == GRESEC_CMD_NET_GET)
		return 0;

	rcu_read_lock();
	dev = gresec_nl_dev_find(genl_info_net(info), info->attrs,
				 info->extack);
	if (!IS_ERR(dev))
		netdev_hold(dev, gresec_nl_tracker(info), GFP_ATOMIC);
	rcu_read_unlock();
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	info->user_ptr[GRESEC_NL_PTR_DEV] = dev;
	return 0;
}

static void gresec_nl_post_doit(const struct gresec_genl_hook_ops *ops,
				struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[GRESEC_NL_PTR_DEV];

	if (dev)
		netdev_put(dev, gresec_nl_tracker(info));
}

static int gresec_nl_stats_put(struct sk_buff *skb, struct gresec_tunnel *tun)
{
	u64 ctr[GRESEC_STATS_A_MAX + 1];
	struct nlattr *nest;
	unsigned int i;

	gresec_tunnel_stats_fold(tun, ctr);

	nest = nla_nest_start(skb, GRESEC_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = GRESEC_STATS_A_PAD + 1; i <= GRESEC_STATS_A_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, ctr[i], GRESEC_STATS_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int gresec_nl_cfg_put(struct sk_buff *skb,
			     const struct gresec_tunnel_cfg *cfg)
{
	if (nla_put_in_addr(skb, GRESEC_A_LOCAL, cfg->local) ||
	    nla_put_in_addr(skb, GRESEC_A_REMOTE, cfg->remote) ||
	    nla_put_u32(skb, GRESEC_A_IKEY, cfg->ikey) ||
	    nla_put_u32(skb, GRESEC_A_OKEY, cfg->okey) ||
	    nla_put_u32(skb, GRESEC_A_IFLAGS, cfg->iflags) ||
	    nla_put_u32(skb, GRESEC_A_OFLAGS, cfg->oflags) ||
	    nla_put_u8(skb, GRESEC_A_TTL, cfg->ttl) ||
	    nla_put_u8(skb, GRESEC_A_TOS, cfg->tos) ||
	    nla_put_u8(skb, GRESEC_A_TOS_INHERIT, cfg->tos_inherit) ||
	    nla_put_u8(skb, GRESEC_A_PMTUDISC, cfg->pmtudisc) ||
	    nla_put_u32(skb, GRESEC_A_MTU, cfg->mtu) ||
	    nla_put_u32(skb, GRESEC_A_PROTECTION, cfg->protection))
		return -EMSGSIZE;
	return 0;
}

/*
 * One TUNNEL_GET message.  Called with a reference on @dev or under RCU
 * with @dev found on the netns list: either way the tunnel's config and
 * counters outlive us.
 */
static int gresec_nl_tunnel_fill(struct sk_buff *skb, struct net_device *dev,
				 u32 portid, u32 seq, int flags,
				 struct netlink_callback *cb)
{
	struct gresec_tunnel *tun = netdev_priv(dev);
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, portid, seq, &gresec_nl_family, flags,
			  GRESEC_CMD_TUNNEL_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(skb, GRESEC_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, GRESEC_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, GRESEC_A_LINK_MTU, READ_ONCE(dev->mtu)))
		goto err_cancel;

	rcu_read_lock();
	err = gresec_nl_cfg_put(skb, rcu_dereference(tun->cfg));
	rcu_read_unlock();
	if (err)
		goto err_cancel;

	if (gresec_nl_stats_put(skb, tun))
		goto err_cancel;

	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int gresec_nl_tunnel_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[GRESEC_NL_PTR_DEV];
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	err = gresec_nl_tunnel_fill(msg, dev, info->snd_portid, info->snd_seq,
				    0, NULL);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * The gresec device with the lowest ifindex >= *@ifindex, under RCU.  The
 * ifindex is the dump cursor: unlike a position in the list it stays
 * meaningful when devices come and go between two dump rounds.
 */
static struct net_device *gresec_nl_dev_next(struct net *net,
					     unsigned long *ifindex)
{
	struct net_device *dev;
#ifdef for_each_netdev_dump
	unsigned long idx = *ifindex;

	for_each_netdev_dump(net, dev, idx) {
		if (gresec_device_is_ours(dev)) {
			*ifindex = idx;
			return dev;
		}
	}
	return NULL;
#else
	/* No index xarray before 6.6: take the minimum of one list walk. */
	struct net_device *best = NULL;

	for_each_netdev_rcu(net, dev) {
		if (!gresec_device_is_ours(dev) ||
		    (unsigned long)dev->ifindex < *ifindex)
			continue;
		if (!best || dev->ifindex < best->ifindex)
			best = dev;
	}
	if (best)
		*ifindex = best->ifindex;
	return best;
#endif
}

int gresec_nl_tunnel_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	unsigned long ifindex = cb->args[0];
	struct net_device *dev;
	int err = 0;

	rcu_read_lock();
	/* Devices added or removed behind the cursor flag NLM_F_DUMP_INTR. */
	cb->seq = READ_ONCE(net->dev_base_seq);
	while ((dev = gresec_nl_dev_next(net, &ifindex))) {
		err = gresec_nl_tunnel_fill(skb, dev,
					    NETLINK_CB(cb->skb).portid,
					    cb->nlh->nlmsg_seq, NLM_F_MULTI,
					    cb);
		if (err)
			break;
		ifindex++;
	}
	rcu_read_unlock();

	cb->args[0] = ifindex;
	/* A full message is not an error, unless one tunnel alone overflows. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/*
 * Checks that concern one attribute, so the error can point at it; the
 * device re-checks the resulting configuration as a whole.
 */
static int gresec_nl_tunnel_precheck(struct net_device *dev,
				     struct nlattr **attrs,
				     struct netlink_ext_ack *extack)
{
	struct nlattr *attr;
	__be32 addr;
	u32 mtu;

	attr = attrs[GRESEC_A_LOCAL];
	if (attr) {
		addr = nla_get_in_addr(attr);
		if (ipv4_is_multicast(addr) || ipv4_is_lbcast(addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "local must be a unicast address or 0");
			return -EINVAL;
		}
	}
	attr = attrs[GRESEC_A_REMOTE];
	if (attr) {
		addr = nla_get_in_addr(attr);
		if (ipv4_is_multicast(addr) || ipv4_is_lbcast(addr) ||
		    (ipv4_is_zeronet(addr) && addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "remote must be a unicast address or 0");
			return -EINVAL;
		}
	}
	attr = attrs[GRESEC_A_MTU];
	if (attr) {
		mtu = nla_get_u32(attr);
		/* Plain text: 6.1 cannot format extack messages. */
		if (mtu && (mtu < IPV4_MIN_MTU || mtu > dev->max_mtu)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "mtu must be 0 (auto) or 68 up to the device's maxmtu");
			return -EINVAL;
		}
	}
	return 0;
}

static void gresec_nl_tunnel_cfg_update(struct gresec_tunnel_cfg *cfg,
					struct nlattr **attrs)
{
	if (attrs[GRESEC_A_LOCAL])
		cfg->local = nla_get_in_addr(attrs[GRESEC_A_LOCAL]);
	if (attrs[GRESEC_A_REMOTE])
		cfg->remote = nla_get_in_addr(attrs[GRESEC_A_REMOTE]);
	if (attrs[GRESEC_A_IKEY])
		cfg->ikey = nla_get_u32(attrs[GRESEC_A_IKEY]);
	if (attrs[GRESEC_A_OKEY])
		cfg->okey = nla_get_u32(attrs[GRESEC_A_OKEY]);
	if (attrs[GRESEC_A_IFLAGS])
		cfg->iflags = nla_get_u32(attrs[GRESEC_A_IFLAGS]);
	if (attrs[GRESEC_A_OFLAGS])
		cfg->oflags = nla_get_u32(attrs[GRESEC_A_OFLAGS]);
	if (attrs[GRESEC_A_TTL])
		cfg->ttl = nla_get_u8(attrs[GRESEC_A_TTL]);
	if (attrs[GRESEC_A_TOS])
		cfg->tos = nla_get_u8(attrs[GRESEC_A_TOS]);
	if (attrs[GRESEC_A_TOS_INHERIT])
		cfg->tos_inherit = nla_get_u8(attrs[GRESEC_A_TOS_INHERIT]);
	if (attrs[GRESEC_A_PMTUDISC])
		cfg->pmtudisc = nla_get_u8(attrs[GRESEC_A_PMTUDISC]);
	if (attrs[GRESEC_A_MTU])
		cfg->mtu = nla_get_u32(attrs[GRESEC_A_MTU]);
	if (attrs[GRESEC_A_PROTECTION])
		cfg->protection = nla_get_u32(attrs[GRESEC_A_PROTECTION]);
}

int gresec_nl_tunnel_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[GRESEC_NL_PTR_DEV];
	struct gresec_tunnel *tun = netdev_priv(dev);
	struct gresec_tunnel_cfg *cfg;
	int err;

	err = gresec_nl_tunnel_precheck(dev, info->attrs, info->extack);
	if (err)
		return err;

	rtnl_lock();
	/* Our reference keeps the memory, not the device, alive. */
	if (dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG_MOD(info->extack, "device is being deleted");
		err = -ENODEV;
		goto out_unlock;
	}
	/*
	 * Edit a copy of the current configuration so omitted attributes keep
	 * their value; applying it also refreshes an automatic MTU, which is
	 * what an empty set is good for.
	 */
	cfg = gresec_tunnel_cfg_dup(tun);
	if (!cfg) {
		err = -ENOMEM;
		goto out_unlock;
	}
	gresec_nl_tunnel_cfg_update(cfg, info->attrs);
	err = gresec_tunnel_cfg_apply(tun, cfg, info->extack);
out_unlock:
	rtnl_unlock();
	return err;
}

int gresec_nl_net_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct gresec_net_counters c;
	struct sk_buff *msg;
	void *hdr;

	gresec_net_counters(gresec_net_get(genl_info_net(info)), &c);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &gresec_nl_family, 0,
				GRESEC_CMD_NET_GET);
	if (!hdr)
		goto err_free;

	if (nla_put_u64_64bit(msg, GRESEC_NET_A_RX_NO_TUNNEL, c.rx_no_tunnel,
			      GRESEC_NET_A_PAD) ||
	    nla_put_in_addr(msg, GRESEC_NET_A_LAST_SRC, c.last_src) ||
	    nla_put_u32(msg, GRESEC_NET_A_LAST_KEY, c.last_key) ||
	    (c.last_key_present &&
	     nla_put_flag(msg, GRESEC_NET_A_LAST_KEY_PRESENT)) ||
	    nla_put_u64_64bit(msg, GRESEC_NET_A_ESP_UNKNOWN_SPI,
			      c.esp_unknown_spi, GRESEC_NET_A_PAD) ||
	    nla_put_u32(msg, GRESEC_NET_A_LAST_SPI, c.last_spi) ||
	    nla_put_in_addr(msg, GRESEC_NET_A_LAST_SPI_SRC, c.last_spi_src))
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* SA events carry SPIs and lifetimes: only for the namespace's admin. */
static const struct genl_multicast_group gresec_nl_mcgrps[] = {
	[GRESEC_NLGRP_EVENTS] = {
		.name = GRESEC_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family gresec_nl_family __ro_after_init = {
	.name = GRESEC_FAMILY_NAME,
	.version = GRESEC_FAMILY_VERSION,
	.module = THIS_MODULE,
	.netnsok = true,
	/* Reads need only RCU and a device reference; changes take RTNL. */
	.parallel_ops = true,
	.pre_doit = gresec_nl_pre_doit,
	.post_doit = gresec_nl_post_doit,
	.ops = gresec_nl_ops,
	.n_ops = ARRAY_SIZE(gresec_nl_ops),
	.mcgrps = gresec_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(gresec_nl_mcgrps),
};

int __init gresec_netlink_init(void)
{
	return genl_register_family(&gresec_nl_family);
}

void gresec_netlink_uninit(void)
{
	genl_unregister_family(&gresec_nl_family);
}
