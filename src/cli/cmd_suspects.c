/*
 * cmd_suspects.c - heaplens suspects: the leak suspects report.
 *
 * Each suspect opens with one sentence in MAT's words (what it is, who
 * loaded it, how much it retains), then where the memory accumulates, the
 * shortest path from a GC root to there with field names, whose it is,
 * what the collection there holds, and why it was flagged.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* 1234567 -> "1,234,567" */
static char *grouped(uint64_t v, char *buf, size_t len)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), i, o = 0;

	for (i = 0; i < n && (size_t)o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static char *bytes_pct(struct session *s, uint64_t v, char *buf, size_t len)
{
	char g[40];
	uint64_t total = hl_total_heap(s->heap);

	snprintf(buf, len, "%s (%.2f%%)", grouped(v, g, sizeof(g)),
		 total ? 100.0 * (double)v / (double)total : 0.0);
	return buf;
}

static const char *esc(const char *in, char *buf, size_t len)
{
	hl_escape(in, strlen(in), buf, len);
	return buf;
}

/* A readable name: "class X", "X @ 0x..", plus a thread's name. */
static char *label(struct session *s, hl_obj o, char *buf, size_t len)
{
	char pv[160], e[300];
	hl_cls c = hl_object_as_class(s->heap, o);

	if (c != HL_NONE) {
		snprintf(buf, len, "class %s", esc(hl_class_name(s->heap, c), e, sizeof(e)));
		return buf;
	}
	hl_object_preview(s->heap, o, 40, e, sizeof(e));
	esc(e, pv, sizeof(pv));
	snprintf(buf, len, "%s @ 0x%llx%s%s",
		 esc(hl_class_name(s->heap, hl_object_class(s->heap, o)), e, sizeof(e)),
		 (unsigned long long)hl_object_id(s->heap, o), *pv ? " " : "", pv);
	return buf;
}

static char *loader_of(struct session *s, hl_obj o, char *buf, size_t len)
{
	char tmp[256];
	hl_cls c = hl_object_as_class(s->heap, o);

	if (c == HL_NONE)
		c = hl_object_class(s->heap, o);
	esc(hl_class_loader_name(s->heap, c, tmp, sizeof(tmp)), buf, len);
	return buf;
}

static int is_loader(struct session *s, hl_obj o)
{
	hl_cls c;

	for (c = hl_object_class(s->heap, o); c != HL_NONE; c = hl_class_super(s->heap, c))
		if (!strcmp(hl_class_name(s->heap, c), "java.lang.ClassLoader"))
			return hl_object_as_class(s->heap, o) == HL_NONE;
	return 0;
}

static void headline(struct session *s, const hl_suspect *x)
{
	char a[600], b[300], c[80], e[300];
	hl_cls cls = hl_object_as_class(s->heap, x->obj);

	bytes_pct(s, x->retained, c, sizeof(c));
	if (x->kind == HL_SUSPECT_GROUP)
		printf("  %llu instances of \"%s\", loaded by \"%s\" occupy %s bytes.\n",
		       (unsigned long long)x->members,
		       esc(hl_class_name(s->heap, x->cls), e, sizeof(e)),
		       loader_of(s, x->obj, b, sizeof(b)), c);
	else if (x->thread != HL_NONE)
		printf("  The thread %s keeps local variables with total size %s bytes.\n",
		       label(s, x->obj, a, sizeof(a)), c);
	else if (cls != HL_NONE)
		printf("  The class \"%s\", loaded by \"%s\", occupies %s bytes.\n",
		       esc(hl_class_name(s->heap, cls), e, sizeof(e)),
		       loader_of(s, x->obj, b, sizeof(b)), c);
	else if (is_loader(s, x->obj))
		printf("  The classloader/component \"%s\" occupies %s bytes.\n",
		       label(s, x->obj, a, sizeof(a)), c);
	else
		printf("  One instance of \"%s\" loaded by \"%s\" occupies %s bytes.\n",
		       esc(hl_class_name(s->heap, x->cls), e, sizeof(e)),
		       loader_of(s, x->obj, b, sizeof(b)), c);
}

static void accumulation(struct session *s, const hl_suspect *x)
{
	char a[600], b[300], c[80], e[300];
	hl_obj ap = x->accumulation;
	hl_cls cls;

	if (ap == HL_NONE || (ap == x->obj && x->kind != HL_SUSPECT_GROUP))
		return;
	cls = hl_object_as_class(s->heap, ap);
	bytes_pct(s, hl_retained(s->heap, ap), c, sizeof(c));
	if (cls != HL_NONE)
		printf("  The memory is accumulated in class \"%s\", loaded by \"%s\", which occupies %s bytes.\n",
		       esc(hl_class_name(s->heap, cls), e, sizeof(e)),
		       loader_of(s, ap, b, sizeof(b)), c);
	else if (x->kind == HL_SUSPECT_GROUP)
		printf("  Most of these instances are referenced from one instance of \"%s\", loaded by \"%s\", which occupies %s bytes.\n",
		       esc(hl_class_name(s->heap, hl_object_class(s->heap, ap)), e, sizeof(e)),
		       loader_of(s, ap, b, sizeof(b)), c);
	else
		printf("  The memory is accumulated in one instance of \"%s\", loaded by \"%s\", which occupies %s bytes.\n",
		       esc(hl_class_name(s->heap, hl_object_class(s->heap, ap)), e, sizeof(e)),
		       loader_of(s, ap, b, sizeof(b)), c);
	printf("  accumulation point: %s\n", label(s, ap, a, sizeof(a)));
}

/* The short name of the class an object is (or describes). */
static const char *simple_name(struct session *s, hl_obj o)
{
	hl_cls c = hl_object_as_class(s->heap, o);
	const char *nm = hl_class_name(s->heap, c != HL_NONE ? c : hl_object_class(s->heap, o));
	const char *dot = strrchr(nm, '.');

	return dot ? dot + 1 : nm;
}

static void path_line(struct session *s, const hl_suspect *x)
{
	char via[96], e[300], root[200] = "";
	uint32_t mask;
	size_t i, used = 0;
	int k;

	if (!x->path_len)
		return;
	mask = hl_root_kinds(s->heap, x->path[0]);
	for (k = 0; k < HL_ROOT_KIND_COUNT; k++)
		if (mask & (1u << k))
			used += (size_t)snprintf(root + used, sizeof(root) - used, "%s%s",
						 used ? ", " : "", hl_root_kind_name(k));
	printf("  path from GC root %s (%s): ", label(s, x->path[0], e, sizeof(e)), root);
	for (i = 1; i < x->path_len; i++) {
		hl_ref_label(s->heap, x->path[i - 1], x->path[i], via, sizeof(via));
		printf("%s%s.%s", i > 1 ? " -> " : "",
		       esc(simple_name(s, x->path[i - 1]), e, sizeof(e)),
		       esc(via, e + 150, 150));
	}
	if (x->path_len == 1)
		printf("%s (the root itself)", esc(simple_name(s, x->path[0]), e, sizeof(e)));
	putchar('\n');
}

/* No collection: the largest objects the accumulation point keeps. */
static void keeps(struct session *s, hl_obj target)
{
	const hl_obj *kids;
	size_t n = hl_dominated(s->heap, target, &kids), i;
	char a[600], c[80];

	for (i = 0; i < n && i < 3; i++) {
		if (hl_retained(s->heap, kids[i]) * 100 < hl_retained(s->heap, target))
			break;
		printf("  keeps: %s, %s bytes\n", label(s, kids[i], a, sizeof(a)),
		       bytes_pct(s, hl_retained(s->heap, kids[i]), c, sizeof(c)));
	}
}

static void content(struct session *s, const hl_suspect *x)
{
	char a[600], e[400];
	unsigned i;
	hl_obj target = x->accumulation != HL_NONE ? x->accumulation : x->obj;

	if (x->referrer != HL_NONE && x->referrer != x->obj)
		printf("  whose: referenced by %s, loaded by \"%s\"\n",
		       label(s, x->referrer, a, sizeof(a)),
		       loader_of(s, x->referrer, e, sizeof(e)));
	if (x->holder != HL_NONE) {
		printf("  holds: %s is a %s of %llu elements, %llu distinct",
		       label(s, x->holder, a, sizeof(a)), x->holder_kind,
		       (unsigned long long)x->elements, (unsigned long long)x->distinct);
		for (i = 0; i < x->ntop; i++) {
			hl_escape(x->top[i].text, strlen(x->top[i].text), e, 100);
			printf("%s\"%s\" x%llu", i ? ", " : "; most frequent: ", e,
			       (unsigned long long)x->top[i].count);
		}
		putchar('\n');
	} else {
		keeps(s, target);
	}
	if (*x->why)
		printf("  why: %s\n", x->why);
}

static void print_text(struct session *s, const hl_suspect *v, size_t n)
{
	static const char *const kinds[] = { "single", "group", "few distinct values",
					     "static collection" };
	size_t i;

	if (!n)
		printf("No leak suspects: no object or class retains more than the threshold, and no collection looks like a leak.\n");
	for (i = 0; i < n; i++) {
		printf("%sSuspect %zu (%s)\n", i ? "\n" : "", i + 1, kinds[v[i].kind]);
		headline(s, &v[i]);
		accumulation(s, &v[i]);
		path_line(s, &v[i]);
		content(s, &v[i]);
	}
}

static void json_obj(struct session *s, const char *key, hl_obj o)
{
	char a[600];

	printf(",\"%s\":", key);
	if (o == HL_NONE) {
		fputs("null", stdout);
		return;
	}
	printf("{\"id\":\"0x%llx\",\"class\":", (unsigned long long)hl_object_id(s->heap, o));
	json_str(stdout, hl_class_name(s->heap, hl_object_class(s->heap, o)));
	printf(",\"retained\":%llu,\"label\":", (unsigned long long)hl_retained(s->heap, o));
	json_str(stdout, label(s, o, a, sizeof(a)));
	fputs(",\"loader\":", stdout);
	json_str(stdout, loader_of(s, o, a, sizeof(a)));
	putchar('}');
}

static void print_json(struct session *s, const hl_suspect *v, size_t n)
{
	static const char *const kinds[] = { "single", "group", "few_distinct", "static" };
	uint64_t total = hl_total_heap(s->heap);
	size_t i, k;
	char via[96];

	json_header(s, stdout);
	printf(",\"total_heap\":%llu,\"suspects\":[", (unsigned long long)total);
	for (i = 0; i < n; i++) {
		const hl_suspect *x = &v[i];

		printf("%s\n{\"rank\":%zu,\"kind\":\"%s\",\"retained\":%llu,\"percent\":%.4f,\"class\":",
		       i ? "," : "", i + 1, kinds[x->kind], (unsigned long long)x->retained,
		       total ? 100.0 * (double)x->retained / (double)total : 0.0);
		json_str(stdout, hl_class_name(s->heap, x->cls));
		printf(",\"members\":%llu", (unsigned long long)(x->kind == HL_SUSPECT_GROUP ? x->members : 1));
		json_obj(s, "object", x->obj);
		json_obj(s, "accumulation_point", x->accumulation);
		json_obj(s, "referrer", x->referrer);
		json_obj(s, "thread", x->thread);
		fputs(",\"path\":[", stdout);
		for (k = 0; k < x->path_len; k++) {
			printf("%s{\"id\":\"0x%llx\",\"class\":", k ? "," : "",
			       (unsigned long long)hl_object_id(s->heap, x->path[k]));
			json_str(stdout, hl_class_name(s->heap, hl_object_class(s->heap, x->path[k])));
			fputs(",\"via\":", stdout);
			json_str(stdout, k ? hl_ref_label(s->heap, x->path[k - 1], x->path[k], via, sizeof(via)) : "");
			putchar('}');
		}
		putchar(']');
		json_obj(s, "holder", x->holder);
		if (x->holder != HL_NONE) {
			printf(",\"holder_kind\":\"%s\",\"elements\":%llu,\"distinct\":%llu,\"top_values\":[",
			       x->holder_kind, (unsigned long long)x->elements,
			       (unsigned long long)x->distinct);
			for (k = 0; k < x->ntop; k++) {
				printf("%s{\"value\":", k ? "," : "");
				json_str(stdout, x->top[k].text);
				printf(",\"count\":%llu}", (unsigned long long)x->top[k].count);
			}
			putchar(']');
		}
		fputs(",\"why\":", stdout);
		json_str(stdout, x->why);
		putchar('}');
	}
	fputs("\n]}\n", stdout);
}

int cmd_suspects(int argc, char **argv, struct session *s)
{
	static const struct option opts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "min-elements", required_argument, NULL, 'e' },
		{ "max-distinct-percent", required_argument, NULL, 'd' },
		{ "top", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	hl_suspect_options o = { 10.0, 100000, 1.0 };
	uint64_t top = 0;
	hl_suspect *v;
	size_t n;
	hl_status st;
	int c, code;

	int li = 0;
	struct cli_opts ost = { 0, 0 };

	while ((c = cli_option(s, argc, argv, "", opts, &li, &ost)) != -1) {
		int bad = 0;

		switch (c) {
		case 't': bad = parse_double(optarg, &o.threshold_percent) || o.threshold_percent > 100; break;
		case 'e': bad = parse_u64(optarg, &o.min_elements); break;
		case 'd': bad = parse_double(optarg, &o.max_distinct_percent) || o.max_distinct_percent > 100; break;
		case 'n': bad = parse_u64(optarg, &top); break;
		}
		if (bad)
			return cli_usage(s, "suspects: bad value '%s' for --%s", optarg,
					 opts[li].name);
	}
	if (ost.error)
		return ost.error;
	if (optind != argc - 1)
		return cli_usage(s, "usage: heaplens suspects [options] DUMP");
	s->dump_path = argv[optind];
	code = session_open(s, NEED_DOMINATORS);
	if (code)
		return code;
	st = hl_find_suspects(s->heap, &o, &v, &n);
	if (st != HL_OK) {
		cli_error(s, "%s: %s", s->dump_path, hl_errmsg(s->heap));
		return exit_code_for(st);
	}
	if (s->format == FMT_JSON)
		print_json(s, v, top && top < n ? top : n);
	else
		print_text(s, v, top && top < n ? top : n);
	hl_suspects_free(v, n);
	return EXIT_OK;
}
