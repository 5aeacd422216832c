/*
 * refs.c - outbound references of an object, decoded from its record.
 *
 * MAT's order and set: an instance refers to its class, then to every
 * non-null reference field of its full layout (Reference.referent
 * included), then, for a thread, to its stack locals; an object array to
 * its class and its non-null elements; a primitive array to its class; a
 * class object to java.lang.Class, its super, its loader (0 is the
 * synthetic <system class loader>) and its non-null static references.
 * Nothing is allocated: the iterator walks the mapped record.
 */
#include "graph/graph.h"

#include <stdio.h>

void hl_refit_init(hl_refit *it, const hl_graph *g, uint32_t obj)
{
	memset(it, 0, sizeof(*it));
	it->g = g;
	it->obj = obj;
	it->cls = hl_graph_cls(g, obj);
}

/* Range of thread object o's locals in g->locals (sorted by thread). */
void hl_graph_locals(const hl_graph *g, uint32_t o, uint32_t *lo, uint32_t *hi)
{
	uint32_t a = 0, b = g->nlocals;

	while (a < b) {
		uint32_t m = a + (b - a) / 2;

		if (g->locals[m].thread < o)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (a < g->nlocals && g->locals[a].thread == o)
		a++;
	*hi = a;
}

static int emit(hl_refit *it, uint64_t *id, uint64_t v, int label,
		uint64_t index)
{
	*id = v;
	it->label = label;
	it->label_index = index;
	return 1;
}

/* Stages: 0 class edge, 1 setup, 2 fields/elements/statics, 3 locals
 * setup, 4 locals, 5 done; class objects use 10.. */
static int next_instance(hl_refit *it, uint64_t *id)
{
	const hl_graph *g = it->g;
	unsigned idsz = g->idsize;

	for (;;) {
		switch (it->stage) {
		case 1: {
			const uint8_t *r = g->data + hl_graph_off(g, it->obj);
			uint32_t len;

			it->stage = 2;
			if (g->flags[it->obj] & F_SYNTH) {
				it->stage = 5;
				break;
			}
			it->p = hl_inst_data(r, idsz, &len);
			it->n = len; /* field bytes */
			it->rf = hl_graph_reffields(g, &g->classes[it->cls]);
			it->i = 0;
			break;
		}
		case 2:
			while (it->i < g->classes[it->cls].nrefs) {
				const struct hl_reffield *f = &it->rf[it->i++];
				uint64_t v;

				if ((uint64_t)f->offset + idsz > it->n)
					continue;
				v = hl_beid(it->p + f->offset, idsz);
				if (v)
					return emit(it, id, v, REF_FIELD, f->field);
			}
			it->stage = (g->flags[it->obj] & F_LOCALS) ? 3 : 5;
			break;
		case 3: {
			uint32_t lo, hi;

			hl_graph_locals(g, it->obj, &lo, &hi);
			it->i = lo;
			it->n = hi;
			it->stage = 4;
			break;
		}
		case 4:
			if (it->i < it->n) {
				const struct hl_local *l = &g->locals[it->i];

				it->i++;
				return emit(it, id, hl_graph_id(g, l->obj), REF_LOCAL,
					    it->i - 1);
			}
			it->stage = 5;
			break;
		default:
			return 0;
		}
	}
}

static int next_array(hl_refit *it, uint64_t *id)
{
	const hl_graph *g = it->g;
	unsigned idsz = g->idsize;
	const uint8_t *r = g->data + hl_graph_off(g, it->obj);

	if (it->stage == 1) {
		uint32_t n;

		it->stage = 2;
		if (r[0] != SUB_OBJ_ARRAY_DUMP)
			return 0;
		it->p = hl_objarr_data(r, idsz, &n);
		it->n = n;
		it->i = 0;
	}
	while (it->i < it->n) {
		uint64_t v = hl_beid(it->p + it->i * idsz, idsz);

		it->i++;
		if (v)
			return emit(it, id, v, REF_ELEMENT, it->i - 1);
	}
	return 0;
}

static int next_class(hl_refit *it, uint64_t *id)
{
	const hl_graph *g = it->g;
	unsigned idsz = g->idsize;
	const struct hl_class *c = &g->classes[hl_graph_off(g, it->obj)];

	for (;;) {
		switch (it->stage) {
		case 1:
			it->stage = 2;
			if (c->super != HL_NONE && g->classes[c->super].id)
				return emit(it, id, g->classes[c->super].id,
					    REF_SUPER, 0);
			break;
		case 2: {
			struct hl_classdump cd;

			it->stage = 3;
			hl_classdump_parse(g->data + c->off + 1,
					   g->data + g->data_size, idsz, &cd);
			it->p = cd.statics;
			it->n = cd.nstatics;
			it->i = 0;
			if (c->loader_id || g->synth0)
				return emit(it, id, c->loader_id, REF_LOADER, 0);
			break;
		}
		case 3:
			while (it->i < it->n) {
				unsigned t = it->p[idsz];
				uint64_t v = 0;

				if (t == T_OBJECT)
					v = hl_beid(it->p + idsz + 1, idsz);
				it->p += idsz + 1 + hl_type_size(t, idsz);
				it->i++;
				if (v)
					return emit(it, id, v, REF_STATIC, it->i - 1);
			}
			return 0;
		default:
			return 0;
		}
	}
}

int hl_refit_next(hl_refit *it, uint64_t *id)
{
	const hl_graph *g = it->g;

	if (it->stage == 0) {
		uint64_t cid = g->classes[it->cls].id;

		it->stage = 1;
		if (cid)
			return emit(it, id, cid, REF_CLASS, 0);
	}
	switch (hl_graph_kind(g, it->obj)) {
	case K_INSTANCE: return next_instance(it, id);
	case K_CLASS: return next_class(it, id);
	default: return next_array(it, id);
	}
}

static const char *local_label(int kind)
{
	switch (kind) {
	case HL_ROOT_JNI_LOCAL: return "<JNI Local>";
	case HL_ROOT_NATIVE_STACK: return "<Native Stack>";
	case HL_ROOT_THREAD_BLOCK: return "<Thread Block>";
	default: return "<Java Local>";
	}
}

char *hl_refit_label(const hl_refit *it, char *buf, size_t len)
{
	const hl_graph *g = it->g;
	const char *s = NULL;

	switch (it->label) {
	case REF_CLASS: s = "<class>"; break;
	case REF_SUPER: s = "<super>"; break;
	case REF_LOADER: s = "<classloader>"; break;
	case REF_FIELD:
		s = g->names.data + HL_VEC_AT(&g->fields, struct hl_field,
					      it->label_index).name;
		break;
	case REF_STATIC: {
		const struct hl_class *c = &g->classes[hl_graph_off(g, it->obj)];

		s = g->names.data + HL_VEC_AT(&g->statics, struct hl_static,
					      c->statics + it->label_index).name;
		break;
	}
	case REF_LOCAL:
		s = local_label(g->locals[it->label_index].kind);
		break;
	case REF_ELEMENT:
		snprintf(buf, len, "[%llu]", (unsigned long long)it->label_index);
		return buf;
	}
	snprintf(buf, len, "%s", s ? s : "?");
	return buf;
}

static int name_is(const hl_graph *g, uint32_t name, const char *want)
{
	return !strcmp(g->names.data + name, want);
}

int hl_graph_is_reference(const hl_graph *g, uint32_t c)
{
	uint32_t steps = 0;

	for (; c != HL_NONE && g->cls_reference != HL_NONE && steps++ <= g->nclasses;
	     c = g->classes[c].super)
		if (c == g->cls_reference)
			return 1;
	return 0;
}

int hl_graph_may_be_weak(const hl_graph *g, uint32_t o, const uint8_t *is_ref)
{
	switch (hl_graph_kind(g, o)) {
	case K_INSTANCE:
		return is_ref ? is_ref[hl_graph_cls(g, o)] :
			hl_graph_is_reference(g, hl_graph_cls(g, o));
	case K_CLASS:
		return hl_graph_off(g, o) == g->cls_finalizer;
	default:
		return 0;
	}
}

int hl_refit_weak(const hl_refit *it)
{
	const hl_graph *g = it->g;

	if (it->label == REF_FIELD && g->cls_reference != HL_NONE) {
		const struct hl_field *f = &HL_VEC_AT(&g->fields, struct hl_field,
						      it->label_index);

		return name_is(g, f->name, "referent") &&
			hl_graph_is_reference(g, it->cls);
	}
	if (it->label == REF_STATIC && g->cls_finalizer != HL_NONE &&
	    (hl_graph_off(g, it->obj)) == g->cls_finalizer) {
		const struct hl_class *k = &g->classes[g->cls_finalizer];

		return name_is(g, HL_VEC_AT(&g->statics, struct hl_static,
					    k->statics + it->label_index).name,
			       "unfinalized");
	}
	return 0;
}
