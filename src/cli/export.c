/* export: a follow-up summary of the records, in plaintext, out of the
 * program. Backups (encrypted copies of the whole file) are backup.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "needlelog/export.h"
#include "needlelog/text.h"
#include "cli.h"

/* ---- export --------------------------------------------------------------- */

/* An export as the command line asks for it. */
struct export_req {
	int64_t patient, series;
	enum export_format fmt;
	const char *format;    /* as given */
	const char *output;    /* NULL: stdout */
	const char *practice;  /* --practice, else $NEEDLELOG_PRACTICE, or NULL */
	struct export_opts opts;
};

/* Where it goes: a new file, or stdout for the formats that are text. */
static int export_dest(struct cli *c, struct export_req *q, struct nl_err *err)
{
	q->output = cli_str(c, "output");
	if (q->output && strcmp(q->output, "-") == 0) {
		if (!export_format_textlike(q->fmt))
			return cli_usage(c, err, "a %s export needs a file, not stdout", q->format);
		q->output = NULL;
	} else if (!q->output && !export_format_textlike(q->fmt)) {
		return cli_usage(c, err, "a %s export needs a file: give -o FILE", q->format);
	}
	if (q->output && access(q->output, F_OK) == 0)
		return nl_error(err, NL_EEXIST, "%s already exists; an export never overwrites "
				"a file", q->output);
	return NL_OK;
}

static int export_parse(struct cli *c, struct export_req *q, struct nl_err *err)
{
	char shown[NL_QUOTE_BUF];
	int rc = cli_id(c, "patient", &q->patient, err);

	if (rc == NL_OK)
		rc = cli_id(c, "series", &q->series, err);
	if (rc != NL_OK)
		return rc;
	if (!q->patient)
		return cli_usage(c, err, "which patient? give --patient ID");
	if (!(q->format = cli_str(c, "format")))
		return cli_usage(c, err, "give --format text, md, csv, fhir or pdf");
	if (export_format_parse(q->format, &q->fmt) != NL_OK)
		return cli_usage(c, err, "--format '%s': use text, md, csv, fhir or pdf",
				 nl_quote_value(q->format, shown, sizeof(shown)));
	if (cli_flag(c, "no-bom") && q->fmt != EXPORT_CSV)
		return cli_usage(c, err, "--no-bom goes with --format csv");
	q->opts.no_bom = cli_flag(c, "no-bom");
	if (cli_flag(c, "photos") && q->fmt != EXPORT_PDF && q->fmt != EXPORT_FHIR)
		return cli_usage(c, err, "--photos goes with --format pdf or fhir (text and "
				 "Markdown list the photos without their images)");
	q->opts.photos = cli_flag(c, "photos");
	/* The environment's value is checked as the option's would be. */
	if (!(q->practice = cli_str(c, "practice")))
		q->practice = getenv("NEEDLELOG_PRACTICE");
	rc = nl_text_check_value("NEEDLELOG_PRACTICE", q->practice, err);
	return rc == NL_OK ? export_dest(c, q, err) : rc;
}

static int run_export(struct cli *c, struct nl_err *err)
{
	struct export_req q = { 0 };
	int rc = export_parse(c, &q, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_set_practice(c->rec, q.practice, err);
	if (rc == NL_OK)
		rc = export_write_opts(c->rec, q.patient, q.series, q.fmt, q.output, &q.opts,
				       err);
	if (rc == NL_OK && q.output) {
		fputs("needlelog: wrote ", stderr);
		nl_term_fputs(stderr, q.output, false);
		fputs(" (plaintext health data, mode 0600)\n", stderr);
	}
	return rc;
}

/* ---- the table ------------------------------------------------------------ */

static const struct cli_opt export_opts[] = {
	{ "patient", "ID", 0, "the patient" },
	{ "series", "ID", 0, "one series (else all of the patient's)" },
	{ "format", "FORMAT", 0, "text, md (Markdown), csv (one row per area per\n"
	  "session), fhir (FHIR R4 document Bundle) or pdf" },
	{ "output", "FILE", CLI_SHORT('o'), "write FILE (new; '-' is stdout)" },
	{ "no-bom", NULL, 0, "csv: no UTF-8 byte order mark first (by default\n"
	  "there is one, so spreadsheets read UTF-8)" },
	{ "photos", NULL, 0, "pdf: each view's baseline and latest photograph\n"
	  "side by side; fhir: the images inline in Media. Only\n"
	  "where a clinical-photography consent in force covers\n"
	  "it (else withheld, and the summary says so)" },
	{ "practice", "NAME", 0, "the practice's name in the header (else\n"
	  "$NEEDLELOG_PRACTICE)" },
	CLI_OPT_TODAY("next due from DATE"),
	CLI_OPT_PRACTITIONER,
	{ 0 },
};

const struct cli_command cli_export_commands[] = {
	{ NULL, "export", NULL, 0, 0,
	  "Write a patient's follow-up summary as text, md, csv, fhir or pdf.\n"
	  "It holds the plan, every session (areas and depths, device, products,\n"
	  "pain, reactions, adverse events, signed and amended status), progress\n"
	  "and the next due date. To stdout without -o (not pdf). A file holds\n"
	  "PLAINTEXT health data: it is created with mode 0600 and never\n"
	  "overwrites (exit 73). Every export is audited. Needs --patient and\n"
	  "--format.", export_opts, run_export },
	{ 0 },
};
