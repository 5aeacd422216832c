/*
 * cmd_index.c - heaplens index: build the dump's persistent index now, so
 * that later commands map it instead of parsing the dump.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <sys/stat.h>

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
	if (stat(hl_index_path(s->heap), &sb) == 0)
		printf("%s\t%lld bytes\t%s\n", hl_index_path(s->heap),
		       (long long)sb.st_size,
		       hl_index_loaded(s->heap) ? "up to date" : "written");
	return EXIT_OK;
}
