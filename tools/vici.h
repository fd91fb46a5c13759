/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small client of strongSwan's vici protocol (the IKE daemon charon's
 * control socket), enough for "gresec show" to read charon's IKE_SAs.
 * Debian ships libvici without its header, and libvici drags in
 * libstrongswan's thread pool; the wire format is simple and documented
 * (src/libcharon/plugins/vici/README.md in strongSwan's source):
 *
 *   transport: u32 length (network order, excluding itself), then that
 *              many bytes, at most 512 KiB
 *   packet:    u8 type; named types (CMD_REQUEST, EVENT_REGISTER,
 *              EVENT_UNREGISTER, EVENT) then u8 name length + name;
 *              the rest is a message
 *   message:   elements: u8 type; SECTION_START, KEY_VALUE, LIST_START
 *              then u8 name length + name; KEY_VALUE, LIST_ITEM then u16
 *              value length (network order) + value
 *
 * Everything charon sends is bounds-checked: a malformed or truncated
 * message is an error, never a crash.
 */
#ifndef GRESEC_VICI_H
#define GRESEC_VICI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Packet types. */
enum {
	VICI_CMD_REQUEST = 0,
	VICI_CMD_RESPONSE = 1,
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,
	VICI_EVENT_UNREGISTER = 4,
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7,
};

/* Message element types. */
enum {
	VICI_SECTION_START = 1,
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,
	VICI_LIST_START = 4,
	VICI_LIST_ITEM = 5,
	VICI_LIST_END = 6,
};

/* charon refuses longer segments; so do we. */
#define VICI_MAX_SEGMENT (512 * 1024)
/* Deeper nesting than any charon message has is refused. */
#define VICI_MAX_DEPTH 32

#define VICI_DEFAULT_SOCKET "/var/run/charon.vici"

/*
 * A decoded message: a tree of sections (type VICI_SECTION_START, the root
 * has name ""), key/values (VICI_KEY_VALUE), lists (VICI_LIST_START) and
 * list items (VICI_LIST_ITEM, no name).  Names and values are copied and
 * NUL-terminated; value_len is the value's length on the wire (a value
 * with a NUL byte in it reads as shorter as a string).
 */
struct vici_node {
	int type;
	char *name;
	char *value;
	size_t value_len;
	struct vici_node *child;	/* first member of a section or list */
	struct vici_node *next;		/* next sibling */
};

/* Decodes a message; NULL with *why set if it is malformed. */
struct vici_node *vici_decode(const uint8_t *buf, size_t len, const char **why);
void vici_free(struct vici_node *n);
/* The member of section sec named name (first match), or NULL. */
const struct vici_node *vici_get(const struct vici_node *sec, const char *name);
/* The value of key/value name in sec, or NULL. */
const char *vici_str(const struct vici_node *sec, const char *name);

/* A packet as received; name and msg point into the receive buffer. */
struct vici_packet {
	uint8_t type;
	char name[256];
	const uint8_t *msg;
	size_t msg_len;
};

/* Parses a transport segment (without the length) into p. */
int vici_packet_parse(const uint8_t *buf, size_t len, struct vici_packet *p,
		      const char **why);

/*
 * Appends a key/value element to a message being built in buf (cap bytes,
 * *len used).  Returns false if it does not fit or a length is too long.
 */
bool vici_put_kv(uint8_t *buf, size_t cap, size_t *len, const char *key,
		 const char *value);

struct vici_conn {
	int fd;
	int timeout_ms;		/* for the whole exchange */
	long long deadline_ms;
	uint8_t *buf;
	size_t cap;
};

/*
 * Connects to charon's vici socket (path; NULL: the default).  Returns 0
 * or -errno: -ENOENT / -ECONNREFUSED mean charon is not running.
 */
int vici_connect(struct vici_conn *c, const char *path, int timeout_ms);
void vici_close(struct vici_conn *c);

/*
 * A streaming command: registers for event, sends cmd with the request
 * message req, calls cb on every event message until the command's
 * response, unregisters.  cb returns 0 to go on, else stops the stream
 * with that value.  Returns 0, cb's value, or -1 with *why set.
 */
int vici_stream(struct vici_conn *c, const char *cmd, const uint8_t *req,
		size_t req_len, const char *event,
		int (*cb)(void *ctx, const struct vici_node *msg), void *ctx,
		const char **why);

#endif
