// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the vici client (vici.c) and of the IKE view built on it
 * (ike.c, print-ike.c): the README's encoding example, every kind of
 * malformed message (truncations at every byte, lengths beyond the
 * buffer, unbalanced sections and lists, nesting too deep, unknown
 * types, random corruption), packets, and whole exchanges with a fake
 * charon on a Unix socket: a list-sas stream matched to a tunnel, and
 * a charon that sends huge, empty, truncated or unexpected packets.
 * Prints "N passed, N failed"; exits 1 if anything failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ike.h"
#include "print.h"
#include "vici.h"
#include "test.h"

/* ---- a message builder ---- */

struct msg {
	uint8_t b[8192];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	if (m->n + n > sizeof(m->b))
		abort();
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put8(struct msg *m, uint8_t v)
{
	put(m, &v, 1);
}

static void name(struct msg *m, const char *s)
{
	put8(m, strlen(s));
	put(m, s, strlen(s));
}

static void value(struct msg *m, const char *s)
{
	put8(m, strlen(s) >> 8);
	put8(m, strlen(s) & 0xff);
	put(m, s, strlen(s));
}

static void sec(struct msg *m, const char *s)
{
	put8(m, VICI_SECTION_START);
	name(m, s);
}

static void end(struct msg *m)
{
	put8(m, VICI_SECTION_END);
}

static void kv(struct msg *m, const char *k, const char *v)
{
	put8(m, VICI_KEY_VALUE);
	name(m, k);
	value(m, v);
}

static void list(struct msg *m, const char *k, const char *const *items)
{
	put8(m, VICI_LIST_START);
	name(m, k);
	for (; *items; items++) {
		put8(m, VICI_LIST_ITEM);
		value(m, *items);
	}
	put8(m, VICI_LIST_END);
}

/* The encoding example of the vici README, byte for byte. */
static const uint8_t readme[] = {
	3, 4, 'k', 'e', 'y', '1', 0, 6, 'v', 'a', 'l', 'u', 'e', '1',
	1, 8, 's', 'e', 'c', 't', 'i', 'o', 'n', '1',
	1, 11, 's', 'u', 'b', '-', 's', 'e', 'c', 't', 'i', 'o', 'n',
	3, 4, 'k', 'e', 'y', '2', 0, 6, 'v', 'a', 'l', 'u', 'e', '2',
	2,
	4, 5, 'l', 'i', 's', 't', '1',
	5, 0, 5, 'i', 't', 'e', 'm', '1',
	5, 0, 5, 'i', 't', 'e', 'm', '2',
	6,
	2,
};

static bool decodes(const uint8_t *b, size_t n)
{
	const char *why = NULL;
	struct vici_node *t = vici_decode(b, n, &why);

	vici_free(t);
	return t != NULL;
}

static void test_readme(void)
{
	const struct vici_node *s1, *sub, *l, *it;
	const char *why = NULL;
	struct vici_node *t;
	struct msg m = { .n = 0 };
	size_t i;

	t = vici_decode(readme, sizeof(readme), &why);
	CHECK(t, "README example: %s", why);
	if (!t)
		return;
	CHECK(!strcmp(vici_str(t, "key1") ?: "", "value1"), "key1");
	s1 = vici_get(t, "section1");
	CHECK(s1 && s1->type == VICI_SECTION_START, "section1");
	sub = vici_get(s1, "sub-section");
	CHECK(!strcmp(vici_str(sub, "key2") ?: "", "value2"), "key2");
	l = vici_get(s1, "list1");
	CHECK(l && l->type == VICI_LIST_START, "list1");
	it = l ? l->child : NULL;
	CHECK(it && it->type == VICI_LIST_ITEM && !strcmp(it->value, "item1") &&
	      it->next && !strcmp(it->next->value, "item2") && !it->next->next,
	      "list items");
	CHECK(!vici_str(s1, "list1"), "a list is no key/value");
	CHECK(!vici_get(l, "item1"), "lookup in a list");
	CHECK(!vici_str(t, "nokey") && !vici_get(NULL, "x"), "missing keys");
	vici_free(t);

	/* The builder and vici_put_kv agree with the README's bytes. */
	kv(&m, "key1", "value1");
	CHECK(m.n == 14 && !memcmp(m.b, readme, 14), "builder");
	{
		uint8_t b[14];
		size_t n = 0;

		CHECK(vici_put_kv(b, sizeof(b), &n, "key1", "value1") && n == 14 &&
		      !memcmp(b, readme, 14), "vici_put_kv");
		n = 0;
		CHECK(!vici_put_kv(b, 13, &n, "key1", "value1") && n == 0,
		      "vici_put_kv into too small a buffer");
	}

	/* Every strict prefix is malformed (each cuts an element or leaves
	 * a section open), except the one ending after key1 = value1. */
	for (i = 0; i < sizeof(readme); i++)
		CHECK(decodes(readme, i) == (i == 0 || i == 14),
		      "prefix of %zu bytes", i);
	CHECK(decodes((const uint8_t *)"", 0), "the empty message");
}

static void test_malformed(void)
{
	static const struct {
		const char *what;
		uint8_t b[16];
		size_t n;
	} bad[] = {
		{ "section end at the root", { 2 }, 1 },
		{ "list end outside a list", { 6 }, 1 },
		{ "list item outside a list", { 5, 0, 1, 'x' }, 4 },
		{ "key/value in a list", { 4, 1, 'l', 3, 1, 'k', 0, 0, 6 }, 9 },
		{ "section in a list", { 4, 1, 'l', 1, 1, 's', 2, 6 }, 8 },
		{ "list in a list", { 4, 1, 'l', 4, 1, 'm', 6, 6 }, 8 },
		{ "section end in a list", { 4, 1, 'l', 2 }, 4 },
		{ "unclosed list", { 4, 1, 'l' }, 3 },
		{ "unclosed section", { 1, 1, 's' }, 3 },
		{ "type 0", { 0 }, 1 },
		{ "type 7", { 7 }, 1 },
		{ "type 255", { 255 }, 1 },
		{ "name longer than the message", { 3, 255, 'k' }, 3 },
		{ "value longer than the message", { 3, 1, 'k', 0xff, 0xff, 'v' }, 6 },
		{ "value length cut", { 3, 1, 'k', 0 }, 4 },
		{ "name length missing", { 1 }, 1 },
		{ "item value length cut", { 4, 1, 'l', 5, 0 }, 5 },
	};
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!decodes(bad[i].b, bad[i].n), "accepted: %s", bad[i].what);

	/* Nesting: VICI_MAX_DEPTH sections are fine, one more is not. */
	{
		struct msg m = { .n = 0 };

		for (n = 0; n < VICI_MAX_DEPTH; n++)
			sec(&m, "s");
		for (n = 0; n < VICI_MAX_DEPTH; n++)
			end(&m);
		CHECK(decodes(m.b, m.n), "%d nested sections", VICI_MAX_DEPTH);
		m.n = 0;
		for (n = 0; n < VICI_MAX_DEPTH + 1; n++)
			sec(&m, "s");
		for (n = 0; n < VICI_MAX_DEPTH + 1; n++)
			end(&m);
		CHECK(!decodes(m.b, m.n), "%d nested sections", VICI_MAX_DEPTH + 1);
		/* 4000 nested sections: refused, not a stack overflow. */
		m.n = 0;
		for (n = 0; n < 4000; n++)
			sec(&m, "");
		CHECK(!decodes(m.b, m.n), "4000 nested sections");
	}

	/* A NUL inside a value: kept with its length, reads shorter. */
	{
		static const uint8_t b[] = { 3, 1, 'k', 0, 3, 'a', 0, 'b' };
		const char *why;
		struct vici_node *t = vici_decode(b, sizeof(b), &why);

		CHECK(t && t->child && t->child->value_len == 3 &&
		      !strcmp(vici_str(t, "k"), "a"), "NUL in a value");
		vici_free(t);
	}
}

/* Random corruption of a valid message: decoding never crashes (run it
 * under ASan/valgrind to see that nothing is read out of bounds). */
static void test_fuzz(const struct msg *valid)
{
	uint8_t b[sizeof(valid->b)];
	unsigned int seed = 1, i, k, ok = 0;
	size_t n;

	for (i = 0; i < 20000; i++) {
		n = valid->n;
		memcpy(b, valid->b, n);
		for (k = 0; k < 1 + (unsigned int)rand_r(&seed) % 4; k++)
			b[rand_r(&seed) % n] = rand_r(&seed);
		if (rand_r(&seed) % 2)
			n = rand_r(&seed) % (n + 1);
		ok += decodes(b, n);
	}
	CHECK(ok < 20000, "random corruption: %u of 20000 still decode", ok);
}

static void test_packets(void)
{
	static const uint8_t ev[] = { VICI_EVENT, 7, 'l', 'i', 's', 't', '-', 's', 'a', 3 };
	static const uint8_t resp[] = { VICI_CMD_RESPONSE, 9, 9 };
	struct vici_packet p;
	const char *why;

	CHECK(!vici_packet_parse(ev, sizeof(ev), &p, &why) &&
	      p.type == VICI_EVENT && !strcmp(p.name, "list-sa") &&
	      p.msg == ev + 9 && p.msg_len == 1, "event packet");
	CHECK(!vici_packet_parse(resp, sizeof(resp), &p, &why) &&
	      p.type == VICI_CMD_RESPONSE && !p.name[0] && p.msg_len == 2,
	      "unnamed packet");
	CHECK(vici_packet_parse(ev, 0, &p, &why), "empty packet");
	CHECK(vici_packet_parse(ev, 1, &p, &why), "named packet without name length");
	CHECK(vici_packet_parse(ev, 8, &p, &why), "truncated name");
	CHECK(!vici_packet_parse(ev, 9, &p, &why) && p.msg_len == 0,
	      "named packet, empty message");
	CHECK(vici_packet_parse((const uint8_t *)"\x08", 1, &p, &why),
	      "packet type 8");
}

/* ---- a list-sa event as charon 5.9.8 sends it ---- */

static void list_sa(struct msg *m, const char *conn, const char *remote,
		    const char *remote_id, const char *spi_in,
		    const char *spi_out)
{
	static const char *const none[] = { NULL };
	static const char *const gre[] = { "192.0.2.1/32[gre]", NULL };

	sec(m, conn);
	kv(m, "uniqueid", "7");
	kv(m, "version", "2");
	kv(m, "state", "ESTABLISHED");
	kv(m, "local-host", "192.0.2.1");
	kv(m, "local-port", "500");
	kv(m, "local-id", "192.0.2.1");
	kv(m, "remote-host", remote);
	kv(m, "remote-port", "500");
	kv(m, "remote-id", remote_id);
	kv(m, "initiator", "yes");
	kv(m, "initiator-spi", "0123456789abcdef");
	kv(m, "responder-spi", "fedcba9876543210");
	kv(m, "encr-alg", "AES_CBC");
	kv(m, "encr-keysize", "128");
	kv(m, "integ-alg", "HMAC_SHA2_256_128");
	kv(m, "prf-alg", "PRF_HMAC_SHA2_256");
	kv(m, "dh-group", "MODP_2048");
	kv(m, "established", "42");
	kv(m, "rekey-time", "13000");
	kv(m, "reauth-time", "-5");
	list(m, "tasks-queued", none);
	sec(m, "child-sas");
	sec(m, "gre-3");
	kv(m, "name", "gre");
	kv(m, "uniqueid", "3");
	kv(m, "reqid", "1");
	kv(m, "state", "INSTALLED");
	kv(m, "mode", "TRANSPORT");
	kv(m, "protocol", "ESP");
	kv(m, "spi-in", spi_in);
	kv(m, "spi-out", spi_out);
	kv(m, "encr-alg", "AES_GCM_16");
	kv(m, "encr-keysize", "128");
	kv(m, "bytes-in", "99999999999999999999");	/* > 2^64: ignored */
	kv(m, "packets-in", "12");
	kv(m, "rekey-time", "3300");
	kv(m, "life-time", "3800");
	kv(m, "install-time", "40");
	list(m, "local-ts", gre);
	list(m, "remote-ts", gre);
	end(m);
	end(m);
	end(m);
}

static void tunnel(struct gs_tunnel *t, struct gs_sa sas[2])
{
	memset(t, 0, sizeof(*t));
	memset(sas, 0, 2 * sizeof(*sas));
	snprintf(t->ifname, sizeof(t->ifname), "gs0");
	t->local = inet_addr("192.0.2.1");
	t->remote = inet_addr("192.0.2.2");
	t->protection = GRESEC_PROTECTION_REQUIRED;
	t->sas = sas;
	t->n_sas = 2;
	sas[0].dir = GRESEC_SA_DIR_IN;
	sas[0].spi = 0xc1234567;
	sas[0].reqid = 1;
	sas[0].proposal = GRESEC_PROPOSAL_AES128GCM16;
	sas[0].state = GRESEC_SA_STATE_ACTIVE;
	sas[1] = sas[0];
	sas[1].dir = GRESEC_SA_DIR_OUT;
	sas[1].spi = 0xcabcdef0;
}

static char *render(void (*fn)(FILE *, const struct gs_tunnel *),
		    const struct gs_tunnel *t)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	fn(f, t);
	fclose(f);
	return s;
}

static void test_ike_sa(void)
{
	struct msg m = { .n = 0 };
	struct gs_ike_sa s;
	struct vici_node *t;
	struct gs_tunnel tun;
	struct gs_sa sas[2];
	const char *why = NULL;

	list_sa(&m, "gre-ikev2", "192.0.2.2", "evil\x1b[2J", "c1234567", "cabcdef0");
	t = vici_decode(m.b, m.n, &why);
	CHECK(t, "list-sa event: %s", why);
	if (!t)
		return;
	CHECK(ike_sa_from_vici(t->child, &s, &why), "IKE_SA: %s", why);
	CHECK(!strcmp(s.name, "gre-ikev2") && s.uniqueid == 7 &&
	      s.version == 2 && !strcmp(s.state, "ESTABLISHED") && s.initiator,
	      "IKE_SA name, id, version, state");
	CHECK(s.remote == inet_addr("192.0.2.2") &&
	      s.local == inet_addr("192.0.2.1") && s.remote_port == 500,
	      "IKE_SA addresses");
	CHECK(!strcmp(s.remote_id, "evil?[2J"), "control bytes of an identity: %s",
	      s.remote_id);
	CHECK(s.have_rekey && s.rekey_time == 13000 && s.have_reauth &&
	      s.reauth_time == 0 && s.have_established && s.established == 42,
	      "IKE_SA times");
	CHECK(s.n_children == 1, "children: %zu", s.n_children);
	if (s.n_children == 1) {
		struct gs_child_sa *c = &s.children[0];

		CHECK(!strcmp(c->name, "gre") && c->uniqueid == 3 && c->reqid == 1 &&
		      c->have_spi && c->spi_in == 0xc1234567 &&
		      c->spi_out == 0xcabcdef0, "CHILD_SA");
		CHECK(c->bytes_in == 0 && c->packets_in == 12, "CHILD_SA counters");
		CHECK(c->have_life && c->life_time == 3800 && c->have_install &&
		      c->install_time == 40, "CHILD_SA times");
	}
	tunnel(&tun, sas);
	CHECK(ike_sa_of_tunnel(&s, &tun), "IKE_SA of the tunnel");
	tun.remote = inet_addr("192.0.2.3");
	CHECK(ike_sa_of_tunnel(&s, &tun), "IKE_SA of the tunnel by its SPIs");
	sas[0].spi = sas[1].spi = 1;
	CHECK(!ike_sa_of_tunnel(&s, &tun), "IKE_SA of another peer");
	tun.remote = inet_addr("192.0.2.2");
	tun.if_id = 5;
	s.if_id_in = s.if_id_out = 6;
	CHECK(!ike_sa_of_tunnel(&s, &tun), "IKE_SA with another if-id");
	ike_sa_free(&s);
	vici_free(t);

	/* Sections that are no IKE_SA, and garbage numbers. */
	m.n = 0;
	sec(&m, "x");
	kv(&m, "uniqueid", "1");
	end(&m);
	t = vici_decode(m.b, m.n, &why);
	CHECK(t && !ike_sa_from_vici(t->child, &s, &why), "section without state");
	vici_free(t);
	m.n = 0;
	list_sa(&m, "c", "not-an-address", "id", "zz", "-1");
	t = vici_decode(m.b, m.n, &why);
	CHECK(t && ike_sa_from_vici(t->child, &s, &why) && !s.remote &&
	      s.n_children == 1 && !s.children[0].have_spi, "bad address and SPIs");
	ike_sa_free(&s);
	vici_free(t);
	test_fuzz(&m);
}

/* ---- a fake charon ---- */

static bool read_full(int fd, uint8_t *b, size_t n)
{
	ssize_t r;

	while (n) {
		r = read(fd, b, n);
		if (r <= 0)
			return false;
		b += r;
		n -= r;
	}
	return true;
}

/* Serves one connection on path: reads the client's two packets
 * (register, request), writes reply, closes. */
static pid_t fake_charon(const char *path, const struct msg *reply)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd, fd, i;
	uint8_t hdr[4], buf[1024];
	size_t len;
	pid_t pid;

	unlink(path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(lfd, 1)) {
		perror("fake charon");
		exit(1);
	}
	pid = fork();
	if (pid) {
		close(lfd);
		return pid;
	}
	fd = accept(lfd, NULL, NULL);
	for (i = 0; i < 2; i++) {
		if (!read_full(fd, hdr, 4))
			_exit(1);
		len = (size_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
		if (len > sizeof(buf) || !read_full(fd, buf, len))
			_exit(1);
		/* Confirm the registration before the client sends more. */
		if (i == 0 && write(fd, reply->b, 5) != 5)
			_exit(1);
	}
	if (reply->n > 5 && write(fd, reply->b + 5, reply->n - 5) < 0)
		_exit(1);
	/* Wait for the client to close (unregistering needs an answer). */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	_exit(0);
}

static void segment(struct msg *m, const struct msg *body)
{
	put8(m, body->n >> 24);
	put8(m, body->n >> 16);
	put8(m, body->n >> 8);
	put8(m, body->n);
	put(m, body->b, body->n);
}

static void packet(struct msg *m, uint8_t type, const char *nm,
		   const struct msg *msg)
{
	struct msg p = { .n = 0 };

	put8(&p, type);
	if (nm)
		name(&p, nm);
	if (msg)
		put(&p, msg->b, msg->n);
	segment(m, &p);
}

static void run_fake(const char *path, const struct msg *reply,
		     struct gs_ike_list *ike, struct gs_tunnel_list *l)
{
	pid_t pid = fake_charon(path, reply);

	ike_collect(ike, l, path);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void test_exchange(void)
{
	char dir[] = "/tmp/test-vici.XXXXXX", path[64];
	struct gs_tunnel_list l = { 0 };
	struct gs_ike_list ike;
	struct msg r, ev;
	struct gs_sa sas[2];
	char *s;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/charon.vici", dir);
	l.v = calloc(1, sizeof(*l.v));
	l.n = l.cap = 1;
	tunnel(&l.v[0], sas);

	/* No socket: charon is not running, and show says so in one line. */
	ike_collect(&ike, &l, path);
	CHECK(ike.status == GS_IKE_NOT_RUNNING, "no socket: status %d", ike.status);
	s = render(print_ike, &l.v[0]);
	CHECK(!strcmp(s, "  crypto isakmp sa: charon is not running\n"),
	      "not running: '%s'", s);
	free(s);
	/* A tunnel keyed by hand: nothing about IKE. */
	sas[0].reqid = sas[1].reqid = 0;
	s = render(print_ike, &l.v[0]);
	CHECK(!strcmp(s, ""), "manual SAs, charon not running: '%s'", s);
	free(s);
	sas[0].reqid = sas[1].reqid = 1;
	ike_list_free(&ike);

	/* Two IKE_SAs, one with this tunnel's peer. */
	r.n = 0;
	packet(&r, VICI_EVENT_CONFIRM, NULL, NULL);
	ev.n = 0;
	list_sa(&ev, "gre-ikev2", "192.0.2.2", "192.0.2.2", "c1234567", "cabcdef0");
	packet(&r, VICI_EVENT, "list-sa", &ev);
	ev.n = 0;
	list_sa(&ev, "other", "198.51.100.9", "x", "c0000001", "c0000002");
	packet(&r, VICI_EVENT, "list-sa", &ev);
	packet(&r, VICI_CMD_RESPONSE, NULL, NULL);
	packet(&r, VICI_EVENT_CONFIRM, NULL, NULL);
	run_fake(path, &r, &ike, &l);
	CHECK(ike.status == GS_IKE_RUNNING && ike.n == 1 &&
	      !strcmp(ike.v[0].name, "gre-ikev2"), "list-sas: status %d, %zu SAs (%s)",
	      ike.status, ike.n, ike.error);
	s = render(print_ike, &l.v[0]);
	CHECK(strstr(s, "gre-ikev2 #7: IKEv2, ESTABLISHED 42 s ago, initiator") &&
	      strstr(s, "proposal AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048") &&
	      strstr(s, "child sa gre #3, reqid 1: INSTALLED, TRANSPORT ESP, AES_GCM_16-128") &&
	      strstr(s, "(both SAs in gs0)") && !strstr(s, "other"),
	      "isakmp view:\n%s", s);
	free(s);
	s = render(print_tunnel, &l.v[0]);
	{
		const char *in = strstr(s, "inbound esp sas:");
		const char *out = strstr(s, "outbound esp sas:");
		const char *o = "installed by IKE, reqid 1 (gre-ikev2 #7, child sa gre #3)";
		const char *a = in ? strstr(in, o) : NULL;

		/* Once under each of the two SAs. */
		CHECK(in && out && a && a < out && strstr(out, o),
		      "SA origin:\n%s", s);
	}
	free(s);
	s = render(dump_ike, &l.v[0]);
	CHECK(strstr(s, "ike\tgs0\tgre-ikev2\t7\t2\tESTABLISHED\t192.0.2.1\t192.0.2.2\tinitiator\t") &&
	      strstr(s, "\nchild\tgs0\t7\tgre\t3\t1\tINSTALLED\tTRANSPORT\t0xc1234567\t0xcabcdef0\tAES_GCM_16-128\tboth\t40\t3300\t3800\n"),
	      "dump:\n%s", s);
	free(s);
	ike_list_free(&ike);

	/* No IKE_SA with the peer. */
	r.n = 0;
	packet(&r, VICI_EVENT_CONFIRM, NULL, NULL);
	packet(&r, VICI_CMD_RESPONSE, NULL, NULL);
	packet(&r, VICI_EVENT_CONFIRM, NULL, NULL);
	run_fake(path, &r, &ike, &l);
	s = render(print_ike, &l.v[0]);
	CHECK(!strcmp(s, "  crypto isakmp sa: none (charon has no IKE_SA with 192.0.2.2)\n"),
	      "none: '%s'", s);
	free(s);
	s = render(print_tunnel, &l.v[0]);
	CHECK(strstr(s, "reqid 1, but no CHILD_SA of charon's has this SPI"),
	      "stale SA:\n%s", s);
	free(s);
	ike_list_free(&ike);

	/* A charon gone wrong: each is an error, not a crash or a hang. */
	{
		static const struct {
			const char *what;
			uint8_t b[16];
			size_t n;
		} bad[] = {
			{ "a 2 GiB segment", { 0x7f, 0xff, 0xff, 0xff, VICI_EVENT }, 5 },
			{ "a 4 GiB segment", { 0xff, 0xff, 0xff, 0xff }, 4 },
			{ "a segment of 512 KiB + 1", { 0, 8, 0, 1, VICI_EVENT }, 5 },
			{ "an empty segment", { 0, 0, 0, 0 }, 4 },
			{ "a truncated segment", { 0, 0, 0, 9, VICI_EVENT, 7, 'l' }, 7 },
			{ "a truncated length", { 0, 0 }, 2 },
			{ "an unknown packet type", { 0, 0, 0, 1, 9 }, 5 },
			{ "an event of another name", { 0, 0, 0, 3, VICI_EVENT, 1, 'x' }, 7 },
			{ "CMD_UNKNOWN", { 0, 0, 0, 1, VICI_CMD_UNKNOWN }, 5 },
			{ "a malformed event message (a section without name)",
			  { 0, 0, 0, 10, VICI_EVENT, 7, 'l', 'i', 's', 't', '-', 's', 'a',
			    VICI_SECTION_START }, 14 },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r.n = 0;
			packet(&r, VICI_EVENT_CONFIRM, NULL, NULL);
			put(&r, bad[i].b, bad[i].n);
			run_fake(path, &r, &ike, &l);
			CHECK(ike.status == GS_IKE_ERROR && ike.n == 0 && ike.error[0],
			      "%s: status %d", bad[i].what, ike.status);
			s = render(print_ike, &l.v[0]);
			CHECK(!strncmp(s, "  crypto isakmp sa: not shown (", 31),
			      "%s: '%s'", bad[i].what, s);
			free(s);
			ike_list_free(&ike);
		}
	}
	/* A registration that charon refuses. */
	r.n = 0;
	packet(&r, VICI_EVENT_UNKNOWN, NULL, NULL);
	run_fake(path, &r, &ike, &l);
	CHECK(ike.status == GS_IKE_ERROR && strstr(ike.error, "does not know the event"),
	      "EVENT_UNKNOWN: %s", ike.error);
	ike_list_free(&ike);

	unlink(path);
	rmdir(dir);
	free(l.v);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_readme();
	test_malformed();
	test_packets();
	test_ike_sa();
	test_exchange();
	return test_summary();
}
