// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: TCP MSS clamping (IOS "ip tcp adjust-mss"), so hosts behind the
 * tunnel never depend on path MTU discovery across it.  The MSS option of
 * a SYN or SYN-ACK is lowered, never raised, and the TCP checksum updated
 * incrementally, as xt_TCPMSS does.  tx.c calls it before encapsulation,
 * rx.c after decapsulation; it knows nothing of the tunnel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "compat.h"
#include "mss.h"

/* The offset of the TCP header of an unfragmented IPv4/IPv6 packet, or -1. */
static int gresec_mss_tcp_offset(struct sk_buff *skb, unsigned int *hdrs)
{
	int off = skb_network_offset(skb);
	__be16 frag_off;
	u8 nexthdr;

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, off + sizeof(*iph)))
			return -1;
		iph = ip_hdr(skb);
		if (iph->version != 4 || iph->ihl < 5 ||
		    iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return -1;
		*hdrs = sizeof(struct iphdr) + sizeof(struct tcphdr);
		return off + iph->ihl * 4;
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		if (!pskb_may_pull(skb, off + sizeof(struct ipv6hdr)))
			return -1;
		nexthdr = ipv6_hdr(skb)->nexthdr;
		off = ipv6_skip_exthdr(skb, off + sizeof(struct ipv6hdr),
				       &nexthdr, &frag_off);
		if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
			return -1;
		*hdrs = sizeof(struct ipv6hdr) + sizeof(struct tcphdr);
		return off;
	}
	return -1;
}

/*
 * Lower the MSS option of a TCP SYN in @skb (network header set) to
 * @adjust, or with GRESEC_MSS_AUTO to what fits @mtu.  Returns whether it
 * did.
 */
bool gresec_mss_clamp(struct sk_buff *skb, u32 adjust, unsigned int mtu)
{
	unsigned int hdrs, doff, i, len;
	struct tcphdr *th;
	__be16 from, to;
	u16 old, limit;
	u8 *opt;
	int off;

	off = gresec_mss_tcp_offset(skb, &hdrs);
	if (off < 0 || !pskb_may_pull(skb, off + sizeof(*th)))
		return false;
	th = (struct tcphdr *)(skb->data + off);
	if (!th->syn)
		return false;
	doff = th->doff * 4;
	if (doff <= sizeof(*th) || !pskb_may_pull(skb, off + doff))
		return false;

	if (adjust == GRESEC_MSS_AUTO)
		limit = mtu > hdrs ? min_t(unsigned int, mtu - hdrs, U16_MAX) : 0;
	else
		limit = adjust;

	th = (struct tcphdr *)(skb->data + off);
	opt = (u8 *)(th + 1);
	len = doff - sizeof(*th);
	for (i = 0; i < len; ) {
		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (opt[i] != TCPOPT_MSS || opt[i + 1] != TCPOLEN_MSS) {
			i += opt[i + 1];
			continue;
		}
		old = get_unaligned_be16(opt + i + 2);
		if (old <= limit)
			return false;
		if (skb_ensure_writable(skb, off + doff))
			return false;
		th = (struct tcphdr *)(skb->data + off);
		opt = (u8 *)(th + 1);
		put_unaligned_be16(limit, opt + i + 2);
		/*
		 * The checksum sums 16-bit words from the header's start: a
		 * value at an odd offset (after a lone NOP) adds in swapped.
		 */
		from = htons(old);
		to = htons(limit);
		if (i & 1) {
			from = (__force __be16)swab16((__force u16)from);
			to = (__force __be16)swab16((__force u16)to);
		}
		inet_proto_csum_replace2(&th->check, skb, from, to, false);
		return true;
	}
	return false;
}
