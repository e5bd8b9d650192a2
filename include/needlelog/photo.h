/* Clinical photographs (DOMAIN.md "Photographs"): the facts of each photo
 * and its bytes, inside the encrypted record file (docs/file-format.md,
 * "Photographs"). The core stores and reads bytes it is given; decoding,
 * orientation and metadata stripping are the image module's (image.h),
 * which knows nothing of the record.
 *
 * record.h's conventions hold: borrowed in, owned out (free with the
 * matching _free), NL_EDATA naming the field and what is allowed with
 * nothing written, every write one audited transaction. Photographs are
 * never changed or deleted (triggers refuse it in the file itself). */
#ifndef NEEDLELOG_PHOTO_H
#define NEEDLELOG_PHOTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "needlelog/clinical.h"
#include "needlelog/err.h"
#include "needlelog/record.h"

/* Standard views: face (frontal, oblique-l/-r at 45°, lateral-l/-r at
 * 90°), scalp (vertex, hairline, part, temporal-l/-r, occipital,
 * marked-site for the hair-count site), and "site" for a body area or scar
 * (needs an area; a free label names it further). */
extern const struct clin_code photo_views[];
extern const size_t photo_view_count;
/* baseline (before the first session), session (before a session),
 * follow-up (after the last). */
extern const struct clin_code photo_timepoints[];
extern const size_t photo_timepoint_count;

#define PHOTO_VIEW_SITE "site"
#define PHOTO_LABEL_MAX 200

struct nl_photo {
	int64_t id;           /* 0 on add */
	int64_t patient_id;   /* required */
	int64_t series_id;    /* 0 = none; else the patient's */
	int64_t session_id;   /* 0 = none; else a session of series_id */
	char *view;           /* photo_views */
	char *area;           /* optional vocab area; required for "site" */
	char *label;          /* optional free text */
	char *timepoint;      /* photo_timepoints; NULL on add = "session" if a
			       * session is given, else "baseline" when the
			       * series has no session yet, else "follow-up" */
	char *taken;          /* date taken: not after today, not before birth */
	char *taken_by;       /* NULL on add = the handle's actor */
	char *source;         /* out: the format it came in (jpeg png webp heif) */
	int width, height;    /* of the stored image */
	int64_t bytes;        /* of the stored image */
	char *created_at;     /* out only */
};

/* The bytes to store, made by image_import: the image and its preview
 * (both JPEG). Borrowed. */
struct photo_bytes {
	const unsigned char *image;
	size_t image_len;
	const unsigned char *preview;
	size_t preview_len;
	const char *source;   /* jpeg, png, webp, heif */
	int width, height;
};

enum photo_kind { PHOTO_IMAGE, PHOTO_PREVIEW };

/* Validates in (vocabularies, dates, that the series and session belong
 * to the patient) and that clinical-photography consent covering the
 * series' indication is in force both on the day taken and today.
 * NL_ENOENT for a missing patient, series or session; NL_EDATA otherwise,
 * naming the field. Reads only: call it before decoding anything. A NULL
 * taken is checked as today. */
int photo_check(struct record *r, const struct nl_photo *in, struct nl_err *err);

/* Stores one photograph (photo_check first, again) and its bytes in one
 * transaction; *id gets its id. The timepoint is resolved as nl_photo
 * says; taken must be set. */
int photo_add(struct record *r, const struct nl_photo *in, const struct photo_bytes *b,
	      int64_t *id, struct nl_err *err);

int photo_get(struct record *r, int64_t id, struct nl_photo *out, struct nl_err *err);

/* A patient's photos (series_id 0: all; view NULL: every view), by date
 * taken then id. Never reads image bytes. */
int photo_list(struct record *r, int64_t patient_id, int64_t series_id,
	       const char *view, struct nl_photo **out, size_t *n, struct nl_err *err);
/* The photos of a series for one view, by date taken then id. */
int photo_series_view(struct record *r, int64_t series_id, const char *view,
		      struct nl_photo **out, size_t *n, struct nl_err *err);
/* The views a series has photos of, in the order of photo_views. */
int photo_series_views(struct record *r, int64_t series_id, char ***views,
		       size_t *n, struct nl_err *err);

/* THE comparison rule: the reference is the earliest baseline photo (else
 * the earliest), "now" the latest; indexes into v (sorted by date), -1 when
 * v is empty. Pure. */
void photo_pair(const struct nl_photo *v, size_t n, long *base, long *now);

/* The stored bytes of one rendition (a malloc'd copy: free with
 * photo_data_free, which zeroes it). Audited as a view of the record when
 * audit is true (an export to a file). */
int photo_read(struct record *r, int64_t id, enum photo_kind kind,
	       unsigned char **data, size_t *len, struct nl_err *err);
void photo_data_free(unsigned char *data, size_t len);
/* Writes the audit row of an export of photo id to a file. */
int photo_audit_export(struct record *r, int64_t id, const char *dest,
		       struct nl_err *err);

/* Recomputes every stored rendition's digest: *checked counts photos,
 * *bad (malloc'd, may be NULL) lists the ids whose bytes do not match. */
int photo_verify(struct record *r, size_t *checked, int64_t **bad, size_t *nbad,
		 struct nl_err *err);

/* Whether photos may go into a summary of patient's series (0: any) today:
 * clinical-photography consent in force covering its indication. */
int photo_export_allowed(struct record *r, int64_t patient_id, int64_t series_id,
			 bool *yes, struct nl_err *err);

void photo_free(struct nl_photo *p);
void photo_list_free(struct nl_photo *v, size_t n);

#endif
