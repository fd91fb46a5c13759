/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Subcommands (one file each, <name>_main(argc, argv) with argv[0] the
 * subcommand name) and the helpers they share, defined in gresec.c.
 */
#ifndef GRESEC_SUBCOMMANDS_H
#define GRESEC_SUBCOMMANDS_H

#include <stdbool.h>

#include "ipc.h"
#include "model.h"

/* Exit codes, documented in gresec.8. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1	/* kernel or runtime error */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_NODEV	3	/* no such gresec device */

int show_main(int argc, char **argv);
int dump_main(int argc, char **argv);
int set_main(int argc, char **argv);
int sa_main(int argc, char **argv);
int monitor_main(int argc, char **argv);
int setconf_main(int argc, char **argv);
int syncconf_main(int argc, char **argv);
int showconf_main(int argc, char **argv);

/* "gresec: <arg>: <why>" on stderr; returns EXIT_USAGE. */
int bad_arg(const char *arg, const char *why);
/* "help", "-h" or "--help". */
bool is_help(const char *s);
/* "-j" or "--json". */
bool is_json(const char *s);
/* Opens the netlink client; on failure prints why and returns the exit code. */
int open_ipc(struct ipc **ipc);

/*
 * show.c: read one tunnel (ifname) or all (NULL) with their SAs into l,
 * sorted by name.  Returns an exit code, having printed any error.
 */
int show_collect(struct ipc *ipc, const char *ifname,
		 struct gs_tunnel_list *l);

#endif
