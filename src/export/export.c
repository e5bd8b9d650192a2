/* The shared part of every export: format names, the model (loaded once,
 * in one read transaction so it is a consistent snapshot), the destination
 * file (new, 0600), the audit row, and formatting helpers the writers
 * share. The writers (text.c, md.c, csv.c, fhir.c, pdf.c) only format. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "needlelog/audit.h"
#include "needlelog/check.h"
#include "needlelog/export.h"
#include "needlelog/text.h"
#include "needlelog/vocab.h"
#include "model.h"

typedef int (*writer_fn)(const struct xm *m, FILE *out, struct nl_err *err);

static const struct {
	const char *name;
	const char *ext;
	enum export_format fmt;
	writer_fn write;
} formats[] = {
	{ "text", "txt", EXPORT_TEXT, xw_text },
	{ "md", "md", EXPORT_MD, xw_md },
	{ "csv", "csv", EXPORT_CSV, xw_csv },
	{ "fhir", "json", EXPORT_FHIR, xw_fhir },
	{ "pdf", "pdf", EXPORT_PDF, xw_pdf },
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static size_t format_index(enum export_format fmt)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].fmt == fmt)
			return i;
	return NFORMATS;
}

int export_format_parse(const char *name, enum export_format *out)
{
	if (name && strcmp(name, "markdown") == 0)
		name = "md";
	for (size_t i = 0; name && i < NFORMATS; i++) {
		if (strcmp(formats[i].name, name) == 0) {
			*out = formats[i].fmt;
			return NL_OK;
		}
	}
	return NL_EUSAGE;
}

const char *export_format_name(enum export_format fmt)
{
	size_t i = format_index(fmt);

	return i < NFORMATS ? formats[i].name : "?";
}

const char *export_format_ext(enum export_format fmt)
{
	size_t i = format_index(fmt);

	return i < NFORMATS ? formats[i].ext : "txt";
}

bool export_format_textlike(enum export_format fmt)
{
	return fmt != EXPORT_PDF;
}

/* ---- the model ---------------------------------------------------------- */

void xm_free(struct xm *m)
{
	for (size_t i = 0; i < m->nseries; i++) {
		struct xm_series *xs = &m->series[i];

		for (size_t j = 0; j < xs->nsessions; j++)
			record_session_view_free(&xs->sessions[j]);
		free(xs->sessions);
		for (size_t j = 0; xs->photo_data && j < xs->nphotos; j++)
			photo_data_free(xs->photo_data[j], xs->photo_len[j]);
		free(xs->photo_data);
		free(xs->photo_len);
		free(xs->pairs);
		photo_list_free(xs->photos, xs->nphotos);
		progress_free(&xs->progress);
		record_series_free(&xs->series);
	}
	free(m->series);
	record_consent_list_free(m->consents, m->nconsents);
	record_patient_free(&m->patient);
	memset(m, 0, sizeof(*m));
}

static int load_sessions(struct record *s, struct xm_series *xs,
			 struct nl_err *err)
{
	struct nl_session *rows = NULL;
	size_t n = 0;
	int rc;

	rc = record_session_list(s, xs->series.id, true, &rows, &n, err);
	if (rc != NL_OK)
		return rc;
	if (n) {
		xs->sessions = calloc(n, sizeof(*xs->sessions));
		if (!xs->sessions)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == NL_OK && i < n; i++) {
		rc = record_session_get(s, rows[i].id, &xs->sessions[i], err);
		if (rc == NL_OK)
			xs->nsessions++;
	}
	record_session_list_free(rows, n);
	return rc;
}

/* The index in xs->photos of photo id, or -1. */
static long photo_index(const struct xm_series *xs, int64_t id)
{
	for (size_t i = 0; i < xs->nphotos; i++)
		if (xs->photos[i].id == id)
			return (long)i;
	return -1;
}

/* One view's comparison pair (photo_pair over the view's photos). */
static int load_pair(struct record *s, struct xm_series *xs, const char *view,
		     struct nl_err *err)
{
	struct nl_photo *v = NULL;
	size_t n = 0;
	long base, now;
	int rc = photo_series_view(s, xs->series.id, view, &v, &n, err);

	if (rc != NL_OK)
		return rc;
	photo_pair(v, n, &base, &now);
	if (base >= 0 && now >= 0) {
		struct xm_photo_pair *pp = &xs->pairs[xs->npairs];

		pp->base = photo_index(xs, v[base].id);
		pp->now = photo_index(xs, v[now].id);
		if (pp->base >= 0 && pp->now >= 0) {
			pp->view = xs->photos[pp->base].view;
			xs->npairs++;
		}
	}
	photo_list_free(v, n);
	return NL_OK;
}

/* The series' photos (metadata only), its consent and its pairs. */
static int load_photos(struct record *s, struct xm_series *xs, struct nl_err *err)
{
	char **views = NULL;
	size_t nviews = 0;
	int rc = photo_list(s, xs->series.patient_id, xs->series.id, NULL, &xs->photos,
			    &xs->nphotos, err);

	if (rc == NL_OK)
		rc = photo_export_allowed(s, xs->series.patient_id, xs->series.id,
					  &xs->photos_allowed, err);
	if (rc == NL_OK)
		rc = photo_series_views(s, xs->series.id, &views, &nviews, err);
	if (rc == NL_OK && nviews && !(xs->pairs = calloc(nviews, sizeof(*xs->pairs))))
		rc = nl_error(err, NL_ENOMEM, "out of memory");
	for (size_t i = 0; rc == NL_OK && i < nviews; i++)
		rc = load_pair(s, xs, views[i], err);
	for (size_t i = 0; i < nviews; i++)
		free(views[i]);
	free(views);
	return rc;
}

static bool in_pair(const struct xm_series *xs, size_t i)
{
	for (size_t k = 0; k < xs->npairs; k++)
		if (xs->pairs[k].base == (long)i || xs->pairs[k].now == (long)i)
			return true;
	return false;
}

int xm_load_photo_data(struct record *s, struct xm *m, enum photo_kind kind,
		       bool pairs_only, struct nl_err *err)
{
	int rc = NL_OK;

	m->photo_images = true;
	for (size_t i = 0; rc == NL_OK && i < m->nseries; i++) {
		struct xm_series *xs = &m->series[i];

		if (!xs->photos_allowed || !xs->nphotos)
			continue;
		xs->photo_data = calloc(xs->nphotos, sizeof(*xs->photo_data));
		xs->photo_len = calloc(xs->nphotos, sizeof(*xs->photo_len));
		if (!xs->photo_data || !xs->photo_len)
			return nl_error(err, NL_ENOMEM, "out of memory");
		for (size_t j = 0; rc == NL_OK && j < xs->nphotos; j++)
			if (!pairs_only || in_pair(xs, j))
				rc = photo_read(s, xs->photos[j].id, kind, &xs->photo_data[j],
						&xs->photo_len[j], err);
	}
	return rc;
}

/* One audit row per photograph whose image went to dest. */
static int audit_photos(struct record *s, const struct xm *m, const char *dest,
			struct nl_err *err)
{
	int rc = NL_OK;

	for (size_t i = 0; rc == NL_OK && i < m->nseries; i++)
		for (size_t j = 0; rc == NL_OK && m->series[i].photo_data &&
				   j < m->series[i].nphotos; j++)
			if (m->series[i].photo_data[j])
				rc = photo_audit_export(s, m->series[i].photos[j].id, dest, err);
	return rc;
}

static int load_series(struct record *s, struct xm *m, int64_t series_id,
		       struct nl_err *err)
{
	struct nl_series *list = NULL;
	size_t n = 0;
	int rc;

	if (series_id) {
		list = calloc(1, sizeof(*list));
		if (!list)
			return nl_error(err, NL_ENOMEM, "out of memory");
		rc = record_series_get(s, series_id, list, err);
		if (rc == NL_OK)
			n = 1;
		if (rc == NL_OK && list->patient_id != m->patient.id)
			rc = nl_error(err, NL_ENOENT, "series %lld is not patient %lld's",
				      (long long)series_id, (long long)m->patient.id);
	} else {
		rc = record_series_list(s, m->patient.id, &list, &n, err);
	}
	if (rc == NL_OK && n) {
		m->series = calloc(n, sizeof(*m->series));
		if (!m->series)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == NL_OK && i < n; i++) {
		struct xm_series *xs = &m->series[i];

		/* The struct moves into the model: list[i] keeps no pointers. */
		xs->series = list[i];
		memset(&list[i], 0, sizeof(list[i]));
		m->nseries++;
		rc = progress_series(s, xs->series.id, m->today, &xs->progress, err);
		if (rc == NL_OK)
			rc = load_sessions(s, xs, err);
		if (rc == NL_OK)
			rc = load_photos(s, xs, err);
	}
	if (series_id) {
		record_series_free(list);
		free(list);
	} else {
		record_series_list_free(list, n);
	}
	return rc;
}

int xm_load(struct record *s, int64_t patient_id, int64_t series_id,
	    struct xm *m, struct nl_err *err)
{
	bool own;
	int rc;

	memset(m, 0, sizeof(*m));
	snprintf(m->today, sizeof(m->today), "%s", record_today(s));
	check_now_utc(m->generated_at);
	m->practice = record_practice(s);
	m->actor = record_actor(s);
	if ((rc = record_file_id(s, m->file_id, err)) != NL_OK)
		return rc;
	m->recipient = record_recipient(s);
	/* One read snapshot: the summary is consistent. */
	if ((rc = record_snapshot_begin(s, &own, err)) != NL_OK)
		return rc;
	rc = record_patient_get(s, patient_id, &m->patient, err);
	if (rc == NL_OK)
		rc = record_consent_list(s, patient_id, &m->consents, &m->nconsents, err);
	if (rc == NL_OK)
		rc = load_series(s, m, series_id, err);
	record_snapshot_end(s, own);
	if (rc != NL_OK)
		xm_free(m);
	return rc;
}

/* ---- destination and audit ----------------------------------------------- */

static int audit_export(struct record *s, int64_t patient_id, int64_t series_id,
			enum export_format fmt, const char *dest,
			struct nl_err *err)
{
	json_t *d = json_object();
	char *text;
	int rc;

	if (!d)
		return nl_error(err, NL_ENOMEM, "out of memory");
	json_object_set_new(d, "format", json_string(export_format_name(fmt)));
	json_object_set_new(d, "series", series_id ? json_integer(series_id)
						   : json_string("all"));
	json_object_set_new(d, "file", json_string(dest ? dest : "stdout"));
	if (record_recipient(s))   /* a disclosure names whom it was to */
		json_object_set_new(d, "recipient", json_string(record_recipient(s)));
	text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(d);
	if (!text)
		return nl_error(err, NL_ENOMEM, "out of memory");
	rc = audit_add(s, AUDIT_EXPORT, AUDIT_PATIENT, patient_id, NULL, text, err);
	free(text);
	return rc;
}

static int write_model(const struct xm *m, enum export_format fmt, FILE *out,
		       struct nl_err *err)
{
	size_t i = format_index(fmt);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	if (i == NFORMATS)
		return nl_error(err, NL_EUSAGE, "unknown export format %d", (int)fmt);
	if (fmt == EXPORT_FHIR || fmt == EXPORT_PDF || fmt == EXPORT_CSV) {
		/* JSON escapes controls itself, the CSV writer shows them, and PDF
		 * is not for a terminal. */
		rc = formats[i].write(m, out, err);
	} else {
		mem = open_memstream(&buf, &len);
		if (!mem)
			return nl_error(err, NL_ENOMEM, "out of memory");
		rc = formats[i].write(m, mem, err);
		if (fclose(mem) != 0 && rc == NL_OK)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
		/* The one terminal sanitizer: a note cannot drive the terminal
		 * the summary is printed on. */
		if (rc == NL_OK && nl_term_fputs(out, buf, true) != 0)
			rc = nl_error(err, NL_EIO, "writing the export: %s", strerror(errno));
		free(buf);
	}
	if (rc == NL_OK && (fflush(out) != 0 || ferror(out)))
		rc = nl_error(err, NL_EIO, "writing the export: %s", strerror(errno));
	return rc;
}

/* --photos: the PDF shows each view's pair from the previews (512 px is
 * ample at the printed size); FHIR carries every photograph's image. */
static int load_images(struct record *s, struct xm *m, enum export_format fmt,
		       const struct export_opts *opts, struct nl_err *err)
{
	if (!opts || !opts->photos)
		return NL_OK;
	if (fmt == EXPORT_PDF)
		return xm_load_photo_data(s, m, PHOTO_PREVIEW, true, err);
	if (fmt == EXPORT_FHIR)
		return xm_load_photo_data(s, m, PHOTO_IMAGE, false, err);
	return nl_error(err, NL_EUSAGE, "photographs go only into a pdf or fhir export");
}

static int write_stream(struct record *s, int64_t patient_id, int64_t series_id,
			enum export_format fmt, FILE *out, const char *dest,
			const struct export_opts *opts, struct nl_err *err)
{
	struct xm m;
	int rc;

	if (!export_format_textlike(fmt))
		return nl_error(err, NL_EUSAGE,
				"a %s export needs a file: give -o FILE",
				export_format_name(fmt));
	rc = xm_load(s, patient_id, series_id, &m, err);
	if (rc != NL_OK)
		return rc;
	m.csv_bom = !(opts && opts->no_bom);
	rc = load_images(s, &m, fmt, opts, err);
	/* Written output cannot be taken back: the audit rows come first, so
	 * no data leaves unrecorded (a file, below, is removed instead). */
	if (rc == NL_OK)
		rc = audit_export(s, patient_id, series_id, fmt, dest, err);
	if (rc == NL_OK)
		rc = audit_photos(s, &m, dest ? dest : "stdout", err);
	if (rc == NL_OK)
		rc = write_model(&m, fmt, out, err);
	xm_free(&m);
	return rc;
}

int export_write_stream(struct record *s, int64_t patient_id,
			int64_t series_id, enum export_format fmt, FILE *out,
			const char *dest, struct nl_err *err)
{
	return write_stream(s, patient_id, series_id, fmt, out, dest, NULL, err);
}

/* Opens path new, 0600 whatever the umask. */
static FILE *create_private(const char *path, struct nl_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	FILE *f;

	if (fd < 0) {
		if (errno == EEXIST)
			nl_error(err, NL_EEXIST,
				 "%s already exists; an export never overwrites a file", path);
		else
			nl_error(err, NL_EIO, "cannot create %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fchmod(fd, 0600) != 0 || !(f = fdopen(fd, "wb"))) {
		nl_error(err, NL_EIO, "cannot create %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return NULL;
	}
	return f;
}

int export_write(struct record *s, int64_t patient_id, int64_t series_id,
		 enum export_format fmt, const char *path, struct nl_err *err)
{
	return export_write_opts(s, patient_id, series_id, fmt, path, NULL, err);
}

int export_write_opts(struct record *s, int64_t patient_id, int64_t series_id,
		      enum export_format fmt, const char *path,
		      const struct export_opts *opts, struct nl_err *err)
{
	struct xm m;
	FILE *f;
	int rc;

	if (!path)
		return write_stream(s, patient_id, series_id, fmt, stdout, NULL, opts, err);
	if (format_index(fmt) == NFORMATS)
		return nl_error(err, NL_EUSAGE, "unknown export format %d", (int)fmt);
	rc = xm_load(s, patient_id, series_id, &m, err);
	if (rc != NL_OK)
		return rc;
	m.csv_bom = !(opts && opts->no_bom);
	rc = load_images(s, &m, fmt, opts, err);
	f = rc == NL_OK ? create_private(path, err) : NULL;
	if (!f) {
		xm_free(&m);
		return err ? err->status : NL_EIO;
	}
	rc = write_model(&m, fmt, f, err);
	if (fsync(fileno(f)) != 0 && rc == NL_OK)
		rc = nl_error(err, NL_EIO, "writing %s: %s", path, strerror(errno));
	if (fclose(f) != 0 && rc == NL_OK)
		rc = nl_error(err, NL_EIO, "writing %s: %s", path, strerror(errno));
	if (rc == NL_OK) {
		char *abs = realpath(path, NULL);

		rc = audit_export(s, patient_id, series_id, fmt, abs ? abs : path, err);
		if (rc == NL_OK)
			rc = audit_photos(s, &m, abs ? abs : path, err);
		free(abs);
	}
	xm_free(&m);
	if (rc != NL_OK)
		unlink(path);
	return rc;
}

/* ---- formatting helpers -------------------------------------------------- */

int xm_session_number(const struct xm_series *xs, int64_t session_id)
{
	for (size_t i = 0; i < xs->progress.nsessions; i++)
		if (xs->progress.sessions[i].session_id == session_id)
			return xs->progress.sessions[i].number;
	return 0;
}

const char *xm_indication_label(const char *code)
{
	const struct vocab_indication *v = code ? vocab_indication_find(code) : NULL;

	return v ? v->label : code ? code : "";
}

const char *xm_status_label(const char *code)
{
	const struct vocab_item *v = code ? vocab_status_find(code) : NULL;

	return v ? v->label : code ? code : "";
}

const char *xm_endpoint_label(const char *code)
{
	const struct vocab_item *v = code ? vocab_endpoint_find(code) : NULL;

	return v ? v->label : code ? code : "";
}

const char *xm_scale_label(const char *code)
{
	const struct vocab_scale *v = code ? vocab_scale_find(code) : NULL;

	return v ? v->label : code ? code : "";
}

void xm_area_label(const char *area, const char *label, char *buf, size_t size)
{
	const struct vocab_area *a = area ? vocab_area_find(area) : NULL;
	const char *name = a ? a->label : area ? area : "";

	/* A named scar reads "Scar (appendectomy)", not "A named scar (...)". */
	if (a && a->region == VOCAB_REGION_SCAR && label && *label)
		name = "Scar";
	if (label && *label)
		snprintf(buf, size, "%s (%s)", name, label);
	else
		snprintf(buf, size, "%s", name);
}

void xm_progress_area_label(const char *col, char *buf, size_t size)
{
	const char *colon = strchr(col, ':');
	char code[64];

	if (!colon) {
		xm_area_label(col, NULL, buf, size);
		return;
	}
	snprintf(code, sizeof(code), "%.*s", (int)(colon - col), col);
	xm_area_label(code, colon + 1, buf, size);
}

void xm_depth(double mm, char *buf, size_t size)
{
	snprintf(buf, size, "%.2f", mm);
	/* 1.50 -> 1.5, 1.00 -> 1 */
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf) - 1;

		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
}

void xm_score(const char *scale, double value, char *buf, size_t size)
{
	const struct vocab_scale *sc = scale ? vocab_scale_find(scale) : NULL;

	if (sc)
		vocab_scale_format(sc, value, buf, size);
	else
		snprintf(buf, size, "%g", value);
}

const char *xm_session_status(const struct nl_session_view *v, char *buf,
			      size_t size)
{
	const struct nl_session *e = &v->effective;
	size_t len;

	if (e->voided)
		len = (size_t)snprintf(buf, size, "VOIDED %s by %s: %s",
				       e->voided_at ? e->voided_at : "",
				       e->voided_by ? e->voided_by : "?",
				       e->void_reason ? e->void_reason : "");
	else if (e->is_signed)
		len = (size_t)snprintf(buf, size, "signed %s by %s",
				       e->signed_at ? e->signed_at : "",
				       e->signed_by ? e->signed_by : "?");
	else
		len = (size_t)snprintf(buf, size, "not signed");
	if (v->namendments && len < size) {
		const struct nl_amendment *a = &v->amendments[v->namendments - 1];

		snprintf(buf + len, size - len, "; amended %zu time%s (latest %s by %s: %s)",
			 v->namendments, v->namendments == 1 ? "" : "s",
			 a->at ? a->at : "", a->practitioner ? a->practitioner : "?",
			 a->reason ? a->reason : "");
	}
	return buf;
}

/* A growing string. */
struct xbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void xb_add(struct xbuf *b, const char *t)
{
	size_t n = strlen(t);

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, t, n + 1);
	b->len += n;
}

static char *xb_take(struct xbuf *b)
{
	if (b->oom || !b->s) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

char *xm_areas_text(const struct nl_session *ses)
{
	struct xbuf b = { 0 };

	for (size_t i = 0; i < ses->nareas; i++) {
		const struct nl_treatment *t = &ses->areas[i];
		char label[256], depth[32], item[400];

		xm_area_label(t->area, t->label, label, sizeof(label));
		xm_depth(t->depth_mm, depth, sizeof(depth));
		if (t->passes > 0)
			snprintf(item, sizeof(item), "%s%s %s mm x%d", i ? "; " : "", label,
				 depth, t->passes);
		else
			snprintf(item, sizeof(item), "%s%s %s mm", i ? "; " : "", label, depth);
		xb_add(&b, item);
	}
	return xb_take(&b);
}

char *xm_join(char *const *items, size_t n, const char *sep)
{
	struct xbuf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (i)
			xb_add(&b, sep);
		xb_add(&b, items[i] ? items[i] : "");
	}
	return xb_take(&b);
}

char *xm_scores_text(const struct nl_score *sc, size_t n)
{
	struct xbuf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		char v[64];

		xm_score(sc[i].scale, sc[i].value, v, sizeof(v));
		if (i)
			xb_add(&b, "; ");
		xb_add(&b, xm_scale_label(sc[i].scale));
		xb_add(&b, " ");
		xb_add(&b, v);
	}
	return xb_take(&b);
}

const char *xm_next_due_text(const struct nl_progress *p, char *buf, size_t size)
{
	switch (p->due) {
	case PROGRESS_COMPLETE:
		snprintf(buf, size, "none: all %d planned sessions done", p->planned);
		break;
	case PROGRESS_INACTIVE:
		snprintf(buf, size, "none: the series is not active");
		break;
	case PROGRESS_OVERDUE:
		snprintf(buf, size, "%s (overdue by %d day%s)", p->next_due,
			 -p->days_until_due, p->days_until_due == -1 ? "" : "s");
		break;
	case PROGRESS_DUE:
		snprintf(buf, size, "%s (due today)", p->next_due);
		break;
	default:
		snprintf(buf, size, "%s (in %d day%s)", p->next_due, p->days_until_due,
			 p->days_until_due == 1 ? "" : "s");
		break;
	}
	return buf;
}

/* ---- the clinical record's lists -------------------------------------------- */

const char *xm_sex_label(const char *code)
{
	const struct clin_code *c = code ? clin_find(clin_sexes, clin_sex_count, code) : NULL;

	return c ? c->label : code ? code : "";
}

static const char *clin_label(const struct clin_code *t, size_t n, const char *code)
{
	const struct clin_code *c = code ? clin_find(t, n, code) : NULL;

	return c ? c->label : code ? code : "";
}

const char *xm_photo_view_label(const char *code)
{
	return clin_label(photo_views, photo_view_count, code);
}

/* Appends "sep label value" when value is set. */
static void xb_part(struct xbuf *b, const char *sep, const char *label,
		    const char *value)
{
	if (!value || !*value)
		return;
	xb_add(b, sep);
	xb_add(b, label);
	xb_add(b, value);
}

char *xm_allergy_text(const struct nl_allergy *a)
{
	struct xbuf b = { 0 };

	xb_add(&b, clin_label(clin_allergens, clin_allergen_count, a->code));
	xb_part(&b, ": ", "", a->reaction);
	xb_part(&b, a->reaction ? ", " : ": ", "",
		a->severity ? clin_label(clin_severities, clin_severity_count, a->severity)
			    : NULL);
	xb_part(&b, "; ", "noted ", a->date);
	xb_part(&b, "; ", "no longer applies after ", a->end_date);
	xb_part(&b, "; ", "", a->note);
	return xb_take(&b);
}

char *xm_medication_text(const struct nl_medication *m)
{
	struct xbuf b = { 0 };

	xb_add(&b, m->name ? m->name : clin_label(clin_medications, clin_medication_count,
						    m->code));
	if (m->name) {
		xb_add(&b, " (");
		xb_add(&b, clin_label(clin_medications, clin_medication_count, m->code));
		xb_add(&b, ")");
	}
	xb_part(&b, "; ", "from ", m->start);
	xb_part(&b, "; ", "stopped ", m->stop);
	xb_part(&b, "; ", "", m->note);
	return xb_take(&b);
}

char *xm_consent_text(const struct nl_consent *c)
{
	struct xbuf b = { 0 };

	xb_add(&b, clin_label(clin_consent_kinds, clin_consent_kind_count, c->kind));
	xb_add(&b, c->covers ? " for " : " for every indication");
	if (c->covers)
		xb_add(&b, xm_indication_label(c->covers));
	xb_part(&b, ", ", "given ", c->given);
	xb_part(&b, " ", "to ", c->taken_by);
	xb_part(&b, "; ", "form ", c->form);
	xb_part(&b, "; ", "WITHDRAWN ", c->withdrawn);
	return xb_take(&b);
}

const char *xm_plan_text(const struct nl_series *sr, char *buf, size_t size)
{
	return plan_text(sr, buf, size);
}

char *xm_lots_text(const struct nl_session *ses)
{
	struct xbuf b = { 0 };
	bool any = false;

	if (ses->cartridge_lot || ses->cartridge_expiry) {
		xb_add(&b, ses->cartridge ? ses->cartridge : "cartridge");
		xb_part(&b, " ", "lot ", ses->cartridge_lot);
		xb_part(&b, " ", "(exp. ", ses->cartridge_expiry);
		if (ses->cartridge_expiry)
			xb_add(&b, ")");
		any = true;
	}
	for (size_t i = 0; i < ses->nproduct_lots && i < ses->nproducts; i++) {
		const struct nl_product_lot *l = &ses->product_lots[i];

		if (!l->lot && !l->expiry)
			continue;
		xb_add(&b, any ? "; " : "");
		xb_add(&b, ses->products[i]);
		xb_part(&b, " ", "lot ", l->lot);
		xb_part(&b, " ", "(exp. ", l->expiry);
		if (l->expiry)
			xb_add(&b, ")");
		any = true;
	}
	if (!any) {
		free(b.s);
		return NULL;
	}
	return xb_take(&b);
}

const char *xm_photo_text(const struct nl_photo *ph, char *buf, size_t size)
{
	char view[300];

	/* The timepoint's code reads well ("baseline", "follow-up"). */
	snprintf(buf, size, "photo %lld: %s; %s; taken %s by %s", (long long)ph->id,
		 xm_photo_view_text(ph, view, sizeof(view)), ph->timepoint ? ph->timepoint : "", ph->taken ? ph->taken : "?",
		 ph->taken_by ? ph->taken_by : "unknown");
	return buf;
}

const char *xm_photo_view_text(const struct nl_photo *ph, char *buf, size_t size)
{
	char where[256];

	/* A site is named by its area ("Scar (appendectomy)"), not the view. */
	if (ph->view && strcmp(ph->view, PHOTO_VIEW_SITE) == 0) {
		xm_area_label(ph->area ? ph->area : "", ph->label, buf, size);
	} else if (ph->area || ph->label) {
		xm_area_label(ph->area ? ph->area : "", ph->label, where, sizeof(where));
		snprintf(buf, size, "%s (%s)", xm_photo_view_label(ph->view), where);
	} else {
		snprintf(buf, size, "%s", xm_photo_view_label(ph->view));
	}
	return buf;
}

const char *xm_photo_withheld(const struct xm *m, const struct xm_series *xs)
{
	if (!xs->photos_allowed)
		return "images withheld: no clinical-photography consent in force covers "
		       "sharing them for this series";
	if (!m->photo_images)
		return "images not included (export --format pdf or fhir with --photos "
		       "to include them)";
	return NULL;
}
