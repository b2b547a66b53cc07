// SPDX-License-Identifier: GPL-2.0
/*
 * funcs GLOB: the kernel's and the loaded modules' functions that GLOB
 * matches, from /proc/kallsyms, and which of p:, r: and f: each can take,
 * as the module finds when it tries (FUNCS_CHECK, nothing armed).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "../include/uapi/linux/stacktap.h"
#include "funcs.h"
#include "nl.h"
#include "records.h"

extern const char *prog;

/* More than this is no question about a function: narrow the glob. */
#define FUNCS_MAX	2000
/* A request's names take at most this much of libmnl's 4 KiB buffer. */
#define FUNCS_REQ_BYTES	3072
/* Ours, never the module's: a name too long for any probe spec. */
#define FUNC_TOO_LONG	0x80000000u

struct func {
	char *name;		/* "SYM", or "MOD:SYM" for a module's */
	const char *sym;	/* SYM within name */
	unsigned int symbols;	/* kallsyms entries of that name */
	uint32_t flags;		/* STACKTAP_FUNC_F_* */
};

struct funcs {
	struct func *f;
	size_t n, cap;
};

static int func_cmp(const void *a, const void *b)
{
	return strcmp(((const struct func *)a)->name, ((const struct func *)b)->name);
}

/* Add @name once; count the kallsyms entries it has. */
static int funcs_add(struct funcs *l, const char *sym, const char *mod)
{
	struct func *more;
	size_t i, len = strlen(sym) + (mod ? strlen(mod) + 1 : 0) + 1;
	char *name = malloc(len);

	if (!name)
		return -1;
	if (mod)
		snprintf(name, len, "%s:%s", mod, sym);
	else
		snprintf(name, len, "%s", sym);
	/* Same-named static functions sit next to each other rarely: search. */
	for (i = l->n; i-- > 0;) {
		if (!strcmp(l->f[i].name, name)) {
			l->f[i].symbols++;
			free(name);
			return 0;
		}
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		more = realloc(l->f, l->cap * sizeof(*more));
		if (!more) {
			free(name);
			return -1;
		}
		l->f = more;
	}
	l->f[l->n].name = name;
	l->f[l->n].sym = name + (mod ? strlen(mod) + 1 : 0);
	l->f[l->n].symbols = 1;
	/* add refuses it (STACKTAP_SYMBOL_MAX): no need to ask. */
	l->f[l->n].flags = strlen(name) >= STACKTAP_SYMBOL_MAX ? FUNC_TOO_LONG : 0;
	l->n++;
	return 0;
}

/*
 * The functions in /proc/kallsyms that @glob matches: "GLOB" over every
 * function, "MOD:GLOB" over module MOD's.  0, or an errno.
 */
static int funcs_read(struct funcs *l, const char *glob)
{
	char line[1024], type, sym[512], mod[256], want_mod[256] = "";
	const char *colon = strchr(glob, ':');
	FILE *f = fopen("/proc/kallsyms", "r");
	int n, err = 0;

	if (!f)
		return errno;
	if (colon) {
		snprintf(want_mod, sizeof(want_mod), "%.*s", (int)(colon - glob), glob);
		glob = colon + 1;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		mod[0] = '\0';
		n = sscanf(line, "%*s %c %511s [%255[^]]]", &type, sym, mod);
		if (n < 2 || (type != 't' && type != 'T'))
			continue;
		/*
		 * Not functions: the padding and CFI stubs before them, gcc's
		 * .cold fragments (jumped to, not called), and the code of
		 * kallsyms' pseudo-modules ([bpf], [__builtin__ftrace]...).
		 */
		if (!strncmp(sym, "__pfx_", 6) || !strncmp(sym, "__cfi_", 6) ||
		    strstr(sym, ".cold") || !strcmp(mod, "bpf") || !strncmp(mod, "__builtin__", 11))
			continue;
		if ((want_mod[0] && strcmp(mod, want_mod)) || fnmatch(glob, sym, 0))
			continue;
		if (funcs_add(l, sym, mod[0] ? mod : NULL))
			err = ENOMEM;
		if (l->n > FUNCS_MAX)
			err = E2BIG;
	}
	fclose(f);
	return err;
}

/* One FUNCS_CHECK request: the functions asked about, in order. */
struct check {
	struct func *f[STACKTAP_SYMBOLIZE_MAX];
	unsigned int n, got;
};

static void check_put(struct nlmsghdr *nlh, void *data)
{
	struct check *c = data;
	unsigned int i;

	for (i = 0; i < c->n; i++)
		mnl_attr_put_strz(nlh, STACKTAP_A_SYMBOL, c->f[i]->name);
}

static int check_cb(const struct nlmsghdr *nlh, void *data)
{
	struct check *c = data;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != STACKTAP_A_FUNC_FLAGS || c->got >= c->n ||
		    mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			continue;
		c->f[c->got++]->flags = mnl_attr_get_u32(a);
	}
	return MNL_CB_OK;
}

/*
 * The next request's functions from *@next on: at most 64, their names
 * within FUNCS_REQ_BYTES, none too long for a spec.
 */
static void check_fill(struct check *c, struct funcs *l, size_t *next)
{
	size_t bytes = 0, len;

	c->n = c->got = 0;
	for (; *next < l->n && c->n < STACKTAP_SYMBOLIZE_MAX; (*next)++) {
		if (l->f[*next].flags & FUNC_TOO_LONG)
			continue;
		len = MNL_ALIGN(MNL_ATTR_HDRLEN + strlen(l->f[*next].name) + 1);
		if (bytes + len > FUNCS_REQ_BYTES)
			break;
		bytes += len;
		c->f[c->n++] = &l->f[*next];
	}
}

/* p: "yes", "ftrace" (served through ftrace) or "no"; r: and f: yes or no. */
static const char *func_p(uint32_t fl)
{
	if (fl & STACKTAP_FUNC_F_KPROBE)
		return "yes";
	return fl & STACKTAP_FUNC_F_VIA_FTRACE ? "ftrace" : "no";
}

/* r: the same: "ftrace" where ftrace takes its return (MIPS). */
static const char *func_r(uint32_t fl)
{
	if (fl & STACKTAP_FUNC_F_KPROBE)
		return "yes";
	return fl & STACKTAP_FUNC_F_R_VIA_FTRACE ? "ftrace" : "no";
}

/* Why a function takes less than every kind, or "". */
static const char *func_note(const struct func *f)
{
	uint32_t fl = f->flags;

	if (fl & FUNC_TOO_LONG)
		return "name too long for a probe spec";
	if (fl & STACKTAP_FUNC_F_UNKNOWN)
		return "gone (its module was unloaded)";
	if (fl & STACKTAP_FUNC_F_R_VIA_FTRACE)
		return "entry is an ftrace call site: p: and r: through ftrace";
	if (fl & STACKTAP_FUNC_F_FTRACE_SITE)
		return "entry is an ftrace call site: no kretprobe";
	if (!(fl & STACKTAP_FUNC_F_KPROBE))
		return (fl & STACKTAP_FUNC_F_FTRACE) ? "kprobes refuse it (blacklisted)" :
						       "kprobes refuse it, not traceable";
	if (!(fl & STACKTAP_FUNC_F_FTRACE))
		return "not traceable (notrace)";
	return "";
}

static void funcs_print(const struct funcs *l, int json)
{
	const struct func *f;
	size_t i;

	if (json)
		printf("[");
	else
		printf("%-40s %-6s %-6s %-3s %s\n", "FUNCTION", "p:", "r:", "f:", "NOTE");
	for (i = 0; i < l->n; i++) {
		f = &l->f[i];
		if (json) {
			printf("%s\n  {\"function\": ", i ? "," : "");
			json_str(f->sym);
			printf(", \"module\": ");
			if (f->sym != f->name) {
				char mod[256];

				snprintf(mod, sizeof(mod), "%.*s", (int)(f->sym - f->name - 1), f->name);
				json_str(mod);
			} else {
				printf("null");
			}
			printf(", \"p\": %s, \"p_via_ftrace\": %s, \"r\": %s, \"r_via_ftrace\": %s, \"f\": %s, \"symbols\": %u, \"note\": ",
			       strcmp(func_p(f->flags), "no") ? "true" : "false",
			       !strcmp(func_p(f->flags), "ftrace") ? "true" : "false",
			       strcmp(func_r(f->flags), "no") ? "true" : "false",
			       !strcmp(func_r(f->flags), "ftrace") ? "true" : "false",
			       f->flags & STACKTAP_FUNC_F_FTRACE ? "true" : "false", f->symbols);
			json_str(func_note(f));
			printf("}");
			continue;
		}
		printf("%-40s %-6s %-6s %-3s %s", f->name, func_p(f->flags), func_r(f->flags),
		       f->flags & STACKTAP_FUNC_F_FTRACE ? "yes" : "no", func_note(f));
		if (f->symbols > 1)
			printf("%s%u functions of this name: p: and r: take the first, f: all",
			       func_note(f)[0] ? "; " : "", f->symbols);
		putchar('\n');
	}
	if (json)
		printf("%s]\n", l->n ? "\n" : "");
}

int cmd_funcs(int argc, char **argv, int json)
{
	struct funcs l = { 0 };
	struct st_conn conn;
	size_t i;
	int err, ret = 1;

	if (argc != 2)
		return -1;
	err = funcs_read(&l, argv[1]);
	if (err == E2BIG) {
		fprintf(stderr, "%s: funcs: '%s' matches more than %d functions: narrow it\n",
			prog, argv[1], FUNCS_MAX);
		goto out;
	}
	if (err) {
		fprintf(stderr, "%s: funcs: /proc/kallsyms: %s\n", prog, strerror(err));
		goto out;
	}
	qsort(l.f, l.n, sizeof(*l.f), func_cmp);
	err = l.n ? st_conn_open(&conn) : 0;
	if (err) {
		fprintf(stderr, "%s: funcs: %s\n", prog, err == ENOENT ?
			"stacktap module not loaded (try: insmod stacktap.ko)" : strerror(err));
		goto out;
	}
	for (i = 0; i < l.n && !err;) {
		static struct check c;
		struct st_req req = { .cmd = STACKTAP_CMD_FUNCS_CHECK, .cb = check_cb, .data = &c,
				      .put = check_put, .put_data = &c };

		check_fill(&c, &l, &i);
		if (!c.n)
			break;
		err = st_conn_request(&conn, &req);
		if (err) {
			fprintf(stderr, "%s: funcs: %s\n", prog, req.why[0] ? req.why : strerror(err));
		} else if (c.got != c.n) {
			fprintf(stderr, "%s: funcs: the module answered %u of %u functions\n",
				prog, c.got, c.n);
			err = EPROTO;
		}
	}
	if (l.n)
		st_conn_close(&conn);
	if (err)
		goto out;
	if (!l.n && !json) {
		fprintf(stderr, "%s: funcs: no function matches '%s'\n", prog, argv[1]);
		goto out;
	}
	funcs_print(&l, json);
	ret = 0;
out:
	for (i = 0; i < l.n; i++)
		free(l.f[i].name);
	free(l.f);
	return ret;
}
