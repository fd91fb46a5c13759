// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the pure code: argument parsers (numbers, hex, SPIs,
 * addresses, GRE keys, key lengths, interface names), name tables and
 * the renderers (human, JSON, dump) on a synthetic tunnel.
 * Prints "N passed, N failed"; exits 1 if anything failed.
 *
 * "test-parse --json|--human|--dump" only prints the synthetic tunnel,
 * for test-cli.sh to check the JSON with a real parser and for people to
 * look at the output formats without a kernel.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "model.h"
#include "parse.h"
#include "print.h"
#include "test.h"

static void test_u64(const char *s, uint64_t max, bool ok, uint64_t want)
{
	uint64_t v = 12345;
	const char *why = parse_u64(s, max, &v);

	if (ok)
		CHECK(!why && v == want, "parse_u64(\"%s\") = %s %llu", s,
		      why ? why : "ok", (unsigned long long)v);
	else
		CHECK(why && v == 12345, "parse_u64(\"%s\") accepted", s);
}

static void test_numbers(void)
{
	test_u64("0", UINT64_MAX, true, 0);
	test_u64("42", UINT64_MAX, true, 42);
	test_u64("0x2a", UINT64_MAX, true, 42);
	test_u64("0X2A", UINT64_MAX, true, 42);
	test_u64("007", UINT64_MAX, true, 7);	/* decimal, not octal */
	test_u64("18446744073709551615", UINT64_MAX, true, UINT64_MAX);
	test_u64("0xffffffffffffffff", UINT64_MAX, true, UINT64_MAX);
	test_u64("18446744073709551616", UINT64_MAX, false, 0);
	test_u64("0x10000000000000000", UINT64_MAX, false, 0);
	test_u64("99999999999999999999999", UINT64_MAX, false, 0);
	test_u64("", UINT64_MAX, false, 0);
	test_u64("-1", UINT64_MAX, false, 0);
	test_u64("+1", UINT64_MAX, false, 0);
	test_u64(" 1", UINT64_MAX, false, 0);
	test_u64("1 ", UINT64_MAX, false, 0);
	test_u64("1x", UINT64_MAX, false, 0);
	test_u64("0x", UINT64_MAX, false, 0);
	test_u64("0x-1", UINT64_MAX, false, 0);
	test_u64("0x 1", UINT64_MAX, false, 0);
	test_u64("1e3", UINT64_MAX, false, 0);
	test_u64("abc", UINT64_MAX, false, 0);
	test_u64("256", 255, false, 0);
	test_u64("255", 255, true, 255);
	CHECK(parse_u64(NULL, 1, &(uint64_t){0}) != NULL, "NULL accepted");

	uint32_t u;
	CHECK(!parse_u32("4294967295", UINT32_MAX, &u) && u == UINT32_MAX,
	      "u32 max");
	CHECK(parse_u32("4294967296", UINT32_MAX, &u), "u32 overflow");
}

static void test_spi(void)
{
	uint32_t spi = 0;

	CHECK(!parse_spi("256", &spi) && spi == 256, "spi 256");
	CHECK(!parse_spi("0x1001", &spi) && spi == 0x1001, "spi 0x1001");
	CHECK(!parse_spi("4294967295", &spi) && spi == UINT32_MAX, "spi max");
	CHECK(parse_spi("255", &spi) != NULL, "spi 255 accepted");
	CHECK(parse_spi("0", &spi) != NULL, "spi 0 accepted");
	CHECK(parse_spi("4294967296", &spi) != NULL, "spi 2^32 accepted");
	CHECK(parse_spi("0x", &spi) != NULL, "spi 0x accepted");
	CHECK(parse_spi("spi", &spi) != NULL, "spi word accepted");
}

static void test_ipv4(void)
{
	uint32_t a = 1;

	CHECK(!parse_ipv4("192.0.2.1", &a) && a == inet_addr("192.0.2.1"),
	      "192.0.2.1");
	CHECK(!parse_ipv4("any", &a) && a == 0, "any");
	CHECK(!parse_ipv4("0.0.0.0", &a) && a == 0, "0.0.0.0");
	CHECK(parse_ipv4("1.2.3", &a) != NULL, "1.2.3 accepted");
	CHECK(parse_ipv4("1.2.3.256", &a) != NULL, "1.2.3.256 accepted");
	CHECK(parse_ipv4("1.2.3.4.5", &a) != NULL, "1.2.3.4.5 accepted");
	CHECK(parse_ipv4("", &a) != NULL, "empty accepted");
	CHECK(parse_ipv4("host.example", &a) != NULL, "name accepted");
	CHECK(parse_ipv4("2001:db8::1", &a) != NULL &&
	      strstr(parse_ipv4("2001:db8::1", &a), "IPv6"), "IPv6 message");
}

static void test_gre_key(void)
{
	uint32_t k = 0;

	CHECK(!parse_gre_key("5", &k) && k == 5, "key 5");
	CHECK(!parse_gre_key("0x10", &k) && k == 16, "key 0x10");
	CHECK(!parse_gre_key("0.0.0.5", &k) && k == 5, "key 0.0.0.5");
	CHECK(!parse_gre_key("1.2.3.4", &k) && k == 0x01020304, "key 1.2.3.4");
	CHECK(!parse_gre_key("4294967295", &k) && k == UINT32_MAX, "key max");
	CHECK(parse_gre_key("4294967296", &k) != NULL, "key overflow");
	CHECK(parse_gre_key("1.2.3", &k) != NULL, "key 1.2.3");
	CHECK(parse_gre_key("-5", &k) != NULL, "key -5");
	CHECK(parse_gre_key("five", &k) != NULL, "key five");
}

static void test_hex(void)
{
	uint8_t buf[8];
	size_t len = 0;

	CHECK(!parse_hex("00ff10", buf, sizeof(buf), &len) && len == 3 &&
	      buf[0] == 0 && buf[1] == 0xff && buf[2] == 0x10, "00ff10");
	CHECK(!parse_hex("0xABcd", buf, sizeof(buf), &len) && len == 2 &&
	      buf[0] == 0xab && buf[1] == 0xcd, "0xABcd");
	CHECK(!parse_hex("0011223344556677", buf, sizeof(buf), &len) &&
	      len == 8, "8 bytes into 8");
	CHECK(parse_hex("001122334455667788", buf, sizeof(buf), &len) != NULL,
	      "9 bytes into 8");
	CHECK(parse_hex("abc", buf, sizeof(buf), &len) != NULL, "odd length");
	CHECK(parse_hex("0x", buf, sizeof(buf), &len) != NULL, "0x alone");
	CHECK(parse_hex("", buf, sizeof(buf), &len) != NULL, "empty");
	CHECK(parse_hex("zz", buf, sizeof(buf), &len) != NULL, "zz");
	CHECK(parse_hex("12 4", buf, sizeof(buf), &len) != NULL, "space");
	CHECK(parse_hex("0x0x12", buf, sizeof(buf), &len) != NULL, "0x0x");
	CHECK(parse_hex("-1", buf, sizeof(buf), &len) != NULL, "-1");
}

static void test_key_lengths(void)
{
	static const struct { const char *name; size_t key, auth; } good[] = {
		{ "aes128gcm16", 20, 0 }, { "aes256gcm16", 36, 0 },
		{ "aes128-sha256", 16, 32 }, { "aes256-sha256", 32, 32 },
		{ "aes128-sha1", 16, 20 }, { "aes256-sha1", 32, 20 },
		{ "aes128-md5", 16, 16 }, { "chacha20poly1305", 36, 0 },
	};
	const struct proposal *p;
	const char *why;
	bool bad_auth;
	size_t i;

	CHECK(gs_n_proposals == 8, "8 proposals");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		p = gs_proposal_by_name(good[i].name);
		CHECK(p != NULL, "proposal %s", good[i].name);
		if (!p)
			continue;
		CHECK(gs_proposal_by_id(p->id) == p, "by id %s", p->name);
		CHECK(!strcmp(gs_proposal_name(p->id), p->name), "name %s",
		      p->name);
		why = check_key_lengths(p, good[i].key, good[i].auth != 0,
					good[i].auth, &bad_auth);
		CHECK(!why, "%s good lengths: %s", p->name, why);
		why = check_key_lengths(p, good[i].key - 1, good[i].auth != 0,
					good[i].auth, &bad_auth);
		CHECK(why && !bad_auth, "%s short key", p->name);
		why = check_key_lengths(p, good[i].key + 4, good[i].auth != 0,
					good[i].auth, &bad_auth);
		CHECK(why && !bad_auth, "%s long key", p->name);
		if (good[i].auth) {
			why = check_key_lengths(p, good[i].key, false, 0,
						&bad_auth);
			CHECK(why && bad_auth, "%s missing auth-key", p->name);
			why = check_key_lengths(p, good[i].key, true,
						good[i].auth - 4, &bad_auth);
			CHECK(why && bad_auth, "%s short auth-key", p->name);
		} else {
			why = check_key_lengths(p, good[i].key, true, 16,
						&bad_auth);
			CHECK(why && bad_auth, "%s AEAD with auth-key", p->name);
		}
	}
	p = gs_proposal_by_name("aes128gcm16");
	why = check_key_lengths(p, 16, false, 0, &bad_auth);
	CHECK(why && strstr(why, "20-byte") && strstr(why, "salt") &&
	      strstr(why, "got 16"), "message names length: %s", why);
	p = gs_proposal_by_name("aes256-sha1");
	why = check_key_lengths(p, 32, true, 32, &bad_auth);
	CHECK(why && strstr(why, "20-byte"), "auth message: %s", why);
	CHECK(!gs_proposal_by_name("AES128GCM16"), "names are exact");
	CHECK(!gs_proposal_by_name("des"), "unknown proposal");
	CHECK(!strcmp(gs_proposal_name(99), "unknown-99"), "unknown id");
}

static void test_ifname(void)
{
	CHECK(!check_ifname("gs0"), "gs0");
	CHECK(!check_ifname("abcdefghijklmno"), "15 chars");
	CHECK(check_ifname("abcdefghijklmnop") != NULL, "16 chars");
	CHECK(check_ifname("") != NULL, "empty");
	CHECK(check_ifname("a/b") != NULL, "slash");
	CHECK(check_ifname("a b") != NULL, "space");
	CHECK(check_ifname("..") != NULL, "..");
}

static void test_tables(void)
{
	size_t i;

	CHECK(gs_n_tunnel_counters == GRESEC_STATS_A_MAX - GRESEC_STATS_A_PAD,
	      "every tunnel counter has a name (%zu)", gs_n_tunnel_counters);
	CHECK(gs_n_sa_counters == GRESEC_SA_STATS_A_MAX - GRESEC_SA_STATS_A_PAD,
	      "every SA counter has a name (%zu)", gs_n_sa_counters);
	for (i = 0; i < gs_n_tunnel_counters; i++)
		CHECK(gs_tunnel_counters[i].attr > GRESEC_STATS_A_PAD &&
		      gs_tunnel_counters[i].attr <= GRESEC_STATS_A_MAX,
		      "tunnel counter %zu in range", i);
	for (i = 0; i < gs_n_sa_counters; i++)
		CHECK(gs_sa_counters[i].attr > GRESEC_SA_STATS_A_PAD &&
		      gs_sa_counters[i].attr <= GRESEC_SA_STATS_A_MAX,
		      "SA counter %zu in range", i);
	CHECK(!strcmp(gs_state_name(GRESEC_SA_STATE_SOFT_EXPIRED),
		      "soft-expired"), "state name");
	CHECK(!strcmp(gs_dir_name(GRESEC_SA_DIR_OUT), "out"), "dir name");
	CHECK(!strcmp(gs_attr_name(GRESEC_A_SA, GRESEC_SA_A_KEY), "key"),
	      "attr name sa.key");
	CHECK(!strcmp(gs_attr_name(GRESEC_A_MTU, -1), "mtu"), "attr name mtu");
}

/* A tunnel with one SA each way and distinct counter values. */
static void fixture(struct gs_tunnel *t)
{
	struct gs_sa *sa;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->ifindex = 7;
	strcpy(t->ifname, "gs0");
	t->local = inet_addr("192.0.2.1");
	t->remote = inet_addr("198.51.100.2");
	t->ikey = t->okey = 5;
	t->iflags = GRESEC_TUNNEL_F_KEY | GRESEC_TUNNEL_F_SEQ;
	t->oflags = GRESEC_TUNNEL_F_KEY;
	t->ttl = 64;
	t->tos_inherit = 1;
	t->pmtudisc = 1;
	t->link_mtu = 1438;
	t->protection = GRESEC_PROTECTION_REQUIRED;
	for (i = 0; i < gs_n_tunnel_counters; i++)
		t->stats[gs_tunnel_counters[i].attr] = 1000 + i;

	sa = gs_tunnel_add_sa(t);
	sa->spi = 0x1001;
	sa->dir = GRESEC_SA_DIR_IN;
	sa->proposal = GRESEC_PROPOSAL_AES128GCM16;
	sa->replay_window = 64;
	sa->state = GRESEC_SA_STATE_ACTIVE;
	sa->age = 10;
	sa->seq = 99;
	sa->hard_time = 3600;
	sa->replay_bitmap = calloc(1, 16);
	sa->replay_bitmap[0] = 0xab;		/* 5 bits */
	sa->replay_bitmap[4] = 0x0f;		/* 4 bits, in the window */
	sa->replay_bitmap[8] = 0xff;		/* beyond the window of 64 */
	sa->replay_bitmap_len = 16;
	for (i = 0; i < gs_n_sa_counters; i++)
		sa->stats[gs_sa_counters[i].attr] = 2000 + i;

	sa = gs_tunnel_add_sa(t);
	sa->spi = 0x2001;
	sa->dir = GRESEC_SA_DIR_OUT;
	sa->proposal = GRESEC_PROPOSAL_AES256_SHA256;
	sa->state = GRESEC_SA_STATE_SOFT_EXPIRED;
	sa->esn = true;
	sa->age = 20;
	sa->seq = 12;
	sa->hard_bytes = 1 << 20;
	for (i = 0; i < gs_n_sa_counters; i++)
		sa->stats[gs_sa_counters[i].attr] = 3000 + i;
	/* The inbound SA is UDP-encapsulated (its NAT mapping counted). */
	t->sas[0].encap = GRESEC_ENCAP_UDP;
	t->sas[0].encap_sport = 4500;
	t->sas[0].encap_dport = 4500;
	t->sas[0].encap_peer_addr = htonl(0xcb007107);
	t->sas[0].encap_peer_port = 31000;
	/* The outbound SA is in tunnel mode. */
	t->sas[1].mode = GRESEC_SA_MODE_TUNNEL;
}

static char *render(void (*fn)(FILE *, const struct gs_tunnel *),
		    const struct gs_tunnel *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, t);
	fclose(f);
	return buf;
}

static void json_one(FILE *f, const struct gs_tunnel *t)
{
	struct json j;

	json_init(&j, f, true);
	json_arr_begin(&j, NULL);
	json_tunnel(&j, t);
	json_arr_end(&j);
	json_finish(&j);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = s ? strlen(s) : 0, m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

static void test_print(void)
{
	struct gs_tunnel t;
	char *s, *line;
	int fields;
	size_t i;

	fixture(&t);

	s = render(print_tunnel, &t);
	CHECK(strstr(s, "Tunnel source 192.0.2.1, destination 198.51.100.2"),
	      "human: source/destination");
	CHECK(strstr(s, "Key 5"), "human: key");
	CHECK(strstr(s, "sequencing in only"), "human: sequencing");
	CHECK(strstr(s, "Checksumming of packets disabled"), "human: csum");
	CHECK(strstr(s, "TOS inherit"), "human: tos");
	CHECK(strstr(s, "current outbound spi: 0x00002001"), "human: cur spi");
	CHECK(strstr(s, "local crypto endpt.: 192.0.2.1, remote crypto endpt.: 198.51.100.2"),
	      "human: crypto endpoints");
	CHECK(strstr(s, "in use settings = {Transport}"), "human: transport");
	CHECK(strstr(s, "in use settings = {Tunnel}"), "human: tunnel");
	CHECK(strstr(s, "esp-256-aes esp-sha256-hmac"), "human: transform");
	CHECK(strstr(s, "#pkts decaps: 2000"), "human: decaps");
	CHECK(strstr(s, "#pkts encaps: 3000"), "human: encaps");
	CHECK(strstr(s, "3590 s"), "human: remaining time");
	CHECK(strstr(s, "window 64 (9 of the last 64 received)"),
	      "human: replay window use");
	CHECK(strstr(s, "UDP-encapsulated, port 4500 -> 4500\n"
		     "        peer 203.0.113.7:31000 (NAT detected: mapping changed 2011 times)"),
	      "human: encap");
	for (i = 0; i < gs_n_tunnel_counters; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%zu", 1000 + i);
		CHECK(strstr(s, want), "human shows tunnel counter %s",
		      gs_tunnel_counters[i].json);
	}
	for (i = 0; i < gs_n_sa_counters; i++) {
		char want[64];

		snprintf(want, sizeof(want), "%zu", 2000 + i);
		CHECK(strstr(s, want), "human shows SA counter %s",
		      gs_sa_counters[i].json);
	}
	for (line = s; (line = strchr(line, '\n')); line++)
		CHECK(strcspn(line + 1, "\n") <= 80, "line too long: %.*s",
		      (int)strcspn(line + 1, "\n"), line + 1);
	free(s);

	s = render(json_one, &t);
	CHECK(strstr(s, "\"ifname\": \"gs0\""), "json: ifname");
	CHECK(strstr(s, "\"ikey\": 5"), "json: ikey");
	CHECK(strstr(s, "\"rx_drop_inner\": "), "json: rx_drop_inner");
	CHECK(strstr(s, "\"tx_drop_error\": 1021"), "json: tx_drop_error");
	CHECK(strstr(s, "\"drop_crypto\": 2009"), "json: drop_crypto");
	CHECK(strstr(s, "\"peer\": \"203.0.113.7\""), "json: encap peer");
	CHECK(strstr(s, "\"encap\": null"), "json: no encap");
	CHECK(strstr(s, "\"mode\": \"transport\""), "json: transport mode");
	CHECK(strstr(s, "\"mode\": \"tunnel\""), "json: tunnel mode");
	CHECK(strstr(s, "\"drop_tunnel_inner\": 3012"), "json: drop_tunnel_inner");
	CHECK(strstr(s, "\"replay_bitmap\": \"ab0000000f000000ff00000000000000\""),
	      "json: bitmap");
	CHECK(strstr(s, "\"current_outbound_spi\": 8193"), "json: cur spi");
	CHECK(strstr(s, "\"state\": \"soft-expired\""), "json: state");
	CHECK(!strstr(s, "key\": \"") , "json: no key material field");
	free(s);

	s = render(dump_tunnel, &t);
	line = strtok(s, "\n");
	fields = 0;
	for (char *p = line; p; p = strchr(p + 1, '\t'))
		fields++;
	CHECK(line && !strncmp(line, "tunnel\tgs0\t7\t192.0.2.1\t198.51.100.2\t5\t5\toff\toff\ton\toff\t64\tinherit\ton\tauto\t1438\trequired\t1000\t", 82),
	      "dump tunnel line: %s", line);
	CHECK(fields == 17 + (int)gs_n_tunnel_counters,
	      "dump tunnel columns: %d", fields);
	line = strtok(NULL, "\n");
	fields = 0;
	for (char *p = line; p; p = strchr(p + 1, '\t'))
		fields++;
	CHECK(line && !strncmp(line, "sa\tgs0\tin\t0x00001001\taes128gcm16\tactive\toff\t64\t99\t10\toff\toff\toff\toff\toff\t3600\t2000\t", 60),
	      "dump sa line: %s", line);
	/* The counters, encapsulation (5), mode (1). */
	CHECK(fields == 16 + (int)gs_n_sa_counters + 5 + 1,
	      "dump sa columns: %d", fields);
	CHECK(ends_with(line, "\t2011\tudp\t4500\t4500\t203.0.113.7\t31000\ttransport\t2012"),
	      "dump sa encap, mode appended: %s", line ? line : "(none)");
	line = strtok(NULL, "\n");
	CHECK(line && strstr(line, "\tout\t0x00002001\taes256-sha256\tsoft-expired\ton\t"),
	      "dump sa out: %s", line ? line : "(none)");
	CHECK(ends_with(line, "\t3011\tnone\t0\t0\tremote\t0\ttunnel\t3012"),
	      "dump sa out, tunnel mode appended: %s", line ? line : "(none)");
	free(s);

	gs_tunnel_free(&t);
}

static void test_event(void)
{
	struct gs_tunnel t = { 0 };
	struct gs_sa *sa;
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	t.ifindex = 3;
	strcpy(t.ifname, "gs0");
	sa = gs_tunnel_add_sa(&t);
	sa->spi = 0x1001;
	sa->dir = GRESEC_SA_DIR_IN;
	sa->event = GRESEC_SA_EVENT_SOFT_EXPIRED;
	sa->proposal = GRESEC_PROPOSAL_CHACHA20POLY1305;
	sa->have[GRESEC_SA_A_PROPOSAL] = true;
	sa->state = GRESEC_SA_STATE_SOFT_EXPIRED;
	sa->have[GRESEC_SA_A_STATE] = true;
	sa->stats[GRESEC_SA_STATS_A_PACKETS] = 12;
	sa->stats[GRESEC_SA_STATS_A_BYTES] = 34;
	sa->have[GRESEC_SA_A_STATS] = true;

	f = open_memstream(&buf, &len);
	print_event(f, &t, sa);
	fclose(f);
	CHECK(!strcmp(buf, "gs0: sa soft-expired: in spi 0x00001001 (4097) chacha20poly1305, state soft-expired, 12 packets, 34 bytes\n"),
	      "event line: %s", buf);
	free(buf);

	f = open_memstream(&buf, &len);
	json_init(&j, f, false);
	json_event(&j, &t, sa, "2025-01-01T00:00:00+0000");
	json_finish(&j);
	fclose(f);
	CHECK(!strncmp(buf, "{\"time\":\"2025-01-01T00:00:00+0000\",\"event\":\"soft-expired\",\"ifname\":\"gs0\",\"ifindex\":3,\"spi\":4097,\"dir\":\"in\",\"proposal\":\"chacha20poly1305\",\"state\":\"soft-expired\",\"esn\":false,", 166) &&
	      strstr(buf, ",\"stats\":{\"packets\":12,") && !strchr(buf, ' ') &&
	      !strcmp(buf + strlen(buf) - 3, "}}\n"),
	      "event JSON: %s", buf);
	free(buf);
	gs_tunnel_free(&t);
}

static void test_json_escape(void)
{
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_init(&j, f, false);
	json_obj_begin(&j, NULL);
	json_str(&j, "s", "a\"b\\c\n\x01");
	json_arr_begin(&j, "e");
	json_arr_end(&j);
	json_obj_end(&j);
	fclose(f);
	CHECK(!strcmp(buf, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"e\":[]}"),
	      "escaping: %s", buf);
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--json") ||
			 !strcmp(argv[1], "--human") ||
			 !strcmp(argv[1], "--dump"))) {
		struct gs_tunnel t;

		fixture(&t);
		if (argv[1][2] == 'j')
			json_one(stdout, &t);
		else if (argv[1][2] == 'h')
			print_tunnel(stdout, &t);
		else
			dump_tunnel(stdout, &t);
		gs_tunnel_free(&t);
		return 0;
	}
	test_numbers();
	test_spi();
	test_ipv4();
	test_gre_key();
	test_hex();
	test_key_lengths();
	test_ifname();
	test_tables();
	test_print();
	test_event();
	test_json_escape();
	return test_summary();
}
