/* A series' photographs: the timeline by view with the selected photo
 * drawn beside it, the comparison of one view (baseline and now side by
 * side, stepping through the timepoints), and importing a photo from a
 * file. Pictures are Unicode block symbols in ncurses cells (libchafa), so
 * they work over SSH and in tmux; nothing of a photo is written to a file. */
#include <stdlib.h>
#include <string.h>

#include "needlelog/image.h"
#include "needlelog/photo.h"
#include "needlelog/render.h"
#include "tui.h"

/* ---- pictures in cells ------------------------------------------------------- */

/* Colour pairs for the pictures' (fg, bg) cells, above the styles' pairs.
 * The terminal's pairs are one table for the whole screen: when it is
 * full, the cache starts again (the frame redraws every cell). */
#define PIC_PAIR_BASE 64
#define PIC_PAIRS 4000

static struct { int16_t fg, bg; } pic_pairs[PIC_PAIRS];
static int pic_npairs;

static int pic_pair(int16_t fg, int16_t bg)
{
	int limit = COLOR_PAIRS - PIC_PAIR_BASE;

	if (!tui_colors_on() || (fg < 0 && bg < 0))
		return 0;
	if (limit > PIC_PAIRS)
		limit = PIC_PAIRS;
	for (int i = 0; i < pic_npairs; i++)
		if (pic_pairs[i].fg == fg && pic_pairs[i].bg == bg)
			return PIC_PAIR_BASE + i;
	if (limit <= 0)
		return 0;
	if (pic_npairs >= limit)
		pic_npairs = 0;
	pic_pairs[pic_npairs].fg = fg;
	pic_pairs[pic_npairs].bg = bg;
	init_extended_pair(PIC_PAIR_BASE + pic_npairs, fg, bg);
	return PIC_PAIR_BASE + pic_npairs++;
}

/* A photo drawn once into cells, kept while its size stays the same. */
struct pic {
	int64_t id;
	int cols, rows;       /* the room it was made for */
	int w, h;             /* the cells it uses */
	struct render_cell *cells;
};

static void pic_free(struct pic *p)
{
	tui_zfree(p->cells, sizeof(*p->cells) * (size_t)p->w * (size_t)p->h);
	memset(p, 0, sizeof(*p));
}

static int pic_colors(void)
{
	if (!tui_colors_on())
		return 0;
	return COLORS >= 256 ? 256 : 8;
}

/* The preview of photo id into at most cols x rows cells. */
static int pic_make(struct tui *t, struct pic *p, int64_t id, int cols, int rows,
		    struct nl_err *err)
{
	struct image_pixels px;
	unsigned char *data = NULL;
	size_t len = 0;
	int rc;

	if (p->cells && p->id == id && p->cols == cols && p->rows == rows)
		return NL_OK;
	pic_free(p);
	rc = photo_read(t->store, id, PHOTO_PREVIEW, &data, &len, err);
	if (rc == NL_OK)
		rc = image_decode_fit(data, len, cols * 4, rows * 8, &px, err);
	photo_data_free(data, len);
	if (rc != NL_OK)
		return rc;
	p->w = cols;
	p->h = rows;
	render_fit(px.width, px.height, &p->w, &p->h);
	p->cells = calloc((size_t)p->w * (size_t)p->h, sizeof(*p->cells));
	rc = p->cells ? render_cells(&px, p->w, p->h, pic_colors(), p->cells, err)
		      : nl_error(err, NL_ENOMEM, "out of memory");
	image_pixels_free(&px);
	if (rc != NL_OK) {
		pic_free(p);
		return rc;
	}
	p->id = id;
	p->cols = cols;
	p->rows = rows;
	return NL_OK;
}

static void pic_draw(WINDOW *w, int y, int x, const struct pic *p)
{
	for (int r = 0; r < p->h; r++) {
		for (int c = 0; c < p->w; c++) {
			const struct render_cell *cell = &p->cells[r * p->w + c];
			wchar_t wc[2] = { (wchar_t)cell->ch, 0 };
			int pair = pic_pair(cell->fg, cell->bg);
			cchar_t cc;

			setcchar(&cc, wc, A_NORMAL, 0, &pair);
			mvwadd_wch(w, y + r, x + c, &cc);
		}
	}
}

/* ---- the timeline ---------------------------------------------------------------- */

struct photos {
	struct tui_screen base;
	struct tui_list list;
	int64_t series_id, patient_id;
	struct nl_photo *v;      /* by view (photo_views' order), then date */
	size_t n;
	struct pic pic;
};

static const enum tui_ctx photos_ctxs[] = {
	TC_PHOTOS, TC_LIST, TC_BROWSE, TC_GLOBAL, TC_END
};

static size_t view_rank(const char *view)
{
	for (size_t i = 0; i < photo_view_count; i++)
		if (strcmp(photo_views[i].code, view) == 0)
			return i;
	return photo_view_count;
}

static int by_view(const void *a, const void *b)
{
	const struct nl_photo *x = a, *y = b;
	size_t rx = view_rank(x->view), ry = view_rank(y->view);
	int c = strcmp(x->taken, y->taken);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static void photos_unload(struct tui_screen *sc)
{
	struct photos *s = (struct photos *)sc;

	photo_list_free(s->v, s->n);
	s->v = NULL;
	s->n = s->list.n = 0;
	pic_free(&s->pic);
}

static int photos_load(struct tui *t, struct tui_screen *sc)
{
	struct photos *s = (struct photos *)sc;
	struct nl_series sr;
	struct nl_err err = { 0 };

	photos_unload(sc);
	if (record_series_get(t->store, s->series_id, &sr, &err) != NL_OK) {
		tui_fail(t, "Cannot read the series", &err);
		return -1;
	}
	s->patient_id = sr.patient_id;
	record_series_free(&sr);
	if (photo_list(t->store, s->patient_id, s->series_id, NULL, &s->v, &s->n, &err) != NL_OK) {
		tui_fail(t, "Cannot read the photographs", &err);
		return -1;
	}
	qsort(s->v, s->n, sizeof(*s->v), by_view);
	s->list.n = s->n;
	snprintf(sc->title, sizeof(sc->title), "Photos");
	return 0;
}

static void photo_row(WINDOW *w, int y, int x, int width, size_t row, attr_t a, void *ctx)
{
	struct photos *s = ctx;
	const struct nl_photo *p = &s->v[row];
	bool first = row == 0 || strcmp(s->v[row - 1].view, p->view) != 0;

	tui_putf(w, y, x, width, a, " %-11s %s %-9s #%lld", first ? p->view : "", p->taken,
		 p->timepoint, (long long)p->id);
}

static void photos_draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct photos *s = (struct photos *)sc;
	struct nl_err err = { 0 };
	int rows, cols, left = 40;

	getmaxyx(w, rows, cols);
	sc->cy = sc->cx = -1;
	tui_heading(w, 0, 0, left - 1, "Timeline by view");
	tui_list_draw(w, &s->list, 1, 0, left - 1, rows - 1, true,
		      "No photographs yet: i imports one.", photo_row, s);
	if (!s->n)
		return;
	const struct nl_photo *p = &s->v[s->list.sel];

	tui_putf(w, 0, left, cols - left, tui_attr(TS_HEADER), "%s, %s, %s", p->view, p->taken,
		 p->timepoint);
	if (pic_make(t, &s->pic, p->id, cols - left, rows - 1, &err) != NL_OK)
		tui_putf(w, 2, left, cols - left, tui_attr(TS_ERROR), "%s", err.msg);
	else
		pic_draw(w, 1, left, &s->pic);
}

/* ---- importing ------------------------------------------------------------------------ */

static int import_file(struct tui *t, struct photos *s, const char *path, const char *view,
		       int64_t *id, struct nl_err *err)
{
	struct nl_photo p = { .patient_id = s->patient_id, .series_id = s->series_id,
			      .view = (char *)view, .taken_by = t->practitioner[0]
			      ? t->practitioner : NULL };
	struct image_import im = { 0 };
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = photo_check(t->store, &p, err);

	if (rc == NL_OK)
		rc = image_read_file(path, &buf, &len, err);
	if (rc == NL_OK) {
		rc = image_import(buf, len, &im, err);
		image_bytes_free(buf, len);
	}
	if (rc != NL_OK)
		return rc;
	p.taken = im.taken[0] ? im.taken : (char *)record_today(t->store);
	struct photo_bytes b = { im.image, im.image_len, im.preview, im.preview_len, im.source,
				 im.width, im.height };
	rc = photo_add(t->store, &p, &b, id, err);
	image_import_free(&im);
	return rc;
}

/* The import dialog: the file, then the view. */
static void import_dialog(struct tui *t, struct photos *s)
{
	const char *labels[32];
	char path[1024] = "";
	struct nl_err err = { 0 };
	int64_t id = 0;
	int view;

	if (!tui_prompt(t, "Import a photograph", "File (JPEG, PNG, WebP or HEIC):", path,
			sizeof(path)) || !path[0])
		return;
	for (size_t i = 0; i < photo_view_count && i < 32; i++)
		labels[i] = photo_views[i].code;
	view = tui_pick(t, "View", labels, photo_view_count, 0);
	if (view < 0)
		return;
	if (import_file(t, s, path, photo_views[view].code, &id, &err) != NL_OK) {
		char what[1200];

		snprintf(what, sizeof(what), "Not imported: %s", path);
		tui_fail(t, what, &err);
		return;
	}
	tui_msg(t, TS_OK, "Photo #%lld stored, encrypted, metadata stripped.", (long long)id);
	photos_load(t, &s->base);
}

static bool photos_action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct photos *s = (struct photos *)sc;

	switch (a) {
	case TA_COMPARE:
	case TA_OPEN:
		if (s->n)
			tui_push(t, tui_compare_new(t, s->series_id, s->v[s->list.sel].view));
		return true;
	case TA_IMPORT:
		import_dialog(t, s);
		return true;
	default:
		return false;
	}
}

static const struct tui_screen_ops photos_ops = {
	.name = "photographs",
	.ctxs = photos_ctxs,
	.private_size = sizeof(struct photos),
	.list_offset = offsetof(struct photos, list),
	.locked_title = "Photos",
	.load = photos_load,
	.unload = photos_unload,
	.draw = photos_draw,
	.action = photos_action,
};

struct tui_screen *tui_photos_new(struct tui *t, int64_t series_id)
{
	struct photos *s = tui_screen_alloc(t, &photos_ops);

	if (!s)
		return NULL;
	s->series_id = series_id;
	return tui_screen_open(t, &s->base);
}

/* ---- the comparison --------------------------------------------------------------------- */

struct compare {
	struct tui_screen base;
	int64_t series_id;
	char view[32];
	struct nl_photo *v;     /* the view's photos by date */
	size_t n;
	long ref, cur;          /* the baseline (left) and the one shown right */
	struct pic left, right;
};

static const enum tui_ctx compare_ctxs[] = { TC_COMPARE, TC_BROWSE, TC_GLOBAL, TC_END };

static void compare_unload(struct tui_screen *sc)
{
	struct compare *s = (struct compare *)sc;

	photo_list_free(s->v, s->n);
	s->v = NULL;
	s->n = 0;
	pic_free(&s->left);
	pic_free(&s->right);
}

static int compare_load(struct tui *t, struct tui_screen *sc)
{
	struct compare *s = (struct compare *)sc;
	struct nl_err err = { 0 };
	long keep = s->v ? s->cur : -1;

	compare_unload(sc);
	if (photo_series_view(t->store, s->series_id, s->view, &s->v, &s->n, &err) != NL_OK) {
		tui_fail(t, "Cannot read the photographs", &err);
		return -1;
	}
	photo_pair(s->v, s->n, &s->ref, &s->cur);
	if (keep >= 0 && keep < (long)s->n)
		s->cur = keep;
	snprintf(sc->title, sizeof(sc->title), "Compare %s", s->view);
	return 0;
}

static void compare_half(struct tui *t, WINDOW *w, struct pic *pic, const struct nl_photo *p,
			 const char *what, int x, int width, int rows)
{
	struct nl_err err = { 0 };

	tui_putf(w, 0, x, width, tui_attr(TS_HEADER), "%s: %s (%s, #%lld)", what, p->taken,
		 p->timepoint, (long long)p->id);
	if (pic_make(t, pic, p->id, width, rows - 1, &err) != NL_OK)
		tui_putf(w, 2, x, width, tui_attr(TS_ERROR), "%s", err.msg);
	else
		pic_draw(w, 1, x + (width - pic->w) / 2, pic);
}

static void compare_draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct compare *s = (struct compare *)sc;
	int rows, cols, half;
	char now[96];

	getmaxyx(w, rows, cols);
	sc->cy = sc->cx = -1;
	half = (cols - 1) / 2;
	if (s->n == 0) {
		tui_put(w, 1, 1, cols - 2, tui_attr(TS_DIM), "No photographs of this view.", false);
		return;
	}
	snprintf(now, sizeof(now), "%s %ld of %zu", s->cur == (long)s->n - 1 ? "now," : "then,",
		 s->cur + 1, s->n);
	compare_half(t, w, &s->left, &s->v[s->ref], "baseline", 0, half, rows);
	compare_half(t, w, &s->right, &s->v[s->cur], now, half + 1, cols - half - 1, rows);
}

static bool compare_action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct compare *s = (struct compare *)sc;

	(void)t;
	if (a == TA_EARLIER && s->cur > 0)
		s->cur--;
	else if (a == TA_LATER && s->cur + 1 < (long)s->n)
		s->cur++;
	else
		return a == TA_EARLIER || a == TA_LATER;
	return true;
}

static const struct tui_screen_ops compare_ops = {
	.name = "comparison",
	.ctxs = compare_ctxs,
	.private_size = sizeof(struct compare),
	.locked_title = "Compare",
	.load = compare_load,
	.unload = compare_unload,
	.draw = compare_draw,
	.action = compare_action,
};

struct tui_screen *tui_compare_new(struct tui *t, int64_t series_id, const char *view)
{
	struct compare *s = tui_screen_alloc(t, &compare_ops);

	if (!s)
		return NULL;
	s->series_id = series_id;
	snprintf(s->view, sizeof(s->view), "%s", view);
	return tui_screen_open(t, &s->base);
}
