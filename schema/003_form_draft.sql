-- Drafts of the TUI's patient and series forms, kept (encrypted, like every
-- page) when the TUI locks or quits with a form open, so nothing typed is
-- lost and nothing typed stays in memory. One draft per form and record:
-- form 'patient' (ref = patient id, 0 for a new patient), 'series' (ref =
-- series id) or 'series-new' (ref = the patient's id). Working copies, not
-- records: not audited, deleted when the form is saved or left.
CREATE TABLE form_draft (
	form     TEXT NOT NULL CHECK (form IN ('patient', 'series', 'series-new')),
	ref      INTEGER NOT NULL,
	saved_at TEXT NOT NULL,
	body     TEXT NOT NULL,
	PRIMARY KEY (form, ref)
) STRICT;
