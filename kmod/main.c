// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: GRE over IPsec (ESP transport mode) as one tunnel device.
 *
 * Module init and exit only: each subsystem is brought up in dependency
 * order and torn down in exactly the reverse order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "esp.h"
#include "gre.h"
#include "netns.h"
#include "netlink.h"
#include "parallel.h"
#include "replay.h"
#include "rx.h"
#include "sa.h"

#ifdef DEBUG
/*
 * Pure functions are checked before anything is registered, so a debug
 * build that fails them never touches the network (WireGuard's approach).
 */
static int __init gresec_selftests(void)
{
	bool success = gresec_gre_selftest();

	success &= gresec_replay_selftest();
	success &= gresec_esp_selftest();
	return success ? 0 : -ENOTRECOVERABLE;
}
#else
static inline int gresec_selftests(void)
{
	return 0;
}
#endif

static int __init gresec_mod_init(void)
{
	int err;

	err = gresec_selftests();
	if (err)
		return err;

	err = gresec_netns_init();
	if (err)
		goto err_net;
	err = gresec_par_init();
	if (err)
		goto err_par;
	err = gresec_sa_init();
	if (err)
		goto err_sa;
	err = gresec_rx_init();
	if (err)
		goto err_rx;
	err = gresec_device_init();
	if (err)
		goto err_device;
	err = gresec_netlink_init();
	if (err)
		goto err_netlink;

	pr_info("GRE over IPsec tunnels, version %s loaded\n", GRESEC_VERSION);
	return 0;

err_netlink:
	gresec_device_uninit();
err_device:
	gresec_rx_uninit();
err_rx:
	gresec_sa_uninit();
err_sa:
	gresec_par_uninit();
err_par:
	gresec_netns_uninit();
err_net:
	return err;
}

static void __exit gresec_mod_exit(void)
{
	gresec_netlink_uninit();
	gresec_device_uninit();
	gresec_rx_uninit();
	gresec_sa_uninit();
	gresec_par_uninit();
	gresec_netns_uninit();
	/* Let call_rcu/kfree_rcu callbacks that point into us finish. */
	rcu_barrier();
	pr_info("unloaded\n");
}

module_init(gresec_mod_init);
module_exit(gresec_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("GRE over IPsec (ESP transport mode) tunnel device");
MODULE_AUTHOR("gresec developers");
MODULE_VERSION(GRESEC_VERSION);
MODULE_ALIAS_RTNL_LINK("gresec");
MODULE_ALIAS_GENL_FAMILY("gresec");
