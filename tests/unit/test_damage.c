/*
 * test_damage.c: damaged dumps give partial results, name the place of the
 * damage, and never cost memory out of proportion to their size.
 *
 * - fixtures/corrupt/ with MANIFEST.tsv: the first thing heaplens says
 *   about each file (its error, or its first warning when it opens) names
 *   the place the manifest gives ("offset N", or a place the damage text
 *   names with "at N"); a byte count lost to truncation comes with a share
 *   of at most 100%, a sub-record that "needs N bytes" needs more than is
 *   left; with strict, every file the manifest does not call acceptable
 *   fails, naming the place too.
 * - partial results: every truncated file that opens says how many bytes
 *   were lost, and references into the lost part are dangling
 *   (trunc-refs-past-cut: the 6 elements of an Object[] written before the
 *   cut; trunc-threads: the second thread is lost, the first keeps its
 *   frames and its local).
 * - every command's library calls (info, histogram, dominators, suspects,
 *   path, show, threads, strings) succeed on every damaged or crafted file
 *   that opens.
 * - bounded memory: small hostile inputs written here (a NODATA char[] of
 *   2^32-1 elements as a String's value, counts far beyond their records,
 *   a chain of 1500 classes, one stack trace shared by 100 threads) open
 *   and are analysed in a child whose address space is capped at what it
 *   uses already plus 8 MiB (not under AddressSanitizer).
 *
 * Why: a truncated multi-gigabyte dump is the usual state of a dump taken
 * while a JVM dies; it must still be read, and a hostile one must not take
 * the machine down.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "hprof_builder.h"
#include "unit_util.h"

#if defined(__SANITIZE_ADDRESS__)
#define TD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TD_ASAN 1
#endif
#endif
#ifndef TD_ASAN
#define TD_ASAN 0
#endif

/*
 * Known faults, reported and not yet fixed in the library; each entry
 * names the file and the check it fails.  Remove an entry when its fault
 * is fixed (the test then checks it like any other file).
 */
static const struct {
	const char *file, *check, *why;
} known[] = {
	{ "subrecord-past-segment.hprof", "strict place",
	  "with --strict, pass 0 fails first on the bytes after the short "
	  "segment (offset 2480, an \"unknown record\") instead of the "
	  "INSTANCE_DUMP at 2470 that runs past its segment" },
};

static int is_known(const char *file, const char *check)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].file, file) && !strcmp(known[i].check, check)) {
			print_message("  known fault, %s: %s: %s\n", file, check, known[i].why);
			return 1;
		}
	return 0;
}

/* ---- the manifest ---- */

struct row {
	const char *file, *damage, *offset;
};

static size_t load_manifest(struct ut_lines *m, struct row *rows, size_t max)
{
	char path[UT_PATH_MAX], dir[UT_PATH_MAX];
	size_t i, n = 0;

	ut_join(dir, sizeof dir, ut_env_dir("HL_FIXTURES"), "corrupt");
	assert_int_equal(ut_lines_load(ut_join(path, sizeof path, dir, "MANIFEST.tsv"), m), 0);
	for (i = 1; i < m->n && n < max; i++) { /* line 0 is the header */
		if (m->line[i].nf < 3)
			continue;
		rows[n].file = m->line[i].f[0];
		rows[n].damage = m->line[i].f[1];
		rows[n].offset = m->line[i].f[2];
		n++;
	}
	return n;
}

static char *corrupt_path(char *out, size_t cap, const char *file)
{
	char dir[UT_PATH_MAX];

	ut_join(dir, sizeof dir, ut_env_dir("HL_FIXTURES"), "corrupt");
	return ut_join(out, cap, dir, file);
}

static int accepted(const struct row *r)
{
	return strstr(r->damage, "accept") != NULL;
}

static int truncation(const struct row *r)
{
	return strstr(r->damage, "file ends") || strstr(r->damage, "cut") ||
	       strstr(r->damage, "more than the file holds");
}

/* Does msg say "offset N" for the manifest's offset or a place the damage
 * text names ("... at N")? */
static int names_place(const char *msg, const struct row *r)
{
	char want[64];
	const char *p;

	if (!isdigit((unsigned char)r->offset[0]))
		return 1;
	snprintf(want, sizeof want, "offset %s:", r->offset);
	if (strstr(msg, want))
		return 1;
	for (p = r->damage; (p = strstr(p, " at ")) != NULL; p += 4) {
		size_t k = 0;

		while (isdigit((unsigned char)p[4 + k]))
			k++;
		if (!k)
			continue;
		snprintf(want, sizeof want, "offset %.*s:", (int)k, p + 4);
		if (strstr(msg, want))
			return 1;
	}
	return 0;
}

/* "N bytes (P%)": P must be a share, at most 100. */
static int share_ok(const char *msg)
{
	const char *p = strstr(msg, " bytes (");
	double pct;

	if (!p)
		return 1;
	pct = strtod(p + 8, NULL);
	return pct >= 0 && pct <= 100.0;
}

/* "needs N bytes but ... has M left": N must be more than M. */
static int needs_ok(const char *msg)
{
	const char *p = strstr(msg, " needs "), *q = strstr(msg, " has ");

	if (!p || !q || !strstr(msg, " bytes but "))
		return 1;
	return strtoull(p + 7, NULL, 10) > strtoull(q + 5, NULL, 10);
}

/* Every warning of one open, in order. */
struct warns {
	unsigned n;
	char msg[8][512];
};

static void collect(void *ctx, const char *msg)
{
	struct warns *w = ctx;

	if (w->n < 8)
		snprintf(w->msg[w->n], sizeof w->msg[0], "%s", msg);
	w->n++;
}

static hl_status open_with(const char *path, int strict, struct warns *w, hl_heap **h)
{
	hl_open_options o;

	memset(&o, 0, sizeof o);
	memset(w, 0, sizeof *w);
	o.strict = strict;
	o.warn = collect;
	o.ctx = w;
	o.threads = 1;
	return hl_open(path, &o, h);
}

/* The statuses that make the command-line tool exit with 3. */
static int unreadable(hl_status st)
{
	return st == HL_E_FORMAT || st == HL_E_TRUNCATED || st == HL_E_GZIP ||
	       st == HL_E_UNSUPPORTED || st == HL_E_IO;
}

static int check_row(const struct row *r)
{
	char path[UT_PATH_MAX];
	struct warns w;
	hl_heap *h = NULL;
	hl_status st;
	const char *first;
	int ok = 1;

	corrupt_path(path, sizeof path, r->file);
	st = open_with(path, 0, &w, &h);
	first = st != HL_OK ? hl_errmsg(h) : w.n ? w.msg[0] : "";
	if (st != HL_OK && !unreadable(st)) {
		print_message("  %s: status %d (%s)\n", r->file, st, first);
		ok = 0;
	}
	if (!*first && !accepted(r)) {
		print_message("  %s: opened without a word\n", r->file);
		ok = 0;
	}
	if (*first && !names_place(first, r)) {
		print_message("  %s: \"%s\" does not name offset %s\n", r->file, first, r->offset);
		ok = 0;
	}
	if (!needs_ok(first) && !is_known(r->file, "needs")) {
		print_message("  %s: \"%s\": needs less than is left\n", r->file, first);
		ok = 0;
	}
	if (!share_ok(first) && !is_known(r->file, "share")) {
		print_message("  %s: \"%s\": a share above 100%%\n", r->file, first);
		ok = 0;
	}
	hl_close(h);
	h = NULL;
	st = open_with(path, 1, &w, &h);
	if (!accepted(r) && !unreadable(st)) {
		print_message("  %s: strict open gave status %d\n", r->file, st);
		ok = 0;
	}
	if (st != HL_OK && !names_place(hl_errmsg(h), r) && !is_known(r->file, "strict place")) {
		print_message("  %s: strict: \"%s\" does not name offset %s\n", r->file,
			      hl_errmsg(h), r->offset);
		ok = 0;
	}
	hl_close(h);
	return ok;
}

static void test_manifest_places(void **state)
{
	struct ut_lines m;
	struct row rows[128];
	size_t n, i;
	unsigned bad = 0;

	(void)state;
	n = load_manifest(&m, rows, 128);
	assert_true(n >= 35);
	for (i = 0; i < n; i++)
		bad += !check_row(&rows[i]);
	ut_lines_free(&m);
	assert_int_equal(bad, 0);
}

/* ---- partial results ---- */

static void test_truncated_partial(void **state)
{
	char path[UT_PATH_MAX];
	struct ut_lines m;
	struct row rows[128];
	size_t n, i;
	unsigned bad = 0, checked = 0;

	(void)state;
	n = load_manifest(&m, rows, 128);
	for (i = 0; i < n; i++) {
		struct warns w;
		hl_heap *h = NULL;
		hl_info info;

		if (!truncation(&rows[i]) || ut_ends_with(rows[i].file, ".gz"))
			continue;
		if (open_with(corrupt_path(path, sizeof path, rows[i].file), 0, &w, &h) != HL_OK) {
			hl_close(h);
			continue;
		}
		checked++;
		hl_get_info(h, &info);
		if (!info.truncated_at && !info.truncated_bytes) {
			print_message("  %s: opened, info says it is not truncated\n", rows[i].file);
			bad++;
		}
		/* how much is lost, or (a cut CLASS_DUMP of a 1.0.1 dump, whose
		 * length is not known) that it is unknown */
		if (w.n == 0 || !strstr(w.msg[0], "dump cut short") ||
		    (!strstr(w.msg[0], "%)") && !strstr(w.msg[0], "unknown"))) {
			print_message("  %s: first warning \"%s\" does not say what was lost\n",
				      rows[i].file, w.n ? w.msg[0] : "");
			bad++;
		}
		hl_close(h);
	}
	ut_lines_free(&m);
	print_message("  %u truncated files opened\n", checked);
	assert_true(checked >= 8);
	assert_int_equal(bad, 0);
}

/* The Object[] written before the cut refers to 6 objects after it. */
static void test_refs_past_cut_dangle(void **state)
{
	char path[UT_PATH_MAX];
	struct warns w;
	hl_heap *h = NULL;
	hl_info info;
	hl_obj arr, x;
	uint64_t elems[8];
	int type;
	size_t n, i;

	(void)state;
	assert_int_equal(open_with(corrupt_path(path, sizeof path, "trunc-refs-past-cut.hprof"),
				   0, &w, &h), HL_OK);
	hl_get_info(h, &info);
	assert_int_equal(info.dangling_refs, 6);
	assert_int_equal(info.truncated_bytes, 241);
	assert_true(info.objects > 20);
	assert_non_null(strstr(w.msg[0], "offset 2706: dump cut short in the INSTANCE_DUMP "
					  "sub-record there: 241 bytes (8.2%) missing"));
	assert_int_equal(hl_find_object(h, 0x100007a8, &arr), HL_OK);
	assert_int_equal(hl_object_kind(h, arr), HL_OBJ_ARRAY);
	n = hl_array_values(h, arr, 0, elems, 8, &type);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++)
		assert_int_equal(hl_find_object(h, elems[i], &x), HL_E_NOOBJECT);
	assert_int_equal(hl_outbound(h, arr, NULL, 0), 1); /* only <class> */
	hl_close(h);

	/* the same file with --strict: an error naming the cut sub-record */
	assert_int_equal(open_with(path, 1, &w, &h), HL_E_TRUNCATED);
	assert_string_equal(hl_errmsg(h), "offset 2706: dump cut short in the INSTANCE_DUMP "
					  "sub-record there: 241 bytes missing");
	hl_close(h);
}

/* The second thread is lost; the first keeps its frames and its local. */
static void test_trunc_threads(void **state)
{
	char path[UT_PATH_MAX];
	struct warns w;
	hl_heap *h = NULL;
	hl_thread_list t;
	hl_info info;

	(void)state;
	assert_int_equal(open_with(corrupt_path(path, sizeof path, "trunc-threads.hprof"),
				   0, &w, &h), HL_OK);
	hl_get_info(h, &info);
	assert_true(info.dangling_refs >= 3); /* two roots, one field */
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_thread_list_build(h, &t), HL_OK);
	assert_int_equal(t.count, 1);
	assert_string_equal(t.threads[0].name, "main");
	assert_int_equal(t.threads[0].nframes, 2);
	assert_string_equal(t.threads[0].frames[0].method, "run");
	assert_int_equal(t.threads[0].frames[1].nlocals, 1);
	hl_thread_list_free(&t);
	hl_close(h);
}

/* ---- every command on every damaged file ---- */

/* What each command asks of the library; fails the test on a bad status. */
static void every_command(hl_heap *h, const char *file)
{
	hl_histogram t;
	hl_suspect *s = NULL;
	hl_thread_list th;
	hl_string_dups dups;
	hl_obj *match = NULL;
	const hl_obj *kids;
	hl_info info;
	size_t n, i, k;
	int by;

	hl_get_info(h, &info);
	for (by = HL_BY_CLASS; by <= HL_BY_LOADER; by++) {
		if (hl_histogram_build(h, by, by == HL_BY_LOADER, &t) != HL_OK)
			fail_msg("%s: histogram: %s", file, hl_errmsg(h));
		hl_histogram_free(&t);
	}
	if (hl_compute_dominators(h) != HL_OK)
		fail_msg("%s: dominators: %s", file, hl_errmsg(h));
	if (hl_histogram_build(h, HL_BY_CLASS, 0, &t) != HL_OK)
		fail_msg("%s: histogram with retained sizes: %s", file, hl_errmsg(h));
	hl_histogram_free(&t);
	n = hl_dominated(h, HL_ROOT, &kids);
	if (hl_find_suspects(h, &(hl_suspect_options){ 1, 2, 100 }, &s, &k) != HL_OK)
		fail_msg("%s: suspects: %s", file, hl_errmsg(h));
	hl_suspects_free(s, k);
	for (i = 0; i < n && i < 16; i++) {
		hl_path *p;
		hl_ref out[8];
		hl_field_value f[8];
		const hl_obj *in;
		char buf[256];

		if (hl_paths_from_roots(h, kids[i], 3, 0, &p, &k) != HL_OK)
			fail_msg("%s: path: %s", file, hl_errmsg(h));
		hl_paths_free(p, k);
		hl_outbound(h, kids[i], out, 8);
		hl_inbound(h, kids[i], &in);
		hl_object_fields(h, kids[i], f, 8);
		hl_object_preview(h, kids[i], 60, buf, sizeof buf);
	}
	if (hl_thread_list_build(h, &th) != HL_OK)
		fail_msg("%s: threads: %s", file, hl_errmsg(h));
	hl_thread_list_free(&th);
	if (hl_string_dups_build(h, 1, 0, &dups) != HL_OK)
		fail_msg("%s: strings: %s", file, hl_errmsg(h));
	hl_string_dups_free(&dups);
	if (hl_string_match(h, "node", 0, &match, &k) != HL_OK)
		fail_msg("%s: strings --match: %s", file, hl_errmsg(h));
	hl_string_match_free(match);
}

static unsigned every_file_in(const char *sub)
{
	char dir[UT_PATH_MAX], path[UT_PATH_MAX];
	struct dirent *e;
	unsigned opened = 0;
	DIR *d;

	ut_join(dir, sizeof dir, ut_env_dir("HL_FIXTURES"), sub);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		struct warns w;
		hl_heap *h = NULL;
		int dump;

		if (e->d_name[0] == '.' || ut_ends_with(e->d_name, ".tsv") ||
		    ut_ends_with(e->d_name, ".expect") || strstr(e->d_name, ".hlidx"))
			continue; /* not dumps (.hlidx: an index heaplens wrote) */
		ut_join(path, sizeof path, dir, e->d_name);
		for (dump = 0; dump <= 2; dump++) {
			hl_open_options o;
			hl_status st;

			memset(&o, 0, sizeof o);
			memset(&w, 0, sizeof w);
			o.dump_index = dump;
			o.warn = collect;
			o.ctx = &w;
			st = hl_open(path, &o, &h);
			if (st == HL_OK) {
				every_command(h, e->d_name);
				opened++;
			} else if (dump == 0 && st != HL_E_MULTIDUMP &&
				   strncmp(hl_errmsg(h), "offset ", 7) != 0) {
				fail_msg("%s: error without an offset: %s", e->d_name, hl_errmsg(h));
			}
			hl_close(h);
			h = NULL;
			if (dump == 0 && st != HL_E_MULTIDUMP)
				break;
		}
	}
	closedir(d);
	return opened;
}

static void test_every_command(void **state)
{
	unsigned corrupt, crafted;

	(void)state;
	corrupt = every_file_in("corrupt");
	crafted = every_file_in("crafted");
	print_message("  %u damaged and %u crafted dumps analysed\n", corrupt, crafted);
	assert_true(corrupt >= 15);
	assert_true(crafted >= 5);
}

/* ---- bounded memory ---- */

/* A dump with a java.lang.String whose value is a NODATA char[] of
 * 2^32-1 elements, an OBJ_ARRAY_DUMP and a PRIM_ARRAY_DUMP of 2^32-1
 * elements in a record that holds 3, and a TRACE of 2^30 frames. */
static void write_huge_counts(const char *path)
{
	static const uint64_t frames[1] = { 0x900000 };
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	struct hw_values v;
	uint64_t s, a;
	size_t at;

	hw_header(w, "JAVA PROFILE 1.0.3", 4, 0);
	hw_jdk_define(w, &jdk);
	at = hw_trace(w, 1, 1, 1, frames);
	hw_patch_u4(w, at + 9 + 8, 0x40000000);
	hw_class_dump_all(w);
	a = hw_alloc(w, 16);
	s = hw_alloc(w, 24);
	hw_prim_array_nodata(w, a, 0, 0xffffffffu, HW_CHAR);
	hw_values_init(&v, 4);
	hw_values_obj(&v, a);
	hw_values_byte(&v, 0);
	hw_values_int(&v, 0);
	hw_instance(w, s, jdk.string, &v);
	hw_values_release(&v);
	hw_root_jni_global(w, s, 0);
	hw_root_thread_obj(w, s, 1, 1);
	hw_heap_dump_end(w);
	hw_save(w, path);
	hw_free(w);
}

static void write_lying_arrays(const char *path)
{
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;

	hw_header(w, "JAVA PROFILE 1.0.2", 8, 0);
	hw_jdk_define(w, &jdk);
	hw_class_dump_all(w);
	hw_obj_array_header(w, hw_alloc(w, 32), 0, 0xffffffffu, jdk.object_array);
	hw_id(w, jdk.object);
	hw_heap_dump_end(w);
	hw_save(w, path);
	hw_free(w);
}

/* n classes, each the super of the next, one reference field each. */
static void write_class_chain(const char *path, unsigned n)
{
	struct hw_writer *w = hw_new();
	struct hw_class_dump cd;
	struct hw_field f = { 0x400000, HW_OBJECT };
	unsigned i;

	hw_header(w, "JAVA PROFILE 1.0.2", 4, 0);
	hw_utf8(w, 0x400000, "f");
	for (i = 0; i < n; i++) {
		memset(&cd, 0, sizeof cd);
		cd.class_id = 0x1000 + 8 * (uint64_t)i;
		cd.super_id = i ? cd.class_id - 8 : 0;
		cd.n_fields = 1;
		cd.fields = &f;
		hw_class_dump(w, &cd);
	}
	hw_heap_dump_end(w);
	hw_save(w, path);
	hw_free(w);
}

/* m threads sharing one TRACE of n frames, all one FRAME whose method
 * name is len bytes long. */
static void write_shared_trace(const char *path, unsigned m, unsigned n, size_t len)
{
	struct hw_writer *w = hw_new();
	struct hw_jdk jdk;
	uint64_t *frames = calloc(n, sizeof *frames);
	char *name = malloc(len + 1);
	struct hw_values v;
	unsigned i;

	assert_non_null(frames);
	assert_non_null(name);
	memset(name, 'm', len);
	name[len] = '\0';
	for (i = 0; i < n; i++)
		frames[i] = 0x900000;
	hw_header(w, "JAVA PROFILE 1.0.2", 4, 0);
	hw_jdk_define(w, &jdk);
	hw_frame(w, 0x900000, hw_name(w, name), hw_name(w, "()V"), 0,
		 hw_class_serial(w, jdk.thread), 1);
	hw_trace(w, 1, 1, n, frames);
	hw_class_dump_all(w);
	hw_values_init(&v, 4);
	for (i = 0; i < m; i++) {
		uint64_t t = hw_alloc(w, 16);

		hw_root_thread_obj(w, t, i + 1, 1);
		hw_values_clear(&v);
		hw_values_obj(&v, 0);
		hw_instance(w, t, jdk.thread, &v);
	}
	hw_values_release(&v);
	hw_heap_dump_end(w);
	hw_save(w, path);
	hw_free(w);
	free(frames);
	free(name);
}

static uint64_t vm_size_bytes(void)
{
	char line[256];
	uint64_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmSize:", 7))
			kb = strtoull(line + 7, NULL, 10);
	fclose(f);
	return kb * 1024;
}

/* In a child capped at its current size + 8 MiB: open, analyse; exit 0,
 * or 2 when memory ran out (a result, not a refusal). */
static int analyse_capped(const char *path)
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		hl_open_options o;
		hl_heap *h = NULL;
		hl_status st;

		if (!TD_ASAN) {
			struct rlimit rl;
			uint64_t vm = vm_size_bytes();

			rl.rlim_cur = rl.rlim_max = (rlim_t)(vm + ((uint64_t)8 << 20));
			if (!vm || setrlimit(RLIMIT_AS, &rl) != 0)
				_exit(3);
		}
		memset(&o, 0, sizeof o);
		o.threads = 1;
		st = hl_open(path, &o, &h);
		if (st == HL_OK) {
			hl_thread_list t;
			hl_string_dups d;
			hl_suspect *s;
			size_t n;

			st = hl_compute_dominators(h);
			if (st == HL_OK && hl_thread_list_build(h, &t) == HL_OK)
				hl_thread_list_free(&t);
			if (st == HL_OK && hl_string_dups_build(h, 1, 0, &d) == HL_OK)
				hl_string_dups_free(&d);
			if (st == HL_OK && hl_find_suspects(h, &(hl_suspect_options){ 10, 2, 100 },
							    &s, &n) == HL_OK)
				hl_suspects_free(s, n);
		}
		st = hl_errmsg(h)[0] && strstr(hl_errmsg(h), "out of memory") ? HL_E_NOMEM : st;
		hl_close(h);
		exit(st == HL_E_NOMEM ? 2 : 0); /* LeakSanitizer checks at exit */
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void test_small_inputs_bounded(void **state)
{
	char dir[UT_PATH_MAX], path[UT_PATH_MAX];
	static const char *const names[] = { "huge-counts.hprof", "lying-arrays.hprof",
					     "class-chain.hprof", "shared-trace.hprof" };
	size_t i;

	(void)state;
	ut_tmpdir_make(dir, sizeof dir);
	write_huge_counts(ut_join(path, sizeof path, dir, names[0]));
	write_lying_arrays(ut_join(path, sizeof path, dir, names[1]));
	write_class_chain(ut_join(path, sizeof path, dir, names[2]), 1500);
	write_shared_trace(ut_join(path, sizeof path, dir, names[3]), 100, 1000, 200);
	if (TD_ASAN)
		print_message("  AddressSanitizer: no memory cap, the inputs only run\n");
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		int rc = analyse_capped(ut_join(path, sizeof path, dir, names[i]));

		if (rc != 0)
			fail_msg("%s: %s", names[i], rc == 2 ? "out of memory within 8 MiB" :
				 rc == 3 ? "cannot set the memory limit" : "crashed");
	}
	ut_tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_places),
		cmocka_unit_test(test_truncated_partial),
		cmocka_unit_test(test_refs_past_cut_dangle),
		cmocka_unit_test(test_trunc_threads),
		cmocka_unit_test(test_every_command),
		cmocka_unit_test(test_small_inputs_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
