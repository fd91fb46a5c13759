/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: ESP (RFC 4303) on one SA, in transport or tunnel mode.
 */
#ifndef _GRESEC_ESP_H
#define _GRESEC_ESP_H

#include <linux/skbuff.h>
#include <linux/types.h>

struct gresec_sa;

/*
 * A caller's continuation: gresec_esp_output() and gresec_esp_input() hand
 * the packet back through it (see there for @err), and so do
 * gresec_esp_seal() and gresec_esp_open() when the AEAD completed
 * asynchronously, with the crypto result.
 */
typedef void (*gresec_esp_done_t)(struct sk_buff *skb, int err);

/* esp.c APIs: */
void gresec_esp_output(struct gresec_sa *sa, struct sk_buff *skb,
		       gresec_esp_done_t done);
void gresec_esp_input(struct gresec_sa *sa, struct sk_buff *skb,
		      gresec_esp_done_t done);
int gresec_esp_seal(struct gresec_sa *sa, struct sk_buff *skb, u64 seq,
		    const u8 *iv, u8 nexthdr, gresec_esp_done_t done);
int gresec_esp_open(struct gresec_sa *sa, struct sk_buff *skb, u64 seq,
		    gresec_esp_done_t done);
enum gresec_sa_stats_a gresec_esp_strip(struct gresec_sa *sa,
					struct sk_buff *skb, u8 *nexthdr);

#ifdef DEBUG
bool gresec_esp_selftest(void);
#endif

#endif /* _GRESEC_ESP_H */
