/* Pictures as terminal text through libchafa. */
#include <stdlib.h>
#include <string.h>

#include <chafa.h>

#include "needlelog/render.h"

extern char **environ;

static const char *const mode_names[] = {
	[RENDER_AUTO] = "auto",
	[RENDER_SYMBOLS] = "symbols",
	[RENDER_SIXEL] = "sixel",
	[RENDER_KITTY] = "kitty",
};

/* Cells are about twice as tall as wide; pixels per cell for graphics. */
#define CELL_W 10
#define CELL_H 20

int render_mode_parse(const char *field, const char *s, enum render_mode *m,
		      struct nl_err *err)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(*mode_names); i++) {
		if (s && strcmp(s, mode_names[i]) == 0) {
			*m = (enum render_mode)i;
			return NL_OK;
		}
	}
	return nl_error(err, NL_EUSAGE, "%s: '%.40s' is not a graphics mode: use auto, "
			"symbols, sixel or kitty", field, s ? s : "");
}

const char *render_mode_name(enum render_mode m)
{
	return (size_t)m < sizeof(mode_names) / sizeof(*mode_names) ? mode_names[m] : "?";
}

/* What chafa's terminal table says this terminal does. */
static enum render_mode detect(void)
{
	ChafaTermInfo *ti = chafa_term_db_detect(chafa_term_db_get_default(), environ);
	enum render_mode m = RENDER_SYMBOLS;

	if (!ti)
		return m;
	if (chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_BEGIN_KITTY_IMMEDIATE_IMAGE_V1))
		m = RENDER_KITTY;
	else if (chafa_term_info_have_seq(ti, CHAFA_TERM_SEQ_BEGIN_SIXELS))
		m = RENDER_SIXEL;
	chafa_term_info_unref(ti);
	/* tmux passes neither through to the terminal outside it. */
	if (getenv("TMUX") && *getenv("TMUX"))
		m = RENDER_SYMBOLS;
	return m;
}

int render_mode_resolve(const char *given, enum render_mode *m, struct nl_err *err)
{
	const char *env = getenv("NEEDLELOG_GRAPHICS");
	int rc;

	*m = RENDER_AUTO;
	if (given)
		rc = render_mode_parse("--graphics", given, m, err);
	else if (env && *env)
		rc = render_mode_parse("NEEDLELOG_GRAPHICS", env, m, err);
	else
		rc = NL_OK;
	if (rc == NL_OK && *m == RENDER_AUTO)
		*m = detect();
	return rc;
}

void render_fit(int w, int h, int *cols, int *rows)
{
	gint c = *cols, r = *rows;

	if (w < 1 || h < 1 || c < 1 || r < 1)
		return;
	chafa_calc_canvas_geometry(w, h, &c, &r, 0.5f, TRUE, FALSE);
	*cols = c < 1 ? 1 : c;
	*rows = r < 1 ? 1 : r;
}

static ChafaCanvasMode canvas_mode(int colors)
{
	if (colors >= 16777216)
		return CHAFA_CANVAS_MODE_TRUECOLOR;
	if (colors >= 256)
		return CHAFA_CANVAS_MODE_INDEXED_240;
	if (colors >= 8)
		return CHAFA_CANVAS_MODE_INDEXED_8;
	return CHAFA_CANVAS_MODE_FGBG;
}

static ChafaCanvas *make_canvas(const struct image_pixels *px, int cols, int rows,
				enum render_mode m, int colors)
{
	static const ChafaPixelMode pixel_modes[] = {
		[RENDER_AUTO] = CHAFA_PIXEL_MODE_SYMBOLS,
		[RENDER_SYMBOLS] = CHAFA_PIXEL_MODE_SYMBOLS,
		[RENDER_SIXEL] = CHAFA_PIXEL_MODE_SIXELS,
		[RENDER_KITTY] = CHAFA_PIXEL_MODE_KITTY,
	};
	ChafaCanvasConfig *cfg = chafa_canvas_config_new();
	ChafaSymbolMap *map = chafa_symbol_map_new();
	ChafaCanvas *cv;

	chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_BLOCK | CHAFA_SYMBOL_TAG_SPACE);
	chafa_canvas_config_set_symbol_map(cfg, map);
	chafa_canvas_config_set_geometry(cfg, cols, rows);
	chafa_canvas_config_set_cell_geometry(cfg, CELL_W, CELL_H);
	chafa_canvas_config_set_pixel_mode(cfg, pixel_modes[m]);
	chafa_canvas_config_set_canvas_mode(cfg, m == RENDER_SYMBOLS || m == RENDER_AUTO
						 ? canvas_mode(colors) : CHAFA_CANVAS_MODE_TRUECOLOR);
	cv = chafa_canvas_new(cfg);
	chafa_canvas_config_unref(cfg);
	chafa_symbol_map_unref(map);
	if (cv)
		chafa_canvas_draw_all_pixels(cv, CHAFA_PIXEL_RGB8, px->rgb, px->width, px->height,
					     px->width * 3);
	return cv;
}

int render_print(const struct image_pixels *px, int cols, int rows, enum render_mode m,
		 int colors, char **out, size_t *len, struct nl_err *err)
{
	ChafaTermDb *db = chafa_term_db_get_default();
	ChafaTermInfo *ti = chafa_term_db_detect(db, environ);
	ChafaTermInfo *fb = chafa_term_db_get_fallback_info(db);
	ChafaCanvas *cv = make_canvas(px, cols, rows, m, colors);
	GString *gs = NULL;

	*out = NULL;
	*len = 0;
	if (ti && fb)
		chafa_term_info_supplement(ti, fb);
	if (cv && ti)
		gs = chafa_canvas_print(cv, ti);
	if (gs) {
		*out = malloc(gs->len + 2);
		if (*out) {
			memcpy(*out, gs->str, gs->len);
			*len = gs->len;
			if (*len == 0 || (*out)[*len - 1] != '\n')
				(*out)[(*len)++] = '\n';
			(*out)[*len] = '\0';
		}
		g_string_free(gs, TRUE);
	}
	if (cv)
		chafa_canvas_unref(cv);
	if (ti)
		chafa_term_info_unref(ti);
	if (fb)
		chafa_term_info_unref(fb);
	return *out ? NL_OK : nl_error(err, NL_ENOMEM, "drawing the picture: out of memory");
}

int render_cells(const struct image_pixels *px, int cols, int rows, int colors,
		 struct render_cell *cells, struct nl_err *err)
{
	ChafaCanvas *cv = make_canvas(px, cols, rows, RENDER_SYMBOLS, colors >= 256 ? 256 : colors);

	if (!cv)
		return nl_error(err, NL_ENOMEM, "drawing the picture: out of memory");
	for (int y = 0; y < rows; y++) {
		for (int x = 0; x < cols; x++) {
			struct render_cell *c = &cells[y * cols + x];
			gint fg = -1, bg = -1;

			c->ch = chafa_canvas_get_char_at(cv, x, y);
			if (colors >= 8)
				chafa_canvas_get_raw_colors_at(cv, x, y, &fg, &bg);
			c->fg = (int16_t)(fg < 0 ? -1 : fg);
			c->bg = (int16_t)(bg < 0 ? -1 : bg);
		}
	}
	chafa_canvas_unref(cv);
	return NL_OK;
}
