/* The FHIR writer's private pieces (fhir.c builds the document,
 * fhir_util.c the identities, JSON and narrative it is made of).
 *
 * Every code system needlelog defines has a fixed urn:uuid (DOMAIN.md:
 * "a fixed urn:uuid: per code system, written in the source"); they are
 * listed, with the standard codes and why each was chosen, in
 * docs/export-and-backup.md. Change none of them: a receiver matches on
 * them. */
#ifndef NL_EXPORT_FHIR_H
#define NL_EXPORT_FHIR_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "model.h"

/* Standard systems. */
#define SCT "http://snomed.info/sct"
#define LOINC "http://loinc.org"
#define UCUM "http://unitsofmeasure.org"
#define HL7_TERM "http://terminology.hl7.org/CodeSystem/"
#define OBS_CATEGORY HL7_TERM "observation-category"

/* needlelog's own code systems. */
#define CS_PROCEDURE "urn:uuid:a263b863-c7be-4af1-b9d8-a853d3b03bbb"
#define CS_INDICATION "urn:uuid:a4180266-919e-4aa8-a7af-ccece8d80883"
#define CS_CONTRAINDICATION "urn:uuid:e575d6af-53a0-4203-a7c2-0985d1c16c54"
#define CS_SCALE "urn:uuid:69e43835-74a1-4471-84d9-05cf68a2da00"
#define CS_OBSERVATION "urn:uuid:fd018d66-2a9a-4eab-b403-cf1a5297ce62"
#define CS_FITZPATRICK "urn:uuid:0906a2c2-b92a-4d9f-b173-d9e4d240b978"
#define CS_ALLERGEN "urn:uuid:ab17f653-79ed-4f41-8993-dbd5bc501a6b"
#define CS_MEDICATION "urn:uuid:30d75ed5-16ac-43ca-9e1e-1639fb5411bf"
#define CS_CONSENT "urn:uuid:f9f13234-4dfd-412d-b3c1-00fc0f50d6e7"
#define CS_PROVENANCE "urn:uuid:c4a7da70-1072-4c0f-9e61-049f643e83ff"
#define CS_NORWOOD "urn:uuid:913d8a3b-44a1-4e81-baae-d1836c8f04f7"
#define CS_LUDWIG "urn:uuid:7d331dfc-4d9f-4141-bffd-12bcd76feaf2"
/* The namespace of the resource ids (see fx_id). */
#define NS_RESOURCE "911653f8-7bcc-456e-ba5b-621ae0a172a8"

/* A resource's id ("xxxxxxxx-xxxx-8xxx-...") and its fullUrl. */
#define FX_ID_LEN 37
#define FX_URL_LEN 46
struct fx_ref {
	char id[FX_ID_LEN];
	char url[FX_URL_LEN];
};

struct fx {
	const struct xm *m;
	json_t *entries;
	struct fx_ref patient;
	bool oom;
};

/* ---- identity ------------------------------------------------------------ */

/* The stable id of a resource: a name-based UUID (RFC 9562 version 8)
 * of BLAKE2b-128 over the namespace, the record file's id, the kind and
 * the key ("session 12", "score 12 gais"), so that every export of the
 * same record gives the same id, and no two record files collide. */
void fx_id(const struct fx *x, const char *kind, const char *key,
	   struct fx_ref *out);
/* fx_id with a key from a number and an optional suffix. */
void fx_idn(const struct fx *x, const char *kind, int64_t n, const char *suffix,
	    struct fx_ref *out);

/* ---- JSON ----------------------------------------------------------------- */

json_t *chk(struct fx *x, json_t *v);
void put(struct fx *x, json_t *obj, const char *key, json_t *v);
/* Only when s is set and not empty (FHIR forbids ""). */
void put_str(struct fx *x, json_t *obj, const char *key, const char *s);
void push(struct fx *x, json_t *arr, json_t *v);
/* Only when arr holds something (FHIR forbids []); else drops it. */
void put_arr(struct fx *x, json_t *obj, const char *key, json_t *arr);
json_t *ref(struct fx *x, const struct fx_ref *r);
json_t *display_ref(struct fx *x, const char *display);
json_t *text_cc(struct fx *x, const char *text);
/* A CodeableConcept with one coding (display optional) and text
 * (optional). */
json_t *coded(struct fx *x, const char *system, const char *code,
	      const char *display, const char *text);
/* Adds a second coding to a CodeableConcept made by coded(). */
void also_coded(struct fx *x, json_t *cc, const char *system, const char *code,
		const char *display);
/* {"text": text} annotations, appended to notes. */
void note(struct fx *x, json_t *notes, const char *text);
/* A new resource: {"resourceType": type, "id": r->id}. */
json_t *resource(struct fx *x, const char *type, const struct fx_ref *r);
/* Adds the entry {fullUrl, resource} (resource taken). */
void add_entry(struct fx *x, const struct fx_ref *r, json_t *res);

/* ---- narrative (XHTML, escaped) -------------------------------------------- */

/* A narrative in the making: elements from FHIR's allowed set only (div,
 * p, b, ul, li, table, thead, tbody, tr, th, td, h3, br), text escaped. */
struct fx_html {
	char *s;
	size_t len, cap;
	bool oom;
};
void h_raw(struct fx_html *h, const char *s);
void h_text(struct fx_html *h, const char *s);
/* <tag>text</tag> with text escaped. */
void h_el(struct fx_html *h, const char *tag, const char *text);
/* A paragraph "<b>label</b> value" (nothing when value is NULL or ""). */
void h_field(struct fx_html *h, const char *label, const char *value);
/* {"status": "generated", "div": "<div xmlns=...>...</div>"}; frees h. */
json_t *h_narrative(struct fx *x, struct fx_html *h);
/* A one-paragraph narrative. */
json_t *narrative1(struct fx *x, const char *text);

#endif
