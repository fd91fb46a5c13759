// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: handing ESP work from a busy CPU to the next one, in order.
 *
 * A TCP flow is sent from one CPU, and all packets of an SA arrive on one
 * CPU (one SPI hashes to one receive queue), so without help one CPU
 * encrypts or decrypts a whole tunnel's traffic while the others idle.
 * WireGuard spreads its crypto over every CPU and puts the packets back in
 * order afterwards; ESP's sequence numbers are taken at encryption and the
 * replay window moves at decryption, so here the work is pipelined instead:
 * once a CPU has handled GRESEC_PAR_BURST packets of a direction in one
 * jiffy, the rest of that jiffy's packets go, in order, to a work item on
 * the next online CPU, and the rest of that burst follows until the
 * direction has been quiet for GRESEC_PAR_LINGER.  Light traffic (pings,
 * keepalives, interactive sessions) stays inline and pays no wake-up.  A
 * queue is per tunnel on transmit and per inbound SA on receive, and
 * everything behind a queued packet queues too, so a tunnel's or an SA's
 * packets are handled in the order they came, on whichever CPUs they came:
 * the replay window and the counters see exactly what they would inline.
 *
 * The module parameter "parallel" turns the hand-over off; "backlog" bounds
 * each queue.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "compat.h"
#include "parallel.h"

/* Enough for a ping or a TCP ACK clock to stay inline. */
#define GRESEC_PAR_BURST	8
/* Packets handled with bottom halves off before the worker may yield. */
#define GRESEC_PAR_BATCH	64
/*
 * How long (about 10 ms, at least a jiffy) a direction that was handed over
 * stays so after its last queued packet.  Its packets then leave from one
 * CPU: were the next one sent inline while the worker's last ones still
 * waited in its CPU's backlog (veth's receive side, a NIC's per-CPU
 * transmit queue), it would overtake them: those more than a replay
 * window behind then reach the peer as too old, and TCP sees reordering.
 */
#define GRESEC_PAR_LINGER	(HZ / 100 + 1)

static bool parallel = true;
module_param(parallel, bool, 0644);
MODULE_PARM_DESC(parallel,
		 "Hand ESP work of a busy CPU to the next CPU (default: on)");

static unsigned int backlog;
module_param(backlog, uint, 0644);
MODULE_PARM_DESC(backlog,
		 "Packets a tunnel or an SA may have waiting for the next CPU (default 0: net.core.netdev_max_backlog)");

static struct workqueue_struct *gresec_par_wq;

static void gresec_par_worker(struct work_struct *work);

/*
 * @fn gets each queued packet with @arg; NULL for a queue that is set up
 * again with its handler before anything may be queued.
 */
void gresec_par_queue_init(struct gresec_par_queue *q,
			   gresec_par_handler_t fn, void *arg)
{
	skb_queue_head_init(&q->skbs);
	INIT_WORK(&q->work, gresec_par_worker);
	q->fn = fn;
	q->arg = arg;
	atomic_set(&q->inflight, 0);
	q->last = jiffies - GRESEC_PAR_LINGER - 1;
	q->cpu = nr_cpu_ids;
}

/* Whether @q's last packet was queued within GRESEC_PAR_LINGER of @now. */
static bool gresec_par_lingering(const struct gresec_par_queue *q,
				 unsigned long now)
{
	return time_before_eq(now, READ_ONCE(q->last) + GRESEC_PAR_LINGER);
}

/*
 * Called with bottom halves off.  @eligible: whether this packet may start
 * a hand-over (one that is under way is always followed).
 */
bool gresec_par_queue_wanted(struct gresec_par_queue *q,
			     struct gresec_par_rate __percpu *rate,
			     bool eligible)
{
	unsigned long now = jiffies;
	struct gresec_par_rate *r;

	if (atomic_read(&q->inflight))
		return true;
	if (!eligible || !READ_ONCE(parallel) || num_online_cpus() < 2)
		return false;
	if (gresec_par_lingering(q, now))
		return true;
	r = this_cpu_ptr(rate);
	if (r->stamp != now) {
		r->stamp = now;
		r->count = 0;
	}
	return ++r->count > GRESEC_PAR_BURST;
}

/* -ENOBUFS when the queue is full: the caller counts the drop. */
int gresec_par_queue_add(struct gresec_par_queue *q, struct sk_buff *skb)
{
	/* Another backlog: by default it gets what the core's per-CPU one gets. */
	unsigned int limit = READ_ONCE(backlog) ?: gresec_compat_max_backlog();
	unsigned long now = jiffies;
	unsigned int cpu;
	bool fresh;

	if (skb_queue_len_lockless(&q->skbs) >= limit)
		return -ENOBUFS;
	/* A new burst may pick a new CPU; one under way keeps its CPU. */
	fresh = !atomic_read(&q->inflight) && !gresec_par_lingering(q, now);
	WRITE_ONCE(q->last, now);
	atomic_inc(&q->inflight);
	skb_queue_tail(&q->skbs, skb);
	cpu = READ_ONCE(q->cpu);
	if (fresh || cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		cpu = cpumask_next(smp_processor_id(), cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		WRITE_ONCE(q->cpu, cpu);
	}
	/*
	 * A work item never runs twice at once, so even when CPUs hand the
	 * same queue to different CPUs its packets are taken in order.
	 */
	queue_work_on(cpu, gresec_par_wq, &q->work);
	return 0;
}

/*
 * The work item: the queue's handler gets each packet in order, in the
 * context the receive and transmit paths have (bottom halves off, RCU read
 * side).
 */
static void gresec_par_worker(struct work_struct *work)
{
	struct gresec_par_queue *q = container_of(work, struct gresec_par_queue,
						  work);
	struct sk_buff_head list;
	struct sk_buff *skb;
	unsigned int n;

	__skb_queue_head_init(&list);
	spin_lock_bh(&q->skbs.lock);
	skb_queue_splice_init(&q->skbs, &list);
	spin_unlock_bh(&q->skbs.lock);

	while (!skb_queue_empty(&list)) {
		local_bh_disable();
		rcu_read_lock();
		for (n = 0; n < GRESEC_PAR_BATCH; n++) {
			skb = __skb_dequeue(&list);
			if (!skb)
				break;
			q->fn(skb, q->arg);
			atomic_dec(&q->inflight);
		}
		rcu_read_unlock();
		local_bh_enable();
		cond_resched();
	}
}

/* For a queue whose packets hold no references: its owner is going away. */
void gresec_par_queue_purge(struct gresec_par_queue *q)
{
	cancel_work_sync(&q->work);
	skb_queue_purge(&q->skbs);
	atomic_set(&q->inflight, 0);
}

int gresec_par_init(void)
{
	/*
	 * Not WQ_HIGHPRI: under a flood the workers never idle, and at nice
	 * -20 they would starve every task on the CPU they were handed to.
	 */
	gresec_par_wq = alloc_workqueue("gresec", 0, 0);
	if (!gresec_par_wq)
		return -ENOMEM;
	return 0;
}

void gresec_par_uninit(void)
{
	destroy_workqueue(gresec_par_wq);
}
