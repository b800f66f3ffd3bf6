#!/bin/sh
# Sets up a self-hosted Temporal cluster on PostgreSQL: the one code path used by the native
# production tier (test/harness/production-tier.ts) and by docker-compose.yml's admin-tools jobs.
#
#   setup-cluster.sh schema      create both databases if missing, then create/update their schemas
#                                with temporal-sql-tool from the server's own versioned schema files
#   setup-cluster.sh namespace   wait for the frontend, register the namespace and every search
#                                attribute of search-attributes.txt (idempotent)
#
# Environment (defaults fit the temporalio/admin-tools image):
#   SQL_TOOL=temporal-sql-tool  TEMPORAL_CLI=temporal  SCHEMA_DIR=/etc/temporal/schema
#   POSTGRES_SEEDS=postgresql  DB_PORT=5432  POSTGRES_USER=temporal  POSTGRES_PWD=
#   DB_NAME=temporal  VISIBILITY_DB_NAME=temporal_visibility
#   TEMPORAL_ADDRESS=temporal:7233  TEMPORAL_NAMESPACE=default  NAMESPACE_RETENTION=720h
# POSIX sh: the admin-tools image has no bash.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
SQL_TOOL="${SQL_TOOL:-temporal-sql-tool}"
TEMPORAL_CLI="${TEMPORAL_CLI:-temporal}"
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema}"
POSTGRES_SEEDS="${POSTGRES_SEEDS:-postgresql}"
DB_PORT="${DB_PORT:-5432}"
POSTGRES_USER="${POSTGRES_USER:-temporal}"
POSTGRES_PWD="${POSTGRES_PWD:-}"
DB_NAME="${DB_NAME:-temporal}"
VISIBILITY_DB_NAME="${VISIBILITY_DB_NAME:-temporal_visibility}"
TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
NAMESPACE_RETENTION="${NAMESPACE_RETENTION:-720h}"
export TEMPORAL_ADDRESS

say() { echo "[setup-cluster] $*"; }

sql() { # db args...
  db=$1
  shift
  SQL_PASSWORD="$POSTGRES_PWD" "$SQL_TOOL" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" "$@"
}

schema_for() { # db schema-subdir
  db=$1
  dir="$SCHEMA_DIR/postgresql/v12/$2/versioned"
  [ -d "$dir" ] || { echo "[setup-cluster] no schema directory $dir" >&2; exit 1; }
  # `create` fails when the database exists (a re-run, or a managed PostgreSQL): that is fine.
  sql "$db" create >/dev/null 2>&1 && say "$db: database created" || say "$db: database exists"
  # setup-schema -v 0.0 creates the version table on an empty database and only that; on a set-up
  # database it refuses, so it runs only when update-schema cannot find a version yet.
  if ! sql "$db" update-schema -d "$dir" >/dev/null 2>&1; then
    sql "$db" setup-schema -v 0.0
    sql "$db" update-schema -d "$dir"
  fi
  say "$db: schema up to date ($dir)"
}

wait_for_frontend() {
  i=0
  until "$TEMPORAL_CLI" operator cluster health >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 120 ] || { echo "[setup-cluster] Temporal at $TEMPORAL_ADDRESS did not answer" >&2; exit 1; }
    sleep 1
  done
}

register_namespace() {
  if "$TEMPORAL_CLI" operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
    say "namespace $TEMPORAL_NAMESPACE exists"
  else
    "$TEMPORAL_CLI" operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$NAMESPACE_RETENTION" >/dev/null
    say "namespace $TEMPORAL_NAMESPACE created (retention $NAMESPACE_RETENTION)"
  fi
  # A new namespace reaches the frontend's cache within seconds: retry each attribute until then.
  grep -v '^#' "$here/search-attributes.txt" | while read -r name type; do
    [ -n "$name" ] || continue
    i=0
    until "$TEMPORAL_CLI" operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" 2>/dev/null | grep -qw "$name" ||
      "$TEMPORAL_CLI" operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type "$type" >/dev/null 2>&1; do
      i=$((i + 1))
      [ $i -lt 60 ] || { echo "[setup-cluster] could not register search attribute $name" >&2; exit 1; }
      sleep 1
    done
  done
  say "search attributes registered: $(grep -v '^#' "$here/search-attributes.txt" | cut -d' ' -f1 | tr '\n' ' ')"
}

case "${1:-}" in
  schema)
    schema_for "$DB_NAME" temporal
    schema_for "$VISIBILITY_DB_NAME" visibility
    ;;
  namespace)
    wait_for_frontend
    register_namespace
    ;;
  *)
    echo "usage: $0 schema|namespace" >&2
    exit 2
    ;;
esac
