/*
 * Copyright (C) 2026 The gresec authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * This program is distributed in the hope that it will be useful, but
 * WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 * or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * for more details.
 */

#include "gresec_genl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/gresec.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

/* requests are small, dump replies up to the kernel's 32 KiB skbs */
#define SBUF_SIZE 2048
#define RBUF_SIZE 65536
#define DUMP_RETRIES 16

struct gresec_genl_t {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	/** gresec family id, 0 while unresolved */
	uint16_t family;
	/** gresec "events" group id, 0 if unknown */
	uint32_t events_group;
	/** event sockets: the group joined, the nlctrl notify group */
	bool events;
	uint32_t joined_group;
	uint32_t ctrl_notify_group;
	char sbuf[SBUF_SIZE];
	char rbuf[RBUF_SIZE];
	char errmsg[256];
};

typedef int (*msg_cb_t)(const struct nlmsghdr *nlh, void *data);

struct exchange {
	gresec_genl_t *nl;
	uint16_t type;
	msg_cb_t cb;
	void *data;
	int cb_err;
};

static void set_errmsg(gresec_genl_t *nl, const char *fmt, const char *arg)
{
	snprintf(nl->errmsg, sizeof(nl->errmsg), fmt, arg);
}

/* ---- extended ACK and the reply loop ---- */

static int ext_ack_attr(const struct nlattr *a, void *data)
{
	gresec_genl_t *nl = data;
	const char *msg, *prefix = GRESEC_FAMILY_NAME ": ";

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
	{
		msg = mnl_attr_get_str(a);
		/* NL_SET_ERR_MSG_MOD prefixes the module name */
		if (!strncmp(msg, prefix, strlen(prefix)))
		{
			msg += strlen(prefix);
		}
		set_errmsg(nl, "%s", msg);
	}
	return MNL_CB_OK;
}

static int rx_error(const struct nlmsghdr *nlh, void *data)
{
	struct exchange *x = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t offs = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
	{
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
	{
		offs += err->msg.nlmsg_len - sizeof(err->msg);
	}
	if (err->error && (nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
		MNL_ALIGN(offs) <= mnl_nlmsg_get_payload_len(nlh))
	{
		mnl_attr_parse(nlh, offs, ext_ack_attr, x->nl);
	}
	if (!err->error)
	{
		return MNL_CB_STOP;
	}
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

static int rx_done(const struct nlmsghdr *nlh, void *data)
{
	struct exchange *x = data;
	int error = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
	{
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(int));
	}
	if (error < 0)
	{
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		{
			mnl_attr_parse(nlh, sizeof(int), ext_ack_attr, x->nl);
		}
		errno = -error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int rx_data(const struct nlmsghdr *nlh, void *data)
{
	struct exchange *x = data;
	int err;

	if (nlh->nlmsg_type != x->type || !x->cb)
	{
		return MNL_CB_OK;
	}
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
	{
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	err = x->cb(nlh, x->data);
	if (err < 0)
	{
		x->cb_err = err;
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static mnl_cb_t rx_ctl[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = rx_error,
	[NLMSG_DONE] = rx_done,
};

/**
 * After a failure in the middle of a multi-part reply, read the rest of it
 * so that the next request does not see stale messages.
 */
static void drain(gresec_genl_t *nl, uint32_t seq, ssize_t n)
{
	const struct nlmsghdr *nlh;
	int len;

	for (;;)
	{
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->rbuf; mnl_nlmsg_ok(nlh, len);
			 nlh = mnl_nlmsg_next(nlh, &len))
		{
			if (nlh->nlmsg_seq == seq && (nlh->nlmsg_type == NLMSG_DONE ||
										  nlh->nlmsg_type == NLMSG_ERROR))
			{
				return;
			}
			if (!(nlh->nlmsg_flags & NLM_F_MULTI))
			{
				return;
			}
		}
		do
		{
			n = mnl_socket_recvfrom(nl->nl, nl->rbuf, RBUF_SIZE);
		}
		while (n < 0 && errno == EINTR);
		if (n <= 0)
		{
			return;
		}
	}
}

/**
 * Send the request in sbuf and process its replies.  Dumps interrupted by
 * concurrent changes (NLM_F_DUMP_INTR, which libmnl reports as EINTR) are
 * restarted.
 */
static int exchange(gresec_genl_t *nl, struct nlmsghdr *req, msg_cb_t cb,
					void *data)
{
	struct exchange x = {
		.nl = nl, .type = req->nlmsg_type, .cb = cb, .data = data,
	};
	bool dump = req->nlmsg_flags & NLM_F_DUMP;
	int attempt, ret, err = 0;
	ssize_t n;

	if (!dump)
	{
		req->nlmsg_flags |= NLM_F_ACK;
	}
	nl->errmsg[0] = '\0';
	for (attempt = 0; attempt < DUMP_RETRIES; attempt++)
	{
		req->nlmsg_seq = ++nl->seq;
		if (mnl_socket_sendto(nl->nl, req, req->nlmsg_len) < 0)
		{
			err = -errno;
			break;
		}
		for (;;)
		{
			n = mnl_socket_recvfrom(nl->nl, nl->rbuf, RBUF_SIZE);
			if (n < 0 && errno == EINTR)
			{
				continue;
			}
			if (n <= 0)
			{
				err = n < 0 ? -errno : -ECONNRESET;
				break;
			}
			errno = 0;
			x.cb_err = 0;
			ret = mnl_cb_run2(nl->rbuf, n, req->nlmsg_seq, nl->portid,
							  rx_data, &x, rx_ctl, NLMSG_MIN_TYPE);
			if (ret == MNL_CB_STOP)
			{
				err = 0;
				break;
			}
			if (ret < 0)
			{
				err = x.cb_err ?: (errno ? -errno : -EPROTO);
				if (x.cb_err || err == -EINTR)
				{
					drain(nl, req->nlmsg_seq, n);
				}
				break;
			}
		}
		if (!dump || err != -EINTR)
		{
			break;
		}
	}
	if (dump && err == -EINTR)
	{
		set_errmsg(nl, "%s", "dump interrupted by concurrent changes too often");
	}
	/* requests may hold key material */
	explicit_bzero(nl->sbuf, sizeof(nl->sbuf));
	return err;
}

static struct nlmsghdr *msg_start(gresec_genl_t *nl, uint16_t type,
								  uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(nl->sbuf, 0, sizeof(nl->sbuf));
	nlh = mnl_nlmsg_put_header(nl->sbuf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

#define PUT(kind, nlh, type, val) \
	do { \
		if (!mnl_attr_put_##kind##_check(nlh, SBUF_SIZE, type, val)) \
		{ \
			explicit_bzero(nl->sbuf, sizeof(nl->sbuf)); \
			return -EMSGSIZE; \
		} \
	} while (0)

/* ---- family resolution ---- */

struct family {
	const char *group_name;
	uint16_t id;
	uint32_t group;
	char name[GENL_NAMSIZ];
};

static int family_group(const struct nlattr *a, void *data)
{
	struct family *f = data;
	const struct nlattr *g;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(g, a)
	{
		switch (mnl_attr_get_type(g))
		{
			case CTRL_ATTR_MCAST_GRP_NAME:
				if (mnl_attr_validate(g, MNL_TYPE_NUL_STRING) >= 0)
				{
					name = mnl_attr_get_str(g);
				}
				break;
			case CTRL_ATTR_MCAST_GRP_ID:
				if (mnl_attr_validate(g, MNL_TYPE_U32) >= 0)
				{
					id = mnl_attr_get_u32(g);
				}
				break;
		}
	}
	if (name && !strcmp(name, f->group_name))
	{
		f->group = id;
	}
	return MNL_CB_OK;
}

static int family_attr(const struct nlattr *a, void *data)
{
	struct family *f = data;

	switch (mnl_attr_get_type(a))
	{
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			{
				f->id = mnl_attr_get_u16(a);
			}
			break;
		case CTRL_ATTR_FAMILY_NAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			{
				snprintf(f->name, sizeof(f->name), "%s", mnl_attr_get_str(a));
			}
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
			{
				mnl_attr_parse_nested(a, family_group, f);
			}
			break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family *f = data, reply = { .group_name = f->group_name };

	mnl_attr_parse(nlh, GENL_HDRLEN, family_attr, &reply);
	/* an event socket may see nlctrl notifications of other families */
	if (!strcmp(reply.name, f->name))
	{
		*f = reply;
	}
	return 0;
}

static int get_family(gresec_genl_t *nl, const char *name, struct family *f)
{
	struct nlmsghdr *nlh;
	int err;

	snprintf(f->name, sizeof(f->name), "%s", name);
	nlh = msg_start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	PUT(strz, nlh, CTRL_ATTR_FAMILY_NAME, name);
	err = exchange(nl, nlh, family_cb, f);
	if (!err && !f->id)
	{
		err = -ENOENT;
	}
	return err;
}

int gresec_genl_resolve(gresec_genl_t *nl)
{
	struct family f = { .group_name = GRESEC_MCGRP_EVENTS };
	int err;

	err = get_family(nl, GRESEC_FAMILY_NAME, &f);
	if (err)
	{
		nl->family = 0;
		nl->events_group = 0;
		if (err == -ENOENT)
		{
			set_errmsg(nl, "generic netlink family \"%s\" not found (is the "
					   "gresec module loaded?)", GRESEC_FAMILY_NAME);
		}
		return err;
	}
	nl->family = f.id;
	nl->events_group = f.group;
	return 0;
}

static int socket_open(gresec_genl_t **out)
{
	gresec_genl_t *nl;
	int one = 1, err;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
	{
		return -ENOMEM;
	}
	nl->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->nl)
	{
		err = -errno;
		free(nl);
		return err;
	}
	/* best effort, older kernels lack some of these */
	mnl_socket_setsockopt(nl->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (mnl_socket_bind(nl->nl, 0, MNL_SOCKET_AUTOPID) < 0)
	{
		err = -errno;
		gresec_genl_close(nl);
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->nl);
	nl->seq = (uint32_t)time(NULL);
	*out = nl;
	return 0;
}

int gresec_genl_open(gresec_genl_t **out)
{
	return socket_open(out);
}

/** join gresec's events group, leaving the one joined before if it moved */
static int events_join(gresec_genl_t *nl)
{
	int group;

	if (nl->joined_group == nl->events_group)
	{
		return 0;
	}
	if (nl->joined_group)
	{
		group = (int)nl->joined_group;
		mnl_socket_setsockopt(nl->nl, NETLINK_DROP_MEMBERSHIP, &group,
							  sizeof(group));
		nl->joined_group = 0;
	}
	if (!nl->events_group)
	{
		return 0;
	}
	group = (int)nl->events_group;
	if (mnl_socket_setsockopt(nl->nl, NETLINK_ADD_MEMBERSHIP, &group,
							  sizeof(group)) < 0)
	{
		set_errmsg(nl, "joining gresec's \"%s\" group failed",
				   GRESEC_MCGRP_EVENTS);
		return -errno;
	}
	nl->joined_group = nl->events_group;
	return 0;
}

int gresec_genl_open_events(gresec_genl_t **out)
{
	struct family ctrl = { .group_name = "notify" };
	gresec_genl_t *nl;
	int group, rcvbuf = 1 << 20, err;

	err = socket_open(&nl);
	if (err)
	{
		return err;
	}
	nl->events = true;
	/* a larger buffer loses fewer events in bursts (best effort) */
	setsockopt(mnl_socket_get_fd(nl->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	err = get_family(nl, "nlctrl", &ctrl);
	if (!err && ctrl.group)
	{
		group = (int)ctrl.group;
		if (mnl_socket_setsockopt(nl->nl, NETLINK_ADD_MEMBERSHIP, &group,
								  sizeof(group)) == 0)
		{
			nl->ctrl_notify_group = ctrl.group;
		}
	}
	/* the module may not be loaded yet: then NEWFAMILY tells us later */
	if (gresec_genl_resolve(nl) == 0)
	{
		err = events_join(nl);
		if (err)
		{
			gresec_genl_close(nl);
			return err;
		}
	}
	*out = nl;
	return 0;
}

void gresec_genl_close(gresec_genl_t *nl)
{
	if (!nl)
	{
		return;
	}
	if (nl->nl)
	{
		mnl_socket_close(nl->nl);
	}
	explicit_bzero(nl->sbuf, sizeof(nl->sbuf));
	free(nl);
}

int gresec_genl_fd(gresec_genl_t *nl)
{
	return mnl_socket_get_fd(nl->nl);
}

const char *gresec_genl_errmsg(gresec_genl_t *nl)
{
	return nl->errmsg;
}

/** resolve the family on first use */
static int ready(gresec_genl_t *nl)
{
	return nl->family ? 0 : gresec_genl_resolve(nl);
}

/* ---- replies ---- */

static int u32_of(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
	{
		return -EPROTO;
	}
	*v = mnl_attr_get_u32(a);
	return 0;
}

static int u64_of(const struct nlattr *a, uint64_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
	{
		return -EPROTO;
	}
	*v = mnl_attr_get_u64(a);
	return 0;
}

static int sa_stats_attr(const struct nlattr *a, void *data)
{
	gresec_genl_sa_t *sa = data;

	switch (mnl_attr_get_type(a))
	{
		case GRESEC_SA_STATS_A_PACKETS:
			return u64_of(a, &sa->packets) ? MNL_CB_ERROR : MNL_CB_OK;
		case GRESEC_SA_STATS_A_BYTES:
			return u64_of(a, &sa->bytes) ? MNL_CB_ERROR : MNL_CB_OK;
		default:
			return MNL_CB_OK;
	}
}

static int sa_attr(const struct nlattr *a, void *data)
{
	gresec_genl_sa_t *sa = data;
	int err = 0;

	switch (mnl_attr_get_type(a))
	{
		case GRESEC_SA_A_SPI:
			err = u32_of(a, &sa->spi);
			break;
		case GRESEC_SA_A_DIR:
			err = u32_of(a, &sa->dir);
			break;
		case GRESEC_SA_A_STATE:
			err = u32_of(a, &sa->state);
			break;
		case GRESEC_SA_A_EVENT:
			err = u32_of(a, &sa->event);
			break;
		case GRESEC_SA_A_REQID:
			err = u32_of(a, &sa->reqid);
			break;
		case GRESEC_SA_A_AGE:
			err = u64_of(a, &sa->age);
			break;
		case GRESEC_SA_A_IDLE:
			err = u64_of(a, &sa->idle);
			sa->used = !err;
			break;
		case GRESEC_SA_A_ENCAP_PEER_ADDR:
			err = u32_of(a, &sa->encap_peer_addr);
			break;
		case GRESEC_SA_A_ENCAP_PEER_PORT:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			{
				err = -EPROTO;
				break;
			}
			sa->encap_peer_port = mnl_attr_get_u16(a);
			break;
		case GRESEC_SA_A_STATS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
				mnl_attr_parse_nested(a, sa_stats_attr, sa) < 0)
			{
				err = -EPROTO;
			}
			break;
		default:
			/* newer attributes, PAD */
			break;
	}
	return err ? MNL_CB_ERROR : MNL_CB_OK;
}

struct sa_walk {
	int (*cb)(const gresec_genl_sa_t *sa, void *data);
	void *data;
	uint32_t ifindex;
	bool stopped;
};

static int sa_msg_attr(const struct nlattr *a, void *data)
{
	struct sa_walk *w = data;
	gresec_genl_sa_t sa = { .ifindex = w->ifindex };

	switch (mnl_attr_get_type(a))
	{
		case GRESEC_A_IFINDEX:
			return u32_of(a, &w->ifindex) ? MNL_CB_ERROR : MNL_CB_OK;
		case GRESEC_A_SA:
			if (w->stopped)
			{
				return MNL_CB_OK;
			}
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
				mnl_attr_parse_nested(a, sa_attr, &sa) < 0)
			{
				return MNL_CB_ERROR;
			}
			if (w->cb(&sa, w->data))
			{
				w->stopped = true;
			}
			return MNL_CB_OK;
		default:
			return MNL_CB_OK;
	}
}

/** the messages of SA_GET and SA_NTF: IFINDEX, IFNAME, SA nests */
static int sa_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sa_walk *w = data;

	/* IFINDEX comes first in every message the kernel sends */
	if (mnl_attr_parse(nlh, GENL_HDRLEN, sa_msg_attr, w) < 0)
	{
		return -EPROTO;
	}
	return 0;
}

static int tunnel_attr(const struct nlattr *a, void *data)
{
	gresec_genl_tunnel_t *t = data;

	switch (mnl_attr_get_type(a))
	{
		case GRESEC_A_IFINDEX:
			return u32_of(a, &t->ifindex) ? MNL_CB_ERROR : MNL_CB_OK;
		case GRESEC_A_LOCAL:
			return u32_of(a, &t->local) ? MNL_CB_ERROR : MNL_CB_OK;
		case GRESEC_A_REMOTE:
			return u32_of(a, &t->remote) ? MNL_CB_ERROR : MNL_CB_OK;
		case GRESEC_A_IF_ID:
			return u32_of(a, &t->if_id) ? MNL_CB_ERROR : MNL_CB_OK;
		case GRESEC_A_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			{
				return MNL_CB_ERROR;
			}
			snprintf(t->ifname, sizeof(t->ifname), "%s", mnl_attr_get_str(a));
			return MNL_CB_OK;
		default:
			return MNL_CB_OK;
	}
}

struct tunnel_list {
	gresec_genl_tunnel_t *t;
	size_t count;
	size_t cap;
};

static int tunnel_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tunnel_list *l = data;
	gresec_genl_tunnel_t t = { 0 }, *grown;
	size_t i;

	if (mnl_attr_parse(nlh, GENL_HDRLEN, tunnel_attr, &t) < 0 || !t.ifindex)
	{
		return -EPROTO;
	}
	/* a restarted dump repeats tunnels */
	for (i = 0; i < l->count; i++)
	{
		if (l->t[i].ifindex == t.ifindex)
		{
			l->t[i] = t;
			return 0;
		}
	}
	if (l->count == l->cap)
	{
		l->cap = l->cap ? 2 * l->cap : 8;
		grown = realloc(l->t, l->cap * sizeof(*l->t));
		if (!grown)
		{
			return -ENOMEM;
		}
		l->t = grown;
	}
	l->t[l->count++] = t;
	return 0;
}

/* ---- commands ---- */

static struct nlmsghdr *gresec_msg(gresec_genl_t *nl, uint8_t cmd,
								   uint16_t flags)
{
	return msg_start(nl, nl->family, cmd, GRESEC_FAMILY_VERSION, flags);
}

/**
 * Run a gresec request built by fill(); if the family vanished since it was
 * resolved (the module was reloaded), resolve it again and retry once.
 */
static int request(gresec_genl_t *nl,
				   int (*fill)(gresec_genl_t *nl, void *args), void *args,
				   msg_cb_t cb, void *data)
{
	int err, attempt;

	for (attempt = 0; attempt < 2; attempt++)
	{
		err = ready(nl);
		if (err)
		{
			return err;
		}
		err = fill(nl, args);
		if (err)
		{
			return err;
		}
		err = exchange(nl, (struct nlmsghdr *)nl->sbuf, cb, data);
		/* an unknown family id: genetlink answers ENOENT, no message */
		if (err != -ENOENT || nl->errmsg[0])
		{
			return err;
		}
		if (gresec_genl_resolve(nl))
		{
			return err;
		}
	}
	return err;
}

static int fill_tunnel_dump(gresec_genl_t *nl, void *args)
{
	gresec_msg(nl, GRESEC_CMD_TUNNEL_GET, NLM_F_DUMP);
	return 0;
}

int gresec_genl_tunnels(gresec_genl_t *nl, gresec_genl_tunnel_t **tunnels,
						size_t *count)
{
	struct tunnel_list l = { 0 };
	int err;

	err = request(nl, fill_tunnel_dump, NULL, tunnel_cb, &l);
	if (err)
	{
		free(l.t);
		return err;
	}
	*tunnels = l.t;
	*count = l.count;
	return 0;
}

struct sa_args {
	uint32_t ifindex;
	uint32_t dir;
	uint32_t spi;
	uint16_t flags;
	uint8_t cmd;
	const gresec_genl_sa_new_t *sa;
};

static int fill_sa(gresec_genl_t *nl, void *data)
{
	struct sa_args *a = data;
	const gresec_genl_sa_new_t *sa = a->sa;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = gresec_msg(nl, a->cmd, a->flags);
	PUT(u32, nlh, GRESEC_A_IFINDEX, a->ifindex);
	if (!a->dir && !a->spi && !sa)
	{	/* a dump of all SAs */
		return 0;
	}
	nest = mnl_attr_nest_start_check(nlh, SBUF_SIZE, GRESEC_A_SA);
	if (!nest)
	{
		return -EMSGSIZE;
	}
	if (a->spi)
	{
		PUT(u32, nlh, GRESEC_SA_A_SPI, a->spi);
	}
	if (a->dir)
	{
		PUT(u32, nlh, GRESEC_SA_A_DIR, a->dir);
	}
	if (sa)
	{
		PUT(u32, nlh, GRESEC_SA_A_PROPOSAL, sa->proposal);
		PUT(u32, nlh, GRESEC_SA_A_REPLAY_WINDOW, sa->replay_window);
		if (sa->esn &&
			!mnl_attr_put_check(nlh, SBUF_SIZE, GRESEC_SA_A_ESN, 0, NULL))
		{
			return -EMSGSIZE;
		}
		if (!mnl_attr_put_check(nlh, SBUF_SIZE, GRESEC_SA_A_KEY, sa->key_len,
								sa->key) ||
			(sa->auth_key &&
			 !mnl_attr_put_check(nlh, SBUF_SIZE, GRESEC_SA_A_AUTH_KEY,
								 sa->auth_key_len, sa->auth_key)))
		{
			explicit_bzero(nl->sbuf, sizeof(nl->sbuf));
			return -EMSGSIZE;
		}
#define LIFETIME(attr, field) \
		if (sa->field) \
		{ \
			PUT(u64, nlh, attr, sa->field); \
		}
		LIFETIME(GRESEC_SA_A_SOFT_BYTES, soft_bytes)
		LIFETIME(GRESEC_SA_A_HARD_BYTES, hard_bytes)
		LIFETIME(GRESEC_SA_A_SOFT_PACKETS, soft_packets)
		LIFETIME(GRESEC_SA_A_HARD_PACKETS, hard_packets)
		LIFETIME(GRESEC_SA_A_SOFT_TIME, soft_time)
		LIFETIME(GRESEC_SA_A_HARD_TIME, hard_time)
#undef LIFETIME
		if (sa->reqid)
		{
			PUT(u32, nlh, GRESEC_SA_A_REQID, sa->reqid);
		}
		if (sa->encap_sport)
		{
			PUT(u32, nlh, GRESEC_SA_A_ENCAP, GRESEC_ENCAP_UDP);
			PUT(u16, nlh, GRESEC_SA_A_ENCAP_SPORT, sa->encap_sport);
			PUT(u16, nlh, GRESEC_SA_A_ENCAP_DPORT, sa->encap_dport);
			if (sa->encap_peer_addr)
			{
				PUT(u32, nlh, GRESEC_SA_A_ENCAP_PEER_ADDR,
					sa->encap_peer_addr);
			}
		}
		if (sa->mode)
		{
			PUT(u32, nlh, GRESEC_SA_A_MODE, sa->mode);
		}
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int gresec_genl_sas(gresec_genl_t *nl, uint32_t ifindex, uint32_t dir,
					int (*cb)(const gresec_genl_sa_t *sa, void *data),
					void *data)
{
	struct sa_args a = {
		.ifindex = ifindex, .dir = dir,
		.cmd = GRESEC_CMD_SA_GET, .flags = NLM_F_DUMP,
	};
	struct sa_walk w = { .cb = cb, .data = data, .ifindex = ifindex };

	return request(nl, fill_sa, &a, sa_msg_cb, &w);
}

static int sa_copy(const gresec_genl_sa_t *sa, void *data)
{
	*(gresec_genl_sa_t *)data = *sa;
	return 1;
}

int gresec_genl_sa_get(gresec_genl_t *nl, uint32_t ifindex, uint32_t dir,
					   uint32_t spi, gresec_genl_sa_t *sa)
{
	struct sa_args a = {
		.ifindex = ifindex, .dir = dir, .spi = spi, .cmd = GRESEC_CMD_SA_GET,
	};
	struct sa_walk w = { .cb = sa_copy, .data = sa, .ifindex = ifindex };

	memset(sa, 0, sizeof(*sa));
	return request(nl, fill_sa, &a, sa_msg_cb, &w);
}

int gresec_genl_sa_new(gresec_genl_t *nl, uint32_t ifindex,
					   const gresec_genl_sa_new_t *sa)
{
	struct sa_args a = {
		.ifindex = ifindex, .dir = sa->dir, .spi = sa->spi, .sa = sa,
		.cmd = GRESEC_CMD_SA_NEW,
	};

	return request(nl, fill_sa, &a, NULL, NULL);
}

int gresec_genl_sa_del(gresec_genl_t *nl, uint32_t ifindex, uint32_t dir,
					   uint32_t spi)
{
	struct sa_args a = {
		.ifindex = ifindex, .dir = dir, .spi = spi, .cmd = GRESEC_CMD_SA_DEL,
	};

	return request(nl, fill_sa, &a, NULL, NULL);
}

struct spi_args {
	uint32_t ifindex;
	uint32_t min;
	uint32_t max;
};

static int fill_spi_alloc(gresec_genl_t *nl, void *data)
{
	struct spi_args *a = data;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = gresec_msg(nl, GRESEC_CMD_SPI_ALLOC, 0);
	PUT(u32, nlh, GRESEC_A_IFINDEX, a->ifindex);
	nest = mnl_attr_nest_start_check(nlh, SBUF_SIZE, GRESEC_A_SA);
	if (!nest)
	{
		return -EMSGSIZE;
	}
	PUT(u32, nlh, GRESEC_SA_A_SPI_MIN, a->min);
	PUT(u32, nlh, GRESEC_SA_A_SPI_MAX, a->max);
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int gresec_genl_spi_alloc(gresec_genl_t *nl, uint32_t ifindex, uint32_t min,
						  uint32_t max, uint32_t *spi)
{
	struct spi_args a = { .ifindex = ifindex, .min = min, .max = max };
	gresec_genl_sa_t sa = { 0 };
	struct sa_walk w = { .cb = sa_copy, .data = &sa, .ifindex = ifindex };
	int err;

	err = request(nl, fill_spi_alloc, &a, sa_msg_cb, &w);
	if (!err && !sa.spi)
	{
		err = -EPROTO;
	}
	*spi = sa.spi;
	return err;
}

/* ---- events ---- */

/** nlctrl NEWFAMILY/DELFAMILY: follow the gresec family's events group */
static void ctrl_event(gresec_genl_t *nl, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct family f = { .group_name = GRESEC_MCGRP_EVENTS };

	mnl_attr_parse(nlh, GENL_HDRLEN, family_attr, &f);
	if (strcmp(f.name, GRESEC_FAMILY_NAME))
	{
		return;
	}
	switch (g->cmd)
	{
		case CTRL_CMD_NEWFAMILY:
			nl->family = f.id;
			nl->events_group = f.group;
			break;
		case CTRL_CMD_DELFAMILY:
			nl->family = 0;
			nl->events_group = 0;
			/* the kernel dropped the membership with the group */
			nl->joined_group = 0;
			break;
		default:
			return;
	}
	events_join(nl);
}

int gresec_genl_events_read(gresec_genl_t *nl,
							void (*cb)(const gresec_genl_sa_t *sa, void *data),
							void (*acq)(const gresec_genl_tunnel_t *t,
										void *data),
							void *data)
{
	const struct nlmsghdr *nlh;
	const struct genlmsghdr *g;
	struct sockaddr_nl addr;
	socklen_t addr_len;
	ssize_t n;
	int len;

	for (;;)
	{
		addr_len = sizeof(addr);
		n = recvfrom(mnl_socket_get_fd(nl->nl), nl->rbuf, RBUF_SIZE,
					 MSG_DONTWAIT, (struct sockaddr *)&addr, &addr_len);
		if (n < 0)
		{
			if (errno == EINTR)
			{
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
			{
				return 0;
			}
			return -errno;
		}
		if (addr.nl_pid != 0)
		{	/* not from the kernel */
			continue;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->rbuf; mnl_nlmsg_ok(nlh, len);
			 nlh = mnl_nlmsg_next(nlh, &len))
		{
			if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
			{
				continue;
			}
			g = mnl_nlmsg_get_payload(nlh);
			if (nlh->nlmsg_type == GENL_ID_CTRL)
			{
				ctrl_event(nl, nlh);
			}
			else if (nl->family && nlh->nlmsg_type == nl->family &&
					 g->cmd == GRESEC_CMD_SA_NTF)
			{
				struct sa_walk w = { .cb = NULL };
				gresec_genl_sa_t sa = { 0 };

				w.cb = sa_copy;
				w.data = &sa;
				/* a malformed notification is skipped, not fatal */
				if (sa_msg_cb(nlh, &w) == 0 && w.stopped)
				{
					sa.ifindex = w.ifindex;
					cb(&sa, data);
				}
			}
			else if (nl->family && nlh->nlmsg_type == nl->family &&
					 g->cmd == GRESEC_CMD_ACQUIRE_NTF)
			{
				gresec_genl_tunnel_t t = { 0 };

				if (mnl_attr_parse(nlh, GENL_HDRLEN, tunnel_attr, &t) >= 0 &&
					t.ifindex)
				{
					acq(&t, data);
				}
			}
		}
	}
}
