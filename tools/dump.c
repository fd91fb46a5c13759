// SPDX-License-Identifier: GPL-2.0
/*
 * gresec dump [DEV]: tab-separated lines, one per tunnel ("tunnel ...")
 * followed by one per SA ("sa ..."); columns in gresec.8.
 */
#include <stdio.h>
#include <string.h>

#include "ike.h"
#include "parse.h"
#include "print.h"
#include "subcommands.h"

static void dump_usage(FILE *f)
{
	fprintf(f,
		"Usage: gresec dump [[dev] DEV]\n\n"
		"Prints one tab-separated line per tunnel, starting with \"tunnel\",\n"
		"followed by one line per SA of that tunnel, starting with \"sa\".\n"
		"The columns are listed in gresec(8).\n");
}

int dump_main(int argc, char **argv)
{
	struct gs_tunnel_list l = { 0 };
	struct gs_ike_list ike = { 0 };
	const char *ifname = NULL, *why;
	struct ipc *ipc;
	size_t i;
	int a, ret;

	for (a = 1; a < argc; a++) {
		if (is_help(argv[a])) {
			dump_usage(stdout);
			return EXIT_OK;
		}
		if (ifname)
			return bad_arg(argv[a], "unexpected argument (see \"gresec dump help\")");
		if (!strcmp(argv[a], "dev") && ++a == argc)
			return bad_arg(argv[a - 1], "missing device name");
		if (argv[a][0] == '-')
			return bad_arg(argv[a], "unknown option (see \"gresec dump help\")");
		why = check_ifname(argv[a]);
		if (why)
			return bad_arg(argv[a], why);
		ifname = argv[a];
	}

	ret = open_ipc(&ipc);
	if (ret)
		return ret;
	ret = show_collect(ipc, ifname, &l);
	ipc_close(ipc);
	if (!ret) {
		ike_collect(&ike, &l, NULL);
		for (i = 0; i < l.n; i++)
			dump_tunnel(stdout, &l.v[i]);
		if (fflush(stdout) || ferror(stdout)) {
			perror("gresec: stdout");
			ret = EXIT_RUNTIME;
		}
	}
	gs_list_free(&l);
	ike_list_free(&ike);
	return ret;
}
