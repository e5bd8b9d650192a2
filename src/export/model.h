/* The export model: everything a summary shows, loaded once by export.c
 * (patient, series, sessions with their effective values and amendments,
 * progress). The writers only format it; they never touch the store. */
#ifndef NL_EXPORT_MODEL_H
#define NL_EXPORT_MODEL_H

#include <stdbool.h>
#include <stdio.h>

#include "needlelog/clinical.h"
#include "needlelog/err.h"
#include "needlelog/photo.h"
#include "needlelog/progress.h"
#include "needlelog/record.h"

struct xm_photo_pair {
	const char *view;   /* the view's code (in photos[base]) */
	long base, now;     /* indexes into photos; base == now for one photo */
};

struct xm_series {
	struct nl_series series;
	struct nl_progress progress;        /* live sessions only */
	struct nl_session_view *sessions;   /* every session, voided too, by date */
	size_t nsessions;
	/* Photographs: the metadata of every photo of the series (by date
	 * taken), always; whether a clinical-photography consent in force
	 * covers putting them in a summary today; per view, the comparison
	 * pair (photo_pair: indexes into photos). */
	struct nl_photo *photos;
	size_t nphotos;
	bool photos_allowed;
	struct xm_photo_pair *pairs;
	size_t npairs;
	/* The bytes of photos[i] (xm_load_photo_data), else NULL. */
	unsigned char **photo_data;
	size_t *photo_len;
};

struct xm {
	struct nl_patient patient;
	struct xm_series *series;
	size_t nseries;
	char today[11];
	char generated_at[21];     /* UTC timestamp */
	const char *practice;      /* or NULL */
	const char *actor;         /* who exports (the audit "who"), or NULL */
	const char *recipient;     /* who it is for, or NULL */
	bool csv_bom;              /* csv: a UTF-8 byte order mark first */
	char file_id[37];          /* the record file's id as a UUID (identity) */
	struct nl_consent *consents;  /* every consent record, withdrawn too */
	size_t nconsents;
	bool photo_images;         /* --photos: the images go in (pdf, fhir) */
};

/* The writers. Each returns NL_OK or NL_EIO (write error) / NL_ENOMEM. */
int xw_text(const struct xm *m, FILE *out, struct nl_err *err);
int xw_md(const struct xm *m, FILE *out, struct nl_err *err);
int xw_csv(const struct xm *m, FILE *out, struct nl_err *err);
int xw_fhir(const struct xm *m, FILE *out, struct nl_err *err);
int xw_pdf(const struct xm *m, FILE *out, struct nl_err *err);

/* Loads the model (export.c) in one read snapshot / frees it: for the
 * writers, and for tests of a writer's layout. */
int xm_load(struct record *r, int64_t patient_id, int64_t series_id,
	    struct xm *m, struct nl_err *err);
void xm_free(struct xm *m);
/* Reads the bytes (kind) of the photos a summary may show (photos_allowed
 * series only): the comparison pairs' (pairs_only), else every photo's;
 * sets m->photo_images. */
int xm_load_photo_data(struct record *r, struct xm *m, enum photo_kind kind,
		       bool pairs_only, struct nl_err *err);
/* "face, frontal" from "frontal". */
const char *xm_photo_view_label(const char *code);
/* A photo's view as people read it: "face, frontal"; a site by its area
 * and label, "Scar (appendectomy)". Returns buf. */
const char *xm_photo_view_text(const struct nl_photo *ph, char *buf, size_t size);
/* One photo's facts: "photo 12: face, frontal; baseline; taken
 * 2026-01-05 by Dr A". Returns buf. */
const char *xm_photo_text(const struct nl_photo *ph, char *buf, size_t size);
/* Why a series' images are not in the summary, or NULL when they are:
 * no consent covers it, or images were not asked for (or not in fmt). */
const char *xm_photo_withheld(const struct xm *m, const struct xm_series *xs);

/* ---- the PDF's layout, for tests (pdf.c) ---- */

enum xw_box_kind { XW_BOX_TICK, XW_BOX_LABEL, XW_BOX_LEGEND, XW_BOX_MARKER,
		   XW_BOX_PHOTO };
/* A box the PDF's charts drew text or a marker in, in points (the photo
 * pages count as charts: each view's pair is one, a photo and its caption
 * boxes). */
struct xw_box {
	int page, chart;
	enum xw_box_kind kind;
	int series;            /* the line it belongs to (area), or -1 */
	double x, y, w, h;
	char text[48];
};
struct xw_layout {
	struct xw_box *boxes;
	size_t n, cap;
	int pages, charts;
};
/* Lays the PDF out (to no file) and returns every chart's boxes. */
int xw_pdf_layout(const struct xm *m, struct xw_layout *out, struct nl_err *err);
void xw_layout_free(struct xw_layout *l);
/* Whether two boxes overlap (touching edges do not). */
bool xw_box_overlap(const struct xw_box *a, const struct xw_box *b);

/* ---- shared formatting helpers (export.c) ---- */

/* "Female" from "female"; "" for NULL. */
const char *xm_sex_label(const char *code);
/* An allergy, medication, consent or phase as one line for people:
 * "Lidocaine (topical anaesthetic): hives, severe; noted 2024-05-01"
 * (malloc'd or NULL). */
char *xm_allergy_text(const struct nl_allergy *a);
char *xm_medication_text(const struct nl_medication *m);
char *xm_consent_text(const struct nl_consent *c);
/* The plan's phases: "12 weekly, then 6 every 4 weeks" (plan_text). */
const char *xm_plan_text(const struct nl_series *sr, char *buf, size_t size);
/* A session's traceable lots: "cartridge lot L123 (exp. 2027-01-31);
 * hyaluronic acid lot H9" (malloc'd or NULL when none). */
char *xm_lots_text(const struct nl_session *ses);

/* A session's number among the live sessions of its series (1-based), or 0
 * when it is voided. */
int xm_session_number(const struct xm_series *xs, int64_t session_id);
/* Labels from the vocabularies, falling back to the code. */
const char *xm_indication_label(const char *code);
const char *xm_status_label(const char *code);
const char *xm_endpoint_label(const char *code);
const char *xm_scale_label(const char *code);
/* "Cheek, left" or "Scar (appendectomy)". */
void xm_area_label(const char *area, const char *label, char *buf, size_t size);
/* A progress column "cheek-l" / "scar:appendectomy" as a label. */
void xm_progress_area_label(const char *col, char *buf, size_t size);
/* "1.5", "0.25": the shortest form of a depth with at most 2 decimals. */
void xm_depth(double mm, char *buf, size_t size);
/* A score as people read it ("IIIa", "3", "12.5"). */
void xm_score(const char *scale, double value, char *buf, size_t size);
/* "signed 2026-01-05T10:00:00Z by Dr A", "not signed", "VOIDED: reason";
 * plus "; amended N times (latest DATE: reason)". Returns buf. */
const char *xm_session_status(const struct nl_session_view *v, char *buf,
			      size_t size);
/* Areas with depth and passes: "Cheek, left 1.5 mm x3; Chin 1 mm". */
char *xm_areas_text(const struct nl_session *ses);   /* malloc'd or NULL */
/* Items joined with sep ("; "), or NULL when there are none. */
char *xm_join(char *const *items, size_t n, const char *sep);
/* Scores with their scale labels: "... (Narins) 3; Patient satisfaction 8"
 * (malloc'd, or NULL when there are none). */
char *xm_scores_text(const struct nl_score *sc, size_t n);
/* "2026-03-30 (in 10 days)", "... (overdue by 3 days)", "none: ...".
 * Returns buf. */
const char *xm_next_due_text(const struct nl_progress *p, char *buf, size_t size);

#endif
