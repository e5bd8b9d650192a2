/* photo add / list / show / export / compare: clinical photographs, stored
 * inside the encrypted record file, looked at in the terminal. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "needlelog/image.h"
#include "needlelog/photo.h"
#include "needlelog/render.h"
#include "needlelog/text.h"
#include "needlelog/value.h"
#include "out.h"

#define PHOTO_FILES_MAX 100

/* ---- add ------------------------------------------------------------------- */

/* The facts every file of one `photo add` shares, from the options. */
static int add_meta(struct cli *c, struct nl_photo *p, char date[11], struct nl_err *err)
{
	const char *taken = cli_str(c, "taken");
	int rc = cli_id(c, "patient", &p->patient_id, err);

	if (rc == NL_OK)
		rc = cli_id(c, "series", &p->series_id, err);
	if (rc == NL_OK)
		rc = cli_id(c, "session", &p->session_id, err);
	if (rc == NL_OK && (!p->patient_id || !cli_str(c, "view")))
		return cli_usage(c, err, "--patient ID and --view VIEW are required");
	if (rc == NL_OK && taken) {
		rc = nl_parse_date("--taken", taken, date, err);
		p->taken = date;
	}
	p->view = (char *)cli_str(c, "view");
	p->area = (char *)cli_str(c, "area");
	p->label = (char *)cli_str(c, "label");
	p->timepoint = (char *)cli_str(c, "timepoint");
	p->taken_by = (char *)cli_practitioner(c);
	return rc;
}

/* err's message, led by the file's name. */
static int name_file(struct nl_err *err, int rc, const char *path, const char *tail)
{
	char shown[NL_QUOTE_BUF], msg[sizeof(err->msg)];

	snprintf(msg, sizeof(msg), "%s", err->msg);
	return nl_error(err, rc, "%s: %s%s", nl_quote_value(path, shown, sizeof(shown)), msg,
			tail);
}

/* One file: read, decoded, stripped, stored. Errors name the file. */
static int add_file(struct cli *c, struct nl_photo *p, const char *path, int64_t *id,
		    struct nl_err *err)
{
	struct image_import im;
	unsigned char *buf = NULL;
	size_t len = 0;
	char *given_taken = p->taken;
	int rc = image_read_file(path, &buf, &len, err);

	if (rc == NL_OK) {
		rc = image_import(buf, len, &im, err);
		image_bytes_free(buf, len);
	}
	if (rc != NL_OK)
		return name_file(err, rc, path, "; nothing stored");
	if (!p->taken)
		p->taken = im.taken[0] ? im.taken : (char *)record_today(c->rec);
	struct photo_bytes b = { im.image, im.image_len, im.preview, im.preview_len, im.source,
				 im.width, im.height };
	rc = photo_add(c->rec, p, &b, id, err);
	if (rc != NL_OK)
		name_file(err, rc, path, "");
	p->taken = given_taken;
	image_import_free(&im);
	return rc;
}

static int run_add(struct cli *c, struct nl_err *err)
{
	struct nl_photo p = { 0 };
	int64_t ids[PHOTO_FILES_MAX] = { 0 };
	char date[11];
	int rc = add_meta(c, &p, date, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	/* The consent and the facts first: no photo is decoded for nothing. */
	if (rc == NL_OK)
		rc = photo_check(c->rec, &p, err);
	if (rc == NL_OK)
		rc = record_begin(c->rec, err);
	if (rc != NL_OK)
		return rc;
	for (int i = 0; rc == NL_OK && i < c->nargs; i++)
		rc = add_file(c, &p, c->args[i], &ids[i], err);
	if (rc != NL_OK) {
		record_rollback(c->rec);
		return rc;
	}
	if ((rc = record_commit(c->rec, err)) == NL_OK)
		for (int i = 0; i < c->nargs; i++)
			printf("%lld\n", (long long)ids[i]);
	return rc;
}

/* ---- list ------------------------------------------------------------------ */

static const char *const list_head[] = {
	"ID", "TAKEN", "VIEW", "AREA", "TIMEPOINT", "SERIES", "SESSION", "SIZE", "BY",
};

static json_t *photo_json(const struct nl_photo *p)
{
	json_t *o = json_object();

	out_jset(o, "id", json_integer(p->id));
	out_jset(o, "patient_id", json_integer(p->patient_id));
	out_jset(o, "series_id", p->series_id ? json_integer(p->series_id) : json_null());
	out_jset(o, "session_id", p->session_id ? json_integer(p->session_id) : json_null());
	out_jset(o, "view", out_jstr(p->view));
	out_jset(o, "area", out_jstr(p->area));
	out_jset(o, "label", out_jstr(p->label));
	out_jset(o, "timepoint", out_jstr(p->timepoint));
	out_jset(o, "taken", out_jstr(p->taken));
	out_jset(o, "taken_by", out_jstr(p->taken_by));
	out_jset(o, "source", out_jstr(p->source));
	out_jset(o, "width", json_integer(p->width));
	out_jset(o, "height", json_integer(p->height));
	out_jset(o, "bytes", json_integer(p->bytes));
	return o;
}

static int print_table(const struct nl_photo *v, size_t n, enum out_format fmt, bool bom,
		       struct nl_err *err)
{
	struct out_table t;
	int rc = NL_OK;

	out_table_init(&t, list_head, sizeof(list_head) / sizeof(*list_head));
	t.right = 1u << 0 | 1u << 5 | 1u << 6;
	for (size_t i = 0; rc == NL_OK && i < n; i++) {
		char id[24], sr[24] = "", ses[24] = "", size[32];
		const char *cells[] = { id, v[i].taken, v[i].view, v[i].area, v[i].timepoint, sr,
					ses, size, v[i].taken_by };

		snprintf(id, sizeof(id), "%lld", (long long)v[i].id);
		if (v[i].series_id)
			snprintf(sr, sizeof(sr), "%lld", (long long)v[i].series_id);
		if (v[i].session_id)
			snprintf(ses, sizeof(ses), "%lld", (long long)v[i].session_id);
		snprintf(size, sizeof(size), "%dx%d", v[i].width, v[i].height);
		if (out_table_row(&t, cells) != 0)
			rc = nl_error(err, NL_ENOMEM, "out of memory");
	}
	if (rc == NL_OK)
		rc = out_table_print(&t, stdout, fmt, bom, err);
	out_table_free(&t);
	return rc;
}

static int run_list(struct cli *c, struct nl_err *err)
{
	struct nl_photo *v = NULL;
	enum out_format fmt = OUT_TEXT;
	int64_t patient = 0, series = 0;
	size_t n = 0;
	int rc = cli_id(c, "patient", &patient, err);

	if (rc == NL_OK)
		rc = cli_id(c, "series", &series, err);
	if (rc == NL_OK && !patient)
		return cli_usage(c, err, "--patient ID is required");
	if (rc == NL_OK)
		rc = out_format(c, OUT_TEXT | OUT_CSV | OUT_JSON, &fmt, err);
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = photo_list(c->rec, patient, series, cli_str(c, "view"), &v, &n, err);
	if (rc == NL_OK && fmt == OUT_JSON) {
		json_t *a = json_array();

		for (size_t i = 0; a && i < n; i++)
			json_array_append_new(a, photo_json(&v[i]));
		rc = out_json_print(a, err);
	} else if (rc == NL_OK) {
		rc = print_table(v, n, fmt, cli_flag(c, "bom"), err);
	}
	photo_list_free(v, n);
	return rc;
}

/* ---- drawing ---------------------------------------------------------------- */

/* The terminal's width in columns (80 when unknown). */
static int term_cols(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && atoi(env) > 0)
		return atoi(env);
	return 80;
}

/* Colours the terminal has, for symbols: NO_COLOR, 256 or true colour. */
static int term_colors(void)
{
	const char *term = getenv("TERM"), *ct = getenv("COLORTERM");

	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		return 0;
	if (ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0))
		return 16777216;
	return term && strstr(term, "256") ? 256 : 8;
}

/* Photo id's preview drawn into cols x rows cells at most (*cols, *rows
 * get the size used). */
static int draw(struct cli *c, int64_t id, enum render_mode m, int *cols, int *rows,
		char **out, size_t *len, struct nl_err *err)
{
	struct image_pixels px;
	unsigned char *data = NULL;
	size_t dlen = 0;
	int rc = photo_read(c->rec, id, PHOTO_PREVIEW, &data, &dlen, err);

	if (rc == NL_OK)
		rc = image_decode_fit(data, dlen, *cols * 8, *rows * 16, &px, err);
	photo_data_free(data, dlen);
	if (rc != NL_OK)
		return rc;
	render_fit(px.width, px.height, cols, rows);
	rc = render_print(&px, *cols, *rows, m, term_colors(), out, len, err);
	image_pixels_free(&px);
	return rc;
}

static int graphics(struct cli *c, enum render_mode *m, struct nl_err *err)
{
	return render_mode_resolve(cli_str(c, "graphics"), m, err);
}

static int width_opt(struct cli *c, int *cols, struct nl_err *err)
{
	*cols = term_cols();
	return cli_int(c, "width", 8, 1000, cols, err);
}

/* ---- show, export ----------------------------------------------------------- */

static void print_facts(const struct nl_photo *p)
{
	out_line(stdout, "Photo #%lld: patient %lld, %s, %s, taken %s", (long long)p->id,
		 (long long)p->patient_id, p->view, p->timepoint, p->taken);
	if (p->series_id)
		out_line(stdout, "  Series %lld%s", (long long)p->series_id, "");
	if (p->session_id)
		out_line(stdout, "  Session %lld", (long long)p->session_id);
	out_field(stdout, 2, "Area:", p->area);
	out_field(stdout, 2, "Label:", p->label);
	out_field(stdout, 2, "Taken by:", p->taken_by);
	out_line(stdout, "  Stored: %dx%d JPEG, %lld bytes, from %s", p->width, p->height,
		 (long long)p->bytes, p->source);
}

static int run_show(struct cli *c, struct nl_err *err)
{
	struct nl_photo p = { 0 };
	enum render_mode m;
	int64_t id = 0;
	int cols = 0, rows = 0;
	char *pic = NULL;
	size_t len = 0;
	int rc = cli_arg_id(c, 0, "photo", &id, err);

	if (rc == NL_OK)
		rc = graphics(c, &m, err);
	if (rc == NL_OK)
		rc = width_opt(c, &cols, err);
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = photo_get(c->rec, id, &p, err);
	rows = cols / 2;
	if (rc == NL_OK)
		rc = draw(c, id, m, &cols, &rows, &pic, &len, err);
	if (rc == NL_OK) {
		print_facts(&p);
		fwrite(pic, 1, len, stdout);
	}
	free(pic);
	photo_free(&p);
	return rc;
}

/* A new file, 0600 whatever the umask; -1 with err filled. */
static int create_new(const char *path, struct nl_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		nl_error(err, errno == EEXIST ? NL_EEXIST : NL_EIO, errno == EEXIST
			 ? "%s already exists; an export never overwrites a file"
			 : "cannot create %s: %s", path, strerror(errno));
	else if (fchmod(fd, 0600) != 0)
		nl_error(err, NL_EIO, "cannot create %s: %s", path, strerror(errno));
	else
		return fd;
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	return -1;
}

/* Writes it all and closes fd; the file is removed on failure. */
static int write_all(int fd, const char *path, const unsigned char *data, size_t len,
		     struct nl_err *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (done < len || fsync(fd) != 0 || close(fd) != 0) {
		int e = errno;

		close(fd);
		unlink(path);
		return nl_error(err, NL_EIO, "cannot write %s: %s", path, strerror(e));
	}
	return NL_OK;
}

static int run_export(struct cli *c, struct nl_err *err)
{
	const char *path = cli_str(c, "output");
	unsigned char *data = NULL;
	size_t len = 0;
	int64_t id = 0;
	int fd = -1;
	int rc = cli_arg_id(c, 0, "photo", &id, err);

	if (rc == NL_OK && !path)
		return cli_usage(c, err, "-o FILE is required");
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = photo_read(c->rec, id, PHOTO_IMAGE, &data, &len, err);
	if (rc == NL_OK && (fd = create_new(path, err)) < 0)
		rc = err->status;
	/* Audited before a byte is written: no photograph leaves unrecorded. */
	if (rc == NL_OK && (rc = photo_audit_export(c->rec, id, path, err)) != NL_OK) {
		close(fd);
		unlink(path);
	}
	if (rc == NL_OK)
		rc = write_all(fd, path, data, len, err);
	if (rc == NL_OK)
		fprintf(stderr, "needlelog: %s holds a clinical photograph in plaintext (mode 0600)\n",
			path);
	photo_data_free(data, len);
	return rc;
}

/* ---- compare ----------------------------------------------------------------- */

/* Two drawings side by side, line by line, each left line padded to cols. */
static void side_by_side(const char *a, const char *b, int cols)
{
	while (*a || *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		fwrite(a, 1, la, stdout);
		fputs("\033[0m", stdout);
		if (!la)
			printf("%*s", cols, "");
		printf("  ");
		fwrite(b, 1, lb, stdout);
		fputs("\033[0m\n", stdout);
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
}

static void caption(const char *what, const struct nl_photo *p, int cols)
{
	char line[128];

	snprintf(line, sizeof(line), "%s: %s (photo %lld, %s)", what, p->taken,
		 (long long)p->id, p->timepoint);
	out_pad(stdout, line, (size_t)cols);
}

static int compare_print(struct cli *c, const struct nl_photo *pa, const struct nl_photo *pb,
			 enum render_mode m, int cols, struct nl_err *err)
{
	char *a = NULL, *b = NULL;
	size_t la, lb;
	int half = (cols - 2) / 2, ca = half, cb = half, ra = half / 2, rb = ra;
	int rc = draw(c, pa->id, m, &ca, &ra, &a, &la, err);

	if (rc == NL_OK)
		rc = draw(c, pb->id, m, &cb, &rb, &b, &lb, err);
	if (rc == NL_OK && m == RENDER_SYMBOLS) {
		caption("baseline", pa, half);
		printf("  ");
		caption("now", pb, half);
		putchar('\n');
		side_by_side(a, b, ca);
	} else if (rc == NL_OK) {
		/* Graphics cannot share a line: one above the other. */
		caption("baseline", pa, half);
		printf("\n%s", a);
		caption("now", pb, half);
		printf("\n%s", b);
	}
	free(a);
	free(b);
	return rc;
}

static int run_compare(struct cli *c, struct nl_err *err)
{
	struct nl_photo *v = NULL;
	const char *view = cli_str(c, "view");
	enum render_mode m;
	int64_t series = 0;
	long base = -1, now = -1;
	size_t n = 0;
	int cols = 0;
	int rc = cli_id(c, "series", &series, err);

	if (rc == NL_OK && (!series || !view))
		return cli_usage(c, err, "--series ID and --view VIEW are required");
	if (rc == NL_OK)
		rc = graphics(c, &m, err);
	if (rc == NL_OK)
		rc = width_opt(c, &cols, err);
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = photo_series_view(c->rec, series, view, &v, &n, err);
	photo_pair(v, n, &base, &now);
	if (rc == NL_OK && n < 2)
		rc = nl_error(err, NL_ENOENT, "series %lld has %s of view '%s': nothing to compare",
			      (long long)series, n ? "one photo" : "no photos", view);
	if (rc == NL_OK)
		rc = compare_print(c, &v[base], &v[now], m, cols, err);
	photo_list_free(v, n);
	return rc;
}

/* ---- the demo's photographs ------------------------------------------------------ */

/* One generated picture of a series at progress (0 baseline, 1 now). */
static int demo_photo(struct record *r, const struct nl_series *sr, const char *view,
		      const char *date, double progress, struct nl_err *err)
{
	struct nl_photo p = { .patient_id = sr->patient_id, .series_id = sr->id,
			      .view = (char *)view, .taken = (char *)date,
			      .timepoint = progress > 0 ? "session" : "baseline" };
	struct image_import im;
	unsigned char *buf = NULL;
	size_t len = 0;
	int64_t id;
	int rc = image_synthetic(640, 480, progress, (unsigned)sr->id * 7919u + (view[0] == 'f'),
				 "jpeg", &buf, &len, err);

	if (rc == NL_OK)
		rc = image_import(buf, len, &im, err);
	image_bytes_free(buf, len);
	if (rc != NL_OK)
		return rc;
	struct photo_bytes b = { im.image, im.image_len, im.preview, im.preview_len, im.source,
				 im.width, im.height };
	rc = photo_add(r, &p, &b, &id, err);
	image_import_free(&im);
	return rc;
}

/* Consent where there is none, then frontal and oblique photos at the start, half way and the
 * latest session of a series with sessions. */
static int demo_series_photos(struct record *r, const struct nl_series *sr,
			      struct nl_err *err)
{
	struct nl_consent c = { .patient_id = sr->patient_id, .kind = CLIN_CONSENT_PHOTO,
				.given = sr->start_date, .form = "Clinical photography v2" };
	struct nl_session *ses = NULL;
	size_t n = 0;
	int64_t cid;
	bool consented = false;
	int rc = record_session_list(r, sr->id, false, &ses, &n, err);

	/* The demo's consents may already cover photography: add one only if not. */
	if (rc == NL_OK && n >= 2)
		rc = record_photo_consent(r, sr->patient_id, sr->id, sr->start_date, false,
					  &consented, err);
	if (rc == NL_OK && n >= 2 && !consented)
		rc = record_consent_add(r, &c, &cid, err);
	for (int k = 0; rc == NL_OK && n >= 2 && k < 3; k++) {
		const char *date = k == 0 ? sr->start_date : ses[k == 1 ? n / 2 : n - 1].date;

		rc = demo_photo(r, sr, "frontal", date, k / 2.0, err);
		if (rc == NL_OK && k != 1)
			rc = demo_photo(r, sr, "oblique-l", date, k / 2.0, err);
	}
	record_session_list_free(ses, n);
	return rc;
}

int cli_demo_photos(struct record *r, struct nl_err *err)
{
	int rc = NL_OK;

	for (int64_t id = 1; rc == NL_OK && id <= 3; id++) {
		struct nl_series sr;

		if (record_series_get(r, id, &sr, NULL) != NL_OK)
			continue;
		rc = demo_series_photos(r, &sr, err);
		record_series_free(&sr);
	}
	return rc;
}

/* ---- the table ---------------------------------------------------------------- */

#define PHOTO_OPT_GRAPHICS \
	{ "graphics", "MODE", 0, "auto (default), symbols, sixel or kitty (else\n" \
	  "$NEEDLELOG_GRAPHICS)" }, \
	{ "width", "COLS", 0, "columns to draw in (default: the terminal's)" }

static const struct cli_opt add_opts[] = {
	{ "patient", "ID", 0, "the patient (required)" },
	{ "series", "ID", 0, "the series the photos belong to" },
	{ "session", "ID", 0, "the session (of that series)" },
	{ "view", "VIEW", 0, "frontal, oblique-l, oblique-r, lateral-l, lateral-r,\n"
	  "vertex, hairline, part, temporal-l, temporal-r, occipital,\n"
	  "marked-site, or site (a body area or scar: give --area)" },
	{ "area", "AREA", 0, "the area (see `needlelog vocab`)" },
	{ "label", "TEXT", 0, "a free label (which scar)" },
	{ "timepoint", "WHEN", 0, "baseline, session or follow-up (default: session\n"
	  "with --session, baseline before the first session, else follow-up)" },
	{ "taken", "DATE", 0, "the date taken (default: the camera's, else today)" },
	CLI_OPT_PRACTITIONER,
	CLI_OPT_TODAY("the day consent is judged on"),
	{ 0 },
};

static const struct cli_opt list_opts[] = {
	{ "patient", "ID", 0, "the patient (required)" },
	{ "series", "ID", 0, "only this series" },
	{ "view", "VIEW", 0, "only this view" },
	OUT_OPT_FORMAT("text (default), csv or json"),
	OUT_OPT_BOM,
	{ 0 },
};

static const struct cli_opt show_opts[] = { PHOTO_OPT_GRAPHICS, { 0 } };

static const struct cli_opt export_opts[] = {
	{ "output", "FILE", CLI_SHORT('o'), "where to write the JPEG (a new file, mode 0600)" },
	CLI_OPT_PRACTITIONER,
	{ 0 },
};

static const struct cli_opt compare_opts[] = {
	{ "series", "ID", 0, "the series (required)" },
	{ "view", "VIEW", 0, "the view (required)" },
	PHOTO_OPT_GRAPHICS,
	{ 0 },
};

const struct cli_command cli_photo_commands[] = {
	{ "photo", "add", "FILE...", 1, PHOTO_FILES_MAX,
	  "Store photographs, encrypted, metadata stripped; print their ids.\n"
	  "JPEG, PNG, WebP or HEIC. The orientation is applied; location, serial\n"
	  "numbers and every other metadata block are removed; the camera's capture\n"
	  "date is kept as the date taken. The image is stored at full quality with\n"
	  "its long edge at most 4096 px, plus a 512 px preview. Needs clinical-\n"
	  "photography consent in force (exit 65 without). All files or none.",
	  add_opts, run_add },
	{ "photo", "list", NULL, 0, 0,
	  "A patient's photographs, by date taken.", list_opts, run_list },
	{ "photo", "show", "ID", 1, 1,
	  "Draw a photograph in the terminal, with its facts.\n"
	  "Sixel or kitty graphics where the terminal has them, else Unicode block\n"
	  "symbols (over SSH and in tmux). Nothing is written to a file.",
	  show_opts, run_show },
	{ "photo", "export", "ID", 1, 1,
	  "Write a photograph to a new file (JPEG, mode 0600; audited).\n"
	  "The file is plaintext: it never overwrites one (exit 73).",
	  export_opts, run_export },
	{ "photo", "compare", NULL, 0, 0,
	  "The same view at baseline and now, side by side, with their dates.",
	  compare_opts, run_compare },
	{ 0 },
};
