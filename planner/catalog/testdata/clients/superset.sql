-- Superset reflects tables through SQLAlchemy's inspector (sqlalchemy.sql);
-- these are the queries its PostgreSQL engine spec sends itself.
-- name: superset catalogs
-- source: apache/superset superset/db_engine_specs/postgres.py (PostgresEngineSpec.get_catalog_names)
SELECT datname FROM pg_database
WHERE datistemplate = false;
-- name: superset foreign tables
-- source: apache/superset superset/db_engine_specs/postgres.py (get_table_names calls inspector.get_foreign_table_names: sqlalchemy lib/sqlalchemy/dialects/postgresql/base.py 1.4 _get_foreign_table_names)
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'f'
-- name: superset cancel query id
-- source: apache/superset superset/db_engine_specs/postgres.py (PostgresEngineSpec.get_cancel_query_id)
SELECT pg_backend_pid()
