/* backup and restore: an encrypted, verified copy of the whole record file
 * (to a new file, or dated into a backup folder with a retention policy),
 * the folder's listing, and a restore that checks the backup first. The
 * work is the store's (backup.h) and the core's (backup_plan.h); this file
 * reads the command line and shows the outcome. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "needlelog/audit.h"
#include "needlelog/backup_plan.h"
#include "needlelog/text.h"
#include "cli.h"
#include "out.h"

/* A backup as the command line asks for it. */
struct backup_req {
	const char *dest;              /* backup DEST */
	const char *dir;               /* --dir */
	struct backup_policy policy;   /* --keep-* */
	bool keep_given, remember, list, verify;
};

/* ---- backup DEST ---------------------------------------------------------- */

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

static void said_backed_up(const char *from, const char *to)
{
	out_line(stdout, "Backed up %s to %s: encrypted with the same passphrase; every "
		 "page authenticated", from, to);
}

/* The passphrase is read once: it opens the file and protects the copy. */
static int backup_to_file(struct cli *c, const char *dest, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	const char *path = cli_db_path(c, err);
	int rc;

	if (!path)
		return err->status;
	if (access(dest, F_OK) == 0)
		return nl_error(err, NL_EEXIST, "%s already exists; backup never overwrites a "
				"file", dest);
	rc = cli_open_keep_pass(c, &pass, err);
	if (rc == NL_OK)
		rc = store_backup(record_store(c->rec), dest, &pass, cli_progress, "backing up",
				  err);
	cli_progress_end();
	store_pass_free(&pass);
	if (rc == NL_OK)
		rc = audit_backup_retry(c->rec, dest, err);
	if (rc == NL_OK)
		said_backed_up(path, dest);
	return rc;
}

/* ---- the command line ----------------------------------------------------- */

static int keep_opt(struct cli *c, const char *name, unsigned *v, bool *given,
		    struct nl_err *err)
{
	int n = 0;
	int rc = cli_int(c, name, 0, 100000, &n, err);

	if (rc == NL_OK && cli_str(c, name)) {
		*v = (unsigned)n;
		*given = true;
	}
	return rc;
}

/* Which options go together. */
static int backup_combos(struct cli *c, const struct backup_req *q, struct nl_err *err)
{
	if (q->dest && (q->dir || q->list || q->keep_given || q->remember))
		return cli_usage(c, err, "give DEST (one new file) or --dir DIR (a backup "
				 "folder), not both");
	if (q->list && (q->keep_given || q->remember))
		return cli_usage(c, err, "--list takes --dir and --verify only");
	if (!q->list && (q->verify || cli_str(c, "format") || cli_flag(c, "bom")))
		return cli_usage(c, err, "--verify, --format and --bom go with --list");
	if (!q->dir && (q->keep_given || q->remember))
		return cli_usage(c, err, "--keep-daily, --keep-weekly, --keep-monthly and "
				 "--remember go with --dir DIR");
	if (q->dir && !*q->dir)
		return cli_usage(c, err, "--dir needs a folder");
	if (q->keep_given && backup_policy_empty(&q->policy))
		return cli_usage(c, err, "a retention policy of zero would keep no copy; give "
				 "one of --keep-daily, --keep-weekly or --keep-monthly above 0 "
				 "(or none of them to keep every copy)");
	return NL_OK;
}

static int backup_parse(struct cli *c, struct backup_req *q, struct nl_err *err)
{
	int rc;

	q->dest = c->nargs ? c->args[0] : NULL;
	q->dir = cli_str(c, "dir");
	q->remember = cli_flag(c, "remember");
	q->list = cli_flag(c, "list");
	q->verify = cli_flag(c, "verify");
	rc = keep_opt(c, "keep-daily", &q->policy.daily, &q->keep_given, err);
	if (rc == NL_OK)
		rc = keep_opt(c, "keep-weekly", &q->policy.weekly, &q->keep_given, err);
	if (rc == NL_OK)
		rc = keep_opt(c, "keep-monthly", &q->policy.monthly, &q->keep_given, err);
	return rc == NL_OK ? backup_combos(c, q, err) : rc;
}

/* ---- backup --dir DIR, and backup alone ----------------------------------- */

/* The folder (absolute, now that it exists) and the policy, for next time. */
static int remember(struct cli *c, const struct backup_req *q, struct nl_err *err)
{
	char *abs = realpath(q->dir, NULL);
	int rc;

	if (!abs)
		return nl_error(err, NL_EIO, "cannot resolve the backup folder %s", q->dir);
	rc = backup_plan_remember(c->rec, abs, &q->policy, err);
	if (rc == NL_OK)
		out_line(stdout, "Remembered the backup folder %s (keep %u daily, %u weekly, "
			 "%u monthly%s): `needlelog backup` alone backs up there", abs,
			 q->policy.daily, q->policy.weekly, q->policy.monthly,
			 q->keep_given ? "" : "; 0 of each: every copy is kept");
	free(abs);
	return rc;
}

static int backup_to_dir(struct cli *c, const struct backup_req *q, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	struct backup_result res = { 0 };
	int rc = cli_open_keep_pass(c, &pass, err);

	if (rc == NL_OK)
		rc = backup_plan_run(c->rec, q->dir, q->keep_given ? &q->policy : NULL, &pass,
				     time(NULL), cli_progress, "backing up", &res, err);
	cli_progress_end();
	store_pass_free(&pass);
	/* a copy made and then a failed pruning: the copy is there, say so */
	if (res.path)
		said_backed_up(c->db_path, res.path);
	if (rc == NL_OK && res.pruned)
		printf("Removed %zu old cop%s the retention policy does not keep\n",
		       res.pruned, res.pruned == 1 ? "y" : "ies");
	if (rc == NL_OK && q->remember)
		rc = remember(c, q, err);
	backup_result_free(&res);
	return rc;
}

/* ---- backup --list -------------------------------------------------------- */

static const char *state_word(const struct backup_copy *b)
{
	return b->state == BACKUP_GOOD ? "ok" : b->state == BACKUP_BAD ? "failed"
									 : "unchecked";
}

static void made_at(const struct backup_copy *b, char out[24])
{
	time_t t = (time_t)b->when;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 24, "?");
}

static void size_words(int64_t n, char out[24])
{
	if (n < 1024)
		snprintf(out, 24, "%lld B", (long long)n);
	else if (n < 1024 * 1024)
		snprintf(out, 24, "%.1f KiB", (double)n / 1024);
	else
		snprintf(out, 24, "%.1f MiB", (double)n / (1024.0 * 1024));
}

static int list_json(const char *dir, const struct backup_copy *v, size_t n,
		     struct nl_err *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		char made[24];

		made_at(&v[i], made);
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:I,s:s,s:o}",
			"name", v[i].name, "path", v[i].path, "made", made,
			"size", (json_int_t)v[i].size, "check", state_word(&v[i]),
			"why", out_jstr(v[i].state == BACKUP_BAD ? v[i].why : NULL)));
	}
	return out_json_print(json_pack("{s:s,s:o}", "dir", dir, "copies", a), err);
}

static int list_table(struct cli *c, const char *dir, const struct backup_copy *v,
		      size_t n, enum out_format fmt, struct nl_err *err)
{
	static const char *const head[] = { "NAME", "MADE (UTC)", "SIZE", "CHECK", "WHY" };
	struct out_table t;
	int rc = NL_OK;

	out_table_init(&t, head, 5);
	t.right = 1u << 2;
	for (size_t i = 0; i < n && rc == NL_OK; i++) {
		char made[24], size[24];

		made_at(&v[i], made);
		if (fmt == OUT_CSV)
			snprintf(size, sizeof(size), "%lld", (long long)v[i].size);
		else
			size_words(v[i].size, size);
		if (out_table_row(&t, (const char *const[]){ v[i].name, made, size,
				state_word(&v[i]), v[i].state == BACKUP_BAD ? v[i].why : "" }) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	if (rc == NL_OK && fmt == OUT_TEXT && n == 0)
		out_line(stdout, "No backups in %s yet", dir);
	else if (rc == NL_OK)
		rc = out_table_print(&t, stdout, fmt, cli_flag(c, "bom"), err);
	out_table_free(&t);
	return rc;
}

/* Checks each copy; *bad counts those that fail (a wrong passphrase too). */
static int verify_all(struct backup_copy *v, size_t n, const struct store_pass *pass,
		      size_t *bad, struct nl_err *err)
{
	*bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct nl_err mine = { 0 };
		int rc = backup_verify(&v[i], pass, &mine);

		if (rc == NL_ENOMEM || rc == NL_EINTERNAL) {
			*err = mine;
			return rc;
		}
		*bad += v[i].state != BACKUP_GOOD;
	}
	return NL_OK;
}

/* The folder to list: --dir, else the remembered one (which opens the
 * record file, keeping the passphrase for --verify). */
static int list_dir(struct cli *c, const struct backup_req *q, struct store_pass *pass,
		    struct backup_plan *plan, const char **dir, struct nl_err *err)
{
	int rc;

	*dir = q->dir;
	if (*dir)
		return q->verify ? cli_passphrase(c, false, pass, err) : NL_OK;
	rc = cli_open_keep_pass(c, pass, err);
	if (rc == NL_OK)
		rc = backup_plan_get(c->rec, plan, err);
	if (rc == NL_OK && !plan->dir)
		return nl_error(err, NL_EUSAGE, "no backup folder is remembered; give --dir "
				"DIR (or remember one: backup --dir DIR --remember)");
	*dir = plan->dir;
	return rc;
}

static int backup_list_cmd(struct cli *c, const struct backup_req *q, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	struct backup_plan plan = { 0 };
	struct backup_copy *v = NULL;
	enum out_format fmt;
	const char *dir = NULL;
	size_t n = 0, bad = 0;
	int rc = out_format(c, OUT_TEXT | OUT_CSV | OUT_JSON, &fmt, err);

	if (rc == NL_OK && fmt != OUT_CSV && cli_flag(c, "bom"))
		rc = cli_usage(c, err, "--bom goes with --format csv");
	if (rc == NL_OK)
		rc = store_global_init(err);
	if (rc == NL_OK)
		rc = list_dir(c, q, &pass, &plan, &dir, err);
	if (rc == NL_OK)
		rc = backup_list(dir, &v, &n, err);
	if (rc == NL_OK && q->verify)
		rc = verify_all(v, n, &pass, &bad, err);
	if (rc == NL_OK)
		rc = fmt == OUT_JSON ? list_json(dir, v, n, err)
				     : list_table(c, dir, v, n, fmt, err);
	if (rc == NL_OK && bad)
		rc = nl_error(err, NL_EAUTH, "%zu of %zu cop%s in %s failed its check", bad, n,
			      n == 1 ? "y" : "ies", dir);
	backup_list_free(v, n);
	backup_plan_free(&plan);
	store_pass_free(&pass);
	return rc;
}

static int run_backup(struct cli *c, struct nl_err *err)
{
	struct backup_req q = { 0 };
	int rc = backup_parse(c, &q, err);

	if (rc != NL_OK)
		return rc;
	if (q.list)
		return backup_list_cmd(c, &q, err);
	if (q.dest)
		return backup_to_file(c, q.dest, err);
	return backup_to_dir(c, &q, err);
}

/* ---- restore -------------------------------------------------------------- */

/* A restore brings back the backup's key slots: who may open the file
 * then is who could when the backup was made. */
static void show_users(const struct backup_summary *s)
{
	size_t len = 0;
	char all[1024] = "";

	for (size_t i = 0; i < s->nusers && len < sizeof(all); i++)
		len += (size_t)snprintf(all + len, sizeof(all) - len, "%s%s", i ? ", " : "",
					s->users[i]);
	out_field(stdout, 2, "Users:", all);
	out_field(stdout, 2, "Recovery key:", s->recovery ? "yes (the one made before this "
		  "backup)" : "none");
	puts("  Once restored, these users open the file with the passphrases they had then.\n"
	     "  Anyone added since must be added again (`needlelog user add`); anyone\n"
	     "  removed since can open it again until `needlelog user remove NAME --rekey`.");
}

static void show_summary(const char *backup, const struct backup_summary *s)
{
	char n[96];

	out_line(stdout, "The backup %s: every page authenticated; integrity check ok",
		 backup);
	snprintf(n, sizeof(n), "%lld", (long long)s->patients);
	out_field(stdout, 2, "Patients:", n);
	snprintf(n, sizeof(n), "%lld (%zu signed, each matching its hash)",
		 (long long)s->sessions, s->signed_ok);
	out_field(stdout, 2, "Sessions:", n);
	out_field(stdout, 2, "Last change:", s->last_change ? s->last_change : "none recorded");
	snprintf(n, sizeof(n), "version %d", s->schema_version);
	out_field(stdout, 2, "Schema:", n);
	show_users(s);
	fflush(stdout);
}

/* --yes, or "y" typed on the terminal; with neither, nothing is done. */
static int confirm_restore(struct cli *c, const char *target, struct nl_err *err)
{
	char line[16] = "";
	FILE *tty;

	if (cli_flag(c, "yes"))
		return NL_OK;
	tty = fopen("/dev/tty", "r+");
	if (!tty)
		return cli_usage(c, err, "restore asks before it replaces %s and there is no "
				 "terminal to ask on; give --yes to restore without asking", target);
	fputs("Put it in place of ", tty);
	nl_term_fputs(tty, target, false);
	fputs("? The current file is kept beside it. [y/N] ", tty);
	fflush(tty);
	if (!fgets(line, sizeof(line), tty))
		line[0] = '\0';
	fclose(tty);
	if (line[0] == 'y' || line[0] == 'Y')
		return NL_OK;
	return nl_error(err, NL_EUSAGE, "not restored (the answer was not yes); nothing "
			"was changed");
}

static void said_restored(const char *target, const char *backup, const char *kept)
{
	out_line(stdout, "Restored %s from %s", target, backup);
	if (kept)
		out_line(stdout, "The file it replaced is kept as %s", kept);
}

static int run_restore(struct cli *c, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	struct backup_summary sum = { 0 };
	const char *backup = c->args[0], *target = cli_db_path(c, err);
	char *kept = NULL;
	int rc = target ? store_global_init(err) : err->status;

	if (rc == NL_OK && access(backup, F_OK) != 0)
		rc = nl_error(err, NL_ENOENT, "no backup at %s", backup);
	if (rc == NL_OK)
		rc = cli_passphrase(c, false, &pass, err);
	if (rc == NL_OK)
		rc = backup_inspect(backup, &pass, cli_progress, "checking the backup", &sum,
				    err);
	cli_progress_end();
	if (rc == NL_OK) {
		show_summary(backup, &sum);
		rc = confirm_restore(c, target, err);
	}
	if (rc == NL_OK)
		rc = store_restore(backup, target, &pass, time(NULL), cli_progress, "restoring",
				   &kept, err);
	cli_progress_end();
	if (rc == NL_OK)
		said_restored(target, backup, kept);
	free(kept);
	backup_summary_free(&sum);
	store_pass_free(&pass);
	return rc;
}

/* ---- the table ------------------------------------------------------------ */

static const struct cli_opt backup_opts[] = {
	{ "dir", "DIR", 0, "a dated copy in the backup folder DIR (made 0700\n"
	  "if missing; its parent must exist)" },
	{ "keep-daily", "N", 0, "with --dir: keep the newest copy of each of the\n"
	  "last N days (UTC) that have copies" },
	{ "keep-weekly", "N", 0, "with --dir: the same for the last N ISO weeks" },
	{ "keep-monthly", "N", 0, "with --dir: the same for the last N months\n"
	  "(none of the three: every copy is kept)" },
	{ "remember", NULL, 0, "with --dir: remember the folder and policy in the\n"
	  "record file; `needlelog backup` alone uses them" },
	{ "list", NULL, 0, "list the copies in the folder (--dir, else the\n"
	  "remembered one): names, dates, sizes" },
	{ "verify", NULL, 0, "with --list: check every copy (every page, the\n"
	  "integrity check); exit 74 when one fails" },
	OUT_OPT_FORMAT("with --list: text (default), csv or json"),
	OUT_OPT_BOM,
	CLI_OPT_PRACTITIONER,
	{ 0 },
};

static const struct cli_opt restore_opts[] = {
	{ "yes", NULL, 0, "restore without asking (for scripts); without it\n"
	  "restore asks on the terminal, and refuses (64) with none" },
	{ 0 },
};

const struct cli_command cli_backup_commands[] = {
	{ NULL, "backup", "[DEST]", 0, 1,
	  "Make an encrypted, verified copy of the record file.\n"
	  "Made through SQLite's online backup even while the file is in use, under\n"
	  "the same passphrase, and verified (every page authenticated) before the\n"
	  "command succeeds. DEST: one new file (never overwritten, exit 73).\n"
	  "--dir DIR: a dated copy (records-<UTC time>.nlbak, mode 0600) in a backup\n"
	  "folder, then old copies pruned by the --keep-* policy (never the new copy,\n"
	  "never the only copy that passes its check). Alone: the folder and policy\n"
	  "remembered with --remember (exit 64 when none is). --list shows the\n"
	  "folder's copies; --list --verify checks each. Restore with `restore`.",
	  backup_opts, run_backup },
	{ NULL, "restore", "BACKUP", 1, 1,
	  "Put a backup in place of the record file (--db).\n"
	  "Checks the backup first (every page, the integrity check, every signed\n"
	  "session against its hash) and shows what it holds, with its users (a\n"
	  "restore brings back the users and the recovery key of the day it was\n"
	  "made); asks before going on (--yes for scripts). The current file is kept as\n"
	  "<file>.before-restore-<UTC time>, and the backup goes in under a new data\n"
	  "key in one atomic rename. Refuses while another needlelog has the file\n"
	  "open (exit 75); a damaged backup changes nothing (exit 74).",
	  restore_opts, run_restore },
	{ 0 },
};
