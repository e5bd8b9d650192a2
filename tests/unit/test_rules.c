/* The rules the faces ask the core: is a flag in force on a date, and the
 * dates that cannot be true, refused by the record itself (DOMAIN.md). */
#include "fixture.h"

static void flag_window_inclusive(void **state)
{
	struct nl_flag iso = { .code = "isotretinoin", .date = "2025-09-01" };
	char until[11];

	(void)state;
	assert_true(check_flag_in_force(&iso, "2026-02-28", until));
	assert_string_equal(until, "2026-03-01");
	/* The day "until" names is inside: the CLI's "in force until" and the
	 * session warning give one answer. */
	assert_true(check_flag_in_force(&iso, "2026-03-01", until));
	assert_false(check_flag_in_force(&iso, "2026-03-02", until));
}

static void flag_end_date(void **state)
{
	struct nl_flag keloid = { .code = "keloid", .end_date = "2026-05-01" };
	struct nl_flag iso = { .code = "isotretinoin", .date = "2026-01-01",
			       .end_date = "2026-02-01" };
	char until[11];

	(void)state;
	assert_true(check_flag_in_force(&keloid, "2026-05-01", until));
	assert_string_equal(until, "");
	assert_false(check_flag_in_force(&keloid, "2026-05-02", until));
	/* An end date before the window's end ends it (both faces agree). */
	assert_false(check_flag_in_force(&iso, "2026-03-01", until));
	keloid.end_date = NULL;
	assert_true(check_flag_in_force(&keloid, "2999-01-01", until));
}

/* A session's date against today and the date of birth. */
static void session_dates(void **state)
{
	struct fx *f = *state;
	struct nl_patient p = { .name = "Dee Dob", .dob = "2000-06-15", .consent_date = "2020-01-01" };
	struct nl_err err = { 0 };
	struct fx_session fs;
	int64_t pid, series, id;

	assert_int_equal(record_set_today(f->s, "2026-03-01", &err), NL_OK);
	assert_int_equal(record_patient_add(f->s, &p, &pid, &err), NL_OK);
	series = fx_series(f->s, pid, "acne-scars", "2026-01-01");
	fx_session_init(&fs, series, "2026-03-02", "cheek-l", 1.0);
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_EDATA);
	assert_msg(err, "date", "2026-03-02 is after today (2026-03-01)");
	fs.ses.date = "2000-06-14";
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_EDATA);
	assert_msg(err, "2000-06-14 is before", "2000-06-15");
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM session"), 0);
	fs.ses.date = "2026-03-01";
	assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_OK);
}

static void patient_dates(void **state)
{
	struct fx *f = *state;
	struct nl_flag fl = { .code = "isotretinoin", .date = "2026-03-02" };
	struct nl_patient p = { .name = "Fay Future", .dob = "2026-03-02" };
	struct nl_err err = { 0 };
	int64_t id;

	assert_int_equal(record_set_today(f->s, "2026-03-01", &err), NL_OK);
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "dob", "after today");
	p.dob = "2001-01-01";
	p.consent_date = "2000-12-31";
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "consent", "before the date of birth");
	p.consent_date = "2026-03-02";
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "consent", "after today");
	p.consent_date = NULL;
	p.flags = &fl;
	p.nflags = 1;
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "isotretinoin", "after today");
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM patient"), 0);
}

/* An edit may not move the date of birth past a session, and is not
 * blocked by dates it does not touch. */
static void edit_dob_after_sessions(void **state)
{
	struct fx *f = *state;
	struct nl_patient p;
	struct nl_err err = { 0 };
	int64_t pid = fx_patient(f->s, "Sam Session"), series;

	series = fx_series(f->s, pid, "acne-scars", "2026-01-01");
	fx_session_add(f->s, series, "2026-02-01", "cheek-l", 1.0);
	assert_int_equal(record_patient_get(f->s, pid, &p, &err), NL_OK);
	free(p.dob);
	p.dob = strdup("2026-02-02");
	assert_int_equal(record_patient_edit(f->s, &p, &err), NL_EDATA);
	assert_msg(err, "dob", "2026-02-02", "session");
	free(p.dob);
	p.dob = strdup("1990-01-01");
	assert_int_equal(record_patient_edit(f->s, &p, &err), NL_OK);
	record_patient_free(&p);
}

/* Every free-text field through the one text table: control characters
 * are refused by the record itself, whatever face sends them. */
static void text_fields(void **state)
{
	struct fx *f = *state;
	struct nl_patient p = { .name = "Esc\x1b[31mape" };
	struct nl_err err = { 0 };
	int64_t id;

	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "name", "\\x1b");
	p.name = "Nora Note";
	p.notes = "line one\nline two\tand a tab";
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_OK);
	p.notes = "bell\a";
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	p.notes = NULL;
	p.phone = "\xe2\x80\xae" "0123";   /* a right-to-left override */
	assert_int_equal(record_patient_add(f->s, &p, &id, &err), NL_EDATA);
	assert_msg(err, "phone");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flag_window_inclusive),
		cmocka_unit_test(flag_end_date),
		cmocka_unit_test_setup_teardown(session_dates, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(patient_dates, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(edit_dob_after_sessions, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(text_fields, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
