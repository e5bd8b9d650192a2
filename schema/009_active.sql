-- needlelog record file, version 9: the active series, read without the
-- finished ones (issue 15). The patient list and the due list need only
-- the series still active; in ten years of a practice most are finished.
-- This partial index holds the active ones with every column those lists
-- read from the series, so they are found and read from the index alone
-- (core_sql_due; the plan is asserted in tests/unit/test_scale.c).
CREATE INDEX series_active ON series
	(id, patient_id, indication, status, planned, interval_days, start_date)
	WHERE status = 'active';
