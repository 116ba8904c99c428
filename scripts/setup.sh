# shellcheck shell=bash
# Set-up shared by ./mto and .ci/run: the Odoo source, the virtual environment, the
# PostgreSQL server, and the commands built on them. Sourced, never run directly.
#
# Environment knobs (all optional):
#   ODOO_SRC          Odoo 18.0 source tree (default: ~/odoo-18.0)
#   ODOO_ARCHIVE_URL  where to download it from when ODOO_SRC is empty
#   MTO_CACHE         cache directory for the venv (default: ~/.cache/mto_replenish)
#   PGHOST/PGPORT/PGUSER/PGPASSWORD  use this PostgreSQL server instead of a private one
#   ODOO_RC           an Odoo config file (db_host, db_port, ...) to use instead
#   MTO_DB            database of ./mto run (default: mto_demo)
#   MTO_HTTP_PORT     port of ./mto run (default: 8069)
#   MTO_PYTHON        the Python that builds the venv (default: python3); Odoo 18.0
#                     supports 3.10, 3.11 and 3.12
#   MTO_SKIP_SYSTEM_PACKAGES=1  do not check / install Debian packages
#   MTO_SKIP_LINT=1   ./mto test without the lint

ODOO_SRC=${ODOO_SRC:-$HOME/odoo-18.0}
ODOO_ARCHIVE_URL=${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}
MTO_CACHE=${MTO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mto_replenish}
MTO_DB=${MTO_DB:-mto_demo}
MTO_HTTP_PORT=${MTO_HTTP_PORT:-8069}
MTO_ADDON=mto_replenish

log() { printf '[mto] %s\n' "$*" >&2; }
die() {
    printf '[mto] ERROR: %s\n' "$*" >&2
    exit 1
}

# --- Odoo source ---------------------------------------------------------------------
ensure_odoo_src() {
    if [[ -f "$ODOO_SRC/odoo/release.py" ]]; then
        return
    fi
    log "no Odoo source in $ODOO_SRC; downloading Odoo 18.0 from $ODOO_ARCHIVE_URL"
    local tmp
    tmp=$(mktemp -d)
    if curl -fsSL --connect-timeout 15 --max-time 900 -o "$tmp/odoo.tar.gz" "$ODOO_ARCHIVE_URL" 2>/dev/null &&
        mkdir -p "$tmp/src" && tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/src" --strip-components=1 &&
        [[ -f "$tmp/src/odoo/release.py" ]]; then
        mkdir -p "$(dirname "$ODOO_SRC")"
        rm -rf "$ODOO_SRC" && mv "$tmp/src" "$ODOO_SRC"
        rm -rf "$tmp"
        return
    fi
    rm -rf "$tmp"
    die "Odoo 18.0 source not found and it could not be downloaded.
    Put the Odoo 18.0 source tree (the folder that holds odoo-bin, odoo/ and addons/) in
        $ODOO_SRC
    or point ODOO_SRC at one, then run this command again."
}

addons_path() {
    local p="$ROOT"
    [[ -d "$ODOO_SRC/addons" ]] && p="$p,$ODOO_SRC/addons"
    echo "$p,$ODOO_SRC/odoo/addons"
}

# --- system packages -----------------------------------------------------------------
# Debian packages, each asked for only when it is used: the headers that build Odoo's
# requirements (always), the PostgreSQL server (only for the private cluster, i.e. when
# no external server is configured), and a Chrome for the browser tests (Odoo's HttpCase
# tours, the screenshots) when no Chrome is on PATH already (a CI runner's own).
MTO_BUILD_PACKAGES=(libpq-dev libldap2-dev libsasl2-dev)

# True when PGHOST / PGPORT / PGUSER or ODOO_RC point to a server of the user's.
pg_external() {
    [[ -n "${ODOO_RC:-}${PGHOST:-}${PGPORT:-}${PGUSER:-}" ]]
}

# True when a browser Odoo's tours can drive is on PATH (the names Odoo 18.0 looks for).
chrome_on_path() {
    local bin
    for bin in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$bin" >/dev/null 2>&1 && return 0
    done
    return 1
}

# The Debian packages a command needs; $1 = "browser" when it runs the browser tests.
needed_system_packages() {
    local pkgs=("${MTO_BUILD_PACKAGES[@]}")
    pg_external || pkgs+=(postgresql)
    if [[ "${1:-}" == browser ]] && ! chrome_on_path; then
        pkgs+=(chromium)
    fi
    echo "${pkgs[@]}"
}

missing_system_packages() {
    local pkg missing=()
    # shellcheck disable=SC2046
    for pkg in $(needed_system_packages "${1:-}"); do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    echo "${missing[@]}"
}

# ensure_system_packages [browser]
ensure_system_packages() {
    [[ "${MTO_SKIP_SYSTEM_PACKAGES:-0}" == 1 ]] && return 0
    command -v dpkg-query >/dev/null || return 0 # not Debian: trust the user
    local missing
    missing=$(missing_system_packages "${1:-}")
    [[ -z "$missing" ]] && return 0
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        log "installing Debian packages: $missing"
        # shellcheck disable=SC2086
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } \
            >"${TMPDIR:-/tmp}/mto-apt.log" 2>&1 ||
            die "apt-get install $missing failed (log: ${TMPDIR:-/tmp}/mto-apt.log)"
    else
        die "missing Debian packages: $missing (sudo apt-get install $missing)"
    fi
}

# --- Python --------------------------------------------------------------------------
MTO_PYTHON=${MTO_PYTHON:-python3}
# Odoo 18.0 supports these (its requirements.txt pins per version up to 3.12).
MTO_PYTHON_SUPPORTED=(3.10 3.11 3.12)

ensure_python() {
    command -v "$MTO_PYTHON" >/dev/null ||
        die "Python not found: $MTO_PYTHON (set MTO_PYTHON to a Python 3.10, 3.11 or 3.12)"
    local version
    version=$("$MTO_PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) ||
        die "$MTO_PYTHON does not run"
    local ok
    for ok in "${MTO_PYTHON_SUPPORTED[@]}"; do
        [[ "$version" == "$ok" ]] && return 0
    done
    die "Python $version ($MTO_PYTHON) is not supported: Odoo 18.0 runs on Python ${MTO_PYTHON_SUPPORTED[*]}.
    Install one of them and point MTO_PYTHON at it, e.g. MTO_PYTHON=python3.12 ./mto setup"
}

# --- virtual environment -------------------------------------------------------------
venv_key() {
    {
        "$MTO_PYTHON" --version
        echo "$ODOO_SRC"
        cat "$ODOO_SRC/requirements.txt" "$ROOT/requirements.txt" "$ROOT/test-requirements.txt" \
            "$ROOT/requirements-lint.txt"
    } | sha1sum | cut -c1-12
}

ensure_venv() {
    ensure_python
    MTO_VENV="$MTO_CACHE/venv-$(venv_key)"
    PY="$MTO_VENV/bin/python"
    if [[ -f "$MTO_VENV/.complete" ]]; then
        return
    fi
    mkdir -p "$MTO_CACHE"
    # One build at a time: a second command waits for the first build and uses it.
    exec 8>"$MTO_CACHE/venv.lock"
    flock 8
    if [[ -f "$MTO_VENV/.complete" ]]; then
        flock -u 8
        return
    fi
    log "building the virtual environment $MTO_VENV (once)"
    rm -rf "$MTO_VENV"
    mkdir -p "$MTO_CACHE"
    "$MTO_PYTHON" -m venv "$MTO_VENV"
    # cbor2 (pinned by Odoo) does not build with setuptools >= 70.
    local constraint="$MTO_VENV/build-constraints.txt"
    echo "setuptools<70" >"$constraint"
    (
        export PIP_CONSTRAINT="$constraint" PIP_DISABLE_PIP_VERSION_CHECK=1
        "$PY" -m pip install -q "setuptools<70" wheel
        "$PY" -m pip install -q -r "$ODOO_SRC/requirements.txt"
        # Odoo itself, editable, so that `import odoo` works and odoo-addon-* wheels
        # find their `odoo==18.0.*` dependency.
        "$PY" -m pip install -q --no-deps --no-build-isolation -e "$ODOO_SRC"
        "$PY" -m pip install -q -r "$ROOT/requirements.txt" -r "$ROOT/test-requirements.txt" \
            -r "$ROOT/requirements-lint.txt"
    ) 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2) ||
        die "could not build the virtual environment (Debian packages libpq-dev,
    libldap2-dev and libsasl2-dev are needed to build Odoo's requirements)"
    touch "$MTO_VENV/.complete"
    flock -u 8
}

# --- PostgreSQL ----------------------------------------------------------------------
pg_as_owner() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ensure_pg() {
    if [[ -n "${ODOO_RC:-}" ]]; then
        MTO_DB_ARGS=(-c "$ODOO_RC")
        MTO_PG_EXTERNAL=1
        return
    fi
    if pg_external; then
        MTO_DB_ARGS=(--db_host "${PGHOST:-localhost}" --db_port "${PGPORT:-5432}" --db_user "${PGUSER:-$USER}")
        [[ -n "${PGPASSWORD:-}" ]] && MTO_DB_ARGS+=(--db_password "$PGPASSWORD")
        MTO_PG_EXTERNAL=1
        return
    fi
    MTO_PG_EXTERNAL=0
    local bindir
    bindir=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$bindir" ]] || die "PostgreSQL server binaries not found (install Debian's postgresql)"
    # The server refuses to run as root: as root the cluster lives in the system
    # cache directory, owned by the postgres user; otherwise in the user's cache.
    if [[ $EUID -eq 0 ]]; then
        MTO_PGDIR=${MTO_PGDIR:-/var/cache/mto_replenish/pg}
        mkdir -p "$MTO_PGDIR"
        chown postgres: "$MTO_PGDIR"
    else
        MTO_PGDIR=${MTO_PGDIR:-$MTO_CACHE/pg}
        mkdir -p "$MTO_PGDIR"
    fi
    local data="$MTO_PGDIR/data"
    # Two commands started at once on a fresh machine must not both create or start
    # the cluster: creation and start happen under an exclusive lock of their own.
    exec 7>>"$MTO_PGDIR/setup.lock"
    flock -x 7
    if [[ ! -f "$data/PG_VERSION" ]]; then
        log "creating a private PostgreSQL cluster in $data"
        pg_as_owner "$bindir/initdb" -D "$data" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    # Every command using the cluster holds a shared lock; whoever started it stops it
    # when nobody else holds the lock any more.
    exec 9>>"$MTO_PGDIR/users.lock"
    flock -s 9
    if pg_as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        PGPORT=$(cat "$MTO_PGDIR/port")
    else
        PGPORT=$(free_port)
        echo "$PGPORT" >"$MTO_PGDIR/port"
        pg_as_owner "$bindir/pg_ctl" -D "$data" -l "$MTO_PGDIR/server.log" -w -t 60 start \
            -o "-p $PGPORT -k $MTO_PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            >/dev/null || die "PostgreSQL did not start; see $MTO_PGDIR/server.log"
        MTO_PG_BINDIR=$bindir
        trap pg_stop_if_last EXIT
        log "private PostgreSQL started on 127.0.0.1:$PGPORT"
    fi
    flock -u 7
    exec 7>&-
    export PGHOST=127.0.0.1 PGPORT PGUSER=odoo
    unset PGPASSWORD
    MTO_DB_ARGS=(--db_host "$PGHOST" --db_port "$PGPORT" --db_user "$PGUSER")
}

pg_stop_if_last() {
    local rc=$?
    # Take the lock exclusively: only possible once every other user has gone.
    flock -u 9 || true
    if flock -x -n 9; then
        pg_as_owner "$MTO_PG_BINDIR/pg_ctl" -D "$MTO_PGDIR/data" -m fast -w stop >/dev/null 2>&1 &&
            log "private PostgreSQL stopped"
    fi
    return $rc
}

# mto_setup [browser]: everything a command needs ("browser": it runs the browser tests)
mto_setup() {
    ensure_system_packages "${1:-}"
    ensure_odoo_src
    ensure_venv
    ensure_pg
    export ODOO_SRC MTO_VENV PY MTO_ADDON ROOT
    MTO_ADDONS_PATH=$(addons_path)
    export MTO_ADDONS_PATH
}

odoo_bin() {
    local sub=()
    # odoo-bin wants its sub-command (shell, scaffold, ...) first
    if [[ $# -gt 0 && "$1" != -* ]]; then
        sub=("$1")
        shift
    fi
    "$PY" "$ODOO_SRC/odoo-bin" "${sub[@]}" --addons-path "$MTO_ADDONS_PATH" "${MTO_DB_ARGS[@]}" "$@"
}

db_exists() {
    [[ "$("$PY" "$ROOT/scripts/dbtool.py" exists "$1")" == yes ]]
}

# --- commands ------------------------------------------------------------------------
mto_odoo() {
    mto_setup
    odoo_bin "$@"
}

mto_run() {
    mto_setup
    if ! db_exists "$MTO_DB"; then
        log "creating database $MTO_DB with $MTO_ADDON and its demo data (takes a few minutes once)"
        odoo_bin -d "$MTO_DB" -i "$MTO_ADDON" --stop-after-init --log-level=warn ||
            die "could not create database $MTO_DB"
    fi
    log "Odoo with $MTO_ADDON: http://localhost:$MTO_HTTP_PORT  (database $MTO_DB, login admin, password admin)"
    odoo_bin -d "$MTO_DB" --db-filter "^$MTO_DB\$" --http-port "$MTO_HTTP_PORT" "$@"
}

mto_shell() {
    mto_setup
    odoo_bin shell -d "$MTO_DB" --no-http "$@"
}

mto_lint() {
    ensure_system_packages
    ensure_odoo_src
    ensure_venv
    log "lint: pre-commit (ruff, pylint-odoo, OCA checks)"
    (cd "$ROOT" && PATH="$MTO_VENV/bin:$PATH" PRE_COMMIT_HOME="$MTO_CACHE/pre-commit" \
        "$MTO_VENV/bin/pre-commit" run --all-files --show-diff-on-failure)
}

mto_test() {
    # The addon's Odoo tests include browser tours; --pytest-only runs none.
    local browser=browser arg
    for arg in "$@"; do
        [[ "$arg" == --pytest-only ]] && browser=
        [[ "$arg" == -- ]] && break
    done
    mto_setup $browser
    # The tests start at once; the lint runs after them, before the closing line.
    local lint=()
    if [[ "${MTO_SKIP_LINT:-0}" != 1 ]]; then
        lint=(--lint-cmd "bash $ROOT/mto lint")
    fi
    "$PY" "$ROOT/scripts/run_tests.py" "${lint[@]}" "$@"
}

mto_bench() {
    mto_setup
    "$PY" "$ROOT/benchmarks/bench.py" "$@"
}

mto_screenshots() {
    mto_setup browser
    "$PY" "$ROOT/scripts/screenshots.py" "$@"
}
