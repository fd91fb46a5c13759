// SPDX-License-Identifier: GPL-2.0
/*
 * gresec monitor [-j] [-t]: print SA_NTF, ACQUIRE_NTF and KEEPALIVE_NTF notifications of
 * the "events" multicast group, one line each, until interrupted.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "subcommands.h"

struct monitor {
	bool json, timestamp;
};

static void monitor_usage(FILE *f)
{
	fprintf(f,
		"Usage: gresec monitor [-j|--json] [-t|--timestamp]\n\n"
		"Prints one line per SA event of the network namespace (added,\n"
		"deleted, soft-expired, hard-expired, exhausted, mapping), per\n"
		"acquire and per carrier change by keepalives until interrupted.\n"
		"-j prints one JSON object per line; -t prefixes local time.\n");
}

/* As "gresec show" names the keepalive state. */
static const char *keepalive_name(uint32_t state)
{
	switch (state) {
	case GRESEC_KEEPALIVE_STATE_OFF: return "off";
	case GRESEC_KEEPALIVE_STATE_UP: return "up";
	case GRESEC_KEEPALIVE_STATE_DOWN: return "down";
	default: return "unknown";
	}
}

static int on_event(uint8_t cmd, const struct gs_tunnel *t, bool lost,
		    void *data)
{
	const struct monitor *m = data;
	char ts[40] = "";
	struct tm tm;
	time_t now;
	struct json j;
	size_t i;

	if (lost) {
		fprintf(stderr, "gresec: monitor: events lost (receive buffer overrun)\n");
		return 0;
	}
	if (cmd != GRESEC_CMD_SA_NTF && cmd != GRESEC_CMD_ACQUIRE_NTF &&
	    cmd != GRESEC_CMD_KEEPALIVE_NTF)
		return 0;	/* future notifications: not ours to print */
	if (m->timestamp) {
		now = time(NULL);
		if (localtime_r(&now, &tm))
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S%z", &tm);
	}
	if (cmd == GRESEC_CMD_ACQUIRE_NTF) {
		if (m->json) {
			json_init(&j, stdout, false);
			json_obj_begin(&j, NULL);
			if (m->timestamp)
				json_str(&j, "time", ts);
			json_str(&j, "event", "acquire");
			json_str(&j, "ifname", t->ifname);
			json_str(&j, "local", ip4_str(t->local));
			json_str(&j, "remote", ip4_str(t->remote));
			json_u64(&j, "if_id", t->if_id);
			json_obj_end(&j);
			json_finish(&j);
		} else {
			if (m->timestamp)
				printf("[%s] ", ts);
			printf("acquire %s: local %s", t->ifname, ip4_str(t->local));
			printf(" remote %s", ip4_str(t->remote));
			if (t->if_id)
				printf(" if-id %u", t->if_id);
			printf("\n");
		}
	}
	if (cmd == GRESEC_CMD_KEEPALIVE_NTF) {
		const char *ka = keepalive_name(t->ka_state);
		const char *carrier = t->ka_state == GRESEC_KEEPALIVE_STATE_DOWN ?
				      "off" : "on";

		if (m->json) {
			json_init(&j, stdout, false);
			json_obj_begin(&j, NULL);
			if (m->timestamp)
				json_str(&j, "time", ts);
			json_str(&j, "event", "carrier");
			json_str(&j, "ifname", t->ifname);
			json_u64(&j, "ifindex", t->ifindex);
			json_str(&j, "carrier", carrier);
			json_str(&j, "keepalive_state", ka);
			json_u64(&j, "keepalive_changed", t->ka_changed);
			json_obj_end(&j);
			json_finish(&j);
		} else {
			if (m->timestamp)
				printf("[%s] ", ts);
			printf("carrier %s: %s (keepalives %s)\n", t->ifname,
			       carrier, ka);
		}
	}
	for (i = 0; cmd == GRESEC_CMD_SA_NTF && i < t->n_sas; i++) {
		if (m->json) {
			json_init(&j, stdout, false);
			json_event(&j, t, &t->sas[i], m->timestamp ? ts : NULL);
			json_finish(&j);
		} else {
			if (m->timestamp)
				printf("[%s] ", ts);
			print_event(stdout, t, &t->sas[i]);
		}
	}
	/* Consumers read us through a pipe: one event, one flush. */
	if (fflush(stdout) || ferror(stdout))
		return 1;
	return 0;
}

int monitor_main(int argc, char **argv)
{
	struct monitor m = { 0 };
	struct ipc *ipc;
	int a, ret, err;

	for (a = 1; a < argc; a++) {
		if (is_help(argv[a])) {
			monitor_usage(stdout);
			return EXIT_OK;
		} else if (is_json(argv[a])) {
			m.json = true;
		} else if (!strcmp(argv[a], "-t") ||
			   !strcmp(argv[a], "--timestamp")) {
			m.timestamp = true;
		} else {
			return bad_arg(argv[a], "unknown option (see \"gresec monitor help\")");
		}
	}
	ret = open_ipc(&ipc);
	if (ret)
		return ret;
	err = ipc_monitor(ipc, on_event, &m);
	if (err)
		ret = ipc_report(ipc, "monitor", err);
	ipc_close(ipc);
	return ret;
}
