/*
 * test_check.c: the rules of `heaplens check` and the class diff.
 *
 * - class patterns ('*' only) on names with '$', '[]' and dots;
 * - the rule parser: every kind with its arguments, size units (powers of
 *   1024, decimals), comments, blank lines, CR LF, and the "SOURCE:LINE:"
 *   message of each kind of bad line (unknown rule, bad unit, missing or
 *   extra argument, bad count or percent, control character, NUL byte);
 * - every rule kind evaluated on the caches and deleteonexit fixtures, once
 *   passing and once failing, each measure checked against an independent
 *   computation: the histogram for instances and single-class retained
 *   sizes, a walk of hl_idom chains for the retained size of a set of
 *   classes (which must not be the over-counting sum of per-class retained
 *   sizes), hl_find_suspects for the suspect percent,
 *   hl_string_dups_build for the string waste;
 * - max-growth and hl_diff_build on fixtures/diff/: two dumps of the
 *   hugesql program with a 250,000- and a 1,000,000-character statement,
 *   whose growing classes must come first; classes of one name told apart
 *   by their loader (fixture.Twin in the general fixtures).
 *
 * Why: a CI gate that measures the wrong thing passes silently; these pin
 * what each number means.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "unit_util.h"

/* ---- helpers ---- */

static hl_heap *open_fixture(const char *name, int dominators)
{
	char path[UT_PATH_MAX];
	hl_heap *h = ut_open(ut_join(path, sizeof path, ut_env_dir("HL_FIXTURES"), name));

	if (dominators)
		assert_int_equal(hl_compute_dominators(h), HL_OK);
	return h;
}

/* Parse text that must parse; returns the rules. */
static void parse_ok(hl_rules *r, const char *text)
{
	char err[512];

	memset(r, 0, sizeof *r);
	if (hl_rules_parse(r, "t.rules", text, strlen(text), err, sizeof err) != HL_OK)
		fail_msg("unexpected parse error: %s", err);
}

/* Parse text that must fail with exactly this message. */
static void parse_bad(const char *text, const char *msg)
{
	hl_rules r = { 0 };
	char err[512];

	assert_int_equal(hl_rules_parse(&r, "t.rules", text, strlen(text), err, sizeof err),
			 HL_E_USAGE);
	assert_string_equal(err, msg);
	hl_rules_free(&r);
}

/* Evaluate one rule on h (and base); returns the result. */
static hl_rule_result check1(hl_heap *h, hl_heap *base, const char *rule)
{
	hl_rules r;
	hl_rule_result x;

	parse_ok(&r, rule);
	assert_int_equal(r.count, 1);
	assert_int_equal(hl_rules_check(h, base, &r, &x), HL_OK);
	hl_rules_free(&r);
	return x;
}

/* A rule with a limit of `limit` (bytes: "NB") on one line. */
static hl_rule_result check_limit(hl_heap *h, const char *kind, const char *pattern,
				  uint64_t limit, const char *unit)
{
	char rule[512];

	snprintf(rule, sizeof rule, "%s %s%s%llu%s", kind, pattern ? pattern : "",
		 pattern ? " " : "", (unsigned long long)limit, unit);
	return check1(h, NULL, rule);
}

static const hl_histo_row *histo_row(const hl_histogram *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (!strcmp(t->rows[i].name, name))
			return &t->rows[i];
	fail_msg("no histogram row %s", name);
	return NULL;
}

/* Retained size of the set {reachable instances and class objects of the
 * classes matching pattern}, by walking each member's dominator chain. */
static uint64_t union_retained_by_walk(const hl_heap *h, const char *pattern)
{
	uint32_t n = hl_object_count(h), o;
	unsigned char *in = calloc(n, 1);
	uint64_t sum = 0;

	assert_non_null(in);
	for (o = 0; o < n; o++) {
		hl_cls c = hl_object_as_class(h, o);

		if (!hl_object_reachable(h, o))
			continue;
		in[o] = hl_class_match(pattern, hl_class_name(h, hl_object_class(h, o))) ||
			(c != HL_NONE && hl_class_match(pattern, hl_class_name(h, c)));
	}
	for (o = 0; o < n; o++) {
		hl_obj up = o;

		if (!in[o])
			continue;
		do
			up = hl_idom(h, up);
		while (up != HL_ROOT && up != HL_NONE && !in[up]);
		if (up == HL_ROOT)
			sum += hl_retained(h, o);
	}
	free(in);
	return sum;
}

/* ---- patterns ---- */

static void test_class_match(void **state)
{
	(void)state;
	assert_true(hl_class_match("java.lang.Thread", "java.lang.Thread"));
	assert_false(hl_class_match("java.lang.Thread", "java.lang.Thread[]"));
	assert_false(hl_class_match("java.lang.Thread", "java.lang.ThreadGroup"));
	assert_true(hl_class_match("com.acme.*", "com.acme.Foo"));
	assert_true(hl_class_match("com.acme.*", "com.acme.cache.Entry$Node"));
	assert_true(hl_class_match("com.acme.*", "com.acme.Foo[][]"));
	assert_false(hl_class_match("com.acme.*", "com.acmex.Foo"));
	assert_true(hl_class_match("com.acme.*", "com.acme."));
	assert_true(hl_class_match("*", ""));
	assert_true(hl_class_match("*Cache*", "com.acme.CacheEntry"));
	assert_true(hl_class_match("*.*Map$*", "java.util.HashMap$Node"));
	assert_false(hl_class_match("*.*Map$*", "java.util.HashMap"));
	assert_true(hl_class_match("a*b*c", "axxbyybzc"));
	assert_false(hl_class_match("a*b*c", "axxbyybzcd"));
	assert_true(hl_class_match("int[]", "int[]"));
	assert_true(hl_class_match("**x", "x"));
	assert_false(hl_class_match("", "x"));
}

/* ---- parsing ---- */

static void test_parse_every_kind(void **state)
{
	hl_rules r;

	(void)state;
	parse_ok(&r, "# a comment line\n"
		 "\n"
		 "max-heap 512MB\n"
		 "  max-retained\tcom.acme.cache.*   64MB   # trailing comment\r\n"
		 "max-instances java.lang.Thread 400\n"
		 "max-suspect-percent 30\n"
		 "max-duplicate-string-waste 20MB\n"
		 "forbid-class com.acme.debug.*\n"
		 "max-growth com.acme.* 10MB");
	assert_int_equal(r.count, 7);
	assert_int_equal(r.rules[0].kind, HL_RULE_MAX_HEAP);
	assert_int_equal(r.rules[0].limit, 512ull << 20);
	assert_null(r.rules[0].pattern);
	assert_int_equal(r.rules[0].line, 3);
	assert_string_equal(r.rules[0].source, "t.rules");
	assert_int_equal(r.rules[1].kind, HL_RULE_MAX_RETAINED);
	assert_string_equal(r.rules[1].pattern, "com.acme.cache.*");
	assert_int_equal(r.rules[1].limit, 64ull << 20);
	assert_string_equal(r.rules[1].text, "max-retained com.acme.cache.* 64MB");
	assert_int_equal(r.rules[1].line, 4);
	assert_int_equal(r.rules[2].kind, HL_RULE_MAX_INSTANCES);
	assert_int_equal(r.rules[2].limit, 400);
	assert_int_equal(r.rules[3].kind, HL_RULE_MAX_SUSPECT_PERCENT);
	assert_true(r.rules[3].limit_percent == 30.0);
	assert_int_equal(r.rules[4].kind, HL_RULE_MAX_STRING_WASTE);
	assert_int_equal(r.rules[4].limit, 20ull << 20);
	assert_int_equal(r.rules[5].kind, HL_RULE_FORBID_CLASS);
	assert_string_equal(r.rules[5].pattern, "com.acme.debug.*");
	assert_int_equal(r.rules[5].limit, 0);
	assert_int_equal(r.rules[6].kind, HL_RULE_MAX_GROWTH);
	assert_int_equal(r.rules[6].limit, 10ull << 20);
	assert_int_equal(r.rules[6].line, 9);
	assert_string_equal(hl_rule_name(HL_RULE_MAX_STRING_WASTE), "max-duplicate-string-waste");
	assert_int_equal(hl_rule_needs(HL_RULE_MAX_HEAP), 0);
	assert_int_equal(hl_rule_needs(HL_RULE_MAX_RETAINED), HL_RULE_NEEDS_DOMINATORS);
	assert_int_equal(hl_rule_needs(HL_RULE_MAX_GROWTH),
			 HL_RULE_NEEDS_DOMINATORS | HL_RULE_NEEDS_BASELINE);
	hl_rules_free(&r);
	hl_rules_free(&r); /* a freed list is empty */
	hl_rules_free(NULL);
}

static void test_parse_sizes(void **state)
{
	static const struct { const char *size; uint64_t bytes; } cases[] = {
		{ "0B", 0 }, { "1B", 1 }, { "1KB", 1024 }, { "1KiB", 1024 },
		{ "3MB", 3ull << 20 }, { "2MiB", 2ull << 20 }, { "1GB", 1ull << 30 },
		{ "16GiB", 16ull << 30 }, { "1.5KB", 1536 }, { "0.5MB", 512ull << 10 },
		{ "0.001KB", 1 }, { "1.25GB", 5ull << 28 }, { "512MB", 512ull << 20 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		hl_rules r;
		char text[64];

		snprintf(text, sizeof text, "max-heap %s", cases[i].size);
		parse_ok(&r, text);
		assert_int_equal(r.rules[0].limit, cases[i].bytes);
		hl_rules_free(&r);
	}
}

static void test_parse_percent(void **state)
{
	hl_rules r;

	(void)state;
	parse_ok(&r, "max-suspect-percent 12.5%\nmax-suspect-percent 0\nmax-suspect-percent 100");
	assert_true(r.rules[0].limit_percent == 12.5);
	assert_true(r.rules[1].limit_percent == 0.0);
	assert_true(r.rules[2].limit_percent == 100.0);
	hl_rules_free(&r);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_bad("max-heap 1GB\n\nmax-hep 1GB\n",
		  "t.rules:3: unknown rule 'max-hep' (known: max-heap, max-retained, max-instances, "
		  "max-suspect-percent, max-duplicate-string-waste, forbid-class, max-growth)");
	parse_bad("max-heap 64XB", "t.rules:1: bad size '64XB': unknown unit 'XB' (use B, KB, MB or GB)");
	parse_bad("max-heap 64mb", "t.rules:1: bad size '64mb': unknown unit 'mb' (use B, KB, MB or GB)");
	parse_bad("# budget\nmax-heap 64", "t.rules:2: bad size '64': a size needs a unit (B, KB, MB or GB)");
	parse_bad("max-heap MB", "t.rules:1: bad size 'MB': expected a number and a unit, such as 64MB");
	parse_bad("max-heap 1.MB", "t.rules:1: bad size '1.MB': expected a number and a unit, such as 64MB");
	parse_bad("max-heap 1.2345MB", "t.rules:1: bad size '1.2345MB': expected a number and a unit, such as 64MB");
	parse_bad("max-heap 20000000000GB", "t.rules:1: bad size '20000000000GB': too large");
	parse_bad("max-retained com.acme.*",
		  "t.rules:1: max-retained: missing argument: expected max-retained PATTERN SIZE");
	parse_bad("max-heap", "t.rules:1: max-heap: missing argument: expected max-heap SIZE");
	parse_bad("forbid-class", "t.rules:1: forbid-class: missing argument: expected forbid-class PATTERN");
	parse_bad("max-heap 1GB 2GB", "t.rules:1: max-heap: too many arguments: expected max-heap SIZE");
	parse_bad("max-growth a b c d e",
		  "t.rules:1: max-growth: too many arguments: expected max-growth PATTERN SIZE");
	parse_bad("max-instances java.lang.Thread 4e2",
		  "t.rules:1: bad count '4e2': expected a whole number");
	parse_bad("max-instances java.lang.Thread 1.5",
		  "t.rules:1: bad count '1.5': expected a whole number");
	parse_bad("max-suspect-percent 101", "t.rules:1: bad percent '101': expected a number from 0 to 100");
	parse_bad("max-suspect-percent 30%%", "t.rules:1: bad percent '30%%': expected a number from 0 to 100");
	parse_bad("max-heap 1GB\x07", "t.rules:1: control character 0x07");
}

static void test_parse_keeps_earlier_rules(void **state)
{
	hl_rules r = { 0 };
	char err[512];
	static const char text[] = "max-heap 1GB\nforbid-class a.B\nmax-heap\0 1GB\n";

	(void)state;
	assert_int_equal(hl_rules_parse(&r, "nul.rules", text, sizeof text - 1, err, sizeof err),
			 HL_E_USAGE);
	assert_string_equal(err, "nul.rules:3: NUL byte (not a text file?)");
	assert_int_equal(r.count, 2);
	/* a second source appends, with its own line numbers */
	assert_int_equal(hl_rules_parse(&r, "--rule", "max-heap 2GB", 12, err, sizeof err), HL_OK);
	assert_int_equal(r.count, 3);
	assert_string_equal(r.rules[2].source, "--rule");
	assert_int_equal(r.rules[2].line, 1);
	hl_rules_free(&r);
	/* no room for the message: still refused */
	assert_int_equal(hl_rules_parse(&r, "x", "nope", 4, err, 0), HL_E_USAGE);
	hl_rules_free(&r);
}

/* ---- evaluation on the caches fixture ---- */

static int caches_setup(void **state)
{
	*state = open_fixture("caches.hprof.gz", 1);
	return 0;
}

static int heap_teardown(void **state)
{
	hl_close(*state);
	return 0;
}

static void test_max_heap(void **state)
{
	hl_heap *h = *state;
	uint64_t total = hl_total_heap(h);
	hl_rule_result x = check_limit(h, "max-heap", NULL, total, "B");

	assert_int_equal(x.value, (int64_t)total);
	assert_false(x.failed);
	x = check_limit(h, "max-heap", NULL, total - 1, "B");
	assert_true(x.failed);
	assert_false(check1(h, NULL, "max-heap 512MB").failed);
	assert_true(check1(h, NULL, "max-heap 8MB").failed);
}

static void test_max_retained_one_class(void **state)
{
	hl_heap *h = *state;
	hl_histogram t;
	const hl_histo_row *ms;
	hl_rule_result x;

	assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
	ms = histo_row(&t, "fixture.MappingService");
	x = check_limit(h, "max-retained", "fixture.MappingService", ms->retained, "B");
	assert_int_equal(x.value, (int64_t)ms->retained);
	assert_int_equal(x.classes, 1);
	assert_false(x.failed);
	x = check_limit(h, "max-retained", "fixture.MappingService", ms->retained - 1, "B");
	assert_true(x.failed);
	/* README: MappingService retains 7.59 MB */
	assert_true(check1(h, NULL, "max-retained fixture.MappingService 4MB").failed);
	assert_false(check1(h, NULL, "max-retained fixture.MappingService 8MB").failed);
	hl_histogram_free(&t);
}

/* Nested classes: the Mappings are dominated by MappingService's statics,
 * so the union retains what MappingService does, not the sum of both. */
static void test_max_retained_union(void **state)
{
	hl_heap *h = *state;
	hl_histogram t;
	uint64_t ms, mapping, walk;
	hl_rule_result x;

	assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
	ms = histo_row(&t, "fixture.MappingService")->retained;
	mapping = histo_row(&t, "fixture.MappingService$Mapping")->retained;
	hl_histogram_free(&t);
	x = check1(h, NULL, "max-retained fixture.MappingService* 1GB");
	assert_int_equal(x.classes, 2);
	assert_true((uint64_t)x.value < ms + mapping);
	assert_int_equal(x.value, (int64_t)ms);
	walk = union_retained_by_walk(h, "fixture.MappingService*");
	assert_int_equal(x.value, (int64_t)walk);
	x = check1(h, NULL, "max-retained fixture.* 1GB");
	assert_int_equal(x.value, (int64_t)union_retained_by_walk(h, "fixture.*"));
	/* java.lang.Class: every class object is a member */
	x = check1(h, NULL, "max-retained java.lang.Class* 1GB");
	assert_int_equal(x.value, (int64_t)union_retained_by_walk(h, "java.lang.Class*"));
	x = check1(h, NULL, "max-retained * 1GB");
	assert_int_equal(x.value, (int64_t)hl_total_heap(h));
	x = check1(h, NULL, "max-retained no.such.* 0B");
	assert_int_equal(x.classes, 0);
	assert_int_equal(x.value, 0);
	assert_false(x.failed);
}

static void test_max_instances(void **state)
{
	hl_heap *h = *state;
	hl_rule_result x;

	/* 60,000 Mappings (README) */
	x = check1(h, NULL, "max-instances fixture.MappingService$Mapping 60000");
	assert_int_equal(x.value, 60000);
	assert_false(x.failed);
	assert_int_equal(x.classes, 1);
	assert_string_equal(hl_class_name(h, x.example_class), "fixture.MappingService$Mapping");
	assert_string_equal(hl_class_name(h, hl_object_class(h, x.example)),
			    "fixture.MappingService$Mapping");
	assert_true(check1(h, NULL, "max-instances fixture.MappingService$Mapping 59999").failed);
	/* class objects count as instances of java.lang.Class, as in the histogram */
	x = check1(h, NULL, "max-instances fixture.MappingService 0");
	assert_int_equal(x.value, 0);
	assert_false(x.failed);
	x = check1(h, NULL, "max-instances java.lang.Thread 400");
	assert_true(x.value > 0 && x.value < 400);
	assert_false(x.failed);
}

static void test_forbid_class(void **state)
{
	hl_heap *h = *state;
	hl_rule_result x;

	x = check1(h, NULL, "forbid-class com.acme.debug.*");
	assert_false(x.failed);
	assert_int_equal(x.value, 0);
	assert_int_equal(x.classes, 0);
	assert_int_equal(x.example, HL_NONE);
	x = check1(h, NULL, "forbid-class fixture.MappingService$*");
	assert_true(x.failed);
	assert_int_equal(x.value, 60000);
	assert_string_equal(hl_class_name(h, hl_object_class(h, x.example)),
			    "fixture.MappingService$Mapping");
	assert_true(hl_object_reachable(h, x.example));
	/* a class with no instances passes, whatever its statics hold */
	assert_false(check1(h, NULL, "forbid-class fixture.ConfigClient").failed);
}

/* The largest single or group suspect of hl_find_suspects at threshold P. */
static uint64_t largest_mat_suspect(hl_heap *h, double p)
{
	hl_suspect_options opt = { p, 100000, 1.0 };
	hl_suspect *s;
	size_t n, i;
	uint64_t best = 0;

	assert_int_equal(hl_find_suspects(h, &opt, &s, &n), HL_OK);
	for (i = 0; i < n; i++)
		if ((s[i].kind == HL_SUSPECT_SINGLE || s[i].kind == HL_SUSPECT_GROUP) &&
		    s[i].retained > best)
			best = s[i].retained;
	hl_suspects_free(s, n);
	return best;
}

static void test_max_suspect_percent(void **state)
{
	hl_heap *h = *state;
	uint64_t total = hl_total_heap(h), mat = largest_mat_suspect(h, 10.0);
	hl_rule_result x = check1(h, NULL, "max-suspect-percent 10");

	assert_true(mat > 0);
	assert_true(x.failed);
	assert_int_equal(x.value, (int64_t)mat);
	assert_true(x.percent > 10.0 && x.percent <= 100.0);
	assert_true(x.percent == 100.0 * (double)mat / (double)total);
	assert_int_not_equal(x.example, HL_NONE); /* a single suspect */
	assert_true(check1(h, NULL, "max-suspect-percent 30").failed);
	x = check1(h, NULL, "max-suspect-percent 99.9");
	assert_false(x.failed);
	assert_int_equal(x.value, (int64_t)mat); /* measured all the same */
	assert_int_equal(largest_mat_suspect(h, 99.9), 0); /* and MAT reports none */
}

static void test_max_string_waste(void **state)
{
	hl_heap *h = *state;
	hl_string_dups d;
	hl_rule_result x;

	assert_int_equal(hl_string_dups_build(h, 2, 0, &d), HL_OK);
	assert_true(d.wasted > 0);
	x = check_limit(h, "max-duplicate-string-waste", NULL, d.wasted, "B");
	assert_int_equal(x.value, (int64_t)d.wasted);
	assert_int_equal(x.values, d.groups_total);
	assert_false(x.failed);
	x = check_limit(h, "max-duplicate-string-waste", NULL, d.wasted - 1, "B");
	assert_true(x.failed);
	hl_string_dups_free(&d);
}

static void test_rules_together(void **state)
{
	hl_heap *h = *state;
	hl_rules r;
	hl_rule_result x[4];

	parse_ok(&r, "max-heap 512MB\nmax-retained fixture.* 4MB\n"
		 "forbid-class com.acme.*\nmax-growth fixture.* 1MB\n");
	/* a growth rule without a baseline is refused */
	assert_int_equal(hl_rules_check(h, NULL, &r, x), HL_E_USAGE);
	r.count = 3;
	assert_int_equal(hl_rules_check(h, NULL, &r, x), HL_OK);
	assert_false(x[0].failed);
	assert_true(x[1].failed);
	assert_false(x[2].failed);
	r.count = 4;
	hl_rules_free(&r);
}

/* ---- deleteonexit ---- */

static void test_deleteonexit(void **state)
{
	hl_heap *h = open_fixture("deleteonexit.hprof.gz", 1);
	uint64_t total = hl_total_heap(h);
	hl_rule_result x;

	(void)state;
	/* the hook's class retains more than half the heap (README: 92%) */
	x = check1(h, NULL, "max-retained java.io.DeleteOnExitHook 1GB");
	assert_true((uint64_t)x.value * 2 > total);
	assert_false(x.failed);
	assert_true(check1(h, NULL, "max-retained java.io.DeleteOnExitHook 1MB").failed);
	/* 50,000 entries of the hook's LinkedHashSet */
	x = check1(h, NULL, "max-instances java.util.LinkedHashMap$Entry 40000");
	assert_true(x.value >= 50000);
	assert_true(x.failed);
	assert_false(check1(h, NULL, "max-instances java.util.LinkedHashMap$Entry 1000000").failed);
	/* a class with statics only: no instance */
	assert_false(check1(h, NULL, "forbid-class java.io.DeleteOnExitHook").failed);
	assert_true(check1(h, NULL, "max-suspect-percent 50").failed);
	assert_false(check1(h, NULL, "max-suspect-percent 100").failed);
	assert_false(check1(h, NULL, "max-heap 64MB").failed);
	assert_true(check1(h, NULL, "max-heap 1MB").failed);
	hl_close(h);
}

/* ---- baselines: max-growth and diff ---- */

struct pair { hl_heap *small, *large; };

static int pair_setup(void **state)
{
	struct pair *p = calloc(1, sizeof *p);

	p->small = open_fixture("diff/hugesql-small.hprof.gz", 1);
	p->large = open_fixture("diff/hugesql-large.hprof.gz", 1);
	*state = p;
	return 0;
}

static int pair_teardown(void **state)
{
	struct pair *p = *state;

	hl_close(p->small);
	hl_close(p->large);
	free(p);
	return 0;
}

static void test_max_growth(void **state)
{
	struct pair *p = *state;
	hl_rule_result x;
	uint64_t a, b;
	unsigned char *sel;
	hl_cls c;

	/* 750,000 more characters: the char[] copy grows by 1,500,000 bytes */
	x = check1(p->large, p->small, "max-growth char[] 1MB");
	assert_true(x.failed);
	assert_true(x.value >= 1500000 && x.value < 1500100);
	assert_false(check1(p->large, p->small, "max-growth char[] 2MB").failed);
	/* the thread holds both locals: 1 + 2 bytes per character */
	x = check1(p->large, p->small, "max-growth java.lang.Thread 2MB");
	assert_true(x.failed);
	assert_true(x.value >= 2250000 && x.value < 2250100);
	/* the value is the union's retained size in each dump */
	sel = calloc(hl_class_count(p->small) + 1, 1);
	for (c = 0; c < hl_class_count(p->small); c++)
		sel[c] = hl_class_match("java.lang.Thread", hl_class_name(p->small, c));
	assert_int_equal(hl_classes_retained(p->small, sel, &a), HL_OK);
	free(sel);
	assert_int_equal(x.base_value, a);
	sel = calloc(hl_class_count(p->large) + 1, 1);
	for (c = 0; c < hl_class_count(p->large); c++)
		sel[c] = hl_class_match("java.lang.Thread", hl_class_name(p->large, c));
	assert_int_equal(hl_classes_retained(p->large, sel, &b), HL_OK);
	free(sel);
	assert_int_equal(x.value, (int64_t)(b - a));
	/* shrinking is growth below zero: passes */
	x = check1(p->small, p->large, "max-growth char[] 0B");
	assert_true(x.value <= -1500000);
	assert_false(x.failed);
	/* nothing matches: no growth */
	x = check1(p->large, p->small, "max-growth com.acme.* 0B");
	assert_int_equal(x.value, 0);
	assert_false(x.failed);
}

static const hl_diff_row *diff_row(const hl_diff *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (!strcmp(d->rows[i].name, name))
			return &d->rows[i];
	return NULL;
}

static void test_diff_growth_first(void **state)
{
	struct pair *p = *state;
	hl_diff d;
	const hl_diff_row *r;
	size_t i, sum = 0;

	assert_int_equal(hl_diff_build(p->small, p->large, &d), HL_OK);
	for (i = 0; i < 4; i++)
		sum += d.status_count[i];
	assert_int_equal(sum, d.count);
	hl_diff_sort(&d, HL_SORT_RETAINED);
	/* the request thread retains both growing locals */
	assert_string_equal(d.rows[0].name, "java.lang.Thread");
	assert_int_equal(d.rows[0].status, HL_DIFF_CHANGED);
	assert_true(d.rows[0].retained - d.rows[0].base_retained >= 2250000);
	hl_diff_sort(&d, HL_SORT_SHALLOW);
	assert_string_equal(d.rows[0].name, "char[]");
	assert_true(d.rows[0].shallow - d.rows[0].base_shallow >= 1500000);
	assert_string_equal(d.rows[1].name, "byte[]");
	/* sorted by growth: never a larger growth after a smaller one */
	for (i = 1; i < d.count; i++)
		assert_true((int64_t)d.rows[i - 1].shallow - (int64_t)d.rows[i - 1].base_shallow >=
			    (int64_t)d.rows[i].shallow - (int64_t)d.rows[i].base_shallow);
	r = diff_row(&d, "fixture.HugeSql");
	assert_non_null(r);
	assert_int_not_equal(r->base_cls, HL_NONE);
	assert_int_not_equal(r->cls, HL_NONE);
	assert_int_equal(d.base_shallow, hl_total_heap(p->small));
	assert_int_equal(d.shallow, hl_total_heap(p->large));
	hl_diff_sort(&d, HL_SORT_NAME);
	for (i = 1; i < d.count; i++)
		assert_true(strcmp(d.rows[i - 1].name, d.rows[i].name) <= 0);
	hl_diff_free(&d);
	hl_diff_free(&d);
	hl_diff_free(NULL);
}

static void test_diff_same_dump(void **state)
{
	struct pair *p = *state;
	hl_diff d;

	assert_int_equal(hl_diff_build(p->small, p->small, &d), HL_OK);
	assert_int_equal(d.status_count[HL_DIFF_SAME], d.count);
	hl_diff_free(&d);
}

static void test_diff_new_and_gone(void **state)
{
	hl_heap *a = open_fixture("diff/hugesql-small.hprof.gz", 1);
	hl_heap *b = open_fixture("caches.hprof.gz", 1);
	hl_diff d;
	const hl_diff_row *r;

	(void)state;
	assert_int_equal(hl_diff_build(a, b, &d), HL_OK);
	r = diff_row(&d, "fixture.MappingService$Mapping");
	assert_non_null(r);
	assert_int_equal(r->status, HL_DIFF_NEW);
	assert_int_equal(r->base_cls, HL_NONE);
	assert_int_equal(r->instances, 60000);
	r = diff_row(&d, "fixture.HugeSql");
	assert_non_null(r);
	assert_int_equal(r->status, HL_DIFF_GONE);
	assert_int_equal(r->cls, HL_NONE);
	assert_int_equal(r->instances, 0);
	assert_true(d.status_count[HL_DIFF_NEW] > 0 && d.status_count[HL_DIFF_GONE] > 0);
	hl_diff_free(&d);
	hl_close(b);
	hl_close(a);
}

/* Two classes named fixture.Twin (loaders twin-A and twin-B) in both. */
static void test_diff_same_name_two_loaders(void **state)
{
	hl_heap *a = open_fixture("general.hprof.gz", 1);
	hl_heap *b = open_fixture("general-nocoops.hprof.gz", 1);
	hl_diff d;
	const hl_diff_row *ra, *rb;

	(void)state;
	assert_int_equal(hl_diff_build(a, b, &d), HL_OK);
	assert_null(diff_row(&d, "fixture.Twin"));
	ra = diff_row(&d, "fixture.Twin @ java.net.URLClassLoader(twin-A)");
	rb = diff_row(&d, "fixture.Twin @ java.net.URLClassLoader(twin-B)");
	assert_non_null(ra);
	assert_non_null(rb);
	/* README: 3 and 5 instances */
	assert_int_equal(ra->base_instances, 3);
	assert_int_equal(ra->instances, 3);
	assert_int_equal(rb->base_instances, 5);
	assert_int_equal(rb->instances, 5);
	assert_int_not_equal(ra->status, HL_DIFF_NEW);
	assert_int_not_equal(ra->status, HL_DIFF_GONE);
	hl_diff_free(&d);
	hl_close(b);
	hl_close(a);
}

static void test_needs_dominators(void **state)
{
	hl_heap *h = open_fixture("general.hprof.gz", 0);
	hl_rules r;
	hl_rule_result x[2];
	hl_diff d;

	(void)state;
	parse_ok(&r, "max-heap 1GB\nmax-retained * 1GB");
	assert_int_equal(hl_rules_check(h, NULL, &r, x), HL_E_STATE);
	r.count = 1;
	assert_int_equal(hl_rules_check(h, NULL, &r, x), HL_OK);
	r.count = 2;
	hl_rules_free(&r);
	assert_int_equal(hl_diff_build(h, h, &d), HL_E_STATE);
	assert_int_equal(d.count, 0);
	hl_close(h);
}

/* ---- JUnit XML from the command, checked by xmllint when installed ---- */

static int have_xmllint(void)
{
	return system("command -v xmllint >/dev/null 2>&1") == 0;
}

/* Run heaplens check with args writing JUnit to dir/name; its status. */
static int run_check(const char *dir, const char *name, const char *args)
{
	char cmd[3 * UT_PATH_MAX];
	int st;

	/* HEAPLENS_NO_INDEX: no index files next to the fixtures */
	snprintf(cmd, sizeof cmd, "cd '%s' && HEAPLENS_NO_INDEX=1 '%s/heaplens' check --junit '%s/%s' %s >/dev/null 2>&1",
		 ut_env_dir("HL_FIXTURES"), ut_env_dir("HL_BUILD"), dir, name, args);
	st = system(cmd);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void xmllint_ok(const char *dir, const char *name)
{
	char cmd[2 * UT_PATH_MAX];

	snprintf(cmd, sizeof cmd, "xmllint --noout '%s/%s'", dir, name);
	if (system(cmd) != 0)
		fail_msg("xmllint rejects %s", name);
}

static void test_junit_xml(void **state)
{
	char dir[UT_PATH_MAX], path[UT_PATH_MAX], *xml;

	(void)state;
	ut_tmpdir_make(dir, sizeof dir);
	/* rule text that needs escaping, failures and passes */
	assert_int_equal(run_check(dir, "a.xml", "--rule 'forbid-class a<b>&\"c*' "
				   "--rule 'max-heap 1MB' --rule 'max-heap 1GB' "
				   "--rules rules/caches.rules caches.hprof.gz"), 1);
	xml = ut_read_file(ut_join(path, sizeof path, dir, "a.xml"), NULL);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "name=\"forbid-class a&lt;b&gt;&amp;&quot;c*\""));
	assert_non_null(strstr(xml, "<failure type=\"max-heap\""));
	assert_non_null(strstr(xml, "errors=\"0\""));
	free(xml);
	/* the dump cannot be read: every rule is an error */
	assert_int_equal(run_check(dir, "b.xml", "--rule 'max-heap 1GB' --rule 'forbid-class x' "
				   "corrupt/not-hprof.hprof"), 3);
	xml = ut_read_file(ut_join(path, sizeof path, dir, "b.xml"), NULL);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "tests=\"2\" failures=\"0\" errors=\"2\""));
	free(xml);
	/* all pass */
	assert_int_equal(run_check(dir, "c.xml", "--rule 'max-heap 1GB' deleteonexit.hprof.gz"), 0);
	if (have_xmllint()) {
		xmllint_ok(dir, "a.xml");
		xmllint_ok(dir, "b.xml");
		xmllint_ok(dir, "c.xml");
	} else {
		print_message("xmllint not installed (Debian: libxml2-utils): XML not validated\n");
	}
	ut_tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest basics[] = {
		cmocka_unit_test(test_class_match),
		cmocka_unit_test(test_parse_every_kind),
		cmocka_unit_test(test_parse_sizes),
		cmocka_unit_test(test_parse_percent),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_keeps_earlier_rules),
		cmocka_unit_test(test_deleteonexit),
		cmocka_unit_test(test_diff_new_and_gone),
		cmocka_unit_test(test_diff_same_name_two_loaders),
		cmocka_unit_test(test_needs_dominators),
		cmocka_unit_test(test_junit_xml),
	};
	const struct CMUnitTest caches[] = {
		cmocka_unit_test(test_max_heap),
		cmocka_unit_test(test_max_retained_one_class),
		cmocka_unit_test(test_max_retained_union),
		cmocka_unit_test(test_max_instances),
		cmocka_unit_test(test_forbid_class),
		cmocka_unit_test(test_max_suspect_percent),
		cmocka_unit_test(test_max_string_waste),
		cmocka_unit_test(test_rules_together),
	};
	const struct CMUnitTest pair[] = {
		cmocka_unit_test(test_max_growth),
		cmocka_unit_test(test_diff_growth_first),
		cmocka_unit_test(test_diff_same_dump),
	};
	int failed = cmocka_run_group_tests_name("basics", basics, NULL, NULL);

	failed += cmocka_run_group_tests_name("caches", caches, caches_setup, heap_teardown);
	failed += cmocka_run_group_tests_name("diff", pair, pair_setup, pair_teardown);
	return failed;
}
