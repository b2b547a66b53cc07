// SPDX-License-Identifier: GPL-2.0
/*
 * An interactive flame graph as one SVG file, from folded stacks: a
 * browser opens it as is.  Root at the bottom, a frame's width its count.
 * Hovering a frame shows its title (name, count, share); clicking zooms
 * to it; "Search" (or Ctrl-F) highlights the frames whose names match a
 * regular expression and says what share of all hits they hold; "Reset
 * zoom" goes back.  The script is ours and small; the page calls no
 * network.
 *
 * A differential flame graph (diff A B --svg) is the same page with a
 * frame as wide as the larger of its counts in A and in B, so that stacks
 * that vanished show as well as those that appeared, and coloured by the
 * change: red grew, blue shrank, the deeper the more; grey the same.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"

#define FG_WIDTH	1200
#define FG_FRAME	16	/* a frame's height */
#define FG_TOP		40	/* title, buttons and the search's result */
#define FG_BOTTOM	24	/* the hovered frame's details */

struct fg_node {
	char *name;
	uint64_t count;
	uint64_t a, b;		/* differential: its counts in A and in B */
	struct fg_node *child, *next;
};

static struct fg_node *fg_child(struct fg_node *parent, const char *name, size_t len)
{
	struct fg_node **p, *n;

	for (p = &parent->child; *p; p = &(*p)->next)
		if (!strncmp((*p)->name, name, len) && !(*p)->name[len])
			return *p;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->name = strndup(name, len);
	if (!n->name) {
		free(n);
		return NULL;
	}
	*p = n;		/* children in the order first met */
	return n;
}

/* Add a folded stack ("root;...;leaf") as wide as its count; 0 or -1. */
static int fg_add(struct fg_node *root, const struct fg_stack *st)
{
	struct fg_node *n = root;
	const char *p = st->stack;
	uint64_t count = st->count;
	size_t len;

	root->count += count;
	while (*p) {
		len = strcspn(p, ";");
		n = fg_child(n, p, len);
		if (!n)
			return -1;
		n->count += count;
		n->a += st->a;
		n->b += st->b;
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}

static void fg_free(struct fg_node *n)
{
	struct fg_node *c, *next;

	for (c = n->child; c; c = next) {
		next = c->next;
		fg_free(c);
	}
	free(n->name);
	if (n->name)	/* the root is not allocated */
		free(n);
}

static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			/* Control bytes and non-ASCII (a path's) would break the XML. */
			fputc((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ? '?' : *s, f);
		}
	}
}

/* Warm for the kernel, cool for a module's functions, green for inlined ones. */
static void fg_color(const char *name, char *out, size_t size)
{
	unsigned int h = 5381;
	const char *c;

	for (c = name; *c; c++)
		h = h * 33 + (unsigned char)*c;
	if (strstr(name, "_[i]"))
		snprintf(out, size, "rgb(%u,%u,%u)", 80 + h % 60, 190 + h % 50, 80 + h % 40);
	else if (strstr(name, "_["))
		snprintf(out, size, "rgb(%u,%u,%u)", 80 + h % 50, 170 + h % 60, 200 + h % 50);
	else
		snprintf(out, size, "rgb(%u,%u,%u)", 205 + h % 50, 80 + h % 130, 40 + h % 40);
}

/* Red where B has more than A, blue where less, by the share of change. */
static void fg_diff_color(const struct fg_node *n, char *out, size_t size)
{
	uint64_t big = n->a > n->b ? n->a : n->b;
	unsigned int fade;

	if (n->a == n->b || !big) {
		snprintf(out, size, "rgb(215,215,215)");
		return;
	}
	/* 0 (no change) .. 160 (appeared or vanished) */
	fade = (unsigned int)(160.0 * (double)(n->a > n->b ? n->a - n->b : n->b - n->a) / big);
	if (n->b > n->a)
		snprintf(out, size, "rgb(255,%u,%u)", 220 - fade, 220 - fade);
	else
		snprintf(out, size, "rgb(%u,%u,255)", 220 - fade, 220 - fade);
}

/* Emit @n at @x (in hits from the left) and @depth, then its children. */
static void fg_emit(FILE *f, const struct fg_node *n, uint64_t x, unsigned int depth,
		    uint64_t total, unsigned int height, bool diff)
{
	const struct fg_node *c;
	double px = (double)x * FG_WIDTH / total, w = (double)n->count * FG_WIDTH / total;
	unsigned int y = height - FG_BOTTOM - (depth + 1) * FG_FRAME;
	char color[32];

	if (diff)
		fg_diff_color(n, color, sizeof(color));
	else
		fg_color(n->name, color, sizeof(color));
	fprintf(f, "<g class=\"f\" data-x=\"%" PRIu64 "\" data-w=\"%" PRIu64 "\" data-d=\"%u\">"
		"<title>", x, n->count, depth);
	xml_str(f, n->name);
	if (diff)
		fprintf(f, " (A %" PRIu64 ", B %" PRIu64 ", %+" PRId64 ")</title>", n->a, n->b,
			(int64_t)(n->b - n->a));
	else
		fprintf(f, " (%" PRIu64 " hits, %.2f%%)</title>", n->count,
			100.0 * n->count / total);
	fprintf(f, "<rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%u\" fill=\"%s\" rx=\"2\"/>",
		px, y, w, FG_FRAME - 1, color);
	fprintf(f, "<text x=\"%.2f\" y=\"%u\"></text></g>\n", px + 3, y + FG_FRAME - 4);
	for (c = n->child; c; c = c->next) {
		fg_emit(f, c, x, depth + 1, total, height, diff);
		x += c->count;
	}
}

static unsigned int fg_depth(const struct fg_node *n)
{
	const struct fg_node *c;
	unsigned int d = 0, cd;

	for (c = n->child; c; c = c->next) {
		cd = fg_depth(c) + 1;
		if (cd > d)
			d = cd;
	}
	return d;
}

/* What runs in the browser: the names' text, zoom, search, details. */
static const char fg_script[] =
"var W = " "1200" ", all = [], total = 0, zoomed = null;\n"
"function num(g, k) { return +g.getAttribute('data-' + k); }\n"
"function fit(g, x, w) {\n"
"  var r = g.querySelector('rect'), t = g.querySelector('text');\n"
"  var name = g.querySelector('title').textContent.replace(/ \\((\\d+ hits|A \\d+, B).*$/, '');\n"
"  r.setAttribute('x', x); r.setAttribute('width', Math.max(w, 0));\n"
"  t.setAttribute('x', x + 3);\n"
"  var fits = Math.floor((w - 6) / 7);\n"
"  t.textContent = fits < 3 ? '' : name.length <= fits ? name : name.substr(0, fits - 2) + '..';\n"
"  g.style.display = w > 0 ? '' : 'none';\n"
"}\n"
"function zoom(z) {\n"
"  zoomed = z;\n"
"  var zx = z ? num(z, 'x') : 0, zw = z ? num(z, 'w') : total, zd = z ? num(z, 'd') : 0;\n"
"  all.forEach(function (g) {\n"
"    var x = num(g, 'x'), w = num(g, 'w'), d = num(g, 'd');\n"
"    if (d < zd) {\n"
"      /* around the zoomed frame: its callers, full width and faded */\n"
"      var holds = x <= zx && x + w >= zx + zw;\n"
"      fit(g, 0, holds ? W : 0); g.style.opacity = holds ? 0.5 : 1;\n"
"      return;\n"
"    }\n"
"    g.style.opacity = 1;\n"
"    if (x + w <= zx || x >= zx + zw) { fit(g, 0, 0); return; }\n"
"    fit(g, (x - zx) * W / zw, w * W / zw);\n"
"  });\n"
"  document.getElementById('unzoom').style.opacity = z ? 1 : 0.3;\n"
"}\n"
"function search(term) {\n"
"  var re, hits = 0, cover = [];\n"
"  if (!term) {\n"
"    all.forEach(function (g) { g.querySelector('rect').removeAttribute('stroke'); g.classList.remove('m'); });\n"
"    document.getElementById('matched').textContent = '';\n"
"    return 0;\n"
"  }\n"
"  re = new RegExp(term);\n"
"  all.forEach(function (g) {\n"
"    var name = g.querySelector('title').textContent.replace(/ \\((\\d+ hits|A \\d+, B).*$/, '');\n"
"    var r = g.querySelector('rect');\n"
"    if (!re.test(name)) { r.removeAttribute('stroke'); g.classList.remove('m'); return; }\n"
"    r.setAttribute('stroke', 'rgb(230,0,230)'); r.setAttribute('stroke-width', 2);\n"
"    g.classList.add('m');\n"
"    cover.push([num(g, 'x'), num(g, 'x') + num(g, 'w')]);\n"
"  });\n"
"  /* hits under any match, a nested match counted once */\n"
"  cover.sort(function (a, b) { return a[0] - b[0]; });\n"
"  var end = -1;\n"
"  cover.forEach(function (c) {\n"
"    if (c[0] >= end) { hits += c[1] - c[0]; end = c[1]; }\n"
"    else if (c[1] > end) { hits += c[1] - end; end = c[1]; }\n"
"  });\n"
"  document.getElementById('matched').textContent =\n"
"    'Matched: ' + (100 * hits / total).toFixed(1) + '% (' + hits + ' of ' + total + ' ' + UNIT + ')';\n"
"  return hits;\n"
"}\n"
"function ask() { var t = prompt('Search (regular expression)'); if (t !== null) search(t); }\n"
"function init() {\n"
"  all = Array.prototype.slice.call(document.querySelectorAll('g.f'));\n"
"  all.forEach(function (g) {\n"
"    if (num(g, 'd') === 0) total += num(g, 'w');\n"
"    g.addEventListener('click', function () { zoom(g); });\n"
"    g.addEventListener('mouseover', function () {\n"
"      document.getElementById('details').textContent = g.querySelector('title').textContent;\n"
"    });\n"
"  });\n"
"  document.getElementById('unzoom').addEventListener('click', function () { zoom(null); });\n"
"  document.getElementById('search').addEventListener('click', ask);\n"
"  document.addEventListener('keydown', function (e) {\n"
"    if ((e.ctrlKey || e.metaKey) && e.key === 'f') { e.preventDefault(); ask(); }\n"
"  });\n"
"  zoom(null);\n"
"}\n"
"window.addEventListener('load', init);\n";

static int fg_svg(FILE *f, const char *title, const struct fg_stack *stacks, size_t n,
		  bool diff)
{
	struct fg_node root = { .name = NULL };
	const struct fg_node *c;
	unsigned int height;
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (fg_add(&root, &stacks[i]))
			goto err_free;
	height = FG_TOP + (fg_depth(&root) + 1) * FG_FRAME + FG_BOTTOM;
	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
		"xmlns=\"http://www.w3.org/2000/svg\" font-family=\"monospace\" font-size=\"12\">\n",
		FG_WIDTH, height, FG_WIDTH, height);
	fprintf(f, "<style>g.f:hover rect { stroke: black; stroke-width: 0.5; } "
		"g.f { cursor: pointer; } #unzoom, #search { cursor: pointer; }</style>\n");
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"rgb(250,250,240)\"/>\n");
	fprintf(f, "<text x=\"%u\" y=\"20\" text-anchor=\"middle\" font-size=\"16\">", FG_WIDTH / 2);
	xml_str(f, title);
	fprintf(f, "</text>\n<text id=\"unzoom\" x=\"10\" y=\"20\">Reset zoom</text>\n"
		"<text id=\"search\" x=\"%u\" y=\"20\" text-anchor=\"end\">Search</text>\n"
		"<text id=\"matched\" x=\"%u\" y=\"34\" text-anchor=\"end\"></text>\n"
		"<text id=\"details\" x=\"10\" y=\"%u\"></text>\n",
		FG_WIDTH - 10, FG_WIDTH - 10, height - 8);
	for (c = root.child; c; c = c->next) {
		fg_emit(f, c, x, 0, root.count ? root.count : 1, height, diff);
		x += c->count;
	}
	/* A differential graph's widths are the larger of two counts, not hits. */
	fprintf(f, "<script type=\"text/ecmascript\"><![CDATA[\nvar UNIT = '%s';\n%s]]></script>\n</svg>\n",
		diff ? "max(A,B) counts" : "hits", fg_script);
	fg_free(&root);
	return ferror(f) ? -1 : 0;

err_free:
	fg_free(&root);
	return -1;
}

int flamegraph_svg(FILE *f, const char *title, const struct fg_stack *stacks, size_t n)
{
	return fg_svg(f, title, stacks, n, false);
}

int flamegraph_diff_svg(FILE *f, const char *title, const struct fg_stack *stacks, size_t n)
{
	return fg_svg(f, title, stacks, n, true);
}

extern const char *prog;

int flamegraph_file(const char *path, const char *cmd, const char *what,
		    const struct fg_stack *stacks, size_t n, bool diff)
{
	FILE *f = fopen(path, "w");
	char title[512];
	int ret;

	if (!f) {
		fprintf(stderr, "%s: %s: %s: %s\n", prog, cmd, path, strerror(errno));
		return -1;
	}
	snprintf(title, sizeof(title), "stacktap%s: %s", diff ? " diff" : "", what);
	ret = fg_svg(f, title, stacks, n, diff);
	if (fclose(f))
		ret = -1;
	if (ret)
		fprintf(stderr, "%s: %s: %s: could not write the flame graph\n", prog, cmd, path);
	else
		fprintf(stderr, "%s: %s: %s: %sflame graph of %zu stacks\n", prog, cmd, path,
			diff ? "differential " : "", n);
	return ret;
}
