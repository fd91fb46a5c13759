// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration files: parser, writer and diff; see conf.h and
 * gresec.conf(5).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "parse.h"

/* A new tunnel's options, as the kernel sets them (device.c). */
#define CONF_DEFAULT_TTL 64

struct pstate {
	const char *name;
	unsigned int line;
	char *err;
	size_t errlen;
	struct gs_conf *c;
	enum { SEC_NONE, SEC_TUNNEL, SEC_SA } sec;
	bool seen_tunnel;
	bool protection_set;
	/* [Tunnel] keys given, by bit: see tunnel_keys[]. */
	uint32_t tseen;
	/* The current [SA]: keys given (bits of sa_keys[]), lines. */
	uint32_t sseen;
	unsigned int key_line, auth_line;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "gresec: out of memory\n");
		exit(1);
	}
	return p;
}

static int perr(struct pstate *s, unsigned int line, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(s->err, s->errlen, "%s:%u: ", s->name, line);
	if (n < s->errlen) {
		va_start(ap, fmt);
		vsnprintf(s->err + n, s->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "Auth-Key", "auth_key" and "AuthKey" are all "authkey". */
static void normalize(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in && n + 1 < len; in++)
		if (*in != '-' && *in != '_')
			out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
}

static const char *parse_bool(const char *v, bool *b)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*b = true;
			return NULL;
		}
		if (!strcasecmp(v, no[i])) {
			*b = false;
			return NULL;
		}
	}
	return "must be yes or no";
}

/* IPv4 or IPv6 prefix "ADDR/LEN" (LEN optional: a host). */
static const char *parse_prefix(const char *v)
{
	unsigned char buf[16];
	char a[64];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	uint32_t len;
	int af;

	if (!n || n >= sizeof(a))
		return "not an address (ADDR/PREFIXLEN)";
	memcpy(a, v, n);
	a[n] = '\0';
	af = strchr(a, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(af, a, buf) != 1)
		return "not an address (ADDR/PREFIXLEN)";
	if (slash && parse_u32(slash + 1, af == AF_INET ? 32 : 128, &len))
		return af == AF_INET ? "prefix length must be 0..32" :
				       "prefix length must be 0..128";
	return NULL;
}

/* Comma-separated prefixes appended to *v (validated). */
static int add_prefixes(struct pstate *s, const char *key, const char *val,
			char ***v, size_t *n)
{
	char *copy = strdup(val), *tok, *save = NULL;
	const char *why;
	int ret = 0;

	if (!copy)
		return perr(s, s->line, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *e;

		while (isspace((unsigned char)*tok))
			tok++;
		for (e = tok + strlen(tok); e > tok && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		why = parse_prefix(tok);
		if (why) {
			ret = perr(s, s->line, "%s = %s: %s", key, tok, why);
			break;
		}
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = strdup(tok);
		if (!(*v)[*n - 1]) {
			ret = perr(s, s->line, "out of memory");
			break;
		}
	}
	free(copy);
	return ret;
}

/* [Tunnel] keys; the bit of each in pstate.tseen is its index. */
enum {
	TK_LOCAL, TK_REMOTE, TK_KEY, TK_IKEY, TK_OKEY, TK_CSUM, TK_ICSUM,
	TK_OCSUM, TK_SEQ, TK_ISEQ, TK_OSEQ, TK_TTL, TK_TOS, TK_PMTUDISC,
	TK_MTU, TK_PROTECTION, TK_IFID, TK_ADDRESS, TK_ROUTE, TK_N
};
static const char *const tunnel_keys[TK_N] = {
	"local", "remote", "key", "ikey", "okey", "csum", "icsum", "ocsum",
	"seq", "iseq", "oseq", "ttl", "tos", "pmtudisc", "mtu", "protection",
	"ifid", "address", "route",
};

static void set_flag(uint32_t *flags, uint32_t f, bool on)
{
	if (on)
		*flags |= f;
	else
		*flags &= ~f;
}

static int tunnel_kv(struct pstate *s, const char *key, const char *nkey,
		     const char *v)
{
	struct gs_tunnel *t = &s->c->t;
	const char *why = NULL;
	uint32_t u = 0;
	bool b = false;
	int k;

	for (k = 0; k < TK_N; k++)
		if (!strcmp(nkey, tunnel_keys[k]))
			break;
	if (k == TK_N)
		return perr(s, s->line, "%s: unknown [Tunnel] setting", key);
	if (k == TK_ADDRESS)
		return add_prefixes(s, key, v, &s->c->addresses,
				    &s->c->n_addresses);
	if (k == TK_ROUTE)
		return add_prefixes(s, key, v, &s->c->routes, &s->c->n_routes);
	if (s->tseen & (1u << k))
		return perr(s, s->line, "%s: given twice", key);
	/* Key sets both directions: IKey/OKey beside it would be ambiguous. */
	if (((k == TK_IKEY || k == TK_OKEY) && (s->tseen & (1u << TK_KEY))) ||
	    (k == TK_KEY && (s->tseen & (1u << TK_IKEY | 1u << TK_OKEY))) ||
	    ((k == TK_ICSUM || k == TK_OCSUM) && (s->tseen & (1u << TK_CSUM))) ||
	    (k == TK_CSUM && (s->tseen & (1u << TK_ICSUM | 1u << TK_OCSUM))) ||
	    ((k == TK_ISEQ || k == TK_OSEQ) && (s->tseen & (1u << TK_SEQ))) ||
	    (k == TK_SEQ && (s->tseen & (1u << TK_ISEQ | 1u << TK_OSEQ))))
		return perr(s, s->line,
			    "%s: conflicts with an earlier setting of both directions or of one", key);
	s->tseen |= 1u << k;

	switch (k) {
	case TK_LOCAL:
		why = parse_ipv4(v, &t->local);
		break;
	case TK_REMOTE:
		why = parse_ipv4(v, &t->remote);
		break;
	case TK_KEY:
	case TK_IKEY:
	case TK_OKEY:
		b = strcasecmp(v, "none") != 0;
		if (b)
			why = parse_gre_key(v, &u);
		if (k != TK_OKEY) {
			t->ikey = u;
			set_flag(&t->iflags, GRESEC_TUNNEL_F_KEY, b);
		}
		if (k != TK_IKEY) {
			t->okey = u;
			set_flag(&t->oflags, GRESEC_TUNNEL_F_KEY, b);
		}
		break;
	case TK_CSUM:
	case TK_ICSUM:
	case TK_OCSUM:
	case TK_SEQ:
	case TK_ISEQ:
	case TK_OSEQ: {
		uint32_t f = k <= TK_OCSUM ? GRESEC_TUNNEL_F_CSUM :
					     GRESEC_TUNNEL_F_SEQ;
		int dir = (k - TK_CSUM) % 3;	/* 0 both, 1 in, 2 out */

		why = parse_bool(v, &b);
		if (dir != 2)
			set_flag(&t->iflags, f, b);
		if (dir != 1)
			set_flag(&t->oflags, f, b);
		break;
	}
	case TK_TTL:
		if (!strcasecmp(v, "inherit"))
			t->ttl = 0;
		else if (parse_u32(v, 255, &u) || !u)
			why = "must be 1..255 or \"inherit\"";
		else
			t->ttl = (uint8_t)u;
		break;
	case TK_TOS:
		if (!strcasecmp(v, "inherit")) {
			t->tos = 0;
			t->tos_inherit = 1;
		} else if (parse_u32(v, 255, &u)) {
			why = "must be 0..255 (or 0x00..0xff) or \"inherit\"";
		} else {
			t->tos = (uint8_t)u;
			t->tos_inherit = 0;
		}
		break;
	case TK_PMTUDISC:
		why = parse_bool(v, &b);
		t->pmtudisc = b;
		break;
	case TK_MTU:
		if (!strcasecmp(v, "auto"))
			t->mtu = 0;
		else if (parse_u32(v, 65535, &u) || u < 68)
			why = "must be 68..65535 or \"auto\"";
		else
			t->mtu = u;
		break;
	case TK_PROTECTION:
		if (!strcasecmp(v, "none"))
			t->protection = GRESEC_PROTECTION_NONE;
		else if (!strcasecmp(v, "required"))
			t->protection = GRESEC_PROTECTION_REQUIRED;
		else
			why = "must be \"none\" or \"required\"";
		s->protection_set = true;
		break;
	case TK_IFID:
		if (parse_u32(v, UINT32_MAX, &t->if_id))
			why = "must be 0..4294967295 (0: none)";
		break;
	}
	if (why)
		return perr(s, s->line, "%s = %s: %s", key, v, why);
	return 0;
}

/* [SA] keys; the bit of each in pstate.sseen is its index. */
enum {
	SK_DIR, SK_SPI, SK_PROPOSAL, SK_KEY, SK_AUTHKEY, SK_REPLAY, SK_ESN,
	SK_SOFTBYTES, SK_HARDBYTES, SK_SOFTPACKETS, SK_HARDPACKETS,
	SK_SOFTTIME, SK_HARDTIME, SK_REQID, SK_MODE, SK_N
};
static const char *const sa_keys[SK_N] = {
	"dir", "spi", "proposal", "key", "authkey", "replaywindow", "esn",
	"softbytes", "hardbytes", "softpackets", "hardpackets", "softtime",
	"hardtime", "reqid", "mode",
};

static struct gs_sa *cur_sa(struct pstate *s)
{
	return &s->c->t.sas[s->c->t.n_sas - 1];
}

static int sa_kv(struct pstate *s, const char *key, const char *nkey,
		 const char *v)
{
	struct gs_sa *sa = cur_sa(s);
	const struct proposal *p;
	const char *why = NULL;
	unsigned int attr = 0;
	uint64_t *life;
	bool b = false;
	int k;

	for (k = 0; k < SK_N; k++)
		if (!strcmp(nkey, sa_keys[k]))
			break;
	if (k == SK_N)
		return perr(s, s->line, "%s: unknown [SA] setting", key);
	if (s->sseen & (1u << k))
		return perr(s, s->line, "%s: given twice", key);
	s->sseen |= 1u << k;

	switch (k) {
	case SK_DIR:
		if (!strcasecmp(v, "in"))
			sa->dir = GRESEC_SA_DIR_IN;
		else if (!strcasecmp(v, "out"))
			sa->dir = GRESEC_SA_DIR_OUT;
		else
			why = "must be \"in\" or \"out\"";
		attr = GRESEC_SA_A_DIR;
		break;
	case SK_SPI:
		why = parse_spi(v, &sa->spi);
		attr = GRESEC_SA_A_SPI;
		break;
	case SK_PROPOSAL:
		p = gs_proposal_by_name(v);
		if (p)
			sa->proposal = p->id;
		else
			why = "unknown proposal (see \"gresec sa help\")";
		attr = GRESEC_SA_A_PROPOSAL;
		break;
	case SK_KEY:
	case SK_AUTHKEY:
		if (k == SK_KEY) {
			why = parse_hex(v, sa->key, sizeof(sa->key),
					&sa->key_len);
			attr = GRESEC_SA_A_KEY;
			s->key_line = s->line;
		} else {
			why = parse_hex(v, sa->auth_key, sizeof(sa->auth_key),
					&sa->auth_key_len);
			attr = GRESEC_SA_A_AUTH_KEY;
			s->auth_line = s->line;
		}
		/* Never quote key material. */
		if (why)
			return perr(s, s->line, "%s: %s", key, why);
		s->c->has_keys = true;
		break;
	case SK_REPLAY:
		if (parse_u32(v, 4096, &sa->replay_window))
			why = "must be 0..4096 packets";
		attr = GRESEC_SA_A_REPLAY_WINDOW;
		break;
	case SK_ESN:
		why = parse_bool(v, &b);
		sa->esn = b;
		attr = GRESEC_SA_A_ESN;
		break;
	case SK_REQID:
		if (parse_u32(v, UINT32_MAX, &sa->reqid))
			why = "must be 0..4294967295 (0: none)";
		attr = GRESEC_SA_A_REQID;
		break;
	case SK_MODE:
		if (!strcasecmp(v, "transport"))
			sa->mode = GRESEC_SA_MODE_TRANSPORT;
		else if (!strcasecmp(v, "tunnel"))
			sa->mode = GRESEC_SA_MODE_TUNNEL;
		else
			why = "must be \"transport\" or \"tunnel\"";
		attr = GRESEC_SA_A_MODE;
		break;
	default: {
		uint64_t *f[] = { &sa->soft_bytes, &sa->hard_bytes,
				  &sa->soft_packets, &sa->hard_packets,
				  &sa->soft_time, &sa->hard_time };
		static const unsigned int a[] = {
			GRESEC_SA_A_SOFT_BYTES, GRESEC_SA_A_HARD_BYTES,
			GRESEC_SA_A_SOFT_PACKETS, GRESEC_SA_A_HARD_PACKETS,
			GRESEC_SA_A_SOFT_TIME, GRESEC_SA_A_HARD_TIME,
		};

		life = f[k - SK_SOFTBYTES];
		attr = a[k - SK_SOFTBYTES];
		why = parse_u64(v, UINT64_MAX, life);
		break;
	}
	}
	if (why)
		return perr(s, s->line, "%s = %s: %s", key, v, why);
	sa->have[attr] = true;
	return 0;
}

/* The [SA] section that ends here is complete and consistent? */
static int sa_finish(struct pstate *s)
{
	struct gs_conf *c = s->c;
	struct gs_sa *sa = cur_sa(s);
	size_t idx = c->t.n_sas - 1, i;
	unsigned int hdr = c->sa_line[idx];
	const struct proposal *p;
	const char *why;
	bool bad_auth;

	if (!(s->sseen & (1u << SK_DIR)))
		return perr(s, hdr, "[SA]: Dir is missing (Dir = in|out)");
	if (!(s->sseen & (1u << SK_SPI)))
		return perr(s, hdr, "[SA]: SPI is missing");
	if (!(s->sseen & (1u << SK_PROPOSAL)))
		return perr(s, hdr, "[SA]: Proposal is missing");
	for (i = 0; i < idx; i++)
		if (c->t.sas[i].dir == sa->dir && c->t.sas[i].spi == sa->spi)
			return perr(s, hdr,
				    "[SA]: %s SPI 0x%08" PRIx32 " already given at line %u",
				    gs_dir_name(sa->dir), sa->spi,
				    c->sa_line[i]);
	/* The kernel keeps no replay window for outbound SAs. */
	if (sa->dir == GRESEC_SA_DIR_OUT) {
		sa->replay_window = 0;
		sa->have[GRESEC_SA_A_REPLAY_WINDOW] = false;
	}
	if (sa->soft_bytes && sa->hard_bytes && sa->soft_bytes > sa->hard_bytes)
		return perr(s, hdr, "[SA]: SoftBytes must not exceed HardBytes");
	if (sa->soft_packets && sa->hard_packets &&
	    sa->soft_packets > sa->hard_packets)
		return perr(s, hdr, "[SA]: SoftPackets must not exceed HardPackets");
	if (sa->soft_time && sa->hard_time && sa->soft_time > sa->hard_time)
		return perr(s, hdr, "[SA]: SoftTime must not exceed HardTime");
	c->sa_keyed[idx] = sa->have[GRESEC_SA_A_KEY];
	if (!sa->have[GRESEC_SA_A_KEY]) {
		if (sa->have[GRESEC_SA_A_AUTH_KEY])
			return perr(s, s->auth_line, "AuthKey: given without Key");
		return 0;
	}
	p = gs_proposal_by_id(sa->proposal);
	why = check_key_lengths(p, sa->key_len, sa->have[GRESEC_SA_A_AUTH_KEY],
				sa->auth_key_len, &bad_auth);
	if (why)
		return perr(s, bad_auth && s->auth_line ? s->auth_line :
			    s->key_line, "%s: %s", bad_auth ? "AuthKey" : "Key",
			    why);
	return 0;
}

static int section(struct pstate *s, const char *name)
{
	struct gs_conf *c = s->c;
	char n[16];

	if (s->sec == SEC_SA && sa_finish(s))
		return -1;
	normalize(name, n, sizeof(n));
	if (!strcmp(n, "tunnel")) {
		if (s->seen_tunnel)
			return perr(s, s->line, "[%s]: only one [Tunnel] section", name);
		s->seen_tunnel = true;
		s->sec = SEC_TUNNEL;
		return 0;
	}
	if (!strcmp(n, "sa")) {
		gs_tunnel_add_sa(&c->t);
		c->sa_line = xrealloc(c->sa_line, c->t.n_sas * sizeof(*c->sa_line));
		c->sa_keyed = xrealloc(c->sa_keyed, c->t.n_sas * sizeof(*c->sa_keyed));
		c->sa_line[c->t.n_sas - 1] = s->line;
		c->sa_keyed[c->t.n_sas - 1] = false;
		s->sseen = 0;
		s->key_line = s->auth_line = 0;
		s->sec = SEC_SA;
		return 0;
	}
	return perr(s, s->line, "[%s]: unknown section ([Tunnel] or [SA])", name);
}

static char *trim(char *p)
{
	char *e;

	while (isspace((unsigned char)*p))
		p++;
	for (e = p + strlen(p); e > p && isspace((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	return p;
}

static int parse_line(struct pstate *s, char *line)
{
	char *p, *eq, *key, *val, nkey[32];

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	p = trim(line);
	if (!*p)
		return 0;
	if (*p == '[') {
		size_t n = strlen(p);

		if (p[n - 1] != ']')
			return perr(s, s->line, "%s: a section header ends with ']'", p);
		p[n - 1] = '\0';
		return section(s, trim(p + 1));
	}
	eq = strchr(p, '=');
	if (!eq)
		return perr(s, s->line, "not a section or a \"Name = value\" line");
	*eq = '\0';
	key = trim(p);
	val = trim(eq + 1);
	if (!*key)
		return perr(s, s->line, "a setting without a name");
	if (!*val)
		return perr(s, s->line, "%s: no value", key);
	normalize(key, nkey, sizeof(nkey));
	if (s->sec == SEC_TUNNEL)
		return tunnel_kv(s, key, nkey, val);
	if (s->sec == SEC_SA)
		return sa_kv(s, key, nkey, val);
	return perr(s, s->line, "%s: outside a section ([Tunnel] or [SA] first)", key);
}

/* What setconf sets: every option of TUNNEL_SET. */
static const unsigned int tunnel_attrs[] = {
	GRESEC_A_LOCAL, GRESEC_A_REMOTE, GRESEC_A_IKEY, GRESEC_A_OKEY,
	GRESEC_A_IFLAGS, GRESEC_A_OFLAGS, GRESEC_A_TTL, GRESEC_A_TOS,
	GRESEC_A_TOS_INHERIT, GRESEC_A_PMTUDISC, GRESEC_A_MTU,
	GRESEC_A_PROTECTION, GRESEC_A_IF_ID,
};

static void tunnel_defaults(struct gs_tunnel *t)
{
	size_t a;

	t->ttl = CONF_DEFAULT_TTL;
	t->tos_inherit = 1;
	t->pmtudisc = 1;
	t->protection = GRESEC_PROTECTION_NONE;
	for (a = 0; a < sizeof(tunnel_attrs) / sizeof(tunnel_attrs[0]); a++)
		t->have[tunnel_attrs[a]] = true;
}

int gs_conf_parse(FILE *f, const char *name, struct gs_conf *c, char *err,
		  size_t errlen)
{
	struct pstate s = {
		.name = name, .err = err, .errlen = errlen, .c = c,
		.sec = SEC_NONE,
	};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	tunnel_defaults(&c->t);
	while ((n = getline(&line, &cap, f)) >= 0) {
		s.line++;
		if (memchr(line, '\0', (size_t)n))
			ret = perr(&s, s.line, "a NUL byte: not a text file");
		else
			ret = parse_line(&s, line);
		/* Lines may hold key material. */
		explicit_bzero(line, cap);
		if (ret)
			break;
	}
	if (!ret && ferror(f))
		ret = perr(&s, s.line + 1, "read error");
	if (!ret && s.sec == SEC_SA)
		ret = sa_finish(&s);
	/* A tunnel with SAs is protected unless the file says otherwise. */
	if (!ret && !s.protection_set && c->t.n_sas)
		c->t.protection = GRESEC_PROTECTION_REQUIRED;
	if (line)
		explicit_bzero(line, cap);
	free(line);
	if (ret)
		gs_conf_free(c);
	return ret;
}

void gs_conf_free(struct gs_conf *c)
{
	size_t i;

	gs_tunnel_free(&c->t);
	free(c->sa_line);
	free(c->sa_keyed);
	for (i = 0; i < c->n_addresses; i++)
		free(c->addresses[i]);
	for (i = 0; i < c->n_routes; i++)
		free(c->routes[i]);
	free(c->addresses);
	free(c->routes);
	memset(c, 0, sizeof(*c));
}

/* ---- writer ---- */

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

static void write_ip(FILE *f, const char *k, uint32_t be)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a = { .s_addr = be };

	if (!be)
		fprintf(f, "%s = any\n", k);
	else
		fprintf(f, "%s = %s\n", k, inet_ntop(AF_INET, &a, buf, sizeof(buf)));
}

static void write_key(FILE *f, const char *k, uint32_t flags, uint32_t key)
{
	if (flags & GRESEC_TUNNEL_F_KEY)
		fprintf(f, "%s = %" PRIu32 "\n", k, key);
	else
		fprintf(f, "%s = none\n", k);
}

/* Flag f as one setting when both directions agree, else as two. */
static void write_flag(FILE *f, const char *k, const struct gs_tunnel *t,
		       uint32_t flag)
{
	bool i = t->iflags & flag, o = t->oflags & flag;

	if (i == o)
		fprintf(f, "%s = %s\n", k, yesno(i));
	else
		fprintf(f, "I%s = %s\nO%s = %s\n", k, yesno(i), k, yesno(o));
}

static void write_life(FILE *f, const char *k, uint64_t v)
{
	if (v)
		fprintf(f, "%s = %" PRIu64 "\n", k, v);
}

static void write_hex(FILE *f, const char *k, const uint8_t *v, size_t len)
{
	size_t i;

	fprintf(f, "%s = ", k);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", v[i]);
	fputc('\n', f);
}

/* The [SA] comment, or its keys: what setconf will do with the section. */
static void write_sa_keys(FILE *f, const struct gs_sa *sa, bool keys)
{
	if (!keys) {
		fprintf(f, "# No Key (\"gresec showconf DEV keys\" writes it): setconf\n"
			"# keeps this SA while the device has it and cannot create it again.\n");
		return;
	}
	/* The format cannot say Encap: a keyed section would lose it. */
	if (sa->encap) {
		fprintf(f, "# ESP in UDP, which this format cannot express: written without\n"
			"# its keys, so that setconf keeps it and never creates a plain one.\n");
		return;
	}
	if (!sa->have[GRESEC_SA_A_KEY]) {
		fprintf(f, "# No Key: the kernel returned none for this SA.\n");
		return;
	}
	write_hex(f, "Key", sa->key, sa->key_len);
	if (sa->have[GRESEC_SA_A_AUTH_KEY] && sa->auth_key_len)
		write_hex(f, "AuthKey", sa->auth_key, sa->auth_key_len);
}

void gs_conf_write(FILE *f, const struct gs_tunnel *t, bool keys)
{
	size_t i;

	fprintf(f, "[Tunnel]\n");
	write_ip(f, "Local", t->local);
	write_ip(f, "Remote", t->remote);
	if ((t->iflags & GRESEC_TUNNEL_F_KEY) == (t->oflags & GRESEC_TUNNEL_F_KEY) &&
	    (!(t->iflags & GRESEC_TUNNEL_F_KEY) || t->ikey == t->okey)) {
		write_key(f, "Key", t->iflags, t->ikey);
	} else {
		write_key(f, "IKey", t->iflags, t->ikey);
		write_key(f, "OKey", t->oflags, t->okey);
	}
	write_flag(f, "Csum", t, GRESEC_TUNNEL_F_CSUM);
	write_flag(f, "Seq", t, GRESEC_TUNNEL_F_SEQ);
	if (t->ttl)
		fprintf(f, "TTL = %u\n", t->ttl);
	else
		fprintf(f, "TTL = inherit\n");
	if (t->tos_inherit)
		fprintf(f, "TOS = inherit\n");
	else
		fprintf(f, "TOS = 0x%02x\n", t->tos);
	fprintf(f, "PMTUDisc = %s\n", yesno(t->pmtudisc));
	if (t->mtu)
		fprintf(f, "MTU = %" PRIu32 "\n", t->mtu);
	else
		fprintf(f, "MTU = auto\n");
	fprintf(f, "Protection = %s\n", gs_protection_name(t->protection));
	fprintf(f, "IfId = %" PRIu32 "\n", t->if_id);

	for (i = 0; i < t->n_sas; i++) {
		const struct gs_sa *sa = &t->sas[i];

		fprintf(f, "\n[SA]\n");
		if (!keys)
			write_sa_keys(f, sa, false);
		fprintf(f, "Dir = %s\nSPI = 0x%08" PRIx32 "\nProposal = %s\n",
			gs_dir_name(sa->dir), sa->spi,
			gs_proposal_name(sa->proposal));
		if (keys)
			write_sa_keys(f, sa, true);
		if (sa->dir == GRESEC_SA_DIR_IN)
			fprintf(f, "ReplayWindow = %" PRIu32 "\n",
				sa->replay_window);
		if (sa->esn)
			fprintf(f, "ESN = yes\n");
		write_life(f, "SoftBytes", sa->soft_bytes);
		write_life(f, "HardBytes", sa->hard_bytes);
		write_life(f, "SoftPackets", sa->soft_packets);
		write_life(f, "HardPackets", sa->hard_packets);
		write_life(f, "SoftTime", sa->soft_time);
		write_life(f, "HardTime", sa->hard_time);
		if (sa->reqid)
			fprintf(f, "ReqId = %" PRIu32 "\n", sa->reqid);
		if (sa->mode == GRESEC_SA_MODE_TUNNEL)
			fprintf(f, "Mode = tunnel\n");
	}
}

/* ---- diff ---- */

bool gs_conf_tunnel_equal(const struct gs_tunnel *a, const struct gs_tunnel *b)
{
	uint32_t m = GRESEC_TUNNEL_F_MASK;

	if (a->local != b->local || a->remote != b->remote ||
	    (a->iflags & m) != (b->iflags & m) ||
	    (a->oflags & m) != (b->oflags & m) ||
	    a->ttl != b->ttl || !a->tos_inherit != !b->tos_inherit ||
	    !a->pmtudisc != !b->pmtudisc || a->mtu != b->mtu ||
	    a->protection != b->protection || a->if_id != b->if_id)
		return false;
	if ((a->iflags & GRESEC_TUNNEL_F_KEY) && a->ikey != b->ikey)
		return false;
	if ((a->oflags & GRESEC_TUNNEL_F_KEY) && a->okey != b->okey)
		return false;
	return a->tos_inherit || a->tos == b->tos;
}

bool gs_conf_sa_equal(const struct gs_sa *a, const struct gs_sa *b)
{
	/* A replay window is the inbound side's only. */
	bool in = a->dir == GRESEC_SA_DIR_IN;
	uint32_t wa = a->have[GRESEC_SA_A_REPLAY_WINDOW] ? a->replay_window : 64;
	uint32_t wb = b->have[GRESEC_SA_A_REPLAY_WINDOW] ? b->replay_window : 64;

	return a->dir == b->dir && a->spi == b->spi &&
	       a->proposal == b->proposal && (!in || wa == wb) &&
	       !a->esn == !b->esn &&
	       a->soft_bytes == b->soft_bytes && a->hard_bytes == b->hard_bytes &&
	       a->soft_packets == b->soft_packets &&
	       a->hard_packets == b->hard_packets &&
	       a->soft_time == b->soft_time && a->hard_time == b->hard_time &&
	       a->reqid == b->reqid && a->mode == b->mode;
}

static void add_step(struct gs_conf_plan *p, enum gs_conf_op op, size_t want,
		     size_t cur)
{
	p->steps = xrealloc(p->steps, (p->n_steps + 1) * sizeof(*p->steps));
	p->steps[p->n_steps++] = (struct gs_conf_step){ op, want, cur };
}

static bool find_sa(const struct gs_tunnel *t, uint32_t dir, uint32_t spi,
		    size_t *at)
{
	size_t i;

	for (i = 0; i < t->n_sas; i++)
		if (t->sas[i].dir == dir && t->sas[i].spi == spi) {
			*at = i;
			return true;
		}
	return false;
}

int gs_conf_plan(const struct gs_conf *c, const char *name,
		 const struct gs_tunnel *cur, bool sync,
		 struct gs_conf_plan *p, char *err, size_t errlen)
{
	const struct gs_tunnel *t = &c->t;
	size_t i, at;
	int pass;

	memset(p, 0, sizeof(*p));
	p->tunnel = !gs_conf_tunnel_equal(t, cur);
	/* Keyless SAs first: a file that cannot be reached changes nothing. */
	for (i = 0; i < t->n_sas; i++) {
		const struct gs_sa *sa = &t->sas[i];

		if (c->sa_keyed[i])
			continue;
		if (!find_sa(cur, sa->dir, sa->spi, &at)) {
			snprintf(err, errlen,
				 "%s:%u: [SA] %s SPI 0x%08" PRIx32 " has no Key and %s has no such SA to keep",
				 name, c->sa_line[i], gs_dir_name(sa->dir),
				 sa->spi, cur->ifname);
			gs_conf_plan_free(p);
			return -1;
		}
		if (!gs_conf_sa_equal(sa, &cur->sas[at])) {
			snprintf(err, errlen,
				 "%s:%u: [SA] %s SPI 0x%08" PRIx32 " has no Key and differs from the SA of %s: a changed SA needs its Key",
				 name, c->sa_line[i], gs_dir_name(sa->dir),
				 sa->spi, cur->ifname);
			gs_conf_plan_free(p);
			return -1;
		}
	}
	/* Adds (undoable), then replacements, in file order. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < t->n_sas; i++) {
			const struct gs_sa *sa = &t->sas[i];
			bool found = find_sa(cur, sa->dir, sa->spi, &at);

			if (!c->sa_keyed[i]) {
				if (pass == 0)
					p->kept++;
				continue;
			}
			if (pass == 0 && !found)
				add_step(p, GS_CONF_ADD, i, 0);
			if (pass == 1 && found) {
				if (sync && gs_conf_sa_equal(sa, &cur->sas[at]))
					p->kept++;
				else
					add_step(p, GS_CONF_REPLACE, i, at);
			}
		}
	for (i = 0; i < cur->n_sas; i++)
		if (!find_sa(t, cur->sas[i].dir, cur->sas[i].spi, &at))
			add_step(p, GS_CONF_DEL, 0, i);
	return 0;
}

void gs_conf_plan_free(struct gs_conf_plan *p)
{
	free(p->steps);
	memset(p, 0, sizeof(*p));
}
