/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer: objects, arrays, strings (escaped),
 * unsigned numbers, booleans and null.  Pretty (2-space indent) or
 * compact (one line, for monitor -j).  key is NULL for array elements
 * and the top-level value.
 */
#ifndef GRESEC_JSON_H
#define GRESEC_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool not_first[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* Ends the top-level value with a newline. */
void json_finish(struct json *j);

#endif
