// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: inbound SPI reservations, as xfrm's larval states from
 * XFRM_MSG_ALLOCSPI.  A key manager asks for an SPI before it negotiates
 * an SA and installs the SA later; in between, nothing else may take the
 * SPI, and a negotiation that never ends must not hold it for ever.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "netns.h"
#include "sa.h"
#include "spi.h"

struct gresec_spi_resv {
	struct hlist_node node;
	u32 spi;
	unsigned long expires;	/* jiffies */
};

/* Candidates tried before giving up on a crowded range. */
#define GRESEC_SPI_TRIES	64

static struct hlist_head *gresec_spi_bucket(struct gresec_netns *gn, u32 spi)
{
	return &gn->spi_resv[hash_32(spi, GRESEC_NETNS_SPI_HASH_BITS)];
}

static void gresec_spi_drop(struct gresec_netns *gn, struct gresec_spi_resv *r)
{
	hlist_del(&r->node);
	gn->spi_resv_count--;
	kfree(r);
}

/* The live reservation of @spi; an expired one found on the way goes. */
static struct gresec_spi_resv *gresec_spi_find(struct gresec_netns *gn, u32 spi)
{
	struct gresec_spi_resv *r;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(r, tmp, gresec_spi_bucket(gn, spi), node) {
		if (r->spi != spi)
			continue;
		if (time_after_eq(jiffies, r->expires)) {
			gresec_spi_drop(gn, r);
			return NULL;
		}
		return r;
	}
	return NULL;
}

static void gresec_spi_expire_all(struct gresec_netns *gn)
{
	struct gresec_spi_resv *r;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gn->spi_resv); i++)
		hlist_for_each_entry_safe(r, tmp, &gn->spi_resv[i], node)
			if (time_after_eq(jiffies, r->expires))
				gresec_spi_drop(gn, r);
}

/*
 * A random SPI in [@min, @max] that no inbound SA of the namespace uses
 * and no live reservation holds, reserved for GRESEC_SPI_RESERVE_SECS.
 */
int gresec_spi_alloc(struct gresec_netns *gn, u32 min, u32 max, u32 *spi,
		     struct netlink_ext_ack *extack)
{
	struct gresec_spi_resv *r;
	u64 range;
	u32 cand;
	int i;

	ASSERT_RTNL();
	if (min < GRESEC_SPI_ALLOC_MIN || max < min) {
		NL_SET_ERR_MSG_MOD(extack,
				   "spi-min/spi-max: an empty range or one below 256");
		return -EINVAL;
	}
	if (gn->spi_resv_count >= GRESEC_SPI_RESERVE_MAX)
		gresec_spi_expire_all(gn);
	if (gn->spi_resv_count >= GRESEC_SPI_RESERVE_MAX) {
		NL_SET_ERR_MSG_MOD(extack,
				   "spi: the namespace holds the most SPI reservations it may (1024)");
		return -ENOSPC;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	range = (u64)max - min + 1;
	for (i = 0; i < GRESEC_SPI_TRIES; i++) {
		cand = min + (u32)(((u64)get_random_u32() * range) >> 32);
		if (gresec_sa_rx_used(gn, cand) || gresec_spi_find(gn, cand))
			continue;
		r->spi = cand;
		r->expires = jiffies + GRESEC_SPI_RESERVE_SECS * HZ;
		hlist_add_head(&r->node, gresec_spi_bucket(gn, cand));
		gn->spi_resv_count++;
		*spi = cand;
		return 0;
	}
	kfree(r);
	NL_SET_ERR_MSG_MOD(extack, "spi: no free SPI found in the range");
	return -EAGAIN;
}

/* End the reservation of @spi; whether there was one. */
bool gresec_spi_release(struct gresec_netns *gn, u32 spi)
{
	struct gresec_spi_resv *r;

	ASSERT_RTNL();
	r = gresec_spi_find(gn, spi);
	if (!r)
		return false;
	gresec_spi_drop(gn, r);
	return true;
}

/* The namespace goes away: every reservation with it. */
void gresec_spi_flush(struct gresec_netns *gn)
{
	struct gresec_spi_resv *r;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gn->spi_resv); i++)
		hlist_for_each_entry_safe(r, tmp, &gn->spi_resv[i], node)
			gresec_spi_drop(gn, r);
}
