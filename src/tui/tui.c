/* The TUI's frame and loop: tui_main, the screen stack, the key
 * dispatch, resizes, and the idle lock (drafts saved, store closed, key
 * wiped, passphrase asked again). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "needlelog/text.h"
#include "needlelog/tui.h"
#include "tui.h"

#define TICK_MS 250
/* How often an idle TUI asks whether another process committed, and how
 * long a save waits for a busy file before it fails (issue 14). */
#define POLL_MS 1000
#define BUSY_WAIT_MS 15000

long long tui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tui_today(struct tui *t, char out[11])
{
	if (t->store)
		snprintf(out, 11, "%s", record_today(t->store));
	else
		nl_today_local(out);
}

bool tui_idle_expired(struct tui *t)
{
	return t->store && t->lock_after_ms > 0 &&
	       tui_now_ms() - t->last_input_ms >= t->lock_after_ms;
}

void tui_msg(struct tui *t, enum tui_style st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_style = st;
}

void tui_fail(struct tui *t, const char *what, const struct nl_err *err)
{
	const char *m = err && err->msg[0] ? err->msg : "unknown error";

	if (err && err->status == NL_EBUSY) {
		t->busy = true;   /* a save waits and tries again (save_waiting) */
		tui_msg(t, TS_ERROR, "%s: the record file is busy (another needlelog is using it). "
			"Try again in a moment.", what);
	} else {
		tui_msg(t, TS_ERROR, "%s: %s", what, m);
	}
}

void tui_push(struct tui *t, struct tui_screen *sc)
{
	if (!sc)
		return;
	sc->below = t->top;
	if (!sc->ctxs)
		sc->ctxs = sc->ops->ctxs;
	sc->cy = sc->cx = -1;
	t->top = sc;
}

void *tui_screen_alloc(struct tui *t, const struct tui_screen_ops *ops)
{
	struct tui_screen *sc = calloc(1, ops->private_size);

	if (!sc) {
		tui_msg(t, TS_ERROR, "Out of memory.");
		return NULL;
	}
	sc->ops = ops;
	sc->ctxs = ops->ctxs;
	return sc;
}

void tui_screen_destroy(struct tui_screen *sc)
{
	if (!sc)
		return;
	if (sc->ops->unload)
		sc->ops->unload(sc);
	tui_zfree(sc, sc->ops->private_size);
}

/* A screen (re)reads what it shows; the unsigned count is read with it.
 * The data version is read first, so a commit made during the load is
 * still seen by the next poll. */
static int load_screen(struct tui *t, struct tui_screen *sc)
{
	struct nl_err err = { 0 };
	int rc;

	if (t->store && record_data_version(t->store, &t->data_version, &err) != NL_OK)
		t->data_version = 0;
	rc = sc->ops->load && t->store ? sc->ops->load(t, sc) : 0;

	tui_chase(t);
	return rc;
}

struct tui_screen *tui_screen_open(struct tui *t, struct tui_screen *sc)
{
	if (sc && load_screen(t, sc) != 0) {
		tui_screen_destroy(sc);
		return NULL;
	}
	return sc;
}

static void destroy_top(struct tui *t)
{
	struct tui_screen *sc = t->top;

	t->top = sc->below;
	tui_screen_destroy(sc);
}

void tui_pop(struct tui *t)
{
	if (!t->top)
		return;
	destroy_top(t);
	if (t->top)
		load_screen(t, t->top);
}

static void del_windows(struct tui *t)
{
	if (t->title)
		delwin(t->title);
	if (t->body)
		delwin(t->body);
	if (t->status)
		delwin(t->status);
	t->title = t->body = t->status = NULL;
}

void tui_relayout(struct tui *t)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	t->too_small = rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS;
	t->term_rows = rows;
	t->term_cols = cols;
	t->rows = rows < 4 ? 4 : rows;
	t->cols = cols < 10 ? 10 : cols;
	del_windows(t);
	t->title = newwin(1, t->cols, 0, 0);
	t->body = newwin(t->rows - 3, t->cols, 1, 0);
	t->status = newwin(2, t->cols, t->rows - 2, 0);
	keypad(t->body, TRUE);
	clearok(curscr, TRUE);
}

/* Below the minimum size nothing else is drawn: a cut-off field or
 * warning would be worse than none. */
static void too_small(struct tui *t)
{
	char msg[96];
	int len;

	len = snprintf(msg, sizeof(msg), "needlelog needs %dx%d; this terminal is %dx%d",
		       TUI_MIN_COLS, TUI_MIN_ROWS, t->term_cols, t->term_rows);
	werase(stdscr);
	if (len > t->term_cols)
		len = t->term_cols;
	mvaddnstr(t->term_rows / 2, len < t->term_cols ? (t->term_cols - len) / 2 : 0, msg, len);
	curs_set(0);
	wnoutrefresh(stdscr);
}

void tui_frame(struct tui *t)
{
	struct tui_screen *sc = t->top;

	if (!t->title || !t->body || !t->status)
		return;
	if (t->too_small) {
		too_small(t);
		return;
	}
	werase(t->body);
	if (sc) {
		sc->cy = sc->cx = -1;
		sc->ops->draw(t, sc, t->body);
	}
	tui_title_draw(t);
	tui_status_draw(t);
	if (sc && sc->cy >= 0) {
		wmove(t->body, sc->cy, sc->cx);
		curs_set(1);
	} else {
		curs_set(0);
	}
	wnoutrefresh(t->body);
}

static struct tui_form *form_of(struct tui_screen *sc)
{
	return sc->ops->form_offset ? (struct tui_form *)((char *)sc + sc->ops->form_offset) : NULL;
}

/* A form's default save: its fields kept as an encrypted draft when changed. */
static void keep_form(struct tui *t, struct tui_screen *sc)
{
	struct tui_form *fm = form_of(sc);
	const char *form;
	int64_t ref;

	if (!fm || !sc->ops->draft || !fm->n || !fm->changed)
		return;
	sc->ops->draft(sc, &form, &ref);
	tui_form_keep(t, fm, form, ref);
}

/* A form's default Esc: leave (asked first when changed), draft forgotten. */
static void leave_form(struct tui *t, struct tui_screen *sc)
{
	struct tui_form *fm = form_of(sc);
	const char *form;
	int64_t ref;

	if (fm->changed && !tui_confirm(t, "Leave", "Leave without saving the changes?", false))
		return;
	if (sc->ops->draft) {
		sc->ops->draft(sc, &form, &ref);
		tui_form_forget(t, form, ref);
	}
	tui_pop(t);
}

/* Every screen keeps its form as a draft (while the store is open), then
 * zeroes and frees what it showed. */
static void wipe_screens(struct tui *t)
{
	for (struct tui_screen *sc = t->top; sc; sc = sc->below) {
		if (sc->ops->save && t->store)
			sc->ops->save(t, sc);
		else if (t->store)
			keep_form(t, sc);
		if (sc->ops->unload)
			sc->ops->unload(sc);
		if (sc->ops->locked_title) {
			sodium_memzero(sc->title, sizeof(sc->title));
			snprintf(sc->title, sizeof(sc->title), "%s", sc->ops->locked_title);
		}
	}
}

/* Wipes every screen, closes the store (the key is wiped, SQLite's pages
 * are zeroed as they are freed) and asks for the passphrase again. */
static void lock(struct tui *t)
{
	wipe_screens(t);
	sodium_memzero(t->msg, sizeof(t->msg));
	record_close(t->store);
	t->store = NULL;
	t->chase_known = false;   /* another handle's versions are not comparable */
	t->lock_now = false;
	t->msg[0] = '\0';
	tui_push(t, tui_unlock_new(t, true));
	t->lock_by_key = false;
}

static void unlock_hooks(struct tui *t, struct tui_screen *sc)
{
	if (!sc)
		return;
	unlock_hooks(t, sc->below);
	load_screen(t, sc);
}

/* Called by the unlock screen with the store open: drops the unlock
 * screen and brings every screen below back. */
void tui_unlocked(struct tui *t)
{
	destroy_top(t);
	if (!t->top)
		tui_push(t, tui_patients_new(t));
	else
		unlock_hooks(t, t->top);
}

/* What every screen does unless it says otherwise: moves in its list or
 * text, back, and who is due. */
static void default_action(struct tui *t, struct tui_screen *sc,
			   enum tui_action a)
{
	const struct tui_screen_ops *ops = sc->ops;

	if (ops->list_offset && tui_list_move((struct tui_list *)((char *)sc + ops->list_offset), a))
		return;
	if (ops->text_offset && tui_text_move((struct tui_text *)((char *)sc + ops->text_offset), a))
		return;
	if (form_of(sc) && (a == TA_NEXT_FIELD || a == TA_PREV_FIELD))
		tui_form_step(form_of(sc), a == TA_NEXT_FIELD ? 1 : -1);
	else if (form_of(sc) && a == TA_CANCEL)
		leave_form(t, sc);
	else if (a == TA_PICK && ops->pick)
		ops->pick(t, sc);
	else if (a == TA_SAVE && ops->submit)
		ops->submit(t, sc);
	else if (a == TA_BACK)
		tui_pop(t);
	else if (a == TA_DUE && strcmp(ops->name, "due") != 0)
		tui_push(t, tui_due_new(t));
	else if (a == TA_BACKUP && t->store)
		tui_backup_key(t);
	else if (a == TA_UNSIGNED)
		tui_push(t, tui_unsigned_new(t));
}

static void dispatch(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	if (!sc->ops->action || !sc->ops->action(t, sc, a))
		default_action(t, sc, a);
}

/* A save that met a busy file (tui_fail saw NL_EBUSY: nothing was
 * written) is tried again, with the wait on the status line, until
 * BUSY_WAIT_MS have passed; Esc stops waiting. The form stays as typed. */
static void save_waiting(struct tui *t, struct tui_screen *sc)
{
	long long start = tui_now_ms();
	int key;

	for (;;) {
		t->busy = false;
		dispatch(t, sc, TA_SAVE);
		if (!t->busy || t->top != sc)
			return;
		if (tui_now_ms() - start >= BUSY_WAIT_MS) {
			tui_msg(t, TS_ERROR, "Not saved: the record file stayed busy for %d s "
				"(another user is saving). What you typed is kept; C-s tries again.",
				BUSY_WAIT_MS / 1000);
			return;
		}
		tui_msg(t, TS_WARN, "Waiting for another user… (the record file is busy; "
			"%lld s of %d; Esc stops)", (tui_now_ms() - start) / 1000,
			BUSY_WAIT_MS / 1000);
		tui_frame(t);
		doupdate();
		if (tui_read_key(500, &key) && key == TUI_ESC) {
			tui_msg(t, TS_WARN, "Not saved: stopped waiting for the busy record file. "
				"What you typed is kept; C-s tries again.");
			return;
		}
	}
}

static void handle_key(struct tui *t, int key)
{
	struct tui_screen *sc = t->top;
	enum tui_action a;

	a = tui_key_action(sc->ctxs, key);
	if (t->too_small && a != TA_LOCK && a != TA_REDRAW)
		return;   /* nothing is typed or done blind */
	if (sc->ops->input ? sc->ops->input(t, sc, key)
			   : form_of(sc) && tui_form_input(form_of(sc), key))
		return;
	switch (a) {
	case TA_NONE:
		return;
	case TA_HELP:
		if (t->store && sc->ctxs[0] != TC_HELP)
			tui_push(t, tui_help_new(t, sc));
		else if (!t->store && sc->ops->action)
			sc->ops->action(t, sc, a);
		return;
	case TA_REDRAW:
		clearok(curscr, TRUE);
		return;
	case TA_LOCK:
		if (t->store)
			t->lock_now = t->lock_by_key = true;
		return;
	case TA_QUIT:
		t->quit = true;
		return;
	case TA_SAVE:
		save_waiting(t, sc);
		return;
	default:
		dispatch(t, sc, a);
	}
}

/* Another person's save, seen while idle: the top screen reads again
 * (lists keep their selection by id). A form is never reloaded under the
 * user's typing, and is not polled: the version is read when it closes
 * and the screen below reloads anyway. A busy file is asked again at the
 * next poll. */
static void poll_changes(struct tui *t)
{
	struct nl_err err = { 0 };
	uint64_t v;

	if (!t->store || !t->top || form_of(t->top) || !t->top->ops->load ||
	    tui_now_ms() - t->polled_ms < POLL_MS)
		return;
	t->polled_ms = tui_now_ms();
	if (record_poll_version(t->store, &v, &err) != NL_OK || v == t->data_version)
		return;
	load_screen(t, t->top);
}

static void loop(struct tui *t)
{
	t->last_input_ms = tui_now_ms();
	while (!t->quit && t->top) {
		int key;

		if (t->lock_now || tui_idle_expired(t))
			lock(t);
		tui_frame(t);
		doupdate();
		if (t->adopted_ms && !t->first_screen_seen && t->store) {
			t->first_screen_ms = tui_now_ms() - t->adopted_ms;
			t->first_screen_seen = true;
		}
		if (!tui_read_key(TICK_MS, &key)) {
			if (t->top->ops->tick && t->store)
				t->top->ops->tick(t, t->top);
			poll_changes(t);
			continue;
		}
		if (tui_idle_expired(t)) {
			/* the key that wakes an expired session only locks it */
			t->lock_now = true;
			continue;
		}
		t->last_input_ms = tui_now_ms();
		if (key == TUI_FN(KEY_RESIZE)) {
			tui_relayout(t);
			continue;
		}
		t->msg[0] = '\0';
		handle_key(t, key);
	}
	/* quitting: every open form is kept as a draft, then wiped */
	wipe_screens(t);
	while (t->top)
		destroy_top(t);
}

static int start(struct tui *t)
{
	if (!initscr())
		return -1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	tui_colors_init();
	tui_relayout(t);
	return 0;
}

static void finish(struct tui *t)
{
	del_windows(t);
	endwin();
	record_close(t->store);
	t->store = NULL;
}

int tui_main(const struct tui_options *o, struct nl_err *err)
{
	struct tui t = { 0 };
	int rc;

	t.opt = o;
	t.err = err;
	t.path = o->db_path;
	t.lock_after_ms = o->lock_after_ms;
	if (o->practitioner && *o->practitioner)
		snprintf(t.practitioner, sizeof(t.practitioner), "%s", o->practitioner);
	if ((rc = store_global_init(err)) != NL_OK)
		return rc;
	tui_mem_init();
	if (start(&t) != 0)
		return nl_error(err, NL_EUSAGE, "cannot start the terminal interface (is TERM set?)");
	tui_push(&t, o->create ? tui_create_new(&t) : tui_unlock_new(&t, false));
	if (t.store)
		tui_unlocked(&t);
	loop(&t);
	finish(&t);
	if (getenv("NEEDLELOG_TIMING") && t.first_screen_seen)
		fprintf(stderr, "needlelog: timing: the first screen %lld ms after the unlock\n",
			t.first_screen_ms);
	return t.rc;
}
