/* The commands that take the records out of the program: export (a
 * follow-up summary in plaintext) and backup (an encrypted, verified copy
 * of the whole record file). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/export.h"
#include "cli.h"

enum {
	OPT_PATIENT = OPT_FIRST_LOCAL, OPT_SERIES, OPT_FORMAT, OPT_PRACTICE,
	OPT_TODAY, OPT_PRACTITIONER,
};
#define PRACTITIONER_OPTION \
	{ "practitioner", required_argument, NULL, OPT_PRACTITIONER }

/* A positive record id ("12" or "#12"); -1 when valid, else exit 64. */
static int parse_id(const struct cli *c, const char *what, const char *s,
		    int64_t *id)
{
	char *end;
	long long v;

	if (s[0] == '#')
		s++;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v <= 0)
		return cli_usage_error(c, "%s '%s' is not an id (a positive whole number)",
				       what, s);
	*id = v;
	return -1;
}

/* Who is recorded in the audit row: the option, else
 * $NEEDLELOG_PRACTITIONER, else $USER (as the other commands do). */
static void set_actor(struct cli *c, const char *opt)
{
	const char *who = opt && *opt ? opt : getenv("NEEDLELOG_PRACTITIONER");

	if (!who || !*who)
		who = getenv("USER");
	c->who = who && *who ? who : NULL;
}

static int run_export(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, PRACTITIONER_OPTION,
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "today", required_argument, NULL, OPT_TODAY },
		{ "patient", required_argument, NULL, OPT_PATIENT },
		{ "series", required_argument, NULL, OPT_SERIES },
		{ "output", required_argument, NULL, 'o' },
		{ "practice", required_argument, NULL, OPT_PRACTICE },
		{ 0 },
	};
	const char *format = NULL, *output = NULL, *practice = NULL,
		   *today = getenv("NEEDLELOG_TODAY"), *who = NULL;
	int64_t patient = 0, series = 0;
	enum export_format fmt;
	struct nl_err err = { 0 };
	struct record *s = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_PATIENT:
			if ((rc = parse_id(c, "--patient", optarg, &patient)) >= 0)
				return rc;
			break;
		case OPT_SERIES:
			if ((rc = parse_id(c, "--series", optarg, &series)) >= 0)
				return rc;
			break;
		case OPT_FORMAT:
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_PRACTICE:
			practice = optarg;
			break;
		case OPT_TODAY:
			today = optarg;
			break;
		case OPT_PRACTITIONER:
			who = optarg;
			break;
		default:
			if ((rc = cli_common_opt(c, opt, argv)) >= 0)
				return rc;
		}
	}
	if (optind != argc)
		return cli_usage_error(c, "unexpected '%s'", argv[optind]);
	if (!patient)
		return cli_usage_error(c, "which patient? give --patient ID");
	if (!format)
		return cli_usage_error(c, "give --format text, md, csv, fhir or pdf");
	if (export_format_parse(format, &fmt) != NL_OK)
		return cli_usage_error(c, "--format %s: use text, md, csv, fhir or pdf", format);
	if (!output && !export_format_textlike(fmt))
		return cli_usage_error(c, "a %s export needs a file: give -o FILE", format);
	if (output && strcmp(output, "-") == 0) {
		if (!export_format_textlike(fmt))
			return cli_usage_error(c, "a %s export needs a file, not stdout", format);
		output = NULL;
	}
	if (output && access(output, F_OK) == 0) {
		nl_error(&err, NL_EEXIST, "%s already exists; an export never overwrites a file",
			 output);
		return cli_fail(&err);
	}
	if (today && *today && !check_date_valid(today)) {
		nl_error(&err, NL_EDATA, "--today %s: not a date (YYYY-MM-DD)", today);
		return cli_fail(&err);
	}
	set_actor(c, who);
	c->today = today;
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = record_set_practice(s, practice ? practice : getenv("NEEDLELOG_PRACTICE"), &err);
	if (rc == NL_OK)
		rc = export_write(s, patient, series, fmt, output, &err);
	record_close(s);
	if (rc != NL_OK)
		return cli_fail(&err);
	if (output)
		fprintf(stderr, "needlelog: wrote %s (plaintext health data, mode 0600)\n",
			output);
	return EX_OK;
}

static int audit_backup(struct record *s, const char *dest, struct nl_err *err)
{
	char *abs = realpath(dest, NULL);
	json_t *d = json_pack("{s:s,s:s}", "from", store_path(record_store(s)), "to", abs ? abs : dest);
	char *text = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int rc;

	free(abs);
	json_decref(d);
	if (!text)
		return nl_error(err, NL_ENOMEM, "out of memory");
	rc = audit_add(s, AUDIT_BACKUP, AUDIT_FILE, 0, NULL, text, err);
	free(text);
	return rc;
}

static int run_backup(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS, PRACTITIONER_OPTION, { 0 },
	};
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	const char *path, *dest, *who = NULL;
	struct record *s = NULL;
	struct stat st;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_PRACTITIONER)
			who = optarg;
		else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if (optind >= argc)
		return cli_usage_error(c, "where to? give the backup's path: backup DEST");
	if (optind + 1 < argc)
		return cli_usage_error(c, "one destination only: unexpected '%s'", argv[optind + 1]);
	dest = argv[optind];
	path = cli_db_path(c, &err);
	if (!path)
		return cli_fail(&err);
	if (stat(path, &st) != 0 && errno == ENOENT) {
		nl_error(&err, NL_ENOENT, "no record file at %s; create one with `needlelog init`",
			 path);
		return cli_fail(&err);
	}
	if (access(dest, F_OK) == 0) {
		nl_error(&err, NL_EEXIST, "%s already exists; backup never overwrites a file", dest);
		return cli_fail(&err);
	}
	set_actor(c, who);
	/* The passphrase is read once: it opens the file and protects the copy. */
	rc = store_global_init(&err);
	if (rc == NL_OK)
		rc = cli_passphrase(c, false, &pass, &err);
	if (rc == NL_OK)
		rc = record_open(path, &pass, &s, &err);
	if (rc == NL_OK)
		rc = record_set_actor(s, c->who, &err);
	if (rc == NL_OK)
		rc = store_backup(record_store(s), dest, &pass, cli_progress, "backing up", &err);
	cli_progress_end();
	store_pass_free(&pass);
	/* Every backup is audited: a busy writer only delays the row; if it
	 * cannot be written, the copy made here is removed and the command
	 * fails. */
	if (rc == NL_OK) {
		int tries = 0;

		do {
			if (tries++)
				usleep(100000);
			rc = audit_backup(s, dest, &err);
		} while (rc == NL_EBUSY && tries < 10);
		if (rc != NL_OK)
			unlink(dest);
	}
	record_close(s);
	if (rc != NL_OK)
		return cli_fail(&err);
	printf("Backed up %s to %s: encrypted with the same passphrase; every page "
	       "authenticated\n", path, dest);
	return EX_OK;
}

const struct cli_command cli_export_commands[] = {
	{ NULL, "export", run_export,
	  "--patient ID [--series ID] --format text|md|csv|fhir|pdf [-o FILE]",
	  "Write a patient's follow-up summary as text, md, csv, fhir or pdf.\n"
	  "It holds the plan, every session (areas and depths, device, products,\n"
	  "pain, reactions, adverse events, signed and amended status), progress\n"
	  "and the next due date. To stdout without -o (not pdf). A file holds\n"
	  "PLAINTEXT health data: it is created with mode 0600 and never\n"
	  "overwrites (exit 73). Every export is audited.",
	  "  --patient ID         the patient\n"
	  "  --series ID          one series (else all of the patient's)\n"
	  "  --format FORMAT      text, md (Markdown), csv (one row per area per\n"
	  "                       session), fhir (FHIR R4 JSON Bundle) or pdf\n"
	  "  -o, --output FILE    write FILE (new; '-' is stdout)\n"
	  "  --practice NAME      the practice's name in the header (else\n"
	  "                       $NEEDLELOG_PRACTICE)\n"
	  "  --today DATE         count the next due date from DATE (else\n"
	  "                       $NEEDLELOG_TODAY, else today)\n"
	  "  --practitioner NAME  who exports, for the audit log\n" },
	{ NULL, "backup", run_backup, "DEST",
	  "Copy the record file, even while it is in use, into a new file.\n"
	  "It is made through SQLite's online backup, stays encrypted under the\n"
	  "same passphrase, and is verified (every page authenticated) before the\n"
	  "command succeeds. Never overwrites (exit 73). To restore, check the\n"
	  "copy with `needlelog check --db DEST`, then use it with --db DEST or\n"
	  "copy it into place.",
	  "  --practitioner NAME  who backs up, for the audit log\n" },
	{ 0 },
};
