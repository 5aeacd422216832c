/*
 * cmd_check.c - heaplens check: a dump against rules, for CI.
 *
 * The rules come from files (--rules, parsed as they appear) and from the
 * command line (--rule, one rule each, parsed together afterwards as the
 * lines of a text named "--rule"); a bad rule stops everything before the
 * dump is read, with "FILE:LINE: what is wrong" and status 2.  The dump
 * (and the --baseline dump of max-growth rules) is then opened, with the
 * dominator tree only when a rule needs retained sizes.  One result per
 * rule, in the order given: a table (text, TSV, CSV), JSON, or JUnit XML
 * (--junit FILE, also written when the dump cannot be read, with every
 * rule as an error, so that the CI server shows why).  Exit status 0 when
 * every rule passes, 1 when one fails.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RULES_FILE (16u << 20)

struct check_opts {
	const char *baseline, *junit;
	const char **inline_rules;
	size_t ninline;
};

struct checked {
	struct session *s;
	hl_heap *base;
	const char *base_path;
	const hl_rules *rules;
	hl_rule_result *res;
	size_t failed;
};

static int read_file(struct session *s, const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf = NULL, *nb;

	if (!f)
		goto fail;
	for (;;) {
		if (cap > MAX_RULES_FILE || !(nb = realloc(buf, cap))) {
			errno = cap > MAX_RULES_FILE ? EFBIG : ENOMEM;
			goto fail;
		}
		buf = nb;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	*out = buf;
	*len = n;
	return EXIT_OK;
fail:
	cli_error(s, "cannot read rules '%s': %s", path, strerror(errno));
	if (f)
		fclose(f);
	free(buf);
	return EXIT_USAGE;
}

static int add_rules(struct session *s, hl_rules *r, const char *name,
		     const char *text, size_t len)
{
	char err[512];
	hl_status st = hl_rules_parse(r, name, text, len, err, sizeof(err));

	if (st == HL_OK)
		return EXIT_OK;
	cli_error(s, "%s", err);
	return exit_code_for(st);
}

static int add_rules_file(struct session *s, hl_rules *r, const char *path)
{
	char *text;
	size_t len;
	int code = read_file(s, path, &text, &len);

	if (code)
		return code;
	code = add_rules(s, r, path, text, len);
	free(text);
	return code;
}

/* The --rule values as the lines of one text, so --rule:N is the Nth. */
static int add_inline(struct session *s, hl_rules *r, const struct check_opts *o)
{
	size_t i, len = 0, n;
	char *text;
	int code;

	if (!o->ninline)
		return EXIT_OK;
	for (i = 0; i < o->ninline; i++)
		len += strlen(o->inline_rules[i]) + 1;
	text = malloc(len);
	if (!text) {
		cli_error(s, "out of memory");
		return EXIT_NOMEM;
	}
	for (i = 0, len = 0; i < o->ninline; i++) {
		n = strlen(o->inline_rules[i]);
		memcpy(text + len, o->inline_rules[i], n);
		len += n;
		text[len++] = '\n';
	}
	code = add_rules(s, r, "--rule", text, len);
	free(text);
	return code;
}

static int parse(int argc, char **argv, struct session *s, struct check_opts *o,
		 hl_rules *r)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "rule", required_argument, NULL, 'R' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "junit", required_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts st = { 0, 0 };
	int c, code;

	o->inline_rules = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->inline_rules)
		return cli_error(s, "out of memory"), EXIT_NOMEM;
	while ((c = cli_option(s, argc, argv, "", opts, NULL, &st)) != -1) {
		switch (c) {
		case 'r':
			code = add_rules_file(s, r, optarg);
			if (code)
				return code;
			break;
		case 'R': o->inline_rules[o->ninline++] = optarg; break;
		case 'b': o->baseline = optarg; break;
		case 'j': o->junit = optarg; break;
		case 'f':
			/* only "junit" reaches here: main.c takes the others */
			if (strcmp(optarg, "junit"))
				return cli_usage(s, "--format: expected text, tsv, csv, json or junit");
			o->junit = "-";
			break;
		}
	}
	if (st.error)
		return st.error;
	if (optind != argc - 1)
		return cli_usage(s, "usage: heaplens check (--rules FILE | --rule RULE)... [--baseline BASE] DUMP");
	s->dump_path = argv[optind];
	code = add_inline(s, r, o);
	if (!code && !r->count)
		return cli_usage(s, "check: no rules: give --rules FILE or --rule RULE");
	return code;
}

/* Refuse growth rules without a baseline, before reading any dump. */
static int rules_needs(struct session *s, const hl_rules *r, const char *baseline,
		       int *needs)
{
	size_t i;

	*needs = NEED_HEAP;
	for (i = 0; i < r->count; i++) {
		int n = hl_rule_needs(r->rules[i].kind);

		if ((n & HL_RULE_NEEDS_BASELINE) && !baseline) {
			cli_error(s, "%s:%u: %s needs a baseline dump (--baseline BASE)",
				  r->rules[i].source, r->rules[i].line,
				  hl_rule_name(r->rules[i].kind));
			return EXIT_USAGE;
		}
		if (n & HL_RULE_NEEDS_DOMINATORS)
			*needs = NEED_DOMINATORS;
	}
	return EXIT_OK;
}

/* ---- words and numbers ---- */

static int is_percent(const hl_rule *r)
{
	return r->kind == HL_RULE_MAX_SUSPECT_PERCENT;
}

static const char *unit_of(const hl_rule *r)
{
	if (is_percent(r))
		return "percent";
	return r->kind == HL_RULE_MAX_INSTANCES || r->kind == HL_RULE_FORBID_CLASS
	       ? "instances" : "bytes";
}

/* The measured value and the limit as printed: "61.03%" or "61.03", "12" */
static char *value_text(const hl_rule *r, const hl_rule_result *x, int text,
			char *buf, size_t len)
{
	if (is_percent(r))
		snprintf(buf, len, text ? "%.2f%%" : "%.2f", x->percent);
	else
		snprintf(buf, len, "%" PRId64, x->value);
	return buf;
}

static char *limit_text(const hl_rule *r, int text, char *buf, size_t len)
{
	if (is_percent(r))
		snprintf(buf, len, text ? "%.2f%%" : "%.2f", r->limit_percent);
	else
		snprintf(buf, len, "%llu", (unsigned long long)r->limit);
	return buf;
}

/* 536870912 -> "512 MB", 7954432 -> "7.59 MB" (units of 1024). */
static char *human(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "KB", "MB", "GB", "TB" };
	double d = (double)v;
	int u = -1;

	while (d >= 1024 && u < 3) {
		d /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu B", (unsigned long long)v);
	else if (v % (1ull << (10 * (u + 1))) == 0)
		snprintf(buf, len, "%.0f %s", d, units[u]);
	else
		snprintf(buf, len, "%.2f %s", d, units[u]);
	return buf;
}

static char *bytes(uint64_t v, char *buf, size_t len)
{
	char h[32];

	if (v < 1024)
		snprintf(buf, len, "%llu bytes", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu bytes (%s)", (unsigned long long)v,
			 human(v, h, sizeof(h)));
	return buf;
}

/* "java.lang.Thread @ 0x7f00aa10", or "class com.acme.Cache". */
static char *object_text(const hl_heap *h, hl_obj o, char *buf, size_t len)
{
	hl_cls c = hl_object_as_class(h, o);

	if (c != HL_NONE)
		snprintf(buf, len, "class %s", hl_class_name(h, c));
	else
		snprintf(buf, len, "%s @ 0x%llx", hl_class_name(h, hl_object_class(h, o)),
			 (unsigned long long)hl_object_id(h, o));
	return buf;
}

static const char *classes_text(uint64_t n, char *buf, size_t len)
{
	snprintf(buf, len, n == 1 ? "the class" : "the %llu classes",
		 (unsigned long long)n);
	return buf;
}

static void message_pattern(const struct checked *k, const hl_rule *r,
			    const hl_rule_result *x, char *m, size_t len)
{
	char a[64], b[64], c[48], o[600];
	int64_t v = x->value;

	if (!x->classes && r->kind != HL_RULE_MAX_GROWTH) {
		snprintf(m, len, "no class matches '%s'", r->pattern);
		return;
	}
	classes_text(x->classes, c, sizeof(c));
	switch (r->kind) {
	case HL_RULE_MAX_RETAINED:
		snprintf(m, len, "%s matching '%s' retain%s %s; limit %s", c, r->pattern,
			 x->classes == 1 ? "s" : "", bytes((uint64_t)v, a, sizeof(a)),
			 bytes(r->limit, b, sizeof(b)));
		break;
	case HL_RULE_MAX_INSTANCES:
		snprintf(m, len, "%" PRId64 " reachable instances of %s matching '%s'; limit %llu",
			 v, c, r->pattern, (unsigned long long)r->limit);
		break;
	case HL_RULE_FORBID_CLASS:
		if (!v)
			snprintf(m, len, "no reachable instance of %s matching '%s'", c, r->pattern);
		else
			snprintf(m, len, "%" PRId64 " reachable instance%s of %s matching '%s', such as %s",
				 v, v == 1 ? "" : "s", c, r->pattern,
				 object_text(k->s->heap, x->example, o, sizeof(o)));
		break;
	default: /* max-growth; the pattern may match in the baseline only */
		snprintf(m, len, "%s matching '%s' retain%s %llu bytes, %s %s than in the baseline; limit %s",
			 x->classes ? c : "the classes", r->pattern, x->classes == 1 ? "s" : "",
			 (unsigned long long)(x->base_value + (uint64_t)v),
			 bytes(v < 0 ? (uint64_t)-v : (uint64_t)v, a, sizeof(a)),
			 v < 0 ? "less" : "more", bytes(r->limit, b, sizeof(b)));
		break;
	}
}

/* One sentence on what was measured, for JUnit, JSON and the text footer. */
static void message(const struct checked *k, const hl_rule *r,
		    const hl_rule_result *x, char *m, size_t len)
{
	char a[64], b[64], o[600];

	switch (r->kind) {
	case HL_RULE_MAX_HEAP:
		snprintf(m, len, "the reachable heap is %s; limit %s",
			 bytes((uint64_t)x->value, a, sizeof(a)), bytes(r->limit, b, sizeof(b)));
		break;
	case HL_RULE_MAX_SUSPECT_PERCENT:
		if (x->example != HL_NONE)
			object_text(k->s->heap, x->example, o, sizeof(o));
		else if (x->example_class != HL_NONE)
			snprintf(o, sizeof(o), "%llu top-level instances of %s",
				 (unsigned long long)x->members,
				 hl_class_name(k->s->heap, x->example_class));
		else
			snprintf(o, sizeof(o), "nothing");
		snprintf(m, len, "the largest suspect, %s, retains %.2f%% of the heap, %s; limit %.2f%%",
			 o, x->percent, bytes((uint64_t)x->value, a, sizeof(a)), r->limit_percent);
		break;
	case HL_RULE_MAX_STRING_WASTE:
		snprintf(m, len, "%llu duplicated string values waste %s; limit %s",
			 (unsigned long long)x->values, bytes((uint64_t)x->value, a, sizeof(a)),
			 bytes(r->limit, b, sizeof(b)));
		break;
	default:
		message_pattern(k, r, x, m, len);
		break;
	}
}

/* ---- text, TSV, CSV ---- */

static char *text_footer(const struct checked *k)
{
	size_t i, cap = 256, used;
	char *f = malloc(cap), m[1600], *nf;

	if (!f)
		return NULL;
	used = (size_t)snprintf(f, cap, "%zu rule%s: %zu passed, %zu failed\n",
				k->rules->count, k->rules->count == 1 ? "" : "s",
				k->rules->count - k->failed, k->failed);
	for (i = 0; i < k->rules->count; i++) {
		const hl_rule *r = &k->rules->rules[i];
		char e[1700];
		size_t n;

		if (!k->res[i].failed)
			continue;
		message(k, r, &k->res[i], m, sizeof(m));
		snprintf(e, sizeof(e), "FAIL %s:%u: %s: %s", r->source, r->line, r->text, m);
		n = strlen(e) * 4 + 2;  /* escaping may grow it */
		if (used + n >= cap) {
			cap = (used + n) * 2;
			if (!(nf = realloc(f, cap)))
				return f;
			f = nf;
		}
		used += hl_escape(e, strlen(e), f + used, cap - used);
		f[used++] = '\n';
		f[used] = '\0';
	}
	return f;
}

static void print_table(const struct checked *k)
{
	static const struct column text_cols[] = {
		{ "status", COL_STR, 0 }, { "value", COL_STR, 1 },
		{ "limit", COL_STR, 1 }, { "unit", COL_STR, 0 },
		{ "where", COL_STR, 0 }, { "rule", COL_STR, 0 },
	};
	static const struct column cols[] = {
		{ "status", COL_STR, 0 }, { "kind", COL_STR, 0 },
		{ "pattern", COL_STR, 0 }, { "value", COL_STR, 0 },
		{ "limit", COL_STR, 0 }, { "unit", COL_STR, 0 },
		{ "source", COL_STR, 0 }, { "line", COL_NUM, 0 },
		{ "rule", COL_STR, 0 }, { "message", COL_STR, 0 },
	};
	int text = k->s->format == FMT_TEXT;
	struct table *t = text ? table_begin(k->s, text_cols, 6, "rules")
			       : table_begin(k->s, cols, 10, "rules");
	char v[40], l[40], where[600], m[1600], *footer;
	size_t i;

	for (i = 0; i < k->rules->count; i++) {
		const hl_rule *r = &k->rules->rules[i];
		const char *st = k->res[i].failed ? "FAIL" : "PASS";

		value_text(r, &k->res[i], text, v, sizeof(v));
		limit_text(r, text, l, sizeof(l));
		if (text) {
			/* the file's name only: the column stays narrow (the
			 * footer and the other formats give the path) */
			const char *base = strrchr(r->source, '/');

			snprintf(where, sizeof(where), "%s:%u", base ? base + 1 : r->source,
				 r->line);
			table_row(t, (struct cell[6]){ { st, 0, 0 }, { v, 0, 0 }, { l, 0, 0 },
				  { unit_of(r), 0, 0 }, { where, 0, 0 }, { r->text, 0, 0 } });
			continue;
		}
		message(k, r, &k->res[i], m, sizeof(m));
		table_row(t, (struct cell[10]){ { st, 0, 0 }, { hl_rule_name(r->kind), 0, 0 },
			  { r->pattern ? r->pattern : "", 0, 0 }, { v, 0, 0 }, { l, 0, 0 },
			  { unit_of(r), 0, 0 }, { r->source, 0, 0 }, { NULL, r->line, 0 },
			  { r->text, 0, 0 }, { m, 0, 0 } });
	}
	footer = text ? text_footer(k) : NULL;
	table_end(t, footer, NULL);
	free(footer);
}

/* ---- JSON ---- */

static void json_dump(const char *key, const char *path, const hl_heap *h)
{
	hl_info in;

	hl_get_info(h, &in);
	printf(",\"%s\":{\"path\":", key);
	json_str(stdout, path);
	printf(",\"file_size\":%llu,\"id_size\":%u,\"timestamp_ms\":%llu,\"dump_index\":%u}",
	       (unsigned long long)in.file_size, in.id_size,
	       (unsigned long long)in.timestamp_ms, in.dump_index);
}

/* Keys in the order of the TSV columns, then classes and base_value. */
static void json_rule(const struct checked *k, size_t i)
{
	const hl_rule *r = &k->rules->rules[i];
	const hl_rule_result *x = &k->res[i];
	char m[1600];

	printf("%s\n{\"status\":\"%s\",\"kind\":\"%s\",\"pattern\":", i ? "," : "",
	       x->failed ? "FAIL" : "PASS", hl_rule_name(r->kind));
	if (r->pattern)
		json_str(stdout, r->pattern);
	else
		fputs("null", stdout);
	if (is_percent(r))
		printf(",\"value\":%.4f,\"limit\":%.4f", x->percent, r->limit_percent);
	else
		printf(",\"value\":%" PRId64 ",\"limit\":%llu", x->value,
		       (unsigned long long)r->limit);
	printf(",\"unit\":\"%s\",\"source\":", unit_of(r));
	json_str(stdout, r->source);
	printf(",\"line\":%u,\"rule\":", r->line);
	json_str(stdout, r->text);
	fputs(",\"message\":", stdout);
	message(k, r, x, m, sizeof(m));
	json_str(stdout, m);
	printf(",\"classes\":%llu", (unsigned long long)x->classes);
	if (r->kind == HL_RULE_MAX_GROWTH)
		printf(",\"base_value\":%llu", (unsigned long long)x->base_value);
	putchar('}');
}

static void print_json(const struct checked *k)
{
	size_t i;

	json_header(k->s, stdout);
	if (k->base)
		json_dump("baseline", k->base_path, k->base);
	fputs(",\"rules\":[", stdout);
	for (i = 0; i < k->rules->count; i++)
		json_rule(k, i);
	printf("\n],\"summary\":{\"rules\":%zu,\"passed\":%zu,\"failed\":%zu,\"result\":\"%s\"}}\n",
	       k->rules->count, k->rules->count - k->failed, k->failed,
	       k->failed ? "FAIL" : "PASS");
}

/* ---- JUnit XML ---- */

/* Text for XML: escaped for a terminal first (no control characters,
 * valid UTF-8), then & < > " as entities. */
static void xml_str(FILE *f, const char *s)
{
	char buf[4096];
	const char *p;

	hl_escape(s, strlen(s), buf, sizeof(buf));
	for (p = buf; *p; p++)
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*p, f); break;
		}
}

static void xml_attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	xml_str(f, value);
	fputc('"', f);
}

/* error: the dump could not be read (every rule is an error), else NULL. */
static void junit_case(FILE *f, const struct checked *k, size_t i, const char *error)
{
	const hl_rule *r = &k->rules->rules[i];
	char m[1600], line[16];

	fputs("    <testcase", f);
	xml_attr(f, "classname", "heaplens.check");
	xml_attr(f, "name", r->text);
	xml_attr(f, "file", r->source);
	snprintf(line, sizeof(line), "%u", r->line);
	xml_attr(f, "line", line);
	fputs(">\n", f);
	if (error) {
		fputs("      <error", f);
		xml_attr(f, "message", error);
		fputs("/>\n", f);
	} else {
		message(k, r, &k->res[i], m, sizeof(m));
		if (k->res[i].failed) {
			fputs("      <failure", f);
			xml_attr(f, "type", hl_rule_name(r->kind));
			xml_attr(f, "message", m);
			fputs(">", f);
			fprintf(f, "%s:%u: ", r->source, r->line);
			xml_str(f, r->text);
			fputs("\n", f);
			xml_str(f, m);
			fputs("</failure>\n", f);
		}
		fputs("      <system-out>", f);
		xml_str(f, m);
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
}

static void junit_write(FILE *f, const struct checked *k, const char *error)
{
	size_t i, n = k->rules->count;
	char counts[160];

	snprintf(counts, sizeof(counts), " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"",
		 n, error ? 0 : k->failed, error ? n : 0);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	xml_attr(f, "name", "heaplens check");
	fprintf(f, "%s>\n  <testsuite", counts);
	xml_attr(f, "name", "heaplens check");
	fprintf(f, "%s skipped=\"0\">\n    <properties>\n      <property", counts);
	xml_attr(f, "name", "dump");
	xml_attr(f, "value", k->s->dump_path);
	fputs("/>\n", f);
	if (k->base_path) {
		fputs("      <property", f);
		xml_attr(f, "name", "baseline");
		xml_attr(f, "value", k->base_path);
		fputs("/>\n", f);
	}
	fprintf(f, "      <property name=\"tool_version\" value=\"%s\"/>\n    </properties>\n",
		HL_VERSION_STRING);
	for (i = 0; i < n; i++)
		junit_case(f, k, i, error);
	fputs("  </testsuite>\n</testsuites>\n", f);
}

/* Write the report to path ("-": standard output); 0 or an exit code. */
static int junit_report(const struct checked *k, const char *path, const char *error)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;

	if (!f) {
		cli_error(k->s, "cannot write '%s': %s", path, strerror(errno));
		return EXIT_NOMEM;
	}
	junit_write(f, k, error);
	if (f != stdout && (ferror(f) | fclose(f))) {
		cli_error(k->s, "cannot write '%s': %s", path, strerror(errno));
		return EXIT_NOMEM;
	}
	return EXIT_OK;
}

/* ---- the command ---- */

/* Open the baseline (if any), then the dump; on failure the JUnit report
 * says why. */
static int open_dumps(struct checked *k, int needs, const char *junit)
{
	const char *path = k->s->dump_path;
	char error[700];
	int code = EXIT_OK;

	if (k->base_path) {
		k->s->dump_path = k->base_path;
		code = session_open(k->s, needs);
		k->s->dump_path = path;
		if (!code) {
			k->base = k->s->heap;
			k->s->heap = NULL;
		} else {
			snprintf(error, sizeof(error), "%s: %s", k->base_path, hl_errmsg(k->s->heap));
		}
	}
	if (!code) {
		code = session_open(k->s, needs);
		if (code)
			snprintf(error, sizeof(error), "%s: %s", path, hl_errmsg(k->s->heap));
	}
	if (code && junit && code != EXIT_USAGE)
		junit_report(k, junit, error);
	return code;
}

static int run(struct checked *k, const char *junit)
{
	hl_status st;
	size_t i;
	int code = EXIT_OK;

	k->res = calloc(k->rules->count + 1, sizeof(*k->res));
	if (!k->res) {
		cli_error(k->s, "out of memory");
		return EXIT_NOMEM;
	}
	st = hl_rules_check(k->s->heap, k->base, k->rules, k->res);
	if (st != HL_OK) {
		cli_error(k->s, "%s: %s", k->s->dump_path, hl_errmsg(k->s->heap));
		return exit_code_for(st);
	}
	for (i = 0; i < k->rules->count; i++)
		k->failed += k->res[i].failed != 0;
	if (junit)
		code = junit_report(k, junit, NULL);
	if (junit && !strcmp(junit, "-"))
		; /* the report is the output */
	else if (k->s->format == FMT_JSON)
		print_json(k);
	else
		print_table(k);
	return code ? code : k->failed ? EXIT_FAIL : EXIT_OK;
}

int cmd_check(int argc, char **argv, struct session *s)
{
	struct check_opts o = { 0 };
	hl_rules rules = { 0 };
	struct checked k = { s, NULL, NULL, &rules, NULL, 0 };
	int code, needs = NEED_HEAP;

	code = parse(argc, argv, s, &o, &rules);
	if (!code)
		code = rules_needs(s, &rules, o.baseline, &needs);
	k.base_path = o.baseline;
	if (!code)
		code = open_dumps(&k, needs, o.junit);
	if (!code)
		code = run(&k, o.junit);
	free(k.res);
	hl_close(k.base);
	hl_rules_free(&rules);
	free(o.inline_rules);
	return code;
}
