/*
 * access.c - the public accessors over classes, objects and the dominator
 * tree.  Thin: checks the number, reads the graph.
 */
#include "analysis/values.h"
#include "lib/heap.h"

#include <stdio.h>
#include <stdlib.h>

uint32_t hl_class_count(const hl_heap *h) { return h->g.nclasses; }

const char *hl_class_name(const hl_heap *h, hl_cls c)
{
	return c < h->g.nclasses ? hl_graph_class_name(&h->g, c) : "";
}

uint64_t hl_class_id(const hl_heap *h, hl_cls c)
{
	return c < h->g.nclasses ? h->g.classes[c].id : 0;
}

hl_obj hl_class_object(const hl_heap *h, hl_cls c)
{
	return c < h->g.nclasses ? h->g.classes[c].obj : HL_NONE;
}

hl_cls hl_class_super(const hl_heap *h, hl_cls c)
{
	return c < h->g.nclasses ? h->g.classes[c].super : HL_NONE;
}

uint64_t hl_class_loader_id(const hl_heap *h, hl_cls c)
{
	return c < h->g.nclasses ? h->g.classes[c].loader_id : 0;
}

const char *hl_class_loader_name(const hl_heap *h, hl_cls c, char *buf,
				 size_t len)
{
	uint64_t id = hl_class_loader_id(h, c);
	uint32_t o;

	if (!id) {
		snprintf(buf, len, "<system class loader>");
		return buf;
	}
	o = hl_graph_lookup(&h->g, id);
	if (o == HL_NONE)
		snprintf(buf, len, "<missing loader 0x%llx>", (unsigned long long)id);
	else
		snprintf(buf, len, "%s @ 0x%llx",
			 hl_graph_class_name(&h->g, hl_graph_cls(&h->g, o)),
			 (unsigned long long)id);
	return buf;
}

uint64_t hl_class_instance_size(const hl_heap *h, hl_cls c)
{
	return c < h->g.nclasses ? h->g.classes[c].shallow : 0;
}

uint32_t hl_object_count(const hl_heap *h) { return h->g.nobj; }

hl_status hl_find_object(const hl_heap *h, uint64_t id, hl_obj *out)
{
	*out = hl_graph_lookup(&h->g, id);
	return *out == HL_NONE ? HL_E_NOOBJECT : HL_OK;
}

uint64_t hl_object_id(const hl_heap *h, hl_obj o)
{
	return o < h->g.nobj ? hl_graph_id(&h->g, o) : 0;
}

int hl_object_kind(const hl_heap *h, hl_obj o)
{
	static const int map[4] = { HL_INSTANCE, HL_OBJ_ARRAY, HL_PRIM_ARRAY,
				    HL_CLASS_OBJ };

	return o < h->g.nobj ? map[hl_graph_kind(&h->g, o)] : -1;
}

hl_cls hl_object_class(const hl_heap *h, hl_obj o)
{
	return o < h->g.nobj ? hl_graph_cls(&h->g, o) : HL_NONE;
}

hl_cls hl_object_as_class(const hl_heap *h, hl_obj o)
{
	if (o >= h->g.nobj || hl_graph_kind(&h->g, o) != K_CLASS)
		return HL_NONE;
	return (hl_cls)hl_graph_off(&h->g, o);
}

uint64_t hl_object_shallow(const hl_heap *h, hl_obj o)
{
	return o < h->g.nobj ? hl_graph_shallow(&h->g, o) : 0;
}

int hl_object_reachable(const hl_heap *h, hl_obj o)
{
	return o < h->g.nobj && (h->g.flags[o] & F_REACHABLE);
}

uint64_t hl_array_length(const hl_heap *h, hl_obj o)
{
	unsigned k;

	if (o >= h->g.nobj)
		return 0;
	k = hl_graph_kind(&h->g, o);
	if (k != K_OBJ_ARRAY && k != K_PRIM_ARRAY)
		return 0;
	return hl_be32(h->g.data + hl_graph_record(&h->g, o) + 1 +
		       h->g.idsize + 4);
}

/* Quote UTF-8 text into buf, cut to max characters (with "..."). */
static char *quoted(const char *text, size_t n, size_t max, char *buf,
		    size_t len)
{
	size_t i = 0, chars = 0;

	while (i < n && chars < max) {
		i++;
		while (i < n && ((unsigned char)text[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	if (i + 6 > len) { /* cut at a character that fits */
		i = len > 6 ? len - 6 : 0;
		while (i && ((unsigned char)text[i] & 0xc0) == 0x80)
			i--;
	}
	snprintf(buf, len, "\"%.*s%s\"", (int)i, text, i < n ? "..." : "");
	return buf;
}

/* The text of a thread's name field, -1 when it has none. */
static long thread_name(const hl_heap *h, hl_obj o, size_t max, char *text,
			size_t cap)
{
	const hl_graph *g = &h->g;
	struct hl_fieldpos f;
	uint64_t v;
	uint32_t s;

	if (!hl_field_find(g, hl_graph_cls(g, o), "name", &f) || f.type != T_OBJECT ||
	    !hl_field_read(g, o, &f, &v) || !v ||
	    (s = hl_graph_lookup(g, v)) == HL_NONE || hl_graph_cls(g, s) != g->cls_string)
		return -1;
	return (long)hl_string_text(g, s, max, text, cap);
}

char *hl_object_preview(const hl_heap *h, hl_obj o, size_t max, char *buf,
			size_t len)
{
	const hl_graph *g = &h->g;
	size_t cap = max * 4 + 16;
	long n = -1;
	char *text;
	uint32_t c;

	buf[0] = '\0';
	if (o >= g->nobj || !len)
		return buf;
	if (hl_graph_kind(g, o) == K_CLASS) {
		snprintf(buf, len, "class %s", hl_class_name(h, hl_object_as_class(h, o)));
		return buf;
	}
	text = malloc(cap);
	if (!text)
		return buf;
	c = hl_graph_cls(g, o);
	/* ask for enough UTF-16 units for max + 1 characters */
	if (c == g->cls_string && c != HL_NONE)
		n = (long)hl_string_text(g, o, 2 * max + 2, text, cap);
	else if (hl_graph_kind(g, o) == K_PRIM_ARRAY)
		n = (long)hl_text_of_array(g, o, 0, 0, 2 * max + 2, text, cap) - !*text;
	else if (g->cls_thread != HL_NONE && hl_graph_kind(g, o) == K_INSTANCE &&
		 hl_is_subclass(g, c, g->cls_thread))
		n = thread_name(h, o, 2 * max + 2, text, cap);
	if (n > 0 || (n == 0 && c == g->cls_string))
		quoted(text, (size_t)n, max, buf, len);
	free(text);
	return buf;
}

/* ---- dominator tree ---- */

hl_status hl_compute_dominators(hl_heap *h)
{
	if (h->dom.done)
		return HL_OK;
	/* builds the inbound index too (kept for paths and referrers) */
	return hl_domtree_build(&h->dom, &h->g, &h->in, &h->diag, h->progress,
				h->ctx);
}

int hl_has_dominators(const hl_heap *h) { return h->dom.done; }

hl_obj hl_idom(const hl_heap *h, hl_obj o)
{
	return h->dom.done && o < h->g.nobj ? h->dom.idom[o] : HL_NONE;
}

uint64_t hl_retained(const hl_heap *h, hl_obj o)
{
	return h->dom.done && o < h->g.nobj ? hl_dom_retained(&h->dom, o) : 0;
}

size_t hl_dominated(hl_heap *h, hl_obj o, const hl_obj **out)
{
	uint32_t slot = o == HL_ROOT ? h->g.nobj : o;

	*out = NULL;
	if (!h->dom.done || slot > h->g.nobj ||
	    hl_domtree_children(&h->dom, &h->g, &h->diag) != HL_OK)
		return 0;
	uint32_t lo, hi;

	hl_dom_kids(&h->dom, slot, &lo, &hi);
	*out = h->dom.children + lo;
	return hi - lo;
}

uint64_t hl_total_heap(const hl_heap *h)
{
	return h->g.reachable_bytes;
}
