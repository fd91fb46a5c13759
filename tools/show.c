// SPDX-License-Identifier: GPL-2.0
/*
 * gresec show [-j] [[dev] DEV] | gresec show net [-j]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike.h"
#include "parse.h"
#include "print.h"
#include "subcommands.h"

static void show_usage(FILE *f)
{
	fprintf(f,
		"Usage: gresec show [-j|--json] [[dev] DEV]\n"
		"       gresec show net [-j|--json]\n\n"
		"Shows every gresec tunnel of the network namespace (or DEV):\n"
		"addresses, GRE options, TTL/TOS, path MTU discovery, MTU,\n"
		"protection, traffic and every drop counter, charon's IKE_SAs with\n"
		"its peer like \"show crypto isakmp sa\" (read from charon's vici\n"
		"socket), then its SAs like \"show crypto ipsec sa\".\n"
		"\"show net\" shows the per-namespace counters of GRE and ESP\n"
		"packets that matched no tunnel or SA.\n"
		"-j prints JSON (fields in gresec(8)).  Key material is never shown.\n");
}

static int by_name(const void *a, const void *b)
{
	/* gt2 before gt10, as "ls -v" does. */
	return strverscmp(((const struct gs_tunnel *)a)->ifname,
			  ((const struct gs_tunnel *)b)->ifname);
}

int show_collect(struct ipc *ipc, const char *ifname, struct gs_tunnel_list *l)
{
	size_t i;
	int err;

	if (ifname) {
		err = ipc_tunnel_get(ipc, ifname, gs_list_add(l));
		if (err)
			return ipc_report(ipc, ifname, err);
	} else {
		err = ipc_tunnel_dump(ipc, l);
		if (err)
			return ipc_report(ipc, "tunnel dump", err);
	}
	for (i = 0; i < l->n; i++) {
		struct gs_tunnel *t = &l->v[i];

		err = ipc_sa_dump(ipc, t);
		if (err == -EOPNOTSUPP) {
			t->sas_unsupported = true;
		} else if (err == -EPERM) {
			/* The tunnel is anyone's to see, its SAs the admin's. */
			t->sas_denied = true;
		} else if (err == -ENODEV && !ifname) {
			/* Deleted since the tunnel dump: drop it. */
			gs_tunnel_free(t);
			memmove(t, t + 1, (l->n - i - 1) * sizeof(*t));
			l->n--;
			i--;
		} else if (err) {
			return ipc_report(ipc, t->ifname, err);
		}
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), by_name);
	return EXIT_OK;
}

static int show_net(struct ipc *ipc, bool json)
{
	struct gs_net n = { 0 };
	struct json j;
	int err;

	err = ipc_net_get(ipc, &n);
	if (err)
		return ipc_report(ipc, "net", err);
	if (json) {
		json_init(&j, stdout, true);
		json_net(&j, &n);
		json_finish(&j);
	} else {
		print_net(stdout, &n);
	}
	return EXIT_OK;
}

int show_main(int argc, char **argv)
{
	struct gs_tunnel_list l = { 0 };
	struct gs_ike_list ike = { 0 };
	const char *ifname = NULL, *why;
	bool json = false, net = false;
	struct ipc *ipc;
	struct json j;
	size_t i;
	int a, ret;

	for (a = 1; a < argc; a++) {
		if (is_help(argv[a])) {
			show_usage(stdout);
			return EXIT_OK;
		} else if (is_json(argv[a])) {
			json = true;
		} else if (ifname || net) {
			return bad_arg(argv[a], "unexpected argument (see \"gresec show help\")");
		} else if (!strcmp(argv[a], "net")) {
			net = true;
		} else {
			if (!strcmp(argv[a], "dev")) {
				if (++a == argc)
					return bad_arg(argv[a - 1], "missing device name");
			} else if (argv[a][0] == '-') {
				return bad_arg(argv[a], "unknown option (see \"gresec show help\")");
			}
			why = check_ifname(argv[a]);
			if (why)
				return bad_arg(argv[a], why);
			ifname = argv[a];
		}
	}

	ret = open_ipc(&ipc);
	if (ret)
		return ret;
	if (net) {
		ret = show_net(ipc, json);
		ipc_close(ipc);
		return ret;
	}
	ret = show_collect(ipc, ifname, &l);
	ipc_close(ipc);
	if (ret)
		goto out;
	ike_collect(&ike, &l, NULL);
	if (json) {
		json_init(&j, stdout, true);
		json_arr_begin(&j, NULL);
		for (i = 0; i < l.n; i++)
			json_tunnel(&j, &l.v[i]);
		json_arr_end(&j);
		json_finish(&j);
	} else {
		for (i = 0; i < l.n; i++) {
			if (i)
				putchar('\n');
			print_tunnel(stdout, &l.v[i]);
		}
	}
	if (fflush(stdout) || ferror(stdout)) {
		perror("gresec: stdout");
		ret = EXIT_RUNTIME;
	}
out:
	gs_list_free(&l);
	ike_list_free(&ike);
	return ret;
}
