// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink client of the "gresec" family on libmnl; see ipc.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ipc.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

/* Requests are small; replies up to the kernel's 32 KiB dump skbs. */
#define SBUF_SIZE 4096
#define RBUF_SIZE 65536
/* Give up on a dump that keeps being interrupted by changes. */
#define DUMP_RETRIES 16

struct ipc {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint32_t version;
	uint32_t events_group;		/* 0: none advertised */
	char *sbuf, *rbuf;
	/* Extended ACK of the last failed request. */
	char errmsg[256];
	unsigned int err_top;		/* offending/missing attribute, 0: none */
	int err_nested;			/* inside an SA nest, -1: not */
	bool err_missing;
};

/* One request/reply exchange. */
struct rx_ctx {
	struct ipc *ipc;
	const struct nlmsghdr *req;
	uint16_t type;			/* nlmsg_type of data messages */
	int (*cb)(const struct nlmsghdr *nlh, void *data);
	void *data;
	bool finished;			/* saw the ACK, error or DONE */
};

/* ---- extended ACK ---- */

/* Which attribute of req is at offs (bytes from the start of req)? */
static void locate_attr(struct ipc *ipc, const struct nlmsghdr *req,
			uint32_t offs)
{
	const char *base = (const char *)req;
	const struct nlattr *a, *n;

	if (!req || offs >= req->nlmsg_len)
		return;
	mnl_attr_for_each(a, req, GENL_HDRLEN) {
		uint32_t start = (const char *)a - base;

		if (offs < start || offs >= start + a->nla_len)
			continue;
		ipc->err_top = mnl_attr_get_type(a);
		ipc->err_nested = -1;
		if (ipc->err_top != GRESEC_A_SA)
			return;
		mnl_attr_for_each_nested(n, a) {
			uint32_t s = (const char *)n - base;

			if (offs >= s && offs < s + n->nla_len)
				ipc->err_nested = mnl_attr_get_type(n);
		}
		return;
	}
}

struct ext_ack {
	const char *msg;
	bool have_offs, have_miss_type, have_miss_nest;
	uint32_t offs, miss_type, miss_nest;
};

static int ext_ack_attr(const struct nlattr *a, void *data)
{
	struct ext_ack *e = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			e->msg = mnl_attr_get_str(a);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0) {
			e->offs = mnl_attr_get_u32(a);
			e->have_offs = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0) {
			e->miss_type = mnl_attr_get_u32(a);
			e->have_miss_type = true;
		}
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0) {
			e->miss_nest = mnl_attr_get_u32(a);
			e->have_miss_nest = true;
		}
		break;
	}
	return MNL_CB_OK;
}

/* Parse the TLVs that start tlv_offs bytes into the payload of nlh. */
static void parse_ext_ack(struct rx_ctx *c, const struct nlmsghdr *nlh,
			  size_t tlv_offs, int error)
{
	struct ipc *ipc = c->ipc;
	struct ext_ack e = { 0 };

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    MNL_ALIGN(tlv_offs) > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, tlv_offs, ext_ack_attr, &e);
	if (!error) {
		/* An ACK may carry a warning. */
		if (e.msg && *e.msg)
			fprintf(stderr, "gresec: warning: %s\n", e.msg);
		return;
	}
	if (e.msg) {
		/* NL_SET_ERR_MSG_MOD prefixes the module name: we print ours. */
		if (!strncmp(e.msg, GRESEC_FAMILY_NAME ": ",
			     strlen(GRESEC_FAMILY_NAME ": ")))
			e.msg += strlen(GRESEC_FAMILY_NAME ": ");
		snprintf(ipc->errmsg, sizeof(ipc->errmsg), "%s", e.msg);
	}
	if (e.have_miss_type) {
		ipc->err_missing = true;
		ipc->err_nested = -1;
		ipc->err_top = e.miss_type;
		if (e.have_miss_nest) {
			locate_attr(ipc, c->req, e.miss_nest);
			if (ipc->err_top == GRESEC_A_SA)
				ipc->err_nested = (int)e.miss_type;
			else
				ipc->err_top = e.miss_type;
		}
	} else if (e.have_offs) {
		locate_attr(ipc, c->req, e.offs);
	}
}

static int rx_error(const struct nlmsghdr *nlh, void *data)
{
	struct rx_ctx *c = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t tlv_offs;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	c->finished = true;
	/* The original request is echoed unless capped (NETLINK_CAP_ACK). */
	tlv_offs = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		tlv_offs += err->msg.nlmsg_len - sizeof(err->msg);
	parse_ext_ack(c, nlh, tlv_offs, err->error);
	if (!err->error)
		return MNL_CB_STOP;
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

static int rx_done(const struct nlmsghdr *nlh, void *data)
{
	struct rx_ctx *c = data;
	int error = 0;

	c->finished = true;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(int));
	if (error < 0) {
		parse_ext_ack(c, nlh, sizeof(int), error);
		errno = -error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int rx_data(const struct nlmsghdr *nlh, void *data)
{
	struct rx_ctx *c = data;
	int err;

	if (c->type && nlh->nlmsg_type != c->type)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!c->cb)
		return MNL_CB_OK;
	err = c->cb(nlh, c->data);
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static mnl_cb_t rx_ctl[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = rx_error,
	[NLMSG_DONE] = rx_done,
};

/*
 * After a failure in the middle of a reply stream (a callback error or
 * NLM_F_DUMP_INTR, on which libmnl stops at once), read and discard the
 * rest of it so that the socket can be used again.
 */
static void rx_drain(struct ipc *ipc, uint32_t seq, ssize_t n)
{
	const struct nlmsghdr *nlh;
	int len;

	for (;;) {
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)ipc->rbuf;
		     mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_seq == seq &&
			    (nlh->nlmsg_type == NLMSG_DONE ||
			     nlh->nlmsg_type == NLMSG_ERROR))
				return;
		do
			n = mnl_socket_recvfrom(ipc->nl, ipc->rbuf, RBUF_SIZE);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return;
	}
}

static int rx_run(struct ipc *ipc, struct rx_ctx *c, uint32_t seq)
{
	ssize_t n;
	int ret;

	for (;;) {
		n = mnl_socket_recvfrom(ipc->nl, ipc->rbuf, RBUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		errno = 0;
		ret = mnl_cb_run2(ipc->rbuf, n, seq, ipc->portid, rx_data, c,
				  rx_ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0) {
			int err = errno ? -errno : -EPROTO;

			if (!c->finished)
				rx_drain(ipc, seq, n);
			return err;
		}
	}
}

/* ---- requests ---- */

static struct nlmsghdr *msg_start(struct ipc *ipc, uint16_t type, uint8_t cmd,
				  uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(ipc->sbuf, 0, SBUF_SIZE);
	nlh = mnl_nlmsg_put_header(ipc->sbuf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static struct nlmsghdr *gs_msg(struct ipc *ipc, uint8_t cmd, uint16_t flags)
{
	return msg_start(ipc, ipc->family, cmd, GRESEC_FAMILY_VERSION, flags);
}

/*
 * Send req and process the replies with cb until the ACK (do) or DONE
 * (dump).  A dump interrupted by a concurrent change is restarted from
 * scratch after restart(data) reset what cb collected.
 */
static int ipc_exchange(struct ipc *ipc, struct nlmsghdr *req,
			int (*cb)(const struct nlmsghdr *, void *), void *data,
			void (*restart)(void *))
{
	bool dump = req->nlmsg_flags & NLM_F_DUMP;
	struct rx_ctx c = {
		.ipc = ipc, .req = req, .type = req->nlmsg_type,
		.cb = cb, .data = data,
	};
	int attempt, err = 0;

	if (!dump)
		req->nlmsg_flags |= NLM_F_ACK;
	ipc->errmsg[0] = '\0';
	ipc->err_top = 0;
	ipc->err_nested = -1;
	ipc->err_missing = false;

	for (attempt = 0; attempt < DUMP_RETRIES; attempt++) {
		req->nlmsg_seq = ++ipc->seq;
		c.finished = false;
		if (mnl_socket_sendto(ipc->nl, req, req->nlmsg_len) < 0) {
			err = -errno;
			break;
		}
		err = rx_run(ipc, &c, req->nlmsg_seq);
		if (!dump || err != -EINTR)
			break;
		if (restart)
			restart(data);
	}
	if (dump && err == -EINTR)
		snprintf(ipc->errmsg, sizeof(ipc->errmsg),
			 "dump interrupted by concurrent changes %d times in a row",
			 DUMP_RETRIES);
	/* Requests may hold key material. */
	explicit_bzero(ipc->sbuf, SBUF_SIZE);
	return err;
}

#define PUT(kind, nlh, type, val)						\
	do {									\
		if (!mnl_attr_put_##kind##_check(nlh, SBUF_SIZE, type, val))	\
			return -EMSGSIZE;					\
	} while (0)

/* ---- family resolution ---- */

struct family_info {
	uint16_t id;
	uint32_t version;
	uint32_t events_group;
};

static int mcgrp_attr(const struct nlattr *a, void *data)
{
	const struct nlattr *g;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(g, a) {
		switch (mnl_attr_get_type(g)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(g, MNL_TYPE_NUL_STRING) >= 0)
				name = mnl_attr_get_str(g);
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(g, MNL_TYPE_U32) >= 0)
				id = mnl_attr_get_u32(g);
			break;
		}
	}
	if (name && !strcmp(name, GRESEC_MCGRP_EVENTS))
		((struct family_info *)data)->events_group = id;
	return MNL_CB_OK;
}

static int family_attr(const struct nlattr *a, void *data)
{
	struct family_info *f = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			f->id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			f->version = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(a, mcgrp_attr, f);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, GENL_HDRLEN, family_attr, data);
	return 0;
}

static int resolve_family(struct ipc *ipc)
{
	struct family_info f = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = msg_start(ipc, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	PUT(strz, nlh, CTRL_ATTR_FAMILY_NAME, GRESEC_FAMILY_NAME);
	err = ipc_exchange(ipc, nlh, family_cb, &f, NULL);
	if (err)
		return err;
	if (!f.id)
		return -ENOENT;
	ipc->family = f.id;
	ipc->version = f.version;
	ipc->events_group = f.events_group;
	return 0;
}

int ipc_open(struct ipc **out)
{
	struct ipc *ipc;
	int one = 1, err;

	*out = NULL;
	ipc = calloc(1, sizeof(*ipc));
	if (!ipc)
		return -ENOMEM;
	ipc->sbuf = calloc(1, SBUF_SIZE);
	ipc->rbuf = malloc(RBUF_SIZE);
	ipc->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!ipc->sbuf || !ipc->rbuf || !ipc->nl) {
		err = ipc->nl ? -ENOMEM : -errno;
		goto fail;
	}
	/* Best effort: older kernels lack some of these. */
	mnl_socket_setsockopt(ipc->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(ipc->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(ipc->nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (mnl_socket_bind(ipc->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	ipc->portid = mnl_socket_get_portid(ipc->nl);
	ipc->seq = (uint32_t)time(NULL);
	err = resolve_family(ipc);
	if (err)
		goto fail;
	*out = ipc;
	return 0;
fail:
	ipc_close(ipc);
	return err;
}

void ipc_close(struct ipc *ipc)
{
	if (!ipc)
		return;
	if (ipc->nl)
		mnl_socket_close(ipc->nl);
	if (ipc->sbuf)
		explicit_bzero(ipc->sbuf, SBUF_SIZE);
	free(ipc->sbuf);
	free(ipc->rbuf);
	free(ipc);
}

uint32_t ipc_family_version(const struct ipc *ipc)
{
	return ipc->version;
}

/* ---- reply parsing into the model ---- */

#define BAD_REPLY() do { errno = EPROTO; return MNL_CB_ERROR; } while (0)

/* A fixed-width attribute into whichever of @u8, @u32, @u64 is set. */
static int scalar_attr(const struct nlattr *a, uint8_t *u8, uint32_t *u32,
		       uint64_t *u64)
{
	if (u8) {
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			BAD_REPLY();
		*u8 = mnl_attr_get_u8(a);
	} else if (u32) {
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			BAD_REPLY();
		*u32 = mnl_attr_get_u32(a);
	} else if (u64) {
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			BAD_REPLY();
		*u64 = mnl_attr_get_u64(a);
	}
	return MNL_CB_OK;
}

static int u64_array_attr(const struct nlattr *a, uint64_t *v, unsigned int max,
			  unsigned int pad)
{
	unsigned int type = mnl_attr_get_type(a);

	/* Newer kernels may append counters: skip what we do not know. */
	if (type == pad || type > max)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		BAD_REPLY();
	v[type] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static int tunnel_stats_attr(const struct nlattr *a, void *data)
{
	return u64_array_attr(a, data, GRESEC_STATS_A_MAX, GRESEC_STATS_A_PAD);
}

static int sa_stats_attr(const struct nlattr *a, void *data)
{
	return u64_array_attr(a, data, GRESEC_SA_STATS_A_MAX,
			      GRESEC_SA_STATS_A_PAD);
}

static int sa_attr(const struct nlattr *a, void *data)
{
	struct gs_sa *sa = data;
	unsigned int type = mnl_attr_get_type(a);
	uint64_t *u64 = NULL;
	uint32_t *u32 = NULL;

	if (type > GRESEC_SA_A_MAX || type == GRESEC_SA_A_PAD)
		return MNL_CB_OK;
	switch (type) {
	case GRESEC_SA_A_SPI: u32 = &sa->spi; break;
	case GRESEC_SA_A_DIR: u32 = &sa->dir; break;
	case GRESEC_SA_A_PROPOSAL: u32 = &sa->proposal; break;
	case GRESEC_SA_A_REPLAY_WINDOW: u32 = &sa->replay_window; break;
	case GRESEC_SA_A_STATE: u32 = &sa->state; break;
	case GRESEC_SA_A_EVENT: u32 = &sa->event; break;
	case GRESEC_SA_A_SOFT_BYTES: u64 = &sa->soft_bytes; break;
	case GRESEC_SA_A_HARD_BYTES: u64 = &sa->hard_bytes; break;
	case GRESEC_SA_A_SOFT_PACKETS: u64 = &sa->soft_packets; break;
	case GRESEC_SA_A_HARD_PACKETS: u64 = &sa->hard_packets; break;
	case GRESEC_SA_A_SOFT_TIME: u64 = &sa->soft_time; break;
	case GRESEC_SA_A_HARD_TIME: u64 = &sa->hard_time; break;
	case GRESEC_SA_A_AGE: u64 = &sa->age; break;
	case GRESEC_SA_A_SEQ: u64 = &sa->seq; break;
	case GRESEC_SA_A_REQID: u32 = &sa->reqid; break;
	case GRESEC_SA_A_IDLE: u64 = &sa->idle; break;
	case GRESEC_SA_A_ENCAP: u32 = &sa->encap; break;
	case GRESEC_SA_A_ENCAP_PEER_ADDR: u32 = &sa->encap_peer_addr; break;
	case GRESEC_SA_A_MODE: u32 = &sa->mode; break;
	case GRESEC_SA_A_ENCAP_SPORT:
	case GRESEC_SA_A_ENCAP_DPORT:
	case GRESEC_SA_A_ENCAP_PEER_PORT:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			BAD_REPLY();
		*(type == GRESEC_SA_A_ENCAP_SPORT ? &sa->encap_sport :
		  type == GRESEC_SA_A_ENCAP_DPORT ? &sa->encap_dport :
		  &sa->encap_peer_port) = mnl_attr_get_u16(a);
		break;
	case GRESEC_SA_A_ESN:
		sa->esn = true;
		break;
	case GRESEC_SA_A_REPLAY_BITMAP: {
		uint16_t len = mnl_attr_get_payload_len(a);

		free(sa->replay_bitmap);
		sa->replay_bitmap = malloc(len ? len : 1);
		if (!sa->replay_bitmap) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		memcpy(sa->replay_bitmap, mnl_attr_get_payload(a), len);
		sa->replay_bitmap_len = len;
		break;
	}
	case GRESEC_SA_A_STATS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(a, sa_stats_attr, sa->stats) < 0)
			BAD_REPLY();
		break;
	case GRESEC_SA_A_KEY:
	case GRESEC_SA_A_AUTH_KEY: {
		/* Only in replies to a request with WITH_KEYS. */
		uint16_t len = mnl_attr_get_payload_len(a);
		bool auth = type == GRESEC_SA_A_AUTH_KEY;

		if (len > (auth ? sizeof(sa->auth_key) : sizeof(sa->key)))
			BAD_REPLY();
		memcpy(auth ? sa->auth_key : sa->key, mnl_attr_get_payload(a),
		       len);
		*(auth ? &sa->auth_key_len : &sa->key_len) = len;
		break;
	}
	default:
		return MNL_CB_OK;
	}
	if (scalar_attr(a, NULL, u32, u64) != MNL_CB_OK)
		return MNL_CB_ERROR;
	sa->have[type] = true;
	return MNL_CB_OK;
}

static int tunnel_attr(const struct nlattr *a, void *data)
{
	struct gs_tunnel *t = data;
	unsigned int type = mnl_attr_get_type(a);
	uint64_t *u64 = NULL;
	uint32_t *u32 = NULL;
	uint8_t *u8 = NULL;

	if (type > GRESEC_A_MAX || type == GRESEC_A_PAD)
		return MNL_CB_OK;
	switch (type) {
	case GRESEC_A_IFINDEX: u32 = &t->ifindex; break;
	case GRESEC_A_LOCAL: u32 = &t->local; break;
	case GRESEC_A_REMOTE: u32 = &t->remote; break;
	case GRESEC_A_IKEY: u32 = &t->ikey; break;
	case GRESEC_A_OKEY: u32 = &t->okey; break;
	case GRESEC_A_IFLAGS: u32 = &t->iflags; break;
	case GRESEC_A_OFLAGS: u32 = &t->oflags; break;
	case GRESEC_A_MTU: u32 = &t->mtu; break;
	case GRESEC_A_LINK_MTU: u32 = &t->link_mtu; break;
	case GRESEC_A_PROTECTION: u32 = &t->protection; break;
	case GRESEC_A_IF_ID: u32 = &t->if_id; break;
	case GRESEC_A_KEEPALIVE_PERIOD: u32 = &t->ka_period; break;
	case GRESEC_A_KEEPALIVE_RETRIES: u32 = &t->ka_retries; break;
	case GRESEC_A_KEEPALIVE_STATE: u32 = &t->ka_state; break;
	case GRESEC_A_KEEPALIVE_CHANGED: u64 = &t->ka_changed; break;
	case GRESEC_A_ADJUST_MSS: u32 = &t->adjust_mss; break;
	case GRESEC_A_TTL: u8 = &t->ttl; break;
	case GRESEC_A_TOS: u8 = &t->tos; break;
	case GRESEC_A_TOS_INHERIT: u8 = &t->tos_inherit; break;
	case GRESEC_A_PMTUDISC: u8 = &t->pmtudisc; break;
	case GRESEC_A_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			BAD_REPLY();
		snprintf(t->ifname, sizeof(t->ifname), "%s",
			 mnl_attr_get_str(a));
		break;
	case GRESEC_A_STATS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(a, tunnel_stats_attr, t->stats) < 0)
			BAD_REPLY();
		break;
	case GRESEC_A_SA: {
		struct gs_sa *sa;

		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			BAD_REPLY();
		sa = gs_tunnel_add_sa(t);
		if (mnl_attr_parse_nested(a, sa_attr, sa) < 0)
			return MNL_CB_ERROR;
		break;
	}
	default:
		return MNL_CB_OK;
	}
	if (scalar_attr(a, u8, u32, u64) != MNL_CB_OK)
		return MNL_CB_ERROR;
	t->have[type] = true;
	return MNL_CB_OK;
}

static int parse_tunnel(const struct nlmsghdr *nlh, struct gs_tunnel *t)
{
	if (mnl_attr_parse(nlh, GENL_HDRLEN, tunnel_attr, t) < 0)
		return errno ? -errno : -EPROTO;
	return 0;
}

static int ifindex_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == GRESEC_A_IFINDEX &&
	    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* ---- commands ---- */

static int tunnel_one_cb(const struct nlmsghdr *nlh, void *data)
{
	return parse_tunnel(nlh, data);
}

int ipc_tunnel_get(struct ipc *ipc, const char *ifname, struct gs_tunnel *t)
{
	struct nlmsghdr *nlh = gs_msg(ipc, GRESEC_CMD_TUNNEL_GET, 0);

	PUT(strz, nlh, GRESEC_A_IFNAME, ifname);
	return ipc_exchange(ipc, nlh, tunnel_one_cb, t, NULL);
}

/* Dumps may split one tunnel over several messages: coalesce by ifindex. */
static int tunnel_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct gs_tunnel_list *l = data;
	struct gs_tunnel *t;
	uint32_t ifindex = 0;

	mnl_attr_parse(nlh, GENL_HDRLEN, ifindex_attr, &ifindex);
	if (!ifindex)
		return -EPROTO;
	t = gs_list_find(l, ifindex);
	if (!t)
		t = gs_list_add(l);
	return parse_tunnel(nlh, t);
}

static void tunnel_list_restart(void *data)
{
	gs_list_free(data);
}

int ipc_tunnel_dump(struct ipc *ipc, struct gs_tunnel_list *l)
{
	struct nlmsghdr *nlh = gs_msg(ipc, GRESEC_CMD_TUNNEL_GET, NLM_F_DUMP);

	return ipc_exchange(ipc, nlh, tunnel_list_cb, l, tunnel_list_restart);
}

/* TUNNEL_SET attributes: IFINDEX and what t->have[] marks. */
static int tunnel_pack(struct nlmsghdr *nlh, const struct gs_tunnel *t)
{
	PUT(u32, nlh, GRESEC_A_IFINDEX, t->ifindex);
#define SET(kind, attr, field)					\
	do {							\
		if (t->have[attr])				\
			PUT(kind, nlh, attr, t->field);		\
	} while (0)
	SET(u32, GRESEC_A_LOCAL, local);
	SET(u32, GRESEC_A_REMOTE, remote);
	SET(u32, GRESEC_A_IKEY, ikey);
	SET(u32, GRESEC_A_OKEY, okey);
	SET(u32, GRESEC_A_IFLAGS, iflags);
	SET(u32, GRESEC_A_OFLAGS, oflags);
	SET(u8, GRESEC_A_TTL, ttl);
	SET(u8, GRESEC_A_TOS, tos);
	SET(u8, GRESEC_A_TOS_INHERIT, tos_inherit);
	SET(u8, GRESEC_A_PMTUDISC, pmtudisc);
	SET(u32, GRESEC_A_MTU, mtu);
	SET(u32, GRESEC_A_PROTECTION, protection);
	SET(u32, GRESEC_A_IF_ID, if_id);
	SET(u32, GRESEC_A_KEEPALIVE_PERIOD, ka_period);
	SET(u32, GRESEC_A_KEEPALIVE_RETRIES, ka_retries);
	SET(u32, GRESEC_A_ADJUST_MSS, adjust_mss);
#undef SET
	return 0;
}

int ipc_tunnel_set(struct ipc *ipc, const struct gs_tunnel *t)
{
	struct nlmsghdr *nlh = gs_msg(ipc, GRESEC_CMD_TUNNEL_SET, 0);
	int err = tunnel_pack(nlh, t);

	if (err)
		return err;
	return ipc_exchange(ipc, nlh, NULL, NULL, NULL);
}

/* SA_GET dump: IFINDEX and some SA nests per message, appended to t. */
static int sa_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct gs_tunnel *t = data;
	uint32_t ifindex = 0;

	mnl_attr_parse(nlh, GENL_HDRLEN, ifindex_attr, &ifindex);
	if (ifindex && ifindex != t->ifindex)
		return 0;
	return parse_tunnel(nlh, t);
}

static void sa_list_restart(void *data)
{
	struct gs_tunnel *t = data;
	size_t i;

	for (i = 0; i < t->n_sas; i++)
		gs_sa_wipe(&t->sas[i]);
	t->n_sas = 0;
	memset(t->sas, 0, t->cap_sas * sizeof(*t->sas));
}

/* SA_GET dump of ifindex; with keys an SA nest with WITH_KEYS alone. */
static int sa_dump_pack(struct nlmsghdr *nlh, uint32_t ifindex, bool keys)
{
	struct nlattr *nest;

	PUT(u32, nlh, GRESEC_A_IFINDEX, ifindex);
	if (!keys)
		return 0;
	nest = mnl_attr_nest_start_check(nlh, SBUF_SIZE, GRESEC_A_SA);
	if (!nest ||
	    !mnl_attr_put_check(nlh, SBUF_SIZE, GRESEC_SA_A_WITH_KEYS, 0, NULL))
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static int sa_dump(struct ipc *ipc, struct gs_tunnel *t, bool keys)
{
	struct nlmsghdr *nlh = gs_msg(ipc, GRESEC_CMD_SA_GET, NLM_F_DUMP);
	int err;

	sa_list_restart(t);
	err = sa_dump_pack(nlh, t->ifindex, keys);
	if (err)
		return err;
	err = ipc_exchange(ipc, nlh, sa_list_cb, t, sa_list_restart);
	/* The replies held key material. */
	if (keys)
		explicit_bzero(ipc->rbuf, RBUF_SIZE);
	return err;
}

int ipc_sa_dump(struct ipc *ipc, struct gs_tunnel *t)
{
	return sa_dump(ipc, t, false);
}

int ipc_sa_dump_keys(struct ipc *ipc, struct gs_tunnel *t)
{
	return sa_dump(ipc, t, true);
}

/* One SA nest with what sa->have[] marks (SA_NEW, SA_DEL). */
static int sa_pack(struct nlmsghdr *nlh, const struct gs_sa *sa)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(nlh, SBUF_SIZE, GRESEC_A_SA);
	if (!nest)
		return -EMSGSIZE;
#define SET(kind, attr, field)					\
	do {							\
		if (sa->have[attr])				\
			PUT(kind, nlh, attr, sa->field);	\
	} while (0)
	SET(u32, GRESEC_SA_A_SPI, spi);
	SET(u32, GRESEC_SA_A_DIR, dir);
	SET(u32, GRESEC_SA_A_PROPOSAL, proposal);
	SET(u32, GRESEC_SA_A_REPLAY_WINDOW, replay_window);
	SET(u64, GRESEC_SA_A_SOFT_BYTES, soft_bytes);
	SET(u64, GRESEC_SA_A_HARD_BYTES, hard_bytes);
	SET(u64, GRESEC_SA_A_SOFT_PACKETS, soft_packets);
	SET(u64, GRESEC_SA_A_HARD_PACKETS, hard_packets);
	SET(u64, GRESEC_SA_A_SOFT_TIME, soft_time);
	SET(u64, GRESEC_SA_A_HARD_TIME, hard_time);
	SET(u32, GRESEC_SA_A_REQID, reqid);
	SET(u32, GRESEC_SA_A_ENCAP, encap);
	SET(u16, GRESEC_SA_A_ENCAP_SPORT, encap_sport);
	SET(u16, GRESEC_SA_A_ENCAP_DPORT, encap_dport);
	SET(u32, GRESEC_SA_A_ENCAP_PEER_ADDR, encap_peer_addr);
	SET(u32, GRESEC_SA_A_MODE, mode);
#undef SET
	if (sa->have[GRESEC_SA_A_ESN] && sa->esn &&
	    !mnl_attr_put_check(nlh, SBUF_SIZE, GRESEC_SA_A_ESN, 0, NULL))
		return -EMSGSIZE;
	if (sa->have[GRESEC_SA_A_KEY] &&
	    !mnl_attr_put_check(nlh, SBUF_SIZE, GRESEC_SA_A_KEY, sa->key_len,
				sa->key))
		return -EMSGSIZE;
	if (sa->have[GRESEC_SA_A_AUTH_KEY] &&
	    !mnl_attr_put_check(nlh, SBUF_SIZE, GRESEC_SA_A_AUTH_KEY,
				sa->auth_key_len, sa->auth_key))
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int ipc_sa_new(struct ipc *ipc, const char *ifname, const struct gs_sa *sa)
{
	struct nlmsghdr *nlh = gs_msg(ipc, GRESEC_CMD_SA_NEW, 0);
	int err;

	PUT(strz, nlh, GRESEC_A_IFNAME, ifname);
	err = sa_pack(nlh, sa);
	if (err) {
		explicit_bzero(ipc->sbuf, SBUF_SIZE);
		return err;
	}
	return ipc_exchange(ipc, nlh, NULL, NULL, NULL);
}

int ipc_sa_del(struct ipc *ipc, const char *ifname, uint32_t dir, uint32_t spi)
{
	struct nlmsghdr *nlh = gs_msg(ipc, GRESEC_CMD_SA_DEL, 0);
	struct gs_sa sa = { .spi = spi, .dir = dir };
	int err;

	sa.have[GRESEC_SA_A_SPI] = sa.have[GRESEC_SA_A_DIR] = true;
	PUT(strz, nlh, GRESEC_A_IFNAME, ifname);
	err = sa_pack(nlh, &sa);
	if (err)
		return err;
	return ipc_exchange(ipc, nlh, NULL, NULL, NULL);
}

static int spi_nest_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == GRESEC_SA_A_SPI &&
	    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int spi_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == GRESEC_A_SA &&
	    mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
		return mnl_attr_parse_nested(a, spi_nest_attr, data);
	return MNL_CB_OK;
}

static int spi_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, spi_attr, data);
}

int ipc_spi_alloc(struct ipc *ipc, const char *ifname, uint32_t min,
		  uint32_t max, uint32_t *spi)
{
	struct nlmsghdr *nlh = gs_msg(ipc, GRESEC_CMD_SPI_ALLOC, 0);
	struct nlattr *nest;
	int err;

	PUT(strz, nlh, GRESEC_A_IFNAME, ifname);
	if (min || max) {
		nest = mnl_attr_nest_start(nlh, GRESEC_A_SA);
		if (min)
			PUT(u32, nlh, GRESEC_SA_A_SPI_MIN, min);
		if (max)
			PUT(u32, nlh, GRESEC_SA_A_SPI_MAX, max);
		mnl_attr_nest_end(nlh, nest);
	}
	*spi = 0;
	err = ipc_exchange(ipc, nlh, spi_cb, spi, NULL);
	if (!err && !*spi)
		err = -EPROTO;
	return err;
}

static int net_attr(const struct nlattr *a, void *data)
{
	struct gs_net *n = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type > GRESEC_NET_A_MAX || type == GRESEC_NET_A_PAD)
		return MNL_CB_OK;
	switch (type) {
	case GRESEC_NET_A_RX_NO_TUNNEL:
	case GRESEC_NET_A_ESP_UNKNOWN_SPI:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			BAD_REPLY();
		if (type == GRESEC_NET_A_RX_NO_TUNNEL)
			n->rx_no_tunnel = mnl_attr_get_u64(a);
		else
			n->esp_unknown_spi = mnl_attr_get_u64(a);
		break;
	case GRESEC_NET_A_LAST_SRC:
	case GRESEC_NET_A_LAST_KEY:
	case GRESEC_NET_A_LAST_SPI:
	case GRESEC_NET_A_LAST_SPI_SRC:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			BAD_REPLY();
		if (type == GRESEC_NET_A_LAST_SRC)
			n->last_src = mnl_attr_get_u32(a);
		else if (type == GRESEC_NET_A_LAST_KEY)
			n->last_key = mnl_attr_get_u32(a);
		else if (type == GRESEC_NET_A_LAST_SPI)
			n->last_spi = mnl_attr_get_u32(a);
		else
			n->last_spi_src = mnl_attr_get_u32(a);
		break;
	case GRESEC_NET_A_LAST_KEY_PRESENT:
		n->last_key_present = true;
		break;
	default:
		return MNL_CB_OK;
	}
	n->have[type] = true;
	return MNL_CB_OK;
}

static int net_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, GENL_HDRLEN, net_attr, data) < 0)
		return errno ? -errno : -EPROTO;
	return 0;
}

int ipc_net_get(struct ipc *ipc, struct gs_net *n)
{
	struct nlmsghdr *nlh = gs_msg(ipc, GRESEC_CMD_NET_GET, 0);

	return ipc_exchange(ipc, nlh, net_cb, n, NULL);
}

/* ---- notifications ---- */

int ipc_monitor(struct ipc *ipc, ipc_event_fn fn, void *data)
{
	int group = (int)ipc->events_group, rcvbuf = 1 << 20;
	const struct nlmsghdr *nlh;
	struct gs_tunnel t;
	ssize_t n;
	int len, ret;

	if (!group) {
		snprintf(ipc->errmsg, sizeof(ipc->errmsg),
			 "the gresec module has no \"%s\" multicast group",
			 GRESEC_MCGRP_EVENTS);
		return -ENOENT;
	}
	/* Best effort: a bigger buffer loses fewer events in bursts. */
	setsockopt(mnl_socket_get_fd(ipc->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	if (mnl_socket_setsockopt(ipc->nl, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(ipc->nl, ipc->rbuf, RBUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				ret = fn(0, NULL, true, data);
				if (ret)
					return ret < 0 ? ret : 0;
				continue;
			}
			return -errno;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)ipc->rbuf;
		     mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct genlmsghdr *g;

			if (nlh->nlmsg_type != ipc->family ||
			    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
				continue;
			g = mnl_nlmsg_get_payload(nlh);
			memset(&t, 0, sizeof(t));
			ret = parse_tunnel(nlh, &t);
			if (ret) {
				/* One bad message must not end a monitor. */
				fprintf(stderr, "gresec: monitor: malformed notification (cmd %u) skipped\n",
					g->cmd);
				ret = 0;
			} else {
				ret = fn(g->cmd, &t, false, data);
			}
			gs_tunnel_free(&t);
			if (ret)
				return ret < 0 ? ret : 0;
		}
	}
}

/* ---- errors ---- */

int ipc_report(const struct ipc *ipc, const char *what, int err)
{
	const char *msg = ipc && ipc->errmsg[0] ? ipc->errmsg : NULL;
	char attr[64] = "";

	if (err < 0)
		err = -err;
	if (!ipc && err == ENOENT) {
		fprintf(stderr,
			"gresec: generic netlink family \"%s\" not found: is the gresec module loaded?\n",
			GRESEC_FAMILY_NAME);
		return 1;
	}
	if (ipc && ipc->err_top)
		snprintf(attr, sizeof(attr), " (%s attribute \"%s\")",
			 ipc->err_missing ? "missing" : "offending",
			 gs_attr_name(ipc->err_top, ipc->err_nested));
	if (err == ENODEV && !msg) {
		fprintf(stderr, "gresec: %s: no such gresec device\n", what);
		return 3;
	}
	if (err == EOPNOTSUPP && !msg)
		msg = "not supported by this gresec kernel module";
	if (err == EPERM && !msg)
		msg = "needs CAP_NET_ADMIN in the tunnel's network namespace";
	if (msg)
		fprintf(stderr, "gresec: %s: %s: %s%s\n", what, msg,
			strerror(err), attr);
	else
		fprintf(stderr, "gresec: %s: %s%s\n", what, strerror(err), attr);
	if (err == ENODEV)
		return 3;
	/* The device selector itself was refused: not a gresec device. */
	if (err == EINVAL && ipc && !ipc->err_missing &&
	    (ipc->err_top == GRESEC_A_IFNAME || ipc->err_top == GRESEC_A_IFINDEX))
		return 3;
	return 1;
}
