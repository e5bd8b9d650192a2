/* Backups from the full-screen interface: the status line's reminder and
 * `b` (back up now to the remembered folder, with progress). The work is
 * the core's (backup_plan.h); this file only shows it. To wire it in: call
 * tui_backup_reminder when drawing the status line, and tui_backup_now
 * from the `b` action with the passphrase asked for (the copy is sealed
 * under it: the TUI keeps no passphrase after unlock). */
#include <stdio.h>
#include <time.h>

#include "needlelog/backup_plan.h"
#include "tui.h"

void tui_backup_reminder(struct tui *t, char *buf, size_t n)
{
	struct backup_due due;

	buf[0] = '\0';
	if (!t->store || backup_plan_due(t->store, 0, time(NULL), &due, NULL) != NL_OK ||
	    !due.due)
		return;
	if (due.never)
		snprintf(buf, n, "no verified backup yet: b backs up now");
	else
		snprintf(buf, n, "last backup %d days ago: b backs up now", due.age_days);
}

/* Progress on the status line, one frame per call. */
static int show_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct tui *t = ctx;

	tui_msg(t, TS_STATUS, "backing up: %llu%%",
		(unsigned long long)(total ? done * 100 / total : 100));
	tui_status_draw(t);
	doupdate();
	return 0;
}

int tui_backup_now(struct tui *t, const struct store_pass *pass)
{
	struct backup_result res;
	struct nl_err err = { 0 };
	int rc;

	if (!t->store)
		return NL_EUSAGE;
	rc = backup_plan_run(t->store, NULL, NULL, pass, time(NULL), show_progress, t,
			     &res, &err);
	if (rc == NL_OK)
		tui_msg(t, TS_OK, "backed up to %s (verified%s)", res.path,
			res.pruned ? ", old copies pruned" : "");
	else
		tui_msg(t, TS_ERROR, "%s", err.msg);
	backup_result_free(&res);
	return rc;
}
