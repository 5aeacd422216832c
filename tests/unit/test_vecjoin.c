/*
 * test_vecjoin.c: hl_vec_append (src/util/vecjoin.c) joins vectors in
 * order, whether it moves the appended vector's pages or copies them, and
 * leaves both vectors' buffers whole: the result can grow and shrink, the
 * source can be written over all its room and freed.
 *
 * Why: reading and the reference pass join their threads' vectors this
 * way; a page moved to the wrong offset, or a hole left behind, would
 * change every object and edge after the first part, or crash on free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

struct item12 { uint32_t a, b, c; }; /* no power of two: offsets vary */

static uint32_t value(size_t i, uint32_t seed)
{
	return (uint32_t)(i * 2654435761u) ^ seed;
}

static void fill(hl_vec *v, size_t n, uint32_t seed)
{
	size_t i, k, words = v->item / 4;

	assert_int_equal(hl_vec_reserve(v, n), 0);
	for (i = 0; i < n; i++)
		for (k = 0; k < words; k++)
			((uint32_t *)v->data)[(v->len + i) * words + k] =
				value(i * words + k, seed);
	v->len += n;
}

static void check(const hl_vec *v, size_t at, size_t n, uint32_t seed)
{
	size_t i, words = v->item / 4;
	const uint32_t *w = (const uint32_t *)v->data + at * words;

	for (i = 0; i < n * words; i++)
		if (w[i] != value(i, seed))
			fail_msg("item %zu, word %zu: %u", at + i / words, i % words, w[i]);
}

/* to holds n0 items, from n1: after the join, to holds both in order. */
static void join(size_t item, size_t n0, size_t n1)
{
	hl_vec to, from;
	void *shrunk;

	hl_vec_init(&to, item);
	hl_vec_init(&from, item);
	fill(&to, n0, 11);
	fill(&from, n1, 23);
	assert_int_equal(hl_vec_append(&to, &from), 0);
	assert_int_equal(to.len, n0 + n1);
	check(&to, 0, n0, 11);
	check(&to, n0, n1, 23);
	/* the source's buffer is whole: writable over all its room */
	if (from.data)
		memset(from.data, 0x5a, from.cap * from.item);
	hl_vec_release(&from);
	/* the result grows (realloc may move it) and shrinks, unchanged */
	assert_int_equal(hl_vec_reserve(&to, to.cap + 1), 0);
	check(&to, 0, n0, 11);
	check(&to, n0, n1, 23);
	shrunk = realloc(to.data, (n0 + 1) * item);
	assert_non_null(shrunk);
	to.data = shrunk;
	check(&to, 0, n0, 11);
	hl_vec_release(&to);
}

static void test_small_copied(void **state)
{
	(void)state;
	join(4, 0, 0);
	join(4, 10, 0);
	join(4, 0, 10);
	join(16, 1000, 3000);
}

/* Above the size whose pages are moved: several offsets of the end of
 * to within a huge page, items of 4, 12 and 16 bytes. */
static void test_big_moved(void **state)
{
	size_t big = (size_t)40 << 20;

	(void)state;
	join(4, big / 4, big / 4);
	join(4, big / 4 + 1, big / 4 + 777);
	join(12, big / 12 + 5, big / 12 + 1);
	join(16, 123457, big / 16 + 99);
	join(16, 1, big / 16); /* to nearly empty */
}

/* Three parts joined one after the other, as the threaded passes do. */
static void test_parts_in_order(void **state)
{
	size_t n = ((size_t)24 << 20) / 4 + 13;
	hl_vec all, part;
	uint32_t k;

	(void)state;
	hl_vec_init(&all, 4);
	fill(&all, n, 0);
	for (k = 1; k < 3; k++) {
		hl_vec_init(&part, 4);
		fill(&part, n + k, k);
		assert_int_equal(hl_vec_append(&all, &part), 0);
		hl_vec_release(&part);
	}
	check(&all, 0, n, 0);
	check(&all, n, n + 1, 1);
	check(&all, 2 * n + 1, n + 2, 2);
	hl_vec_release(&all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_copied),
		cmocka_unit_test(test_big_moved),
		cmocka_unit_test(test_parts_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
