/* The follow-up summary as PDF, drawn with cairo and laid out with pango
 * (UTF-8 text, real fonts, selectable and extractable text): a header with
 * the patient and practice; per series the plan, a table of sessions that
 * continues across pages with its header repeated, a chart per outcome
 * scale and one of the depth per area, and the next due date. A4 portrait,
 * in points. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "needlelog/vocab.h"
#include "model.h"

#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN 42.0
#define BODY_W (PAGE_W - 2 * MARGIN)
#define TOP MARGIN
#define BOTTOM (PAGE_H - MARGIN - 18) /* room for the footer */
#define FONT "DejaVu Sans"
#define CELL_PAD 3.0
#define CELL_MAX_H 260.0 /* a longer cell is cut with an ellipsis */
#define CHART_H 150.0

struct pdf {
	const struct xm *m;
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *layout;
	double y;
	int page;
};

static const double palette[][3] = {
	{ 0.12, 0.38, 0.70 }, { 0.85, 0.37, 0.01 }, { 0.16, 0.60, 0.24 },
	{ 0.75, 0.13, 0.18 }, { 0.50, 0.30, 0.65 }, { 0.55, 0.34, 0.29 },
	{ 0.89, 0.47, 0.76 }, { 0.40, 0.40, 0.40 }, { 0.74, 0.74, 0.13 },
	{ 0.09, 0.75, 0.81 },
};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

/* ---- text ---------------------------------------------------------------- */

/* Sets layout up for text in width (max_h > 0: cut there with an
 * ellipsis); returns its height. */
static double lay_out(PangoLayout *layout, const char *text, double width,
		      double size, bool bold, double max_h)
{
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	int w, h;

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD
					      : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(layout, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_ellipsize(layout, max_h > 0 ? PANGO_ELLIPSIZE_END
						     : PANGO_ELLIPSIZE_NONE);
	pango_layout_set_height(layout, max_h > 0 ? (int)(max_h * PANGO_SCALE) : -1);
	pango_layout_set_text(layout, text ? text : "", -1);
	pango_layout_get_size(layout, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Lays text out (see lay_out) and returns its height; draws it at (x, y)
 * when draw. */
static double text_at(struct pdf *p, const char *text, double x, double y,
		      double width, double size, bool bold, double max_h,
		      bool draw)
{
	double h = lay_out(p->layout, text, width, size, bold, max_h);

	if (draw) {
		cairo_move_to(p->cr, x, y);
		pango_cairo_show_layout(p->cr, p->layout);
		cairo_new_path(p->cr); /* or the next shape starts from here */
	}
	return h;
}

static void footer(struct pdf *p)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s · follow-up summary · confidential health data · page %d",
		 p->m->patient.name, p->page);
	cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
	text_at(p, buf, MARGIN, PAGE_H - MARGIN, BODY_W, 7, false, 0, true);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void new_page(struct pdf *p)
{
	if (p->page)
		cairo_show_page(p->cr);
	p->page++;
	p->y = TOP;
	footer(p);
}

/* Makes room for h points, starting a new page when they do not fit. */
static bool ensure(struct pdf *p, double h)
{
	if (p->y + h <= BOTTOM)
		return false;
	new_page(p);
	return true;
}

/* A paragraph over the full width, broken across pages line by line. It
 * has its own layout: a page break draws the footer with p->layout. */
static void paragraph(struct pdf *p, const char *text, double size, bool bold,
		      double indent)
{
	PangoLayout *layout = pango_cairo_create_layout(p->cr);
	PangoLayoutIter *it;

	lay_out(layout, text, BODY_W - indent, size, bold, 0);
	it = pango_layout_get_iter(layout);
	do {
		PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
		PangoRectangle logical;
		double h, baseline;

		pango_layout_iter_get_line_extents(it, NULL, &logical);
		h = (double)logical.height / PANGO_SCALE;
		baseline = (double)(pango_layout_iter_get_baseline(it) - logical.y) /
			   PANGO_SCALE;
		ensure(p, h);
		cairo_move_to(p->cr, MARGIN + indent + (double)logical.x / PANGO_SCALE,
			      p->y + baseline);
		pango_cairo_show_layout_line(p->cr, line);
		cairo_new_path(p->cr);
		p->y += h;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	g_object_unref(layout);
}

static void labelled(struct pdf *p, const char *label, const char *value)
{
	size_t n;
	char *buf;

	if (!value || !*value)
		return;
	n = strlen(label) + strlen(value) + 3;
	buf = malloc(n);
	if (!buf)
		return;
	snprintf(buf, n, "%s: %s", label, value);
	paragraph(p, buf, 9, false, 0);
	free(buf);
}

static void gap(struct pdf *p, double h)
{
	p->y += h;
}

static void rule(struct pdf *p)
{
	cairo_set_line_width(p->cr, 0.6);
	cairo_move_to(p->cr, MARGIN, p->y);
	cairo_line_to(p->cr, MARGIN + BODY_W, p->y);
	cairo_stroke(p->cr);
}

/* ---- header -------------------------------------------------------------- */

static void header(struct pdf *p)
{
	const struct nl_patient *pt = &p->m->patient;
	char buf[1024];

	if (p->m->practice) {
		cairo_set_source_rgb(p->cr, 0.2, 0.2, 0.45);
		paragraph(p, p->m->practice, 11, true, 0);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	}
	paragraph(p, "Follow-up summary", 17, true, 0);
	if (p->m->recipient) {
		snprintf(buf, sizeof(buf), "For %s", p->m->recipient);
		paragraph(p, buf, 10, false, 0);
	}
	gap(p, 2);
	paragraph(p, pt->name, 14, true, 0);
	snprintf(buf, sizeof(buf), "Patient #%lld%s%s%s%s%s", (long long)pt->id,
		 pt->dob ? " · born " : "", pt->dob ? pt->dob : "",
		 pt->skin_type ? " · Fitzpatrick " : "",
		 vocab_fitzpatrick_label(pt->skin_type), pt->archived ? " · archived" : "");
	paragraph(p, buf, 9, false, 0);
	labelled(p, "Phone", pt->phone);
	labelled(p, "Email", pt->email);
	labelled(p, "Consent on file", pt->consent_date ? pt->consent_date : "none");
	for (size_t i = 0; i < pt->nflags; i++) {
		const struct vocab_flag *f = vocab_flag_find(pt->flags[i].code);

		snprintf(buf, sizeof(buf), "%s%s%s%s%s%s%s", f ? f->label : pt->flags[i].code,
			 pt->flags[i].date ? " (" : "",
			 pt->flags[i].date ? pt->flags[i].date : "",
			 pt->flags[i].end_date ? " to " : "",
			 pt->flags[i].end_date ? pt->flags[i].end_date : "",
			 pt->flags[i].date ? ")" : "", pt->flags[i].note ? ": " : "");
		if (pt->flags[i].note) {
			char full[VOCAB_TEXT_MAX + 1024];

			snprintf(full, sizeof(full), "%s%s", buf, pt->flags[i].note);
			labelled(p, "Contraindication", full);
		} else {
			labelled(p, "Contraindication", buf);
		}
	}
	labelled(p, "Allergies", pt->allergies);
	labelled(p, "Medications", pt->medications);
	snprintf(buf, sizeof(buf), "Generated %s", p->m->generated_at);
	cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
	paragraph(p, buf, 8, false, 0);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	gap(p, 4);
	rule(p);
	gap(p, 6);
}

/* ---- the session table ------------------------------------------------------ */

static const struct {
	const char *title;
	double width;
} cols[] = {
	{ "#", 20 }, { "Date", 56 }, { "Areas, depth", 104 }, { "Device", 62 },
	{ "Products", 62 }, { "Pain", 28 }, { "Reactions, adverse events", 90 },
	{ "Status", 89.276 },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* Draws (or measures) a row; returns its height. */
static double row(struct pdf *p, char *const *cells, bool bold, bool draw)
{
	double x = MARGIN, h = 0;

	for (size_t i = 0; i < NCOLS; i++) {
		double ch = text_at(p, cells[i], x + CELL_PAD, p->y + CELL_PAD,
				    cols[i].width - 2 * CELL_PAD, 7.5, bold, CELL_MAX_H, draw);

		if (ch > h)
			h = ch;
		x += cols[i].width;
	}
	h += 2 * CELL_PAD;
	if (draw) {
		cairo_set_line_width(p->cr, 0.3);
		cairo_set_source_rgb(p->cr, 0.6, 0.6, 0.6);
		cairo_move_to(p->cr, MARGIN, p->y + h);
		cairo_line_to(p->cr, MARGIN + BODY_W, p->y + h);
		cairo_stroke(p->cr);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	}
	return h;
}

static void table_header(struct pdf *p)
{
	char *titles[NCOLS];
	double h;

	for (size_t i = 0; i < NCOLS; i++)
		titles[i] = (char *)cols[i].title;
	h = row(p, titles, true, false);
	cairo_set_source_rgb(p->cr, 0.90, 0.92, 0.96);
	cairo_rectangle(p->cr, MARGIN, p->y, BODY_W, h);
	cairo_fill(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	p->y += row(p, titles, true, true);
}

static void session_cells(const struct xm_series *xs,
			  const struct nl_session_view *v, char **cells)
{
	const struct nl_session *e = &v->effective;
	int num = xm_session_number(xs, e->id);
	char buf[2048];
	size_t len;

	snprintf(buf, sizeof(buf), num ? "%d" : "–", num);
	cells[0] = strdup(buf);
	cells[1] = strdup(e->date);
	cells[2] = xm_areas_text(e);
	cells[3] = strdup(e->device ? e->device : "");
	cells[4] = xm_join(e->products, e->nproducts, "; ");
	if (e->pain >= 0)
		snprintf(buf, sizeof(buf), "%d/10", e->pain);
	else
		buf[0] = '\0';
	cells[5] = strdup(buf);
	{
		size_t n = (e->reaction ? strlen(e->reaction) : 0) +
			   (e->adverse ? strlen(e->adverse) : 0) + 32;
		char *t = malloc(n);

		if (t)
			snprintf(t, n, "%s%s%s%s", e->reaction ? e->reaction : "",
				 e->reaction && e->adverse ? "\n" : "",
				 e->adverse ? "Adverse: " : "", e->adverse ? e->adverse : "");
		cells[6] = t;
	}
	if (e->voided)
		len = (size_t)snprintf(buf, sizeof(buf), "VOIDED: %s",
				       e->void_reason ? e->void_reason : "");
	else if (e->is_signed)
		len = (size_t)snprintf(buf, sizeof(buf), "Signed %.10s by %s",
				       e->signed_at ? e->signed_at : "",
				       e->signed_by ? e->signed_by : "?");
	else
		len = (size_t)snprintf(buf, sizeof(buf), "Not signed");
	if (v->namendments && len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "\nAmended %zu×, latest %.10s: %s",
			 v->namendments, v->amendments[v->namendments - 1].at,
			 v->amendments[v->namendments - 1].reason);
	cells[7] = strdup(buf);
}

static void session_table(struct pdf *p, const struct xm_series *xs)
{
	if (!xs->nsessions) {
		paragraph(p, "No sessions yet.", 9, false, 0);
		return;
	}
	ensure(p, 60);
	table_header(p);
	for (size_t i = 0; i < xs->nsessions; i++) {
		char *cells[NCOLS] = { 0 };
		double h;

		session_cells(xs, &xs->sessions[i], cells);
		h = row(p, cells, false, false);
		if (ensure(p, h))
			table_header(p);
		if (xs->sessions[i].effective.voided)
			cairo_set_source_rgb(p->cr, 0.5, 0.5, 0.5);
		p->y += row(p, cells, false, true);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		for (size_t c = 0; c < NCOLS; c++)
			free(cells[c]);
	}
}

/* Notes, warnings and amendments in full, after the table. */
static void session_details(struct pdf *p, const struct xm_series *xs)
{
	bool any = false;

	for (size_t i = 0; i < xs->nsessions; i++) {
		const struct nl_session_view *v = &xs->sessions[i];
		const struct nl_session *e = &v->effective;
		char buf[512], status[1024];
		int num = xm_session_number(xs, e->id);

		if (!e->notes && !e->nwarnings && !v->namendments && !e->aftercare &&
		    !e->adverse && !e->reaction && !e->practitioner && !e->anesthetic)
			continue;
		if (!any) {
			gap(p, 6);
			ensure(p, 30);
			paragraph(p, "Session details", 11, true, 0);
			any = true;
		}
		gap(p, 3);
		if (num)
			snprintf(buf, sizeof(buf), "Session %d, %s", num, e->date);
		else
			snprintf(buf, sizeof(buf), "Voided session #%lld, %s",
				 (long long)e->id, e->date);
		ensure(p, 24);
		paragraph(p, buf, 9, true, 0);
		labelled(p, "Record", xm_session_status(v, status, sizeof(status)));
		labelled(p, "Practitioner", e->practitioner);
		labelled(p, "Cartridge", e->cartridge);
		if (e->anesthetic) {
			snprintf(buf, sizeof(buf), e->anesthetic_minutes >= 0 ? "%s (%d min)" : "%s",
				 e->anesthetic, e->anesthetic_minutes);
			labelled(p, "Anaesthetic", buf);
		}
		labelled(p, "Endpoint", e->endpoint ? xm_endpoint_label(e->endpoint) : NULL);
		labelled(p, "Immediate reaction", e->reaction);
		labelled(p, "Adverse events", e->adverse);
		labelled(p, "Aftercare", e->aftercare);
		for (size_t w = 0; w < e->nwarnings; w++)
			labelled(p, "Warning", e->warnings[w].message);
		labelled(p, "Notes", e->notes);
		for (size_t a = 0; a < v->namendments; a++) {
			const struct nl_amendment *am = &v->amendments[a];

			snprintf(status, sizeof(status), "%s by %s: %s", am->at,
				 am->practitioner ? am->practitioner : "?", am->reason);
			labelled(p, "Amendment", status);
		}
	}
}

/* ---- charts -------------------------------------------------------------- */

struct chart {
	double x, y, w, h;      /* the plot area */
	double lo, hi;          /* value range */
	size_t n;               /* sessions on the x axis */
};

static double cx(const struct chart *c, size_t i)
{
	return c->n <= 1 ? c->x + c->w / 2 : c->x + c->w * (double)i / (double)(c->n - 1);
}

static double cy(const struct chart *c, double v)
{
	return c->y + c->h - (v - c->lo) / (c->hi - c->lo) * c->h;
}

/* Title, frame, y ticks (labels from the scale when given) and the session
 * numbers along x. */
static void chart_frame(struct pdf *p, struct chart *c, const char *title,
			const struct vocab_scale *sc, const struct nl_progress *pr)
{
	char buf[64];
	size_t ticks = 5;

	ensure(p, CHART_H + 30);
	paragraph(p, title, 9, true, 0);
	c->x = MARGIN + 46;
	c->y = p->y + 6;
	c->w = BODY_W - 46 - 110;
	c->h = CHART_H - 40;
	cairo_set_line_width(p->cr, 0.5);
	cairo_set_source_rgb(p->cr, 0.4, 0.4, 0.4);
	cairo_rectangle(p->cr, c->x, c->y, c->w, c->h);
	cairo_stroke(p->cr);
	if (sc && sc->kind == VOCAB_SCALE_ORDINAL)
		ticks = sc->nlevels > 1 ? sc->nlevels - 1 : 1;
	else if (sc && sc->integer && c->hi - c->lo <= 14)
		ticks = (size_t)(c->hi - c->lo);
	else if (sc && sc->integer)
		/* Whole-number ticks where the range allows: 0-84 by 14, 0-500 by 100. */
		for (size_t t = 6; t >= 3; t--)
			if (fmod(c->hi - c->lo, (double)t) == 0) {
				ticks = t;
				break;
			}
	for (size_t t = 0; t <= ticks; t++) {
		double v = c->lo + (c->hi - c->lo) * (double)t / (double)ticks;

		if (sc)
			vocab_scale_format(sc, v, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%.2g", v);
		if (sc && sc->kind == VOCAB_SCALE_ORDINAL && ticks > 8 && t % 2)
			continue;
		cairo_set_source_rgb(p->cr, 0.88, 0.88, 0.88);
		cairo_move_to(p->cr, c->x, cy(c, v));
		cairo_line_to(p->cr, c->x + c->w, cy(c, v));
		cairo_stroke(p->cr);
		cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
		text_at(p, buf, MARGIN, cy(c, v) - 4.5, 42, 6.5, false, 0, true);
	}
	for (size_t i = 0; i < c->n; i++) {
		snprintf(buf, sizeof(buf), "#%d", pr->sessions[i].number);
		text_at(p, buf, cx(c, i) - 8, c->y + c->h + 3, 30, 6.5, false, 0, true);
	}
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void dot(struct pdf *p, double x, double y)
{
	cairo_new_path(p->cr);
	cairo_arc(p->cr, x, y, 2.2, 0, 2 * M_PI);
	cairo_fill(p->cr);
}

static void scale_chart(struct pdf *p, const struct nl_progress *pr,
			const struct progress_scale *ps)
{
	const struct vocab_scale *sc = ps->scale;
	struct chart c = { .lo = sc->min, .hi = sc->max, .n = pr->nsessions };
	const char *dir = sc->direction == VOCAB_DIR_LOWER ? "lower is better"
			  : sc->direction == VOCAB_DIR_HIGHER ? "higher is better" : "";
	char title[512], v[64];

	if (c.hi <= c.lo)
		c.hi = c.lo + 1;
	snprintf(title, sizeof(title), "%s%s%s%s", sc->label, *dir ? " (" : "", dir,
		 *dir ? ")" : "");
	chart_frame(p, &c, title, sc, pr);
	if (ps->has_baseline) {
		const double dash[] = { 3, 2 };

		cairo_set_source_rgb(p->cr, 0.5, 0.5, 0.5);
		cairo_set_dash(p->cr, dash, 2, 0);
		cairo_move_to(p->cr, c.x, cy(&c, ps->baseline));
		cairo_line_to(p->cr, c.x + c.w, cy(&c, ps->baseline));
		cairo_stroke(p->cr);
		cairo_set_dash(p->cr, NULL, 0, 0);
		vocab_scale_format(sc, ps->baseline, v, sizeof(v));
		snprintf(title, sizeof(title), "baseline %s", v);
		text_at(p, title, c.x + c.w + 6, cy(&c, ps->baseline) - 5, 100, 7, false, 0,
			true);
	}
	cairo_set_source_rgb(p->cr, palette[0][0], palette[0][1], palette[0][2]);
	cairo_set_line_width(p->cr, 1.4);
	for (size_t i = 0; i < ps->npoints; i++) {
		double x = cx(&c, ps->points[i].session), y = cy(&c, ps->points[i].value);

		if (i == 0)
			cairo_move_to(p->cr, x, y);
		else
			cairo_line_to(p->cr, x, y);
	}
	cairo_stroke(p->cr);
	for (size_t i = 0; i < ps->npoints; i++) {
		double x = cx(&c, ps->points[i].session), y = cy(&c, ps->points[i].value);

		dot(p, x, y);
		vocab_scale_format(sc, ps->points[i].value, v, sizeof(v));
		text_at(p, v, x + 3, y - 11, 40, 6.5, false, 0, true);
	}
	if (ps->npoints) {
		vocab_scale_format(sc, ps->latest, v, sizeof(v));
		snprintf(title, sizeof(title), "latest %s: %s; trend %s", v,
			 progress_change_name(ps->verdict), progress_trend_name(ps->trend));
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		text_at(p, title, c.x + c.w + 6, c.y + c.h - 20, 100, 7, false, 0, true);
	}
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	p->y = c.y + c.h + 16;
}

static void depth_chart(struct pdf *p, const struct nl_progress *pr)
{
	struct chart c = { .lo = 0, .hi = 1.0, .n = pr->nsessions };

	if (!pr->nareas || !pr->nsessions)
		return;
	for (size_t i = 0; i < pr->nsessions * pr->nareas; i++)
		if (pr->depth_mm[i] > c.hi)
			c.hi = ceil(pr->depth_mm[i] * 2) / 2;
	chart_frame(p, &c, "Depth per area (mm)", NULL, pr);
	for (size_t j = 0; j < pr->nareas; j++) {
		const double *col = palette[j % NPALETTE];
		char label[256];
		bool down = false;

		cairo_set_source_rgb(p->cr, col[0], col[1], col[2]);
		cairo_set_line_width(p->cr, 1.2);
		for (size_t i = 0; i < pr->nsessions; i++) {
			double d = pr->depth_mm[i * pr->nareas + j];

			if (d < 0) {
				down = false;
				continue;
			}
			if (down)
				cairo_line_to(p->cr, cx(&c, i), cy(&c, d));
			else
				cairo_move_to(p->cr, cx(&c, i), cy(&c, d));
			down = true;
		}
		cairo_stroke(p->cr);
		for (size_t i = 0; i < pr->nsessions; i++) {
			double d = pr->depth_mm[i * pr->nareas + j];

			if (d >= 0)
				dot(p, cx(&c, i), cy(&c, d));
		}
		/* The legend, right of the plot. */
		if (c.y + (double)j * 10 < c.y + c.h) {
			cairo_rectangle(p->cr, c.x + c.w + 6, c.y + (double)j * 10 + 2, 6, 6);
			cairo_fill(p->cr);
			xm_progress_area_label(pr->areas[j], label, sizeof(label));
			cairo_set_source_rgb(p->cr, 0, 0, 0);
			text_at(p, label, c.x + c.w + 15, c.y + (double)j * 10, 95, 6.5, false,
				9, true);
		}
	}
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	p->y = c.y + c.h + 16;
}

/* ---- series ----------------------------------------------------------------- */

static void series_block(struct pdf *p, const struct xm_series *xs)
{
	const struct nl_series *sr = &xs->series;
	const struct nl_progress *pr = &xs->progress;
	char buf[2048], due[128];
	size_t len = 0;

	ensure(p, 80);
	gap(p, 4);
	snprintf(buf, sizeof(buf), "Series #%lld: %s (%s)", (long long)sr->id,
		 xm_indication_label(sr->indication), xm_status_label(sr->status));
	paragraph(p, buf, 12, true, 0);
	len = (size_t)snprintf(buf, sizeof(buf), "%d sessions every %d days from %s",
			       sr->planned, sr->interval_days, sr->start_date);
	for (size_t i = 0; i < sr->nareas && len < sizeof(buf); i++) {
		char label[256];

		xm_area_label(sr->areas[i], NULL, label, sizeof(label));
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? ", " : "; target areas: ", label);
	}
	labelled(p, "Plan", buf);
	labelled(p, "Goal", sr->goal);
	if (sr->nbaseline) {
		char *b = xm_scores_text(sr->baseline, sr->nbaseline);

		labelled(p, "Baseline", b);
		free(b);
	}
	snprintf(buf, sizeof(buf), "%d of %d%s%s", pr->done, pr->planned,
		 pr->last_date[0] ? "; last " : "", pr->last_date);
	labelled(p, "Sessions done", buf);
	snprintf(buf, sizeof(buf), "Next due: %s", xm_next_due_text(pr, due, sizeof(due)));
	paragraph(p, buf, 10, true, 0);
	gap(p, 4);
	session_table(p, xs);
	session_details(p, xs);
	if (pr->nsessions) {
		gap(p, 8);
		for (size_t k = 0; k < pr->nscales; k++)
			scale_chart(p, pr, &pr->scales[k]);
		depth_chart(p, pr);
	}
	gap(p, 6);
}

static cairo_status_t write_stream(void *closure, const unsigned char *data,
				   unsigned int length)
{
	return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
							  : CAIRO_STATUS_WRITE_ERROR;
}

int xw_pdf(const struct xm *m, FILE *out, struct nl_err *err)
{
	struct pdf p = { .m = m };
	cairo_status_t st;
	char title[512];

	p.surface = cairo_pdf_surface_create_for_stream(write_stream, out, PAGE_W, PAGE_H);
	snprintf(title, sizeof(title), "Follow-up summary: %s", m->patient.name);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "needlelog");
	p.cr = cairo_create(p.surface);
	p.layout = pango_cairo_create_layout(p.cr);
	new_page(&p);
	header(&p);
	if (!m->nseries)
		paragraph(&p, "No treatment series.", 9, false, 0);
	for (size_t i = 0; i < m->nseries; i++)
		series_block(&p, &m->series[i]);
	g_object_unref(p.layout);
	cairo_destroy(p.cr);
	cairo_surface_finish(p.surface);
	st = cairo_surface_status(p.surface);
	cairo_surface_destroy(p.surface);
	if (st != CAIRO_STATUS_SUCCESS)
		return nl_error(err, st == CAIRO_STATUS_WRITE_ERROR ? NL_EIO : NL_EINTERNAL,
				"writing the PDF: %s", cairo_status_to_string(st));
	return NL_OK;
}
