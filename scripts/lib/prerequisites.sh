# shellcheck shell=bash
#
# Installs what the project needs besides the Swift toolchain (Redis, hiredis, PostgreSQL, the
# SQLite headers, OpenBLAS, Python's venv) and tells the other scripts where those programs live.
#
# Sourced by scripts/test, scripts/run and scripts/benchmark, which set `set -euo pipefail`
# themselves; the functions here report their own errors and return non-zero instead of relying
# on errexit.
#
#   eshop_install_prerequisites [--with-compose] [--with-benchmark-tools] [--with-browser]
#
# exports:
#   REDIS_SERVER_BIN     absolute path of redis-server
#   REDIS_BENCHMARK_BIN  absolute path of redis-benchmark
#   POSTGRES_BIN_DIR     the folder holding initdb, postgres, pg_ctl and psql
#   POSTGRES_RUN_AS      `postgres` when running as root (PostgreSQL refuses root), else empty
#   CHROMIUM_BIN         absolute path of Debian's chromium (with --with-browser)
#
# A value already set in the environment wins when it points at a usable program, so a person
# can pick another Redis or PostgreSQL.

# shellcheck source=scripts/lib/models.sh
source "$(dirname "${BASH_SOURCE[0]}")/models.sh"
# shellcheck source=scripts/lib/venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"

# Prints one line, prefixed so it stands out from build output.
eshop_say() { printf 'eshop: %s\n' "$*"; }

# Prints one line to stderr.
eshop_error() { printf 'eshop: error: %s\n' "$*" >&2; }

# Runs a command as root: directly when we are root, else through sudo (callers check that
# one of the two is possible).
_eshop_as_root() {
    if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# Runs an installer command quietly; on failure shows the tail of its output.
_eshop_run_installer() {
    local output shown=("$@")
    [[ $1 == _eshop_as_root ]] && shown=("${@:2}")
    if ! output=$("$@" 2>&1); then
        eshop_error "'${shown[*]}' failed:"
        printf '%s\n' "$output" | tail -n 20 >&2
        return 1
    fi
}

# The newest PostgreSQL bin folder holding initdb on Debian/Ubuntu (15 preferred), or nothing.
_eshop_debian_postgres_bin_dir() {
    local dir
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        echo /usr/lib/postgresql/15/bin
        return
    fi
    while read -r dir; do
        if [[ -x $dir/initdb ]]; then
            echo "$dir"
            return
        fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
}

# Whether docker-compose (v1) or the `docker compose` plugin is available.
_eshop_have_compose() {
    command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1
}

# apt-get (Debian, Ubuntu): installs the missing packages.
_eshop_install_with_apt() {
    local with_compose=$1 with_benchmark_tools=$2 with_browser=$3 missing=()
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    { command -v redis-cli && command -v redis-benchmark; } >/dev/null 2>&1 || missing+=(redis-tools)
    # SwiftPM finds hiredis (the CHiredis target) through pkg-config.
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    pkg-config --exists hiredis 2>/dev/null || [[ -f /usr/include/hiredis/hiredis.h ]] || missing+=(libhiredis-dev)
    [[ -n $(_eshop_debian_postgres_bin_dir) ]] || missing+=(postgresql)
    pkg-config --exists sqlite3 2>/dev/null || [[ -f /usr/include/sqlite3.h ]] || missing+=(libsqlite3-dev)
    # The Embeddings library's matrix products (the COpenBLAS target, found through pkg-config).
    pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
    # The Dapr Python SDK suite (scripts/test-dapr-sdk) makes a venv.
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
    if [[ $with_compose == yes ]] && ! _eshop_have_compose; then missing+=(docker-compose); fi
    if [[ $with_benchmark_tools == yes ]] && ! command -v wrk >/dev/null 2>&1; then missing+=(wrk); fi
    # The embeddings benchmark's numpy reference: Debian's numpy, on the system BLAS (OpenBLAS).
    if [[ $with_benchmark_tools == yes ]] && ! /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1; then
        missing+=(python3-numpy)
    fi
    # The storefront's browser tests (scripts/test-webapp) drive Debian's Chromium; the fonts
    # make its screenshots readable.
    if [[ $with_browser == yes ]] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium fonts-dejavu-core fonts-liberation); fi

    [[ ${#missing[@]} -eq 0 ]] && return 0

    if [[ $EUID -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
        eshop_error "missing: ${missing[*]}; installing them needs root, and sudo is missing:" \
            "run as root, or apt-get install them yourself"
        return 1
    fi
    eshop_say "installing with apt-get: ${missing[*]}"
    _eshop_run_installer _eshop_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
    _eshop_run_installer _eshop_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
    local package
    for package in "${missing[@]}"; do eshop_say "installed $package"; done

    # Debian's postgresql package creates a "main" cluster and, where services may start,
    # starts it on port 5432, the port scripts/run's PostgreSQL wants. We never use it.
    if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null 2>&1; then
        local version cluster _port status _rest
        while read -r version cluster _port status _rest; do
            if [[ $status == online ]]; then
                _eshop_as_root pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 &&
                    eshop_say "stopped the PostgreSQL $version/$cluster cluster apt started (not used here)"
            fi
        done < <(pg_lsclusters --no-header 2>/dev/null || true)
    fi
}

# Homebrew (macOS): installs the missing formulae.
_eshop_install_with_brew() {
    local with_compose=$1 with_benchmark_tools=$2 missing=() formula
    { command -v redis-server && command -v redis-cli && command -v redis-benchmark; } >/dev/null 2>&1 ||
        missing+=(redis)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkgconf)
    pkg-config --exists hiredis 2>/dev/null || [[ -f $(brew --prefix)/include/hiredis/hiredis.h ]] ||
        missing+=(hiredis)
    [[ -x $(brew --prefix postgresql@15 2>/dev/null)/bin/initdb ]] || missing+=(postgresql@15)
    if [[ $with_compose == yes ]] && ! _eshop_have_compose; then missing+=(docker-compose); fi
    if [[ $with_benchmark_tools == yes ]] && ! command -v wrk >/dev/null 2>&1; then missing+=(wrk); fi

    for formula in "${missing[@]}"; do
        eshop_say "installing $formula with brew"
        _eshop_run_installer brew install "$formula" || return 1
        eshop_say "installed $formula"
    done
}

# Installs what is missing, then sets and exports the variables listed at the top.
# shellcheck disable=SC2120  # the argument is optional
eshop_install_prerequisites() {
    local with_compose=no with_benchmark_tools=no with_browser=no argument
    for argument in "$@"; do
        case $argument in
            --with-compose) with_compose=yes ;;
            --with-browser) with_browser=yes ;;  # chromium, for the storefront's browser tests
            --with-benchmark-tools) with_benchmark_tools=yes ;;  # wrk, for the HTTP benchmarks
            *) eshop_error "eshop_install_prerequisites: unknown argument '$argument'"; return 1 ;;
        esac
    done

    local default_postgres_bin_dir
    if [[ $(uname -s) == Darwin ]]; then
        command -v brew >/dev/null 2>&1 || {
            eshop_error "Homebrew is missing; install it from https://brew.sh (needed for redis, hiredis, postgresql@15)"
            return 1
        }
        _eshop_install_with_brew "$with_compose" "$with_benchmark_tools" || return 1
        default_postgres_bin_dir="$(brew --prefix postgresql@15)/bin"
    elif command -v apt-get >/dev/null 2>&1; then
        _eshop_install_with_apt "$with_compose" "$with_benchmark_tools" "$with_browser" || return 1
        default_postgres_bin_dir=$(_eshop_debian_postgres_bin_dir)
    else
        default_postgres_bin_dir=""   # no apt-get or brew: what is missing must be installed by hand
    fi

    # Programs: keep what the environment names when it is usable.
    if [[ ! -x ${REDIS_SERVER_BIN:-} ]]; then
        REDIS_SERVER_BIN=$(command -v redis-server || true)
    fi
    if [[ ! -x ${REDIS_BENCHMARK_BIN:-} ]]; then
        REDIS_BENCHMARK_BIN=$(command -v redis-benchmark || true)
    fi
    if [[ ! -x ${POSTGRES_BIN_DIR:-}/initdb ]]; then
        POSTGRES_BIN_DIR=$default_postgres_bin_dir
    fi
    if [[ -z $REDIS_SERVER_BIN ]]; then
        eshop_error "redis-server not found on PATH; install Redis (and hiredis, PostgreSQL) or set REDIS_SERVER_BIN"
        return 1
    fi
    if [[ -z $POSTGRES_BIN_DIR || ! -x $POSTGRES_BIN_DIR/initdb ]]; then
        eshop_error "PostgreSQL's initdb not found (looked in '${POSTGRES_BIN_DIR:-nowhere}'); set POSTGRES_BIN_DIR"
        return 1
    fi

    # PostgreSQL refuses to run as root: as root, run it as the postgres user.
    if [[ $EUID -eq 0 ]]; then
        POSTGRES_RUN_AS=${POSTGRES_RUN_AS:-postgres}
        if ! id -u "$POSTGRES_RUN_AS" >/dev/null 2>&1; then
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$POSTGRES_RUN_AS" || {
                eshop_error "could not create the user '$POSTGRES_RUN_AS' to run PostgreSQL as"
                return 1
            }
            eshop_say "created system user $POSTGRES_RUN_AS (PostgreSQL refuses to run as root)"
        fi
    else
        POSTGRES_RUN_AS=""
    fi

    if [[ $with_browser == yes && ! -x ${CHROMIUM_BIN:-} ]]; then
        CHROMIUM_BIN=$(command -v chromium || command -v chromium-browser || true)
        [[ -n $CHROMIUM_BIN ]] || { eshop_error "chromium not found; install it (apt-get install chromium) or set CHROMIUM_BIN"; return 1; }
        export CHROMIUM_BIN
    fi
    export REDIS_SERVER_BIN REDIS_BENCHMARK_BIN POSTGRES_BIN_DIR POSTGRES_RUN_AS
    eshop_fetch_models || return 1   # MODEL_STORE_DIR, MODEL_FILES_DIR (scripts/lib/models.sh)
}
