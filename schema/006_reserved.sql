-- Reserved for another branch's migration (renumbered at merge).
SELECT 1;
