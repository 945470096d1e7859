-- name: exec constant int
SELECT 1
-- name: exec constants mixed
SELECT 1 AS a, 'x'::text, 2.5::float8, true, NULL::int, 'a' || 'b', 7 / 2, 7 % 3, -3, 10 - 2 * 3
-- name: exec casts
SELECT '42'::int, 42::text, 'true'::bool, 1::bool, '{1,2,3}'::int[], 'orders'::name, 't'::"char", '16'::oid::int8
-- name: exec regclass and regtype
SELECT 'pg_class'::regclass, 'orders'::regclass, 'public.orders'::regclass, 'int4'::regtype, 'integer'::regtype, 25::regtype, 'orders'::regclass::oid = c.oid FROM pg_class c WHERE c.relname = 'orders'
-- name: exec regclass text
SELECT c.oid::regclass::text, c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace ORDER BY 2
-- name: exec case coalesce nullif
SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' END, CASE 3 WHEN 1 THEN 'one' ELSE 'other' END, COALESCE(NULL, NULL, 'z'), NULLIF(1, 1), NULLIF(1, 2), GREATEST(1, 5, 3), LEAST('b', 'a')
-- name: exec null logic
SELECT NULL AND false, NULL OR true, NOT (NULL::bool) IS NULL, 1 IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL, 1 = NULL, 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, NULL)
-- name: exec regex and like
SELECT 'orders' ~ '^ord', 'orders' !~ 'x', 'ORDERS' ~* 'ord', 'abc' LIKE 'a%', 'abc' LIKE 'a_c', 'ABC' ILIKE 'a%', 'abc' NOT LIKE '%d', 'a_c' LIKE 'a\_c', 'orders' OPERATOR(pg_catalog.~) '^(orders)$'
-- name: exec arrays
SELECT ARRAY[1,2,3], (ARRAY[1,2,3])[2], (ARRAY['a','b'])[5], array_length(ARRAY[1,2], 1), array_lower(ARRAY[1,2], 1), array_upper(ARRAY[1,2,3], 1), array_to_string(ARRAY['a', NULL, 'c'], ',', '*'), 2 = ANY(ARRAY[1,2]), 3 = ALL(ARRAY[3,3]), 1 <> ALL(ARRAY[2,3]), ARRAY[1] || ARRAY[2,3]
-- name: exec string functions
SELECT lower('AbC'), upper('abc'), length('héllo'), substring('abcdef', 2, 3), substring('abcdef' from 3), concat('a', 1, NULL, true), replace('a.b.c', '.', '-'), split_part('a,b,c', ',', 2), trim('  x  '), btrim('"q"', '"'), quote_ident('Orders'), quote_ident('orders'), quote_ident('select'), strpos('abc', 'c'), left('abcdef', 2)
-- name: exec generate_series and unnest
SELECT g, g * 2 FROM generate_series(1, 5) g WHERE g % 2 = 1 ORDER BY g DESC
-- name: exec unnest with ordinality
SELECT u.x, u.n FROM unnest(ARRAY['a','b','c']) WITH ORDINALITY AS u(x, n)
-- name: exec srf in select list
SELECT generate_series(1, 3) AS n, unnest(ARRAY['x', 'y', 'z']) AS s
-- name: exec values
SELECT * FROM (VALUES (1, 'one'), (2, 'two'), (3, NULL)) AS v(n, name) ORDER BY n DESC
-- name: exec union intersect except
SELECT 1 AS x UNION SELECT 2 UNION SELECT 1 UNION ALL SELECT 2 ORDER BY 1
-- name: exec intersect except
(SELECT g FROM generate_series(1, 10) g INTERSECT SELECT g FROM generate_series(5, 15) g) EXCEPT SELECT 7 ORDER BY 1
-- name: exec cte
WITH t(a, b) AS (SELECT 1, 'x' UNION ALL SELECT 2, 'y'), u AS (SELECT a * 10 AS c FROM t) SELECT t.a, t.b, u.c FROM t JOIN u ON u.c = t.a * 10 ORDER BY 1
-- name: exec recursive cte
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n), count(*), max(n) FROM r
-- name: exec aggregates
SELECT g % 3 AS k, count(*), count(DISTINCT g % 2), sum(g), min(g), max(g), bool_or(g > 8), bool_and(g > 0), array_agg(g ORDER BY g DESC), string_agg(g::text, ',' ORDER BY g) FROM generate_series(1, 10) g GROUP BY 1 HAVING count(*) > 2 ORDER BY k NULLS FIRST
-- name: exec aggregate empty
SELECT count(*), sum(g), max(g), array_agg(g), string_agg(g::text, ',') FROM generate_series(1, 0) g
-- name: exec distinct order limit offset
SELECT DISTINCT relkind FROM pg_class WHERE relnamespace = 2200 ORDER BY relkind LIMIT 5 OFFSET 0
-- name: exec order nulls
SELECT x FROM (VALUES (2), (NULL), (1)) v(x) ORDER BY x DESC NULLS LAST
-- name: exec order nulls default desc
SELECT x FROM (VALUES (2), (NULL), (1)) v(x) ORDER BY x DESC
-- name: exec limit offset
SELECT g FROM generate_series(1, 10) g ORDER BY g LIMIT 3 OFFSET 4
-- name: exec joins left right full
SELECT a.x, b.y FROM (VALUES (1), (2), (3)) a(x) LEFT JOIN (VALUES (2), (3), (4)) b(y) ON a.x = b.y ORDER BY 1, 2
-- name: exec right join
SELECT a.x, b.y FROM (VALUES (1), (2)) a(x) RIGHT JOIN (VALUES (2), (4)) b(y) ON a.x = b.y ORDER BY 2
-- name: exec full join
SELECT a.x, b.y FROM (VALUES (1), (2)) a(x) FULL JOIN (VALUES (2), (4)) b(y) ON a.x = b.y ORDER BY 1 NULLS LAST, 2
-- name: exec cross join
SELECT count(*) FROM generate_series(1, 3) a CROSS JOIN generate_series(1, 4) b
-- name: exec join using
SELECT * FROM (VALUES (1, 'a')) a(k, x) JOIN (VALUES (1, 'b')) b(k, y) USING (k)
-- name: exec scalar and correlated subqueries
SELECT c.relname, (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0) AS cols, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid) AS has_pk FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 2200 ORDER BY 1
-- name: exec in subquery
SELECT relname FROM pg_class WHERE oid IN (SELECT indrelid FROM pg_index) AND relname NOT IN (SELECT 'orders') AND relnamespace = 2200 ORDER BY 1
-- name: exec array subquery
SELECT ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attnum > 0 ORDER BY attnum)
-- name: exec window row_number
SELECT attname, row_number() OVER (PARTITION BY attrelid ORDER BY attnum DESC) FROM pg_attribute WHERE attrelid = 'customers'::regclass AND attnum > 0 ORDER BY 2
-- name: exec functions of the session
SELECT current_database(), current_catalog, current_schema(), current_schema, current_schemas(false), current_schemas(true), current_user, session_user, user, current_setting('search_path'), current_setting('standard_conforming_strings'), pg_is_in_recovery(), pg_catalog.pg_encoding_to_char(6)
-- name: exec format_type
SELECT format_type(23, NULL), format_type(1043, 24), format_type(1700, 655366), format_type(1114, 3), format_type(1184, -1), format_type(1009, NULL), format_type(16, -1)
-- name: exec describe functions
SELECT pg_get_indexdef(i.indexrelid), pg_get_indexdef(i.indexrelid, 1, true), pg_get_constraintdef(con.oid), obj_description(c.oid, 'pg_class'), col_description(c.oid, 6), pg_get_userbyid(c.relowner), pg_table_is_visible(c.oid), to_regclass('orders')::oid = c.oid, to_regclass('nope') FROM pg_class c JOIN pg_index i ON i.indrelid = c.oid JOIN pg_constraint con ON con.conindid = i.indexrelid WHERE c.relname = 'orders'
-- name: exec keywords
SELECT word, catcode, barelabel FROM pg_get_keywords() WHERE word IN ('select', 'abort', 'between', 'authorization') ORDER BY 1
-- name: exec show via current_setting
SELECT current_setting('server_encoding'), current_setting('client_encoding'), current_setting('DateStyle'), current_setting('integer_datetimes'), current_setting('max_identifier_length')
-- name: exec show standard_conforming_strings
SHOW standard_conforming_strings
-- name: exec show transaction isolation
SHOW transaction_isolation
-- name: exec show datestyle
SHOW DateStyle
-- name: exec information_schema columns
SELECT table_name, column_name, ordinal_position, is_nullable, data_type, udt_name, numeric_precision, numeric_precision_radix, numeric_scale, datetime_precision, character_octet_length FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
-- name: exec information_schema tables
SELECT table_catalog, table_schema, table_name, table_type, is_insertable_into FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 3
-- name: exec information_schema constraints
SELECT tc.constraint_name, tc.table_name, tc.constraint_type, kcu.column_name, kcu.ordinal_position FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY' ORDER BY 2, 5
-- name: exec information_schema schemata
SELECT schema_name FROM information_schema.schemata ORDER BY 1
-- name: exec pg_tables and pg_indexes
SELECT t.tablename, t.hasindexes, i.indexname, i.indexdef FROM pg_tables t LEFT JOIN pg_indexes i ON i.tablename = t.tablename WHERE t.schemaname = 'public' ORDER BY 1
-- name: exec pg_attribute types
SELECT a.attname, a.atttypid::regtype, a.attlen, a.attbyval, a.attalign, a.attstorage, a.attnotnull, a.attcollation, a.attnum FROM pg_attribute a WHERE a.attrelid = 'orders'::regclass ORDER BY a.attnum
-- name: exec pg_index row
SELECT indnatts, indnkeyatts, indisunique, indisprimary, indkey, indcollation, indclass, indoption, indkey[0], indkey[1] FROM pg_index WHERE indrelid = 'line_items'::regclass
-- name: exec pg_constraint row
SELECT conname, contype, condeferrable, convalidated, conkey, confkey, connoinherit, conislocal FROM pg_constraint WHERE connamespace = 2200 ORDER BY 1
-- name: exec pg_class rows
SELECT relname, relkind, relnatts, relhasindex, relpersistence, relreplident, relam, reltuples, relispartition, reloftype FROM pg_class WHERE relnamespace = 2200 AND relkind IN ('r', 'i') ORDER BY 1
-- name: exec pg_type of cubes
SELECT t.typname, t.typtype, t.typcategory, t.typlen, t.typelem::regtype, t.typarray::regtype, t.typinput, t.typoutput, t.typrelid::regclass FROM pg_type t WHERE t.typnamespace = 2200 ORDER BY 1
-- name: exec pg_type base types
SELECT oid, typname, typlen, typbyval, typtype, typcategory, typelem, typarray, typinput, typreceive, typalign, typstorage FROM pg_type WHERE oid IN (16, 18, 19, 20, 21, 23, 25, 26, 700, 701, 1043, 1114, 1184, 1700, 1009, 1005, 22, 30, 2205) ORDER BY oid
-- name: exec pg_namespace
SELECT oid, nspname, nspowner::regrole IS NOT NULL FROM pg_namespace ORDER BY oid
-- name: exec pg_am and pg_extension
SELECT a.amname, a.amtype, e.extname, e.extversion FROM pg_am a, pg_extension e WHERE a.amname IN ('btree', 'heap') ORDER BY 1
-- name: exec pg_description of cubes
SELECT c.relname, d.objsubid, d.description FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass ORDER BY 1, 2
-- name: exec has privileges
SELECT has_table_privilege('orders', 'SELECT'), has_schema_privilege('public', 'USAGE'), has_database_privilege(current_database(), 'CONNECT')
-- name: exec show work_mem
SHOW work_mem
-- name: exec settings with units
SELECT current_setting('shared_buffers'), current_setting('checkpoint_timeout'), current_setting('statement_timeout')
-- name: exec parse_ident
SELECT parse_ident('public.orders') AS a, parse_ident(' "Mixed""Q" . Tab ') AS b, parse_ident('x.y junk', false) AS c, array_length(parse_ident('line_items'), 1) AS n
-- name: exec pg_encoding_to_char
SELECT pg_encoding_to_char(0) AS a, pg_encoding_to_char(8) AS b, pg_encoding_to_char(41) AS c, pg_encoding_to_char(99) AS d
