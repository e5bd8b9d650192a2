/* Shared by the clinical command groups (patient, series, session, report,
 * import, demo): option values, output formats, aligned text tables,
 * RFC 4180 CSV fields, JSON through jansson, warnings on stderr. */
#ifndef NL_CLI_OUT_H
#define NL_CLI_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "needlelog/progress.h"
#include "needlelog/record.h"
#include "cli.h"

enum out_format { OUT_TEXT = 1, OUT_CSV = 2, OUT_JSON = 4 };

/* Options shared by several commands, after OPT_FIRST_LOCAL. */
enum {
	OPT_FORMAT = OPT_FIRST_LOCAL,
	OPT_TODAY,
	OPT_PRACTITIONER,
	OPT_LOCAL, /* a command's own options start here */
};
#define OUT_FORMAT_OPTION { "format", required_argument, NULL, OPT_FORMAT }
#define OUT_TODAY_OPTION { "today", required_argument, NULL, OPT_TODAY }
#define OUT_PRACTITIONER_OPTION \
	{ "practitioner", required_argument, NULL, OPT_PRACTITIONER }

/* Parses --format's value among allowed (a mask of out_format). Returns -1
 * when valid, else the usage exit code (message printed). */
int out_parse_format(const struct cli *c, const char *s, unsigned allowed,
		     enum out_format *f);
/* A record id: a positive integer (optionally "#12"). Returns -1 when
 * valid, else the exit code: 64 (message printed). */
int out_parse_id(const struct cli *c, const char *what, const char *s,
		 int64_t *id);
/* The one positional ID of a command (optind must point at it). */
int out_positional_id(const struct cli *c, int argc, char **argv,
		      const char *what, int64_t *id);
/* An integer value of a field in [min, max]: NL_EDATA naming the field,
 * the value and the range otherwise. */
int out_parse_int(const char *field, const char *s, int min, int max, int *v,
		  struct nl_err *err);
/* A decimal; NL_EDATA when not a number. */
int out_parse_double(const char *field, const char *s, double *v,
		     struct nl_err *err);
/* SCALE=VALUE into sc (scale is a borrowed pointer into the vocab, not
 * to be freed). NL_EDATA naming the scale, the value and what is allowed. */
int out_parse_score(const char *field, const char *s, struct nl_score *sc,
		    struct nl_err *err);

/* Sets or adds a score in an owned array (the scale code is copied) from
 * "SCALE=VALUE"; "SCALE=" removes that scale's score. */
int out_score_set(const char *field, const char *spec, struct nl_score **v,
		  size_t *n, struct nl_err *err);
/* Appends a copy of s to an owned string array. */
int out_strv_add(char ***v, size_t *n, const char *s, struct nl_err *err);

/* Today: opt (--today), else $NEEDLELOG_TODAY, else the UTC date. NULL
 * with err (NL_EDATA) when the given date is not a real date. */
const char *out_today(struct cli *c, const char *opt, char buf[11], struct nl_err *err);
/* The practitioner: opt, else $NEEDLELOG_PRACTITIONER, else $USER (NULL
 * when none); also set as the audit actor. */
const char *out_practitioner(struct cli *c, const char *opt);

/* "needlelog: warning: MESSAGE" on stderr, one line each. */
void out_warnings(const struct nl_warning *w, size_t n);

/* "  Label:        value", multi-line values indented under the first
 * line; nothing when value is NULL or empty. */
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
void out_table_print(const struct out_table *t, FILE *f, enum out_format fmt);
void out_table_free(struct out_table *t);

/* One RFC 4180 field (quoted when it holds , " CR or LF). */
void out_csv_field(FILE *f, const char *s);

/* A JSON string, or null for NULL. */
json_t *out_jstr(const char *s);
/* Sets key to a new reference; ignores a NULL value. */
void out_jset(json_t *obj, const char *key, json_t *v);
/* Prints v indented on stdout with a newline, and releases it. Returns
 * the exit code (70 on out of memory). */
int out_json_print(json_t *v);

/* JSON of records (new references). */
json_t *out_json_warnings(const struct nl_warning *w, size_t n);
json_t *out_json_scores(const struct nl_score *sc, size_t n);
json_t *out_json_session(const struct nl_session *ses);
json_t *out_json_progress(const struct nl_progress *p);

/* "1.5", "0.25": a depth without trailing zeros. */
void out_mm(double mm, char *buf, size_t size);
/* "cheek-l 1.5 mm x3, chin 1 mm" */
char *out_areas_text(const struct nl_treatment *a, size_t n);
/* "hair-density 120, norwood IIIa" */
char *out_scores_text(const struct nl_score *sc, size_t n);

/* Progress as text (used by `progress` and `series show`). */
void out_progress_text(FILE *f, const struct nl_progress *p);

/* ---- patient fields (patient.c), shared with import.c ---------------- */

/* Sets a patient field by name: name, dob, phone, email, skin_type (or
 * skin-type), allergies, medications, consent, notes, flags. "" clears it.
 * flags takes "CODE[:DATE[:NOTE]]" items separated by ';' and adds them.
 * NL_EDATA for an unknown field or value. p's strings are owned. */
int patient_set_field(struct nl_patient *p, const char *field,
		      const char *value, struct nl_err *err);
/* Adds or replaces one flag from "CODE[:DATE[:NOTE]]". */
int patient_add_flag(struct nl_patient *p, const char *spec,
		     struct nl_err *err);
/* Whether a flag is in force on day today; *until gets the end of its
 * window ("" when it has none). */
bool patient_flag_in_force(const struct nl_flag *f, const char *today,
			   char until[11]);

#endif
