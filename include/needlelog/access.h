/* What both faces need before the record is open: where the record file
 * is, the passphrase (from a file, the environment or the terminal), and
 * making a new file. Shared by the CLI and the TUI; prints nothing to
 * stdout or stderr (a prompt goes to the terminal itself, /dev/tty). */
#ifndef NEEDLELOG_ACCESS_H
#define NEEDLELOG_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "needlelog/err.h"
#include "needlelog/record.h"
#include "needlelog/store.h"

/* The record file's path: given (--db), else $NEEDLELOG_DB, else
 * $XDG_DATA_HOME/needlelog/records.db, else ~/.local/share/needlelog/
 * records.db, written into buf. NL_EUSAGE when none can be made. */
int access_db_path(const char *given, char *buf, size_t size,
		   struct nl_err *err);

/* A passphrase from file (its first line, newline stripped), else from the
 * environment variable env_name, else asked on the terminal with prompt
 * (twice when confirm). Empty, unreadable or longer than STORE_PASS_MAX
 * bytes: NL_EUSAGE, never a silent cut. No terminal: NL_EUSAGE. */
int access_passphrase(const char *file, const char *env_name,
		      const char *prompt, bool confirm, struct store_pass *out,
		      struct nl_err *err);

/* Whose the passphrase in pass is: given (--user), else $NEEDLELOG_USER,
 * else "" (the file's only user). pass->first_user, the name a new file's
 * first user or an old-format file's one passphrase gets, is the same,
 * else the login name. NL_EDATA for a name that cannot be a user's. */
int access_user(struct store_pass *pass, const char *given, struct nl_err *err);
/* The login name (getpwuid, else $USER, else "owner") into buf. */
void access_login_name(char *buf, size_t size);
/* The name a new file's first user gets, as access_user gives it: given,
 * else $NEEDLELOG_USER, else the login name (a form's default). */
void access_first_user(const char *given, char *buf, size_t size);

/* How guessable a new passphrase is, by zxcvbn. ACCESS_GUESSES_MIN is
 * the threshold: 10^10 guesses is zxcvbn's top band ("strong protection
 * from an offline slow-hash attack"); at Argon2id MODERATE (0.5 to 1 s
 * and 256 MiB a guess) that is centuries on one machine and years on a
 * rack of them. */
#define ACCESS_GUESSES_LOG10_MIN 10.0
struct access_rating {
	double log10_guesses;   /* zxcvbn's estimate */
	bool strong;            /* at or above the threshold */
	const char *reason;     /* why it is weak (a sentence), or NULL */
	const char *suggestion; /* what would help (a sentence) */
};
/* Rates pass; words (NULL-terminated, may be NULL) are the user's own
 * (name, file name) that make it guessable. */
void access_rate_passphrase(const char *pass, const char *const *words,
			    struct access_rating *r);
/* Rates a new passphrase as access_new_passphrase_ok judges it (the same
 * words: user's name and the file's), for a face that shows the rating
 * while it is typed. */
void access_rate_new_passphrase(const char *pass, const char *user,
				struct access_rating *r);
/* For a new passphrase: typed at the terminal (from_tty) a weak one is
 * refused (NL_EDATA with the reason and a suggestion); from a file or the
 * environment (scripts, tests) it is allowed and *warning gets a line to
 * show on stderr (else ""). */
int access_new_passphrase_ok(const struct store_pass *pass, bool from_tty,
			     const char *user, char *warning, size_t size,
			     struct nl_err *err);
/* Like access_passphrase, for a new passphrase, rated as above. */
int access_new_passphrase(const char *file, const char *env_name,
			  const char *prompt, const char *user,
			  struct store_pass *out, char *warning, size_t size,
			  struct nl_err *err);

/* Creates a new record file at path (its missing folders 0700, the file
 * 0600) with the schema; NL_EEXIST if path exists. *out is the open
 * handle, or NULL when out is NULL (the file is closed). */
int access_create(const char *path, const struct store_pass *pass,
		  struct record **out, struct nl_err *err);

/* What both faces say about a missing file and a new one's recovery key,
 * written once. */
#define ACCESS_RECOVERY_USE "it opens the file if every passphrase is forgotten"
#define ACCESS_RECOVERY_KEEP "write it down and keep it apart from this computer, e.g. in the safe"
/* NL_ENOENT: there is no record file at path, and how to make one. */
int access_no_file(const char *path, struct nl_err *err);
/* A file just made whose recovery key failed (rc, err): err restated to
 * say the file exists and how to make the key; returns rc. */
int access_recovery_failed(int rc, struct nl_err *err);

#endif
