/* The backup routine in the record file: the remembered folder and policy,
 * the due reminder, one run (copy, audit row, time remembered, pruning),
 * and restore's preview of a backup (counts, signatures, no migration). */
#include <unistd.h>

#include "fixture.h"
#include "needlelog/backup_plan.h"

#define T0 1795990500 /* 2026-11-29T22:15:00Z */
#define DAY 86400

static void pass(struct store_pass *p)
{
	struct nl_err err = { 0 };

	assert_int_equal(store_pass_set(p, "test", 4, &err), NL_OK);
}

static void remembered(void **state)
{
	struct fx *f = *state;
	struct backup_policy pol = { .daily = 7, .weekly = 4, .monthly = 6 };
	struct backup_result res;
	struct store_pass pw;
	struct backup_plan p;
	struct nl_err err = { 0 };

	assert_int_equal(backup_plan_get(f->s, &p, &err), NL_OK);
	assert_null(p.dir);
	assert_int_equal(p.last_verified, 0);
	/* Nothing given and nothing remembered: refused. */
	pass(&pw);
	assert_int_equal(backup_plan_run(f->s, NULL, NULL, &pw, T0, NULL, NULL, &res, &err),
			 NL_EUSAGE);
	assert_msg(err, "--remember");
	store_pass_free(&pw);
	assert_int_equal(backup_plan_remember(f->s, "relative/dir", &pol, &err), NL_EDATA);
	assert_msg(err, "absolute", "relative/dir");
	assert_int_equal(backup_plan_remember(f->s, "/mnt/second/needlelog", &pol, &err), NL_OK);
	assert_int_equal(backup_plan_get(f->s, &p, &err), NL_OK);
	assert_string_equal(p.dir, "/mnt/second/needlelog");
	assert_int_equal(p.policy.daily, 7);
	assert_int_equal(p.policy.weekly, 4);
	assert_int_equal(p.policy.monthly, 6);
	backup_plan_free(&p);
}

static void due_and_run(void **state)
{
	struct fx *f = *state;
	char dir[320];
	struct backup_policy pol = { .daily = 2 };
	struct backup_result res;
	struct backup_due due;
	struct store_pass p;
	struct nl_err err = { 0 };

	pass(&p);
	assert_int_equal(backup_plan_due(f->s, 0, T0, &due, &err), NL_OK);
	assert_true(due.due && due.never);
	assert_int_equal(due.age_days, -1);
	snprintf(dir, sizeof(dir), "%s/backups", f->dir);
	fx_patient(f->s, "Ada Lovelace");
	for (int d = 4; d >= 0; d--) {
		assert_int_equal(backup_plan_run(f->s, dir, &pol, &p, T0 - d * DAY, NULL, NULL,
						 &res, &err), NL_OK);
		assert_int_equal(res.pruned, d == 4 || d == 3 ? 0 : 1);
		backup_result_free(&res);
	}
	assert_int_equal(fx_count(f->s, "SELECT count(*) FROM audit WHERE action = 'backup'"), 5);
	assert_int_equal(backup_plan_due(f->s, 0, T0 + 3 * DAY, &due, &err), NL_OK);
	assert_false(due.due);
	assert_int_equal(due.age_days, 3);
	assert_int_equal(backup_plan_due(f->s, 2, T0 + 3 * DAY, &due, &err), NL_OK);
	assert_true(due.due);
	assert_false(due.never);
	/* The remembered folder and policy. */
	assert_int_equal(backup_plan_remember(f->s, dir, &pol, &err), NL_OK);
	assert_int_equal(backup_plan_run(f->s, NULL, NULL, &p, T0 + DAY, NULL, NULL, &res,
					 &err), NL_OK);
	assert_int_equal(res.pruned, 1);
	assert_non_null(strstr(res.path, "records-2026-11-30T221500Z.nlbak"));
	backup_result_free(&res);
	store_pass_free(&p);
}

static void preview(void **state)
{
	struct fx *f = *state;
	char dir[320];
	struct backup_summary sum;
	struct backup_result res;
	struct store_pass p;
	struct nl_err err = { 0 };
	int64_t series, id;

	pass(&p);
	snprintf(dir, sizeof(dir), "%s/preview", f->dir);
	series = fx_series(f->s, fx_patient(f->s, "Bea Preview"), "acne-scars", "2026-01-10");
	id = fx_session_add(f->s, series, "2026-01-10", "cheek-l", 1.0);
	assert_int_equal(record_session_sign(f->s, id, "Dr Test", &err), NL_OK);
	assert_int_equal(backup_plan_run(f->s, dir, NULL, &p, T0 + 9 * DAY, NULL, NULL, &res,
					 &err), NL_OK);
	assert_int_equal(backup_inspect(res.path, &p, NULL, NULL, &sum, &err), NL_OK);
	assert_int_equal(sum.patients, fx_count(f->s, "SELECT count(*) FROM patient"));
	assert_int_equal(sum.sessions, 1);
	assert_int_equal(sum.signed_ok, 1);
	assert_int_equal(sum.signed_bad, 0);
	assert_non_null(sum.last_change);
	backup_summary_free(&sum);
	store_pass_free(&p);
	/* The wrong passphrase. */
	assert_int_equal(store_pass_set(&p, "wrong", 5, &err), NL_OK);
	assert_int_equal(backup_inspect(res.path, &p, NULL, NULL, &sum, &err), NL_EPASS);
	store_pass_free(&p);
	backup_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(remembered),
		cmocka_unit_test(due_and_run),
		cmocka_unit_test(preview),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
