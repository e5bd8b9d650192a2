/* The sessions as CSV for spreadsheets: a header row, then one row per
 * treated area per session, through the core's CSV writer (csvw.h): RFC
 * 4180 quoting (also of ';', for spreadsheets that split on it), CRLF line
 * ends, the guard against formula injection, control characters shown, and
 * a UTF-8 byte order mark first unless the caller asked for none. */
#include <stdlib.h>
#include <string.h>

#include "needlelog/csvw.h"
#include "model.h"

static const char *const columns[] = {
	"patient_id", "patient_name", "series_id", "indication", "series_status",
	"session_id", "session_number", "date", "practitioner", "area",
	"area_label", "depth_mm", "passes", "device", "cartridge", "products",
	"anesthetic", "anesthetic_minutes", "endpoint", "pain", "reaction",
	"adverse_events", "scores", "signed", "signed_at", "signed_by",
	"amendments", "voided", "notes", "next_due",
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* Scores by code ("gais=3; norwood=IIIa"): stable for a spreadsheet. */
static char *scores_by_code(const struct nl_session *e)
{
	size_t cap = 1, len = 0;
	char *s;

	for (size_t i = 0; i < e->nscores; i++)
		cap += strlen(e->scores[i].scale) + 72;
	if (!(s = malloc(cap)))
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < e->nscores; i++) {
		char val[64];

		xm_score(e->scores[i].scale, e->scores[i].value, val, sizeof(val));
		len += (size_t)snprintf(s + len, cap - len, "%s%s=%s", i ? "; " : "",
					e->scores[i].scale, val);
	}
	return s;
}

/* What every area row of a session shares, as text. */
struct session_cells {
	char pid[24], sid[24], id[24], number[32], mins[16], pain[16], count[16];
	char *products, *scores;
};

static void session_cells(const struct xm *m, const struct xm_series *xs,
			  const struct nl_session_view *v, struct session_cells *sc)
{
	const struct nl_session *e = &v->effective;
	int number = xm_session_number(xs, e->id);

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->pid, sizeof(sc->pid), "%lld", (long long)m->patient.id);
	snprintf(sc->sid, sizeof(sc->sid), "%lld", (long long)xs->series.id);
	snprintf(sc->id, sizeof(sc->id), "%lld", (long long)e->id);
	if (number)
		snprintf(sc->number, sizeof(sc->number), "%d", number);
	if (e->anesthetic_minutes >= 0)
		snprintf(sc->mins, sizeof(sc->mins), "%d", e->anesthetic_minutes);
	if (e->pain >= 0)
		snprintf(sc->pain, sizeof(sc->pain), "%d", e->pain);
	snprintf(sc->count, sizeof(sc->count), "%zu", v->namendments);
	sc->products = xm_join(e->products, e->nproducts, "; ");
	sc->scores = scores_by_code(e);
}

static void area_row(struct nl_csv *w, const struct xm *m, const struct xm_series *xs,
		     const struct nl_session *e, const struct session_cells *sc,
		     const struct nl_treatment *t)
{
	char label[256], depth[32], passes[16] = "";

	xm_area_label(t->area, t->label, label, sizeof(label));
	xm_depth(t->depth_mm, depth, sizeof(depth));
	if (t->passes > 0)
		snprintf(passes, sizeof(passes), "%d", t->passes);
	nl_csv_row(w, (const char *const[]){
		sc->pid, m->patient.name, sc->sid, xs->series.indication, xs->series.status,
		sc->id, sc->number, e->date, e->practitioner, t->area,
		label, depth, passes, e->device, e->cartridge, sc->products,
		e->anesthetic, sc->mins, e->endpoint, sc->pain, e->reaction,
		e->adverse, sc->scores, e->is_signed ? "yes" : "no", e->signed_at, e->signed_by,
		sc->count, e->voided ? "yes" : "no", e->notes, xs->progress.next_due,
	}, NCOLUMNS);
}

static int session_rows(struct nl_csv *w, const struct xm *m, const struct xm_series *xs,
			const struct nl_session_view *v, struct nl_err *err)
{
	const struct nl_session *e = &v->effective;
	struct session_cells sc;
	int rc = NL_OK;

	session_cells(m, xs, v, &sc);
	if ((e->nproducts && !sc.products) || !sc.scores)
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	for (size_t a = 0; rc == NL_OK && a < e->nareas; a++)
		area_row(w, m, xs, e, &sc, &e->areas[a]);
	free(sc.products);
	free(sc.scores);
	return rc;
}

int xw_csv(const struct xm *m, FILE *out, struct nl_err *err)
{
	struct nl_csv w;
	int rc = NL_OK;

	nl_csv_init(&w, out, ',', m->csv_bom);
	nl_csv_row(&w, columns, NCOLUMNS);
	for (size_t i = 0; rc == NL_OK && i < m->nseries; i++)
		for (size_t j = 0; rc == NL_OK && j < m->series[i].nsessions; j++)
			rc = session_rows(&w, m, &m->series[i], &m->series[i].sessions[j], err);
	return rc == NL_OK ? nl_csv_finish(&w, err) : rc;
}
