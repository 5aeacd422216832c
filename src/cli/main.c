/*
 * main.c - the heaplens command: common options, the command table, and
 * opening the dump for the commands that need it.
 *
 * heaplens COMMAND [options] DUMP [args]
 * Common options, accepted anywhere: --format text|tsv|csv|json,
 * --dump N, --strict, --tmpdir DIR, -q/--quiet.
 */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const struct command commands[] = {
	{ "info", cmd_info, NEED_HEAP,
	  "facts about a dump: format, counts, roots, sizes, damage",
	  "info [--format F] DUMP" },
	{ "histogram", cmd_histogram, NEED_HEAP,
	  "objects per class with shallow and retained sizes",
	  "histogram [--sort shallow|instances|retained|name] [--top N] [--by class|package|loader] [--unreachable] [--no-retained] DUMP" },
	{ "dominators", cmd_dominators, NEED_DOMINATORS,
	  "the dominator tree: who keeps memory alive",
	  "dominators [--depth N] [--min-percent P] [--top N] [--from ID] [--group-by class|package|loader] DUMP" },
	{ "suspects", cmd_suspects, NEED_DOMINATORS,
	  "leak suspects: who holds the memory and why, MAT's report and more",
	  "suspects [--threshold P] [--min-elements N] [--max-distinct-percent P] [--top N] DUMP" },
	{ "path", cmd_path, NEED_HEAP,
	  "shortest paths from GC roots to an object",
	  "path [--max N] [--all-refs] DUMP ID" },
	{ "show", cmd_show, NEED_DOMINATORS,
	  "one object: class, sizes, dominator, fields, elements, references",
	  "show [--in] [--out] [--limit N] DUMP ID" },
	{ "threads", cmd_threads, NEED_DOMINATORS,
	  "threads with their stack traces, locals and retained sizes",
	  "threads [--top N] [--no-locals] DUMP" },
	{ "strings", cmd_strings, NEED_HEAP,
	  "duplicate strings and their waste, or strings matching a regex",
	  "strings [--min-count N] [--top N] [--match REGEX] [--ignore-case] DUMP" },
	{ "check", cmd_check, NEED_HEAP,
	  "check a dump against rules for CI: PASS/FAIL per rule, JUnit XML",
	  "check (--rules FILE | --rule RULE)... [--baseline BASE] [--junit FILE] DUMP" },
	{ "diff", cmd_diff, NEED_DOMINATORS,
	  "compare two dumps class by class: what grew, what is new or gone",
	  "diff [--sort retained|shallow|instances] [--top N] BASE NEW" },
	{ "index", cmd_index, NEED_HEAP,
	  "build the dump's persistent index now (later commands map it)",
	  "index [--index-dir DIR] DUMP" },
	{ "help", cmd_help, NEED_NOTHING, "list the commands", "help [COMMAND]" },
	{ "version", cmd_version, NEED_NOTHING, "print the version", "version" },
	{ NULL, NULL, 0, NULL, NULL }
};

void cli_error(const struct session *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", s->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage(const struct session *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", s->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see '%s help')\n", s->prog);
	return EXIT_USAGE;
}

int cli_option(struct session *s, int argc, char **argv, const char *shorts,
	       const struct option *opts, int *index, struct cli_opts *st)
{
	char spec[32];
	int c;

	if (!st->started) {
		optind = 1;
		opterr = 0;
		st->started = 1;
	}
	snprintf(spec, sizeof(spec), ":%s", shorts); /* ':' for a missing value */
	c = getopt_long(argc, argv, spec, opts, index);
	if (c == '?')
		st->error = cli_usage(s, "%s: unknown option '%s'", s->command,
				      argv[optind - 1]);
	else if (c == ':')
		st->error = cli_usage(s, "%s: option '%s' needs a value", s->command,
				      argv[optind - 1]);
	return st->error ? -1 : c;
}

int parse_u64(const char *str, uint64_t *out)
{
	char *end;

	if (!str || *str < '0' || *str > '9')
		return -1;
	errno = 0;
	*out = strtoull(str, &end, 10);
	return (errno || *end) ? -1 : 0;
}

int parse_double(const char *str, double *out)
{
	char *end;

	if (!str || !*str)
		return -1;
	*out = strtod(str, &end);
	return *end || !(*out >= 0) || *out > 1e18 ? -1 : 0;
}

int parse_object_id(const char *str, uint64_t *out)
{
	char *end;

	if (!str || *str < '0' || *str > '9')
		return -1;
	errno = 0;
	*out = strtoull(str, &end, (str[0] == '0' && (str[1] == 'x' || str[1] == 'X')) ? 16 : 10);
	return (errno || *end) ? -1 : 0;
}

int exit_code_for(hl_status st)
{
	switch (st) {
	case HL_OK: return EXIT_OK;
	case HL_E_USAGE: case HL_E_MULTIDUMP: return EXIT_USAGE;
	case HL_E_NOMEM: case HL_E_STATE: return EXIT_NOMEM;
	case HL_E_NOOBJECT: return EXIT_NOOBJ;
	default: return EXIT_DUMP;
	}
}

int finish_output(const struct session *s, int code)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			return code;
		cli_error(s, "write error on standard output: %s", strerror(errno));
		return code ? code : EXIT_NOMEM;
	}
	return code;
}

static void on_warn(void *ctx, const char *msg)
{
	struct session *s = ctx;

	if (s->quiet)
		return;
	if (s->warnings_shown++ < 20)
		fprintf(stderr, "%s: %s: warning: %s\n", s->prog, s->dump_path, msg);
	else if (s->warnings_shown == 21)
		fprintf(stderr, "%s: %s: warning: more warnings not shown (see 'info')\n",
			s->prog, s->dump_path);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A field of /proc/self/status in kB, 0 when unknown. */
static unsigned long proc_kb(const char *key)
{
	char line[256];
	unsigned long v = 0;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoul(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

void stats_phase(struct session *s, const char *next)
{
	double t = now();

	if (!s->stats)
		return;
	if (s->phase[0])
		fprintf(stderr, "%s: stats: %-12s %7.3f s  rss %6lu MB  anon %6lu MB  peak %6lu MB\n",
			s->prog, s->phase, t - s->phase_start,
			proc_kb("VmRSS") / 1024, proc_kb("RssAnon") / 1024,
			proc_kb("VmHWM") / 1024);
	snprintf(s->phase, sizeof(s->phase), "%s", next);
	s->phase_start = t;
}

static void on_note(void *ctx, const char *msg)
{
	struct session *s = ctx;

	if (!s->quiet)
		fprintf(stderr, "%s: note: %s\n", s->prog, msg);
}

static void on_progress(void *ctx, const char *phase, uint64_t done,
			uint64_t total)
{
	struct session *s = ctx;

	if (s->stats && *phase && strcmp(phase, s->phase))
		stats_phase(s, phase);

	if (!s->progress_tty)
		return;
	if (strcmp(phase, s->shown)) {
		snprintf(s->shown, sizeof(s->shown), "%s", phase);
		s->shown_start = now();
	}
	if (total && done < total) {
		double t = now() - s->shown_start;

		/* byte counts get a rate; a phase told in steps, its time */
		if (total > 1000 && t > 0.05)
			fprintf(stderr, "\r%-12s %3u%%  %6.0f MB/s ", phase,
				(unsigned)(100.0 * (double)done / (double)total),
				(double)done / t / 1048576.0);
		else
			fprintf(stderr, "\r%-12s %3u%%  %6.1f s    ", phase,
				(unsigned)(100.0 * (double)done / (double)total), t);
	} else {
		fprintf(stderr, "\r%-28s\r", "");
	}
}

void session_index_wait(struct session *s)
{
	char err[600];

	if (s->writing && hl_index_save_wait(s->writing, err, sizeof(err)) != HL_OK)
		on_note(s, err);
	s->writing = NULL;
}

int session_open(struct session *s, int needs)
{
	hl_open_options o = { 0 };
	hl_status st;

	if (!s->dump_path)
		return cli_usage(s, "%s: no dump given", s->command);
	o.dump_index = s->dump_index;
	o.threads = s->threads;
	o.use_index = !s->no_index;
	o.index_dir = s->index_dir;
	o.note = on_note;
	o.strict = s->strict;
	o.tmpdir = s->tmpdir;
	o.warn = on_warn;
	o.progress = on_progress;
	o.ctx = s;
	o.dominators = (needs & NEED_DOMINATORS) != 0;
	session_index_wait(s); /* another dump's (diff, check) */
	st = hl_open(s->dump_path, &o, &s->heap);
	if (st == HL_OK && (needs & NEED_DOMINATORS))
		st = hl_compute_dominators(s->heap);
	if (st == HL_OK && o.use_index && !hl_index_loaded(s->heap) &&
	    *hl_index_path(s->heap) && strcmp(s->command, "index")) {
		/* the first analysis writes the index every command needs,
		 * while the command runs */
		char err[600];

		if (hl_index_save_start(s->heap, err, sizeof(err)) != HL_OK)
			on_note(s, err);
		else
			s->writing = s->heap;
	}
	on_progress(s, "", 1, 1);
	stats_phase(s, "command");
	if (st != HL_OK) {
		cli_error(s, "%s: %s", s->dump_path, hl_errmsg(s->heap));
		return exit_code_for(st);
	}
	return EXIT_OK;
}

static int set_format(struct session *s, const char *v)
{
	if (!v)
		return -1;
	if (!strcmp(v, "text")) s->format = FMT_TEXT;
	else if (!strcmp(v, "tsv")) s->format = FMT_TSV;
	else if (!strcmp(v, "csv")) s->format = FMT_CSV;
	else if (!strcmp(v, "json")) s->format = FMT_JSON;
	else return -1;
	return 0;
}

/* Take the common options out of argv; returns -1 on a bad one. */
static int common_options(struct session *s, int *argc, char **argv)
{
	int i, k = 1;

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i], *v = NULL;
		uint64_t n;

		if (!strcmp(a, "--")) {
			while (i < *argc)
				argv[k++] = argv[i++];
			break;
		}
		if (!strncmp(a, "--format=", 9) || !strncmp(a, "--dump=", 7) ||
		    !strncmp(a, "--tmpdir=", 9))
			v = strchr(a, '=') + 1;
		else if ((!strcmp(a, "--format") || !strcmp(a, "--dump") ||
			  !strcmp(a, "--tmpdir")) && i + 1 < *argc)
			v = argv[++i];
		if (!strncmp(a, "--format", 8) && (a[8] == '=' || !a[8])) {
			if (v && !strcmp(v, "junit")) {
				/* check's own format: left for the command */
				if (!a[8])
					argv[k++] = argv[i - 1];
				argv[k++] = argv[i];
			} else if (set_format(s, v)) {
				return cli_usage(s, "--format: expected text, tsv, csv or json"), -1;
			}
		} else if (!strncmp(a, "--dump", 6) && (a[6] == '=' || !a[6])) {
			if (parse_u64(v, &n) || n == 0 || n > 1000000)
				return cli_usage(s, "--dump: expected a dump number from 1"), -1;
			s->dump_index = (int)n;
		} else if (!strncmp(a, "--tmpdir", 8) && (a[8] == '=' || !a[8])) {
			if (!v)
				return cli_usage(s, "--tmpdir: expected a directory"), -1;
			s->tmpdir = v;
		} else if (!strcmp(a, "--no-index")) {
			s->no_index = 1;
		} else if (!strncmp(a, "--index-dir", 11) && (a[11] == '=' || !a[11])) {
			v = a[11] ? a + 12 : (i + 1 < *argc ? argv[++i] : NULL);
			if (!v || !*v)
				return cli_usage(s, "--index-dir: expected a directory"), -1;
			s->index_dir = v;
		} else if (!strcmp(a, "--stats")) {
			s->stats = 1;
		} else if (!strncmp(a, "--threads", 9) && (a[9] == '=' || !a[9])) {
			if (!a[9] && i + 1 < *argc)
				v = argv[++i];
			else if (a[9])
				v = a + 10;
			if (parse_u64(v, &n) || n > 256)
				return cli_usage(s, "--threads: expected a number from 0 to 256"), -1;
			s->threads = (unsigned)n;
		} else if (!strcmp(a, "--strict")) {
			s->strict = 1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			s->quiet = 1;
		} else {
			argv[k++] = argv[i];
		}
	}
	*argc = k;
	argv[k] = NULL;
	return 0;
}

int cmd_version(int argc, char **argv, struct session *s)
{
	(void)argc;
	(void)argv;
	(void)s;
	printf("heaplens %s\n", HL_VERSION_STRING);
	return EXIT_OK;
}

int cmd_help(int argc, char **argv, struct session *s)
{
	const struct command *c;

	for (c = commands; argc > 1 && c->name; c++)
		if (!strcmp(c->name, argv[1])) {
			printf("usage: %s %s\n\n%s\n", s->prog, c->usage, c->summary);
			return EXIT_OK;
		}
	if (argc > 1)
		return cli_usage(s, "no command '%s'", argv[1]);
	printf("usage: %s COMMAND [options] DUMP\n\ncommands:\n", s->prog);
	for (c = commands; c->name; c++)
		printf("  %-12s %s\n", c->name, c->summary);
	printf("\ncommon options: --format text|tsv|csv|json, --dump N, --strict,\n"
	       "  --tmpdir DIR, --threads N, --no-index, --index-dir DIR,\n"
	       "  --stats (time and memory per phase on stderr), -q/--quiet\n"
	       "exit codes: 0 ok, 1 check failed, 2 usage, 3 unreadable dump,\n"
	       "  4 out of memory, 5 no such object\n");
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct session s = { 0 };
	const struct command *c;
	int code;

	signal(SIGPIPE, SIG_IGN);
	/* a file size limit (ulimit -f) makes a write to the index, the spill
	 * file or an inflated dump fail (EFBIG), handled, not kill us */
	signal(SIGXFSZ, SIG_IGN);
	s.prog = "heaplens";
	s.start = now();
	if (getenv("HEAPLENS_NO_INDEX") && strcmp(getenv("HEAPLENS_NO_INDEX"), "0"))
		s.no_index = 1;
	if (getenv("HEAPLENS_INDEX_DIR") && *getenv("HEAPLENS_INDEX_DIR"))
		s.index_dir = getenv("HEAPLENS_INDEX_DIR");
	if (common_options(&s, &argc, argv))
		return EXIT_USAGE;
	s.progress_tty = !s.quiet && isatty(STDERR_FILENO) && isatty(STDOUT_FILENO);
	if (argc < 2)
		return cmd_help(1, argv, &s) == EXIT_OK ? EXIT_USAGE : EXIT_USAGE;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv, &s);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv, &s);
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			break;
	if (!c->name)
		return cli_usage(&s, "'%s' is not a heaplens command", argv[1]);
	s.command = c->name;
	stats_phase(&s, "start");
	code = c->fn(argc - 1, argv + 1, &s);
	stats_phase(&s, "report");
	code = finish_output(&s, code);
	if (s.writing) {
		stats_phase(&s, "index");
		session_index_wait(&s);
	}
	if (s.stats) {
		uint64_t in_place, bytes = s.heap ? hl_index_written(s.heap, &in_place) : 0;

		stats_phase(&s, "");
		if (bytes)
			fprintf(stderr, "%s: stats: index written, %llu MB, of which %llu MB spilled arrays in place\n",
				s.prog, (unsigned long long)(bytes >> 20),
				(unsigned long long)(in_place >> 20));
		fprintf(stderr, "%s: stats: total wall %.3f s, peak rss %lu MB\n", s.prog,
			now() - s.start, proc_kb("VmHWM") / 1024);
	}
	hl_close(s.heap);
	return code;
}
