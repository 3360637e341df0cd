# shellcheck shell=bash
#
# Starting and stopping Redis and PostgreSQL servers for the scripts: throwaway ones for
# scripts/test and scripts/benchmark, a persistent PostgreSQL data folder for scripts/run.
#
# Needs scripts/lib/prerequisites.sh sourced and eshop_install_prerequisites run first
# (REDIS_SERVER_BIN, POSTGRES_BIN_DIR, POSTGRES_RUN_AS). Every function prints one clear line to
# stderr (plus the tail of the server's log) and returns non-zero when it fails.
#
#   eshop_free_port                            prints a free TCP port on 127.0.0.1
#   eshop_init_postgres DATA_DIR PASSWORD [--no-sync]
#                                              initdb, once
#   eshop_start_postgres DATA_DIR PORT         pg_ctl start, waits until it accepts connections
#   eshop_stop_postgres DATA_DIR               pg_ctl stop; nothing when not running
#   eshop_start_redis DIR PORT PASSWORD        daemonized redis-server, waits for PONG
#   eshop_stop_redis DIR                       stops the Redis whose pid is in DIR/redis.pid
#   eshop_postgres_can_enter DIR               whether $POSTGRES_RUN_AS can traverse to DIR
#   eshop_start_throwaway_stores               both servers in a temp dir, removed on exit

# --- helpers -------------------------------------------------------------------------------------

# Prints the last lines of a server log to stderr, when there is one.
_eshop_show_log_tail() {
    local log=$1
    if [[ -s $log ]]; then
        printf -- '--- last lines of %s ---\n' "$log" >&2
        tail -n 20 "$log" >&2
    fi
}

# Runs a PostgreSQL program as $POSTGRES_RUN_AS when set (from /, which that user can enter,
# so PostgreSQL does not complain about the current folder), else as ourselves.
_eshop_as_postgres() {
    if [[ -n ${POSTGRES_RUN_AS:-} ]]; then
        (cd / && runuser -u "$POSTGRES_RUN_AS" -- "$@")
    else
        "$@"
    fi
}

# Whether a process runs. A zombie (exited but not yet reaped, which happens to daemons when
# PID 1 does not reap, as in some containers) counts as gone.
_eshop_pid_running() {
    local pid=$1 stat
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r /proc/$pid/stat ]]; then
        stat=$(<"/proc/$pid/stat") || return 1
        stat=${stat##*) }           # the fields after "(command name) "
        [[ ${stat%% *} != Z ]]      # the first of them is the state
    else
        [[ $(ps -o stat= -p "$pid" 2>/dev/null) != Z* ]]
    fi
}

# The absolute path of an existing folder.
_eshop_absolute_dir() {
    (CDPATH="" cd -- "$1" && pwd)
}

# --- ports ---------------------------------------------------------------------------------------

# Prints a TCP port nothing listens on at 127.0.0.1: one the kernel hands out (python3), else a
# random one a connection attempt finds closed.
eshop_free_port() {
    local port
    if command -v python3 >/dev/null 2>&1 &&
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null) &&
        [[ $port =~ ^[0-9]+$ ]]; then
        echo "$port"
        return 0
    fi
    for _ in {1..100}; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then   # refused: nobody listens
            echo "$port"
            return 0
        fi
    done
    eshop_error "could not find a free TCP port on 127.0.0.1"
    return 1
}

# --- PostgreSQL ----------------------------------------------------------------------------------

# Whether $POSTGRES_RUN_AS (when set) can traverse every folder down to DIR.
eshop_postgres_can_enter() {
    [[ -z ${POSTGRES_RUN_AS:-} ]] && return 0
    (cd / && runuser -u "$POSTGRES_RUN_AS" -- test -x "$1")
}

# Creates a PostgreSQL data folder with superuser `postgres` and PASSWORD (password needed over
# TCP, trusted over the Unix socket). Does nothing when DATA_DIR already holds one.
# --no-sync skips initdb's fsyncs (about 3 s faster): for throwaway data only.
eshop_init_postgres() {
    if [[ $# -lt 2 || $# -gt 3 || ( $# -eq 3 && $3 != --no-sync ) ]]; then
        eshop_error "usage: eshop_init_postgres DATA_DIR PASSWORD [--no-sync]"
        return 1
    fi
    local data_dir=$1 password=$2 extra=("${@:3}")
    [[ -f $data_dir/PG_VERSION ]] && return 0

    if ! { mkdir -p "$data_dir" && data_dir=$(_eshop_absolute_dir "$data_dir"); }; then
        eshop_error "could not create the PostgreSQL data folder $1"
        return 1
    fi
    if [[ -n $(find "$data_dir" -mindepth 1 -maxdepth 1 -print -quit) ]]; then
        eshop_error "$data_dir is not empty but holds no PostgreSQL data (no PG_VERSION); remove it and retry"
        return 1
    fi
    if [[ -n ${POSTGRES_RUN_AS:-} ]]; then
        if ! eshop_postgres_can_enter "$(dirname "$data_dir")"; then
            eshop_error "user '$POSTGRES_RUN_AS' (PostgreSQL refuses to run as root) cannot enter" \
                "$(dirname "$data_dir"): every folder on that path must be traversable by other users"
            return 1
        fi
        chown "$POSTGRES_RUN_AS:" "$data_dir" || return 1
    fi
    chmod 700 "$data_dir" || return 1

    # C.UTF-8 where the system has it (glibc lists it as C.utf8), else plain C.
    local locale=C locales
    locales=$(locale -a 2>/dev/null || true)
    if grep -qixE 'c\.utf-?8' <<<"$locales"; then locale=C.UTF-8; fi

    # initdb reads the password from a file, which the user running it must be able to read.
    # /tmp rather than $TMPDIR: that user can always enter /tmp.
    local password_file output status=0
    password_file=$(mktemp /tmp/eshop-initdb.XXXXXX) || return 1
    printf '%s\n' "$password" >"$password_file"
    if [[ -n ${POSTGRES_RUN_AS:-} ]]; then chown "$POSTGRES_RUN_AS" "$password_file"; fi
    output=$(_eshop_as_postgres "$POSTGRES_BIN_DIR/initdb" -D "$data_dir" -U postgres \
        --pwfile="$password_file" --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale="$locale" ${extra[@]+"${extra[@]}"} 2>&1) || status=$?
    rm -f "$password_file"
    if [[ $status -ne 0 ]]; then
        eshop_error "initdb failed for $data_dir (exit status $status):"
        printf '%s\n' "$output" | tail -n 20 >&2
        return 1
    fi
    eshop_say "initialized PostgreSQL data in $data_dir"
}

# Starts PostgreSQL on 127.0.0.1:PORT (Unix socket in DATA_DIR, log in DATA_DIR/server.log) and
# waits until it accepts connections.
eshop_start_postgres() {
    if [[ $# -ne 2 ]]; then
        eshop_error "usage: eshop_start_postgres DATA_DIR PORT"
        return 1
    fi
    local data_dir=$1 port=$2
    if [[ ! -f $data_dir/PG_VERSION ]]; then
        eshop_error "no PostgreSQL data in $data_dir (eshop_init_postgres creates it)"
        return 1
    fi
    data_dir=$(_eshop_absolute_dir "$data_dir") || return 1

    # A Unix socket path has at most 107 bytes on Linux, 103 on macOS.
    local socket=$data_dir/.s.PGSQL.$port limit=107
    [[ $(uname -s) == Darwin ]] && limit=103
    if [[ ${#socket} -gt $limit ]]; then
        eshop_error "PostgreSQL's socket path $socket is longer than $limit bytes; use a shorter folder"
        return 1
    fi
    if [[ $data_dir == *"'"* ]]; then
        eshop_error "the PostgreSQL data folder's path must not contain a single quote: $data_dir"
        return 1
    fi

    local output
    if ! output=$(_eshop_as_postgres "$POSTGRES_BIN_DIR/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" \
        -w -t 30 -o "-p $port -c listen_addresses=127.0.0.1 -k '$data_dir'" start 2>&1); then
        eshop_error "PostgreSQL did not start on 127.0.0.1:$port (data in $data_dir)"
        printf '%s\n' "$output" | tail -n 5 >&2
        _eshop_show_log_tail "$data_dir/server.log"
        return 1
    fi
}

# Stops the PostgreSQL serving DATA_DIR (fast: disconnects clients). Nothing when not running.
eshop_stop_postgres() {
    if [[ $# -ne 1 ]]; then
        eshop_error "usage: eshop_stop_postgres DATA_DIR"
        return 1
    fi
    local data_dir=$1 pid
    [[ -f $data_dir/postmaster.pid ]] || return 0
    data_dir=$(_eshop_absolute_dir "$data_dir") || return 1
    pid=$(head -n 1 "$data_dir/postmaster.pid" 2>/dev/null || true)

    _eshop_as_postgres "$POSTGRES_BIN_DIR/pg_ctl" -D "$data_dir" -m fast -w -t 30 stop >/dev/null 2>&1 &&
        return 0
    # pg_ctl failed: either nothing ran (a stale pid file) or it would not stop in time.
    if [[ $pid =~ ^[0-9]+$ ]] && _eshop_pid_running "$pid"; then
        _eshop_as_postgres "$POSTGRES_BIN_DIR/pg_ctl" -D "$data_dir" -m immediate -w -t 10 stop >/dev/null 2>&1 &&
            return 0
        eshop_error "PostgreSQL (pid $pid, data in $data_dir) did not stop"
        _eshop_show_log_tail "$data_dir/server.log"
        return 1
    fi
}

# --- Redis ---------------------------------------------------------------------------------------

# The redis-cli next to $REDIS_SERVER_BIN, else the one on PATH.
_eshop_redis_cli() {
    local cli
    cli=$(dirname "${REDIS_SERVER_BIN:-redis-server}")/redis-cli
    if [[ -x $cli ]]; then echo "$cli"; else command -v redis-cli; fi
}

# Starts a daemonized, memory-only Redis on 127.0.0.1:PORT requiring PASSWORD (pid, log in DIR)
# and waits up to 10 s until it answers PING.
eshop_start_redis() {
    if [[ $# -ne 3 ]]; then
        eshop_error "usage: eshop_start_redis DIR PORT PASSWORD"
        return 1
    fi
    local dir=$1 port=$2 password=$3 cli output
    if ! { mkdir -p "$dir" && dir=$(_eshop_absolute_dir "$dir"); }; then
        eshop_error "could not create the Redis folder $1"
        return 1
    fi
    cli=$(_eshop_redis_cli) || {
        eshop_error "redis-cli not found (it comes with redis-tools)"
        return 1
    }
    rm -f "$dir/redis.pid"
    # Where this start's lines begin in the log (it may hold earlier runs).
    local log=$dir/redis.log log_start=0
    if [[ -f $log ]]; then log_start=$(wc -c <"$log"); fi

    if ! output=$("$REDIS_SERVER_BIN" --port "$port" --bind 127.0.0.1 --daemonize yes --save '' \
        --appendonly no --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$log" \
        --requirepass "$password" 2>&1); then
        eshop_error "redis-server refused to start on 127.0.0.1:$port: $output"
        _eshop_show_log_tail "$log"
        return 1
    fi

    # Poll until PONG; give up early when the server has exited (e.g. the port is taken), checked
    # before each PING so that a foreign server holding the port cannot keep redis-cli waiting.
    # Redis writes its pid file only once it listens, so until then take the pid from the
    # "Redis is starting" line the daemon logs first ("<pid>:C <date> # oO0OoO0OoO0Oo Redis is...").
    # REDISCLI_AUTH passes the password without putting it on redis-cli's command line.
    local deadline=$((SECONDS + 10)) reply pid
    while :; do
        if [[ -s $dir/redis.pid ]]; then
            pid=$(<"$dir/redis.pid")
        else
            pid=$(tail -c +$((log_start + 1)) "$log" 2>/dev/null |
                sed -n 's/^\([0-9][0-9]*\):.*Redis is starting.*/\1/p' || true)
            pid=${pid%%$'\n'*}
        fi
        if [[ $pid =~ ^[0-9]+$ ]]; then
            if ! _eshop_pid_running "$pid"; then
                eshop_error "redis-server exited while starting on 127.0.0.1:$port"
                _eshop_show_log_tail "$log"
                return 1
            fi
        fi
        reply=$(REDISCLI_AUTH=$password "$cli" -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)
        [[ $reply == PONG ]] && return 0
        if [[ $SECONDS -ge $deadline ]]; then
            eshop_error "Redis did not answer PING on 127.0.0.1:$port within 10 s"
            _eshop_show_log_tail "$log"
            eshop_stop_redis "$dir" || true
            return 1
        fi
        sleep 0.1
    done
}

# Stops the Redis whose pid is in DIR/redis.pid and waits (up to 10 s) until it has exited.
# Nothing when not running.
eshop_stop_redis() {
    if [[ $# -ne 1 ]]; then
        eshop_error "usage: eshop_stop_redis DIR"
        return 1
    fi
    local pid_file=$1/redis.pid pid deadline
    [[ -s $pid_file ]] || return 0
    pid=$(<"$pid_file")
    # Only a running redis-server: a stale pid file may name a recycled pid.
    if ! [[ $pid =~ ^[0-9]+$ ]] || ! _eshop_pid_running "$pid" ||
        { [[ -r /proc/$pid/comm ]] && [[ $(<"/proc/$pid/comm") != redis* ]]; }; then
        rm -f "$pid_file"
        return 0
    fi

    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while _eshop_pid_running "$pid"; do
        if [[ $SECONDS -ge $deadline ]]; then
            kill -KILL "$pid" 2>/dev/null || true
            eshop_error "Redis (pid $pid) did not stop within 10 s; killed it"
            _eshop_show_log_tail "$1/redis.log"
            return 1
        fi
        sleep 0.1
    done
    rm -f "$pid_file"
}

# --- throwaway stores (scripts/test, scripts/benchmark) ------------------------------------------

# Starts a throwaway Redis and PostgreSQL on free loopback ports with random passwords in a new
# temp folder, creates the database eshop_test, and exports what the tests and benchmarks read:
#   REDIS_HOST REDIS_PORT REDIS_PASSWORD
#   POSTGRES_HOST POSTGRES_PORT POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DATABASE
# (REDIS_SERVER_BIN, REDIS_BENCHMARK_BIN, POSTGRES_BIN_DIR, POSTGRES_RUN_AS come from
# eshop_install_prerequisites.)
#
# Installs an EXIT trap (replacing any other) that stops both servers and removes the folder
# however the script ends; INT, TERM and HUP exit, so the trap runs on Ctrl-C too.
eshop_start_throwaway_stores() {
    local temp_root=${TMPDIR:-/tmp}
    ESHOP_STORES_DIR=$(mktemp -d "${temp_root%/}/eshop.XXXXXX") || {
        eshop_error "could not create a temp folder in $temp_root"
        return 1
    }
    trap eshop_stop_throwaway_stores EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # mktemp -d makes a 700 folder: the PostgreSQL user must be able to pass through it.
    if [[ -n ${POSTGRES_RUN_AS:-} ]]; then chmod 711 "$ESHOP_STORES_DIR" || return 1; fi

    local redis_port redis_password postgres_port postgres_password
    redis_password="test-$RANDOM$RANDOM"
    postgres_password="test-$RANDOM$RANDOM"

    # Redis first: once it listens, eshop_free_port cannot hand its port to PostgreSQL.
    redis_port=$(eshop_free_port) || return 1
    eshop_start_redis "$ESHOP_STORES_DIR/redis" "$redis_port" "$redis_password" || return 1

    eshop_init_postgres "$ESHOP_STORES_DIR/postgres" "$postgres_password" --no-sync || return 1
    postgres_port=$(eshop_free_port) || return 1
    eshop_start_postgres "$ESHOP_STORES_DIR/postgres" "$postgres_port" || return 1

    local output
    if ! output=$(PGPASSWORD=$postgres_password "$POSTGRES_BIN_DIR/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$postgres_port" -U postgres -d postgres -c 'create database eshop_test' 2>&1); then
        eshop_error "could not create the database eshop_test on 127.0.0.1:$postgres_port: $output"
        return 1
    fi

    export REDIS_HOST=127.0.0.1 REDIS_PORT=$redis_port REDIS_PASSWORD=$redis_password
    export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=$postgres_port POSTGRES_USER=postgres
    export POSTGRES_PASSWORD=$postgres_password POSTGRES_DATABASE=eshop_test
    export REDIS_SERVER_BIN REDIS_BENCHMARK_BIN POSTGRES_BIN_DIR POSTGRES_RUN_AS

    eshop_say "throwaway Redis on 127.0.0.1:$redis_port, PostgreSQL on 127.0.0.1:$postgres_port ($ESHOP_STORES_DIR)"
}

# The EXIT trap of eshop_start_throwaway_stores: stops both servers, removes the temp folder.
# Keeps going past failures, and leaves the script's exit status alone.
eshop_stop_throwaway_stores() {
    local dir=${ESHOP_STORES_DIR:-}
    [[ -n $dir && -d $dir ]] || return 0
    eshop_stop_redis "$dir/redis" || true
    if [[ -d $dir/postgres ]]; then eshop_stop_postgres "$dir/postgres" || true; fi
    rm -rf -- "$dir" || eshop_error "could not remove $dir"
    ESHOP_STORES_DIR=""
}
