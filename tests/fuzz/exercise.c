/*
 * exercise.c - every query of the library over one dump (see exercise.h).
 *
 * The calls follow the commands: info (hl_get_info, hl_dump_list),
 * histogram (three groupings, reachable and unreachable, every sort key,
 * before and after the dominator tree), dominators (a bounded walk of the
 * tree from the virtual root), suspects (MAT's defaults and a low
 * threshold that reports nearly everything), path (both reference
 * policies), show (fields, statics, elements, references both ways,
 * previews, strings), threads and strings (duplicates and matches).  The
 * per-object calls run on a sample: the first and last objects and an even
 * spread between, at most SAMPLE_MAX in all, so a large input stays cheap.
 */
#include "exercise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE_MAX 160
#define TREE_MAX 4096
#define MAX_DUMPS 3

struct run {
	hl_heap *h;
	struct hlfz_result *r;
	char buf[4096], esc[4096];
};

/* Remember the first status that a query should not give: not a missing
 * object, a bad argument, or a refusal of a hostile dump (HL_E_FORMAT,
 * e.g. thread stacks far larger than the dump). */
static void note(struct run *x, const char *call, hl_status st)
{
	if (st == HL_OK || st == HL_E_NOOBJECT || st == HL_E_USAGE ||
	    st == HL_E_FORMAT)
		return;
	if (x->r->worst == HL_OK) {
		x->r->worst = st;
		x->r->worst_call = call;
	}
}

/* Text from the dump goes through both cleaners, as the commands do. */
static void print_safe(struct run *x, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	hl_utf8_clean(s ? s : "", n, x->buf, sizeof(x->buf));
	hl_escape(x->buf, strlen(x->buf), x->esc, sizeof(x->esc));
	hl_escape(s ? s : "", n, x->esc, 16); /* a cut at a small cap */
}

static void do_info(struct run *x)
{
	hl_info info;
	uint64_t offs[4], recs[4];

	hl_get_info(x->h, &info);
	hl_dump_list(x->h, offs, recs, 4);
	print_safe(x, info.version);
}

static void do_classes(struct run *x)
{
	uint32_t n = hl_class_count(x->h), c;
	char name[256];

	for (c = 0; c < n && c < 512; c++) {
		print_safe(x, hl_class_name(x->h, c));
		(void)hl_class_id(x->h, c);
		(void)hl_class_object(x->h, c);
		(void)hl_class_super(x->h, c);
		(void)hl_class_loader_id(x->h, c);
		print_safe(x, hl_class_loader_name(x->h, c, name, sizeof(name)));
		(void)hl_class_instance_size(x->h, c);
	}
	/* Out-of-range class numbers must be harmless too. */
	(void)hl_class_super(x->h, n);
}

static void do_histograms(struct run *x)
{
	static const int keys[] = { HL_SORT_SHALLOW, HL_SORT_INSTANCES,
				    HL_SORT_RETAINED, HL_SORT_NAME };
	int by, unreach;
	size_t k, i;

	for (by = HL_BY_CLASS; by <= HL_BY_LOADER; by++)
		for (unreach = 0; unreach < 2; unreach++) {
			hl_histogram t;
			hl_status st = hl_histogram_build(x->h, by, unreach, &t);

			note(x, "hl_histogram_build", st);
			if (st != HL_OK)
				continue;
			for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				hl_histogram_sort(&t, keys[k]);
			for (i = 0; i < t.count && i < 64; i++)
				print_safe(x, t.rows[i].name);
			hl_histogram_free(&t);
		}
}

/* A depth-first walk of the dominator tree, at most TREE_MAX nodes. */
static void do_tree(struct run *x)
{
	hl_obj *stack = malloc(TREE_MAX * sizeof(*stack));
	size_t top = 0, seen = 0;

	if (!stack)
		return;
	stack[top++] = HL_ROOT;
	(void)hl_total_heap(x->h);
	while (top && seen < TREE_MAX) {
		hl_obj o = stack[--top];
		const hl_obj *kids;
		size_t n = hl_dominated(x->h, o, &kids), i;

		seen++;
		if (o != HL_ROOT) {
			(void)hl_retained(x->h, o);
			(void)hl_idom(x->h, o);
		}
		for (i = 0; i < n && top < TREE_MAX; i++)
			stack[top++] = kids[i];
	}
	free(stack);
}

static void do_suspects(struct run *x)
{
	hl_suspect_options opts[2] = { { 10, 100000, 1 }, { 0.5, 2, 100 } };
	int k;

	for (k = 0; k < 2; k++) {
		hl_suspect *s = NULL;
		size_t n = 0, i, j;
		hl_status st = hl_find_suspects(x->h, &opts[k], &s, &n);

		note(x, "hl_find_suspects", st);
		if (st != HL_OK)
			continue;
		for (i = 0; i < n; i++) {
			print_safe(x, s[i].why);
			print_safe(x, s[i].static_field);
			for (j = 0; j < s[i].ntop; j++)
				print_safe(x, s[i].top[j].text);
		}
		hl_suspects_free(s, n);
	}
}

static void do_paths(struct run *x, hl_obj o)
{
	int flags;

	for (flags = 0; flags <= HL_PATH_ALL_REFS; flags += HL_PATH_ALL_REFS) {
		hl_path *p = NULL;
		size_t n = 0, i, k;
		char label[128];
		hl_status st = hl_paths_from_roots(x->h, o, 5, flags, &p, &n);

		note(x, "hl_paths_from_roots", st);
		if (st != HL_OK)
			continue;
		for (i = 0; i < n; i++)
			for (k = 0; k + 1 < p[i].len; k++)
				hl_ref_label(x->h, p[i].objs[k], p[i].objs[k + 1],
					     label, sizeof(label));
		hl_paths_free(p, n);
	}
}

static void do_fields(struct run *x, hl_obj o)
{
	hl_field_value f[64], one;
	size_t n = hl_object_fields(x->h, o, f, 64), i;
	char val[64];

	for (i = 0; i < n && i < 64; i++) {
		print_safe(x, f[i].name);
		print_safe(x, f[i].declared_in);
		hl_format_value(f[i].type, f[i].bits, val, sizeof(val));
		hl_format_value(f[i].type, f[i].bits, val, 3);
	}
	if (hl_object_field(x->h, o, "value", &one))
		hl_format_value(one.type, one.bits, val, sizeof(val));
	(void)hl_object_field(x->h, o, "next", &one);
}

static void do_refs(struct run *x, hl_obj o)
{
	hl_ref out[32];
	const hl_obj *in;
	size_t n = hl_outbound(x->h, o, out, 32), i;
	char label[128];

	for (i = 0; i < n && i < 32; i++)
		print_safe(x, out[i].label);
	n = hl_inbound(x->h, o, &in);
	for (i = 0; i < n && i < 32; i++)
		hl_ref_label(x->h, in[i], o, label, sizeof(label));
	(void)hl_root_kinds(x->h, o);
}

static void do_values(struct run *x, hl_obj o)
{
	uint64_t v[64];
	int type;
	size_t n, i;
	char val[64];

	n = hl_array_values(x->h, o, 0, v, 64, &type);
	for (i = 0; i < n; i++)
		hl_format_value(type, v[i], val, sizeof(val));
	(void)hl_array_values(x->h, o, hl_array_length(x->h, o) / 2, v, 64,
			      &type);
	(void)hl_array_values(x->h, o, UINT64_MAX - 1, v, 64, &type);
	hl_string_value(x->h, o, 200, x->buf, sizeof(x->buf));
	print_safe(x, x->buf);
	hl_string_value(x->h, o, 0, x->buf, 8);
	(void)hl_string_length(x->h, o);
	hl_object_preview(x->h, o, 80, x->buf, sizeof(x->buf));
	print_safe(x, x->buf);
	hl_object_preview(x->h, o, 3, x->buf, 12);
}

/* What show does for one object, and a path query. */
static void do_object(struct run *x, hl_obj o, int paths)
{
	hl_obj back;
	uint64_t id = hl_object_id(x->h, o);

	if (hl_find_object(x->h, id, &back) == HL_OK && back != o)
		note(x, "hl_find_object (round trip)", HL_E_STATE);
	(void)hl_object_kind(x->h, o);
	(void)hl_object_class(x->h, o);
	(void)hl_object_as_class(x->h, o);
	(void)hl_object_shallow(x->h, o);
	(void)hl_object_reachable(x->h, o);
	(void)hl_retained(x->h, o);
	(void)hl_idom(x->h, o);
	do_fields(x, o);
	do_refs(x, o);
	do_values(x, o);
	if (paths)
		do_paths(x, o);
}

static void do_objects(struct run *x)
{
	uint32_t n = hl_object_count(x->h), o, step;
	unsigned done = 0;
	hl_obj none;

	step = n / 64 ? n / 64 : 1;
	for (o = 0; o < n && done < SAMPLE_MAX; done++) {
		do_object(x, o, done % 4 == 0);
		o = o < 48 || n - o <= 48 ? o + 1 : o + step;
		if (o < n - 48 && o + step >= n - 48 && n > 48)
			o = n - 48;
	}
	(void)hl_find_object(x->h, 0x12345678, &none);
	(void)hl_find_object(x->h, UINT64_MAX, &none);
}

static void do_threads(struct run *x)
{
	hl_thread_list t;
	size_t i, k;
	hl_status st = hl_thread_list_build(x->h, &t);

	note(x, "hl_thread_list_build", st);
	if (st != HL_OK)
		return;
	for (i = 0; i < t.count; i++) {
		print_safe(x, t.threads[i].name);
		for (k = 0; k < t.threads[i].nframes; k++) {
			print_safe(x, t.threads[i].frames[k].class_name);
			print_safe(x, t.threads[i].frames[k].method);
			print_safe(x, t.threads[i].frames[k].signature);
			print_safe(x, t.threads[i].frames[k].source);
		}
	}
	hl_thread_list_free(&t);
}

static void do_strings(struct run *x)
{
	static const char *const rx[] = { "a", "^$", ".*", "[[:alpha:]]+x" };
	hl_string_dups d;
	hl_obj *objs;
	size_t n, i;
	hl_status st;

	st = hl_string_dups_build(x->h, 1, 0, &d);
	note(x, "hl_string_dups_build", st);
	if (st == HL_OK)
		hl_string_dups_free(&d);
	st = hl_string_dups_build(x->h, 2, 25, &d);
	note(x, "hl_string_dups_build", st);
	if (st == HL_OK)
		hl_string_dups_free(&d);
	for (i = 0; i < sizeof(rx) / sizeof(rx[0]); i++) {
		st = hl_string_match(x->h, rx[i], i & 1 ? HL_MATCH_ICASE : 0,
				     &objs, &n);
		note(x, "hl_string_match", st);
		if (st == HL_OK)
			hl_string_match_free(objs);
	}
}

static void analyse(struct run *x)
{
	hl_status st;

	do_info(x);
	do_classes(x);
	do_histograms(x);
	do_strings(x); /* before the tree: retained sizes are 0 */
	st = hl_compute_dominators(x->h);
	note(x, "hl_compute_dominators", st);
	if (st != HL_OK)
		return;
	(void)hl_compute_dominators(x->h); /* the second call is free */
	do_histograms(x);
	do_tree(x);
	do_suspects(x);
	do_objects(x);
	do_threads(x);
	do_strings(x);
	/* Last: a bad expression is recorded as the handle's error. */
	{
		hl_obj *objs;
		size_t n;

		if (hl_string_match(x->h, "(", 0, &objs, &n) == HL_OK)
			hl_string_match_free(objs);
	}
}

static hl_status open_one(const char *path, const char *tmpdir, int strict,
			  int dump, hl_heap **h)
{
	hl_open_options o;

	memset(&o, 0, sizeof(o));
	o.strict = strict;
	o.dump_index = dump;
	o.tmpdir = tmpdir;
	o.threads = 1;
	return hl_open(path, &o, h);
}

hl_status hlfz_exercise(const char *path, const char *tmpdir,
			struct hlfz_result *r)
{
	struct run *x = calloc(1, sizeof(*x));
	hl_heap *h = NULL;
	hl_info info;
	unsigned ndumps = 1, d;

	memset(r, 0, sizeof(*r));
	if (!x)
		return r->open_status = HL_E_NOMEM;
	x->r = r;
	r->strict_status = open_one(path, tmpdir, 1, 0, &h);
	snprintf(r->strict_message, sizeof(r->strict_message), "%s", hl_errmsg(h));
	hl_close(h);
	r->open_status = open_one(path, tmpdir, 0, 0, &h);
	snprintf(r->message, sizeof(r->message), "%s", hl_errmsg(h));
	if (r->open_status == HL_E_MULTIDUMP) {
		hl_close(h);
		h = NULL;
		if (open_one(path, tmpdir, 0, 1, &h) == HL_OK)
			ndumps = hl_dump_list(h, NULL, NULL, 0);
	}
	for (d = 1; h && d <= ndumps && d <= MAX_DUMPS; d++) {
		if (d > 1) {
			hl_close(h);
			h = NULL;
			if (open_one(path, tmpdir, 0, (int)d, &h) != HL_OK)
				break;
		}
		if (hl_errmsg(h)[0])
			break;
		hl_get_info(h, &info);
		if (d == 1) {
			r->objects = info.objects;
			r->warnings = info.warnings;
			r->dangling_refs = info.dangling_refs;
			r->truncated_bytes = info.truncated_bytes;
		}
		x->h = h;
		analyse(x);
		r->dumps++;
	}
	hl_close(h);
	free(x);
	return r->open_status;
}
