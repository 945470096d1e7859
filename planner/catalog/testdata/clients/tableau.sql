-- Tableau is closed source. Its PostgreSQL connector drives psqlODBC
-- (the Tableau connector's connectionBuilder sets UseDeclareFetch, see
-- cockroachdb/cockroach#41412), so its catalog queries are psqlODBC's,
-- from postgresql-interfaces/psqlodbc at the cited functions, with the
-- PostgreSQL >= 12 branches. treasure-data/prestogres#29 shows the lo
-- probe in a Tableau session log; crate/crate#10212 shows Tableau's
-- DECLARE "SQL_CUR..." CURSOR WITH HOLD wrapping.
-- name: tableau lo type
-- source: postgresql-interfaces/psqlodbc connection.c (CC_lookup_lo); seen from Tableau in treasure-data/prestogres#29
select oid, typbasetype from pg_type where typname = 'lo'
-- name: tableau max_identifier_length
-- source: postgresql-interfaces/psqlodbc connection.c (CC_get_max_idlen)
show max_identifier_length
-- name: tableau current_schema
-- source: postgresql-interfaces/psqlodbc connection.c (CC_get_current_schema)
select current_schema()
-- name: tableau schemas
-- source: postgresql-interfaces/psqlodbc info.c (PGAPI_Tables, list_schemas)
select NULL, nspname, NULL from pg_catalog.pg_namespace n where true and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') order by nspname
-- name: tableau table types
-- source: postgresql-interfaces/psqlodbc info.c (PGAPI_Tables, list_table_types)
select NULL, NULL, relkind from (select 'r' as relkind union select 'v' union select 'm' union select 'f' union select 'p') as a
-- name: tableau tables
-- source: postgresql-interfaces/psqlodbc info.c (PGAPI_Tables, schema pattern 'public', table pattern '%')
select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'm', 'f', 'p') and nspname like 'public' and relname like '%' and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') and n.oid = relnamespace order by nspname, relname
-- name: tableau columns
-- source: postgresql-interfaces/psqlodbc info.c (PGAPI_Columns, table 'orders' in schema 'public')
select n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnum, a.attlen, a.atttypmod, a.attnotnull, c.relhasrules, c.relkind, c.oid, pg_get_expr(d.adbin, d.adrelid), case t.typtype when 'd' then t.typbasetype else 0 end, t.typtypmod, 0, attidentity, c.relhassubclass from (((pg_catalog.pg_class c inner join pg_catalog.pg_namespace n on n.oid = c.relnamespace and c.relname like 'orders' and n.nspname like 'public') inner join pg_catalog.pg_attribute a on (not a.attisdropped) and a.attnum operator(pg_catalog.>) 0 and a.attrelid operator(pg_catalog.=) c.oid) inner join pg_catalog.pg_type t on t.oid operator(pg_catalog.=) a.atttypid) left outer join pg_attrdef d on a.atthasdef and d.adrelid operator(pg_catalog.=) a.attrelid and d.adnum operator(pg_catalog.=) a.attnum order by n.nspname, c.relname, attnum
-- name: tableau statistics
-- source: postgresql-interfaces/psqlodbc info.c (PGAPI_Statistics, table 'line_items' in schema 'public')
select c.relname, i.indkey, i.indisunique, i.indisclustered, a.amname, c.relhasrules, n.nspname, c.oid, 0, i.indoption from pg_catalog.pg_index i, pg_catalog.pg_class c, pg_catalog.pg_class d, pg_catalog.pg_am a, pg_catalog.pg_namespace n where d.relname = 'line_items' and n.nspname = 'public' and n.oid operator(pg_catalog.=) d.relnamespace and d.oid operator(pg_catalog.=) i.indrelid and i.indexrelid operator(pg_catalog.=) c.oid and c.relam operator(pg_catalog.=) a.oid order by i.indisprimary desc, i.indisunique, n.nspname, c.relname
-- name: tableau primary keys
-- source: postgresql-interfaces/psqlodbc info.c (PGAPI_PrimaryKeys, table 'line_items' in schema 'public')
select ta.attname, ia.attnum, ic.relname, n.nspname, tc.relname from pg_catalog.pg_attribute ta, pg_catalog.pg_attribute ia, pg_catalog.pg_class tc, pg_catalog.pg_index i, pg_catalog.pg_namespace n, pg_catalog.pg_class ic where tc.relname = 'line_items' AND n.nspname = 'public' AND tc.oid operator(pg_catalog.=) i.indrelid AND n.oid operator(pg_catalog.=) tc.relnamespace AND i.indisprimary operator(pg_catalog.=) 't' AND ia.attrelid operator(pg_catalog.=) i.indexrelid AND ta.attrelid operator(pg_catalog.=) i.indrelid AND ta.attnum operator(pg_catalog.=) i.indkey[ia.attnum-1] AND (NOT ta.attisdropped) AND (NOT ia.attisdropped) AND ic.oid operator(pg_catalog.=) i.indexrelid AND ia.attnum operator(pg_catalog.<=) i.indnkeyatts order by ia.attnum
-- name: tableau declare fetch
-- source: crate/crate#10212 (Tableau's DECLARE "SQL_CUR..." CURSOR WITH HOLD; psqlODBC UseDeclareFetch) around psqlodbc's PGAPI_Tables query
declare "SQL_CUR0x7fd83880dc00" cursor with hold for select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'm', 'f', 'p') and nspname like 'public' and n.oid = relnamespace order by nspname, relname;
fetch 100 in "SQL_CUR0x7fd83880dc00"
