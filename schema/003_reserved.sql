-- Reserved for the query-speed migration, which is being written on another
-- branch and takes this number. This placeholder only lets 004 build before
-- that lands; it is replaced by the real 003 when the branches meet.
SELECT 1;
