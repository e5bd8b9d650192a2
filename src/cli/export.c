/* The commands that take the records out of the program: export (a
 * follow-up summary in plaintext) and backup (an encrypted, verified copy
 * of the whole record file). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "needlelog/audit.h"
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

/* ---- backup --------------------------------------------------------------- */

static int audit_backup(struct record *r, const char *dest, struct nl_err *err)
{
	char *abs = realpath(dest, NULL);
	json_t *d = json_pack("{s:s,s:s}", "from", store_path(record_store(r)),
			      "to", abs ? abs : dest);
	char *text = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int rc;

	free(abs);
	json_decref(d);
	if (!text)
		return nl_error(err, NL_ENOMEM, "out of memory");
	rc = audit_add(r, AUDIT_BACKUP, AUDIT_FILE, 0, NULL, text, err);
	free(text);
	return rc;
}

/* Every backup is audited: a busy writer only delays the row; if it cannot
 * be written, the copy made here is removed and the command fails. */
static int audit_backup_retry(struct record *r, const char *dest, struct nl_err *err)
{
	int tries = 0, rc;

	do {
		if (tries++)
			usleep(100000);
		rc = audit_backup(r, dest, err);
	} while (rc == NL_EBUSY && tries < 10);
	if (rc != NL_OK)
		unlink(dest);
	return rc;
}

/* Opens the record file as cli_open does, but keeps the passphrase: read
 * once, it opens the file and protects the copy. */
static int run_backup(struct cli *c, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	const char *dest = c->args[0], *path = cli_db_path(c, err);
	int rc;

	if (!path)
		return err->status;
	if (access(dest, F_OK) == 0)
		return nl_error(err, NL_EEXIST, "%s already exists; backup never overwrites a "
				"file", dest);
	/* The passphrase is read once: it opens the file and protects the copy. */
	rc = cli_open_keep_pass(c, &pass, err);
	if (rc == NL_OK)
		rc = store_backup(record_store(c->rec), dest, &pass, cli_progress, "backing up",
				  err);
	cli_progress_end();
	store_pass_free(&pass);
	if (rc == NL_OK)
		rc = audit_backup_retry(c->rec, dest, err);
	if (rc != NL_OK)
		return rc;
	fputs("Backed up ", stdout);
	nl_term_fputs(stdout, path, false);
	fputs(" to ", stdout);
	nl_term_fputs(stdout, dest, false);
	fputs(": encrypted with the same passphrase; every page authenticated\n", stdout);
	return NL_OK;
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
	{ "practice", "NAME", 0, "the practice's name in the header (else\n"
	  "$NEEDLELOG_PRACTICE)" },
	CLI_OPT_TODAY("next due from DATE"),
	CLI_OPT_PRACTITIONER,
	{ 0 },
};

static const struct cli_opt backup_opts[] = {
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
	{ NULL, "backup", "DEST", 1, 1,
	  "Copy the record file, even while it is in use, into a new file.\n"
	  "It is made through SQLite's online backup, stays encrypted under the\n"
	  "same passphrase, and is verified (every page authenticated) before the\n"
	  "command succeeds. Never overwrites (exit 73). To restore, check the\n"
	  "copy with `needlelog check --db DEST`, then use it with --db DEST or\n"
	  "copy it into place.", backup_opts, run_backup },
	{ 0 },
};
