// SPDX-License-Identifier: GPL-2.0
/*
 * gresec set DEV [option...]: change tunnel parameters.
 *
 * The whole command line is validated first (exit 2 before the kernel is
 * asked anything).  Then the tunnel is read, the flag words are merged
 * into its current IFLAGS/OFLAGS, and one TUNNEL_SET carries only what
 * the command line named, so omitted settings keep their value.
 */
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "subcommands.h"

static void set_usage(FILE *f)
{
	fprintf(f,
		"Usage: gresec set DEV [local ADDR|any] [remote ADDR|any]\n"
		"                  [key KEY | ikey KEY | okey KEY | nokey]\n"
		"                  [csum | icsum | ocsum | nocsum]\n"
		"                  [seq | iseq | oseq | noseq]\n"
		"                  [ttl 1..255|inherit] [tos 0..255|inherit]\n"
		"                  [pmtudisc | nopmtudisc] [mtu 68..65422|auto]\n"
		"                  [protection none|required] [if-id N]\n"
		"                  [keepalive PERIOD RETRIES | nokeepalive]\n"
		"                  [adjust-mss 500..65535|auto|off]\n\n"
		"Options may come in any order; omitted ones keep their value and\n"
		"a later word overrides an earlier one.  KEY is decimal, 0x hex or\n"
		"a dotted quad (as in ip(8)); \"key\" sets both directions.  The\n"
		"i- and o- forms change the receive or send side only.\n"
		"keepalive: a Cisco-compatible GRE keepalive every PERIOD seconds\n"
		"(1..32767); after RETRIES (1..255) in a row come not back, the\n"
		"carrier goes off until one does.  Needs a local address.\n"
		"adjust-mss: lower the MSS of TCP SYNs crossing the tunnel, both\n"
		"ways; auto: the MTU minus 40 (IPv4) or 60 (IPv6).\n");
}

/* What the command line asks for, before the current state is known. */
struct set_req {
	struct gs_tunnel t;		/* values, have[] = "send this" */
	uint32_t iset, iclr, oset, oclr;	/* flag words */
};

static void flag_on(uint32_t *set, uint32_t *clr, uint32_t f)
{
	*set |= f;
	*clr &= ~f;
}

static void flag_off(uint32_t *set, uint32_t *clr, uint32_t f)
{
	*clr |= f;
	*set &= ~f;
}

/* GRE flag words: [i|o|no]csum, [i|o|no]seq. */
static bool flag_word(struct set_req *r, const char *w)
{
	static const struct { const char *name; uint32_t flag; } flags[] = {
		{ "csum", GRESEC_TUNNEL_F_CSUM },
		{ "seq", GRESEC_TUNNEL_F_SEQ },
	};
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		uint32_t f = flags[i].flag;
		const char *n = flags[i].name;

		if (!strcmp(w, n)) {
			flag_on(&r->iset, &r->iclr, f);
			flag_on(&r->oset, &r->oclr, f);
		} else if (w[0] == 'i' && !strcmp(w + 1, n)) {
			flag_on(&r->iset, &r->iclr, f);
		} else if (w[0] == 'o' && !strcmp(w + 1, n)) {
			flag_on(&r->oset, &r->oclr, f);
		} else if (!strncmp(w, "no", 2) && !strcmp(w + 2, n)) {
			flag_off(&r->iset, &r->iclr, f);
			flag_off(&r->oset, &r->oclr, f);
		} else {
			continue;
		}
		return true;
	}
	return false;
}

static int parse_set(struct set_req *r, int argc, char **argv)
{
	struct gs_tunnel *t = &r->t;
	const char *w, *v, *why;
	uint32_t u;
	int a;

	for (a = 0; a < argc; a++) {
		w = argv[a];
		if (flag_word(r, w))
			continue;
		if (!strcmp(w, "nokey")) {
			flag_off(&r->iset, &r->iclr, GRESEC_TUNNEL_F_KEY);
			flag_off(&r->oset, &r->oclr, GRESEC_TUNNEL_F_KEY);
			t->ikey = t->okey = 0;
			t->have[GRESEC_A_IKEY] = t->have[GRESEC_A_OKEY] = true;
			continue;
		}
		if (!strcmp(w, "nokeepalive")) {
			t->ka_period = 0;
			t->have[GRESEC_A_KEEPALIVE_PERIOD] = true;
			continue;
		}
		if (!strcmp(w, "keepalive")) {
			char arg[64];

			if (a + 2 >= argc)
				return bad_arg(w, "needs PERIOD and RETRIES");
			snprintf(arg, sizeof(arg), "%s %s %s", w, argv[a + 1],
				 argv[a + 2]);
			if (parse_u32(argv[a + 1], 32767, &t->ka_period) ||
			    !t->ka_period)
				return bad_arg(arg, "PERIOD must be 1..32767 seconds");
			if (parse_u32(argv[a + 2], 255, &t->ka_retries) ||
			    !t->ka_retries)
				return bad_arg(arg, "RETRIES must be 1..255");
			t->have[GRESEC_A_KEEPALIVE_PERIOD] = true;
			t->have[GRESEC_A_KEEPALIVE_RETRIES] = true;
			a += 2;
			continue;
		}
		if (!strcmp(w, "pmtudisc") || !strcmp(w, "nopmtudisc")) {
			t->pmtudisc = w[0] == 'p';
			t->have[GRESEC_A_PMTUDISC] = true;
			continue;
		}
		if (strcmp(w, "local") && strcmp(w, "remote") &&
		    strcmp(w, "key") && strcmp(w, "ikey") && strcmp(w, "okey") &&
		    strcmp(w, "ttl") && strcmp(w, "tos") && strcmp(w, "mtu") &&
		    strcmp(w, "protection") && strcmp(w, "if-id") &&
		    strcmp(w, "adjust-mss"))
			return bad_arg(w, "unknown option (see \"gresec set help\")");
		if (++a == argc)
			return bad_arg(w, "missing value");
		v = argv[a];
		why = NULL;

		if (!strcmp(w, "local") || !strcmp(w, "remote")) {
			bool local = w[0] == 'l';

			why = parse_ipv4(v, local ? &t->local : &t->remote);
			t->have[local ? GRESEC_A_LOCAL : GRESEC_A_REMOTE] = true;
		} else if (!strcmp(w, "key") || !strcmp(w, "ikey") ||
			   !strcmp(w, "okey")) {
			why = parse_gre_key(v, &u);
			if (w[0] != 'o') {
				t->ikey = u;
				t->have[GRESEC_A_IKEY] = true;
				flag_on(&r->iset, &r->iclr, GRESEC_TUNNEL_F_KEY);
			}
			if (w[0] != 'i') {
				t->okey = u;
				t->have[GRESEC_A_OKEY] = true;
				flag_on(&r->oset, &r->oclr, GRESEC_TUNNEL_F_KEY);
			}
		} else if (!strcmp(w, "if-id")) {
			why = parse_u32(v, UINT32_MAX, &t->if_id) ?
			      "must be 0..4294967295 (0: none)" : NULL;
			t->have[GRESEC_A_IF_ID] = true;
		} else if (!strcmp(w, "adjust-mss")) {
			if (!strcmp(v, "off"))
				t->adjust_mss = 0;
			else if (!strcmp(v, "auto"))
				t->adjust_mss = 1;
			else if (parse_u32(v, 65535, &t->adjust_mss) ||
				 t->adjust_mss < 500)
				why = "must be 500..65535, \"auto\" or \"off\"";
			t->have[GRESEC_A_ADJUST_MSS] = true;
		} else if (!strcmp(w, "ttl")) {
			if (!strcmp(v, "inherit"))
				u = 0;
			else if (parse_u32(v, 255, &u))
				why = "must be 1..255 or \"inherit\"";
			t->ttl = (uint8_t)u;
			t->have[GRESEC_A_TTL] = true;
		} else if (!strcmp(w, "tos")) {
			if (!strcmp(v, "inherit")) {
				t->tos = 0;
				t->tos_inherit = 1;
			} else if (parse_u32(v, 255, &u)) {
				why = "must be 0..255 (or 0x00..0xff) or \"inherit\"";
			} else {
				t->tos = (uint8_t)u;
				t->tos_inherit = 0;
			}
			t->have[GRESEC_A_TOS] = true;
			t->have[GRESEC_A_TOS_INHERIT] = true;
		} else if (!strcmp(w, "mtu")) {
			if (!strcmp(v, "auto"))
				u = 0;
			else if (parse_u32(v, 65535, &u) || (u && u < 68))
				why = "must be 68..65535 or \"auto\"";
			t->mtu = u;
			t->have[GRESEC_A_MTU] = true;
		} else if (!strcmp(w, "protection")) {
			if (!strcmp(v, "none"))
				t->protection = GRESEC_PROTECTION_NONE;
			else if (!strcmp(v, "required"))
				t->protection = GRESEC_PROTECTION_REQUIRED;
			else
				why = "must be \"none\" or \"required\"";
			t->have[GRESEC_A_PROTECTION] = true;
		}
		if (why) {
			char arg[64];

			snprintf(arg, sizeof(arg), "%s %s", w, v);
			return bad_arg(arg, why);
		}
	}
	return EXIT_OK;
}

int set_main(int argc, char **argv)
{
	struct set_req r = { 0 };
	struct gs_tunnel cur = { 0 };
	const char *ifname, *why;
	struct ipc *ipc;
	int ret, err;

	if (argc < 2)
		return bad_arg("set", "missing device name (see \"gresec set help\")");
	if (is_help(argv[1])) {
		set_usage(stdout);
		return EXIT_OK;
	}
	ifname = argv[1];
	why = check_ifname(ifname);
	if (why)
		return bad_arg(ifname, why);
	ret = parse_set(&r, argc - 2, argv + 2);
	if (ret)
		return ret;

	ret = open_ipc(&ipc);
	if (ret)
		return ret;
	err = ipc_tunnel_get(ipc, ifname, &cur);
	if (err) {
		ret = ipc_report(ipc, ifname, err);
		goto out;
	}
	r.t.ifindex = cur.ifindex;
	if (r.iset | r.iclr) {
		r.t.iflags = (cur.iflags | r.iset) & ~r.iclr;
		r.t.have[GRESEC_A_IFLAGS] = true;
	}
	if (r.oset | r.oclr) {
		r.t.oflags = (cur.oflags | r.oset) & ~r.oclr;
		r.t.have[GRESEC_A_OFLAGS] = true;
	}
	/* Even with no option: re-applying recomputes an automatic MTU. */
	err = ipc_tunnel_set(ipc, &r.t);
	if (err)
		ret = ipc_report(ipc, ifname, err);
out:
	gs_tunnel_free(&cur);
	ipc_close(ipc);
	return ret;
}
