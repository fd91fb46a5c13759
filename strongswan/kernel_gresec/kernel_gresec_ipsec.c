/*
 * Copyright (C) 2026 The gresec authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 *
 * This program is distributed in the hope that it will be useful, but
 * WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
 * or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * for more details.
 */

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/udp.h>
#ifndef SOL_UDP
#define SOL_UDP IPPROTO_UDP
#endif

#include <linux/gresec.h>

#include "kernel_gresec_ipsec.h"
#include "gresec_genl.h"

#include <daemon.h>
#include <collections/array.h>
#include <collections/hashtable.h>
#include <threading/mutex.h>
#include <processing/watcher.h>

/** IANA protocol number of GRE */
#define GRESEC_IPPROTO_GRE 47

/** the largest anti-replay window gresec takes (GRESEC_SA_A_REPLAY_WINDOW) */
#define GRESEC_REPLAY_WINDOW_MAX 4096

typedef struct private_kernel_gresec_ipsec_t private_kernel_gresec_ipsec_t;

/**
 * Private data of a kernel_gresec_ipsec_t object.
 */
struct private_kernel_gresec_ipsec_t {

	/**
	 * Public part of the kernel_gresec_ipsec_t object.
	 */
	kernel_gresec_ipsec_t public;

	/**
	 * Serialises requests on the request socket and the tables below
	 */
	mutex_t *mutex;

	/**
	 * Request socket of the gresec family
	 */
	gresec_genl_t *nl;

	/**
	 * Event socket (gresec's "events" group), read by the watcher
	 */
	gresec_genl_t *events;

	/**
	 * SAs we installed, sa_entry_t keyed by itself (SPI, dst, if_id)
	 */
	hashtable_t *sas;

	/**
	 * Outbound trap policies (start_action = trap), trap_entry_t: which
	 * reqid an ACQUIRE of a tunnel is for
	 */
	array_t *traps;
};

/**
 * An SA installed into a gresec tunnel.
 */
typedef struct {
	/** SPI, network order (as charon hands it) */
	uint32_t spi;
	/** destination address of the SA */
	host_t *dst;
	/** charon's if_id, 0 if none */
	uint32_t if_id;
	/** tunnel the SA lives in */
	uint32_t ifindex;
	/** GRESEC_SA_DIR_IN/OUT */
	uint32_t dir;
	/** the CHILD_SA's reqid, which charon keeps across rekeys */
	uint32_t reqid;
	/** ESP in UDP */
	bool encap;
} sa_entry_t;

/**
 * An outbound trap policy: a gresec tunnel from src to dst (and if_id) is
 * to be keyed on demand under reqid.
 */
typedef struct {
	uint32_t reqid;
	/** local address, network order; 0: any */
	uint32_t src;
	/** remote address, network order */
	uint32_t dst;
	uint32_t if_id;
	/** add_policy() calls not yet undone by del_policy() */
	u_int refs;
} trap_entry_t;

static void sa_entry_destroy(sa_entry_t *entry)
{
	entry->dst->destroy(entry->dst);
	free(entry);
}

static u_int sa_entry_hash(const sa_entry_t *key)
{
	return chunk_hash_inc(key->dst->get_address(key->dst),
						  chunk_hash_inc(chunk_from_thing(key->spi),
										 chunk_hash(chunk_from_thing(key->if_id))));
}

static bool sa_entry_equals(const sa_entry_t *a, const sa_entry_t *b)
{
	return a->spi == b->spi && a->if_id == b->if_id &&
		   a->dst->ip_equals(a->dst, b->dst);
}

/**
 * Log a failed gresec request with the kernel's extended ACK message.
 */
static void log_failure(private_kernel_gresec_ipsec_t *this, int err,
						char *what, uint32_t spi)
{
	const char *msg = gresec_genl_errmsg(this->nl);

	DBG1(DBG_KNL, "gresec: %s SA with SPI %.8x failed: %s%s%s (%d)", what,
		 ntohl(spi), msg, *msg ? ": " : "", strerror(-err), -err);
}

/**
 * The IPv4 address of a host in network order, FALSE if it is not IPv4.
 */
static bool ipv4_of(host_t *host, uint32_t *addr)
{
	chunk_t a;

	if (host->get_family(host) != AF_INET)
	{
		return FALSE;
	}
	a = host->get_address(host);
	memcpy(addr, a.ptr, sizeof(*addr));
	return TRUE;
}

/**
 * Find the tunnel an SA from src to dst belongs to and the SA's direction:
 * outbound if the tunnel's remote is dst, inbound if it is src; the
 * tunnel's local address must be the other one or unset ("any"), and an
 * exact local match wins over "any".  With an if_id only the tunnels with
 * that if-id ("gresec set DEV if-id N") are considered.
 * inbound: -1 to find out, 0/1 to require a direction.
 */
static status_t find_tunnel(private_kernel_gresec_ipsec_t *this, host_t *src,
							host_t *dst, uint32_t if_id, int inbound,
							uint32_t *ifindex, uint32_t *dir)
{
	gresec_genl_tunnel_t *tunnels, *t, *best = NULL;
	uint32_t s, d, local, remote;
	size_t count, i;
	int err, best_score = 0, ties = 0, score, in;

	if (!ipv4_of(src, &s) || !ipv4_of(dst, &d))
	{
		DBG1(DBG_KNL, "gresec: SA %H == %H: gresec tunnels have an IPv4 "
			 "underlay only", src, dst);
		return NOT_SUPPORTED;
	}
	err = gresec_genl_tunnels(this->nl, &tunnels, &count);
	if (err)
	{
		DBG1(DBG_KNL, "gresec: listing gresec tunnels failed: %s%s%s (%d)",
			 gresec_genl_errmsg(this->nl),
			 *gresec_genl_errmsg(this->nl) ? ": " : "", strerror(-err), -err);
		return FAILED;
	}
	for (i = 0; i < count; i++)
	{
		t = &tunnels[i];
		if (if_id && t->if_id != if_id)
		{
			continue;
		}
		for (in = 0; in <= 1; in++)
		{
			if (inbound >= 0 && in != inbound)
			{
				continue;
			}
			local = in ? d : s;
			remote = in ? s : d;
			if (!t->remote || t->remote != remote)
			{
				continue;
			}
			if (t->local == local)
			{
				score = 2;
			}
			else if (!t->local)
			{
				score = 1;
			}
			else
			{
				continue;
			}
			if (score > best_score)
			{
				best = t;
				best_score = score;
				ties = 0;
				*dir = in ? GRESEC_SA_DIR_IN : GRESEC_SA_DIR_OUT;
			}
			else if (score == best_score)
			{
				ties++;
			}
		}
	}
	if (best && !ties)
	{
		*ifindex = best->ifindex;
		DBG2(DBG_KNL, "gresec: SA %H == %H belongs to %s (ifindex %u), %s",
			 src, dst, best->ifname, best->ifindex,
			 *dir == GRESEC_SA_DIR_IN ? "inbound" : "outbound");
	}
	else if (best)
	{
		DBG1(DBG_KNL, "gresec: %d gresec tunnels match SA %H == %H, give "
			 "each an if-id (gresec set DEV if-id N) and the CHILD_SA the "
			 "same if_id_in/if_id_out", ties + 1, src, dst);
	}
	else
	{
		char with_if_id[32] = "";

		if (if_id)
		{
			snprintf(with_if_id, sizeof(with_if_id), " and if-id %u",
					 if_id);
		}
		DBG1(DBG_KNL, "gresec: no gresec tunnel with local %H and remote "
			 "%H%s: create one (ip link add ... type gresec; gresec set "
			 "... local ... remote ...)", inbound == 1 ? dst : src,
			 inbound == 1 ? src : dst, with_if_id);
	}
	free(tunnels);
	return best && !ties ? SUCCESS : NOT_FOUND;
}

/**
 * The tunnel that SAs of the CHILD_SA with @reqid (and @if_id) already
 * live in.  Behind a NAT the SA's addresses are the IKE_SA's, and those
 * need not be the tunnel's configured GRE endpoints: once the peer's NAT
 * moved it to another public address (RFC 7296 2.23, followed in place by
 * update_sa()), a rekey brings SAs for the new address, which matches no
 * tunnel's remote.  The reqid, which charon keeps for a CHILD_SA across
 * rekeys and address updates, still names the tunnel.  Mutex held.
 */
static bool tunnel_of_reqid(private_kernel_gresec_ipsec_t *this,
							uint32_t reqid, uint32_t if_id, uint32_t *ifindex)
{
	enumerator_t *enumerator;
	sa_entry_t *entry;
	bool found = FALSE;

	if (!reqid)
	{
		return FALSE;
	}
	enumerator = this->sas->create_enumerator(this->sas);
	while (enumerator->enumerate(enumerator, NULL, &entry))
	{
		if (entry->reqid == reqid && entry->if_id == if_id)
		{
			*ifindex = entry->ifindex;
			found = TRUE;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (found)
	{
		DBG2(DBG_KNL, "gresec: SA of reqid %u goes to ifindex %u, where "
			 "its CHILD_SA's SAs are", reqid, *ifindex);
	}
	return found;
}

/**
 * Map charon's algorithms and key lengths to a gresec proposal.
 */
static bool map_proposal(kernel_ipsec_add_sa_t *data, uint32_t *proposal)
{
	bool aead = data->int_alg == AUTH_UNDEFINED || data->int_alg == 0;
	size_t klen = data->enc_key.len;

	switch (data->enc_alg)
	{
		case ENCR_AES_GCM_ICV16:
			/* key + 4-byte salt, as charon hands it */
			if (!aead || (klen != 16 + 4 && klen != 32 + 4))
			{
				return FALSE;
			}
			*proposal = klen == 20 ? GRESEC_PROPOSAL_AES128GCM16
								   : GRESEC_PROPOSAL_AES256GCM16;
			return TRUE;
		case ENCR_CHACHA20_POLY1305:
			if (!aead || klen != 32 + 4)
			{
				return FALSE;
			}
			*proposal = GRESEC_PROPOSAL_CHACHA20POLY1305;
			return TRUE;
		case ENCR_AES_CBC:
			if (klen != 16 && klen != 32)
			{
				return FALSE;
			}
			switch (data->int_alg)
			{
				case AUTH_HMAC_SHA2_256_128:
					*proposal = klen == 16 ? GRESEC_PROPOSAL_AES128_SHA256
										   : GRESEC_PROPOSAL_AES256_SHA256;
					return TRUE;
				case AUTH_HMAC_SHA1_96:
					*proposal = klen == 16 ? GRESEC_PROPOSAL_AES128_SHA1
										   : GRESEC_PROPOSAL_AES256_SHA1;
					return TRUE;
				case AUTH_HMAC_MD5_96:
					if (klen != 16)
					{
						return FALSE;
					}
					*proposal = GRESEC_PROPOSAL_AES128_MD5;
					return TRUE;
				default:
					return FALSE;
			}
		default:
			return FALSE;
	}
}

METHOD(kernel_ipsec_t, get_features, kernel_feature_t,
	private_kernel_gresec_ipsec_t *this)
{
	/* no TFC padding, policies are no-ops */
	return KERNEL_NO_POLICY_UPDATES;
}

METHOD(kernel_ipsec_t, get_spi, status_t,
	private_kernel_gresec_ipsec_t *this, host_t *src, host_t *dst,
	uint8_t protocol, uint32_t *spi)
{
	gresec_genl_tunnel_t *tunnels = NULL;
	uint32_t spi_min, spi_max, tmp, remote = 0, ifindex = 0, got;
	size_t count = 0, i;
	int err;

	if (protocol != IPPROTO_ESP)
	{
		DBG1(DBG_KNL, "gresec: only ESP SAs are supported, not %N",
			 protocol_id_names, protocol);
		return NOT_SUPPORTED;
	}
	spi_min = lib->settings->get_int(lib->settings, "%s.spi_min",
									 KERNEL_SPI_MIN, lib->ns);
	spi_max = lib->settings->get_int(lib->settings, "%s.spi_max",
									 KERNEL_SPI_MAX, lib->ns);
	if (spi_min > spi_max)
	{
		tmp = spi_min;
		spi_min = spi_max;
		spi_max = tmp;
	}
	/* RFC 4303: 1..255 are reserved */
	spi_min = max(spi_min, 256);
	if (spi_max < spi_min)
	{
		DBG1(DBG_KNL, "gresec: SPI range %.8x-%.8x is empty", spi_min,
			 spi_max);
		return FAILED;
	}
	/* the inbound SA's source is the peer; gresec reserves inbound SPIs per
	 * network namespace, so the request goes through the peer's tunnel
	 * or, failing that, any gresec tunnel */
	ipv4_of(src, &remote);
	this->mutex->lock(this->mutex);
	err = gresec_genl_tunnels(this->nl, &tunnels, &count);
	for (i = 0; !err && i < count; i++)
	{
		if (!ifindex || (remote && tunnels[i].remote == remote))
		{
			ifindex = tunnels[i].ifindex;
		}
	}
	if (!err && !ifindex)
	{
		DBG1(DBG_KNL, "gresec: no gresec tunnel to allocate an SPI for "
			 "%H == %H on", src, dst);
		this->mutex->unlock(this->mutex);
		free(tunnels);
		return FAILED;
	}
	if (!err)
	{
		err = gresec_genl_spi_alloc(this->nl, ifindex, spi_min, spi_max,
									&got);
	}
	if (err)
	{
		DBG1(DBG_KNL, "gresec: allocating an SPI failed: %s%s%s (%d)",
			 gresec_genl_errmsg(this->nl),
			 *gresec_genl_errmsg(this->nl) ? ": " : "", strerror(-err), -err);
		this->mutex->unlock(this->mutex);
		free(tunnels);
		return FAILED;
	}
	this->mutex->unlock(this->mutex);
	free(tunnels);
	*spi = htonl(got);
	DBG2(DBG_KNL, "gresec: got SPI %.8x", got);
	return SUCCESS;
}

METHOD(kernel_ipsec_t, get_cpi, status_t,
	private_kernel_gresec_ipsec_t *this, host_t *src, host_t *dst,
	uint16_t *cpi)
{
	DBG1(DBG_KNL, "gresec: IPComp is not supported");
	return NOT_SUPPORTED;
}

METHOD(kernel_ipsec_t, add_sa, status_t,
	private_kernel_gresec_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_add_sa_t *data)
{
	gresec_genl_sa_new_t sa = {
		.spi = ntohl(id->spi),
		.esn = data->esn,
		.key = data->enc_key.ptr,
		.key_len = data->enc_key.len,
		.reqid = data->reqid,
	};
	sa_entry_t *entry, *old;
	uint32_t ifindex, dir;
	status_t status;
	int err;

	if (id->proto != IPPROTO_ESP)
	{
		DBG1(DBG_KNL, "gresec: only ESP SAs are supported, not %N",
			 protocol_id_names, id->proto);
		return NOT_SUPPORTED;
	}
	if (data->mode != MODE_TRANSPORT && data->mode != MODE_TUNNEL)
	{
		DBG1(DBG_KNL, "gresec: SA with SPI %.8x is %N mode, gresec takes "
			 "transport or tunnel mode only", ntohl(id->spi),
			 ipsec_mode_names, data->mode);
		return NOT_SUPPORTED;
	}
	if (data->mode == MODE_TUNNEL)
	{	/* the inner header carries the tunnel's endpoints, which
		 * policy_is_gresec() holds the traffic selectors to */
		sa.mode = GRESEC_SA_MODE_TUNNEL;
	}
	if (data->encap)
	{	/* NAT-T: charon's SA addresses carry the ports (RFC 3948) */
		sa.encap_sport = id->src->get_port(id->src);
		sa.encap_dport = id->dst->get_port(id->dst);
		if (!data->inbound && id->dst->get_family(id->dst) == AF_INET)
		{	/* where the peer is, through its NAT */
			memcpy(&sa.encap_peer_addr, id->dst->get_address(id->dst).ptr,
				   sizeof(sa.encap_peer_addr));
		}
	}
	if (data->ipcomp != IPCOMP_NONE)
	{
		DBG1(DBG_KNL, "gresec: IPComp is not supported");
		return NOT_SUPPORTED;
	}
	if (data->hw_offload == HW_OFFLOAD_YES)
	{
		DBG1(DBG_KNL, "gresec: hardware offload is not supported");
		return NOT_SUPPORTED;
	}
	if (data->label)
	{
		DBG1(DBG_KNL, "gresec: security labels are not supported");
		return NOT_SUPPORTED;
	}
	if (!map_proposal(data, &sa.proposal))
	{
		DBG1(DBG_KNL, "gresec: SA with SPI %.8x: %N (%u-byte key) with %N "
			 "is not a gresec proposal", ntohl(id->spi),
			 encryption_algorithm_names, data->enc_alg, data->enc_key.len,
			 integrity_algorithm_names, data->int_alg);
		return NOT_SUPPORTED;
	}
	if (sa.proposal != GRESEC_PROPOSAL_AES128GCM16 &&
		sa.proposal != GRESEC_PROPOSAL_AES256GCM16 &&
		sa.proposal != GRESEC_PROPOSAL_CHACHA20POLY1305)
	{
		sa.auth_key = data->int_key.ptr;
		sa.auth_key_len = data->int_key.len;
	}
	if (data->mark.value || data->tfc)
	{
		DBG2(DBG_KNL, "gresec: SA with SPI %.8x: mark and TFC padding are "
			 "ignored", ntohl(id->spi));
	}
	if (data->lifetime)
	{
		sa.soft_bytes = data->lifetime->bytes.rekey;
		sa.hard_bytes = data->lifetime->bytes.life;
		sa.soft_packets = data->lifetime->packets.rekey;
		sa.hard_packets = data->lifetime->packets.life;
		sa.soft_time = data->lifetime->time.rekey;
		sa.hard_time = data->lifetime->time.life;
	}

	this->mutex->lock(this->mutex);
	status = find_tunnel(this, id->src, id->dst, id->if_id,
						 data->inbound ? 1 : 0, &ifindex, &dir);
	if (status != SUCCESS && data->encap &&
		tunnel_of_reqid(this, data->reqid, id->if_id, &ifindex))
	{
		dir = data->inbound ? GRESEC_SA_DIR_IN : GRESEC_SA_DIR_OUT;
		status = SUCCESS;
	}
	if (status != SUCCESS)
	{
		this->mutex->unlock(this->mutex);
		return FAILED;
	}
	sa.dir = dir;
	if (dir == GRESEC_SA_DIR_IN)
	{
		sa.replay_window = data->replay_window;
		if (sa.replay_window > GRESEC_REPLAY_WINDOW_MAX)
		{
			DBG1(DBG_KNL, "gresec: replay window %u of SA with SPI %.8x "
				 "reduced to gresec's maximum %u", data->replay_window,
				 ntohl(id->spi), GRESEC_REPLAY_WINDOW_MAX);
			sa.replay_window = GRESEC_REPLAY_WINDOW_MAX;
		}
	}
	err = gresec_genl_sa_new(this->nl, ifindex, &sa);
	if (err)
	{
		log_failure(this, err, "adding", id->spi);
		this->mutex->unlock(this->mutex);
		return FAILED;
	}
	DBG2(DBG_KNL, "gresec: added %s SA %H == %H with SPI %.8x to ifindex %u",
		 dir == GRESEC_SA_DIR_IN ? "inbound" : "outbound", id->src, id->dst,
		 ntohl(id->spi), ifindex);
	INIT(entry,
		.spi = id->spi,
		.dst = id->dst->clone(id->dst),
		.if_id = id->if_id,
		.ifindex = ifindex,
		.dir = dir,
		.reqid = data->reqid,
		.encap = data->encap,
	);
	old = this->sas->put(this->sas, entry, entry);
	if (old)
	{
		sa_entry_destroy(old);
	}
	this->mutex->unlock(this->mutex);
	return SUCCESS;
}

METHOD(kernel_ipsec_t, update_sa, status_t,
	private_kernel_gresec_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_update_sa_t *data)
{
	sa_entry_t lookup = {
		.spi = id->spi,
		.dst = id->dst,
		.if_id = id->if_id,
	}, *entry;
	gresec_genl_sa_t sa;
	host_t *local, *new_local, *remote;
	uint32_t dir;
	int err;

	/*
	 * What gresec can follow in place is a NAT moving the peer (RFC 3948
	 * 2.2, RFC 7296 2.23): charon updates an ESP-in-UDP CHILD_SA's
	 * remote address and port after gresec's MAPPING event (or an IKE
	 * message from the new place).  The SA stays in its tunnel, which
	 * is matched by SPI on receive whatever the outer addresses are;
	 * the module already moved the outbound SA on the authenticated
	 * packet that caused the event.  Anything else (our own address
	 * changing under MOBIKE, encapsulation switched on or off) is
	 * NOT_SUPPORTED, which makes charon rekey the CHILD_SA instead:
	 * the new SAs then find their tunnel as any others do.
	 */
	if (!data->encap || !data->new_encap)
	{
		DBG1(DBG_KNL, "gresec: SA with SPI %.8x: only NAT mapping updates "
			 "of ESP-in-UDP SAs are done in place", ntohl(id->spi));
		return NOT_SUPPORTED;
	}
	this->mutex->lock(this->mutex);
	entry = this->sas->get(this->sas, &lookup);
	if (!entry)
	{
		this->mutex->unlock(this->mutex);
		DBG1(DBG_KNL, "gresec: SA with SPI %.8x to update not found",
			 ntohl(id->spi));
		return NOT_SUPPORTED;
	}
	local = entry->dir == GRESEC_SA_DIR_IN ? id->dst : id->src;
	new_local = entry->dir == GRESEC_SA_DIR_IN ? data->new_dst : data->new_src;
	remote = entry->dir == GRESEC_SA_DIR_IN ? data->new_src : data->new_dst;
	if (!local->ip_equals(local, new_local) ||
		remote->get_family(remote) != AF_INET)
	{
		this->mutex->unlock(this->mutex);
		DBG1(DBG_KNL, "gresec: SA with SPI %.8x: local address %H -> %H "
			 "(MOBIKE) is not done in place", ntohl(id->spi), local,
			 new_local);
		return NOT_SUPPORTED;
	}
	dir = entry->dir;
	if (dir == GRESEC_SA_DIR_OUT)
	{	/* the table is keyed by the destination, which moved */
		this->sas->remove(this->sas, entry);
		entry->dst->destroy(entry->dst);
		entry->dst = data->new_dst->clone(data->new_dst);
		this->sas->put(this->sas, entry, entry);
		err = gresec_genl_sa_get(this->nl, entry->ifindex, entry->dir,
								 ntohl(id->spi), &sa);
		if (!err && (memcmp(&sa.encap_peer_addr,
							data->new_dst->get_address(data->new_dst).ptr,
							sizeof(sa.encap_peer_addr)) ||
					 sa.encap_peer_port != data->new_dst->get_port(data->new_dst)))
		{	/* charon learned it first (an IKE message): the module
			 * follows with the peer's first ESP packet from there */
			DBG1(DBG_KNL, "gresec: outbound SA with SPI %.8x sends to the "
				 "peer's last ESP source until ESP comes from %#H",
				 ntohl(id->spi), data->new_dst);
		}
	}
	this->mutex->unlock(this->mutex);
	DBG1(DBG_KNL, "gresec: %s SA with SPI %.8x follows the peer to %#H",
		 dir == GRESEC_SA_DIR_IN ? "inbound" : "outbound",
		 ntohl(id->spi), remote);
	return SUCCESS;
}

/**
 * Find where an SA lives: from our table, or for SAs we did not install
 * (or forgot about) from the tunnels' addresses.  Mutex held.
 */
static status_t locate_sa(private_kernel_gresec_ipsec_t *this,
						  kernel_ipsec_sa_id_t *id, uint32_t *ifindex,
						  uint32_t *dir)
{
	sa_entry_t lookup = {
		.spi = id->spi,
		.dst = id->dst,
		.if_id = id->if_id,
	}, *entry;

	entry = this->sas->get(this->sas, &lookup);
	if (entry)
	{
		*ifindex = entry->ifindex;
		*dir = entry->dir;
		return SUCCESS;
	}
	return find_tunnel(this, id->src, id->dst, id->if_id, -1, ifindex, dir);
}

METHOD(kernel_ipsec_t, query_sa, status_t,
	private_kernel_gresec_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_query_sa_t *data, uint64_t *bytes, uint64_t *packets,
	time_t *time)
{
	gresec_genl_sa_t sa;
	uint32_t ifindex, dir;
	int err;

	this->mutex->lock(this->mutex);
	if (locate_sa(this, id, &ifindex, &dir) != SUCCESS)
	{
		this->mutex->unlock(this->mutex);
		return NOT_FOUND;
	}
	err = gresec_genl_sa_get(this->nl, ifindex, dir, ntohl(id->spi), &sa);
	if (err)
	{
		if (err == -ENOENT || err == -ENODEV)
		{
			DBG2(DBG_KNL, "gresec: SA with SPI %.8x not found",
				 ntohl(id->spi));
		}
		else
		{
			log_failure(this, err, "querying", id->spi);
		}
		this->mutex->unlock(this->mutex);
		return err == -ENOENT || err == -ENODEV ? NOT_FOUND : FAILED;
	}
	this->mutex->unlock(this->mutex);
	if (bytes)
	{
		*bytes = sa.bytes;
	}
	if (packets)
	{
		*packets = sa.packets;
	}
	if (time)
	{	/* charon cannot ask policies here: the SA's last use is what its
		 * DPD and "inactivity" go by, in its monotonic clock */
		time_t now = time_monotonic(NULL);

		*time = sa.used && sa.idle < (uint64_t)now ? now - sa.idle : 0;
	}
	return SUCCESS;
}

METHOD(kernel_ipsec_t, del_sa, status_t,
	private_kernel_gresec_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_del_sa_t *data)
{
	sa_entry_t lookup = {
		.spi = id->spi,
		.dst = id->dst,
		.if_id = id->if_id,
	}, *entry;
	uint32_t ifindex, dir;
	int err;

	this->mutex->lock(this->mutex);
	if (locate_sa(this, id, &ifindex, &dir) != SUCCESS)
	{
		this->mutex->unlock(this->mutex);
		return NOT_FOUND;
	}
	/* forget it first: the DELETED event it causes is then not ours to
	 * report; for an SPI get_spi() reserved but no SA used, SA_DEL ends
	 * the kernel's reservation */
	entry = this->sas->remove(this->sas, &lookup);
	if (entry)
	{
		sa_entry_destroy(entry);
	}
	else if (dir == GRESEC_SA_DIR_OUT)
	{	/* charon deletes an outbound SA whose add failed too, and the
		 * peer chose its SPI: one with that SPI in the tunnel was keyed
		 * by someone else (an add refused as a duplicate), not ours */
		DBG1(DBG_KNL, "gresec: outbound SA with SPI %.8x was not installed "
			 "by charon, left alone", ntohl(id->spi));
		this->mutex->unlock(this->mutex);
		return NOT_FOUND;
	}
	err = gresec_genl_sa_del(this->nl, ifindex, dir, ntohl(id->spi));
	if (err == -ENOENT || err == -ENODEV)
	{
		DBG2(DBG_KNL, "gresec: SA with SPI %.8x was already gone",
			 ntohl(id->spi));
		this->mutex->unlock(this->mutex);
		return NOT_FOUND;
	}
	if (err)
	{
		log_failure(this, err, "deleting", id->spi);
		this->mutex->unlock(this->mutex);
		return FAILED;
	}
	DBG2(DBG_KNL, "gresec: deleted SA with SPI %.8x", ntohl(id->spi));
	this->mutex->unlock(this->mutex);
	return SUCCESS;
}

/**
 * Collect SAs of a tunnel for a flush.
 */
typedef struct {
	uint32_t spi;
	uint32_t dir;
} flush_item_t;

typedef struct {
	array_t *items;
	/** collect only SAs with a reqid (installed by a key manager) */
	bool keyed_only;
} flush_walk_t;

static int collect_sa(const gresec_genl_sa_t *sa, void *data)
{
	flush_walk_t *walk = data;
	flush_item_t item = { .spi = sa->spi, .dir = sa->dir };

	if (!walk->keyed_only || sa->reqid)
	{
		array_insert(walk->items, ARRAY_TAIL, &item);
	}
	return 0;
}

/**
 * Delete the SAs of all gresec tunnels, or (keyed_only) those a key
 * manager installed, which carry its reqid; forget ours.  Mutex held.
 * Returns FAILED if a request failed, *deleted counts the SAs deleted.
 */
static status_t flush(private_kernel_gresec_ipsec_t *this, bool keyed_only,
					  u_int *deleted)
{
	gresec_genl_tunnel_t *tunnels = NULL;
	flush_walk_t walk = { .keyed_only = keyed_only };
	flush_item_t *item;
	sa_entry_t *entry;
	enumerator_t *enumerator;
	size_t count = 0, i;
	status_t status = SUCCESS;
	int err;

	*deleted = 0;
	enumerator = this->sas->create_enumerator(this->sas);
	while (enumerator->enumerate(enumerator, NULL, &entry))
	{
		this->sas->remove_at(this->sas, enumerator);
		sa_entry_destroy(entry);
	}
	enumerator->destroy(enumerator);

	err = gresec_genl_tunnels(this->nl, &tunnels, &count);
	if (err)
	{
		DBG1(DBG_KNL, "gresec: listing gresec tunnels failed: %s%s%s (%d)",
			 gresec_genl_errmsg(this->nl),
			 *gresec_genl_errmsg(this->nl) ? ": " : "", strerror(-err), -err);
		return FAILED;
	}
	for (i = 0; i < count; i++)
	{
		walk.items = array_create(sizeof(flush_item_t), 0);
		err = gresec_genl_sas(this->nl, tunnels[i].ifindex, 0, collect_sa,
							  &walk);
		if (err && err != -ENODEV)
		{
			DBG1(DBG_KNL, "gresec: listing the SAs of %s failed: %s (%d)",
				 tunnels[i].ifname, strerror(-err), -err);
			status = FAILED;
			array_destroy(walk.items);
			continue;
		}
		enumerator = array_create_enumerator(walk.items);
		while (enumerator->enumerate(enumerator, &item))
		{
			err = gresec_genl_sa_del(this->nl, tunnels[i].ifindex, item->dir,
									 item->spi);
			if (!err)
			{
				(*deleted)++;
				DBG2(DBG_KNL, "gresec: flushed %s SA with SPI %.8x of %s",
					 item->dir == GRESEC_SA_DIR_IN ? "inbound" : "outbound",
					 item->spi, tunnels[i].ifname);
			}
			else if (err != -ENOENT && err != -ENODEV)
			{
				log_failure(this, err, "flushing", htonl(item->spi));
				status = FAILED;
			}
		}
		enumerator->destroy(enumerator);
		array_destroy(walk.items);
	}
	free(tunnels);
	return status;
}

METHOD(kernel_ipsec_t, flush_sas, status_t,
	private_kernel_gresec_ipsec_t *this)
{
	status_t status;
	u_int deleted;

	DBG2(DBG_KNL, "gresec: flushing all SAs of all gresec tunnels");
	this->mutex->lock(this->mutex);
	status = flush(this, FALSE, &deleted);
	this->mutex->unlock(this->mutex);
	return status;
}

/**
 * At start: the SAs a previous charon installed and never deleted (it was
 * killed or crashed) have keys no IKE_SA of ours knows any more, would
 * never be rekeyed or deleted, and keep the tunnel sending to a peer that
 * may have forgotten them.  charon itself flushes nothing at start, so we
 * delete every SA that carries a reqid; SAs added by hand have none and
 * stay.
 */
static void flush_stale(private_kernel_gresec_ipsec_t *this)
{
	u_int deleted;

	if (!lib->settings->get_bool(lib->settings,
						"%s.plugins.kernel-gresec.flush_stale_sas", TRUE,
						lib->ns))
	{
		return;
	}
	this->mutex->lock(this->mutex);
	if (flush(this, TRUE, &deleted) != SUCCESS)
	{
		DBG1(DBG_KNL, "gresec: deleting the SAs a previous charon left "
			 "failed, %u deleted", deleted);
	}
	else if (deleted)
	{
		DBG1(DBG_KNL, "gresec: deleted %u SAs a previous charon left "
			 "installed (those with a reqid; SAs added by hand stay)",
			 deleted);
	}
	this->mutex->unlock(this->mutex);
}

/**
 * Whether a policy is one gresec implements by itself: ESP transport mode
 * for GRE (or any protocol, which gresec narrows to GRE), or ESP tunnel mode
 * for GRE between the SA's own addresses (gresec's inner header carries the
 * tunnel's endpoints and nothing else).
 */
static bool policy_is_gresec(kernel_ipsec_policy_id_t *id,
							 kernel_ipsec_manage_policy_t *data)
{
	uint8_t src_proto, dst_proto;

	if (data->type != POLICY_IPSEC)
	{
		DBG1(DBG_KNL, "gresec: %s policy %R === %R %N not supported: gresec "
			 "only installs IPsec SAs for its tunnels",
			 data->type == POLICY_PASS ? "bypass" : "drop", id->src_ts,
			 id->dst_ts, policy_dir_names, id->dir);
		return FALSE;
	}
	if (!data->sa || data->sa->ah.use ||
		(data->sa->mode != MODE_TRANSPORT && data->sa->mode != MODE_TUNNEL))
	{
		DBG1(DBG_KNL, "gresec: policy %R === %R %N: only ESP transport or "
			 "tunnel mode is supported", id->src_ts, id->dst_ts,
			 policy_dir_names, id->dir);
		return FALSE;
	}
	if (data->sa->mode == MODE_TUNNEL &&
		(!id->src_ts->is_host(id->src_ts, data->src) ||
		 !id->dst_ts->is_host(id->dst_ts, data->dst)))
	{
		DBG1(DBG_KNL, "gresec: tunnel-mode policy %R === %R %N is not "
			 "between the tunnel's endpoints %H and %H: gresec's tunnel "
			 "mode carries only its own GRE packets (use local_ts/remote_ts "
			 "= dynamic[gre])", id->src_ts, id->dst_ts, policy_dir_names,
			 id->dir, data->src, data->dst);
		return FALSE;
	}
	src_proto = id->src_ts->get_protocol(id->src_ts);
	dst_proto = id->dst_ts->get_protocol(id->dst_ts);
	if ((src_proto && src_proto != GRESEC_IPPROTO_GRE) ||
		(dst_proto && dst_proto != GRESEC_IPPROTO_GRE))
	{
		DBG1(DBG_KNL, "gresec: policy %R === %R %N is not for GRE: gresec "
			 "protects its tunnel's GRE packets only (use "
			 "local_ts/remote_ts = dynamic[gre])", id->src_ts, id->dst_ts,
			 policy_dir_names, id->dir);
		return FALSE;
	}
	if (!src_proto || !dst_proto)
	{
		DBG1(DBG_KNL, "gresec: policy %R === %R %N covers all protocols, "
			 "gresec protects only its GRE packets", id->src_ts, id->dst_ts,
			 policy_dir_names, id->dir);
	}
	return TRUE;
}

/**
 * Remember (add) or forget (!add) an outbound trap policy: gresec's
 * ACQUIRE names the tunnel, charon's acquire() wants the trap's reqid.
 */
static void trap_update(private_kernel_gresec_ipsec_t *this,
						kernel_ipsec_policy_id_t *id,
						kernel_ipsec_manage_policy_t *data, bool add)
{
	trap_entry_t *entry, new = {
		.reqid = data->sa->reqid,
		.if_id = id->if_id,
		.refs = 1,
	};
	enumerator_t *enumerator;
	bool found = FALSE;

	if (!data->dst || !ipv4_of(data->dst, &new.dst))
	{
		return;
	}
	if (data->src && !data->src->is_anyaddr(data->src))
	{
		ipv4_of(data->src, &new.src);
	}
	this->mutex->lock(this->mutex);
	enumerator = array_create_enumerator(this->traps);
	while (enumerator->enumerate(enumerator, &entry))
	{
		if (entry->reqid == new.reqid && entry->src == new.src &&
			entry->dst == new.dst && entry->if_id == new.if_id)
		{
			found = TRUE;
			if (add)
			{
				entry->refs++;
			}
			else if (--entry->refs == 0)
			{
				array_remove_at(this->traps, enumerator);
			}
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (add && !found)
	{
		array_insert(this->traps, ARRAY_TAIL, &new);
	}
	this->mutex->unlock(this->mutex);
	DBG2(DBG_KNL, "gresec: %s trap %H == %H, reqid %u", add ? "added" : "removed",
		 data->src, data->dst, new.reqid);
}

METHOD(kernel_ipsec_t, add_policy, status_t,
	private_kernel_gresec_ipsec_t *this, kernel_ipsec_policy_id_t *id,
	kernel_ipsec_manage_policy_t *data)
{
	if (!policy_is_gresec(id, data))
	{
		return NOT_SUPPORTED;
	}
	if (data->prio == POLICY_PRIORITY_ROUTED && id->dir == POLICY_OUT)
	{
		trap_update(this, id, data, TRUE);
	}
	/* the gresec tunnel is the policy: it protects all its GRE packets */
	DBG2(DBG_KNL, "gresec: policy %R === %R %N is the tunnel's own",
		 id->src_ts, id->dst_ts, policy_dir_names, id->dir);
	return SUCCESS;
}

METHOD(kernel_ipsec_t, query_policy, status_t,
	private_kernel_gresec_ipsec_t *this, kernel_ipsec_policy_id_t *id,
	kernel_ipsec_query_policy_t *data, time_t *use_time)
{
	/* gresec has no policies and does not report last use */
	return NOT_SUPPORTED;
}

METHOD(kernel_ipsec_t, del_policy, status_t,
	private_kernel_gresec_ipsec_t *this, kernel_ipsec_policy_id_t *id,
	kernel_ipsec_manage_policy_t *data)
{
	if (data->prio == POLICY_PRIORITY_ROUTED && id->dir == POLICY_OUT &&
		data->sa)
	{
		trap_update(this, id, data, FALSE);
	}
	return SUCCESS;
}

METHOD(kernel_ipsec_t, flush_policies, status_t,
	private_kernel_gresec_ipsec_t *this)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, bypass_socket, bool,
	private_kernel_gresec_ipsec_t *this, int fd, int family)
{
	/* gresec protects GRE only: IKE packets never meet it */
	return TRUE;
}

METHOD(kernel_ipsec_t, enable_udp_decap, bool,
	private_kernel_gresec_ipsec_t *this, int fd, int family, uint16_t port)
{
	/*
	 * As kernel-netlink: ESP in UDP on charon's IKE socket goes to the
	 * kernel's xfrm4 ESP handlers, where gresec takes its SPIs and passes
	 * the rest to the kernel's own IPsec; IKE stays charon's.
	 */
	int type = UDP_ENCAP_ESPINUDP;

	if (setsockopt(fd, SOL_UDP, UDP_ENCAP, &type, sizeof(type)) < 0)
	{
		DBG1(DBG_KNL, "gresec: unable to set UDP_ENCAP: %s", strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/**
 * NAT rebinding seen by gresec on an inbound SA: tell charon, which
 * updates the IKE SA and its CHILD_SAs (RFC 7296 2.23).
 */
static void process_mapping(private_kernel_gresec_ipsec_t *this,
							const gresec_genl_sa_t *sa)
{
	enumerator_t *enumerator;
	sa_entry_t *entry;
	host_t *dst = NULL, *remote;

	if (!sa->encap_peer_addr)
	{
		return;
	}
	this->mutex->lock(this->mutex);
	enumerator = this->sas->create_enumerator(this->sas);
	while (enumerator->enumerate(enumerator, NULL, &entry))
	{
		if (entry->ifindex == sa->ifindex && entry->dir == sa->dir &&
			ntohl(entry->spi) == sa->spi)
		{
			dst = entry->dst->clone(entry->dst);
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	if (!dst)
	{
		return;
	}
	remote = host_create_from_chunk(AF_INET,
			chunk_from_thing(sa->encap_peer_addr), sa->encap_peer_port);
	if (remote)
	{
		DBG1(DBG_KNL, "gresec: NAT mappings of ESP CHILD_SA with SPI %.8x "
			 "changed to %#H", sa->spi, remote);
		charon->kernel->mapping(charon->kernel, IPPROTO_ESP, htonl(sa->spi),
								dst, remote);
		remote->destroy(remote);
	}
	dst->destroy(dst);
}

/**
 * Report an SA event of gresec to charon.
 */
static void process_event(const gresec_genl_sa_t *sa, void *data)
{
	private_kernel_gresec_ipsec_t *this = data;
	enumerator_t *enumerator;
	sa_entry_t *entry;
	host_t *dst = NULL;
	bool hard;

	switch (sa->event)
	{
		case GRESEC_SA_EVENT_SOFT_EXPIRED:
			hard = FALSE;
			break;
		case GRESEC_SA_EVENT_EXHAUSTED:
			/* outbound sequence numbers ran out: rekey, as soon as possible */
			hard = FALSE;
			break;
		case GRESEC_SA_EVENT_HARD_EXPIRED:
		case GRESEC_SA_EVENT_DELETED:
			hard = TRUE;
			break;
		case GRESEC_SA_EVENT_MAPPING:
			process_mapping(this, sa);
			return;
		default:
			return;
	}
	this->mutex->lock(this->mutex);
	enumerator = this->sas->create_enumerator(this->sas);
	while (enumerator->enumerate(enumerator, NULL, &entry))
	{
		if (entry->ifindex == sa->ifindex && entry->dir == sa->dir &&
			ntohl(entry->spi) == sa->spi)
		{
			dst = entry->dst->clone(entry->dst);
			if (sa->event == GRESEC_SA_EVENT_DELETED)
			{	/* removed behind charon's back (tunnel deleted, CLI) */
				this->sas->remove_at(this->sas, enumerator);
				sa_entry_destroy(entry);
			}
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
	if (!dst)
	{	/* not ours (manual SA), or deleted by us */
		return;
	}
	DBG1(DBG_KNL, "gresec: %s SA with SPI %.8x on ifindex %u %s",
		 sa->dir == GRESEC_SA_DIR_IN ? "inbound" : "outbound", sa->spi,
		 sa->ifindex, sa->event == GRESEC_SA_EVENT_SOFT_EXPIRED ? "soft-expired"
		 : sa->event == GRESEC_SA_EVENT_EXHAUSTED ? "exhausted its sequence numbers"
		 : sa->event == GRESEC_SA_EVENT_HARD_EXPIRED ? "hard-expired"
		 : "was deleted outside charon");
	charon->kernel->expire(charon->kernel, IPPROTO_ESP, htonl(sa->spi), dst,
						   hard);
	dst->destroy(dst);
}

/**
 * gresec's ACQUIRE: a protected tunnel has a packet and no outbound SA.
 * If a trap policy covers the tunnel, ask charon to negotiate its CHILD_SA.
 */
static void process_acquire(const gresec_genl_tunnel_t *t, void *data)
{
	private_kernel_gresec_ipsec_t *this = data;
	kernel_acquire_data_t acquire = {};
	enumerator_t *enumerator;
	trap_entry_t *entry;
	uint32_t reqid = 0;
	int best = 0, score;
	host_t *src, *dst;

	this->mutex->lock(this->mutex);
	enumerator = array_create_enumerator(this->traps);
	while (enumerator->enumerate(enumerator, &entry))
	{
		if (entry->dst != t->remote || (entry->if_id && entry->if_id != t->if_id))
		{
			continue;
		}
		/* an exact local address wins over a trap for any */
		score = entry->src == t->local ? 2 : !entry->src ? 1 : 0;
		if (score > best)
		{
			best = score;
			reqid = entry->reqid;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);

	src = host_create_from_chunk(AF_INET, chunk_from_thing(t->local), 0);
	dst = host_create_from_chunk(AF_INET, chunk_from_thing(t->remote), 0);
	if (!reqid)
	{
		DBG2(DBG_KNL, "gresec: %s (%H == %H) wants an SA, but no trap "
			 "policy covers it", t->ifname, src, dst);
		DESTROY_IF(src);
		DESTROY_IF(dst);
		return;
	}
	DBG1(DBG_KNL, "gresec: acquire for %s (%H == %H), reqid %u", t->ifname,
		 src, dst, reqid);
	if (src && dst)
	{
		acquire.src = traffic_selector_create_from_subnet(src->clone(src), 32,
												GRESEC_IPPROTO_GRE, 0, 65535);
		acquire.dst = traffic_selector_create_from_subnet(dst->clone(dst), 32,
												GRESEC_IPPROTO_GRE, 0, 65535);
	}
	charon->kernel->acquire(charon->kernel, reqid, &acquire);
	DESTROY_IF(acquire.src);
	DESTROY_IF(acquire.dst);
	DESTROY_IF(src);
	DESTROY_IF(dst);
}

/**
 * Watcher callback: events are readable.
 */
CALLBACK(receive_events, bool,
	private_kernel_gresec_ipsec_t *this, int fd, watcher_event_t event)
{
	int err;

	err = gresec_genl_events_read(this->events, process_event,
								  process_acquire, this);
	if (err == -ENOBUFS)
	{
		DBG1(DBG_KNL, "gresec: event socket overflowed, expiry events were "
			 "lost");
	}
	else if (err)
	{
		DBG1(DBG_KNL, "gresec: receiving from the event socket failed: %s "
			 "(%d)", strerror(-err), -err);
		sleep(1);
	}
	return TRUE;
}

METHOD(kernel_ipsec_t, destroy, void,
	private_kernel_gresec_ipsec_t *this)
{
	if (this->events)
	{
		lib->watcher->remove(lib->watcher, gresec_genl_fd(this->events));
		gresec_genl_close(this->events);
	}
	gresec_genl_close(this->nl);
	this->sas->destroy_function(this->sas, (void*)sa_entry_destroy);
	array_destroy(this->traps);
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header.
 */
kernel_gresec_ipsec_t *kernel_gresec_ipsec_create()
{
	private_kernel_gresec_ipsec_t *this;
	int err;

	INIT(this,
		.public = {
			.interface = {
				.get_features = _get_features,
				.get_spi = _get_spi,
				.get_cpi = _get_cpi,
				.add_sa = _add_sa,
				.update_sa = _update_sa,
				.query_sa = _query_sa,
				.del_sa = _del_sa,
				.flush_sas = _flush_sas,
				.add_policy = _add_policy,
				.query_policy = _query_policy,
				.del_policy = _del_policy,
				.flush_policies = _flush_policies,
				.bypass_socket = _bypass_socket,
				.enable_udp_decap = _enable_udp_decap,
				.destroy = _destroy,
			},
		},
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.sas = hashtable_create((hashtable_hash_t)sa_entry_hash,
								(hashtable_equals_t)sa_entry_equals, 32),
		.traps = array_create(sizeof(trap_entry_t), 0),
	);

	err = gresec_genl_open(&this->nl);
	if (err)
	{
		DBG1(DBG_KNL, "gresec: opening a generic netlink socket failed: %s",
			 strerror(-err));
		destroy(this);
		return NULL;
	}
	err = gresec_genl_open_events(&this->events);
	if (err)
	{
		DBG1(DBG_KNL, "gresec: opening the event socket failed: %s",
			 strerror(-err));
		destroy(this);
		return NULL;
	}
	/* the module may be loaded later: requests resolve the family when they
	 * need it, and the event socket follows its registration */
	if (gresec_genl_resolve(this->nl))
	{
		DBG1(DBG_KNL, "gresec: %s; CHILD_SAs can be installed once it is",
			 gresec_genl_errmsg(this->nl));
	}
	else
	{	/* a module loaded later holds no SA of ours */
		flush_stale(this);
	}
	lib->watcher->add(lib->watcher, gresec_genl_fd(this->events),
					  WATCHER_READ, receive_events, this);
	return &this->public;
}
