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
};

static const enum tui_ctx ctxs[] = { TC_UNLOCK, TC_GLOBAL, TC_END };

/* Who acts and (in tests and demos) a fixed today, on a handle just
 * opened; takes s over (closed on failure). */
static int adopt(struct tui *t, struct record *s, struct nl_err *err)
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
	return NL_OK;
}

static int open_store(struct tui *t, const struct store_pass *pass,
		      struct nl_err *err)
{
	struct record *s = NULL;
	int rc = record_open(t->path, pass, &s, err);

	if (rc == NL_OK)
		return adopt(t, s, err);
	record_close(s);
	return rc;
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a);

static void explain(struct unlock *u, struct tui *t, const struct nl_err *err)
{
	switch (err->status) {
	case NL_EPASS:
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
	if (rc == NL_OK) /* whose slot: --user / $NEEDLELOG_USER (issue 14) */
		rc = access_user(&pass, NULL, &err);
	sodium_memzero(u->pass, PASS_BUF);
	u->len = u->chars = 0;
	if (rc == NL_OK)
		rc = open_store(t, &pass, &err);
	store_pass_free(&pass);
	if (rc != NL_OK) {
		explain(u, t, &err);
		return;
	}
	tui_unlocked(t);  /* destroys u */
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct unlock *u = (struct unlock *)sc;
	int rows, cols, bw, x, y;

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
	tui_put(w, y + 5, x, bw, tui_attr(TS_LABEL), "Passphrase:", false);
	tui_fill(w, y + 5, x + 12, bw - 12 > 30 ? 30 : bw - 12, tui_attr(TS_FIELD));
	tui_put(w, y + 6, x + 12, bw - 12, tui_attr(TS_DIM),
		"(not shown as you type)", false);
	if (u->error[0])
		tui_put(w, y + 8, x, bw, tui_attr(u->tries && strncmp(u->error, "Unlocking", 9)
						   ? TS_ERROR : TS_DIM), u->error, false);
	sc->cy = y + 5;
	sc->cx = x + 12;
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

	switch (a) {
	case TA_SUBMIT:
		submit(t, u);
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
	if (!relock && t->opt->rec) {
		struct nl_err err = { 0 };

		if (adopt(t, t->opt->rec, &err) != NL_OK) {
			u->tries = 1;
			explain(u, t, &err);
		}
	} else if (!relock && t->opt->pass_given) {
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
