/* Export of a patient's follow-up summary (text, Markdown, CSV, FHIR R4
 * JSON, PDF). An export reads the record and never changes it; it writes
 * one audit row (AUDIT_EXPORT on the patient: format, series and file).
 *
 * An exported file holds plaintext health data: it is created new with mode
 * 0600 (O_CREAT|O_EXCL) and an existing path is refused (NL_EEXIST). */
#ifndef NEEDLELOG_EXPORT_H
#define NEEDLELOG_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "needlelog/err.h"
#include "needlelog/record.h"

enum export_format { EXPORT_TEXT, EXPORT_MD, EXPORT_CSV, EXPORT_FHIR, EXPORT_PDF };

/* "text", "md" (or "markdown"), "csv", "fhir", "pdf"; NL_EUSAGE if unknown
 * (out untouched). */
int export_format_parse(const char *name, enum export_format *out);
/* The format's name as export_format_parse takes it ("md"). */
const char *export_format_name(enum export_format fmt);
/* The usual file name ending, without the dot: "txt", "md", "csv", "json",
 * "pdf" (for a suggested file name, e.g. in the TUI). */
const char *export_format_ext(enum export_format fmt);
/* false for PDF, which needs a file. */
bool export_format_textlike(enum export_format fmt);

/* Writes the follow-up summary of a patient (one series, or all when
 * series_id is 0) to path — created new with mode 0600, NL_EEXIST if it
 * exists — or to stdout when path is NULL (text-like formats only; PDF
 * needs a path: NL_EUSAGE). Changes no record; appends an audit row (who
 * exported what, when, in which format). NL_ENOENT for an unknown patient,
 * or a series that is not the patient's. On error a partly written file is
 * removed. */
int export_write(struct record *r, int64_t patient_id, int64_t series_id,
		 enum export_format fmt, const char *path, struct nl_err *err);

/* How a summary is written; all zero is the default. */
struct export_opts {
	bool no_bom;   /* csv: no UTF-8 byte order mark first (by default
			* there is one, so that spreadsheets read UTF-8) */
	bool photos;   /* pdf: each view's baseline and latest photograph side
			* by side; fhir: Media with the image inline. Only
			* for a series whose clinical-photography consent in
			* force covers it (else withheld, and the summary says
			* so); each photograph sent is audited. Text and
			* Markdown list the photos' facts whatever this is. */
};
/* export_write with options (NULL = the default). */
int export_write_opts(struct record *r, int64_t patient_id, int64_t series_id,
		      enum export_format fmt, const char *path,
		      const struct export_opts *opts, struct nl_err *err);

/* The same to an open stream (text-like formats only), with the same audit
 * row, written before the output (which cannot be taken back); detail names
 * the destination ("stdout" when dest is NULL). */
int export_write_stream(struct record *r, int64_t patient_id,
			int64_t series_id, enum export_format fmt, FILE *out,
			const char *dest, struct nl_err *err);

#endif
