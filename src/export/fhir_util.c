/* The FHIR writer's building blocks: stable resource ids, JSON builders
 * that never write what FHIR forbids (empty strings, arrays, objects),
 * and XHTML narrative with every piece of text escaped. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fhir.h"

/* ---- identity ------------------------------------------------------------ */

void fx_id(const struct fx *x, const char *kind, const char *key,
	   struct fx_ref *out)
{
	crypto_generichash_state st;
	unsigned char u[16];
	char id[FX_ID_LEN];

	/* BLAKE2b rather than SHA-1 (UUIDv5): libsodium has it, and version
	 * 8 is RFC 9562's slot for a name-based UUID with another hash. The
	 * parts are NUL-separated so "a" + "bc" differs from "ab" + "c". */
	crypto_generichash_init(&st, NULL, 0, sizeof(u));
	crypto_generichash_update(&st, (const unsigned char *)NS_RESOURCE,
				  sizeof(NS_RESOURCE));
	crypto_generichash_update(&st, (const unsigned char *)x->m->file_id,
				  strlen(x->m->file_id) + 1);
	crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
	crypto_generichash_update(&st, (const unsigned char *)key, strlen(key) + 1);
	crypto_generichash_final(&st, u, sizeof(u));
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x80); /* version 8 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(id, sizeof(id), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6],
		 u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	memcpy(out->id, id, sizeof(id));
	snprintf(out->url, FX_URL_LEN, "urn:uuid:%s", id);
}

void fx_idn(const struct fx *x, const char *kind, int64_t n, const char *suffix,
	    struct fx_ref *out)
{
	char key[512];

	snprintf(key, sizeof(key), "%lld%s%s", (long long)n, suffix ? " " : "",
		 suffix ? suffix : "");
	fx_id(x, kind, key, out);
}

/* ---- JSON ----------------------------------------------------------------- */

json_t *chk(struct fx *x, json_t *v)
{
	if (!v)
		x->oom = true;
	return v;
}

void put(struct fx *x, json_t *obj, const char *key, json_t *v)
{
	if (!v || !obj || json_object_set_new(obj, key, v) != 0)
		x->oom = true;
}

void put_str(struct fx *x, json_t *obj, const char *key, const char *s)
{
	if (s && *s)
		put(x, obj, key, json_string(s));
}

void push(struct fx *x, json_t *arr, json_t *v)
{
	if (!v || !arr || json_array_append_new(arr, v) != 0)
		x->oom = true;
}

void put_arr(struct fx *x, json_t *obj, const char *key, json_t *arr)
{
	if (arr && json_array_size(arr) == 0)
		json_decref(arr);
	else
		put(x, obj, key, arr);
}

json_t *ref(struct fx *x, const struct fx_ref *r)
{
	return chk(x, json_pack("{s:s}", "reference", r->url));
}

json_t *display_ref(struct fx *x, const char *display)
{
	return chk(x, json_pack("{s:s}", "display", display));
}

json_t *text_cc(struct fx *x, const char *text)
{
	return chk(x, json_pack("{s:s}", "text", text));
}

json_t *coded(struct fx *x, const char *system, const char *code,
	      const char *display, const char *text)
{
	json_t *coding = chk(x, json_pack("{s:s,s:s}", "system", system, "code", code));
	json_t *cc = chk(x, json_object());

	put_str(x, coding, "display", display);
	put(x, cc, "coding", chk(x, json_pack("[o]", coding)));
	put_str(x, cc, "text", text);
	return cc;
}

void also_coded(struct fx *x, json_t *cc, const char *system, const char *code,
		const char *display)
{
	json_t *coding = chk(x, json_pack("{s:s,s:s}", "system", system, "code", code));

	put_str(x, coding, "display", display);
	push(x, json_object_get(cc, "coding"), coding);
}

void note(struct fx *x, json_t *notes, const char *text)
{
	if (text && *text)
		push(x, notes, chk(x, json_pack("{s:s}", "text", text)));
}

json_t *resource(struct fx *x, const char *type, const struct fx_ref *r)
{
	return chk(x, json_pack("{s:s,s:s}", "resourceType", type, "id", r->id));
}

void add_entry(struct fx *x, const struct fx_ref *r, json_t *res)
{
	push(x, x->entries, chk(x, json_pack("{s:s,s:o}", "fullUrl", r->url,
					     "resource", res)));
}

/* ---- narrative -------------------------------------------------------------- */

void h_raw(struct fx_html *h, const char *s)
{
	size_t n = strlen(s);

	if (h->oom)
		return;
	if (h->len + n + 1 > h->cap) {
		size_t cap = (h->len + n + 1) * 2;
		char *p = realloc(h->s, cap);

		if (!p) {
			h->oom = true;
			return;
		}
		h->s = p;
		h->cap = cap;
	}
	memcpy(h->s + h->len, s, n + 1);
	h->len += n;
}

/* XML 1.0 allows no C0 control but tab, newline and return: the core
 * refuses them on the way in, and this drops any that got past. */
void h_text(struct fx_html *h, const char *s)
{
	static const struct {
		char c;
		const char *ent;
	} ents[] = { { '&', "&amp;" }, { '<', "&lt;" }, { '>', "&gt;" },
		     { '"', "&quot;" } };
	char one[2] = { 0 };

	for (; s && *s; s++) {
		const char *out = NULL;

		for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (*s == ents[i].c)
				out = ents[i].ent;
		if (*s == '\n') {
			out = "<br/>";
		} else if (!out && (unsigned char)*s < 0x20) {
			continue;
		} else if (!out) {
			one[0] = *s;
			out = one;
		}
		h_raw(h, out);
	}
}

void h_el(struct fx_html *h, const char *tag, const char *text)
{
	h_raw(h, "<");
	h_raw(h, tag);
	h_raw(h, ">");
	h_text(h, text);
	h_raw(h, "</");
	h_raw(h, tag);
	h_raw(h, ">");
}

void h_field(struct fx_html *h, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	h_raw(h, "<p><b>");
	h_text(h, label);
	h_raw(h, ":</b> ");
	h_text(h, value);
	h_raw(h, "</p>");
}

json_t *h_narrative(struct fx *x, struct fx_html *h)
{
	struct fx_html d = { 0 };
	json_t *n = NULL;

	h_raw(&d, "<div xmlns=\"http://www.w3.org/1999/xhtml\">");
	h_raw(&d, h->s && *h->s ? h->s : "<p>(nothing recorded)</p>");
	h_raw(&d, "</div>");
	if (!d.oom && !h->oom)
		n = json_pack("{s:s,s:s}", "status", "generated", "div", d.s);
	free(d.s);
	free(h->s);
	memset(h, 0, sizeof(*h));
	return chk(x, n);
}

json_t *narrative1(struct fx *x, const char *text)
{
	struct fx_html h = { 0 };

	h_el(&h, "p", text);
	return h_narrative(x, &h);
}
