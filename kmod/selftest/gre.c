// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: self-tests for the GRE header encoder and parser.  Included into
 * gre.c in DEBUG builds and run from module init.
 */

struct gresec_gre_vector {
	const char *name;
	u8 hdr[GRESEC_GRE_HLEN_MAX];
	unsigned int len;
	int result;
	u32 flags;
	u32 key;
	u32 seq;
};

static const struct gresec_gre_vector gresec_gre_vectors[] __initconst = {
	{ "plain", { 0x00, 0x00, 0x08, 0x00 }, 4, 0, 0, 0, 0 },
	{ "key", { 0x20, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x2a }, 8, 0,
	  GRESEC_TUNNEL_F_KEY, 42, 0 },
	{ "csum+key+seq", { 0xb0, 0x00, 0x86, 0xdd, 0x12, 0x34, 0x00, 0x00,
			    0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x07 },
	  16, 0, GRESEC_TUNNEL_F_CSUM | GRESEC_TUNNEL_F_KEY |
	  GRESEC_TUNNEL_F_SEQ, 0xdeadbeef, 7 },
	{ "truncated base", { 0x00, 0x00, 0x08 }, 3,
	  GRESEC_STATS_A_RX_DROP_MALFORMED },
	{ "truncated key", { 0x20, 0x00, 0x08, 0x00, 0x00, 0x00 }, 6,
	  GRESEC_STATS_A_RX_DROP_MALFORMED },
	{ "version 1", { 0x00, 0x01, 0x88, 0x0b }, 4,
	  GRESEC_STATS_A_RX_DROP_VERSION },
	{ "routing", { 0x40, 0x00, 0x08, 0x00, 0, 0, 0, 0 }, 8,
	  GRESEC_STATS_A_RX_DROP_VERSION },
	{ "strict route", { 0x08, 0x00, 0x08, 0x00 }, 4,
	  GRESEC_STATS_A_RX_DROP_VERSION },
	{ "recursion bit 5", { 0x04, 0x00, 0x08, 0x00 }, 4,
	  GRESEC_STATS_A_RX_DROP_VERSION },
	/* RFC 2784: bits 6-12 are ignored on receipt. */
	{ "reserved0 ignored", { 0x03, 0xf8, 0x08, 0x00 }, 4, 0, 0, 0, 0 },
};

static bool __init gresec_gre_selftest_roundtrip(u32 flags)
{
	struct gresec_gre_info info;
	u8 hdr[GRESEC_GRE_HLEN_MAX];
	unsigned int len = gresec_gre_hlen(flags);

	memset(hdr, 0xff, sizeof(hdr));
	gresec_gre_build(hdr, flags, htons(ETH_P_IPV6), 0x01020304,
			 0xfffffffe);
	if (gresec_gre_parse(hdr, len, &info) || info.hlen != len ||
	    info.flags != flags || info.proto != htons(ETH_P_IPV6))
		return false;
	if ((flags & GRESEC_TUNNEL_F_KEY) && info.key != 0x01020304)
		return false;
	if ((flags & GRESEC_TUNNEL_F_SEQ) && info.seq != 0xfffffffe)
		return false;
	if ((flags & GRESEC_TUNNEL_F_CSUM) && get_unaligned_be32(hdr + 4))
		return false;
	return true;
}

bool __init gresec_gre_selftest(void)
{
	const struct gresec_gre_vector *v;
	struct gresec_gre_info info;
	bool success = true;
	unsigned int i;
	u32 flags;

	for (i = 0; i < ARRAY_SIZE(gresec_gre_vectors); i++) {
		v = &gresec_gre_vectors[i];
		memset(&info, 0, sizeof(info));
		if (gresec_gre_parse(v->hdr, v->len, &info) != v->result ||
		    (!v->result && (info.flags != v->flags ||
				    info.key != v->key ||
				    info.seq != v->seq ||
				    info.hlen != v->len))) {
			pr_err("gre self-test %u (%s): FAIL\n", i + 1, v->name);
			success = false;
		}
	}
	for (flags = 0; flags < 8; flags++) {
		if (!gresec_gre_selftest_roundtrip(flags)) {
			pr_err("gre self-test roundtrip flags %u: FAIL\n", flags);
			success = false;
		}
	}
	if (success)
		pr_info("gre self-tests: pass\n");
	return success;
}
