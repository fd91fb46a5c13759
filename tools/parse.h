/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure argument parsers: numbers, hex, addresses, GRE keys, SPIs, SA keys.
 *
 * Every parser returns NULL on success or a short reason ("not a number",
 * "must be 256 or more") that the caller prints as
 * "gresec: <argument>: <reason>".  Reasons are static strings except the
 * key length one, which lives in a static buffer until the next call.
 * Nothing here talks to the kernel, so test-parse.c can test it all.
 */
#ifndef GRESEC_PARSE_H
#define GRESEC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proposal;

/* Unsigned integer, decimal or 0x hex, no sign, no junk, <= max. */
const char *parse_u64(const char *s, uint64_t max, uint64_t *out);
const char *parse_u32(const char *s, uint32_t max, uint32_t *out);

/* SPI: u32, decimal or 0x hex, >= 256 (RFC 4303 reserves 1..255). */
const char *parse_spi(const char *s, uint32_t *out);

/* IPv4 dotted quad or "any" (0); result in network byte order. */
const char *parse_ipv4(const char *s, uint32_t *be);

/* GRE key like ip(8): decimal, 0x hex or dotted quad; host byte order. */
const char *parse_gre_key(const char *s, uint32_t *out);

/*
 * Hex string, optional 0x prefix, even number of digits, 1..max bytes.
 * The output buffer must hold max bytes.
 */
const char *parse_hex(const char *s, uint8_t *buf, size_t max, size_t *len);

/*
 * Key material lengths for a proposal: key_len bytes of KEY and, when
 * has_auth, auth_len bytes of AUTH_KEY.  The reason names the expected
 * length, e.g. "aes128gcm16 needs a 20-byte key (16-byte AES key + 4-byte
 * salt), got 16".  bad_auth tells the caller which argument was wrong.
 */
const char *check_key_lengths(const struct proposal *p, size_t key_len,
			      bool has_auth, size_t auth_len, bool *bad_auth);

/* Interface name: 1..15 bytes, no '/', no whitespace, not "." or "..". */
const char *check_ifname(const char *s);

#endif
