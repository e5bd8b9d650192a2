/* Before the record is open: its path, the passphrase, a new file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <pwd.h>

#include <sodium.h>
#include <zxcvbn.h>

#include "needlelog/access.h"

/* A line buffer one byte longer than the longest passphrase, so that a
 * longer one is seen (and refused) rather than cut. */
#define LINE_SIZE (STORE_PASS_MAX + 2)

int access_db_path(const char *given, char *buf, size_t size,
		   struct nl_err *err)
{
	const char *env = getenv("NEEDLELOG_DB"), *xdg = getenv("XDG_DATA_HOME"),
		   *home = getenv("HOME");
	int n;

	if (given && *given)
		n = snprintf(buf, size, "%s", given);
	else if (env && *env)
		n = snprintf(buf, size, "%s", env);
	else if (xdg && *xdg == '/')
		n = snprintf(buf, size, "%s/needlelog/records.db", xdg);
	else if (home && *home)
		n = snprintf(buf, size, "%s/.local/share/needlelog/records.db", home);
	else
		return nl_error(err, NL_EUSAGE,
				"no record file given: use --db PATH or set NEEDLELOG_DB");
	if (n < 0 || (size_t)n >= size)
		return nl_error(err, NL_EUSAGE, "the record file's path is longer than %zu bytes",
				size - 1);
	return NL_OK;
}

/* One line from f into buf (LINE_SIZE bytes), newline stripped; *len its
 * length. NL_EUSAGE (naming source) when empty or too long. */
static int read_line(FILE *f, const char *source, char *buf, size_t *len,
		     struct nl_err *err)
{
	if (!fgets(buf, LINE_SIZE, f))
		buf[0] = '\0';
	*len = strcspn(buf, "\r\n");
	if (*len > STORE_PASS_MAX)
		return nl_error(err, NL_EUSAGE, "the passphrase %s is longer than %d bytes; "
				"nothing was changed", source, STORE_PASS_MAX);
	buf[*len] = '\0';
	if (*len == 0)
		return nl_error(err, NL_EUSAGE, "the passphrase %s is empty", source);
	return NL_OK;
}

static int from_file(const char *file, char *buf, size_t *len, struct nl_err *err)
{
	char source[300];
	FILE *f = fopen(file, "r");
	int rc;

	if (!f)
		return nl_error(err, NL_EUSAGE, "cannot read the passphrase file %s: %s", file,
				strerror(errno));
	snprintf(source, sizeof(source), "in %s", file);
	rc = read_line(f, source, buf, len, err);
	fclose(f);
	return rc;
}

static int from_env(const char *name, const char *value, char *buf, size_t *len,
		    struct nl_err *err)
{
	*len = strlen(value);
	if (*len > STORE_PASS_MAX)
		return nl_error(err, NL_EUSAGE, "the passphrase in $%s is longer than %d bytes; "
				"nothing was changed", name, STORE_PASS_MAX);
	if (*len == 0)
		return nl_error(err, NL_EUSAGE, "the passphrase in $%s is empty", name);
	memcpy(buf, value, *len + 1);
	return NL_OK;
}

static int from_tty(const char *prompt, char *buf, size_t *len, struct nl_err *err)
{
	FILE *tty = fopen("/dev/tty", "r+");
	struct termios old, quiet;
	int rc;

	if (!tty)
		return nl_error(err, NL_EUSAGE,
				"no passphrase: give --passphrase-file FILE or set "
				"NEEDLELOG_PASSPHRASE, or run on a terminal");
	fputs(prompt, tty);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	rc = read_line(tty, "typed", buf, len, err);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fclose(tty);
	return rc;
}

static int from_tty_twice(const char *prompt, char *buf, size_t *len,
			  struct nl_err *err)
{
	char *again = sodium_malloc(LINE_SIZE);
	size_t len2 = 0;
	int rc;

	if (!again)
		return nl_error(err, NL_ENOMEM, "out of secure memory for the passphrase");
	rc = from_tty(prompt, buf, len, err);
	if (rc == NL_OK)
		rc = from_tty("Repeat it: ", again, &len2, err);
	if (rc == NL_OK && (*len != len2 || sodium_memcmp(buf, again, len2) != 0))
		rc = nl_error(err, NL_EUSAGE, "the two passphrases differ; nothing was changed");
	sodium_free(again);
	return rc;
}

int access_passphrase(const char *file, const char *env_name,
		      const char *prompt, bool confirm, struct store_pass *out,
		      struct nl_err *err)
{
	const char *env = env_name ? getenv(env_name) : NULL;
	char *buf = sodium_malloc(LINE_SIZE);
	size_t len = 0;
	int rc;

	if (!buf)
		return nl_error(err, NL_ENOMEM, "out of secure memory for the passphrase");
	if (file)
		rc = from_file(file, buf, &len, err);
	else if (env)
		rc = from_env(env_name, env, buf, &len, err);
	else if (confirm)
		rc = from_tty_twice(prompt, buf, &len, err);
	else
		rc = from_tty(prompt, buf, &len, err);
	if (rc == NL_OK)
		rc = store_pass_set(out, buf, len, err);
	sodium_free(buf);
	return rc;
}

/* Creates each missing folder above path with mode 0700. */
static int make_parents(const char *path, struct nl_err *err)
{
	char *dir = strdup(path);
	int rc = NL_OK;

	if (!dir)
		return nl_error(err, NL_ENOMEM, "out of memory");
	for (char *p = dir + 1; *p && rc == NL_OK; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			rc = nl_error(err, NL_EIO, "cannot create the folder %s: %s", dir,
				      strerror(errno));
		*p = '/';
	}
	free(dir);
	return rc;
}

int access_create(const char *path, const struct store_pass *pass,
		  struct record **out, struct nl_err *err)
{
	struct record *r = NULL;
	int rc = NL_OK;

	if (out)
		*out = NULL;
	if (access(path, F_OK) == 0)
		rc = nl_error(err, NL_EEXIST,
			      "%s already exists; a record file is never overwritten", path);
	if (rc == NL_OK)
		rc = make_parents(path, err);
	if (rc == NL_OK)
		rc = record_create(path, pass, STORE_KDF_DEFAULT, &r, err);
	if (rc == NL_OK && out)
		*out = r;
	else
		record_close(r);
	return rc;
}

/* given, else $NEEDLELOG_USER, else NULL. */
static const char *named_user(const char *given)
{
	const char *env = getenv("NEEDLELOG_USER");

	return given && *given ? given : env && *env ? env : NULL;
}

int access_user(struct store_pass *pass, const char *given, struct nl_err *err)
{
	char first[STORE_USER_NAME_MAX + 1];
	int rc = store_pass_user(pass, named_user(given), err);

	access_first_user(given, first, sizeof(first));
	if (rc == NL_OK)
		rc = store_pass_first_user(pass, first, err);
	return rc;
}

void access_first_user(const char *given, char *buf, size_t size)
{
	const char *user = named_user(given);

	if (user)
		snprintf(buf, size, "%s", user);
	else
		access_login_name(buf, size);
}

void access_login_name(char *buf, size_t size)
{
	struct passwd *pw = getpwuid(getuid());
	const char *env = getenv("USER");
	const char *name = pw && pw->pw_name && store_user_name_ok(pw->pw_name) ? pw->pw_name
			   : env && store_user_name_ok(env) ? env : "owner";

	snprintf(buf, size, "%s", name);
}

/* zxcvbn's match types, as a reason a person can act on. */
static const char *const match_reason[] = {
	[DICTIONARY_MATCH] = "it is built on a common word or name",
	[DICT_LEET_MATCH] = "it is a common word with letters swapped for look-alikes",
	[USER_MATCH] = "it contains your own name or the file's",
	[USER_LEET_MATCH] = "it contains your own name with look-alike letters",
	[REPEATS_MATCH] = "it repeats characters or a pattern",
	[SEQUENCE_MATCH] = "it contains a sequence such as abc or 123",
	[SPATIAL_MATCH] = "it contains a keyboard pattern such as qwerty",
	[DATE_MATCH] = "it contains a date",
	[YEAR_MATCH] = "it contains a year",
	[BRUTE_MATCH] = "it is short",
};

void access_rate_passphrase(const char *pass, const char *const *words,
			    struct access_rating *r)
{
	ZxcMatch_t *info = NULL;
	double bits = ZxcvbnMatch(pass, (const char **)words, &info), worst = -1;
	int type = BRUTE_MATCH;

	/* the weakest part: the match that adds least per character */
	for (ZxcMatch_t *m = info; m; m = m->Next) {
		int t = (int)m->Type & ~MULTIPLE_MATCH;
		double per = m->Length > 0 ? m->Entrpy / m->Length : 0;

		if (t != BRUTE_MATCH && t > 0 && t < (int)(sizeof(match_reason) /
				sizeof(match_reason[0])) && match_reason[t] &&
		    (worst < 0 || per < worst)) {
			worst = per;
			type = t;
		}
	}
	ZxcvbnFreeInfo(info);
	r->log10_guesses = bits * 0.30103; /* log10(2) */
	r->strong = r->log10_guesses >= ACCESS_GUESSES_LOG10_MIN;
	r->reason = r->strong ? NULL : match_reason[type];
	r->suggestion = "use four or five unrelated words, or a sentence only you "
			"would write (length beats symbols)";
}

void access_rate_new_passphrase(const char *pass, const char *user,
				struct access_rating *r)
{
	const char *words[] = { user, "needlelog", "record", "records", NULL };

	if (!user || !*user)
		words[0] = "needlelog";
	access_rate_passphrase(pass, words, r);
}

int access_new_passphrase_ok(const struct store_pass *pass, bool from_tty,
			     const char *user, char *warning, size_t size,
			     struct nl_err *err)
{
	struct access_rating r;

	if (warning && size)
		warning[0] = '\0';
	access_rate_new_passphrase(pass->buf, user, &r);
	if (r.strong)
		return NL_OK;
	if (from_tty)
		return nl_error(err, NL_EDATA, "that passphrase could be guessed in about "
				"10^%.0f tries (at least 10^%.0f are needed): %s; %s; nothing "
				"was changed", r.log10_guesses, ACCESS_GUESSES_LOG10_MIN,
				r.reason, r.suggestion);
	if (warning)
		snprintf(warning, size, "warning: the new passphrase could be guessed in about "
			 "10^%.0f tries (%s); a person typing it would be refused: %s",
			 r.log10_guesses, r.reason, r.suggestion);
	return NL_OK;
}

int access_new_passphrase(const char *file, const char *env_name,
			  const char *prompt, const char *user,
			  struct store_pass *out, char *warning, size_t size,
			  struct nl_err *err)
{
	bool tty = !file && !(env_name && getenv(env_name));
	int rc = access_passphrase(file, env_name, prompt, true, out, err);

	if (rc == NL_OK)
		rc = access_new_passphrase_ok(out, tty, user, warning, size, err);
	if (rc != NL_OK)
		store_pass_free(out);
	return rc;
}

int access_no_file(const char *path, struct nl_err *err)
{
	return nl_error(err, NL_ENOENT, "no record file at %s; create one with "
			"`needlelog init` (or try `needlelog demo`)", path);
}

int access_recovery_failed(int rc, struct nl_err *err)
{
	char why[sizeof(err->msg)];

	snprintf(why, sizeof(why), "%s", err->msg);
	nl_error(err, rc, "the file was made, but its recovery key was not: %s; make "
		 "one with `needlelog recovery-key new`", why);
	return rc;
}
