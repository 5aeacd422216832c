/*
 * classes.c - the class table: names, super chain, field layouts.
 *
 * One entry per CLASS_DUMP, keyed by class-object id (several classes may
 * share a name and stay separate).  Names come from LOAD_CLASS + UTF8 and
 * are turned into Java names ("[[I" -> "int[][]", "java/lang/String" ->
 * "java.lang.String"); hidden-class suffixes are kept as written.  A super
 * chain that loops is cut where it closes, with a warning.  The instance
 * layout of a class is flattened once: HPROF writes a class's own fields
 * first, then its super's, up to java.lang.Object, so the reference fields
 * of the whole layout become one list of byte offsets per class.
 * Primitive array classes missing from the dump are made up (no class
 * object), as MAT does.
 */
#include "graph/graph.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const prim_names[12] = {
	[T_BOOLEAN] = "boolean", [T_CHAR] = "char", [T_FLOAT] = "float",
	[T_DOUBLE] = "double", [T_BYTE] = "byte", [T_SHORT] = "short",
	[T_INT] = "int", [T_LONG] = "long",
};

static const char *sig_prim(char c)
{
	switch (c) {
	case 'Z': return "boolean";
	case 'C': return "char";
	case 'F': return "float";
	case 'D': return "double";
	case 'B': return "byte";
	case 'S': return "short";
	case 'I': return "int";
	case 'J': return "long";
	default: return NULL;
	}
}

/* Java name of an HPROF class name into pool; returns offset or SIZE_MAX. */
static size_t add_java_name(hl_strpool *pool, const char *s, size_t n)
{
	size_t dims = 0, i, off, base;
	const char *prim = NULL;
	char *buf;

	while (dims < n && s[dims] == '[')
		dims++;
	if (dims && dims < n) {
		prim = (n - dims == 1) ? sig_prim(s[dims]) : NULL;
		if (!prim && s[dims] == 'L' && s[n - 1] == ';') {
			s += dims + 1;
			n -= dims + 2;
		} else if (prim) {
			s = prim;
			n = strlen(prim);
		} else {
			dims = 0; /* not a signature: keep as written */
		}
	} else {
		dims = 0;
	}
	base = pool->len;
	off = hl_strpool_add(pool, s, n);
	if (off == SIZE_MAX)
		return off;
	buf = pool->data + off;
	if (!prim)
		for (i = 0; i < n; i++)
			if (buf[i] == '/')
				buf[i] = '.';
	pool->len--; /* drop the NUL, append [] per dimension */
	for (i = 0; i < dims; i++)
		if (hl_strpool_add(pool, "[]", 2) == SIZE_MAX)
			return SIZE_MAX;
		else
			pool->len--;
	if (hl_strpool_add(pool, "", 0) == SIZE_MAX)
		return SIZE_MAX;
	return base;
}

static int cmp_ent(const void *a, const void *b)
{
	uint64_t x = ((const struct hl_objent *)a)->id;
	uint64_t y = ((const struct hl_objent *)b)->id;

	return x < y ? -1 : x > y;
}

static inline uint32_t class_hash(const hl_graph *g, uint64_t id)
{
	return (uint32_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & g->class_mask;
}

/* class_slot over class_ids: about four slots a class, so that most ids
 * are found at their first slot (every object's class is looked up). */
static int hash_classes(hl_graph *g)
{
	uint32_t i, h, size = 64;

	while (size < 4 * (uint64_t)g->nclass_ids && size < ((uint32_t)1 << 30))
		size <<= 1;
	if (size < 2 * (uint64_t)g->nclass_ids)
		return 0; /* a billion classes (a hostile dump): halving */
	g->class_slot = hl_malloc_array(size, sizeof(uint32_t));
	if (!g->class_slot)
		return -1;
	g->class_mask = size - 1;
	memset(g->class_slot, 0xff, (size_t)size * sizeof(uint32_t));
	for (i = 0; i < g->nclass_ids; i++) {
		for (h = class_hash(g, g->class_ids[i].id);
		     g->class_slot[h] != HL_NONE; h = (h + 1) & g->class_mask)
			;
		g->class_slot[h] = i;
	}
	return 0;
}

static uint32_t find_class(const hl_graph *g, uint64_t id)
{
	size_t lo = 0, hi = g->nclass_ids;

	if (g->class_slot) {
		uint32_t h = class_hash(g, id), k;

		while ((k = g->class_slot[h]) != HL_NONE) {
			if (g->class_ids[k].id == id)
				return (uint32_t)g->class_ids[k].offk;
			h = (h + 1) & g->class_mask;
		}
		return HL_NONE;
	}

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->class_ids[mid].id == id)
			return (uint32_t)g->class_ids[mid].offk;
		if (g->class_ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return HL_NONE;
}

uint32_t hl_graph_find_class(const hl_graph *g, uint64_t id)
{
	return find_class(g, id);
}

static hl_status set_name(hl_graph *g, const hl_hprof *hp, struct hl_class *c,
			  hl_diag *d)
{
	const struct hl_utf8 *u = hl_hprof_utf8(hp, hl_hprof_class_name_id(hp, c->id));
	size_t off;

	if (u) {
		off = add_java_name(&g->names, (const char *)hp->data + u->off,
				    u->len);
	} else {
		char tmp[48];
		int n = snprintf(tmp, sizeof(tmp), "<unknown class 0x%llx>",
				 (unsigned long long)c->id);

		off = hl_strpool_add(&g->names, tmp, (size_t)n);
	}
	if (off == SIZE_MAX || off > UINT32_MAX)
		return hl_fail(d, HL_E_NOMEM, "out of memory for class names");
	c->name = (uint32_t)off;
	return HL_OK;
}

/* A copy of UTF8 record `id` in the name pool ("<?>" when absent). */
static int intern_utf8(hl_graph *g, const hl_hprof *hp, uint64_t id,
		       uint32_t *out)
{
	const struct hl_utf8 *u = hl_hprof_utf8(hp, id);
	size_t off = u ? hl_strpool_add(&g->names, (const char *)hp->data + u->off,
					u->len)
		       : hl_strpool_add(&g->names, "<?>", 3);

	if (off == SIZE_MAX || off > UINT32_MAX)
		return -1;
	*out = (uint32_t)off;
	return 0;
}

static hl_status read_statics(hl_graph *g, const hl_hprof *hp,
			      struct hl_class *c, const struct hl_classdump *cd,
			      hl_diag *d)
{
	const uint8_t *p = cd->statics;
	unsigned i, id = hp->idsize;

	c->statics = (uint32_t)g->statics.len;
	for (i = 0; i < cd->nstatics; i++) {
		struct hl_static st;

		memset(&st, 0, sizeof(st)); /* its padding goes to the index */
		st.type = p[id];
		st.value_off = (uint64_t)(p + id + 1 - hp->data);
		if (intern_utf8(g, hp, hl_beid(p, id), &st.name) ||
		    hl_vec_push(&g->statics, &st))
			return hl_fail(d, HL_E_NOMEM, "out of memory for fields");
		p += id + 1 + hl_type_size(st.type, id);
	}
	return HL_OK;
}

/* Fill one class from its CLASS_DUMP. */
static hl_status read_class(hl_graph *g, const hl_hprof *hp, uint32_t ci,
			    uint64_t off, hl_diag *d)
{
	struct hl_class *c = &g->classes[ci];
	struct hl_classdump cd;
	const uint8_t *p;
	unsigned i, id = hp->idsize;

	hl_classdump_parse(hp->data + off + 1, hp->data + hp->size, id, &cd);
	memset(c, 0, sizeof(*c));
	c->id = cd.id;
	c->off = off;
	c->loader_id = cd.loader;
	c->obj = HL_NONE;
	c->super = HL_NONE;
	c->nstatics = cd.nstatics;
	c->fields = (uint32_t)g->fields.len;
	c->nfields = cd.nfields;
	for (i = 0, p = cd.fields; i < cd.nfields; i++, p += id + 1) {
		struct hl_field f;

		memset(&f, 0, sizeof(f)); /* its padding goes to the index */
		f.name_id = hl_beid(p, id);
		f.type = p[id];
		if (intern_utf8(g, hp, f.name_id, &f.name) ||
		    hl_vec_push(&g->fields, &f))
			return hl_fail(d, HL_E_NOMEM, "out of memory for fields");
	}
	if (read_statics(g, hp, c, &cd, d) != HL_OK)
		return d->status;
	return set_name(g, hp, c, d);
}

static void init_synthetic(hl_graph *g, uint32_t ci, uint32_t name)
{
	struct hl_class *c = &g->classes[ci];

	memset(c, 0, sizeof(*c));
	c->obj = HL_NONE;
	c->super = g->cls_object;
	c->name = name;
	c->fields = (uint32_t)g->fields.len;
}

static uint32_t class_by_name(const hl_graph *g, const char *name)
{
	uint32_t i;

	for (i = 0; i < g->nclasses; i++)
		if (!strcmp(hl_graph_class_name(g, i), name))
			return i;
	return HL_NONE;
}

/* Well-known classes, and made-up primitive array classes where missing. */
static hl_status find_special(hl_graph *g, hl_diag *d)
{
	unsigned t;

	g->cls_object = class_by_name(g, "java.lang.Object");
	g->cls_class = class_by_name(g, "java.lang.Class");
	g->cls_string = class_by_name(g, "java.lang.String");
	g->cls_loader = class_by_name(g, "java.lang.ClassLoader");
	g->cls_thread = class_by_name(g, "java.lang.Thread");
	g->cls_reference = class_by_name(g, "java.lang.ref.Reference");
	g->cls_finalizer = class_by_name(g, "java.lang.ref.Finalizer");
	for (t = 0; t < 12; t++) {
		char name[32];
		size_t off;

		g->prim_class[t] = HL_NONE;
		if (!prim_names[t])
			continue;
		snprintf(name, sizeof(name), "%s[]", prim_names[t]);
		g->prim_class[t] = class_by_name(g, name);
		if (g->prim_class[t] != HL_NONE)
			continue;
		off = hl_strpool_add(&g->names, name, strlen(name));
		if (off == SIZE_MAX)
			return hl_fail(d, HL_E_NOMEM, "out of memory");
		init_synthetic(g, g->nclasses, (uint32_t)off);
		g->prim_class[t] = g->nclasses++;
	}
	if (g->cls_class == HL_NONE) {
		size_t off = hl_strpool_add(&g->names, "java.lang.Class", 15);

		if (off == SIZE_MAX)
			return hl_fail(d, HL_E_NOMEM, "out of memory");
		init_synthetic(g, g->nclasses, (uint32_t)off);
		g->cls_class = g->nclasses++;
	}
	for (t = 0; t < 12; t++)
		if (g->prim_class[t] != HL_NONE) {
			g->classes[g->prim_class[t]].is_array = 1;
			g->classes[g->prim_class[t]].elem_type = (uint8_t)t;
		}
	return HL_OK;
}

/* Resolve super ids to class numbers and cut loops in the chain. */
static hl_status link_supers(hl_graph *g, hl_diag *d)
{
	uint32_t i, n = g->nclasses;
	uint32_t *mark = hl_calloc(n, sizeof(uint32_t));
	struct hl_classdump cd;

	if (!mark)
		return hl_fail(d, HL_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		struct hl_class *c = &g->classes[i];

		if (!c->off)
			continue;
		hl_classdump_parse(g->data + c->off + 1, g->data + g->data_size,
				   g->idsize, &cd);
		c->super = cd.super ? find_class(g, cd.super) : HL_NONE;
		if (cd.super && c->super == HL_NONE)
			hl_warnf(d, "offset %llu: CLASS_DUMP 0x%llx: super class 0x%llx is not in the dump",
				 (unsigned long long)c->off,
				 (unsigned long long)c->id,
				 (unsigned long long)cd.super);
	}
	for (i = 0; i < n; i++) {
		uint32_t c = i, stamp = i + 1;

		while (c != HL_NONE && !mark[c]) {
			mark[c] = stamp;
			if (g->classes[c].super != HL_NONE &&
			    mark[g->classes[c].super] == stamp) {
				hl_warnf(d, "offset %llu: CLASS_DUMP 0x%llx: super class chain loops; cut here",
					 (unsigned long long)g->classes[c].off,
					 (unsigned long long)g->classes[c].id);
				g->classes[c].super = HL_NONE;
			}
			c = g->classes[c].super;
		}
	}
	free(mark);
	return HL_OK;
}

/* Flatten the layout of class c, whose super (if any) is done. */
static hl_status layout_one(hl_graph *g, uint32_t ci, hl_diag *d)
{
	struct hl_class *c = &g->classes[ci];
	struct hl_field *f = g->fields.data;
	uint32_t i, own = 0;
	uint64_t total;

	c->refs = (uint32_t)g->refs.len;
	for (i = 0; i < c->nfields; i++) {
		struct hl_field *fi = &f[c->fields + i];

		fi->offset = own;
		if (fi->type == T_OBJECT) {
			struct hl_reffield r = { own, c->fields + i };

			if (hl_vec_push(&g->refs, &r))
				goto oom;
		}
		own += hl_type_size(fi->type, g->idsize);
	}
	total = own;
	if (c->super != HL_NONE) {
		const struct hl_class *s = &g->classes[c->super];

		/* Each layout repeats its super's reference fields, so a long
		 * chain of classes makes the layouts quadratic in the dump
		 * (a 960 KB chain of 20,000 classes asked for 1.5 GB).  Real
		 * dumps use about one entry per thousand bytes: refuse more
		 * entries than the dump has identifier-sized slots. */
		if (g->refs.len + s->nrefs > g->data_size / g->idsize + 4096)
			return hl_fail(d, HL_E_FORMAT,
				       "offset %llu: CLASS_DUMP 0x%llx: the instance layouts hold more reference fields than the dump has room for (a super class chain too long?)",
				       (unsigned long long)c->off,
				       (unsigned long long)c->id);
		total += s->data_size;
		if (hl_vec_reserve(&g->refs, s->nrefs))
			goto oom;
		for (i = 0; i < s->nrefs; i++) {
			struct hl_reffield r = HL_VEC_AT(&g->refs,
				struct hl_reffield, s->refs + i);

			r.offset += own;
			hl_vec_push(&g->refs, &r);
		}
	}
	if (total > UINT32_MAX / 2)
		return hl_fail(d, HL_E_FORMAT, "class 0x%llx: instance layout too large",
			       (unsigned long long)c->id);
	c->data_size = (uint32_t)total;
	c->nrefs = (uint32_t)(g->refs.len - c->refs);
	return HL_OK;
oom:
	return hl_fail(d, HL_E_NOMEM, "out of memory for layouts");
}

/* Lay out every class, supers before subclasses, without recursion. */
static hl_status layout_all(hl_graph *g, hl_diag *d)
{
	uint32_t n = g->nclasses, i;
	uint8_t *done = hl_calloc(n, 1);
	uint32_t *chain = hl_malloc_array(n + 1, sizeof(uint32_t));
	hl_status st = HL_OK;

	if (!done || !chain) {
		st = hl_fail(d, HL_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n && st == HL_OK; i++) {
		uint32_t c = i, k = 0;

		while (c != HL_NONE && !done[c]) {
			chain[k++] = c;
			c = g->classes[c].super;
		}
		while (k && st == HL_OK) {
			c = chain[--k];
			st = layout_one(g, c, d);
			done[c] = 1;
		}
	}
out:
	free(done);
	free(chain);
	return st;
}

static void mark_arrays(hl_graph *g)
{
	uint32_t i;

	for (i = 0; i < g->nclasses; i++) {
		const char *nm = hl_graph_class_name(g, i);
		size_t n = strlen(nm);

		if (n > 2 && !strcmp(nm + n - 2, "[]"))
			g->classes[i].is_array = 1;
	}
}

hl_status hl_classes_build(hl_graph *g, const hl_hprof *hp, hl_scan *sc,
			   hl_diag *d)
{
	struct hl_objent *ce = sc->classes.data;
	size_t n = sc->classes.len, i, k = 0;
	hl_status st = HL_OK;

	if (n > 1)
		qsort(ce, n, sizeof(*ce), cmp_ent);
	for (i = 0; i < n; i++)  /* drop duplicate class ids */
		if (!k || ce[k - 1].id != ce[i].id)
			ce[k++] = ce[i];
	if (k < n)
		hl_warnf(d, "%zu duplicate CLASS_DUMP records ignored", n - k);
	n = k;
	g->classes = hl_calloc(n + 16, sizeof(*g->classes));
	g->class_ids = hl_malloc_array(n + 1, sizeof(*g->class_ids));
	if (!g->classes || !g->class_ids)
		return hl_fail(d, HL_E_NOMEM, "out of memory for classes");
	for (i = 0; i < n && st == HL_OK; i++) {
		st = read_class(g, hp, (uint32_t)i, HL_ENT_OFF(&ce[i]), d);
		g->class_ids[i].id = ce[i].id;
		g->class_ids[i].offk = i;
	}
	g->nclasses = g->nclass_ids = (uint32_t)n;
	if (st == HL_OK && hash_classes(g))
		st = hl_fail(d, HL_E_NOMEM, "out of memory for classes");
	if (st == HL_OK)
		st = link_supers(g, d);
	if (st == HL_OK)
		st = find_special(g, d);
	if (st == HL_OK)
		mark_arrays(g);
	if (st == HL_OK)
		st = layout_all(g, d);
	return st;
}
