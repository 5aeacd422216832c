/*
 * cli.h - what the command-line tool's files share: the session (options
 * common to every command and the opened dump), the command table, the
 * table writer, and exit codes.  Only src/cli/ prints or exits.
 */
#ifndef HL_CLI_H
#define HL_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "heaplens/heaplens.h"

/* Exit codes (documented in README.md and docs/cli.md). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,     /* the command ran; the answer is "no" (check) */
	EXIT_USAGE = 2,    /* bad command line */
	EXIT_DUMP = 3,     /* the dump cannot be read */
	EXIT_NOMEM = 4,    /* out of memory or another internal failure */
	EXIT_NOOBJ = 5     /* the object asked for is not in the dump */
};

enum fmt { FMT_TEXT, FMT_TSV, FMT_CSV, FMT_JSON };

struct session {
	const char *prog;
	const char *dump_path;
	hl_heap *heap;
	enum fmt format;
	int dump_index, strict, quiet, progress_tty;
	const char *tmpdir;
	unsigned warnings_shown;
	const char *command;
	int stats;               /* --stats: time and memory per phase */
	char phase[24];          /* the phase --stats is timing */
	double phase_start;
	char shown[24];          /* the phase the progress line shows */
	double shown_start;
	unsigned threads;        /* --threads N (0: online CPUs) */
	int no_index;            /* --no-index, or HEAPLENS_NO_INDEX=1 */
	const char *index_dir;   /* --index-dir DIR */
	hl_heap *writing;        /* its index written meanwhile */
	double start;
};

/* --stats: close the running phase and start `next` ("" to finish). */
void stats_phase(struct session *s, const char *next);

/* Wait for an index being written; a note if it failed. */
void session_index_wait(struct session *s);

/* What a command needs opened before it runs. */
enum { NEED_NOTHING = 0, NEED_HEAP = 1, NEED_DOMINATORS = 2 };

/* `strings` defaults (also the report `index` computes ahead). */
enum { STRINGS_MIN_COUNT = 2, STRINGS_TOP = 25 };

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct session *s);
	int needs;
	const char *summary;
	const char *usage;
};

extern const struct command commands[];

int cmd_info(int argc, char **argv, struct session *s);
int cmd_histogram(int argc, char **argv, struct session *s);
int cmd_dominators(int argc, char **argv, struct session *s);
int cmd_suspects(int argc, char **argv, struct session *s);
int cmd_path(int argc, char **argv, struct session *s);
int cmd_show(int argc, char **argv, struct session *s);
int cmd_threads(int argc, char **argv, struct session *s);
int cmd_strings(int argc, char **argv, struct session *s);
int cmd_check(int argc, char **argv, struct session *s);
int cmd_diff(int argc, char **argv, struct session *s);
int cmd_index(int argc, char **argv, struct session *s);
int cmd_help(int argc, char **argv, struct session *s);
int cmd_version(int argc, char **argv, struct session *s);

/*
 * A command's options, one at a time (getopt_long over argv, argv[0] the
 * command): the option's code, or -1 at the end and after a usage error
 * (unknown option, missing value), which it prints and leaves in
 * st->error.  Start with struct cli_opts st = { 0, 0 }.
 */
struct cli_opts { int started, error; };
int cli_option(struct session *s, int argc, char **argv, const char *shorts,
	       const struct option *opts, int *index, struct cli_opts *st);

/* Open the dump (and compute dominators if asked); prints errors. */
int session_open(struct session *s, int needs);
/* Print "heaplens: msg" to stderr. */
void cli_error(const struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_usage(const struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parse a size/number option; returns 0 on success. */
int parse_u64(const char *s, uint64_t *out);
int parse_double(const char *s, double *out);
int parse_object_id(const char *s, uint64_t *out);
/* Map a library status to an exit code. */
int exit_code_for(hl_status st);
/* Flush stdout; a write error is a failure (not for EPIPE: quiet). */
int finish_output(const struct session *s, int code);

/* ---- table writer ---- */

enum col_type { COL_STR, COL_NUM, COL_PCT, COL_ID };

struct column {
	const char *name;   /* header, JSON key */
	enum col_type type;
	int right;          /* text: right-aligned */
};

struct cell { const char *s; uint64_t n; double f; };

struct table;
/* Begin a table; `kind` names the rows' object in JSON ("classes"). */
struct table *table_begin(const struct session *s, const struct column *cols,
			  int ncols, const char *kind);
void table_row(struct table *t, const struct cell *cells);
/* A text-only line after the rows (totals); JSON gets `extra` fields. */
void table_end(struct table *t, const char *text_footer,
	       const char *json_extra);
/* JSON helpers */
void json_str(FILE *f, const char *s);
void json_header(const struct session *s, FILE *f);

#endif
