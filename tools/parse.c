// SPDX-License-Identifier: GPL-2.0
/*
 * Pure argument parsers; see parse.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "parse.h"

const char *parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	const char *digits = s;
	char *end;
	int base = 10;

	if (!s || !*s)
		return "empty number";
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		digits = s + 2;
		if (!isxdigit((unsigned char)*digits))
			return "not a number";
	} else if (!isdigit((unsigned char)*s)) {
		/* strtoull would accept " 5", "+5" and "-5" (as 2^64-5). */
		return "not a number";
	}
	errno = 0;
	v = strtoull(digits, &end, base);
	if (*end)
		return "not a number";
	if (errno == ERANGE || v > max)
		return "number too large";
	*out = v;
	return NULL;
}

const char *parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	const char *why = parse_u64(s, max, &v);

	if (!why)
		*out = (uint32_t)v;
	return why;
}

const char *parse_spi(const char *s, uint32_t *out)
{
	const char *why = parse_u32(s, UINT32_MAX, out);

	if (why)
		return why;
	if (*out < 256)
		return "SPI must be 256 or more (0..255 are reserved)";
	return NULL;
}

const char *parse_ipv4(const char *s, uint32_t *be)
{
	struct in_addr a;

	if (!s || !*s)
		return "empty address";
	if (!strcmp(s, "any")) {
		*be = 0;
		return NULL;
	}
	if (strchr(s, ':'))
		return "IPv6 underlay addresses are not supported";
	if (inet_pton(AF_INET, s, &a) != 1)
		return "not an IPv4 address (a.b.c.d or \"any\")";
	*be = a.s_addr;
	return NULL;
}

const char *parse_gre_key(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (s && strchr(s, '.')) {
		if (inet_pton(AF_INET, s, &a) != 1)
			return "not a key (number, 0x hex or dotted quad)";
		*out = ntohl(a.s_addr);
		return NULL;
	}
	if (parse_u32(s, UINT32_MAX, out))
		return "not a key (0..4294967295, 0x hex or dotted quad)";
	return NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *parse_hex(const char *s, uint8_t *buf, size_t max, size_t *len)
{
	size_t n, i;

	if (!s)
		return "empty hex string";
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (!n)
		return "empty hex string";
	for (i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			return "not a hex string (0-9, a-f)";
	if (n % 2)
		return "odd number of hex digits";
	if (n / 2 > max)
		return "hex string too long";
	for (i = 0; i < n / 2; i++)
		buf[i] = (uint8_t)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
	*len = n / 2;
	return NULL;
}

static char key_why[160];

const char *check_key_lengths(const struct proposal *p, size_t key_len,
			      bool has_auth, size_t auth_len, bool *bad_auth)
{
	*bad_auth = false;
	if (key_len != p->key_len + p->salt_len) {
		if (p->salt_len)
			snprintf(key_why, sizeof(key_why),
				 "%s needs a %zu-byte key (%zu-byte %s key + %zu-byte salt), got %zu",
				 p->name, p->key_len + p->salt_len, p->key_len,
				 p->cipher, p->salt_len, key_len);
		else
			snprintf(key_why, sizeof(key_why),
				 "%s needs a %zu-byte %s key, got %zu",
				 p->name, p->key_len, p->cipher, key_len);
		return key_why;
	}
	if (!p->auth_key_len && has_auth) {
		*bad_auth = true;
		snprintf(key_why, sizeof(key_why),
			 "%s is an AEAD proposal and takes no auth-key", p->name);
		return key_why;
	}
	if (p->auth_key_len && !has_auth) {
		*bad_auth = true;
		snprintf(key_why, sizeof(key_why),
			 "%s needs an auth-key of %zu bytes", p->name,
			 p->auth_key_len);
		return key_why;
	}
	if (p->auth_key_len && auth_len != p->auth_key_len) {
		*bad_auth = true;
		snprintf(key_why, sizeof(key_why),
			 "%s needs a %zu-byte %s auth-key, got %zu", p->name,
			 p->auth_key_len, p->auth, auth_len);
		return key_why;
	}
	return NULL;
}

const char *check_ifname(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n)
		return "empty interface name";
	if (n >= IFNAMSIZ)
		return "interface name longer than 15 characters";
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return "not a valid interface name";
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return "not a valid interface name";
	return NULL;
}
