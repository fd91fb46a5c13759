/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Do not edit directly, auto-generated from: */
/*	uapi/gresec.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_GRESEC_H
#define _UAPI_LINUX_GRESEC_H

#define GRESEC_FAMILY_NAME	"gresec"
#define GRESEC_FAMILY_VERSION	1

/**
 * enum gresec_tunnel_flags - GRE header options, used separately for received
 *   (IFLAGS) and sent (OFLAGS) packets, as "ip link ... type gre"
 *   [io]key/[io]csum/[io]seq.
 * @GRESEC_TUNNEL_F_KEY: GRE key field (RFC 2890). On receive the key must be
 *   present and equal IKEY; on send OKEY is written.
 * @GRESEC_TUNNEL_F_CSUM: GRE checksum (RFC 2784). On receive a checksum must
 *   be present and correct; on send it is computed.
 * @GRESEC_TUNNEL_F_SEQ: GRE sequence number (RFC 2890). On receive a sequence
 *   number must be present and packets out of order are dropped; on send it is
 *   generated.
 */
enum gresec_tunnel_flags {
	GRESEC_TUNNEL_F_KEY = 1,
	GRESEC_TUNNEL_F_CSUM = 2,
	GRESEC_TUNNEL_F_SEQ = 4,

	/* private: */
	GRESEC_TUNNEL_F_MASK = 7,
};

/**
 * enum gresec_protection - Whether the tunnel requires its GRE packets to be
 *   protected by ESP.
 * @GRESEC_PROTECTION_NONE: Plain GRE: packets are sent unprotected while there
 *   is no outbound SA, and plaintext GRE is accepted on receive.
 * @GRESEC_PROTECTION_REQUIRED: Packets are sent only through a valid outbound
 *   SA (dropped and counted as TX_DROP_NO_SA otherwise) and plaintext GRE
 *   arriving for the tunnel is dropped (RX_DROP_PLAINTEXT).
 */
enum gresec_protection {
	GRESEC_PROTECTION_NONE,
	GRESEC_PROTECTION_REQUIRED,
};

/**
 * enum gresec_sa_dir - Direction of a security association.
 * @GRESEC_SA_DIR_IN: Inbound SA, decrypts packets from the remote endpoint.
 * @GRESEC_SA_DIR_OUT: Outbound SA, encrypts packets to the remote endpoint.
 */
enum gresec_sa_dir {
	GRESEC_SA_DIR_IN = 1,
	GRESEC_SA_DIR_OUT,
};

/**
 * enum gresec_encap - Encapsulation of an SA's ESP packets on the wire.
 * @GRESEC_ENCAP_NONE: Plain ESP (IP protocol 50).
 * @GRESEC_ENCAP_UDP: ESP in UDP (RFC 3948, NAT traversal), UDP checksum 0. ip
 *   xfrm: encap espinudp SPORT DPORT 0.0.0.0.
 */
enum gresec_encap {
	GRESEC_ENCAP_NONE,
	GRESEC_ENCAP_UDP,
};

/**
 * enum gresec_sa_mode - ESP mode of an SA (RFC 4303 3.1); it decides the next
 *   header.
 * @GRESEC_SA_MODE_TRANSPORT: ESP straight around the GRE packet (next header
 *   47). ip xfrm: mode transport.
 * @GRESEC_SA_MODE_TUNNEL: An inner IPv4 header with the tunnel's endpoints
 *   (protocol GRE) between ESP and the GRE packet (next header 4), 20 bytes
 *   more. ip xfrm: mode tunnel, with the tunnel's endpoints as selector.
 */
enum gresec_sa_mode {
	GRESEC_SA_MODE_TRANSPORT,
	GRESEC_SA_MODE_TUNNEL,
};

/**
 * enum gresec_proposal - ESP transform of an SA. Keys are given exactly as "ip
 *   xfrm state" takes them: for AEAD the cipher key is followed by the 4-byte
 *   salt in GRESEC_SA_A_KEY; for the authenc suites GRESEC_SA_A_KEY holds the
 *   cipher key and GRESEC_SA_A_AUTH_KEY the HMAC key.
 * @GRESEC_PROPOSAL_AES128GCM16: AES-GCM, 128-bit key, 16-byte ICV (RFC 4106).
 *   KEY is 20 bytes (16 key + 4 salt). ip xfrm: aead 'rfc4106(gcm(aes))' KEY
 *   128.
 * @GRESEC_PROPOSAL_AES256GCM16: AES-GCM, 256-bit key, 16-byte ICV (RFC 4106).
 *   KEY is 36 bytes (32 key + 4 salt). ip xfrm: aead 'rfc4106(gcm(aes))' KEY
 *   128.
 * @GRESEC_PROPOSAL_AES128_SHA256: AES-CBC 128 (RFC 3602) with HMAC-SHA-256-128
 *   (RFC 4868). KEY is 16 bytes, AUTH_KEY 32 bytes. ip xfrm: enc 'cbc(aes)'
 *   KEY auth-trunc 'hmac(sha256)' AUTH_KEY 128.
 * @GRESEC_PROPOSAL_AES256_SHA256: AES-CBC 256 (RFC 3602) with HMAC-SHA-256-128
 *   (RFC 4868). KEY is 32 bytes, AUTH_KEY 32 bytes. ip xfrm: enc 'cbc(aes)'
 *   KEY auth-trunc 'hmac(sha256)' AUTH_KEY 128.
 * @GRESEC_PROPOSAL_AES128_SHA1: AES-CBC 128 (RFC 3602) with HMAC-SHA-1-96 (RFC
 *   2404). KEY is 16 bytes, AUTH_KEY 20 bytes. ip xfrm: enc 'cbc(aes)' KEY
 *   auth-trunc 'hmac(sha1)' AUTH_KEY 96.
 * @GRESEC_PROPOSAL_AES256_SHA1: AES-CBC 256 (RFC 3602) with HMAC-SHA-1-96 (RFC
 *   2404). KEY is 32 bytes, AUTH_KEY 20 bytes. ip xfrm: enc 'cbc(aes)' KEY
 *   auth-trunc 'hmac(sha1)' AUTH_KEY 96.
 * @GRESEC_PROPOSAL_AES128_MD5: AES-CBC 128 (RFC 3602) with HMAC-MD5-96 (RFC
 *   2403); legacy interoperability only. KEY is 16 bytes, AUTH_KEY 16 bytes.
 *   ip xfrm: enc 'cbc(aes)' KEY auth-trunc 'hmac(md5)' AUTH_KEY 96.
 * @GRESEC_PROPOSAL_CHACHA20POLY1305: ChaCha20-Poly1305 (RFC 7634, RFC 8439).
 *   KEY is 36 bytes (32 key + 4 salt). ip xfrm: aead
 *   'rfc7539esp(chacha20,poly1305)' KEY 128.
 */
enum gresec_proposal {
	GRESEC_PROPOSAL_AES128GCM16 = 1,
	GRESEC_PROPOSAL_AES256GCM16,
	GRESEC_PROPOSAL_AES128_SHA256,
	GRESEC_PROPOSAL_AES256_SHA256,
	GRESEC_PROPOSAL_AES128_SHA1,
	GRESEC_PROPOSAL_AES256_SHA1,
	GRESEC_PROPOSAL_AES128_MD5,
	GRESEC_PROPOSAL_CHACHA20POLY1305,
};

/**
 * enum gresec_sa_state - Lifecycle state of an SA.
 * @GRESEC_SA_STATE_ACTIVE: Usable; no soft limit reached.
 * @GRESEC_SA_STATE_SOFT_EXPIRED: A soft lifetime limit was reached; still
 *   usable, the key manager should rekey.
 * @GRESEC_SA_STATE_EXPIRED: A hard lifetime limit was reached; no longer used.
 * @GRESEC_SA_STATE_EXHAUSTED: The sequence number space is exhausted (2^32
 *   without ESN, 2^64 with); no longer used for output.
 */
enum gresec_sa_state {
	GRESEC_SA_STATE_ACTIVE = 1,
	GRESEC_SA_STATE_SOFT_EXPIRED,
	GRESEC_SA_STATE_EXPIRED,
	GRESEC_SA_STATE_EXHAUSTED,
};

/**
 * enum gresec_sa_event - Reason of an SA_NTF notification, carried in
 *   GRESEC_SA_A_EVENT.
 * @GRESEC_SA_EVENT_ADDED: The SA was installed by SA_NEW.
 * @GRESEC_SA_EVENT_DELETED: The SA was removed by SA_DEL or with its tunnel.
 * @GRESEC_SA_EVENT_SOFT_EXPIRED: A soft lifetime limit was reached.
 * @GRESEC_SA_EVENT_HARD_EXPIRED: A hard lifetime limit was reached.
 * @GRESEC_SA_EVENT_EXHAUSTED: The sequence number space is exhausted.
 * @GRESEC_SA_EVENT_MAPPING: NAT rebinding: an authenticated packet of this
 *   UDP-encapsulated inbound SA came from a new address or port
 *   (ENCAP_PEER_ADDR, ENCAP_PEER_PORT), where the tunnel's outbound SA now
 *   sends.
 */
enum gresec_sa_event {
	GRESEC_SA_EVENT_ADDED = 1,
	GRESEC_SA_EVENT_DELETED,
	GRESEC_SA_EVENT_SOFT_EXPIRED,
	GRESEC_SA_EVENT_HARD_EXPIRED,
	GRESEC_SA_EVENT_EXHAUSTED,
	GRESEC_SA_EVENT_MAPPING,
};

/**
 * enum gresec_keepalive_state - What the tunnel's GRE keepalives say of the
 *   peer.
 * @GRESEC_KEEPALIVE_STATE_OFF: Keepalives are off; the carrier stays on.
 * @GRESEC_KEEPALIVE_STATE_UP: The peer reflects keepalives (or has not yet
 *   missed KEEPALIVE_RETRIES of them): the carrier is on.
 * @GRESEC_KEEPALIVE_STATE_DOWN: KEEPALIVE_RETRIES keepalives in a row came not
 *   back: the carrier is off (operstate LOWERLAYERDOWN) until one does.
 */
enum gresec_keepalive_state {
	GRESEC_KEEPALIVE_STATE_OFF,
	GRESEC_KEEPALIVE_STATE_UP,
	GRESEC_KEEPALIVE_STATE_DOWN,
};

enum {
	GRESEC_A_IFINDEX = 1,
	GRESEC_A_IFNAME,
	GRESEC_A_LOCAL,
	GRESEC_A_REMOTE,
	GRESEC_A_IKEY,
	GRESEC_A_OKEY,
	GRESEC_A_IFLAGS,
	GRESEC_A_OFLAGS,
	GRESEC_A_TTL,
	GRESEC_A_TOS,
	GRESEC_A_TOS_INHERIT,
	GRESEC_A_PMTUDISC,
	GRESEC_A_MTU,
	GRESEC_A_LINK_MTU,
	GRESEC_A_PROTECTION,
	GRESEC_A_STATS,
	GRESEC_A_SA,
	GRESEC_A_PAD,
	GRESEC_A_IF_ID,
	GRESEC_A_KEEPALIVE_PERIOD,
	GRESEC_A_KEEPALIVE_RETRIES,
	GRESEC_A_KEEPALIVE_STATE,
	GRESEC_A_KEEPALIVE_CHANGED,
	GRESEC_A_ADJUST_MSS,

	__GRESEC_A_MAX,
	GRESEC_A_MAX = (__GRESEC_A_MAX - 1)
};

enum gresec_stats_a {
	GRESEC_STATS_A_PAD = 1,
	GRESEC_STATS_A_RX_PACKETS,
	GRESEC_STATS_A_RX_BYTES,
	GRESEC_STATS_A_TX_PACKETS,
	GRESEC_STATS_A_TX_BYTES,
	GRESEC_STATS_A_RX_DROP_MALFORMED,
	GRESEC_STATS_A_RX_DROP_VERSION,
	GRESEC_STATS_A_RX_DROP_CSUM,
	GRESEC_STATS_A_RX_DROP_CSUM_MISSING,
	GRESEC_STATS_A_RX_DROP_KEY,
	GRESEC_STATS_A_RX_DROP_SEQ,
	GRESEC_STATS_A_RX_DROP_SEQ_MISSING,
	GRESEC_STATS_A_RX_DROP_PLAINTEXT,
	GRESEC_STATS_A_RX_DROP_ECN,
	GRESEC_STATS_A_RX_DROP_NOMEM,
	GRESEC_STATS_A_RX_DROP_INNER,
	GRESEC_STATS_A_TX_DROP_NO_REMOTE,
	GRESEC_STATS_A_TX_DROP_NO_ROUTE,
	GRESEC_STATS_A_TX_DROP_LOOP,
	GRESEC_STATS_A_TX_DROP_TOO_BIG,
	GRESEC_STATS_A_TX_DROP_NO_SA,
	GRESEC_STATS_A_TX_DROP_NOMEM,
	GRESEC_STATS_A_TX_DROP_ERROR,
	GRESEC_STATS_A_RX_DROP_BACKLOG,
	GRESEC_STATS_A_TX_DROP_BACKLOG,
	GRESEC_STATS_A_RX_HANDOFF,
	GRESEC_STATS_A_TX_HANDOFF,
	GRESEC_STATS_A_TX_HELD,
	GRESEC_STATS_A_TX_DROP_HOLD_OVERFLOW,
	GRESEC_STATS_A_TX_DROP_HOLD_TIMEOUT,
	GRESEC_STATS_A_TX_ACQUIRE,
	GRESEC_STATS_A_KEEPALIVE_TX,
	GRESEC_STATS_A_KEEPALIVE_RX,
	GRESEC_STATS_A_KEEPALIVE_REFLECTED,
	GRESEC_STATS_A_MSS_CLAMPED,

	__GRESEC_STATS_A_MAX,
	GRESEC_STATS_A_MAX = (__GRESEC_STATS_A_MAX - 1)
};

enum {
	GRESEC_SA_A_PAD = 1,
	GRESEC_SA_A_SPI,
	GRESEC_SA_A_DIR,
	GRESEC_SA_A_PROPOSAL,
	GRESEC_SA_A_KEY,
	GRESEC_SA_A_AUTH_KEY,
	GRESEC_SA_A_REPLAY_WINDOW,
	GRESEC_SA_A_ESN,
	GRESEC_SA_A_SOFT_BYTES,
	GRESEC_SA_A_HARD_BYTES,
	GRESEC_SA_A_SOFT_PACKETS,
	GRESEC_SA_A_HARD_PACKETS,
	GRESEC_SA_A_SOFT_TIME,
	GRESEC_SA_A_HARD_TIME,
	GRESEC_SA_A_STATE,
	GRESEC_SA_A_AGE,
	GRESEC_SA_A_SEQ,
	GRESEC_SA_A_REPLAY_BITMAP,
	GRESEC_SA_A_STATS,
	GRESEC_SA_A_EVENT,
	GRESEC_SA_A_REQID,
	GRESEC_SA_A_IDLE,
	GRESEC_SA_A_SPI_MIN,
	GRESEC_SA_A_SPI_MAX,
	GRESEC_SA_A_ENCAP,
	GRESEC_SA_A_ENCAP_SPORT,
	GRESEC_SA_A_ENCAP_DPORT,
	GRESEC_SA_A_ENCAP_PEER_ADDR,
	GRESEC_SA_A_ENCAP_PEER_PORT,
	GRESEC_SA_A_MODE,
	GRESEC_SA_A_WITH_KEYS,

	__GRESEC_SA_A_MAX,
	GRESEC_SA_A_MAX = (__GRESEC_SA_A_MAX - 1)
};

enum gresec_sa_stats_a {
	GRESEC_SA_STATS_A_PAD = 1,
	GRESEC_SA_STATS_A_PACKETS,
	GRESEC_SA_STATS_A_BYTES,
	GRESEC_SA_STATS_A_DROP_ICV,
	GRESEC_SA_STATS_A_DROP_REPLAY_DUP,
	GRESEC_SA_STATS_A_DROP_REPLAY_OLD,
	GRESEC_SA_STATS_A_DROP_BAD_LENGTH,
	GRESEC_SA_STATS_A_DROP_NEXT_HEADER,
	GRESEC_SA_STATS_A_DROP_SEQ_EXHAUSTED,
	GRESEC_SA_STATS_A_DROP_EXPIRED,
	GRESEC_SA_STATS_A_DROP_CRYPTO,
	GRESEC_SA_STATS_A_DROP_ENCAP,
	GRESEC_SA_STATS_A_MAPPINGS,
	GRESEC_SA_STATS_A_DROP_TUNNEL_INNER,

	__GRESEC_SA_STATS_A_MAX,
	GRESEC_SA_STATS_A_MAX = (__GRESEC_SA_STATS_A_MAX - 1)
};

enum {
	GRESEC_NET_A_PAD = 1,
	GRESEC_NET_A_RX_NO_TUNNEL,
	GRESEC_NET_A_LAST_SRC,
	GRESEC_NET_A_LAST_KEY,
	GRESEC_NET_A_LAST_KEY_PRESENT,
	GRESEC_NET_A_ESP_UNKNOWN_SPI,
	GRESEC_NET_A_LAST_SPI,
	GRESEC_NET_A_LAST_SPI_SRC,

	__GRESEC_NET_A_MAX,
	GRESEC_NET_A_MAX = (__GRESEC_NET_A_MAX - 1)
};

enum {
	GRESEC_CMD_TUNNEL_GET = 1,
	GRESEC_CMD_TUNNEL_SET,
	GRESEC_CMD_NET_GET,
	GRESEC_CMD_SA_NEW,
	GRESEC_CMD_SA_DEL,
	GRESEC_CMD_SA_GET,
	GRESEC_CMD_SA_NTF,
	GRESEC_CMD_SPI_ALLOC,
	GRESEC_CMD_ACQUIRE_NTF,
	GRESEC_CMD_KEEPALIVE_NTF,

	__GRESEC_CMD_MAX,
	GRESEC_CMD_MAX = (__GRESEC_CMD_MAX - 1)
};

#define GRESEC_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_GRESEC_H */
