/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --json output, one schema for every subcommand (stacktapctl(8), JSON
 * OUTPUT): frames as objects, return values as numbers with their errno.
 */
#ifndef STACKTAP_JSON_H
#define STACKTAP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* @s as a JSON string, control characters escaped. */
void json_str(const char *s);

/* @n bytes as a JSON string: past ASCII as \u00XX (a cut may split a character). */
void json_bytes(const unsigned char *s, size_t n);

/*
 * A frame's keys, no braces: "symbol", "offset", "size", "module" from
 * the kernel's name of it ("f+0x10/0x40 [mod]", "0x... [unloaded]",
 * "[unknown]"), null where the name has none, "unloaded": true for text
 * of a module gone since, and "addr" from @addr, or from a bare address
 * in the name; none when the reader may not see addresses (@addr NULL).
 */
void json_frame_keys(const char *name, const uint64_t *addr);

/* Frame 0's function as "func": its symbol, or null (@name NULL: no frame). */
void json_func(const char *name);

/* { json_frame_keys } */
void json_frame(const char *name, const uint64_t *addr);

/*
 * A user frame: {"symbol", "offset", "binary", "addr", "file", "line"}
 * from its name ("func+0xOFF (BINARY)", "[unknown] (BINARY)" or a bare
 * address) and "FILE:LINE" (@line; "" when not known), null where not
 * known.
 */
void json_uframe(const char *name, const char *line, uint64_t addr);
/* The same from a live frame's text: "0xADDR", or "0xADDR NAME". */
void json_uframe_text(const char *text, uint64_t addr);

/* "ret": N, "errno": "ENOENT" or null: a return value as a signed number. */
void json_ret(uint64_t value);

#endif
