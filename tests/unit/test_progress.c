/* Progress: next due (first session, intervals over month ends and leap
 * days), due/overdue boundaries, voided sessions left out, amended dates,
 * the depth table, scores against baseline with direction and trend, and
 * the cross-patient due list. */
#include <stdlib.h>

#include "fixture.h"

static int64_t series_with(struct fx *f, const char *name, const char *indication,
			   int planned, int interval, const char *start)
{
	struct nl_series sr = { .indication = (char *)indication, .planned = planned,
				.interval_days = interval, .start_date = (char *)start };
	struct nl_err err = { 0 };
	int64_t id;

	sr.patient_id = fx_patient(f->s, name);
	assert_int_equal(record_series_add(f->s, &sr, &id, &err), NL_OK);
	return id;
}

static void pure_due_state(void **state)
{
	int days;

	(void)state;
	assert_int_equal(progress_due_state("2026-03-01", "2026-02-28", &days), PROGRESS_UPCOMING);
	assert_int_equal(days, 1);
	assert_int_equal(progress_due_state("2026-03-01", "2026-03-01", &days), PROGRESS_DUE);
	assert_int_equal(days, 0);
	assert_int_equal(progress_due_state("2026-03-01", "2026-03-02", &days), PROGRESS_OVERDUE);
	assert_int_equal(days, -1);
	assert_int_equal(progress_due_state("2024-03-01", "2024-02-28", &days), PROGRESS_UPCOMING);
	assert_int_equal(days, 2);                      /* leap day between */
	assert_int_equal(progress_due_state("", "2026-03-01", &days), PROGRESS_COMPLETE);
	assert_string_equal(progress_due_name(PROGRESS_OVERDUE), "overdue");
}

static void pure_compare(void **state)
{
	(void)state;
	assert_int_equal(progress_compare(vocab_scale_find("gais"), 4, 2), PROGRESS_BETTER);
	assert_int_equal(progress_compare(vocab_scale_find("gais"), 4, 5), PROGRESS_WORSE);
	assert_int_equal(progress_compare(vocab_scale_find("gais"), 4, 4), PROGRESS_SAME);
	assert_int_equal(progress_compare(vocab_scale_find("hair-density"), 100, 130),
			 PROGRESS_BETTER);
	assert_int_equal(progress_compare(vocab_scale_find("hair-density"), 100, 90), PROGRESS_WORSE);
	/* issue 11: Norwood compares by stage: III-vertex to IIIa is a change of
	 * pattern at stage III, IV to IIIa one stage better */
	assert_int_equal(progress_compare(vocab_scale_find("norwood"), 5, 4), PROGRESS_PATTERN);
	assert_int_equal(progress_compare(vocab_scale_find("norwood"), 6, 4), PROGRESS_BETTER);
	assert_int_equal(progress_compare(vocab_scale_find("pain"), 5, 4), PROGRESS_CHANGED);
	assert_string_equal(progress_change_name(PROGRESS_BETTER), "better");
}

static void no_sessions_yet(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_progress p;
	int64_t sid = series_with(f, "Ann", "fine-lines", 4, 28, "2026-03-10");

	assert_int_equal(progress_series(f->s, sid, "2026-03-01", &p, &err), NL_OK);
	assert_int_equal(p.done, 0);
	assert_int_equal(p.planned, 4);
	assert_string_equal(p.last_date, "");
	assert_string_equal(p.next_due, "2026-03-10");  /* the start date */
	assert_int_equal(p.due, PROGRESS_UPCOMING);
	assert_int_equal(p.days_until_due, 9);
	assert_int_equal(p.nsessions, 0);
	assert_int_equal(p.nareas, 0);
	assert_int_equal(p.nscales, 0);
	progress_free(&p);
	assert_int_equal(progress_series(f->s, sid, "2026-03-11", &p, &err), NL_OK);
	assert_int_equal(p.due, PROGRESS_OVERDUE);
	assert_int_equal(p.days_until_due, -1);
	progress_free(&p);
	assert_int_equal(progress_series(f->s, sid, "2026-02-30", &p, &err), NL_EDATA);
	assert_msg(err, "today", "2026-02-30");
	assert_int_equal(progress_series(f->s, 999, "2026-03-01", &p, &err), NL_ENOENT);
}

static void next_due_month_ends_and_leap(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_progress p;
	int64_t sid = series_with(f, "Ben", "acne-scars", 6, 28, "2024-01-04");

	fx_session_add(f->s, sid, "2024-01-04", "cheek-l", 1.5);
	fx_session_add(f->s, sid, "2024-02-01", "cheek-l", 1.5);
	assert_int_equal(progress_series(f->s, sid, "2024-02-29", &p, &err), NL_OK);
	assert_string_equal(p.last_date, "2024-02-01");
	assert_string_equal(p.next_due, "2024-02-29");  /* leap day */
	assert_int_equal(p.due, PROGRESS_DUE);
	assert_int_equal(p.sessions[1].interval_days, 28);
	assert_int_equal(p.sessions[0].interval_days, -1);
	progress_free(&p);
	fx_session_add(f->s, sid, "2024-12-31", "cheek-l", 1.5);
	assert_int_equal(progress_series(f->s, sid, "2025-01-01", &p, &err), NL_OK);
	assert_string_equal(p.next_due, "2025-01-28");  /* over the year end */
	assert_int_equal(p.days_until_due, 27);
	assert_int_equal(p.due, PROGRESS_UPCOMING);
	progress_free(&p);
}

static void voided_and_amended(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_progress p;
	struct nl_session_view v;
	int64_t sid = series_with(f, "Cy", "texture", 3, 30, "2026-01-01");
	int64_t a = fx_session_add(f->s, sid, "2026-01-01", "chin", 0.75);
	int64_t b = fx_session_add(f->s, sid, "2026-01-31", "chin", 0.75);

	assert_int_equal(record_session_void(f->s, b, "duplicate entry", NULL, &err), NL_OK);
	assert_int_equal(progress_series(f->s, sid, "2026-02-01", &p, &err), NL_OK);
	assert_int_equal(p.done, 1);
	assert_string_equal(p.next_due, "2026-01-31");
	assert_int_equal(p.due, PROGRESS_OVERDUE);
	assert_int_equal(p.days_until_due, -1);
	progress_free(&p);
	/* an amendment that moves the date moves the due date */
	assert_int_equal(record_session_get(f->s, a, &v, &err), NL_OK);
	free(v.effective.date);
	v.effective.date = strdup("2026-01-03");
	assert_int_equal(record_session_amend(f->s, a, &v.effective, "wrong date", NULL, NULL, NULL,
					      NULL, &err), NL_OK);
	record_session_view_free(&v);
	assert_int_equal(progress_series(f->s, sid, "2026-02-01", &p, &err), NL_OK);
	assert_string_equal(p.last_date, "2026-01-03");
	assert_string_equal(p.next_due, "2026-02-02");
	assert_int_equal(p.due, PROGRESS_UPCOMING);
	progress_free(&p);
	/* complete: nothing more due */
	fx_session_add(f->s, sid, "2026-02-02", "chin", 0.75);
	fx_session_add(f->s, sid, "2026-03-04", "chin", 0.75);
	assert_int_equal(progress_series(f->s, sid, "2026-06-01", &p, &err), NL_OK);
	assert_int_equal(p.done, 3);
	assert_int_equal(p.due, PROGRESS_COMPLETE);
	assert_string_equal(p.next_due, "");
	progress_free(&p);
}

static void depth_table_and_scores(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_progress p;
	char *areas[] = { "scalp-vertex" };
	struct nl_score base[] = { { "norwood", 6 }, { "hair-density", 100 } };
	struct nl_series sr = { .indication = "hair-loss", .planned = 12, .interval_days = 7,
				.start_date = "2026-01-01", .areas = areas, .nareas = 1,
				.baseline = base, .nbaseline = 2 };
	struct fx_session fs;
	int64_t sid, id;
	static const double density[] = { 100, 110, 125 };
	static const char *const dates[] = { "2026-01-01", "2026-01-08", "2026-01-15" };

	sr.patient_id = fx_patient(f->s, "Dev");
	assert_int_equal(record_series_add(f->s, &sr, &sid, &err), NL_OK);
	for (int i = 0; i < 3; i++) {
		fx_session_init(&fs, sid, dates[i], "scalp-vertex", 1.0 + 0.25 * i);
		fs.areas[0].passes = 4;
		if (i == 1) {
			fs.areas[1] = (struct nl_treatment){ "scalp-frontal", NULL, 0.75, 0 };
			fs.ses.nareas = 2;
		}
		fs.scores[0] = (struct nl_score){ "hair-density", density[i] };
		fs.scores[1] = (struct nl_score){ "pain", 3 + i };
		fs.ses.nscores = 2;
		if (i == 2) {
			fs.scores[2] = (struct nl_score){ "norwood", 6 };
			fs.ses.nscores = 3;
		}
		assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_OK);
	}
	assert_int_equal(progress_series(f->s, sid, "2026-01-20", &p, &err), NL_OK);
	assert_int_equal(p.nsessions, 3);
	assert_int_equal(p.nareas, 2);
	assert_string_equal(p.areas[0], "scalp-vertex");      /* the target area first */
	assert_string_equal(p.areas[1], "scalp-frontal");
	assert_true(p.depth_mm[0 * 2 + 0] == 1.0);
	assert_true(p.depth_mm[2 * 2 + 0] == 1.5);
	assert_true(p.depth_mm[0 * 2 + 1] < 0);               /* not treated */
	assert_true(p.depth_mm[1 * 2 + 1] == 0.75);
	assert_int_equal(p.passes[0], 4);
	assert_int_equal(p.passes[1 * 2 + 1], 0);
	assert_string_equal(p.next_due, "2026-01-22");
	assert_int_equal(p.nscales, 3);                       /* vocab order */
	assert_string_equal(p.scales[0].scale->code, "norwood");
	assert_true(p.scales[0].has_baseline);
	assert_int_equal(p.scales[0].npoints, 1);
	assert_int_equal(p.scales[0].verdict, PROGRESS_SAME);
	assert_int_equal(p.scales[0].trend, PROGRESS_TREND_NONE);
	assert_string_equal(p.scales[1].scale->code, "hair-density");
	assert_int_equal(p.scales[1].npoints, 3);
	assert_true(p.scales[1].latest == 125);
	assert_true(p.scales[1].change == 25);
	assert_int_equal(p.scales[1].verdict, PROGRESS_BETTER);
	assert_int_equal(p.scales[1].points[0].verdict, PROGRESS_SAME);
	assert_int_equal(p.scales[1].trend, PROGRESS_TREND_IMPROVING);
	assert_string_equal(p.scales[2].scale->code, "pain");
	assert_false(p.scales[2].has_baseline);
	assert_int_equal(p.scales[2].verdict, PROGRESS_NO_BASELINE);
	assert_int_equal(p.scales[2].trend, PROGRESS_TREND_RISING);
	progress_free(&p);
}

static void worsening_trend(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_progress p;
	struct nl_score base[] = { { "gais", 4 } };
	struct nl_series sr;
	struct fx_session fs;
	int64_t sid = series_with(f, "Eli", "fine-lines", 6, 28, "2026-01-01"), id;
	static const double gais[] = { 3, 4, 5 };
	static const char *const dates[] = { "2026-01-01", "2026-01-29", "2026-02-26" };

	assert_int_equal(record_series_get(f->s, sid, &sr, &err), NL_OK);
	sr.baseline = base;     /* borrowed for the edit */
	sr.nbaseline = 1;
	assert_int_equal(record_series_edit(f->s, &sr, &err), NL_OK);
	sr.baseline = NULL;
	sr.nbaseline = 0;
	record_series_free(&sr);
	for (int i = 0; i < 3; i++) {
		fx_session_init(&fs, sid, dates[i], "forehead", 0.5);
		fs.scores[0] = (struct nl_score){ "gais", gais[i] };
		fs.ses.nscores = 1;
		assert_int_equal(record_session_add(f->s, &fs.ses, false, NULL, NULL, &id, &err), NL_OK);
	}
	assert_int_equal(progress_series(f->s, sid, "2026-03-01", &p, &err), NL_OK);
	assert_int_equal(p.nscales, 1);
	assert_int_equal(p.scales[0].points[0].verdict, PROGRESS_BETTER);
	assert_int_equal(p.scales[0].points[1].verdict, PROGRESS_SAME);
	assert_int_equal(p.scales[0].verdict, PROGRESS_WORSE);
	assert_true(p.scales[0].change == 1);
	assert_int_equal(p.scales[0].trend, PROGRESS_TREND_WORSENING);
	progress_free(&p);
}

static void due_list(void **state)
{
	struct fx *f = *state;
	struct nl_err err = { 0 };
	struct nl_due *rows;
	size_t n;
	/* today is 2026-03-01 */
	int64_t late = series_with(f, "Late Lou", "fine-lines", 6, 28, "2026-01-01");
	int64_t today = series_with(f, "Today Tia", "fine-lines", 6, 28, "2026-03-01");
	int64_t soon = series_with(f, "Soon Sol", "fine-lines", 6, 28, "2026-03-08");
	int64_t far = series_with(f, "Far Fay", "fine-lines", 6, 28, "2026-03-09");
	int64_t paused = series_with(f, "Paused Pam", "fine-lines", 6, 28, "2026-01-01");
	int64_t gone = series_with(f, "Gone Gil", "fine-lines", 6, 28, "2026-01-01");
	struct nl_series sr;
	struct nl_patient p;

	fx_session_add(f->s, late, "2026-01-20", "forehead", 0.5);     /* due 02-17: 12 late */
	assert_int_equal(record_series_get(f->s, paused, &sr, &err), NL_OK);
	free(sr.status);
	sr.status = strdup("paused");
	assert_int_equal(record_series_edit(f->s, &sr, &err), NL_OK);
	record_series_free(&sr);
	assert_int_equal(record_series_get(f->s, gone, &sr, &err), NL_OK);
	assert_int_equal(record_patient_archive(f->s, sr.patient_id, true, &err), NL_OK);
	record_series_free(&sr);

	assert_int_equal(progress_due_list(f->s, "2026-03-01", 7, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].series_id, late);
	assert_int_equal(rows[0].days_until_due, -12);
	assert_int_equal(rows[0].due, PROGRESS_OVERDUE);
	assert_string_equal(rows[0].patient_name, "Late Lou");
	assert_string_equal(rows[0].last_date, "2026-01-20");
	assert_int_equal(rows[0].done, 1);
	assert_int_equal(rows[1].series_id, today);
	assert_int_equal(rows[1].due, PROGRESS_DUE);
	assert_int_equal(rows[2].series_id, soon);                      /* exactly 7 days */
	assert_int_equal(rows[2].days_until_due, 7);
	progress_due_list_free(rows, n);
	assert_int_equal(progress_due_list(f->s, "2026-03-01", 0, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 2);
	progress_due_list_free(rows, n);
	/* an amended date moves the due date in the list too */
	{
		struct nl_session *list;
		struct nl_session_view v;
		size_t k;

		assert_int_equal(record_session_list(f->s, late, false, &list, &k, &err), NL_OK);
		assert_int_equal(record_session_get(f->s, list[0].id, &v, &err), NL_OK);
		record_session_list_free(list, k);
		free(v.effective.date);
		v.effective.date = strdup("2026-02-10");
		assert_int_equal(record_session_amend(f->s, v.original.id, &v.effective, "date typo",
						      NULL, NULL, NULL, NULL, &err), NL_OK);
		record_session_view_free(&v);
	}
	assert_int_equal(progress_due_list(f->s, "2026-03-01", 7, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 2);            /* today, soon: late is now 9 days away */
	assert_int_equal(rows[0].series_id, today);
	assert_int_equal(rows[1].series_id, soon);
	progress_due_list_free(rows, n);
	assert_int_equal(progress_due_list(f->s, "2026-03-01", 9, &rows, &n, &err), NL_OK);
	assert_int_equal(n, 4);
	assert_int_equal(rows[3].series_id, late);
	assert_string_equal(rows[3].last_date, "2026-02-10");
	assert_string_equal(rows[3].next_due, "2026-03-10");
	assert_int_equal(rows[3].days_until_due, 9);
	assert_int_equal(rows[3].due, PROGRESS_UPCOMING);
	assert_int_equal(rows[2].series_id, far);      /* 8 days */
	progress_due_list_free(rows, n);
	assert_int_equal(progress_due_list(f->s, "2026-03-01", -1, &rows, &n, &err), NL_EDATA);
	(void)p;
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pure_due_state),
		cmocka_unit_test(pure_compare),
		T(no_sessions_yet),
		T(next_due_month_ends_and_leap),
		T(voided_and_amended),
		T(depth_table_and_scores),
		T(worsening_trend),
		T(due_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
