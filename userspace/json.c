// SPDX-License-Identifier: GPL-2.0
/*
 * --json output shared by every subcommand, so that a frame, a return
 * value or a string reads the same in show, stream, report and report -i.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "stream.h"

void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

void json_bytes(const unsigned char *s, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			printf("\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			printf("\\u%04x", s[i]);
		else
			putchar(s[i]);
	}
	putchar('"');
}

/* @len bytes of @s as a JSON string. */
static void json_strn(const char *s, size_t len)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
	json_str(buf);
}

void json_frame_keys(const char *name, const uint64_t *addr)
{
	const char *mod = strstr(name, " [");
	unsigned long long off, size, a;
	bool named = name[0] != '[' && strncmp(name, "0x", 2);
	size_t len = strcspn(name, "+ ");
	int end = 0;

	if (mod)
		mod += 2;
	else if (name[0] == '[')
		mod = name + 1;
	/* "[unloaded]" and "[unknown]" name no module. */
	if (mod && (!strncmp(mod, "unloaded]", 9) || !strncmp(mod, "unknown]", 8)))
		mod = NULL;
	printf("\"symbol\": ");
	if (named)
		json_strn(name, len);
	else
		printf("null");
	if (named && name[len] == '+' &&
	    sscanf(name + len, "+0x%llx/0x%llx%n", &off, &size, &end) == 2 && end)
		printf(", \"offset\": %llu, \"size\": %llu", off, size);
	else
		printf(", \"offset\": null, \"size\": null");
	printf(", \"module\": ");
	if (mod)
		json_strn(mod, strcspn(mod, " ]"));
	else
		printf("null");
	if (strstr(name, "[unloaded]"))
		printf(", \"unloaded\": true");
	if (addr)
		printf(", \"addr\": \"0x%" PRIx64 "\"", *addr);
	else if (!named && name[0] == '0' && sscanf(name, "0x%llx", &a) == 1)
		printf(", \"addr\": \"0x%llx\"", a);
}

void json_func(const char *name)
{
	printf("\"func\": ");
	if (name && name[0] != '[' && strncmp(name, "0x", 2))
		json_strn(name, strcspn(name, "+ "));
	else
		printf("null");
}

void json_frame(const char *name, const uint64_t *addr)
{
	putchar('{');
	json_frame_keys(name, addr);
	putchar('}');
}

void json_ret(uint64_t value)
{
	int64_t v = (int64_t)value;
	const char *name = v < 0 && v >= -4095 ? st_errno_name((long)-v) : NULL;

	printf("\"ret\": %" PRId64 ", \"errno\": ", v);
	if (name)
		json_str(name);
	else
		printf("null");
}

void json_uframe(const char *name, const char *line, uint64_t addr)
{
	const char *bin = strstr(name, " (");
	const char *colon = strrchr(line, ':');
	bool named = strncmp(name, "0x", 2) && name[0] != '[';
	char buf[512];

	printf("{\"symbol\": ");
	if (named) {
		json_strn(name, strcspn(name, "+ "));
		printf(", \"offset\": %llu", strchr(name, '+') ?
		       strtoull(strchr(name, '+') + 1, NULL, 16) : 0ULL);
	} else {
		printf("null, \"offset\": null");
	}
	printf(", \"binary\": ");
	if (bin)
		json_strn(bin + 2, strcspn(bin + 2, ")"));
	else
		printf("null");
	printf(", \"addr\": \"0x%" PRIx64 "\", \"file\": ", addr);
	if (colon) {
		snprintf(buf, sizeof(buf), "%.*s", (int)(colon - line), line);
		json_str(buf);
		printf(", \"line\": %u}", (unsigned int)strtoul(colon + 1, NULL, 10));
	} else {
		printf("null, \"line\": null}");
	}
}

void json_uframe_text(const char *text, uint64_t addr)
{
	const char *name = !strncmp(text, "0x", 2) && strchr(text, ' ') ? strchr(text, ' ') + 1 : text;

	json_uframe(name, "", addr);
}
