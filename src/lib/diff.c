/*
 * diff.c - two dumps of one program compared class by class (heaplens
 * diff): instances, shallow and retained bytes of each class in both, and
 * whether the class is new, gone, changed or the same.
 *
 * Each dump's class histogram (hl_histogram_build: reachable objects, MAT's
 * retained size per class) gives one entry per class.  Classes are matched
 * by a key: the class name, or where a name belongs to several classes in
 * either dump (a class loaded by two loaders), "NAME @ LOADER" with a
 * loader label that does not depend on addresses (the loader's class and
 * its `name` field), and " #2", " #3"... in class order when even that
 * repeats.  The entries of both dumps are sorted by key and merged.
 */
#include "lib/heap.h"

#include <stdio.h>
#include <stdlib.h>

struct entry {
	const char *name;  /* the class name */
	size_t key;        /* offset of a qualified key in the pool, or
			    * SIZE_MAX: the key is the name */
	uint32_t row;      /* in the side's histogram */
	uint32_t cls;
	uint8_t side;      /* 0 baseline, 1 the dump */
};

struct differ {
	hl_heap *h[2];
	hl_histogram t[2];
	struct entry *e;
	size_t n;
	hl_strpool pool;
};

static const char *key_of(const struct differ *d, const struct entry *e)
{
	return e->key == SIZE_MAX ? e->name : d->pool.data + e->key;
}

static int cmp_name(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->side != y->side)
		return x->side - y->side;
	return x->cls < y->cls ? -1 : x->cls > y->cls;
}

static int cmp_key(const void *a, const void *b, void *ctx)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(key_of(ctx, x), key_of(ctx, y));

	if (c)
		return c;
	if (x->side != y->side)
		return x->side - y->side;
	return x->cls < y->cls ? -1 : x->cls > y->cls;
}

/* The loader of class c, without addresses: "<system class loader>",
 * "java.net.URLClassLoader(twin-A)" or "com.acme.PluginLoader". */
static void loader_label(hl_heap *h, uint32_t c, char *buf, size_t len)
{
	const hl_graph *g = &h->g;
	uint64_t id = g->classes[c].loader_id;
	uint32_t o = id ? hl_graph_lookup(g, id) : HL_NONE;
	hl_field_value fv;
	hl_obj so;
	char name[160];

	if (!id) {
		snprintf(buf, len, "<system class loader>");
		return;
	}
	if (o == HL_NONE) {
		snprintf(buf, len, "<missing loader>");
		return;
	}
	if (hl_object_field(h, o, "name", &fv) && fv.type == HL_T_OBJECT && fv.bits &&
	    hl_find_object(h, fv.bits, &so) == HL_OK &&
	    hl_string_value(h, so, 100, name, sizeof(name)) > 0)
		snprintf(buf, len, "%s(%s)", hl_graph_class_name(g, hl_graph_cls(g, o)), name);
	else
		snprintf(buf, len, "%s", hl_graph_class_name(g, hl_graph_cls(g, o)));
}

/* Give entries [from, to) (one name, repeated) their qualified keys. */
static int qualify(struct differ *d, size_t from, size_t to)
{
	char label[256], key[1200];
	size_t i, j;

	for (i = from; i < to; i++) {
		struct entry *e = &d->e[i];
		unsigned dup = 1;

		loader_label(d->h[e->side], e->cls, label, sizeof(label));
		snprintf(key, sizeof(key), "%s @ %s", e->name, label);
		for (j = from; j < i; j++)
			dup += d->e[j].side == e->side && !strcmp(key_of(d, &d->e[j]), key);
		if (dup > 1) {
			size_t n = strlen(key);

			snprintf(key + n, sizeof(key) - n, " #%u", dup);
		}
		e->key = hl_strpool_add(&d->pool, key, strlen(key));
		if (e->key == SIZE_MAX)
			return -1;
	}
	return 0;
}

/* Keys for every entry: names that repeat on either side get qualified. */
static int make_keys(struct differ *d)
{
	size_t i = 0, j, cnt[2];

	qsort(d->e, d->n, sizeof(*d->e), cmp_name);
	while (i < d->n) {
		cnt[0] = cnt[1] = 0;
		for (j = i; j < d->n && !strcmp(d->e[j].name, d->e[i].name); j++)
			cnt[d->e[j].side]++;
		if ((cnt[0] > 1 || cnt[1] > 1) && qualify(d, i, j))
			return -1;
		i = j;
	}
	return 0;
}

static hl_status collect(struct differ *d)
{
	size_t k, i, n = 0;

	for (k = 0; k < 2; k++) {
		hl_status st = hl_histogram_build(d->h[k], HL_BY_CLASS, 0, &d->t[k]);

		if (st != HL_OK)
			return k ? st : hl_fail(&d->h[1]->diag, st, "baseline: %s",
						hl_errmsg(d->h[0]));
	}
	d->e = hl_malloc_array(d->t[0].count + d->t[1].count + 1, sizeof(*d->e));
	if (!d->e)
		return HL_E_NOMEM;
	for (k = 0; k < 2; k++)
		for (i = 0; i < d->t[k].count; i++) {
			struct entry *e = &d->e[n++];

			e->name = d->t[k].rows[i].name;
			e->key = SIZE_MAX;
			e->row = (uint32_t)i;
			e->cls = d->t[k].rows[i].cls;
			e->side = (uint8_t)k;
		}
	d->n = n;
	return make_keys(d) ? HL_E_NOMEM : HL_OK;
}

static void fill(hl_diff_row *r, const struct entry *e, const hl_histogram *t)
{
	const hl_histo_row *h = &t->rows[e->row];

	if (e->side) {
		r->cls = e->cls;
		r->instances = h->instances;
		r->shallow = h->shallow;
		r->retained = h->retained;
	} else {
		r->base_cls = e->cls;
		r->base_instances = h->instances;
		r->base_shallow = h->shallow;
		r->base_retained = h->retained;
	}
}

static int status_of(const hl_diff_row *r)
{
	if (r->base_cls == HL_NONE)
		return HL_DIFF_NEW;
	if (r->cls == HL_NONE)
		return HL_DIFF_GONE;
	return r->base_instances == r->instances && r->base_shallow == r->shallow &&
	       r->base_retained == r->retained ? HL_DIFF_SAME : HL_DIFF_CHANGED;
}

/* Merge the entries sorted by key into rows: one per key and side pair. */
static hl_status merge(struct differ *d, hl_diff *out)
{
	size_t i = 0;

	qsort_r(d->e, d->n, sizeof(*d->e), cmp_key, d);
	out->rows = hl_calloc(d->n + 1, sizeof(*out->rows));
	if (!out->rows)
		return HL_E_NOMEM;
	while (i < d->n) {
		hl_diff_row *r = &out->rows[out->count++];
		const struct entry *e = &d->e[i++];

		r->base_cls = r->cls = HL_NONE;
		r->name = key_of(d, e);
		fill(r, e, &d->t[e->side]);
		if (!e->side && i < d->n && d->e[i].side &&
		    !strcmp(key_of(d, &d->e[i]), r->name)) {
			fill(r, &d->e[i], &d->t[1]);
			i++;
		}
		r->status = status_of(r);
		out->status_count[r->status]++;
	}
	return HL_OK;
}

hl_status hl_diff_build(hl_heap *base, hl_heap *h, hl_diff *out)
{
	struct differ d;
	hl_status st;
	int k;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if (!base->dom.done || !h->dom.done)
		return hl_fail(&h->diag, HL_E_STATE, "a diff needs the dominator trees");
	d.h[0] = base;
	d.h[1] = h;
	st = collect(&d);
	if (st == HL_OK)
		st = merge(&d, out);
	if (st == HL_OK) {
		out->base_instances = d.t[0].total_instances;
		out->base_shallow = d.t[0].total_shallow;
		out->instances = d.t[1].total_instances;
		out->shallow = d.t[1].total_shallow;
		out->names = d.pool.data;
	} else {
		hl_strpool_release(&d.pool);
		hl_diff_free(out);
		st = hl_fail(&h->diag, st, "out of memory for the diff");
	}
	for (k = 0; k < 2; k++)
		hl_histogram_free(&d.t[k]);
	free(d.e);
	return st;
}

static int64_t delta(uint64_t before, uint64_t after)
{
	return (int64_t)after - (int64_t)before;
}

static int cmp_rows(const void *a, const void *b, void *ctx)
{
	const hl_diff_row *x = a, *y = b;
	int key = *(const int *)ctx, k;
	int64_t dx[3], dy[3];

	dx[0] = delta(x->base_retained, x->retained);
	dy[0] = delta(y->base_retained, y->retained);
	dx[1] = delta(x->base_shallow, x->shallow);
	dy[1] = delta(y->base_shallow, y->shallow);
	dx[2] = delta(x->base_instances, x->instances);
	dy[2] = delta(y->base_instances, y->instances);
	if (key == HL_SORT_SHALLOW) {
		int64_t t = dx[0]; dx[0] = dx[1]; dx[1] = t;
		t = dy[0]; dy[0] = dy[1]; dy[1] = t;
	} else if (key == HL_SORT_INSTANCES) {
		int64_t t = dx[0]; dx[0] = dx[2]; dx[2] = t;
		t = dy[0]; dy[0] = dy[2]; dy[2] = t;
	}
	for (k = 0; key != HL_SORT_NAME && k < 3; k++)
		if (dx[k] != dy[k])
			return dx[k] > dy[k] ? -1 : 1;
	return strcmp(x->name, y->name);
}

void hl_diff_sort(hl_diff *d, int key)
{
	qsort_r(d->rows, d->count, sizeof(*d->rows), cmp_rows, &key);
}

void hl_diff_free(hl_diff *d)
{
	if (!d)
		return;
	free(d->rows);
	free(d->names);
	memset(d, 0, sizeof(*d));
}
