/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: the ESP anti-replay window (RFC 4303 3.4.3 and Appendix A).
 *
 * Pure functions on a window the caller locks.  Receive processing is split
 * in two so that nothing an attacker sends can move the window: look up the
 * full sequence number and check it before decryption, then advance only
 * after the ICV verified (which re-checks, as another CPU may have accepted
 * the same number in between).
 */
#ifndef _GRESEC_REPLAY_H
#define _GRESEC_REPLAY_H

#include <linux/types.h>
#include <linux/gresec.h>

#define GRESEC_REPLAY_WINDOW_MAX	4096
#define GRESEC_REPLAY_WINDOW_DEFAULT	64

struct gresec_replay {
	u64 top;		/* highest sequence number accepted, 0: none */
	u32 window;		/* packets; 0: no replay protection */
	u32 ring_words;		/* power of two, 0 when window is 0 */
	unsigned long *ring;	/* bit (seq mod ring size) set: seq seen */
};

/* replay.c APIs: */
unsigned int gresec_replay_ring_words(u32 window);
void gresec_replay_init(struct gresec_replay *r, u32 window,
			unsigned long *ring);
u64 gresec_replay_seq(const struct gresec_replay *r, u32 seq_lo, bool esn);
/* 0, or the GRESEC_SA_STATS_A_DROP_REPLAY_* counter of the reason. */
enum gresec_sa_stats_a gresec_replay_check(const struct gresec_replay *r,
					   u64 seq);
enum gresec_sa_stats_a gresec_replay_advance(struct gresec_replay *r, u64 seq);
unsigned int gresec_replay_bitmap(const struct gresec_replay *r, u32 *out,
				  unsigned int words);

#ifdef DEBUG
bool gresec_replay_selftest(void);
#endif

#endif /* _GRESEC_REPLAY_H */
