/* Scores read as the literature reads them (DOMAIN.md, issue 11): Norwood
 * and Ludwig by stage (III, IIIa and III-vertex are all stage III), GAIS and
 * Goodman-Baron qualitative by grade, numeric scales with the difference
 * and the percentage, hair density in /cm². */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "needlelog/progress.h"

/* How a scale's values are read: a table, not branches. */
static const struct scale_reading {
	const char *code;
	bool staged;      /* ordinal levels grouped by their Roman stage */
	bool graded;      /* small whole-number grades: no percentage */
	const char *unit;
} readings[] = {
	{ "norwood", true, false, "" },
	{ "ludwig", true, false, "" },
	{ "gais", false, true, "" },
	{ "goodman-baron-qual", false, true, "" },
	{ "global-7pt", false, true, "" },
	{ "hair-density", false, false, "/cm\xc2\xb2" },
};

static const struct scale_reading *reading(const struct vocab_scale *sc)
{
	for (size_t i = 0; sc && i < COUNT(readings); i++)
		if (strcmp(readings[i].code, sc->code) == 0)
			return &readings[i];
	return NULL;
}

const char *progress_unit(const struct vocab_scale *sc)
{
	const struct scale_reading *r = reading(sc);

	return r ? r->unit : "";
}

/* The Roman numeral a level starts with: "III-vertex" -> 3, "IVa" -> 4. */
static int roman_prefix(const char *s)
{
	static const struct { const char *r; int v; } romans[] = {
		{ "VII", 7 }, { "VI", 6 }, { "IV", 4 }, { "V", 5 }, { "III", 3 }, { "II", 2 }, { "I", 1 },
	};

	for (size_t i = 0; s && i < COUNT(romans); i++) {
		size_t n = strlen(romans[i].r);

		if (strncmp(s, romans[i].r, n) == 0 && (s[n] == '\0' || s[n] == 'a' || s[n] == '-'))
			return romans[i].v;
	}
	return 0;
}

double progress_stage(const struct vocab_scale *sc, double value)
{
	const struct scale_reading *r = reading(sc);
	size_t i = (size_t)value;

	if (!r || !r->staged || sc->kind != VOCAB_SCALE_ORDINAL || value < 0 ||
	    i >= sc->nlevels)
		return value;
	return roman_prefix(sc->levels[i]);
}

static const char *verdict_words(enum progress_change v)
{
	return v == PROGRESS_BETTER ? "better" : v == PROGRESS_WORSE ? "worse"
		: v == PROGRESS_SAME ? "the same" : "changed";
}

static void staged_text(const struct vocab_scale *sc, double baseline, double value,
			struct progress_delta *d)
{
	char a[32], b[32], stage[32];
	int moved = (int)fabs(d->change);

	vocab_scale_format(sc, baseline, a, sizeof(a));
	vocab_scale_format(sc, value, b, sizeof(b));
	snprintf(stage, sizeof(stage), "%s", a);
	stage[strspn(stage, "IVX")] = '\0';
	if (d->verdict == PROGRESS_SAME)
		snprintf(d->text, sizeof(d->text), "%s to %s: the same", a, b);
	else if (d->verdict == PROGRESS_PATTERN)
		snprintf(d->text, sizeof(d->text),
			 "%s to %s: the same stage (%s), the pattern changed", a, b, stage);
	else
		snprintf(d->text, sizeof(d->text), "%s to %s: %d stage%s %s", a, b, moved,
			 moved == 1 ? "" : "s", verdict_words(d->verdict));
}

int progress_delta(const struct vocab_scale *sc, double baseline, double value,
		   struct progress_delta *d)
{
	const struct scale_reading *r = reading(sc);
	char a[32], b[32], pct[32] = "";

	memset(d, 0, sizeof(*d));
	if (!sc)
		return NL_EDATA;
	d->verdict = progress_compare(sc, baseline, value);
	if (r && r->staged) {
		d->change = progress_stage(sc, value) - progress_stage(sc, baseline);
		staged_text(sc, baseline, value, d);
		return NL_OK;
	}
	d->change = value - baseline;
	vocab_scale_format(sc, baseline, a, sizeof(a));
	vocab_scale_format(sc, value, b, sizeof(b));
	if (r && r->graded) {
		int moved = (int)fabs(d->change);

		if (moved == 0)
			snprintf(d->text, sizeof(d->text), "%s to %s: the same", a, b);
		else
			snprintf(d->text, sizeof(d->text), "%s to %s: %d grade%s %s", a, b, moved,
				 moved == 1 ? "" : "s", verdict_words(d->verdict));
		return NL_OK;
	}
	if (baseline != 0) {
		d->has_percent = true;
		d->percent = d->change / fabs(baseline) * 100.0;
		snprintf(pct, sizeof(pct), " (%+.0f%%)", d->percent);
	}
	snprintf(d->text, sizeof(d->text), "%s to %s%s%s: %+g%s, %s", a, b,
		 r && r->unit[0] ? " " : "", r ? r->unit : "", d->change, pct,
		 verdict_words(d->verdict));
	return NL_OK;
}
