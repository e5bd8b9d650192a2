/* Forms: labelled one-line fields edited in place. The owner builds the
 * fields, reads and validates values, and writes inline errors and notes;
 * this file lays them out, draws them and edits them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tui.h"

int tui_form_insert(struct tui_form *fm, size_t at, const char *key,
		    const char *label, enum tui_field_kind kind, int group,
		    int width, bool same_line)
{
	struct tui_field *f;

	if (at > fm->n)
		at = fm->n;
	if (fm->n == fm->cap) {
		size_t cap = fm->cap ? fm->cap * 2 : 16;
		struct tui_field *nf = tui_zrealloc(fm->f, fm->cap * sizeof(*nf),
						    cap * sizeof(*nf));

		if (!nf)
			return -1;
		fm->f = nf;
		fm->cap = cap;
	}
	memmove(fm->f + at + 1, fm->f + at, (fm->n - at) * sizeof(*fm->f));
	fm->n++;
	f = &fm->f[at];
	memset(f, 0, sizeof(*f));
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->label, sizeof(f->label), "%s", label ? label : "");
	f->kind = kind;
	f->group = group;
	f->width = width;
	f->same_line = same_line;
	if (fm->focus >= at && fm->n > 1 && fm->focus + 1 < fm->n)
		fm->focus++;
	return (int)at;
}

int tui_form_add_defs(struct tui_form *fm, const struct tui_fdef *defs,
		      size_t n, int group)
{
	for (size_t k = 0; k < n; k++) {
		int i = tui_form_insert(fm, fm->n, defs[k].key, defs[k].label, defs[k].kind,
					group, defs[k].width, defs[k].same_line);

		if (i < 0)
			return -1;
		if (defs[k].hint)
			snprintf(fm->f[i].hint, sizeof(fm->f[i].hint), "%s", defs[k].hint);
	}
	tui_form_layout(fm);
	return 0;
}

void tui_form_remove(struct tui_form *fm, size_t at)
{
	if (at >= fm->n)
		return;
	sodium_memzero(&fm->f[at], sizeof(fm->f[at]));
	memmove(fm->f + at, fm->f + at + 1, (fm->n - at - 1) * sizeof(*fm->f));
	fm->n--;
	if (fm->focus > at || (fm->focus == at && fm->focus >= fm->n && fm->n))
		fm->focus--;
}

void tui_form_free(struct tui_form *fm)
{
	tui_zfree(fm->f, fm->cap * sizeof(*fm->f));
	memset(fm, 0, sizeof(*fm));
}

void tui_form_wipe(struct tui_form *fm)
{
	if (fm->f)
		sodium_memzero(fm->f, fm->cap * sizeof(*fm->f));
	tui_form_free(fm);
}

void tui_form_set(struct tui_form *fm, size_t i, const char *utf8)
{
	struct tui_field *f;
	mbstate_t st;
	size_t k;

	if (i >= fm->n)
		return;
	f = &fm->f[i];
	memset(&st, 0, sizeof(st));
	f->len = 0;
	while (utf8 && *utf8 && f->len + 1 < TUI_FIELD_MAX) {
		wchar_t c;

		k = mbrtowc(&c, utf8, MB_CUR_MAX, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			break;
		f->text[f->len++] = c < 32 ? L' ' : c;
		utf8 += k;
	}
	f->text[f->len] = 0;
	f->cur = f->len;
	f->scroll = 0;
	f->sel = false;
}

void tui_form_get(const struct tui_form *fm, size_t i, char *buf, size_t size)
{
	const struct tui_field *f;
	size_t start = 0, end, used = 0;

	buf[0] = '\0';
	if (i >= fm->n || size == 0)
		return;
	f = &fm->f[i];
	end = f->len;
	while (start < end && f->text[start] == L' ')
		start++;
	while (end > start && f->text[end - 1] == L' ')
		end--;
	for (size_t j = start; j < end; j++) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		size_t k;

		memset(&st, 0, sizeof(st));
		k = wcrtomb(mb, f->text[j], &st);
		if (k == (size_t)-1 || used + k + 1 > size)
			break;
		memcpy(buf + used, mb, k);
		used += k;
	}
	buf[used] = '\0';
}

size_t tui_form_secret(const struct tui_form *fm, size_t i, char *buf,
		       size_t size)
{
	const struct tui_field *f;
	size_t used = 0;

	if (size)
		buf[0] = '\0';
	if (i >= fm->n || size == 0)
		return size;
	f = &fm->f[i];
	for (size_t j = 0; j < f->len; j++) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		size_t k;

		memset(&st, 0, sizeof(st));
		k = wcrtomb(mb, f->text[j], &st);
		if (k != (size_t)-1 && used + k + 1 > size) {
			sodium_memzero(mb, sizeof(mb));
			sodium_memzero(buf, size);
			return size;
		}
		if (k != (size_t)-1) {
			memcpy(buf + used, mb, k);
			used += k;
		}
		sodium_memzero(mb, sizeof(mb));
	}
	buf[used] = '\0';
	return used;
}

int tui_form_find(const struct tui_form *fm, const char *key, size_t from)
{
	for (size_t i = from; i < fm->n; i++)
		if (strcmp(fm->f[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* Places every field: rows, label and box columns (relative to the
 * form's left edge) within fm->width (0: not known yet). A field that
 * would cross the right edge starts a row of its own, so a value is never
 * typed where it cannot be seen. */
void tui_form_layout(struct tui_form *fm)
{
	int row = -1, col = 0, lw, width = fm->width;

	fm->label_w = 0;
	for (size_t i = 0; i < fm->n; i++)
		if (!fm->f[i].same_line && tui_text_width(fm->f[i].label) > fm->label_w)
			fm->label_w = tui_text_width(fm->f[i].label);
	lw = fm->label_w < 24 ? fm->label_w : 24;
	for (size_t i = 0; i < fm->n; i++) {
		struct tui_field *f = &fm->f[i];
		int need = tui_text_width(f->label) + 1 + (f->width > 0 ? f->width : 8);

		f->label_x = -1;
		if (f->hidden) {
			f->row = -1;
			continue;
		}
		if (!f->same_line || row < 0 || (width && col + need > width)) {
			row++;
			col = lw + 2;
		}
		if (f->same_line) {
			f->label_x = col;
			col += tui_text_width(f->label) + 1;
		}
		f->row = row;
		f->col = col;
		f->bw = f->width > 0 ? f->width : width - col - 1;
		if (width && f->bw > width - col)
			f->bw = width - col;
		col += f->bw + 1;
	}
}

static int wtext_width(const wchar_t *s, size_t from, size_t to)
{
	int w = 0;

	for (size_t i = from; i < to; i++) {
		int c = wcwidth(s[i]);

		w += c < 0 ? 1 : c;
	}
	return w;
}

/* Draws a field's box; returns the cursor column when focused. */
static int draw_box(WINDOW *w, struct tui_field *f, int y, int x, int width,
		    bool focused)
{
	attr_t a = tui_attr(focused ? (f->sel ? TS_SELECTED : TS_FIELD_FOCUS) : TS_FIELD);
	int used = 0, cx = x;

	if (width < 1)
		return x;
	if (f->cur < f->scroll)
		f->scroll = f->cur;
	while (wtext_width(f->text, f->scroll, f->cur) > width - 1)
		f->scroll++;
	tui_fill(w, y, x, width, a);
	wattrset(w, a);
	wmove(w, y, x);
	for (size_t i = f->scroll; i < f->len; i++) {
		wchar_t one[2] = { f->kind == TF_SECRET ? L'•' : f->text[i], 0 };
		int cw = wcwidth(one[0]);

		if (cw < 0)
			cw = 1;
		if (used + cw > width)
			break;
		if (i == f->cur)
			cx = x + used;
		if (f->kind != TF_SECRET)
			waddnwstr(w, one, 1);
		used += cw;
	}
	if (f->cur >= f->len)
		cx = x + (used < width ? used : width - 1);
	wattrset(w, A_NORMAL);
	if (f->kind == TF_PICK && width > 2 && !focused)
		tui_put(w, y, x + width - 1, 1, tui_attr(TS_DIM), "▾", false);
	return cx;
}

/* The row's first error (else note) of the fields before i+1 on its row,
 * after its last box. */
static void draw_row_msg(WINDOW *w, struct tui_form *fm, size_t i, int y,
			 int col, int end)
{
	const char *msg = NULL;
	bool err = false;

	if (col >= end - 4)
		return;
	for (size_t j = i + 1; j-- > 0;) {
		if (fm->f[j].hidden)
			continue;
		if (fm->f[j].row != fm->f[i].row)
			break;   /* only this row's fields: never the row above's */
		if (fm->f[j].error[0]) {
			msg = fm->f[j].error;
			err = true;
		} else if (!err && fm->f[j].note[0]) {
			msg = fm->f[j].note;
		}
	}
	if (msg)
		tui_put(w, y, col, end - col, tui_attr(err ? TS_ERROR : TS_WARN), msg, false);
}

/* The next field drawn after i, or n. */
static size_t next_shown(const struct tui_form *fm, size_t i)
{
	while (++i < fm->n && fm->f[i].hidden)
		;
	return i;
}

void tui_form_draw(WINDOW *w, struct tui_form *fm, int y, int x, int width,
		   int height, int *cy, int *cx)
{
	int frow, lw;

	*cy = *cx = -1;
	if (fm->width != width) {
		fm->width = width;
		tui_form_layout(fm);
	}
	lw = fm->label_w < 24 ? fm->label_w : 24;
	frow = fm->n ? fm->f[fm->focus].row : 0;
	if (frow < fm->top)
		fm->top = frow;
	if (frow >= fm->top + height)
		fm->top = frow - height + 1;
	for (size_t i = 0; i < fm->n; i++) {
		struct tui_field *f = &fm->f[i];
		int row = f->row - fm->top, c;
		bool focused = i == fm->focus;
		size_t next = next_shown(fm, i);

		if (f->hidden || row < 0 || row >= height)
			continue;
		if (f->label_x < 0) {
			tui_put(w, y + row, x, lw, tui_attr(focused ? TS_LABEL : TS_NORMAL),
				f->label, true);
			if (f->required)
				tui_put(w, y + row, x + lw, 1, tui_attr(TS_WARN), "*", false);
		} else {
			tui_put(w, y + row, x + f->label_x, width - f->label_x,
				tui_attr(focused ? TS_LABEL : TS_DIM), f->label, false);
		}
		c = draw_box(w, f, y + row, x + f->col, f->bw, focused);
		if (focused) {
			*cy = y + row;
			*cx = c;
		}
		if (!(next < fm->n && fm->f[next].row == f->row))
			draw_row_msg(w, fm, i, y + row, x + f->col + f->bw + 1, x + width);
	}
}

void tui_form_focus(struct tui_form *fm, size_t i)
{
	if (i >= fm->n)
		return;
	fm->f[fm->focus].sel = false;
	fm->focus = i;
	fm->f[i].sel = fm->f[i].len > 0 && fm->f[i].kind != TF_SECRET;
	fm->f[i].cur = fm->f[i].len;
}

void tui_form_step(struct tui_form *fm, int dir)
{
	size_t i = fm->focus;

	if (fm->n == 0)
		return;
	for (size_t k = 0; k < fm->n; k++) {
		i = (i + fm->n + (size_t)(dir < 0 ? -1 : 1)) % fm->n;
		if (!fm->f[i].hidden)
			break;
	}
	tui_form_focus(fm, i);
}

/* Typing or deleting over a selected text replaces it. */
static void drop_selection(struct tui_field *f)
{
	if (!f->sel)
		return;
	f->sel = false;
	f->len = f->cur = f->scroll = 0;
	sodium_memzero(f->text, sizeof(f->text));   /* no copy left behind */
}

bool tui_form_input(struct tui_form *fm, int key)
{
	static const enum tui_ctx edit[] = { TC_EDIT, TC_END };
	struct tui_field *f;

	if (fm->n == 0)
		return false;
	f = &fm->f[fm->focus];
	if (tui_key_printable(key)) {
		drop_selection(f);
		if (f->len + 1 >= TUI_FIELD_MAX)
			return true;
		memmove(f->text + f->cur + 1, f->text + f->cur,
			(f->len - f->cur) * sizeof(wchar_t));
		f->text[f->cur++] = (wchar_t)key;
		f->text[++f->len] = 0;
		fm->changed = true;
		return true;
	}
	switch (tui_key_action(edit, key)) {
	case TA_BACKSPACE:
	case TA_DELETE:
		if (f->sel) {
			drop_selection(f);
			fm->changed = true;
			return true;
		}
		break;
	default:
		break;
	}
	f->sel = false;   /* moving in it keeps the text */
	switch (tui_key_action(edit, key)) {
	case TA_LEFT:
		if (f->cur > 0)
			f->cur--;
		return true;
	case TA_RIGHT:
		if (f->cur < f->len)
			f->cur++;
		return true;
	case TA_BOL:
		f->cur = 0;
		return true;
	case TA_EOL:
		f->cur = f->len;
		return true;
	case TA_BACKSPACE:
		if (f->cur == 0)
			return true;
		f->cur--;
		/* fall through */
	case TA_DELETE:
		if (f->cur < f->len) {
			memmove(f->text + f->cur, f->text + f->cur + 1,
				(f->len - f->cur) * sizeof(wchar_t));
			f->len--;
			fm->changed = true;
		}
		return true;
	case TA_KILL:
		f->len = f->cur = f->scroll = 0;
		sodium_memzero(f->text, sizeof(f->text));
		fm->changed = true;
		return true;
	default:
		return false;
	}
}
