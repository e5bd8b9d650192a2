/* Hard limits (with messages naming field, value and range), dates, and
 * each safety warning from check_session_warnings. */
#include "fixture.h"

/* ---- dates ---------------------------------------------------------------- */

static void dates_valid(void **state)
{
	(void)state;
	assert_true(check_date_valid("2026-02-28"));
	assert_false(check_date_valid("2026-02-29"));
	assert_true(check_date_valid("2024-02-29"));
	assert_false(check_date_valid("2100-02-29"));   /* not a leap year */
	assert_true(check_date_valid("2000-02-29"));    /* 400-year rule */
	assert_false(check_date_valid("2026-02-30"));
	assert_false(check_date_valid("2026-04-31"));
	assert_true(check_date_valid("2026-12-31"));
	assert_false(check_date_valid("2026-13-01"));
	assert_false(check_date_valid("2026-00-10"));
	assert_false(check_date_valid("2026-1-10"));
	assert_false(check_date_valid("2026-01-10T00:00"));
	assert_false(check_date_valid(""));
	assert_false(check_date_valid(NULL));
	assert_false(check_date_valid("1899-12-31"));
}

static void dates_arithmetic(void **state)
{
	struct nl_err err = { 0 };
	char out[11];
	int days;

	(void)state;
	assert_int_equal(check_date_add_days("2026-01-31", 28, out, &err), NL_OK);
	assert_string_equal(out, "2026-02-28");
	assert_int_equal(check_date_add_days("2024-02-01", 28, out, &err), NL_OK);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(check_date_add_days("2026-12-20", 28, out, &err), NL_OK);
	assert_string_equal(out, "2027-01-17");
	assert_int_equal(check_date_add_days("2024-03-01", -1, out, &err), NL_OK);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(check_date_add_months("2025-08-31", 6, out, &err), NL_OK);
	assert_string_equal(out, "2026-02-28");
	assert_int_equal(check_date_add_months("2023-08-31", 6, out, &err), NL_OK);
	assert_string_equal(out, "2024-02-29");
	assert_int_equal(check_date_add_months("2026-11-15", 2, out, &err), NL_OK);
	assert_string_equal(out, "2027-01-15");
	assert_int_equal(check_date_diff("2024-02-28", "2024-03-01", &days, &err), NL_OK);
	assert_int_equal(days, 2);
	assert_int_equal(check_date_diff("2026-03-01", "2026-02-28", &days, &err), NL_OK);
	assert_int_equal(days, -1);
	assert_int_equal(check_date_diff("1970-01-01", "2000-01-01", &days, &err), NL_OK);
	assert_int_equal(days, 10957);
	assert_int_equal(check_date_add_days("2026-02-30", 1, out, &err), NL_EDATA);
	assert_msg(err, "'2026-02-30'", "not a real date");
}

/* ---- hard limits ------------------------------------------------------------- */

static void patient_limits(void **state)
{
	struct nl_flag flags[2] = { { .code = "isotretinoin" }, { .code = "isotretinoin" } };
	struct nl_patient p = { .name = "Zoë Ångström" };
	struct nl_err err = { 0 };

	(void)state;
	assert_int_equal(check_patient(&p, &err), NL_OK);
	p.name = "  ";
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "name");
	p.name = "\xff\xfe";
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "name", "UTF-8");
	p.name = "Ann";
	p.dob = "1990-02-30";
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "dob", "1990-02-30");
	p.dob = NULL;
	p.skin_type = 7;
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "skin type", "7", "I-VI");
	p.skin_type = 6;
	p.phone = "call me";
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "phone", "call me");
	p.phone = "+44 (0)20 7946-0958";
	p.email = "ann.example.com";
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "email", "ann.example.com");
	p.email = "ann@example.com";
	p.flags = flags;
	p.nflags = 2;
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "isotretinoin", "twice");
	flags[1].code = "vampire";
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "flag", "vampire");
	flags[1].code = "keloid";
	flags[0].date = "2026-06-01";
	flags[0].end_date = "2026-05-01";
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "isotretinoin", "before");
	flags[0].end_date = NULL;
	p.consent_date = "2026-31-01";
	assert_int_equal(check_patient(&p, &err), NL_EDATA);
	assert_msg(err, "consent", "2026-31-01");
	p.consent_date = "2026-01-31";
	assert_int_equal(check_patient(&p, &err), NL_OK);
}

static void series_limits(void **state)
{
	char *areas[] = { "cheek-l", "elbow" };
	struct nl_score base[] = { { "norwood", 12 } };
	struct nl_series sr = { .indication = "acne-scars" };
	struct nl_err err = { 0 };

	(void)state;
	assert_int_equal(check_series(&sr, &err), NL_OK);
	sr.indication = "warts";
	assert_int_equal(check_series(&sr, &err), NL_EDATA);
	assert_msg(err, "indication", "warts");
	sr.indication = "hair-loss";
	sr.areas = areas;
	sr.nareas = 2;
	assert_int_equal(check_series(&sr, &err), NL_EDATA);
	assert_msg(err, "area", "elbow");
	sr.nareas = 1;
	sr.planned = 61;
	assert_int_equal(check_series(&sr, &err), NL_EDATA);
	assert_msg(err, "planned", "61", "1-60");
	sr.planned = 12;
	sr.interval_days = 400;
	assert_int_equal(check_series(&sr, &err), NL_EDATA);
	assert_msg(err, "interval", "400", "1-365");
	sr.interval_days = 7;
	sr.start_date = "2026-02-29";
	assert_int_equal(check_series(&sr, &err), NL_EDATA);
	assert_msg(err, "start date", "2026-02-29");
	sr.start_date = "2026-03-01";
	sr.status = "forgotten";
	assert_int_equal(check_series(&sr, &err), NL_EDATA);
	assert_msg(err, "status", "forgotten");
	sr.status = "paused";
	sr.baseline = base;
	sr.nbaseline = 1;
	assert_int_equal(check_series(&sr, &err), NL_EDATA);
	assert_msg(err, "baseline", "norwood", "12", "III-vertex");
	base[0].value = 5; /* III-vertex */
	assert_int_equal(check_series(&sr, &err), NL_OK);
}

static void session_limits(void **state)
{
	struct fx_session f;
	struct nl_err err = { 0 };

	(void)state;
	fx_session_init(&f, 1, "2026-03-10", "cheek-l", 1.5);
	assert_int_equal(check_session(&f.ses, &err), NL_OK);

	f.areas[0].depth_mm = 3.5;
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "cheek-l", "depth 3.5 mm", "0.1-3.0 mm");
	f.areas[0].depth_mm = 0.05;
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "depth 0.05 mm", "0.1-3.0 mm");
	f.areas[0].depth_mm = 3.0;
	assert_int_equal(check_session(&f.ses, &err), NL_OK);
	f.areas[0].depth_mm = 0.1;
	assert_int_equal(check_session(&f.ses, &err), NL_OK);

	f.ses.date = "2026-02-30";
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "date", "2026-02-30", "YYYY-MM-DD");
	f.ses.date = NULL;
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "date");
	f.ses.date = "2026-03-10";

	f.ses.pain = 11;
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "pain", "11", "0-10");
	f.ses.pain = 10;
	assert_int_equal(check_session(&f.ses, &err), NL_OK);

	f.areas[0].passes = 21;
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "passes 21", "1-20");
	f.areas[0].passes = 3;

	f.areas[0].area = "elbow";
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "area", "elbow");
	f.areas[0].area = "cheek-l";

	f.ses.endpoint = "glowing";
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "endpoint", "glowing", "pinpoint-bleeding");
	f.ses.endpoint = "pinpoint-bleeding";

	f.scores[0] = (struct nl_score){ "sparkle", 1 };
	f.ses.nscores = 1;
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "scale", "sparkle");
	f.scores[0] = (struct nl_score){ "gais", 6 };
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "gais", "'6'", "1 to 5");
	f.scores[0] = (struct nl_score){ "gais", 2.5 };
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "gais", "2.5", "whole");
	f.scores[0] = (struct nl_score){ "mmasi", 12.5 };
	assert_int_equal(check_session(&f.ses, &err), NL_OK);

	f.ses.anesthetic_minutes = 300;
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "anesthetic minutes", "300");
	f.ses.anesthetic_minutes = 30;

	f.areas[1] = f.areas[0];
	f.ses.nareas = 2;
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "cheek-l", "twice");
	f.areas[0].area = f.areas[1].area = "scar";
	f.areas[0].label = "appendectomy";
	f.areas[1].label = "knee";
	assert_int_equal(check_session(&f.ses, &err), NL_OK); /* two named scars */

	f.ses.nareas = 0;
	assert_int_equal(check_session(&f.ses, &err), NL_EDATA);
	assert_msg(err, "areas", "at least one");
}

/* ---- warnings ------------------------------------------------------------------- */

struct wfx {
	struct nl_patient p;
	struct nl_series sr;
	struct nl_flag flags[3];
	struct check_context ctx;
	struct fx_session f;
	struct nl_warning *w;
	size_t n;
};

static void wfx_init(struct wfx *x)
{
	memset(x, 0, sizeof(*x));
	x->p.name = "Ann";
	x->p.skin_type = 2;
	x->p.consent_date = "2026-01-01";
	x->p.flags = x->flags;
	x->sr.indication = "fine-lines";
	x->sr.planned = 6;
	x->sr.interval_days = 28;
	x->ctx.patient = &x->p;
	x->ctx.series = &x->sr;
	fx_session_init(&x->f, 1, "2026-03-10", "cheek-l", 0.75);
}

static void wfx_run(struct wfx *x)
{
	struct nl_err err = { 0 };

	record_warnings_free(x->w, x->n);
	x->w = NULL;
	x->n = 0;
	assert_int_equal(check_session_warnings(&x->ctx, &x->f.ses, &x->w, &x->n, &err), NL_OK);
}

static void warn_none_when_all_is_usual(void **state)
{
	struct wfx x;

	(void)state;
	wfx_init(&x);
	x.ctx.prev_date = "2026-02-10";
	x.ctx.prior_count = 1;
	wfx_run(&x);
	assert_int_equal(x.n, 0);
	record_warnings_free(x.w, x.n);
}

static void warn_depth_range(void **state)
{
	struct wfx x;

	(void)state;
	wfx_init(&x);
	x.f.areas[0].depth_mm = 1.5;             /* cheek usual 0.5-1.0 */
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_DEPTH_RANGE));
	assert_non_null(strstr(x.w[0].message, "cheek-l"));
	assert_non_null(strstr(x.w[0].message, "1.50 mm"));
	x.sr.indication = "acne-scars";          /* face rule: up to 2.5 */
	wfx_run(&x);
	assert_false(fx_has_warning(x.w, x.n, CHECK_W_DEPTH_RANGE));
	x.f.areas[0].depth_mm = 2.6;
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_DEPTH_RANGE));
	x.f.areas[0].area = "neck";              /* not face: rule does not apply */
	x.f.areas[0].depth_mm = 1.5;
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_DEPTH_RANGE));
	x.f.areas[0].area = "periorbital-l";     /* below usual is a warning too */
	x.f.areas[0].depth_mm = 0.1;
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_DEPTH_RANGE));
	record_warnings_free(x.w, x.n);
}

static void warn_isotretinoin(void **state)
{
	struct wfx x;

	(void)state;
	wfx_init(&x);
	x.flags[0] = (struct nl_flag){ .code = "isotretinoin", .date = "2025-09-11" };
	x.p.nflags = 1;
	x.f.ses.date = "2026-03-10";              /* 2025-09-11 + 6 months = 2026-03-11 */
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_ISOTRETINOIN));
	assert_non_null(strstr(x.w[0].message, "2026-03-11"));
	x.f.ses.date = "2026-03-11";              /* the window's last day: still in force */
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_ISOTRETINOIN));
	x.f.ses.date = "2026-03-12";              /* the day after: past */
	wfx_run(&x);
	assert_false(fx_has_warning(x.w, x.n, CHECK_W_ISOTRETINOIN));
	x.flags[0].date = NULL;                   /* no date, no end: in force */
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_ISOTRETINOIN));
	record_warnings_free(x.w, x.n);
}

static void warn_flag_without_end(void **state)
{
	struct wfx x;

	(void)state;
	wfx_init(&x);
	x.flags[0] = (struct nl_flag){ .code = "anticoagulant" };
	x.flags[1] = (struct nl_flag){ .code = "pregnancy", .date = "2025-01-01",
				       .end_date = "2025-10-01" };
	x.p.nflags = 2;
	wfx_run(&x);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.w[0].code, CHECK_W_FLAG);
	assert_non_null(strstr(x.w[0].message, "anticoagulant"));
	x.flags[1].end_date = "2026-03-10";       /* ends on the session day: still in force */
	wfx_run(&x);
	assert_int_equal(x.n, 2);
	record_warnings_free(x.w, x.n);
}

static void warn_interval(void **state)
{
	struct wfx x;

	(void)state;
	wfx_init(&x);
	x.ctx.prior_count = 1;
	x.ctx.prev_date = "2026-02-18";           /* 20 days; floor 28 - 7 = 21 */
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_INTERVAL_SHORT));
	x.ctx.prev_date = "2026-02-17";           /* 21 days: fine */
	wfx_run(&x);
	assert_false(fx_has_warning(x.w, x.n, CHECK_W_INTERVAL_SHORT));
	x.sr.interval_days = 7;                   /* weekly scalp: floor stays 7 */
	x.ctx.prev_date = "2026-03-04";           /* 6 days */
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_INTERVAL_SHORT));
	x.ctx.prev_date = "2026-03-03";           /* 7 days */
	wfx_run(&x);
	assert_false(fx_has_warning(x.w, x.n, CHECK_W_INTERVAL_SHORT));
	x.ctx.prev_date = NULL;                   /* first session: no interval */
	wfx_run(&x);
	assert_int_equal(x.n, 0);
	record_warnings_free(x.w, x.n);
}

static void warn_dark_skin(void **state)
{
	struct wfx x;

	(void)state;
	wfx_init(&x);
	x.sr.indication = "acne-scars";
	x.p.skin_type = 4;
	x.f.areas[0].depth_mm = 1.5;
	x.ctx.prior_count = 1;
	x.ctx.prev_date = "2026-02-10";           /* 28 days */
	wfx_run(&x);
	assert_int_equal(x.n, 0);                 /* 1.5 is not above 1.5 */
	x.f.areas[0].depth_mm = 1.75;
	x.ctx.prev_date = "2026-02-11";           /* 27 days */
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_SKIN_DEPTH));
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_SKIN_INTERVAL));
	assert_false(fx_has_warning(x.w, x.n, CHECK_W_INTERVAL_SHORT));
	x.p.skin_type = 3;
	wfx_run(&x);
	assert_int_equal(x.n, 0);
	record_warnings_free(x.w, x.n);
}

static void warn_past_planned_and_consent(void **state)
{
	struct wfx x;

	(void)state;
	wfx_init(&x);
	x.ctx.prev_date = "2026-02-10";
	x.ctx.prior_count = 5;                    /* this is 6 of 6 */
	wfx_run(&x);
	assert_false(fx_has_warning(x.w, x.n, CHECK_W_PAST_PLANNED));
	x.ctx.prior_count = 6;                    /* 7 of 6 */
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_PAST_PLANNED));
	assert_non_null(strstr(x.w[0].message, "7 of 6"));
	x.p.consent_date = NULL;
	wfx_run(&x);
	assert_true(fx_has_warning(x.w, x.n, CHECK_W_NO_CONSENT));
	record_warnings_free(x.w, x.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_valid),
		cmocka_unit_test(dates_arithmetic),
		cmocka_unit_test(patient_limits),
		cmocka_unit_test(series_limits),
		cmocka_unit_test(session_limits),
		cmocka_unit_test(warn_none_when_all_is_usual),
		cmocka_unit_test(warn_depth_range),
		cmocka_unit_test(warn_isotretinoin),
		cmocka_unit_test(warn_flag_without_end),
		cmocka_unit_test(warn_interval),
		cmocka_unit_test(warn_dark_skin),
		cmocka_unit_test(warn_past_planned_and_consent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
