/*
 * checks.c - evaluating the rules of `heaplens check` (parsed by rules.c)
 * on a dump, and the two measures they add to the API: class patterns and
 * the retained size of a set of classes.
 *
 * A pattern selects classes by name (a byte per class); what a rule
 * measures over that selection reuses the analyses of the other commands:
 * reachable instances as the histogram counts them (class objects are
 * instances of java.lang.Class), the retained size of the union as the
 * histogram's group retained size (hl_group_retained with every selected
 * class in group 0, so nested classes count once), MAT's single and group
 * suspects with the rule's limit as threshold (as suspects.c's
 * mat_suspects, without the accumulation points and paths), and the
 * duplicate-string waste of hl_string_dups_build.
 */
#include "lib/heap.h"

#include <stdlib.h>

int hl_class_match(const char *p, const char *s)
{
	const char *star = NULL, *retry = s;

	while (*s) {
		if (*p == '*') {
			star = p++;
			retry = s;
		} else if (*p == *s) {
			p++;
			s++;
		} else if (star) {
			/* let the last '*' take one more character */
			p = star + 1;
			s = ++retry;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

hl_status hl_classes_retained(hl_heap *h, const unsigned char *sel,
			      uint64_t *out)
{
	const hl_graph *g = &h->g;
	uint32_t *map, c, class_group = HL_NONE;
	hl_status st;

	*out = 0;
	if (!h->dom.done)
		return hl_fail(&h->diag, HL_E_STATE, "retained sizes need the dominator tree");
	map = hl_malloc_array(g->nclasses + 1, sizeof(uint32_t));
	if (!map)
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory for a class selection");
	for (c = 0; c < g->nclasses; c++)
		map[c] = sel[c] ? 0 : HL_NONE;
	if (g->cls_class != HL_NONE && sel[g->cls_class])
		class_group = 0;
	st = hl_group_retained(&h->dom, g, 1, map, class_group, out, &h->diag);
	free(map);
	return st;
}

/* The classes whose name matches the pattern, one byte per class. */
static unsigned char *select_classes(hl_heap *h, const char *pattern,
				     uint64_t *count)
{
	unsigned char *sel = hl_calloc(h->g.nclasses + 1, 1);
	uint32_t c;

	*count = 0;
	if (!sel)
		return NULL;
	for (c = 0; c < h->g.nclasses; c++)
		if (hl_class_match(pattern, hl_graph_class_name(&h->g, c)))
			*count += sel[c] = 1;
	return sel;
}

/* Reachable objects of the selected classes; the first one as example. */
static void count_instances(const hl_graph *g, const unsigned char *sel,
			    hl_rule_result *res)
{
	uint64_t n = 0;
	uint32_t o;

	for (o = 0; o < g->nobj; o++) {
		if (!(g->flags[o] & F_REACHABLE) || !sel[hl_graph_cls(g, o)])
			continue;
		if (!n++) {
			res->example = o;
			res->example_class = hl_graph_cls(g, o);
		}
	}
	res->value = (int64_t)n;
}

/* The largest of MAT's single and group suspects with threshold limit%. */
static hl_status suspect_percent(hl_heap *h, const hl_rule *r,
				 hl_rule_result *res)
{
	const hl_graph *g = &h->g;
	const hl_domtree *t = &h->dom;
	uint64_t total = hl_total_heap(h), best = 0, *sum;
	uint64_t threshold = (uint64_t)(r->limit_percent * (double)total / 100.0);
	hl_status st = hl_domtree_children(&h->dom, g, &h->diag);
	const uint32_t *top = h->dom.children;
	size_t n, i, k;
	uint32_t c, lo, hi;

	if (st != HL_OK)
		return st;
	hl_dom_kids(&h->dom, g->nobj, &lo, &hi);
	top += lo;
	n = hi - lo;
	sum = hl_calloc(g->nclasses + 1, sizeof(uint64_t));
	if (!sum)
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory for suspects");
	if (n) {
		best = hl_dom_retained(t, top[0]);
		res->example = top[0];
		res->example_class = hl_graph_cls(g, top[0]);
	}
	for (i = 0; i < n && hl_dom_retained(t, top[i]) > threshold; i++)
		;
	for (k = i; k < n; k++)
		sum[hl_graph_cls(g, top[k])] += hl_dom_retained(t, top[k]);
	for (c = 0; c < g->nclasses; c++)
		if (sum[c] > best) {
			best = sum[c];
			res->example = HL_NONE;
			res->example_class = c;
		}
	for (k = i; res->example == HL_NONE && k < n; k++)
		res->members += hl_graph_cls(g, top[k]) == res->example_class;
	free(sum);
	res->value = (int64_t)best;
	res->percent = total ? 100.0 * (double)best / (double)total : 0.0;
	res->failed = best > threshold;
	return HL_OK;
}

static hl_status string_waste(hl_heap *h, const hl_rule *r,
			      hl_rule_result *res)
{
	hl_string_dups d;
	hl_status st = hl_string_dups_build(h, 2, 1, &d);

	if (st != HL_OK)
		return hl_fail(&h->diag, st, "out of memory for duplicate strings");
	res->value = (int64_t)d.wasted;
	res->values = d.groups_total;
	res->failed = d.wasted > r->limit;
	hl_string_dups_free(&d);
	return HL_OK;
}

/* max-retained, max-instances, forbid-class, max-growth: over a pattern. */
static hl_status by_pattern(hl_heap *h, hl_heap *base, const hl_rule *r,
			    hl_rule_result *res)
{
	unsigned char *sel = select_classes(h, r->pattern, &res->classes), *bsel;
	uint64_t v = 0, bv = 0, bn;
	hl_status st = HL_OK;

	if (!sel)
		return hl_fail(&h->diag, HL_E_NOMEM, "out of memory for a class selection");
	if (r->kind == HL_RULE_MAX_INSTANCES || r->kind == HL_RULE_FORBID_CLASS) {
		count_instances(&h->g, sel, res);
		res->failed = (uint64_t)res->value > r->limit;
	} else if (r->kind == HL_RULE_MAX_RETAINED) {
		st = hl_classes_retained(h, sel, &v);
		res->value = (int64_t)v;
		res->failed = v > r->limit;
	} else {
		st = hl_classes_retained(h, sel, &v);
		bsel = st == HL_OK ? select_classes(base, r->pattern, &bn) : NULL;
		if (st == HL_OK && !bsel)
			st = hl_fail(&h->diag, HL_E_NOMEM, "out of memory for a class selection");
		if (st == HL_OK && hl_classes_retained(base, bsel, &bv) != HL_OK)
			st = hl_fail(&h->diag, base->diag.status, "baseline: %s", base->diag.msg);
		free(bsel);
		res->base_value = bv;
		res->value = (int64_t)(v - bv);
		res->failed = v > bv && v - bv > r->limit;
	}
	free(sel);
	return st;
}

static hl_status check_one(hl_heap *h, hl_heap *base, const hl_rule *r,
			   hl_rule_result *res)
{
	int needs = hl_rule_needs(r->kind);

	memset(res, 0, sizeof(*res));
	res->example = res->example_class = HL_NONE;
	if ((needs & HL_RULE_NEEDS_BASELINE) && !base)
		return hl_fail(&h->diag, HL_E_USAGE, "%s:%u: %s needs a baseline dump",
			       r->source, r->line, hl_rule_name(r->kind));
	if ((needs & HL_RULE_NEEDS_DOMINATORS) &&
	    (!h->dom.done || ((needs & HL_RULE_NEEDS_BASELINE) && !base->dom.done)))
		return hl_fail(&h->diag, HL_E_STATE, "%s:%u: %s needs the dominator tree",
			       r->source, r->line, hl_rule_name(r->kind));
	switch (r->kind) {
	case HL_RULE_MAX_HEAP:
		res->value = (int64_t)hl_total_heap(h);
		res->failed = hl_total_heap(h) > r->limit;
		return HL_OK;
	case HL_RULE_MAX_SUSPECT_PERCENT:
		return suspect_percent(h, r, res);
	case HL_RULE_MAX_STRING_WASTE:
		return string_waste(h, r, res);
	default:
		return by_pattern(h, base, r, res);
	}
}

hl_status hl_rules_check(hl_heap *h, hl_heap *base, const hl_rules *r,
			 hl_rule_result *out)
{
	hl_status st = HL_OK;
	size_t i;

	for (i = 0; st == HL_OK && i < r->count; i++)
		st = check_one(h, base, &r->rules[i], &out[i]);
	return st;
}
