/*
 * threads.c - the threads of a dump: name, stack trace, locals per frame.
 *
 * A thread is a ROOT_THREAD_OBJ root: its object, its thread serial and
 * the serial of its stack trace.  The TRACE record lists frame ids (top of
 * the stack first); each FRAME record names a method, signature, source
 * file, line and the serial of its class, which a LOAD_CLASS record maps to
 * a class id.  The stack locals were attached to their thread by the graph
 * (g->locals, sorted by thread object and frame depth); a Java-frame or
 * JNI-local whose depth is a frame of the trace goes with that frame, any
 * other local (native stack, thread block, no or bad depth) with the thread.
 *
 * Two passes over the threads: the first counts frames, locals and bytes of
 * text, the second fills one block holding them all, so a list is one
 * allocation plus the thread array, whatever the number of threads.
 */
#include "analysis/values.h"
#include "lib/heap.h"

#include <stdlib.h>

/* class serial -> LOAD_CLASS entry, sorted by serial */
struct serial_ix { uint32_t serial, idx; };

struct tctx {
	hl_heap *h;
	struct serial_ix *ix;
	size_t nix;
	char *text;          /* fill pass: next free byte; NULL when counting */
	size_t text_bytes;   /* count pass: bytes needed */
	char tmp[4096];      /* a decoded thread name or class name */
};

static int cmp_serial(const void *a, const void *b)
{
	const struct serial_ix *x = a, *y = b;

	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

static hl_status index_serials(struct tctx *c)
{
	const hl_vec *lc = &c->h->hp.loadclass;
	size_t i;

	c->ix = hl_malloc_array(lc->len + 1, sizeof(*c->ix));
	if (!c->ix)
		return hl_fail(&c->h->diag, HL_E_NOMEM, "out of memory for threads");
	for (i = 0; i < lc->len; i++) {
		c->ix[i].serial = HL_VEC_AT(lc, struct hl_loadclass, i).serial;
		c->ix[i].idx = (uint32_t)i;
	}
	c->nix = lc->len;
	qsort(c->ix, c->nix, sizeof(*c->ix), cmp_serial);
	return HL_OK;
}

static const struct hl_loadclass *class_by_serial(const struct tctx *c,
						  uint32_t serial)
{
	size_t lo = 0, hi = c->nix;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (c->ix[m].serial == serial)
			return &HL_VEC_AT(&c->h->hp.loadclass, struct hl_loadclass,
					  c->ix[m].idx);
		if (c->ix[m].serial < serial)
			lo = m + 1;
		else
			hi = m;
	}
	return NULL;
}

/* Keep n bytes of text: count them, or copy them and return the copy. */
static const char *keep(struct tctx *c, const char *s, size_t n)
{
	char *out;

	if (!c->text) {
		c->text_bytes += n + 1;
		return "";
	}
	out = c->text;
	memcpy(out, s, n);
	out[n] = '\0';
	c->text += n + 1;
	return out;
}

static const char *keep_utf8(struct tctx *c, uint64_t id)
{
	const struct hl_utf8 *u = id ? hl_hprof_utf8(&c->h->hp, id) : NULL;

	if (!u)
		return keep(c, "", 0);
	return keep(c, (const char *)c->h->hp.data + u->off, u->len);
}

/* Class of a frame: the graph's name, else the LOAD_CLASS name with dots. */
static const char *frame_class(struct tctx *c, uint32_t serial)
{
	const hl_graph *g = &c->h->g;
	const struct hl_loadclass *lc = class_by_serial(c, serial);
	const struct hl_utf8 *u;
	uint32_t k;
	size_t i, n;

	if (!lc)
		return keep(c, "", 0);
	k = hl_graph_find_class(g, lc->class_id);
	if (k != HL_NONE)
		return hl_graph_class_name(g, k); /* lives with the handle */
	u = hl_hprof_utf8(&c->h->hp, lc->name_id);
	if (!u)
		return keep(c, "", 0);
	n = u->len < sizeof(c->tmp) ? u->len : sizeof(c->tmp) - 1;
	for (i = 0; i < n; i++) {
		char ch = (char)c->h->hp.data[u->off + i];

		c->tmp[i] = ch == '/' ? '.' : ch;
	}
	return keep(c, c->tmp, n);
}

/* Thread.name: a String (or a char[] on old JDKs). */
static const char *thread_name(struct tctx *c, uint32_t o)
{
	const hl_graph *g = &c->h->g;
	struct hl_fieldpos f;
	uint64_t v = 0;
	uint32_t s;
	size_t n = 0;

	if (hl_graph_kind(g, o) == K_INSTANCE &&
	    hl_field_find(g, hl_graph_cls(g, o), "name", &f) &&
	    f.type == T_OBJECT && hl_field_read(g, o, &f, &v) && v &&
	    (s = hl_graph_lookup(g, v)) != HL_NONE) {
		if (hl_graph_cls(g, s) == g->cls_string && g->cls_string != HL_NONE)
			n = hl_string_text(g, s, 1000, c->tmp,
					   sizeof(c->tmp));
		else if (hl_graph_kind(g, s) == K_PRIM_ARRAY)
			n = hl_text_of_array(g, s, 0, 0, 1000, c->tmp,
					     sizeof(c->tmp));
	}
	return keep(c, c->tmp, n);
}

static int placed(const struct hl_local *l, size_t nframes)
{
	return (l->kind == HL_ROOT_JAVA_FRAME || l->kind == HL_ROOT_JNI_LOCAL) &&
	       l->frame < nframes;
}

static hl_stack_local to_public(const struct hl_local *l)
{
	hl_stack_local s;

	s.obj = l->obj;
	s.kind = l->kind;
	s.frame = l->kind == HL_ROOT_JAVA_FRAME || l->kind == HL_ROOT_JNI_LOCAL
		  ? l->frame : UINT32_MAX;
	return s;
}

/* The readable frames of a trace (0 without one). */
static size_t trace_frames(const hl_hprof *hp, uint32_t serial,
			   const struct hl_trace **tr)
{
	*tr = hl_hprof_trace(hp, serial);
	if (!*tr || (*tr)->frames_off + (uint64_t)(*tr)->nframes * hp->idsize > hp->size)
		return 0; /* pass 0 checked it; never trust a length read twice */
	return (*tr)->nframes;
}

/* Names of frame i of a trace into o (counted only, when counting). */
static void describe_frame(struct tctx *c, const struct hl_trace *tr, size_t i,
			   hl_stack_frame *o)
{
	const hl_hprof *hp = &c->h->hp;
	const struct hl_frame *f = hl_hprof_frame_by_id(hp,
		hl_beid(hp->data + tr->frames_off + i * hp->idsize, hp->idsize));

	memset(o, 0, sizeof(*o));
	o->class_name = f ? frame_class(c, f->class_serial) : "";
	o->method = f ? keep_utf8(c, f->method) : "";
	o->signature = f ? keep_utf8(c, f->sig) : "";
	o->source = f ? keep_utf8(c, f->source) : "";
	o->line = f ? f->line : -1;
}

/* Locals [k, l1) of the current thread at depth `depth`, from cursor *k
 * (locals are sorted by depth, so one cursor serves every frame). */
static size_t frame_locals(const hl_graph *g, uint32_t *k, uint32_t l1,
			   size_t depth, size_t nf, hl_stack_local *out)
{
	size_t n = 0;

	while (*k < l1 && g->locals[*k].frame < depth)
		(*k)++;
	for (; *k < l1 && g->locals[*k].frame == depth; (*k)++)
		if (placed(&g->locals[*k], nf))
			out[n++] = to_public(&g->locals[*k]);
	return n;
}

/*
 * Count (c->text NULL) or fill one thread's frames and locals at *fr and
 * *lo, advancing them; *nfr and *nlo add up what is needed.
 */
static void one_thread(struct tctx *c, hl_thread_info *t, hl_stack_frame **fr,
		       hl_stack_local **lo, size_t *nfr, size_t *nlo)
{
	const hl_graph *g = &c->h->g;
	const struct hl_trace *tr;
	size_t nf = trace_frames(&c->h->hp, t->trace, &tr), i;
	uint32_t l0, l1, k;
	hl_stack_frame scratch;

	hl_graph_locals(g, t->obj, &l0, &l1);
	*nfr += nf;
	*nlo += l1 - l0;
	t->name = thread_name(c, t->obj);
	if (!c->text) {
		for (i = 0; i < nf; i++)
			describe_frame(c, tr, i, &scratch);
		return;
	}
	t->frames = *fr;
	t->nframes = nf;
	for (i = 0, k = l0; i < nf; i++) {
		hl_stack_frame *o = &(*fr)[i];

		describe_frame(c, tr, i, o);
		o->locals = *lo;
		o->nlocals = frame_locals(g, &k, l1, i, nf, *lo);
		*lo += o->nlocals;
	}
	*fr += nf;
	t->other_locals = *lo;
	for (k = l0; k < l1; k++)
		if (!placed(&g->locals[k], nf))
			(*lo)[t->nother++] = to_public(&g->locals[k]);
	*lo += t->nother;
}

static int cmp_thread(const void *a, const void *b)
{
	const hl_thread_info *x = a, *y = b;

	if (x->retained != y->retained)
		return x->retained > y->retained ? -1 : 1;
	return x->obj < y->obj ? -1 : x->obj > y->obj;
}

static int cmp_obj(const void *a, const void *b)
{
	const hl_thread_info *x = a, *y = b;

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/* The distinct thread objects of the ROOT_THREAD_OBJ roots. */
static size_t collect_threads(const hl_heap *h, hl_thread_info *t)
{
	const hl_graph *g = &h->g;
	size_t n = 0, i, k = 0;

	for (i = 0; i < g->nroots; i++) {
		const struct hl_root *r = &g->roots[i];

		if (r->kind != HL_ROOT_THREAD_OBJ)
			continue;
		memset(&t[n], 0, sizeof(t[n]));
		t[n].obj = r->obj;
		t[n].serial = r->thread;
		t[n].trace = r->frame;
		t[n].shallow = hl_graph_shallow(g, r->obj);
		t[n].retained = h->dom.done ? hl_dom_retained(&h->dom, r->obj) : 0;
		n++;
	}
	qsort(t, n, sizeof(*t), cmp_obj);
	for (i = 0; i < n; i++) /* the same thread twice: keep one */
		if (!k || t[k - 1].obj != t[i].obj)
			t[k++] = t[i];
	return k;
}

static hl_status fill(struct tctx *c, hl_thread_list *out)
{
	size_t nfr = 0, nlo = 0, i, n = out->count;
	hl_stack_frame *fr = NULL;
	hl_stack_local *lo = NULL;
	char *block;
	/* Frames and their text are copied per thread and per frame, so one
	 * TRACE shared by many threads, or a long name in many frames, makes
	 * the list quadratic in the dump (an 18 KB dump asked for 1.8 GB and
	 * 20 s).  Real dumps need a small fraction of their size: refuse more
	 * than 8 bytes per byte of dump, checked as the count goes so the
	 * counting stays bounded too. */
	uint64_t budget = 8 * c->h->hp.size + ((uint64_t)1 << 20);

	for (i = 0; i < n; i++) {
		one_thread(c, &out->threads[i], &fr, &lo, &nfr, &nlo);
		if ((uint64_t)nfr * sizeof(*fr) + (uint64_t)nlo * sizeof(*lo) +
		    c->text_bytes > budget)
			return hl_fail(&c->h->diag, HL_E_FORMAT,
				       "the stack traces of the threads would take more than %llu bytes, 8 per byte of the dump (one TRACE shared by many threads?)",
				       (unsigned long long)budget);
	}
	block = hl_calloc(1, nfr * sizeof(*fr) + nlo * sizeof(*lo) +
			  c->text_bytes + 1);
	if (!block)
		return hl_fail(&c->h->diag, HL_E_NOMEM, "out of memory for threads");
	out->storage = block;
	fr = (hl_stack_frame *)block;
	lo = (hl_stack_local *)(block + nfr * sizeof(*fr));
	c->text = (char *)(lo + nlo);
	for (i = 0; i < n; i++)
		one_thread(c, &out->threads[i], &fr, &lo, &nfr, &nlo);
	return HL_OK;
}

hl_status hl_thread_list_build(hl_heap *h, hl_thread_list *out)
{
	struct tctx *c;
	hl_status st;

	memset(out, 0, sizeof(*out));
	c = hl_calloc(1, sizeof(*c));
	out->threads = hl_calloc(h->g.nroots + 1, sizeof(*out->threads));
	if (!c || !out->threads) {
		free(c);
		free(out->threads);
		out->threads = NULL;
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory for threads");
	}
	c->h = h;
	out->count = collect_threads(h, out->threads);
	st = index_serials(c);
	if (st == HL_OK)
		st = fill(c, out);
	free(c->ix);
	free(c);
	if (st != HL_OK) {
		hl_thread_list_free(out);
		return st;
	}
	qsort(out->threads, out->count, sizeof(*out->threads), cmp_thread);
	return HL_OK;
}

void hl_thread_list_free(hl_thread_list *t)
{
	if (!t)
		return;
	free(t->threads);
	free(t->storage);
	memset(t, 0, sizeof(*t));
}
