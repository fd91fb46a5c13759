// SPDX-License-Identifier: GPL-2.0
/*
 * The vici wire format and a blocking client of it; see vici.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vici.h"

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "gresec: out of memory\n");
		exit(1);
	}
	return p;
}

static char *copy(const uint8_t *s, size_t len)
{
	char *c = xcalloc(1, len + 1);

	memcpy(c, s, len);
	return c;
}

/* ---- message decoding ---- */

struct reader {
	const uint8_t *p;
	size_t left;
};

static bool get_u8(struct reader *r, uint8_t *v)
{
	if (r->left < 1)
		return false;
	*v = r->p[0];
	r->p++;
	r->left--;
	return true;
}

/* A u8-length name, or a u16-length value (wide). */
static bool get_str(struct reader *r, bool wide, char **out, size_t *out_len)
{
	size_t len;
	uint8_t b;

	if (wide) {
		if (r->left < 2)
			return false;
		len = (size_t)r->p[0] << 8 | r->p[1];
		r->p += 2;
		r->left -= 2;
	} else {
		if (!get_u8(r, &b))
			return false;
		len = b;
	}
	if (r->left < len)
		return false;
	*out = copy(r->p, len);
	if (out_len)
		*out_len = len;
	r->p += len;
	r->left -= len;
	return true;
}

void vici_free(struct vici_node *n)
{
	struct vici_node *next;

	/* Siblings iteratively, children recursively (depth is bounded). */
	for (; n; n = next) {
		next = n->next;
		vici_free(n->child);
		free(n->name);
		free(n->value);
		free(n);
	}
}

struct vici_node *vici_decode(const uint8_t *buf, size_t len, const char **why)
{
	struct vici_node *stack[VICI_MAX_DEPTH + 1], *last[VICI_MAX_DEPTH + 1];
	struct reader r = { buf, len };
	struct vici_node *root, *n;
	int depth = 0;
	uint8_t type;

	root = xcalloc(1, sizeof(*root));
	root->type = VICI_SECTION_START;
	root->name = copy((const uint8_t *)"", 0);
	stack[0] = root;
	last[0] = NULL;
	while (r.left) {
		struct vici_node *top = stack[depth];
		bool in_list = top->type == VICI_LIST_START;

		get_u8(&r, &type);
		switch (type) {
		case VICI_SECTION_END:
			if (in_list || depth == 0) {
				*why = "section end without a section";
				goto bad;
			}
			depth--;
			continue;
		case VICI_LIST_END:
			if (!in_list) {
				*why = "list end without a list";
				goto bad;
			}
			depth--;
			continue;
		case VICI_SECTION_START:
		case VICI_KEY_VALUE:
		case VICI_LIST_START:
			if (in_list) {
				*why = "a named element inside a list";
				goto bad;
			}
			break;
		case VICI_LIST_ITEM:
			if (!in_list) {
				*why = "a list item outside a list";
				goto bad;
			}
			break;
		default:
			*why = "unknown element type";
			goto bad;
		}
		n = xcalloc(1, sizeof(*n));
		n->type = type;
		if (last[depth])
			last[depth]->next = n;
		else
			top->child = n;
		last[depth] = n;
		if (type != VICI_LIST_ITEM && !get_str(&r, false, &n->name, NULL)) {
			*why = "truncated element name";
			goto bad;
		}
		if ((type == VICI_KEY_VALUE || type == VICI_LIST_ITEM) &&
		    !get_str(&r, true, &n->value, &n->value_len)) {
			*why = "truncated value";
			goto bad;
		}
		if (type == VICI_SECTION_START || type == VICI_LIST_START) {
			if (depth == VICI_MAX_DEPTH) {
				*why = "sections nested too deep";
				goto bad;
			}
			stack[++depth] = n;
			last[depth] = NULL;
		}
	}
	if (depth) {
		*why = "truncated message (unclosed section or list)";
		goto bad;
	}
	return root;
bad:
	vici_free(root);
	return NULL;
}

const struct vici_node *vici_get(const struct vici_node *sec, const char *name)
{
	const struct vici_node *n;

	if (!sec || sec->type != VICI_SECTION_START)
		return NULL;
	for (n = sec->child; n; n = n->next)
		if (n->name && !strcmp(n->name, name))
			return n;
	return NULL;
}

const char *vici_str(const struct vici_node *sec, const char *name)
{
	const struct vici_node *n = vici_get(sec, name);

	return n && n->type == VICI_KEY_VALUE ? n->value : NULL;
}

/* ---- packets ---- */

static bool named(uint8_t type)
{
	return type == VICI_CMD_REQUEST || type == VICI_EVENT_REGISTER ||
	       type == VICI_EVENT_UNREGISTER || type == VICI_EVENT;
}

int vici_packet_parse(const uint8_t *buf, size_t len, struct vici_packet *p,
		      const char **why)
{
	size_t nlen = 0;

	memset(p, 0, sizeof(*p));
	if (len < 1) {
		*why = "empty packet";
		return -1;
	}
	p->type = buf[0];
	if (p->type > VICI_EVENT) {
		*why = "unknown packet type";
		return -1;
	}
	if (named(p->type)) {
		if (len < 2 || len - 2 < buf[1]) {
			*why = "truncated packet name";
			return -1;
		}
		nlen = buf[1];
		memcpy(p->name, buf + 2, nlen);
		p->name[nlen] = '\0';
		nlen++;
	}
	p->msg = buf + 1 + nlen;
	p->msg_len = len - 1 - nlen;
	return 0;
}

static bool put_str(uint8_t *buf, size_t cap, size_t *len, const char *s,
		    bool wide)
{
	size_t n = strlen(s), w = wide ? 2 : 1;

	if (n > (wide ? 0xffffu : 0xffu) || cap - *len < w + n)
		return false;
	if (wide)
		buf[(*len)++] = n >> 8;
	buf[(*len)++] = n & 0xff;
	memcpy(buf + *len, s, n);
	*len += n;
	return true;
}

bool vici_put_kv(uint8_t *buf, size_t cap, size_t *len, const char *key,
		 const char *value)
{
	size_t l = *len;

	if (l >= cap)
		return false;
	buf[l++] = VICI_KEY_VALUE;
	if (!put_str(buf, cap, &l, key, false) ||
	    !put_str(buf, cap, &l, value, true))
		return false;
	*len = l;
	return true;
}

/* ---- the client ---- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int vici_connect(struct vici_conn *c, const char *path, int timeout_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!path)
		path = VICI_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	c->timeout_ms = timeout_ms;
	c->deadline_ms = now_ms() + timeout_ms;
	/* A Unix stream socket connects at once or fails. */
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		vici_close(c);
		return err == -EAGAIN ? -ECONNREFUSED : err;
	}
	return 0;
}

void vici_close(struct vici_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->cap = 0;
}

/* Waits for fd to be ready for events until the deadline. */
static int wait_fd(struct vici_conn *c, short events, const char **why)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = c->deadline_ms - now_ms();
		if (left <= 0) {
			*why = "charon did not answer in time";
			return -1;
		}
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR) {
			*why = strerror(errno);
			return -1;
		}
	}
}

static int write_all(struct vici_conn *c, const uint8_t *p, size_t len,
		     const char **why)
{
	ssize_t n;

	while (len) {
		if (wait_fd(c, POLLOUT, why))
			return -1;
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			*why = strerror(errno);
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int read_all(struct vici_conn *c, uint8_t *p, size_t len,
		    const char **why)
{
	ssize_t n;

	while (len) {
		if (wait_fd(c, POLLIN, why))
			return -1;
		n = recv(c->fd, p, len, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			*why = strerror(errno);
			return -1;
		}
		if (n == 0) {
			*why = "charon closed the connection";
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int send_packet(struct vici_conn *c, uint8_t type, const char *name,
		       const uint8_t *msg, size_t msg_len, const char **why)
{
	size_t nlen = name ? strlen(name) : 0, len;
	uint8_t hdr[4 + 2 + 255];
	size_t h = 0;

	if (nlen > 255) {
		*why = "name too long";
		return -1;
	}
	len = 1 + (name ? 1 + nlen : 0) + msg_len;
	if (len > VICI_MAX_SEGMENT) {
		*why = "request too long";
		return -1;
	}
	hdr[h++] = len >> 24;
	hdr[h++] = len >> 16;
	hdr[h++] = len >> 8;
	hdr[h++] = len;
	hdr[h++] = type;
	if (name) {
		hdr[h++] = nlen;
		memcpy(hdr + h, name, nlen);
		h += nlen;
	}
	if (write_all(c, hdr, h, why))
		return -1;
	return msg_len ? write_all(c, msg, msg_len, why) : 0;
}

static int recv_packet(struct vici_conn *c, struct vici_packet *p,
		       const char **why)
{
	uint8_t hdr[4];
	size_t len;

	if (read_all(c, hdr, 4, why))
		return -1;
	len = (size_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
	if (len == 0 || len > VICI_MAX_SEGMENT) {
		*why = len ? "charon sent a segment longer than 512 KiB" :
			     "charon sent an empty segment";
		return -1;
	}
	if (len > c->cap) {
		free(c->buf);
		c->buf = xcalloc(1, len);
		c->cap = len;
	}
	if (read_all(c, c->buf, len, why))
		return -1;
	return vici_packet_parse(c->buf, len, p, why);
}

/* Registers for or unregisters from event; waits for the confirmation. */
static int event_ctl(struct vici_conn *c, uint8_t type, const char *event,
		     const char **why)
{
	struct vici_packet p;

	if (send_packet(c, type, event, NULL, 0, why))
		return -1;
	for (;;) {
		if (recv_packet(c, &p, why))
			return -1;
		if (p.type == VICI_EVENT_CONFIRM)
			return 0;
		if (p.type == VICI_EVENT_UNKNOWN) {
			*why = "charon does not know the event";
			return -1;
		}
		/* A straggler of a previous stream: skip it. */
		if (p.type != VICI_EVENT) {
			*why = "unexpected packet from charon";
			return -1;
		}
	}
}

int vici_stream(struct vici_conn *c, const char *cmd, const uint8_t *req,
		size_t req_len, const char *event,
		int (*cb)(void *ctx, const struct vici_node *msg), void *ctx,
		const char **why)
{
	struct vici_packet p;
	struct vici_node *msg;
	int ret = 0;

	if (event_ctl(c, VICI_EVENT_REGISTER, event, why))
		return -1;
	if (send_packet(c, VICI_CMD_REQUEST, cmd, req, req_len, why))
		return -1;
	for (;;) {
		if (recv_packet(c, &p, why))
			return -1;
		if (p.type == VICI_CMD_RESPONSE)
			break;
		if (p.type == VICI_CMD_UNKNOWN) {
			*why = "charon does not know the command";
			return -1;
		}
		if (p.type != VICI_EVENT || strcmp(p.name, event)) {
			*why = "unexpected packet from charon";
			return -1;
		}
		if (ret)
			continue;	/* drain the stream */
		msg = vici_decode(p.msg, p.msg_len, why);
		if (!msg)
			return -1;
		ret = cb(ctx, msg);
		vici_free(msg);
	}
	if (event_ctl(c, VICI_EVENT_UNREGISTER, event, why))
		return -1;
	return ret;
}
