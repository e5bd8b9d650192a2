/* The one keymap: every key of every screen, with what it does. The help
 * screen and the key-hint line are generated from it. */
#include <stdio.h>
#include <string.h>
#include <wctype.h>

#include "tui.h"

#define FN(k) TUI_FN(k)
#define C(c) TUI_CTRL(c)

const struct tui_binding tui_keymap[] = {
	/* everywhere */
	{ TC_GLOBAL, FN(KEY_F(1)), TA_HELP, "help for this screen", NULL },
	{ TC_GLOBAL, C('l'), TA_REDRAW, "redraw the screen", NULL },
	{ TC_GLOBAL, C('x'), TA_LOCK, "lock now (the passphrase opens it again)", NULL },

	/* every screen but forms */
	{ TC_BROWSE, '?', TA_HELP, "help for this screen", "help" },
	{ TC_BROWSE, 'q', TA_BACK, "back (quit on the patient list)", "back" },
	{ TC_BROWSE, TUI_ESC, TA_BACK, "back", NULL },
	{ TC_BROWSE, FN(KEY_LEFT), TA_BACK, "back", NULL },
	{ TC_BROWSE, 'h', TA_BACK, "back", NULL },
	{ TC_BROWSE, 'Q', TA_QUIT, "quit needlelog", NULL },
	{ TC_BROWSE, 'D', TA_DUE, "who is due or overdue", "due" },
	{ TC_BROWSE, 'b', TA_BACKUP, "back up now to the remembered backup folder (asks the passphrase)", NULL },
	{ TC_BROWSE, 'U', TA_UNSIGNED, "sessions left unsigned over 24 hours after their date", NULL },

	/* a yes/no question: y and n answer, Esc is no, Enter takes the
	 * answer in capitals ([Y]es / [N]o) */
	{ TC_DIALOG, 'y', TA_YES, "yes", NULL },
	{ TC_DIALOG, 'Y', TA_YES, "yes", NULL },
	{ TC_DIALOG, 'n', TA_NO, "no", NULL },
	{ TC_DIALOG, 'N', TA_NO, "no", NULL },
	{ TC_DIALOG, TUI_ESC, TA_NO, "no (cancel)", NULL },
	{ TC_DIALOG, '\n', TA_ACCEPT, "the answer shown in capitals", NULL },

	/* lists */
	{ TC_LIST, 'j', TA_DOWN, "next row", NULL },
	{ TC_LIST, FN(KEY_DOWN), TA_DOWN, "next row", NULL },
	{ TC_LIST, 'k', TA_UP, "previous row", NULL },
	{ TC_LIST, FN(KEY_UP), TA_UP, "previous row", NULL },
	{ TC_LIST, FN(KEY_NPAGE), TA_PGDN, "page down", NULL },
	{ TC_LIST, C('f'), TA_PGDN, "page down", NULL },
	{ TC_LIST, FN(KEY_PPAGE), TA_PGUP, "page up", NULL },
	{ TC_LIST, C('b'), TA_PGUP, "page up", NULL },
	{ TC_LIST, 'g', TA_HOME, "first row", NULL },
	{ TC_LIST, FN(KEY_HOME), TA_HOME, "first row", NULL },
	{ TC_LIST, 'G', TA_END, "last row", NULL },
	{ TC_LIST, FN(KEY_END), TA_END, "last row", NULL },
	{ TC_LIST, '\n', TA_OPEN, "open the selected row", "open" },
	{ TC_LIST, '\r', TA_OPEN, "open the selected row", NULL },
	{ TC_LIST, FN(KEY_ENTER), TA_OPEN, "open the selected row", NULL },
	{ TC_LIST, 'l', TA_OPEN, "open the selected row", NULL },
	{ TC_LIST, FN(KEY_RIGHT), TA_OPEN, "open the selected row", NULL },

	/* the patient list */
	{ TC_PATIENTS, '/', TA_SEARCH, "search by name, date of birth, phone or id", "search" },
	{ TC_PATIENTS, 'a', TA_ADD, "add a patient", "add" },
	{ TC_PATIENTS, 'e', TA_EDIT, "edit the selected patient", "edit" },
	{ TC_PATIENTS, 'A', TA_ARCHIVED, "show or hide archived patients", NULL },
	{ TC_PATIENTS, 'q', TA_QUIT, "quit needlelog", "quit" },

	/* typing a search */
	{ TC_SEARCH, '\n', TA_SEARCH_DONE, "keep the search and go to the list", "done" },
	{ TC_SEARCH, '\r', TA_SEARCH_DONE, "keep the search and go to the list", NULL },
	{ TC_SEARCH, FN(KEY_ENTER), TA_SEARCH_DONE, "keep the search and go to the list", NULL },
	{ TC_SEARCH, FN(KEY_DOWN), TA_SEARCH_DONE, "keep the search and go to the list", NULL },
	{ TC_SEARCH, TUI_ESC, TA_SEARCH_CLEAR, "clear the search", "clear" },

	/* a patient */
	{ TC_PATIENT, 'a', TA_ADD, "add a treatment series", "add series" },
	{ TC_PATIENT, 'e', TA_EDIT, "edit the profile", "edit" },
	{ TC_PATIENT, 'x', TA_EXPORT, "export the follow-up summary (all series)", "export" },
	{ TC_PATIENT, 'X', TA_ARCHIVE, "archive or restore the patient", NULL },
	{ TC_PATIENT, 'c', TA_CONSENT, "record a consent (kind, what it covers, form, date)", "consent" },
	{ TC_PATIENT, 'w', TA_WITHDRAW, "withdraw a consent (it stays on file)", NULL },

	/* a series */
	{ TC_SERIES, 'n', TA_NEW_SESSION, "log a new session", "new session" },
	{ TC_SERIES, 'e', TA_EDIT, "edit the selected session (unsigned only)", NULL },
	{ TC_SERIES, 'm', TA_AMEND, "amend the selected session (with a reason)", "amend" },
	{ TC_SERIES, 's', TA_SIGN, "sign and lock the selected session", "sign" },
	{ TC_SERIES, 'V', TA_VOID, "void the selected session (with a reason)", "void" },
	{ TC_SERIES, 'x', TA_EXPORT, "export this series' follow-up summary", "export" },
	{ TC_SERIES, '\t', TA_PANE, "switch the lower pane: depths / scores", "pane" },
	{ TC_SERIES, 'E', TA_EDIT_SERIES, "edit the series: plan, goal, baseline, status", NULL },
	{ TC_SERIES, 'P', TA_PHOTOS, "the series' photographs, by view", "photos" },
	{ TC_PHOTOS, 'c', TA_COMPARE, "compare the selected view: baseline and now", "compare" },
	{ TC_PHOTOS, 'i', TA_IMPORT, "import a photograph from a file", "import" },
	{ TC_COMPARE, TUI_FN(KEY_LEFT), TA_EARLIER, "the right-hand photo: an earlier one", "earlier" },
	{ TC_COMPARE, TUI_FN(KEY_RIGHT), TA_LATER, "the right-hand photo: a later one", "later" },
	{ TC_COMPARE, 'h', TA_EARLIER, "an earlier photo", NULL },
	{ TC_COMPARE, 'l', TA_LATER, "a later photo", NULL },

	/* a session */
	{ TC_SESSION, 'e', TA_EDIT, "edit this session (unsigned only)", NULL },
	{ TC_SESSION, 'm', TA_AMEND, "amend this session (with a reason)", "amend" },
	{ TC_SESSION, 's', TA_SIGN, "sign and lock this session", "sign" },
	{ TC_SESSION, 'V', TA_VOID, "void this session (with a reason)", "void" },

	/* the due list */
	{ TC_DUE, '+', TA_WIDER, "look one week further ahead", "+week" },
	{ TC_DUE, '-', TA_NARROWER, "look one week less ahead", NULL },

	/* forms */
	{ TC_FORM, '\t', TA_NEXT_FIELD, "next field", "next" },
	{ TC_FORM, FN(KEY_DOWN), TA_NEXT_FIELD, "next field", NULL },
	{ TC_FORM, FN(KEY_BTAB), TA_PREV_FIELD, "previous field", NULL },
	{ TC_FORM, FN(KEY_UP), TA_PREV_FIELD, "previous field", NULL },
	{ TC_FORM, '\n', TA_PICK, "choose from the list (list fields), else next field", "pick" },
	{ TC_FORM, '\r', TA_PICK, "choose from the list (list fields), else next field", NULL },
	{ TC_FORM, FN(KEY_ENTER), TA_PICK, "choose from the list (list fields), else next field", NULL },
	{ TC_FORM, FN(KEY_F(4)), TA_PICK, "choose from the list", NULL },
	{ TC_FORM, C('s'), TA_SAVE, "save", "save" },
	{ TC_FORM, FN(KEY_F(2)), TA_SAVE, "save", NULL },
	{ TC_FORM, TUI_ESC, TA_CANCEL, "leave the form (asks first)", "leave" },
	{ TC_SESSION_FORM, C('n'), TA_ADD_AREA, "add a treated area", "+area" },
	{ TC_SESSION_FORM, C('o'), TA_ADD_SCORE, "add an outcome score", "+score" },
	{ TC_SESSION_FORM, C('p'), TA_ADD_PRODUCT, "add a product row (product, lot, expiry)", NULL },
	{ TC_SESSION_FORM, C('d'), TA_DEL_ROW, "remove the area, product or score row", "-row" },

	/* editing a field */
	{ TC_EDIT, FN(KEY_LEFT), TA_LEFT, "cursor left", NULL },
	{ TC_EDIT, FN(KEY_RIGHT), TA_RIGHT, "cursor right", NULL },
	{ TC_EDIT, FN(KEY_HOME), TA_BOL, "start of the field", NULL },
	{ TC_EDIT, C('a'), TA_BOL, "start of the field", NULL },
	{ TC_EDIT, FN(KEY_END), TA_EOL, "end of the field", NULL },
	{ TC_EDIT, C('e'), TA_EOL, "end of the field", NULL },
	{ TC_EDIT, FN(KEY_BACKSPACE), TA_BACKSPACE, "delete the character before", NULL },
	{ TC_EDIT, 127, TA_BACKSPACE, "delete the character before", NULL },
	{ TC_EDIT, C('h'), TA_BACKSPACE, "delete the character before", NULL },
	{ TC_EDIT, FN(KEY_DC), TA_DELETE, "delete the character under the cursor", NULL },
	{ TC_EDIT, C('u'), TA_KILL, "clear the field", NULL },

	/* help */
	{ TC_HELP, 'j', TA_DOWN, "scroll down", NULL },
	{ TC_HELP, FN(KEY_DOWN), TA_DOWN, "scroll down", NULL },
	{ TC_HELP, 'k', TA_UP, "scroll up", NULL },
	{ TC_HELP, FN(KEY_UP), TA_UP, "scroll up", NULL },
	{ TC_HELP, FN(KEY_NPAGE), TA_PGDN, "page down", NULL },
	{ TC_HELP, ' ', TA_PGDN, "page down", NULL },
	{ TC_HELP, FN(KEY_PPAGE), TA_PGUP, "page up", NULL },
	{ TC_HELP, 'g', TA_HOME, "top", NULL },
	{ TC_HELP, FN(KEY_HOME), TA_HOME, "top", NULL },
	{ TC_HELP, 'G', TA_END, "end", NULL },
	{ TC_HELP, FN(KEY_END), TA_END, "end", NULL },
	{ TC_HELP, 'q', TA_BACK, "close the help", "close" },
	{ TC_HELP, TUI_ESC, TA_BACK, "close the help", NULL },
	{ TC_HELP, '?', TA_BACK, "close the help", NULL },

	/* unlock */
	{ TC_UNLOCK, '\n', TA_SUBMIT, "unlock with the passphrase", "unlock" },
	{ TC_UNLOCK, '\r', TA_SUBMIT, "unlock with the passphrase", NULL },
	{ TC_UNLOCK, FN(KEY_ENTER), TA_SUBMIT, "unlock with the passphrase", NULL },
	{ TC_UNLOCK, TUI_ESC, TA_QUIT, "quit needlelog", "quit" },
	{ TC_UNLOCK, FN(KEY_BACKSPACE), TA_BACKSPACE, "delete the last character", NULL },
	{ TC_UNLOCK, 127, TA_BACKSPACE, "delete the last character", NULL },
	{ TC_UNLOCK, C('h'), TA_BACKSPACE, "delete the last character", NULL },
	{ TC_UNLOCK, C('u'), TA_KILL, "clear what was typed", NULL },
	{ TC_UNLOCK, '\t', TA_NEXT_FIELD, "user name or passphrase (several users)", NULL },
	{ TC_UNLOCK, FN(KEY_BTAB), TA_PREV_FIELD, "user name or passphrase (several users)", NULL },

	/* no record file yet: the offer, then the name and passphrase */
	{ TC_NEWFILE, '\n', TA_YES, "make a new record file here", "make it" },
	{ TC_NEWFILE, '\r', TA_YES, "make a new record file here", NULL },
	{ TC_NEWFILE, 'y', TA_YES, "make a new record file here", NULL },
	{ TC_NEWFILE, TUI_ESC, TA_NO, "leave without making one", "leave" },
	{ TC_NEWFILE, 'q', TA_NO, "leave without making one", NULL },
	{ TC_NEWFILE, 'n', TA_NO, "leave without making one", NULL },
	{ TC_NEWFILE_FORM, '\t', TA_NEXT_FIELD, "next field", "next" },
	{ TC_NEWFILE_FORM, FN(KEY_DOWN), TA_NEXT_FIELD, "next field", NULL },
	{ TC_NEWFILE_FORM, FN(KEY_BTAB), TA_PREV_FIELD, "previous field", NULL },
	{ TC_NEWFILE_FORM, FN(KEY_UP), TA_PREV_FIELD, "previous field", NULL },
	{ TC_NEWFILE_FORM, '\n', TA_SUBMIT, "next field; on the last, make the file", NULL },
	{ TC_NEWFILE_FORM, '\r', TA_SUBMIT, "next field; on the last, make the file", NULL },
	{ TC_NEWFILE_FORM, C('s'), TA_SAVE, "make the file", "make it" },
	{ TC_NEWFILE_FORM, FN(KEY_F(2)), TA_SAVE, "make the file", NULL },
	{ TC_NEWFILE_FORM, TUI_ESC, TA_CANCEL, "back (nothing is made; what was typed is wiped)", "back" },
	{ TC_RECOVERY, '\n', TA_SUBMIT, "go on once \"written\" is typed", "go on" },
	{ TC_RECOVERY, '\r', TA_SUBMIT, "go on once \"written\" is typed", NULL },
};
const size_t tui_keymap_count = sizeof(tui_keymap) / sizeof(tui_keymap[0]);

static const char *const ctx_titles[] = {
	[TC_GLOBAL] = "Everywhere",
	[TC_BROWSE] = "Screens",
	[TC_LIST] = "Lists",
	[TC_PATIENTS] = "Patient list",
	[TC_SEARCH] = "Searching",
	[TC_PATIENT] = "Patient",
	[TC_SERIES] = "Series",
	[TC_SESSION] = "Session",
	[TC_DUE] = "Due list",
	[TC_FORM] = "Forms",
	[TC_SESSION_FORM] = "Session form",
	[TC_EDIT] = "Editing a field",
	[TC_HELP] = "Help",
	[TC_UNLOCK] = "Unlock",
	[TC_PHOTOS] = "Photographs",
	[TC_COMPARE] = "Comparison",
	[TC_DIALOG] = "Questions",
	[TC_NEWFILE] = "New record file",
	[TC_NEWFILE_FORM] = "New record file",
	[TC_RECOVERY] = "Recovery key",
};

const char *tui_ctx_title(enum tui_ctx ctx)
{
	return ctx < TC_END ? ctx_titles[ctx] : "";
}

enum tui_action tui_key_action(const enum tui_ctx *ctxs, int key)
{
	for (; *ctxs != TC_END; ctxs++)
		for (size_t i = 0; i < tui_keymap_count; i++)
			if (tui_keymap[i].ctx == *ctxs && tui_keymap[i].key == key)
				return tui_keymap[i].action;
	return TA_NONE;
}

static const struct {
	int key;
	const char *name;
} key_names[] = {
	{ FN(KEY_UP), "Up" }, { FN(KEY_DOWN), "Down" }, { FN(KEY_LEFT), "Left" },
	{ FN(KEY_RIGHT), "Right" }, { FN(KEY_NPAGE), "PgDn" }, { FN(KEY_PPAGE), "PgUp" },
	{ FN(KEY_HOME), "Home" }, { FN(KEY_END), "End" }, { FN(KEY_ENTER), "Enter" },
	{ FN(KEY_BACKSPACE), "Backspace" }, { FN(KEY_DC), "Delete" }, { FN(KEY_BTAB), "S-Tab" },
	{ '\n', "Enter" }, { '\r', "Enter" }, { '\t', "Tab" }, { TUI_ESC, "Esc" },
	{ 127, "Backspace" }, { ' ', "Space" },
};

void tui_key_name(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		if (key_names[i].key == key) {
			snprintf(buf, size, "%s", key_names[i].name);
			return;
		}
	}
	if (key & 0x40000000) {
		int k = key & ~0x40000000;

		if (k >= KEY_F(1) && k <= KEY_F(12))
			snprintf(buf, size, "F%d", k - KEY_F0);
		else
			snprintf(buf, size, "key %d", k);
	} else if (key > 0 && key < 32) {
		snprintf(buf, size, "C-%c", key + 'a' - 1);
	} else {
		wchar_t w[2] = { (wchar_t)key, 0 };

		snprintf(buf, size, "%ls", w);
	}
}

bool tui_key_printable(int key)
{
	return !(key & 0x40000000) && key >= 32 && key != 127 &&
	       iswprint((wint_t)key);
}

bool tui_read_key(int timeout_ms, int *key)
{
	wint_t ch;
	int rc;

	timeout(timeout_ms);
	rc = get_wch(&ch);
	if (rc == ERR)
		return false;
	*key = rc == KEY_CODE_YES ? TUI_FN(ch) : (int)ch;
	if (*key == TUI_FN(KEY_ENTER))
		*key = '\n';
	return true;
}
