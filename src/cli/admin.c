/* The record file's own commands: init, check, passwd. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "needlelog/record.h"
#include "needlelog/schema.h"
#include "cli.h"

/* Creates each missing folder above path with mode 0700. */
static int make_parents(const char *path, struct nl_err *err)
{
	char *dir = strdup(path);

	if (!dir)
		return nl_error(err, NL_ENOMEM, "out of memory");
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			nl_error(err, NL_EIO, "cannot create the folder %s: %s", dir,
				 strerror(errno));
			free(dir);
			return NL_EIO;
		}
		*p = '/';
	}
	free(dir);
	return NL_OK;
}

int cli_create_record_file(struct cli *c, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	struct store *s = NULL;
	const char *path = cli_db_path(c, err);
	int rc;

	if (!path)
		return err->status;
	rc = store_global_init(err);
	if (rc == NL_OK && access(path, F_OK) == 0)
		rc = nl_error(err, NL_EEXIST,
			      "%s already exists; init never overwrites a record file", path);
	/* The passphrase first: a refused one leaves no new folder behind. */
	if (rc == NL_OK)
		rc = cli_passphrase(c, true, &pass, err);
	if (rc == NL_OK)
		rc = make_parents(path, err);
	if (rc == NL_OK)
		rc = store_create(path, &pass, STORE_KDF_DEFAULT, &s, err);
	store_pass_free(&pass);
	if (rc == NL_OK)
		rc = store_migrate(s, schema_migrations, schema_migration_count, err);
	store_close(s);
	return rc;
}

static int run_init(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
	struct nl_err err = { 0 };
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	if (optind != argc)
		return cli_usage_error(c, "init takes no arguments");
	if (cli_create_record_file(c, &err) != NL_OK)
		return cli_fail(&err);
	printf("Created the encrypted record file %s\n", c->db);
	return EX_OK;
}

static int run_check(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
	struct nl_err err = { 0 };
	size_t nsigned = 0, nbad = 0;
	int64_t *bad = NULL;
	struct store *s;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	if (optind != argc)
		return cli_usage_error(c, "check takes no arguments");
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = store_check(s, cli_progress, "checking", &err);
	cli_progress_end();
	/* Pages are sound; now every signed session against its hash. */
	if (rc == NL_OK)
		rc = record_verify_signatures(s, &nsigned, &bad, &nbad, &err);
	store_close(s);
	for (size_t i = 0; i < nbad; i++)
		fprintf(stderr, "needlelog: signed session #%lld has changed since it was signed "
			"(its hash no longer matches); see `needlelog session show %lld`\n",
			(long long)bad[i], (long long)bad[i]);
	free(bad);
	if (rc != NL_OK)
		return cli_fail(&err);
	printf("%s: every page authenticated; integrity check ok; %zu signed session%s "
	       "match their hash\n", c->db, nsigned, nsigned == 1 ? "" : "s");
	return EX_OK;
}

static int run_passwd(struct cli *c, int argc, char **argv)
{
	enum { OPT_REKEY = OPT_FIRST_LOCAL, OPT_NEWFILE };
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "rekey", no_argument, NULL, OPT_REKEY },
		{ "new-passphrase-file", required_argument, NULL, OPT_NEWFILE },
		{ 0 },
	};
	struct store_pass pass = { 0 };
	const char *new_file = NULL;
	struct nl_err err = { 0 };
	struct store *s = NULL;
	int opt, rc, rekey = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == OPT_REKEY)
			rekey = 1;
		else if (opt == OPT_NEWFILE)
			new_file = optarg;
		else if ((rc = cli_common_opt(c, opt, argv)) >= 0)
			return rc;
	}
	if (optind != argc)
		return cli_usage_error(c, "passwd takes no arguments");
	rc = cli_open(c, &s, &err);
	if (rc == NL_OK)
		rc = cli_read_passphrase(new_file, "NEEDLELOG_NEW_PASSPHRASE",
					 "New passphrase: ", true, &pass, &err);
	if (rc == NL_OK && rekey)
		rc = store_rekey(s, &pass, STORE_KDF_DEFAULT, &err);
	else if (rc == NL_OK)
		rc = store_passwd(s, &pass, STORE_KDF_DEFAULT, &err);
	store_pass_free(&pass);
	store_close(s);
	if (rc != NL_OK)
		return cli_fail(&err);
	printf(rekey ? "Passphrase changed and data key rotated for %s\n"
		     : "Passphrase changed for %s\n", c->db);
	return EX_OK;
}

const struct cli_command cli_admin_commands[] = {
	{ NULL, "init", run_init, "[--db PATH]",
	  "Create a new encrypted record file. Asks for the passphrase twice on a\n"
	  "terminal. Never overwrites an existing file (exit 73).", NULL },
	{ NULL, "check", run_check, "[--db PATH]",
	  "Authenticate every page of the record file (or of a backup, with --db)\n"
	  "and run SQLite's integrity check, then verify every signed session\n"
	  "against the hash stored when it was signed. Exit 0 only if all is sound;\n"
	  "74 names the first page that failed, or each signed session that changed.",
	  NULL },
	{ NULL, "passwd", run_passwd, "[--rekey] [--new-passphrase-file FILE]",
	  "Change the passphrase. The data key is rewrapped in the header and the\n"
	  "pages are untouched; with --rekey the data key is rotated too, by copying\n"
	  "the records into a new file that replaces the old one. The old passphrase\n"
	  "no longer opens the file.",
	  "  --new-passphrase-file FILE  the new passphrase (else\n"
	  "                              $NEEDLELOG_NEW_PASSPHRASE, else asked twice)\n"
	  "  --rekey                     also rotate the data key\n" },
	{ 0 },
};
