/*
 * test_suspects.c: the leak-suspects report on the incident fixtures, by
 * meaning rather than by text: for each incident, the first suspect names
 * the owner the generating program built and the accumulation point, the
 * path from a GC root goes through the field the program used, and the
 * collection census counts what the program put in.
 *
 * Why: the command tests pin the text; these pin what it must say, so a
 * change of wording cannot hide a wrong answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit_util.h"

struct report {
	hl_heap *h;
	hl_suspect *s;
	size_t n;
};

static void report_open(struct report *r, const char *fixture)
{
	char path[UT_PATH_MAX], name[256];
	hl_suspect_options opt = { 10.0, 100000, 1.0 };

	snprintf(name, sizeof name, "%s.hprof.gz", fixture);
	r->h = ut_open(ut_join(path, sizeof path, ut_env_dir("HL_FIXTURES"), name));
	assert_int_equal(hl_compute_dominators(r->h), HL_OK);
	assert_int_equal(hl_find_suspects(r->h, &opt, &r->s, &r->n), HL_OK);
	assert_true(r->n > 0);
}

static void report_close(struct report *r)
{
	hl_suspects_free(r->s, r->n);
	hl_close(r->h);
}

/* The class an object describes (class objects) or is. */
static const char *name_of(const hl_heap *h, hl_obj o)
{
	hl_cls c = hl_object_as_class(h, o);

	return hl_class_name(h, c != HL_NONE ? c : hl_object_class(h, o));
}

/* The field name of the last step of a suspect's path. */
static const char *last_field(const hl_heap *h, const hl_suspect *s, char *buf,
			      size_t len)
{
	assert_true(s->path_len >= 2);
	return hl_ref_label(h, s->path[s->path_len - 2], s->path[s->path_len - 1],
			    buf, len);
}

static void test_deleteonexit(void **state)
{
	struct report r;
	const hl_suspect *s;

	(void)state;
	report_open(&r, "deleteonexit");
	s = &r.s[0];
	assert_int_equal(s->kind, HL_SUSPECT_SINGLE);
	assert_string_equal(name_of(r.h, s->obj), "java.io.DeleteOnExitHook");
	assert_int_not_equal(hl_object_as_class(r.h, s->obj), HL_NONE);
	/* accumulated in the set's map; the census describes the set */
	assert_string_equal(name_of(r.h, s->accumulation), "java.util.LinkedHashMap");
	assert_string_equal(name_of(r.h, s->holder), "java.util.LinkedHashSet");
	assert_int_equal(s->elements, 50000);
	assert_int_equal(s->distinct, 50000);
	assert_ptr_equal(s->path[0], s->obj); /* the class is the GC root */
	assert_non_null(strstr(s->why, "DeleteOnExitHook"));
	assert_true(100 * s->retained > 50 * hl_total_heap(r.h));
	report_close(&r);
}

static void test_caches_config_list_first(void **state)
{
	struct report r;
	const hl_suspect *s;
	char buf[96];
	size_t i, statics = 0;

	(void)state;
	report_open(&r, "caches");
	/* the config client's list is first, though the mapping caches are bigger */
	s = &r.s[0];
	assert_int_equal(s->kind, HL_SUSPECT_FEW_DISTINCT);
	assert_string_equal(name_of(r.h, s->holder), "java.util.ArrayList");
	assert_int_equal(s->elements, 150000);
	assert_int_equal(s->distinct, 20);
	assert_int_equal(s->ntop, 5);
	assert_int_equal(s->top[0].count, 7500);
	assert_string_equal(last_field(r.h, s, buf, sizeof buf), "REQUESTED");
	assert_string_equal(name_of(r.h, s->path[s->path_len - 2]), "fixture.ConfigClient");
	assert_true(100 * s->retained < 40 * hl_total_heap(r.h));
	/* the harmless giant is still reported, as the static maps */
	for (i = 1; i < r.n; i++)
		if (r.s[i].static_owner != HL_NONE &&
		    !strcmp(name_of(r.h, r.s[i].static_owner), "fixture.MappingService"))
			statics++;
	assert_int_equal(statics, 2);
	report_close(&r);
}

static void test_hugesql_thread(void **state)
{
	struct report r;
	const hl_suspect *s;
	char buf[128];
	const hl_obj *kids;
	size_t n;

	(void)state;
	report_open(&r, "hugesql");
	s = &r.s[0];
	assert_int_equal(s->kind, HL_SUSPECT_SINGLE);
	assert_int_equal(s->thread, s->obj);
	assert_string_equal(hl_object_preview(r.h, s->obj, 40, buf, sizeof buf),
			    "\"request-handler-1\"");
	/* its locals: the char[] and the String of the SQL statement */
	n = hl_dominated(r.h, s->obj, &kids);
	assert_true(n >= 2);
	assert_string_equal(name_of(r.h, kids[0]), "char[]");
	hl_object_preview(r.h, kids[0], 20, buf, sizeof buf);
	assert_string_equal(buf, "\"select count(*) from...\"");
	assert_string_equal(name_of(r.h, kids[1]), "java.lang.String");
	report_close(&r);
}

static void test_threadlocal_plugins(void **state)
{
	struct report r;
	size_t i, plugins = 0;

	(void)state;
	report_open(&r, "threadlocal");
	for (i = 0; i < r.n; i++) {
		const hl_suspect *s = &r.s[i];

		if (strcmp(name_of(r.h, s->obj), "fixture.plugin.Plugin"))
			continue;
		plugins++;
		assert_non_null(strstr(s->why, "ThreadLocal"));
		assert_non_null(strstr(s->why, "5 class loaders"));
	}
	assert_int_equal(plugins, 5);
	report_close(&r);
}

static void test_oom_registry(void **state)
{
	struct report r;
	const hl_suspect *s;

	(void)state;
	report_open(&r, "oom");
	s = &r.s[0];
	assert_string_equal(name_of(r.h, s->obj), "java.util.concurrent.ConcurrentHashMap");
	assert_string_equal(s->holder_kind, "map");
	assert_true(s->elements >= 5000); /* the program's lower bound */
	assert_int_equal(s->distinct, s->elements); /* one Session per entry */
	assert_true(100 * s->retained > 90 * hl_total_heap(r.h));
	report_close(&r);
}

/* Raising the threshold past every single suspect leaves only what MAT
 * would miss: the few-distinct list and the static outliers. */
static void test_threshold(void **state)
{
	char path[UT_PATH_MAX];
	hl_suspect_options opt = { 99.0, 100000, 1.0 };
	hl_suspect *s;
	size_t n, i;
	hl_heap *h = ut_open(ut_join(path, sizeof path, ut_env_dir("HL_FIXTURES"),
				     "caches.hprof.gz"));

	(void)state;
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_find_suspects(h, &opt, &s, &n), HL_OK);
	for (i = 0; i < n; i++)
		assert_true(s[i].kind == HL_SUSPECT_FEW_DISTINCT ||
			    s[i].kind == HL_SUSPECT_STATIC);
	assert_true(n >= 1);
	hl_suspects_free(s, n);
	hl_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deleteonexit),
		cmocka_unit_test(test_caches_config_list_first),
		cmocka_unit_test(test_hugesql_thread),
		cmocka_unit_test(test_threadlocal_plugins),
		cmocka_unit_test(test_oom_registry),
		cmocka_unit_test(test_threshold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
