/* Validation (hard limits: rejected) and safety checks (warnings: recorded)
 * for the clinical record, plus the calendar-date helpers they rest on.
 *
 * Hard-limit failures return NL_EDATA with a message naming the field, the
 * value and what is allowed, e.g.
 *   "areas[2] cheek-l: depth 3.5 mm is outside the allowed 0.1-3.0 mm".
 * Warnings never block a save; record_session_add stores them with the
 * session. check_session_preview gives the same warnings before saving,
 * for a form that checks as the user types. */
#ifndef NEEDLELOG_CHECK_H
#define NEEDLELOG_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"
#include "needlelog/record.h"
#include "needlelog/store.h"

/* Warning codes (struct nl_warning.code). */
#define CHECK_W_DEPTH_RANGE     "depth-range"      /* outside the usual range for area+indication */
#define CHECK_W_ISOTRETINOIN    "isotretinoin"     /* within 6 months of the last dose */
#define CHECK_W_FLAG            "contraindication" /* a flag in force (no end date, or a window) */
#define CHECK_W_INTERVAL_SHORT  "interval-short"   /* < planned interval - 7 days, or < 7 days */
#define CHECK_W_SKIN_DEPTH      "skin-type-depth"  /* Fitzpatrick IV-VI and depth > 1.5 mm */
#define CHECK_W_SKIN_INTERVAL   "skin-type-interval" /* Fitzpatrick IV-VI and interval < 28 days */
#define CHECK_W_PAST_PLANNED    "past-planned"     /* the series is past its planned count */
#define CHECK_W_NO_CONSENT      "no-consent"       /* no treatment consent in force for the indication */
#define CHECK_W_BEFORE_START    "before-start"     /* dated before the series' start: a late entry */
#define CHECK_W_ALLERGEN        "allergen"         /* an anaesthetic or product holds an allergen on file */
#define CHECK_W_NICKEL          "nickel"           /* a nickel allergy and steel needles (once a session) */
#define CHECK_W_BLEEDING        "bleeding-risk"    /* an active anticoagulant or antiplatelet */
#define CHECK_W_EXPIRED         "expired"          /* a cartridge or product past its expiry */

#define CHECK_INTERVAL_SLACK_DAYS 7
#define CHECK_INTERVAL_FLOOR_DAYS 7
#define CHECK_DARK_SKIN_MIN 4            /* Fitzpatrick IV */
#define CHECK_DARK_SKIN_DEPTH_MM 1.5
#define CHECK_DARK_SKIN_INTERVAL_DAYS 28

/* ---- dates --------------------------------------------------------------
 * A day number counts days from 1970-01-01 (proleptic Gregorian). */

/* true if s is exactly "YYYY-MM-DD" and a real calendar date (1900-2999). */
bool check_date_valid(const char *s);
/* Parses a date into a day number; NL_EDATA naming field when invalid. */
int check_date_parse(const char *field, const char *s, int32_t *day,
		     struct nl_err *err);
/* Formats a day number as "YYYY-MM-DD" into out. */
void check_date_format(int32_t day, char out[11]);
/* date + days into out; NL_EDATA if date is invalid. */
int check_date_add_days(const char *date, int days, char out[11],
			struct nl_err *err);
/* date + months, clamped to the month's last day (08-31 + 6 = 02-28/29). */
int check_date_add_months(const char *date, int months, char out[11],
			  struct nl_err *err);
/* *days = to - from (negative when to is earlier). */
int check_date_diff(const char *from, const char *to, int *days,
		    struct nl_err *err);
/* The current UTC timestamp (today's local date: nl_today_local, text.h). */
void check_now_utc(char out[21]);

/* ---- hard limits (pure; no store) ------------------------------------- */

int check_patient(const struct nl_patient *p, struct nl_err *err);
int check_series(const struct nl_series *sr, struct nl_err *err);
int check_session(const struct nl_session *ses, struct nl_err *err);
/* One score against its scale (field is the message's field name). */
int check_score(const char *field, const struct nl_score *sc,
		struct nl_err *err);
/* value as the core's text table (text.h) says for its row ("notes",
 * "name", ...): valid UTF-8, no control characters but newline and tab in
 * a note, the row's length limit, and a value where the row requires one;
 * messages name field. */
int check_text(const char *field, const char *row, const char *value,
	       struct nl_err *err);

/* The one answer to "is this flag in force on date": not after its end
 * date, and for a flag with a window (isotretinoin: 6 months from the last
 * dose) on or before the window's last day, which until gets ("" for a
 * flag without one). Every command, screen and export asks this. */
bool check_flag_in_force(const struct nl_flag *f, const char *date,
			 char until[11]);

/* ---- warnings ----------------------------------------------------------- */

/* What the warnings need to know besides the session itself. */
struct check_context {
	const struct nl_patient *patient;
	const struct nl_series *series;
	const char *prev_date;  /* the latest other live session on or before
				 * this one's date, or NULL for the first */
	int prior_count;        /* other live (not voided) sessions in the series */
	/* This session's number in the series by date (1-based), for the
	 * phase it falls in; 0 = prior_count + 1. */
	int number;
	/* The patient's consent records (clinical.h). When not loaded (a
	 * context built by hand), the patient's consent_date stands for one
	 * treatment consent covering every indication. */
	const struct nl_consent *consents;
	size_t nconsents;
	bool consents_loaded;
};

/* The warning rules are one table in check.c: each row a code, its
 * condition and what it checks, in words (for `needlelog vocab` and the
 * docs). The session's warnings come from every row's condition in order. */
extern const size_t check_rule_count;
const char *check_rule_code(size_t i);   /* NULL past the end */
const char *check_rule_about(size_t i);

/* The safety warnings for a session that passed check_session. Appends to
 * *w / *n (start them at NULL / 0); free with record_warnings_free. */
int check_session_warnings(const struct check_context *ctx,
			   const struct nl_session *ses, struct nl_warning **w,
			   size_t *n, struct nl_err *err);

/* Validates a session against the hard limits and the record file (its
 * series must exist), then gives its warnings, writing nothing. self_id is
 * the session being edited or amended (left out of the interval and count),
 * 0 for a new one. */
int check_session_preview(struct record *r, const struct nl_session *ses,
			  int64_t self_id, struct nl_warning **w, size_t *n,
			  struct nl_err *err);

#endif
