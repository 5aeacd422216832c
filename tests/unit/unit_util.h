/*
 * unit_util.h: helpers shared by the heaplens unit tests.
 *
 * Temporary directories for crafted dumps, fixture paths from the test
 * environment (HL_FIXTURES, HL_BUILD), a warning counter for
 * hl_open_options.warn, "key<TAB>field...<TAB>value" expectation files,
 * class-name conversion (internal "java/lang/String", "[I" to MAT's
 * "java.lang.String", "int[]") and small queries over an open heap that every
 * test needs (count objects of a class, find an object by id).
 *
 * Everything is static inline so a test includes only what it uses without
 * unused-function warnings.  Include <cmocka.h> (with its prerequisites)
 * before this header.  Failures are cmocka assertions: this is test code.
 */
#ifndef HEAPLENS_TESTS_UNIT_UTIL_H
#define HEAPLENS_TESTS_UNIT_UTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heaplens/heaplens.h"

#define UT_PATH_MAX 4096

/* ---- paths and temporary directories ---- */

/* A directory named by an environment variable the test runner sets. */
static inline const char *ut_env_dir(const char *var)
{
	const char *v = getenv(var);

	if (!v || !*v)
		fail_msg("%s is not set (run the tests with ctest)", var);
	return v;
}

static inline char *ut_join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < cap);
	return out;
}

/* A fresh private directory under $TMPDIR (or /tmp), written to dir. */
static inline void ut_tmpdir_make(char *dir, size_t cap)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	assert_true((size_t)snprintf(dir, cap, "%s/hl-unit-XXXXXX", base) < cap);
	if (!mkdtemp(dir))
		fail_msg("mkdtemp(%s) failed", dir);
}

/* Removes the files in dir (one level; tests write no subdirectories),
 * then dir itself. */
static inline void ut_tmpdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[UT_PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		unlink(ut_join(path, sizeof path, dir, e->d_name));
	}
	closedir(d);
	rmdir(dir);
}

static inline int ut_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static inline int ut_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* ---- warnings ---- */

struct ut_warns {
	unsigned count;
	char first[512];
};

static inline void ut_warn_count(void *ctx, const char *msg)
{
	struct ut_warns *w = ctx;

	if (!w->count++)
		snprintf(w->first, sizeof w->first, "%s", msg);
}

/* ---- opening dumps ---- */

/* Opens a dump that must open; warns counts warnings when not NULL. */
static inline hl_heap *ut_open_dump(const char *path, int dump_index, struct ut_warns *warns)
{
	hl_open_options opt;
	hl_heap *h = NULL;
	hl_status st;

	memset(&opt, 0, sizeof opt);
	opt.dump_index = dump_index;
	if (warns) {
		memset(warns, 0, sizeof *warns);
		opt.warn = ut_warn_count;
		opt.ctx = warns;
	}
	st = hl_open(path, &opt, &h);
	if (st != HL_OK) {
		print_message("hl_open(%s): %s: %s\n", path, hl_strerror(st), hl_errmsg(h));
		hl_close(h);
		fail();
	}
	assert_non_null(h);
	return h;
}

static inline hl_heap *ut_open(const char *path)
{
	return ut_open_dump(path, 0, NULL);
}

static inline hl_obj ut_find(const hl_heap *h, uint64_t id)
{
	hl_obj o = HL_NONE;

	if (hl_find_object(h, id, &o) != HL_OK)
		fail_msg("no object with id 0x%llx", (unsigned long long)id);
	return o;
}

/* ---- class names ---- */

static inline const char *ut_prim_name(char code)
{
	switch (code) {
	case 'Z': return "boolean";
	case 'C': return "char";
	case 'F': return "float";
	case 'D': return "double";
	case 'B': return "byte";
	case 'S': return "short";
	case 'I': return "int";
	case 'J': return "long";
	default: return NULL;
	}
}

/*
 * A class name as the dump or the JVM writes it ("java/lang/String",
 * "[[I", "[Ljava/lang/Object;", also dotted "[Lfoo.Bar;") converted to
 * MAT's Java name ("java.lang.String", "int[][]", "java.lang.Object[]").
 */
static inline char *ut_java_name(const char *in, char *out, size_t cap)
{
	size_t dims = 0, n, i, k;
	const char *base = in;

	while (base[0] == '[')
		base++, dims++;
	n = strlen(base);
	if (dims && n == 1 && ut_prim_name(base[0]))
		base = ut_prim_name(base[0]), n = strlen(base);
	else if (dims && base[0] == 'L' && n >= 2 && base[n - 1] == ';')
		base++, n -= 2;
	assert_true(n + 2 * dims < cap);
	for (i = 0; i < n; i++)
		out[i] = base[i] == '/' ? '.' : base[i];
	for (k = 0; k < dims; k++, i += 2)
		memcpy(out + i, "[]", 2);
	out[i] = '\0';
	return out;
}

/* Objects whose class is named `name` (MAT's form) and whose kind is
 * `kind` (-1: any), the synthetic system class loader at id 0 excluded. */
static inline uint64_t ut_count_objects_of(const hl_heap *h, const char *name, int kind)
{
	uint32_t n = hl_object_count(h), o;
	uint64_t count = 0;

	for (o = 0; o < n; o++) {
		if (hl_object_id(h, o) == 0)
			continue;
		if (kind >= 0 && hl_object_kind(h, o) != kind)
			continue;
		if (!strcmp(hl_class_name(h, hl_object_class(h, o)), name))
			count++;
	}
	return count;
}

/* The class object of the class named `name` (the first one), or HL_NONE. */
static inline hl_obj ut_class_object_named(const hl_heap *h, const char *name)
{
	uint32_t c, n = hl_class_count(h);

	for (c = 0; c < n; c++)
		if (!strcmp(hl_class_name(h, c), name))
			return hl_class_object(h, c);
	return HL_NONE;
}

/* Is o a member of class c's group (MAT's retained set of a class): an
 * instance (or array) of c, or c's class object; for java.lang.Class
 * also every class object. */
static inline int ut_class_member(const hl_heap *h, hl_obj o, hl_cls c)
{
	return hl_object_class(h, o) == c || hl_object_as_class(h, o) == c;
}

/* Class c's retained size by brute force: the retained sizes of its
 * members with no member on their idom chain. */
static inline uint64_t ut_topmost_sum(const hl_heap *h, hl_cls c)
{
	uint32_t n = hl_object_count(h), o;
	uint64_t sum = 0;

	for (o = 0; o < n; o++) {
		hl_obj up;
		int covered = 0;

		if (!hl_object_reachable(h, o) || !ut_class_member(h, o, c))
			continue;
		for (up = hl_idom(h, o); up != HL_ROOT && up != HL_NONE && !covered; up = hl_idom(h, up))
			covered = ut_class_member(h, up, c);
		if (!covered)
			sum += hl_retained(h, o);
	}
	return sum;
}

/* ---- expectation files: lines of tab-separated fields ---- */

#define UT_MAX_FIELDS 8

struct ut_line {
	char *f[UT_MAX_FIELDS];
	int nf;
};

struct ut_lines {
	char *text;
	struct ut_line *line;
	size_t n;
};

static inline char *ut_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[size] = '\0';
	if (len)
		*len = (size_t)size;
	return buf;
}

static inline void ut_split_line(char *s, struct ut_line *l)
{
	l->nf = 0;
	while (l->nf < UT_MAX_FIELDS) {
		char *tab = strchr(s, '\t');

		l->f[l->nf++] = s;
		if (!tab)
			break;
		*tab = '\0';
		s = tab + 1;
	}
}

/* Reads a file of tab-separated lines; '#' lines and empty lines are
 * skipped.  Returns 0, or -1 when the file cannot be read. */
static inline int ut_lines_load(const char *path, struct ut_lines *out)
{
	size_t cap = 64;
	char *s;

	memset(out, 0, sizeof *out);
	out->text = ut_read_file(path, NULL);
	if (!out->text)
		return -1;
	out->line = malloc(cap * sizeof *out->line);
	assert_non_null(out->line);
	for (s = out->text; *s;) {
		char *nl = strchr(s, '\n');
		char *next = nl ? nl + 1 : s + strlen(s);

		if (nl)
			*nl = '\0';
		if (*s && *s != '#') {
			if (out->n == cap) {
				cap *= 2;
				out->line = realloc(out->line, cap * sizeof *out->line);
				assert_non_null(out->line);
			}
			ut_split_line(s, &out->line[out->n++]);
		}
		s = next;
	}
	return 0;
}

static inline void ut_lines_free(struct ut_lines *l)
{
	free(l->text);
	free(l->line);
	memset(l, 0, sizeof *l);
}

/* The value of the two-field line "key<TAB>value", or NULL. */
static inline const char *ut_lines_value(const struct ut_lines *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->line[i].nf == 2 && !strcmp(l->line[i].f[0], key))
			return l->line[i].f[1];
	return NULL;
}

/* The value of "key<TAB>n" as a number; the key must exist. */
static inline uint64_t ut_lines_u64(const struct ut_lines *l, const char *key)
{
	const char *v = ut_lines_value(l, key);

	if (!v)
		fail_msg("expectation '%s' is missing", key);
	return strtoull(v, NULL, 10);
}

#endif
