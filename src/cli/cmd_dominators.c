/*
 * cmd_dominators.c - heaplens dominators: the top of the dominator tree,
 * or one object's subtree, walked iteratively to --depth; or the top level
 * grouped by class, package or loader (MAT's grouped dominator tree).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct dom_opts {
	uint64_t depth, top;
	double min_percent;
	int has_from, group;
	uint64_t from;
};

static const struct column tree_cols[] = {
	{ "depth", COL_NUM, 1 }, { "id", COL_STR, 0 }, { "class", COL_STR, 0 },
	{ "shallow", COL_NUM, 1 }, { "retained", COL_NUM, 1 },
	{ "percent", COL_PCT, 1 }, { "preview", COL_STR, 0 },
};

static int parse(int argc, char **argv, struct session *s, struct dom_opts *o)
{
	static const struct option opts[] = {
		{ "depth", required_argument, NULL, 'd' },
		{ "top", required_argument, NULL, 't' },
		{ "min-percent", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, 'f' },
		{ "group-by", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts st = { 0, 0 };
	int c;

	while ((c = cli_option(s, argc, argv, "", opts, NULL, &st)) != -1) {
		switch (c) {
		case 'd':
			if (parse_u64(optarg, &o->depth) || !o->depth)
				return cli_usage(s, "--depth: expected a number from 1");
			break;
		case 't':
			if (parse_u64(optarg, &o->top))
				return cli_usage(s, "--top: expected a number (0: all)");
			break;
		case 'm':
			if (parse_double(optarg, &o->min_percent) || o->min_percent > 100)
				return cli_usage(s, "--min-percent: expected 0 to 100");
			break;
		case 'f':
			if (parse_object_id(optarg, &o->from))
				return cli_usage(s, "--from: expected an object id (0x... or decimal)");
			o->has_from = 1;
			break;
		case 'g':
			if (!strcmp(optarg, "class")) o->group = 1 + HL_BY_CLASS;
			else if (!strcmp(optarg, "package")) o->group = 1 + HL_BY_PACKAGE;
			else if (!strcmp(optarg, "loader")) o->group = 1 + HL_BY_LOADER;
			else return cli_usage(s, "--group-by: expected class, package or loader");
			break;
		}
	}
	if (st.error)
		return st.error;
	if (optind != argc - 1)
		return cli_usage(s, "usage: heaplens dominators [options] DUMP");
	s->dump_path = argv[optind];
	return EXIT_OK;
}

static double pct(const struct session *s, uint64_t v)
{
	uint64_t total = hl_total_heap(s->heap);

	return total ? 100.0 * (double)v / (double)total : 0.0;
}

static void object_row(struct session *s, struct table *t, uint64_t depth,
		       hl_obj o)
{
	char id[32], preview[400];
	hl_cls c = hl_object_class(s->heap, o);
	struct cell cells[7];

	snprintf(id, sizeof(id), "0x%llx", (unsigned long long)hl_object_id(s->heap, o));
	hl_object_preview(s->heap, o, 80, preview, sizeof(preview));
	cells[0] = (struct cell){ NULL, depth, 0 };
	cells[1] = (struct cell){ id, 0, 0 };
	cells[2] = (struct cell){ hl_class_name(s->heap, c), 0, 0 };
	cells[3] = (struct cell){ NULL, hl_object_shallow(s->heap, o), 0 };
	cells[4] = (struct cell){ NULL, hl_retained(s->heap, o), 0 };
	cells[5] = (struct cell){ NULL, 0, pct(s, hl_retained(s->heap, o)) };
	cells[6] = (struct cell){ preview, 0, 0 };
	table_row(t, cells);
}

static void more_row(struct session *s, struct table *t, uint64_t depth,
		     size_t count, uint64_t shallow, uint64_t retained)
{
	char what[64];
	struct cell cells[7];

	snprintf(what, sizeof(what), "%zu more", count);
	cells[0] = (struct cell){ NULL, depth, 0 };
	cells[1] = (struct cell){ "", 0, 0 };
	cells[2] = (struct cell){ what, 0, 0 };
	cells[3] = (struct cell){ NULL, shallow, 0 };
	cells[4] = (struct cell){ NULL, retained, 0 };
	cells[5] = (struct cell){ NULL, 0, pct(s, retained) };
	cells[6] = (struct cell){ "", 0, 0 };
	table_row(t, cells);
}

/* How many of the sorted children to show before folding the rest. */
static size_t shown(const struct session *s, const struct dom_opts *o,
		    const hl_obj *kids, size_t n)
{
	size_t k = 0;

	while (k < n && (!o->top || k < o->top) &&
	       pct(s, hl_retained(s->heap, kids[k])) >= o->min_percent)
		k++;
	return k;
}

static void fold(struct session *s, struct table *t, uint64_t depth,
		 const hl_obj *kids, size_t from, size_t n)
{
	uint64_t sh = 0, rt = 0;
	size_t i;

	if (from >= n)
		return;
	for (i = from; i < n; i++) {
		sh += hl_object_shallow(s->heap, kids[i]);
		rt += hl_retained(s->heap, kids[i]);
	}
	more_row(s, t, depth, n - from, sh, rt);
}

/* Depth-first print with an explicit stack of (children, next, count). */
struct frame { const hl_obj *kids; size_t next, show, count; };

static int print_tree(struct session *s, const struct dom_opts *o, hl_obj top)
{
	struct frame *st = calloc(o->depth + 1, sizeof(*st));
	struct table *t = table_begin(s, tree_cols, 7, "objects");
	size_t sp = 0;

	if (!st)
		return EXIT_NOMEM;
	if (top != HL_ROOT)
		object_row(s, t, 0, top);
	st[0].count = hl_dominated(s->heap, top, &st[0].kids);
	st[0].show = shown(s, o, st[0].kids, st[0].count);
	sp = 1;
	while (sp) {
		struct frame *f = &st[sp - 1];
		hl_obj c;

		if (f->next >= f->show) {
			fold(s, t, sp, f->kids, f->show, f->count);
			sp--;
			continue;
		}
		c = f->kids[f->next++];
		object_row(s, t, sp, c);
		if (sp < o->depth) {
			struct frame *g = &st[sp++];

			g->next = 0;
			g->count = hl_dominated(s->heap, c, &g->kids);
			g->show = shown(s, o, g->kids, g->count);
		}
	}
	table_end(t, NULL, NULL);
	free(st);
	return EXIT_OK;
}

struct grp { const char *name; uint64_t objects, shallow, retained; };

static int cmp_grp(const void *a, const void *b)
{
	const struct grp *x = a, *y = b;

	if (x->retained != y->retained)
		return x->retained > y->retained ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Is o a class loader instance? */
static int is_loader(struct session *s, hl_obj o)
{
	hl_cls c;

	if (hl_object_kind(s->heap, o) != HL_INSTANCE)
		return 0;
	for (c = hl_object_class(s->heap, o); c != HL_NONE; c = hl_class_super(s->heap, c))
		if (!strcmp(hl_class_name(s->heap, c), "java.lang.ClassLoader"))
			return 1;
	return 0;
}

/* MAT's groups: by class, the object's class; by package or loader, a
 * class object goes with the class it describes and a class loader with
 * itself. */
static const char *group_name(struct session *s, int by, hl_obj o, char *buf,
			      size_t len)
{
	hl_cls c = hl_object_class(s->heap, o);
	const char *nm = hl_class_name(s->heap, c), *dot;

	if (by == HL_BY_CLASS)
		return nm;
	if (hl_object_as_class(s->heap, o) != HL_NONE) {
		c = hl_object_as_class(s->heap, o);
		nm = hl_class_name(s->heap, c);
	}
	if (by == HL_BY_LOADER) {
		if (is_loader(s, o) && !hl_object_id(s->heap, o)) {
			snprintf(buf, len, "<system class loader>");
			return buf;
		}
		if (is_loader(s, o)) {
			snprintf(buf, len, "%s @ 0x%llx", nm,
				 (unsigned long long)hl_object_id(s->heap, o));
			return buf;
		}
		return hl_class_loader_name(s->heap, c, buf, len);
	}
	dot = strrchr(nm, '.');
	snprintf(buf, len, "%.*s", dot ? (int)(dot - nm) : 17,
		 dot ? nm : "<default package>");
	return buf;
}

/* Grouped top level: children of `top` merged by class/package/loader. */
static int print_groups(struct session *s, const struct dom_opts *o, hl_obj top)
{
	static const struct column cols[] = {
		{ "group", COL_STR, 0 }, { "objects", COL_NUM, 1 },
		{ "shallow", COL_NUM, 1 }, { "retained", COL_NUM, 1 },
		{ "percent", COL_PCT, 1 },
	};
	const hl_obj *kids;
	size_t n = hl_dominated(s->heap, top, &kids), i, ng = 0;
	struct grp *g = calloc(n + 1, sizeof(*g));
	char **names = calloc(n + 1, sizeof(char *));
	struct table *t;

	if (!g || !names) {
		free(g);
		free(names);
		return EXIT_NOMEM;
	}
	for (i = 0; i < n; i++) { /* few groups: linear probing over names */
		char buf[256];
		const char *nm = group_name(s, o->group - 1, kids[i], buf, sizeof(buf));
		size_t k;

		for (k = 0; k < ng && strcmp(g[k].name, nm); k++)
			;
		if (k == ng) {
			names[ng] = strdup(nm);
			g[ng++].name = names[k] ? names[k] : "";
		}
		g[k].objects++;
		g[k].shallow += hl_object_shallow(s->heap, kids[i]);
		g[k].retained += hl_retained(s->heap, kids[i]);
	}
	qsort(g, ng, sizeof(*g), cmp_grp);
	t = table_begin(s, cols, 5, "groups");
	for (i = 0; i < ng && (!o->top || i < o->top); i++) {
		struct cell c[5] = {
			{ g[i].name, 0, 0 }, { NULL, g[i].objects, 0 },
			{ NULL, g[i].shallow, 0 }, { NULL, g[i].retained, 0 },
			{ NULL, 0, pct(s, g[i].retained) } };

		table_row(t, c);
	}
	table_end(t, NULL, NULL);
	for (i = 0; i < ng; i++)
		free(names[i]);
	free(names);
	free(g);
	return EXIT_OK;
}

int cmd_dominators(int argc, char **argv, struct session *s)
{
	struct dom_opts o = { 1, 25, 0.0, 0, 0, 0 };
	hl_obj top = HL_ROOT;
	int code = parse(argc, argv, s, &o);

	if (code)
		return code;
	code = session_open(s, NEED_DOMINATORS);
	if (code)
		return code;
	if (o.has_from) {
		if (hl_find_object(s->heap, o.from, &top) != HL_OK) {
			cli_error(s, "%s: no object 0x%llx in the dump", s->dump_path,
				  (unsigned long long)o.from);
			return EXIT_NOOBJ;
		}
		if (!hl_object_reachable(s->heap, top)) {
			cli_error(s, "%s: object 0x%llx is unreachable: it has no place in the dominator tree",
				  s->dump_path, (unsigned long long)o.from);
			return EXIT_NOOBJ;
		}
	}
	if (o.group)
		return print_groups(s, &o, top);
	return print_tree(s, &o, top);
}
