/* The users of a record file: each their own passphrase in their own key
 * slot of the header (docs/file-format.md), the same records. */
#include <stdio.h>
#include <stdlib.h>

#include "needlelog/access.h"
#include "needlelog/text.h"
#include "cli.h"
#include "out.h"

static int user_name_arg(struct cli *c, const char **name, struct nl_err *err)
{
	*name = c->args[0];
	if (nl_text_check_value("user", *name, err) != NL_OK)
		return err->status;
	if (!store_user_name_ok(*name))
		return nl_error(err, NL_EDATA, "user: '%s' is not a user name (1 to %d bytes, "
				"no control characters)", *name, STORE_USER_NAME_MAX);
	return NL_OK;
}

static int run_add(struct cli *c, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	const char *name;
	int rc = user_name_arg(c, &name, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = cli_new_passphrase(c, name, &pass, err);
	if (rc == NL_OK)
		rc = store_user_add(record_store(c->rec), name, &pass, STORE_KDF_DEFAULT, err);
	store_pass_free(&pass);
	if (rc == NL_OK)
		out_line(stdout, "Added user %s to %s; they open it with --user \"%s\" and their "
			 "own passphrase", name, c->db_path, name);
	return rc;
}

static int run_list(struct cli *c, struct nl_err *err)
{
	char (*names)[STORE_USER_NAME_MAX + 1] = NULL;
	size_t n = 0;
	int rc = cli_open(c, err);

	if (rc == NL_OK)
		rc = store_users(record_store(c->rec), &names, &n, err);
	for (size_t i = 0; rc == NL_OK && i < n; i++)
		out_line(stdout, "%s", names[i]);
	free(names);
	return rc;
}

static int run_remove(struct cli *c, struct nl_err *err)
{
	bool rekey = cli_flag(c, "rekey");
	const char *name;
	int rc = user_name_arg(c, &name, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = store_user_remove(record_store(c->rec), name, err);
	if (rc == NL_OK && rekey)
		rc = store_rekey(record_store(c->rec), NULL, STORE_KDF_DEFAULT, err);
	if (rc == NL_OK)
		out_line(stdout, rekey ? "Removed user %s from %s and rotated the data key"
				       : "Removed user %s from %s (without --rekey: see "
					 "docs/threat-model.md on what a removed user can still do)",
			 name, c->db_path);
	return rc;
}

static const struct cli_opt add_opts[] = {
	{ "new-passphrase-file", "FILE", 0, "the new user's passphrase (else\n"
	  "$NEEDLELOG_NEW_PASSPHRASE, else asked twice)" },
	{ 0 },
};

static const struct cli_opt remove_opts[] = {
	{ "rekey", NULL, 0, "also rotate the data key (the removed user may\n"
	  "have kept it): every other user keeps their passphrase" },
	{ 0 },
};

const struct cli_command cli_user_commands[] = {
	{ "user", "add", "NAME", 1, 1,
	  "Add a user with their own passphrase.\n"
	  "Run by a user who can open the file. The new user's passphrase comes from\n"
	  "--new-passphrase-file, $NEEDLELOG_NEW_PASSPHRASE or is asked twice. At most\n"
	  "10 users.", add_opts, run_add },
	{ "user", "list", NULL, 0, 0,
	  "List the users, one per line.", NULL, run_list },
	{ "user", "remove", "NAME", 1, 1,
	  "Remove a user's key slot.\n"
	  "Their passphrase no longer opens the file. With --rekey the data key is\n"
	  "rotated too, so a key they kept no longer opens it either.",
	  remove_opts, run_remove },
	{ 0 },
};
