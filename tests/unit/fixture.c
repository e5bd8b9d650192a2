#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fixture.h"

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/nlunit.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/records.db", f->dir);
	/* The file's user is the practitioner the tests name, so the audit
	 * (which names the user) reads as they expect. */
	if (store_global_init(&err) != NL_OK || store_pass_set(&pass, "test", 4, &err) != NL_OK ||
	    store_pass_first_user(&pass, "Dr Kim", &err) != NL_OK ||
	    record_create(f->path, &pass, STORE_KDF_MIN, &f->s, &err) != NL_OK) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		store_pass_free(&pass);
		record_close(f->s);
		unlink(f->path);
		rmdir(f->dir);
		free(f);
		return -1;
	}
	store_pass_free(&pass);
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;
	char journal[320];

	record_close(f->s);
	unlink(f->path);
	snprintf(journal, sizeof(journal), "%s-journal", f->path);
	unlink(journal);
	rmdir(f->dir);
	free(f);
	return 0;
}

void fx_assert_msg(const struct nl_err *err, const char *file, int line, ...)
{
	const char *frag, *missing = NULL;
	va_list ap;

	va_start(ap, line);
	while (!missing && (frag = va_arg(ap, const char *)))
		if (!strstr(err->msg, frag))
			missing = frag;
	va_end(ap);
	if (missing)
		fail_msg("%s:%d: message \"%s\" lacks \"%s\"", file, line, err->msg, missing);
}

int64_t fx_patient(struct record *s, const char *name)
{
	struct nl_patient p = { .name = (char *)name, .skin_type = 2,
				.consent_date = "2026-01-01" };
	struct nl_err err = { 0 };
	int64_t id = 0;

	if (record_patient_add(s, &p, &id, &err) != NL_OK)
		fail_msg("fx_patient: %s", err.msg);
	return id;
}

int64_t fx_series(struct record *s, int64_t patient, const char *indication,
		  const char *start)
{
	struct nl_series sr = { .patient_id = patient, .indication = (char *)indication,
				.start_date = (char *)start };
	struct nl_err err = { 0 };
	int64_t id = 0;

	if (record_series_add(s, &sr, &id, &err) != NL_OK)
		fail_msg("fx_series: %s", err.msg);
	return id;
}

void fx_session_init(struct fx_session *f, int64_t series, const char *date,
		     const char *area, double depth)
{
	memset(f, 0, sizeof(*f));
	record_session_init(&f->ses);
	f->ses.series_id = series;
	f->ses.date = (char *)date;
	f->areas[0].area = (char *)area;
	f->areas[0].depth_mm = depth;
	f->ses.areas = f->areas;
	f->ses.nareas = 1;
	f->ses.scores = f->scores;
	f->ses.products = f->products;
}

int64_t fx_session_add(struct record *s, int64_t series, const char *date,
		       const char *area, double depth)
{
	struct fx_session f;
	struct nl_err err = { 0 };
	int64_t id = 0;

	fx_session_init(&f, series, date, area, depth);
	if (record_session_add(s, &f.ses, false, NULL, NULL, &id, &err) != NL_OK)
		fail_msg("fx_session_add: %s", err.msg);
	return id;
}

int64_t fx_count(struct record *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(record_store(s)), sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("fx_count: %s", sqlite3_errmsg(store_db(record_store(s))));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int fx_has_warning(const struct nl_warning *w, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w[i].code, code) == 0)
			return 1;
	return 0;
}
