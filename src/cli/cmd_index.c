/*
 * cmd_index.c - heaplens index: build the dump's persistent index now, so
 * that later commands map it instead of parsing the dump.  It also
 * computes the reports that walk the whole dump or dominator tree with
 * their default options (suspects, duplicate strings, histograms by
 * package and by loader), which are kept beside the index: after
 * `heaplens index`, those commands print at once too.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <sys/stat.h>

/* The default reports, computed now and kept beside the index (each is
 * read back when already kept). */
static int ahead(struct session *s)
{
	hl_histogram t;
	hl_string_dups d;
	hl_suspect *v;
	size_t n;
	hl_status st;

	st = hl_find_suspects(s->heap, NULL, &v, &n);
	if (st == HL_OK) {
		hl_suspects_free(v, n);
		st = hl_string_dups_build(s->heap, STRINGS_MIN_COUNT, STRINGS_TOP, &d);
	}
	if (st == HL_OK) {
		hl_string_dups_free(&d);
		st = hl_histogram_build(s->heap, HL_BY_PACKAGE, 0, &t);
	}
	if (st == HL_OK) {
		hl_histogram_free(&t);
		st = hl_histogram_build(s->heap, HL_BY_LOADER, 0, &t);
	}
	if (st == HL_OK)
		hl_histogram_free(&t);
	else
		cli_error(s, "%s: %s", s->dump_path, hl_errmsg(s->heap));
	return st != HL_OK;
}

int cmd_index(int argc, char **argv, struct session *s)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	struct cli_opts st = { 0, 0 };
	char err[600];
	struct stat sb;
	int code;

	while (cli_option(s, argc, argv, "", opts, NULL, &st) != -1)
		;
	if (st.error)
		return st.error;
	if (optind != argc - 1)
		return cli_usage(s, "usage: heaplens index [--index-dir DIR] DUMP");
	if (s->no_index)
		return cli_usage(s, "index: --no-index makes no sense here");
	s->dump_path = argv[optind];
	code = session_open(s, NEED_DOMINATORS);
	if (code)
		return code;
	if (!*hl_index_path(s->heap)) {
		cli_error(s, "%s: no writable place for an index (use --index-dir)",
			  s->dump_path);
		return EXIT_DUMP;
	}
	if (!hl_index_loaded(s->heap) &&
	    hl_index_save(s->heap, err, sizeof(err)) != HL_OK) {
		cli_error(s, "%s: %s", s->dump_path, err);
		return EXIT_DUMP;
	}
	if (ahead(s))
		return EXIT_DUMP;
	if (stat(hl_index_path(s->heap), &sb) == 0)
		printf("%s\t%lld bytes\t%s\n", hl_index_path(s->heap),
		       (long long)sb.st_size,
		       hl_index_loaded(s->heap) ? "up to date" : "written");
	return EXIT_OK;
}
