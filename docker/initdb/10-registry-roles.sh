#!/bin/sh
# Runs once, when the PostgreSQL container initialises an empty data directory.
# registry_owner: the registry's login; owns its database and runs the migrations; not a superuser.
# registry_app: the role every application query runs as (SET ROLE); may only SELECT and INSERT the
# log tables (granted by the migrations).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v owner_password="$REGISTRY_DB_PASSWORD" <<'SQL'
CREATE ROLE registry_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'registry_app') THEN CREATE ROLE registry_app NOLOGIN; END IF; END $$;
GRANT registry_app TO registry_owner;
CREATE DATABASE registry OWNER registry_owner;
REVOKE ALL ON DATABASE registry FROM PUBLIC;
GRANT CONNECT ON DATABASE registry TO registry_owner;
SQL
