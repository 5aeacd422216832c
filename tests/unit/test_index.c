/*
 * test_index.c: the persistent index.  A dump analysed once, its index
 * written, then opened again from the index gives the same answers (info,
 * histogram with retained sizes, dominators of every object); a dump that
 * changed, a damaged index and --strict all fall back to parsing, with a
 * note for the first two.  Reports kept beside the index (suspects,
 * duplicate strings) are read back for the same options, and refused when
 * damaged or naming objects the heap does not have.
 *
 * Why: the index is a second way to the same numbers; it must never give
 * different ones, and never be trusted when it may be wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/time.h>
#include <unistd.h>

#include <zlib.h>

#include "unit_util.h"
#include "lib/heap.h"

struct notes { unsigned count; char last[512]; };

static void on_note(void *ctx, const char *msg)
{
	struct notes *n = ctx;

	n->count++;
	snprintf(n->last, sizeof n->last, "%s", msg);
}

static hl_heap *open_idx(const char *dump, const char *dir, int strict,
			 struct notes *n)
{
	hl_open_options opt;
	hl_heap *h = NULL;

	memset(&opt, 0, sizeof opt);
	opt.use_index = 1;
	opt.index_dir = dir;
	opt.strict = strict;
	opt.note = on_note;
	opt.ctx = n;
	assert_int_equal(hl_open(dump, &opt, &h), HL_OK);
	return h;
}

static void copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = ut_read_file(from, &len);
	FILE *f = fopen(to, "wb");

	assert_non_null(data);
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	free(data);
}

/* The dump "changes": its modification time moves 10 s ahead. */
static void touch_later(const char *path)
{
	struct timeval tv[2];

	gettimeofday(&tv[0], NULL);
	tv[1] = tv[0];
	tv[1].tv_sec += 10;
	assert_int_equal(utimes(path, tv), 0);
}

static void same_answers(hl_heap *a, hl_heap *b)
{
	hl_histogram ha, hb;
	hl_info ia, ib;
	size_t i;
	hl_obj o;

	hl_get_info(a, &ia);
	hl_get_info(b, &ib);
	assert_int_equal(ia.objects, ib.objects);
	assert_int_equal(ia.reachable_bytes, ib.reachable_bytes);
	assert_int_equal(ia.warnings, ib.warnings);
	assert_int_equal(hl_compute_dominators(a), HL_OK);
	assert_int_equal(hl_compute_dominators(b), HL_OK);
	for (o = 0; o < hl_object_count(a); o++) {
		assert_int_equal(hl_idom(a, o), hl_idom(b, o));
		assert_int_equal(hl_retained(a, o), hl_retained(b, o));
	}
	assert_int_equal(hl_histogram_build(a, HL_BY_CLASS, 0, &ha), HL_OK);
	assert_int_equal(hl_histogram_build(b, HL_BY_CLASS, 0, &hb), HL_OK);
	assert_int_equal(ha.count, hb.count);
	for (i = 0; i < ha.count; i++) {
		assert_string_equal(ha.rows[i].name, hb.rows[i].name);
		assert_int_equal(ha.rows[i].retained, hb.rows[i].retained);
	}
	hl_histogram_free(&ha);
	hl_histogram_free(&hb);
}

/* With every array spilled (HEAPLENS_SPILL=all, as ctest's
 * test_index_spilled runs this program) into a directory on disk, the
 * spill file became the index: the spilled arrays are in it, not written
 * again.  Otherwise the index was written whole.  Either way its mode is
 * a new file's. */
static void spilled_in_place(hl_heap *h, const char *dir)
{
	const char *mode = getenv("HEAPLENS_SPILL");
	uint64_t in_place, bytes = hl_index_written(h, &in_place);
	struct statfs fs;
	struct stat sb;
	mode_t um = umask(0);

	umask(um);
	assert_int_equal(stat(hl_index_path(h), &sb), 0);
	assert_int_equal(bytes, (uint64_t)sb.st_size);
	/* readable as any new file is, whichever way it was made */
	assert_int_equal(sb.st_mode & 0777, 0644 & ~um);
	assert_true(in_place < bytes);
	if (!mode || strcmp(mode, "all")) {
		assert_int_equal(in_place, 0); /* small arrays: none spilled */
		return;
	}
	assert_int_equal(statfs(dir, &fs), 0);
	if (fs.f_type == 0x01021994 || fs.f_type == 0x858458f6)
		return; /* tmpfs, ramfs: no spilling there */
	assert_true(in_place > 0);
}

static void test_index_lifecycle(void **state)
{
	char tmp[UT_PATH_MAX], dump[UT_PATH_MAX], src[UT_PATH_MAX], err[600];
	char stamp[UT_PATH_MAX + 8];
	struct notes n = { 0, "" };
	hl_heap *first, *second, *parsed;
	FILE *f;

	(void)state;
	ut_tmpdir_make(tmp, sizeof tmp);
	ut_join(dump, sizeof dump, tmp, "general.hprof.gz");
	copy_file(ut_join(src, sizeof src, ut_env_dir("HL_FIXTURES"), "general.hprof.gz"), dump);

	first = open_idx(dump, tmp, 0, &n);
	assert_false(hl_index_loaded(first));
	assert_int_equal(hl_index_save(first, err, sizeof err), HL_OK);
	assert_true(ut_file_exists(hl_index_path(first)));
	spilled_in_place(first, tmp);

	second = open_idx(dump, tmp, 0, &n);
	assert_true(hl_index_loaded(second));
	assert_int_equal(n.count, 0);
	same_answers(first, second);
	hl_close(second);
	/* verified in full, but just written: not stamped yet (its times
	 * could still move within the clock tick) */
	snprintf(stamp, sizeof stamp, "%s.ok", hl_index_path(first));
	assert_false(ut_file_exists(stamp));
	sleep(2);
	second = open_idx(dump, tmp, 0, &n);
	assert_true(hl_index_loaded(second));
	hl_close(second);
	/* now stamped, and opened again on the stamp */
	assert_true(ut_file_exists(stamp));
	second = open_idx(dump, tmp, 0, &n);
	assert_true(hl_index_loaded(second));
	same_answers(first, second);
	hl_close(second);

	/* --strict parses */
	second = open_idx(dump, tmp, 1, &n);
	assert_false(hl_index_loaded(second));
	hl_close(second);

	/* a damaged index is refused, with a note, although it was stamped:
	 * writing to it moved its times (the byte is in the middle, in one of
	 * the big sections the stamp spares from verifying) */
	f = fopen(hl_index_path(first), "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	fseek(f, ftell(f) / 2, SEEK_SET);
	fputc(0x5a ^ fgetc(f), f);
	fclose(f);
	second = open_idx(dump, tmp, 0, &n);
	assert_false(hl_index_loaded(second));
	assert_int_equal(n.count, 1);
	assert_non_null(strstr(n.last, "damaged"));
	assert_int_equal(hl_index_save(second, err, sizeof err), HL_OK);
	hl_close(second);

	/* a dump that changed makes it stale: another identity, another file
	 * name under --index-dir; the old one is simply not found */
	touch_later(dump);
	parsed = open_idx(dump, tmp, 0, &n);
	assert_false(hl_index_loaded(parsed));
	same_answers(first, parsed);
	hl_close(parsed);
	hl_close(first);
	ut_tmpdir_remove(tmp);
}

/* Next to the dump (no --index-dir) the name does not change with the
 * identity: a changed dump finds a stale index and says so. */
static void test_stale_next_to_dump(void **state)
{
	char tmp[UT_PATH_MAX], dump[UT_PATH_MAX], src[UT_PATH_MAX], err[600];
	struct notes n = { 0, "" };
	hl_heap *h;
	hl_info before, after;

	(void)state;
	ut_tmpdir_make(tmp, sizeof tmp);
	ut_join(dump, sizeof dump, tmp, "idsize4.hprof");
	copy_file(ut_join(src, sizeof src, ut_env_dir("HL_FIXTURES"), "crafted/idsize4.hprof"), dump);
	h = open_idx(dump, NULL, 0, &n);
	assert_int_equal(hl_index_save(h, err, sizeof err), HL_OK);
	hl_get_info(h, &before);
	hl_close(h);
	touch_later(dump);
	h = open_idx(dump, NULL, 0, &n);
	assert_false(hl_index_loaded(h));
	assert_int_equal(n.count, 1);
	assert_non_null(strstr(n.last, "stale"));
	/* the reported fingerprint is the content's: the mtime is not in it */
	hl_get_info(h, &after);
	assert_true(before.fingerprint != 0);
	assert_int_equal(before.fingerprint, after.fingerprint);
	hl_close(h);
	ut_tmpdir_remove(tmp);
}

static void same_suspects(const hl_suspect *a, size_t na, const hl_suspect *b,
			  size_t nb)
{
	size_t i;

	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		assert_int_equal(a[i].kind, b[i].kind);
		assert_int_equal(a[i].obj, b[i].obj);
		assert_int_equal(a[i].retained, b[i].retained);
		assert_int_equal(a[i].accumulation, b[i].accumulation);
		assert_int_equal(a[i].path_len, b[i].path_len);
		assert_memory_equal(a[i].path, b[i].path, a[i].path_len * sizeof(hl_obj));
		assert_int_equal(a[i].distinct, b[i].distinct);
		assert_int_equal(a[i].ntop, b[i].ntop);
		assert_string_equal(a[i].why, b[i].why);
		assert_true((a[i].holder_kind == NULL) == (b[i].holder_kind == NULL));
		if (a[i].holder_kind)
			assert_string_equal(a[i].holder_kind, b[i].holder_kind);
	}
}

static void flip_byte(const char *path, long at)
{
	FILE *f = fopen(path, "r+b");
	int c;

	assert_non_null(f);
	assert_int_equal(fseek(f, at, SEEK_SET), 0);
	c = fgetc(f);
	assert_int_equal(fseek(f, at, SEEK_SET), 0);
	fputc(c ^ 0x5a, f);
	fclose(f);
}

/* Damaged payloads (bytes flipped, cut short) decode or are refused, never
 * read or write out of bounds (the suite runs under ASan in CI). */
static void mutated_payloads(const hl_heap *h, const uint8_t *enc, size_t len)
{
	uint8_t *buf = malloc(len);
	uint64_t r = 0x9e3779b97f4a7c15ull;
	hl_suspect *s;
	size_t n, cut;
	int i, k;

	assert_non_null(buf);
	for (i = 0; i < 3000; i++) {
		memcpy(buf, enc, len);
		for (k = 0; k < 1 + i % 4; k++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			buf[(r >> 17) % len] ^= (uint8_t)(1u << ((r >> 11) & 7));
		}
		cut = i % 5 ? len : (size_t)((r >> 23) % len);
		if (!hl_suspects_decode(h, buf, cut, &s, &n))
			hl_suspects_free(s, n);
	}
	free(buf);
}

/* Suspects and duplicate strings are computed once, kept beside the index
 * and read back; a damaged or lying report is refused and recomputed. */
static void test_kept_reports(void **state)
{
	char tmp[UT_PATH_MAX], dump[UT_PATH_MAX], rep[UT_PATH_MAX + 16], err[600];
	struct notes n = { 0, "" };
	hl_suspect *s1, *s2, *fake;
	size_t n1, n2, nf, len, glen;
	hl_string_dups d1, d2;
	hl_heap *h;
	void *enc, *got;

	(void)state;
	ut_tmpdir_make(tmp, sizeof tmp);
	ut_join(dump, sizeof dump, ut_env_dir("HL_FIXTURES"), "caches.hprof.gz");
	/* no index, no reports kept */
	h = open_idx(dump, tmp, 0, &n);
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_find_suspects(h, NULL, &s1, &n1), HL_OK);
	hl_suspects_free(s1, n1);
	snprintf(rep, sizeof rep, "%s.reports", hl_index_path(h));
	assert_false(ut_file_exists(rep));
	/* with its index, they are */
	assert_int_equal(hl_index_save(h, err, sizeof err), HL_OK);
	assert_int_equal(hl_find_suspects(h, NULL, &s1, &n1), HL_OK);
	assert_true(n1 > 0);
	assert_int_equal(hl_string_dups_build(h, 2, 5, &d1), HL_OK);
	assert_true(d1.count > 0);
	assert_true(ut_file_exists(rep));
	hl_close(h);

	/* read back: the same reports */
	h = open_idx(dump, tmp, 0, &n);
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_find_suspects(h, NULL, &s2, &n2), HL_OK);
	same_suspects(s1, n1, s2, n2);
	hl_suspects_free(s2, n2);
	assert_int_equal(hl_string_dups_build(h, 2, 5, &d2), HL_OK);
	assert_int_equal(d1.count, d2.count);
	assert_int_equal(d1.wasted, d2.wasted);
	assert_memory_equal(d1.groups, d2.groups, d1.count * sizeof(*d1.groups));
	hl_string_dups_free(&d2);

	/* what is kept is what is read: a report put there is returned... */
	enc = hl_suspects_encode(s1, n1, &len);
	assert_non_null(enc);
	((hl_suspect *)((char *)enc + sizeof(uint64_t)))->retained = 12345;
	hl_report_put(h, HL_REPORT_SUSPECTS, 0x1234, enc, len);
	got = hl_report_get(h, HL_REPORT_SUSPECTS, 0x1234, &glen);
	assert_non_null(got);
	assert_int_equal(glen, len);
	assert_memory_equal(got, enc, len);
	free(got);
	assert_int_equal(hl_suspects_decode(h, enc, len, &fake, &nf), 0);
	assert_int_equal(fake[0].retained, 12345);
	hl_suspects_free(fake, nf);
	/* ...but never one naming an object the heap does not have, nor a
	 * cut one */
	((hl_suspect *)((char *)enc + sizeof(uint64_t)))->obj = hl_object_count(h);
	assert_int_not_equal(hl_suspects_decode(h, enc, len, &fake, &nf), 0);
	((hl_suspect *)((char *)enc + sizeof(uint64_t)))->obj = s1[0].obj;
	assert_int_not_equal(hl_suspects_decode(h, enc, len - 1, &fake, &nf), 0);
	mutated_payloads(h, enc, len);
	free(enc);
	hl_close(h);

	/* a damaged file is refused: the reports are computed again */
	flip_byte(rep, 100);
	h = open_idx(dump, tmp, 0, &n);
	assert_int_equal(hl_compute_dominators(h), HL_OK);
	assert_int_equal(hl_find_suspects(h, NULL, &s2, &n2), HL_OK);
	same_suspects(s1, n1, s2, n2);
	hl_suspects_free(s2, n2);
	hl_close(h);

	hl_suspects_free(s1, n1);
	hl_string_dups_free(&d1);
	ut_tmpdir_remove(tmp);
}

/* fixtures/NAME.hprof.gz inflated to DIR/NAME.hprof */
static void gunzip_fixture(const char *name, const char *dir, char *out,
			   size_t cap)
{
	char src[UT_PATH_MAX], file[UT_PATH_MAX], buf[65536];
	gzFile in;
	FILE *f;
	int n;

	snprintf(file, sizeof file, "%s.hprof.gz", name);
	in = gzopen(ut_join(src, sizeof src, ut_env_dir("HL_FIXTURES"), file), "rb");
	snprintf(file, sizeof file, "%s.hprof", name);
	ut_join(out, cap, dir, file);
	f = fopen(out, "wb");
	assert_non_null(in);
	assert_non_null(f);
	while ((n = gzread(in, buf, sizeof buf)) > 0)
		assert_int_equal(fwrite(buf, 1, (size_t)n, f), (size_t)n);
	assert_int_equal(n, 0);
	gzclose(in);
	fclose(f);
}

/* A plain dump is mapped and its pages are dropped from the process behind
 * every pass (and during suspects' census walks); a small gzip'd one is
 * inflated into memory, where nothing is dropped.  Same answers. */
static void test_released_pages(void **state)
{
	char tmp[UT_PATH_MAX], plain[UT_PATH_MAX], gz[UT_PATH_MAX];
	struct notes n = { 0, "" };
	hl_suspect *s1, *s2;
	size_t n1, n2;
	hl_heap *a, *b;

	(void)state;
	ut_tmpdir_make(tmp, sizeof tmp);
	gunzip_fixture("caches", tmp, plain, sizeof plain);
	ut_join(gz, sizeof gz, ut_env_dir("HL_FIXTURES"), "caches.hprof.gz");
	a = open_idx(plain, NULL, 0, &n); /* no index written: no reports */
	b = open_idx(gz, tmp, 0, &n);
	assert_true(a->src.map != NULL && a->g.mapped);
	assert_false(b->g.mapped);
	same_answers(a, b);
	assert_int_equal(hl_find_suspects(a, NULL, &s1, &n1), HL_OK);
	assert_int_equal(hl_find_suspects(b, NULL, &s2, &n2), HL_OK);
	same_suspects(s1, n1, s2, n2);
	hl_suspects_free(s1, n1);
	hl_suspects_free(s2, n2);
	hl_close(a);
	hl_close(b);
	ut_tmpdir_remove(tmp);
}

/* Written on a second thread while queries run (and suspects keeps its
 * report, which waits for the index): the same index as written on one
 * thread; closing the heap waits for a writer nobody waited for. */
static void test_written_meanwhile(void **state)
{
	char tmp[UT_PATH_MAX], one[UT_PATH_MAX], src[UT_PATH_MAX], err[600];
	struct notes n = { 0, "" };
	hl_open_options opt;
	hl_suspect *sus;
	hl_histogram hg;
	hl_heap *h, *back;
	size_t count;
	unsigned threads;

	(void)state;
	ut_join(src, sizeof src, ut_env_dir("HL_FIXTURES"), "general.hprof.gz");
	for (threads = 1; threads <= 2; threads++) {
		ut_tmpdir_make(tmp, sizeof tmp);
		memset(&opt, 0, sizeof opt);
		opt.use_index = 1;
		opt.index_dir = tmp;
		opt.threads = threads;
		assert_int_equal(hl_open(src, &opt, &h), HL_OK);
		assert_int_equal(hl_index_save_start(h, err, sizeof err), HL_OK);
		/* one thread: written at once; two: maybe still being written */
		if (threads == 1)
			assert_true(ut_file_exists(hl_index_path(h)));
		assert_int_equal(hl_histogram_build(h, HL_BY_PACKAGE, 0, &hg), HL_OK);
		hl_histogram_free(&hg);
		assert_int_equal(hl_find_suspects(h, NULL, &sus, &count), HL_OK);
		hl_suspects_free(sus, count);
		/* the report was kept: the index was complete by then */
		snprintf(one, sizeof one, "%s.reports", hl_index_path(h));
		assert_true(ut_file_exists(one));
		assert_int_equal(hl_index_save_wait(h, err, sizeof err), HL_OK);
		assert_int_equal(hl_index_save_wait(h, err, sizeof err), HL_OK);
		back = open_idx(src, tmp, 0, &n);
		assert_true(hl_index_loaded(back));
		same_answers(h, back);
		hl_close(back);
		hl_close(h);

		/* started, never waited for: hl_close waits, the index is whole */
		ut_tmpdir_remove(tmp);
		ut_tmpdir_make(tmp, sizeof tmp);
		assert_int_equal(hl_open(src, &opt, &h), HL_OK);
		assert_int_equal(hl_index_save_start(h, err, sizeof err), HL_OK);
		snprintf(one, sizeof one, "%s", hl_index_path(h));
		hl_close(h);
		assert_true(ut_file_exists(one));
		back = open_idx(src, tmp, 0, &n);
		assert_true(hl_index_loaded(back));
		hl_close(back);
		ut_tmpdir_remove(tmp);
	}
	assert_int_equal(n.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_lifecycle),
		cmocka_unit_test(test_stale_next_to_dump),
		cmocka_unit_test(test_kept_reports),
		cmocka_unit_test(test_released_pages),
		cmocka_unit_test(test_written_meanwhile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
