// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ipc.c without a kernel: requests are packed and parsed
 * back, replies and extended ACKs are built here the way the kernel
 * builds them (u64 with PAD, split dumps, NLMSG_ERROR with TLVs) and fed
 * to the same callbacks the socket path uses.
 * Prints "N passed, N failed"; exits 1 if anything failed.
 */
#include <arpa/inet.h>

#include "ipc.c"
#include "test.h"

static char buf[SBUF_SIZE], buf2[SBUF_SIZE];

static struct nlmsghdr *genl_start(char *b, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(b, 0, SBUF_SIZE);
	nlh = mnl_nlmsg_put_header(b);
	nlh->nlmsg_type = 0x20;
	nlh->nlmsg_flags = flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = GRESEC_FAMILY_VERSION;
	return nlh;
}

/* The kernel's nla_put_u64_64bit: a PAD attribute first when unaligned. */
static void put_u64_pad(struct nlmsghdr *nlh, uint16_t type, uint64_t v,
			uint16_t pad)
{
	if ((((uintptr_t)mnl_nlmsg_get_payload_tail(nlh)) + 4) % 8)
		mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

static void put_sa_reply(struct nlmsghdr *nlh, uint32_t spi, uint32_t dir,
			 uint64_t base)
{
	struct nlattr *sa = mnl_attr_nest_start(nlh, GRESEC_A_SA), *st;
	static const uint8_t bitmap[8] = { 0xff, 1 };
	unsigned int i;

	mnl_attr_put_u32(nlh, GRESEC_SA_A_SPI, spi);
	mnl_attr_put_u32(nlh, GRESEC_SA_A_DIR, dir);
	mnl_attr_put_u32(nlh, GRESEC_SA_A_PROPOSAL, GRESEC_PROPOSAL_AES256GCM16);
	mnl_attr_put_u32(nlh, GRESEC_SA_A_REPLAY_WINDOW, 128);
	mnl_attr_put(nlh, GRESEC_SA_A_ESN, 0, NULL);
	put_u64_pad(nlh, GRESEC_SA_A_HARD_TIME, 3600, GRESEC_SA_A_PAD);
	mnl_attr_put_u32(nlh, GRESEC_SA_A_STATE, GRESEC_SA_STATE_ACTIVE);
	put_u64_pad(nlh, GRESEC_SA_A_AGE, 42, GRESEC_SA_A_PAD);
	put_u64_pad(nlh, GRESEC_SA_A_SEQ, 1ULL << 40, GRESEC_SA_A_PAD);
	mnl_attr_put(nlh, GRESEC_SA_A_REPLAY_BITMAP, sizeof(bitmap), bitmap);
	st = mnl_attr_nest_start(nlh, GRESEC_SA_A_STATS);
	for (i = GRESEC_SA_STATS_A_PAD + 1; i <= GRESEC_SA_STATS_A_MAX; i++)
		put_u64_pad(nlh, i, base + i, GRESEC_SA_STATS_A_PAD);
	/* A counter from a newer kernel: ignored. */
	put_u64_pad(nlh, GRESEC_SA_STATS_A_MAX + 1, 7, GRESEC_SA_STATS_A_PAD);
	mnl_attr_nest_end(nlh, st);
	mnl_attr_nest_end(nlh, sa);
}

static void test_sa_pack_roundtrip(void)
{
	struct gs_sa in = { 0 }, out = { 0 };
	struct nlmsghdr *nlh = genl_start(buf, GRESEC_CMD_SA_NEW, 0);
	const struct nlattr *a, *n;
	size_t key_len = 0, auth_len = 0;
	bool esn = false;
	unsigned int i;

	in.spi = 0x1001;
	in.dir = GRESEC_SA_DIR_OUT;
	in.proposal = GRESEC_PROPOSAL_AES128_SHA1;
	in.replay_window = 1024;
	in.esn = true;
	in.soft_bytes = 1;
	in.hard_bytes = 2;
	in.soft_packets = 3;
	in.hard_packets = 4;
	in.soft_time = 5;
	in.hard_time = UINT64_MAX;
	in.key_len = 16;
	in.auth_key_len = 20;
	memset(in.key, 0xaa, sizeof(in.key));
	memset(in.auth_key, 0xbb, sizeof(in.auth_key));
	for (i = 0; i <= GRESEC_SA_A_MAX; i++)
		in.have[i] = i != GRESEC_SA_A_PAD;
	CHECK(!sa_pack(nlh, &in), "sa_pack");

	a = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
	CHECK(mnl_attr_get_type(a) == GRESEC_A_SA, "one SA nest");
	CHECK(mnl_attr_parse_nested(a, sa_attr, &out) >= 0, "parse back");
	CHECK(out.spi == in.spi && out.dir == in.dir &&
	      out.proposal == in.proposal &&
	      out.replay_window == in.replay_window && out.esn,
	      "u32 fields round trip");
	CHECK(out.soft_bytes == 1 && out.hard_bytes == 2 &&
	      out.soft_packets == 3 && out.hard_packets == 4 &&
	      out.soft_time == 5 && out.hard_time == UINT64_MAX,
	      "lifetimes round trip");
	/* Replies carry them only when asked (ipc_sa_dump_keys()). */
	CHECK(out.key_len == 16 && out.auth_key_len == 20 &&
	      out.have[GRESEC_SA_A_KEY] && out.have[GRESEC_SA_A_AUTH_KEY] &&
	      !memcmp(out.key, in.key, 16) &&
	      !memcmp(out.auth_key, in.auth_key, 20),
	      "keys parse back into the model");
	mnl_attr_for_each_nested(n, a) {
		if (mnl_attr_get_type(n) == GRESEC_SA_A_KEY)
			key_len = mnl_attr_get_payload_len(n);
		if (mnl_attr_get_type(n) == GRESEC_SA_A_AUTH_KEY)
			auth_len = mnl_attr_get_payload_len(n);
		if (mnl_attr_get_type(n) == GRESEC_SA_A_ESN)
			esn = mnl_attr_get_payload_len(n) == 0;
	}
	CHECK(key_len == 16 && auth_len == 20, "key lengths sent: %zu %zu",
	      key_len, auth_len);
	CHECK(esn, "ESN sent as an empty flag");

	/* SA_DEL: only SPI and DIR. */
	memset(&in, 0, sizeof(in));
	in.spi = 300;
	in.dir = GRESEC_SA_DIR_IN;
	in.have[GRESEC_SA_A_SPI] = in.have[GRESEC_SA_A_DIR] = true;
	nlh = genl_start(buf, GRESEC_CMD_SA_DEL, 0);
	CHECK(!sa_pack(nlh, &in), "sa_pack del");
	a = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
	i = 0;
	mnl_attr_for_each_nested(n, a)
		i++;
	CHECK(i == 2, "SA_DEL nest has 2 attributes, has %u", i);
	gs_sa_wipe(&out);
}

/* SA_GET dump requests: WITH_KEYS only when asked, in an SA nest alone. */
static void test_sa_dump_pack(void)
{
	const struct nlattr *a, *n;
	struct nlmsghdr *nlh;
	unsigned int top = 0, nested = 0;
	bool with_keys = false;

	nlh = genl_start(buf, GRESEC_CMD_SA_GET, NLM_F_DUMP);
	CHECK(!sa_dump_pack(nlh, 7, false), "sa_dump_pack");
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		top++;
		CHECK(mnl_attr_get_type(a) == GRESEC_A_IFINDEX &&
		      mnl_attr_get_u32(a) == 7, "keyless dump: IFINDEX only");
	}
	CHECK(top == 1, "keyless dump has 1 attribute, has %u", top);

	nlh = genl_start(buf, GRESEC_CMD_SA_GET, NLM_F_DUMP);
	CHECK(!sa_dump_pack(nlh, 7, true), "sa_dump_pack keys");
	top = 0;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		top++;
		if (mnl_attr_get_type(a) != GRESEC_A_SA)
			continue;
		mnl_attr_for_each_nested(n, a) {
			nested++;
			with_keys = mnl_attr_get_type(n) == GRESEC_SA_A_WITH_KEYS &&
				    mnl_attr_get_payload_len(n) == 0;
		}
	}
	CHECK(top == 2 && nested == 1 && with_keys,
	      "keyed dump: IFINDEX and an SA nest with the WITH_KEYS flag alone (%u, %u)",
	      top, nested);
}

/* A dump reply with keys, and one whose key is longer than the model's. */
static void test_sa_dump_keys_parse(void)
{
	static const uint8_t key[36] = { 1, 2, 3, [35] = 0x36 };
	static const uint8_t auth[64] = { 0xa1, [63] = 0x64 };
	static const uint8_t big[GS_KEY_MAX + 1];
	struct gs_tunnel t = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *sa;

	t.ifindex = 5;
	nlh = genl_start(buf, GRESEC_CMD_SA_GET, NLM_F_MULTI);
	mnl_attr_put_u32(nlh, GRESEC_A_IFINDEX, 5);
	sa = mnl_attr_nest_start(nlh, GRESEC_A_SA);
	mnl_attr_put_u32(nlh, GRESEC_SA_A_SPI, 0x1001);
	mnl_attr_put_u32(nlh, GRESEC_SA_A_DIR, GRESEC_SA_DIR_IN);
	mnl_attr_put_u32(nlh, GRESEC_SA_A_PROPOSAL, GRESEC_PROPOSAL_AES256_SHA256);
	mnl_attr_put(nlh, GRESEC_SA_A_KEY, sizeof(key), key);
	mnl_attr_put(nlh, GRESEC_SA_A_AUTH_KEY, sizeof(auth), auth);
	mnl_attr_nest_end(nlh, sa);
	put_sa_reply(nlh, 0x1002, GRESEC_SA_DIR_OUT, 0);
	CHECK(sa_list_cb(nlh, &t) == 0, "SA message with keys");
	CHECK(t.n_sas == 2, "2 SAs, got %zu", t.n_sas);
	if (t.n_sas == 2) {
		CHECK(t.sas[0].have[GRESEC_SA_A_KEY] && t.sas[0].key_len == 36 &&
		      !memcmp(t.sas[0].key, key, 36), "KEY parsed");
		CHECK(t.sas[0].have[GRESEC_SA_A_AUTH_KEY] &&
		      t.sas[0].auth_key_len == 64 &&
		      !memcmp(t.sas[0].auth_key, auth, 64), "AUTH_KEY parsed");
		CHECK(!t.sas[1].have[GRESEC_SA_A_KEY] && !t.sas[1].key_len,
		      "an SA without keys has none");
	}
	/* The restart of an interrupted dump wipes what it had. */
	sa_list_restart(&t);
	CHECK(t.n_sas == 0, "restart clears SAs");
	gs_tunnel_free(&t);

	memset(&t, 0, sizeof(t));
	t.ifindex = 5;
	nlh = genl_start(buf, GRESEC_CMD_SA_GET, NLM_F_MULTI);
	mnl_attr_put_u32(nlh, GRESEC_A_IFINDEX, 5);
	sa = mnl_attr_nest_start(nlh, GRESEC_A_SA);
	mnl_attr_put_u32(nlh, GRESEC_SA_A_SPI, 0x1001);
	mnl_attr_put(nlh, GRESEC_SA_A_KEY, sizeof(big), big);
	mnl_attr_nest_end(nlh, sa);
	CHECK(sa_list_cb(nlh, &t) < 0, "a key longer than the model's is a bad reply");
	gs_tunnel_free(&t);
}

static void test_tunnel_pack(void)
{
	struct gs_tunnel in = { 0 }, out = { 0 };
	struct nlmsghdr *nlh = genl_start(buf, GRESEC_CMD_TUNNEL_SET, 0);
	const struct nlattr *a;
	unsigned int n = 0;

	in.ifindex = 9;
	in.ttl = 17;
	in.have[GRESEC_A_TTL] = true;
	in.iflags = 7;		/* not marked: not sent */
	CHECK(!tunnel_pack(nlh, &in), "tunnel_pack");
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		n++;
	CHECK(n == 2, "only IFINDEX and TTL sent, %u attributes", n);
	CHECK(!parse_tunnel(nlh, &out) && out.ifindex == 9 && out.ttl == 17 &&
	      out.iflags == 0, "parsed back");
}

static void test_sa_dump_parse(void)
{
	struct gs_tunnel t = { 0 };
	struct nlmsghdr *nlh;

	t.ifindex = 5;
	/* Two messages of one dump: the tunnel's SAs are split. */
	nlh = genl_start(buf, GRESEC_CMD_SA_GET, NLM_F_MULTI);
	mnl_attr_put_u32(nlh, GRESEC_A_IFINDEX, 5);
	put_sa_reply(nlh, 0x1001, GRESEC_SA_DIR_IN, 100);
	put_sa_reply(nlh, 0x1002, GRESEC_SA_DIR_IN, 200);
	CHECK(sa_list_cb(nlh, &t) == 0, "first SA message");
	nlh = genl_start(buf, GRESEC_CMD_SA_GET, NLM_F_MULTI);
	mnl_attr_put_u32(nlh, GRESEC_A_IFINDEX, 5);
	put_sa_reply(nlh, 0x2001, GRESEC_SA_DIR_OUT, 300);
	CHECK(sa_list_cb(nlh, &t) == 0, "second SA message");
	CHECK(t.n_sas == 3, "3 SAs coalesced, got %zu", t.n_sas);
	if (t.n_sas == 3) {
		CHECK(t.sas[2].spi == 0x2001 && t.sas[2].dir == GRESEC_SA_DIR_OUT,
		      "third SA");
		CHECK(t.sas[0].esn && t.sas[0].replay_window == 128 &&
		      t.sas[0].age == 42 && t.sas[0].seq == 1ULL << 40 &&
		      t.sas[0].hard_time == 3600, "SA fields");
		CHECK(t.sas[1].stats[GRESEC_SA_STATS_A_DROP_CRYPTO] ==
		      200 + GRESEC_SA_STATS_A_DROP_CRYPTO, "SA counters");
		CHECK(t.sas[0].replay_bitmap_len == 8 &&
		      t.sas[0].replay_bitmap[0] == 0xff &&
		      t.sas[0].replay_bitmap[1] == 1, "replay bitmap");
		CHECK(gs_tunnel_current_out(&t) == &t.sas[2], "current out SA");
	}
	/* A restarted dump starts from scratch. */
	sa_list_restart(&t);
	CHECK(t.n_sas == 0, "restart clears SAs");
	gs_tunnel_free(&t);
}

static void put_tunnel_reply(struct nlmsghdr *nlh, uint32_t ifindex,
			     const char *name)
{
	struct nlattr *st;
	unsigned int i;

	mnl_attr_put_u32(nlh, GRESEC_A_IFINDEX, ifindex);
	mnl_attr_put_strz(nlh, GRESEC_A_IFNAME, name);
	mnl_attr_put_u32(nlh, GRESEC_A_LINK_MTU, 1476);
	mnl_attr_put_u32(nlh, GRESEC_A_LOCAL, htonl(0xc0000201));
	mnl_attr_put_u32(nlh, GRESEC_A_IKEY, 42);
	mnl_attr_put_u32(nlh, GRESEC_A_IFLAGS, GRESEC_TUNNEL_F_KEY);
	mnl_attr_put_u8(nlh, GRESEC_A_TTL, 64);
	mnl_attr_put_u8(nlh, GRESEC_A_TOS_INHERIT, 1);
	mnl_attr_put_u32(nlh, GRESEC_A_PROTECTION, GRESEC_PROTECTION_REQUIRED);
	/* An attribute from a newer kernel: ignored. */
	mnl_attr_put_u32(nlh, GRESEC_A_MAX + 1, 1);
	st = mnl_attr_nest_start(nlh, GRESEC_A_STATS);
	for (i = GRESEC_STATS_A_PAD + 1; i <= GRESEC_STATS_A_MAX; i++)
		put_u64_pad(nlh, i, 1000 + i, GRESEC_STATS_A_PAD);
	mnl_attr_nest_end(nlh, st);
}

static void test_tunnel_dump_parse(void)
{
	struct gs_tunnel_list l = { 0 };
	struct nlmsghdr *nlh;

	nlh = genl_start(buf, GRESEC_CMD_TUNNEL_GET, NLM_F_MULTI);
	put_tunnel_reply(nlh, 3, "gs0");
	CHECK(tunnel_list_cb(nlh, &l) == 0, "tunnel message 1");
	nlh = genl_start(buf, GRESEC_CMD_TUNNEL_GET, NLM_F_MULTI);
	put_tunnel_reply(nlh, 4, "gs1");
	CHECK(tunnel_list_cb(nlh, &l) == 0, "tunnel message 2");
	/* The rest of gs0 in a later message: coalesced by ifindex. */
	nlh = genl_start(buf, GRESEC_CMD_TUNNEL_GET, NLM_F_MULTI);
	mnl_attr_put_u32(nlh, GRESEC_A_IFINDEX, 3);
	put_sa_reply(nlh, 0x3001, GRESEC_SA_DIR_IN, 0);
	CHECK(tunnel_list_cb(nlh, &l) == 0, "tunnel message 3");
	CHECK(l.n == 2, "2 tunnels, got %zu", l.n);
	if (l.n == 2) {
		CHECK(!strcmp(l.v[0].ifname, "gs0") && l.v[0].n_sas == 1,
		      "gs0 with its SA");
		CHECK(l.v[0].ikey == 42 && l.v[0].ttl == 64 &&
		      l.v[0].tos_inherit == 1 && l.v[0].link_mtu == 1476 &&
		      l.v[0].local == htonl(0xc0000201) &&
		      l.v[0].protection == GRESEC_PROTECTION_REQUIRED,
		      "tunnel fields");
		CHECK(l.v[1].stats[GRESEC_STATS_A_TX_DROP_ERROR] ==
		      1000 + GRESEC_STATS_A_TX_DROP_ERROR, "tunnel counters");
	}
	/* A message without IFINDEX is a protocol error. */
	nlh = genl_start(buf, GRESEC_CMD_TUNNEL_GET, NLM_F_MULTI);
	mnl_attr_put_strz(nlh, GRESEC_A_IFNAME, "gs9");
	CHECK(tunnel_list_cb(nlh, &l) == -EPROTO, "no ifindex");
	gs_list_free(&l);
}

static void test_malformed(void)
{
	struct gs_tunnel t = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *st;

	nlh = genl_start(buf, GRESEC_CMD_TUNNEL_GET, 0);
	mnl_attr_put_u16(nlh, GRESEC_A_IFINDEX, 3);	/* u32 expected */
	CHECK(parse_tunnel(nlh, &t) == -EPROTO, "short u32");

	memset(&t, 0, sizeof(t));
	nlh = genl_start(buf, GRESEC_CMD_TUNNEL_GET, 0);
	mnl_attr_put_u32(nlh, GRESEC_A_TTL, 3);		/* u8 expected */
	CHECK(parse_tunnel(nlh, &t) == -EPROTO, "long u8");

	memset(&t, 0, sizeof(t));
	nlh = genl_start(buf, GRESEC_CMD_TUNNEL_GET, 0);
	st = mnl_attr_nest_start(nlh, GRESEC_A_STATS);
	mnl_attr_put_u32(nlh, GRESEC_STATS_A_RX_PACKETS, 1);	/* u64 */
	mnl_attr_nest_end(nlh, st);
	CHECK(parse_tunnel(nlh, &t) == -EPROTO, "short counter");

	memset(&t, 0, sizeof(t));
	nlh = genl_start(buf, GRESEC_CMD_TUNNEL_GET, 0);
	mnl_attr_put(nlh, GRESEC_A_IFNAME, 3, "gs0");	/* no NUL */
	CHECK(parse_tunnel(nlh, &t) == -EPROTO, "unterminated name");

	memset(&t, 0, sizeof(t));
	nlh = genl_start(buf, GRESEC_CMD_SA_GET, 0);
	st = mnl_attr_nest_start(nlh, GRESEC_A_SA);
	mnl_attr_put_u8(nlh, GRESEC_SA_A_SPI, 1);
	mnl_attr_nest_end(nlh, st);
	CHECK(parse_tunnel(nlh, &t) == -EPROTO, "short SPI");
	gs_tunnel_free(&t);
}

/* An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK + EXT_ACK. */
static struct nlmsghdr *error_msg(const struct nlmsghdr *req, int error,
				  const char *msg, int offs, int miss_type,
				  int miss_nest)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	memset(buf2, 0, sizeof(buf2));
	nlh = mnl_nlmsg_put_header(buf2);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	nlh->nlmsg_seq = req->nlmsg_seq;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg = *req;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	if (offs >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	if (miss_type >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, miss_type);
	if (miss_nest >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST, miss_nest);
	return nlh;
}

static const struct nlattr *find(const struct nlmsghdr *req, int top, int nested)
{
	const struct nlattr *a, *n;

	mnl_attr_for_each(a, req, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != top)
			continue;
		if (nested < 0)
			return a;
		mnl_attr_for_each_nested(n, a)
			if (mnl_attr_get_type(n) == nested)
				return n;
	}
	return NULL;
}

static void reset(struct ipc *ipc)
{
	ipc->errmsg[0] = '\0';
	ipc->err_top = 0;
	ipc->err_nested = -1;
	ipc->err_missing = false;
}

static void test_extack(void)
{
	struct ipc ipc = { 0 };
	struct rx_ctx c = { .ipc = &ipc };
	struct gs_sa sa = { 0 };
	struct nlmsghdr *req, *err;
	const char *base;
	int ret;

	/* A request like "sa add": IFNAME + SA nest. */
	req = genl_start(buf, GRESEC_CMD_SA_NEW, NLM_F_REQUEST | NLM_F_ACK);
	req->nlmsg_seq = 77;
	mnl_attr_put_strz(req, GRESEC_A_IFNAME, "gs0");
	sa.spi = 300;
	sa.dir = GRESEC_SA_DIR_IN;
	sa.key_len = 20;
	sa.have[GRESEC_SA_A_SPI] = sa.have[GRESEC_SA_A_DIR] = true;
	sa.have[GRESEC_SA_A_KEY] = true;
	sa_pack(req, &sa);
	base = (const char *)req;
	c.req = req;

	/* Policy failure pointing inside the SA nest. */
	reset(&ipc);
	err = error_msg(req, -EINVAL, "gresec: key has the wrong length",
			(const char *)find(req, GRESEC_A_SA, GRESEC_SA_A_KEY) - base,
			-1, -1);
	errno = 0;
	ret = rx_error(err, &c);
	CHECK(ret == MNL_CB_ERROR && errno == EINVAL, "error -> EINVAL");
	CHECK(!strcmp(ipc.errmsg, "key has the wrong length"),
	      "message without module prefix: '%s'", ipc.errmsg);
	CHECK(ipc.err_top == GRESEC_A_SA && ipc.err_nested == GRESEC_SA_A_KEY,
	      "offending attribute sa/key: %u/%d", ipc.err_top, ipc.err_nested);
	CHECK(!strcmp(gs_attr_name(ipc.err_top, ipc.err_nested), "key"),
	      "named key");
	CHECK(ipc_report(&ipc, "gs0", -EINVAL) == 1, "exit 1");

	/* Missing attribute inside the nest. */
	reset(&ipc);
	err = error_msg(req, -EINVAL, NULL, -1, GRESEC_SA_A_PROPOSAL,
			(const char *)find(req, GRESEC_A_SA, -1) - base);
	rx_error(err, &c);
	CHECK(ipc.err_missing && ipc.err_top == GRESEC_A_SA &&
	      ipc.err_nested == GRESEC_SA_A_PROPOSAL,
	      "missing sa/proposal: %u/%d", ipc.err_top, ipc.err_nested);

	/* Missing top-level attribute. */
	reset(&ipc);
	err = error_msg(req, -EINVAL, NULL, -1, GRESEC_A_IFINDEX, -1);
	rx_error(err, &c);
	CHECK(ipc.err_missing && ipc.err_top == GRESEC_A_IFINDEX &&
	      ipc.err_nested == -1, "missing ifindex");

	/* "not a gresec device" points at IFNAME: exit 3. */
	reset(&ipc);
	err = error_msg(req, -EINVAL, "not a gresec device",
			(const char *)find(req, GRESEC_A_IFNAME, -1) - base,
			-1, -1);
	rx_error(err, &c);
	CHECK(ipc.err_top == GRESEC_A_IFNAME, "offending ifname");
	CHECK(ipc_report(&ipc, "lo", -EINVAL) == 3, "not gresec -> exit 3");
	reset(&ipc);
	CHECK(ipc_report(&ipc, "gs9", -ENODEV) == 3, "ENODEV -> exit 3");
	CHECK(ipc_report(&ipc, "gs0", -EEXIST) == 1, "EEXIST -> exit 1");
	CHECK(ipc_report(NULL, NULL, -ENOENT) == 1, "no family -> exit 1");

	/* Offsets out of range are ignored. */
	reset(&ipc);
	err = error_msg(req, -EINVAL, NULL, 100000, -1, -1);
	rx_error(err, &c);
	CHECK(ipc.err_top == 0, "bogus offset ignored");

	/* An ACK (error 0) stops the loop; its message is only a warning. */
	reset(&ipc);
	err = error_msg(req, 0, NULL, -1, -1, -1);
	CHECK(rx_error(err, &c) == MNL_CB_STOP && c.finished, "ACK");

	/* Truncated error message. */
	err->nlmsg_len = NLMSG_HDRLEN + 2;
	errno = 0;
	CHECK(rx_error(err, &c) == MNL_CB_ERROR && errno == EBADMSG,
	      "truncated error");

	/* NLMSG_DONE carrying an error and a message. */
	{
		struct nlmsghdr *done;
		int e = -ENOBUFS;

		memset(buf2, 0, sizeof(buf2));
		done = mnl_nlmsg_put_header(buf2);
		done->nlmsg_type = NLMSG_DONE;
		done->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
		memcpy(mnl_nlmsg_put_extra_header(done, sizeof(int)), &e,
		       sizeof(e));
		mnl_attr_put_strz(done, NLMSGERR_ATTR_MSG, "dump failed");
		reset(&ipc);
		errno = 0;
		CHECK(rx_done(done, &c) == MNL_CB_ERROR && errno == ENOBUFS &&
		      !strcmp(ipc.errmsg, "dump failed"), "DONE with error");
	}
	explicit_bzero(buf, sizeof(buf));
}

int main(void)
{
	/* ipc_report() prints; keep the test output readable. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	test_sa_pack_roundtrip();
	test_sa_dump_pack();
	test_sa_dump_keys_parse();
	test_tunnel_pack();
	test_sa_dump_parse();
	test_tunnel_dump_parse();
	test_malformed();
	test_extack();
	return test_summary();
}
