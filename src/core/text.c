/* Values as people type them and text as it leaves the program (text.h):
 * number and date parses, date plausibility, text checks, the terminal
 * sanitizer and the search fold. Locale-free on purpose: the TUI calls
 * setlocale(LC_ALL, ""), and strtod would then want "1,5" in one locale
 * and "1.5" in another. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <utf8proc.h>

#include "core.h"
#include "needlelog/check.h"
#include "needlelog/text.h"
#include "needlelog/vocab.h"
#include "text_int.h"

/* ---- characters ----------------------------------------------------------
 * Every character the checks reject or the sanitizer shows, in one table;
 * the first row that holds a code point wins. */

enum cp_class {
	CC_KEEP_MULTI,  /* TAB, LF: fine in a note, shown escaped in a line */
	CC_CR,          /* fine in a note only as CR LF */
	CC_CONTROL,     /* C0, DEL, C1: never fine */
	CC_FORMAT,      /* bidi controls, line separators: fine in a note */
};

static const struct cp_row {
	uint32_t lo, hi;
	enum cp_class cls;
	const char *what;
} cp_rows[] = {
	{ 0x09, 0x0a, CC_KEEP_MULTI, "a tab or line break" },
	{ 0x0d, 0x0d, CC_CR, "a carriage return" },
	{ 0x00, 0x1f, CC_CONTROL, "a control character" },
	{ 0x7f, 0x9f, CC_CONTROL, "a control character" },
	{ 0x2028, 0x2029, CC_FORMAT, "a line separator" },
	{ 0x202a, 0x202e, CC_FORMAT, "a bidirectional control character" },
	{ 0x2066, 0x2069, CC_FORMAT, "a bidirectional control character" },
};

static const struct cp_row *cp_find(uint32_t cp)
{
	for (size_t i = 0; i < COUNT(cp_rows); i++)
		if (cp >= cp_rows[i].lo && cp <= cp_rows[i].hi)
			return &cp_rows[i];
	return NULL;
}

size_t text_decode(const char *s, size_t len, uint32_t *cp)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s,
					      (utf8proc_ssize_t)(len < 4 ? len : 4), &c);

	if (n <= 0)
		return 0;
	*cp = (uint32_t)c;
	return (size_t)n;
}

/* How a shown character is written: TAB, LF and CR by name, other bytes
 * below U+0080 as \xNN, code points above as \u{N}. */
static size_t escape_cp(uint32_t cp, char piece[16])
{
	static const char named[][3] = { [0x09] = "\\t", [0x0a] = "\\n", [0x0d] = "\\r" };

	if (cp < COUNT(named) && named[cp][0])
		return (size_t)snprintf(piece, 16, "%s", named[cp]);
	if (cp < 0x80)
		return (size_t)snprintf(piece, 16, "\\x%02x", (unsigned)cp);
	return (size_t)snprintf(piece, 16, "\\u{%x}", (unsigned)cp);
}

static bool kept(const struct cp_row *r, enum text_policy policy)
{
	if (!r)
		return true;
	if (r->cls == CC_KEEP_MULTI)
		return policy != TP_LINE;
	if (r->cls == CC_FORMAT)
		return policy == TP_CSV;
	return false;
}

size_t text_piece(const char *s, size_t len, enum text_policy policy,
		  char piece[16], size_t *used, int *cols)
{
	uint32_t cp;
	size_t n = text_decode(s, len, &cp);
	const struct cp_row *r;

	if (n == 0) {
		*used = 1;
		*cols = 4;
		return (size_t)snprintf(piece, 16, "\\x%02x", (unsigned char)s[0]);
	}
	*used = n;
	r = cp_find(cp);
	if (r && r->cls == CC_CR && policy != TP_LINE && len > 1 && s[1] == '\n') {
		*cols = 0;
		piece[0] = '\0';
		return 0;
	}
	if (kept(r, policy)) {
		int w = utf8proc_charwidth((utf8proc_int32_t)cp);

		*cols = w < 0 ? 0 : w;
		memcpy(piece, s, n);
		piece[n] = '\0';
		return n;
	}
	n = escape_cp(cp, piece);
	*cols = (int)n;
	return n;
}

/* ---- output -------------------------------------------------------------- */

char *nl_term_safe(const char *s, bool multiline)
{
	size_t len = s ? strlen(s) : 0, o = 0;
	char *out = malloc(len * 4 + 1);   /* no piece is over 4 bytes a byte */
	enum text_policy p = multiline ? TP_MULTI : TP_LINE;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		char piece[16];
		size_t used, k;
		int cols;

		/* printable ASCII is in no row of the table: always kept as is
		 * (most of a list's cells; the lists print thousands) */
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			out[o++] = s[i++];
			continue;
		}
		k = text_piece(s + i, len - i, p, piece, &used, &cols);
		memcpy(out + o, piece, k);
		o += k;
		i += used;
	}
	out[o] = '\0';
	return out;
}

bool nl_term_plain(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p >= 0x20 && *p < 0x7f)
		p++;
	*len = (size_t)(p - (const unsigned char *)s);
	return !*p;
}

int nl_term_fputs(FILE *f, const char *s, bool multiline)
{
	size_t len = s ? strlen(s) : 0;
	enum text_policy p = multiline ? TP_MULTI : TP_LINE;

	for (size_t i = 0; i < len;) {
		char piece[16];
		size_t used;
		int cols;

		if (text_piece(s + i, len - i, p, piece, &used, &cols) && fputs(piece, f) == EOF)
			return EOF;
		i += used;
	}
	return ferror(f) ? EOF : 0;
}

const char *nl_quote_value(const char *s, char *buf, size_t size)
{
	static const char ellipsis[] = "\xe2\x80\xa6";   /* …, with its NUL */
	size_t len = s ? strlen(s) : 0, o = 0, cut = 0, i = 0;
	int width = 0;

	if (size == 0)
		return buf;
	while (i < len) {
		char piece[16];
		size_t used;
		int cols;
		size_t k = text_piece(s + i, len - i, TP_LINE, piece, &used, &cols);

		if (width + cols > NL_QUOTE_WIDTH || o + k >= size)
			break;
		/* the longest prefix that still leaves room for the ellipsis */
		if (width + cols < NL_QUOTE_WIDTH && o + k + sizeof(ellipsis) <= size)
			cut = o + k;
		memcpy(buf + o, piece, k);
		o += k;
		width += cols;
		i += used;
	}
	if (i == len)
		buf[o] = '\0';
	else if (size < sizeof(ellipsis))
		buf[0] = '\0';
	else
		memcpy(buf + cut, ellipsis, sizeof(ellipsis));
	return buf;
}

/* ---- numbers ------------------------------------------------------------- */

#define NUM_DIGITS_MAX 15   /* below 2^53: mant / 10^frac rounds correctly */

struct num {
	bool neg;
	unsigned long long mant;   /* every digit, the separator ignored */
	int frac;                  /* digits after the separator */
};

/* Scans digits at *p into n->mant; false on none, a leading zero or too
 * many digits. */
static bool scan_digits(const char **p, struct num *n, int *ndigits, bool integer_part)
{
	const char *s = *p;

	if (*s < '0' || *s > '9' || (integer_part && s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++*ndigits > NUM_DIGITS_MAX)
			return false;
		n->mant = n->mant * 10 + (unsigned)(*s - '0');
		if (!integer_part)
			n->frac++;
	}
	*p = s;
	return true;
}

/* The grammar of text.h: -?(0|[1-9][0-9]*)([.,][0-9]+)?, no "-0". */
static bool scan_num(const char *s, bool decimal, bool signed_ok, struct num *n)
{
	int nd = 0;

	memset(n, 0, sizeof(*n));
	if (*s == '-' && signed_ok) {
		n->neg = true;
		s++;
	}
	if (!scan_digits(&s, n, &nd, true))
		return false;
	if (decimal && (*s == '.' || *s == ',')) {
		s++;
		if (!scan_digits(&s, n, &nd, false))
			return false;
	}
	return *s == '\0' && !(n->neg && n->mant == 0);
}

/* Decimal places that show v exactly (0.1 -> 1, 3 -> 0), at most 6. */
static int places(double v)
{
	double scaled = v < 0 ? -v : v;
	int p = 0;

	for (; p < 6 && scaled - (double)(long long)scaled > 1e-9; p++)
		scaled *= 10;
	return p;
}

static int range_error(const char *field, const char *s, const char *what, double min,
		       double max, const char *unit, struct nl_err *err)
{
	char q[NL_QUOTE_BUF];
	int p = places(min) > places(max) ? places(min) : places(max);

	return nl_error(err, NL_EDATA, "%s: '%s' is not %s from %.*f to %.*f%s", field,
			nl_quote_value(s, q, sizeof(q)), what, p, min, p, max, unit);
}

int nl_parse_int(const char *field, const char *s, int min, int max, int *out,
		 struct nl_err *err)
{
	struct num n;
	long long v;

	if (!s || !scan_num(s, false, min < 0, &n))
		return range_error(field, s, "a whole number", min, max, "", err);
	v = n.neg ? -(long long)n.mant : (long long)n.mant;
	if (v < min || v > max)
		return range_error(field, s, "a whole number", min, max, "", err);
	*out = (int)v;
	return NL_OK;
}

int nl_parse_id(const char *field, const char *s, int64_t *id, struct nl_err *err)
{
	struct num n;
	char q[NL_QUOTE_BUF];

	if (s && s[0] == '#')
		s++;
	if (!s || !scan_num(s, false, false, &n) || n.mant == 0 || n.mant > INT64_MAX)
		return nl_error(err, NL_EDATA, "%s: '%s' is not an id (a positive whole number)",
				field, nl_quote_value(s, q, sizeof(q)));
	*id = (int64_t)n.mant;
	return NL_OK;
}

static int parse_decimal_as(const char *field, const char *s, double min, double max,
			    const char *what, const char *unit, double *out,
			    struct nl_err *err)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
					1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	struct num n;
	double v;

	if (!s || !scan_num(s, true, min < 0, &n))
		return range_error(field, s, what, min, max, unit, err);
	v = (double)n.mant / pow10[n.frac];
	if (n.neg)
		v = -v;
	if (v < min || v > max)
		return range_error(field, s, what, min, max, unit, err);
	*out = v;
	return NL_OK;
}

int nl_parse_decimal(const char *field, const char *s, double min, double max,
		     double *out, struct nl_err *err)
{
	return parse_decimal_as(field, s, min, max, "a number", "", out, err);
}

int nl_parse_depth(const char *field, const char *s, double *out,
		   struct nl_err *err)
{
	return parse_decimal_as(field, s, VOCAB_DEPTH_MIN_MM, VOCAB_DEPTH_MAX_MM,
				"a depth", " mm", out, err);
}

/* ---- dates --------------------------------------------------------------- */

int nl_parse_date(const char *field, const char *s, char out[11],
		  struct nl_err *err)
{
	char q[NL_QUOTE_BUF];

	if (!check_date_valid(s))
		return nl_error(err, NL_EDATA,
				"%s: '%s' is not a real date; use YYYY-MM-DD (1900-2999)",
				field, nl_quote_value(s, q, sizeof(q)));
	memcpy(out, s, 11);
	return NL_OK;
}

void nl_today_local(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

const char *nl_time_local(const char *utc, char *out, size_t size)
{
	struct tm tm = { 0 };
	const char *end;
	time_t t;

	if (!out || size == 0)
		return "";
	snprintf(out, size, "%s", utc ? utc : "");
	if (!utc || !(end = strptime(utc, "%Y-%m-%dT%H:%M:%SZ", &tm)) || *end)
		return out;
	t = timegm(&tm);
	if (t != (time_t)-1 && localtime_r(&t, &tm))
		strftime(out, size, "%Y-%m-%d %H:%M", &tm);
	return out;
}

int nl_today(const char *opt, char out[11], struct nl_err *err)
{
	const char *env = getenv("NEEDLELOG_TODAY");

	if (opt)
		return nl_parse_date("--today", opt, out, err);
	if (env && *env)
		return nl_parse_date("NEEDLELOG_TODAY", env, out, err);
	nl_today_local(out);
	return NL_OK;
}

/* The rules of DOMAIN.md, "Dates that cannot be true are rejected". */
static const struct date_kind {
	const char *noun;      /* for "is before <noun> (date)" */
	const char *future;    /* why it cannot be after today; NULL: it can */
} date_kinds[NL_DATE_KIND_COUNT] = {
	[NL_DATE_SESSION] = { "a session", "a session cannot be in the future" },
	[NL_DATE_DOB] = { "the date of birth", "a date of birth cannot be in the future" },
	[NL_DATE_CONSENT] = { "the consent", "consent cannot be given in the future" },
	[NL_DATE_FLAG] = { "the contraindication's date",
			   "a contraindication's date cannot be in the future" },
	[NL_DATE_MEDICATION] = { "the medication's date",
				 "a medication's date cannot be in the future" },
	[NL_DATE_OTHER] = { "the other date", NULL },
};

static const struct date_order {
	enum nl_date_kind later, earlier;
	const char *why;    /* when the earlier one is blamed */
} date_orders[] = {
	{ NL_DATE_SESSION, NL_DATE_DOB,
	  "a date of birth cannot be after any of the patient's sessions" },
	{ NL_DATE_CONSENT, NL_DATE_DOB, "a date of birth cannot be after a consent" },
};

static const struct date_kind *kind_row(enum nl_date_kind kind)
{
	return (unsigned)kind < NL_DATE_KIND_COUNT ? &date_kinds[kind]
						   : &date_kinds[NL_DATE_OTHER];
}

static int both_dates(const char *field, const char *date, const char *other_field,
		      const char *other, struct nl_err *err)
{
	char a[11], b[11];
	int rc = nl_parse_date(field, date, a, err);

	return rc != NL_OK ? rc : nl_parse_date(other_field, other, b, err);
}

int nl_date_not_future(const char *field, enum nl_date_kind kind,
		       const char *date, const char *today, struct nl_err *err)
{
	const struct date_kind *k = kind_row(kind);
	int rc = both_dates(field, date, "today", today, err);

	if (rc != NL_OK || !k->future || strcmp(date, today) <= 0)
		return rc;
	return nl_error(err, NL_EDATA, "%s: %s is after today (%s); %s", field, date, today,
			k->future);
}

int nl_date_not_before(const char *field, const char *date,
		       const char *other_what, const char *other_date,
		       struct nl_err *err)
{
	int rc = both_dates(field, date, other_what, other_date, err);

	if (rc != NL_OK || strcmp(date, other_date) >= 0)
		return rc;
	return nl_error(err, NL_EDATA, "%s: %s is before %s (%s)", field, date, other_what,
			other_date);
}

/* The clash of a (later, earlier) pair, reported on whichever is blamed. */
static int order_clash(const struct date_order *o, const struct nl_dated *later,
		       const struct nl_dated *earlier, struct nl_err *err)
{
	if (strcmp(later->date, earlier->date) >= 0)
		return NL_OK;
	if (earlier->given && !later->given)
		return nl_error(err, NL_EDATA, "%s: %s is after %s (%s); %s", earlier->field,
				earlier->date, kind_row(later->kind)->noun, later->date, o->why);
	return nl_date_not_before(later->field, later->date, kind_row(earlier->kind)->noun,
				  earlier->date, err);
}

static int pair_rules(const struct nl_dated *d, size_t n, struct nl_err *err)
{
	for (size_t o = 0; o < COUNT(date_orders); o++)
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				int rc;

				if (d[i].kind != date_orders[o].later || !core_opt(d[i].date) ||
				    d[j].kind != date_orders[o].earlier || !core_opt(d[j].date) ||
				    !(d[i].given || d[j].given))
					continue;
				if ((rc = order_clash(&date_orders[o], &d[i], &d[j], err)) != NL_OK)
					return rc;
			}
	return NL_OK;
}

int nl_dates_plausible(const struct nl_dated *d, size_t n, const char *today,
		       struct nl_err *err)
{
	char t[11];
	int rc = nl_parse_date("today", today, t, err);

	for (size_t i = 0; rc == NL_OK && i < n; i++)
		if (d[i].given && core_opt(d[i].date))
			rc = nl_date_not_future(d[i].field, d[i].kind, d[i].date, t, err);
	return rc == NL_OK ? pair_rules(d, n, err) : rc;
}

/* ---- text ---------------------------------------------------------------- */

/* One table for every free-text field's kind and limit; the limits are the
 * ones check.c has always applied. */
const struct nl_text_field nl_text_fields[] = {
	{ "name", NL_TEXT_LINE, VOCAB_NAME_MAX, true },
	{ "phone", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "email", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "practitioner", NL_TEXT_LINE, VOCAB_NAME_MAX, false },
	{ "signed-by", NL_TEXT_LINE, VOCAB_NAME_MAX, false },
	{ "practice", NL_TEXT_LINE, VOCAB_NAME_MAX, false },
	{ "search", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "label", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "device", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "cartridge", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "product", NL_TEXT_LINE, VOCAB_SHORT_MAX, true },
	{ "anesthetic", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "lot", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "device-serial", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "allergy-reaction", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "medication-name", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "consent-form", NL_TEXT_LINE, VOCAB_SHORT_MAX, false },
	{ "reason", NL_TEXT_NOTE, VOCAB_TEXT_MAX, true },
	{ "goal", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
	{ "allergies", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
	{ "medications", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
	{ "flag-note", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
	{ "allergy-note", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
	{ "medication-note", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
	{ "reaction", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
	{ "adverse", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
	{ "aftercare", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
	{ "notes", NL_TEXT_NOTE, VOCAB_TEXT_MAX, false },
};
const size_t nl_text_field_count = COUNT(nl_text_fields);

const struct nl_text_field *nl_text_field_find(const char *name)
{
	if (!name)
		return NULL;
	if (strncmp(name, "--", 2) == 0)
		name += 2;
	for (size_t i = 0; i < COUNT(nl_text_fields); i++)
		if (strcmp(nl_text_fields[i].name, name) == 0)
			return &nl_text_fields[i];
	return NULL;
}

int nl_text_check_value(const char *field, const char *s, struct nl_err *err)
{
	const struct nl_text_field *f = nl_text_field_find(field);

	return f ? nl_text_check(field, s, f->kind, f->max, err)
		 : nl_text_check(field, s, NL_TEXT_LINE, NL_VALUE_MAX, err);
}

static const char bad_utf8[] = "invalid UTF-8";

/* What is wrong with the character at s[0..len) in a text of kind, or
 * NULL when it is fine; *n = its bytes. */
static const char *char_problem(const char *s, size_t len, enum nl_text_kind kind,
				size_t *n)
{
	uint32_t cp;
	const struct cp_row *r;

	if (!(*n = text_decode(s, len, &cp))) {
		*n = 1;
		return bad_utf8;
	}
	if (!(r = cp_find(cp)) || r->cls == CC_CONTROL)
		return r ? r->what : NULL;
	if (kind == NL_TEXT_LINE)
		return r->what;
	if (r->cls == CC_CR && !(len > 1 && s[1] == '\n'))
		return "a carriage return not followed by a line break";
	return NULL;
}

int nl_text_check(const char *field, const char *s, enum nl_text_kind kind,
		  size_t max, struct nl_err *err)
{
	size_t len = s ? strlen(s) : 0, n;

	if (len > max)
		return nl_error(err, NL_EDATA, "%s: %zu bytes is too long; at most %zu allowed",
				field, len, max);
	for (size_t i = 0; i < len; i += n) {
		const char *bad = char_problem(s + i, len - i, kind, &n);
		char piece[16];
		size_t used;
		int cols;

		if (!bad)
			continue;
		text_piece(s + i, len - i, TP_LINE, piece, &used, &cols);
		if (bad == bad_utf8)
			return nl_error(err, NL_EDATA, "%s: is not valid UTF-8 (%s at byte %zu); "
					"save it as UTF-8", field, piece, i + 1);
		return nl_error(err, NL_EDATA, "%s: contains %s (%s) at byte %zu", field, bad,
				piece, i + 1);
	}
	return NL_OK;
}

int nl_text_check_field(const char *field, const char *s, struct nl_err *err)
{
	const struct nl_text_field *f = nl_text_field_find(field);

	if (!f)
		return nl_error(err, NL_EINTERNAL, "no text field called '%s'", field ? field : "");
	if (f->required && (!s || !s[strspn(s, " \t")]))
		return nl_error(err, NL_EDATA, "%s: a value is required", field);
	return nl_text_check(field, s, f->kind, f->max, err);
}

/* ---- search --------------------------------------------------------------- */

/* Latin letters with no Unicode decomposition, to their base letter, so
 * that "lukasz" finds "Łukasz" as it always has. */
static utf8proc_int32_t fold_base(utf8proc_int32_t cp, void *data)
{
	static const struct {
		utf8proc_int32_t from, to;
	} map[] = {
		{ 0x00d8, 'o' }, { 0x00f8, 'o' },   /* Ø ø */
		{ 0x0110, 'd' }, { 0x0111, 'd' },   /* Đ đ */
		{ 0x0126, 'h' }, { 0x0127, 'h' },   /* Ħ ħ */
		{ 0x0131, 'i' },                    /* ı */
		{ 0x0141, 'l' }, { 0x0142, 'l' },   /* Ł ł */
		{ 0x0166, 't' }, { 0x0167, 't' },   /* Ŧ ŧ */
	};

	(void)data;
	for (size_t i = 0; i < COUNT(map); i++)
		if (map[i].from == cp)
			return map[i].to;
	return cp;
}

/* s with each invalid UTF-8 byte as U+FFFD (utf8proc refuses them); NULL
 * on out of memory. */
static char *valid_copy(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(len * 3 + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = text_decode(s + i, len - i, &cp);

		if (n) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

/* Printable ASCII (most names in many practices) folds to its lower case,
 * which utf8proc's fold gives too (test_text compares the two paths). */
static char *fold_ascii(const char *s, size_t len)
{
	char *out = malloc(len + 1);

	/* not tolower(): the TUI sets the locale, and this is locale-free */
	for (size_t i = 0; out && i <= len; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	return out;
}

char *nl_fold(const char *s)
{
	const utf8proc_option_t opts = UTF8PROC_NULLTERM | UTF8PROC_STABLE |
		UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
		UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_LUMP;
	utf8proc_uint8_t *out = NULL;
	char *valid;
	utf8proc_ssize_t n;
	size_t len;

	if (s && nl_term_plain(s, &len))
		return fold_ascii(s, len);
	if (!s || !(valid = valid_copy(s)))
		return NULL;
	n = utf8proc_map_custom((const utf8proc_uint8_t *)valid, 0, &out, opts, fold_base,
				NULL);
	free(valid);
	return n < 0 ? NULL : (char *)out;
}

bool nl_fold_contains(const char *haystack, const char *needle)
{
	char *h = nl_fold(haystack ? haystack : "");
	char *n = nl_fold(needle ? needle : "");
	bool hit = h && n && strstr(h, n);

	free(h);
	free(n);
	return hit;
}
