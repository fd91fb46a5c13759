// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: the ESP anti-replay window (RFC 4303 3.4.3), with extended
 * sequence numbers inferred as in RFC 4303 Appendix A.
 *
 * The window is a ring of bits indexed by the low bits of the sequence
 * number, as in WireGuard's counter.c: moving the right edge forward only
 * clears the words it passes over, so a jump costs at most one pass over the
 * ring and an in-order packet touches one word.  The ring holds at least
 * window + BITS_PER_LONG bits so that every number inside the window still
 * has its own bit after the word holding the right edge was recycled.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/gresec.h>

#include "replay.h"

#define GRESEC_REPLAY_WORD_SHIFT	ilog2(BITS_PER_LONG)

unsigned int gresec_replay_ring_words(u32 window)
{
	if (!window)
		return 0;
	return roundup_pow_of_two(window + BITS_PER_LONG) / BITS_PER_LONG;
}

/* @ring holds gresec_replay_ring_words(@window) words (NULL for 0). */
void gresec_replay_init(struct gresec_replay *r, u32 window,
			unsigned long *ring)
{
	r->top = 0;
	r->window = window;
	r->ring_words = gresec_replay_ring_words(window);
	r->ring = ring;
	if (ring)
		memset(ring, 0, r->ring_words * sizeof(*ring));
}

static unsigned long gresec_replay_bit(const struct gresec_replay *r, u64 seq)
{
	return seq & ((u64)r->ring_words * BITS_PER_LONG - 1);
}

/*
 * The full sequence number of a packet carrying @seq_lo (RFC 4303 A2.1):
 * with ESN the high half is the one that puts @seq_lo inside or to the
 * right of the window.  Without a window there is no left edge to keep, so
 * half the number space stands in for it: the candidate nearest the highest
 * number seen wins.  Returns 0, which no packet carries, when the only
 * candidate would lie outside the 64-bit space.
 */
u64 gresec_replay_seq(const struct gresec_replay *r, u32 seq_lo, bool esn)
{
	u32 th = upper_32_bits(r->top);
	u32 tl = lower_32_bits(r->top);
	u32 w = r->window ?: 1U << 31;
	u32 bottom = tl - w + 1;

	if (!esn)
		return seq_lo;

	if (tl >= w - 1) {
		/* Case A: the window lies within one subspace. */
		if (seq_lo >= bottom)
			return ((u64)th << 32) | seq_lo;
		if (th == U32_MAX)
			return 0;
		return ((u64)(th + 1) << 32) | seq_lo;
	}
	/*
	 * Case B: the window spans two subspaces.  Before the first wrap
	 * there is no previous subspace: the number is then ahead of us.
	 */
	if (seq_lo >= bottom && th)
		return ((u64)(th - 1) << 32) | seq_lo;
	return ((u64)th << 32) | seq_lo;
}

/*
 * Whether @seq may be accepted: 0, or the GRESEC_SA_STATS_A_DROP_REPLAY_*
 * counter of the reason.  Numbering starts at 1 (RFC 4303 3.3.3), so 0 is
 * always refused, even with the window off.
 */
enum gresec_sa_stats_a gresec_replay_check(const struct gresec_replay *r,
					   u64 seq)
{
	if (!seq)
		return GRESEC_SA_STATS_A_DROP_REPLAY_OLD;
	if (!r->window || seq > r->top)
		return 0;
	if (r->top - seq >= r->window)
		return GRESEC_SA_STATS_A_DROP_REPLAY_OLD;
	if (test_bit(gresec_replay_bit(r, seq), r->ring))
		return GRESEC_SA_STATS_A_DROP_REPLAY_DUP;
	return 0;
}

/*
 * Record @seq as received once its ICV verified.  Re-checks first: the
 * result of an earlier gresec_replay_check() may be stale.
 */
enum gresec_sa_stats_a gresec_replay_advance(struct gresec_replay *r, u64 seq)
{
	u64 index, index_cur, i, clear;
	enum gresec_sa_stats_a reason;

	reason = gresec_replay_check(r, seq);
	if (reason)
		return reason;
	if (!r->window) {
		r->top = max(r->top, seq);
		return 0;
	}
	if (seq > r->top) {
		index_cur = r->top >> GRESEC_REPLAY_WORD_SHIFT;
		index = seq >> GRESEC_REPLAY_WORD_SHIFT;
		clear = min_t(u64, index - index_cur, r->ring_words);
		for (i = 1; i <= clear; i++)
			r->ring[(index_cur + i) & (r->ring_words - 1)] = 0;
		r->top = seq;
	}
	__set_bit(gresec_replay_bit(r, seq), r->ring);
	return 0;
}

/*
 * Copy the window for a dump: bit i of the result (bit i % 32 of word i / 32)
 * says whether top - i was received.  Returns the number of words written,
 * DIV_ROUND_UP(window, 32) at most.
 */
unsigned int gresec_replay_bitmap(const struct gresec_replay *r, u32 *out,
				  unsigned int words)
{
	unsigned int n = min_t(unsigned int, DIV_ROUND_UP(r->window, 32), words);
	unsigned int i, bits = min_t(unsigned int, n * 32, r->window);

	memset(out, 0, n * sizeof(*out));
	for (i = 0; i < bits && i < r->top; i++)
		if (test_bit(gresec_replay_bit(r, r->top - i), r->ring))
			out[i / 32] |= 1U << (i % 32);
	return n;
}

#ifdef DEBUG
#include "selftest/replay.c"
#endif
