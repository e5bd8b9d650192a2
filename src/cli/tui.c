/* The `tui` command (also `needlelog` alone): gathers the options and
 * hands over to the TUI library (include/needlelog/tui.h), which offers to
 * make the record file when there is none yet. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "needlelog/access.h"
#include "needlelog/text.h"
#include "needlelog/tui.h"
#include "cli.h"
#include "out.h"

#define PASS_ENV "NEEDLELOG_PASSPHRASE"

/* --lock-after MIN or --lock-after-seconds SEC (tests, demos), in ms. */
static int lock_after(struct cli *c, long *ms, struct nl_err *err)
{
	int minutes = 5, seconds = -1;
	int rc = cli_int(c, "lock-after", 0, 24 * 60 * 7, &minutes, err);

	if (rc == NL_OK)
		rc = cli_int(c, "lock-after-seconds", 0, 24 * 3600 * 7, &seconds, err);
	*ms = seconds >= 0 ? seconds * 1000L : minutes * 60 * 1000L;
	return rc;
}

static int run_tui(struct cli *c, struct nl_err *err)
{
	struct tui_options o = { .pass_file = c->pass_file, .pass_env = PASS_ENV };
	const char *who = cli_str(c, "practitioner");
	char today[11];
	struct stat st;
	int rc = lock_after(c, &o.lock_after_ms, err);

	if (rc == NL_OK && getenv("NEEDLELOG_TODAY") && *getenv("NEEDLELOG_TODAY")) {
		rc = nl_today(NULL, today, err);
		o.today = today;
	}
	if (rc == NL_OK)
		rc = nl_text_check_value("--practitioner", who, err);
	if (rc != NL_OK)
		return rc;
	o.practitioner = who && *who ? who : getenv("NEEDLELOG_PRACTITIONER");
	if (!(o.db_path = cli_db_path(c, err)))
		return err->status;
	o.create = stat(o.db_path, &st) != 0 && errno == ENOENT;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return o.create ? access_no_file(o.db_path, err)
			: cli_usage(c, err, "the TUI needs a terminal; the subcommands work "
				    "without one (needlelog --help)");
	o.pass_given = c->pass_file || getenv(PASS_ENV);
	o.user = c->user;
	/* The unlock screen finds whose slot in the environment. */
	if (c->user)
		setenv("NEEDLELOG_USER", c->user, 1);
	return tui_main(&o, err);
}

static const struct cli_opt tui_opts[] = {
	{ "lock-after", "MIN", 0, "lock after MIN idle minutes (0 = never; default 5)" },
	{ "lock-after-seconds", "SEC", 0, "the same in seconds (for tests and demos)" },
	{ "practitioner", "NAME", 0, "who signs and amends (else\n"
	  "$NEEDLELOG_PRACTITIONER; asked when needed)" },
	{ 0 },
};

const struct cli_command cli_tui_commands[] = {
	{ NULL, "tui", NULL, 0, 0,
	  "Open the full-screen interface, which is also what `needlelog` alone does.\n"
	  "The patient list, profiles, series with their progress, the session form\n"
	  "and who is due. It locks itself after MIN minutes without a key (default\n"
	  "5): an open session form is kept as a draft, the record file is closed\n"
	  "and the passphrase is asked again. Press ? in any screen for its keys.\n"
	  "With no record file yet, it offers to make one (as init does, with the\n"
	  "passphrase's strength shown as it is typed) and opens it.",
	  tui_opts, run_tui },
	{ 0 },
};
