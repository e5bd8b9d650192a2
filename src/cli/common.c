#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "needlelog/schema.h"
#include "cli.h"

int cli_fail(const struct nl_err *err)
{
	fprintf(stderr, "needlelog: %s\n", err->msg);
	return nl_exit_code(err->status);
}

static void print_usage_line(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "usage: needlelog %s%s%s %s\n", cmd->group ? cmd->group : "",
		cmd->group ? " " : "", cmd->name, cmd->args ? cmd->args : "");
}

int cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fputs("needlelog: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c && c->cmd) {
		print_usage_line(stderr, c->cmd);
		fprintf(stderr, "Try 'needlelog %s%s%s --help'.\n",
			c->cmd->group ? c->cmd->group : "", c->cmd->group ? " " : "",
			c->cmd->name);
	}
	return EX_USAGE;
}

int cli_help(const struct cli *c)
{
	const struct cli_command *cmd = c->cmd;

	print_usage_line(stdout, cmd);
	printf("\n%s\n", cmd->summary);
	if (cmd->help)
		printf("\n%s", cmd->help);
	printf("\nCommon options:\n"
	       "  --db PATH               the record file (else $NEEDLELOG_DB, else\n"
	       "                          $XDG_DATA_HOME/needlelog/records.db)\n"
	       "  --passphrase-file FILE  read the passphrase from FILE's first line\n"
	       "                          (else $NEEDLELOG_PASSPHRASE, else a prompt)\n"
	       "  --help                  show this help\n");
	return EX_OK;
}

int cli_common_opt(struct cli *c, int opt, char **argv)
{
	switch (opt) {
	case OPT_DB:
		c->db = optarg;
		return -1;
	case OPT_PASSFILE:
		c->pass_file = optarg;
		return -1;
	case OPT_HELP:
		return cli_help(c);
	default:
		return cli_usage_error(c, "unknown option, or an option without its value: '%s'",
				       argv[optind - 1]);
	}
}

const char *cli_db_path(struct cli *c, struct nl_err *err)
{
	static char buf[4096];
	const char *env = getenv("NEEDLELOG_DB"), *xdg, *home;

	if (c->db && *c->db)
		return c->db;
	if (env && *env)
		return c->db = env;
	xdg = getenv("XDG_DATA_HOME");
	home = getenv("HOME");
	if (xdg && *xdg == '/')
		snprintf(buf, sizeof(buf), "%s/needlelog/records.db", xdg);
	else if (home && *home)
		snprintf(buf, sizeof(buf), "%s/.local/share/needlelog/records.db", home);
	else {
		nl_error(err, NL_EUSAGE, "no record file given: use --db PATH or set NEEDLELOG_DB");
		return NULL;
	}
	return c->db = buf;
}

/* Room for the longest passphrase, one more byte (to tell a longer line)
 * and the NUL; a line end past the passphrase is not needed. */
#define PASS_BUF (STORE_PASS_MAX + 2)

/* Reads one line of f into buf (PASS_BUF bytes) without its line end.
 * Returns 1 when the line is longer than STORE_PASS_MAX bytes. */
static int read_pass_line(FILE *f, char *buf, size_t *len)
{
	if (!fgets(buf, PASS_BUF, f))
		buf[0] = '\0';
	*len = strcspn(buf, "\r\n");
	buf[*len] = '\0';
	return *len > STORE_PASS_MAX;
}

static int too_long(const char *where, struct nl_err *err)
{
	return nl_error(err, NL_EUSAGE,
			"the passphrase %s is longer than %d bytes; nothing was changed",
			where, STORE_PASS_MAX);
}

static int read_pass_file(const char *file, char *buf, size_t *len,
			  struct nl_err *err)
{
	FILE *f = fopen(file, "r");
	char where[PATH_MAX + 16];
	int long_line;

	if (!f)
		return nl_error(err, NL_EUSAGE, "cannot read the passphrase file %s: %s",
				file, strerror(errno));
	long_line = read_pass_line(f, buf, len);
	fclose(f);
	if (long_line) {
		snprintf(where, sizeof(where), "in %s", file);
		return too_long(where, err);
	}
	if (*len == 0)
		return nl_error(err, NL_EUSAGE, "the passphrase file %s is empty", file);
	return NL_OK;
}

static int read_pass_env(const char *name, const char *value, char *buf,
			 size_t *len, struct nl_err *err)
{
	char where[128];

	*len = strlen(value);
	if (*len > STORE_PASS_MAX) {
		snprintf(where, sizeof(where), "in $%s", name);
		return too_long(where, err);
	}
	if (*len == 0)
		return nl_error(err, NL_EUSAGE, "%s must hold 1 to %d characters",
				name, STORE_PASS_MAX);
	memcpy(buf, value, *len + 1);
	return NL_OK;
}

static int prompt_tty(const char *prompt, char *buf, size_t *len,
		      struct nl_err *err)
{
	FILE *tty = fopen("/dev/tty", "r+");
	struct termios old, quiet;
	int long_line;

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
	long_line = read_pass_line(tty, buf, len);
	/* TCSAFLUSH also drops the rest of a line that was too long. */
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fclose(tty);
	if (long_line)
		return too_long("typed", err);
	if (*len == 0)
		return nl_error(err, NL_EUSAGE, "the passphrase must not be empty");
	return NL_OK;
}

int cli_read_passphrase(const char *file, const char *env_name,
			const char *prompt, bool confirm, struct store_pass *out,
			struct nl_err *err)
{
	char buf[PASS_BUF], again[PASS_BUF];
	const char *env = env_name ? getenv(env_name) : NULL;
	size_t len = 0, len2 = 0;
	int rc;

	if (file) {
		rc = read_pass_file(file, buf, &len, err);
	} else if (env) {
		rc = read_pass_env(env_name, env, buf, &len, err);
	} else {
		rc = prompt_tty(prompt, buf, &len, err);
		if (rc == NL_OK && confirm) {
			rc = prompt_tty("Repeat it: ", again, &len2, err);
			if (rc == NL_OK && (len != len2 || memcmp(buf, again, len) != 0))
				rc = nl_error(err, NL_EUSAGE,
					      "the two passphrases differ; nothing was changed");
		}
	}
	if (rc == NL_OK)
		rc = store_pass_set(out, buf, len, err);
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(again, sizeof(again));
	return rc;
}

int cli_passphrase(struct cli *c, bool confirm, struct store_pass *out,
		   struct nl_err *err)
{
	return cli_read_passphrase(c->pass_file, "NEEDLELOG_PASSPHRASE",
				   "Passphrase: ", confirm, out, err);
}

int cli_open(struct cli *c, struct store **out, struct nl_err *err)
{
	struct store_pass pass = { 0 };
	const char *path = cli_db_path(c, err);
	struct stat st;
	int rc;

	*out = NULL;
	if (!path)
		return err->status;
	if (stat(path, &st) != 0 && errno == ENOENT)
		return nl_error(err, NL_ENOENT,
				"no record file at %s; create one with `needlelog init`", path);
	rc = store_global_init(err);
	if (rc == NL_OK)
		rc = cli_passphrase(c, false, &pass, err);
	/* A file on read-only media, or whose file or folder (where the
	 * journal goes) is not writable, opens read-only: reading commands
	 * and check work, and a write fails saying so. */
	if (rc == NL_OK && store_path_writable(path))
		rc = store_open(path, &pass, out, err);
	else if (rc == NL_OK)
		rc = store_open_ro(path, &pass, out, err);
	store_pass_free(&pass);
	if (rc == NL_OK)
		rc = store_migrate(*out, schema_migrations, schema_migration_count, err);
	if (rc != NL_OK && *out) {
		store_close(*out);
		*out = NULL;
	}
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
