/* The follow-up summary as plain text, for a terminal or a printer. */
#include <stdlib.h>
#include <string.h>

#include "needlelog/vocab.h"
#include "model.h"

/* "label value"; the lines of a value after its first are indented to
 * line up under it. */
static void line(FILE *out, const char *label, const char *value)
{
	int indent = (int)strlen(label);

	if (!value || !*value)
		return;
	fputs(label, out);
	for (; *value; value++) {
		if (*value == '\r')
			continue;
		fputc(*value, out);
		if (*value == '\n')
			fprintf(out, "%*s", indent, "");
	}
	fputc('\n', out);
}

/* One labelled line an item, the label on the first only. */
static void item(FILE *out, const char *label, size_t i, char *text)
{
	line(out, i ? "               " : label, text);
	free(text);
}

static void lists(const struct xm *m, FILE *out)
{
	const struct nl_patient *p = &m->patient;

	if (!p->nallergy_list)
		line(out, "Allergies:     ", "none recorded");
	for (size_t i = 0; i < p->nallergy_list; i++)
		item(out, "Allergies:     ", i, xm_allergy_text(&p->allergy_list[i]));
	if (!p->nmedication_list)
		line(out, "Medications:   ", "none recorded");
	for (size_t i = 0; i < p->nmedication_list; i++)
		item(out, "Medications:   ", i, xm_medication_text(&p->medication_list[i]));
	for (size_t i = 0; i < m->nconsents; i++)
		item(out, "Consents:      ", i, xm_consent_text(&m->consents[i]));
}

static void patient_block(const struct xm *m, FILE *out)
{
	const struct nl_patient *p = &m->patient;

	fprintf(out, "FOLLOW-UP SUMMARY\n");
	line(out, "Practice:      ", m->practice);
	line(out, "For:           ", m->recipient);
	fprintf(out, "Patient:       %s (id %lld)%s\n", p->name, (long long)p->id,
		p->archived ? " [archived]" : "");
	line(out, "Born:          ", p->dob);
	line(out, "Sex:           ", p->sex ? xm_sex_label(p->sex) : NULL);
	line(out, "Skin type:     Fitzpatrick ", vocab_fitzpatrick_label(p->skin_type));
	line(out, "Phone:         ", p->phone);
	line(out, "Email:         ", p->email);
	for (size_t i = 0; i < p->nflags; i++) {
		const struct vocab_flag *f = vocab_flag_find(p->flags[i].code);

		fprintf(out, "%s%s", i ? "               " : "Flags:         ",
			f ? f->label : p->flags[i].code);
		if (p->flags[i].date)
			fprintf(out, " (%s%s%s)", p->flags[i].date,
				p->flags[i].end_date ? " to " : "",
				p->flags[i].end_date ? p->flags[i].end_date : "");
		if (p->flags[i].note)
			fprintf(out, ": %s", p->flags[i].note);
		fputc('\n', out);
	}
	lists(m, out);
	fprintf(out, "Generated:     %s\n", m->generated_at);
}

static void session_block(const struct xm_series *xs,
			  const struct nl_session_view *v, FILE *out)
{
	const struct nl_session *e = &v->effective;
	int num = xm_session_number(xs, e->id);
	char status[1024];
	char *areas = xm_areas_text(e);
	char *products = xm_join(e->products, e->nproducts, "; ");
	char *scores = xm_scores_text(e->scores, e->nscores);
	char *lots = xm_lots_text(e);

	/* One numbering: #n of the series; the record's own id says "id". */
	if (num)
		fprintf(out, "\n  Session #%d, %s (id %lld)\n", num, e->date, (long long)e->id);
	else
		fprintf(out, "\n  Voided session, %s (id %lld)\n", e->date, (long long)e->id);
	fprintf(out, "    Status:        %s\n", xm_session_status(v, status, sizeof(status)));
	line(out, "    Practitioner:  ", e->practitioner);
	line(out, "    Areas:         ", areas);
	line(out, "    Device:        ", e->device);
	line(out, "    Serial:        ", e->device_serial);
	line(out, "    Cartridge:     ", e->cartridge);
	line(out, "    Lots:          ", lots);
	if (e->anesthetic) {
		fprintf(out, "    Anaesthetic:   %s", e->anesthetic);
		if (e->anesthetic_minutes >= 0)
			fprintf(out, " (%d min)", e->anesthetic_minutes);
		fputc('\n', out);
	}
	line(out, "    Products:      ", products);
	line(out, "    Endpoint:      ", e->endpoint ? xm_endpoint_label(e->endpoint) : NULL);
	if (e->pain >= 0)
		fprintf(out, "    Pain:          %d/10\n", e->pain);
	line(out, "    Reaction:      ", e->reaction);
	line(out, "    Adverse:       ", e->adverse);
	line(out, "    Aftercare:     ", e->aftercare);
	line(out, "    Scores:        ", scores);
	for (size_t i = 0; i < e->nwarnings; i++)
		fprintf(out, "    Warning:       %s\n", e->warnings[i].message);
	line(out, "    Notes:         ", e->notes);
	free(lots);
	free(areas);
	free(products);
	free(scores);
}

static void depth_table(const struct nl_progress *p, FILE *out)
{
	if (!p->nareas || !p->nsessions)
		return;
	fprintf(out, "\n  Depth per area (mm), by session:\n    %-28s", "");
	for (size_t i = 0; i < p->nsessions; i++) {
		char n[16];

		snprintf(n, sizeof(n), "#%d", p->sessions[i].number);
		fprintf(out, " %6s", n);
	}
	fputc('\n', out);
	for (size_t j = 0; j < p->nareas; j++) {
		char label[256];

		xm_progress_area_label(p->areas[j], label, sizeof(label));
		fprintf(out, "    %-28s", label);
		for (size_t i = 0; i < p->nsessions; i++) {
			double d = p->depth_mm[i * p->nareas + j];
			char v[32] = "-";

			if (d >= 0)
				xm_depth(d, v, sizeof(v));
			fprintf(out, " %6s", v);
		}
		fputc('\n', out);
	}
}

/* Every score line dated; the latest read against the baseline as the
 * core reads it (stages, grades, difference and percentage). */
static void scales_block(const struct nl_progress *p, FILE *out)
{
	if (!p->nscales)
		return;
	fprintf(out, "\n  Outcome scores:\n");
	for (size_t k = 0; k < p->nscales; k++) {
		const struct progress_scale *sc = &p->scales[k];
		const char *unit = sc->unit && *sc->unit ? sc->unit : "";
		char v[64];

		fprintf(out, "    %s\n", sc->scale->label);
		if (sc->has_baseline) {
			vocab_scale_format(sc->scale, sc->baseline, v, sizeof(v));
			fprintf(out, "      %s  baseline     %s%s%s\n", sc->baseline_date, v,
				*unit ? " " : "", unit);
		}
		for (size_t i = 0; i < sc->npoints; i++) {
			const struct progress_point *pt = &sc->points[i];
			char n[24];

			vocab_scale_format(sc->scale, pt->value, v, sizeof(v));
			snprintf(n, sizeof(n), "session #%d", p->sessions[pt->session].number);
			fprintf(out, "      %s  %-11s  %s%s%s%s%s%s\n", pt->date, n, v,
				*unit ? " " : "", unit, sc->has_baseline ? "  (" : "",
				sc->has_baseline ? pt->delta.text : "", sc->has_baseline ? ")" : "");
		}
		if (sc->npoints > 1)
			fprintf(out, "      trend: %s\n", progress_trend_name(sc->trend));
	}
}

/* The photos' facts, never their images (text has none). */
static void photos_block(const struct xm *m, const struct xm_series *xs, FILE *out)
{
	char buf[512];

	if (!xs->nphotos)
		return;
	fprintf(out, "\n  Photographs (%zu; %s):\n", xs->nphotos, xm_photo_withheld(m, xs)
		? xm_photo_withheld(m, xs) : "images in the pdf");
	for (size_t i = 0; i < xs->nphotos; i++)
		fprintf(out, "    %s\n", xm_photo_text(&xs->photos[i], buf, sizeof(buf)));
}

static void series_block(const struct xm *m, const struct xm_series *xs, FILE *out)
{
	const struct nl_series *sr = &xs->series;
	const struct nl_progress *p = &xs->progress;
	char due[128], plan[256];

	fprintf(out, "\nSERIES: %s (%s) (id %lld)\n", xm_indication_label(sr->indication),
		xm_status_label(sr->status), (long long)sr->id);
	fprintf(out, "  Plan:          %s from %s\n", xm_plan_text(sr, plan, sizeof(plan)),
		sr->start_date);
	if (sr->nareas) {
		fputs("  Target areas:  ", out);
		for (size_t i = 0; i < sr->nareas; i++) {
			char label[256];

			xm_area_label(sr->areas[i], NULL, label, sizeof(label));
			fprintf(out, "%s%s", i ? "; " : "", label);
		}
		fputc('\n', out);
	}
	line(out, "  Goal:          ", sr->goal);
	fprintf(out, "  Done:          %d of %d\n", p->done, p->planned);
	line(out, "  Last session:  ", p->last_date);
	fprintf(out, "  Next due:      %s\n", xm_next_due_text(p, due, sizeof(due)));
	for (size_t i = 0; i < xs->nsessions; i++)
		session_block(xs, &xs->sessions[i], out);
	depth_table(p, out);
	scales_block(p, out);
	photos_block(m, xs, out);
}

int xw_text(const struct xm *m, FILE *out, struct nl_err *err)
{
	(void)err;
	patient_block(m, out);
	if (!m->nseries)
		fprintf(out, "\nNo treatment series.\n");
	for (size_t i = 0; i < m->nseries; i++)
		series_block(m, &m->series[i], out);
	return NL_OK;
}
