/*
 * hprof_expect.c: what the test HPROF writer has written, as counts and as
 * NAME.expect lines ("key<TAB>value"), so fixture generators can state what a
 * correct reader must find without counting by hand.
 *
 * The counts are taken as sub-records are written: they describe the bytes
 * produced, including any that a later hw_truncate cuts away. Names come from
 * the LOAD_CLASS and UTF8 records written; classes that share a name are summed
 * under it (expect files are keyed by name; readers key by id). Keys are sorted
 * so the files are stable across runs.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hw_internal.h"

struct hw_named_count {
	char *name;
	uint64_t count;
};

static const struct {
	uint8_t tag;
	const char *key;
} hw_root_kinds[] = {
	{ HW_ROOT_UNKNOWN, "unknown" },
	{ HW_ROOT_JNI_GLOBAL, "jni_global" },
	{ HW_ROOT_JNI_LOCAL, "jni_local" },
	{ HW_ROOT_JAVA_FRAME, "java_frame" },
	{ HW_ROOT_NATIVE_STACK, "native_stack" },
	{ HW_ROOT_STICKY_CLASS, "sticky_class" },
	{ HW_ROOT_THREAD_BLOCK, "thread_block" },
	{ HW_ROOT_MONITOR_USED, "monitor_used" },
	{ HW_ROOT_THREAD_OBJ, "thread_obj" },
	{ HW_ROOT_INTERNED_STRING, "interned_string" },
	{ HW_ROOT_FINALIZING, "finalizing" },
	{ HW_ROOT_DEBUGGER, "debugger" },
	{ HW_ROOT_REFERENCE_CLEANUP, "reference_cleanup" },
	{ HW_ROOT_VM_INTERNAL, "vm_internal" },
	{ HW_ROOT_JNI_MONITOR, "jni_monitor" },
};

#define HW_N_ROOT_KINDS (sizeof hw_root_kinds / sizeof hw_root_kinds[0])

static const struct {
	uint8_t tag;
	const char *key;
} hw_record_kinds[] = {
	{ HW_UTF8, "utf8" },
	{ HW_LOAD_CLASS, "load_class" },
	{ HW_UNLOAD_CLASS, "unload_class" },
	{ HW_FRAME, "frame" },
	{ HW_TRACE, "trace" },
	{ HW_ALLOC_SITES, "alloc_sites" },
	{ HW_HEAP_SUMMARY, "heap_summary" },
	{ HW_START_THREAD, "start_thread" },
	{ HW_END_THREAD, "end_thread" },
	{ HW_HEAP_DUMP, "heap_dump" },
	{ HW_CPU_SAMPLES, "cpu_samples" },
	{ HW_CONTROL_SETTINGS, "control_settings" },
	{ HW_HEAP_DUMP_SEGMENT, "heap_dump_segment" },
	{ HW_HEAP_DUMP_END, "heap_dump_end" },
};

#define HW_N_RECORD_KINDS (sizeof hw_record_kinds / sizeof hw_record_kinds[0])

static const uint8_t hw_prim_types[] = {
	HW_BOOLEAN, HW_CHAR, HW_FLOAT, HW_DOUBLE, HW_BYTE, HW_SHORT, HW_INT, HW_LONG
};

const struct hw_stats *hw_stats(const struct hw_writer *w)
{
	return &w->stats;
}

uint64_t hw_count_instances(const struct hw_writer *w, uint64_t class_id)
{
	size_t i = hw_map_get(&w->class_index, class_id);

	return i == HW_NONE ? 0 : w->classes[i].instances;
}

uint64_t hw_count_obj_arrays(const struct hw_writer *w, uint64_t class_id)
{
	size_t i = hw_map_get(&w->class_index, class_id);

	return i == HW_NONE ? 0 : w->classes[i].obj_arrays;
}

void hw_heap_stats_reset(struct hw_writer *w)
{
	size_t i;

	memset(w->stats.subs, 0, sizeof w->stats.subs);
	memset(w->stats.prim_arrays, 0, sizeof w->stats.prim_arrays);
	memset(w->stats.nodata_arrays, 0, sizeof w->stats.nodata_arrays);
	for (i = 0; i < w->n_classes; i++) {
		w->classes[i].dumps = 0;
		w->classes[i].instances = 0;
		w->classes[i].obj_arrays = 0;
	}
}

static int hw_is_known_record(uint8_t tag)
{
	size_t i;

	for (i = 0; i < HW_N_RECORD_KINDS; i++)
		if (hw_record_kinds[i].tag == tag)
			return 1;
	return 0;
}

void hw_expect_records(const struct hw_writer *w, FILE *f)
{
	uint64_t unknown = 0;
	size_t i;

	fprintf(f, "version\t%s\n", w->has_header ? w->version : "");
	fprintf(f, "id_size\t%" PRIu32 "\n", w->header_id_size);
	fprintf(f, "timestamp\t%" PRIu64 "\n", w->timestamp);
	for (i = 0; i < HW_N_RECORD_KINDS; i++)
		fprintf(f, "%s\t%" PRIu64 "\n", hw_record_kinds[i].key,
			w->stats.records[hw_record_kinds[i].tag]);
	for (i = 0; i < 256; i++)
		if (!hw_is_known_record((uint8_t)i))
			unknown += w->stats.records[i];
	fprintf(f, "unknown_records\t%" PRIu64 "\n", unknown);
}

static void hw_expect_totals(const struct hw_writer *w, FILE *f, const char *prefix)
{
	const uint64_t *s = w->stats.subs;
	uint64_t objects = s[HW_CLASS_DUMP] + s[HW_INSTANCE_DUMP] + s[HW_OBJ_ARRAY_DUMP] +
			   s[HW_PRIM_ARRAY_DUMP] + s[HW_PRIM_ARRAY_NODATA];
	uint64_t roots = 0;
	size_t i;

	for (i = 0; i < HW_N_ROOT_KINDS; i++)
		roots += s[hw_root_kinds[i].tag];
	fprintf(f, "%sclasses\t%" PRIu64 "\n", prefix, s[HW_CLASS_DUMP]);
	fprintf(f, "%sinstances\t%" PRIu64 "\n", prefix, s[HW_INSTANCE_DUMP]);
	fprintf(f, "%sobj_arrays\t%" PRIu64 "\n", prefix, s[HW_OBJ_ARRAY_DUMP]);
	fprintf(f, "%sprim_arrays\t%" PRIu64 "\n", prefix, s[HW_PRIM_ARRAY_DUMP]);
	fprintf(f, "%sprim_arrays_nodata\t%" PRIu64 "\n", prefix, s[HW_PRIM_ARRAY_NODATA]);
	fprintf(f, "%sobjects\t%" PRIu64 "\n", prefix, objects);
	fprintf(f, "%sroots\t%" PRIu64 "\n", prefix, roots);
	for (i = 0; i < HW_N_ROOT_KINDS; i++)
		fprintf(f, "%sroots.%s\t%" PRIu64 "\n", prefix, hw_root_kinds[i].key,
			s[hw_root_kinds[i].tag]);
	fprintf(f, "%sunreachable\t%" PRIu64 "\n", prefix, s[HW_UNREACHABLE]);
	fprintf(f, "%sheap_dump_info\t%" PRIu64 "\n", prefix, s[HW_HEAP_DUMP_INFO]);
}

static void hw_expect_prims(const struct hw_writer *w, FILE *f, const char *prefix)
{
	size_t i;

	for (i = 0; i < sizeof hw_prim_types; i++)
		fprintf(f, "%sprim_arrays.%s\t%" PRIu64 "\n", prefix, hw_type_name(hw_prim_types[i]),
			w->stats.prim_arrays[hw_prim_types[i]]);
	for (i = 0; i < sizeof hw_prim_types; i++)
		fprintf(f, "%sprim_arrays_nodata.%s\t%" PRIu64 "\n", prefix,
			hw_type_name(hw_prim_types[i]), w->stats.nodata_arrays[hw_prim_types[i]]);
}

static char *hw_class_name(const struct hw_writer *w, const struct hw_class_entry *c)
{
	const char *text = c->has_name ? hw_utf8_text(w, c->name_id) : NULL;
	char buf[32];

	if (text)
		return hw_xstrndup(text, strlen(text));
	snprintf(buf, sizeof buf, "@0x%" PRIx64, c->class_id);
	return hw_xstrndup(buf, strlen(buf));
}

static int hw_named_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hw_named_count *)a)->name,
		      ((const struct hw_named_count *)b)->name);
}

/* Prints "<prefix><key>.<name>\t<count>" per name, summing equal names. */
static void hw_print_named(FILE *f, const char *prefix, const char *key,
			   struct hw_named_count *v, size_t n)
{
	size_t i = 0, j;
	uint64_t sum;

	qsort(v, n, sizeof *v, hw_named_cmp);
	while (i < n) {
		sum = 0;
		for (j = i; j < n && strcmp(v[j].name, v[i].name) == 0; j++)
			sum += v[j].count;
		fprintf(f, "%s%s.%s\t%" PRIu64 "\n", prefix, key, v[i].name, sum);
		i = j;
	}
}

/* Per-class-name counts: instances (of classes dumped or instantiated, array
 * classes left out unless instantiated) when want_arrays is 0, object arrays (of
 * array classes used) when 1. */
static void hw_expect_by_class(const struct hw_writer *w, FILE *f, const char *prefix, int want_arrays)
{
	struct hw_named_count *v = hw_xmalloc(hw_mul(w->n_classes, sizeof *v));
	size_t i, n = 0;

	for (i = 0; i < w->n_classes; i++) {
		const struct hw_class_entry *c = &w->classes[i];
		uint64_t count = want_arrays ? c->obj_arrays : c->instances;

		if (want_arrays ? count == 0 : (count == 0 && c->dumps == 0))
			continue;
		v[n].name = hw_class_name(w, c);
		if (!want_arrays && count == 0 && v[n].name[0] == '[') {
			free(v[n].name); /* array classes have no instances */
			continue;
		}
		v[n++].count = count;
	}
	hw_print_named(f, prefix, want_arrays ? "obj_arrays" : "instances", v, n);
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

void hw_expect_heap(const struct hw_writer *w, FILE *f, const char *prefix)
{
	hw_expect_totals(w, f, prefix);
	hw_expect_prims(w, f, prefix);
	hw_expect_by_class(w, f, prefix, 0);
	hw_expect_by_class(w, f, prefix, 1);
}
