/* session add / show / amend / sign / void. A signed session is never
 * changed: corrections are amendments that keep the original. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "needlelog/clinical.h"
#include "needlelog/record.h"
#include "needlelog/text.h"
#include "needlelog/value.h"
#include "needlelog/vocab.h"
#include "out.h"

/* The options that set a session's fields: add and amend share them. */
#define SESSION_FIELD_OPTS \
	{ "date", "DATE", 0, "the session's date (default today)" }, \
	{ "area", "AREA[=LABEL]:DEPTH_MM[:PASSES]", CLI_REPEAT, "\n" \
	  "a treated area with its needle depth in mm\n" \
	  "(0.1-3.0, '.' or ',' as the decimal separator)\n" \
	  "and passes (1-20); LABEL names a scar\n" \
	  "(scar=appendectomy:2:3)" }, \
	{ "device", "TEXT", 0, "device make and model (a pen, a roller, RF)" }, \
	{ "device-serial", "TEXT", 0, "the device's serial number" }, \
	{ "cartridge", "PRODUCT", 0, "the single-use needle cartridge or tip, e.g.\n" \
	  "12-pin, 36-pin, nano" }, \
	{ "cartridge-lot", "LOT", 0, "the cartridge's lot number (never copied from\n" \
	  "an earlier session)" }, \
	{ "cartridge-expiry", "DATE", 0, "the cartridge's expiry date; past it, a\n" \
	  "warning" }, \
	{ "product", "NAME[:LOT[:EXPIRY]]", CLI_REPEAT, "\n" \
	  "a product, glide or adjunct, with its lot and\n" \
	  "expiry date when known" }, \
	{ "anesthetic", "TEXT", 0, "topical anaesthetic product" }, \
	{ "anesthetic-minutes", "N", 0, "minutes applied, 0-240 (empty: not recorded)" }, \
	{ "endpoint", "CODE", 0, "erythema-mild, erythema-uniform or\npinpoint-bleeding" }, \
	{ "pain", "N", 0, "pain during the session, 0-10 (empty: not\nrecorded)" }, \
	{ "reaction", "TEXT", 0, "immediate reaction" }, \
	{ "adverse", "TEXT", 0, "adverse events" }, \
	{ "aftercare", "TEXT", 0, "aftercare given" }, \
	{ "score", "SCALE=VALUE", CLI_REPEAT, "an outcome score, e.g. gais=3,\n" \
	  "norwood=IIIa, hair-density=140; each scale\n" \
	  "once" }, \
	{ "notes", "TEXT", 0, "clinical notes" }

/* The fields one option sets directly: text, or a number where an empty
 * value means "not recorded" (-1). */
static const struct session_field {
	const char *opt;
	size_t off;
	bool number;
	int min, max;
} session_fields[] = {
	{ "device", offsetof(struct nl_session, device), false, 0, 0 },
	{ "device-serial", offsetof(struct nl_session, device_serial), false, 0, 0 },
	{ "cartridge", offsetof(struct nl_session, cartridge), false, 0, 0 },
	{ "cartridge-lot", offsetof(struct nl_session, cartridge_lot), false, 0, 0 },
	{ "anesthetic", offsetof(struct nl_session, anesthetic), false, 0, 0 },
	{ "endpoint", offsetof(struct nl_session, endpoint), false, 0, 0 },
	{ "reaction", offsetof(struct nl_session, reaction), false, 0, 0 },
	{ "adverse", offsetof(struct nl_session, adverse), false, 0, 0 },
	{ "aftercare", offsetof(struct nl_session, aftercare), false, 0, 0 },
	{ "notes", offsetof(struct nl_session, notes), false, 0, 0 },
	{ "anesthetic-minutes", offsetof(struct nl_session, anesthetic_minutes), true, 0,
	  VOCAB_ANESTHETIC_MINUTES_MAX },
	{ "pain", offsetof(struct nl_session, pain), true, VOCAB_PAIN_MIN, VOCAB_PAIN_MAX },
};

static int apply_field(const struct session_field *f, const char *s,
		       struct nl_session *ses, struct nl_err *err)
{
	void *dst = (char *)ses + f->off;
	char field[64];

	if (!f->number)
		return value_set_text(dst, s, err);
	if (!*s) {
		*(int *)dst = -1;
		return NL_OK;
	}
	snprintf(field, sizeof(field), "--%s", f->opt);
	return nl_parse_int(field, s, f->min, f->max, dst, err);
}

/* A date option given into *dst (an empty value clears an optional one). */
static int apply_date(struct cli *c, const char *opt, char **dst, size_t *given,
		      struct nl_err *err)
{
	const char *s = cli_str(c, opt);
	char date[11], field[40];

	if (!s)
		return NL_OK;
	(*given)++;
	if (!*s && strcmp(opt, "date") != 0)
		return value_set_text(dst, NULL, err);
	snprintf(field, sizeof(field), "--%s", opt);
	if (nl_parse_date(field, s, date, err) != NL_OK)
		return err->status;
	return value_set_text(dst, date, err);
}

/* The dates, the endpoint and the one-value fields given; *given counts. */
static int apply_values(struct cli *c, struct nl_session *ses, size_t *given,
			struct nl_err *err)
{
	const char *s, *ep = cli_str(c, "endpoint");
	char q[NL_QUOTE_BUF];
	int rc = apply_date(c, "date", &ses->date, given, err);

	if (rc == NL_OK)
		rc = apply_date(c, "cartridge-expiry", &ses->cartridge_expiry, given, err);
	if (rc == NL_OK && ep && *ep && !vocab_endpoint_find(ep))
		rc = nl_error(err, NL_EDATA, "--endpoint: unknown endpoint '%s'; use "
			      "erythema-mild, erythema-uniform or pinpoint-bleeding",
			      nl_quote_value(ep, q, sizeof(q)));
	for (size_t i = 0; rc == NL_OK && i < sizeof(session_fields) / sizeof(*session_fields);
	     i++) {
		if ((s = cli_str(c, session_fields[i].opt))) {
			(*given)++;
			rc = apply_field(&session_fields[i], s, ses, err);
		}
	}
	return rc;
}

/* The products and their lots, for --product options to replace. */
static void products_clear(struct nl_session *ses)
{
	for (size_t i = 0; i < ses->nproduct_lots; i++) {
		free(ses->product_lots[i].lot);
		free(ses->product_lots[i].expiry);
	}
	free(ses->product_lots);
	ses->product_lots = NULL;
	ses->nproduct_lots = 0;
	record_strings_free(ses->products, ses->nproducts);
	ses->products = NULL;
	ses->nproducts = 0;
}

/* --area and --product given replace the lists; --score sets one scale at
 * a time (SCALE= removes it). */
static int apply_lists(struct cli *c, struct nl_session *ses, size_t *given,
		       struct nl_err *err)
{
	const char *s;
	size_t pos = 0;
	int rc = NL_OK;

	if (cli_str(c, "area")) {
		(*given)++;
		value_areas_clear(&ses->areas, &ses->nareas);
		while (rc == NL_OK && (s = cli_next(c, "area", &pos)))
			rc = value_area_add("--area", s, &ses->areas, &ses->nareas, err);
	}
	if (rc == NL_OK && cli_str(c, "product")) {
		(*given)++;
		products_clear(ses);
		for (pos = 0; rc == NL_OK && (s = cli_next(c, "product", &pos));)
			rc = *s ? clin_product_add(ses, s, err) : NL_OK;
	}
	if (rc == NL_OK && cli_str(c, "score")) {
		(*given)++;
		rc = out_scores(c, "score", &ses->scores, &ses->nscores, err);
	}
	return rc;
}

/* Every field option given, applied to ses; *given counts them. */
static int apply_fields(struct cli *c, struct nl_session *ses, size_t *given,
			struct nl_err *err)
{
	int rc = apply_values(c, ses, given, err);

	return rc == NL_OK ? apply_lists(c, ses, given, err) : rc;
}

/* ---- add, amend, sign, void ---------------------------------------------- */

/* The command line of `session add` into ses, before the file opens. */
static int add_parse(struct cli *c, struct nl_session *ses, struct nl_err *err)
{
	size_t given = 0;
	int rc = cli_id(c, "series", &ses->series_id, err);

	if (rc == NL_OK && (!ses->series_id || !cli_str(c, "area")))
		return cli_usage(c, err,
				 "--series ID and at least one --area AREA:DEPTH_MM are required");
	if (rc == NL_OK)
		rc = apply_fields(c, ses, &given, err);
	if (rc == NL_OK && cli_flag(c, "sign") && !cli_practitioner(c))
		rc = nl_error(err, NL_EUSAGE, "--sign needs a practitioner: give --practitioner "
			      "NAME or set NEEDLELOG_PRACTITIONER");
	if (rc == NL_OK)
		rc = value_set_text(&ses->practitioner, cli_practitioner(c), err);
	return rc;
}

static int run_add(struct cli *c, struct nl_err *err)
{
	struct nl_warning *w = NULL;
	struct nl_session ses;
	size_t nw = 0;
	int64_t id = 0;
	int rc;

	record_session_init(&ses);
	rc = add_parse(c, &ses, err);
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK && !ses.date)
		rc = value_set_text(&ses.date, record_today(c->rec), err);
	if (rc == NL_OK)
		rc = record_session_add(c->rec, &ses, cli_flag(c, "sign"), &w, &nw, &id, err);
	if (rc == NL_OK) {
		printf("%lld\n", (long long)id);
		out_warnings(w, nw);
	}
	record_warnings_free(w, nw);
	record_session_free(&ses);
	return rc;
}

/* The command line of `session amend`, checked on a scratch session so
 * that a bad value fails before the file opens. */
static int amend_parse(struct cli *c, int64_t *id, struct nl_err *err)
{
	const char *reason = cli_str(c, "reason");
	struct nl_session scratch;
	size_t given = 0;
	int rc = cli_arg_id(c, 0, "session", id, err);

	if (rc == NL_OK && (!reason || !*reason))
		return cli_usage(c, err, "--reason TEXT is required: say why the record changes");
	record_session_init(&scratch);
	if (rc == NL_OK)
		rc = apply_fields(c, &scratch, &given, err);
	record_session_free(&scratch);
	if (rc == NL_OK && given == 0)
		rc = cli_usage(c, err, "nothing to amend: give at least one field");
	return rc;
}

static int run_amend(struct cli *c, struct nl_err *err)
{
	struct nl_session_view v = { 0 };
	struct nl_session ses = { 0 };
	struct nl_warning *w = NULL;
	size_t nw = 0, given = 0;
	int64_t id = 0, aid = 0;
	int rc = amend_parse(c, &id, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_session_get(c->rec, id, &v, err);
	if (rc == NL_OK)
		rc = record_session_copy(&ses, &v.effective, err);
	if (rc == NL_OK)
		rc = apply_fields(c, &ses, &given, err);
	if (rc == NL_OK)
		rc = record_session_amend(c->rec, id, &ses, cli_str(c, "reason"),
					  cli_practitioner(c), &w, &nw, &aid, err);
	if (rc == NL_OK) {
		printf("Session #%lld amended (amendment #%lld); the original stays readable\n",
		       (long long)id, (long long)aid);
		out_warnings(w, nw);
	}
	record_warnings_free(w, nw);
	record_session_view_free(&v);
	record_session_free(&ses);
	return rc;
}

static int run_sign(struct cli *c, struct nl_err *err)
{
	struct nl_session_view v = { 0 };
	const char *by = cli_practitioner(c);
	int64_t id = 0;
	int rc = cli_arg_id(c, 0, "session", &id, err);

	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_session_get(c->rec, id, &v, err);
	/* Without --practitioner, the session's own practitioner signs (a
	 * NULL "by"); the actor only when the session names nobody. */
	if (rc == NL_OK && !cli_str(c, "practitioner") && v.original.practitioner)
		by = NULL;
	record_session_view_free(&v);
	if (rc == NL_OK)
		rc = record_session_sign(c->rec, id, by, err);
	if (rc == NL_OK)
		rc = record_session_get(c->rec, id, &v, err);
	if (rc == NL_OK)
		out_line(stdout, "Session #%lld signed by %s at %s; hash %s", (long long)id,
			 v.original.signed_by ? v.original.signed_by : "?",
			 v.original.signed_at ? v.original.signed_at : "?",
			 v.original.hash ? v.original.hash : "?");
	record_session_view_free(&v);
	return rc;
}

static int run_void(struct cli *c, struct nl_err *err)
{
	const char *reason = cli_str(c, "reason");
	int64_t id = 0;
	int rc = cli_arg_id(c, 0, "session", &id, err);

	if (rc == NL_OK && (!reason || !*reason))
		return cli_usage(c, err, "--reason TEXT is required: say why the session is voided");
	if (rc == NL_OK)
		rc = cli_open(c, err);
	if (rc == NL_OK)
		rc = record_session_void(c->rec, id, reason, cli_practitioner(c), err);
	if (rc == NL_OK)
		printf("Session #%lld voided; it stays readable and leaves the progress\n",
		       (long long)id);
	return rc;
}

/* ---- show ---------------------------------------------------------------- */

static void line(const char *label, const char *value)
{
	out_field(stdout, 2, label, value);
}

/* "lidocaine 23%, 30 min"; NULL when neither is recorded. */
static char *anesthetic_text(const struct nl_session *ses)
{
	char *s = NULL;

	if (ses->anesthetic_minutes >= 0 &&
	    asprintf(&s, "%s%s%d min", ses->anesthetic ? ses->anesthetic : "",
		     ses->anesthetic ? ", " : "", ses->anesthetic_minutes) < 0)
		return NULL;
	if (ses->anesthetic_minutes < 0 && ses->anesthetic)
		s = strdup(ses->anesthetic);
	return s;
}

/* "NAME, lot LOT, expires DATE": an item with what is recorded of its
 * lot; NULL when there is no item nor lot. */
static char *item_text(const char *name, const char *what, const char *lot,
		       const char *expiry)
{
	char *s = NULL;

	if (!name && !lot && !expiry)
		return NULL;
	if (asprintf(&s, "%s%s%s%s%s%s%s", name ? name : "(not recorded)",
		     lot ? ", " : "", lot ? what : "", lot ? lot : "",
		     expiry ? ", expires " : "", expiry ? expiry : "", "") < 0)
		return NULL;
	return s;
}

/* The products, each with its lot and expiry: "PRP; minoxidil, lot M1". */
static char *products_text(const struct nl_session *ses)
{
	char **items = calloc(ses->nproducts + 1, sizeof(*items)), *s = NULL;

	for (size_t i = 0; items && i < ses->nproducts; i++) {
		const struct nl_product_lot *l = i < ses->nproduct_lots ? &ses->product_lots[i]
									 : NULL;

		items[i] = item_text(ses->products[i], "lot ", l ? l->lot : NULL,
				     l ? l->expiry : NULL);
		if (!items[i])
			items[i] = strdup("?");
	}
	if (items)
		s = value_join(items, ses->nproducts, "; ");
	for (size_t i = 0; items && i < ses->nproducts; i++)
		free(items[i]);
	free(items);
	return s;
}

static void print_fields(const struct nl_session *ses)
{
	char *areas = value_areas_text(ses->areas, ses->nareas);
	char *scores = value_scores_text(ses->scores, ses->nscores);
	char *products = products_text(ses);
	char *device = item_text(ses->device, "serial ", ses->device_serial, NULL);
	char *cartridge = item_text(ses->cartridge, "lot ", ses->cartridge_lot,
				    ses->cartridge_expiry);
	char *anesthetic = anesthetic_text(ses), pain[16] = "";

	if (ses->pain >= 0)
		snprintf(pain, sizeof(pain), "%d/10", ses->pain);
	line("Date:", ses->date);
	line("Practitioner:", ses->practitioner);
	line("Areas:", areas);
	line("Device:", device);
	line("Cartridge:", cartridge);
	line("Products:", products);
	line("Anaesthetic:", anesthetic);
	line("Endpoint:", ses->endpoint);
	line("Pain:", pain);
	line("Reaction:", ses->reaction);
	line("Adverse:", ses->adverse);
	line("Aftercare:", ses->aftercare);
	line("Scores:", scores);
	line("Notes:", ses->notes);
	free(areas);
	free(scores);
	free(products);
	free(device);
	free(cartridge);
	free(anesthetic);
}

static void print_warnings(const struct nl_warning *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_line(stdout, "  ! %s [%s]", w[i].message, w[i].code);
	if (!n)
		puts("  none");
}

static void print_amendments(const struct nl_session_view *v)
{
	puts("\nAmendments, oldest first:");
	for (size_t i = 0; i < v->namendments; i++) {
		const struct nl_amendment *a = &v->amendments[i];

		out_line(stdout, "  #%lld at %s by %s", (long long)a->id, a->at,
			 a->practitioner ? a->practitioner : "?");
		out_line(stdout, "    reason: %s", a->reason);
		for (size_t k = 0; k < a->nchanges; k++)
			out_line(stdout, "    %s: %s -> %s", a->changes[k].field,
				 a->changes[k].old_value ? a->changes[k].old_value : "(empty)",
				 a->changes[k].new_value ? a->changes[k].new_value : "(empty)");
	}
}

/* The head: which session, its void and its signature. */
static void print_head(const struct nl_session_view *v, const char *hash_now,
		       const struct nl_series *sr, const struct nl_patient *p)
{
	const struct nl_session *o = &v->original;

	out_line(stdout, "Session #%lld  %s  series #%lld (%s)  patient #%lld %s",
		 (long long)o->id, v->effective.date, (long long)o->series_id, sr->indication,
		 (long long)p->id, p->name);
	if (o->voided)
		out_line(stdout, "VOIDED at %s by %s: %s", o->voided_at ? o->voided_at : "?",
			 o->voided_by ? o->voided_by : "?", o->void_reason ? o->void_reason : "");
	if (!o->is_signed) {
		puts("Not signed (sign it with `needlelog session sign ID`)");
		return;
	}
	out_line(stdout, "Signed at %s by %s", o->signed_at, o->signed_by);
	out_line(stdout, "Hash (BLAKE2b-256 of the original): %s (%s)", o->hash,
		 hash_now && o->hash && !strcmp(hash_now, o->hash) ? "verified"
								    : "DOES NOT MATCH");
}

static void print_view(const struct nl_session_view *v, const char *hash_now,
		       const struct nl_series *sr, const struct nl_patient *p)
{
	print_head(v, hash_now, sr, p);
	printf("\n%s:\n", v->namendments ? "Effective values (the original with its amendments)"
					 : "Values");
	print_fields(&v->effective);
	puts("Warnings:");
	print_warnings(v->effective.warnings, v->effective.nwarnings);
	if (!v->namendments)
		return;
	puts("\nOriginal, as written:");
	print_fields(&v->original);
	puts("Warnings when written:");
	print_warnings(v->original.warnings, v->original.nwarnings);
	print_amendments(v);
}

static json_t *amendments_json(const struct nl_session_view *v)
{
	json_t *am = json_array();

	for (size_t i = 0; am && i < v->namendments; i++) {
		const struct nl_amendment *a = &v->amendments[i];
		json_t *ch = json_array();

		for (size_t k = 0; ch && k < a->nchanges; k++)
			json_array_append_new(ch, json_pack("{s:s,s:o,s:o}", "field",
				a->changes[k].field, "old", out_jstr(a->changes[k].old_value),
				"new", out_jstr(a->changes[k].new_value)));
		json_array_append_new(am, json_pack("{s:I,s:s,s:o,s:s,s:o,s:o}",
			"id", (json_int_t)a->id, "at", a->at, "practitioner", out_jstr(a->practitioner),
			"reason", a->reason, "changes", ch,
			"warnings", out_json_warnings(a->warnings, a->nwarnings)));
	}
	return am;
}

static json_t *view_json(const struct nl_session_view *v, const char *hash_now)
{
	const struct nl_session *o = &v->original;
	json_t *j = json_object();

	if (!j)
		return NULL;
	out_jset(j, "id", json_integer(o->id));
	out_jset(j, "series_id", json_integer(o->series_id));
	out_jset(j, "signed", json_boolean(o->is_signed));
	out_jset(j, "signed_at", out_jstr(o->signed_at));
	out_jset(j, "signed_by", out_jstr(o->signed_by));
	out_jset(j, "hash", out_jstr(o->hash));
	out_jset(j, "hash_verified", o->hash ? json_boolean(hash_now && !strcmp(hash_now, o->hash))
					     : json_null());
	out_jset(j, "voided", json_boolean(o->voided));
	out_jset(j, "void_reason", out_jstr(o->void_reason));
	out_jset(j, "voided_at", out_jstr(o->voided_at));
	out_jset(j, "voided_by", out_jstr(o->voided_by));
	out_jset(j, "created_at", out_jstr(o->created_at));
	out_jset(j, "original", out_json_session(o));
	out_jset(j, "effective", out_json_session(&v->effective));
	out_jset(j, "amendments", amendments_json(v));
	return j;
}

/* What `session show` prints, read in one go. */
struct show {
	struct nl_session_view v;
	struct nl_series sr;
	struct nl_patient p;
	char hash[65];
};

static int show_read(struct cli *c, int64_t id, struct show *s, struct nl_err *err)
{
	char *canon = NULL;
	int rc = cli_open(c, err);

	if (rc == NL_OK)
		rc = record_session_get(c->rec, id, &s->v, err);
	if (rc == NL_OK)
		rc = record_series_get(c->rec, s->v.original.series_id, &s->sr, err);
	if (rc == NL_OK)
		rc = record_patient_get(c->rec, s->sr.patient_id, &s->p, err);
	/* Only a signed session has a hash to verify; a failure to recompute
	 * it shows as a mismatch rather than hiding the session. */
	if (rc == NL_OK && s->v.original.is_signed &&
	    record_session_canonical(c->rec, id, &canon, s->hash, NULL) != NL_OK)
		s->hash[0] = '\0';
	free(canon);
	return rc;
}

static int show_read_any(struct cli *c, int64_t id, void *s, struct nl_err *err)
{
	return show_read(c, id, s, err);
}

static json_t *show_json(const void *state)
{
	const struct show *s = state;

	return view_json(&s->v, s->hash);
}

static int show_text(const void *state, struct nl_err *err)
{
	const struct show *s = state;

	(void)err;
	print_view(&s->v, s->hash, &s->sr, &s->p);
	return NL_OK;
}

static void show_free(void *state)
{
	struct show *s = state;

	record_session_view_free(&s->v);
	record_series_free(&s->sr);
	record_patient_free(&s->p);
}

static int run_show(struct cli *c, struct nl_err *err)
{
	static const struct out_show how = { "session", show_read_any, show_json, show_text,
					     show_free };
	struct show s = { 0 };

	return out_show(c, &how, &s, err);
}

/* ---- the table ----------------------------------------------------------- */

static const struct cli_opt add_opts[] = {
	{ "series", "ID", 0, "the treatment series (required)" },
	SESSION_FIELD_OPTS,
	{ "sign", NULL, 0, "sign and lock it at once" },
	{ "practitioner", "NAME", 0, "who treats (else $NEEDLELOG_PRACTITIONER,\n"
	  "else $USER)" },
	{ 0 },
};

static const struct cli_opt amend_opts[] = {
	{ "reason", "TEXT", 0, "why the record changes (required)" },
	SESSION_FIELD_OPTS,
	{ "practitioner", "NAME", 0, "who amends (else $NEEDLELOG_PRACTITIONER,\n"
	  "else $USER)" },
	{ 0 },
};

static const struct cli_opt show_opts[] = {
	OUT_OPT_FORMAT("text (default) or json"),
	{ 0 },
};

static const struct cli_opt sign_opts[] = {
	{ "practitioner", "NAME", 0, "who signs (default: the session's\n"
	  "practitioner)" },
	{ 0 },
};

static const struct cli_opt void_opts[] = {
	{ "reason", "TEXT", 0, "why it is voided (required)" },
	CLI_OPT_PRACTITIONER,
	{ 0 },
};

const struct cli_command cli_session_commands[] = {
	{ "session", "add", NULL, 0, 0,
	  "Log a session.\n"
	  "Needs --series ID and at least one --area. Prints the new session id on\n"
	  "stdout and each safety warning on stderr (\"needlelog: warning: ...\");\n"
	  "warnings are stored with the session and never block it. A value outside\n"
	  "its hard limits is rejected (exit 65) and nothing is written. The device,\n"
	  "its serial, the cartridge with its lot and expiry and each product's lot\n"
	  "make the session traceable (`needlelog trace --lot LOT`); an item past\n"
	  "its expiry on the session's date gives a warning.",
	  add_opts, run_add },
	{ "session", "show", "ID", 1, 1,
	  "Show a session.\n"
	  "Its effective values, warnings, signature and hash, and, when amended,\n"
	  "the original as written and every amendment (reason, time, practitioner,\n"
	  "changed fields old -> new).",
	  show_opts, run_show },
	{ "session", "amend", "ID", 1, 1,
	  "Amend a session; the original stays readable.\n"
	  "Signed or not, the fields given change; the original stays readable, and\n"
	  "the reason, time and practitioner are kept. --area options replace all\n"
	  "the areas, --product options all the products (with their lots);\n"
	  "--score SCALE=VALUE sets one score (SCALE= removes it); an empty value\n"
	  "clears a text field or the cartridge expiry. A lot is never carried\n"
	  "over: give the lot of what was used.",
	  amend_opts, run_amend },
	{ "session", "sign", "ID", 1, 1,
	  "Sign and lock a session.\n"
	  "The record file itself then refuses any change to it; a hash of its\n"
	  "canonical form is stored and verified by `needlelog check`.",
	  sign_opts, run_sign },
	{ "session", "void", "ID", 1, 1,
	  "Void a session entered in error (never deleted).\n"
	  "It stays readable with the reason, and leaves the progress and the due\n"
	  "dates. Sessions are never deleted.",
	  void_opts, run_void },
	{ 0 },
};
