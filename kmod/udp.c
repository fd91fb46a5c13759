// SPDX-License-Identifier: GPL-2.0
/*
 * gresec: ESP in UDP (RFC 3948, NAT traversal) for one SA: the UDP header
 * in front of ESP on output, the peer's address and port on input (NAT
 * rebinding), and the sockets that bring UDP-encapsulated ESP in.
 *
 * How ESP in UDP reaches gresec: the way it reaches the kernel's own IPsec.
 * A UDP socket with the UDP_ENCAP_ESPINUDP option has xfrm4_udp_encap_rcv()
 * keep IKE packets (the non-ESP marker) for the socket, eat NAT-keepalives
 * (0xff), strip the UDP header of the rest and hand them to
 * xfrm4_rcv_encap(), which offers each to the xfrm4 ESP handlers in
 * priority order.  Ours (rx.c) takes the SPIs of gresec's inbound SAs and
 * passes every other SPI on to esp4.  So the packet is claimed by its SPI,
 * behind one socket per port, whoever owns that socket: gresec and Linux's
 * own IPsec both keep working on one host, and a key manager's IKE socket
 * is shared rather than taken.  Attaching our own receive function to the
 * socket instead (as L2TP does with a userspace socket, or WireGuard with
 * its own) would take the port's ESP away from xfrm, and would need a
 * socket per tunnel that a key manager could not share.
 *
 * Who owns the socket: with a key manager, its IKE socket (charon's port
 * 4500, which the strongSwan plugin switches to UDP_ENCAP_ESPINUDP as
 * kernel-netlink does).  With manual keys nobody does, so an inbound
 * UDP-encapsulated SA makes the module open one on its port in the SA's
 * namespace, shared by every SA on that port and closed with the last.
 * Where the port is already bound (a key manager runs), that socket is the
 * one: a daemon started later finds the port taken while manual SAs hold it.
 * The socket is set up as a daemon's is, with the UDP_ENCAP socket option
 * (not through udp_tunnel, which not every kernel builds); IKE packets
 * reaching it wait in a receive buffer kept at the minimum, as nothing
 * reads it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <linux/net.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "sa.h"
#include "udp.h"

struct gresec_udp_listener {
	struct list_head node;
	struct net *net;	/* no reference: closed before the namespace */
	__be16 port;
	unsigned int users;	/* inbound SAs on the port */
	struct socket *sock;
};

/* Taken under RTNL (SA unlink) and without it (SA_NEW): never around it. */
static DEFINE_MUTEX(gresec_udp_lock);
static LIST_HEAD(gresec_udp_listeners);

/* A kernel UDP socket on @port that hands ESP in UDP to xfrm4. */
static int gresec_udp_sock_create(struct net *net, __be16 port,
				  struct socket **out)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = port,
	};
	int type = UDP_ENCAP_ESPINUDP;
	struct socket *sock;
	int err;

	err = sock_create_kern(net, AF_INET, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err)
		return err;
	err = kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
	if (!err)
		err = sock->ops->setsockopt(sock, SOL_UDP, UDP_ENCAP,
					    KERNEL_SOCKPTR(&type), sizeof(type));
	if (err) {
		sock_release(sock);
		return err;
	}
	WRITE_ONCE(sock->sk->sk_rcvbuf, SOCK_MIN_RCVBUF);
	*out = sock;
	return 0;
}

/*
 * A listener for UDP-encapsulated ESP on @port in @net: the module's
 * socket (shared), NULL when another socket owns the port, or an ERR_PTR.
 */
struct gresec_udp_listener *gresec_udp_listen(struct net *net, __be16 port,
					      struct netlink_ext_ack *extack)
{
	struct gresec_udp_listener *l;
	struct socket *sock;
	int err;

	mutex_lock(&gresec_udp_lock);
	list_for_each_entry(l, &gresec_udp_listeners, node) {
		if (net_eq(l->net, net) && l->port == port) {
			l->users++;
			goto out;
		}
	}
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l) {
		l = ERR_PTR(-ENOMEM);
		goto out;
	}
	err = gresec_udp_sock_create(net, port, &sock);
	if (err) {
		kfree(l);
		/* A key manager's socket: it brings the packets. */
		l = err == -EADDRINUSE ? NULL : ERR_PTR(err);
		if (err != -EADDRINUSE)
			NL_SET_ERR_MSG_MOD(extack,
					   "encap-dport: cannot open a UDP socket on the port");
		goto out;
	}
	l->net = net;
	l->port = port;
	l->users = 1;
	l->sock = sock;
	list_add(&l->node, &gresec_udp_listeners);
out:
	mutex_unlock(&gresec_udp_lock);
	return l;
}

void gresec_udp_unlisten(struct gresec_udp_listener *l)
{
	if (!l)
		return;
	mutex_lock(&gresec_udp_lock);
	if (!--l->users) {
		list_del(&l->node);
		kernel_sock_shutdown(l->sock, SHUT_RDWR);
		sock_release(l->sock);
		kfree(l);
	}
	mutex_unlock(&gresec_udp_lock);
}

/*
 * The outer flow of the outbound SA's packets: to the peer's address
 * (the tunnel's @remote until a NAT says otherwise) and port.  Returns
 * whether that is @remote, whose route the tunnel caches.
 */
bool gresec_udp_flow(struct gresec_sa *sa, struct flowi4 *fl4, __be32 remote)
{
	u64 peer = atomic64_read(&sa->encap_peer);

	fl4->daddr = gresec_udp_peer_addr(peer) ?: remote;
	fl4->flowi4_proto = IPPROTO_UDP;
	fl4->fl4_sport = sa->encap_sport;
	fl4->fl4_dport = gresec_udp_peer_port(peer);
	return fl4->daddr == remote;
}

/*
 * The UDP header in front of the ESP packet at skb->data (the headroom is
 * the caller's).  A rebinding between the route and here moves the port a
 * packet early: the next one goes to the new address anyway.
 */
void gresec_udp_push(struct gresec_sa *sa, struct sk_buff *skb)
{
	struct udphdr *uh = skb_push(skb, sizeof(*uh));

	skb_reset_transport_header(skb);
	uh->source = sa->encap_sport;
	uh->dest = gresec_udp_peer_port(atomic64_read(&sa->encap_peer));
	uh->len = htons(skb->len);
	/* RFC 3948 2.1: zero over IPv4; the ICV covers what matters. */
	uh->check = 0;
}

/*
 * NAT rebinding (RFC 3948 2.2, RFC 7296 2.23): the inbound SA @sa has
 * authenticated the packet, whose outer IP and UDP headers are still in
 * front of it.  Returns true, with the new address and port in @peer, when
 * they differ from the last ones (at first the tunnel's @remote and the
 * SA's source port); one CPU wins each change.
 */
bool gresec_udp_rx_peer(struct gresec_sa *sa, struct sk_buff *skb,
			__be32 remote, u64 *peer)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct udphdr *uh = (const void *)((const u8 *)iph +
						  iph->ihl * 4);
	u64 old = atomic64_read(&sa->encap_peer);
	__be32 addr = gresec_udp_peer_addr(old) ?: remote;

	if (addr == iph->saddr && gresec_udp_peer_port(old) == uh->source)
		return false;
	*peer = gresec_udp_peer_pack(iph->saddr, uh->source);
	return atomic64_try_cmpxchg(&sa->encap_peer, &old, *peer);
}

void gresec_udp_peer_set(struct gresec_sa *sa, u64 peer)
{
	atomic64_set(&sa->encap_peer, peer);
}
