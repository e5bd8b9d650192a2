/* import patients FILE.csv: every row is checked before anything is
 * written, then all are written in one transaction; one rejected row and
 * nothing is imported. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/value.h"
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
	{ "consent_date", "consent" }, { "notes", "notes" }, { "sex", "sex" },
};
#define COLUMN_LIST \
	"name, dob, sex, phone, email, skin_type, flags, allergies, medications, consent, notes"

/* Closes f unless it is standard input; passes rc through. */
static int done_reading(FILE *f, int rc)
{
	if (f != stdin)
		fclose(f);
	return rc;
}

static int read_all(const char *path, char **buf, size_t *len, struct nl_err *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char shown[NL_QUOTE_BUF];
	size_t cap = 0, got = 1;

	*buf = NULL;
	*len = 0;
	nl_quote_value(path, shown, sizeof(shown));
	if (!f)
		return nl_error(err, errno == ENOENT ? NL_ENOENT : NL_EIO, "cannot read '%s': %s",
				shown, strerror(errno));
	while (got && *len <= IMPORT_MAX_BYTES) {
		if (*len + 4096 > cap) {
			char *nb = realloc(*buf, cap = cap ? cap * 2 : 65536);

			if (!nb)
				return done_reading(f, nl_error(err, NL_ENOMEM, "out of memory"));
			*buf = nb;
		}
		got = fread(*buf + *len, 1, cap - *len, f);
		*len += got;
	}
	if (ferror(f))
		return done_reading(f, nl_error(err, NL_EIO, "cannot read '%s'", shown));
	if (*len > IMPORT_MAX_BYTES)
		return done_reading(f, nl_error(err, NL_EDATA, "'%s' is larger than %u MiB", shown,
						IMPORT_MAX_BYTES >> 20));
	return done_reading(f, NL_OK);
}

/* A header cell as a column name: trimmed, lower case, '-' and ' ' to '_'. */
static void header_name(const char *h, char *norm, size_t size)
{
	size_t k = 0;

	while (*h == ' ')
		h++;
	for (; *h && k < size - 1; h++)
		norm[k++] = *h == '-' || *h == ' ' ? '_'
			    : (*h >= 'A' && *h <= 'Z') ? (char)(*h + 32) : *h;
	while (k > 0 && norm[k - 1] == '_')
		k--;
	norm[k] = '\0';
}

static const char *column_field(const char *head)
{
	char norm[64];

	header_name(head, norm, sizeof(norm));
	for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
		if (strcmp(norm, columns[c].header) == 0)
			return columns[c].field;
	return NULL;
}

/* Maps each header cell to a patient field; NL_EDATA for an unknown or
 * repeated column, or no name column. */
static int map_header(char **head, size_t n, const char **fields, struct nl_err *err)
{
	bool have_name = false;
	char shown[NL_QUOTE_BUF];

	for (size_t i = 0; i < n; i++) {
		nl_quote_value(head[i], shown, sizeof(shown));
		if (!(fields[i] = column_field(head[i])))
			return nl_error(err, NL_EDATA,
					"header: unknown column '%s' (column %zu); the columns are " COLUMN_LIST,
					shown, i + 1);
		for (size_t j = 0; j < i; j++)
			if (strcmp(fields[j], fields[i]) == 0)
				return nl_error(err, NL_EDATA, "header: column '%s' is given twice", shown);
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
	size_t rejected, read;  /* rows rejected, rows read */
};

/* One data record into a patient, checked as patient add checks its
 * options: each value as text for its field (nl_text_check_value, as the
 * framework checks --name), set by the core (value_patient_set), the
 * patient's own rules (check_patient) and the date rules. */
static int row_patient(struct record *rec, char **cells, size_t ncells, const char **fields,
		       size_t ncols, struct nl_patient *p, struct nl_err *err)
{
	int rc = NL_OK;

	if (ncells != ncols)
		return nl_error(err, NL_EDATA, "it has %zu field%s; the header has %zu", ncells,
				ncells == 1 ? "" : "s", ncols);
	for (size_t i = 0; i < ncols && rc == NL_OK; i++) {
		rc = nl_text_check_value(fields[i], cells[i], err);
		if (rc == NL_OK)
			rc = value_patient_set(p, fields[i], cells[i], err);
	}
	if (rc == NL_OK && !p->name)
		rc = nl_error(err, NL_EDATA, "name: the name is empty; every patient needs one");
	if (rc == NL_OK)
		rc = record_patient_validate(rec, p, err);
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

/* "needlelog: row 2 (line 3): dob: ..." on stderr, sanitized. */
static void report_row(size_t row, size_t line, const char *msg)
{
	fprintf(stderr, "needlelog: row %zu (line %zu): ", row, line);
	out_text(stderr, msg);
	fputc('\n', stderr);
}

/* The header row: the column of each field (*fields, owned). */
static int read_header(struct csv_reader *r, const char ***fields, size_t *ncols,
		       struct nl_err *err)
{
	char **cells = NULL;
	enum csv_result got = csv_next(r, &cells, ncols, err);
	int rc = NL_OK;

	if (got == CSV_END)
		return nl_error(err, NL_EDATA, "the file is empty");
	if (got == CSV_MALFORMED)
		return NL_EDATA;
	if (got == CSV_BAD_TEXT) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		rc = nl_error(err, NL_EDATA, "header (line %zu): %s", r->record_line, msg);
	} else if (!(*fields = calloc(*ncols, sizeof(**fields))))
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	else
		rc = map_header(cells, *ncols, *fields, err);
	csv_free(cells, *ncols);
	if (rc == NL_OK)
		csv_names(r, *fields, *ncols);
	return rc;
}

/* One data record: kept, or reported and counted as rejected. */
static int take_row(struct record *rec, struct csv_reader *r, enum csv_result got,
		    char **cells, size_t ncells, const char **fields, size_t ncols,
		    struct import_rows *rows, struct nl_err *err)
{
	struct nl_patient p = { 0 };
	struct nl_err row_err = *err;
	int rc = got == CSV_BAD_TEXT ? NL_EDATA : NL_OK;

	rows->read++;
	if (rc == NL_OK)
		rc = row_patient(rec, cells, ncells, fields, ncols, &p, &row_err);
	if (rc != NL_OK) {
		report_row(rows->read, r->record_line, row_err.msg);
		rows->rejected++;
		record_patient_free(&p);
		return NL_OK;
	}
	if (add_row(rows, &p) != 0) {
		record_patient_free(&p);
		return nl_error(err, NL_ENOMEM, "out of memory");
	}
	return NL_OK;
}

/* Reads every row; reports each rejected one. NL_EDATA when any was. */
static int parse_rows(struct record *rec, const char *buf, size_t len,
		      struct import_rows *rows, struct nl_err *err)
{
	struct csv_reader r;
	const char **fields = NULL;
	char **cells = NULL;
	size_t ncols = 0, ncells;
	enum csv_result got;
	int rc;

	csv_init(&r, buf, len);
	rc = read_header(&r, &fields, &ncols, err);
	while (rc == NL_OK && (got = csv_next(&r, &cells, &ncells, err)) != CSV_END) {
		if (got == CSV_MALFORMED)
			rc = NL_EDATA;
		else
			rc = take_row(rec, &r, got, cells, ncells, fields, ncols, rows, err);
		csv_free(cells, ncells);
	}
	free(fields);
	if (rc == NL_OK && rows->rejected)
		rc = nl_error(err, NL_EDATA,
			      "%zu of %zu rows rejected; nothing was imported. Correct them and run the import again",
			      rows->rejected, rows->read);
	else if (rc == NL_OK && rows->read == 0)
		rc = nl_error(err, NL_EDATA, "no patients: the file has a header row only");
	return rc;
}

/* Every row in one transaction, with one audit row for the import: a
 * failure on any leaves the file as it was. */
static int write_rows(struct record *rec, const struct import_rows *rows, const char *path,
		      int64_t *first, int64_t *last, struct nl_err *err)
{
	char detail[512];
	int rc = record_begin(rec, err);

	for (size_t i = 0; rc == NL_OK && i < rows->n; i++) {
		rc = record_patient_add(rec, &rows->p[i], last, err);
		if (rc == NL_OK && !*first)
			*first = *last;
	}
	if (rc == NL_OK) {
		snprintf(detail, sizeof(detail), "%zu patients from %s (#%lld-#%lld)", rows->n,
			 path, (long long)*first, (long long)*last);
		rc = audit_add(rec, AUDIT_IMPORT, AUDIT_PATIENT, 0, NULL, detail, err);
	}
	if (rc == NL_OK)
		rc = record_commit(rec, err);
	else
		record_rollback(rec);
	return rc;
}

static int run_patients(struct cli *c, struct nl_err *err)
{
	struct import_rows rows = { 0 };
	const char *path = c->args[0];
	int64_t first = 0, last = 0;
	char *buf = NULL;
	size_t len = 0;
	int rc = read_all(path, &buf, &len, err);

	/* Open first: the date rules need today, and a wrong passphrase should
	 * not wait for a long file to be checked. */
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = parse_rows(c->rec, buf, len, &rows, err);
	free(buf);
	if (rc == NL_OK)
		rc = write_rows(c->rec, &rows, path, &first, &last, err);
	for (size_t i = 0; i < rows.n; i++)
		record_patient_free(&rows.p[i]);
	free(rows.p);
	if (rc != NL_OK)
		return rc;
	printf("Imported %zu patient%s from ", rows.n, rows.n == 1 ? "" : "s");
	out_text(stdout, path);
	printf(" (ids %lld-%lld)\n", (long long)first, (long long)last);
	return NL_OK;
}

static const struct cli_opt patients_opts[] = {
	CLI_OPT_PRACTITIONER,
	{ 0 },
};

const struct cli_command cli_import_commands[] = {
	{ "import", "patients", "FILE.csv", 1, 1,
	  "Import patients from a CSV file, all or nothing.\n"
	  "FILE.csv is a file, or - for standard input. RFC 4180: quoted fields may\n"
	  "hold commas, quotes and line breaks; CRLF or LF; UTF-8. The first row\n"
	  "names the columns (in any case and order):\n"
	  COLUMN_LIST ".\n"
	  "Only name is required. flags holds CODE[:DATE[:NOTE]] items separated by\n"
	  "';'; allergies and medications are text whose allergens and medicines\n"
	  "become list items (the text kept as a note); consent is a date that\n"
	  "becomes a treatment consent; sex is female, male, other or unknown. Each value is checked as `patient add` checks it. Every row is\n"
	  "checked first: if any is rejected (a NUL byte or text that is not UTF-8\n"
	  "included), each one is listed (row, line, field, value and what is\n"
	  "allowed) and nothing is imported (exit 65).",
	  patients_opts, run_patients },
	{ 0 },
};
