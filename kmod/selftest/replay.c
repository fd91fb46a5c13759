// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: self-tests for the anti-replay window and the ESN inference.
 * Included into replay.c in DEBUG builds and run from module init.
 */

#include <linux/slab.h>

#define GRESEC_T_OK	0
#define GRESEC_T_DUP	GRESEC_SA_STATS_A_DROP_REPLAY_DUP
#define GRESEC_T_OLD	GRESEC_SA_STATS_A_DROP_REPLAY_OLD

struct gresec_replay_test {
	struct gresec_replay r;
	unsigned int n;
	bool success;
};

static void __init gresec_replay_t(struct gresec_replay_test *t, u64 seq,
				   int expect)
{
	int pre = gresec_replay_check(&t->r, seq);
	int got = gresec_replay_advance(&t->r, seq);

	t->n++;
	/* The check must agree with the commit and must not change state. */
	if (got != expect || pre != expect ||
	    (!got && gresec_replay_check(&t->r, seq) != GRESEC_T_DUP &&
	     t->r.window)) {
		pr_err("replay self-test window %u step %u (seq %llu): FAIL, got %d/%d expected %d\n",
		       t->r.window, t->n, seq, pre, got, expect);
		t->success = false;
	}
}

/* The WireGuard counter test, scaled to any window size. */
static bool __init gresec_replay_selftest_window(u32 w)
{
	unsigned int words = gresec_replay_ring_words(w);
	struct gresec_replay_test t = { .success = true };
	u64 far = (u64)w * 8 + 1000;
	unsigned long *ring;
	unsigned int i;
	u32 bmp[4];

	ring = kcalloc(words, sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return false;
	gresec_replay_init(&t.r, w, ring);

	gresec_replay_t(&t, 0, GRESEC_T_OLD);
	gresec_replay_t(&t, 1, GRESEC_T_OK);
	gresec_replay_t(&t, 1, GRESEC_T_DUP);
	gresec_replay_t(&t, 9, GRESEC_T_OK);
	gresec_replay_t(&t, 8, w > 1 ? GRESEC_T_OK : GRESEC_T_OLD);
	gresec_replay_t(&t, 8, w > 1 ? GRESEC_T_DUP : GRESEC_T_OLD);
	gresec_replay_t(&t, w + 10, GRESEC_T_OK);
	gresec_replay_t(&t, 10, GRESEC_T_OLD);		/* top - w: just left */
	gresec_replay_t(&t, 11, w > 1 ? GRESEC_T_OK : GRESEC_T_DUP);
	gresec_replay_t(&t, 11, GRESEC_T_DUP);
	gresec_replay_t(&t, w + 9, w > 2 ? GRESEC_T_OK :
			w == 2 ? GRESEC_T_DUP : GRESEC_T_OLD);	/* 2: was 11 */
	gresec_replay_t(&t, w + 10, GRESEC_T_DUP);
	gresec_replay_t(&t, w + 11, GRESEC_T_OK);
	gresec_replay_t(&t, 11, GRESEC_T_OLD);
	/* A jump beyond the whole ring forgets everything behind it. */
	gresec_replay_t(&t, far, GRESEC_T_OK);
	gresec_replay_t(&t, far - w, GRESEC_T_OLD);
	gresec_replay_t(&t, far - (w - 1), w > 1 ? GRESEC_T_OK : GRESEC_T_DUP);
	gresec_replay_t(&t, far - (w - 1), GRESEC_T_DUP);
	gresec_replay_t(&t, w + 11, GRESEC_T_OLD);
	/* Every number of the window accepted once, then all refused. */
	for (i = 1; i <= w; i++)
		gresec_replay_t(&t, far + i, GRESEC_T_OK);
	for (i = 1; i <= w; i++)
		gresec_replay_t(&t, far + i, GRESEC_T_DUP);
	gresec_replay_t(&t, far, GRESEC_T_OLD);

	/* Bit 0 of the dump is the top; the rest follows downwards. */
	gresec_replay_init(&t.r, w, ring);
	gresec_replay_t(&t, 100, GRESEC_T_OK);
	if (w > 2)
		gresec_replay_t(&t, 98, GRESEC_T_OK);
	memset(bmp, 0xff, sizeof(bmp));
	if (gresec_replay_bitmap(&t.r, bmp, ARRAY_SIZE(bmp)) !=
	    min_t(unsigned int, DIV_ROUND_UP(w, 32), ARRAY_SIZE(bmp)) ||
	    bmp[0] != (w > 2 ? 0x5 : 0x1)) {
		pr_err("replay self-test window %u bitmap: FAIL (%08x)\n", w,
		       bmp[0]);
		t.success = false;
	}

	kfree(ring);
	return t.success;
}

/* Random arrivals against a naive model that remembers every number. */
static bool __init gresec_replay_selftest_model(u32 w)
{
	const unsigned int span = 3 * 4096;
	unsigned int words = gresec_replay_ring_words(w);
	struct gresec_replay r;
	unsigned long *ring;
	u32 x = 2463534242U;
	bool success = true;
	u64 seq, top = 0;
	unsigned int i;
	bool *seen;
	int expect;

	ring = kcalloc(words, sizeof(*ring), GFP_KERNEL);
	seen = kcalloc(span + 1, sizeof(*seen), GFP_KERNEL);
	if (!ring || !seen) {
		kfree(ring);
		kfree(seen);
		return false;
	}
	gresec_replay_init(&r, w, ring);
	for (i = 0; i < 20000 && success; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		/* Mostly forward, with reordering and duplicates. */
		seq = min_t(u64, span, i / 2 + 1 + x % (w + 16));
		if (x & 0x10000)
			seq = seq > w + 1 ? seq - x % (w + 1) : 1;
		if (!w || seq > top)
			expect = GRESEC_T_OK;
		else if (top - seq >= w)
			expect = GRESEC_T_OLD;
		else
			expect = seen[seq] ? GRESEC_T_DUP : GRESEC_T_OK;
		if (gresec_replay_advance(&r, seq) != expect) {
			pr_err("replay self-test model window %u step %u (seq %llu top %llu): FAIL\n",
			       w, i, seq, top);
			success = false;
		}
		if (expect == GRESEC_T_OK) {
			seen[seq] = true;
			top = max(top, seq);
		}
	}
	kfree(seen);
	kfree(ring);
	return success;
}

struct gresec_replay_esn_vector {
	u64 top;
	u32 window;
	u32 seq_lo;
	u64 seq;
};

static const struct gresec_replay_esn_vector gresec_replay_esn_vectors[] __initconst = {
	/* Nothing received yet: numbers are in the first subspace. */
	{ 0, 64, 1, 1 },
	{ 0, 64, 0, 0 },
	{ 0, 64, 0xfffffff0, 0xfffffff0 },
	/* Case B: the window straddles a wrap. */
	{ 0x100000005ULL, 64, 0xffffffd0, 0xffffffd0 },
	{ 0x100000005ULL, 64, 0xffffffc5, 0x1ffffffc5ULL },
	{ 0x100000005ULL, 64, 3, 0x100000003ULL },
	{ 0x100000005ULL, 64, 100, 0x100000064ULL },
	{ 0x100000005ULL, 64, 0, 0x100000000ULL },
	/* Case A: the window within one subspace. */
	{ 0x180000000ULL, 64, 0x7fffffc1, 0x17fffffc1ULL },
	{ 0x180000000ULL, 64, 0x7fffffc0, 0x27fffffc0ULL },
	{ 0x180000000ULL, 64, 0x90000000, 0x190000000ULL },
	{ 0x1fffffff0ULL, 4096, 0xffffeff1, 0x1ffffeff1ULL },
	{ 0x1fffffff0ULL, 4096, 0xffffeff0, 0x2ffffeff0ULL },
	{ 0x1fffffff0ULL, 4096, 5, 0x200000005ULL },
	/* The last subspace has no successor. */
	{ 0xfffffffffffffff0ULL, 64, 5, 0 },
	{ 0xfffffffffffffff0ULL, 64, 0xffffffff, 0xffffffffffffffffULL },
	/* No window: the candidate nearest the top wins. */
	{ 0x300000010ULL, 0, 0x80000011, 0x280000011ULL },
	{ 0x300000010ULL, 0, 0x80000010, 0x380000010ULL },
	{ 0x380000000ULL, 0, 0x00000001, 0x300000001ULL },
	{ 0x380000000ULL, 0, 0x00000000, 0x400000000ULL },
};

static bool __init gresec_replay_selftest_esn(void)
{
	const struct gresec_replay_esn_vector *v;
	struct gresec_replay r;
	bool success = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gresec_replay_esn_vectors); i++) {
		v = &gresec_replay_esn_vectors[i];
		r.top = v->top;
		r.window = v->window;
		if (gresec_replay_seq(&r, v->seq_lo, true) != v->seq ||
		    gresec_replay_seq(&r, v->seq_lo, false) != v->seq_lo) {
			pr_err("replay self-test esn %u: FAIL, got %llx\n",
			       i + 1, gresec_replay_seq(&r, v->seq_lo, true));
			success = false;
		}
	}
	return success;
}

/* A stream crossing 2^32 with reordering around the wrap. */
static bool __init gresec_replay_selftest_wrap(void)
{
	struct gresec_replay_test t = { .success = true };
	unsigned long ring[2];
	u64 seq;
	u32 lo;

	gresec_replay_init(&t.r, 64, ring);
	t.r.top = 0xfffffff0;
	for (lo = 0xfffffff1; lo != 3; lo++) {
		if (lo == 0xfffffffe)
			continue;	/* arrives late, below */
		seq = gresec_replay_seq(&t.r, lo, true);
		gresec_replay_t(&t, seq, GRESEC_T_OK);
	}
	if (t.r.top != 0x100000002ULL)
		t.success = false;
	seq = gresec_replay_seq(&t.r, 0xfffffffe, true);
	if (seq != 0xfffffffeULL)
		t.success = false;
	gresec_replay_t(&t, seq, GRESEC_T_OK);
	gresec_replay_t(&t, gresec_replay_seq(&t.r, 0xffffffff, true),
			GRESEC_T_DUP);
	gresec_replay_t(&t, gresec_replay_seq(&t.r, 0, true), GRESEC_T_DUP);
	if (!t.success)
		pr_err("replay self-test esn wrap: FAIL\n");
	return t.success;
}

bool __init gresec_replay_selftest(void)
{
	static const u32 windows[] __initconst = {
		1, 2, 31, 32, 63, 64, 65, 100, 1024, 4095, 4096
	};
	bool success = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(windows); i++) {
		success &= gresec_replay_selftest_window(windows[i]);
		success &= gresec_replay_selftest_model(windows[i]);
	}
	success &= gresec_replay_selftest_model(0);
	success &= gresec_replay_selftest_esn();
	success &= gresec_replay_selftest_wrap();
	if (success)
		pr_info("replay self-tests: pass\n");
	return success;
}
