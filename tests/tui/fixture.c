/* The TUI tests' practice, written through the core in one process (the
 * CLI would take one process per record): tui_fixture PATH PASSPHRASE.
 * Prints shell assignments of the ids for the test to eval.
 *
 * Zoë Müller: acne scars, two signed sessions 40 and 12 days ago (due in
 * 16 days), baseline gais 4 and satisfaction 3, lidocaine allergy.
 * Åsa Öberg: Fitzpatrick V, isotretinoin flag, stretch marks, one session
 * 70 days ago (overdue). Bob Smith: no series.
 *
 * A verified backup is made into PATH's folder/fixture-backups, so the
 * status line's backup reminder stays away, unless TUI_FIXTURE_NO_BACKUP
 * is set (the reminder's own test); TUI_FIXTURE_REMEMBER=DIR remembers DIR
 * as the backup folder (with no backup made there).
 *
 * tui_fixture --hold PATH PASSPHRASE READY STOP holds an exclusive lock on
 * the file (a busy file for the TUI) from when it creates READY until STOP
 * appears (at most 60 s).
 *
 * tui_fixture --show PATH PASSPHRASE ID prints a patient's sex, allergy and
 * medication lists as the core reads them back, one "key=value" a line
 * (the CLI of this branch does not show the lists yet).
 *
 * tui_fixture --session PATH PASSPHRASE ID prints a session's traceability
 * (device serial, cartridge lot and expiry, each product with its lot and
 * expiry) and its areas the same way (session show does not print lots). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "needlelog/audit.h"
#include "needlelog/backup_plan.h"
#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/store.h"

static struct nl_err err;

static void check(int rc, const char *what)
{
	if (rc != NL_OK) {
		fprintf(stderr, "tui_fixture: %s: %s\n", what, err.msg);
		exit(1);
	}
}

static void day(int offset, char out[11])
{
	char today[11];

	/* $NEEDLELOG_TODAY fixes the dates (the golden screens) */
	check(nl_today(NULL, today, &err), "today");
	check(check_date_add_days(today, offset, out, &err), "date");
}

static int64_t patient(struct record *s, const char *name, const char *dob,
		       const char *phone, int skin, const char *allergies,
		       const char *flag)
{
	struct nl_flag fl = { .code = (char *)flag };
	struct nl_patient p = {
		.name = (char *)name, .dob = (char *)dob, .phone = (char *)phone,
		.skin_type = skin, .allergies = (char *)allergies,
		.consent_date = (char *)(skin ? "2026-01-01" : NULL),
		.flags = flag ? &fl : NULL, .nflags = flag ? 1 : 0,
	};
	int64_t id;

	check(record_patient_add(s, &p, &id, &err), "patient");
	return id;
}

static int64_t session(struct record *s, int64_t series, int offset,
		       struct nl_treatment *areas, size_t nareas,
		       struct nl_score *scores, size_t nscores, const char *device)
{
	char date[11];
	char *products[] = { "hyaluronic acid" };
	struct nl_session ses = {
		.series_id = series, .date = date, .practitioner = "Dr Test",
		.device = (char *)device, .cartridge = "36-pin", .anesthetic = "EMLA 5%",
		.anesthetic_minutes = 30, .products = products, .nproducts = 1,
		.pain = -1, .areas = areas, .nareas = nareas, .scores = scores,
		.nscores = nscores,
	};
	int64_t id;

	day(offset, date);
	check(record_session_add(s, &ses, true, NULL, NULL, &id, &err), "session");
	return id;
}

/* A verified backup beside the file, as `needlelog backup --dir` makes. */
static void backed_up(struct record *s, const char *path, const struct store_pass *pass)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct backup_result res;

	const struct backup_policy keep_all = { 0 };

	if (getenv("TUI_FIXTURE_REMEMBER"))
		check(backup_plan_remember(s, getenv("TUI_FIXTURE_REMEMBER"), &keep_all, &err),
		      "remember");
	if (getenv("TUI_FIXTURE_NO_BACKUP"))
		return;
	snprintf(dir, sizeof(dir), "%.*s/fixture-backups",
		 slash ? (int)(slash - path) : 1, slash ? path : ".");
	check(backup_plan_run(s, dir, NULL, pass, time(NULL), NULL, NULL, &res, &err),
	      "backup");
	backup_result_free(&res);
}

static int hold(const char *path, const char *pw, const char *ready,
		const char *stop)
{
	struct store_pass pass = { 0 };
	struct record *s = NULL;
	FILE *f;

	check(store_global_init(&err), "init");
	check(store_pass_set(&pass, pw, strlen(pw), &err), "passphrase");
	check(record_open(path, &pass, &s, &err), "open");
	store_pass_free(&pass);
	if (sqlite3_exec(store_db(record_store(s)), "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "tui_fixture: BEGIN EXCLUSIVE: %s\n", sqlite3_errmsg(store_db(record_store(s))));
		return 1;
	}
	if (!(f = fopen(ready, "w")))
		return 1;
	fclose(f);
	for (int i = 0; i < 6000 && access(stop, F_OK) != 0; i++)
		usleep(10000);
	sqlite3_exec(store_db(record_store(s)), "ROLLBACK", NULL, NULL, NULL);
	record_close(s);
	return 0;
}

static int show(const char *path, const char *pw, const char *id)
{
	struct store_pass pass = { 0 };
	struct record *s = NULL;
	struct nl_patient p;

	check(store_global_init(&err), "init");
	check(store_pass_set(&pass, pw, strlen(pw), &err), "passphrase");
	check(record_open(path, &pass, &s, &err), "open");
	store_pass_free(&pass);
	check(record_patient_get(s, atoll(id), &p, &err), "patient");
	printf("sex=%s\n", p.sex ? p.sex : "");
	for (size_t i = 0; i < p.nallergy_list; i++)
		printf("allergy=%s:%s:%s\n", p.allergy_list[i].code,
		       p.allergy_list[i].reaction ? p.allergy_list[i].reaction : "",
		       p.allergy_list[i].severity ? p.allergy_list[i].severity : "");
	for (size_t i = 0; i < p.nmedication_list; i++)
		printf("medication=%s:%s:%s\n", p.medication_list[i].code,
		       p.medication_list[i].name ? p.medication_list[i].name : "",
		       p.medication_list[i].start ? p.medication_list[i].start : "");
	record_patient_free(&p);
	record_close(s);
	return 0;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int show_session(const char *path, const char *pw, const char *id)
{
	struct store_pass pass = { 0 };
	struct record *s = NULL;
	struct nl_session_view v;
	const struct nl_session *e = &v.effective;

	check(store_global_init(&err), "init");
	check(store_pass_set(&pass, pw, strlen(pw), &err), "passphrase");
	check(record_open(path, &pass, &s, &err), "open");
	store_pass_free(&pass);
	check(record_session_get(s, atoll(id), &v, &err), "session");
	printf("device=%s\nserial=%s\n", or_empty(e->device), or_empty(e->device_serial));
	printf("cartridge=%s:%s:%s\n", or_empty(e->cartridge), or_empty(e->cartridge_lot),
	       or_empty(e->cartridge_expiry));
	for (size_t i = 0; i < e->nproducts; i++)
		printf("product=%s:%s:%s\n", e->products[i],
		       i < e->nproduct_lots ? or_empty(e->product_lots[i].lot) : "",
		       i < e->nproduct_lots ? or_empty(e->product_lots[i].expiry) : "");
	for (size_t i = 0; i < e->nareas; i++)
		printf("area=%s:%s:%.2f:%d\n", e->areas[i].area, or_empty(e->areas[i].label),
		       e->areas[i].depth_mm, e->areas[i].passes);
	for (size_t i = 0; i < e->nscores; i++)
		printf("score=%s:%g\n", e->scores[i].scale, e->scores[i].value);
	record_session_view_free(&v);
	record_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	struct store_pass pass = { 0 };
	struct record *s = NULL;
	char start_zoe[11], start_asa[11];
	char *zoe_areas[] = { "cheek-l", "cheek-r" }, *asa_areas[] = { "abdomen" };
	struct nl_score base[] = { { "gais", 4 }, { "satisfaction", 3 } };
	struct nl_score sc1[] = { { "gais", 3 }, { "satisfaction", 5 } };
	struct nl_score sc2[] = { { "gais", 2 }, { "satisfaction", 7 } };
	struct nl_treatment a1[] = { { "cheek-l", NULL, 1.5, 3 }, { "cheek-r", NULL, 1.5, 3 } };
	struct nl_treatment a2[] = { { "cheek-l", NULL, 1.75, 3 }, { "cheek-r", NULL, 1.75, 3 } };
	struct nl_treatment a3[] = { { "abdomen", NULL, 2.0, 4 } };
	int64_t p_zoe, p_asa, s_zoe, s_asa, ses1, ses2;

	if (argc == 5 && strcmp(argv[1], "--show") == 0)
		return show(argv[2], argv[3], argv[4]);
	if (argc == 5 && strcmp(argv[1], "--session") == 0)
		return show_session(argv[2], argv[3], argv[4]);
	if (argc == 6 && strcmp(argv[1], "--hold") == 0)
		return hold(argv[2], argv[3], argv[4], argv[5]);
	if (argc != 3) {
		fprintf(stderr, "usage: tui_fixture PATH PASSPHRASE\n");
		return 64;
	}
	check(store_global_init(&err), "init");
	check(store_pass_set(&pass, argv[2], strlen(argv[2]), &err), "passphrase");
	check(record_create(argv[1], &pass, STORE_KDF_DEFAULT, &s, &err), "create");
	check(record_set_actor(s, "Dr Test", &err), "actor");
	{
		char today[11];

		check(nl_today(NULL, today, &err), "today");
		check(record_set_today(s, today, &err), "today");
	}

	p_zoe = patient(s, "Zoë Müller", "1980-02-03", "+44 7700 900111", 3, "lidocaine", NULL);
	p_asa = patient(s, "Åsa Öberg", "1975-06-07", "0201234567", 5, NULL, "isotretinoin");
	patient(s, "Bob Smith", "1990-01-01", NULL, 0, NULL, NULL);

	day(-40, start_zoe);
	day(-90, start_asa);
	{
		struct nl_series sr = {
			.patient_id = p_zoe, .indication = "acne-scars", .areas = zoe_areas,
			.nareas = 2, .planned = 6, .interval_days = 28, .start_date = start_zoe,
			.baseline = base, .nbaseline = 2,
		};
		check(record_series_add(s, &sr, &s_zoe, &err), "series");
	}
	{
		struct nl_series sr = {
			.patient_id = p_asa, .indication = "stretch-marks", .areas = asa_areas,
			.nareas = 1, .planned = 4, .interval_days = 28, .start_date = start_asa,
		};
		check(record_series_add(s, &sr, &s_asa, &err), "series");
	}
	ses1 = session(s, s_zoe, -40, a1, 2, sc1, 2, "Pen A, lot 11");
	ses2 = session(s, s_zoe, -12, a2, 2, sc2, 2, "Pen A, lot 12");
	session(s, s_asa, -70, a3, 1, NULL, 0, "Pen B, lot 7");
	backed_up(s, argv[1], &pass);
	store_pass_free(&pass);
	record_close(s);
	printf("P_ZOE=%lld P_ASA=%lld S_ZOE=%lld S_ASA=%lld SES1=%lld SES2=%lld\n",
	       (long long)p_zoe, (long long)p_asa, (long long)s_zoe, (long long)s_asa,
	       (long long)ses1, (long long)ses2);
	return 0;
}
