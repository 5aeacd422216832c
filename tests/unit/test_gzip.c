/*
 * test_gzip.c: gzip'd dumps inflated on threads give what inflating in
 * order gives, byte for byte and warning for warning.
 *
 * hl_source_open is called directly on gzip files written here with zlib
 * (one member per block, window bits 15 + 16, as HotSpot writes them) from
 * deterministic pseudo-random data that compresses about 2:1, so that the
 * files are big enough (4 MiB compressed and more) for threads to be used:
 *
 * - HotSpot-like: blocks of sizes around 1 MiB, 10 MiB inflated (kept in
 *   memory) and 80 MiB (a temporary file, unlinked at creation: nothing is
 *   left in the directory given): the input again for 1, 2, 3, 8 and 64
 *   threads, the same member count, and threads really used.
 * - stored blocks (level 0) whose data holds many "1f 8b 08 00", and others
 *   holding whole copies of a real member (false member starts with the
 *   members' own header): the input again for every thread count.
 * - one ordinary gzip stream of several MiB: the input again.
 * - damage (a byte flipped inside a member), a file cut inside a member,
 *   cut between members, bytes after the last member: 1 and 4 threads give
 *   the same status, warnings (their texts), gzip_damage_at and bytes.
 *
 * Why: threads must never change what a dump reads as, only how fast.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <zlib.h>

#include "io/source.h"
#include "unit_util.h"

#define MIB ((size_t)1 << 20)

static const unsigned thread_counts[] = { 1, 2, 3, 8, 64 };

/* ---- data and gzip files ---- */

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* n bytes of 16 letters at random: about 2:1 for deflate. */
static uint8_t *make_data(size_t n, uint64_t seed)
{
	uint8_t *p = malloc(n ? n : 1);
	uint64_t s = seed | 1, r = 0;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			r = next_rand(&s);
		p[i] = (uint8_t)('a' + (r & 15));
		r >>= 4;
	}
	return p;
}

struct gz {
	uint8_t *data;
	size_t len, cap;
	size_t *member_at; /* where each member starts */
	size_t members;
};

static void gz_reserve(struct gz *g, size_t more)
{
	if (g->len + more <= g->cap)
		return;
	while (g->cap < g->len + more)
		g->cap = g->cap ? g->cap * 2 : MIB;
	g->data = realloc(g->data, g->cap);
	assert_non_null(g->data);
}

/* One gzip member holding p[0..n) at level, appended to g. */
static void gz_member(struct gz *g, const uint8_t *p, size_t n, int level)
{
	z_stream z;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	gz_reserve(g, deflateBound(&z, n) + 64);
	g->member_at = realloc(g->member_at, (g->members + 1) * sizeof(size_t));
	assert_non_null(g->member_at);
	g->member_at[g->members++] = g->len;
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	z.next_out = g->data + g->len;
	z.avail_out = (uInt)(g->cap - g->len);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	g->len += z.total_out;
	deflateEnd(&z);
}

/* Members of sizes around block (block - spread/2 .. block + spread/2)
 * over data[0..n); spread 0: all of block bytes, the last shorter. */
static struct gz gz_blocks(const uint8_t *data, size_t n, size_t block,
			   size_t spread, int level, uint64_t seed)
{
	struct gz g = { 0 };
	uint64_t s = seed | 1;
	size_t at = 0;

	while (at < n) {
		size_t b = block - spread / 2 +
			   (spread ? (size_t)(next_rand(&s) % spread) : 0);

		if (b > n - at)
			b = n - at;
		gz_member(&g, data + at, b, level);
		at += b;
	}
	return g;
}

static void gz_free(struct gz *g)
{
	free(g->data);
	free(g->member_at);
	memset(g, 0, sizeof *g);
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* ---- opening ---- */

struct opened {
	hl_source s;
	hl_diag d;
	hl_status st;
	uint64_t reports;
};

static void on_progress(void *ctx, const char *phase, uint64_t done,
			uint64_t total)
{
	struct opened *o = ctx;

	assert_string_equal(phase, "inflating");
	assert_true(done <= total);
	assert_int_equal(total, o->s.file_size);
	o->reports++;
}

static void open_gz(struct opened *o, const char *path, const char *tmpdir,
		    unsigned threads)
{
	memset(o, 0, sizeof *o);
	o->st = hl_source_open(&o->s, path, tmpdir, threads, &o->d,
			       on_progress, o);
}

static void close_gz(struct opened *o)
{
	hl_source_close(&o->s);
	free(o->d.log);
}

/* Only the gzip file itself is in dir: the inflated copy left no name. */
static void assert_dir_holds_only(const char *dir, const char *name)
{
	DIR *dd = opendir(dir);
	struct dirent *e;

	assert_non_null(dd);
	while ((e = readdir(dd)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			assert_string_equal(e->d_name, name);
	closedir(dd);
}

/*
 * The file at path (g) opened with every thread count gives data[0..n)
 * with g's member count and no warning; parallel 1: threads must have been
 * used when asked for, 0: they must not have been (inflated in order).
 */
static void check_all_threads(const char *dir, const struct gz *g,
			      const uint8_t *data, size_t n, int parallel)
{
	char path[UT_PATH_MAX];
	size_t i;

	ut_join(path, sizeof path, dir, "dump.hprof.gz");
	write_file(path, g->data, g->len);
	for (i = 0; i < sizeof thread_counts / sizeof thread_counts[0]; i++) {
		unsigned t = thread_counts[i];
		struct opened o;

		open_gz(&o, path, dir, t);
		assert_int_equal(o.st, HL_OK);
		assert_int_equal(o.d.warnings, 0);
		assert_int_equal(o.s.gzip, 1);
		assert_int_equal(o.s.gzip_damage_at, 0);
		assert_int_equal(o.s.gzip_members, g->members);
		assert_int_equal(o.s.size, n);
		assert_memory_equal(o.s.data, data, n);
		assert_true(o.reports > 0);
		if (t == 1 || parallel == 0)
			assert_int_equal(o.s.gzip_threads, 1);
		else if (parallel > 0)
			assert_true(o.s.gzip_threads > 1 &&
				    o.s.gzip_threads <= t);
		assert_dir_holds_only(dir, "dump.hprof.gz");
		close_gz(&o);
	}
}

/* ---- HotSpot-like files ---- */

static void hotspot_like(size_t n, uint64_t seed)
{
	char dir[UT_PATH_MAX];
	uint8_t *data = make_data(n, seed);
	struct gz g = gz_blocks(data, n, MIB, 4096, 1, seed);

	assert_true(g.len >= 4 * MIB); /* big enough for threads */
	ut_tmpdir_make(dir, sizeof dir);
	check_all_threads(dir, &g, data, n, 1);
	ut_tmpdir_remove(dir);
	gz_free(&g);
	free(data);
}

static void test_hotspot_in_memory(void **state)
{
	(void)state;
	hotspot_like(10 * MIB, 11);
}

static void test_hotspot_temp_file(void **state)
{
	(void)state;
	hotspot_like(80 * MIB, 12);
}

/* ---- false member starts ---- */

/* Copies of pat every stride bytes or so over data[0..n). */
static void sprinkle(uint8_t *data, size_t n, const uint8_t *pat, size_t len,
		     size_t stride, uint64_t seed)
{
	uint64_t s = seed | 1;
	size_t at = next_rand(&s) % stride;

	while (at + len <= n) {
		memcpy(data + at, pat, len);
		at += len + (size_t)(next_rand(&s) % stride);
	}
}

/* 10 MiB stored in 1 MiB members, with pat copied in every so often
 * (seeds from seed): the same bytes on every thread count, inflated on
 * threads when `threaded`. */
static void sprinkled_case(const uint8_t *pat, size_t len, size_t stride,
			   uint64_t seed, int threaded)
{
	char dir[UT_PATH_MAX];
	size_t n = 10 * MIB;
	uint8_t *data = make_data(n, seed);
	struct gz g;

	sprinkle(data, n, pat, len, stride, seed + 1);
	g = gz_blocks(data, n, MIB, 4096, 0, seed + 2);
	ut_tmpdir_make(dir, sizeof dir);
	check_all_threads(dir, &g, data, n, threaded);
	ut_tmpdir_remove(dir);
	gz_free(&g);
	free(data);
}

static void test_stored_magic_bytes(void **state)
{
	static const uint8_t magic[] = { 0x1f, 0x8b, 0x08, 0x00 };

	(void)state;
	sprinkled_case(magic, sizeof magic, 4096, 21, 1); /* told apart by the header */
}

/* Whole members, header and all, inside stored members: false starts the
 * header filter cannot tell from real ones. */
static void test_stored_whole_members(void **state)
{
	uint8_t *data = make_data(300, 31);
	struct gz small = { 0 };

	(void)state;
	gz_member(&small, data, 300, 0);
	sprinkled_case(small.data, small.len, 64 * 1024, 32, 0); /* in order */
	gz_free(&small);
	free(data);
}

static void test_single_stream(void **state)
{
	char dir[UT_PATH_MAX];
	size_t n = 12 * MIB;
	uint8_t *data = make_data(n, 41);
	struct gz g = { 0 };

	(void)state;
	gz_member(&g, data, n, 6);
	assert_true(g.len >= 4 * MIB);
	ut_tmpdir_make(dir, sizeof dir);
	check_all_threads(dir, &g, data, n, 0);
	ut_tmpdir_remove(dir);
	gz_free(&g);
	free(data);
}

/* ---- damage: what 1 thread says, 4 threads say ---- */

/* bytes[0..len) written as a file, opened with 1 and with 4 threads: the
 * same outcome in every respect; returns the warning count. */
static uint64_t same_outcome(const char *dir, const uint8_t *bytes, size_t len)
{
	char path[UT_PATH_MAX];
	struct opened a, b;
	uint64_t warnings;

	ut_join(path, sizeof path, dir, "damaged.hprof.gz");
	write_file(path, bytes, len);
	open_gz(&a, path, dir, 1);
	open_gz(&b, path, dir, 4);
	assert_int_equal(a.st, b.st);
	assert_string_equal(a.d.msg, b.d.msg);
	assert_int_equal(a.d.warnings, b.d.warnings);
	assert_int_equal(a.d.log_len, b.d.log_len);
	if (a.d.log_len)
		assert_memory_equal(a.d.log, b.d.log, a.d.log_len);
	assert_int_equal(a.s.gzip_damage_at, b.s.gzip_damage_at);
	assert_int_equal(a.s.gzip_members, b.s.gzip_members);
	assert_int_equal(a.s.size, b.s.size);
	if (a.s.size)
		assert_memory_equal(a.s.data, b.s.data, a.s.size);
	warnings = a.d.warnings;
	close_gz(&a);
	close_gz(&b);
	unlink(path);
	return warnings;
}

static void test_damage(void **state)
{
	char dir[UT_PATH_MAX];
	size_t n = 10 * MIB, m, mid;
	uint8_t *data = make_data(n, 51), *copy;
	struct gz g = gz_blocks(data, n, MIB, 4096, 1, 52);

	(void)state;
	assert_true(g.members >= 8 && g.len >= 4 * MIB);
	copy = malloc(g.len + 100);
	assert_non_null(copy);
	ut_tmpdir_make(dir, sizeof dir);

	/* the file as written: no warning, threads or not */
	assert_int_equal(same_outcome(dir, g.data, g.len), 0);

	/* a byte flipped in the middle of member 5 */
	m = 5;
	mid = (g.member_at[m] + g.member_at[m + 1]) / 2;
	memcpy(copy, g.data, g.len);
	copy[mid] ^= 0x55;
	assert_true(same_outcome(dir, copy, g.len) > 0);

	/* a byte of member 5's CRC flipped: inflates, but does not check */
	memcpy(copy, g.data, g.len);
	copy[g.member_at[m + 1] - 6] ^= 1;
	assert_true(same_outcome(dir, copy, g.len) > 0);

	/* cut in the middle of a member (late enough for threads to try) */
	m = g.members - 2;
	mid = (g.member_at[m] + g.member_at[m + 1]) / 2;
	assert_true(mid >= 4 * MIB);
	assert_true(same_outcome(dir, g.data, mid) > 0);

	/* cut between members: a whole file of fewer members */
	assert_int_equal(same_outcome(dir, g.data, g.member_at[7]), 0);

	/* bytes after the last member, and a header with nothing after it */
	memcpy(copy, g.data, g.len);
	memset(copy + g.len, 0, 100);
	assert_true(same_outcome(dir, copy, g.len + 100) > 0);
	memcpy(copy + g.len, g.data, 30);
	assert_true(same_outcome(dir, copy, g.len + 30) > 0);

	ut_tmpdir_remove(dir);
	free(copy);
	gz_free(&g);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hotspot_in_memory),
		cmocka_unit_test(test_hotspot_temp_file),
		cmocka_unit_test(test_stored_magic_bytes),
		cmocka_unit_test(test_stored_whole_members),
		cmocka_unit_test(test_single_stream),
		cmocka_unit_test(test_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
