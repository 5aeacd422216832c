/*
 * cmd_histogram.c - heaplens histogram: one line per class, like
 * jmap -histo, with MAT's retained size per class.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct histo_opts {
	int sort, by, unreachable, retained;
	uint64_t top;
};

static int parse(int argc, char **argv, struct session *s, struct histo_opts *o)
{
	static const struct option opts[] = {
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'b' },
		{ "unreachable", no_argument, NULL, 'u' },
		{ "no-retained", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts st = { 0, 0 };
	int c;

	while ((c = cli_option(s, argc, argv, "", opts, NULL, &st)) != -1) {
		switch (c) {
		case 's':
			if (!strcmp(optarg, "shallow")) o->sort = HL_SORT_SHALLOW;
			else if (!strcmp(optarg, "instances") || !strcmp(optarg, "count"))
				o->sort = HL_SORT_INSTANCES;
			else if (!strcmp(optarg, "retained")) o->sort = HL_SORT_RETAINED;
			else if (!strcmp(optarg, "name")) o->sort = HL_SORT_NAME;
			else return cli_usage(s, "--sort: expected shallow, instances, retained or name");
			break;
		case 't':
			if (parse_u64(optarg, &o->top))
				return cli_usage(s, "--top: expected a number");
			break;
		case 'b':
			if (!strcmp(optarg, "class")) o->by = HL_BY_CLASS;
			else if (!strcmp(optarg, "package")) o->by = HL_BY_PACKAGE;
			else if (!strcmp(optarg, "loader")) o->by = HL_BY_LOADER;
			else return cli_usage(s, "--by: expected class, package or loader");
			break;
		case 'u': o->unreachable = 1; break;
		case 'n': o->retained = 0; break;
		}
	}
	if (st.error)
		return st.error;
	if (optind != argc - 1)
		return cli_usage(s, "usage: heaplens histogram [options] DUMP");
	s->dump_path = argv[optind];
	if (o->unreachable)
		o->retained = 0;
	if (o->sort == HL_SORT_RETAINED && !o->retained)
		return cli_usage(s, "--sort retained needs retained sizes");
	return EXIT_OK;
}

int cmd_histogram(int argc, char **argv, struct session *s)
{
	struct histo_opts o = { HL_SORT_SHALLOW, HL_BY_CLASS, 0, 1, 0 };
	struct column cols[6];
	hl_histogram h;
	struct table *t;
	hl_status st;
	size_t i, n;
	int code, nc = 0, text = s->format == FMT_TEXT;
	char footer[256];

	code = parse(argc, argv, s, &o);
	if (code)
		return code;
	code = session_open(s, o.retained ? NEED_DOMINATORS : NEED_HEAP);
	if (code)
		return code;
	st = hl_histogram_build(s->heap, o.by, o.unreachable, &h);
	if (st != HL_OK) {
		cli_error(s, "%s: %s", s->dump_path, hl_errmsg(s->heap));
		return exit_code_for(st);
	}
	hl_histogram_sort(&h, o.sort);
	if (text)
		cols[nc++] = (struct column){ "rank", COL_NUM, 1 };
	if (!text)
		cols[nc++] = (struct column){ o.by == HL_BY_CLASS ? "class" :
			o.by == HL_BY_PACKAGE ? "package" : "loader", COL_STR, 0 };
	cols[nc++] = (struct column){ "instances", COL_NUM, 1 };
	cols[nc++] = (struct column){ "shallow", COL_NUM, 1 };
	if (!text && o.by == HL_BY_CLASS)
		cols[nc++] = (struct column){ "class_id", COL_ID, 0 };
	if (o.retained)
		cols[nc++] = (struct column){ "retained", COL_NUM, 1 };
	if (text)
		cols[nc++] = (struct column){ o.by == HL_BY_CLASS ? "class" :
			o.by == HL_BY_PACKAGE ? "package" : "loader", COL_STR, 0 };
	t = table_begin(s, cols, nc, o.by == HL_BY_CLASS ? "classes" :
			o.by == HL_BY_PACKAGE ? "packages" : "loaders");
	n = o.top && o.top < h.count ? o.top : h.count;
	for (i = 0; i < n; i++) {
		const hl_histo_row *r = &h.rows[i];
		struct cell c[6];
		int k = 0;

		if (text)
			c[k++] = (struct cell){ NULL, i + 1, 0 };
		if (!text)
			c[k++] = (struct cell){ r->name, 0, 0 };
		c[k++] = (struct cell){ NULL, r->instances, 0 };
		c[k++] = (struct cell){ NULL, r->shallow, 0 };
		if (!text && o.by == HL_BY_CLASS)
			c[k++] = (struct cell){ NULL, hl_class_id(s->heap, r->cls), 0 };
		if (o.retained)
			c[k++] = (struct cell){ NULL, r->retained, 0 };
		if (text)
			c[k++] = (struct cell){ r->name, 0, 0 };
		table_row(t, c);
	}
	snprintf(footer, sizeof(footer), "Total  %llu instances  %llu bytes  %zu %s%s\n",
		 (unsigned long long)h.total_instances,
		 (unsigned long long)h.total_shallow, h.count,
		 o.by == HL_BY_CLASS ? (h.count == 1 ? "class" : "classes") :
		 o.by == HL_BY_PACKAGE ? (h.count == 1 ? "package" : "packages") :
		 (h.count == 1 ? "loader" : "loaders"),
		 o.unreachable ? " (unreachable)" : "");
	{
		char extra[200];

		snprintf(extra, sizeof(extra),
			 "\"totals\":{\"instances\":%llu,\"shallow\":%llu,\"rows\":%zu,\"unreachable\":%s}",
			 (unsigned long long)h.total_instances,
			 (unsigned long long)h.total_shallow, h.count,
			 o.unreachable ? "true" : "false");
		table_end(t, footer, extra);
	}
	hl_histogram_free(&h);
	return EXIT_OK;
}
