/* Backups from the full-screen interface: the status line's reminder and
 * `b` (back up now to the remembered folder, with progress). The work is
 * the core's (backup_plan.h); this file only shows it. The status line
 * calls tui_backup_reminder; `b` is tui_backup_key, which asks the
 * passphrase in a dialog (the copy is sealed under it, and the TUI keeps
 * no passphrase after unlock) and checks that it opens the record file
 * before anything is copied. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "needlelog/backup_plan.h"
#include "tui.h"

/* The plan is read again at most this often (the threshold is in days), so
 * a busy file never stalls drawing; a backup made here reads it at once. */
#define REMIND_EVERY 900

static struct {
	const struct record *store;  /* the handle it was read on */
	time_t at;                   /* 0: read it again */
	char text[128];
} remind;

void tui_backup_reminder(struct tui *t, char *buf, size_t n)
{
	struct backup_due due;
	time_t now = time(NULL);

	buf[0] = '\0';
	if (!t->store)
		return;
	if (remind.store != t->store || remind.at == 0 || now - remind.at > REMIND_EVERY) {
		int rc;

		/* drawn with every frame: never waits for another user's write
		 * (busy: the old text stays, asked again at the next frame) */
		record_wait_busy(t->store, false);
		rc = backup_plan_due(t->store, 0, now, &due, NULL);
		record_wait_busy(t->store, true);
		if (rc == NL_EBUSY) {
			if (remind.store != t->store)
				remind.text[0] = '\0';
			remind.store = t->store;
			remind.at = 0;
			snprintf(buf, n, "%s", remind.text);
			return;
		}
		remind.store = t->store;
		remind.at = now;
		remind.text[0] = '\0';
		if (rc != NL_OK || !due.due)
			due.due = false;
		else if (due.never)
			snprintf(remind.text, sizeof(remind.text),
				 "no verified backup yet: b backs up now");
		else
			snprintf(remind.text, sizeof(remind.text),
				 "last verified backup %d days ago: b backs up now", due.age_days);
	}
	snprintf(buf, n, "%s", remind.text);
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
	remind.at = 0;
	return rc;
}

/* The passphrase typed in a dialog, checked against the record file (a
 * typo would seal the copy under a passphrase nobody knows). */
static bool ask_pass(struct tui *t, struct store_pass *pass)
{
	char typed[STORE_PASS_MAX + 1];
	struct nl_err err = { 0 };
	struct store *s = NULL;
	bool ok = tui_prompt_secret(t, "Back up now",
				    "The copy is sealed with the record file's passphrase. "
				    "Type it to back up:", typed, sizeof(typed));
	int rc = ok ? store_pass_set(pass, typed, strlen(typed), &err) : NL_EUSAGE;

	sodium_memzero(typed, sizeof(typed));
	/* whoever unlocked the TUI: a file with several users needs the name */
	if (rc == NL_OK)
		rc = store_pass_user(pass, store_user(record_store(t->store)), &err);
	if (rc == NL_OK) {
		tui_msg(t, TS_STATUS, "checking the passphrase…");
		tui_status_draw(t);
		doupdate();
		rc = store_open_ro(t->path, pass, &s, &err);
		store_close(s);
	}
	if (rc == NL_EPASS)
		tui_msg(t, TS_ERROR, "Wrong passphrase: nothing was backed up");
	else if (rc != NL_OK && ok)
		tui_fail(t, "backing up", &err);
	else if (!ok)
		tui_msg(t, TS_STATUS, "Not backed up");
	return rc == NL_OK;
}

void tui_backup_key(struct tui *t)
{
	struct store_pass pass = { 0 };
	struct backup_plan plan;
	struct nl_err err = { 0 };

	if (backup_plan_get(t->store, &plan, &err) != NL_OK) {
		tui_fail(t, "reading the backup settings", &err);
		return;
	}
	if (!plan.dir)
		tui_msg(t, TS_ERROR, "No backup folder is remembered: set one with "
			"`needlelog backup --dir DIR --remember`");
	else if (ask_pass(t, &pass))
		tui_backup_now(t, &pass);
	backup_plan_free(&plan);
	store_pass_free(&pass);
}
