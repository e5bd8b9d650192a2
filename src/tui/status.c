/* The title bar (where you are) and the two bottom lines: the status line
 * (the record file and the last message) and the key hints, generated from
 * the keymap for the screen on top. */
#include <stdio.h>
#include <string.h>

#include "tui.h"

static int breadcrumb(const struct tui_screen *sc, char *buf, size_t size)
{
	int n = 0;

	if (!sc)
		return 0;
	if (sc->below)
		n = breadcrumb(sc->below, buf, size);
	if ((size_t)n < size && sc->title[0])
		n += snprintf(buf + n, size - (size_t)n, "%s%s", n ? " › " : "",
			      sc->title);
	return n;
}

void tui_title_draw(struct tui *t)
{
	char crumbs[512] = "";
	const char *right = t->store ? "" : t->top && t->top->ops->closed_mark
			    ? t->top->ops->closed_mark : "locked";
	int rw = tui_text_width(right);

	werase(t->title);
	tui_fill(t->title, 0, 0, t->cols, tui_attr(TS_TITLE));
	/* while locked, nothing of the records: not even a name in the path */
	if (t->store)
		breadcrumb(t->top, crumbs, sizeof(crumbs));
	else if (t->top)
		snprintf(crumbs, sizeof(crumbs), "%s", t->top->title);
	tui_putf(t->title, 0, 0, t->cols - rw - 2, tui_attr(TS_TITLE),
		 " needlelog  %s", crumbs);
	if (rw)
		tui_put(t->title, 0, t->cols - rw - 1, rw, tui_attr(TS_TITLE), right, false);
	wnoutrefresh(t->title);
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "";
}

/* The hints of the top screen's contexts, each action and key once. */
static size_t collect_hints(const enum tui_ctx *ctxs, const struct tui_binding **out,
			    size_t max)
{
	size_t n = 0;

	for (; ctxs && *ctxs != TC_END; ctxs++) {
		for (size_t i = 0; i < tui_keymap_count && n < max; i++) {
			const struct tui_binding *b = &tui_keymap[i];
			bool dup = false;

			if (b->ctx != *ctxs || !b->hint)
				continue;
			for (size_t j = 0; j < n; j++)
				dup |= out[j]->action == b->action || out[j]->key == b->key;
			if (!dup)
				out[n++] = b;
		}
	}
	return n;
}

static int hint_width(const struct tui_binding *b)
{
	char name[32];

	tui_key_name(b->key, name, sizeof(name));
	return tui_text_width(name) + 1 + tui_text_width(b->hint) + 2;
}

/* As many hints as fit; when some do not, the line ends with a marker
 * saying where the rest are (the help screen lists every key). */
#define MORE_MARK "… ? all keys"

static void draw_hints(struct tui *t, int y)
{
	const struct tui_binding *hints[64];
	size_t n = collect_hints(t->top ? t->top->ctxs : NULL, hints, 64);
	int total = 1, room = t->cols - 1, x = 1;
	bool more;

	for (size_t i = 0; i < n; i++)
		total += hint_width(hints[i]);
	more = total > room;
	if (more)
		room -= tui_text_width(MORE_MARK);
	for (size_t i = 0; i < n; i++) {
		char name[32];

		if (x + hint_width(hints[i]) - 2 > room)
			break;
		tui_key_name(hints[i]->key, name, sizeof(name));
		x += tui_put(t->status, y, x, t->cols - x, tui_attr(TS_HINT_KEY), name, false);
		x += tui_putf(t->status, y, x, t->cols - x, tui_attr(TS_HINT), " %s  ",
			      hints[i]->hint);
	}
	if (more)
		tui_put(t->status, y, t->cols - 1 - tui_text_width(MORE_MARK),
			tui_text_width(MORE_MARK), tui_attr(TS_DIM), MORE_MARK, false);
}

void tui_status_draw(struct tui *t)
{
	const char *file = base_name(t->path);
	int x;

	werase(t->status);
	tui_fill(t->status, 0, 0, t->cols, tui_attr(TS_STATUS));
	x = tui_putf(t->status, 0, 0, t->cols / 3, tui_attr(TS_STATUS), " %s ", file);
	x += tui_put(t->status, 0, x, 2, tui_attr(TS_STATUS), "│ ", false);
	if (t->store && t->unsigned_old) {
		x += tui_putf(t->status, 0, x, t->cols - x, tui_attr(TS_MSG_WARN),
			      "%zu unsigned (U)", t->unsigned_old);
		x += tui_put(t->status, 0, x, 3, tui_attr(TS_STATUS), " │ ", false);
	}
	if (t->msg[0] && tui_text_width(t->msg) > t->cols - x) {
		/* a message is never cut: it takes the whole status line, and
		 * the hint line too when it needs it (until the next key) */
		int rows = tui_put_wrap(NULL, 0, 0, t->cols - 2, 2, 0, 0, t->msg);

		tui_fill(t->status, 0, 0, t->cols, tui_attr(TS_STATUS));
		tui_put_wrap(t->status, 0, 1, t->cols - 2, 2, 2, tui_attr(tui_msg_style(t->msg_style)),
			     t->msg);
		if (rows < 2)
			draw_hints(t, 1);
		wnoutrefresh(t->status);
		return;
	}
	if (t->msg[0]) {
		tui_put(t->status, 0, x, t->cols - x, tui_attr(tui_msg_style(t->msg_style)),
			t->msg, true);
	} else {
		char remind[128];

		tui_backup_reminder(t, remind, sizeof(remind));
		if (remind[0])
			tui_put(t->status, 0, x, t->cols - x, tui_attr(TS_MSG_WARN), remind, true);
	}
	draw_hints(t, 1);
	wnoutrefresh(t->status);
}
