/*
 * cmd_path.c - heaplens path: shortest paths from GC roots to an object,
 * with the field names along them and the kind of the root.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const struct column path_cols[] = {
	{ "path", COL_NUM, 1 }, { "step", COL_NUM, 1 }, { "id", COL_ID, 0 },
	{ "class", COL_STR, 0 }, { "via", COL_STR, 0 },
	{ "shallow", COL_NUM, 1 }, { "retained", COL_NUM, 1 },
	{ "root", COL_STR, 0 }, { "preview", COL_STR, 0 },
};

/* "System Class, Thread" for a root object. */
static char *root_names(struct session *s, hl_obj o, char *buf, size_t len)
{
	uint32_t mask = hl_root_kinds(s->heap, o);
	size_t used = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < HL_ROOT_KIND_COUNT && used < len; k++)
		if (mask & (1u << k))
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? ", " : "",
						 hl_root_kind_name(k));
	return buf;
}

static void print_path(struct session *s, struct table *t, size_t idx,
		       const hl_path *p)
{
	size_t i;

	for (i = 0; i < p->len; i++) {
		char via[96] = "", root[128] = "", preview[200];
		hl_obj o = p->objs[i];
		struct cell c[9];

		if (i)
			hl_ref_label(s->heap, p->objs[i - 1], o, via, sizeof(via));
		else
			root_names(s, o, root, sizeof(root));
		hl_object_preview(s->heap, o, 60, preview, sizeof(preview));
		c[0] = (struct cell){ NULL, idx + 1, 0 };
		c[1] = (struct cell){ NULL, i, 0 };
		c[2] = (struct cell){ NULL, hl_object_id(s->heap, o), 0 };
		c[3] = (struct cell){ hl_class_name(s->heap, hl_object_class(s->heap, o)), 0, 0 };
		c[4] = (struct cell){ via, 0, 0 };
		c[5] = (struct cell){ NULL, hl_object_shallow(s->heap, o), 0 };
		c[6] = (struct cell){ NULL, hl_retained(s->heap, o), 0 };
		c[7] = (struct cell){ root, 0, 0 };
		c[8] = (struct cell){ preview, 0, 0 };
		table_row(t, c);
	}
}

/* Text: one block per path, root first, "-> field" per step. */
static void print_text(struct session *s, const hl_path *p, size_t n)
{
	size_t k, i;

	for (k = 0; k < n; k++) {
		char root[128];

		printf("path %zu, from a GC root (%s):\n", k + 1,
		       root_names(s, p[k].objs[0], root, sizeof(root)));
		for (i = 0; i < p[k].len; i++) {
			char via[96] = "", esc[300], preview[200];
			hl_obj o = p[k].objs[i];
			const char *cn = hl_class_name(s->heap, hl_object_class(s->heap, o));

			if (i)
				hl_ref_label(s->heap, p[k].objs[i - 1], o, via, sizeof(via));
			hl_escape(via, strlen(via), esc, 120);
			printf("  %*s%s%s", (int)(2 * i), "", i ? "-> " : "", i ? esc : "");
			hl_escape(cn, strlen(cn), esc, sizeof(esc));
			printf("%s%s @ 0x%llx  (retained %llu)", i ? "  " : "", esc,
			       (unsigned long long)hl_object_id(s->heap, o),
			       (unsigned long long)hl_retained(s->heap, o));
			hl_object_preview(s->heap, o, 60, preview, sizeof(preview));
			hl_escape(preview, strlen(preview), esc, sizeof(esc));
			printf("%s%s\n", *esc ? "  " : "", esc);
		}
	}
}

int cmd_path(int argc, char **argv, struct session *s)
{
	static const struct option opts[] = {
		{ "max", required_argument, NULL, 'm' },
		{ "all-refs", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t max = 5, id;
	struct cli_opts ost = { 0, 0 };
	int c, flags = 0, code;
	hl_obj target;
	hl_path *paths;
	size_t n, k;
	hl_status st;

	while ((c = cli_option(s, argc, argv, "", opts, NULL, &ost)) != -1) {
		if (c == 'a')
			flags |= HL_PATH_ALL_REFS;
		else if (parse_u64(optarg, &max) || !max) /* --max */
			return cli_usage(s, "--max: expected a number from 1");
	}
	if (ost.error)
		return ost.error;
	if (optind != argc - 2)
		return cli_usage(s, "usage: heaplens path [--max N] [--all-refs] DUMP ID");
	s->dump_path = argv[optind];
	if (parse_object_id(argv[optind + 1], &id))
		return cli_usage(s, "path: '%s' is not an object id (0x... or decimal)",
				 argv[optind + 1]);
	code = session_open(s, NEED_DOMINATORS);
	if (code)
		return code;
	if (hl_find_object(s->heap, id, &target) != HL_OK) {
		cli_error(s, "%s: no object 0x%llx in the dump", s->dump_path,
			  (unsigned long long)id);
		return EXIT_NOOBJ;
	}
	st = hl_paths_from_roots(s->heap, target, max, flags, &paths, &n);
	if (st != HL_OK) {
		cli_error(s, "%s: %s", s->dump_path, hl_errmsg(s->heap));
		return exit_code_for(st);
	}
	if (!n && !s->quiet)
		fprintf(stderr, "%s: %s: no path from a GC root to 0x%llx%s\n", s->prog,
			s->dump_path, (unsigned long long)id,
			hl_object_reachable(s->heap, target) ?
			" without weak, soft, phantom or finalizer links (try --all-refs)" :
			" (it is unreachable)");
	if (s->format == FMT_TEXT) {
		print_text(s, paths, n);
	} else {
		struct table *t = table_begin(s, path_cols, 9, "steps");

		for (k = 0; k < n; k++)
			print_path(s, t, k, &paths[k]);
		table_end(t, NULL, NULL);
	}
	hl_paths_free(paths, n);
	return EXIT_OK;
}
