/*
 * Copyright (C) 2026 The gresec authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * This program is distributed in the hope that it will be useful, but
 * WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 * or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * for more details.
 */

#include <ctype.h>
#include <limits.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "kernel_gresec_plugin.h"
#include "kernel_gresec_ipsec.h"

#include <daemon.h>

/** the package this plugin was built against, from the Makefile */
#ifndef GRESEC_BUILT_FOR
#define GRESEC_BUILT_FOR "strongSwan " VERSION
#endif

typedef struct private_kernel_gresec_plugin_t private_kernel_gresec_plugin_t;

/**
 * private data of the kernel-gresec plugin
 */
struct private_kernel_gresec_plugin_t {

	/**
	 * implements plugin interface
	 */
	kernel_gresec_plugin_t public;
};

METHOD(plugin_t, get_name, char*,
	private_kernel_gresec_plugin_t *this)
{
	return "kernel-gresec";
}

METHOD(plugin_t, get_features, int,
	private_kernel_gresec_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK(kernel_ipsec_register, kernel_gresec_ipsec_create),
			PLUGIN_PROVIDE(CUSTOM, "kernel-ipsec"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_kernel_gresec_plugin_t *this)
{
	free(this);
}

/**
 * What the version scan of the program found.
 */
typedef struct {
	/** "strongSwan VERSION" seen */
	bool same;
	/** VERSION seen as a string of its own (printf argument) */
	bool literal;
	/** another "strongSwan X.Y.Z" seen, the first one */
	char other[32];
} version_scan_t;

/**
 * Look for the strongSwan version in one read-only segment of the program.
 */
static void scan_segment(const char *start, size_t len, version_scan_t *scan)
{
	static const char tag[] = "strongSwan ";
	const char *pos = start, *end = start + len, *v;
	const char literal[] = "\0" VERSION;
	size_t n, vlen = strlen(VERSION);

	while ((pos = memmem(pos, end - pos, tag, strlen(tag))))
	{
		v = pos + strlen(tag);
		for (n = 0; v + n < end && n < sizeof(scan->other) - 1 &&
			 (isalnum((unsigned char)v[n]) || strchr(".+~-", v[n])); n++)
		{
			/* e.g. "5.9.8", "6.0.0rc1", "5.9.14dr1" */
		}
		if (n && isdigit((unsigned char)v[0]))
		{
			if (n == vlen && !memcmp(v, VERSION, vlen))
			{
				scan->same = TRUE;
			}
			else if (!scan->other[0])
			{
				memcpy(scan->other, v, n);
				scan->other[n] = '\0';
			}
		}
		pos = v;
	}
	/* "\0VERSION\0": VERSION passed to a format string as an argument */
	pos = start;
	while ((pos = memmem(pos, end - pos, literal, vlen + 1)))
	{
		if (pos + vlen + 1 < end && pos[vlen + 1] == '\0')
		{
			scan->literal = TRUE;
			break;
		}
		pos++;
	}
}

/**
 * dl_iterate_phdr() callback; the first object is the program itself.
 */
static int scan_program(struct dl_phdr_info *info, size_t size, void *data)
{
	const ElfW(Phdr) *ph;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++)
	{
		ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_R) &&
			!(ph->p_flags & PF_W))
		{
			scan_segment((const char*)(info->dlpi_addr + ph->p_vaddr),
						 ph->p_filesz, data);
		}
	}
	return 1;
}

/**
 * strongSwan 5.9 plugins have no ABI version: a plugin built against
 * other headers than the daemon's crashes it.  libstrongswan and libcharon
 * carry no version string either, but every strongSwan daemon logs
 * "... (strongSwan VERSION, ...)" at start: find that string in the
 * program's read-only data and compare it with the VERSION of the
 * config.h this plugin was built with.
 */
static bool version_matches()
{
	version_scan_t scan = {};
	char program[PATH_MAX];
	ssize_t len;

	dl_iterate_phdr(scan_program, &scan);
	if (scan.same || (!scan.other[0] && scan.literal))
	{
		DBG2(DBG_KNL, "kernel-gresec: built against %s, loaded into "
			 "strongSwan " VERSION, GRESEC_BUILT_FOR);
		return TRUE;
	}
	len = readlink("/proc/self/exe", program, sizeof(program) - 1);
	program[len > 0 ? len : 0] = '\0';
	if (scan.other[0])
	{
		DBG1(DBG_KNL, "kernel-gresec plugin not loaded: it was built for %s "
			 "but %s is strongSwan %s; rebuild it against that version's "
			 "source", GRESEC_BUILT_FOR, program, scan.other);
	}
	else
	{
		DBG1(DBG_KNL, "kernel-gresec plugin not loaded: it was built for %s "
			 "and %s shows no strongSwan version to compare with",
			 GRESEC_BUILT_FOR, program);
	}
	return FALSE;
}

/*
 * see header file
 */
plugin_t *kernel_gresec_plugin_create()
{
	private_kernel_gresec_plugin_t *this;

	if (!version_matches())
	{
		return NULL;
	}
	if (!lib->caps->keep(lib->caps, CAP_NET_ADMIN))
	{	/* SA_NEW/SA_DEL need it */
		DBG1(DBG_KNL, "kernel-gresec plugin requires CAP_NET_ADMIN "
			 "capability");
		return NULL;
	}

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
	);

	return &this->public.plugin;
}
