/* A small RFC 4180 CSV reader: quoted fields with embedded commas, quotes
 * ("") and line breaks, CRLF or LF record ends, a UTF-8 byte-order mark
 * skipped. Reads from a buffer held in memory; never prints. */
#ifndef NL_CLI_CSV_H
#define NL_CLI_CSV_H

#include <stddef.h>

#include "needlelog/err.h"

struct csv_reader {
	const char *p, *end;
	size_t line;        /* the line where the next record starts, from 1 */
	size_t record_line; /* the line where the last record read started */
	const char *const *names; /* column names for messages (csv_names) */
	size_t nnames;
};

/* What csv_next found. */
enum csv_result {
	CSV_END = 0,        /* no more records */
	CSV_RECORD = 1,     /* a record, every field sound text */
	CSV_BAD_TEXT = 2,   /* a record read whole, but a field holds a NUL
			     * byte or is not text (err names the field) */
	CSV_MALFORMED = -1, /* the file cannot be read on (err names the line) */
};

/* Starts reading buf[0..len). */
void csv_init(struct csv_reader *r, const char *buf, size_t len);
/* Names the columns in messages from now on ("notes: ..."); borrowed.
 * Without names, or past them, a field is "field 3". */
void csv_names(struct csv_reader *r, const char *const *names, size_t n);
/* Reads the next record into *fields / *n (free with csv_free; set for
 * CSV_RECORD and CSV_BAD_TEXT). Every field is checked as text by the core
 * (nl_text_check as a note: valid UTF-8, no control character but line
 * breaks and tabs), and a NUL byte, which would cut the field short, is
 * refused: CSV_BAD_TEXT names the first such field, and reading goes on
 * with the next record. A quote out of place or an unclosed quoted field
 * is CSV_MALFORMED. A blank line (no characters at all) is skipped. */
enum csv_result csv_next(struct csv_reader *r, char ***fields, size_t *n,
			 struct nl_err *err);
void csv_free(char **fields, size_t n);

#endif
