/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gresec: ESP in UDP (RFC 3948, NAT traversal) for an SA: the UDP header
 * on output, the peer's address and port on input, and the sockets that
 * bring UDP-encapsulated ESP to the xfrm4 ESP handlers.
 */
#ifndef _GRESEC_UDP_H
#define _GRESEC_UDP_H

#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/flow.h>

struct gresec_sa;
struct gresec_udp_listener;
struct net;
struct netlink_ext_ack;

/* The peer's outer address and port in one word, so they move together. */
static inline u64 gresec_udp_peer_pack(__be32 addr, __be16 port)
{
	return (u64)(__force u32)addr << 16 | (__force u16)port;
}

static inline __be32 gresec_udp_peer_addr(u64 peer)
{
	return (__force __be32)(u32)(peer >> 16);
}

static inline __be16 gresec_udp_peer_port(u64 peer)
{
	return (__force __be16)(u16)peer;
}

/* udp.c APIs: */
struct gresec_udp_listener *gresec_udp_listen(struct net *net, __be16 port,
					      struct netlink_ext_ack *extack);
void gresec_udp_unlisten(struct gresec_udp_listener *l);
bool gresec_udp_flow(struct gresec_sa *sa, struct flowi4 *fl4, __be32 remote);
void gresec_udp_push(struct gresec_sa *sa, struct sk_buff *skb);
bool gresec_udp_rx_peer(struct gresec_sa *sa, struct sk_buff *skb,
			__be32 remote, u64 *peer);
void gresec_udp_peer_set(struct gresec_sa *sa, u64 peer);

#endif /* _GRESEC_UDP_H */
