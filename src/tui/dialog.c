/* Modal boxes: confirm, prompt, pick, ask. Each runs its own small loop
 * over the current frame, re-lays out on a resize and gives up (as a
 * cancel) when the idle time runs out, so the lock is never held off. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "tui.h"

#define DLG_LINES 24
#define DLG_LINE_MAX 512

/* Word-wraps text (with '\n' breaks) into at most DLG_LINES lines. */
static int wrap(const char *text, int width, char lines[][DLG_LINE_MAX])
{
	int n = 0;

	while (*text && n < DLG_LINES) {
		size_t len = strcspn(text, "\n"), cut = 0, i = 0;
		char buf[DLG_LINE_MAX];

		if (len >= DLG_LINE_MAX)
			len = DLG_LINE_MAX - 1;
		/* the longest prefix, ending at a space, that fits */
		while (i < len) {
			size_t j = i;

			while (j < len && text[j] != ' ')
				j++;
			memcpy(buf, text, j);
			buf[j] = '\0';
			if (tui_text_width(buf) > width && cut > 0)
				break;
			cut = j;
			i = j + 1;
			if (tui_text_width(buf) > width)
				break;
		}
		if (cut == 0)
			cut = len;
		memcpy(lines[n], text, cut);
		lines[n][cut] = '\0';
		n++;
		text += cut;
		while (*text == ' ')
			text++;
		if (*text == '\n')
			text++;
	}
	return n;
}

struct box {
	WINDOW *w;
	int h, wd;
};

static void box_open(struct tui *t, struct box *b, int h, int wd,
		     const char *title)
{
	if (wd > t->cols - 2)
		wd = t->cols - 2;
	if (h > t->rows - 2)
		h = t->rows - 2;
	if (wd < 10)
		wd = 10;
	if (h < 3)
		h = 3;
	b->h = h;
	b->wd = wd;
	b->w = NULL;
	if (t->too_small)
		return;   /* the frame shows only the size notice */
	b->w = newwin(h, wd, (t->rows - h) / 2, (t->cols - wd) / 2);
	if (!b->w)
		return;
	wbkgd(b->w, ' ' | tui_attr(TS_DIALOG));
	werase(b->w);
	wattrset(b->w, tui_attr(TS_DIALOG));
	box(b->w, 0, 0);
	if (title)
		tui_putf(b->w, 0, 2, wd - 4, tui_attr(TS_DIALOG_TITLE), " %s ", title);
}

static void box_close(struct box *b)
{
	if (b->w)
		delwin(b->w);
	b->w = NULL;
}

/* Waits for a key; false when the idle time ran out (a lock is due). */
static bool dialog_key(struct tui *t, int *key)
{
	for (;;) {
		if (!tui_read_key(250, key)) {
			if (tui_idle_expired(t)) {
				t->lock_now = true;
				return false;
			}
			continue;
		}
		t->last_input_ms = tui_now_ms();
		if (*key == TUI_FN(KEY_RESIZE) || t->too_small) {
			if (*key == TUI_FN(KEY_RESIZE))
				tui_relayout(t);
			*key = 0;   /* nothing is answered blind */
		}
		return true;
	}
}

static int draw_text(struct box *b, const char *text, int y)
{
	char lines[DLG_LINES][DLG_LINE_MAX];
	int n = wrap(text, b->wd - 4, lines);

	for (int i = 0; i < n && y + i < b->h - 1; i++)
		tui_put(b->w, y + i, 2, b->wd - 4, tui_attr(TS_DIALOG), lines[i], false);
	return n;
}

static int text_height(const char *text, int width)
{
	char lines[DLG_LINES][DLG_LINE_MAX];

	return wrap(text, width, lines);
}

static int dialog_width(struct tui *t, const char *text)
{
	int w = tui_text_width(text) + 6;

	if (w < 44)
		w = 44;
	if (w > 72)
		w = 72;
	return w > t->cols - 2 ? t->cols - 2 : w;
}

int tui_ask(struct tui *t, const char *title, const char *text,
	    const char *keys)
{
	for (;;) {
		int wd = dialog_width(t, text);
		int h = text_height(text, wd - 4) + 2;
		struct box b;
		int key;

		tui_frame(t);
		box_open(t, &b, h, wd, title);
		if (b.w) {
			draw_text(&b, text, 1);
			wnoutrefresh(b.w);
		}
		curs_set(0);
		doupdate();
		box_close(&b);
		if (!dialog_key(t, &key))
			return 0;
		if (key == 0)
			continue;
		if (key == TUI_ESC)
			return 0;
		if (key < 128 && key > 0 && strchr(keys, key))
			return key;
		if (key == '\n' || key == '\r')
			return strchr(keys, '\n') ? '\n' : 0;
	}
}

/* The keys the keymap gives a question, as tui_ask takes them. */
static void question_keys(char *keys, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < tui_keymap_count && n + 1 < size; i++)
		if (tui_keymap[i].ctx == TC_DIALOG && tui_keymap[i].key > 0 &&
		    tui_keymap[i].key < 128 && tui_keymap[i].key != TUI_ESC)
			keys[n++] = (char)tui_keymap[i].key;
	keys[n] = '\0';
}

bool tui_confirm(struct tui *t, const char *title, const char *text,
		 bool default_yes)
{
	static const enum tui_ctx ctxs[] = { TC_DIALOG, TC_END };
	char buf[1024], keys[16];
	enum tui_action a;

	snprintf(buf, sizeof(buf), "%s\n\n%s", text,
		 default_yes ? "[Y]es / [n]o" : "[y]es / [N]o (Esc)");
	question_keys(keys, sizeof(keys));
	a = tui_key_action(ctxs, tui_ask(t, title, buf, keys));
	return a == TA_YES || (default_yes && a == TA_ACCEPT);
}

/* A secret exactly as typed (no trimming: spaces may be part of it). */
static void secret_get(const struct tui_field *f, char *out, size_t size)
{
	mbstate_t st = { 0 };
	size_t o = 0;

	for (size_t i = 0; i < f->len && size; i++) {
		char mb[MB_LEN_MAX];
		size_t k = wcrtomb(mb, f->text[i], &st);

		if (k != (size_t)-1 && o + k < size) {
			memcpy(out + o, mb, k);
			o += k;
		}
		sodium_memzero(mb, sizeof(mb));
	}
	if (size)
		out[o] = '\0';
}

static bool prompt(struct tui *t, const char *title, const char *text,
		   char *out, size_t size, enum tui_field_kind kind)
{
	struct tui_form fm = { 0 };
	bool ok = false;

	if (tui_form_insert(&fm, 0, "value", "", kind, 0, 0, false) < 0)
		return false;
	tui_form_set(&fm, 0, out);
	tui_form_layout(&fm);
	for (;;) {
		int wd = dialog_width(t, text) < 60 ? 60 : dialog_width(t, text);
		int th = text_height(text, (wd > t->cols - 2 ? t->cols - 2 : wd) - 4);
		struct box b;
		int key, cy, cx;

		tui_frame(t);
		box_open(t, &b, th + 5, wd, title);
		if (b.w) {
			draw_text(&b, text, 1);
			tui_form_draw(b.w, &fm, th + 2, 2, b.wd - 4, 1, &cy, &cx);
			tui_put(b.w, b.h - 1, 2, b.wd - 4, tui_attr(TS_DIALOG),
				" Enter: OK   Esc: cancel ", false);
			wmove(b.w, cy, cx);
			wnoutrefresh(b.w);
		}
		curs_set(1);
		doupdate();
		box_close(&b);
		if (!dialog_key(t, &key))
			break;
		if (key == TUI_ESC)
			break;
		if (key == '\n' || key == '\r') {
			if (kind == TF_SECRET)
				secret_get(&fm.f[0], out, size);
			else
				tui_form_get(&fm, 0, out, size);
			ok = true;
			break;
		}
		if (key)
			tui_form_input(&fm, key);
	}
	tui_form_wipe(&fm);
	curs_set(0);
	return ok;
}

bool tui_prompt(struct tui *t, const char *title, const char *text,
		char *out, size_t size)
{
	return prompt(t, title, text, out, size, TF_TEXT);
}

bool tui_prompt_secret(struct tui *t, const char *title, const char *text,
		       char *out, size_t size)
{
	if (size)
		out[0] = '\0';
	return prompt(t, title, text, out, size, TF_SECRET);
}

/* How well item matches filter (ASCII letters without case; other bytes
 * exact): 0 its first word is the filter, 1 it starts with it, 2 it holds
 * it, 3 not at all. Typing "V" must pick V, not the IV listed first. */
static int match_rank(const char *item, const char *filter)
{
	size_t n = strlen(filter);

	if (n == 0)
		return 2;
	if (strncasecmp(item, filter, n) == 0)
		return item[n] == '\0' || item[n] == ' ' ? 0 : 1;
	for (const char *p = item; *p; p++)
		if (strncasecmp(p, filter, n) == 0)
			return 2;
	return 3;
}

/* The items matching filter into shown, best rank first (stable); the
 * position of initial among them into *sel when first. */
static size_t rank_items(const char *const *items, size_t n, const char *filter,
			 size_t *shown, int initial, bool first, size_t *sel)
{
	size_t m = 0;

	for (int rank = 0; rank < 3; rank++)
		for (size_t i = 0; i < n; i++) {
			if (match_rank(items[i], filter) != rank)
				continue;
			if (first && (int)i == initial)
				*sel = m;
			shown[m++] = i;
		}
	return m;
}

int tui_pick(struct tui *t, const char *title, const char *const *items,
	     size_t n, int initial)
{
	struct tui_list l = { 0 };
	size_t *shown = calloc(n ? n : 1, sizeof(*shown));
	char filter[128] = "";
	int result = -1;

	if (!shown)
		return -1;
	for (bool first = true;; first = false) {
		static const enum tui_ctx ctxs[] = { TC_LIST, TC_END };
		int wd = 56, h, key, maxw = 0;
		size_t m = 0;
		struct box b;

		m = rank_items(items, n, filter, shown, initial, first, &l.sel);
		for (size_t i = 0; i < m; i++)
			if (tui_text_width(items[shown[i]]) > maxw)
				maxw = tui_text_width(items[shown[i]]);
		l.n = m;
		if (maxw + 6 > wd)
			wd = maxw + 6;
		h = (int)n + 3;
		if (h > t->rows - 4)
			h = t->rows - 4;
		tui_frame(t);
		box_open(t, &b, h, wd, title);
		if (b.w) {
			tui_putf(b.w, 1, 2, b.wd - 4, tui_attr(TS_DIALOG), "Filter: %s",
				 filter[0] ? filter : "(type to filter)");
			tui_list_fit(&l, b.h - 3);
			for (int r = 0; r < b.h - 3 && l.top + (size_t)r < l.n; r++) {
				size_t row = l.top + (size_t)r;

				tui_put(b.w, 2 + r, 1, b.wd - 2,
					row == l.sel ? tui_attr(TS_SELECTED) : tui_attr(TS_DIALOG),
					items[shown[row]], true);
			}
			wnoutrefresh(b.w);
		}
		curs_set(0);
		doupdate();
		box_close(&b);
		if (!dialog_key(t, &key) || key == TUI_ESC)
			break;
		if (key == '\n' || key == '\r') {
			if (l.n)
				result = (int)shown[l.sel];
			break;
		}
		if (key == 127 || key == TUI_FN(KEY_BACKSPACE) || key == TUI_CTRL('h')) {
			size_t len = strlen(filter);

			while (len > 0 && (filter[len - 1] & 0xc0) == 0x80)
				len--;
			if (len > 0)
				filter[len - 1] = '\0';
			l.sel = 0;
		} else if (key == TUI_FN(KEY_UP) || key == TUI_FN(KEY_DOWN) ||
			   key == TUI_FN(KEY_NPAGE) || key == TUI_FN(KEY_PPAGE) ||
			   key == TUI_FN(KEY_HOME) || key == TUI_FN(KEY_END)) {
			tui_list_move(&l, tui_key_action(ctxs, key));
		} else if (tui_key_printable(key)) {
			char mb[MB_LEN_MAX + 1];
			mbstate_t st;
			size_t k;

			memset(&st, 0, sizeof(st));
			k = wcrtomb(mb, (wchar_t)key, &st);
			if (k != (size_t)-1 && strlen(filter) + k + 1 < sizeof(filter)) {
				mb[k] = '\0';
				strcat(filter, mb);
			}
			l.sel = 0;
		}
	}
	free(shown);
	return result;
}
