-- needlelog record file, version 1: the file's own identity.
-- Clinical tables come in later migrations.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY NOT NULL,
	value TEXT NOT NULL
) STRICT;

INSERT INTO meta (key, value) VALUES
	('application', 'needlelog'),
	('created_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
