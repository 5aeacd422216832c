/*
 * test_hprof_writer.c: the test HPROF writer (tests/support) checked byte for
 * byte, since every fixture and parser test trusts it: the header, a UTF8
 * record, an INSTANCE_DUMP inside a segment whose length is patched on close,
 * segment cutting, value and array encoding, damage helpers, and the builder's
 * interning, layouts and allocator.
 *
 * Expected bytes are written out by hand from the HPROF field guide, not
 * computed with the writer's own helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "hprof_builder.h"
#include "hprof_writer.h"

#define HEADER_102_LEN 31 /* "JAVA PROFILE 1.0.2" + NUL + u4 + u8 */

static void assert_output(const struct hw_writer *w, size_t from, const uint8_t *want, size_t n)
{
	assert_int_equal(hw_size(w), from + n);
	assert_memory_equal(hw_data(w) + from, want, n);
}

static void test_header_bytes(void **state)
{
	static const uint8_t want[] = {
		'J', 'A', 'V', 'A', ' ', 'P', 'R', 'O', 'F', 'I', 'L', 'E', ' ', '1', '.', '0', '.', '2', 0,
		0x00, 0x00, 0x00, 0x08,
		0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00,
	};
	struct hw_writer *w = hw_new();

	(void)state;
	hw_header(w, "JAVA PROFILE 1.0.2", 8, UINT64_C(1700000000000));
	assert_int_equal(sizeof want, HEADER_102_LEN);
	assert_output(w, 0, want, sizeof want);
	assert_int_equal(hw_id_size(w), 8);
	hw_free(w);
}

static void test_utf8_record(void **state)
{
	static const uint8_t want[] = {
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0B,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		'a', 'b', 'c',
	};
	struct hw_writer *w = hw_new();

	(void)state;
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	assert_int_equal(hw_utf8(w, UINT64_C(0x1122334455667788), "abc"), HEADER_102_LEN);
	assert_output(w, HEADER_102_LEN, want, sizeof want);
	assert_int_equal(hw_stats(w)->records[HW_UTF8], 1);
	hw_free(w);
}

static void test_instance_in_segment(void **state)
{
	static const uint8_t want[] = {
		0x1C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x19, /* segment, length 25 */
		0x21,                                                 /* INSTANCE_DUMP */
		0x00, 0x00, 0x00, 0x10,                               /* id */
		0x00, 0x00, 0x00, 0x07,                               /* stack serial */
		0x00, 0x00, 0x00, 0x20,                               /* class id */
		0x00, 0x00, 0x00, 0x08,                               /* n bytes */
		0xFF, 0xFF, 0xFF, 0xFB,                               /* int -5 */
		0x00, 0x00, 0x00, 0x30,                               /* reference */
		0x2C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* HEAP_DUMP_END */
	};
	struct hw_writer *w = hw_new();
	struct hw_values v;

	(void)state;
	hw_header(w, "JAVA PROFILE 1.0.2", 4, 0);
	hw_values_init(&v, 4);
	hw_values_int(&v, -5);
	hw_values_obj(&v, 0x30);
	assert_int_equal(hw_heap_begin(w, HW_HEAP_DUMP_SEGMENT), HEADER_102_LEN);
	assert_int_equal(hw_instance_dump(w, 0x10, 7, 0x20, v.data, (uint32_t)v.len), HEADER_102_LEN + 9);
	hw_heap_dump_end(w);
	assert_output(w, HEADER_102_LEN, want, sizeof want);
	assert_int_equal(hw_count_instances(w, 0x20), 1);
	hw_values_release(&v);
	hw_free(w);
}

/* A sub-record with no record open opens the default heap record; a top-level
 * record closes it; 1.0.1 uses HEAP_DUMP. */
static void test_auto_heap_records(void **state)
{
	struct hw_writer *w = hw_new();
	size_t start;

	(void)state;
	hw_header(w, "JAVA PROFILE 1.0.1", 4, 0);
	start = hw_size(w);
	hw_root_unknown(w, 0x1234);
	hw_finish(w);
	assert_int_equal(hw_data(w)[start], HW_HEAP_DUMP);
	assert_int_equal(hw_data(w)[start + 8], 5); /* tag + id */
	hw_free(w);

	w = hw_new();
	hw_header(w, "JAVA PROFILE 1.0.2", 4, 0);
	hw_root_unknown(w, 0x1234);
	hw_utf8(w, 1, "x"); /* closes the segment */
	assert_int_equal(hw_data(w)[HEADER_102_LEN], HW_HEAP_DUMP_SEGMENT);
	assert_int_equal(hw_data(w)[HEADER_102_LEN + 8], 5);
	assert_int_equal(hw_data(w)[HEADER_102_LEN + 14], HW_UTF8);
	hw_free(w);
}

static void test_segment_limit(void **state)
{
	struct hw_writer *w = hw_new();
	int i;

	(void)state;
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_set_segment_limit(w, 20);
	for (i = 0; i < 5; i++)
		hw_root_sticky_class(w, 0x100 + (uint64_t)i); /* 9 bytes each */
	hw_heap_dump_end(w);
	/* 3 roots (27 bytes >= 20), then 2: two segments of 27 and 18 bytes. */
	assert_int_equal(hw_stats(w)->records[HW_HEAP_DUMP_SEGMENT], 2);
	assert_int_equal(hw_data(w)[HEADER_102_LEN + 8], 27);
	assert_int_equal(hw_data(w)[HEADER_102_LEN + 9 + 27], HW_HEAP_DUMP_SEGMENT);
	assert_int_equal(hw_data(w)[HEADER_102_LEN + 9 + 27 + 8], 18);
	assert_int_equal(hw_stats(w)->subs[HW_ROOT_STICKY_CLASS], 5);
	hw_free(w);
}

static void test_roots_layout(void **state)
{
	static const uint8_t want[] = {
		0x01, 0, 0, 0, 0x0A, 0, 0, 0, 0x0B,         /* JNI global: id, ref id */
		0x03, 0, 0, 0, 0x0A, 0, 0, 0, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, /* Java frame */
		0x8E, 0, 0, 0, 0x0A, 0, 0, 0, 0x02, 0, 0, 0, 0x03, /* ART JNI monitor */
		0xFE, 0, 0, 0, 'A', 0, 0, 0, 0x0C,          /* HEAP_DUMP_INFO */
		0xC3, 0, 0, 0, 0x0D, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0x0A, /* NODATA int[1000] */
	};
	struct hw_writer *w = hw_new();

	(void)state;
	hw_header(w, "JAVA PROFILE 1.0.3", 4, 0);
	hw_heap_begin(w, HW_HEAP_DUMP_SEGMENT);
	hw_root_jni_global(w, 0x0A, 0x0B);
	hw_root_java_frame(w, 0x0A, 2, UINT32_MAX);
	hw_root_jni_monitor(w, 0x0A, 2, 3);
	hw_heap_dump_info(w, 'A', 0x0C);
	hw_prim_array_nodata(w, 0x0D, 0, 1000, HW_INT);
	assert_output(w, HEADER_102_LEN + 9, want, sizeof want);
	hw_free(w);
}

static void test_values_and_arrays(void **state)
{
	static const uint8_t values[] = {
		0x01, 0x00, 0x41, 0x3F, 0xC0, 0x00, 0x00,
		0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
		0xFE, 0x80, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
	};
	static const uint8_t array[] = {
		0x23, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x09, 0x00, 0x01, 0xFF, 0xFE,
	};
	static const int16_t shorts[] = { 1, -2 };
	struct hw_writer *w = hw_new();
	struct hw_values v;
	size_t at;

	(void)state;
	hw_values_init(&v, 4);
	hw_values_bool(&v, 1);
	hw_values_char(&v, 'A');
	hw_values_float(&v, 1.5f);
	hw_values_double(&v, 1.0);
	hw_values_byte(&v, -2);
	hw_values_short(&v, INT16_MIN);
	hw_values_long(&v, -2);
	assert_int_equal(v.len, sizeof values);
	assert_memory_equal(v.data, values, sizeof values);
	hw_values_release(&v);

	hw_header(w, "JAVA PROFILE 1.0.2", 4, 0);
	hw_heap_begin(w, HW_HEAP_DUMP_SEGMENT);
	at = hw_prim_array(w, 0x40, 0, HW_SHORT, 2, shorts);
	assert_output(w, at, array, sizeof array);
	assert_int_equal(hw_stats(w)->prim_arrays[HW_SHORT], 1);
	hw_free(w);
}

static void test_wide_ids_and_damage(void **state)
{
	static const uint8_t want[] = {
		0x01, 0, 0, 0, 0, 0, 0, 0, 0x10 + 1,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 'x',
	};
	struct hw_writer *w = hw_new();
	size_t at;

	(void)state;
	hw_header(w, "JAVA PROFILE 1.0.2", 16, 0);
	at = hw_utf8(w, 0x1234, "x");
	assert_output(w, at, want, sizeof want);
	hw_patch_u4(w, at + 5, UINT32_MAX);
	assert_int_equal(hw_data(w)[at + 8], 0xFF);
	hw_truncate(w, at + 3);
	assert_int_equal(hw_size(w), at + 3);
	at = hw_record_header(w, 0x55, 1000);
	assert_int_equal(hw_size(w), at + 9);
	assert_int_equal(hw_data(w)[at + 7], 0x03);
	assert_int_equal(hw_data(w)[at + 8], 0xE8);
	hw_free(w);
}

static void test_builder(void **state)
{
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t a, b, node, s;
	size_t utf8s;

	(void)state;
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	assert_int_equal(hw_class_field_bytes(w, jdk.string), 8 + 1 + 4);
	assert_int_equal(hw_class_lookup(w, "[I"), jdk.prim_array[HW_INT]);
	assert_int_equal(hw_class_serial(w, jdk.object), 1);
	utf8s = hw_stats(w)->records[HW_UTF8];
	assert_int_equal(hw_name(w, "java/lang/String"), hw_name(w, "java/lang/String"));
	assert_int_equal(hw_stats(w)->records[HW_UTF8], utf8s);
	node = hw_node_class(w, "Node", 2);
	assert_int_equal(hw_class_field_bytes(w, node), 16);
	hw_class_dump_all(w);
	a = hw_alloc(w, 20);
	b = hw_alloc(w, 24);
	assert_int_equal(b - a, 24);
	assert_int_equal(a % 8, 0);
	hw_node(w, node, a, (uint64_t[]){ b, 0 });
	hw_node(w, node, b, NULL);
	s = hw_string(w, &jdk, 0, 0, "hi");
	assert_int_equal(hw_count_instances(w, node), 2);
	assert_int_equal(hw_count_instances(w, jdk.string), 1);
	assert_true(s > b);
	assert_int_equal(hw_stats(w)->subs[HW_CLASS_DUMP], 15);
	hw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_bytes),
		cmocka_unit_test(test_utf8_record),
		cmocka_unit_test(test_instance_in_segment),
		cmocka_unit_test(test_auto_heap_records),
		cmocka_unit_test(test_segment_limit),
		cmocka_unit_test(test_roots_layout),
		cmocka_unit_test(test_values_and_arrays),
		cmocka_unit_test(test_wide_ids_and_damage),
		cmocka_unit_test(test_builder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
