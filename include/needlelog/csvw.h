/* Writing CSV for spreadsheets, safely: RFC 4180 quoting, CRLF row ends,
 * an optional UTF-8 byte order mark (Excel needs it to read UTF-8), the
 * OWASP guard against formula injection, and no control character that
 * could drive a terminal the file is printed on.
 *
 *   struct nl_csv w;
 *   nl_csv_init(&w, f, ',', true);
 *   nl_csv_field(&w, "name"); nl_csv_field(&w, "depth_mm");
 *   nl_csv_end_row(&w);
 *   ...
 *   rc = nl_csv_finish(&w, err);
 *
 * Each call returns the writer's status: NL_OK, or NL_EIO from the first
 * failed write on (later calls then write nothing). */
#ifndef NEEDLELOG_CSVW_H
#define NEEDLELOG_CSVW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "needlelog/err.h"

struct nl_csv {
	FILE *f;        /* borrowed */
	char sep;       /* ',', ';' or '\t' */
	size_t col;     /* fields written in the current row */
	int status;     /* NL_OK, or NL_EIO / NL_EUSAGE once something failed */
};

/* Starts a writer on f; writes EF BB BF first when bom. NL_EUSAGE for a
 * separator other than ',', ';' or TAB. */
int nl_csv_init(struct nl_csv *w, FILE *f, char sep, bool bom);
/* One field (NULL = empty). It is quoted, with quotes doubled, when it
 * holds the separator, ',', ';', '"', TAB, CR or LF, or is guarded. It is
 * guarded (a ' inside the quotes) when it starts with = + - @ TAB or CR,
 * unless it is exactly a plain number, -?[0-9]+(.[0-9]+)? : such a cell is
 * data, and a spreadsheet reads "-2" as minus two, not as a formula ("-2+3"
 * is not a plain number, so it is guarded). CR LF becomes LF; every other
 * control character (C0 but LF and TAB, DEL, C1) and every invalid UTF-8
 * byte is written as its visible escape, as nl_term_safe shows it. */
int nl_csv_field(struct nl_csv *w, const char *s);
/* Ends the row with CR LF. */
int nl_csv_end_row(struct nl_csv *w);
/* n fields and the row's end. */
int nl_csv_row(struct nl_csv *w, const char *const *cells, size_t n);
/* Flushes f; NL_OK, or the status with a message in err. */
int nl_csv_finish(struct nl_csv *w, struct nl_err *err);

#endif
