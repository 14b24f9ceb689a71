-- Schema v9: the same checks on a variant's width and a style's gender, written as ORs.
-- SQLite evaluates `x IN ('a', 'b', 'c')` in a CHECK by building a temporary b-tree for every
-- row written: about 45 % of a catalog sync's time at a million sizes. Every row already
-- satisfies the new text (it says the same), so the definitions are edited in place, as
-- SQLite's documentation describes for changing a CHECK; rebuilding `variants` would instead
-- cascade-delete the stock that references it. The migration code bumps `schema_version`.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (width IN (''N'', ''M'', ''W'', ''XW''))',
                     'CHECK (width = ''N'' OR width = ''M'' OR width = ''W'' OR width = ''XW'')')
 WHERE type = 'table' AND name = 'variants';
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (gender IN (''men'', ''women'', ''unisex''))',
                     'CHECK (gender = ''men'' OR gender = ''women'' OR gender = ''unisex'')')
 WHERE type = 'table' AND name = 'styles';
PRAGMA writable_schema = RESET;
