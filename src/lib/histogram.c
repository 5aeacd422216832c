/*
 * histogram.c - per class (or package, or loader) counts, shallow and
 * retained sizes, as in MAT's histogram.
 *
 * Class objects count as instances of java.lang.Class.  The retained size
 * of a group is the retained set of its members in MAT's sense, where the
 * members of a class's group are its instances and its class object (so
 * a class object belongs to two groups: its own class's and
 * java.lang.Class's); it is computed over the dominator tree by
 * hl_group_retained.
 */
#include "lib/heap.h"

#include <stdio.h>
#include <stdlib.h>

struct grouping {
	uint32_t *map;      /* class -> group */
	uint32_t ngroups;
};

/* Package of a class name: up to the last '.', element type for arrays. */
static size_t package_len(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? (size_t)(dot - name) : 0;
}

struct keyed { const char *key; size_t len; uint32_t cls; };

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Group classes by a string key; fills map and the rows' names. */
static hl_status group_by_key(hl_heap *h, int by, struct grouping *gr,
			      hl_histogram *t)
{
	const hl_graph *g = &h->g;
	struct keyed *k = hl_malloc_array(g->nclasses + 1, sizeof(*k));
	char *lbuf = hl_malloc_array(g->nclasses + 1, 128);
	hl_strpool pool = { 0 };
	uint32_t i;
	size_t *name_off = NULL;

	if (!k || !lbuf)
		goto oom;
	for (i = 0; i < g->nclasses; i++) {
		const char *nm = hl_graph_class_name(g, i);

		k[i].cls = i;
		if (by == HL_BY_PACKAGE) {
			k[i].key = nm;
			k[i].len = package_len(nm);
		} else {
			k[i].key = hl_class_loader_name(h, i, lbuf + 128 * (size_t)i, 128);
			k[i].len = strlen(k[i].key);
		}
	}
	qsort(k, g->nclasses, sizeof(*k), cmp_keyed);
	name_off = hl_malloc_array(g->nclasses + 1, sizeof(size_t));
	if (!name_off)
		goto oom;
	gr->ngroups = 0;
	for (i = 0; i < g->nclasses; i++) {
		if (!i || cmp_keyed(&k[i - 1], &k[i])) {
			size_t off = k[i].len || by != HL_BY_PACKAGE
				? hl_strpool_add(&pool, k[i].key, k[i].len)
				: hl_strpool_add(&pool, "<default package>", 17);

			if (off == SIZE_MAX)
				goto oom;
			name_off[gr->ngroups++] = off;
		}
		gr->map[k[i].cls] = gr->ngroups - 1;
	}
	for (i = 0; i < gr->ngroups; i++)
		t->rows[i].name = pool.data + name_off[i];
	t->names = pool.data;
	free(k);
	free(lbuf);
	free(name_off);
	return HL_OK;
oom:
	free(k);
	free(lbuf);
	free(name_off);
	hl_strpool_release(&pool);
	return hl_fail(&h->diag, HL_E_NOMEM, "out of memory for the histogram");
}

/* Keep the rows with objects, and (reachable histogram, by class) the
 * classes whose reachable class object has static fields: a class without
 * instances can still hold much in its statics. */
static void compact(const hl_graph *g, hl_histogram *t, int by, int unreachable)
{
	size_t i, k = 0;

	for (i = 0; i < t->count; i++) {
		const hl_histo_row *r = &t->rows[i];
		uint32_t co = by == HL_BY_CLASS ? g->classes[r->cls].obj : HL_NONE;

		if (r->instances || (!unreachable && co != HL_NONE &&
				     (g->flags[co] & F_REACHABLE) &&
				     g->classes[r->cls].class_shallow))
			t->rows[k++] = t->rows[i];
	}
	t->count = k;
}

hl_status hl_class_sums(hl_heap *h)
{
	hl_graph *g = &h->g;
	uint32_t o;

	if (g->class_sums)
		return HL_OK;
	g->class_sums = hl_calloc((size_t)g->nclasses * 4 + 1, sizeof(uint64_t));
	if (!g->class_sums)
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory for the histogram");
	for (o = 0; o < g->nobj; o++) {
		uint64_t *s = g->class_sums + 4 * (size_t)hl_graph_cls(g, o) +
			      ((g->flags[o] & F_REACHABLE) ? 0 : 2);

		s[0]++;
		s[1] += hl_graph_shallow(g, o);
	}
	return HL_OK;
}

hl_status hl_class_retained(hl_heap *h)
{
	const hl_graph *g = &h->g;
	uint32_t *map, i;
	hl_status st;

	if (h->dom.class_retained)
		return HL_OK;
	map = hl_malloc_array(g->nclasses + 1, sizeof(uint32_t));
	h->dom.class_retained = hl_calloc(g->nclasses + 1, sizeof(uint64_t));
	if (!map || !h->dom.class_retained) {
		free(map);
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory");
	}
	for (i = 0; i < g->nclasses; i++)
		map[i] = i;
	st = hl_group_retained(&h->dom, g, g->nclasses, map, g->cls_class,
			       h->dom.class_retained, &h->diag);
	free(map);
	if (st != HL_OK) {
		free(h->dom.class_retained);
		h->dom.class_retained = NULL;
	}
	return st;
}

/* Retained sizes of packages or loaders: a walk of the whole dominator
 * tree, so kept beside the index and read back (by grouping) next time. */
static hl_status group_retained(hl_heap *h, int by, const struct grouping *gr,
				uint64_t **out)
{
	const hl_graph *g = &h->g;
	size_t len, want = ((size_t)gr->ngroups + 1) * sizeof(uint64_t);
	uint64_t *ret = hl_report_get(h, HL_REPORT_GROUP_RETAINED, (uint64_t)by, &len);
	hl_status st;

	if (ret && len == want) {
		*out = ret;
		return HL_OK;
	}
	free(ret);
	*out = ret = hl_calloc(gr->ngroups + 1, sizeof(uint64_t));
	if (!ret)
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory");
	st = hl_group_retained(&h->dom, g, gr->ngroups, gr->map,
			       gr->map[g->cls_class], ret, &h->diag);
	if (st == HL_OK)
		hl_report_put(h, HL_REPORT_GROUP_RETAINED, (uint64_t)by, ret, want);
	return st;
}

hl_status hl_histogram_build(hl_heap *h, int by, int unreachable,
			     hl_histogram *t)
{
	const hl_graph *g = &h->g;
	struct grouping gr = { NULL, 0 };
	uint64_t *ret = NULL;
	hl_status st = HL_OK;
	uint32_t i;

	memset(t, 0, sizeof(*t));
	gr.map = hl_malloc_array(g->nclasses + 1, sizeof(uint32_t));
	t->rows = hl_calloc(g->nclasses + 1, sizeof(*t->rows));
	if (!gr.map || !t->rows) {
		st = hl_fail(&h->diag, HL_E_NOMEM, "out of memory for the histogram");
		goto out;
	}
	if (by == HL_BY_CLASS) {
		for (i = 0; i < g->nclasses; i++) {
			gr.map[i] = i;
			t->rows[i].name = hl_graph_class_name(g, i);
			t->rows[i].cls = i;
		}
		gr.ngroups = g->nclasses;
	} else {
		st = group_by_key(h, by, &gr, t);
		for (i = 0; i < gr.ngroups; i++)
			t->rows[i].cls = HL_NONE;
	}
	if (st != HL_OK)
		goto out;
	t->count = gr.ngroups;
	st = hl_class_sums(h);
	if (st != HL_OK)
		goto out;
	for (i = 0; i < g->nclasses; i++) {
		const uint64_t *s = g->class_sums + 4 * (size_t)i + (unreachable ? 2 : 0);
		hl_histo_row *r = &t->rows[gr.map[i]];

		r->instances += s[0];
		r->shallow += s[1];
		t->total_instances += s[0];
		t->total_shallow += s[1];
	}
	if (h->dom.done && !unreachable) {
		if (by == HL_BY_CLASS)
			st = hl_class_retained(h);
		if (st == HL_OK && by == HL_BY_CLASS) {
			for (i = 0; i < gr.ngroups; i++)
				t->rows[i].retained = h->dom.class_retained[i];
		} else if (st == HL_OK) {
			st = group_retained(h, by, &gr, &ret);
			for (i = 0; st == HL_OK && i < gr.ngroups; i++)
				t->rows[i].retained = ret[i];
		}
	}
	compact(g, t, by, unreachable);
out:
	free(ret);
	free(gr.map);
	return st;
}

static int cmp_rows(const void *a, const void *b, void *ctx)
{
	const hl_histo_row *x = a, *y = b;
	uint64_t kx = 0, ky = 0;

	switch (*(const int *)ctx) {
	case HL_SORT_INSTANCES: kx = x->instances; ky = y->instances; break;
	case HL_SORT_RETAINED: kx = x->retained; ky = y->retained; break;
	case HL_SORT_NAME: break;
	default: kx = x->shallow; ky = y->shallow; break;
	}
	if (kx != ky)
		return kx > ky ? -1 : 1;
	{
		int c = strcmp(x->name, y->name);

		if (c)
			return c;
	}
	return x->cls < y->cls ? -1 : x->cls > y->cls;
}

void hl_histogram_sort(hl_histogram *t, int key)
{
	qsort_r(t->rows, t->count, sizeof(*t->rows), cmp_rows, &key);
}

void hl_histogram_free(hl_histogram *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->names);
	memset(t, 0, sizeof(*t));
}
