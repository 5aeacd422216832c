/*
 * test_reader.c: the HPROF reader and the object set it builds, checked
 * against dumps whose contents are known exactly.
 *
 * - fixtures/crafted/NAME.hprof: each NAME.expect (written by tests/tools/mkcrafted
 *   from the writer's own record of what it wrote) gives record counts,
 *   object counts, root counts by kind and per-class counts; every key must
 *   match what hl_get_info and the object accessors report.  A multi-dump
 *   file must be refused without --dump and read dump by dump with it.
 * - fixtures/corrupt/ (every file): every damaged file either fails with a message
 *   "offset N: ..." naming the place MANIFEST.tsv gives, or opens with at
 *   least one warning; truncated ones fail with HL_E_TRUNCATED under strict.
 * - dumps written here with the test writer: MAT's object set (class
 *   objects and the synthetic <system class loader> at id 0 included) and
 *   MAT's shallow-size model (header, field rounding, arrays, class objects,
 *   compressed references, alignment), identifier size 4 and 1.0.1 files,
 *   unknown top-level records.
 *
 * Why: every number heaplens prints rests on the reader counting exactly
 * what the file holds and on the size model being MAT's, not the JVM's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <inttypes.h>

#include "hprof_builder.h"
#include "unit_util.h"

/* ---- expectation keys ---- */

static const struct {
	const char *key;
	int kind;
} root_keys[] = {
	{ "unknown", HL_ROOT_UNKNOWN },
	{ "jni_global", HL_ROOT_JNI_GLOBAL },
	{ "jni_local", HL_ROOT_JNI_LOCAL },
	{ "java_frame", HL_ROOT_JAVA_FRAME },
	{ "native_stack", HL_ROOT_NATIVE_STACK },
	{ "sticky_class", HL_ROOT_STICKY_CLASS },
	{ "thread_block", HL_ROOT_THREAD_BLOCK },
	{ "monitor_used", HL_ROOT_MONITOR_USED },
	{ "thread_obj", HL_ROOT_THREAD_OBJ },
	{ "interned_string", HL_ROOT_INTERNED_STRING },
	{ "finalizing", HL_ROOT_FINALIZING },
	{ "debugger", HL_ROOT_DEBUGGER },
	{ "reference_cleanup", HL_ROOT_REFERENCE_CLEANUP },
	{ "vm_internal", HL_ROOT_VM_INTERNAL },
	{ "jni_monitor", HL_ROOT_JNI_MONITOR },
};

static const struct {
	const char *key;
	uint8_t tag;
} record_keys[] = {
	{ "utf8", 0x01 }, { "load_class", 0x02 }, { "unload_class", 0x03 },
	{ "frame", 0x04 }, { "trace", 0x05 }, { "alloc_sites", 0x06 },
	{ "heap_summary", 0x07 }, { "start_thread", 0x0A }, { "end_thread", 0x0B },
	{ "heap_dump", 0x0C }, { "cpu_samples", 0x0D }, { "control_settings", 0x0E },
	{ "heap_dump_segment", 0x1C }, { "heap_dump_end", 0x2C },
};

#define N_ROOT_KEYS (sizeof root_keys / sizeof root_keys[0])
#define N_RECORD_KEYS (sizeof record_keys / sizeof record_keys[0])

static const char *const prim_type_names[] = {
	"boolean", "char", "float", "double", "byte", "short", "int", "long",
};

static uint64_t expect_u64(const struct ut_lines *e, const char *prefix, const char *key)
{
	char full[256];

	snprintf(full, sizeof full, "%s%s", prefix, key);
	return ut_lines_u64(e, full);
}

static void check_u64(const char *what, uint64_t got, uint64_t want)
{
	if (got != want)
		fail_msg("%s: got %" PRIu64 ", expected %" PRIu64, what, got, want);
}

/* File-wide keys: header fields and top-level record counts. */
static void check_records(const hl_info *info, const struct ut_lines *e)
{
	uint64_t unknown = 0;
	size_t i;
	int tag;

	assert_string_equal(info->version, ut_lines_value(e, "version"));
	check_u64("id_size", info->id_size, ut_lines_u64(e, "id_size"));
	check_u64("timestamp", info->timestamp_ms, ut_lines_u64(e, "timestamp"));
	check_u64("dumps", info->dump_count, ut_lines_u64(e, "dumps"));
	for (i = 0; i < N_RECORD_KEYS; i++)
		check_u64(record_keys[i].key, info->record_count[record_keys[i].tag],
			  ut_lines_u64(e, record_keys[i].key));
	for (tag = 0; tag < 256; tag++) {
		int known = 0;

		for (i = 0; i < N_RECORD_KEYS; i++)
			known |= record_keys[i].tag == tag;
		if (!known)
			unknown += info->record_count[tag];
	}
	check_u64("unknown_records", unknown, ut_lines_u64(e, "unknown_records"));
}

/* Whether the heap has the synthetic <system class loader> at id 0. */
static int has_system_loader(const hl_heap *h)
{
	hl_obj o;

	if (hl_find_object(h, 0, &o) != HL_OK)
		return 0;
	assert_int_equal(hl_object_kind(h, o), HL_INSTANCE);
	assert_string_equal(hl_class_name(h, hl_object_class(h, o)), "java.lang.ClassLoader");
	return 1;
}

static void check_totals(const hl_heap *h, const hl_info *info, const struct ut_lines *e,
			 const char *pfx)
{
	uint64_t synth = (uint64_t)has_system_loader(h);

	check_u64("classes", info->classes, expect_u64(e, pfx, "classes"));
	check_u64("class_objects", info->class_objects, expect_u64(e, pfx, "classes"));
	check_u64("instances (+ system loader)", info->instances,
		  expect_u64(e, pfx, "instances") + synth);
	check_u64("obj_arrays", info->object_arrays, expect_u64(e, pfx, "obj_arrays"));
	check_u64("prim_arrays", info->primitive_arrays,
		  expect_u64(e, pfx, "prim_arrays") + expect_u64(e, pfx, "prim_arrays_nodata"));
	check_u64("objects (+ system loader)", info->objects, expect_u64(e, pfx, "objects") + synth);
	check_u64("hl_object_count", hl_object_count(h), info->objects);
	check_u64("reachable + unreachable", info->reachable_objects + info->unreachable_objects,
		  info->objects);
}

static void check_roots(const hl_info *info, const struct ut_lines *e, const char *pfx)
{
	char key[64];
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < N_ROOT_KEYS; i++) {
		snprintf(key, sizeof key, "roots.%s", root_keys[i].key);
		check_u64(key, info->roots[root_keys[i].kind], expect_u64(e, pfx, key));
		sum += info->roots[root_keys[i].kind];
	}
	check_u64("roots", sum, expect_u64(e, pfx, "roots"));
	check_u64("unreachable", info->roots[HL_ROOT_UNREACHABLE], expect_u64(e, pfx, "unreachable"));
}

/* instances.NAME, obj_arrays.NAME and prim_arrays[_nodata].TYPE. */
static void check_named_counts(const hl_heap *h, const struct ut_lines *e, const char *pfx)
{
	size_t pl = strlen(pfx), i;
	char name[512], key[64];

	for (i = 0; i < e->n; i++) {
		const struct ut_line *l = &e->line[i];
		const char *k = l->f[0];
		int kind;

		if (l->nf != 2 || strncmp(k, pfx, pl) != 0)
			continue;
		k += pl;
		if (!strncmp(k, "instances.", 10))
			kind = HL_INSTANCE, k += 10;
		else if (!strncmp(k, "obj_arrays.", 11))
			kind = HL_OBJ_ARRAY, k += 11;
		else
			continue;
		ut_java_name(k, name, sizeof name);
		check_u64(l->f[0], ut_count_objects_of(h, name, kind), strtoull(l->f[1], NULL, 10));
	}
	for (i = 0; i < sizeof prim_type_names / sizeof prim_type_names[0]; i++) {
		uint64_t want;

		snprintf(key, sizeof key, "prim_arrays.%s", prim_type_names[i]);
		want = expect_u64(e, pfx, key);
		snprintf(key, sizeof key, "prim_arrays_nodata.%s", prim_type_names[i]);
		want += expect_u64(e, pfx, key);
		snprintf(name, sizeof name, "%s[]", prim_type_names[i]);
		check_u64(name, ut_count_objects_of(h, name, HL_PRIM_ARRAY), want);
	}
}

static void check_crafted_dump(const char *path, const struct ut_lines *e, int dump_index,
			       const char *pfx)
{
	hl_heap *h = ut_open_dump(path, dump_index, NULL);
	hl_info info;

	print_message("  %s %s\n", path, pfx);
	hl_get_info(h, &info);
	check_records(&info, e);
	if (dump_index)
		check_u64("dump_index", info.dump_index, (uint64_t)dump_index);
	check_totals(h, &info, e, pfx);
	check_roots(&info, e, pfx);
	check_named_counts(h, e, pfx);
	hl_close(h);
}

/* A file of several dumps: refused without a choice, then dump by dump. */
static void check_crafted_multi(const char *path, const struct ut_lines *e, unsigned dumps)
{
	hl_heap *h = NULL;
	char pfx[32];
	unsigned d;

	assert_int_equal(hl_open(path, NULL, &h), HL_E_MULTIDUMP);
	assert_non_null(h);
	assert_true(strlen(hl_errmsg(h)) > 0);
	hl_close(h);
	for (d = 1; d <= dumps; d++) {
		snprintf(pfx, sizeof pfx, "dump%u.", d);
		check_crafted_dump(path, e, (int)d, pfx);
	}
}

static void check_crafted_file(const char *dir, const char *file)
{
	char path[UT_PATH_MAX], expect[UT_PATH_MAX];
	struct ut_lines e;
	uint64_t dumps;

	ut_join(path, sizeof path, dir, file);
	snprintf(expect, sizeof expect, "%.*s.expect", (int)(strlen(path) - 6), path);
	if (ut_lines_load(expect, &e) != 0)
		return; /* no expectations: nothing to compare */
	dumps = ut_lines_u64(&e, "dumps");
	if (dumps > 1)
		check_crafted_multi(path, &e, (unsigned)dumps);
	else
		check_crafted_dump(path, &e, 0, "");
	ut_lines_free(&e);
}

static void test_crafted_fixtures(void **state)
{
	char dir[UT_PATH_MAX];
	struct dirent *ent;
	unsigned checked = 0;
	DIR *d;

	(void)state;
	ut_join(dir, sizeof dir, ut_env_dir("HL_FIXTURES"), "crafted");
	d = opendir(dir);
	assert_non_null(d);
	while ((ent = readdir(d)) != NULL) {
		if (!ut_ends_with(ent->d_name, ".hprof"))
			continue;
		check_crafted_file(dir, ent->d_name);
		checked++;
	}
	closedir(d);
	assert_true(checked >= 5);
}

static void crafted_path(char *path, size_t cap, const char *name)
{
	char dir[UT_PATH_MAX];

	ut_join(dir, sizeof dir, ut_env_dir("HL_FIXTURES"), "crafted");
	ut_join(path, cap, dir, name);
}

static void test_two_dumps_choice(void **state)
{
	char path[UT_PATH_MAX];
	uint64_t offsets[4], records[4];
	hl_open_options opt;
	hl_heap *h = NULL;
	hl_info info;

	(void)state;
	crafted_path(path, sizeof path, "two-dumps.hprof");
	assert_int_equal(hl_open(path, NULL, &h), HL_E_MULTIDUMP);
	hl_close(h);
	memset(&opt, 0, sizeof opt);
	opt.dump_index = 3;
	assert_int_not_equal(hl_open(path, &opt, &h), HL_OK);
	hl_close(h);
	h = ut_open_dump(path, 2, NULL);
	hl_get_info(h, &info);
	assert_int_equal(info.dump_count, 2);
	assert_int_equal(info.dump_index, 2);
	assert_int_equal(hl_dump_list(h, offsets, records, 4), 2);
	assert_true(offsets[0] < offsets[1]);
	/* com.example.Late exists only in the second dump */
	assert_int_equal(ut_count_objects_of(h, "com.example.Late", HL_INSTANCE), 2);
	hl_close(h);
	h = ut_open_dump(path, 1, NULL);
	assert_int_equal(ut_count_objects_of(h, "com.example.Late", HL_INSTANCE), 0);
	hl_close(h);
}

static void test_idsize4_fixture(void **state)
{
	char path[UT_PATH_MAX];
	hl_heap *h;
	hl_info info;

	(void)state;
	crafted_path(path, sizeof path, "idsize4.hprof");
	h = ut_open(path);
	hl_get_info(h, &info);
	assert_int_equal(info.id_size, 4);
	assert_int_equal(info.ref_size, 4);
	assert_int_equal(info.header_size, 8);
	assert_int_equal(info.compressed_refs, 0);
	assert_int_equal(info.warnings, 0);
	/* Cache: table (ref) + size (int) = 8 bytes + header 8 = 16 */
	assert_int_equal(hl_class_instance_size(h, hl_object_as_class(h,
			 ut_class_object_named(h, "com.example.Cache"))), 16);
	hl_close(h);
}

static void test_v101_single_fixture(void **state)
{
	char path[UT_PATH_MAX];
	hl_heap *h;
	hl_info info;

	(void)state;
	crafted_path(path, sizeof path, "v101-single.hprof");
	h = ut_open(path);
	hl_get_info(h, &info);
	assert_string_equal(info.version, "JAVA PROFILE 1.0.1");
	assert_int_equal(info.record_count[0x0C], 1);
	assert_int_equal(info.record_count[0x1C], 0);
	assert_int_equal(info.dump_count, 1);
	assert_int_equal(ut_count_objects_of(h, "com.example.Cache$Entry", HL_INSTANCE), 6);
	hl_close(h);
}

/* Unknown top-level tags are skipped by length, with a warning. */
static void test_unknown_tag_fixture(void **state)
{
	char path[UT_PATH_MAX];
	struct ut_warns warns;
	hl_heap *h;
	hl_info info;
	uint32_t o, n;
	int found = 0;
	char buf[128];

	(void)state;
	crafted_path(path, sizeof path, "unknown-tag.hprof");
	h = ut_open_dump(path, 0, &warns);
	hl_get_info(h, &info);
	print_message("  first warning: %s\n", warns.first);
	assert_true(warns.count >= 1);
	assert_int_equal(info.warnings, warns.count);
	/* the String written after the unknown record between segments */
	n = hl_object_count(h);
	for (o = 0; o < n; o++)
		if (!strcmp(hl_object_preview(h, o, 64, buf, sizeof buf), "\"after the unknown record\""))
			found = 1;
	assert_true(found);
	hl_close(h);
}

/* ART: arrays without data keep their length and shallow size; objects
 * named by UNREACHABLE records are not rooted by them. */
static void test_android_fixture(void **state)
{
	char path[UT_PATH_MAX];
	hl_heap *h;
	uint32_t o, n;
	unsigned big_int = 0, big_byte = 0, lost = 0;

	(void)state;
	crafted_path(path, sizeof path, "android.hprof");
	h = ut_open(path);
	n = hl_object_count(h);
	for (o = 0; o < n; o++) {
		const char *cn = hl_class_name(h, hl_object_class(h, o));

		if (!strcmp(cn, "int[]") && hl_array_length(h, o) == 1000) {
			/* header 8, round_up(8 + 4, 4) + 4000 = 4012 -> 4016 */
			assert_int_equal(hl_object_shallow(h, o), 4016);
			big_int++;
		} else if (!strcmp(cn, "byte[]") && hl_array_length(h, o) == 4096) {
			assert_int_equal(hl_object_shallow(h, o), 4112);
			big_byte++;
		} else if (!strcmp(cn, "com.example.Cache$Entry") && !hl_object_reachable(h, o)) {
			lost++;
		}
	}
	assert_int_equal(big_int, 1);
	assert_int_equal(big_byte, 1);
	assert_int_equal(lost, 2);
	hl_close(h);
}

/* ---- damaged files ---- */

struct manifest_row {
	char damage[512];
	char offset[32];
};

/* The manifest row of `file`; 0 when it has none. */
static int manifest_row(const struct ut_lines *m, const char *file, struct manifest_row *row)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct ut_line *l = &m->line[i];

		if (l->nf >= 3 && !strcmp(l->f[0], file)) {
			snprintf(row->damage, sizeof row->damage, "%s", l->f[1]);
			snprintf(row->offset, sizeof row->offset, "%s", l->f[2]);
			return 1;
		}
	}
	return 0;
}

/* Does msg mention "offset N" for the manifest offset or for an offset
 * the damage text names ("its HEAP_DUMP_SEGMENT at 1040")? */
static int mentions_place(const char *msg, const struct manifest_row *row)
{
	char want[64];
	const char *p;

	if (!isdigit((unsigned char)row->offset[0]))
		return 1; /* the manifest gives no offset */
	snprintf(want, sizeof want, "offset %s", row->offset);
	if (strstr(msg, want))
		return 1;
	for (p = row->damage; (p = strstr(p, " at ")) != NULL; p += 4) {
		size_t k = 0;

		while (isdigit((unsigned char)p[4 + k]))
			k++;
		if (!k)
			continue;
		snprintf(want, sizeof want, "offset %.*s", (int)k, p + 4);
		if (strstr(msg, want))
			return 1;
	}
	return 0;
}

static int is_accepted(const struct manifest_row *row)
{
	return strstr(row->damage, "accept") != NULL;
}

/* After a successful open of a damaged file every analysis must still
 * run without crashing. */
static void exercise(hl_heap *h)
{
	hl_histogram t;

	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
	hl_histogram_free(&t);
	assert_int_equal(hl_histogram_build(h, HL_BY_PACKAGE, 1, &t), HL_OK);
	hl_histogram_free(&t);
}

/* One damaged file; returns 1 when it meets the rule, printing why not. */
static int check_corrupt_file(const char *path, const char *file, const struct manifest_row *row,
			      int has_row, const char *tmpdir)
{
	struct ut_warns warns = { 0 };
	hl_open_options opt;
	hl_heap *h = NULL;
	hl_status st;
	int ok = 1;

	memset(&opt, 0, sizeof opt);
	opt.warn = ut_warn_count;
	opt.ctx = &warns;
	opt.tmpdir = tmpdir;
	st = hl_open(path, &opt, &h);
	assert_non_null(h);
	if (st != HL_OK) {
		const char *msg = hl_errmsg(h);

		if (strncmp(msg, "offset ", 7) != 0 || (has_row && !mentions_place(msg, row)) ||
		    (has_row && is_accepted(row))) {
			print_message("  %s: status %d, message \"%s\"; manifest: %s (offset %s)\n",
				      file, st, msg, row->damage, row->offset);
			ok = 0;
		}
	} else {
		if (warns.count == 0 && !(has_row && is_accepted(row))) {
			print_message("  %s: opened without any warning; manifest: %s\n", file,
				      has_row ? row->damage : "(none)");
			ok = 0;
		}
		exercise(h);
	}
	hl_close(h);
	return ok;
}

static void test_corrupt_files(void **state)
{
	char dir[UT_PATH_MAX], path[UT_PATH_MAX], tmp[UT_PATH_MAX];
	struct manifest_row row;
	struct ut_lines m;
	struct dirent *ent;
	unsigned checked = 0, bad = 0;
	DIR *d;

	(void)state;
	ut_tmpdir_make(tmp, sizeof tmp);
	ut_join(dir, sizeof dir, ut_env_dir("HL_FIXTURES"), "corrupt");
	assert_int_equal(ut_lines_load(ut_join(path, sizeof path, dir, "MANIFEST.tsv"), &m), 0);
	d = opendir(dir);
	assert_non_null(d);
	while ((ent = readdir(d)) != NULL) {
		int has_row;

		if (ent->d_name[0] == '.' || !strcmp(ent->d_name, "MANIFEST.tsv"))
			continue;
		memset(&row, 0, sizeof row);
		has_row = manifest_row(&m, ent->d_name, &row);
		bad += !check_corrupt_file(ut_join(path, sizeof path, dir, ent->d_name),
					   ent->d_name, &row, has_row, tmp);
		checked++;
	}
	closedir(d);
	ut_lines_free(&m);
	ut_tmpdir_remove(tmp);
	print_message("  %u damaged files checked, %u broke the rule\n", checked, bad);
	assert_true(checked >= 10);
	assert_int_equal(bad, 0);
}

/* Truncated dumps: partial results with a warning, HL_E_TRUNCATED under
 * strict (a cut gzip stream may say HL_E_GZIP instead). */
static int check_truncated_strict(const char *path, const char *file, const char *tmpdir)
{
	struct ut_warns warns = { 0 };
	hl_open_options opt;
	hl_heap *h = NULL;
	hl_status st;
	hl_info info;
	int truncated, ok = 1;

	memset(&opt, 0, sizeof opt);
	opt.warn = ut_warn_count;
	opt.ctx = &warns;
	opt.tmpdir = tmpdir;
	st = hl_open(path, &opt, &h);
	if (st == HL_OK) {
		hl_get_info(h, &info);
		truncated = info.truncated_bytes > 0;
	} else {
		truncated = st == HL_E_TRUNCATED;
	}
	hl_close(h);
	if (!truncated)
		return -1;
	opt.strict = 1;
	st = hl_open(path, &opt, &h);
	if (st != HL_E_TRUNCATED && !(st == HL_E_GZIP && ut_ends_with(file, ".gz"))) {
		print_message("  %s: strict open gave status %d (%s), expected HL_E_TRUNCATED\n",
			      file, st, hl_errmsg(h));
		ok = 0;
	}
	hl_close(h);
	return ok;
}

static void test_corrupt_truncated_strict(void **state)
{
	char dir[UT_PATH_MAX], path[UT_PATH_MAX], tmp[UT_PATH_MAX];
	struct dirent *ent;
	unsigned truncated = 0, bad = 0;
	DIR *d;

	(void)state;
	ut_tmpdir_make(tmp, sizeof tmp);
	ut_join(dir, sizeof dir, ut_env_dir("HL_FIXTURES"), "corrupt");
	d = opendir(dir);
	assert_non_null(d);
	while ((ent = readdir(d)) != NULL) {
		int r;

		if (ent->d_name[0] == '.' || !strcmp(ent->d_name, "MANIFEST.tsv"))
			continue;
		r = check_truncated_strict(ut_join(path, sizeof path, dir, ent->d_name), ent->d_name, tmp);
		if (r >= 0) {
			truncated++;
			bad += !r;
		}
	}
	closedir(d);
	ut_tmpdir_remove(tmp);
	print_message("  %u truncated files checked\n", truncated);
	assert_true(truncated >= 5);
	assert_int_equal(bad, 0);
}

/* hl_open_options.strict: "any damage (truncation, bad sizes) is an error". */
static void test_strict_bad_instance_size(void **state)
{
	char path[UT_PATH_MAX], dir[UT_PATH_MAX], msg[512];
	hl_open_options opt;
	hl_heap *h = NULL;
	hl_status st;

	(void)state;
	ut_join(dir, sizeof dir, ut_env_dir("HL_FIXTURES"), "corrupt");
	ut_join(path, sizeof path, dir, "instance-size-mismatch.hprof");
	memset(&opt, 0, sizeof opt);
	opt.strict = 1;
	st = hl_open(path, &opt, &h);
	snprintf(msg, sizeof msg, "%s", hl_errmsg(h));
	hl_close(h);
	if (st == HL_OK)
		fail_msg("strict open of %s succeeded; an INSTANCE_DUMP with 8 field bytes for a "
			 "12-byte layout is a bad size", path);
	assert_true(strncmp(msg, "offset ", 7) == 0);
}

static void test_open_errors(void **state)
{
	char path[UT_PATH_MAX];
	hl_heap *h = NULL;

	(void)state;
	ut_join(path, sizeof path, ut_env_dir("HL_FIXTURES"), "no-such-dump.hprof");
	assert_int_equal(hl_open(path, NULL, &h), HL_E_NOTFOUND);
	assert_true(strlen(hl_errmsg(h)) > 0);
	hl_close(h);
	assert_int_equal(hl_open(ut_env_dir("HL_FIXTURES"), NULL, &h), HL_E_ISDIR);
	hl_close(h);
	hl_close(NULL);
}

/* ---- dumps written here ---- */

struct tmp_state {
	char dir[UT_PATH_MAX];
	char path[UT_PATH_MAX];
};

static int tmp_setup(void **state)
{
	struct tmp_state *s = calloc(1, sizeof *s);

	if (!s)
		return -1;
	ut_tmpdir_make(s->dir, sizeof s->dir);
	ut_join(s->path, sizeof s->path, s->dir, "t.hprof");
	*state = s;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp_state *s = *state;

	ut_tmpdir_remove(s->dir);
	free(s);
	return 0;
}

/* Close the heap dump, save it to path, open it. */
static hl_heap *end_and_open(struct hw_writer *w, const char *path)
{
	hw_heap_dump_end(w);
	hw_save(w, path);
	hw_free(w);
	return ut_open(path);
}

/* Sticky-class roots for the JDK classes, so that the small heaps below are
 * reachable without the no-sticky-root fallback. */
static void root_jdk(struct hw_writer *w, const struct hw_jdk *jdk)
{
	hw_root_sticky_class(w, jdk->object);
	hw_root_sticky_class(w, jdk->klass);
	hw_root_sticky_class(w, jdk->class_loader);
}

/* Classes A (int), B extends A (byte), C extends B (int), and a class S
 * with statics ref + int + long + byte. */
struct size_heap {
	struct hw_jdk jdk;
	uint64_t a, b, c, s;
	uint64_t ia, ib, ic, arr3, ints3, bytes0, chars5, longs1;
};

static void size_heap_define(struct hw_writer *w, struct size_heap *z)
{
	static const struct hw_field_spec fa[] = { { "x", HW_INT } };
	static const struct hw_field_spec fb[] = { { "y", HW_BYTE } };
	static const struct hw_field_spec fc[] = { { "z", HW_INT } };

	hw_jdk_define(w, &z->jdk);
	z->a = hw_class_define(w, 0, "t/A", z->jdk.object, 1, fa);
	z->b = hw_class_define(w, 0, "t/B", z->a, 1, fb);
	z->c = hw_class_define(w, 0, "t/C", z->b, 1, fc);
	z->s = hw_class_define(w, 0, "t/S", z->jdk.object, 0, NULL);
	hw_class_add_static(w, z->s, "r", hw_v_obj(0));
	hw_class_add_static(w, z->s, "i", hw_v_int(1));
	hw_class_add_static(w, z->s, "j", hw_v_long(2));
	hw_class_add_static(w, z->s, "b", hw_v_byte(3));
}

static void size_heap_objects(struct hw_writer *w, struct size_heap *z)
{
	static const int32_t ints[3] = { 1, 2, 3 };
	static const uint16_t chars[5] = { 'a', 'b', 'c', 'd', 'e' };
	static const int64_t longs[1] = { 7 };
	uint64_t elems[3];
	struct hw_values v;

	z->ia = hw_alloc(w, 64);
	z->ib = hw_alloc(w, 64);
	z->ic = hw_alloc(w, 64);
	z->arr3 = hw_alloc(w, 64);
	z->ints3 = hw_alloc(w, 64);
	z->bytes0 = hw_alloc(w, 64);
	z->chars5 = hw_alloc(w, 64);
	z->longs1 = hw_alloc(w, 64);
	elems[0] = z->ia, elems[1] = z->ib, elems[2] = z->ic;
	hw_root_jni_global(w, z->arr3, 1);
	hw_values_init(&v, hw_id_size(w));
	hw_values_int(&v, 1);
	hw_instance(w, z->ia, z->a, &v);
	hw_values_clear(&v);
	hw_values_byte(&v, 1);
	hw_values_int(&v, 1);
	hw_instance(w, z->ib, z->b, &v);
	hw_values_clear(&v);
	hw_values_int(&v, 1);
	hw_values_byte(&v, 1);
	hw_values_int(&v, 1);
	hw_instance(w, z->ic, z->c, &v);
	hw_values_release(&v);
	hw_obj_array(w, z->arr3, 0, z->jdk.object_array, 3, elems);
	hw_prim_array(w, z->ints3, 0, HW_INT, 3, ints);
	hw_prim_array(w, z->bytes0, 0, HW_BYTE, 0, NULL);
	hw_prim_array(w, z->chars5, 0, HW_CHAR, 5, chars);
	hw_prim_array(w, z->longs1, 0, HW_LONG, 1, longs);
}

static hl_heap *size_heap_write(const char *path, uint32_t id_size, const char *version,
				struct size_heap *z)
{
	struct hw_writer *w = hw_new();

	hw_header(w, version, id_size, 0);
	size_heap_define(w, z);
	if (!strcmp(version, "JAVA PROFILE 1.0.1"))
		hw_heap_begin(w, HW_HEAP_DUMP);
	hw_class_dump_all(w);
	root_jdk(w, &z->jdk);
	size_heap_objects(w, z);
	if (!strcmp(version, "JAVA PROFILE 1.0.1"))
		hw_heap_end(w);
	else
		hw_heap_dump_end(w);
	hw_save(w, path);
	hw_free(w);
	return ut_open(path);
}

static uint64_t shallow_of(const hl_heap *h, uint64_t id)
{
	return hl_object_shallow(h, ut_find(h, id));
}

/*
 * Identifier size 8, no compressed references: header 16.
 * A: round_up(4 + 16, 8) = 24; B: round_up(1 + 24, 8) = 32; C: round_up(4 + 32, 8) = 40.
 * Object[3]: round_up(16 + 4 + 24, 8) = 48; int[3]: round_up(20, 8) + 12 = 36 -> 40;
 * byte[0]: 24; char[5]: 24 + 10 -> 40; long[1]: 32; class S: 8 + 4 + 8 + 1 = 21 -> 24.
 */
static void test_sizes_id8(void **state)
{
	struct tmp_state *s = *state;
	struct size_heap z;
	hl_heap *h = size_heap_write(s->path, 8, "JAVA PROFILE 1.0.2", &z);
	hl_info info;

	hl_get_info(h, &info);
	assert_int_equal(info.header_size, 16);
	assert_int_equal(info.ref_size, 8);
	assert_int_equal(info.alignment, 8);
	assert_int_equal(shallow_of(h, z.ia), 24);
	assert_int_equal(shallow_of(h, z.ib), 32);
	assert_int_equal(shallow_of(h, z.ic), 40);
	assert_int_equal(shallow_of(h, z.arr3), 48);
	assert_int_equal(shallow_of(h, z.ints3), 40);
	assert_int_equal(shallow_of(h, z.bytes0), 24);
	assert_int_equal(shallow_of(h, z.chars5), 40);
	assert_int_equal(shallow_of(h, z.longs1), 32);
	assert_int_equal(shallow_of(h, z.s), 24);
	assert_int_equal(shallow_of(h, z.a), 0); /* no statics */
	assert_int_equal(hl_class_instance_size(h, hl_object_as_class(h, ut_find(h, z.c))), 40);
	assert_int_equal(hl_array_length(h, ut_find(h, z.chars5)), 5);
	assert_int_equal(hl_object_kind(h, ut_find(h, z.s)), HL_CLASS_OBJ);
	assert_string_equal(hl_class_name(h, hl_object_class(h, ut_find(h, z.s))), "java.lang.Class");
	assert_string_equal(hl_class_name(h, hl_object_as_class(h, ut_find(h, z.s))), "t.S");
	hl_close(h);
}

/*
 * Identifier size 4 (and HPROF 1.0.1, one HEAP_DUMP record): header 8.
 * A: round_up(4 + 8, 4) = 12 -> 16; B: round_up(1 + 12, 4) = 16 -> 16 (the
 * super's unaligned size is used); C: round_up(4 + 16, 4) = 20 -> 24.
 * Object[3]: 8 + 4 + 12 = 24; int[3]: 12 + 12 = 24; byte[0]: 12 -> 16;
 * char[5]: 22 -> 24; long[1]: 20 -> 24; class S: 4 + 4 + 8 + 1 = 17 -> 24.
 */
static void test_sizes_id4_v101(void **state)
{
	struct tmp_state *s = *state;
	struct size_heap z;
	hl_heap *h = size_heap_write(s->path, 4, "JAVA PROFILE 1.0.1", &z);
	hl_info info;

	hl_get_info(h, &info);
	assert_string_equal(info.version, "JAVA PROFILE 1.0.1");
	assert_int_equal(info.id_size, 4);
	assert_int_equal(info.header_size, 8);
	assert_int_equal(info.record_count[0x0C], 1);
	assert_int_equal(shallow_of(h, z.ia), 16);
	assert_int_equal(shallow_of(h, z.ib), 16);
	assert_int_equal(shallow_of(h, z.ic), 24);
	assert_int_equal(shallow_of(h, z.arr3), 24);
	assert_int_equal(shallow_of(h, z.ints3), 24);
	assert_int_equal(shallow_of(h, z.bytes0), 16);
	assert_int_equal(shallow_of(h, z.chars5), 24);
	assert_int_equal(shallow_of(h, z.longs1), 24);
	assert_int_equal(shallow_of(h, z.s), 24);
	hl_close(h);
}

/*
 * Compressed references: identifier size 8, and the second Object[4] starts
 * 32 bytes after the first, inside the 16 + 4 + 4 * 8 = 52 bytes the first
 * would need with 8-byte references.  Header 12; Object[4]: 12 + 4 + 16 = 32;
 * a class with a reference and an int: round_up(4 + 4 + 12, 4) = 20 -> 24;
 * class statics ref + int: 8.
 */
static void test_sizes_compressed_refs(void **state)
{
	static const struct hw_field_spec f[] = { { "r", HW_OBJECT }, { "i", HW_INT } };
	struct tmp_state *s = *state;
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t k, a1, a2, inst, elems[4] = { 0, 0, 0, 0 };
	struct hw_values v;
	hl_heap *h;
	hl_info info;

	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	k = hw_class_define(w, 0, "t/K", jdk.object, 2, f);
	hw_class_add_static(w, k, "sr", hw_v_obj(0));
	hw_class_add_static(w, k, "si", hw_v_int(0));
	hw_class_dump_all(w);
	root_jdk(w, &jdk);
	a1 = hw_alloc(w, 32);
	a2 = hw_alloc(w, 32);
	inst = hw_alloc(w, 24);
	elems[0] = inst;
	hw_root_jni_global(w, a1, 1);
	hw_root_jni_global(w, a2, 2);
	hw_obj_array(w, a1, 0, jdk.object_array, 4, elems);
	hw_obj_array(w, a2, 0, jdk.object_array, 4, elems);
	hw_values_init(&v, 8);
	hw_values_obj(&v, a1);
	hw_values_int(&v, 5);
	hw_instance(w, inst, k, &v);
	hw_values_release(&v);
	h = end_and_open(w, s->path);
	hl_get_info(h, &info);
	assert_int_equal(info.compressed_refs, 1);
	assert_int_equal(info.ref_size, 4);
	assert_int_equal(info.header_size, 12);
	assert_int_equal(shallow_of(h, a1), 32);
	assert_int_equal(shallow_of(h, inst), 24);
	assert_int_equal(shallow_of(h, k), 8);
	hl_close(h);
}

/* Alignment: the GCD of the address gaps (here 16); A (one int, id 8):
 * round_up(20, 8) = 24 -> 32. */
static void test_alignment_16(void **state)
{
	static const struct hw_field_spec fa[] = { { "x", HW_INT } };
	struct tmp_state *s = *state;
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t a, o1, o2, arr;
	struct hw_values v;
	hl_heap *h;
	hl_info info;

	hw_alloc_config(w, UINT64_C(0x20000000), 16);
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	a = hw_class_define(w, 0, "t/A", jdk.object, 1, fa);
	hw_class_dump_all(w);
	root_jdk(w, &jdk);
	o1 = hw_alloc(w, 32);
	o2 = hw_alloc(w, 32);
	arr = hw_alloc(w, 16);
	hw_root_jni_global(w, o1, 1);
	hw_root_jni_global(w, o2, 2);
	hw_values_init(&v, 8);
	hw_values_int(&v, 1);
	hw_instance(w, o1, a, &v);
	hw_instance(w, o2, a, &v);
	hw_values_release(&v);
	hw_prim_array(w, arr, 0, HW_BYTE, 0, NULL);
	hw_root_jni_global(w, arr, 3);
	h = end_and_open(w, s->path);
	hl_get_info(h, &info);
	assert_int_equal(info.alignment, 16);
	assert_int_equal(shallow_of(h, o1), 32);
	assert_int_equal(shallow_of(h, arr), 32); /* 16 + 4 -> 24 -> 32 */
	hl_close(h);
}

/* Objects written in a shuffled order (the in-place radix sort of the
 * object table: several levels, buckets of all sizes) and one id written
 * twice: numbers follow ids, every id is found, and of the two records
 * with one id the first in the file is kept, with a warning. */
static void test_shuffled_ids(void **state)
{
	static const struct hw_field_spec fx[] = { { "x", HW_INT } };
	enum { N = 20000 };
	struct tmp_state *s = *state;
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t a, b, *ids = malloc(N * sizeof(uint64_t)), r = 12345;
	struct hw_values v;
	hl_histogram t;
	hl_heap *h;
	hl_info info;
	hl_obj o;
	size_t i, na = 0, nb = 0;

	assert_non_null(ids);
	hw_alloc_config(w, UINT64_C(0x10000000), 8);
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	a = hw_class_define(w, 0, "t/A", jdk.object, 1, fx);
	b = hw_class_define(w, 0, "t/B", jdk.object, 1, fx);
	hw_class_dump_all(w);
	root_jdk(w, &jdk);
	for (i = 0; i < N; i++) /* ids spread over several bytes */
		ids[i] = UINT64_C(0x20000000) + (uint64_t)i * 8 * 4099;
	for (i = N - 1; i > 0; i--) { /* Fisher-Yates */
		size_t j;
		uint64_t x;

		r = r * 6364136223846793005ull + 1442695040888963407ull;
		j = (size_t)((r >> 33) % (i + 1));
		x = ids[i], ids[i] = ids[j], ids[j] = x;
	}
	hw_values_init(&v, 8);
	hw_values_int(&v, 1);
	for (i = 0; i < N; i++) {
		hw_instance(w, ids[i], a, &v);
		hw_root_jni_global(w, ids[i], (uint32_t)i + 1);
	}
	hw_instance(w, ids[N / 2], b, &v); /* the same id again, class B */
	hw_values_release(&v);
	h = end_and_open(w, s->path);

	hl_get_info(h, &info);
	assert_true(info.warnings >= 1);
	for (o = 1; o < hl_object_count(h); o++)
		assert_true(hl_object_id(h, o) > hl_object_id(h, o - 1));
	for (i = 0; i < N; i++) {
		assert_int_equal(hl_find_object(h, ids[i], &o), HL_OK);
		assert_int_equal(hl_object_id(h, o), ids[i]);
	}
	assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
	for (i = 0; i < t.count; i++) {
		if (!strcmp(t.rows[i].name, "t.A"))
			na = t.rows[i].instances;
		if (!strcmp(t.rows[i].name, "t.B"))
			nb = t.rows[i].instances;
	}
	assert_int_equal(na, N); /* the first record of the twice-written id */
	assert_int_equal(nb, 0);
	hl_histogram_free(&t);
	hl_close(h);
	free(ids);
}

/* Objects written region by region, as HotSpot's dumpers write them:
 * blocks of rising ids in a shuffled order of blocks (runs that do not
 * overlap: the object table is taken run after run, idruns.c), or blocks
 * whose ids interleave (overlapping runs: sorted instead).  Either way the
 * numbers follow the ids, every id is found, and each object keeps its
 * class and size; each object refers to the next id, which the edge pass
 * looks up. */
static void regions(const char *path, int interleave)
{
	static const struct hw_field_spec fx[] = { { "next", HW_OBJECT } };
	enum { BLOCKS = 12, PER = 2500, N = BLOCKS * PER };
	static const unsigned order[BLOCKS] = { 7, 2, 11, 0, 5, 9, 1, 4, 10, 3, 8, 6 };
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t a, prev;
	struct hw_values v;
	hl_histogram t;
	hl_heap *h;
	hl_obj o;
	size_t i, k, na = 0;

	hw_alloc_config(w, UINT64_C(0x10000000), 8);
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	a = hw_class_define(w, 0, "t/A", jdk.object, 1, fx);
	hw_class_dump_all(w);
	root_jdk(w, &jdk);
	for (k = 0; k < BLOCKS; k++) {
		for (i = 0; i < PER; i++) {
			/* object j of the heap at 0x20000000 + 24 j */
			uint64_t j = interleave ? i * BLOCKS + order[k] : order[k] * PER + i;
			uint64_t id = UINT64_C(0x20000000) + j * 24;

			hw_values_init(&v, 8);
			hw_values_obj(&v, j + 1 < N ? id + 24 : 0);
			hw_instance(w, id, a, &v);
			hw_values_release(&v);
		}
	}
	hw_root_jni_global(w, UINT64_C(0x20000000), 1);
	h = end_and_open(w, path);
	for (o = 1, prev = hl_object_id(h, 0); o < hl_object_count(h); o++) {
		assert_true(hl_object_id(h, o) > prev);
		prev = hl_object_id(h, o);
	}
	for (i = 0; i < N; i++) {
		uint64_t id = UINT64_C(0x20000000) + (uint64_t)i * 24;

		assert_int_equal(hl_find_object(h, id, &o), HL_OK);
		assert_int_equal(hl_object_id(h, o), id);
		assert_string_equal(hl_class_name(h, hl_object_class(h, o)), "t.A");
		/* the chain from the root reaches every one */
		assert_true(hl_object_reachable(h, o));
	}
	assert_int_equal(hl_histogram_build(h, HL_BY_CLASS, 0, &t), HL_OK);
	for (i = 0; i < t.count; i++)
		if (!strcmp(t.rows[i].name, "t.A")) {
			na = t.rows[i].instances;
			assert_int_equal(t.rows[i].shallow, (uint64_t)N * 24);
		}
	assert_int_equal(na, N);
	hl_histogram_free(&t);
	hl_close(h);
}

static void test_region_order(void **state)
{
	struct tmp_state *s = *state;

	regions(s->path, 0);
	regions(s->path, 1);
}

/* Object ids spanning more than 2^32 alignment units (a 64-bit heap far
 * from its classes): the ids are kept whole instead of compressed; lookups,
 * references and dominators work the same. */
/* Shallow sizes too big for the 2-byte size array (more than 65,534
 * alignment units, about 512 KB) are kept exactly in a list: a long[] of
 * 70,000 elements, beside ones of 1,000 and 65,000, held by one instance. */
static void test_big_arrays(void **state)
{
	static const struct hw_field_spec fa[] = { { "a", HW_OBJECT }, { "b", HW_OBJECT },
						   { "c", HW_OBJECT } };
	static const uint32_t len[3] = { 1000, 65000, 70000 };
	struct tmp_state *s = *state;
	struct hw_writer *w = hw_new();
	int64_t *longs = calloc(70000, sizeof(int64_t));
	uint64_t a, holder, arr[3];
	struct hw_values v;
	struct hw_jdk jdk;
	hl_obj o[3], ho;
	hl_heap *h;
	unsigned k;

	assert_non_null(longs);
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	a = hw_class_define(w, 0, "t/Holder", jdk.object, 3, fa);
	hw_class_dump_all(w);
	root_jdk(w, &jdk);
	holder = hw_alloc(w, 48);
	hw_root_jni_global(w, holder, 1);
	hw_values_init(&v, 8);
	for (k = 0; k < 3; k++) {
		arr[k] = hw_alloc(w, hw_array_size_guess(w, HW_LONG, len[k]));
		hw_values_obj(&v, arr[k]);
	}
	hw_instance(w, holder, a, &v);
	hw_values_release(&v);
	for (k = 0; k < 3; k++)
		hw_prim_array(w, arr[k], 0, HW_LONG, len[k], longs);
	free(longs);
	h = end_and_open(w, s->path);
	assert_int_equal(hl_find_object(h, holder, &ho), HL_OK);
	for (k = 0; k < 3; k++)
		assert_int_equal(hl_find_object(h, arr[k], &o[k]), HL_OK);
	/* the same header for each: sizes differ by the elements only */
	assert_int_equal(hl_object_shallow(h, o[1]) - hl_object_shallow(h, o[0]),
			 (uint64_t)(65000 - 1000) * 8);
	assert_int_equal(hl_object_shallow(h, o[2]) - hl_object_shallow(h, o[0]),
			 (uint64_t)(70000 - 1000) * 8);
	assert_true(hl_object_shallow(h, o[2]) > (uint64_t)65534 * 8);
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	for (k = 0; k < 3; k++) {
		assert_int_equal(hl_idom(h, o[k]), ho);
		assert_int_equal(hl_retained(h, o[k]), hl_object_shallow(h, o[k]));
	}
	assert_int_equal(hl_retained(h, ho), hl_object_shallow(h, ho) +
			 hl_object_shallow(h, o[0]) + hl_object_shallow(h, o[1]) +
			 hl_object_shallow(h, o[2]));
	hl_close(h);
}

/* 70,000 classes (more than a 2-byte class number holds), an instance of
 * each, held by one Object[]: every instance knows its class. */
static void test_many_classes(void **state)
{
	enum { NCLS = 70000 };
	struct tmp_state *s = *state;
	struct hw_writer *w = hw_new();
	uint64_t *cls = calloc(NCLS, sizeof(uint64_t)), *ids = calloc(NCLS, sizeof(uint64_t));
	uint64_t arr;
	struct hw_values v;
	struct hw_jdk jdk;
	char name[32];
	hl_heap *h;
	hl_obj o;
	unsigned k;

	assert_non_null(cls);
	assert_non_null(ids);
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	for (k = 0; k < NCLS; k++) {
		snprintf(name, sizeof name, "t/C%u", k);
		cls[k] = hw_class_define(w, 0, name, jdk.object, 0, NULL);
	}
	hw_class_dump_all(w);
	root_jdk(w, &jdk);
	arr = hw_alloc(w, hw_array_size_guess(w, HW_OBJECT, NCLS));
	hw_root_jni_global(w, arr, 1);
	hw_values_init(&v, 8);
	for (k = 0; k < NCLS; k++) {
		ids[k] = hw_alloc(w, 16);
		hw_instance(w, ids[k], cls[k], &v);
	}
	hw_values_release(&v);
	hw_obj_array(w, arr, 0, jdk.object_array, NCLS, ids);
	h = end_and_open(w, s->path);
	assert_true(hl_class_count(h) > NCLS);
	for (k = 0; k < NCLS; k += 997) {
		assert_int_equal(hl_find_object(h, ids[k], &o), HL_OK);
		snprintf(name, sizeof name, "t.C%u", k);
		assert_string_equal(hl_class_name(h, hl_object_class(h, o)), name);
	}
	assert_int_equal(hl_find_object(h, ids[NCLS - 1], &o), HL_OK);
	assert_string_equal(hl_class_name(h, hl_object_class(h, o)), "t.C69999");
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_find_object(h, arr, &o), HL_OK);
	assert_int_equal(hl_idom(h, o), HL_ROOT);
	hl_close(h);
	free(cls);
	free(ids);
}

static void test_wide_ids(void **state)
{
	static const struct hw_field_spec fa[] = { { "next", HW_OBJECT } };
	const uint64_t far = UINT64_C(0x7f0000000000);
	struct tmp_state *s = *state;
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t a, near;
	struct hw_values v;
	hl_heap *h;
	hl_obj o, n, f;

	hw_alloc_config(w, UINT64_C(0x10000000), 8);
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	a = hw_class_define(w, 0, "t/A", jdk.object, 1, fa);
	hw_class_dump_all(w);
	root_jdk(w, &jdk);
	near = hw_alloc(w, 24);
	hw_root_jni_global(w, near, 1);
	hw_values_init(&v, 8);
	hw_values_obj(&v, far);
	hw_instance(w, near, a, &v);
	hw_values_clear(&v);
	hw_values_obj(&v, 0);
	hw_instance(w, far, a, &v);
	hw_values_release(&v);
	h = end_and_open(w, s->path);
	assert_int_equal(hl_find_object(h, near, &n), HL_OK);
	assert_int_equal(hl_find_object(h, far, &f), HL_OK);
	assert_int_equal(hl_object_id(h, n), near);
	assert_int_equal(hl_object_id(h, f), far);
	assert_int_equal(hl_find_object(h, far + 8, &o), HL_E_NOOBJECT);
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_idom(h, f), n);
	assert_int_equal(hl_retained(h, n), hl_object_shallow(h, n) + hl_object_shallow(h, f));
	for (o = 1; o < hl_object_count(h); o++)
		assert_true(hl_object_id(h, o) > hl_object_id(h, o - 1));
	hl_close(h);
}

/* Ids looked up while the graph is built: through the bitmap of a dense
 * heap, or the buckets when the ids are far apart (here 100,000 alignment
 * units between objects); either way a reference to an id between two
 * objects, or inside one, is dangling, and the others resolve. */
static void sparse_or_dense(const char *path, uint64_t gap)
{
	static const struct hw_field_spec fa[] = { { "next", HW_OBJECT },
						   { "bad", HW_OBJECT } };
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t a, ids[3];
	struct hw_values v;
	hl_heap *h;
	hl_info info;
	hl_obj o[3];
	int k;

	hw_alloc_config(w, UINT64_C(0x10000000), 8);
	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	a = hw_class_define(w, 0, "t/A", jdk.object, 2, fa);
	hw_class_dump_all(w);
	root_jdk(w, &jdk);
	ids[0] = hw_alloc(w, 24);
	ids[1] = ids[0] + 8 * gap;
	ids[2] = ids[1] + 8 * gap;
	hw_root_jni_global(w, ids[0], 1);
	hw_values_init(&v, 8);
	for (k = 0; k < 3; k++) {
		hw_values_clear(&v);
		hw_values_obj(&v, k < 2 ? ids[k + 1] : 0);
		hw_values_obj(&v, ids[k] + 8); /* inside itself: no object */
		hw_instance(w, ids[k], a, &v);
	}
	hw_values_release(&v);
	h = end_and_open(w, path);
	hl_get_info(h, &info);
	assert_int_equal(info.dangling_refs, 3);
	for (k = 0; k < 3; k++)
		assert_int_equal(hl_find_object(h, ids[k], &o[k]), HL_OK);
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_idom(h, o[1]), o[0]);
	assert_int_equal(hl_idom(h, o[2]), o[1]);
	assert_int_equal(hl_retained(h, o[0]), 3 * hl_object_shallow(h, o[0]));
	hl_close(h);
}

static void test_sparse_and_dense_ids(void **state)
{
	struct tmp_state *s = *state;

	sparse_or_dense(s->path, 100000);
	sparse_or_dense(s->path, 3);
}

/* MAT's object set: instances + arrays + class objects + the synthetic
 * <system class loader> at id 0; dump order does not matter, object
 * numbers follow addresses. */
static void test_object_set(void **state)
{
	struct tmp_state *s = *state;
	struct size_heap z;
	hl_heap *h = size_heap_write(s->path, 8, "JAVA PROFILE 1.0.2", &z);
	hl_info info;
	hl_obj sys, o;
	char buf[128];
	uint64_t prev = 0;

	hl_get_info(h, &info);
	/* 18 classes (14 JDK + 4), 3 instances, 1 Object[], 4 primitive arrays */
	assert_int_equal(info.class_objects, 18);
	assert_int_equal(info.instances, 3 + 1);
	assert_int_equal(info.object_arrays, 1);
	assert_int_equal(info.primitive_arrays, 4);
	assert_int_equal(info.objects, 18 + 3 + 1 + 4 + 1);
	assert_int_equal(hl_find_object(h, 0, &sys), HL_OK);
	assert_int_equal(hl_object_kind(h, sys), HL_INSTANCE);
	assert_string_equal(hl_class_name(h, hl_object_class(h, sys)), "java.lang.ClassLoader");
	assert_int_equal(hl_find_object(h, UINT64_C(0x7777), &o), HL_E_NOOBJECT);
	for (o = 0; o < hl_object_count(h); o++) {
		assert_true(o == 0 || hl_object_id(h, o) > prev);
		prev = hl_object_id(h, o);
	}
	assert_string_equal(hl_class_loader_name(h, hl_object_as_class(h, ut_find(h, z.a)), buf,
						 sizeof buf), "<system class loader>");
	assert_int_equal(hl_class_super(h, hl_object_as_class(h, ut_find(h, z.b))),
			 hl_object_as_class(h, ut_find(h, z.a)));
	assert_int_equal(hl_class_id(h, hl_object_as_class(h, ut_find(h, z.b))), z.b);
	hl_close(h);
}

/* An unknown tag between top-level records and another between heap
 * segments: skipped by length with a warning each, the rest read. */
static void test_unknown_tag_written(void **state)
{
	static const uint8_t junk[5] = { 0x21, 0x01, 0x02, 0x03, 0x04 };
	struct tmp_state *s = *state;
	struct hw_writer *w = hw_new();
	struct ut_warns warns;
	struct hw_jdk jdk;
	uint64_t str;
	hl_heap *h;
	hl_info info;

	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_record_raw(w, 0x42, junk, sizeof junk);
	hw_jdk_define(w, &jdk);
	hw_class_dump_all(w);
	root_jdk(w, &jdk);
	hw_heap_end(w);
	hw_record_raw(w, 0x99, junk, sizeof junk);
	str = hw_string(w, &jdk, 0, 0, "kept");
	hw_root_jni_global(w, str, 1);
	hw_heap_dump_end(w);
	hw_save(w, s->path);
	hw_free(w);

	h = ut_open_dump(s->path, 0, &warns);
	hl_get_info(h, &info);
	assert_true(warns.count >= 1);
	assert_int_equal(info.record_count[0x42], 1);
	assert_int_equal(info.record_count[0x99], 1);
	assert_int_equal(info.class_objects, 14);
	assert_int_equal(ut_count_objects_of(h, "java.lang.String", HL_INSTANCE), 1);
	assert_true(hl_object_reachable(h, ut_find(h, str)));
	hl_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crafted_fixtures),
		cmocka_unit_test(test_two_dumps_choice),
		cmocka_unit_test(test_idsize4_fixture),
		cmocka_unit_test(test_v101_single_fixture),
		cmocka_unit_test(test_unknown_tag_fixture),
		cmocka_unit_test(test_android_fixture),
		cmocka_unit_test(test_corrupt_files),
		cmocka_unit_test(test_corrupt_truncated_strict),
		cmocka_unit_test(test_strict_bad_instance_size),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup_teardown(test_sizes_id8, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_sizes_id4_v101, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_sizes_compressed_refs, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_sparse_and_dense_ids, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_wide_ids, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_big_arrays, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_many_classes, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_shuffled_ids, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_region_order, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_alignment_16, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_object_set, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_tag_written, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
