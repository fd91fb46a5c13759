// SPDX-License-Identifier: GPL-2.0
/*
 * gresec setconf DEV FILE, gresec syncconf DEV FILE, gresec showconf DEV:
 * configuration files (gresec.conf(5)) in and out, as wg(8) does.
 *
 * setconf and syncconf read and check the whole file, and compute every
 * change against the running state, before the kernel is asked anything:
 * a bad file changes nothing.  The changes are then made in an order in
 * which the ones that can be undone come first (tunnel options, new SAs);
 * if the kernel refuses one of them, everything done so far is undone.
 * Deleting an SA cannot be undone (its keys are not read back: the kernel
 * returns them only when asked, to showconf DEV keys), so replacements
 * and deletions come last.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "parse.h"
#include "subcommands.h"

static void conf_usage(FILE *f)
{
	fprintf(f,
		"Usage: gresec setconf DEV FILE|-\n"
		"       gresec syncconf DEV FILE|-\n"
		"       gresec showconf DEV [keys]\n\n"
		"setconf makes DEV's tunnel options and SAs exactly what FILE says\n"
		"(gresec.conf(5)); syncconf changes only what differs, keeping the SAs\n"
		"that FILE gives with the same parameters (keys cannot be compared:\n"
		"change the SPI with the key).  The whole file is checked first: a\n"
		"bad file changes nothing and the error names its line; a kernel\n"
		"refusal undoes what was done.  A file with keys must not be\n"
		"readable by others.  showconf writes DEV's running state in that\n"
		"format, without keys: its SAs can be kept but not re-created from\n"
		"it.  With \"keys\" (or --keys; needs CAP_NET_ADMIN) it writes each\n"
		"SA's Key and AuthKey too, so that setconf re-creates the SAs, on\n"
		"another device as well; it refuses to write them into a file\n"
		"others may read (umask 077 first).  \"-\" reads standard input.\n"
		"Address and Route lines are gresec-quick's and ignored here.\n");
}

/* Read and check FILE; exit code, with the error printed. */
static int read_conf(const char *file, struct gs_conf *c)
{
	char err[512];
	struct stat st;
	FILE *f;
	int ret;

	/* "-": standard input, as in "gresec showconf A | gresec setconf B -". */
	f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	if (!f) {
		fprintf(stderr, "gresec: %s: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	if (fstat(fileno(f), &st)) {
		fprintf(stderr, "gresec: %s: %s\n", file, strerror(errno));
		if (f != stdin)
			fclose(f);
		return EXIT_USAGE;
	}
	ret = gs_conf_parse(f, file, c, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (ret) {
		fprintf(stderr, "gresec: %s\n", err);
		return EXIT_USAGE;
	}
	if (c->has_keys && (st.st_mode & (S_IRGRP | S_IROTH))) {
		fprintf(stderr,
			"gresec: %s: contains keys but is readable by others (chmod 600)\n",
			file);
		gs_conf_free(c);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * The running state of ifname, SAs included (with their keys if asked),
 * into a zeroed cur.
 */
static int read_running(struct ipc *ipc, const char *ifname,
			struct gs_tunnel *cur, bool keys)
{
	int err;

	err = ipc_tunnel_get(ipc, ifname, cur);
	if (err)
		return ipc_report(ipc, ifname, err);
	err = keys ? ipc_sa_dump_keys(ipc, cur) : ipc_sa_dump(ipc, cur);
	if (err)
		return ipc_report(ipc, ifname, err);
	return EXIT_OK;
}

static void sa_what(char *buf, size_t len, const char *file, unsigned int line,
		    const char *ifname, const char *verb, const struct gs_sa *sa)
{
	if (file)
		snprintf(buf, len, "%s:%u: %s: sa %s %s spi 0x%08" PRIx32, file,
			 line, ifname, verb, gs_dir_name(sa->dir), sa->spi);
	else
		snprintf(buf, len, "%s: sa %s %s spi 0x%08" PRIx32, ifname,
			 verb, gs_dir_name(sa->dir), sa->spi);
}

/*
 * Undo what apply() did before a refusal: delete the SAs it added, then
 * set the saved tunnel options again (a new SA also turned protection
 * on).  Reports what it could not undo; returns whether all was undone.
 */
static bool undo(struct ipc *ipc, const struct gs_conf *c,
		 const struct gs_tunnel *cur, const struct gs_conf_plan *p,
		 size_t added, bool tunnel_set)
{
	struct gs_tunnel old = *cur;
	bool ok = true;
	char what[128];
	size_t i;
	int err;

	for (i = added; i-- > 0;) {
		const struct gs_sa *sa = &c->t.sas[p->steps[i].want];

		err = ipc_sa_del(ipc, cur->ifname, sa->dir, sa->spi);
		if (err && err != -ENOENT) {
			sa_what(what, sizeof(what), NULL, 0, cur->ifname,
				"del (undo)", sa);
			ipc_report(ipc, what, err);
			ok = false;
		}
	}
	if (tunnel_set || added) {
		old.sas = NULL;
		old.n_sas = 0;
		err = ipc_tunnel_set(ipc, &old);
		if (err) {
			char w[64];

			snprintf(w, sizeof(w), "%s: restoring the tunnel options",
				 cur->ifname);
			ipc_report(ipc, w, err);
			ok = false;
		}
	}
	return ok;
}

/*
 * The kernel sends on the outbound SA added last and, when that one is
 * deleted, on none (no fallback).  Say so when a file keeps outbound SAs
 * but the apply deleted the one in use and added none: the tunnel is then
 * silent, which the file cannot express.
 */
static void warn_no_tx(const struct gs_conf *c, const struct gs_tunnel *cur,
		       const struct gs_conf_plan *p)
{
	const struct gs_sa *tx = gs_tunnel_current_out(cur);
	bool gone = false, added = false, kept = false;
	size_t i;

	for (i = 0; i < p->n_steps; i++) {
		const struct gs_conf_step *s = &p->steps[i];

		if (s->op == GS_CONF_DEL && &cur->sas[s->cur] == tx)
			gone = true;
		if (s->op != GS_CONF_DEL &&
		    c->t.sas[s->want].dir == GRESEC_SA_DIR_OUT)
			added = true;
	}
	for (i = 0; i < c->t.n_sas; i++)
		if (c->t.sas[i].dir == GRESEC_SA_DIR_OUT)
			kept = true;
	if (gone && !added && kept)
		fprintf(stderr,
			"gresec: %s: warning: the outbound SA in use (spi 0x%08" PRIx32 ") was deleted and the kernel does not fall back to another one: nothing is sent until an outbound SA is added\n",
			cur->ifname, tx->spi);
}

static int apply(struct ipc *ipc, const char *file, const struct gs_conf *c,
		 const struct gs_tunnel *cur, const struct gs_conf_plan *p,
		 bool sync)
{
	const char *ifname = cur->ifname;
	struct gs_tunnel want = c->t;
	bool tunnel_set = false, sa_new_done = false;
	size_t i, added = 0, lost = 0;
	char what[160];
	int err, ret = EXIT_RUNTIME;

	want.ifindex = cur->ifindex;
	want.sas = NULL;
	want.n_sas = 0;
	/* setconf sets them even unchanged: that recomputes an auto MTU. */
	if (p->tunnel || !sync) {
		err = ipc_tunnel_set(ipc, &want);
		if (err) {
			snprintf(what, sizeof(what), "%s: %s: tunnel options",
				 file, ifname);
			return ipc_report(ipc, what, err);
		}
		tunnel_set = true;
	}
	for (i = 0; i < p->n_steps; i++) {
		const struct gs_conf_step *s = &p->steps[i];
		const struct gs_sa *sa = &c->t.sas[s->want];
		unsigned int line = c->sa_line[s->want];

		if (s->op == GS_CONF_ADD) {
			err = ipc_sa_new(ipc, ifname, sa);
			if (err) {
				sa_what(what, sizeof(what), file, line, ifname,
					"add", sa);
				goto refused;
			}
			added++;
			sa_new_done = true;
			continue;
		}
		if (s->op == GS_CONF_DEL)
			sa = &cur->sas[s->cur];
		err = ipc_sa_del(ipc, ifname, sa->dir, sa->spi);
		if (err && err != -ENOENT) {
			sa_what(what, sizeof(what), s->op == GS_CONF_DEL ? NULL : file,
				line, ifname, "del", sa);
			goto refused;
		}
		if (s->op == GS_CONF_DEL)
			continue;
		err = ipc_sa_new(ipc, ifname, sa);
		if (err) {
			lost++;
			sa_what(what, sizeof(what), file, line, ifname,
				"add (replacing)", sa);
			goto refused;
		}
		sa_new_done = true;
	}
	/* A new SA turned protection on; the file may say otherwise. */
	if (sa_new_done && want.protection == GRESEC_PROTECTION_NONE) {
		struct gs_tunnel prot = { .ifindex = cur->ifindex };

		prot.protection = GRESEC_PROTECTION_NONE;
		prot.have[GRESEC_A_PROTECTION] = true;
		err = ipc_tunnel_set(ipc, &prot);
		if (err) {
			snprintf(what, sizeof(what), "%s: %s: protection none",
				 file, ifname);
			return ipc_report(ipc, what, err);
		}
	}
	warn_no_tx(c, cur, p);
	return EXIT_OK;

refused:
	ret = ipc_report(ipc, what, err);
	/* Steps before i that deleted an SA cannot be undone. */
	for (size_t j = 0; j < i; j++)
		if (p->steps[j].op != GS_CONF_ADD)
			lost++;
	if (undo(ipc, c, cur, p, added, tunnel_set) && !lost)
		fprintf(stderr, "gresec: %s: nothing changed (undone)\n", ifname);
	else
		fprintf(stderr,
			"gresec: %s: partly changed: %zu SA(s) deleted or replaced before the refusal could not be restored (their keys were not read back)\n",
			ifname, lost);
	return ret ? ret : EXIT_RUNTIME;
}

static int conf_apply_main(int argc, char **argv, bool sync)
{
	struct gs_tunnel cur = { 0 };
	struct gs_conf_plan plan;
	struct gs_conf c;
	const char *why;
	struct ipc *ipc;
	char err[512];
	int ret;

	if (argc > 1 && is_help(argv[1])) {
		conf_usage(stdout);
		return EXIT_OK;
	}
	if (argc != 3)
		return bad_arg(argv[0], argc < 3 ? "missing DEV or FILE (see \"gresec setconf help\")" :
			       "unexpected argument (see \"gresec setconf help\")");
	why = check_ifname(argv[1]);
	if (why)
		return bad_arg(argv[1], why);
	ret = read_conf(argv[2], &c);
	if (ret)
		return ret;
	ret = open_ipc(&ipc);
	if (ret)
		goto out_conf;
	ret = read_running(ipc, argv[1], &cur, false);
	if (ret)
		goto out;
	if (gs_conf_plan(&c, argv[2], &cur, sync, &plan, err, sizeof(err))) {
		fprintf(stderr, "gresec: %s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	ret = apply(ipc, argv[2], &c, &cur, &plan, sync);
	gs_conf_plan_free(&plan);
out:
	gs_tunnel_free(&cur);
	ipc_close(ipc);
out_conf:
	gs_conf_free(&c);
	return ret;
}

int setconf_main(int argc, char **argv)
{
	return conf_apply_main(argc, argv, false);
}

int syncconf_main(int argc, char **argv)
{
	return conf_apply_main(argc, argv, true);
}

/* Keys go to a pipe, a terminal or a file only root can read. */
static int check_keys_output(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st)) {
		perror("gresec: stdout");
		return EXIT_RUNTIME;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRGRP | S_IROTH))) {
		fprintf(stderr,
			"gresec: showconf keys: standard output is a file others can read (chmod 600 it, or umask 077 first)\n");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* gresec showconf DEV [keys]: "keys" after DEV, or --keys anywhere. */
int showconf_main(int argc, char **argv)
{
	struct gs_tunnel cur = { 0 };
	const char *ifname = NULL;
	bool keys = false;
	const char *why;
	struct ipc *ipc;
	int a, ret;

	for (a = 1; a < argc; a++) {
		if (is_help(argv[a])) {
			conf_usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[a], "--keys") ||
			   (ifname && !keys && !strcmp(argv[a], "keys"))) {
			keys = true;
		} else if (argv[a][0] == '-') {
			return bad_arg(argv[a], "unknown option (see \"gresec showconf help\")");
		} else if (ifname) {
			return bad_arg(argv[a], "unexpected argument (see \"gresec showconf help\")");
		} else {
			why = check_ifname(argv[a]);
			if (why)
				return bad_arg(argv[a], why);
			ifname = argv[a];
		}
	}
	if (!ifname)
		return bad_arg(argv[0], "missing device name");
	if (keys) {
		ret = check_keys_output();
		if (ret)
			return ret;
	}
	ret = open_ipc(&ipc);
	if (ret)
		return ret;
	ret = read_running(ipc, ifname, &cur, keys);
	ipc_close(ipc);
	if (!ret) {
		printf("# gresec showconf %s%s\n", ifname, keys ? " keys" : "");
		gs_conf_write(stdout, &cur, keys);
		if (fflush(stdout) || ferror(stdout)) {
			perror("gresec: stdout");
			ret = EXIT_RUNTIME;
		}
	}
	gs_tunnel_free(&cur);
	return ret;
}
