/* The CLI's one output layer, shared by every command: output formats,
 * aligned text tables and CSV (through the core's CSV writer, with its
 * formula guard), JSON through jansson, warnings on stderr. Every human-
 * readable line goes through the core's terminal sanitizer, so a stored
 * value cannot drive the terminal. */
#ifndef NL_CLI_OUT_H
#define NL_CLI_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "needlelog/csvw.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "cli.h"

enum out_format { OUT_TEXT = 1, OUT_CSV = 2, OUT_JSON = 4 };

/* --format among the allowed (a mask of out_format; text is the default). */
int out_format(struct cli *c, unsigned allowed, enum out_format *f,
	       struct nl_err *err);

/* Every SCALE=VALUE of the repeatable option name into the owned array
 * (the core refuses a scale given twice, naming it: 64). */
int out_scores(struct cli *c, const char *name, struct nl_score **v, size_t *n,
	       struct nl_err *err);

/* A show command's steps: --format text|json, its one argument the id of
 * what, read into state, printed as JSON or text, state freed. */
struct out_show {
	const char *what;  /* "series" */
	int (*read)(struct cli *c, int64_t id, void *state, struct nl_err *err);
	json_t *(*json)(const void *state);
	int (*text)(const void *state, struct nl_err *err);
	void (*release)(void *state);
};
int out_show(struct cli *c, const struct out_show *how, void *state, struct nl_err *err);

/* The shared --format and --bom options for a command's table. */
#define OUT_OPT_FORMAT(list) { "format", "FMT", 0, list }
#define OUT_OPT_BOM \
	{ "bom", NULL, 0, "start CSV output with a UTF-8 byte order mark (for\n" \
	  "spreadsheets)" }

/* "needlelog: warning: MESSAGE" on stderr, one line each, sanitized. */
void out_warnings(const struct nl_warning *w, size_t n);
/* One line of stored text, sanitized (control characters shown). */
void out_text(FILE *f, const char *s);
/* A formatted line holding stored text, sanitized, with its newline. */
void out_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "  Label:        value", multi-line values indented under the first
 * line, sanitized; nothing when value is NULL or empty. */
void out_field(FILE *f, int indent, const char *label, const char *value);

/* Display columns of UTF-8 text (wide characters count 2). */
size_t out_width(const char *s);
/* Writes s and pads it with spaces to width columns. */
void out_pad(FILE *f, const char *s, size_t width);

/* A table of text cells: aligned columns for people, or CSV. */
struct out_table {
	size_t ncols, nrows, cap;
	const char *const *head;
	char **cells;          /* nrows x ncols, owned */
	unsigned right;        /* bit i: column i is right-aligned */
};
void out_table_init(struct out_table *t, const char *const *head,
		    size_t ncols);
/* Adds a row of ncols cells (copied; NULL prints as empty); -1 on OOM. */
int out_table_row(struct out_table *t, const char *const *cells);
/* Prints the table: aligned and sanitized text, or CSV (with a byte order
 * mark when bom). NL_EIO on a write error. */
int out_table_print(struct out_table *t, FILE *f, enum out_format fmt, bool bom,
		    struct nl_err *err);
void out_table_free(struct out_table *t);

/* The same table printed row by row, holding no row: memory flat however
 * many rows. Text needs each column's width before the first row, so the
 * caller passes over its rows twice: out_stream_measure for each, then
 * out_stream_begin, out_stream_row for each, out_stream_end; the output is
 * out_table_print's. CSV needs no first pass (measure does nothing). */
#define OUT_STREAM_MAXCOLS 32
struct out_stream {
	struct out_table t;    /* head, ncols and right; no cells */
	enum out_format fmt;
	FILE *f;
	bool bom;
	size_t *w;             /* text: each column's width so far */
	struct nl_csv csv;
};
int out_stream_init(struct out_stream *s, const char *const *head, size_t ncols,
		    unsigned right, enum out_format fmt, FILE *f, bool bom,
		    struct nl_err *err);
int out_stream_measure(struct out_stream *s, const char *const *cells,
		       struct nl_err *err);
int out_stream_begin(struct out_stream *s, struct nl_err *err);
int out_stream_row(struct out_stream *s, const char *const *cells, struct nl_err *err);
int out_stream_end(struct out_stream *s, struct nl_err *err);
void out_stream_free(struct out_stream *s);

/* A JSON array printed element by element, as out_json_print prints the
 * whole array: out_json_item for each (index from 0; takes v), then
 * out_json_items_end with their number. */
int out_json_item(size_t index, json_t *v, struct nl_err *err);
int out_json_items_end(size_t n, struct nl_err *err);

/* A JSON string, or null for NULL. */
json_t *out_jstr(const char *s);
/* Sets key to a new reference; ignores a NULL value. */
void out_jset(json_t *obj, const char *key, json_t *v);
/* Prints v indented on stdout with a newline, and releases it. */
int out_json_print(json_t *v, struct nl_err *err);

/* JSON of records (new references). */
json_t *out_json_warnings(const struct nl_warning *w, size_t n);
json_t *out_json_scores(const struct nl_score *sc, size_t n);
json_t *out_json_session(const struct nl_session *ses);
/* The plan's phases: [{"count": 12, "interval_days": 7}, ...]. */
json_t *out_json_phases(const struct nl_series *sr);
/* The progress of series sr, with its plan in words (plan_text). */
json_t *out_json_progress(const struct nl_progress *p, const struct nl_series *sr);

/* Progress as text (used by `progress` and `series show`): the plan in
 * words, due dates, depth per area, and each score dated against the
 * baseline as the core reads it (progress_delta). */
void out_progress_text(FILE *f, const struct nl_progress *p, const struct nl_series *sr);

#endif
