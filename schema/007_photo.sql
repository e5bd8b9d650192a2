-- needlelog record file, version 7: clinical photographs (docs/file-format.md,
-- "Photographs"). A photo's facts live in `photo`, a narrow row the lists
-- read; its bytes live in `photo_blob`, one row per rendition, so no list,
-- timeline or hot clinical table ever reads an image page. Both tables are
-- inside the encrypted file: every page sealed and authenticated, and
-- backup, re-key and check cover them like every other page. A photo and
-- its bytes are written in one transaction, so a crash leaves all or
-- nothing. Photographs are health records: never changed, never deleted.
CREATE TABLE photo (
	id         INTEGER PRIMARY KEY,
	patient_id INTEGER NOT NULL REFERENCES patient (id),
	series_id  INTEGER REFERENCES series (id),
	session_id INTEGER REFERENCES session (id),
	view       TEXT NOT NULL CHECK (view IN ('frontal', 'oblique-l', 'oblique-r',
		'lateral-l', 'lateral-r', 'vertex', 'hairline', 'part', 'temporal-l',
		'temporal-r', 'occipital', 'marked-site', 'site')),
	area       TEXT,
	label      TEXT,
	timepoint  TEXT NOT NULL CHECK (timepoint IN ('baseline', 'session', 'follow-up')),
	taken      TEXT NOT NULL CHECK (date(taken, '+0 days') IS taken),
	taken_by   TEXT,
	source     TEXT NOT NULL CHECK (source IN ('jpeg', 'png', 'webp', 'heif')),
	width      INTEGER NOT NULL CHECK (width > 0),
	height     INTEGER NOT NULL CHECK (height > 0),
	bytes      INTEGER NOT NULL CHECK (bytes > 0),
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX photo_patient ON photo (patient_id, taken, id);
CREATE INDEX photo_series ON photo (series_id, view, taken, id);

-- kind 'image': the stored JPEG (long edge at most 4096 px); 'preview': the
-- same at most 512 px, what lists and the terminal draw. digest: BLAKE2b-256
-- of data, checked by `needlelog check`.
CREATE TABLE photo_blob (
	photo_id INTEGER NOT NULL REFERENCES photo (id),
	kind     TEXT NOT NULL CHECK (kind IN ('image', 'preview')),
	digest   BLOB NOT NULL CHECK (length(digest) = 32),
	data     BLOB NOT NULL,
	PRIMARY KEY (photo_id, kind)
) STRICT;

CREATE TRIGGER photo_no_update BEFORE UPDATE ON photo
BEGIN SELECT RAISE(ABORT, 'a photograph is a record: it is never changed'); END;
CREATE TRIGGER photo_no_delete BEFORE DELETE ON photo
BEGIN SELECT RAISE(ABORT, 'a photograph is a record: it is never deleted'); END;
CREATE TRIGGER photo_blob_no_update BEFORE UPDATE ON photo_blob
BEGIN SELECT RAISE(ABORT, 'a photograph is a record: it is never changed'); END;
CREATE TRIGGER photo_blob_no_delete BEFORE DELETE ON photo_blob
BEGIN SELECT RAISE(ABORT, 'a photograph is a record: it is never deleted'); END;
