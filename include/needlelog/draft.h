/* Drafts: the TUI's open forms, saved in the encrypted record file
 * as it is edited, so a crash or an idle lock loses nothing. One draft per
 * series; the text is opaque to the core (the TUI uses JSON). Drafts are
 * working copies, not records: they are not audited and may be deleted. */
#ifndef NEEDLELOG_DRAFT_H
#define NEEDLELOG_DRAFT_H

#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"
#include "needlelog/record.h"

#define DRAFT_MAX_BYTES (1024 * 1024)

/* Saves (replaces) the draft of series_id. NL_ENOENT if no such series. */
int draft_save(struct record *r, int64_t series_id, const char *text,
	       struct nl_err *err);
/* Loads it: *text (free()) and, if saved_at is not NULL, its UTC time
 * (free()). NL_ENOENT when there is no draft. */
int draft_load(struct record *r, int64_t series_id, char **text,
	       char **saved_at, struct nl_err *err);
/* Deletes it; NL_OK when there was none. */
int draft_delete(struct record *r, int64_t series_id, struct nl_err *err);
/* The series that have a draft (free() *ids). */
int draft_list(struct record *r, int64_t **ids, size_t *n, struct nl_err *err);
/* The patients with any draft: a session form of one of their series, or
 * their profile's or a series' form (a new patient's form has no patient
 * yet and is left out); by id (free() *ids). */
int draft_patients(struct record *r, int64_t **ids, size_t *n, struct nl_err *err);

/* Drafts of the patient and series forms, one per (form, ref): form is
 * "patient" (ref: the patient, 0 = a new one), "series" (ref: the series)
 * or "series-new" (ref: the patient). Same rules as session drafts. */
int draft_form_save(struct record *r, const char *form, int64_t ref,
		    const char *text, struct nl_err *err);
/* *text (free()); NL_ENOENT when there is none. */
int draft_form_load(struct record *r, const char *form, int64_t ref,
		    char **text, struct nl_err *err);
/* NL_OK when there was none. */
int draft_form_delete(struct record *r, const char *form, int64_t ref,
		      struct nl_err *err);

#endif
