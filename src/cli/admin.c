/* The record file's own commands: init, check, passwd, recovery-key. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "needlelog/photo.h"
#include "needlelog/access.h"
#include "needlelog/record.h"
#include "cli.h"

/* init keeps the new file open in c->rec (for its recovery key). */
static int create_open(struct cli *c, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	const char *path = cli_db_path(c, err);
	char warning[512] = "";
	bool tty = !c->pass_file && !getenv("NEEDLELOG_PASSPHRASE");
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
		rc = access_new_passphrase_ok(&pass, tty, pass.first_user, warning,
					      sizeof(warning), err);
	if (rc == NL_OK && warning[0])
		fprintf(stderr, "needlelog: %s\n", warning);
	if (rc == NL_OK)
		rc = access_create(path, &pass, &c->rec, err);
	store_pass_free(&pass);
	return rc;
}

int cli_recovery_out_free(struct cli *c, struct nl_err *err)
{
	const char *out = cli_str(c, "recovery-key-out");

	if (out && access(out, F_OK) == 0)
		return nl_error(err, NL_EEXIST, "--recovery-key-out: %s already exists; a "
				"recovery key is never written over a file", out);
	return NL_OK;
}

static int key_to_file(const char *out, const char *key, struct nl_err *err)
{
	int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	bool ok;

	if (fd < 0)
		return nl_error(err, errno == EEXIST ? NL_EEXIST : NL_EIO,
				"--recovery-key-out: cannot create %s: %s", out, strerror(errno));
	ok = dprintf(fd, "%s\n", key) > 0 && fsync(fd) == 0;
	if (close(fd) != 0 || !ok) {
		unlink(out);
		return nl_error(err, NL_EIO, "--recovery-key-out: cannot write %s", out);
	}
	return NL_OK;
}

/* On the terminal, until the person says it is written down. */
static bool key_to_tty(const char *key)
{
	FILE *tty = fopen("/dev/tty", "r+");
	char line[16];
	bool done = false;

	if (!tty || !isatty(STDIN_FILENO)) {
		if (tty)
			fclose(tty);
		return false;
	}
	fprintf(tty, "\nRecovery key (" ACCESS_RECOVERY_USE ";\n" ACCESS_RECOVERY_KEEP
		"):\n\n    %s\n\n", key);
	for (int i = 0; i < 5 && !done; i++) {
		fputs("Type yes once it is written down: ", tty);
		fflush(tty);
		done = fgets(line, sizeof(line), tty) && strncmp(line, "yes", 3) == 0;
	}
	/* the key leaves the screen */
	fputs("\033[2J\033[H", tty);
	fclose(tty);
	return true;
}

int cli_recovery_key_new(struct cli *c, struct nl_err *err)
{
	char key[STORE_RECOVERY_TEXT + 1];
	const char *out = cli_str(c, "recovery-key-out");
	int rc = store_recovery_new(record_store(c->rec), STORE_KDF_DEFAULT, key, err);

	if (rc == NL_OK && out)
		rc = key_to_file(out, key, err);
	else if (rc == NL_OK && !key_to_tty(key))
		fprintf(stderr, "needlelog: RECOVERY KEY (shown this once; " ACCESS_RECOVERY_USE
			": keep it safe, away from this computer): %s\n", key);
	sodium_memzero(key, sizeof(key));
	return rc;
}

/* A new record file: the passphrase rated, the first user, the recovery
 * key given out; left open in c->rec. (The TUI makes its own on its new
 * file screen, src/tui/create.c.) */
static int create_record(struct cli *c, struct nl_err *err)
{
	int rc = cli_recovery_out_free(c, err);

	if (rc == NL_OK)
		rc = create_open(c, err);
	if (rc == NL_OK)
		printf("Created the encrypted record file %s for user %s\n", c->db_path,
		       store_user(record_store(c->rec)));
	if (rc == NL_OK && (rc = cli_recovery_key_new(c, err)) != NL_OK)
		access_recovery_failed(rc, err);
	if (rc == NL_OK && cli_str(c, "recovery-key-out"))
		printf("Recovery key written to %s (mode 0600): print it, keep the paper "
		       "safe, then delete the file\n", cli_str(c, "recovery-key-out"));
	return rc;
}

static int run_init(struct cli *c, struct nl_err *err)
{
	return create_record(c, err);
}

/* Each signed session whose hash no longer matches, on stderr. */
static void report_bad(const int64_t *bad, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "needlelog: signed session id %lld has changed since it was "
			"signed (its hash no longer matches); see `needlelog session show %lld`\n",
			(long long)bad[i], (long long)bad[i]);
}

/* Every stored photograph against the digest taken when it was stored. */
static int check_photos(struct cli *c, struct nl_err *err)
{
	size_t nphotos = 0, nbad = 0;
	int64_t *bad = NULL;
	int rc = photo_verify(c->rec, &nphotos, &bad, &nbad, err);

	for (size_t i = 0; i < nbad; i++)
		fprintf(stderr, "needlelog: photo %lld has changed since it was stored (its "
			"digest no longer matches)\n", (long long)bad[i]);
	free(bad);
	if (rc == NL_OK)
		printf("%s: %zu photograph%s match their digest\n", c->db_path, nphotos,
		       nphotos == 1 ? "" : "s");
	return rc;
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
	return rc == NL_OK ? check_photos(c, err) : rc;
}

/* --recovery-key-file FILE (its first line), or asked: checked before
 * the slow KDF, so a typo is named at once. */
static int recovery_credential(struct cli *c, struct store_pass *out, struct nl_err *err)
{
	struct store_pass typed = { 0 };
	int rc = access_passphrase(cli_str(c, "recovery-key-file"), NULL, "Recovery key: ",
				   false, &typed, err);

	if (rc == NL_OK)
		rc = store_recovery_parse(typed.buf, out, err);
	store_pass_free(&typed);
	return rc;
}

/* The user whose passphrase the recovery key sets: --user, else the only one. */
static int recovery_target(struct cli *c, char *user, struct nl_err *err)
{
	char (*names)[STORE_USER_NAME_MAX + 1] = NULL;
	const char *given = c->user ? c->user : getenv("NEEDLELOG_USER");
	size_t n = 0;
	int rc;

	if (given && *given) {
		snprintf(user, STORE_USER_NAME_MAX + 1, "%s", given);
		return NL_OK;
	}
	rc = store_users(record_store(c->rec), &names, &n, err);
	if (rc == NL_OK && n != 1)
		rc = cli_usage(c, err, "the file has %zu users: say whose passphrase to set "
			       "with --user NAME", n);
	if (rc == NL_OK)
		snprintf(user, STORE_USER_NAME_MAX + 1, "%s", names[0]);
	free(names);
	return rc;
}

static int passwd_by_recovery(struct cli *c, struct nl_err *err)
{
	struct store_pass key = { 0 }, pass = { 0 };
	char user[STORE_USER_NAME_MAX + 1];
	const char *path = cli_db_path(c, err);
	int rc = path ? store_global_init(err) : err->status;

	if (rc == NL_OK)
		rc = recovery_credential(c, &key, err);
	if (rc == NL_OK)
		rc = record_open(path, &key, &c->rec, err);
	store_pass_free(&key);
	if (rc == NL_OK)
		rc = recovery_target(c, user, err);
	if (rc == NL_OK)
		rc = cli_new_passphrase(c, user, &pass, err);
	if (rc == NL_OK)
		rc = store_user_passwd(record_store(c->rec), user, &pass, STORE_KDF_DEFAULT, err);
	store_pass_free(&pass);
	if (rc == NL_OK)
		printf("New passphrase set for %s in %s with the recovery key\n", user, path);
	return rc;
}

static int run_passwd(struct cli *c, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	bool rekey = cli_flag(c, "rekey");
	int rc;

	if (cli_str(c, "recovery-key-file") || cli_flag(c, "recovery-key"))
		return rekey ? cli_usage(c, err, "--rekey cannot be used with the recovery key; "
					 "set the passphrase, then re-key as that user")
			     : passwd_by_recovery(c, err);
	rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = cli_new_passphrase(c, store_user(record_store(c->rec)), &pass, err);
	if (rc == NL_OK && rekey)
		rc = store_rekey(record_store(c->rec), &pass, STORE_KDF_DEFAULT, err);
	else if (rc == NL_OK)
		rc = store_passwd(record_store(c->rec), &pass, STORE_KDF_DEFAULT, err);
	store_pass_free(&pass);
	if (rc == NL_OK)
		printf(rekey ? "Passphrase changed for %s and data key rotated for %s\n"
			     : "Passphrase changed for %s in %s\n",
		       store_user(record_store(c->rec)), c->db_path);
	return rc;
}

static int run_recovery_new(struct cli *c, struct nl_err *err)
{
	int rc = cli_recovery_out_free(c, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = cli_recovery_key_new(c, err);
	if (rc == NL_OK)
		printf("A new recovery key for %s; the old one no longer opens it\n", c->db_path);
	return rc;
}

static const struct cli_opt init_opts[] = {
	{ "recovery-key-out", "FILE", 0, "write the recovery key to FILE (mode 0600,\n"
	  "never over an existing file); else it is shown\n"
	  "once on the terminal, or printed once on stderr" },
	{ 0 },
};

static const struct cli_opt passwd_opts[] = {
	{ "new-passphrase-file", "FILE", 0, "the new passphrase (else\n"
	  "$NEEDLELOG_NEW_PASSPHRASE, else asked twice)" },
	{ "rekey", NULL, 0, "also rotate the data key" },
	{ "recovery-key-file", "FILE", 0, "unlock with the recovery key in FILE and set\n"
	  "a new passphrase for --user (a forgotten one)" },
	{ "recovery-key", NULL, 0, "the same, asking for the recovery key" },
	{ 0 },
};

const struct cli_command cli_admin_commands[] = {
	{ NULL, "init", NULL, 0, 0,
	  "Create a new encrypted record file.\n"
	  "Asks for the passphrase twice on a terminal (a guessable one is refused).\n"
	  "The first user is --user, else $NEEDLELOG_USER, else the login name. A\n"
	  "recovery key is made too. Never overwrites an existing file (exit 73).",
	  init_opts, run_init },
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
	  "file that replaces the old one; every user keeps their own passphrase.\n"
	  "With --recovery-key-file (or --recovery-key), sets a forgotten passphrase.",
	  passwd_opts, run_passwd },
	{ "recovery-key", "new", NULL, 0, 0,
	  "Make a new recovery key; the old one no longer opens the file.",
	  init_opts, run_recovery_new },
	{ 0 },
};
