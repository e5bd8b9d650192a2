/* Patient and series forms kept as encrypted drafts in the record file
 * when the TUI locks or quits with them open: the fields by key, and the
 * focus. The session form keeps its own richer drafts (session_form.c). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "needlelog/draft.h"
#include "tui.h"

#define VALUE_MAX (TUI_FIELD_MAX * 4)

static char *draft_text(const struct tui_form *fm)
{
	json_t *root = json_object(), *fields = json_array();
	char *text = NULL;

	if (root && fields) {
		json_object_set_new(root, "focus", json_integer((json_int_t)fm->focus));
		for (size_t i = 0; i < fm->n; i++) {
			char v[VALUE_MAX];

			tui_form_get(fm, i, v, sizeof(v));
			json_array_append_new(fields, json_pack("{s:s, s:s}", "key", fm->f[i].key,
								"text", v));
			sodium_memzero(v, sizeof(v));
		}
		json_object_set(root, "fields", fields);
		text = json_dumps(root, JSON_COMPACT);
	}
	json_decref(fields);
	json_decref(root);
	return text;
}

void tui_form_keep(struct tui *t, const struct tui_form *fm, const char *form,
		   int64_t ref)
{
	struct nl_err err = { 0 };
	char *text = draft_text(fm);

	if (!text || draft_form_save(t->store, form, ref, text, &err) != NL_OK)
		tui_fail(t, "The form's draft was not saved", &err);
	tui_zfree_str(text);
}

/* Sets each field named in the draft (fields the form lacks are left). */
static int restore(struct tui_form *fm, const char *text)
{
	json_t *root = json_loads(text, 0, NULL), *fields, *it;
	json_int_t focus = 0;
	size_t k;

	if (!root || json_unpack(root, "{s:I, s:o}", "focus", &focus, "fields", &fields) != 0 ||
	    !json_is_array(fields)) {
		json_decref(root);
		return -1;
	}
	json_array_foreach(fields, k, it) {
		const char *key = json_string_value(json_object_get(it, "key"));
		const char *v = json_string_value(json_object_get(it, "text"));
		int i = key && v ? tui_form_find(fm, key, 0) : -1;

		if (i >= 0)
			tui_form_set(fm, (size_t)i, v);
	}
	json_decref(root);
	fm->focus = focus >= 0 && (size_t)focus < fm->n ? (size_t)focus : 0;
	fm->changed = true;
	return 0;
}

bool tui_form_resume(struct tui *t, struct tui_form *fm, const char *form,
		     int64_t ref)
{
	struct nl_err err = { 0 };
	char *text = NULL;
	int rc;

	if (draft_form_load(t->store, form, ref, &text, &err) != NL_OK)
		return false;
	rc = restore(fm, text);
	tui_zfree_str(text);
	if (rc != 0) {
		tui_msg(t, TS_ERROR, "A kept form could not be read; it is left in the file.");
		return false;
	}
	tui_form_forget(t, form, ref);
	return true;
}

void tui_form_forget(struct tui *t, const char *form, int64_t ref)
{
	struct nl_err err = { 0 };

	if (t->store && draft_form_delete(t->store, form, ref, &err) != NL_OK)
		tui_fail(t, "The form's draft was not deleted", &err);
}
