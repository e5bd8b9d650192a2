/* The record file's own commands: init, check, passwd. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "needlelog/access.h"
#include "needlelog/record.h"
#include "cli.h"

int cli_create_record_file(struct cli *c, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	const char *path = cli_db_path(c, err);
	int rc;

	if (!path)
		return err->status;
	rc = store_global_init(err);
	if (rc == NL_OK && access(path, F_OK) == 0)
		rc = nl_error(err, NL_EEXIST,
			      "%s already exists; init never overwrites a record file", path);
	if (rc == NL_OK)
		rc = cli_passphrase(c, true, &pass, err);
	if (rc == NL_OK)
		rc = access_create(path, &pass, NULL, err);
	store_pass_free(&pass);
	return rc;
}

static int run_init(struct cli *c, struct nl_err *err)
{
	int rc = cli_create_record_file(c, err);

	if (rc == NL_OK)
		printf("Created the encrypted record file %s\n", c->db_path);
	return rc;
}

/* Each signed session whose hash no longer matches, on stderr. */
static void report_bad(const int64_t *bad, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "needlelog: signed session id %lld has changed since it was "
			"signed (its hash no longer matches); see `needlelog session show %lld`\n",
			(long long)bad[i], (long long)bad[i]);
}

/* The key slots: users, the recovery key, and any slot that is neither
 * empty nor intact (a torn write, a flipped bit: it opens nothing). */
static int check_slots(struct cli *c, struct store_slot_report *r, struct nl_err *err)
{
	int rc = store_slot_report(record_store(c->rec), r, err);

	if (rc != NL_OK || r->damaged == 0)
		return rc;
	for (int i = 0; i < r->damaged; i++)
		fprintf(stderr, "needlelog: key slot %d of the header is damaged (neither "
			"empty nor intact)\n", r->damaged_slot[i] + 1);
	return nl_error(err, NL_EHEADER, "%s: %d damaged key slot%s in the header; the "
			"intact ones still open the file: make a backup, or restore one",
			c->db_path, r->damaged, r->damaged == 1 ? "" : "s");
}

static int run_check(struct cli *c, struct nl_err *err)
{
	struct store_slot_report slots;
	size_t nsigned = 0, nbad = 0;
	int64_t *bad = NULL;
	int rc = cli_open(c, err);

	if (rc == NL_OK)
		rc = store_check(record_store(c->rec), cli_progress, "checking", err);
	cli_progress_end();
	/* Pages are sound; now every signed session against its hash. */
	if (rc == NL_OK)
		rc = record_verify_signatures(c->rec, &nsigned, &bad, &nbad, err);
	report_bad(bad, nbad);
	free(bad);
	if (rc == NL_OK)
		rc = check_slots(c, &slots, err);
	if (rc == NL_OK)
		printf("%s: every page authenticated; integrity check ok; %zu signed session%s "
		       "match their hash; %d user%s; %s\n", c->db_path, nsigned,
		       nsigned == 1 ? "" : "s", slots.users, slots.users == 1 ? "" : "s",
		       slots.recovery ? "a recovery key" : "no recovery key (make one with "
		       "`needlelog recovery-key new`)");
	return rc;
}

static int run_passwd(struct cli *c, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	bool rekey = cli_flag(c, "rekey");
	int rc = cli_open(c, err);

	if (rc == NL_OK)
		rc = access_passphrase(cli_str(c, "new-passphrase-file"), "NEEDLELOG_NEW_PASSPHRASE",
				       "New passphrase: ", true, &pass, err);
	if (rc == NL_OK && rekey)
		rc = store_rekey(record_store(c->rec), &pass, STORE_KDF_DEFAULT, err);
	else if (rc == NL_OK)
		rc = store_passwd(record_store(c->rec), &pass, STORE_KDF_DEFAULT, err);
	store_pass_free(&pass);
	if (rc == NL_OK)
		printf(rekey ? "Passphrase changed and data key rotated for %s\n"
			     : "Passphrase changed for %s\n", c->db_path);
	return rc;
}

static const struct cli_opt passwd_opts[] = {
	{ "new-passphrase-file", "FILE", 0, "the new passphrase (else\n"
	  "$NEEDLELOG_NEW_PASSPHRASE, else asked twice)" },
	{ "rekey", NULL, 0, "also rotate the data key" },
	{ 0 },
};

const struct cli_command cli_admin_commands[] = {
	{ NULL, "init", NULL, 0, 0,
	  "Create a new encrypted record file.\n"
	  "Asks for the passphrase twice on a terminal. Never overwrites an existing\n"
	  "file (exit 73).", NULL, run_init },
	{ NULL, "check", NULL, 0, 0,
	  "Authenticate every page and verify every signature.\n"
	  "Authenticates every page of the record file (or of a backup, with --db)\n"
	  "and runs SQLite's integrity check, then verifies every signed session\n"
	  "against the hash stored when it was signed. Exit 0 only if all is sound;\n"
	  "74 names the first page that failed, or each signed session that changed.",
	  NULL, run_check },
	{ NULL, "passwd", NULL, 0, 0,
	  "Change the passphrase.\n"
	  "The data key is rewrapped in the header and the pages are untouched; with\n"
	  "--rekey the data key is rotated too, by copying the records into a new\n"
	  "file that replaces the old one. The old passphrase no longer opens the file.",
	  passwd_opts, run_passwd },
	{ 0 },
};
