-- Reserved for the backup migration, which is being written on another branch
-- and takes this number. tools/embed_schema.py wants versions 1..N without
-- gaps, so this placeholder only lets 005 build before that lands; it is
-- replaced by the real 004 when the branches meet. No record file made on
-- this branch may be kept: it would skip the real 004.
SELECT 1;
