// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: the "gresec" generic netlink family.
 *
 * The ABI is uapi/gresec.yaml; the policies and the ops table come from it
 * (netlink-gen.c).  This file holds the handlers (TUNNEL_GET, TUNNEL_SET,
 * NET_GET, SA_NEW, SA_DEL, SA_GET) and sends the SA_NTF events.
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
#include "netns.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "rx.h"
#include "sa.h"
#include "spi.h"
#include "tx.h"
#include "udp.h"

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
	    nla_put_u32(skb, GRESEC_A_PROTECTION, cfg->protection) ||
	    nla_put_u32(skb, GRESEC_A_IF_ID, cfg->if_id) ||
	    nla_put_u32(skb, GRESEC_A_KEEPALIVE_PERIOD, cfg->ka_period) ||
	    nla_put_u32(skb, GRESEC_A_KEEPALIVE_RETRIES, cfg->ka_retries) ||
	    nla_put_u32(skb, GRESEC_A_ADJUST_MSS, cfg->adjust_mss))
		return -EMSGSIZE;
	return 0;
}

static int gresec_nl_keepalive_put(struct sk_buff *skb,
				   struct gresec_tunnel *tun)
{
	time64_t changed;
	u32 state;

	gresec_keepalive_info(tun, &state, &changed);
	if (nla_put_u32(skb, GRESEC_A_KEEPALIVE_STATE, state) ||
	    (changed && nla_put_u64_64bit(skb, GRESEC_A_KEEPALIVE_CHANGED,
					  changed, GRESEC_A_PAD)))
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

	if (gresec_nl_stats_put(skb, tun) || gresec_nl_keepalive_put(skb, tun))
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
	if (attrs[GRESEC_A_IF_ID])
		cfg->if_id = nla_get_u32(attrs[GRESEC_A_IF_ID]);
	if (attrs[GRESEC_A_KEEPALIVE_PERIOD])
		cfg->ka_period = nla_get_u32(attrs[GRESEC_A_KEEPALIVE_PERIOD]);
	if (attrs[GRESEC_A_KEEPALIVE_RETRIES])
		cfg->ka_retries = nla_get_u32(attrs[GRESEC_A_KEEPALIVE_RETRIES]);
	if (attrs[GRESEC_A_ADJUST_MSS])
		cfg->adjust_mss = nla_get_u32(attrs[GRESEC_A_ADJUST_MSS]);
}

/*
 * RTNL, on a device that is still ours to change.  Changes to SAs take the
 * SA lock after it (the order sa.c documents).
 */
static int gresec_nl_dev_lock(struct net_device *dev,
			      struct netlink_ext_ack *extack)
{
	rtnl_lock();
	/* Our reference keeps the memory, not the device, alive. */
	if (dev->reg_state != NETREG_REGISTERED) {
		rtnl_unlock();
		NL_SET_ERR_MSG_MOD(extack, "device is being deleted");
		return -ENODEV;
	}
	return 0;
}

int gresec_nl_tunnel_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[GRESEC_NL_PTR_DEV];
	struct gresec_tunnel *tun = netdev_priv(dev);
	struct gresec_tunnel_cfg *cfg;
	int err;

	err = gresec_nl_dev_lock(dev, info->extack);
	if (err)
		return err;
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
	struct gresec_netns_counters c;
	struct sk_buff *msg;
	void *hdr;

	gresec_netns_counters(gresec_netns_get(genl_info_net(info)), &c);

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

/* Read-only SA attributes: refused in requests rather than ignored. */
static const u8 gresec_nl_sa_ro_attrs[] = {
	GRESEC_SA_A_STATE, GRESEC_SA_A_AGE, GRESEC_SA_A_SEQ,
	GRESEC_SA_A_REPLAY_BITMAP, GRESEC_SA_A_STATS, GRESEC_SA_A_EVENT,
	GRESEC_SA_A_IDLE, GRESEC_SA_A_ENCAP_PEER_PORT,
};

/*
 * Parse the one SA nest of a request into @tb.  Only the attributes in
 * @allowed (a bitmask of GRESEC_SA_A_*) may appear in it.
 */
static int gresec_nl_sa_parse(struct genl_info *info, struct nlattr **tb,
			      unsigned long allowed)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[GRESEC_A_SA];
	const struct nlattr *attr;
	unsigned int i, n = 0;
	int rem, err;

	BUILD_BUG_ON(GRESEC_SA_A_MAX >= BITS_PER_LONG);
	if (GENL_REQ_ATTR_CHECK(info, GRESEC_A_SA)) {
		NL_SET_ERR_MSG_MOD(extack, "sa: an SA nest is required");
		return -EINVAL;
	}
	/* info->attrs keeps only the last one; a second SA would be lost. */
	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem)
		if (nla_type(attr) == GRESEC_A_SA)
			n++;
	if (n > 1) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "sa: exactly one SA per request");
		return -EINVAL;
	}

	err = nla_parse_nested(tb, GRESEC_SA_A_MAX, nest, gresec_sa_nl_policy,
			       extack);
	if (err)
		return err;
	for (i = 1; i <= GRESEC_SA_A_MAX; i++) {
		if (!tb[i] || (allowed & BIT(i)))
			continue;
		if (memchr(gresec_nl_sa_ro_attrs, i,
			   sizeof(gresec_nl_sa_ro_attrs)))
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "read-only SA attribute in a request");
		else
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "attribute not taken by this command");
		return -EINVAL;
	}
	return 0;
}

/* SPI and DIR, which name an SA within its tunnel. */
static int gresec_nl_sa_id(struct genl_info *info, struct nlattr **tb,
			   u32 *dir, u32 *spi)
{
	struct nlattr *nest = info->attrs[GRESEC_A_SA];

	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, GRESEC_SA_A_SPI) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, GRESEC_SA_A_DIR)) {
		NL_SET_ERR_MSG_MOD(info->extack, "sa: spi and dir are required");
		return -EINVAL;
	}
	*spi = nla_get_u32(tb[GRESEC_SA_A_SPI]);
	*dir = nla_get_u32(tb[GRESEC_SA_A_DIR]);
	return 0;
}

static int gresec_nl_sa_stats_put(struct sk_buff *skb,
				  const struct gresec_sa_info *si)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, GRESEC_SA_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = GRESEC_SA_STATS_A_PAD + 1; i <= GRESEC_SA_STATS_A_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, si->stats[i],
				      GRESEC_SA_STATS_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int gresec_nl_sa_bitmap_put(struct sk_buff *skb, struct gresec_sa *sa,
				   const struct gresec_sa_info *si)
{
	unsigned int words = DIV_ROUND_UP(si->replay_window, 32);
	struct nlattr *attr;

	if (si->dir != GRESEC_SA_DIR_IN || !words)
		return 0;
	/* Straight into the message: 4096 bits do not belong on the stack. */
	attr = nla_reserve(skb, GRESEC_SA_A_REPLAY_BITMAP, words * sizeof(u32));
	if (!attr)
		return -EMSGSIZE;
	words = gresec_sa_replay_bitmap(sa, nla_data(attr), words);
	memset((u32 *)nla_data(attr) + words, 0,
	       nla_len(attr) - words * sizeof(u32));
	return 0;
}

/* UDP encapsulation, where the SA has it; the peer address once known. */
static int gresec_nl_sa_encap_put(struct sk_buff *skb,
				  const struct gresec_sa_info *si)
{
	if (si->encap != GRESEC_ENCAP_UDP)
		return 0;
	if (nla_put_u32(skb, GRESEC_SA_A_ENCAP, si->encap) ||
	    nla_put_u16(skb, GRESEC_SA_A_ENCAP_SPORT, ntohs(si->encap_sport)) ||
	    nla_put_u16(skb, GRESEC_SA_A_ENCAP_DPORT, ntohs(si->encap_dport)) ||
	    nla_put_u16(skb, GRESEC_SA_A_ENCAP_PEER_PORT,
			ntohs(si->encap_peer_port)) ||
	    (si->encap_peer_addr &&
	     nla_put_in_addr(skb, GRESEC_SA_A_ENCAP_PEER_ADDR,
			     si->encap_peer_addr)))
		return -EMSGSIZE;
	return 0;
}

static int gresec_nl_sa_keys_put(struct sk_buff *skb,
				 const struct gresec_sa *sa)
{
	if (nla_put(skb, GRESEC_SA_A_KEY, sa->key_len, sa->keys) ||
	    (sa->auth_key_len &&
	     nla_put(skb, GRESEC_SA_A_AUTH_KEY, sa->auth_key_len,
		     sa->keys + sa->key_len)))
		return -EMSGSIZE;
	return 0;
}

/*
 * One SA nest; with @keys (SA_GET with WITH_KEYS, its caller checked)
 * its keys too, never otherwise.  @event is 0 except in SA_NTF.  Caller
 * holds the SA lock, which keeps @sa on its tunnel.
 */
static int gresec_nl_sa_put(struct sk_buff *skb, struct gresec_sa *sa,
			    u32 event, bool keys)
{
	const struct gresec_sa_lifetime *lft;
	struct gresec_sa_info si;
	struct nlattr *nest;

	gresec_sa_fill_info(sa, &si);
	lft = &si.lft;

	nest = nla_nest_start(skb, GRESEC_A_SA);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, GRESEC_SA_A_SPI, si.spi) ||
	    nla_put_u32(skb, GRESEC_SA_A_DIR, si.dir) ||
	    nla_put_u32(skb, GRESEC_SA_A_PROPOSAL, si.proposal) ||
	    nla_put_u32(skb, GRESEC_SA_A_REPLAY_WINDOW, si.replay_window) ||
	    (si.esn && nla_put_flag(skb, GRESEC_SA_A_ESN)) ||
	    nla_put_u64_64bit(skb, GRESEC_SA_A_SOFT_BYTES, lft->soft_bytes,
			      GRESEC_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, GRESEC_SA_A_HARD_BYTES, lft->hard_bytes,
			      GRESEC_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, GRESEC_SA_A_SOFT_PACKETS, lft->soft_packets,
			      GRESEC_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, GRESEC_SA_A_HARD_PACKETS, lft->hard_packets,
			      GRESEC_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, GRESEC_SA_A_SOFT_TIME, lft->soft_time,
			      GRESEC_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, GRESEC_SA_A_HARD_TIME, lft->hard_time,
			      GRESEC_SA_A_PAD) ||
	    nla_put_u32(skb, GRESEC_SA_A_STATE, si.state) ||
	    nla_put_u64_64bit(skb, GRESEC_SA_A_AGE, si.age, GRESEC_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, GRESEC_SA_A_SEQ, si.seq, GRESEC_SA_A_PAD) ||
	    (event && nla_put_u32(skb, GRESEC_SA_A_EVENT, event)) ||
	    (si.reqid && nla_put_u32(skb, GRESEC_SA_A_REQID, si.reqid)) ||
	    (si.used && nla_put_u64_64bit(skb, GRESEC_SA_A_IDLE, si.idle,
					  GRESEC_SA_A_PAD)) ||
	    gresec_nl_sa_encap_put(skb, &si) ||
	    (si.mode != GRESEC_SA_MODE_TRANSPORT &&
	     nla_put_u32(skb, GRESEC_SA_A_MODE, si.mode)) ||
	    (keys && gresec_nl_sa_keys_put(skb, sa)) ||
	    gresec_nl_sa_bitmap_put(skb, sa, &si) ||
	    gresec_nl_sa_stats_put(skb, &si)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * WITH_KEYS asks for the SAs' keys: for an administrator of the tunnel's
 * namespace only.  SA_GET's own permission flag demands the same today;
 * checked again here so that no later change to that flag (SA_GET for
 * every local user, say) can hand out keys.  @req is the request.
 */
static int gresec_nl_keys_allowed(const struct sk_buff *req,
				  struct net_device *dev,
				  const struct nlattr *with_keys,
				  struct netlink_ext_ack *extack)
{
	if (!netlink_ns_capable(req, dev_net(dev)->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(extack, with_keys,
				    "with-keys: needs CAP_NET_ADMIN in the tunnel's network namespace");
		return -EPERM;
	}
	return 0;
}

static int gresec_nl_dev_put(struct sk_buff *skb, struct net_device *dev)
{
	if (nla_put_u32(skb, GRESEC_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, GRESEC_A_IFNAME, dev->name))
		return -EMSGSIZE;
	return 0;
}

/* The SA a request names, or NULL with the message.  Under the SA lock. */
static struct gresec_sa *gresec_nl_sa_find(struct gresec_tunnel *tun,
					   struct nlattr **tb, u32 dir,
					   u32 spi,
					   struct netlink_ext_ack *extack)
{
	struct gresec_sa *sa = gresec_sa_find(tun, dir, spi);

	if (!sa)
		NL_SET_ERR_MSG_ATTR(extack, tb[GRESEC_SA_A_SPI],
				    "spi: no SA with this SPI and direction on the tunnel");
	return sa;
}

/* The current outbound SA changed, and with it the ESP overhead. */
static void gresec_nl_mtu_refresh(struct gresec_tunnel *tun)
{
	int err = gresec_tunnel_mtu_refresh(tun);

	if (err)
		netdev_warn(tun->dev, "MTU not updated for the ESP overhead: %d\n",
			    err);
}

int gresec_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[GRESEC_NL_PTR_DEV];
	struct nlattr *tb[GRESEC_SA_A_MAX + 1];
	struct gresec_tunnel *tun;
	struct gresec_sa_params p;
	struct gresec_sa *sa;
	struct nlattr *nest;
	int err;

	err = gresec_nl_sa_parse(info, tb, BIT(GRESEC_SA_A_SPI) |
				 BIT(GRESEC_SA_A_DIR) |
				 BIT(GRESEC_SA_A_PROPOSAL) |
				 BIT(GRESEC_SA_A_KEY) |
				 BIT(GRESEC_SA_A_AUTH_KEY) |
				 BIT(GRESEC_SA_A_REPLAY_WINDOW) |
				 BIT(GRESEC_SA_A_ESN) |
				 BIT(GRESEC_SA_A_SOFT_BYTES) |
				 BIT(GRESEC_SA_A_HARD_BYTES) |
				 BIT(GRESEC_SA_A_SOFT_PACKETS) |
				 BIT(GRESEC_SA_A_HARD_PACKETS) |
				 BIT(GRESEC_SA_A_SOFT_TIME) |
				 BIT(GRESEC_SA_A_HARD_TIME) |
				 BIT(GRESEC_SA_A_REQID) |
				 BIT(GRESEC_SA_A_ENCAP) |
				 BIT(GRESEC_SA_A_ENCAP_SPORT) |
				 BIT(GRESEC_SA_A_ENCAP_DPORT) |
				 BIT(GRESEC_SA_A_ENCAP_PEER_ADDR) |
				 BIT(GRESEC_SA_A_MODE));
	if (err)
		return err;
	nest = info->attrs[GRESEC_A_SA];

	gresec_sa_params_init(&p);
	if (gresec_nl_sa_id(info, tb, &p.dir, &p.spi))
		return -EINVAL;
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, GRESEC_SA_A_PROPOSAL) ||
	    NL_REQ_ATTR_CHECK(info->extack, nest, tb, GRESEC_SA_A_KEY)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "sa: proposal and key are required");
		return -EINVAL;
	}
	p.proposal = nla_get_u32(tb[GRESEC_SA_A_PROPOSAL]);
	p.key = nla_data(tb[GRESEC_SA_A_KEY]);
	p.key_len = nla_len(tb[GRESEC_SA_A_KEY]);
	if (tb[GRESEC_SA_A_AUTH_KEY]) {
		p.auth_key = nla_data(tb[GRESEC_SA_A_AUTH_KEY]);
		p.auth_key_len = nla_len(tb[GRESEC_SA_A_AUTH_KEY]);
	}
	if (tb[GRESEC_SA_A_REPLAY_WINDOW])
		p.replay_window = nla_get_u32(tb[GRESEC_SA_A_REPLAY_WINDOW]);
	p.esn = nla_get_flag(tb[GRESEC_SA_A_ESN]);
	if (tb[GRESEC_SA_A_SOFT_BYTES])
		p.lft.soft_bytes = nla_get_u64(tb[GRESEC_SA_A_SOFT_BYTES]);
	if (tb[GRESEC_SA_A_HARD_BYTES])
		p.lft.hard_bytes = nla_get_u64(tb[GRESEC_SA_A_HARD_BYTES]);
	if (tb[GRESEC_SA_A_SOFT_PACKETS])
		p.lft.soft_packets = nla_get_u64(tb[GRESEC_SA_A_SOFT_PACKETS]);
	if (tb[GRESEC_SA_A_HARD_PACKETS])
		p.lft.hard_packets = nla_get_u64(tb[GRESEC_SA_A_HARD_PACKETS]);
	if (tb[GRESEC_SA_A_SOFT_TIME])
		p.lft.soft_time = nla_get_u64(tb[GRESEC_SA_A_SOFT_TIME]);
	if (tb[GRESEC_SA_A_HARD_TIME])
		p.lft.hard_time = nla_get_u64(tb[GRESEC_SA_A_HARD_TIME]);
	if (tb[GRESEC_SA_A_REQID])
		p.reqid = nla_get_u32(tb[GRESEC_SA_A_REQID]);
	if (tb[GRESEC_SA_A_ENCAP])
		p.encap = nla_get_u32(tb[GRESEC_SA_A_ENCAP]);
	if (tb[GRESEC_SA_A_ENCAP_SPORT])
		p.encap_sport = htons(nla_get_u16(tb[GRESEC_SA_A_ENCAP_SPORT]));
	if (tb[GRESEC_SA_A_ENCAP_DPORT])
		p.encap_dport = htons(nla_get_u16(tb[GRESEC_SA_A_ENCAP_DPORT]));
	if (tb[GRESEC_SA_A_ENCAP_PEER_ADDR])
		p.encap_peer_addr = nla_get_in_addr(tb[GRESEC_SA_A_ENCAP_PEER_ADDR]);
	if (tb[GRESEC_SA_A_MODE])
		p.mode = nla_get_u32(tb[GRESEC_SA_A_MODE]);

	/* Allocating and keying the transform may sleep: not under RTNL. */
	err = gresec_sa_check_params(&p, info->extack);
	if (err)
		return err;
	sa = gresec_sa_new(&p, info->extack);
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	if (p.dir == GRESEC_SA_DIR_IN)
		gresec_rx_sa_init(sa);
	if (p.dir == GRESEC_SA_DIR_IN && gresec_sa_udp(sa)) {
		/* Before it is linked: its first packets find a socket. */
		sa->encap_listener = gresec_udp_listen(dev_net(dev),
						       sa->encap_dport,
						       info->extack);
		if (IS_ERR(sa->encap_listener)) {
			err = PTR_ERR(sa->encap_listener);
			sa->encap_listener = NULL;
			goto err_free;
		}
	}

	err = gresec_nl_dev_lock(dev, info->extack);
	if (err)
		goto err_free;
	gresec_sa_lock();
	tun = netdev_priv(dev);
	err = gresec_sa_link_check(tun, sa, info->extack);
	if (!err)
		err = gresec_tunnel_protect(tun, info->extack);
	if (!err)
		gresec_sa_link(tun, sa);
	gresec_sa_unlock();
	if (!err) {
		if (p.dir == GRESEC_SA_DIR_OUT) {
			gresec_nl_mtu_refresh(tun);
			gresec_tx_release_held(tun);
		} else {
			gresec_spi_release(gresec_netns_get(dev_net(dev)),
					   p.spi);
		}
	}
	rtnl_unlock();
	if (!err)
		return 0;
	/* sa.c names the attribute in its message; point at it too. */
	if (err == -EEXIST)
		NL_SET_BAD_ATTR(info->extack, tb[GRESEC_SA_A_SPI]);
err_free:
	gresec_sa_free(sa);
	return err;
}

int gresec_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[GRESEC_NL_PTR_DEV];
	struct nlattr *tb[GRESEC_SA_A_MAX + 1];
	struct gresec_tunnel *tun;
	struct gresec_sa *sa;
	bool was_tx = false;
	u32 dir, spi;
	int err;

	err = gresec_nl_sa_parse(info, tb, BIT(GRESEC_SA_A_SPI) |
				 BIT(GRESEC_SA_A_DIR));
	if (err)
		return err;
	if (gresec_nl_sa_id(info, tb, &dir, &spi))
		return -EINVAL;

	err = gresec_nl_dev_lock(dev, info->extack);
	if (err)
		return err;
	/* A key manager gives up an SPI it reserved but never used. */
	if (dir == GRESEC_SA_DIR_IN &&
	    gresec_spi_release(gresec_netns_get(dev_net(dev)), spi)) {
		rtnl_unlock();
		return 0;
	}
	gresec_sa_lock();
	tun = netdev_priv(dev);
	sa = gresec_nl_sa_find(tun, tb, dir, spi, info->extack);
	if (sa) {
		was_tx = rcu_access_pointer(tun->tx_sa) == sa;
		gresec_sa_del(sa);
	} else {
		err = -ENOENT;
	}
	gresec_sa_unlock();
	if (was_tx)
		gresec_nl_mtu_refresh(tun);
	rtnl_unlock();
	return err;
}

int gresec_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[GRESEC_NL_PTR_DEV];
	struct nlattr *tb[GRESEC_SA_A_MAX + 1];
	struct gresec_sa *sa;
	struct sk_buff *msg;
	u32 dir, spi;
	bool keys;
	void *hdr;
	int err;

	err = gresec_nl_sa_parse(info, tb, BIT(GRESEC_SA_A_SPI) |
				 BIT(GRESEC_SA_A_DIR) |
				 BIT(GRESEC_SA_A_WITH_KEYS));
	if (err)
		return err;
	if (gresec_nl_sa_id(info, tb, &dir, &spi))
		return -EINVAL;
	keys = nla_get_flag(tb[GRESEC_SA_A_WITH_KEYS]);
	if (keys) {
		err = gresec_nl_keys_allowed(skb, dev,
					     tb[GRESEC_SA_A_WITH_KEYS],
					     info->extack);
		if (err)
			return err;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &gresec_nl_family, 0,
				GRESEC_CMD_SA_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}

	/* A device being deleted has no SAs left to find. */
	gresec_sa_lock();
	sa = gresec_nl_sa_find(netdev_priv(dev), tb, dir, spi, info->extack);
	if (!sa)
		err = -ENOENT;
	else if (gresec_nl_dev_put(msg, dev) ||
		 gresec_nl_sa_put(msg, sa, 0, keys))
		err = -EMSGSIZE;
	gresec_sa_unlock();
	if (err)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

int gresec_nl_spi_alloc_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[GRESEC_NL_PTR_DEV];
	struct nlattr *tb[GRESEC_SA_A_MAX + 1];
	u32 min = GRESEC_SPI_ALLOC_MIN, max = U32_MAX, spi = 0;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (info->attrs[GRESEC_A_SA]) {
		err = gresec_nl_sa_parse(info, tb, BIT(GRESEC_SA_A_SPI_MIN) |
					 BIT(GRESEC_SA_A_SPI_MAX));
		if (err)
			return err;
		if (tb[GRESEC_SA_A_SPI_MIN])
			min = nla_get_u32(tb[GRESEC_SA_A_SPI_MIN]);
		if (tb[GRESEC_SA_A_SPI_MAX])
			max = nla_get_u32(tb[GRESEC_SA_A_SPI_MAX]);
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &gresec_nl_family, 0,
				GRESEC_CMD_SPI_ALLOC);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	err = gresec_nl_dev_lock(dev, info->extack);
	if (err)
		goto err_free;
	err = gresec_spi_alloc(gresec_netns_get(dev_net(dev)), min, max, &spi,
			       info->extack);
	rtnl_unlock();
	if (err)
		goto err_free;

	if (gresec_nl_dev_put(msg, dev)) {
		err = -EMSGSIZE;
		goto err_free;
	}
	nest = nla_nest_start(msg, GRESEC_A_SA);
	if (!nest || nla_put_u32(msg, GRESEC_SA_A_SPI, spi) ||
	    nla_put_u32(msg, GRESEC_SA_A_DIR, GRESEC_SA_DIR_IN)) {
		err = -EMSGSIZE;
		goto err_free;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

/* Dump cursor in cb->args[]. */
enum {
	GRESEC_NL_SA_DUMP_IFINDEX,	/* the tunnel, fixed by the first round */
	GRESEC_NL_SA_DUMP_POS,		/* list entries already handled */
	GRESEC_NL_SA_DUMP_DONE,
};

/*
 * The tunnel of an SA dump, found again on every round (dumps have no
 * pre_doit).  Requests are parsed here rather than through the dumpit
 * info, whose layout differs between 6.1 and 6.12.  Returns the device
 * with a reference for @tracker; @keys: WITH_KEYS, allowed.
 */
static struct net_device *gresec_nl_sa_dump_dev(struct sk_buff *skb,
						struct netlink_callback *cb,
						u8 *dir, bool *keys,
						netdevice_tracker *tracker)
{
	struct nlattr *tb[GRESEC_A_SA + 1], *sa_tb[GRESEC_SA_A_MAX + 1];
	struct nlattr *with_keys = NULL;
	struct net_device *dev;
	int err;

	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, GRESEC_A_SA,
			  gresec_sa_get_nl_policy, cb->extack);
	if (err)
		return ERR_PTR(err);
	*dir = 0;
	if (tb[GRESEC_A_SA]) {
		err = nla_parse_nested(sa_tb, GRESEC_SA_A_MAX, tb[GRESEC_A_SA],
				       gresec_sa_nl_policy, cb->extack);
		if (err)
			return ERR_PTR(err);
		if (sa_tb[GRESEC_SA_A_DIR])
			*dir = nla_get_u32(sa_tb[GRESEC_SA_A_DIR]);
		with_keys = sa_tb[GRESEC_SA_A_WITH_KEYS];
	}

	rcu_read_lock();
	dev = gresec_nl_dev_find(sock_net(skb->sk), tb, cb->extack);
	/* Another device took the name between two rounds. */
	if (!IS_ERR(dev) && cb->args[GRESEC_NL_SA_DUMP_IFINDEX] &&
	    cb->args[GRESEC_NL_SA_DUMP_IFINDEX] != dev->ifindex)
		dev = ERR_PTR(-ENODEV);
	if (!IS_ERR(dev))
		netdev_hold(dev, tracker, GFP_ATOMIC);
	rcu_read_unlock();
	if (IS_ERR(dev))
		return dev;
	*keys = !!with_keys;
	if (with_keys) {
		err = gresec_nl_keys_allowed(cb->skb, dev, with_keys,
					     cb->extack);
		if (err) {
			netdev_put(dev, tracker);
			return ERR_PTR(err);
		}
	}
	cb->args[GRESEC_NL_SA_DUMP_IFINDEX] = dev->ifindex;
	return dev;
}

int gresec_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	long pos = 0, done = cb->args[GRESEC_NL_SA_DUMP_POS];
	netdevice_tracker tracker;
	struct gresec_tunnel *tun;
	struct net_device *dev;
	struct gresec_sa *sa;
	int err = 0, n = 0;
	bool keys;
	void *hdr;
	u8 dir;

	if (cb->args[GRESEC_NL_SA_DUMP_DONE])
		return 0;

	dev = gresec_nl_sa_dump_dev(skb, cb, &dir, &keys, &tracker);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	gresec_sa_lock();
	tun = netdev_priv(dev);
	/* SAs added or deleted between two rounds flag NLM_F_DUMP_INTR. */
	cb->seq = tun->sa_generation;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &gresec_nl_family, NLM_F_MULTI, GRESEC_CMD_SA_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_unlock;
	}
	genl_dump_check_consistent(cb, hdr);
	if (gresec_nl_dev_put(skb, dev)) {
		err = -EMSGSIZE;
		goto out_cancel;
	}

	gresec_tunnel_for_each_sa(tun, sa) {
		if (pos++ < done)
			continue;
		if (!dir || sa->dir == dir) {
			err = gresec_nl_sa_put(skb, sa, 0, keys);
			if (err)
				break;
			n++;
		}
		cb->args[GRESEC_NL_SA_DUMP_POS] = pos;
	}
	if (!err)
		cb->args[GRESEC_NL_SA_DUMP_DONE] = 1;
	if (!n)
		goto out_cancel;

	genlmsg_end(skb, hdr);
	gresec_sa_unlock();
	netdev_put(dev, &tracker);
	return skb->len;

out_cancel:
	genlmsg_cancel(skb, hdr);
out_unlock:
	gresec_sa_unlock();
	netdev_put(dev, &tracker);
	/* An SA too big for an empty message would loop forever. */
	return err;
}

/* sa.c calls this with the SA lock held, in process context. */
static void gresec_nl_sa_event(struct gresec_sa *sa,
			       enum gresec_sa_event event)
{
	struct net_device *dev = sa->tun->dev;
	struct net *net = dev_net(dev);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&gresec_nl_family, net, GRESEC_NLGRP_EVENTS))
		return;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto err;
	hdr = genlmsg_put(msg, 0, 0, &gresec_nl_family, 0, GRESEC_CMD_SA_NTF);
	if (!hdr)
		goto err_free;
	if (gresec_nl_dev_put(msg, dev) ||
	    gresec_nl_sa_put(msg, sa, event, false))
		goto err_free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&gresec_nl_family, net, msg, 0,
				GRESEC_NLGRP_EVENTS, GFP_KERNEL);
	return;

err_free:
	nlmsg_free(msg);
err:
	/* Listeners learn of the loss as of an overrun, and dump again. */
	genl_set_err(&gresec_nl_family, net, 0, GRESEC_NLGRP_EVENTS, -ENOBUFS);
}

/*
 * hold.c calls this from the data path (BH, RCU) when a protected tunnel
 * has a packet and no outbound SA; whether a key manager may answer.
 */
static bool gresec_nl_acquire(struct gresec_tunnel *tun)
{
	const struct gresec_tunnel_cfg *cfg = rcu_dereference(tun->cfg);
	struct net_device *dev = tun->dev;
	struct net *net = dev_net(dev);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&gresec_nl_family, net, GRESEC_NLGRP_EVENTS))
		return false;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		goto err;
	hdr = genlmsg_put(msg, 0, 0, &gresec_nl_family, 0,
			  GRESEC_CMD_ACQUIRE_NTF);
	if (!hdr)
		goto err_free;
	if (gresec_nl_dev_put(msg, dev) ||
	    nla_put_in_addr(msg, GRESEC_A_LOCAL, cfg->local) ||
	    nla_put_in_addr(msg, GRESEC_A_REMOTE, cfg->remote) ||
	    (cfg->if_id && nla_put_u32(msg, GRESEC_A_IF_ID, cfg->if_id)))
		goto err_free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&gresec_nl_family, net, msg, 0,
				GRESEC_NLGRP_EVENTS, GFP_ATOMIC);
	return true;

err_free:
	nlmsg_free(msg);
err:
	genl_set_err(&gresec_nl_family, net, 0, GRESEC_NLGRP_EVENTS, -ENOBUFS);
	return true;
}

/*
 * keepalive.c calls this, in any context, when keepalives turn the
 * tunnel's carrier off or on.
 */
static void gresec_nl_keepalive_event(struct gresec_tunnel *tun, u32 state,
				      time64_t changed)
{
	struct net_device *dev = tun->dev;
	struct net *net = dev_net(dev);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&gresec_nl_family, net, GRESEC_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		goto err;
	hdr = genlmsg_put(msg, 0, 0, &gresec_nl_family, 0,
			  GRESEC_CMD_KEEPALIVE_NTF);
	if (!hdr)
		goto err_free;
	if (gresec_nl_dev_put(msg, dev) ||
	    nla_put_u32(msg, GRESEC_A_KEEPALIVE_STATE, state) ||
	    nla_put_u64_64bit(msg, GRESEC_A_KEEPALIVE_CHANGED, changed,
			      GRESEC_A_PAD))
		goto err_free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&gresec_nl_family, net, msg, 0,
				GRESEC_NLGRP_EVENTS, GFP_ATOMIC);
	return;

err_free:
	nlmsg_free(msg);
err:
	genl_set_err(&gresec_nl_family, net, 0, GRESEC_NLGRP_EVENTS, -ENOBUFS);
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
	/*
	 * Reads need only RCU (or the SA lock) and a device reference;
	 * changes take RTNL.
	 */
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
	int err;

	err = genl_register_family(&gresec_nl_family);
	if (err)
		return err;
	gresec_sa_event_handler_set(gresec_nl_sa_event);
	gresec_hold_acquire_handler_set(gresec_nl_acquire);
	gresec_keepalive_event_handler_set(gresec_nl_keepalive_event);
	return 0;
}

void gresec_netlink_uninit(void)
{
	/* Once it returns no acquire event is being sent. */
	gresec_hold_acquire_handler_set(NULL);
	gresec_keepalive_event_handler_set(NULL);
	/* Carrier events under way (RCU readers) end before the family. */
	synchronize_rcu();
	gresec_sa_event_handler_set(NULL);
	genl_unregister_family(&gresec_nl_family);
}
