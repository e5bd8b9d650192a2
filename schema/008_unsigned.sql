-- needlelog record file, version 8: the unsigned live sessions, found
-- without reading every session (issue 15). `due` and the TUI's count of
-- sessions left unsigned read this partial index, which holds only the
-- sessions that are neither signed nor voided: a handful in a practice
-- that signs its work, however many years of sessions the file holds.
-- The plan is asserted in tests/unit/test_scale.c (core_sql_unsigned).
CREATE INDEX session_unsigned ON session (date, series_id, practitioner)
	WHERE signed = 0 AND voided = 0;
