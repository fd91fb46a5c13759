// SPDX-License-Identifier: GPL-2.0
/*
 * gresec(8): configure and inspect gresec (GRE over IPsec) tunnels.
 *
 * The subcommand table below drives both dispatch and usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "subcommands.h"

#ifndef GRESEC_VERSION
#define GRESEC_VERSION "unknown"
#endif

static int help_main(int argc, char **argv);

static const struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *description;
} subcommands[] = {
	{ "show", show_main,
	  "Show tunnels, their SAs and all counters (or \"show net\")" },
	{ "dump", dump_main,
	  "Print tunnels and SAs as tab-separated lines for scripts" },
	{ "set", set_main,
	  "Change a tunnel's addresses, GRE options and protection" },
	{ "sa", sa_main,
	  "Add or delete a security association (SA) of a tunnel" },
	{ "monitor", monitor_main,
	  "Print SA events (added, deleted, expired) as they happen" },
	{ "setconf", setconf_main,
	  "Make a tunnel what a configuration file says (gresec.conf(5))" },
	{ "syncconf", syncconf_main,
	  "Change only what differs from a configuration file" },
	{ "showconf", showconf_main,
	  "Write a tunnel's running state as a configuration file" },
	{ "help", help_main, "Show this help, or \"gresec COMMAND help\"" },
};
#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: gresec COMMAND [ARGUMENTS...]\n"
		   "       gresec --version\n\n"
		   "Configure and inspect gresec tunnels: GRE protected by ESP "
		   "transport mode.\n\nCommands:\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %-9s %s\n", subcommands[i].name,
			subcommands[i].description);
	fprintf(f, "\nWith no command, \"gresec show\" is run. "
		   "\"gresec COMMAND help\" describes a command.\n"
		   "Exit codes: 0 ok, 1 kernel or runtime error, "
		   "2 usage error, 3 no such device.\n");
}

static int help_main(int argc, char **argv)
{
	size_t i;

	if (argc > 1 && !is_help(argv[1])) {
		for (i = 0; i < N_SUBCOMMANDS; i++) {
			char *sub[] = { argv[1], "help", NULL };

			if (!strcmp(argv[1], subcommands[i].name) &&
			    subcommands[i].fn != help_main)
				return subcommands[i].fn(2, sub);
		}
		return bad_arg(argv[1], "unknown command (see \"gresec help\")");
	}
	usage(stdout);
	return EXIT_OK;
}

int bad_arg(const char *arg, const char *why)
{
	fprintf(stderr, "gresec: %s: %s\n", arg, why);
	return EXIT_USAGE;
}

bool is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

bool is_json(const char *s)
{
	return !strcmp(s, "-j") || !strcmp(s, "--json");
}

int open_ipc(struct ipc **ipc)
{
	int err = ipc_open(ipc);

	if (!err)
		return EXIT_OK;
	if (err == -ENOENT)
		return ipc_report(NULL, NULL, err);
	return ipc_report(NULL, "netlink", err);
}

static int version(void)
{
	struct ipc *ipc;

	printf("gresec %s (netlink family \"%s\" version %d)\n",
	       GRESEC_VERSION, GRESEC_FAMILY_NAME, GRESEC_FAMILY_VERSION);
	if (!ipc_open(&ipc)) {
		printf("kernel module: family version %u\n",
		       ipc_family_version(ipc));
		ipc_close(ipc);
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	char *show[] = { "show", NULL };
	size_t i;

	if (argc < 2)
		return show_main(1, show);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") ||
	    !strcmp(argv[1], "version"))
		return version();
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < N_SUBCOMMANDS; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	return bad_arg(argv[1], "unknown command (see \"gresec help\")");
}
