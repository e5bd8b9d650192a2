/* The session form: treated areas with depth and passes, every field of a
 * session, outcome scores. Depths are checked as they are typed against
 * the hard limits (and the usual range as a note); the safety warnings are
 * previewed as the form changes and must be acknowledged before saving.
 * A new session starts from the series' previous one. The form is kept as
 * a draft in the record file while it is open, so a crash or a lock loses
 * nothing; the same form amends a session, with a required reason. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "needlelog/check.h"
#include "needlelog/clinical.h"
#include "needlelog/draft.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/vocab.h"
#include "tui.h"

#define DRAFT_IDLE_MS 1000     /* save this long after the last change */
#define DRAFT_MAX_GAP_MS 3000  /* and at least this often while typing */
#define TEXT_BUF 4096

enum { G_NONE, G_AREA, G_SCORE, G_PRODUCT };

struct sform {
	struct tui_screen base;
	enum tui_form_mode mode;     /* TUI_NEW, TUI_EDIT or TUI_AMEND */
	int64_t series_id, session_id;
	struct tui_form fm;
	char indication[64];
	char heading[256];
	struct nl_warning *warn;
	size_t nwarn;
	char preview_err[512];
	bool preview_due;
	bool dirty;                  /* changes not yet in the draft */
	bool touched;                /* changed since it was opened */
	bool locked;                 /* wiped for a lock; back from the draft */
	bool broken;                 /* could not be restored */
	long long changed_ms, saved_ms;
};

static const enum tui_ctx ctxs[] = {
	TC_SESSION_FORM, TC_FORM, TC_GLOBAL, TC_END
};

/* ---- building the fields ----------------------------------------------- */

struct fdef {
	const char *key, *label;
	enum tui_field_kind kind;
	int width;
	bool same_line;
	const char *hint;
};

static const struct fdef head_fields[] = {
	{ "date", "Date", TF_TEXT, 12, false, "The session's date, YYYY-MM-DD." },
	{ "practitioner", "Practitioner", TF_TEXT, 30, false, "Who treated (also who signs)." },
};

/* Traceability (issue 11): the device and its serial, the cartridge with
 * its lot and expiry here; each product with its own in product rows. */
static const struct fdef tail_fields[] = {
	{ "device", "Device", TF_PICK, 30, false, "Device make and model. Enter: used before and usual devices." },
	{ "device_serial", "serial", TF_TEXT, 16, true, "The device's serial number (kept from the last session)." },
	{ "cartridge", "Cartridge", TF_PICK, 20, false, "Needle cartridge, e.g. 12-pin, 36-pin, nano. Enter picks." },
	{ "cartridge_lot", "lot", TF_TEXT, 12, true, "The cartridge's lot, from its pack (single use: asked each session)." },
	{ "cartridge_expiry", "expiry", TF_TEXT, 11, true, "The cartridge's expiry, YYYY-MM-DD (an expired one warns)." },
	{ "anesthetic", "Anaesthetic", TF_PICK, 30, false, "Topical anaesthetic product. Enter picks." },
	{ "minutes", "min", TF_TEXT, 4, true, "Minutes the anaesthetic was on, 0-240." },
};

static const struct fdef tail2_fields[] = {
	{ "endpoint", "Endpoint", TF_PICK, 20, false, "Clinical endpoint reached. Enter picks." },
	{ "pain", "Pain 0-10", TF_TEXT, 3, false, "Pain during the session, 0 (none) to 10." },
	{ "reaction", "Reaction", TF_TEXT, 0, false, "Immediate reaction (erythema, oedema...)." },
	{ "adverse", "Adverse events", TF_TEXT, 0, false, "Adverse events, if any." },
	{ "aftercare", "Aftercare", TF_TEXT, 0, false, "Aftercare given." },
	{ "notes", "Notes", TF_TEXT, 0, false, "Clinical notes." },
};

static int add_def(struct tui_form *fm, size_t at, const struct fdef *d, int group)
{
	int i = tui_form_insert(fm, at, d->key, d->label, d->kind, group, d->width, d->same_line);

	if (i >= 0 && d->hint)
		snprintf(fm->f[i].hint, sizeof(fm->f[i].hint), "%s", d->hint);
	return i;
}

static void base_fields(struct sform *f)
{
	static const struct fdef reason = {
		"reason", "Reason", TF_TEXT, 0, false,
		"Required: why the record is corrected. Kept with the amendment; the original stays.",
	};
	int i;

	if (f->mode == TUI_AMEND && (i = add_def(&f->fm, f->fm.n, &reason, G_NONE)) >= 0)
		f->fm.f[i].required = true;
	for (size_t k = 0; k < sizeof(head_fields) / sizeof(head_fields[0]); k++)
		add_def(&f->fm, f->fm.n, &head_fields[k], G_NONE);
	f->fm.f[tui_form_find(&f->fm, "date", 0)].required = true;
	for (size_t k = 0; k < sizeof(tail_fields) / sizeof(tail_fields[0]); k++)
		add_def(&f->fm, f->fm.n, &tail_fields[k], G_NONE);
	for (size_t k = 0; k < sizeof(tail2_fields) / sizeof(tail2_fields[0]); k++)
		add_def(&f->fm, f->fm.n, &tail2_fields[k], G_NONE);
}

/* A row's scar-label field is shown for a scar (or when it holds text,
 * so nothing saved is hidden): other areas are area, depth, passes. */
static void sync_labels(struct tui_form *fm)
{
	for (size_t i = 0; i + 1 < fm->n; i++) {
		char area[64];

		if (strcmp(fm->f[i].key, "area") != 0)
			continue;
		tui_form_get(fm, i, area, sizeof(area));
		fm->f[i + 1].hidden = strcmp(area, "scar") != 0 && fm->f[i + 1].len == 0;
		if (fm->f[i + 1].hidden && fm->focus == i + 1)
			fm->focus = i;
	}
}

static void renumber(struct tui_form *fm)
{
	int a = 0, s = 0, p = 0;

	for (size_t i = 0; i < fm->n; i++) {
		if (strcmp(fm->f[i].key, "area") == 0)
			snprintf(fm->f[i].label, sizeof(fm->f[i].label), "Area %d", ++a);
		else if (strcmp(fm->f[i].key, "scale") == 0)
			snprintf(fm->f[i].label, sizeof(fm->f[i].label), "Score %d", ++s);
		else if (strcmp(fm->f[i].key, "product") == 0)
			snprintf(fm->f[i].label, sizeof(fm->f[i].label), "Product %d", ++p);
	}
	sync_labels(fm);
	tui_form_layout(fm);
}

/* Inserts a row of n fields after the last row of group, else after the
 * field after_key; returns the index of its first field, or -1. */
static int add_row(struct sform *f, const struct fdef *row, size_t n, int group,
		   const char *after_key)
{
	size_t at = 0;
	int first = -1;

	for (size_t i = 0; i < f->fm.n; i++)
		if (f->fm.f[i].group == group || strcmp(f->fm.f[i].key, after_key) == 0)
			at = i + 1;
	for (size_t k = 0; k < n; k++) {
		int i = add_def(&f->fm, at + k, &row[k], group);

		if (i < 0)
			return -1;
		if (k == 0)
			first = i;
	}
	return first;
}

/* A product row: the product, its lot and its expiry (returns the
 * product field's index, or -1). */
static int add_product_row(struct sform *f)
{
	static const struct fdef row[] = {
		{ "product", "Product", TF_PICK, 24, false, "A glide or adjunct. Enter picks; C-p adds another product." },
		{ "product_lot", "lot", TF_TEXT, 12, true, "The product's lot, from its label (asked each session)." },
		{ "product_expiry", "expiry", TF_TEXT, 11, true, "The product's expiry, YYYY-MM-DD (an expired one warns)." },
	};
	int first = add_row(f, row, 3, G_PRODUCT, "minutes");

	if (first >= 0)
		renumber(&f->fm);
	return first;
}

/* Inserts an area row after the last one; returns the index of its area
 * field (label, depth and passes follow), or -1. */
static int add_area_row(struct sform *f)
{
	static const struct fdef row[] = {
		{ "area", "Area", TF_PICK, 16, false, "The treated area. Enter picks from the list." },
		{ "label", "scar", TF_TEXT, 10, true, "For a named scar: which one (free text)." },
		{ "depth", "depth mm", TF_TEXT, 5, true, NULL },
		{ "passes", "passes", TF_TEXT, 3, true, "Passes over the area, 1-20 (empty = not recorded)." },
	};
	int first = add_row(f, row, 4, G_AREA, "practitioner");

	if (first < 0)
		return -1;
	snprintf(f->fm.f[first + 2].hint, sizeof(f->fm.f[first + 2].hint),
		 "Depth in mm, allowed %.1f-%.1f mm.", VOCAB_DEPTH_MIN_MM, VOCAB_DEPTH_MAX_MM);
	renumber(&f->fm);
	return first;
}

static int add_score_row(struct sform *f)
{
	static const struct fdef row[] = {
		{ "scale", "Score", TF_PICK, 20, false, "The outcome scale. Enter picks from the list." },
		{ "value", "value", TF_TEXT, 12, true, "The score on the scale (empty rows are left out)." },
	};
	int first = add_def(&f->fm, f->fm.n, &row[0], G_SCORE);

	if (first < 0 || add_def(&f->fm, f->fm.n, &row[1], G_SCORE) < 0)
		return -1;
	renumber(&f->fm);
	return first;
}

static void set_key(struct sform *f, const char *key, const char *value)
{
	int i = tui_form_find(&f->fm, key, 0);

	if (i >= 0)
		tui_form_set(&f->fm, (size_t)i, value);
}

static void set_int(struct sform *f, const char *key, int v, int none)
{
	char buf[32] = "";

	if (v != none)
		snprintf(buf, sizeof(buf), "%d", v);
	set_key(f, key, buf);
}

static void fill_area(struct sform *f, int i, const struct nl_treatment *a)
{
	char buf[32];

	tui_form_set(&f->fm, (size_t)i, a->area);
	tui_form_set(&f->fm, (size_t)i + 1, a->label);
	snprintf(buf, sizeof(buf), "%.2f", a->depth_mm);
	tui_form_set(&f->fm, (size_t)i + 2, a->depth_mm > 0 ? buf : "");
	snprintf(buf, sizeof(buf), "%d", a->passes);
	tui_form_set(&f->fm, (size_t)i + 3, a->passes ? buf : "");
}

/* Fills the form from a session. full: every field (edit, amend); else
 * the core's defaults for a new one (record_session_defaults). */
static void fill(struct sform *f, const struct nl_session *s, bool full)
{
	char buf[TEXT_BUF] = "";

	for (size_t k = 0; k < s->nareas; k++) {
		int i = add_area_row(f);

		if (i >= 0)
			fill_area(f, i, &s->areas[k]);
	}
	set_key(f, "practitioner", s->practitioner);
	set_key(f, "device", s->device);
	set_key(f, "device_serial", s->device_serial);
	set_key(f, "cartridge", s->cartridge);
	set_key(f, "cartridge_lot", s->cartridge_lot);
	set_key(f, "cartridge_expiry", s->cartridge_expiry);
	set_key(f, "anesthetic", s->anesthetic);
	set_int(f, "minutes", s->anesthetic_minutes, -1);
	for (size_t k = 0; k < s->nproducts; k++) {
		const struct nl_product_lot *l = k < s->nproduct_lots ? &s->product_lots[k] : NULL;
		int i = add_product_row(f);

		if (i < 0)
			continue;
		tui_form_set(&f->fm, (size_t)i, s->products[k]);
		tui_form_set(&f->fm, (size_t)i + 1, l ? l->lot : NULL);
		tui_form_set(&f->fm, (size_t)i + 2, l ? l->expiry : NULL);
	}
	set_key(f, "date", s->date);
	set_key(f, "endpoint", s->endpoint);
	if (!full)
		return;
	set_int(f, "pain", s->pain, -1);
	set_key(f, "reaction", s->reaction);
	set_key(f, "adverse", s->adverse);
	set_key(f, "aftercare", s->aftercare);
	set_key(f, "notes", s->notes);
	for (size_t k = 0; k < s->nscores; k++) {
		const struct vocab_scale *sc = vocab_scale_find(s->scores[k].scale);
		int i = add_score_row(f);

		if (i < 0)
			continue;
		tui_form_set(&f->fm, (size_t)i, s->scores[k].scale);
		if (sc)
			vocab_scale_format(sc, s->scores[k].value, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%g", s->scores[k].value);
		tui_form_set(&f->fm, (size_t)i + 1, buf);
	}
}

/* ---- reading and checking the fields ---------------------------------- */

/* The whole-number fields, checked by the core (text.h): the name its
 * message gives them and their range. */
static const struct int_field {
	const char *key, *name;
	int min, max;
} int_fields[] = {
	{ "passes", "passes", VOCAB_PASSES_MIN, VOCAB_PASSES_MAX },
	{ "pain", "pain", VOCAB_PAIN_MIN, VOCAB_PAIN_MAX },
	{ "minutes", "minutes", 0, VOCAB_ANESTHETIC_MINUTES_MAX },
};

static const struct int_field *int_field(const char *key)
{
	for (size_t i = 0; i < sizeof(int_fields) / sizeof(int_fields[0]); i++)
		if (strcmp(int_fields[i].key, key) == 0)
			return &int_fields[i];
	return NULL;
}

/* The area code of the row whose depth field is i. */
static void row_area(const struct sform *f, size_t depth_i, char *buf, size_t size)
{
	tui_form_get(&f->fm, depth_i - 2, buf, size);
}

/* Sets the inline error (hard limits) or note (usual range) of field i. */
static void check_field(struct sform *f, size_t i)
{
	struct tui_field *fd = &f->fm.f[i];
	const struct int_field *intf;
	char v[TEXT_BUF], area[64];
	double d;
	int n;

	fd->error[0] = fd->note[0] = '\0';
	tui_form_get(&f->fm, i, v, sizeof(v));
	if (fd->required && !v[0]) {
		snprintf(fd->error, sizeof(fd->error), "required");
		return;
	}
	if (!v[0])
		return;
	if ((strcmp(fd->key, "date") == 0 || strstr(fd->key, "_expiry")) && !check_date_valid(v)) {
		snprintf(fd->error, sizeof(fd->error), "not a date: use YYYY-MM-DD");
	} else if (strcmp(fd->key, "area") == 0 && !vocab_area_find(v)) {
		snprintf(fd->error, sizeof(fd->error), "unknown area '%.40s': Enter picks", v);
	} else if (strcmp(fd->key, "depth") == 0) {
		struct nl_err err = { 0 };
		char name[96];
		double lo, hi;

		row_area(f, i, area, sizeof(area));
		snprintf(name, sizeof(name), "depth of %s", area[0] ? area : "this area");
		if (nl_parse_depth(name, v, &d, &err) != NL_OK) {
			snprintf(fd->error, sizeof(fd->error), "%.*s", (int)sizeof(fd->error) - 1, err.msg);
			return;
		}
		if (vocab_depth_usual(area, f->indication, &lo, &hi, NULL) == NL_OK &&
		    (d < lo || d > hi))
			snprintf(fd->note, sizeof(fd->note), "%s usual %.2f-%.2f mm",
				 d > hi ? "above the" : "below the", lo, hi);
	} else if ((intf = int_field(fd->key))) {
		struct nl_err err = { 0 };

		if (nl_parse_int(intf->name, v, intf->min, intf->max, &n, &err) != NL_OK)
			snprintf(fd->error, sizeof(fd->error), "%.*s", (int)sizeof(fd->error) - 1, err.msg);
	} else if (strcmp(fd->key, "endpoint") == 0 && !vocab_endpoint_find(v)) {
		snprintf(fd->error, sizeof(fd->error), "unknown endpoint: Enter picks");
	} else if (strcmp(fd->key, "scale") == 0 && !vocab_scale_find(v)) {
		snprintf(fd->error, sizeof(fd->error), "unknown scale: Enter picks");
	} else if (strcmp(fd->key, "value") == 0) {
		const struct vocab_scale *sc;
		struct nl_err err = { 0 };
		char code[64];

		tui_form_get(&f->fm, i - 1, code, sizeof(code));
		sc = vocab_scale_find(code);
		if (sc && vocab_scale_parse(sc, v, &d, &err) != NL_OK) {
			char range[128];

			vocab_scale_range(sc, range, sizeof(range));
			snprintf(fd->error, sizeof(fd->error), "%s allows %s", sc->code, range);
		}
	}
}

static void update_hint(struct sform *f, size_t i)
{
	struct tui_field *fd = &f->fm.f[i];
	char area[64], buf[200];
	double lo, hi;

	if (strcmp(fd->key, "depth") == 0) {
		row_area(f, i, area, sizeof(area));
		if (vocab_depth_usual(area, f->indication, &lo, &hi, NULL) == NL_OK)
			snprintf(buf, sizeof(buf), "Depth in mm: allowed %.1f-%.1f; usual for %s %.2f-%.2f.",
				 VOCAB_DEPTH_MIN_MM, VOCAB_DEPTH_MAX_MM, area, lo, hi);
		else
			snprintf(buf, sizeof(buf), "Depth in mm: allowed %.1f-%.1f.",
				 VOCAB_DEPTH_MIN_MM, VOCAB_DEPTH_MAX_MM);
		snprintf(fd->hint, sizeof(fd->hint), "%s", buf);
	} else if (strcmp(fd->key, "value") == 0) {
		const struct vocab_scale *sc;

		tui_form_get(&f->fm, i - 1, area, sizeof(area));
		sc = vocab_scale_find(area);
		if (sc)
			snprintf(fd->hint, sizeof(fd->hint), "%s: %s", sc->label,
				 sc->value_help ? sc->value_help : "");
	}
}

static void check_all(struct sform *f)
{
	for (size_t i = 0; i < f->fm.n; i++)
		check_field(f, i);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static char *get_dup(struct sform *f, const char *key)
{
	char v[TEXT_BUF];
	int i = tui_form_find(&f->fm, key, 0);

	if (i < 0)
		return NULL;
	tui_form_get(&f->fm, (size_t)i, v, sizeof(v));
	return dup_or_null(v);
}

static int get_int(struct sform *f, const char *key, int none)
{
	char v[64];
	int i = tui_form_find(&f->fm, key, 0), n;

	if (i < 0)
		return none;
	tui_form_get(&f->fm, (size_t)i, v, sizeof(v));
	return v[0] && nl_parse_int(key, v, -1000000, 1000000, &n, NULL) == NL_OK ? n : none;
}

/* The product row at i into s (products and their lots, one each); an
 * empty row is left out. True when the row has a lot or an expiry but no
 * product (its error set): a lot must name what it is the lot of. */
static bool build_product(struct sform *f, size_t i, struct nl_session *s)
{
	char name[TEXT_BUF], lot[TEXT_BUF], exp[64];

	tui_form_get(&f->fm, i, name, sizeof(name));
	tui_form_get(&f->fm, i + 1, lot, sizeof(lot));
	tui_form_get(&f->fm, i + 2, exp, sizeof(exp));
	if (!name[0]) {
		if (!lot[0] && !exp[0])
			return false;
		snprintf(f->fm.f[i].error, sizeof(f->fm.f[i].error), "which product is this lot of?");
		return true;
	}
	s->products[s->nproducts] = strdup(name);
	s->product_lots[s->nproducts].lot = dup_or_null(lot);
	s->product_lots[s->nproducts].expiry = dup_or_null(exp);
	s->nproduct_lots = ++s->nproducts;
	return false;
}

/* The session the form describes. Returns the index of the first field
 * with an error, or -1 when the form is sound. */
static int build(struct sform *f, struct nl_session *s)
{
	char v[TEXT_BUF];
	size_t nrows = 0;
	int bad = -1;

	check_all(f);
	memset(s, 0, sizeof(*s));
	s->series_id = f->series_id;
	s->id = f->session_id;
	s->date = get_dup(f, "date");
	s->practitioner = get_dup(f, "practitioner");
	s->device = get_dup(f, "device");
	s->device_serial = get_dup(f, "device_serial");
	s->cartridge = get_dup(f, "cartridge");
	s->cartridge_lot = get_dup(f, "cartridge_lot");
	s->cartridge_expiry = get_dup(f, "cartridge_expiry");
	s->anesthetic = get_dup(f, "anesthetic");
	s->anesthetic_minutes = get_int(f, "minutes", -1);
	s->endpoint = get_dup(f, "endpoint");
	s->pain = get_int(f, "pain", -1);
	s->reaction = get_dup(f, "reaction");
	s->adverse = get_dup(f, "adverse");
	s->aftercare = get_dup(f, "aftercare");
	s->notes = get_dup(f, "notes");
	for (size_t i = 0; i < f->fm.n; i++)
		nrows += strcmp(f->fm.f[i].key, "area") == 0 || strcmp(f->fm.f[i].key, "scale") == 0 ||
			 strcmp(f->fm.f[i].key, "product") == 0;
	s->areas = calloc(nrows ? nrows : 1, sizeof(*s->areas));
	s->scores = calloc(nrows ? nrows : 1, sizeof(*s->scores));
	s->products = calloc(nrows ? nrows : 1, sizeof(*s->products));
	s->product_lots = calloc(nrows ? nrows : 1, sizeof(*s->product_lots));
	for (size_t i = 0; i < f->fm.n; i++) {
		const char *key = f->fm.f[i].key;

		if (bad < 0 && f->fm.f[i].error[0])
			bad = (int)i;
		if (strcmp(key, "product") == 0 && s->products && s->product_lots) {
			if (build_product(f, i, s) && (bad < 0 || bad > (int)i))
				bad = (int)i;
		} else if (strcmp(key, "area") == 0 && s->areas) {
			struct nl_treatment *a = &s->areas[s->nareas];
			char dv[64];

			tui_form_get(&f->fm, i, v, sizeof(v));
			tui_form_get(&f->fm, i + 2, dv, sizeof(dv));
			if (!v[0] && !dv[0])
				continue;   /* an empty row is left out */
			if (!dv[0] && !f->fm.f[i + 2].error[0]) {
				snprintf(f->fm.f[i + 2].error, sizeof(f->fm.f[i + 2].error), "depth required");
				if (bad < 0 || bad > (int)i + 2)
					bad = (int)i + 2;
			}
			a->area = dup_or_null(v);
			tui_form_get(&f->fm, i + 1, v, sizeof(v));
			a->label = dup_or_null(v);
			nl_parse_depth("depth", dv, &a->depth_mm, NULL);
			tui_form_get(&f->fm, i + 3, v, sizeof(v));
			if (!v[0] || nl_parse_int("passes", v, VOCAB_PASSES_MIN, VOCAB_PASSES_MAX,
						  &a->passes, NULL) != NL_OK)
				a->passes = 0;
			s->nareas++;
		} else if (strcmp(key, "scale") == 0 && s->scores) {
			const struct vocab_scale *sc;
			char val[64];

			tui_form_get(&f->fm, i, v, sizeof(v));
			tui_form_get(&f->fm, i + 1, val, sizeof(val));
			sc = vocab_scale_find(v);
			if (!val[0] || !sc)
				continue;
			if (vocab_scale_parse(sc, val, &s->scores[s->nscores].value, NULL) != NL_OK)
				continue;
			s->scores[s->nscores++].scale = strdup(sc->code);
		}
	}
	if (bad < 0 && s->nareas == 0) {
		int i = tui_form_find(&f->fm, "area", 0);

		if (i < 0)
			i = add_area_row(f);
		if (i >= 0) {
			snprintf(f->fm.f[i].error, sizeof(f->fm.f[i].error), "at least one area");
			bad = i;
		}
	}
	return bad;
}

/* ---- safety preview ---------------------------------------------------- */

static void clear_warnings(struct sform *f)
{
	record_warnings_free(f->warn, f->nwarn);
	f->warn = NULL;
	f->nwarn = 0;
	f->preview_err[0] = '\0';
}

static void preview(struct tui *t, struct sform *f)
{
	struct nl_session s;
	struct nl_err err = { 0 };
	int bad;

	f->preview_due = false;
	clear_warnings(f);
	bad = build(f, &s);
	if (bad >= 0) {
		snprintf(f->preview_err, sizeof(f->preview_err), "%s: %s", f->fm.f[bad].label,
			 f->fm.f[bad].error);
	} else if (check_session_preview(t->store, &s, f->mode == TUI_NEW ? 0 : f->session_id,
					 &f->warn, &f->nwarn, &err) != NL_OK) {
		/* busy (another user writing): asked again at the next tick */
		if (err.status == NL_EBUSY)
			f->preview_due = true;
		else
			snprintf(f->preview_err, sizeof(f->preview_err), "%s", err.msg);
		f->warn = NULL;
		f->nwarn = 0;
	}
	record_session_free(&s);
}

/* ---- drafts ------------------------------------------------------------ */

static const char *const mode_names[] = {
	[TUI_NEW] = "new", [TUI_EDIT] = "edit", [TUI_AMEND] = "amend", [TUI_DRAFT] = "new",
};

static char *draft_text(struct sform *f)
{
	json_t *root = json_object(), *fields = json_array();
	char *text = NULL;

	if (root && fields) {
		json_object_set_new(root, "version", json_integer(1));
		json_object_set_new(root, "mode", json_string(mode_names[f->mode]));
		json_object_set_new(root, "session_id", json_integer(f->session_id));
		json_object_set_new(root, "focus", json_integer((json_int_t)f->fm.focus));
		for (size_t i = 0; i < f->fm.n; i++) {
			char v[TEXT_BUF];

			tui_form_get(&f->fm, i, v, sizeof(v));
			json_array_append_new(fields, json_pack("{s:s, s:s}", "key", f->fm.f[i].key,
								"text", v));
		}
		json_object_set(root, "fields", fields);
		text = json_dumps(root, JSON_COMPACT);
	}
	json_decref(fields);
	json_decref(root);
	return text;
}

/* Keeps the form as its series' draft; the status, with err filled. */
static int put_draft(struct tui *t, struct sform *f, struct nl_err *err)
{
	char *text = draft_text(f);
	int rc;

	if (!text)
		return nl_error(err, NL_ENOMEM, "out of memory");
	rc = draft_save(t->store, f->series_id, text, err);
	if (rc == NL_OK)
		f->dirty = false;
	f->saved_ms = tui_now_ms();
	tui_zfree_str(text);
	return rc;
}

static void save_draft(struct tui *t, struct sform *f)
{
	struct nl_err err = { 0 };

	if (t->store && !f->locked && !f->broken && put_draft(t, f, &err) != NL_OK)
		tui_fail(t, "The draft was not saved", &err);
}

/* A draft from before product rows: "a, b" becomes a row each. */
static void old_products(struct sform *f, const char *text)
{
	char *copy = strdup(text), *save = NULL;

	for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int i;

		while (*tok == ' ')
			tok++;
		if (*tok && (i = add_product_row(f)) >= 0)
			tui_form_set(&f->fm, (size_t)i, tok);
	}
	free(copy);
}

/* Rebuilds the form from draft text; -1 when it cannot be read. */
static int restore(struct sform *f, const char *text)
{
	json_t *root = json_loads(text, 0, NULL), *fields, *it;
	const char *mode = NULL;
	json_int_t sid = 0, focus = 0;
	size_t k;
	int area = -1, score = -1, product = -1;

	if (!root || json_unpack(root, "{s:s, s:I, s:I, s:o}", "mode", &mode, "session_id", &sid,
				 "focus", &focus, "fields", &fields) != 0 || !json_is_array(fields)) {
		json_decref(root);
		return -1;
	}
	f->mode = strcmp(mode, "amend") == 0 ? TUI_AMEND : strcmp(mode, "edit") == 0 ? TUI_EDIT : TUI_NEW;
	f->session_id = f->mode == TUI_NEW ? 0 : sid;
	tui_form_wipe(&f->fm);
	base_fields(f);
	json_array_foreach(fields, k, it) {
		const char *key = json_string_value(json_object_get(it, "key"));
		const char *v = json_string_value(json_object_get(it, "text"));

		if (!key || !v)
			continue;
		if (strcmp(key, "area") == 0)
			area = add_area_row(f);
		else if (strcmp(key, "scale") == 0)
			score = add_score_row(f);
		else if (strcmp(key, "product") == 0)
			product = add_product_row(f);
		if (strcmp(key, "products") == 0)
			old_products(f, v);
		else if (strcmp(key, "product") == 0 && product >= 0)
			tui_form_set(&f->fm, (size_t)product, v);
		else if (strcmp(key, "product_lot") == 0 && product >= 0)
			tui_form_set(&f->fm, (size_t)product + 1, v);
		else if (strcmp(key, "product_expiry") == 0 && product >= 0)
			tui_form_set(&f->fm, (size_t)product + 2, v);
		else if (strcmp(key, "area") == 0 && area >= 0)
			tui_form_set(&f->fm, (size_t)area, v);
		else if (strcmp(key, "label") == 0 && area >= 0)
			tui_form_set(&f->fm, (size_t)area + 1, v);
		else if (strcmp(key, "depth") == 0 && area >= 0)
			tui_form_set(&f->fm, (size_t)area + 2, v);
		else if (strcmp(key, "passes") == 0 && area >= 0)
			tui_form_set(&f->fm, (size_t)area + 3, v);
		else if (strcmp(key, "scale") == 0 && score >= 0)
			tui_form_set(&f->fm, (size_t)score, v);
		else if (strcmp(key, "value") == 0 && score >= 0)
			tui_form_set(&f->fm, (size_t)score + 1, v);
		else
			set_key(f, key, v);
	}
	json_decref(root);
	if (tui_form_find(&f->fm, "product", 0) < 0)
		add_product_row(f);
	renumber(&f->fm);
	f->fm.focus = focus >= 0 && (size_t)focus < f->fm.n ? (size_t)focus : 0;
	check_all(f);
	return 0;
}

/* ---- setting up --------------------------------------------------------- */

static void set_heading(struct tui *t, struct sform *f)
{
	static const char *const what[] = {
		[TUI_NEW] = "New session", [TUI_EDIT] = "Editing the unsigned session",
		[TUI_AMEND] = "Amending the session", [TUI_DRAFT] = "New session",
	};
	const struct vocab_indication *ind = vocab_indication_find(f->indication);

	(void)t;
	snprintf(f->heading, sizeof(f->heading), "%s — %s", what[f->mode],
		 ind ? ind->label : f->indication);
	snprintf(f->base.title, sizeof(f->base.title), "%s",
		 f->mode == TUI_AMEND ? "Amend" : f->mode == TUI_EDIT ? "Edit session" : "New session");
}

static int load_series(struct tui *t, struct sform *f, struct nl_series *sr)
{
	struct nl_err err = { 0 };

	if (record_series_get(t->store, f->series_id, sr, &err) != NL_OK) {
		tui_fail(t, "Cannot read the series", &err);
		return -1;
	}
	snprintf(f->indication, sizeof(f->indication), "%s", sr->indication);
	return 0;
}

/* A new session starts from the core's defaults (the previous session's
 * device, cartridge, products and areas, never a lot or an expiry; else
 * the series' target areas). */
static void defaults(struct tui *t, struct sform *f, const struct nl_series *sr)
{
	struct nl_session d;
	struct nl_err err = { 0 };
	char today[11];

	if (record_session_defaults(t->store, f->series_id, &d, &err) == NL_OK) {
		fill(f, &d, false);
		record_session_free(&d);
	} else {
		tui_fail(t, "No defaults from the previous session", &err);
	}
	if (tui_form_find(&f->fm, "area", 0) < 0)
		add_area_row(f);
	for (size_t k = 0; k < sr->nbaseline; k++) {
		int i = add_score_row(f);

		if (i >= 0)
			tui_form_set(&f->fm, (size_t)i, sr->baseline[k].scale);
	}
	tui_today(t, today);
	set_key(f, "date", today);
	if (t->practitioner[0])
		set_key(f, "practitioner", t->practitioner);
}

static int load_session(struct tui *t, struct sform *f)
{
	struct nl_session_view v;
	struct nl_err err = { 0 };

	if (record_session_get(t->store, f->session_id, &v, &err) != NL_OK) {
		tui_fail(t, "Cannot read the session", &err);
		return -1;
	}
	if (v.effective.voided || (f->mode == TUI_EDIT && v.effective.is_signed)) {
		tui_msg(t, TS_WARN, "%s", v.effective.voided ? "A voided session cannot be changed."
			: "This session is signed: amend it (m) instead.");
		record_session_view_free(&v);
		return -1;
	}
	fill(f, &v.effective, true);
	record_session_view_free(&v);
	return 0;
}

static int load_draft(struct tui *t, struct sform *f)
{
	struct nl_err err = { 0 };
	char *text = NULL;
	int rc;

	if (draft_load(t->store, f->series_id, &text, NULL, &err) != NL_OK) {
		tui_fail(t, "Cannot load the draft", &err);
		return -1;
	}
	rc = restore(f, text);
	tui_zfree_str(text);
	if (rc != 0)
		tui_msg(t, TS_ERROR, "The draft could not be read; it is kept as it was.");
	return rc;
}

/* ---- screen hooks -------------------------------------------------------- */

#define FORM_MIN_ROWS 3

/* The safety panel's rows at (y, 1) in width cells: each warning wrapped
 * whole, never cut at the edge. With w NULL only counts; when they need
 * more than max rows, the last row says how many are not shown. */
static int warn_rows(const struct sform *f, WINDOW *w, int y, int width, int max)
{
	char buf[600];
	int used = 0;

	if (f->preview_err[0] || !f->nwarn) {
		if (w)
			tui_put_wrap(w, y, 1, width, 2, max, tui_attr(f->preview_err[0] ? TS_ERROR : TS_OK),
				     f->preview_err[0] ? f->preview_err : "✔ No safety warnings so far.");
		return f->preview_err[0] ? tui_put_wrap(NULL, 0, 0, width, 2, 0, 0, f->preview_err) : 1;
	}
	for (size_t i = 0; i < f->nwarn; i++) {
		int need;

		snprintf(buf, sizeof(buf), "⚠ %s", f->warn[i].message);
		need = tui_put_wrap(NULL, 0, 0, width, 2, 0, 0, buf);
		if (w && used + need > max - (i + 1 < f->nwarn)) {
			tui_putf(w, y + used, 1, width, tui_attr(TS_WARN),
				 "⚠ … %zu more warning%s: C-s shows every one before saving",
				 f->nwarn - i, f->nwarn - i == 1 ? "" : "s");
			return used + 1;
		}
		if (w)
			tui_put_wrap(w, y + used, 1, width, 2, need, tui_attr(TS_WARN), buf);
		used += need;
	}
	return used;
}

static void draw(struct tui *t, struct tui_screen *sc, WINDOW *w)
{
	struct sform *f = (struct sform *)sc;
	int rows, cols, cy, cx, wh, fh, y;
	const struct tui_field *fd;

	(void)t;
	getmaxyx(w, rows, cols);
	if (f->locked || f->broken) {
		tui_put(w, 1, 1, cols - 2, tui_attr(TS_WARN),
			"The form could not be brought back from its draft. Esc leaves.", false);
		return;
	}
	tui_put(w, 0, 1, cols - 2, tui_attr(TS_LABEL), f->heading, false);
	/* safety first: the warnings take the rows they need, whole, and
	 * the form what is left (at least FORM_MIN_ROWS) */
	wh = warn_rows(f, NULL, 0, cols - 2, INT_MAX);
	if (wh > rows - 3 - FORM_MIN_ROWS)
		wh = rows - 3 - FORM_MIN_ROWS;
	fh = rows - 1 - 2 - wh;
	tui_form_draw(w, &f->fm, 1, 1, cols - 2, fh, &cy, &cx);
	sc->cy = cy;
	sc->cx = cx;
	y = 1 + fh;
	fd = f->fm.n ? &f->fm.f[f->fm.focus] : NULL;
	if (fd && fd->error[0])
		tui_putf(w, y, 1, cols - 2, tui_attr(TS_ERROR), "✖ %s: %s", fd->label, fd->error);
	else if (fd && fd->note[0])
		tui_putf(w, y, 1, cols - 2, tui_attr(TS_WARN), "%s: %s   (%s)", fd->label, fd->note, fd->hint);
	else if (fd)
		tui_put(w, y, 1, cols - 2, tui_attr(TS_DIM), fd->hint, false);
	y++;
	tui_heading(w, y++, 0, cols, f->nwarn ? "Safety warnings (recorded with the session)"
					      : "Safety checks");
	warn_rows(f, w, y, cols - 2, wh);
}

static void changed(struct sform *f)
{
	f->dirty = f->touched = true;
	f->preview_due = true;
	f->changed_ms = tui_now_ms();
}

static bool input(struct tui *t, struct tui_screen *sc, int key)
{
	struct sform *f = (struct sform *)sc;

	if (f->locked || f->broken || !tui_form_input(&f->fm, key))
		return false;
	if (f->fm.changed) {
		f->fm.changed = false;
		if (strcmp(f->fm.f[f->fm.focus].key, "area") == 0)
			renumber(&f->fm);
		check_field(f, f->fm.focus);
		update_hint(f, f->fm.focus);
		changed(f);
		if (tui_now_ms() - f->saved_ms >= DRAFT_MAX_GAP_MS)
			save_draft(t, f);
	}
	return true;
}

static void tick(struct tui *t, struct tui_screen *sc)
{
	struct sform *f = (struct sform *)sc;

	if (f->locked || f->broken)
		return;
	/* idle work never waits for another user's write (the screen would
	 * freeze under the typing): a busy file is tried again after a pause */
	record_wait_busy(t->store, false);
	if (f->preview_due)
		preview(t, f);
	if (f->dirty && tui_now_ms() - f->changed_ms >= DRAFT_IDLE_MS) {
		struct nl_err err = { 0 };
		int rc = put_draft(t, f, &err);

		if (rc == NL_EBUSY)
			f->changed_ms = tui_now_ms();
		else if (rc != NL_OK)
			tui_fail(t, "The draft was not saved", &err);
	}
	record_wait_busy(t->store, true);
}

static void pick_from(struct tui *t, struct sform *f, enum record_pick which,
		      const char *title, bool append)
{
	struct nl_err err = { 0 };
	struct tui_field *fd = &f->fm.f[f->fm.focus];
	char **items = NULL, cur[TEXT_BUF];
	size_t n = 0;
	int k;

	if (record_picklist(t->store, which, t->practitioner[0] ? t->practitioner : NULL,
			    &items, &n, &err) != NL_OK) {
		tui_fail(t, "Cannot read the pick list", &err);
		return;
	}
	k = tui_pick(t, title, (const char *const *)items, n, -1);
	if (k >= 0) {
		tui_form_get(&f->fm, f->fm.focus, cur, sizeof(cur));
		if (append && cur[0] && !strstr(cur, items[k]))
			snprintf(cur + strlen(cur), sizeof(cur) - strlen(cur), ", %s", items[k]);
		else if (!append || !cur[0])
			snprintf(cur, sizeof(cur), "%s", items[k]);
		tui_form_set(&f->fm, f->fm.focus, cur);
		(void)fd;
		changed(f);
	}
	record_strings_free(items, n);
}

/* Picks a code from a vocabulary table shown as "code  Label". */
static void pick_code(struct tui *t, struct sform *f, const char *title,
		      const char *const *codes, const char *const *labels, size_t n)
{
	char **items = calloc(n ? n : 1, sizeof(*items)), cur[64];
	int initial = -1, k;

	if (!items)
		return;
	tui_form_get(&f->fm, f->fm.focus, cur, sizeof(cur));
	for (size_t i = 0; i < n; i++) {
		char buf[256];

		snprintf(buf, sizeof(buf), "%-18s %s", codes[i], labels[i]);
		items[i] = strdup(buf);
		if (strcmp(codes[i], cur) == 0)
			initial = (int)i;
	}
	k = tui_pick(t, title, (const char *const *)items, n, initial);
	if (k >= 0) {
		tui_form_set(&f->fm, f->fm.focus, codes[k]);
		check_field(f, f->fm.focus);
		changed(f);
	}
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static void pick(struct tui *t, struct sform *f)
{
	const char *key = f->fm.f[f->fm.focus].key;
	const char *codes[64], *labels[64];
	char ranges[64][96];
	size_t n = 0;

	if (strcmp(key, "area") == 0) {
		for (size_t i = 0; i < vocab_area_count && n < 64; i++, n++) {
			double lo, hi;

			codes[n] = vocab_areas[i].code;
			if (vocab_depth_usual(vocab_areas[i].code, f->indication, &lo, &hi, NULL) == NL_OK)
				snprintf(ranges[n], sizeof(ranges[n]), "%s (usual %.2g-%.2g mm)",
					 vocab_areas[i].label, lo, hi);
			else
				snprintf(ranges[n], sizeof(ranges[n]), "%s", vocab_areas[i].label);
			labels[n] = ranges[n];
		}
		pick_code(t, f, "Treated area", codes, labels, n);
	} else if (strcmp(key, "scale") == 0) {
		for (size_t i = 0; i < vocab_scale_count && n < 64; i++, n++) {
			codes[n] = vocab_scales[i].code;
			labels[n] = vocab_scales[i].label;
		}
		pick_code(t, f, "Outcome scale", codes, labels, n);
	} else if (strcmp(key, "endpoint") == 0) {
		for (size_t i = 0; i < vocab_endpoint_count && n < 64; i++, n++) {
			codes[n] = vocab_endpoints[i].code;
			labels[n] = vocab_endpoints[i].label;
		}
		pick_code(t, f, "Endpoint", codes, labels, n);
	} else if (strcmp(key, "device") == 0) {
		pick_from(t, f, RECORD_PICK_DEVICE, "Device", false);
	} else if (strcmp(key, "cartridge") == 0) {
		pick_from(t, f, RECORD_PICK_CARTRIDGE, "Cartridge", false);
	} else if (strcmp(key, "anesthetic") == 0) {
		pick_from(t, f, RECORD_PICK_ANESTHETIC, "Anaesthetic", false);
	} else if (strcmp(key, "product") == 0) {
		pick_from(t, f, RECORD_PICK_PRODUCT, "Product", false);
	} else {
		tui_form_step(&f->fm, 1);
	}
}

static bool acknowledge(struct tui *t, struct nl_warning *w, size_t n)
{
	char text[2048];
	size_t used;

	used = (size_t)snprintf(text, sizeof(text), "%zu safety warning%s:\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n && used < sizeof(text); i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "⚠ %s\n", w[i].message);
	if (used < sizeof(text))
		snprintf(text + used, sizeof(text) - used,
			 "\nSave anyway? The warnings are recorded with the session.");
	return tui_confirm(t, "Acknowledge the warnings", text, false);
}

static void save(struct tui *t, struct sform *f)
{
	struct nl_session s;
	struct nl_warning *w = NULL;
	struct nl_err err = { 0 };
	size_t nw = 0;
	int64_t id = f->session_id;
	char reason[TEXT_BUF] = "", name[160] = "";
	const char *who = NULL;
	int bad, rc;

	bad = build(f, &s);
	if (bad >= 0) {
		f->fm.focus = (size_t)bad;
		tui_msg(t, TS_ERROR, "Not saved. %s: %s", f->fm.f[bad].label, f->fm.f[bad].error);
		record_session_free(&s);
		return;
	}
	rc = check_session_preview(t->store, &s, f->mode == TUI_NEW ? 0 : f->session_id, &w, &nw, &err);
	if (rc != NL_OK) {
		tui_fail(t, "Not saved", &err);
		record_session_free(&s);
		return;
	}
	if (nw && !acknowledge(t, w, nw)) {
		record_warnings_free(w, nw);
		record_session_free(&s);
		tui_msg(t, TS_WARN, "Not saved: the warnings were not acknowledged.");
		return;
	}
	record_warnings_free(w, nw);
	w = NULL;
	nw = 0;
	if (f->mode == TUI_AMEND) {
		tui_form_get(&f->fm, (size_t)tui_form_find(&f->fm, "reason", 0), reason, sizeof(reason));
		who = tui_practitioner(t, "Who amends? (your name, recorded with the amendment)");
		if (!who) {
			record_session_free(&s);
			tui_msg(t, TS_WARN, "Not saved: an amendment needs the practitioner's name.");
			return;
		}
		rc = record_session_amend(t->store, f->session_id, &s, reason, who, &w, &nw, NULL, &err);
	} else if (f->mode == TUI_EDIT) {
		rc = record_session_edit(t->store, &s, &w, &nw, &err);
	} else {
		rc = record_session_add(t->store, &s, false, &w, &nw, &id, &err);
	}
	record_warnings_free(w, nw);
	if (rc == NL_OK)
		tui_session_name(t, f->series_id, id, s.date, name, sizeof(name));
	record_session_free(&s);
	if (rc != NL_OK) {
		tui_fail(t, "Not saved", &err);
		return;
	}
	if (draft_delete(t->store, f->series_id, &err) != NL_OK)
		tui_fail(t, "Saved, but the draft was not removed", &err);
	else if (f->mode == TUI_AMEND)
		tui_msg(t, TS_OK, "Amendment recorded for %s; the original is kept.", name);
	else
		tui_msg(t, TS_OK, "Saved %s, unsigned. Select it and press s to sign.", name);
	f->dirty = false;
	t->select_session = id;
	tui_pop(t);
}

static void leave(struct tui *t, struct sform *f)
{
	struct nl_err err = { 0 };
	int k;

	if (f->broken || (!f->touched && !f->dirty)) {
		tui_pop(t);
		return;
	}
	k = tui_ask(t, "Leave the form",
		    "The form is not saved as a session.\n\n"
		    "k  keep it as a draft (offered when the series is opened)\n"
		    "d  discard it\n"
		    "Esc  stay in the form", "kKdD");
	if (k == 'k' || k == 'K') {
		save_draft(t, f);
		if (!f->dirty) {
			tui_msg(t, TS_OK, "Kept as a draft.");
			tui_pop(t);
		}
	} else if (k == 'd' || k == 'D') {
		if (draft_delete(t->store, f->series_id, &err) != NL_OK)
			tui_fail(t, "Cannot discard the draft", &err);
		f->dirty = false;
		tui_pop(t);
	}
}

static void delete_row(struct sform *f)
{
	size_t i = f->fm.focus;
	static const int len_of[] = { [G_NONE] = 0, [G_AREA] = 4, [G_SCORE] = 2, [G_PRODUCT] = 3 };
	int g = f->fm.f[i].group, len = len_of[g];

	if (g == G_NONE)
		return;
	while (i > 0 && f->fm.f[i].same_line)
		i--;
	for (int k = 0; k < len; k++)
		tui_form_remove(&f->fm, i);
	if (g == G_PRODUCT && tui_form_find(&f->fm, "product", 0) < 0)
		add_product_row(f);   /* the section stays in sight */
	renumber(&f->fm);
	changed(f);
}

static bool action(struct tui *t, struct tui_screen *sc, enum tui_action a)
{
	struct sform *f = (struct sform *)sc;
	int i;

	if (f->locked || f->broken) {
		if (a == TA_CANCEL)
			tui_pop(t);
		return true;
	}
	switch (a) {
	case TA_NEXT_FIELD:
	case TA_PREV_FIELD:
		tui_form_step(&f->fm, a == TA_NEXT_FIELD ? 1 : -1);
		update_hint(f, f->fm.focus);
		if (f->dirty)
			save_draft(t, f);
		break;
	case TA_PICK:
		pick(t, f);
		renumber(&f->fm);
		update_hint(f, f->fm.focus);
		break;
	case TA_ADD_AREA:
		if ((i = add_area_row(f)) >= 0) {
			f->fm.focus = (size_t)i;
			changed(f);
		}
		break;
	case TA_ADD_SCORE:
		if ((i = add_score_row(f)) >= 0) {
			f->fm.focus = (size_t)i;
			changed(f);
		}
		break;
	case TA_ADD_PRODUCT:
		if ((i = add_product_row(f)) >= 0) {
			f->fm.focus = (size_t)i;
			changed(f);
		}
		break;
	case TA_DEL_ROW:
		delete_row(f);
		break;
	case TA_SAVE:
		save(t, f);
		break;
	case TA_CANCEL:
		leave(t, f);
		break;
	default:
		return false;
	}
	return true;
}

/* Before a lock or quitting: the form goes into its draft. */
static void keep(struct tui *t, struct tui_screen *sc)
{
	struct sform *f = (struct sform *)sc;

	if (!f->locked && !f->broken)
		save_draft(t, f);
}

/* Lock and destroy: nothing typed stays in memory (the draft has it). */
static void unload(struct tui_screen *sc)
{
	struct sform *f = (struct sform *)sc;

	tui_form_wipe(&f->fm);
	clear_warnings(f);
	f->locked = true;
}

/* After an unlock: back from the draft, as it was left. */
static int load(struct tui *t, struct tui_screen *sc)
{
	struct sform *f = (struct sform *)sc;

	if (!f->locked || f->broken)
		return 0;
	f->locked = false;
	if (load_draft(t, f) != 0) {
		f->broken = true;
		return 0;
	}
	f->preview_due = true;
	tui_msg(t, TS_OK, "Unlocked: the form is as you left it.");
	return 0;
}

static const struct tui_screen_ops ops = {
	.name = "session form",
	.ctxs = ctxs,
	.private_size = sizeof(struct sform),
	.load = load,
	.unload = unload,
	.save = keep,
	.draw = draw,
	.input = input,
	.action = action,
	.tick = tick,
};

/* A form while the series has a draft (one per series): resume the draft,
 * or go on and let this form replace it. */
static enum tui_form_mode new_or_draft(struct tui *t, int64_t series_id,
				       enum tui_form_mode mode, bool *cancel)
{
	struct nl_err err = { 0 };
	char *text = NULL;
	int k;

	*cancel = false;
	if (draft_load(t->store, series_id, &text, NULL, &err) != NL_OK)
		return mode;
	free(text);
	k = tui_ask(t, "Draft session", mode == TUI_NEW
		    ? "This series has an unsaved session form.\n\n"
		      "r  resume it     n  start a new one (it replaces the draft)     Esc  cancel"
		    : "This series has an unsaved session form; this one would replace it.\n\n"
		      "r  resume the draft     c  continue (it replaces the draft)     Esc  cancel",
		    mode == TUI_NEW ? "rRnN" : "rRcC");
	if (k == 'r' || k == 'R')
		return TUI_DRAFT;
	*cancel = k == 0;
	return mode;
}

struct tui_screen *tui_session_form_new(struct tui *t, int64_t series_id,
					int64_t session_id,
					enum tui_form_mode mode)
{
	struct nl_series sr;
	struct sform *f;
	bool cancel = false;
	int rc;

	if (mode != TUI_DRAFT)
		mode = new_or_draft(t, series_id, mode, &cancel);
	if (cancel || !(f = tui_screen_alloc(t, &ops)))
		return NULL;
	f->series_id = series_id;
	f->session_id = mode == TUI_NEW || mode == TUI_DRAFT ? 0 : session_id;
	f->mode = mode;
	if (load_series(t, f, &sr) != 0) {
		tui_screen_destroy(&f->base);
		return NULL;
	}
	if (mode == TUI_DRAFT) {
		rc = load_draft(t, f);
	} else {
		base_fields(f);
		if (mode == TUI_NEW) {
			defaults(t, f, &sr);
			rc = 0;
		} else {
			rc = load_session(t, f);
		}
	}
	record_series_free(&sr);
	if (rc != 0) {
		tui_screen_destroy(&f->base);
		return NULL;
	}
	if (tui_form_find(&f->fm, "product", 0) < 0)
		add_product_row(f);
	renumber(&f->fm);
	check_all(f);
	set_heading(t, f);
	/* start on the first thing to type: the reason, else the first depth */
	if (f->mode == TUI_AMEND)
		tui_form_focus(&f->fm, 0);
	else if (mode != TUI_DRAFT && (rc = tui_form_find(&f->fm, "area", 0)) >= 0)
		tui_form_focus(&f->fm, (size_t)rc);
	update_hint(f, f->fm.focus);
	f->preview_due = true;
	f->saved_ms = tui_now_ms();
	if (mode == TUI_DRAFT)
		tui_msg(t, TS_OK, "Draft resumed.");
	return &f->base;
}
