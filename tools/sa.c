// SPDX-License-Identifier: GPL-2.0
/*
 * gresec sa add DEV dir in|out spi SPI proposal NAME key HEX [...]
 * gresec sa del DEV dir in|out spi SPI
 * gresec sa spi DEV [min SPI] [max SPI]
 *
 * Key material is checked against the proposal here (exact lengths), sent
 * once, and wiped from memory; it is never printed.  "@FILE" reads it from
 * a file and "@-" from a line of standard input, out of sight of ps(1).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "subcommands.h"

static void sa_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: gresec sa add DEV dir in|out spi SPI proposal NAME key HEX\n"
		"                     [auth-key HEX] [replay-window N] [esn]\n"
		"                     [soft-bytes N] [hard-bytes N]\n"
		"                     [soft-packets N] [hard-packets N]\n"
		"                     [soft-time SECONDS] [hard-time SECONDS]\n"
		"                     [reqid N]\n"
		"                     [encap udp [sport N] [dport N] [peer ADDR]]\n"
		"                     [mode transport|tunnel]\n"
		"       gresec sa del DEV dir in|out spi SPI\n"
		"       gresec sa spi DEV [min SPI] [max SPI]\n\n"
		"\"sa spi\" reserves a random unused inbound SPI (a key manager's\n"
		"get_spi) and prints it; \"sa add\" of an inbound SA with it, \"sa del\"\n"
		"of it, or 165 s end the reservation.\n"
		"SPI is decimal or 0x hex, 256 or more.  HEX is key material with or\n"
		"without 0x, or @FILE to read it from a file, or @- from a line of\n"
		"standard input (keeps it out of ps).  replay-window is 0..4096 packets (0 disables, default\n"
		"64).  Lifetimes of 0 (the default) mean none.  Proposals and key\n"
		"lengths in bytes (AEAD keys end with a 4-byte salt):\n");
	fprintf(f, "encap udp: ESP in UDP (RFC 3948, NAT traversal), ports default\n"
		"4500; sport/dport are the SA's packets' (as ip xfrm's encap espinudp);\n"
		"peer: the outer address of a peer behind a NAT (dir out only).\n"
		"mode tunnel: ESP tunnel mode, an inner IPv4 header with the tunnel's\n"
		"endpoints around the GRE packet (as ip xfrm's mode tunnel; default\n"
		"transport).\n");
	for (i = 0; i < gs_n_proposals; i++) {
		const struct proposal *p = &gs_proposals[i];

		if (p->auth_key_len)
			fprintf(f, "  %-17s key %zu, auth-key %zu  (%s)\n",
				p->name, p->key_len, p->auth_key_len,
				p->transform);
		else
			fprintf(f, "  %-17s key %zu (%zu + %zu salt)  (%s)\n",
				p->name, p->key_len + p->salt_len, p->key_len,
				p->salt_len, p->transform);
	}
}

static int bad_value(const char *w, const char *v, const char *why)
{
	char arg[96];

	/* Never echo key material, even when it is malformed. */
	if ((!strcmp(w, "key") || !strcmp(w, "auth-key")) && v[0] != '@')
		v = "...";
	snprintf(arg, sizeof(arg), "%s %s", w, v);
	return bad_arg(arg, why);
}

static const char *parse_dir(const char *v, uint32_t *dir)
{
	if (!strcmp(v, "in"))
		*dir = GRESEC_SA_DIR_IN;
	else if (!strcmp(v, "out"))
		*dir = GRESEC_SA_DIR_OUT;
	else
		return "must be \"in\" or \"out\"";
	return NULL;
}

/*
 * Hex key material: the argument itself, or "@FILE" (the whole file) or
 * "@-" (one line of standard input), surrounding whitespace ignored.
 */
static const char *parse_key_arg(const char *v, uint8_t *key, size_t max,
				 size_t *len)
{
	static char why[96];
	char text[2 * GS_AUTH_KEY_MAX + 8];
	const char *ret;
	size_t n = 0;
	char *p, *e;
	FILE *f;
	int c;

	if (v[0] != '@')
		return parse_hex(v, key, max, len);
	if (!strcmp(v, "@-")) {
		f = stdin;
	} else {
		f = fopen(v + 1, "re");
		if (!f) {
			snprintf(why, sizeof(why), "cannot read %.40s: %s",
				 v + 1, strerror(errno));
			return why;
		}
	}
	/* One line at most; longer than any key is an error, not truncation. */
	while ((c = fgetc(f)) != EOF && c != '\n' && n < sizeof(text) - 1)
		text[n++] = (char)c;
	if (f != stdin)
		fclose(f);
	text[n] = '\0';
	if (n == sizeof(text) - 1)
		ret = "hex string too long";
	else {
		for (p = text; isspace((unsigned char)*p); p++)
			;
		for (e = p + strlen(p); e > p && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		ret = parse_hex(p, key, max, len);
	}
	explicit_bzero(text, sizeof(text));
	return ret;
}

/* Lifetime keywords and where they go. */
static uint64_t *lifetime(struct gs_sa *sa, const char *w, unsigned int *attr)
{
	static const struct { const char *name; unsigned int attr; } l[] = {
		{ "soft-bytes", GRESEC_SA_A_SOFT_BYTES },
		{ "hard-bytes", GRESEC_SA_A_HARD_BYTES },
		{ "soft-packets", GRESEC_SA_A_SOFT_PACKETS },
		{ "hard-packets", GRESEC_SA_A_HARD_PACKETS },
		{ "soft-time", GRESEC_SA_A_SOFT_TIME },
		{ "hard-time", GRESEC_SA_A_HARD_TIME },
	};
	uint64_t *f[] = { &sa->soft_bytes, &sa->hard_bytes, &sa->soft_packets,
			  &sa->hard_packets, &sa->soft_time, &sa->hard_time };
	size_t i;

	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (!strcmp(w, l[i].name)) {
			*attr = l[i].attr;
			return f[i];
		}
	return NULL;
}

/* Parses "dir .. spi .. [...]"; add selects the SA_NEW keywords. */
static int parse_sa(struct gs_sa *sa, bool add, int argc, char **argv)
{
	const struct proposal *p = NULL;
	const char *w, *v, *why;
	unsigned int attr = 0;
	uint64_t *life;
	bool bad_auth;
	int a;

	for (a = 0; a < argc; a++) {
		w = argv[a];
		if (add && !strcmp(w, "esn")) {
			sa->esn = true;
			sa->have[GRESEC_SA_A_ESN] = true;
			continue;
		}
		life = add ? lifetime(sa, w, &attr) : NULL;
		if (strcmp(w, "dir") && strcmp(w, "spi") && !life &&
		    (!add || (strcmp(w, "proposal") && strcmp(w, "key") &&
			      strcmp(w, "auth-key") && strcmp(w, "replay-window") &&
			      strcmp(w, "reqid") && strcmp(w, "encap") &&
			      strcmp(w, "sport") && strcmp(w, "dport") &&
			      strcmp(w, "peer") && strcmp(w, "mode"))))
			return bad_arg(w, add ?
				       "unknown option (see \"gresec sa help\")" :
				       "unknown option: \"sa del\" takes dir and spi");
		if (++a == argc)
			return bad_arg(w, "missing value");
		v = argv[a];
		if (!strcmp(w, "dir")) {
			why = parse_dir(v, &sa->dir);
			attr = GRESEC_SA_A_DIR;
		} else if (!strcmp(w, "spi")) {
			why = parse_spi(v, &sa->spi);
			attr = GRESEC_SA_A_SPI;
		} else if (!strcmp(w, "proposal")) {
			p = gs_proposal_by_name(v);
			why = p ? NULL : "unknown proposal (see \"gresec sa help\")";
			if (p)
				sa->proposal = p->id;
			attr = GRESEC_SA_A_PROPOSAL;
		} else if (!strcmp(w, "key")) {
			why = parse_key_arg(v, sa->key, sizeof(sa->key),
					    &sa->key_len);
			attr = GRESEC_SA_A_KEY;
		} else if (!strcmp(w, "auth-key")) {
			why = parse_key_arg(v, sa->auth_key, sizeof(sa->auth_key),
					    &sa->auth_key_len);
			attr = GRESEC_SA_A_AUTH_KEY;
		} else if (!strcmp(w, "reqid")) {
			why = parse_u32(v, UINT32_MAX, &sa->reqid) ?
			      "must be 0..4294967295 (0: none)" : NULL;
			attr = GRESEC_SA_A_REQID;
		} else if (!strcmp(w, "encap")) {
			sa->encap = GRESEC_ENCAP_UDP;
			why = strcmp(v, "udp") ? "must be \"udp\"" : NULL;
			attr = GRESEC_SA_A_ENCAP;
		} else if (!strcmp(w, "sport") || !strcmp(w, "dport")) {
			uint32_t *port = w[0] == 's' ? &sa->encap_sport :
						      &sa->encap_dport;

			why = parse_u32(v, 65535, port) || !*port ?
			      "must be a UDP port, 1..65535" : NULL;
			attr = w[0] == 's' ? GRESEC_SA_A_ENCAP_SPORT :
					     GRESEC_SA_A_ENCAP_DPORT;
		} else if (!strcmp(w, "peer")) {
			why = parse_ipv4(v, &sa->encap_peer_addr);
			attr = GRESEC_SA_A_ENCAP_PEER_ADDR;
		} else if (!strcmp(w, "mode")) {
			why = NULL;
			if (!strcmp(v, "transport"))
				sa->mode = GRESEC_SA_MODE_TRANSPORT;
			else if (!strcmp(v, "tunnel"))
				sa->mode = GRESEC_SA_MODE_TUNNEL;
			else
				why = "must be \"transport\" or \"tunnel\"";
			attr = GRESEC_SA_A_MODE;
		} else if (!strcmp(w, "replay-window")) {
			why = parse_u32(v, 4096, &sa->replay_window) ?
			      "must be 0..4096 packets" : NULL;
			attr = GRESEC_SA_A_REPLAY_WINDOW;
		} else {
			why = parse_u64(v, UINT64_MAX, life);
		}
		/* Shorten the time the key is visible in ps(1). */
		if ((attr == GRESEC_SA_A_KEY || attr == GRESEC_SA_A_AUTH_KEY) &&
		    v[0] != '@')
			explicit_bzero(argv[a], strlen(argv[a]));
		if (why)
			return bad_value(w, v, why);
		sa->have[attr] = true;
	}

	if (!sa->have[GRESEC_SA_A_DIR])
		return bad_arg("dir", "missing (dir in|out)");
	if (!sa->have[GRESEC_SA_A_SPI])
		return bad_arg("spi", "missing (spi SPI)");
	if (!add)
		return EXIT_OK;
	if (!p)
		return bad_arg("proposal", "missing (see \"gresec sa help\")");
	if (!sa->have[GRESEC_SA_A_KEY])
		return bad_arg("key", "missing (key HEX)");
	why = check_key_lengths(p, sa->key_len, sa->have[GRESEC_SA_A_AUTH_KEY],
				sa->auth_key_len, &bad_auth);
	if (why)
		return bad_arg(bad_auth ? "auth-key" : "key", why);
	if (!sa->have[GRESEC_SA_A_ENCAP] &&
	    (sa->have[GRESEC_SA_A_ENCAP_SPORT] ||
	     sa->have[GRESEC_SA_A_ENCAP_DPORT] ||
	     sa->have[GRESEC_SA_A_ENCAP_PEER_ADDR]))
		return bad_arg("encap", "missing: sport, dport and peer need encap udp");
	if (sa->have[GRESEC_SA_A_ENCAP]) {
		/* NAT-T's port (RFC 3948) unless told otherwise. */
		if (!sa->have[GRESEC_SA_A_ENCAP_SPORT])
			sa->encap_sport = 4500;
		if (!sa->have[GRESEC_SA_A_ENCAP_DPORT])
			sa->encap_dport = 4500;
		sa->have[GRESEC_SA_A_ENCAP_SPORT] = true;
		sa->have[GRESEC_SA_A_ENCAP_DPORT] = true;
	}
	if (sa->soft_bytes && sa->hard_bytes && sa->soft_bytes > sa->hard_bytes)
		return bad_arg("soft-bytes", "must not exceed hard-bytes");
	if (sa->soft_packets && sa->hard_packets &&
	    sa->soft_packets > sa->hard_packets)
		return bad_arg("soft-packets", "must not exceed hard-packets");
	if (sa->soft_time && sa->hard_time && sa->soft_time > sa->hard_time)
		return bad_arg("soft-time", "must not exceed hard-time");
	return EXIT_OK;
}

static int spi_main(int argc, char **argv)
{
	uint32_t min = 0, max = 0, spi, *v;
	const char *ifname, *why;
	struct ipc *ipc;
	int i, ret, err;

	if (argc < 3)
		return bad_arg(argv[1], "missing device name");
	ifname = argv[2];
	why = check_ifname(ifname);
	if (why)
		return bad_arg(ifname, why);
	for (i = 3; i < argc; i += 2) {
		if (!strcmp(argv[i], "min"))
			v = &min;
		else if (!strcmp(argv[i], "max"))
			v = &max;
		else
			return bad_arg(argv[i], "unknown: \"min\" or \"max\"");
		if (i + 1 >= argc)
			return bad_arg(argv[i], "missing value");
		why = parse_spi(argv[i + 1], v);
		if (why)
			return bad_value(argv[i], argv[i + 1], why);
	}
	ret = open_ipc(&ipc);
	if (ret)
		return ret;
	err = ipc_spi_alloc(ipc, ifname, min, max, &spi);
	if (err)
		ret = ipc_report(ipc, ifname, err);
	else
		printf("0x%08x\n", spi);
	ipc_close(ipc);
	return ret;
}

int sa_main(int argc, char **argv)
{
	struct gs_sa sa = { 0 };
	const char *ifname, *why;
	struct ipc *ipc;
	bool add;
	int ret, err;
	char what[64];

	if (argc < 2)
		return bad_arg("sa", "missing \"add\" or \"del\" (see \"gresec sa help\")");
	if (is_help(argv[1])) {
		sa_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "spi"))
		return spi_main(argc, argv);
	if (!strcmp(argv[1], "add"))
		add = true;
	else if (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete"))
		add = false;
	else
		return bad_arg(argv[1], "unknown sa command: \"add\" or \"del\"");
	if (argc < 3)
		return bad_arg(argv[1], "missing device name");
	if (is_help(argv[2])) {
		sa_usage(stdout);
		return EXIT_OK;
	}
	ifname = argv[2];
	why = check_ifname(ifname);
	if (why)
		return bad_arg(ifname, why);
	ret = parse_sa(&sa, add, argc - 3, argv + 3);
	if (ret)
		goto out_wipe;

	ret = open_ipc(&ipc);
	if (ret)
		goto out_wipe;
	if (add)
		err = ipc_sa_new(ipc, ifname, &sa);
	else
		err = ipc_sa_del(ipc, ifname, sa.dir, sa.spi);
	if (err) {
		snprintf(what, sizeof(what), "%s: sa %s %s spi 0x%08x", ifname,
			 add ? "add" : "del", gs_dir_name(sa.dir), sa.spi);
		ret = ipc_report(ipc, what, err);
	}
	ipc_close(ipc);
out_wipe:
	gs_sa_wipe(&sa);
	return ret;
}
