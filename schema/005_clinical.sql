-- needlelog record file, version 5: clinical depth (issue 11).
-- Sex; structured allergies and medications; consent records; series plans
-- in phases; traceable devices, cartridges and products. The old free-text
-- allergies and medications, the anesthetic-allergy and metal-allergy flags
-- and the single consent date move into the new tables without losing a
-- character: each old text is kept verbatim as the first item's note.
-- The matching words below are the core's (src/core/clinical_vocab.c) as of
-- this version; the migration is history and does not follow later changes.

ALTER TABLE patient ADD COLUMN sex TEXT
	CHECK (sex IS NULL OR sex IN ('female', 'male', 'other', 'unknown'));

CREATE TABLE patient_allergy (
	patient_id INTEGER NOT NULL REFERENCES patient (id),
	pos        INTEGER NOT NULL,
	code       TEXT NOT NULL CHECK (code IN ('lidocaine', 'prilocaine', 'tetracaine',
		'benzocaine', 'latex', 'nickel', 'chlorhexidine', 'alcohol',
		'propylene-glycol', 'hyaluronic-acid', 'other')),
	reaction   TEXT,
	severity   TEXT CHECK (severity IS NULL OR severity IN ('mild', 'moderate', 'severe')),
	date       TEXT CHECK (date IS NULL OR date(date, '+0 days') IS date),
	end_date   TEXT CHECK (end_date IS NULL OR date(end_date, '+0 days') IS end_date),
	note       TEXT,
	PRIMARY KEY (patient_id, pos)
) STRICT;

CREATE TABLE patient_medication (
	patient_id INTEGER NOT NULL REFERENCES patient (id),
	pos        INTEGER NOT NULL,
	code       TEXT NOT NULL CHECK (code IN ('anticoagulant', 'antiplatelet', 'isotretinoin',
		'immunosuppressant', 'minoxidil', 'finasteride', 'retinoid-topical', 'other')),
	name       TEXT,
	start      TEXT CHECK (start IS NULL OR date(start, '+0 days') IS start),
	stop       TEXT CHECK (stop IS NULL OR date(stop, '+0 days') IS stop),
	note       TEXT,
	PRIMARY KEY (patient_id, pos)
) STRICT;

-- Consent records are never deleted; withdrawing one sets its date once.
CREATE TABLE consent (
	id         INTEGER PRIMARY KEY,
	patient_id INTEGER NOT NULL REFERENCES patient (id),
	kind       TEXT NOT NULL CHECK (kind IN ('treatment', 'photography-clinical',
		'photography-publication')),
	covers     TEXT CHECK (covers IS NULL OR covers IN ('acne-scars', 'surgical-scars',
		'stretch-marks', 'fine-lines', 'laxity', 'hyperpigmentation',
		'enlarged-pores', 'texture', 'hair-loss', 'other')),
	form       TEXT,
	given      TEXT NOT NULL CHECK (date(given, '+0 days') IS given),
	taken_by   TEXT,
	withdrawn  TEXT CHECK (withdrawn IS NULL OR (date(withdrawn, '+0 days') IS withdrawn
		AND withdrawn >= given)),
	withdrawn_by TEXT,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX consent_patient ON consent (patient_id);
CREATE TRIGGER consent_no_delete BEFORE DELETE ON consent
BEGIN SELECT RAISE(ABORT, 'consent records are withdrawn, never deleted'); END;
CREATE TRIGGER consent_only_withdraw BEFORE UPDATE ON consent
WHEN NOT (OLD.withdrawn IS NULL AND NEW.withdrawn IS NOT NULL
	AND NEW.id IS OLD.id AND NEW.patient_id IS OLD.patient_id AND NEW.kind IS OLD.kind
	AND NEW.covers IS OLD.covers AND NEW.form IS OLD.form AND NEW.given IS OLD.given
	AND NEW.taken_by IS OLD.taken_by AND NEW.created_at IS OLD.created_at)
BEGIN SELECT RAISE(ABORT, 'a consent record only changes by being withdrawn, once'); END;

-- A plan in phases: count sessions every interval_days, in order. The
-- series' planned and interval_days stay the total and the first phase's
-- interval (the one-phase form).
CREATE TABLE series_phase (
	series_id     INTEGER NOT NULL REFERENCES series (id),
	pos           INTEGER NOT NULL,
	count         INTEGER NOT NULL CHECK (count BETWEEN 1 AND 60),
	interval_days INTEGER NOT NULL CHECK (interval_days BETWEEN 1 AND 365),
	PRIMARY KEY (series_id, pos)
) STRICT;
INSERT INTO series_phase (series_id, pos, count, interval_days)
	SELECT id, 0, planned, interval_days FROM series ORDER BY id;

-- Traceability: the device's serial, the single-use cartridge's lot and
-- expiry, and each product's lot and expiry (pos as in session_product).
CREATE TABLE session_trace (
	session_id       INTEGER PRIMARY KEY REFERENCES session (id),
	device_serial    TEXT,
	cartridge_lot    TEXT,
	cartridge_expiry TEXT CHECK (cartridge_expiry IS NULL
		OR date(cartridge_expiry, '+0 days') IS cartridge_expiry)
) STRICT;
CREATE INDEX session_trace_lot ON session_trace (cartridge_lot COLLATE NOCASE);

CREATE TABLE session_product_lot (
	session_id INTEGER NOT NULL REFERENCES session (id),
	pos        INTEGER NOT NULL,
	lot        TEXT,
	expiry     TEXT CHECK (expiry IS NULL OR date(expiry, '+0 days') IS expiry),
	PRIMARY KEY (session_id, pos)
) STRICT;
CREATE INDEX session_product_lot_lot ON session_product_lot (lot COLLATE NOCASE);

CREATE TRIGGER session_trace_lock_ins BEFORE INSERT ON session_trace
WHEN (SELECT signed OR voided FROM session WHERE id = NEW.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its lots cannot change'); END;
CREATE TRIGGER session_trace_lock_upd BEFORE UPDATE ON session_trace
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its lots cannot change'); END;
CREATE TRIGGER session_trace_lock_del BEFORE DELETE ON session_trace
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its lots cannot change'); END;
CREATE TRIGGER session_product_lot_lock_ins BEFORE INSERT ON session_product_lot
WHEN (SELECT signed OR voided FROM session WHERE id = NEW.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its lots cannot change'); END;
CREATE TRIGGER session_product_lot_lock_upd BEFORE UPDATE ON session_product_lot
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its lots cannot change'); END;
CREATE TRIGGER session_product_lot_lock_del BEFORE DELETE ON session_product_lot
WHEN (SELECT signed OR voided FROM session WHERE id = OLD.session_id)
BEGIN SELECT RAISE(ABORT, 'the session is signed or voided: its lots cannot change'); END;

-- ---- moving the old fields ------------------------------------------------
-- Words that name an allergen (brand names give their ingredients).
CREATE TEMP TABLE m_allergen_word (word TEXT NOT NULL, code TEXT NOT NULL, anaesthetic INTEGER NOT NULL);
INSERT INTO m_allergen_word VALUES
	('lidocaine', 'lidocaine', 1), ('lignocaine', 'lidocaine', 1), ('xylocaine', 'lidocaine', 1),
	('prilocaine', 'prilocaine', 1), ('tetracaine', 'tetracaine', 1),
	('amethocaine', 'tetracaine', 1), ('benzocaine', 'benzocaine', 1),
	('emla', 'lidocaine', 1), ('emla', 'prilocaine', 1), ('lmx', 'lidocaine', 1),
	('blt', 'benzocaine', 1), ('blt', 'lidocaine', 1), ('blt', 'tetracaine', 1),
	('pliaglis', 'lidocaine', 1), ('pliaglis', 'tetracaine', 1),
	('latex', 'latex', 0), ('nickel', 'nickel', 0), ('chlorhexidine', 'chlorhexidine', 0),
	('alcohol', 'alcohol', 0), ('propylene glycol', 'propylene-glycol', 0),
	('propylene-glycol', 'propylene-glycol', 0), ('hyaluronic', 'hyaluronic-acid', 0);

CREATE TEMP TABLE m_medication_word (word TEXT NOT NULL, code TEXT NOT NULL);
INSERT INTO m_medication_word VALUES
	('warfarin', 'anticoagulant'), ('coumadin', 'anticoagulant'), ('apixaban', 'anticoagulant'),
	('eliquis', 'anticoagulant'), ('rivaroxaban', 'anticoagulant'), ('xarelto', 'anticoagulant'),
	('dabigatran', 'anticoagulant'), ('pradaxa', 'anticoagulant'), ('edoxaban', 'anticoagulant'),
	('heparin', 'anticoagulant'), ('enoxaparin', 'anticoagulant'),
	('aspirin', 'antiplatelet'), ('clopidogrel', 'antiplatelet'), ('plavix', 'antiplatelet'),
	('ticagrelor', 'antiplatelet'), ('prasugrel', 'antiplatelet'),
	('isotretinoin', 'isotretinoin'), ('accutane', 'isotretinoin'), ('roaccutane', 'isotretinoin'),
	('methotrexate', 'immunosuppressant'), ('ciclosporin', 'immunosuppressant'),
	('cyclosporine', 'immunosuppressant'), ('tacrolimus', 'immunosuppressant'),
	('azathioprine', 'immunosuppressant'), ('mycophenolate', 'immunosuppressant'),
	('minoxidil', 'minoxidil'), ('finasteride', 'finasteride'), ('propecia', 'finasteride'),
	('tretinoin', 'retinoid-topical'), ('adapalene', 'retinoid-topical'),
	('tazarotene', 'retinoid-topical'), ('retinol', 'retinoid-topical');

-- A word matches where it starts a word of the text (so "tretinoin" is not
-- found inside "isotretinoin").
CREATE TEMP VIEW m_allergy_hit AS
	SELECT p.id AS pid, w.code AS code, min(instr(lower(p.allergies), w.word)) AS at
	FROM patient p JOIN m_allergen_word w ON instr(lower(p.allergies), w.word) > 0
	WHERE p.allergies IS NOT NULL
		AND (instr(lower(p.allergies), w.word) = 1
		     OR lower(substr(p.allergies, instr(lower(p.allergies), w.word) - 1, 1))
			NOT GLOB '[a-z0-9]')
	GROUP BY p.id, w.code;

CREATE TEMP TABLE m_audit (pid INTEGER PRIMARY KEY, allergies TEXT, medications TEXT,
	consent_date TEXT, flags TEXT);
INSERT INTO m_audit
	SELECT p.id, p.allergies, p.medications, p.consent_date,
		(SELECT json_group_array(json_object('code', f.code, 'date', f.date,
			'end_date', f.end_date, 'note', f.note)) FROM patient_flag f
		 WHERE f.patient_id = p.id AND f.code IN ('anesthetic-allergy', 'metal-allergy'))
	FROM patient p
	WHERE p.allergies IS NOT NULL OR p.medications IS NOT NULL OR p.consent_date IS NOT NULL
		OR EXISTS (SELECT 1 FROM patient_flag f WHERE f.patient_id = p.id
			   AND f.code IN ('anesthetic-allergy', 'metal-allergy'));

-- 1. The allergies text: one item per allergen it names, in the order the
--    text names them; the first keeps the whole text as its note. A text
--    that names none becomes one "other" item.
INSERT INTO patient_allergy (patient_id, pos, code, note)
	SELECT h.pid, row_number() OVER (PARTITION BY h.pid ORDER BY h.at, h.code) - 1, h.code,
		CASE WHEN row_number() OVER (PARTITION BY h.pid ORDER BY h.at, h.code) = 1
		     THEN (SELECT allergies FROM patient WHERE id = h.pid) END
	FROM m_allergy_hit h ORDER BY h.pid;
INSERT INTO patient_allergy (patient_id, pos, code, note)
	SELECT p.id, 0, 'other', p.allergies FROM patient p
	WHERE p.allergies IS NOT NULL AND NOT EXISTS (SELECT 1 FROM m_allergy_hit h WHERE h.pid = p.id);

-- 2. The anesthetic-allergy flag: the anaesthetics its note names, else
--    lidocaine and benzocaine (what the flag meant); its date, end date and
--    note go with the first.
CREATE TEMP TABLE m_flag_item (pid INTEGER, k INTEGER, code TEXT, date TEXT, end_date TEXT,
	note TEXT);
INSERT INTO m_flag_item
	SELECT f.patient_id, 0, w.code, f.date, f.end_date, f.note
	FROM patient_flag f JOIN m_allergen_word w ON w.anaesthetic = 1
		AND instr(lower(coalesce(f.note, '')), w.word) > 0
	WHERE f.code = 'anesthetic-allergy' GROUP BY f.patient_id, w.code;
INSERT INTO m_flag_item
	SELECT f.patient_id, 0, c.code, f.date, f.end_date, f.note
	FROM patient_flag f JOIN (SELECT 'lidocaine' AS code UNION ALL SELECT 'benzocaine') c
	WHERE f.code = 'anesthetic-allergy'
		AND NOT EXISTS (SELECT 1 FROM m_flag_item m WHERE m.pid = f.patient_id);
-- 3. The metal-allergy flag: nickel.
INSERT INTO m_flag_item
	SELECT f.patient_id, 1, 'nickel', f.date, f.end_date, f.note
	FROM patient_flag f WHERE f.code = 'metal-allergy';
INSERT INTO patient_allergy (patient_id, pos, code, date, end_date, note)
	SELECT m.pid,
		coalesce((SELECT max(a.pos) + 1 FROM patient_allergy a WHERE a.patient_id = m.pid), 0)
		+ row_number() OVER (PARTITION BY m.pid ORDER BY m.k, m.rowid) - 1,
		m.code, m.date, m.end_date,
		CASE WHEN row_number() OVER (PARTITION BY m.pid, m.k ORDER BY m.rowid) = 1
		     THEN m.note END
	FROM m_flag_item m ORDER BY m.pid;
DELETE FROM patient_flag WHERE code IN ('anesthetic-allergy', 'metal-allergy');

-- 4. The medications text: one item per kind it names, the name as
--    written; the first keeps the whole text as its note, "other" if none.
CREATE TEMP VIEW m_medication_hit AS
	SELECT p.id AS pid, w.code AS code, instr(lower(p.medications), w.word) AS at,
		substr(p.medications, instr(lower(p.medications), w.word), length(w.word)) AS name
	FROM patient p JOIN m_medication_word w ON instr(lower(p.medications), w.word) > 0
	WHERE p.medications IS NOT NULL
		AND (instr(lower(p.medications), w.word) = 1
		     OR lower(substr(p.medications, instr(lower(p.medications), w.word) - 1, 1))
			NOT GLOB '[a-z0-9]');
INSERT INTO patient_medication (patient_id, pos, code, name, note)
	SELECT h.pid, row_number() OVER (PARTITION BY h.pid ORDER BY h.at, h.code) - 1, h.code,
		h.name,
		CASE WHEN row_number() OVER (PARTITION BY h.pid ORDER BY h.at, h.code) = 1
		     THEN (SELECT medications FROM patient WHERE id = h.pid) END
	FROM m_medication_hit h ORDER BY h.pid;
INSERT INTO patient_medication (patient_id, pos, code, note)
	SELECT p.id, 0, 'other', p.medications FROM patient p
	WHERE p.medications IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM m_medication_hit h WHERE h.pid = p.id);

-- 5. The consent date: the first treatment consent, covering every indication.
INSERT INTO consent (patient_id, kind, covers, form, given, taken_by, created_at)
	SELECT id, 'treatment', NULL, NULL, consent_date, NULL,
		strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
	FROM patient WHERE consent_date IS NOT NULL ORDER BY id;

UPDATE patient SET allergies = NULL, medications = NULL, consent_date = NULL
	WHERE allergies IS NOT NULL OR medications IS NOT NULL OR consent_date IS NOT NULL;

-- Each patient changed here gets an audit row with the old values.
INSERT INTO audit (at, who, action, entity, entity_id, detail)
	SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'needlelog (schema migration 5)', 'change',
		'patient', pid, json_object('migration', '005_clinical',
		'allergies', allergies, 'medications', medications,
		'consent_date', consent_date, 'flags', json(coalesce(flags, '[]')))
	FROM m_audit ORDER BY pid;

DROP VIEW m_allergy_hit;
DROP VIEW m_medication_hit;
DROP TABLE m_allergen_word;
DROP TABLE m_medication_word;
DROP TABLE m_flag_item;
DROP TABLE m_audit;
