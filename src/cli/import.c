/* import patients FILE.csv: every row is checked before anything is
 * written, then all are written in one transaction; one rejected row and
 * nothing is imported. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/record.h"
#include "csv.h"
#include "out.h"

#define IMPORT_MAX_BYTES (64u * 1024 * 1024)

/* Header names (after lower-casing, trimming and '-' to '_') and the
 * patient field each one fills. */
static const struct {
	const char *header;
	const char *field;
} columns[] = {
	{ "name", "name" }, { "dob", "dob" }, { "date_of_birth", "dob" },
	{ "phone", "phone" }, { "email", "email" }, { "skin_type", "skin_type" },
	{ "fitzpatrick", "skin_type" }, { "flags", "flags" },
	{ "contraindications", "flags" }, { "allergies", "allergies" },
	{ "medications", "medications" }, { "consent", "consent" },
	{ "consent_date", "consent" }, { "notes", "notes" },
};
#define COLUMN_LIST "name, dob, phone, email, skin_type, flags, allergies, medications, consent, notes"

static int read_all(const char *path, char **buf, size_t *len, struct nl_err *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 0;

	*buf = NULL;
	*len = 0;
	if (!f)
		return nl_error(err, errno == ENOENT ? NL_ENOENT : NL_EIO, "cannot read %s: %s",
				path, strerror(errno));
	for (;;) {
		size_t got;

		if (*len + 4096 > cap) {
			char *nb = realloc(*buf, cap = cap ? cap * 2 : 65536);

			if (!nb) {
				if (f != stdin)
					fclose(f);
				return nl_error(err, NL_ENOMEM, "out of memory");
			}
			*buf = nb;
		}
		got = fread(*buf + *len, 1, cap - *len, f);
		*len += got;
		if (got == 0 || *len > IMPORT_MAX_BYTES)
			break;
	}
	if (ferror(f) || *len > IMPORT_MAX_BYTES) {
		int bad = ferror(f);

		if (f != stdin)
			fclose(f);
		return bad ? nl_error(err, NL_EIO, "cannot read %s", path)
			   : nl_error(err, NL_EDATA, "%s is larger than %u MiB", path,
				      IMPORT_MAX_BYTES >> 20);
	}
	if (f != stdin)
		fclose(f);
	return NL_OK;
}

/* Maps each header cell to a patient field; NL_EDATA for an unknown or
 * repeated column, or no name column. */
static int map_header(char **head, size_t n, const char **fields, struct nl_err *err)
{
	bool have_name = false;

	for (size_t i = 0; i < n; i++) {
		char norm[64] = "";
		size_t k = 0;
		const char *h = head[i];

		while (*h == ' ')
			h++;
		for (; *h && k < sizeof(norm) - 1; h++)
			norm[k++] = *h == '-' || *h == ' ' ? '_'
				    : (*h >= 'A' && *h <= 'Z') ? (char)(*h + 32) : *h;
		while (k > 0 && norm[k - 1] == '_')
			k--;
		norm[k] = '\0';
		fields[i] = NULL;
		for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
			if (strcmp(norm, columns[c].header) == 0)
				fields[i] = columns[c].field;
		if (!fields[i])
			return nl_error(err, NL_EDATA,
					"header: unknown column '%s' (column %zu); the columns are " COLUMN_LIST,
					head[i], i + 1);
		for (size_t j = 0; j < i; j++)
			if (strcmp(fields[j], fields[i]) == 0)
				return nl_error(err, NL_EDATA, "header: column '%s' is given twice", head[i]);
		have_name |= strcmp(fields[i], "name") == 0;
	}
	if (!have_name)
		return nl_error(err, NL_EDATA,
				"header: the first row must name the columns, with at least 'name' (" COLUMN_LIST ")");
	return NL_OK;
}

struct import_rows {
	struct nl_patient *p;
	size_t n, cap;
	size_t rejected;
};

/* Parses one data record into a patient; err names the problem. */
static int row_patient(char **cells, size_t ncells, const char **fields, size_t ncols,
		       struct nl_patient *p, struct nl_err *err)
{
	int rc = NL_OK;

	if (ncells != ncols)
		return nl_error(err, NL_EDATA, "it has %zu field%s; the header has %zu", ncells,
				ncells == 1 ? "" : "s", ncols);
	for (size_t i = 0; i < ncols && rc == NL_OK; i++)
		rc = patient_set_field(p, fields[i], cells[i], err);
	if (rc == NL_OK && !p->name)
		rc = nl_error(err, NL_EDATA, "name: the name is empty; every patient needs one");
	if (rc == NL_OK)
		rc = check_patient(p, err);
	return rc;
}

static int add_row(struct import_rows *rows, const struct nl_patient *p)
{
	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 64;
		struct nl_patient *np = realloc(rows->p, cap * sizeof(*np));

		if (!np)
			return -1;
		rows->p = np;
		rows->cap = cap;
	}
	rows->p[rows->n++] = *p;
	return 0;
}

/* Reads every row; prints each rejected one. NL_EDATA when any was. */
static int parse_rows(const char *buf, size_t len, struct import_rows *rows,
		      struct nl_err *err)
{
	struct csv_reader r;
	const char **fields = NULL;
	char **cells = NULL;
	size_t ncols = 0, ncells, rowno = 0;
	int got, rc;

	csv_init(&r, buf, len);
	if ((got = csv_next(&r, &cells, &ncols, err)) <= 0)
		return got < 0 ? NL_EDATA : nl_error(err, NL_EDATA, "the file is empty");
	if (!(fields = calloc(ncols, sizeof(*fields))))
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	else
		rc = map_header(cells, ncols, fields, err);
	csv_free(cells, ncols);
	while (rc == NL_OK && (got = csv_next(&r, &cells, &ncells, err)) != 0) {
		struct nl_patient p = { 0 };
		struct nl_err row_err = { 0 };

		if (got < 0) {
			rc = NL_EDATA;
			break;
		}
		rowno++;
		if (row_patient(cells, ncells, fields, ncols, &p, &row_err) != NL_OK) {
			fprintf(stderr, "needlelog: row %zu (line %zu): %s\n", rowno, r.record_line,
				row_err.msg);
			rows->rejected++;
			record_patient_free(&p);
		} else if (add_row(rows, &p) != 0) {
			record_patient_free(&p);
			rc = nl_error(err, NL_ENOMEM, "out of memory");
		}
		csv_free(cells, ncells);
	}
	free(fields);
	if (rc == NL_OK && rows->rejected)
		rc = nl_error(err, NL_EDATA,
			      "%zu of %zu rows rejected; nothing was imported. Correct them and run the import again",
			      rows->rejected, rowno);
	else if (rc == NL_OK && rowno == 0)
		rc = nl_error(err, NL_EDATA, "no patients: the file has a header row only");
	return rc;
}

static int run_patients(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, OUT_PRACTITIONER_OPTION, { 0 } };
	struct import_rows rows = { 0 };
	struct nl_err err = { 0 };
	const char *who = NULL, *path;
	struct record *s = NULL;
	int64_t first = 0, id = 0;
	char *buf = NULL, detail[512];
	size_t len, added = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_PRACTITIONER)
			who = optarg;
		else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if (optind + 1 != argc)
		return cli_usage_error(c, "give one CSV file (or - for standard input)");
	path = argv[optind];
	out_practitioner(c, who);
	rc = read_all(path, &buf, &len, &err);
	if (rc == NL_OK)
		rc = parse_rows(buf, len, &rows, &err);
	free(buf);
	/* Every row passed the core's own checks: now write them, in one
	 * transaction, so that a failure on any row leaves the file as it was. */
	if (rc == NL_OK)
		rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_begin(s, &err);
	for (size_t i = 0; rc == NL_OK && i < rows.n; i++) {
		rc = record_patient_add(s, &rows.p[i], &id, &err);
		if (rc == NL_OK && !first)
			first = id;
		if (rc == NL_OK)
			added++;
		else
			fprintf(stderr, "needlelog: row %zu: %s\n", i + 1, err.msg);
	}
	if (rc == NL_OK) {
		snprintf(detail, sizeof(detail), "%zu patients from %s (#%lld-#%lld)", added, path,
			 (long long)first, (long long)id);
		rc = audit_add(s, AUDIT_IMPORT, AUDIT_PATIENT, 0, NULL, detail, &err);
	}
	if (rc == NL_OK)
		rc = record_commit(s, &err);
	else if (s)
		record_rollback(s);
	record_close(s);
	for (size_t i = 0; i < rows.n; i++)
		record_patient_free(&rows.p[i]);
	free(rows.p);
	if (rc != NL_OK)
		return cli_fail(&err);
	printf("Imported %zu patient%s from %s (ids %lld-%lld)\n", added, added == 1 ? "" : "s",
	       path, (long long)first, (long long)id);
	return EX_OK;
}

const struct cli_command cli_import_commands[] = {
	{ "import", "patients", run_patients, "FILE.csv",
	  "Import patients from a CSV file, all or nothing.\n"
	  "RFC 4180: quoted fields may hold commas,\n"
	  "quotes and line breaks; CRLF or LF; UTF-8. The first row names the\n"
	  "columns: " COLUMN_LIST ".\n"
	  "Only name is required. flags holds CODE[:DATE[:NOTE]] items separated by\n"
	  "';'. Every row is checked first: if any is rejected, each one is listed\n"
	  "(row, line, field, value and what is allowed) and nothing is imported\n"
	  "(exit 65).",
	  "  --practitioner NAME    who imports, for the audit trail\n" },
	{ 0 },
};
