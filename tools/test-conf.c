// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the configuration file code (conf.c): the parser (every
 * setting, defaults, errors naming their line, key material never quoted),
 * the writer (its output parses back to the same state) and the plans of
 * setconf and syncconf.  Prints "N passed, N failed"; exits 1 if anything
 * failed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "test.h"

#define K20 "00112233445566778899aabbccddeeff00112233"
#define K16 "00112233445566778899aabbccddeeff"
#define K32 K16 K16

static char err[512];

static int parse_n(const char *text, size_t len, struct gs_conf *c)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int ret;

	if (!f) {
		perror("fmemopen");
		exit(2);
	}
	err[0] = '\0';
	ret = gs_conf_parse(f, "t.conf", c, err, sizeof(err));
	fclose(f);
	return ret;
}

static int parse(const char *text, struct gs_conf *c)
{
	return parse_n(text, strlen(text), c);
}

/* text must fail with an error that starts with "t.conf:LINE: " and holds want. */
static void bad(const char *text, unsigned int line, const char *want)
{
	struct gs_conf c;
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "t.conf:%u: ", line);
	if (parse(text, &c) == 0) {
		CHECK(0, "accepted: %s", text);
		gs_conf_free(&c);
		return;
	}
	CHECK(!strncmp(err, prefix, strlen(prefix)) && strstr(err, want),
	      "error \"%s\", want \"%s...%s\"", err, prefix, want);
	CHECK(!strstr(err, "00112233445566778899"), "key quoted: %s", err);
}

static void test_defaults(void)
{
	struct gs_conf c;

	CHECK(!parse("", &c), "empty file: %s", err);
	CHECK(c.t.local == 0 && c.t.remote == 0 && c.t.ttl == 64 &&
	      c.t.tos_inherit && c.t.pmtudisc && c.t.mtu == 0 &&
	      c.t.protection == GRESEC_PROTECTION_NONE && !c.t.iflags &&
	      !c.t.oflags && !c.t.if_id && !c.t.n_sas && !c.has_keys,
	      "defaults");
	CHECK(c.t.have[GRESEC_A_LOCAL] && c.t.have[GRESEC_A_IF_ID] &&
	      c.t.have[GRESEC_A_PROTECTION] && !c.t.have[GRESEC_A_PAD] &&
	      !c.t.have[GRESEC_A_LINK_MTU] && !c.t.have[GRESEC_A_STATS],
	      "every option is sent, nothing else");
	gs_conf_free(&c);
}

static void test_tunnel(void)
{
	struct gs_conf c;

	CHECK(parse("# comment\n[Tunnel]\n"
		     "  Local = 192.0.2.1   # trailing comment\n"
		     "remote=192.0.2.2\n"
		     "IKey = 1.2.3.4\nokey = 0x10\n"
		     "ICsum = yes\nOSeq = on\nseq-x = 1\n", &c) == -1,
	      "unknown key accepted");
	CHECK(strstr(err, "t.conf:9: seq-x: unknown [Tunnel] setting") == err,
	      "err %s", err);

	CHECK(!parse("[tunnel]\nLocal = 192.0.2.1\nRemote = 192.0.2.2\n"
		     "IKey = 1.2.3.4\nOKey = 0x10\nICsum = yes\nOSeq = on\n"
		     "TTL = inherit\nTOS = 0x10\nPMTU-Disc = no\nMTU = 1400\n"
		     "Protection = required\nIf_Id = 7\n"
		     "Address = 10.0.0.1/30, 2001:db8::1/64\nAddress = 10.0.1.1\n"
		     "Route = 10.1.0.0/16\n", &c),
	      "tunnel: %s", err);
	CHECK(c.t.local == inet_addr("192.0.2.1") &&
	      c.t.remote == inet_addr("192.0.2.2"), "addresses");
	CHECK(c.t.ikey == 0x01020304 && c.t.okey == 0x10 &&
	      c.t.iflags == (GRESEC_TUNNEL_F_KEY | GRESEC_TUNNEL_F_CSUM) &&
	      c.t.oflags == (GRESEC_TUNNEL_F_KEY | GRESEC_TUNNEL_F_SEQ),
	      "keys and flags %x %x", c.t.iflags, c.t.oflags);
	CHECK(c.t.ttl == 0 && c.t.tos == 0x10 && !c.t.tos_inherit &&
	      !c.t.pmtudisc && c.t.mtu == 1400 &&
	      c.t.protection == GRESEC_PROTECTION_REQUIRED && c.t.if_id == 7,
	      "options");
	CHECK(c.n_addresses == 3 && !strcmp(c.addresses[1], "2001:db8::1/64") &&
	      !strcmp(c.addresses[2], "10.0.1.1") && c.n_routes == 1 &&
	      !strcmp(c.routes[0], "10.1.0.0/16"), "Address and Route");
	gs_conf_free(&c);

	CHECK(!parse("[Tunnel]\nKey = none\nCsum = yes\nSeq = no\n", &c), "%s", err);
	CHECK(c.t.iflags == GRESEC_TUNNEL_F_CSUM &&
	      c.t.oflags == GRESEC_TUNNEL_F_CSUM, "csum both ways");
	gs_conf_free(&c);

	bad("Local = 1.2.3.4\n", 1, "Local: outside a section");
	bad("[Tunnel]\n[Tunnel]\n", 2, "only one [Tunnel]");
	bad("[Peer]\n", 1, "unknown section");
	bad("[Tunnel\n", 1, "ends with ']'");
	bad("[Tunnel]\nLocal\n", 2, "not a section or");
	bad("[Tunnel]\n = 5\n", 2, "without a name");
	bad("[Tunnel]\nTTL =\n", 2, "TTL: no value");
	bad("[Tunnel]\nTTL = 64\nTTL = 65\n", 3, "TTL: given twice");
	bad("[Tunnel]\nKey = 5\nIKey = 6\n", 3, "conflicts");
	bad("[Tunnel]\nOCsum = no\nCsum = yes\n", 3, "conflicts");
	bad("[Tunnel]\nLocal = 1.2.3.4.5\n", 2, "Local = 1.2.3.4.5: not an IPv4");
	bad("[Tunnel]\nRemote = 2001:db8::1\n", 2, "IPv6 underlay");
	bad("[Tunnel]\nKey = x\n", 2, "Key = x: not a key");
	bad("[Tunnel]\nCsum = maybe\n", 2, "yes or no");
	bad("[Tunnel]\nTTL = 0\n", 2, "1..255");
	bad("[Tunnel]\nTTL = 256\n", 2, "1..255");
	bad("[Tunnel]\nTOS = 256\n", 2, "0..255");
	bad("[Tunnel]\nMTU = 67\n", 2, "68..65535");
	bad("[Tunnel]\nProtection = some\n", 2, "\"none\" or");
	bad("[Tunnel]\nIfId = -1\n", 2, "0..4294967295");
	bad("[Tunnel]\nAddress = 10.0.0.1/33\n", 2, "0..32");
	bad("[Tunnel]\nAddress = 10.0.0.1/24, fe80::1/129\n", 2, "fe80::1/129: prefix length must be 0..128");
	bad("[Tunnel]\nRoute = 10.0.0.300/24\n", 2, "not an address");
	bad("[Tunnel]\nMTU = 1400\n\n\n# fine so far\nfrob = 1\n", 6, "frob: unknown");
}

static void test_sa(void)
{
	struct gs_conf c;

	CHECK(!parse("[Tunnel]\n"
		     "[SA]\nDir = out\nSPI = 0x1000\nProposal = aes128gcm16\nKey = " K20 "\n"
		     "ReplayWindow = 32\n"
		     "[SA]\nDir = in\nSPI = 4097\nProposal = aes256-sha256\nKey = 0x" K32 "\n"
		     "Auth-Key = " K32 "\nReplayWindow = 128\nESN = yes\n"
		     "SoftBytes = 10\nHardBytes = 20\nSoftPackets = 1\nHardPackets = 2\n"
		     "SoftTime = 3\nHardTime = 4\nReqId = 9\n"
		     "[SA]\nDir = in\nSPI = 0x1002\nProposal = aes128gcm16\n"
		     "Mode = Tunnel\n", &c),
	      "SAs: %s", err);
	CHECK(c.t.n_sas == 3 && c.has_keys, "3 SAs with keys");
	CHECK(c.t.protection == GRESEC_PROTECTION_REQUIRED,
	      "a tunnel with SAs is protected by default");
	if (c.t.n_sas == 3) {
		const struct gs_sa *o = &c.t.sas[0], *i = &c.t.sas[1];

		CHECK(o->dir == GRESEC_SA_DIR_OUT && o->spi == 0x1000 &&
		      o->proposal == GRESEC_PROPOSAL_AES128GCM16 &&
		      o->key_len == 20 && o->have[GRESEC_SA_A_KEY] &&
		      !o->have[GRESEC_SA_A_REPLAY_WINDOW] && !o->replay_window,
		      "outbound SA (no replay window)");
		CHECK(i->dir == GRESEC_SA_DIR_IN && i->spi == 4097 &&
		      i->key_len == 32 && i->auth_key_len == 32 &&
		      i->replay_window == 128 && i->esn &&
		      i->soft_bytes == 10 && i->hard_bytes == 20 &&
		      i->soft_packets == 1 && i->hard_packets == 2 &&
		      i->soft_time == 3 && i->hard_time == 4 && i->reqid == 9,
		      "inbound SA");
		CHECK(o->mode == GRESEC_SA_MODE_TRANSPORT &&
		      c.t.sas[2].mode == GRESEC_SA_MODE_TUNNEL &&
		      c.t.sas[2].have[GRESEC_SA_A_MODE], "SA modes");
		CHECK(c.sa_keyed[0] && c.sa_keyed[1] && !c.sa_keyed[2] &&
		      c.sa_line[0] == 2 && c.sa_line[1] == 8 &&
		      c.sa_line[2] == 23, "keyed and lines");
	}
	gs_conf_free(&c);

	CHECK(!parse("[SA]\nDir = in\nSPI = 256\nProposal = aes128gcm16\n"
		     "[Tunnel]\nProtection = none\n", &c), "%s", err);
	CHECK(c.t.protection == GRESEC_PROTECTION_NONE && !c.has_keys,
	      "explicit protection none; keyless");
	gs_conf_free(&c);

	bad("[SA]\nSPI = 256\nProposal = aes128gcm16\n", 1, "Dir is missing");
	bad("[SA]\nDir = in\nMode = beet\n", 3, "must be \"transport\" or \"tunnel\"");
	bad("[SA]\nDir = in\nProposal = aes128gcm16\n[Tunnel]\n", 1, "SPI is missing");
	bad("[SA]\nDir = in\nSPI = 256\n\n[SA]\n", 1, "Proposal is missing");
	bad("[SA]\nDir = up\n", 2, "\"in\" or \"out\"");
	bad("[SA]\nSPI = 255\n", 2, "256 or more");
	bad("[SA]\nProposal = des\n", 2, "unknown proposal");
	bad("[SA]\nDir = in\nDir = out\n", 3, "given twice");
	bad("[SA]\nFrob = 1\n", 2, "Frob: unknown [SA] setting");
	bad("[SA]\nKey = 00112233445566778899zz\n", 2, "Key: not a hex string");
	bad("[SA]\nAuthKey = 00112233445566778899a\n", 2, "AuthKey: odd number");
	bad("[SA]\nReplayWindow = 4097\n", 2, "0..4096");
	bad("[SA]\nESN = 2\n", 2, "yes or no");
	bad("[SA]\nHardBytes = 18446744073709551616\n", 2, "too large");
	bad("[SA]\nDir = in\nSPI = 256\nProposal = aes128gcm16\n"
	    "# the key\nKey = " K16 "\n", 6, "Key: aes128gcm16 needs a 20-byte key");
	bad("[SA]\nDir = in\nSPI = 256\nProposal = aes128-sha1\n"
	    "Key = " K16 "\n", 5, "AuthKey: aes128-sha1 needs an auth-key");
	bad("[SA]\nDir = in\nSPI = 256\nProposal = aes128-sha1\n"
	    "Key = " K16 "\nAuthKey = " K16 "\n", 6, "AuthKey: aes128-sha1 needs a 20-byte");
	bad("[SA]\nDir = in\nSPI = 256\nProposal = aes128gcm16\n"
	    "AuthKey = " K16 "\n", 5, "AuthKey: given without Key");
	bad("[SA]\nDir = in\nSPI = 256\nProposal = aes128gcm16\n"
	    "SoftTime = 5\nHardTime = 4\n", 1, "SoftTime must not exceed");
	bad("[SA]\nDir = in\nSPI = 256\nProposal = aes128gcm16\n"
	    "[SA]\nDir = out\nSPI = 256\nProposal = aes128gcm16\n"
	    "[SA]\nDir = in\nSPI = 0x100\nProposal = aes128gcm16\n", 9,
	    "in SPI 0x00000100 already given at line 1");
	{
		static const char nul[] = "[Tunnel]\nTTL = 5\0\n";

		CHECK(parse_n(nul, sizeof(nul) - 1, &c) &&
		      strstr(err, "t.conf:2: a NUL byte"), "NUL: %s", err);
	}
}

static void fill_tunnel(struct gs_tunnel *t)
{
	struct gs_sa *sa;

	memset(t, 0, sizeof(*t));
	snprintf(t->ifname, sizeof(t->ifname), "gs0");
	t->ifindex = 5;
	t->local = inet_addr("192.0.2.1");
	t->remote = inet_addr("192.0.2.2");
	t->iflags = GRESEC_TUNNEL_F_KEY | GRESEC_TUNNEL_F_SEQ;
	t->oflags = GRESEC_TUNNEL_F_KEY | GRESEC_TUNNEL_F_CSUM;
	t->ikey = 7;
	t->okey = 8;
	t->ttl = 0;
	t->tos = 0x20;
	t->pmtudisc = 0;
	t->mtu = 1300;
	t->protection = GRESEC_PROTECTION_REQUIRED;
	t->if_id = 42;
	sa = gs_tunnel_add_sa(t);
	sa->dir = GRESEC_SA_DIR_IN;
	sa->spi = 0x1001;
	sa->proposal = GRESEC_PROPOSAL_AES256_SHA1;
	sa->replay_window = 1000;
	sa->have[GRESEC_SA_A_REPLAY_WINDOW] = true;
	sa->esn = true;
	sa->hard_time = 3600;
	sa->soft_packets = 99;
	sa->reqid = 3;
	sa = gs_tunnel_add_sa(t);
	sa->dir = GRESEC_SA_DIR_OUT;
	sa->spi = 0x2002;
	sa->proposal = GRESEC_PROPOSAL_CHACHA20POLY1305;
	sa->have[GRESEC_SA_A_REPLAY_WINDOW] = true;
}

/* showconf output parses back to the same tunnel, and plans no change. */
static void test_roundtrip(void)
{
	struct gs_conf_plan p;
	struct gs_tunnel t;
	struct gs_conf c;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	fill_tunnel(&t);
	f = open_memstream(&buf, &len);
	gs_conf_write(f, &t, false);
	fclose(f);
	CHECK(!parse(buf, &c), "written config does not parse: %s\n%s", err, buf);
	CHECK(strstr(buf, "IKey = 7\nOKey = 8\n") && strstr(buf, "ICsum = no\nOCsum = yes\n") &&
	      strstr(buf, "TTL = inherit\n") && strstr(buf, "TOS = 0x20\n") &&
	      strstr(buf, "# No Key"), "written config:\n%s", buf);
	CHECK(gs_conf_tunnel_equal(&c.t, &t), "tunnel options round trip");
	CHECK(c.t.n_sas == 2 && !c.has_keys, "2 keyless SAs");
	for (i = 0; i < c.t.n_sas && i < 2; i++)
		CHECK(gs_conf_sa_equal(&c.t.sas[i], &t.sas[i]), "SA %zu round trip", i);
	CHECK(!gs_conf_plan(&c, "t.conf", &t, false, &p, err, sizeof(err)) &&
	      !p.tunnel && !p.n_steps && p.kept == 2, "setconf plans no change");
	gs_conf_plan_free(&p);
	gs_conf_free(&c);
	free(buf);

	/* A changed option is seen. */
	t.tos_inherit = 1;
	CHECK(parse("[Tunnel]\nTOS = 0x20\n", &c) == 0 &&
	      !gs_conf_tunnel_equal(&c.t, &t), "TOS inherit differs");
	gs_conf_free(&c);
	gs_tunnel_free(&t);
}

static size_t count_op(const struct gs_conf_plan *p, enum gs_conf_op op)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_steps; i++)
		n += p->steps[i].op == op;
	return n;
}

/*
 * showconf DEV keys: Key and AuthKey written, parsed back equal, and
 * setconf of it on a fresh device adds every SA (on the same device it
 * installs them afresh).  The keyless default never writes a key, even
 * from a model that has them; an ESP-in-UDP SA stays keyless.
 */
static void test_roundtrip_keys(void)
{
	struct gs_tunnel t, fresh;
	struct gs_conf_plan p;
	struct gs_conf c;
	char *buf = NULL;
	size_t len = 0, i;
	struct gs_sa *sa;
	FILE *f;

	fill_tunnel(&t);
	for (i = 0; i < 32; i++)
		t.sas[0].key[i] = (uint8_t)(0x10 + i);
	t.sas[0].key_len = 32;
	for (i = 0; i < 20; i++)
		t.sas[0].auth_key[i] = (uint8_t)(0xe0 + i);
	t.sas[0].auth_key_len = 20;
	t.sas[0].have[GRESEC_SA_A_KEY] = t.sas[0].have[GRESEC_SA_A_AUTH_KEY] = true;
	memset(t.sas[1].key, 0xc5, 36);
	t.sas[1].key_len = 36;
	t.sas[1].have[GRESEC_SA_A_KEY] = true;

	f = open_memstream(&buf, &len);
	gs_conf_write(f, &t, true);
	fclose(f);
	CHECK(strstr(buf, "Key = 101112131415161718191a1b1c1d1e1f"
			  "202122232425262728292a2b2c2d2e2f\n") &&
	      strstr(buf, "AuthKey = e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3\n") &&
	      !strstr(buf, "# No Key"), "keys written:\n%s", buf);
	CHECK(!parse(buf, &c), "written config with keys does not parse: %s\n%s",
	      err, buf);
	CHECK(c.has_keys && c.t.n_sas == 2 && c.sa_keyed[0] && c.sa_keyed[1],
	      "2 keyed SAs");
	if (c.t.n_sas == 2) {
		for (i = 0; i < 2; i++)
			CHECK(gs_conf_sa_equal(&c.t.sas[i], &t.sas[i]) &&
			      c.t.sas[i].key_len == t.sas[i].key_len &&
			      !memcmp(c.t.sas[i].key, t.sas[i].key, t.sas[i].key_len) &&
			      c.t.sas[i].auth_key_len == t.sas[i].auth_key_len &&
			      !memcmp(c.t.sas[i].auth_key, t.sas[i].auth_key,
				      t.sas[i].auth_key_len),
			      "SA %zu and its keys round trip", i);
	}

	/* A fresh device with the same options: every SA added. */
	fresh = t;
	fresh.sas = NULL;
	fresh.n_sas = fresh.cap_sas = 0;
	CHECK(!gs_conf_plan(&c, "t.conf", &fresh, false, &p, err, sizeof(err)) &&
	      !p.tunnel && p.n_steps == 2 && count_op(&p, GS_CONF_ADD) == 2,
	      "setconf on a fresh device adds both SAs: %s", err);
	gs_conf_plan_free(&p);
	/* The same device: setconf installs them afresh, syncconf keeps them. */
	CHECK(!gs_conf_plan(&c, "t.conf", &t, false, &p, err, sizeof(err)) &&
	      count_op(&p, GS_CONF_REPLACE) == 2 && p.n_steps == 2,
	      "setconf on the same device replaces both SAs: %s", err);
	gs_conf_plan_free(&p);
	CHECK(!gs_conf_plan(&c, "t.conf", &t, true, &p, err, sizeof(err)) &&
	      !p.n_steps && p.kept == 2, "syncconf keeps both SAs: %s", err);
	gs_conf_plan_free(&p);
	gs_conf_free(&c);
	free(buf);

	/* Without keys asked, none is written. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	gs_conf_write(f, &t, false);
	fclose(f);
	CHECK(!strstr(buf, "Key = 1011") && !strstr(buf, "AuthKey") &&
	      !strstr(buf, "c5c5") && strstr(buf, "# No Key"),
	      "keyless default writes no key:\n%s", buf);
	free(buf);

	/* ESP in UDP: the format cannot say it, so no keys for it. */
	sa = gs_tunnel_add_sa(&t);
	sa->dir = GRESEC_SA_DIR_OUT;
	sa->spi = 0x3003;
	sa->proposal = GRESEC_PROPOSAL_AES128GCM16;
	sa->encap = GRESEC_ENCAP_UDP;
	memset(sa->key, 0x77, 20);
	sa->key_len = 20;
	sa->have[GRESEC_SA_A_KEY] = true;
	buf = NULL;
	f = open_memstream(&buf, &len);
	gs_conf_write(f, &t, true);
	fclose(f);
	CHECK(strstr(buf, "# ESP in UDP") && !strstr(buf, "7777"),
	      "ESP-in-UDP SA written without its keys:\n%s", buf);
	CHECK(!parse(buf, &c) && c.t.n_sas == 3 && !c.sa_keyed[2] &&
	      c.sa_keyed[0], "its section parses keyless: %s", err);
	gs_conf_free(&c);
	free(buf);
	gs_tunnel_free(&t);
}

static void test_plan(void)
{
	struct gs_conf_plan p;
	struct gs_tunnel t;
	struct gs_conf c;
	const char *file =
		"[Tunnel]\nLocal = 192.0.2.1\nRemote = 192.0.2.2\nIKey = 7\nOKey = 8\n"
		"ISeq = yes\nOCsum = yes\nTTL = inherit\nTOS = 0x20\nPMTUDisc = no\n"
		"MTU = 1300\nIfId = 42\n"
		/* 0x1001 kept, same parameters, keyed */
		"[SA]\nDir = in\nSPI = 0x1001\nProposal = aes256-sha1\nKey = " K32 "\n"
		"AuthKey = " K20 "\nReplayWindow = 1000\nESN = yes\nHardTime = 3600\n"
		"SoftPackets = 99\nReqId = 3\n"
		/* 0x2002 changed proposal: replaced */
		"[SA]\nDir = out\nSPI = 0x2002\nProposal = aes128gcm16\nKey = " K20 "\n"
		/* new */
		"[SA]\nDir = out\nSPI = 0x3003\nProposal = aes128gcm16\nKey = " K20 "\n";

	fill_tunnel(&t);
	/* A third running SA that the file does not have: deleted. */
	gs_tunnel_add_sa(&t)->spi = 0x4004;
	t.sas[2].dir = GRESEC_SA_DIR_IN;
	t.sas[2].proposal = GRESEC_PROPOSAL_AES128GCM16;

	CHECK(!parse(file, &c), "%s", err);
	CHECK(!gs_conf_plan(&c, "t.conf", &t, true, &p, err, sizeof(err)),
	      "sync plan: %s", err);
	CHECK(!p.tunnel && p.kept == 1 && p.n_steps == 3, "sync: %d kept %zu steps %zu",
	      p.tunnel, p.kept, p.n_steps);
	if (p.n_steps == 3) {
		CHECK(p.steps[0].op == GS_CONF_ADD && p.steps[0].want == 2,
		      "add 0x3003 first");
		CHECK(p.steps[1].op == GS_CONF_REPLACE && p.steps[1].want == 1 &&
		      p.steps[1].cur == 1, "then replace 0x2002");
		CHECK(p.steps[2].op == GS_CONF_DEL && p.steps[2].cur == 2,
		      "then delete 0x4004");
	}
	gs_conf_plan_free(&p);

	/* setconf installs every keyed SA afresh. */
	CHECK(!gs_conf_plan(&c, "t.conf", &t, false, &p, err, sizeof(err)) &&
	      p.kept == 0 && p.n_steps == 4 && p.steps[1].op == GS_CONF_REPLACE &&
	      p.steps[1].want == 0 && p.steps[2].op == GS_CONF_REPLACE,
	      "setconf plan");
	gs_conf_plan_free(&p);
	gs_conf_free(&c);

	/* A keyless SA must be running, and unchanged. */
	CHECK(!parse("[SA]\nDir = in\nSPI = 0x1001\nProposal = aes256-sha1\n"
		     "ReplayWindow = 1000\nESN = yes\nHardTime = 3600\n"
		     "SoftPackets = 99\nReqId = 3\n", &c), "%s", err);
	CHECK(!gs_conf_plan(&c, "t.conf", &t, false, &p, err, sizeof(err)) &&
	      p.kept == 1 && p.n_steps == 2 && p.tunnel, "keyless kept");
	gs_conf_plan_free(&p);
	gs_conf_free(&c);
	CHECK(!parse("\n[SA]\nDir = in\nSPI = 0x1001\nProposal = aes256-sha1\n", &c),
	      "%s", err);
	CHECK(gs_conf_plan(&c, "t.conf", &t, true, &p, err, sizeof(err)) &&
	      strstr(err, "t.conf:2: [SA] in SPI 0x00001001 has no Key and differs"),
	      "keyless changed: %s", err);
	gs_conf_free(&c);
	CHECK(!parse("[SA]\nDir = out\nSPI = 0x1001\nProposal = aes256-sha1\n", &c),
	      "%s", err);
	CHECK(gs_conf_plan(&c, "t.conf", &t, true, &p, err, sizeof(err)) &&
	      strstr(err, "t.conf:1: [SA] out SPI 0x00001001 has no Key and gs0 has no such SA"),
	      "keyless missing: %s", err);
	gs_conf_free(&c);
	gs_tunnel_free(&t);
}

int main(void)
{
	test_defaults();
	test_tunnel();
	test_sa();
	test_roundtrip();
	test_roundtrip_keys();
	test_plan();
	return test_summary();
}
