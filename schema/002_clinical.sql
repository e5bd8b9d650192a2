-- needlelog record file, version 2: the clinical record.
-- The core (src/core) validates first; the CHECKs and triggers here are the
-- second line of defence, and the signed-record lock lives here so no
-- program can bypass it. Nothing clinical is ever deleted.

CREATE TABLE patient (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	dob           TEXT CHECK (dob IS NULL OR date(dob, '+0 days') IS dob),
	phone         TEXT,
	email         TEXT,
	skin_type     INTEGER CHECK (skin_type IS NULL OR skin_type BETWEEN 1 AND 6),
	allergies     TEXT,
	medications   TEXT,
	consent_date  TEXT CHECK (consent_date IS NULL OR date(consent_date, '+0 days') IS consent_date),
	notes         TEXT,
	archived      INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
	archived_at   TEXT,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;

CREATE TABLE patient_flag (
	patient_id INTEGER NOT NULL REFERENCES patient (id),
	code       TEXT NOT NULL CHECK (code IN ('isotretinoin', 'active-infection',
		'active-acne', 'keloid', 'anticoagulant', 'pregnancy', 'immunosuppressed',
		'diabetes', 'skin-disease', 'radiation', 'anesthetic-allergy',
		'metal-allergy', 'recent-injectables', 'sunburn', 'hsv-history')),
	date       TEXT CHECK (date IS NULL OR date(date, '+0 days') IS date),
	end_date   TEXT CHECK (end_date IS NULL OR date(end_date, '+0 days') IS end_date),
	note       TEXT,
	PRIMARY KEY (patient_id, code)
) STRICT;

CREATE TABLE series (
	id            INTEGER PRIMARY KEY,
	patient_id    INTEGER NOT NULL REFERENCES patient (id),
	indication    TEXT NOT NULL CHECK (indication IN ('acne-scars', 'surgical-scars',
		'stretch-marks', 'fine-lines', 'laxity', 'hyperpigmentation',
		'enlarged-pores', 'texture', 'hair-loss', 'other')),
	planned       INTEGER NOT NULL DEFAULT 6 CHECK (planned BETWEEN 1 AND 60),
	interval_days INTEGER NOT NULL DEFAULT 28 CHECK (interval_days BETWEEN 1 AND 365),
	start_date    TEXT NOT NULL CHECK (date(start_date, '+0 days') IS start_date),
	goal          TEXT,
	status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused',
		'completed', 'discontinued')),
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX series_patient ON series (patient_id);

CREATE TABLE series_area (
	series_id INTEGER NOT NULL REFERENCES series (id),
	pos       INTEGER NOT NULL,
	area      TEXT NOT NULL,
	PRIMARY KEY (series_id, pos),
	UNIQUE (series_id, area)
) STRICT;

CREATE TABLE series_baseline (
	series_id INTEGER NOT NULL REFERENCES series (id),
	scale     TEXT NOT NULL,
	value     REAL NOT NULL,
	PRIMARY KEY (series_id, scale)
) STRICT;

CREATE TABLE session (
	id                 INTEGER PRIMARY KEY,
	series_id          INTEGER NOT NULL REFERENCES series (id),
	date               TEXT NOT NULL CHECK (date(date, '+0 days') IS date),
	practitioner       TEXT,
	device             TEXT,
	cartridge          TEXT,
	anesthetic         TEXT,
	anesthetic_minutes INTEGER CHECK (anesthetic_minutes IS NULL
		OR anesthetic_minutes BETWEEN 0 AND 240),
	endpoint           TEXT CHECK (endpoint IS NULL OR endpoint IN ('erythema-mild',
		'erythema-uniform', 'pinpoint-bleeding')),
	pain               INTEGER CHECK (pain IS NULL OR pain BETWEEN 0 AND 10),
	reaction           TEXT,
	adverse            TEXT,
	aftercare          TEXT,
	notes              TEXT,
	signed             INTEGER NOT NULL DEFAULT 0 CHECK (signed IN (0, 1)),
	signed_at          TEXT,
	signed_by          TEXT,
	hash               TEXT,
	voided             INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1)),
	void_reason        TEXT,
	voided_at          TEXT,
	voided_by          TEXT,
	created_at         TEXT NOT NULL,
	updated_at         TEXT NOT NULL,
	CHECK (signed = 0 OR (signed_at IS NOT NULL AND signed_by IS NOT NULL
		AND length(hash) = 64)),
	CHECK (voided = 0 OR (length(void_reason) > 0 AND voided_at IS NOT NULL))
) STRICT;
CREATE INDEX session_series ON session (series_id, date);

CREATE TABLE session_area (
	session_id INTEGER NOT NULL REFERENCES session (id),
	pos        INTEGER NOT NULL,
	area       TEXT NOT NULL,
	label      TEXT,
	depth_mm   REAL NOT NULL CHECK (depth_mm BETWEEN 0.1 AND 3.0),
	passes     INTEGER CHECK (passes IS NULL OR passes BETWEEN 1 AND 20),
	PRIMARY KEY (session_id, pos)
) STRICT;

CREATE TABLE session_product (
	session_id INTEGER NOT NULL REFERENCES session (id),
	pos        INTEGER NOT NULL,
	product    TEXT NOT NULL CHECK (length(product) > 0),
	PRIMARY KEY (session_id, pos)
) STRICT;

CREATE TABLE session_score (
	session_id INTEGER NOT NULL REFERENCES session (id),
	scale      TEXT NOT NULL,
	value      REAL NOT NULL,
	PRIMARY KEY (session_id, scale)
) STRICT;

-- Warnings found when the session was saved (amendment_id NULL) or amended.
CREATE TABLE session_warning (
	session_id   INTEGER NOT NULL REFERENCES session (id),
	amendment_id INTEGER REFERENCES amendment (id),
	pos          INTEGER NOT NULL,
	code         TEXT NOT NULL,
	message      TEXT NOT NULL
) STRICT;
CREATE INDEX session_warning_session ON session_warning (session_id);

CREATE TABLE amendment (
	id           INTEGER PRIMARY KEY,
	session_id   INTEGER NOT NULL REFERENCES session (id),
	at           TEXT NOT NULL,
	practitioner TEXT,
	reason       TEXT NOT NULL CHECK (length(reason) > 0)
) STRICT;
CREATE INDEX amendment_session ON amendment (session_id);

-- One changed field: old/new for people, new_json to rebuild the values.
CREATE TABLE amendment_change (
	amendment_id INTEGER NOT NULL REFERENCES amendment (id),
	pos          INTEGER NOT NULL,
	field        TEXT NOT NULL,
	old_text     TEXT,
	new_text     TEXT,
	new_json     TEXT NOT NULL,
	PRIMARY KEY (amendment_id, pos)
) STRICT;

CREATE TABLE audit (
	id        INTEGER PRIMARY KEY,
	at        TEXT NOT NULL,
	who       TEXT,
	action    TEXT NOT NULL CHECK (action IN ('create', 'change', 'sign', 'amend',
		'void', 'archive', 'unarchive', 'export', 'backup', 'import')),
	entity    TEXT NOT NULL,
	entity_id INTEGER NOT NULL DEFAULT 0,
	detail    TEXT
) STRICT;

CREATE TABLE draft (
	series_id INTEGER PRIMARY KEY REFERENCES series (id),
	saved_at  TEXT NOT NULL,
	body      TEXT NOT NULL
) STRICT;

-- Nothing clinical is deleted: patients are archived, sessions voided.
CREATE TRIGGER patient_no_delete BEFORE DELETE ON patient
BEGIN SELECT RAISE(ABORT, 'patients are archived, never deleted'); END;
CREATE TRIGGER series_no_delete BEFORE DELETE ON series
BEGIN SELECT RAISE(ABORT, 'series are never deleted'); END;
CREATE TRIGGER session_no_delete BEFORE DELETE ON session
BEGIN SELECT RAISE(ABORT, 'sessions are voided, never deleted'); END;

-- The signed-record lock. A signed session may only go from live to voided
-- (with its reason, time and who); every other change is refused. A voided
-- session never changes again.
CREATE TRIGGER session_signed_lock BEFORE UPDATE ON session
WHEN OLD.signed = 1 AND NOT (OLD.voided = 0 AND NEW.voided = 1
	AND NEW.id IS OLD.id AND NEW.series_id IS OLD.series_id
	AND NEW.date IS OLD.date AND NEW.practitioner IS OLD.practitioner
	AND NEW.device IS OLD.device AND NEW.cartridge IS OLD.cartridge
	AND NEW.anesthetic IS OLD.anesthetic
	AND NEW.anesthetic_minutes IS OLD.anesthetic_minutes
	AND NEW.endpoint IS OLD.endpoint AND NEW.pain IS OLD.pain
	AND NEW.reaction IS OLD.reaction AND NEW.adverse IS OLD.adverse
	AND NEW.aftercare IS OLD.aftercare AND NEW.notes IS OLD.notes
	AND NEW.signed IS OLD.signed AND NEW.signed_at IS OLD.signed_at
	AND NEW.signed_by IS OLD.signed_by AND NEW.hash IS OLD.hash
	AND NEW.created_at IS OLD.created_at)
BEGIN SELECT RAISE(ABORT, 'the session is signed: it can only be amended or voided'); END;

CREATE TRIGGER session_voided_lock BEFORE UPDATE ON session
WHEN OLD.voided = 1
BEGIN SELECT RAISE(ABORT, 'the session is voided: it cannot change'); END;

CREATE TRIGGER session_area_lock_ins BEFORE INSERT ON session_area
WHEN (SELECT signed OR voided FROM session WHERE id = NEW.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its areas cannot change'); END;
CREATE TRIGGER session_area_lock_upd BEFORE UPDATE ON session_area
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its areas cannot change'); END;
CREATE TRIGGER session_area_lock_del BEFORE DELETE ON session_area
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its areas cannot change'); END;

CREATE TRIGGER session_product_lock_ins BEFORE INSERT ON session_product
WHEN (SELECT signed OR voided FROM session WHERE id = NEW.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its products cannot change'); END;
CREATE TRIGGER session_product_lock_upd BEFORE UPDATE ON session_product
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its products cannot change'); END;
CREATE TRIGGER session_product_lock_del BEFORE DELETE ON session_product
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its products cannot change'); END;

CREATE TRIGGER session_score_lock_ins BEFORE INSERT ON session_score
WHEN (SELECT signed OR voided FROM session WHERE id = NEW.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its scores cannot change'); END;
CREATE TRIGGER session_score_lock_upd BEFORE UPDATE ON session_score
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its scores cannot change'); END;
CREATE TRIGGER session_score_lock_del BEFORE DELETE ON session_score
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its scores cannot change'); END;

-- Warnings of an amendment may be added to a signed session; its own may not change.
CREATE TRIGGER session_warning_lock_ins BEFORE INSERT ON session_warning
WHEN NEW.amendment_id IS NULL
	AND (SELECT signed OR voided FROM session WHERE id = NEW.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its warnings cannot change'); END;
CREATE TRIGGER session_warning_lock_upd BEFORE UPDATE ON session_warning
WHEN OLD.amendment_id IS NOT NULL
	OR (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its warnings cannot change'); END;
CREATE TRIGGER session_warning_lock_del BEFORE DELETE ON session_warning
WHEN OLD.amendment_id IS NOT NULL
	OR (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its warnings cannot change'); END;

-- Amendments and the audit trail are append-only.
CREATE TRIGGER amendment_no_update BEFORE UPDATE ON amendment
BEGIN SELECT RAISE(ABORT, 'amendments are never changed'); END;
CREATE TRIGGER amendment_no_delete BEFORE DELETE ON amendment
BEGIN SELECT RAISE(ABORT, 'amendments are never deleted'); END;
CREATE TRIGGER amendment_change_no_update BEFORE UPDATE ON amendment_change
BEGIN SELECT RAISE(ABORT, 'amendments are never changed'); END;
CREATE TRIGGER amendment_change_no_delete BEFORE DELETE ON amendment_change
BEGIN SELECT RAISE(ABORT, 'amendments are never deleted'); END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
