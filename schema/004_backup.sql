-- needlelog record file, version 4: settings kept in the record file itself
-- (encrypted like everything in it). Today: the remembered backup folder and
-- retention policy, and when the last verified backup was made.
CREATE TABLE setting (
	key   TEXT PRIMARY KEY CHECK (key IN ('backup.dir', 'backup.keep_daily',
		'backup.keep_weekly', 'backup.keep_monthly', 'backup.last_verified',
		'backup.last_path')),
	value TEXT NOT NULL
) STRICT;
