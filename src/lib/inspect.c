/*
 * inspect.c - the public calls that look inside objects: fields, values,
 * references in and out, paths from GC roots, string text.
 */
#include "analysis/values.h"
#include "lib/heap.h"

#include <stdio.h>
#include <stdlib.h>

static uint64_t read_bits(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1: return p[0];
	case 2: return hl_be16(p);
	case 4: return hl_be32(p);
	default: return hl_be64(p);
	}
}

static size_t static_fields(const hl_heap *h, const struct hl_class *c,
			    hl_field_value *out, size_t max)
{
	const hl_graph *g = &h->g;
	uint32_t i;

	for (i = 0; i < c->nstatics && i < max; i++) {
		const struct hl_static *s = &HL_VEC_AT(&g->statics,
			struct hl_static, c->statics + i);

		out[i].name = g->names.data + s->name;
		out[i].declared_in = g->names.data + c->name;
		out[i].type = s->type;
		out[i].bits = read_bits(g->data + s->value_off,
					hl_type_size(s->type, g->idsize));
		out[i].is_static = 1;
	}
	return c->nstatics;
}

size_t hl_object_fields(const hl_heap *h, hl_obj o, hl_field_value *out,
			size_t max)
{
	const hl_graph *g = &h->g;
	const struct hl_field *f = g->fields.data;
	const uint8_t *r;
	uint32_t c, nbytes, base = 0, steps = 0;
	size_t n = 0;

	if (o >= g->nobj)
		return 0;
	if (hl_graph_kind(g, o) == K_CLASS)
		return static_fields(h, &g->classes[hl_graph_off(g, o)],
				     out, max);
	if (hl_graph_kind(g, o) != K_INSTANCE || (g->flags[o] & F_SYNTH))
		return 0;
	r = g->data + hl_graph_record(g, o);
	nbytes = hl_be32(r + 1 + 2 * g->idsize + 4);
	r += 1 + 2 * g->idsize + 8;
	for (c = hl_graph_cls(g, o); c != HL_NONE && steps++ <= g->nclasses;
	     c = g->classes[c].super) {
		const struct hl_class *k = &g->classes[c];
		uint32_t i;

		for (i = 0; i < k->nfields; i++, n++) {
			const struct hl_field *fi = &f[k->fields + i];
			unsigned sz = hl_type_size(fi->type, g->idsize);

			if (n >= max)
				continue;
			out[n].name = g->names.data + fi->name;
			out[n].declared_in = g->names.data + k->name;
			out[n].type = fi->type;
			out[n].is_static = 0;
			out[n].bits = (uint64_t)base + fi->offset + sz <= nbytes
				? read_bits(r + base + fi->offset, sz) : 0;
		}
		base += k->data_size - (k->super != HL_NONE ?
					g->classes[k->super].data_size : 0);
	}
	return n;
}

int hl_object_field(const hl_heap *h, hl_obj o, const char *name,
		    hl_field_value *out)
{
	hl_field_value buf[256];
	size_t n = hl_object_fields(h, o, buf, 256), i;

	for (i = 0; i < n && i < 256; i++)
		if (!strcmp(buf[i].name, name)) {
			*out = buf[i];
			return 1;
		}
	return 0;
}

/* The shortest %g text that reads back as the same float or double, as
 * Java prints them. */
static void shortest(double v, int is_float, char *buf, size_t len)
{
	int p;

	for (p = is_float ? 6 : 15; p < (is_float ? 9 : 17); p++) {
		snprintf(buf, len, "%.*g", p, v);
		if (is_float ? (float)strtod(buf, NULL) == (float)v
			     : strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, len, "%.*g", p, v);
}

char *hl_format_value(int type, uint64_t bits, char *buf, size_t len)
{
	union { uint32_t u; float f; } f32;
	union { uint64_t u; double d; } f64;

	switch (type) {
	case HL_T_OBJECT:
		if (bits)
			snprintf(buf, len, "0x%llx", (unsigned long long)bits);
		else
			snprintf(buf, len, "null");
		break;
	case HL_T_BOOLEAN: snprintf(buf, len, "%s", bits ? "true" : "false"); break;
	case HL_T_CHAR:
		if (bits >= 0x20 && bits < 0x7f && bits != '\'' && bits != '\\')
			snprintf(buf, len, "'%c'", (int)bits);
		else
			snprintf(buf, len, "'\\u%04x'", (unsigned)bits);
		break;
	case HL_T_FLOAT: f32.u = (uint32_t)bits; shortest(f32.f, 1, buf, len); break;
	case HL_T_DOUBLE: f64.u = bits; shortest(f64.d, 0, buf, len); break;
	case HL_T_BYTE: snprintf(buf, len, "%d", (int8_t)bits); break;
	case HL_T_SHORT: snprintf(buf, len, "%d", (int16_t)bits); break;
	case HL_T_INT: snprintf(buf, len, "%d", (int32_t)bits); break;
	case HL_T_LONG: snprintf(buf, len, "%lld", (long long)bits); break;
	default: snprintf(buf, len, "?"); break;
	}
	return buf;
}

size_t hl_outbound(const hl_heap *h, hl_obj o, hl_ref *out, size_t max)
{
	hl_refit it;
	uint64_t id;
	size_t n = 0;

	if (o >= h->g.nobj)
		return 0;
	hl_refit_init(&it, &h->g, o);
	while (hl_refit_next(&it, &id)) {
		uint32_t t = hl_graph_lookup(&h->g, id);

		if (t == HL_NONE)
			continue;
		if (n < max) {
			out[n].obj = t;
			hl_refit_label(&it, out[n].label, sizeof(out[n].label));
		}
		n++;
	}
	return n;
}

size_t hl_inbound(hl_heap *h, hl_obj o, const hl_obj **out)
{
	*out = NULL;
	if (o >= h->g.nobj || hl_inbound_build(&h->in, &h->g, &h->diag) != HL_OK)
		return 0;
	return hl_inbound_list(&h->g, &h->in, o, &h->inbuf, out);
}

char *hl_ref_label(const hl_heap *h, hl_obj from, hl_obj to, char *buf,
		   size_t len)
{
	hl_refit it;
	uint64_t id;

	buf[0] = '\0';
	if (from >= h->g.nobj || to >= h->g.nobj)
		return buf;
	hl_refit_init(&it, &h->g, from);
	while (hl_refit_next(&it, &id))
		if (id == hl_graph_id(&h->g, to))
			return hl_refit_label(&it, buf, len);
	return buf;
}

uint32_t hl_root_kinds(const hl_heap *h, hl_obj o)
{
	uint32_t i, mask = 0;

	if (o >= h->g.nobj || !(h->g.flags[o] & F_ROOT))
		return 0;
	for (i = 0; i < h->g.nroots; i++)
		if (h->g.roots[i].obj == o)
			mask |= 1u << h->g.roots[i].kind;
	if (!mask) /* rooted by MAT's fallback: a system class */
		mask = 1u << HL_ROOT_STICKY_CLASS;
	return mask;
}

hl_status hl_paths_from_roots(hl_heap *h, hl_obj target, size_t max,
			      int flags, hl_path **out, size_t *count)
{
	hl_pathset ps;
	hl_status st;
	size_t i;

	*out = NULL;
	*count = 0;
	if (target >= h->g.nobj)
		return HL_E_NOOBJECT;
	st = hl_inbound_build(&h->in, &h->g, &h->diag);
	if (st == HL_OK)
		st = hl_paths_find(&h->g, &h->in, target, max,
				   flags & HL_PATH_ALL_REFS, NULL, &ps, &h->diag);
	if (st != HL_OK)
		return st;
	*out = hl_calloc(ps.count + 1, sizeof(hl_path));
	if (!*out) {
		hl_pathset_release(&ps);
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory");
	}
	for (i = 0; i < ps.count; i++) {
		size_t len = ps.off[i + 1] - ps.off[i];

		(*out)[i].objs = hl_malloc_array(len, sizeof(hl_obj));
		if (!(*out)[i].objs) {
			hl_paths_free(*out, i);
			hl_pathset_release(&ps);
			*out = NULL;
			return hl_fail(&h->diag, HL_E_NOMEM, "out of memory");
		}
		memcpy((*out)[i].objs, ps.objs + ps.off[i], len * sizeof(hl_obj));
		(*out)[i].len = len;
	}
	*count = ps.count;
	hl_pathset_release(&ps);
	return HL_OK;
}

void hl_paths_free(hl_path *p, size_t n)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < n; i++)
		free(p[i].objs);
	free(p);
}

size_t hl_string_value(const hl_heap *h, hl_obj o, size_t max, char *buf,
		       size_t cap)
{
	const hl_graph *g = &h->g;

	if (!cap)
		return 0;
	buf[0] = '\0';
	if (o >= g->nobj)
		return 0;
	if (hl_graph_kind(g, o) == K_PRIM_ARRAY)
		return hl_text_of_array(g, o, 0, 0, max, buf, cap);
	if (hl_graph_cls(g, o) == g->cls_string && g->cls_string != HL_NONE)
		return hl_string_text(g, o, max, buf, cap);
	return 0;
}
