/* The text module: strict numbers and dates, the date plausibility rules,
 * text checks, the terminal sanitizer, the search fold and the CSV writer. */
#include <limits.h>
#include <math.h>
#include <time.h>

#include "fixture.h"
#include "needlelog/csvw.h"
#include "needlelog/text.h"

static void ints(void **state)
{
	struct nl_err err = { 0 };
	int v = 99;

	(void)state;
	assert_int_equal(nl_parse_int("--pain", "0", 0, 10, &v, &err), NL_OK);
	assert_int_equal(v, 0);
	assert_int_equal(nl_parse_int("--pain", "10", 0, 10, &v, &err), NL_OK);
	assert_int_equal(v, 10);
	assert_int_equal(nl_parse_int("--g", "-3", -3, 3, &v, &err), NL_OK);
	assert_int_equal(v, -3);
	assert_int_equal(nl_parse_int("--n", "2147483647", 0, INT_MAX, &v, &err), NL_OK);
	assert_int_equal(v, INT_MAX);
	assert_int_equal(nl_parse_int("--n", "-2147483648", INT_MIN, 0, &v, &err), NL_OK);
	assert_int_equal(v, INT_MIN);
	v = 99;
	assert_int_equal(nl_parse_int("--pain", "11", 0, 10, &v, &err), NL_EDATA);
	assert_string_equal(err.msg, "--pain: '11' is not a whole number from 0 to 10");
	assert_int_equal(v, 99);                          /* untouched on error */
	static const char *const bad[] = { "", " 1", "1 ", "+1", "-1", "-0", "00", "007",
					   "0x10", "1e1", "1.0", "1,0", "١", "2147483648",
					   "99999999999999999999", "- 1", "--1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.status = NL_OK;
		assert_int_equal(nl_parse_int("--n", bad[i], 0, INT_MAX, &v, &err), NL_EDATA);
		assert_int_equal(err.status, NL_EDATA);
	}
	assert_int_equal(nl_parse_int("--g", "-0", -3, 3, &v, &err), NL_EDATA);
	assert_int_equal(nl_parse_int("--g", "-4", -3, 3, &v, &err), NL_EDATA);
	assert_string_equal(err.msg, "--g: '-4' is not a whole number from -3 to 3");
	assert_int_equal(nl_parse_int("--n", NULL, 0, 3, &v, &err), NL_EDATA);
	assert_int_equal(v, 99);
}

static void decimals(void **state)
{
	struct nl_err err = { 0 };
	double v = -1;

	(void)state;
	assert_int_equal(nl_parse_decimal("--x", "1.5", 0, 10, &v, &err), NL_OK);
	assert_true(v == 1.5);
	assert_int_equal(nl_parse_decimal("--x", "1,5", 0, 10, &v, &err), NL_OK);
	assert_true(v == 1.5);                            /* the TUI's decimal comma */
	assert_int_equal(nl_parse_decimal("--x", "0.1", 0, 10, &v, &err), NL_OK);
	assert_true(v == 0.1);                            /* the same double as strtod */
	assert_int_equal(nl_parse_decimal("--x", "2.675", 0, 10, &v, &err), NL_OK);
	assert_true(v == strtod("2.675", NULL));
	assert_int_equal(nl_parse_decimal("--x", "7", 0, 10, &v, &err), NL_OK);
	assert_true(v == 7);
	assert_int_equal(nl_parse_decimal("--x", "-2.5", -3, 3, &v, &err), NL_OK);
	assert_true(v == -2.5);
	v = -1;
	static const char *const bad[] = { "", ".5", "1.", "1.2.3", "1,2,3", "1.,5", "1e0",
					   "1E5", "0x1p0", "inf", "nan", "INF", " 1.5", "1.5 ",
					   "+1.5", "-1.5", "01.5", "00", "1 .5", "1..5",
					   "1.0000000000000001" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.status = NL_OK;
		assert_int_equal(nl_parse_decimal("--x", bad[i], 0, 10, &v, &err), NL_EDATA);
		assert_int_equal(err.status, NL_EDATA);
	}
	assert_true(v == -1);
	assert_int_equal(nl_parse_decimal("--x", "-0.0", -3, 3, &v, &err), NL_EDATA);
	assert_int_equal(nl_parse_decimal("--mmasi", "24.5", 0, 24, &v, &err), NL_EDATA);
	assert_string_equal(err.msg, "--mmasi: '24.5' is not a number from 0 to 24");
}

static void depths(void **state)
{
	struct nl_err err = { 0 };
	double v = 0;

	(void)state;
	assert_int_equal(nl_parse_depth("--depth", "0.1", &v, &err), NL_OK);
	assert_true(v == VOCAB_DEPTH_MIN_MM);
	assert_int_equal(nl_parse_depth("--depth", "3", &v, &err), NL_OK);
	assert_true(v == VOCAB_DEPTH_MAX_MM);
	assert_int_equal(nl_parse_depth("Depth", "1,25", &v, &err), NL_OK);
	assert_true(v == 1.25);
	assert_int_equal(nl_parse_depth("--depth", "3.01", &v, &err), NL_EDATA);
	assert_string_equal(err.msg, "--depth: '3.01' is not a depth from 0.1 to 3.0 mm");
	assert_int_equal(nl_parse_depth("--depth", "0.09", &v, &err), NL_EDATA);
	assert_int_equal(nl_parse_depth("--depth", "-1", &v, &err), NL_EDATA);
	assert_int_equal(nl_parse_depth("--depth", "0", &v, &err), NL_EDATA);
	assert_true(v == 1.25);
}

/* The value in a message is sanitized and clipped. */
static void quoted_values(void **state)
{
	struct nl_err err = { 0 };
	char *huge = malloc(131072), buf[512];
	int v;

	(void)state;
	assert_non_null(huge);
	memset(huge, '9', 131071);
	huge[131071] = '\0';
	assert_int_equal(nl_parse_int("--pain", huge, 0, 10, &v, &err), NL_EDATA);
	assert_non_null(strstr(err.msg, "'999999999"));
	assert_non_null(strstr(err.msg, "\xe2\x80\xa6' is not a whole number from 0 to 10"));
	assert_true(strlen(err.msg) < 200);
	free(huge);
	assert_int_equal(nl_parse_int("--pain", "\x1b[2J", 0, 10, &v, &err), NL_EDATA);
	assert_string_equal(err.msg, "--pain: '\\x1b[2J' is not a whole number from 0 to 10");
	assert_null(strchr(err.msg, '\x1b'));

	/* 80 columns: 79 and the ellipsis when longer, all of it when not */
	char s81[82], s80[81];
	memset(s81, 'a', 81);
	s81[81] = '\0';
	memset(s80, 'b', 80);
	s80[80] = '\0';
	nl_quote_value(s80, buf, sizeof(buf));
	assert_string_equal(buf, s80);
	nl_quote_value(s81, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 79 + 3);
	assert_string_equal(buf + 79, "\xe2\x80\xa6");
	/* wide characters count two columns; a cut never splits a character */
	char cjk[200] = "";
	for (int i = 0; i < 50; i++)
		strcat(cjk, "\xe6\x9d\x8e");                /* 李 */
	nl_quote_value(cjk, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 39 * 3 + 3);
	/* a small buffer: still terminated, still whole characters */
	nl_quote_value("\xc3\xa9\xc3\xa9\xc3\xa9", buf, 6);
	assert_string_equal(buf, "\xc3\xa9\xe2\x80\xa6");
	nl_quote_value("abc", buf, 3);
	assert_string_equal(buf, "");
	nl_quote_value(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void dates(void **state)
{
	struct nl_err err = { 0 };
	char out[11] = "", today[11];
	time_t t = time(NULL);
	struct tm tm;

	(void)state;
	assert_int_equal(nl_parse_date("--date", "2024-02-29", out, &err), NL_OK);
	assert_string_equal(out, "2024-02-29");
	static const char *const bad[] = { "2023-02-29", "2026-13-01", "2026-1-01",
					   "2026-01-01 ", "26-01-01", "2026/01/01", "",
					   "3000-01-01", "1899-12-31", "2026-04-31" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(nl_parse_date("--date", bad[i], out, &err), NL_EDATA);
	assert_string_equal(err.msg,
			    "--date: '2026-04-31' is not a real date; use YYYY-MM-DD (1900-2999)");
	assert_int_equal(nl_parse_date("--date", NULL, out, &err), NL_EDATA);

	nl_today_local(today);
	localtime_r(&t, &tm);
	strftime(out, sizeof(out), "%Y-%m-%d", &tm);
	assert_string_equal(today, out);
}

/* The machine's local date, not UTC: at any instant, UTC+14 or UTC-12 is
 * on another day than UTC (POSIX TZ strings: no tzdata needed). */
static void today_is_local(void **state)
{
	static const char *const zones[] = { "NLA-14", "NLB+12" };
	const char *tz = getenv("TZ");
	char *saved = tz ? strdup(tz) : NULL;
	char utc[11];
	int differs = 0;

	(void)state;
	{
		time_t now = time(NULL);
		struct tm g;

		gmtime_r(&now, &g);
		strftime(utc, sizeof(utc), "%Y-%m-%d", &g);
	}
	for (size_t i = 0; i < 2; i++) {
		char today[11], want[11];
		time_t t = time(NULL);
		struct tm tm;

		setenv("TZ", zones[i], 1);
		tzset();
		nl_today_local(today);
		localtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%d", &tm);
		assert_string_equal(today, want);
		differs += strcmp(today, utc) != 0;
	}
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	assert_true(differs >= 1);
}

/* Stored UTC times read as local time to the minute; anything else as it is. */
static void time_local(void **state)
{
	char out[NL_TIME_LOCAL_BUF];

	(void)state;
	setenv("TZ", "IST-5:30", 1);   /* UTC+05:30 (POSIX form: no tzdata needed) */
	tzset();
	assert_string_equal(nl_time_local("2026-11-29T20:46:28Z", out, sizeof(out)),
			    "2026-11-30 02:16");
	setenv("TZ", "UTC0", 1);
	tzset();
	assert_string_equal(nl_time_local("2026-11-29T20:46:28Z", out, sizeof(out)),
			    "2026-11-29 20:46");
	assert_string_equal(nl_time_local("earlier", out, sizeof(out)), "earlier");
	assert_string_equal(nl_time_local("2026-11-29T20:46:28Zx", out, sizeof(out)),
			    "2026-11-29T20:46:28Zx");
	assert_string_equal(nl_time_local(NULL, out, sizeof(out)), "");
	unsetenv("TZ");
	tzset();
}

static void today_sources(void **state)
{
	struct nl_err err = { 0 };
	char out[11], local[11];

	(void)state;
	unsetenv("NEEDLELOG_TODAY");
	assert_int_equal(nl_today(NULL, out, &err), NL_OK);
	nl_today_local(local);
	assert_string_equal(out, local);
	setenv("NEEDLELOG_TODAY", "2026-11-29", 1);
	assert_int_equal(nl_today(NULL, out, &err), NL_OK);
	assert_string_equal(out, "2026-11-29");
	assert_int_equal(nl_today("2025-01-02", out, &err), NL_OK);
	assert_string_equal(out, "2025-01-02");           /* --today wins */
	assert_int_equal(nl_today("tomorrow", out, &err), NL_EDATA);
	assert_msg(err, "--today", "'tomorrow'");
	setenv("NEEDLELOG_TODAY", "2026-02-30", 1);
	assert_int_equal(nl_today(NULL, out, &err), NL_EDATA);
	assert_msg(err, "NEEDLELOG_TODAY", "2026-02-30");
	setenv("NEEDLELOG_TODAY", "", 1);                 /* empty = not set */
	assert_int_equal(nl_today(NULL, out, &err), NL_OK);
	assert_string_equal(out, local);
	unsetenv("NEEDLELOG_TODAY");
}

static void date_rules(void **state)
{
	struct nl_err err = { 0 };
	const char *today = "2026-11-29";

	(void)state;
	assert_int_equal(nl_date_not_future("--date", NL_DATE_SESSION, "2999-12-31", today,
					    &err), NL_EDATA);
	assert_string_equal(err.msg, "--date: 2999-12-31 is after today (2026-11-29); "
			    "a session cannot be in the future");
	assert_int_equal(nl_date_not_future("--date", NL_DATE_SESSION, today, today, &err),
			 NL_OK);
	assert_int_equal(nl_date_not_future("--dob", NL_DATE_DOB, "2026-11-30", today, &err),
			 NL_EDATA);
	assert_msg(err, "--dob", "date of birth cannot be in the future");
	assert_int_equal(nl_date_not_future("--consent", NL_DATE_CONSENT, "2027-01-01", today,
					    &err), NL_EDATA);
	assert_int_equal(nl_date_not_future("--flag", NL_DATE_FLAG, "2027-01-01", today, &err),
			 NL_EDATA);
	assert_int_equal(nl_date_not_future("--med", NL_DATE_MEDICATION, "2027-01-01", today,
					    &err), NL_EDATA);
	assert_int_equal(nl_date_not_future("--expiry", NL_DATE_OTHER, "2027-01-01", today,
					    &err), NL_OK);
	assert_int_equal(nl_date_not_future("--date", NL_DATE_SESSION, "2026-02-30", today,
					    &err), NL_EDATA);
	assert_msg(err, "--date", "not a real date");
	assert_int_equal(nl_date_not_before("--consent", "2001-01-01", "the date of birth",
					    "2005-03-02", &err), NL_EDATA);
	assert_string_equal(err.msg,
			    "--consent: 2001-01-01 is before the date of birth (2005-03-02)");
	assert_int_equal(nl_date_not_before("--consent", "2005-03-02", "the date of birth",
					    "2005-03-02", &err), NL_OK);
}

static void dates_plausible(void **state)
{
	struct nl_err err = { 0 };
	const char *today = "2026-11-29";
	struct nl_dated ok[] = {
		{ NL_DATE_DOB, "--dob", "2005-03-02", false },
		{ NL_DATE_CONSENT, "--consent", "2025-01-10", false },
		{ NL_DATE_SESSION, "session 1", "2025-02-01", false },
		{ NL_DATE_SESSION, "session 2", NULL, false },
		{ NL_DATE_OTHER, "--expiry", "2030-01-01", false },
	};
	struct nl_dated consent[] = {
		{ NL_DATE_DOB, "--dob", "2005-03-02", false },
		{ NL_DATE_CONSENT, "--consent", "2001-01-01", true },
	};
	struct nl_dated dob[] = {
		{ NL_DATE_SESSION, "session 4", "2009-05-01", false },
		{ NL_DATE_DOB, "--dob", "2010-01-01", true },
	};
	struct nl_dated session[] = {
		{ NL_DATE_DOB, "date of birth", "2010-01-01", false },
		{ NL_DATE_SESSION, "--date", "2009-05-01", true },
	};
	struct nl_dated future[] = {
		{ NL_DATE_DOB, "--dob", "2005-03-02", false },
		{ NL_DATE_FLAG, "--flag isotretinoin", "2026-12-01", true },
	};

	(void)state;
	assert_int_equal(nl_dates_plausible(ok, 5, today, &err), NL_OK);
	assert_int_equal(nl_dates_plausible(consent, 2, today, &err), NL_EDATA);
	assert_string_equal(err.msg,
			    "--consent: 2001-01-01 is before the date of birth (2005-03-02)");
	assert_int_equal(nl_dates_plausible(dob, 2, today, &err), NL_EDATA);
	assert_string_equal(err.msg, "--dob: 2010-01-01 is after a session (2009-05-01); "
			    "a date of birth cannot be after any of the patient's sessions");
	assert_int_equal(nl_dates_plausible(session, 2, today, &err), NL_EDATA);
	assert_string_equal(err.msg,
			    "--date: 2009-05-01 is before the date of birth (2010-01-01)");
	assert_int_equal(nl_dates_plausible(future, 2, today, &err), NL_EDATA);
	assert_msg(err, "--flag isotretinoin", "2026-12-01 is after today");
	ok[2].date = "2025-02-31";
	ok[2].given = true;
	assert_int_equal(nl_dates_plausible(ok, 5, today, &err), NL_EDATA);
	assert_msg(err, "session 1", "not a real date");
	assert_int_equal(nl_dates_plausible(ok, 0, "2026-99-01", &err), NL_EDATA);
	/* What is on file and not given is only compared with what is given. */
	dob[1].given = false;
	future[1].given = false;
	assert_int_equal(nl_dates_plausible(dob, 2, today, &err), NL_OK);
	assert_int_equal(nl_dates_plausible(future, 2, today, &err), NL_OK);
}

static void text_checks(void **state)
{
	struct nl_err err = { 0 };

	(void)state;
	assert_int_equal(nl_text_check("--name", "Zoë Müller-李", NL_TEXT_LINE, 200, &err),
			 NL_OK);
	assert_int_equal(nl_text_check("--name", NULL, NL_TEXT_LINE, 200, &err), NL_OK);
	assert_int_equal(nl_text_check("--name", "Ana\x1b[31m", NL_TEXT_LINE, 200, &err),
			 NL_EDATA);
	assert_string_equal(err.msg, "--name: contains a control character (\\x1b) at byte 4");
	assert_int_equal(nl_text_check("--notes", "one\ntwo\tthree\r\nfour", NL_TEXT_NOTE,
				       200, &err), NL_OK);
	assert_int_equal(nl_text_check("--name", "one\ntwo", NL_TEXT_LINE, 200, &err), NL_EDATA);
	assert_msg(err, "--name", "(\\n) at byte 4");
	assert_int_equal(nl_text_check("--name", "a\tb", NL_TEXT_LINE, 200, &err), NL_EDATA);
	assert_int_equal(nl_text_check("--notes", "over\rwrite", NL_TEXT_NOTE, 200, &err),
			 NL_EDATA);
	assert_msg(err, "--notes", "carriage return", "(\\r) at byte 5");
	assert_int_equal(nl_text_check("--notes", "x\x01", NL_TEXT_NOTE, 200, &err), NL_EDATA);
	assert_int_equal(nl_text_check("--notes", "x\x7f", NL_TEXT_NOTE, 200, &err), NL_EDATA);
	assert_msg(err, "(\\x7f) at byte 2");
	assert_int_equal(nl_text_check("--notes", "x\xc2\x9b" "31m", NL_TEXT_NOTE, 200, &err),
			 NL_EDATA);                        /* C1 CSI */
	assert_msg(err, "control character (\\u{9b}) at byte 2");
	/* bidi overrides and isolates: not in a line; a note may hold RTL text */
	assert_int_equal(nl_text_check("--name", "abc\xe2\x80\xae" "fdp.exe", NL_TEXT_LINE, 200,
				       &err), NL_EDATA);
	assert_msg(err, "bidirectional", "(\\u{202e}) at byte 4");
	assert_int_equal(nl_text_check("--name", "\xe2\x81\xa6x", NL_TEXT_LINE, 200, &err),
			 NL_EDATA);
	assert_int_equal(nl_text_check("--name", "\xe2\x81\xa9x", NL_TEXT_LINE, 200, &err),
			 NL_EDATA);
	assert_int_equal(nl_text_check("--notes", "\xe2\x81\xa7x\xe2\x81\xa9", NL_TEXT_NOTE,
				       200, &err), NL_OK);
	assert_int_equal(nl_text_check("--name", "a\xe2\x80\xa8" "b", NL_TEXT_LINE, 200, &err),
			 NL_EDATA);                        /* U+2028 */
	/* UTF-8: overlong, surrogate, past U+10FFFF, cut short, stray */
	static const char *const bad[] = { "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
					   "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "a\xc3",
					   "\x80", "\xff" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.status = NL_OK;
		assert_int_equal(nl_text_check("--notes", bad[i], NL_TEXT_NOTE, 200, &err),
				 NL_EDATA);
		assert_msg(err, "--notes: is not valid UTF-8");
	}
	assert_int_equal(nl_text_check("--n", "\xf4\x8f\xbf\xbf", NL_TEXT_NOTE, 200, &err),
			 NL_OK);                           /* U+10FFFF itself */
	assert_int_equal(nl_text_check("--n", "abcd", NL_TEXT_LINE, 3, &err), NL_EDATA);
	assert_string_equal(err.msg, "--n: 4 bytes is too long; at most 3 allowed");
	assert_int_equal(nl_text_check("--n", "abc", NL_TEXT_LINE, 3, &err), NL_OK);
}

static void text_table(void **state)
{
	struct nl_err err = { 0 };
	char *big = malloc(VOCAB_TEXT_MAX + 2);

	(void)state;
	assert_non_null(big);
	assert_int_equal(nl_text_field_find("--name")->max, VOCAB_NAME_MAX);
	assert_int_equal(nl_text_field_find("notes")->kind, NL_TEXT_NOTE);
	assert_int_equal(nl_text_field_find("phone")->kind, NL_TEXT_LINE);
	assert_null(nl_text_field_find("elbow"));
	for (size_t i = 0; i < nl_text_field_count; i++) {
		assert_non_null(nl_text_field_find(nl_text_fields[i].name));
		assert_true(nl_text_fields[i].max >= VOCAB_SHORT_MAX);
	}
	assert_int_equal(nl_text_check_field("--name", "  ", &err), NL_EDATA);
	assert_string_equal(err.msg, "--name: a value is required");
	assert_int_equal(nl_text_check_field("--name", NULL, &err), NL_EDATA);
	assert_int_equal(nl_text_check_field("--phone", NULL, &err), NL_OK);
	assert_int_equal(nl_text_check_field("--name", "Ana\x1b", &err), NL_EDATA);
	assert_msg(err, "--name: contains a control character");
	assert_int_equal(nl_text_check_field("--notes", "a\nb", &err), NL_OK);
	memset(big, 'x', VOCAB_TEXT_MAX + 1);
	big[VOCAB_TEXT_MAX + 1] = '\0';
	assert_int_equal(nl_text_check_field("--notes", big, &err), NL_EDATA);
	assert_msg(err, "--notes", "too long");
	big[VOCAB_TEXT_MAX] = '\0';
	assert_int_equal(nl_text_check_field("--notes", big, &err), NL_OK);
	big[VOCAB_NAME_MAX + 1] = '\0';
	assert_int_equal(nl_text_check_field("--name", big, &err), NL_EDATA);
	assert_int_equal(nl_text_check_field("--colour", "red", &err), NL_EINTERNAL);
	free(big);
}

static void term_safe(void **state)
{
	static const struct {
		const char *in;
		bool multi;
		const char *out;
	} cases[] = {
		{ "plain Zoë 李", false, "plain Zoë 李" },
		{ "\x1b[2Jgone", false, "\\x1b[2Jgone" },
		{ "a\rb", false, "a\\rb" },
		{ "a\rb", true, "a\\rb" },
		{ "a\r\nb", true, "a\nb" },
		{ "a\r\nb", false, "a\\r\\nb" },
		{ "a\nb\tc", false, "a\\nb\\tc" },
		{ "a\nb\tc", true, "a\nb\tc" },
		{ "\x07\x7f", true, "\\x07\\x7f" },
		{ "\xc2\x9b" "31m", true, "\\u{9b}31m" },
		{ "abc\xe2\x80\xae" "exe", true, "abc\\u{202e}exe" },
		{ "\xe2\x81\xa6x", false, "\\u{2066}x" },
		{ "a\xe2\x80\xa8" "b", true, "a\\u{2028}b" },
		{ "bad\xff\xc3(", false, "bad\\xff\\xc3(" },
		{ "\xed\xa0\x80", false, "\\xed\\xa0\\x80" },
		{ "back\\slash", false, "back\\slash" },
		{ "", false, "" },
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = nl_term_safe(cases[i].in, cases[i].multi);
		assert_non_null(s);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	s = nl_term_safe(NULL, false);
	assert_string_equal(s, "");
	free(s);
}

static void term_fputs(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(nl_term_fputs(f, "x\x1b]0;pwned\x07y\r\n", true), 0);
	assert_int_equal(nl_term_fputs(f, "|\n", false), 0);
	fclose(f);
	assert_string_equal(buf, "x\\x1b]0;pwned\\x07y\n|\\n");
	free(buf);
}

static void fold(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Zoë Ångström", "zoe angstrom" },
		{ "ZOË", "zoe" },
		{ "Łukasz Øster Đorđe", "lukasz oster dorde" },
		{ "Ольга", "ольга" },
		{ "Straße", "strasse" },
		{ "ﬁnn", "finn" },                          /* compatibility ligature */
		{ "O\xe2\x80\x99" "Brien", "o'brien" },      /* ’ lumped with ' */
		{ "Ana\xc2\xad" "bel", "anabel" },            /* soft hyphen ignored */
		{ "bad\xff", "bad\xef\xbf\xbd" },
		{ "", "" },
	};
	/* ọ̀: U+1ECD (o with dot below) then U+0300 (combining grave) */
	const char *name = "Y\xc3\xa9w\xc3\xa1nd\xc3\xa9 Ad\xc3\xa9" "b\xc3\xa1y\xe1\xbb\x8d\xcc\x80"
			   "-S\xc3\xa1nchez";
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = nl_fold(cases[i].in);
		assert_non_null(s);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	s = nl_fold(name);
	assert_string_equal(s, "yewande adebayo-sanchez");
	free(s);
	assert_null(nl_fold(NULL));
	assert_true(nl_fold_contains(name, "adebayo"));
	assert_true(nl_fold_contains(name, "ADÉBÁYỌ"));
	assert_true(nl_fold_contains(name, "sanchez"));
	assert_true(nl_fold_contains(name, ""));
	assert_false(nl_fold_contains(name, "adebayor"));
	assert_false(nl_fold_contains("Zoë", "zoey"));
	/* the same fold either way round: composed or decomposed input */
	assert_true(nl_fold_contains("Zoe\xcc\x88", "zoë"));
	/* printable ASCII folds on a short path; the same as utf8proc's, which
	 * a string with one non-ASCII letter takes: every character compared */
	for (int c = 0x20; c < 0x7f; c++) {
		char plain[2] = { (char)c, 0 }, mixed[8];
		char *a, *b;

		snprintf(mixed, sizeof(mixed), "%c\xc3\xa9", c);   /* c then é */
		a = nl_fold(plain);
		b = nl_fold(mixed);
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(strlen(b), strlen(a) + 1);
		assert_memory_equal(a, b, strlen(a));
		assert_int_equal(b[strlen(a)], 'e');
		free(a);
		free(b);
	}
}

/* The patient search and name order fold with nl_fold. */
static void patient_search_folds(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_patient_summary *rows;
	size_t n;
	int64_t id = fx_patient(f->s, "Y\xc3\xa9w\xc3\xa1nd\xc3\xa9 Ad\xc3\xa9"
				"b\xc3\xa1y\xe1\xbb\x8d\xcc\x80-S\xc3\xa1nchez");

	fx_patient(f->s, "Adam Bayo");
	assert_int_equal(record_patient_list(f->s, "adebayo", false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, id);
	record_patient_list_free(rows, n);
	assert_int_equal(record_patient_list(f->s, NULL, false, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].name, "Adam Bayo");   /* "adam" < "yewande" */
	record_patient_list_free(rows, n);
}

/* What the CSV writer puts in a file, as a string. */
static char *csv_of(char sep, bool bom, const char *const *cells, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct nl_csv w;
	struct nl_err err = { 0 };

	assert_non_null(f);
	assert_int_equal(nl_csv_init(&w, f, sep, bom), NL_OK);
	assert_int_equal(nl_csv_row(&w, cells, n), NL_OK);
	assert_int_equal(nl_csv_finish(&w, &err), NL_OK);
	fclose(f);
	return buf;
}

static void csv_cells(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "Zoë", "Zoë" },
		{ "a,b", "\"a,b\"" },
		{ "ok;=1+1", "\"ok;=1+1\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "line\nnext", "\"line\nnext\"" },
		{ "line\r\nnext", "\"line\nnext\"" },
		{ "a\tb", "\"a\tb\"" },
		{ "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "+1", "\"'+1\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "-2+3", "\"'-2+3\"" },
		{ "-cmd|' /C calc'!A0", "\"'-cmd|' /C calc'!A0\"" },
		{ "\tx", "\"'\tx\"" },
		{ "\rx", "\"'\\rx\"" },
		{ "-2", "-2" },
		{ "1.5", "1.5" },
		{ "-0.25", "-0.25" },
		{ "-", "\"'-\"" },
		{ "-.5", "\"'-.5\"" },
		{ "1.", "1." },
		{ "x\x1b[31m", "x\\x1b[31m" },
		{ "x\x7f", "x\\x7f" },
		{ "lone\rcr", "\"lone\\rcr\"" },
		{ "bad\xff", "bad\\xff" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *cells[] = { cases[i].in };
		char *got = csv_of(',', false, cells, 1), want[128];

		snprintf(want, sizeof(want), "%s\r\n", cases[i].out);
		assert_string_equal(got, want);
		free(got);
	}
}

static void csv_rows(void **state)
{
	const char *cells[] = { "id", NULL, "a;b", "x,y" };
	char *got;
	struct nl_csv w;

	(void)state;
	got = csv_of(',', true, cells, 4);
	assert_string_equal(got, "\xef\xbb\xbfid,,\"a;b\",\"x,y\"\r\n");
	free(got);
	got = csv_of(';', false, cells, 4);
	assert_string_equal(got, "id;;\"a;b\";\"x,y\"\r\n");
	free(got);
	got = csv_of('\t', false, (const char *const[]){ "a", "b\tc" }, 2);
	assert_string_equal(got, "a\t\"b\tc\"\r\n");
	free(got);
	assert_int_equal(nl_csv_init(&w, stdout, '|', false), NL_EUSAGE);
	assert_int_equal(nl_csv_field(&w, "x"), NL_EUSAGE);   /* writes nothing */
}

/* A failed write is reported, once, with a message. */
static void csv_write_error(void **state)
{
	struct nl_err err = { 0 };
	struct nl_csv w;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	nl_csv_init(&w, f, ',', false);
	assert_int_equal(nl_csv_field(&w, "x"), NL_EIO);
	assert_int_equal(nl_csv_end_row(&w), NL_EIO);
	assert_int_equal(nl_csv_finish(&w, &err), NL_EIO);
	assert_msg(err, "writing the CSV");
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ints),
		cmocka_unit_test(time_local),
		cmocka_unit_test(decimals),
		cmocka_unit_test(depths),
		cmocka_unit_test(quoted_values),
		cmocka_unit_test(dates),
		cmocka_unit_test(today_is_local),
		cmocka_unit_test(today_sources),
		cmocka_unit_test(date_rules),
		cmocka_unit_test(dates_plausible),
		cmocka_unit_test(text_checks),
		cmocka_unit_test(text_table),
		cmocka_unit_test(term_safe),
		cmocka_unit_test(term_fputs),
		cmocka_unit_test(fold),
		cmocka_unit_test_setup_teardown(patient_search_folds, fx_setup, fx_teardown),
		cmocka_unit_test(csv_cells),
		cmocka_unit_test(csv_rows),
		cmocka_unit_test(csv_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
