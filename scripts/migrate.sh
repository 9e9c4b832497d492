#!/bin/sh
# Apply sql/NNN_*.sql in order, once each (recorded in schema_migrations),
# then reload the reference data (countries, communes) from sql/data.
# Needs DATABASE_URL. Safe to run again.
set -eu
cd "$(dirname "$0")/.."
export PGOPTIONS="-c client_min_messages=warning"
PSQL="psql -X -q -v ON_ERROR_STOP=1 -d $DATABASE_URL"
$PSQL -c "CREATE TABLE IF NOT EXISTS schema_migrations (
	version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
for f in sql/[0-9][0-9][0-9]_*.sql; do
	v=$(basename "$f" .sql)
	done=$($PSQL -At -c "SELECT 1 FROM schema_migrations WHERE version = '$v'")
	[ -n "$done" ] && continue
	echo "migrate: $v"
	$PSQL -1 -f "$f" -c "INSERT INTO schema_migrations (version) VALUES ('$v')"
done
$PSQL -f sql/reference.sql
