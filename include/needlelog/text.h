/* Values as people type them and text as it leaves the program: one place
 * for every number and date parse, every text check, the date plausibility
 * rules of shared/DOMAIN.md, the terminal sanitizer and the search fold.
 * The CLI, the TUI and the exports call these instead of their own copies,
 * so that a rule cannot disagree between faces.
 *
 * Every check returns NL_OK or NL_EDATA (exit 65) and fills err with a
 * message that names the field as the caller spelt it ("--pain", "Pain"),
 * quotes the value sanitized and clipped (nl_quote_value), and says what is
 * allowed:
 *   --pain: '11' is not a whole number from 0 to 10
 * Strings passed in are borrowed; strings returned are the caller's to
 * free(). Nothing here prints, exits, or depends on the locale. */
#ifndef NEEDLELOG_TEXT_H
#define NEEDLELOG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "needlelog/err.h"

/* ---- numbers -------------------------------------------------------------
 * Plain decimal digits only: no spaces, no '+', no hex, no exponent, no
 * inf/nan, no leading zeros ("0" and "0.5" are fine; "00", "007" and
 * "01.5" are not: a leading zero is more likely a slip than a value, and
 * strtol's octal habit makes "010" mean different things to different
 * tools). A '-' is allowed only when min < 0, and never on zero ("-0"). */

/* A whole number in [min, max]. */
int nl_parse_int(const char *field, const char *s, int min, int max, int *out,
		 struct nl_err *err);
/* A record id: a positive whole number, optionally written "#12". */
int nl_parse_id(const char *field, const char *s, int64_t *id,
		struct nl_err *err);
/* A number with at most one decimal separator, '.' or ',' ("1,5" == 1.5,
 * as the TUI has always taken it; so "1,500" is 1.5, not fifteen hundred),
 * digits on both sides of it, at most 15 digits in all (so the value is
 * the correctly rounded double, the same strtod gives), in [min, max]. */
int nl_parse_decimal(const char *field, const char *s, double min, double max,
		     double *out, struct nl_err *err);
/* A needle depth in millimetres, VOCAB_DEPTH_MIN_MM..VOCAB_DEPTH_MAX_MM. */
int nl_parse_depth(const char *field, const char *s, double *out,
		   struct nl_err *err);

/* ---- dates --------------------------------------------------------------- */

/* Exactly YYYY-MM-DD and a real calendar date, 1900-2999 (the core's
 * check_date_valid); copied into out. */
int nl_parse_date(const char *field, const char *s, char out[11],
		  struct nl_err *err);
/* Today on the machine's clock in its local time zone (DOMAIN.md: "today"
 * is the local date, not UTC). */
void nl_today_local(char out[11]);
/* "Today" as DOMAIN.md defines it: opt (a --today value) when not NULL,
 * else $NEEDLELOG_TODAY when set and not empty, else nl_today_local. A
 * given value must be a real date (NL_EDATA naming --today or
 * NEEDLELOG_TODAY). */
int nl_today(const char *opt, char out[11], struct nl_err *err);

/* A stored time ("2026-11-29T20:46:28Z", UTC) as people read it: local
 * time to the minute, "2026-11-29 21:46". Anything else is copied as it
 * is. Into out; returns out. */
#define NL_TIME_LOCAL_BUF 32
const char *nl_time_local(const char *utc, char *out, size_t size);

/* What a date is the date of: picks its rules from one table. */
enum nl_date_kind {
	NL_DATE_SESSION,     /* not after today; not before the date of birth */
	NL_DATE_DOB,         /* not after today */
	NL_DATE_CONSENT,     /* not after today; not before the date of birth */
	NL_DATE_FLAG,        /* a contraindication's date: not after today */
	NL_DATE_MEDICATION,  /* a medication's start or stop: not after today */
	NL_DATE_OTHER,       /* no plausibility rule (expiry, a flag's end) */
	NL_DATE_KIND_COUNT
};

/* NL_EDATA when the kind may not be in the future and date > today:
 *   --date: 2999-12-31 is after today (2026-11-29); a session cannot be in
 *   the future
 * NL_OK for a kind without that rule. Both dates must be real dates. */
int nl_date_not_future(const char *field, enum nl_date_kind kind,
		       const char *date, const char *today, struct nl_err *err);
/* NL_EDATA when date < other_date:
 *   --consent: 2001-01-01 is before the date of birth (2005-03-02)
 * other_what names the other date ("the date of birth"). */
int nl_date_not_before(const char *field, const char *date,
		       const char *other_what, const char *other_date,
		       struct nl_err *err);

/* One dated fact of a record, for nl_dates_plausible. */
struct nl_dated {
	enum nl_date_kind kind;
	const char *field;   /* as the message should name it */
	const char *date;    /* NULL or "" = none (skipped) */
	bool given;          /* being entered now: blamed when a pair clashes */
};
/* Every rule of DOMAIN.md ("dates that cannot be true are rejected") over
 * the facts: none given of a no-future kind after today, and no session or
 * consent before the date of birth. A fact not given (already on file) is
 * only compared with the ones given, so an edit is never blocked by what it
 * does not touch. When a pair clashes the later kind's field is blamed,
 * unless only the earlier one is given:
 *   --dob: 2010-01-01 is after the session of 2009-05-01; a date of birth
 *   cannot be after any of the patient's sessions
 * Checked in that order (each date, then the pairs); the first failure is
 * reported. */
int nl_dates_plausible(const struct nl_dated *d, size_t n, const char *today,
		       struct nl_err *err);

/* ---- text ---------------------------------------------------------------- */

enum nl_text_kind {
	NL_TEXT_LINE,  /* one line: no control character at all, no bidi
			* override or isolate (U+202A-202E, U+2066-2069), no
			* U+2028/U+2029 line or paragraph separator */
	NL_TEXT_NOTE,  /* multi-line: LF, TAB and CR LF allowed; bidi allowed */
};

/* One row of the length-limit table. Limits are bytes of UTF-8 and are the
 * core's existing ones (VOCAB_NAME_MAX, VOCAB_SHORT_MAX, VOCAB_TEXT_MAX). */
struct nl_text_field {
	const char *name;        /* "name", "phone", "notes", ... */
	enum nl_text_kind kind;
	size_t max;
	bool required;           /* must hold a character other than blanks */
};
extern const struct nl_text_field nl_text_fields[];
extern const size_t nl_text_field_count;
/* The row for a field name, ignoring a leading "--" ("--name" = "name");
 * NULL when unknown. */
const struct nl_text_field *nl_text_field_find(const char *name);

/* Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF), at
 * most max bytes, and no C0 control (but LF, TAB and CR LF in a note), no
 * DEL, no C1 control (U+0080-009F), and for a line none of the bidi and
 * separator characters above. NULL and "" pass (required-ness is the
 * table's). Byte positions in messages count from 1:
 *   --name: contains a control character (\x1b) at byte 4 */
int nl_text_check(const char *field, const char *s, enum nl_text_kind kind,
		  size_t max, struct nl_err *err);
/* nl_text_check with the kind and limit of the field's table row (and its
 * required rule); the message names the field as given. An unknown field
 * is NL_EINTERNAL: a caller's bug, not the user's. */
int nl_text_check_field(const char *field, const char *s, struct nl_err *err);

/* Any value a person gives (a command-line option, a form field): checked
 * as its table row says when field names one ("--notes" = "notes"), else
 * as one line of at most NL_VALUE_MAX bytes (ids, codes, dates, paths). The
 * required rule is not applied: an empty value may clear a field. */
#define NL_VALUE_MAX 4096
int nl_text_check_value(const char *field, const char *s, struct nl_err *err);

/* ---- output -------------------------------------------------------------- */

/* A copy of s safe to write to a terminal, with every character that could
 * drive it shown instead: ESC as \x1b, CR as \r, TAB and LF as \t and \n
 * (kept as they are when multiline, where CR LF becomes LF), other C0
 * controls and DEL as \xNN, invalid UTF-8 bytes as \xNN, C1 controls, bidi
 * controls and U+2028/U+2029 as \u{NNNN} (code points, so they cannot be
 * mistaken for a byte). Everything else, backslash included, is unchanged.
 * NULL gives "". NULL on out of memory. */
char *nl_term_safe(const char *s, bool multiline);
/* Whether s is printable ASCII only, which nl_term_safe keeps as it is
 * (most cells of a list: ids, dates, phones, codes); its length in *len. */
bool nl_term_plain(const char *s, size_t *len);
/* fputs of nl_term_safe(s, multiline), without the allocation; EOF on a
 * write error, else 0. */
int nl_term_fputs(FILE *f, const char *s, bool multiline);
/* s as one sanitized line, clipped to NL_QUOTE_WIDTH columns with "…", for
 * an error message; into buf (always terminated when size > 0); returns
 * buf. NULL gives "". */
#define NL_QUOTE_WIDTH 80
#define NL_QUOTE_BUF (NL_QUOTE_WIDTH * 4 + 8)
const char *nl_quote_value(const char *s, char *buf, size_t size);

/* ---- search --------------------------------------------------------------- */

/* s folded for search and name order: Unicode compatibility decomposition
 * (NFKD), case folded, combining marks and default-ignorable characters
 * removed, look-alike punctuation lumped (’ to ', – to -), and the Latin
 * letters that have no decomposition mapped to their base (ø, ł, đ, ħ, ı,
 * ŧ), so "adebayo" finds "Yéwándé Adébáyọ̀". Invalid UTF-8 bytes fold to
 * U+FFFD. NULL for NULL or out of memory. */
char *nl_fold(const char *s);
/* Whether nl_fold(needle) occurs in nl_fold(haystack); an empty needle
 * occurs everywhere. false on out of memory. */
bool nl_fold_contains(const char *haystack, const char *needle);

#endif
