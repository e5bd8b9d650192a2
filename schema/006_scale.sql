-- needlelog record file, version 3: indexes for a practice of any size
-- (issue 15; the plans they give are asserted in tests/unit/test_scale.c).

-- A session's signature row (what its signature covers) and a record's
-- history: by entity and id, the action in the index so that the other
-- rows of the same session are skipped without reading them. Without it
-- each lookup scanned the whole trail: `check` was quadratic.
CREATE INDEX audit_entity ON audit (entity, entity_id, action);

-- A series' live sessions: how many and the latest date come from the
-- index alone, never from table rows (the due facts of every series in
-- one pass over it). It serves every query the old (series_id, date)
-- index served, which it replaces: one index less to write per session.
CREATE INDEX session_series_live ON session (series_id, voided, date);
DROP INDEX session_series;

-- Each series' due facts, kept up to date by the database itself: how many
-- live (not voided) sessions it has and the latest effective date among
-- them (an amendment can move a session's date; new_json holds it as a
-- JSON string). The patient list and the due list read one row per series
-- instead of aggregating every session on every call. Derived data only:
-- it can always be rebuilt from the sessions, as below.
CREATE TABLE series_due (
	series_id INTEGER PRIMARY KEY REFERENCES series (id),
	done      INTEGER NOT NULL,
	last_date TEXT
) STRICT;

INSERT INTO series_due (series_id, done, last_date)
SELECT x.series_id, count(*), max(coalesce((SELECT substr(c.new_json, 2, 10)
	FROM amendment a JOIN amendment_change c ON c.amendment_id = a.id
	WHERE a.session_id = x.id AND c.field = 'date' ORDER BY a.id DESC LIMIT 1), x.date))
FROM session x WHERE x.voided = 0 GROUP BY x.series_id;

-- One series' facts again: its handful of sessions, through
-- session_series_live. Used by the triggers below with the series' id.
CREATE TRIGGER series_due_session_ins AFTER INSERT ON session
BEGIN
	INSERT OR REPLACE INTO series_due (series_id, done, last_date)
	SELECT NEW.series_id, count(*), max(coalesce((SELECT substr(c.new_json, 2, 10)
		FROM amendment a JOIN amendment_change c ON c.amendment_id = a.id
		WHERE a.session_id = x.id AND c.field = 'date' ORDER BY a.id DESC LIMIT 1), x.date))
	FROM session x WHERE x.series_id = NEW.series_id AND x.voided = 0;
END;

CREATE TRIGGER series_due_session_upd AFTER UPDATE OF date, voided, series_id ON session
BEGIN
	INSERT OR REPLACE INTO series_due (series_id, done, last_date)
	SELECT y.id, (SELECT count(*) FROM session x WHERE x.series_id = y.id AND x.voided = 0),
		(SELECT max(coalesce((SELECT substr(c.new_json, 2, 10)
		FROM amendment a JOIN amendment_change c ON c.amendment_id = a.id
		WHERE a.session_id = x.id AND c.field = 'date' ORDER BY a.id DESC LIMIT 1), x.date))
		FROM session x WHERE x.series_id = y.id AND x.voided = 0)
	FROM series y WHERE y.id IN (OLD.series_id, NEW.series_id);
END;

CREATE TRIGGER series_due_amended_date AFTER INSERT ON amendment_change
WHEN NEW.field = 'date'
BEGIN
	INSERT OR REPLACE INTO series_due (series_id, done, last_date)
	SELECT y.series_id, count(*), max(coalesce((SELECT substr(c.new_json, 2, 10)
		FROM amendment a JOIN amendment_change c ON c.amendment_id = a.id
		WHERE a.session_id = x.id AND c.field = 'date' ORDER BY a.id DESC LIMIT 1), x.date))
	FROM (SELECT s.series_id FROM amendment a JOIN session s ON s.id = a.session_id
		WHERE a.id = NEW.amendment_id) y
	JOIN session x ON x.series_id = y.series_id AND x.voided = 0
	GROUP BY y.series_id;
END;
