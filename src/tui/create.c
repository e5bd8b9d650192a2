/* The new file screen: the first run, when there is no record file at the
 * path. It offers to make one; takes the first user's name and the
 * passphrase twice, rated as it is typed (src/access: the one rule the CLI
 * applies too); makes the file and keeps it open with the key just
 * derived; shows the recovery key once, until the person types "written";
 * and goes on to the patient list with no third passphrase prompt.
 *
 * What is typed lives in the form's fields (wiped when the screen goes,
 * when the person backs out, and after a refusal) and for a moment in
 * sodium_malloc'd buffers; the screen holds no passphrase once the file is
 * made. A passphrase given by a file or $NEEDLELOG_PASSPHRASE is used as
 * the CLI uses it: read when the file is made, a weak one a warning. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "needlelog/access.h"
#include "needlelog/store.h"
#include "needlelog/tui.h"
#include "tui.h"

/* A field's UTF-8: up to four bytes a character, so a passphrase longer
 * than STORE_PASS_MAX bytes is seen (and refused), never cut. */
#define SECRET_BUF (TUI_FIELD_MAX * 4 + 1)
#define CONFIRM_WORD "written"

enum stage { ST_OFFER, ST_FORM, ST_KEY };
enum { F_USER, F_PASS, F_AGAIN };

struct create {
	struct tui_screen base;
	enum stage stage;
	struct tui_form fm;        /* name, passphrase, repeat; then the word */
	bool rated;                /* a passphrase is typed: r rates it */
	struct access_rating r;
	bool given;                /* the passphrase comes from a file or $VAR */
	char error[1024];          /* why the last try failed (or, help: F1) */
	bool help;
	struct record *rec;        /* the new file, until the key is written down */
	char user[STORE_USER_NAME_MAX + 1];
	char key[STORE_RECOVERY_TEXT + 1];
	char key_error[1024];      /* the recovery key could not be made */
	char warning[512];         /* a weak given passphrase */
};

static const enum tui_ctx offer_ctxs[] = { TC_NEWFILE, TC_GLOBAL, TC_END };
static const enum tui_ctx form_ctxs[] = { TC_NEWFILE_FORM, TC_GLOBAL, TC_END };
static const enum tui_ctx key_ctxs[] = { TC_RECOVERY, TC_GLOBAL, TC_END };

static const struct tui_fdef fields[] = {
	{ "user", "User name", TF_TEXT, 32, false,
	  "Your name in the file's audit; more users later: needlelog user add." },
	{ "pass", "Passphrase", TF_SECRET, 44, false,
	  "Not shown as you type. Four or five unrelated words make a strong one." },
	{ "again", "Repeat it", TF_SECRET, 44, false,
	  "The same passphrase again, so a typing slip cannot lock you out." },
};

static const struct tui_fdef word_field[] = {
	{ "written", "Type " CONFIRM_WORD, TF_TEXT, 12, false,
	  "Type " CONFIRM_WORD " and press Enter once the key is on paper." },
};

/* The passphrase field (typed or as given) rated with the name typed:
 * access_rate_new_passphrase is what access_new_passphrase_ok refuses by. */
static void rate(struct create *c)
{
	char *pass = sodium_malloc(SECRET_BUF);
	size_t len;

	c->rated = false;
	if (!pass)
		return;
	len = tui_form_secret(&c->fm, F_PASS, pass, SECRET_BUF);
	tui_form_get(&c->fm, F_USER, c->user, sizeof(c->user));
	if (len > 0 && len < SECRET_BUF) {
		access_rate_new_passphrase(pass, c->user, &c->r);
		c->rated = true;
	}
	sodium_free(pass);
}

/* A passphrase given by a file or the environment: read once to show its
 * rating, and read again when the file is made. */
static void rate_given(struct tui *t, struct create *c)
{
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };

	c->rated = false;
	if (access_passphrase(t->opt->pass_file, t->opt->pass_env, "", false, &pass,
			      &err) != NL_OK) {
		snprintf(c->error, sizeof(c->error), "%s.", err.msg);
		return;
	}
	tui_form_get(&c->fm, F_USER, c->user, sizeof(c->user));
	access_rate_new_passphrase(pass.buf, c->user, &c->r);
	c->rated = true;
	store_pass_free(&pass);
}

static void wipe_form(struct create *c)
{
	tui_form_wipe(&c->fm);
	c->rated = false;
}

static void clear_passes(struct create *c)
{
	for (size_t i = F_PASS; i <= F_AGAIN && i < c->fm.n; i++) {
		struct tui_field *f = &c->fm.f[i];

		sodium_memzero(f->text, sizeof(f->text));
		f->len = f->cur = f->scroll = 0;
	}
	c->rated = false;
}

/* The name pre-filled as init gives it: --user, $NEEDLELOG_USER, else
 * the login name. */
static void to_form(struct tui *t, struct create *c)
{
	char first[STORE_USER_NAME_MAX + 1];

	wipe_form(c);
	c->error[0] = '\0';
	if (tui_form_add_defs(&c->fm, fields, sizeof(fields) / sizeof(fields[0]), 0) < 0) {
		tui_msg(t, TS_ERROR, "Out of memory.");
		return;
	}
	access_first_user(t->opt->user, first, sizeof(first));
	tui_form_set(&c->fm, F_USER, first);
	c->given = t->opt->pass_given;
	c->fm.f[F_PASS].hidden = c->fm.f[F_AGAIN].hidden = c->given;
	tui_form_layout(&c->fm);
	tui_form_focus(&c->fm, c->given ? F_USER : F_PASS);
	if (c->given)
		rate_given(t, c);
	c->stage = ST_FORM;
	c->base.ctxs = form_ctxs;
}

/* The passphrase typed twice, into pass. */
static int typed_pass(struct create *c, struct store_pass *pass, struct nl_err *err)
{
	char *a = sodium_malloc(SECRET_BUF), *b = sodium_malloc(SECRET_BUF);
	size_t la = 0, lb = 0;
	int rc = NL_OK;

	if (!a || !b)
		rc = nl_error(err, NL_ENOMEM, "out of secure memory for the passphrase");
	if (rc == NL_OK) {
		la = tui_form_secret(&c->fm, F_PASS, a, SECRET_BUF);
		lb = tui_form_secret(&c->fm, F_AGAIN, b, SECRET_BUF);
	}
	if (rc == NL_OK && la == 0)
		rc = nl_error(err, NL_EUSAGE, "type a passphrase, then the same again");
	else if (rc == NL_OK && la > STORE_PASS_MAX)
		rc = nl_error(err, NL_EUSAGE, "the passphrase is longer than %d bytes; type a "
			      "shorter one", STORE_PASS_MAX);
	else if (rc == NL_OK && (la != lb || sodium_memcmp(a, b, la) != 0))
		rc = nl_error(err, NL_EUSAGE, "the two passphrases differ; type them again");
	if (rc == NL_OK)
		rc = store_pass_set(pass, a, la, err);
	sodium_free(a);
	sodium_free(b);
	return rc;
}

/* The passphrase, whose it is, and whether it may be used: a weak one
 * typed is refused (NL_EDATA), a weak one given is a warning. */
static int the_pass(struct tui *t, struct create *c, struct store_pass *pass,
		    struct nl_err *err)
{
	int rc;

	tui_form_get(&c->fm, F_USER, c->user, sizeof(c->user));
	if (!c->user[0])
		return nl_error(err, NL_EDATA, "type your user name");
	rc = c->given ? access_passphrase(t->opt->pass_file, t->opt->pass_env, "", false,
					  pass, err)
		      : typed_pass(c, pass, err);
	if (rc == NL_OK)
		rc = access_user(pass, c->user, err);
	if (rc == NL_OK)
		rc = access_new_passphrase_ok(pass, !c->given, c->user, c->warning,
					      sizeof(c->warning), err);
	return rc;
}

static void busy(struct tui *t, struct create *c, const char *what)
{
	snprintf(c->error, sizeof(c->error), "%s", what);
	tui_frame(t);
	doupdate();
}

/* The recovery key, made on the open file and shown until it is written
 * down; when it fails the file is still made, and the screen says how to
 * make one later. */
static void make_key(struct tui *t, struct create *c)
{
	struct nl_err err = { 0 };

	busy(t, c, "Making the recovery key…");
	c->error[0] = '\0';
	if (store_recovery_new(record_store(c->rec), STORE_KDF_DEFAULT, c->key, &err) != NL_OK) {
		sodium_memzero(c->key, sizeof(c->key));
		access_recovery_failed(err.status, &err);
		snprintf(c->key_error, sizeof(c->key_error), "%s", err.msg);
	}
	wipe_form(c);
	if (!c->key_error[0] &&
	    tui_form_add_defs(&c->fm, word_field, 1, 0) < 0)
		tui_msg(t, TS_ERROR, "Out of memory.");
	c->stage = ST_KEY;
	c->base.ctxs = key_ctxs;
}

/* C-s, or Enter on the last field: the file is made, or the reason shown
 * and the person stays in the form (passphrases cleared). */
static void submit(struct tui *t, struct create *c)
{
	struct store_pass pass = { 0 };
	struct nl_err err = { 0 };
	int rc = the_pass(t, c, &pass, &err);

	if (rc == NL_OK) {
		busy(t, c, "Making the record file…");
		rc = access_create(t->path, &pass, &c->rec, &err);
	}
	store_pass_free(&pass);
	if (rc != NL_OK) {
		snprintf(c->error, sizeof(c->error), "Not made: %s.", err.msg);
		if (!c->given && c->user[0]) {
			clear_passes(c);
			tui_form_focus(&c->fm, F_PASS);
		}
		return;
	}
	make_key(t, c);
}

/* The key is on paper: it leaves memory and the screen, and the file
 * opens on the patient list (the unlock screen, should that fail). */
static void written(struct tui *t, struct create *c)
{
	struct record *rec = c->rec;
	struct nl_err err = { 0 };
	char word[32];

	tui_form_get(&c->fm, 0, word, sizeof(word));
	if (!c->key_error[0] && strcasecmp(word, CONFIRM_WORD) != 0) {
		snprintf(c->error, sizeof(c->error), "Type %s (the word), then Enter, once the "
			 "key is written down: it is not shown again.", CONFIRM_WORD);
		return;
	}
	sodium_memzero(c->key, sizeof(c->key));
	c->rec = NULL;
	snprintf(t->user, sizeof(t->user), "%s", c->user);  /* whose slot at the next unlock */
	if (tui_adopt(t, rec, &err) != NL_OK) {
		tui_pop(t);
		tui_push(t, tui_unlock_new(t, false));
		tui_fail(t, "The file was made but could not be opened", &err);
		return;
	}
	tui_unlocked(t);   /* destroys c */
}

static void leave(struct tui *t)
{
	t->rc = access_no_file(t->path, t->err);
	t->quit = true;
}

static void help(struct create *c)
{
	static const char *const text[] = {
		[ST_OFFER] = "Enter makes a new encrypted record file at this path; Esc leaves "
			     "without making one.",
		[ST_FORM] = "Type your name and a passphrase twice; Tab moves, C-s (or Enter on "
			    "the last field) makes the file, Esc goes back.",
		[ST_KEY] = "Write the recovery key down, type " CONFIRM_WORD " and press Enter.",
	};

	snprintf(c->error, sizeof(c->error), "%s", text[c->stage]);
	c->help = true;
}

static bool form_action(struct tui *t, struct create *c, enum tui_action a)
{
	switch (a) {
	case TA_NEXT_FIELD:
	case TA_PREV_FIELD:
		tui_form_step(&c->fm, a == TA_NEXT_FIELD ? 1 : -1);
		return true;
	case TA_SUBMIT:
		if (c->fm.focus == (c->given ? F_USER : F_AGAIN))
			submit(t, c);
		else
			tui_form_step(&c->fm, 1);
		return true;
	case TA_SAVE:
		submit(t, c);
		return true;
	case TA_CANCEL:
		wipe_form(c);
		c->error[0] = '\0';
		c->stage = ST_OFFER;
		c->base.ctxs = offer_ctxs;
		return true;
	default:
		return false;
	}
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct create *c = (struct create *)sc;

	c->help = false;
	if (a == TA_HELP) {
		help(c);
		return true;
	}
	if (c->stage == ST_OFFER && (a == TA_YES || a == TA_NO)) {
		if (a == TA_YES)
			to_form(t, c);
		else
			leave(t);
		return true;
	}
	if (c->stage == ST_FORM)
		return form_action(t, c, a);
	if (c->stage == ST_KEY && a == TA_SUBMIT) {
		written(t, c);
		return true;
	}
	return a != TA_BACK;   /* nothing else here: not even the frame's back */
}

/* Typing goes to the focused field; each key that changes the passphrase
 * or the name rates the passphrase again. */
static bool input(struct tui *t, struct tui_screen *sc, int key)
{
	struct create *c = (struct create *)sc;

	(void)t;
	c->fm.changed = false;
	if (c->stage == ST_OFFER || !tui_form_input(&c->fm, key))
		return false;
	if (c->fm.changed)
		c->error[0] = '\0';   /* the reason was for what is no longer typed */
	if (c->stage == ST_FORM && !c->given)
		rate(c);
	return true;
}

/* "Strength: …" under the passphrase, as src/access rated it: no rule
 * or threshold is decided here. Returns the rows used. */
static int draw_rating(WINDOW *w, const struct create *c, int y, int x, int width)
{
	char line[600];

	if (!c->rated)
		return tui_put(w, y, x, width, tui_attr(TS_DIM),
			       "Strength: (type a passphrase)", false) > 0;
	if (c->r.strong) {
		tui_putf(w, y, x, width, tui_attr(TS_OK), "Strength: strong (about 10^%.0f "
			 "guesses)", c->r.log10_guesses);
		return 1;
	}
	snprintf(line, sizeof(line), "Strength: weak (about 10^%.0f guesses; 10^%.0f are "
		 "needed): %s; %s", c->r.log10_guesses, ACCESS_GUESSES_LOG10_MIN, c->r.reason,
		 c->r.suggestion);
	return tui_put_wrap(w, y, x, width, 10, 4, tui_attr(TS_WARN), line);
}

static void draw_offer(struct tui *t, struct create *c, WINDOW *w, int width)
{
	char line[1200];
	int y = 1;

	tui_put(w, y, 2, width, tui_attr(TS_HEADER), "No record file yet", false);
	snprintf(line, sizeof(line), "There is no record file at %s.", t->path);
	y += 2 + tui_put_wrap(w, y + 2, 2, width, 2, 3, A_NORMAL, line);
	y += 1 + tui_put_wrap(w, y + 1, 2, width, 0, 3, A_NORMAL,
			      "Make a new encrypted one there? You choose its passphrase now "
			      "(rated as you type it), then write down its recovery key.");
	tui_put(w, y + 1, 2, width, tui_attr(TS_LABEL),
		"Enter: make it     Esc: leave (nothing is made)", false);
	if (c->error[0])
		tui_put_wrap(w, y + 3, 2, width, 0, 3, tui_attr(TS_DIM), c->error);
}

static void draw_form(struct tui *t, struct create *c, WINDOW *w, int rows, int width)
{
	int y = 1, cy, cx, n = c->given ? 1 : 3;

	tui_put(w, y, 2, width, tui_attr(TS_HEADER), "A new encrypted record file", false);
	tui_putf(w, y + 1, 2, width, tui_attr(TS_DIM), "at %s", t->path);
	y += 3;
	tui_form_draw(w, &c->fm, y, 2, width, n, &cy, &cx);
	y += n;
	if (c->given)
		tui_putf(w, y++, 2, width, A_NORMAL, "Passphrase: as given in %s%s",
			 t->opt->pass_file ? t->opt->pass_file : "$",
			 t->opt->pass_file ? "" : t->opt->pass_env);
	y += 1 + draw_rating(w, c, y + 1, 2, width);
	if (c->error[0])
		tui_put_wrap(w, y + 1, 2, width, 2, rows - y - 3,
			     tui_attr(c->help ? TS_DIM : TS_ERROR), c->error);
	if (c->fm.n)
		tui_put(w, rows - 1, 2, width, tui_attr(TS_DIM), c->fm.f[c->fm.focus].hint, false);
	c->base.cy = cy;
	c->base.cx = cx;
}

static void draw_key(struct tui *t, struct create *c, WINDOW *w, int rows, int width)
{
	int y = 1, cy = -1, cx = -1;

	tui_put(w, y, 2, width, tui_attr(TS_HEADER), "The record file is made", false);
	tui_putf(w, y + 1, 2, width, tui_attr(TS_DIM), "%s, for %s", t->path, c->user);
	y += 3;
	if (c->key_error[0]) {
		y += 1 + tui_put_wrap(w, y, 2, width, 0, 5, tui_attr(TS_ERROR), c->key_error);
		tui_put(w, y, 2, width, A_NORMAL, "Press Enter to open the record file.", false);
	} else {
		y += 1 + tui_put_wrap(w, y, 2, width, 0, 3, A_NORMAL, "This recovery key is "
				      "shown once; " ACCESS_RECOVERY_USE ": " ACCESS_RECOVERY_KEEP ".");
		tui_put(w, y, 8, width - 6, tui_attr(TS_HEADER), c->key, false);
		y += 2;
		tui_form_draw(w, &c->fm, y, 2, width, 1, &cy, &cx);
		y += 2;
	}
	if (c->warning[0])
		y += 1 + tui_put_wrap(w, y, 2, width, 2, 5, tui_attr(TS_WARN), c->warning);
	if (c->error[0])
		tui_put_wrap(w, y, 2, width, 2, rows - y - 1,
			     tui_attr(c->help ? TS_DIM : TS_ERROR), c->error);
	c->base.cy = cy;
	c->base.cx = cx;
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct create *c = (struct create *)sc;
	int rows, cols;

	getmaxyx(w, rows, cols);
	if (c->stage == ST_OFFER)
		draw_offer(t, c, w, cols - 4);
	else if (c->stage == ST_FORM)
		draw_form(t, c, w, rows, cols - 4);
	else
		draw_key(t, c, w, rows, cols - 4);
}

static void unload(struct tui_screen *sc)
{
	struct create *c = (struct create *)sc;

	wipe_form(c);
	sodium_memzero(c->key, sizeof(c->key));
	sodium_memzero(c->user, sizeof(c->user));
	record_close(c->rec);   /* quit before the key was written down */
	c->rec = NULL;
}

static const struct tui_screen_ops ops = {
	.name = "new file",
	.ctxs = offer_ctxs,
	.private_size = sizeof(struct create),
	.closed_mark = "new file",
	.draw = draw,
	.input = input,
	.action = action,
	.unload = unload,
};

struct tui_screen *tui_create_new(struct tui *t)
{
	struct create *c = tui_screen_alloc(t, &ops);

	if (!c)
		return NULL;
	snprintf(c->base.title, sizeof(c->base.title), "New record file");
	return &c->base;
}
