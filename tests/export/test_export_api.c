/* export.h called directly: format names, the file it creates (new, 0600
 * whatever the umask, never over an existing file), errors that leave no
 * file, the audit row, and stdout refused for PDF. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "needlelog/audit.h"
#include "needlelog/export.h"
#include "needlelog/record.h"
#include "needlelog/store.h"

struct t {
	char dir[64];
	char db[128];
	struct record *s;
	int64_t patient, other, series, other_series;
};

static int setup(void **state)
{
	static struct t t;
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	struct nl_patient p = { .name = "Zoë Müller-Łukasiewicz", .skin_type = 2 };
	struct nl_patient q = { .name = "Other" };
	struct nl_series sr = { .indication = "fine-lines", .start_date = "2026-01-01" };
	struct nl_treatment a[] = { { "forehead", NULL, 0.5, 2 } };
	struct nl_session ses = { .date = "2026-01-01", .anesthetic_minutes = -1,
				  .pain = 2, .areas = a, .nareas = 1 };
	int64_t sid;

	snprintf(t.dir, sizeof(t.dir), "/tmp/nl-export-api-XXXXXX");
	assert_non_null(mkdtemp(t.dir));
	snprintf(t.db, sizeof(t.db), "%s/r.db", t.dir);
	assert_int_equal(store_global_init(&err), NL_OK);
	assert_int_equal(store_pass_set(&pass, "pw", 2, &err), NL_OK);
	assert_int_equal(record_create(t.db, &pass, STORE_KDF_DEFAULT, &t.s, &err), NL_OK);
	store_pass_free(&pass);
	assert_int_equal(record_patient_add(t.s, &p, &t.patient, &err), NL_OK);
	assert_int_equal(record_patient_add(t.s, &q, &t.other, &err), NL_OK);
	sr.patient_id = t.patient;
	assert_int_equal(record_series_add(t.s, &sr, &t.series, &err), NL_OK);
	sr.patient_id = t.other;
	assert_int_equal(record_series_add(t.s, &sr, &t.other_series, &err), NL_OK);
	ses.series_id = t.series;
	assert_int_equal(record_session_add(t.s, &ses, false, NULL, NULL, &sid, &err), NL_OK);
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	char cmd[256];

	record_close(t->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t export_rows(struct record *s, int64_t patient)
{
	struct nl_audit *rows = NULL;
	struct nl_err err = { 0 };
	size_t n = 0, count = 0;

	assert_int_equal(audit_list(s, 0, AUDIT_PATIENT, patient, &rows, &n, &err), NL_OK);
	for (size_t i = 0; i < n; i++)
		count += strcmp(rows[i].action, AUDIT_EXPORT) == 0;
	audit_list_free(rows, n);
	return count;
}

static void format_names(void **state)
{
	static const char *const names[] = { "text", "md", "csv", "fhir", "pdf" };
	enum export_format f = EXPORT_TEXT;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(export_format_parse(names[i], &f), NL_OK);
		assert_string_equal(export_format_name(f), names[i]);
	}
	assert_int_equal(export_format_parse("markdown", &f), NL_OK);
	assert_int_equal(f, EXPORT_MD);
	f = EXPORT_CSV;
	assert_int_equal(export_format_parse("docx", &f), NL_EUSAGE);
	assert_int_equal(export_format_parse(NULL, &f), NL_EUSAGE);
	assert_int_equal(f, EXPORT_CSV);
	assert_false(export_format_textlike(EXPORT_PDF));
	assert_true(export_format_textlike(EXPORT_FHIR));
	assert_string_equal(export_format_ext(EXPORT_FHIR), "json");
}

/* Every format makes a new file, mode 0600 even under umask 0, and adds one
 * audit row naming the format and the file. */
static void files_are_private(void **state)
{
	struct t *t = *state;
	enum export_format fmts[] = { EXPORT_TEXT, EXPORT_MD, EXPORT_CSV, EXPORT_FHIR,
				      EXPORT_PDF };
	mode_t old = umask(0);

	for (size_t i = 0; i < 5; i++) {
		struct nl_err err = { 0 };
		struct nl_audit *rows = NULL;
		char path[256];
		struct stat st;
		size_t before = export_rows(t->s, t->patient), n = 0;

		snprintf(path, sizeof(path), "%s/out.%s", t->dir, export_format_ext(fmts[i]));
		assert_int_equal(export_write(t->s, t->patient, 0, fmts[i], path, &err), NL_OK);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_true(st.st_size > 100);
		assert_int_equal(export_rows(t->s, t->patient), before + 1);
		assert_int_equal(audit_list(t->s, 1, NULL, 0, &rows, &n, &err), NL_OK);
		assert_int_equal(n, 1);
		assert_string_equal(rows[0].action, AUDIT_EXPORT);
		assert_string_equal(rows[0].entity, AUDIT_PATIENT);
		assert_int_equal(rows[0].entity_id, t->patient);
		assert_non_null(strstr(rows[0].detail, export_format_name(fmts[i])));
		assert_non_null(strstr(rows[0].detail, path));
		audit_list_free(rows, n);
	}
	umask(old);
}

/* An existing file is never touched; a failed export leaves no file and
 * no audit row. */
static void refuses_and_cleans_up(void **state)
{
	struct t *t = *state;
	struct nl_err err = { 0 };
	char path[256];
	struct stat st;
	FILE *f;
	size_t before = export_rows(t->s, t->patient);

	snprintf(path, sizeof(path), "%s/exists.txt", t->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("keep me", f);
	fclose(f);
	assert_int_equal(export_write(t->s, t->patient, 0, EXPORT_TEXT, path, &err), NL_EEXIST);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 7);

	snprintf(path, sizeof(path), "%s/nobody.txt", t->dir);
	assert_int_equal(export_write(t->s, 9999, 0, EXPORT_TEXT, path, &err), NL_ENOENT);
	assert_int_not_equal(access(path, F_OK), 0);
	/* A series of another patient is not this patient's. */
	assert_int_equal(export_write(t->s, t->patient, t->other_series, EXPORT_PDF, path,
				      &err), NL_ENOENT);
	assert_int_not_equal(access(path, F_OK), 0);
	/* PDF needs a file. */
	assert_int_equal(export_write(t->s, t->patient, 0, EXPORT_PDF, NULL, &err), NL_EUSAGE);
	assert_int_equal(export_rows(t->s, t->patient), before);
}

/* To a stream: the audit row says where. */
static void to_stream(void **state)
{
	struct t *t = *state;
	struct nl_err err = { 0 };
	struct nl_audit *rows = NULL;
	char *buf = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(export_write_stream(t->s, t->patient, t->series, EXPORT_MD, f,
					     "memory", &err), NL_OK);
	fclose(f);
	assert_non_null(strstr(buf, "# Follow-up summary: Zoë Müller-Łukasiewicz"));
	assert_non_null(strstr(buf, "Forehead 0.5 mm x2"));
	free(buf);
	assert_int_equal(audit_list(t->s, 1, NULL, 0, &rows, &n, &err), NL_OK);
	assert_non_null(strstr(rows[0].detail, "\"file\":\"memory\""));
	assert_non_null(strstr(rows[0].detail, "\"format\":\"md\""));
	audit_list_free(rows, n);
}

/* The recipient (record_set_recipient) in the text header and the audit
 * row; cleared, neither says one. */
static void recipient(void **state)
{
	struct t *t = *state;
	struct nl_err err = { 0 };
	struct nl_audit *rows = NULL;
	char *buf = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(record_set_recipient(t->s, "Dr Roe, GP", &err), NL_OK);
	assert_string_equal(record_recipient(t->s), "Dr Roe, GP");
	assert_int_equal(export_write_stream(t->s, t->patient, 0, EXPORT_TEXT, f, "memory", &err),
			 NL_OK);
	fclose(f);
	assert_non_null(strstr(buf, "\nFor:           Dr Roe, GP\n"));
	free(buf);
	assert_int_equal(audit_list(t->s, 1, NULL, 0, &rows, &n, &err), NL_OK);
	assert_non_null(strstr(rows[0].detail, "\"recipient\":\"Dr Roe, GP\""));
	audit_list_free(rows, n);
	assert_int_equal(record_set_recipient(t->s, "", &err), NL_OK);
	assert_null(record_recipient(t->s));
	buf = NULL;
	assert_non_null(f = open_memstream(&buf, &len));
	assert_int_equal(export_write_stream(t->s, t->patient, 0, EXPORT_TEXT, f, "memory", &err),
			 NL_OK);
	fclose(f);
	assert_null(strstr(buf, "For:"));
	free(buf);
	assert_int_equal(audit_list(t->s, 1, NULL, 0, &rows, &n, &err), NL_OK);
	assert_null(strstr(rows[0].detail, "recipient"));
	audit_list_free(rows, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_names),
		cmocka_unit_test(files_are_private),
		cmocka_unit_test(refuses_and_cleans_up),
		cmocka_unit_test(to_stream),
		cmocka_unit_test(recipient),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
