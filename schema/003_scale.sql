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
