/* The unlock screen: the passphrase, typed with no echo, opens the record
 * file. Shown at start and after every idle lock, when nothing of the
 * records is on screen and the store (with its key) is closed. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "needlelog/access.h"
#include "needlelog/store.h"
#include "needlelog/tui.h"
#include "tui.h"

/* Room for STORE_PASS_MAX bytes and the character that goes past it, so a
 * longer passphrase is refused, never cut. */
#define PASS_BUF (STORE_PASS_MAX + MB_LEN_MAX + 1)

struct unlock {
	struct tui_screen base;
	bool relock;
	bool by_key;       /* locked with C-x, not for a time without use */
	char *pass;        /* sodium_malloc'd, PASS_BUF bytes */
	size_t len;
	bool too_long;     /* more than STORE_PASS_MAX bytes were typed */
	size_t chars;      /* how many characters were typed (not shown) */
	char error[1024];
	int tries;
	/* A file with several users and none given (--user, $NEEDLELOG_USER):
	 * the user types their name too (names are not in the header's
	 * plaintext, so there is no list to pick from). */
	bool ask_user;
	bool on_user;      /* the name field has the focus */
	char user[STORE_USER_NAME_MAX + 1];
};

static const enum tui_ctx ctxs[] = { TC_UNLOCK, TC_GLOBAL, TC_END };

/* Who acts and (in tests and demos) a fixed today, on a handle just
 * opened. */
int tui_adopt(struct tui *t, struct record *s, struct nl_err *err)
{
	int rc = NL_OK;

	if (t->practitioner[0])
		rc = record_set_actor(s, t->practitioner, err);
	if (rc == NL_OK && t->opt->today)
		rc = record_set_today(s, t->opt->today, err);
	if (rc != NL_OK) {
		record_close(s);
		return rc;
	}
	t->store = s;
	if (!t->adopted_ms)
		t->adopted_ms = tui_now_ms();
	return NL_OK;
}

static int open_store(struct tui *t, const struct store_pass *pass,
		      struct nl_err *err)
{
	struct record *s = NULL;
	int rc = record_open(t->path, pass, &s, err);

	if (rc == NL_OK)
		return tui_adopt(t, s, err);
	record_close(s);
	return rc;
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a);

static void explain(struct unlock *u, struct tui *t, const struct nl_err *err)
{
	switch (err->status) {
	case NL_EPASS:
		if (u->ask_user)
			snprintf(u->error, sizeof(u->error), "Wrong user name or passphrase (%s). "
				 "Try again (attempt %d).", err->msg, u->tries);
		else
			snprintf(u->error, sizeof(u->error),
				 "Wrong passphrase. Try again (attempt %d).", u->tries);
		break;
	case NL_EBUSY:
		snprintf(u->error, sizeof(u->error),
			 "The record file is busy: another needlelog is using it. "
			 "Try again in a moment.");
		break;
	case NL_ENOTFILE:
		snprintf(u->error, sizeof(u->error),
			 "%s is not a needlelog record file.", t->path);
		break;
	case NL_EAUTH:
	case NL_EHEADER:
		snprintf(u->error, sizeof(u->error),
			 "The record file failed authentication (tampered or damaged): %s "
			 "Run `needlelog check`; restore a backup if it fails.", err->msg);
		break;
	default:
		snprintf(u->error, sizeof(u->error), "Cannot open the record file: %s",
			 err->msg);
	}
}

static void submit(struct tui *t, struct unlock *u)
{
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	int rc;

	if (u->ask_user && !u->user[0]) {
		u->on_user = true;
		snprintf(u->error, sizeof(u->error), "The file has several users: type your "
			 "user name, then Enter.");
		return;
	}
	if (u->len == 0) {
		snprintf(u->error, sizeof(u->error), "Type the passphrase, then Enter.");
		return;
	}
	if (u->too_long) {
		action(t, &u->base, TA_KILL);
		snprintf(u->error, sizeof(u->error), "The passphrase is longer than %d bytes, "
			 "which no record file has; type it again.", STORE_PASS_MAX);
		return;
	}
	u->tries++;
	snprintf(u->error, sizeof(u->error), "Unlocking…");
	tui_frame(t);
	doupdate();
	rc = store_pass_set(&pass, u->pass, u->len, &err);
	/* whose slot: --user / $NEEDLELOG_USER (issue 14), or the name typed
	 * here or when the TUI made the file */
	if (rc == NL_OK)
		rc = access_user(&pass, u->ask_user ? u->user : t->user[0] ? t->user : NULL,
				 &err);
	sodium_memzero(u->pass, PASS_BUF);
	u->len = u->chars = 0;
	if (rc == NL_OK)
		rc = open_store(t, &pass, &err);
	store_pass_free(&pass);
	if (rc != NL_OK) {
		explain(u, t, &err);
		return;
	}
	if (u->ask_user)  /* offered again at the next lock */
		snprintf(t->user, sizeof(t->user), "%s", u->user);
	tui_unlocked(t);  /* destroys u */
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct unlock *u = (struct unlock *)sc;
	int rows, cols, bw, x, y, py;

	getmaxyx(w, rows, cols);
	bw = cols < 70 ? cols - 2 : 68;
	x = (cols - bw) / 2;
	y = rows / 2 - 5;
	if (y < 0)
		y = 0;
	tui_put(w, y, x, bw, tui_attr(TS_HEADER),
		u->relock ? "needlelog is locked" : "needlelog", false);
	tui_putf(w, y + 2, x, bw, A_NORMAL, "Record file: %s", t->path);
	if (u->relock)
		tui_put(w, y + 3, x, bw, tui_attr(TS_DIM), u->by_key
			? "Locked; the records are hidden."
			: "Locked after a time without use; the records are hidden.", false);
	py = u->ask_user ? y + 7 : y + 5;
	if (u->ask_user) {
		tui_put(w, y + 5, x, bw, tui_attr(TS_LABEL), "User:", false);
		tui_fill(w, y + 5, x + 12, bw - 12 > 30 ? 30 : bw - 12, tui_attr(TS_FIELD));
		tui_put(w, y + 5, x + 12, bw - 12 > 30 ? 30 : bw - 12, tui_attr(TS_FIELD),
			u->user, false);
		tui_put(w, y + 6, x + 12, bw - 12, tui_attr(TS_DIM),
			"(the file has several users; Tab moves between the fields)", false);
	}
	tui_put(w, py, x, bw, tui_attr(TS_LABEL), "Passphrase:", false);
	tui_fill(w, py, x + 12, bw - 12 > 30 ? 30 : bw - 12, tui_attr(TS_FIELD));
	tui_put(w, py + 1, x + 12, bw - 12, tui_attr(TS_DIM),
		"(not shown as you type)", false);
	if (u->error[0])
		tui_put(w, py + 3, x, bw, tui_attr(u->tries && strncmp(u->error, "Unlocking", 9)
						   ? TS_ERROR : TS_DIM), u->error, false);
	sc->cy = u->on_user ? y + 5 : py;
	sc->cx = x + 12 + (u->on_user ? tui_text_width(u->user) : 0);
}

/* A character of the user's name; one that would go past the longest
 * name is not taken (the store names the limit if it matters). */
static void user_char(struct unlock *u, const char *mb, size_t k)
{
	size_t len = strlen(u->user);

	if (len + k <= STORE_USER_NAME_MAX) {
		memcpy(u->user + len, mb, k);
		u->user[len + k] = '\0';
	}
}

static void user_backspace(struct unlock *u)
{
	size_t len = strlen(u->user);

	while (len > 0 && ((unsigned char)u->user[len - 1] & 0xc0) == 0x80)
		u->user[--len] = '\0';
	if (len > 0)
		u->user[--len] = '\0';
}

static bool input(struct tui *t, struct tui_screen *sc, int key)
{
	struct unlock *u = (struct unlock *)sc;
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t k;

	(void)t;
	if (!tui_key_printable(key))
		return false;
	memset(&st, 0, sizeof(st));
	k = wcrtomb(mb, (wchar_t)key, &st);
	if (u->on_user) {
		if (k != (size_t)-1)
			user_char(u, mb, k);
		return true;
	}
	if (k != (size_t)-1 && u->len + k > STORE_PASS_MAX)
		u->too_long = true;
	else if (k != (size_t)-1) {
		memcpy(u->pass + u->len, mb, k);
		u->len += k;
	}
	if (k != (size_t)-1)
		u->chars++;
	sodium_memzero(mb, sizeof(mb));
	return true;
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct unlock *u = (struct unlock *)sc;

	if (u->on_user && (a == TA_SUBMIT || a == TA_BACKSPACE || a == TA_KILL)) {
		if (a == TA_BACKSPACE)
			user_backspace(u);
		else if (a == TA_KILL)
			u->user[0] = '\0';
		else if (u->user[0])
			u->on_user = false;   /* Enter after the name: the passphrase */
		return true;
	}
	switch (a) {
	case TA_SUBMIT:
		submit(t, u);
		break;
	case TA_NEXT_FIELD:
	case TA_PREV_FIELD:
		u->on_user = u->ask_user && !u->on_user;
		break;
	case TA_BACKSPACE:
		/* drops the last character (UTF-8 continuation bytes with it) */
		while (u->len > 0 && ((unsigned char)u->pass[u->len - 1] & 0xc0) == 0x80)
			u->pass[--u->len] = 0;
		if (u->len > 0)
			u->pass[--u->len] = 0;
		break;
	case TA_KILL:
		sodium_memzero(u->pass, PASS_BUF);
		u->len = u->chars = 0;
		u->too_long = false;
		break;
	case TA_HELP:
		snprintf(u->error, sizeof(u->error),
			 "Type the record file's passphrase and press Enter; Esc quits.");
		break;
	default:
		return false;
	}
	return true;
}

static void unload(struct tui_screen *sc)
{
	struct unlock *u = (struct unlock *)sc;

	sodium_free(u->pass);
	u->pass = NULL;
}

/* Whether to ask who is unlocking: several users in the file (read from
 * its header, no passphrase needed) and no name given. The name typed at
 * the last unlock is offered again after a lock. */
static void ask_user(struct tui *t, struct unlock *u)
{
	const char *env = getenv("NEEDLELOG_USER");
	struct nl_err err = { 0 };
	int n = 0;

	if ((env && *env) || store_file_user_count(t->path, &n, &err) != NL_OK || n < 2)
		return;
	u->ask_user = true;
	snprintf(u->user, sizeof(u->user), "%s", t->user);
	u->on_user = !u->user[0];
}

static const struct tui_screen_ops ops = {
	.name = "unlock",
	.ctxs = ctxs,
	.draw = draw,
	.input = input,
	.action = action,
	.private_size = sizeof(struct unlock),
	.unload = unload,
};

struct tui_screen *tui_unlock_new(struct tui *t, bool relock)
{
	struct unlock *u = tui_screen_alloc(t, &ops);

	if (!u)
		return NULL;
	u->pass = sodium_malloc(PASS_BUF);
	if (!u->pass) {
		tui_screen_destroy(&u->base);
		return NULL;
	}
	sodium_memzero(u->pass, PASS_BUF);
	u->relock = relock;
	u->by_key = t->lock_by_key;
	snprintf(u->base.title, sizeof(u->base.title), "%s", relock ? "Locked" : "Unlock");
	ask_user(t, u);
	if (!relock && t->opt->pass_given) {
		struct store_pass pass = { 0 };
		struct nl_err err = { 0 };
		int rc = access_passphrase(t->opt->pass_file, t->opt->pass_env, "Passphrase: ",
					   false, &pass, &err);

		if (rc == NL_OK)
			rc = open_store(t, &pass, &err);
		store_pass_free(&pass);
		if (rc != NL_OK) {
			u->tries = 1;
			explain(u, t, &err);
		}
	}
	return &u->base;
}
