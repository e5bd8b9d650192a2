/* The practitioner's full-screen face: screens, widgets and the shared
 * state they run on. The TUI reads and writes only through the core and
 * store APIs; nothing below it calls ncurses.
 *
 * The frame: a title bar (row 0), the body (the top screen draws here), a
 * status line (the record file and the last message) and a key-hint line.
 * Screens are a stack; each is a struct whose first member is struct
 * tui_screen and whose behaviour is a table of hooks (tui_screen_ops). */
#ifndef NL_TUI_H
#define NL_TUI_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "needlelog/err.h"
#include "needlelog/record.h"
#include "needlelog/store.h"

struct tui;
struct tui_options;

/* ---- colours and attributes (colors.c) -------------------------------- */
enum tui_style {
	TS_NORMAL,
	TS_TITLE,
	TS_STATUS,
	TS_HINT,
	TS_HINT_KEY,
	TS_SELECTED,
	TS_HEADER,
	TS_LABEL,
	TS_DIM,
	TS_WARN,
	TS_ERROR,
	TS_OK,
	TS_OVERDUE,
	TS_DUE,
	TS_FIELD,
	TS_FIELD_FOCUS,
	TS_SIGNED,
	TS_VOID,
	TS_CHART,
	TS_BASELINE,
	TS_BETTER,
	TS_WORSE,
	TS_DIALOG,
	TS_DIALOG_TITLE,
	TS_MSG_ERROR,    /* status-line messages, by their style */
	TS_MSG_WARN,
	TS_MSG_OK,
	TS_COUNT
};

/* Starts colours unless NO_COLOR is set or the terminal has none. */
void tui_colors_init(void);
bool tui_colors_on(void);
/* The attributes for a style: a colour pair, or bold/reverse/underline
 * alone on a monochrome terminal. */
attr_t tui_attr(enum tui_style s);
/* The status-line style for a message of style s. */
enum tui_style tui_msg_style(enum tui_style s);

/* ---- keys (keys.c) ------------------------------------------------------
 * One table binds keys to actions per context. A key is a wide character,
 * or a curses KEY_* code with TUI_FN set. */
#define TUI_FN(k) ((int)(k) | 0x40000000)
#define TUI_CTRL(c) ((c) & 0x1f)
#define TUI_ESC 27

enum tui_ctx {
	TC_GLOBAL,   /* everywhere */
	TC_BROWSE,   /* every screen that is not a form */
	TC_LIST,     /* moving in a list */
	TC_PATIENTS,
	TC_SEARCH,   /* typing a search */
	TC_PATIENT,
	TC_SERIES,
	TC_SESSION,
	TC_DUE,
	TC_FORM,
	TC_SESSION_FORM,
	TC_EDIT,     /* editing a text field */
	TC_HELP,
	TC_UNLOCK,
	TC_PHOTOS,   /* a series' photo timeline (photos.c) */
	TC_COMPARE,  /* baseline and now side by side (photos.c) */
	TC_DIALOG,   /* a yes/no question (dialog.c) */
	TC_NEWFILE,  /* the offer to make a record file (create.c) */
	TC_NEWFILE_FORM, /* its user name and passphrase */
	TC_RECOVERY, /* its recovery key, shown once */
	TC_END,      /* ends a context list */
};

enum tui_action {
	TA_NONE,
	/* moving */
	TA_UP, TA_DOWN, TA_PGUP, TA_PGDN, TA_HOME, TA_END,
	/* browsing */
	TA_OPEN, TA_BACK, TA_QUIT, TA_HELP, TA_LOCK, TA_REDRAW, TA_SEARCH,
	TA_ADD, TA_EDIT, TA_DUE, TA_EXPORT, TA_ARCHIVE, TA_ARCHIVED,
	TA_NEW_SESSION, TA_EDIT_SERIES, TA_AMEND, TA_SIGN, TA_VOID, TA_PANE, TA_WIDER,
	TA_NARROWER, TA_SEARCH_DONE, TA_SEARCH_CLEAR, TA_BACKUP, TA_CONSENT, TA_WITHDRAW,
	TA_UNSIGNED,
	/* forms */
	TA_NEXT_FIELD, TA_PREV_FIELD, TA_SAVE, TA_ADD_AREA, TA_ADD_SCORE,
	TA_DEL_ROW, TA_PICK, TA_CANCEL, TA_ADD_PRODUCT,
	/* answering a question */
	TA_YES, TA_NO, TA_ACCEPT,
	/* editing a field */
	TA_LEFT, TA_RIGHT, TA_BOL, TA_EOL, TA_BACKSPACE, TA_DELETE, TA_KILL,
	/* unlock */
	TA_SUBMIT,
	/* photographs (photos.c) */
	TA_PHOTOS, TA_COMPARE, TA_IMPORT, TA_EARLIER, TA_LATER,
};

struct tui_binding {
	enum tui_ctx ctx;
	int key;
	enum tui_action action;
	const char *help;   /* what it does, for the help screen */
	const char *hint;   /* a short word for the key-hint line, or NULL */
};

extern const struct tui_binding tui_keymap[];
extern const size_t tui_keymap_count;

/* The action of key in the first of ctxs (ended by TC_END) binding it. */
enum tui_action tui_key_action(const enum tui_ctx *ctxs, int key);
/* "j", "Down", "C-s", "S-Tab", "F1" into buf. */
void tui_key_name(int key, char *buf, size_t size);
const char *tui_ctx_title(enum tui_ctx ctx);
/* Reads one key (waiting at most timeout_ms; -1 forever). Returns false on
 * timeout; *key gets a character or TUI_FN(KEY_*). */
bool tui_read_key(int timeout_ms, int *key);
/* A printable character that a text field takes. */
bool tui_key_printable(int key);

/* ---- drawing helpers (draw.c) ------------------------------------------ */
/* Display width of UTF-8 text (wcwidth; unprintables count 1). */
int tui_text_width(const char *s);
/* Draws UTF-8 text at (y, x), at most width cells (an ellipsis marks a
 * cut), padding with spaces to width when pad. Returns cells drawn. */
int tui_put(WINDOW *w, int y, int x, int width, attr_t a, const char *s,
	    bool pad);
int tui_putf(WINDOW *w, int y, int x, int width, attr_t a, const char *fmt,
	     ...) __attribute__((format(printf, 6, 7)));
/* How many bytes of s fit in width cells, cut after a space when the
 * whole does not fit (for wrapping). At least one character. */
size_t tui_text_fit(const char *s, int width);
/* Draws s wrapped at spaces to width cells (continuation rows indented
 * by indent), at most max_rows rows (w NULL: draws nothing); returns the
 * rows the whole text needs, so nothing is ever cut unseen. */
int tui_put_wrap(WINDOW *w, int y, int x, int width, int indent, int max_rows,
		 attr_t a, const char *s);
/* Fills a row segment with spaces in a. */
void tui_fill(WINDOW *w, int y, int x, int width, attr_t a);
/* A section heading: "── Title ─────". */
void tui_heading(WINDOW *w, int y, int x, int width, const char *title);
/* Box-drawing line characters (Unicode in UTF-8, else ASCII). */
void tui_hline(WINDOW *w, int y, int x, int width, attr_t a);

/* ---- lists (list.c) -----------------------------------------------------
 * A selection and a scroll offset over n rows; the screen draws the rows. */
struct tui_list {
	size_t n, sel, top;
	int height;  /* rows visible, set by the last draw */
};
/* Applies a moving action; true if it was one. */
bool tui_list_move(struct tui_list *l, enum tui_action a);
/* Clamps sel and scrolls so it is visible in height rows. */
void tui_list_fit(struct tui_list *l, int height);
/* Draws rows [top, top+height) through draw_row; the selected row gets
 * TS_SELECTED when focused. An empty list shows empty_msg. */
void tui_list_draw(WINDOW *w, struct tui_list *l, int y, int x, int width,
		   int height, bool focused, const char *empty_msg,
		   void (*draw_row)(WINDOW *w, int y, int x, int width,
				    size_t row, attr_t a, void *ctx),
		   void *ctx);

/* ---- scrolling text (text.c) -------------------------------------------
 * Styled lines wrapped to the width they are drawn at and scrolled by
 * screen rows; "more above/below" markers take rows of their own. */
struct tui_tline {
	enum tui_style st, head_st;
	char head[64];         /* drawn in the first indent cells (help keys) */
	char text[600];
	int indent;            /* where the text starts */
	int cont;              /* more indent for continuation rows */
};

struct tui_text {
	struct tui_tline *lines;
	size_t n, cap;
	int top;               /* first screen row shown */
	int height, total;     /* set by the last draw */
};

struct tui_tline *tui_text_add(struct tui_text *tx, enum tui_style st,
			       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Zeroes and frees the lines. */
void tui_text_clear(struct tui_text *tx);
/* A moving action (up, down, pages, g, G) in screen rows; true if one. */
bool tui_text_move(struct tui_text *tx, enum tui_action a);
void tui_text_draw(WINDOW *w, struct tui_text *tx, int y, int x, int width,
		   int height);

/* ---- memory that may hold records (mem.c) ------------------------------ */
/* realloc that zeroes the old block (old_size bytes) before freeing it. */
void *tui_zrealloc(void *p, size_t old_size, size_t new_size);
void tui_zfree(void *p, size_t size);
void tui_zfree_str(char *s);
/* Once, before any screen: libraries' allocations wiped as well. */
void tui_mem_init(void);

/* ---- forms (form.c) -----------------------------------------------------
 * Labelled one-line text fields, several to a row where asked, scrolled to
 * the focused one. Values are edited as wide characters. */
#define TUI_FIELD_MAX 512

enum tui_field_kind {
	TF_TEXT,
	TF_PICK,    /* Enter picks from a list; typing is allowed too */
	TF_SECRET,  /* not echoed */
};

struct tui_field {
	char key[24];          /* what the field is ("depth"), for drafts */
	char label[32];
	enum tui_field_kind kind;
	int group;             /* rows of a repeating group (>0), or 0 */
	int width;             /* input cells, 0 = to the right edge */
	bool same_line;        /* on the previous field's row */
	bool required;
	bool hidden;           /* not laid out, drawn or stepped to (kept) */
	bool sel;              /* entered with its text selected: typing replaces it */
	wchar_t text[TUI_FIELD_MAX];
	size_t len, cur, scroll;
	char error[200];       /* an inline error (shown in TS_ERROR) */
	char note[200];        /* an inline note (a warning or a range) */
	char hint[200];        /* help for the field, shown when focused */
	int row;               /* layout (tui_form_layout): the form row, */
	int col, bw;           /* the box's column and width, */
	int label_x;           /* the inline label's column (-1: left margin) */
};

struct tui_form {
	struct tui_field *f;
	size_t n, cap;
	size_t focus;
	int top;               /* first form row shown */
	int label_w;
	int width;             /* laid out for this width (0: not yet) */
	bool changed;          /* set by edits; the owner clears it */
};

/* Appends (at = n) or inserts a field; returns its index, or -1 (OOM). */
int tui_form_insert(struct tui_form *fm, size_t at, const char *key,
		    const char *label, enum tui_field_kind kind, int group,
		    int width, bool same_line);
void tui_form_remove(struct tui_form *fm, size_t at);
void tui_form_free(struct tui_form *fm);
/* Wipes every value (for a lock) and frees. */
void tui_form_wipe(struct tui_form *fm);
void tui_form_set(struct tui_form *fm, size_t i, const char *utf8);
/* The value as UTF-8 with spaces trimmed; "" when empty. */
void tui_form_get(const struct tui_form *fm, size_t i, char *buf,
		  size_t size);
/* The value as UTF-8 exactly as typed (a passphrase's spaces count) into
 * buf; its length in bytes, or size when it does not fit. */
size_t tui_form_secret(const struct tui_form *fm, size_t i, char *buf,
		       size_t size);
/* The first field with key after index from (or -1). */
int tui_form_find(const struct tui_form *fm, const char *key, size_t from);
void tui_form_layout(struct tui_form *fm);
/* Draws rows at (y, x) in width x height; puts the cursor position of the
 * focused field into *cy, *cx (-1 when hidden). */
void tui_form_draw(WINDOW *w, struct tui_form *fm, int y, int x, int width,
		   int height, int *cy, int *cx);
/* Moves focus by one field (wrapping, over hidden ones); a pre-filled
 * field is entered with its text selected, so typing replaces it. */
void tui_form_step(struct tui_form *fm, int dir);
/* Focuses field i, its text selected as tui_form_step does. */
void tui_form_focus(struct tui_form *fm, size_t i);
/* Handles editing keys and characters for the focused field; true when
 * the key was taken. */
bool tui_form_input(struct tui_form *fm, int key);

/* A field from a table: forms list their fields once, as data. */
struct tui_fdef {
	const char *key, *label;
	enum tui_field_kind kind;
	int width;
	bool same_line;
	const char *hint;
};
/* Appends the n fields of defs (in group); -1 when out of memory. */
int tui_form_add_defs(struct tui_form *fm, const struct tui_fdef *defs,
		      size_t n, int group);

/* form_draft.c: a form kept as an encrypted draft under (form, ref) (see
 * draft_form_save), brought back (and the draft deleted) by resume, which
 * is true when there was one. */
void tui_form_keep(struct tui *t, const struct tui_form *fm, const char *form,
		   int64_t ref);
bool tui_form_resume(struct tui *t, struct tui_form *fm, const char *form,
		     int64_t ref);
void tui_form_forget(struct tui *t, const char *form, int64_t ref);

/* ---- charts (chart.c) ----------------------------------------------- */
/* A sparkline of values (scaled between lo and hi) into width cells;
 * lower_better flips nothing: the line shows the raw values. */
void tui_sparkline(WINDOW *w, int y, int x, const double *v, size_t n,
		   double lo, double hi, attr_t a);
/* A horizontal bar of value in [lo, hi] over width cells, with a mark at
 * the baseline. */
void tui_bar(WINDOW *w, int y, int x, int width, double value, double lo,
	     double hi, double baseline, bool has_baseline, attr_t bar,
	     attr_t mark);

/* ---- dialogs (dialog.c) -------------------------------------------------
 * Modal boxes over the current frame. Each returns early (as cancelled)
 * when the idle time runs out, so the lock can happen. */
/* true on y/Y (Enter when default_yes). */
bool tui_confirm(struct tui *t, const char *title, const char *text,
		 bool default_yes);
/* A line of text; false when cancelled. out holds initial text. */
bool tui_prompt(struct tui *t, const char *title, const char *text,
		char *out, size_t size);
/* The same with nothing echoed (a passphrase); out is wiped on cancel. */
bool tui_prompt_secret(struct tui *t, const char *title, const char *text,
		       char *out, size_t size);
/* One of items (label strings); -1 when cancelled. Typing filters. */
int tui_pick(struct tui *t, const char *title, const char *const *items,
	     size_t n, int initial);
/* A single key answer: returns the key pressed that is in keys, or 0 for
 * Esc/cancel. */
int tui_ask(struct tui *t, const char *title, const char *text,
	    const char *keys);

/* ---- screens ------------------------------------------------------------ */
struct tui_screen;

/* What a screen does, in tig's view_ops manner: the frame allocates
 * private_size bytes (the screen's struct, struct tui_screen first), loads,
 * reloads, locks and frees every screen the same way, and each screen
 * gives only what differs. Lock wipes by default: save (forms keep an
 * encrypted draft), then unload (zero and free what was read), and the
 * title falls back to a word that names no one. */
struct tui_screen_ops {
	const char *name;                 /* for help and the locked title */
	const enum tui_ctx *ctxs;         /* key contexts, ended by TC_END */
	size_t private_size;              /* sizeof the screen's struct */
	size_t list_offset;               /* its struct tui_list (0: none) */
	size_t text_offset;               /* its struct tui_text (0: none) */
	/* Its struct tui_form (0: none). A form with draft set needs no more
	 * for typing, Tab and S-Tab, keeping its draft at a lock and leaving
	 * (Esc: a confirmation when changed, then the draft forgotten). */
	size_t form_offset;
	/* The form's draft key (see draft_form_save): form and ref. */
	void (*draft)(const struct tui_screen *sc, const char **form, int64_t *ref);
	/* A form's Enter on a picker field (TA_PICK) and its C-s (TA_SAVE). */
	void (*pick)(struct tui *t, struct tui_screen *sc);
	void (*submit)(struct tui *t, struct tui_screen *sc);
	const char *locked_title;         /* the title while locked (NULL: kept) */
	/* The title bar's mark while no file is open (NULL: "locked"). */
	const char *closed_mark;
	/* Reads what it shows: on open, when back on top and after an unlock;
	 * -1 fails an open. NULL: nothing to read. */
	int (*load)(struct tui *t, struct tui_screen *sc);
	/* Zeroes and frees what load read or the user typed: lock, destroy. */
	void (*unload)(struct tui_screen *sc);
	/* Before a lock or quitting: keeps a form as an encrypted draft. */
	void (*save)(struct tui *t, struct tui_screen *sc);
	void (*draw)(struct tui *t, struct tui_screen *sc, WINDOW *w);
	/* A raw key before the keymap (text entry); true when taken. */
	bool (*input)(struct tui *t, struct tui_screen *sc, int key);
	/* An action; false leaves it to the frame (moves, back, due). */
	bool (*action)(struct tui *t, struct tui_screen *sc, enum tui_action a);
	void (*tick)(struct tui *t, struct tui_screen *sc);     /* timer */
};

struct tui_screen {
	const struct tui_screen_ops *ops;
	struct tui_screen *below;
	const enum tui_ctx *ctxs;  /* key contexts now (ops->ctxs when NULL) */
	char title[96];     /* breadcrumb piece: "Ana Muñoz" */
	int cy, cx;         /* cursor in the body, -1 hidden (set by draw) */
};

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24

struct tui {
	const char *path;          /* the record file */
	struct record *store;       /* NULL while locked */
	struct tui_screen *top;
	WINDOW *title, *body, *status;
	int rows, cols;
	int term_rows, term_cols;  /* the terminal's real size */
	bool too_small;            /* below TUI_MIN_COLS x TUI_MIN_ROWS */
	bool quit;
	bool lock_now;             /* idle time ran out in a dialog, or C-x */
	bool lock_by_key;          /* the lock was asked for (C-x), not idle */
	long lock_after_ms;        /* 0 = never */
	long long last_input_ms;
	char msg[512];
	enum tui_style msg_style;
	char practitioner[200];     /* who signs and amends */
	char practice[200];         /* the practice name in exports, kept while it runs */
	const struct tui_options *opt; /* as tui_main was given them */
	int64_t select_session;    /* a list showing it selects it, once */
	size_t unsigned_old;       /* sessions unsigned > 24 h after their date */
	uint64_t data_version;     /* record_data_version when the top screen loaded */
	long long polled_ms;       /* when it was last asked */
	bool busy;                 /* tui_fail saw a busy file (a save waits) */
	char user[STORE_USER_NAME_MAX + 1]; /* the name typed at the unlock (several users) */
	bool chase_known;          /* unsigned_old is the count at: */
	uint64_t chase_version;    /* record_data_version */
	char chase_today[11];      /* and this day */
	int rc;                    /* what tui_main returns (NL_OK unless a screen says) */
	/* $NEEDLELOG_TIMING: from the first unlock (the key derived, the file
	 * open) to the first screen drawn after it, said on stderr at the end */
	long long adopted_ms, first_screen_ms;
	bool first_screen_seen;
	struct nl_err *err;        /* tui_main's, for rc's message */
};

/* backup.c: the status line's backup reminder ("" when none is due; read
 * again at most every few minutes and after a backup) and `b`, a backup
 * now to the remembered folder with progress (NL_EUSAGE and a message
 * when no folder is remembered). tui_backup_key asks the passphrase in a
 * dialog, checks it opens the record file, then backs up. */
void tui_backup_reminder(struct tui *t, char *buf, size_t n);
int tui_backup_now(struct tui *t, const struct store_pass *pass);
void tui_backup_key(struct tui *t);

/* tui.c: the frame, the loop, the stack, the lock. */
/* A zeroed screen of ops->private_size bytes; NULL (with a message) when
 * out of memory. */
void *tui_screen_alloc(struct tui *t, const struct tui_screen_ops *ops);
/* Loads a screen made by tui_screen_alloc; NULL (and it is freed) when
 * its load fails. */
struct tui_screen *tui_screen_open(struct tui *t, struct tui_screen *sc);
/* Unloads, zeroes and frees a screen. */
void tui_screen_destroy(struct tui_screen *sc);
void tui_push(struct tui *t, struct tui_screen *sc);
/* Pops and destroys the top screen; the one below reloads. */
void tui_pop(struct tui *t);
/* With t->store just opened: drops the unlock screen on top and brings
 * the screens below back (or opens the patient list). */
void tui_unlocked(struct tui *t);
/* Takes over s, just opened (closed on failure): who acts and a fixed
 * today set on it, then t->store. The unlock and new file screens. */
int tui_adopt(struct tui *t, struct record *s, struct nl_err *err);
/* Draws everything once (no doupdate). */
void tui_frame(struct tui *t);
/* Lays the windows out for the terminal's current size. */
void tui_relayout(struct tui *t);
/* A message on the status line (until the next key). */
void tui_msg(struct tui *t, enum tui_style st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The message of a core failure. */
void tui_fail(struct tui *t, const char *what, const struct nl_err *err);
long long tui_now_ms(void);
/* Whether the idle time has run out (records must be hidden). */
bool tui_idle_expired(struct tui *t);
/* Today (the record's: a fixed one in tests, else the local date); the
 * store must be open. */
void tui_today(struct tui *t, char out[11]);
/* The key-hint line for a context list. */
void tui_status_draw(struct tui *t);
void tui_title_draw(struct tui *t);

/* The screens. Each returns NULL (with a message) on failure. */
struct tui_screen *tui_unlock_new(struct tui *t, bool relock);
/* create.c: no record file at t->path; offers to make one. */
struct tui_screen *tui_create_new(struct tui *t);
struct tui_screen *tui_patients_new(struct tui *t);
struct tui_screen *tui_patient_new(struct tui *t, int64_t patient_id);
struct tui_screen *tui_patient_form_new(struct tui *t, int64_t patient_id);
struct tui_screen *tui_series_new(struct tui *t, int64_t series_id);
/* A new series of patient_id, or (series_id not 0) its plan and status. */
struct tui_screen *tui_series_form_new(struct tui *t, int64_t patient_id,
				       int64_t series_id);
struct tui_screen *tui_session_new(struct tui *t, int64_t session_id);
enum tui_form_mode { TUI_NEW, TUI_EDIT, TUI_AMEND, TUI_DRAFT };
/* A session form: a new session of series_id, editing or amending
 * session_id, or (TUI_DRAFT) the series' saved draft. */
struct tui_screen *tui_session_form_new(struct tui *t, int64_t series_id,
					int64_t session_id,
					enum tui_form_mode mode);
struct tui_screen *tui_due_new(struct tui *t);
struct tui_screen *tui_unsigned_new(struct tui *t);
/* unsigned.c: counts the sessions left unsigned into t->unsigned_old. */
void tui_chase(struct tui *t);
/* photos.c: a series' photo timeline by view, and a view's comparison. */
struct tui_screen *tui_photos_new(struct tui *t, int64_t series_id);
struct tui_screen *tui_compare_new(struct tui *t, int64_t series_id, const char *view);
struct tui_screen *tui_help_new(struct tui *t, const struct tui_screen *of);

/* session.c: how people are told which session, everywhere: "session #2
 * of series Acne scars (2026-11-17)" (record ids only labelled, "id 188");
 * returns the number (0 for a voided session, named by its date). */
int tui_session_name(struct tui *t, int64_t series_id, int64_t session_id,
		     const char *date, char *buf, size_t size);

/* Opens the series, offering its draft first when there is one. */
void tui_open_series(struct tui *t, int64_t series_id);
/* Signs (after a confirmation) or voids (confirmation and reason) a
 * session; true when it changed. what names it for people. */
bool tui_session_sign(struct tui *t, int64_t session_id, const char *what);
bool tui_session_void(struct tui *t, int64_t session_id, const char *what);
/* The practitioner's name, asked once when not set; NULL if cancelled. */
const char *tui_practitioner(struct tui *t, const char *why);
/* Exports a patient's summary (series_id 0 = all) after asking the format
 * and file. */
void tui_export(struct tui *t, int64_t patient_id, int64_t series_id);

#endif
