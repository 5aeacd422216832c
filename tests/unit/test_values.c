/*
 * test_values.c: text taken from a dump: hl_object_preview of Strings in
 * the JDK 9+ layout (value byte[], coder byte, hash int: Latin-1, and UTF-16
 * as little-endian byte pairs with coder 1), of the older char[] layout with
 * offset/count, of char[] and byte[] arrays, class objects and Threads; and
 * hl_escape on its own (C0/C1 controls, DEL, backslash, invalid UTF-8,
 * truncation at a whole character).
 *
 * Why: dump strings are attacker-controlled and end up on terminals and in
 * reports; a preview must be the string's real text, converted to UTF-8,
 * escaped, quoted and visibly cut, never a control sequence or a buffer
 * overrun.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hprof_builder.h"
#include "unit_util.h"

/* ---- hl_escape ---- */

static void expect_escape(const char *in, size_t n, const char *want)
{
	char out[256];
	size_t k = hl_escape(in, n, out, sizeof out);

	assert_string_equal(out, want);
	assert_int_equal(k, strlen(want));
}

static void test_escape_plain_and_controls(void **state)
{
	(void)state;
	expect_escape("plain text", 10, "plain text");
	expect_escape("a\\b", 3, "a\\\\b");
	expect_escape("\n\t\r", 3, "\\n\\t\\r");
	expect_escape("\x1b[31m", 5, "\\u001b[31m");
	expect_escape("\x7f", 1, "\\u007f");
	expect_escape("a\0b", 3, "a\\u0000b");
	expect_escape("", 0, "");
}

static void test_escape_c1_and_utf8(void **state)
{
	(void)state;
	expect_escape("\xc2\x85", 2, "\\u0085");          /* NEL, a C1 control */
	expect_escape("\xc2\x9b" "2J", 4, "\\u009b2J");   /* CSI */
	expect_escape("\xc2\xa0", 2, "\xc2\xa0");         /* NBSP is printable */
	expect_escape("caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80", 13,
		      "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80");
}

static void test_escape_invalid_utf8(void **state)
{
	(void)state;
	expect_escape("\xff", 1, "\\xff");
	expect_escape("a\xc0\xafz", 4, "a\\xc0\\xafz");         /* overlong '/' */
	expect_escape("\xe2\x82", 2, "\\xe2\\x82");             /* cut sequence */
	expect_escape("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");    /* a surrogate */
	expect_escape("\x80x", 2, "\\x80x");                     /* lone continuation */
	expect_escape("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
}

/* cap counts the NUL; output is cut before a character that does not fit. */
static void test_escape_capacity(void **state)
{
	char out[16];

	(void)state;
	memset(out, 'X', sizeof out);
	assert_int_equal(hl_escape("abcdef", 6, out, 4), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(hl_escape("\xc3\xa9", 2, out, 2), 0);
	assert_string_equal(out, "");
	assert_int_equal(hl_escape("a\n", 2, out, 3), 1);
	assert_string_equal(out, "a");
	assert_int_equal(hl_escape("\xff", 1, out, 4), 0);
	assert_string_equal(out, "");
	out[0] = 'X';
	assert_int_equal(hl_escape("abc", 3, out, 0), 0);
	assert_int_equal(out[0], 'X');
}

/* ---- a heap of strings and arrays ---- */

struct vheap {
	struct hw_jdk jdk;
	uint64_t node_class;
	uint64_t latin1, latin1_high, utf16, empty, control, c1, long_ascii, exact;
	uint64_t surrogate_cut, utf16_odd, chars, bytes, ints, thread, node;
};

struct vstate {
	char dir[UT_PATH_MAX];
	char path[UT_PATH_MAX];
	struct vheap z;
	hl_heap *h;
};

/* A java.lang.String with this value byte[] and coder; returns its id. */
static uint64_t put_string(struct hw_writer *w, const struct hw_jdk *jdk, const void *bytes,
			   uint32_t n, int coder)
{
	uint64_t s = hw_alloc(w, 32), arr = hw_alloc(w, 24 + n);
	struct hw_values v;

	hw_values_init(&v, hw_id_size(w));
	hw_values_obj(&v, arr);
	hw_values_byte(&v, (int8_t)coder);
	hw_values_int(&v, 0);
	hw_instance(w, s, jdk->string, &v);
	hw_values_release(&v);
	hw_prim_array(w, arr, 0, HW_BYTE, n, bytes);
	hw_root_jni_global(w, s, 1);
	return s;
}

/* UTF-16 code units as the JVM stores them in String.value: little-endian. */
static uint64_t put_utf16(struct hw_writer *w, const struct hw_jdk *jdk, const uint16_t *units,
			  uint32_t n)
{
	uint8_t bytes[64];
	uint32_t i;

	assert_true(2 * n <= sizeof bytes);
	for (i = 0; i < n; i++) {
		bytes[2 * i] = (uint8_t)(units[i] & 0xff);
		bytes[2 * i + 1] = (uint8_t)(units[i] >> 8);
	}
	return put_string(w, jdk, bytes, 2 * n, 1);
}

static void put_strings(struct hw_writer *w, struct vheap *z)
{
	/* A, euro sign, U+1F600 as a surrogate pair, Omega */
	static const uint16_t utf16[] = { 0x0041, 0x20ac, 0xd83d, 0xde00, 0x03a9 };
	static const uint16_t cut[] = { 'a', 'b', 0xd83d, 0xde00, 'c', 'd' };

	z->latin1 = put_string(w, &z->jdk, "hello", 5, 0);
	z->latin1_high = put_string(w, &z->jdk, "caf\xe9 \xbd", 6, 0);
	z->utf16 = put_utf16(w, &z->jdk, utf16, 5);
	z->empty = put_string(w, &z->jdk, "", 0, 0);
	z->control = put_string(w, &z->jdk, "a\nb\tc\x1b[0m", 9, 0);
	z->c1 = put_string(w, &z->jdk, "x\x85y", 3, 0);
	z->long_ascii = put_string(w, &z->jdk, "abcdefghij", 10, 0);
	z->exact = put_string(w, &z->jdk, "abcd", 4, 0);
	z->surrogate_cut = put_utf16(w, &z->jdk, cut, 6);
	z->utf16_odd = put_string(w, &z->jdk, "\x41\x00\x42", 3, 1);
}

static void put_arrays(struct hw_writer *w, struct vheap *z)
{
	static const uint16_t chars[] = { 'h', 'i', 0x20ac, '\n' };
	static const int32_t ints[] = { 1, 2, 3 };

	z->chars = hw_alloc(w, 32);
	z->bytes = hw_alloc(w, 32);
	z->ints = hw_alloc(w, 32);
	hw_root_jni_global(w, z->chars, 2);
	hw_root_jni_global(w, z->bytes, 3);
	hw_root_jni_global(w, z->ints, 4);
	hw_prim_array(w, z->chars, 0, HW_CHAR, 4, chars);
	hw_prim_array(w, z->bytes, 0, HW_BYTE, 3, "abc");
	hw_prim_array(w, z->ints, 0, HW_INT, 3, ints);
}

static int vheap_setup(void **state)
{
	struct vstate *s = calloc(1, sizeof *s);
	struct hw_writer *w = hw_new();
	struct vheap *z;

	if (!s)
		return -1;
	z = &s->z;
	ut_tmpdir_make(s->dir, sizeof s->dir);
	ut_join(s->path, sizeof s->path, s->dir, "values.hprof");
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &z->jdk);
	z->node_class = hw_node_class(w, "com/example/Foo", 0);
	hw_class_dump_all(w);
	hw_root_sticky_class(w, z->jdk.object);
	put_strings(w, z);
	put_arrays(w, z);
	z->thread = hw_thread_object(w, &z->jdk, 0, "worker-1");
	hw_root_jni_global(w, z->thread, 5);
	z->node = hw_alloc(w, 16);
	hw_root_jni_global(w, z->node, 6);
	hw_node(w, z->node_class, z->node, NULL);
	hw_heap_dump_end(w);
	hw_save(w, s->path);
	hw_free(w);
	s->h = ut_open(s->path);
	*state = s;
	return 0;
}

static int vheap_teardown(void **state)
{
	struct vstate *s = *state;

	hl_close(s->h);
	ut_tmpdir_remove(s->dir);
	free(s);
	return 0;
}

static const char *preview(const struct vstate *s, uint64_t id, size_t max)
{
	static char buf[512];

	memset(buf, 'X', sizeof buf);
	return hl_object_preview(s->h, ut_find(s->h, id), max, buf, sizeof buf);
}

static void test_preview_latin1(void **state)
{
	struct vstate *s = *state;

	assert_string_equal(preview(s, s->z.latin1, 80), "\"hello\"");
	/* Latin-1 bytes become UTF-8: e-acute, one half */
	assert_string_equal(preview(s, s->z.latin1_high, 80), "\"caf\xc3\xa9 \xc2\xbd\"");
}

static void test_preview_utf16(void **state)
{
	struct vstate *s = *state;

	assert_string_equal(preview(s, s->z.utf16, 80),
			    "\"A\xe2\x82\xac\xf0\x9f\x98\x80\xce\xa9\"");
}

static void test_preview_empty(void **state)
{
	struct vstate *s = *state;

	assert_string_equal(preview(s, s->z.empty, 80), "\"\"");
}

/* A UTF-16 value with an odd byte count (damage): the whole units only. */
static void test_preview_utf16_odd_length(void **state)
{
	struct vstate *s = *state;

	assert_true(strncmp(preview(s, s->z.utf16_odd, 80), "\"A", 2) == 0);
}

static void test_preview_controls_escaped(void **state)
{
	struct vstate *s = *state;

	/* previews are raw UTF-8; printers escape them (hl_escape) */
	char esc[128];
	const char *p = preview(s, s->z.control, 80);

	assert_string_equal(p, "\"a\nb\tc\x1b[0m\"");
	hl_escape(p, strlen(p), esc, sizeof esc);
	assert_string_equal(esc, "\"a\\nb\\tc\\u001b[0m\"");
	p = preview(s, s->z.c1, 80);
	assert_string_equal(p, "\"x\xc2\x85y\"");
	hl_escape(p, strlen(p), esc, sizeof esc);
	assert_string_equal(esc, "\"x\\u0085y\"");
}

static void test_preview_cut(void **state)
{
	struct vstate *s = *state;

	assert_string_equal(preview(s, s->z.long_ascii, 4), "\"abcd...\"");
	assert_string_equal(preview(s, s->z.long_ascii, 10), "\"abcdefghij\"");
	assert_string_equal(preview(s, s->z.exact, 4), "\"abcd\"");
	assert_string_equal(preview(s, s->z.exact, 3), "\"abc...\"");
}

/* "ab" + U+1F600 + "cd" (6 UTF-16 units, 5 characters) cut at 3: whether
 * max counts units or characters, text is missing, so "..." must show. */
static void test_preview_cut_after_surrogate_pair(void **state)
{
	struct vstate *s = *state;
	const char *p = preview(s, s->z.surrogate_cut, 3);

	assert_true(strncmp(p, "\"ab", 3) == 0);
	if (!ut_ends_with(p, "...\""))
		fail_msg("preview of a 6-unit string cut at 3 is %s: the cut is not shown", p);
	assert_string_equal(preview(s, s->z.surrogate_cut, 80), "\"ab\xf0\x9f\x98\x80" "cd\"");
}

static void test_preview_arrays(void **state)
{
	struct vstate *s = *state;

	assert_string_equal(preview(s, s->z.chars, 80), "\"hi\xe2\x82\xac\n\"");
	assert_string_equal(preview(s, s->z.chars, 2), "\"hi...\"");
	assert_string_equal(preview(s, s->z.bytes, 80), "\"abc\"");
	assert_string_equal(preview(s, s->z.ints, 80), "");
}

static void test_preview_class_thread_other(void **state)
{
	struct vstate *s = *state;

	assert_string_equal(preview(s, s->z.node_class, 80), "class com.example.Foo");
	assert_string_equal(preview(s, s->z.jdk.object_array, 80), "class java.lang.Object[]");
	assert_string_equal(preview(s, s->z.thread, 80), "\"worker-1\"");
	assert_string_equal(preview(s, s->z.node, 80), "");
	assert_string_equal(preview(s, 0, 80), ""); /* the system class loader */
}

/* Small buffers: always terminated, never overrun (ASan watches). */
static void test_preview_small_buffers(void **state)
{
	struct vstate *s = *state;
	hl_obj o = ut_find(s->h, s->z.utf16);
	char buf[64];
	size_t len;

	for (len = 1; len < sizeof buf; len++) {
		memset(buf, 'X', sizeof buf);
		hl_object_preview(s->h, o, 80, buf, len);
		assert_true(strlen(buf) < len);
		assert_int_equal(buf[len], 'X');
	}
	memset(buf, 'X', sizeof buf);
	hl_object_preview(s->h, ut_find(s->h, s->z.long_ascii), 0, buf, sizeof buf);
	assert_true(strlen(buf) < sizeof buf);
}

/* ---- the pre-JDK-9 String: char[] value with offset and count ---- */

static void test_preview_jdk8_string(void **state)
{
	static const struct hw_field_spec f[] = {
		{ "value", HW_OBJECT }, { "offset", HW_INT }, { "count", HW_INT }, { "hash", HW_INT },
	};
	static const uint16_t text[] = { 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd' };
	struct vstate *s = *state;
	struct hw_writer *w = hw_new();
	uint64_t object, string, chars, str, arr;
	struct hw_values v;
	char path[UT_PATH_MAX], buf[64];
	hl_heap *h;

	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	object = hw_class_define(w, 0, "java/lang/Object", 0, 0, NULL);
	string = hw_class_define(w, 0, "java/lang/String", object, 4, f);
	chars = hw_class_define(w, 0, "[C", object, 0, NULL);
	hw_class_dump_all(w);
	str = hw_alloc(w, 32);
	arr = hw_alloc(w, 48);
	hw_root_sticky_class(w, string);
	hw_root_jni_global(w, str, 1);
	hw_values_init(&v, 8);
	hw_values_obj(&v, arr);
	hw_values_int(&v, 6);
	hw_values_int(&v, 5);
	hw_values_int(&v, 0);
	hw_instance(w, str, string, &v);
	hw_values_release(&v);
	hw_prim_array(w, arr, 0, HW_CHAR, 11, text);
	hw_heap_dump_end(w);
	hw_save(w, ut_join(path, sizeof path, s->dir, "jdk8.hprof"));
	hw_free(w);
	(void)chars;

	h = ut_open(path);
	assert_string_equal(hl_object_preview(h, ut_find(h, str), 80, buf, sizeof buf), "\"world\"");
	hl_close(h);
}

#define VTEST(f) cmocka_unit_test_setup_teardown(f, vheap_setup, vheap_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain_and_controls),
		cmocka_unit_test(test_escape_c1_and_utf8),
		cmocka_unit_test(test_escape_invalid_utf8),
		cmocka_unit_test(test_escape_capacity),
		VTEST(test_preview_latin1),
		VTEST(test_preview_utf16),
		VTEST(test_preview_empty),
		VTEST(test_preview_utf16_odd_length),
		VTEST(test_preview_controls_escaped),
		VTEST(test_preview_cut),
		VTEST(test_preview_cut_after_surrogate_pair),
		VTEST(test_preview_arrays),
		VTEST(test_preview_class_thread_other),
		VTEST(test_preview_small_buffers),
		VTEST(test_preview_jdk8_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
