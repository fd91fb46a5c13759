/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every unit test program shares: its pass/fail counters, CHECK()
 * (which names the failing line and says why) and the summary line that
 * tools/Makefile and the suite read ("N passed, N failed"; exit status 1
 * if anything failed).  Included once, by the test program's main file.
 */
#ifndef GRESEC_TOOLS_TEST_H
#define GRESEC_TOOLS_TEST_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, ...)						\
	do {								\
		if (cond) {						\
			passed++;					\
		} else {						\
			failed++;					\
			printf("FAIL %s:%d: ", __FILE__, __LINE__);	\
			printf(__VA_ARGS__);				\
			putchar('\n');					\
		}							\
	} while (0)

static inline int test_summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif
