/* What every command shares: the record file, the passphrase, who acts
 * and on which day, and progress lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "needlelog/access.h"
#include "needlelog/text.h"
#include "cli.h"

const char *cli_db_path(struct cli *c, struct nl_err *err)
{
	if (!c->db_path[0] && access_db_path(c->db, c->db_path, sizeof(c->db_path), err) != NL_OK)
		return NULL;
	return c->db_path;
}

int cli_passphrase(struct cli *c, bool confirm, struct store_pass *out,
		   struct nl_err *err)
{
	int rc = access_passphrase(c->pass_file, "NEEDLELOG_PASSPHRASE", "Passphrase: ",
				   confirm, out, err);

	if (rc == NL_OK)
		rc = access_user(out, c->user, err);
	return rc;
}

int cli_new_passphrase(struct cli *c, const char *user, struct store_pass *out,
		       struct nl_err *err)
{
	char warning[512];
	int rc = access_new_passphrase(cli_str(c, "new-passphrase-file"),
				       "NEEDLELOG_NEW_PASSPHRASE", "New passphrase: ", user,
				       out, warning, sizeof(warning), err);

	if (rc == NL_OK && warning[0])
		fprintf(stderr, "needlelog: %s\n", warning);
	return rc;
}

const char *cli_practitioner(const struct cli *c)
{
	const char *who = cli_str(c, "practitioner");

	if (!who || !*who)
		who = getenv("NEEDLELOG_PRACTITIONER");
	if (!who || !*who)
		who = getenv("USER");
	return who && *who ? who : NULL;
}

/* The display name only: --practitioner, else $NEEDLELOG_PRACTITIONER. */
static const char *display_name(const struct cli *c)
{
	const char *who = cli_str(c, "practitioner");

	if (!who || !*who)
		who = getenv("NEEDLELOG_PRACTITIONER");
	return who && *who ? who : NULL;
}

/* The handle's actor and today, each checked as any value is. The actor
 * is the user whose key opened the file; a practitioner's name is only
 * shown beside it (record_set_display). */
static int set_context(struct cli *c, struct nl_err *err)
{
	const char *who = record_user(c->rec) ? record_user(c->rec) : cli_practitioner(c);
	char today[11];
	int rc = nl_text_check_value("practitioner", who, err);

	if (rc == NL_OK)
		rc = nl_text_check_value("practitioner", display_name(c), err);
	if (rc == NL_OK)
		rc = nl_today(cli_str(c, "today"), today, err);
	if (rc == NL_OK)
		rc = record_set_display(c->rec, display_name(c), err);
	if (rc == NL_OK)
		rc = record_set_actor(c->rec, who, err);
	if (rc == NL_OK)
		rc = record_set_today(c->rec, today, err);
	return rc;
}

int cli_open_keep_pass(struct cli *c, struct store_pass *pass, struct nl_err *err)
{
	const char *path = cli_db_path(c, err);
	struct stat st;
	int rc;

	if (!path)
		return err->status;
	if (stat(path, &st) != 0 && errno == ENOENT)
		return nl_error(err, NL_ENOENT,
				"no record file at %s; create one with `needlelog init`", path);
	rc = store_global_init(err);
	if (rc == NL_OK)
		rc = cli_passphrase(c, false, pass, err);
	if (rc == NL_OK)
		rc = record_open(path, pass, &c->rec, err);
	if (rc == NL_OK)
		clock_gettime(CLOCK_MONOTONIC, &c->opened);
	if (rc == NL_OK)
		rc = set_context(c, err);
	return rc;
}

int cli_open(struct cli *c, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	int rc = cli_open_keep_pass(c, &pass, err);

	store_pass_free(&pass);
	return rc;
}

static int progress_shown;

int cli_progress(void *label, uint64_t done, uint64_t total)
{
	if (!isatty(STDERR_FILENO) || total < 256)
		return 0;
	fprintf(stderr, "\r%s: %llu/%llu pages (%llu%%)", (const char *)label,
		(unsigned long long)done, (unsigned long long)total,
		(unsigned long long)(total ? done * 100 / total : 100));
	fflush(stderr);
	progress_shown = 1;
	return 0;
}

void cli_progress_end(void)
{
	if (progress_shown)
		fputc('\n', stderr);
	progress_shown = 0;
}
