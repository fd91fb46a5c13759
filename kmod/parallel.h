/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: handing ESP work from a busy CPU to the next one, in order.
 */
#ifndef _GRESEC_PARALLEL_H
#define _GRESEC_PARALLEL_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

/*
 * Packets waiting for, or in the hands of, one work item.  While any are,
 * every further packet of the same source must queue behind them.
 */
typedef void (*gresec_par_handler_t)(struct sk_buff *skb, void *arg);

struct gresec_par_queue {
	struct sk_buff_head skbs;
	struct work_struct work;
	gresec_par_handler_t fn;	/* each packet, in order, on the worker */
	void *arg;
	atomic_t inflight;
	unsigned long last;	/* jiffies of the last packet queued */
	unsigned int cpu;	/* where the work item runs in this burst */
};

/* Packets one CPU handled itself in the current jiffy. */
struct gresec_par_rate {
	unsigned long stamp;
	unsigned int count;
};

int gresec_par_init(void);
void gresec_par_uninit(void);
void gresec_par_queue_init(struct gresec_par_queue *q,
			   gresec_par_handler_t fn, void *arg);
bool gresec_par_queue_wanted(struct gresec_par_queue *q,
			     struct gresec_par_rate __percpu *rate,
			     bool eligible);
int gresec_par_queue_add(struct gresec_par_queue *q, struct sk_buff *skb);
void gresec_par_queue_purge(struct gresec_par_queue *q);

#endif /* _GRESEC_PARALLEL_H */
