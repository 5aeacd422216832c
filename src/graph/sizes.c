/*
 * sizes.c - MAT's size model: reference size, alignment, shallow sizes.
 *
 * MAT ignores the sizes written in the dump and recomputes them:
 *  - references are 4 bytes with 8-byte ids when an object array starts
 *    strictly inside the extent of the previous object array (in file
 *    order) computed with 8-byte elements and a 16-byte header;
 *  - alignment is the GCD of the gaps between consecutive object
 *    addresses, clamped to [8, 256];
 *  - header = id size + reference size;
 *  - instance: S(top) = header, S(c) = round_up(own field bytes + S(super),
 *    refsize), then round_up(S, alignment) (the pre-JDK-15 layout MAT uses);
 *  - object array: round_up(header + 4 + n * refsize, alignment);
 *  - primitive array: round_up(round_up(header + 4, refsize) + n * elem,
 *    alignment);
 *  - class object: round_up(sum of static field sizes, alignment).
 */
#include "graph/graph.h"

#include <stdlib.h>

void hl_sizes_detect_refs(hl_graph *g, const hl_scan *sc)
{
	const struct hl_objent *e = sc->objs.data;
	uint64_t prev_start = 0, prev_end = 0;
	size_t i;

	g->refsize = g->idsize;
	if (g->idsize != 8)
		return;
	for (i = 0; i < sc->objs.len; i++) {
		const uint8_t *r;
		uint64_t n;

		if (HL_ENT_KIND(&e[i]) != K_OBJ_ARRAY)
			continue;
		if (e[i].id > prev_start && e[i].id < prev_end) {
			g->refsize = 4;
			return;
		}
		r = g->data + HL_ENT_OFF(&e[i]);
		n = hl_be32(r + 1 + 8 + 4);
		prev_start = e[i].id;
		prev_end = e[i].id + 16 + n * 8;
	}
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void infer_alignment(hl_graph *g)
{
	uint64_t a = 0, prev = 0;
	uint32_t i;

	for (i = 0; i < g->nobj; i++) {
		uint64_t id = hl_graph_id(g, i);

		if (!id)
			continue;
		if (prev)
			a = gcd(a, id - prev);
		prev = id;
		if (a && a <= 8)
			break;
	}
	if (a > 256)
		a = 256;
	g->align = a < 8 ? 8 : (unsigned)a;
}

/* Bytes of a class's own fields, references counted as refsize. */
static uint64_t own_bytes(const hl_graph *g, const struct hl_class *c)
{
	const struct hl_field *f = g->fields.data;
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < c->nfields; i++)
		sum += f[c->fields + i].type == T_OBJECT ? g->refsize :
		       hl_type_size(f[c->fields + i].type, g->idsize);
	return sum;
}

/* Instance sizes, supers before subclasses (iterative, loops already cut). */
static hl_status instance_sizes(hl_graph *g, hl_diag *d)
{
	uint32_t n = g->nclasses, i;
	uint64_t *raw = hl_calloc(n, sizeof(uint64_t));
	uint32_t *chain = hl_malloc_array(n + 1, sizeof(uint32_t));

	if (!raw || !chain) {
		free(raw);
		free(chain);
		return hl_fail(d, HL_E_NOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		uint32_t c = i, k = 0;

		while (c != HL_NONE && !raw[c]) {
			chain[k++] = c;
			c = g->classes[c].super;
		}
		while (k) {
			const struct hl_class *cl = &g->classes[chain[--k]];

			/* MAT: a class without super (java.lang.Object) is a
			 * bare header; its own fields are not counted. */
			raw[chain[k]] = cl->super == HL_NONE ? g->header :
				hl_round_up(own_bytes(g, cl) + raw[cl->super],
					    g->refsize);
		}
	}
	for (i = 0; i < n; i++) {
		uint64_t s = hl_round_up(raw[i], g->align);

		g->classes[i].shallow = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
	}
	free(raw);
	free(chain);
	return HL_OK;
}

static void class_object_sizes(hl_graph *g)
{
	uint32_t i;

	for (i = 0; i < g->nclasses; i++) {
		struct hl_class *c = &g->classes[i];
		struct hl_classdump cd;
		const uint8_t *p;
		uint64_t sum = 0;
		unsigned k;

		if (!c->off)
			continue;
		hl_classdump_parse(g->data + c->off + 1, g->data + g->data_size,
				   g->idsize, &cd);
		for (k = 0, p = cd.statics; k < cd.nstatics; k++) {
			unsigned t = p[g->idsize];
			unsigned sz = hl_type_size(t, g->idsize);

			sum += t == T_OBJECT ? g->refsize : sz;
			p += g->idsize + 1 + sz;
		}
		c->class_shallow = (uint32_t)hl_round_up(sum, g->align);
	}
}

hl_status hl_sizes_infer(hl_graph *g, hl_diag *d)
{
	infer_alignment(g);
	g->compressed = g->refsize != g->idsize;
	g->header = g->idsize + g->refsize;
	class_object_sizes(g);
	return instance_sizes(g, d);
}

/* Shallow size of an array from its record. */
uint64_t hl_graph_array_size(const hl_graph *g, const uint8_t *r)
{
	unsigned id = g->idsize;
	uint64_t n = hl_be32(r + 1 + id + 4);

	if (r[0] == SUB_OBJ_ARRAY_DUMP)
		return hl_round_up(g->header + 4 + n * g->refsize, g->align);
	return hl_round_up(hl_round_up(g->header + 4, g->refsize) +
			   n * hl_type_size(r[1 + id + 8], id), g->align);
}
