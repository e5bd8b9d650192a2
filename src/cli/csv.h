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
};

/* Starts reading buf[0..len). */
void csv_init(struct csv_reader *r, const char *buf, size_t len);
/* Reads the next record into *fields / *n (free with csv_free).
 * Returns 1 with a record, 0 at the end, or -1 with err (NL_EDATA naming
 * the line) for a malformed record or invalid UTF-8. A blank line (no
 * characters at all) is skipped. */
int csv_next(struct csv_reader *r, char ***fields, size_t *n,
	     struct nl_err *err);
void csv_free(char **fields, size_t n);

#endif
