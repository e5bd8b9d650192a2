/* Progress of a treatment series, computed from the sessions every time
 * (never stored twice): sessions done and planned, the next due date, depth
 * per area across the series, and each outcome scale against its baseline.
 * Also the cross-patient list of series due or overdue.
 *
 * "today" is always a parameter ("YYYY-MM-DD"): the CLI passes the real date
 * (check_today_utc), tests a fixed one. Voided sessions never count. */
#ifndef NEEDLELOG_PROGRESS_H
#define NEEDLELOG_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "needlelog/err.h"
#include "needlelog/record.h"
#include "needlelog/vocab.h"

enum progress_due {
	PROGRESS_UPCOMING,   /* next due after today */
	PROGRESS_DUE,        /* next due today */
	PROGRESS_OVERDUE,    /* next due before today */
	PROGRESS_COMPLETE,   /* done >= planned: nothing more is due */
	PROGRESS_INACTIVE,   /* the series' status is not "active" */
};

/* Whether a score moved the right way, given its scale's direction. */
enum progress_change {
	PROGRESS_SAME,
	PROGRESS_BETTER,
	PROGRESS_WORSE,
	PROGRESS_CHANGED,    /* the scale has no direction (pain) */
	PROGRESS_NO_BASELINE,
	PROGRESS_PATTERN,    /* ordinal: the same stage, another pattern (IIIa to III-vertex) */
};

/* A score against its baseline as the literature reads it (issue 11):
 * ordinal scales (Norwood, Ludwig) by stage, never by arithmetic; grades
 * (GAIS, Goodman-Baron qualitative) by grade; numeric scales with the
 * difference and the percentage; hair density in /cm². */
struct progress_delta {
	enum progress_change verdict;
	double change;        /* numeric: value - baseline; ordinal: stages (value's - baseline's) */
	bool has_percent;     /* numeric, baseline not 0 */
	double percent;       /* change / baseline * 100 */
	char text[160];       /* "142 to 179 /cm\u00b2: +37 (+26%), better",
			       * "IIIa to III-vertex: the same stage (III), the pattern changed",
			       * "3 to 2: 1 grade better" */
};
int progress_delta(const struct vocab_scale *sc, double baseline, double value,
		   struct progress_delta *out);
/* The stage of a staged ordinal level (Norwood "III-vertex" and "IIIa" are
 * stage 3), else the value itself. */
double progress_stage(const struct vocab_scale *sc, double value);
/* The unit a scale's values are in ("/cm\u00b2" for hair density), or "". */
const char *progress_unit(const struct vocab_scale *sc);

/* The trend of a scale across sessions: the sign of the least-squares
 * slope of value over session order, read through the scale's direction. */
enum progress_trend {
	PROGRESS_TREND_NONE,       /* fewer than two values */
	PROGRESS_TREND_IMPROVING,
	PROGRESS_TREND_STABLE,
	PROGRESS_TREND_WORSENING,
	PROGRESS_TREND_RISING,     /* no direction: going up */
	PROGRESS_TREND_FALLING,    /* no direction: going down */
};

/* One live session, in date order (number 1 is the first). */
struct progress_session {
	int64_t session_id;
	int number;
	char date[11];
	int interval_days;   /* days since the previous live session, -1 for the first */
	bool is_signed;
	size_t nwarnings;
};

/* One score on one session against the baseline. */
struct progress_point {
	size_t session;      /* index into nl_progress.sessions */
	double value;
	double change;       /* value - baseline (0 without a baseline) */
	enum progress_change verdict;
	char date[11];       /* the session's date: every score line is dated */
	struct progress_delta delta;  /* against the baseline (NO_BASELINE without) */
};

struct progress_scale {
	const struct vocab_scale *scale;
	bool has_baseline;
	double baseline;
	struct progress_point *points;  /* sessions that scored it, in order */
	size_t npoints;
	/* The latest point against the baseline (NO_BASELINE if none): */
	double latest;
	double change;
	enum progress_change verdict;
	enum progress_trend trend;
	char baseline_date[11];       /* the series' start date, "" without a baseline */
	struct progress_delta delta;  /* the latest point against the baseline */
	const char *unit;             /* progress_unit */
};

struct nl_progress {
	int64_t series_id;
	int64_t patient_id;
	int done;            /* live (not voided) sessions */
	int planned;
	int interval_days;
	char start_date[11];
	char last_date[11];  /* "" when no sessions yet */
	char next_due[11];   /* last + interval, or the start date; "" when complete/inactive */
	int days_until_due;  /* next_due - today; negative when overdue */
	enum progress_due due;
	struct progress_session *sessions;
	size_t nsessions;
	/* Depth per area: areas in first-treated order (the series' target
	 * areas first), and a nsessions x nareas table, row-major:
	 * depth_mm[i * nareas + j] is session i's depth on area j, or a
	 * negative number when that area was not treated that session;
	 * passes[] the same (0 = not recorded or not treated). A named scar is
	 * its own column: "scar:label". */
	char **areas;
	size_t nareas;
	double *depth_mm;
	int *passes;
	/* Every scale that has a baseline or a score, in vocab order. */
	struct progress_scale *scales;
	size_t nscales;
};

/* Computes the progress of a series as of today. */
int progress_series(struct record *r, int64_t series_id, const char *today,
		    struct nl_progress *out, struct nl_err *err);
void progress_free(struct nl_progress *p);

/* The due state for a next due date against today (pure). */
enum progress_due progress_due_state(const char *next_due, const char *today,
				     int *days_until);
/* The verdict for value against baseline on a scale (pure). */
enum progress_change progress_compare(const struct vocab_scale *sc,
				      double baseline, double value);
/* Short words for people: "overdue", "better", "improving", ... */
const char *progress_due_name(enum progress_due d);
const char *progress_change_name(enum progress_change c);
const char *progress_trend_name(enum progress_trend t);

/* A series due or overdue, for the cross-patient due list. */
struct nl_due {
	int64_t patient_id;
	char *patient_name;
	char *phone;          /* or NULL */
	int64_t series_id;
	char *indication;
	int done, planned;
	char last_date[11];   /* "" when no sessions yet */
	char next_due[11];
	int days_until_due;   /* negative when overdue */
	enum progress_due due;
};

/* Active series of patients not archived, with sessions still to do, whose
 * next due date is on or before today + within_days (within_days >= 0);
 * overdue first (most overdue first), then by date, patient name. */
int progress_due_list(struct record *r, const char *today, int within_days,
		      struct nl_due **out, size_t *n, struct nl_err *err);
void progress_due_list_free(struct nl_due *rows, size_t n);

#endif
