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
 * @defgroup kernel_gresec_ipsec_i kernel_gresec_ipsec
 * @{ @ingroup kernel_gresec
 */

#ifndef KERNEL_GRESEC_IPSEC_H_
#define KERNEL_GRESEC_IPSEC_H_

#include <library.h>
#include <kernel/kernel_ipsec.h>

typedef struct kernel_gresec_ipsec_t kernel_gresec_ipsec_t;

/**
 * Implementation of the kernel ipsec interface on gresec tunnel devices:
 * every CHILD_SA is installed as a pair of SAs of the gresec tunnel whose
 * underlay endpoints are the SA's addresses.
 */
struct kernel_gresec_ipsec_t {

	/**
	 * Implements kernel_ipsec_t interface
	 */
	kernel_ipsec_t interface;
};

/**
 * Create a gresec kernel ipsec interface instance.
 *
 * @return			kernel_gresec_ipsec_t instance, NULL on failure
 */
kernel_gresec_ipsec_t *kernel_gresec_ipsec_create();

#endif /** KERNEL_GRESEC_IPSEC_H_ @}*/
