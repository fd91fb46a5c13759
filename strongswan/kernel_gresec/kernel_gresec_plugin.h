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

/**
 * @defgroup kernel_gresec kernel_gresec
 * @ingroup cplugins
 *
 * @defgroup kernel_gresec_plugin kernel_gresec_plugin
 * @{ @ingroup kernel_gresec
 */

#ifndef KERNEL_GRESEC_PLUGIN_H_
#define KERNEL_GRESEC_PLUGIN_H_

#include <library.h>
#include <plugins/plugin.h>

typedef struct kernel_gresec_plugin_t kernel_gresec_plugin_t;

/**
 * gresec kernel interface plugin: installs CHILD_SAs into gresec tunnel
 * devices (GRE protected by in-module ESP transport mode) over the
 * "gresec" generic netlink family.
 */
struct kernel_gresec_plugin_t {

	/**
	 * implements plugin interface
	 */
	plugin_t plugin;
};

#endif /** KERNEL_GRESEC_PLUGIN_H_ @}*/
